"""How a :class:`~pushdown.recipe.flow.Flow` shows itself before planning: a short text (its
``repr``) and an HTML table for notebooks.  Connection passwords are redacted."""

from __future__ import annotations

import html

from pushdown.errors import redact
from pushdown.recipe import spec as s


def _sources(spec: s.FlowSpec) -> list[tuple[str, str]]:
    return [
        (d.name, f"table {d.table} on {d.connection}" if d.table else f"file {d.path}")
        for d in spec.datasets
    ]


def _recipes(spec: s.FlowSpec) -> list[tuple[str, str, str]]:
    return [(", ".join(r.output_names()), r.type, ", ".join(r.input_names())) for r in spec.recipes]


def flow_text(spec: s.FlowSpec) -> str:
    """``<Flow: 3 datasets, 5 recipes, 1 output>`` and one line per dataset and recipe."""
    outs = spec.outputs
    lines = [
        f"<Flow: {len(spec.datasets)} datasets, {len(spec.recipes)} recipes, {len(outs)} output(s)>"
    ]
    for name, url in spec.connections.items():
        lines.append(f"  connection {name}: {redact(url)}")
    for name, where in _sources(spec):
        lines.append(f"  dataset {name}: {where}")
    for out, kind, ins in _recipes(spec):
        lines.append(f"  {out} = {kind}({ins})")
    for o in outs:
        lines.append(f"  output {o.dataset} -> table {o.table} on {o.connection}")
    return "\n".join(lines)


def flow_html(spec: s.FlowSpec) -> str:
    """The flow as an HTML table: datasets, then each recipe with its kind and inputs."""
    e = html.escape
    rows = [
        f"<tr><td>{e(name)}</td><td>source</td><td>{e(where)}</td></tr>"
        for name, where in _sources(spec)
    ]
    rows += [
        f"<tr><td>{e(out)}</td><td>{e(kind)}</td><td>{e(ins)}</td></tr>"
        for out, kind, ins in _recipes(spec)
    ]
    outs = "".join(
        f"<li>{e(o.dataset)} &rarr; table {e(o.table)} on {e(o.connection)}</li>"
        for o in spec.outputs
    )
    conns = "".join(
        f"<li>{e(k)}: <code>{e(redact(v))}</code></li>" for k, v in spec.connections.items()
    )
    return (
        '<div class="pushdown-flow"><b>Flow</b> (not planned yet: <code>pushdown.plan(flow)</code>)'
        f"<ul>{conns}</ul>"
        "<table><thead><tr><th>dataset</th><th>kind</th><th>reads</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        + (f"<p>outputs:</p><ul>{outs}</ul>" if outs else "")
        + "</div>"
    )
