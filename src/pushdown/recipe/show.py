"""How a :class:`~pushdown.recipe.flow.Flow` shows itself before planning: a short text (its
``repr``) and, for notebooks, its graph (an inline SVG: datasets coloured by where they live,
recipe outputs under their inputs, an edge per input) above an HTML table.  Connection
passwords are redacted.

The layering is networkx's topological generations of the dataset graph, like the plan's
drawing (``pushdown.view``); nothing is fetched, so the HTML works offline."""

from __future__ import annotations

from typing import Any

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
    from html import escape as e  # here: planning needs no html

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
        f"<div>{flow_svg(spec)}</div><ul>{conns}</ul>"
        "<table><thead><tr><th>dataset</th><th>kind</th><th>reads</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        + (f"<p>outputs:</p><ul>{outs}</ul>" if outs else "")
        + "</div>"
    )


# Sources by where they live (connections in name order; files grey), recipe outputs white.
_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
_W, _H, _GX, _GY, _M = 150, 40, 30, 50, 20


def _graph(spec: s.FlowSpec) -> tuple[Any, dict[str, str]]:
    """The dataset graph (an edge per recipe input) and each node's label."""
    import networkx as nx

    graph: Any = nx.DiGraph()
    labels = {}
    for d in spec.datasets:
        graph.add_node(d.name)
        labels[d.name] = d.connection or "file"
    for r in spec.recipes:
        for out in r.output_names():
            graph.add_node(out)
            labels[out] = r.type
            graph.add_edges_from((i, out) for i in r.input_names() if i != out)
    return graph, labels


def flow_svg(spec: s.FlowSpec) -> str:
    """The flow's graph as inline SVG: a node per dataset (sources coloured by connection,
    ``class="pd-flow-node"``), an edge per recipe input, layers top to bottom."""
    import networkx as nx

    graph, labels = _graph(spec)
    if not graph:
        return ""
    if not nx.is_directed_acyclic_graph(graph):
        layers = [sorted(graph)]
    else:
        depth = {m: d for d, gen in enumerate(nx.topological_generations(graph)) for m in gen}
        for m in graph:  # a source sits just above its first reader, not at the top
            if graph.in_degree(m) == 0 and graph.out_degree(m) > 0:
                depth[m] = min(depth[c] for c in graph.successors(m)) - 1
        layers = [sorted(m for m in graph if depth[m] == d) for d in range(max(depth.values()) + 1)]
        layers = [members for members in layers if members]
    slot: dict[str, float] = {}
    for members in layers:  # each node under the mean slot of its inputs (fewer crossings)
        keys = {}
        for m in members:
            parents = [slot[p] for p in graph.predecessors(m) if p in slot]
            keys[m] = (sum(parents) / len(parents) if parents else 0.0, m)
        members.sort(key=keys.__getitem__)
        slot |= {m: k - (len(members) - 1) / 2 for k, m in enumerate(members)}
    widest = max(len(m) for m in layers)
    width = 2 * _M + widest * _W + (widest - 1) * _GX
    height = 2 * _M + len(layers) * _H + (len(layers) - 1) * _GY
    pos = {
        m: (width / 2 + slot[m] * (_W + _GX) - _W / 2, _M + d * (_H + _GY))
        for d, members in enumerate(layers)
        for m in members
    }
    conns = sorted({d.connection for d in spec.datasets if d.connection})
    colour = {c: _COLOURS[i % len(_COLOURS)] for i, c in enumerate(conns)}
    sources = {d.name: colour.get(d.connection or "", "#BBBBBB") for d in spec.datasets}
    from html import escape as e  # here: planning needs no html

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pd-flow-graph" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        'font-family="sans-serif" font-size="12">'
    ]
    for a, b in graph.edges:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        parts.append(
            f'<line class="pd-flow-edge" x1="{xa + _W / 2:.0f}" y1="{ya + _H:.0f}" '
            f'x2="{xb + _W / 2:.0f}" y2="{yb:.0f}" stroke="#666" stroke-width="1.5"/>'
        )
    for m, (x, y) in pos.items():
        fill, kind = sources.get(m, "#FFFFFF"), e(labels.get(m, "?"))
        name = m if len(m) <= 22 else m[:21] + "\u2026"
        parts.append(
            f'<g class="pd-flow-node" data-dataset="{e(m)}"><title>{e(m)}: {kind}</title>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{_W}" height="{_H}" rx="6" fill="{fill}" '
            'stroke="#333"/>'
            f'<text x="{x + _W / 2:.0f}" y="{y + 16:.0f}" text-anchor="middle" '
            f'font-weight="bold">{e(name)}</text>'
            f'<text x="{x + _W / 2:.0f}" y="{y + 31:.0f}" text-anchor="middle" '
            f'fill="#333">{kind}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
