"""Draw a plan: steps as nodes coloured by engine (with a legend), the steps of one fragment
(one statement) framed together, each transfer an edge labelled with rows, bytes and estimated
seconds, and steps that could not run where their data lives marked with the reason.

``plan_html`` returns self-contained HTML (inline SVG, CSS and a few lines of script; nothing
is fetched, so it works offline, in Jupyter, VS Code and as a file); selecting a step opens
its details below the drawing (its SQL, estimate, reason and runner-up engines with their cost
in seconds or dollars), with or without the script.  ``plan_dot`` returns Graphviz text.

The layering is networkx's (topological generations of the step graph); within a layer a
step is placed under the mean position of its inputs, one fragment's steps side by side.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pushdown.explain import (
    alternatives_text,
    engine_label,
    human_bytes,
    objective_of,
    unused_sources,
    visible_steps,
)
from pushdown.planner.cost import LOCAL
from pushdown.planner.stats import log_rows
from pushdown.run import RunResult
from pushdown.statistics import far_off

if TYPE_CHECKING:
    from pushdown.planner.placement import Transfer
    from pushdown.planner.plan import PhysicalPlan, Step
    from pushdown.run import StepRun

# Okabe-Ito (colour-blind safe), then a few more; an engine keeps its colour in every drawing
# of one plan (engines sorted, ``local`` always grey).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
LOCAL_COLOUR = "#BBBBBB"
NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 170, 46, 40, 70, 30
_counter = itertools.count(1)

# Why-nots that are choices or facts, not a construct the engine lacks.
_NOT_REFUSALS = ("forbidden", "pinned", "a source stays", "Python steps")


# Characters XML 1.0 does not allow, even as references (C0 controls but tab, newline and
# carriage return; lone surrogates; U+FFFE, U+FFFF): https://www.w3.org/TR/xml/#charsets
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """``value`` as HTML/XML text or attribute value: markup and quotes escaped, characters
    XML cannot hold shown as ``\\xNN`` (a dataset name is any text; the SVG must parse)."""
    return html.escape(_NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value))


@dataclass
class _Node:
    step: Step
    layer: int
    fragment: int
    x: float = 0.0
    y: float = 0.0


def engine_colours(plan: PhysicalPlan) -> dict[str, str]:
    """A colour per engine of the plan (connections in name order, ``local`` grey)."""
    engines = sorted({st.engine for st in plan.steps.values()} - {LOCAL})
    colours = {e: PALETTE[i % len(PALETTE)] for i, e in enumerate(engines)}
    colours[LOCAL] = LOCAL_COLOUR
    return colours


def refusal(plan: PhysicalPlan, step: Step) -> str:
    """Why ``step`` does not run where its inputs live (a construct an engine lacks), or
    ``""`` when nothing was refused."""
    inputs = plan.logical.nodes[step.name].inputs
    homes = {plan.steps[i].engine for i in inputs} - {step.engine, LOCAL}
    for engine, delta, why in step.alternatives:
        if engine in homes and delta is None and not why.startswith(_NOT_REFUSALS):
            return why
    if homes and step.reason.split(" ")[0].isupper():  # "MEDIAN is not supported on hive..."
        return step.reason
    return ""


def _layout(plan: PhysicalPlan) -> tuple[dict[str, _Node], float, float]:
    """Pixel positions: layers (top to bottom) are networkx's topological generations of the
    step graph; within a layer, each step sits under the mean slot of its inputs (fewer
    crossings), one fragment's steps together."""
    import networkx as nx

    steps = visible_steps(plan)
    names = {st.name for st in steps}
    frag_of = {name: f.id for f in plan.fragments for name in f.nodes}
    order = {st.name: k for k, st in enumerate(steps)}
    graph: Any = nx.DiGraph()
    graph.add_nodes_from(order)
    graph.add_edges_from(
        (i, st.name) for st in steps for i in plan.logical.nodes[st.name].inputs if i in names
    )
    layer = {m: d for d, gen in enumerate(nx.topological_generations(graph)) for m in gen}
    for m in graph:  # a source sits just above its first reader, not at the top
        if graph.in_degree(m) == 0 and graph.out_degree(m) > 0:
            layer[m] = min(layer[c] for c in graph.successors(m)) - 1
    # Within a layer: under the parents (their mean slot, fewer crossings), one fragment's
    # steps together, then plan order.
    slot: dict[str, float] = {}
    for depth in range(max(layer.values(), default=-1) + 1):
        members = [m for m in graph if layer[m] == depth]

        keys: dict[str, tuple[float, int, int]] = {}
        for m in members:
            parents = [slot[p] for p in graph.predecessors(m)]
            centre = sum(parents) / len(parents) if parents else float(order[m]) / len(order)
            keys[m] = (centre, frag_of.get(m, 0), order[m])
        members.sort(key=keys.__getitem__)
        slot |= {m: k - (len(members) - 1) / 2 for k, m in enumerate(members)}
    depth = max(layer.values(), default=0) + 1
    widest = max((sum(1 for v in layer.values() if v == d) for d in range(depth)), default=1)
    width = max(2 * MARGIN + widest * NODE_W + (widest - 1) * GAP_X, 760.0)  # legend fits
    nodes = {}
    for st in steps:
        x = width / 2 + slot[st.name] * (NODE_W + GAP_X) - NODE_W / 2
        y = MARGIN + 40 + layer[st.name] * (NODE_H + GAP_Y)
        nodes[st.name] = _Node(st, layer[st.name], frag_of.get(st.name, 0), x, y)
    height = MARGIN + 40 + depth * (NODE_H + GAP_Y)
    return nodes, width, height


def rows_text(rows: float | None) -> str:
    """An estimated row count as shown (``?`` when there is none)."""
    return "?" if rows is None else log_rows(rows)


def edge_label(t: Transfer) -> str:
    """A transfer edge's label: rows, bytes and estimated seconds."""
    return f"{log_rows(t.rows)} rows · {human_bytes(t.bytes)} · {t.cost.seconds:.3g} s"


def _svg(plan: PhysicalPlan, uid: str, actual: dict[str, StepRun] | None = None) -> str:
    e = _text
    nodes, width, height = _layout(plan)
    colours = engine_colours(plan)
    moved = {(t.dataset, t.target): t for t in plan.transfers}
    labelled: set[tuple[str, str]] = set()  # one label per transfer, however many readers
    parts: list[str] = []
    # Fragments: a dashed frame around the steps of one statement, when no other step sits
    # inside the frame; each step also names its fragment (bottom right).
    for frag in plan.fragments:
        members = [nodes[m] for m in frag.nodes if m in nodes]
        if not members:
            continue
        x0 = min(m.x for m in members) - 8
        y0 = min(m.y for m in members) - 20
        x1 = max(m.x for m in members) + NODE_W + 8
        y1 = max(m.y for m in members) + NODE_H + 8
        if any(
            x0 < o.x + NODE_W and o.x < x1 and y0 < o.y + NODE_H and o.y < y1
            for name, o in nodes.items()
            if name not in frag.nodes
        ):
            continue
        parts.append(
            f'<g class="pd-fragment"><rect x="{x0:.0f}" y="{y0:.0f}" width="{x1 - x0:.0f}" '
            f'height="{y1 - y0:.0f}" rx="10" fill="none" stroke="{colours[frag.engine]}" '
            f'stroke-dasharray="5 4" stroke-width="1.5"/>'
            f'<text x="{x0 + 6:.0f}" y="{y0 + 13:.0f}" class="pd-small">'
            f"{e(frag.label)}{' python' if frag.python else ''}</text></g>"
        )
    # Edges: every input; a transfer is thick, in the source engine's colour, and labelled.
    for name, node in nodes.items():
        for i in plan.logical.nodes[name].inputs:
            if i not in nodes:
                continue
            src = nodes[i]
            x1, y1 = src.x + NODE_W / 2, src.y + NODE_H
            x2, y2 = node.x + NODE_W / 2, node.y
            mid = (y1 + y2) / 2
            path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2:.0f}"
            t = moved.get((i, node.step.engine))
            if t is not None and (t.dataset, t.target) in labelled:
                parts.append(
                    f'<path d="{path}" stroke="{colours[t.source]}" stroke-width="3.5" '
                    f'fill="none" class="pd-transfer-more" marker-end="url(#{uid}-arrow)"/>'
                )
                continue
            if t is None:
                parts.append(f'<path d="{path}" class="pd-edge" marker-end="url(#{uid}-arrow)"/>')
                continue
            label = edge_label(t)
            labelled.add((t.dataset, t.target))
            parts.append(
                f'<g class="pd-transfer"><path d="{path}" stroke="{colours[t.source]}" '
                f'stroke-width="3.5" fill="none" marker-end="url(#{uid}-arrow)">'
                f"<title>{e(f'transfer {t.dataset}: {t.source} -> {t.target} via {t.channel}')}"
                f"</title></path>"
                f'<text x="{(x1 + x2) / 2 + 6:.0f}" y="{mid + 4:.0f}" class="pd-small pd-label">'
                f"{e(label)}</text></g>"
            )
    # Steps.
    for name, node in nodes.items():
        st = node.step
        why = refusal(plan, st)
        rows = rows_text(st.rows)
        got = (actual or {}).get(name)
        if got is not None:  # a run: actual rows, the estimate after it
            rows = f"{log_rows(got.rows)} (est. {rows})"
        mark = (
            f'<text x="{node.x + NODE_W - 16:.0f}" y="{node.y + 17:.0f}" '
            'class="pd-refused">⚠</text>'
            if why
            else ""
        )
        parts.append(
            f'<a href="#{uid}-{e(_slug(name))}" class="pd-link">'
            f'<g class="pd-node" data-step="{e(name)}" data-engine="{e(st.engine)}">'
            f"<title>{e(f'{name} on {engine_label(plan, st.engine)}: {st.reason}')}</title>"
            f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6" '
            f'fill="{colours[st.engine]}" stroke="{"#C00000" if why else "#333"}" '
            f'stroke-width="{2.5 if why else 1}"/>'
            f'<text x="{node.x + 8:.0f}" y="{node.y + 18:.0f}" class="pd-name">'
            f"{e(_clip(name, 20))}</text>"
            f'<text x="{node.x + 8:.0f}" y="{node.y + 36:.0f}" class="pd-small">'
            f"{e(st.kind)} · {rows} rows</text>"
            f'<text x="{node.x + NODE_W - 6:.0f}" y="{node.y + 40:.0f}" class="pd-small" '
            f'text-anchor="end">F{node.fragment}</text>{mark}</g></a>'
        )
    legend = _legend(plan, colours)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pd-svg" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="plan {e(plan.id)}">'
        f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
        f'orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
        f"{legend}{''.join(parts)}</svg>"
    )


def _legend(plan: PhysicalPlan, colours: dict[str, str]) -> str:
    e = _text
    items = []
    x = MARGIN
    for engine, colour in colours.items():
        label = engine_label(plan, engine)
        items.append(
            f'<g class="pd-legend-item" data-engine="{e(engine)}">'
            f'<rect x="{x}" y="{MARGIN - 12}" width="14" height="14" rx="3" fill="{colour}" '
            f'stroke="#333"/><text x="{x + 19}" y="{MARGIN}" class="pd-small">{e(label)}</text></g>'
        )
        x += 30 + 7 * len(label)
    items.append(
        f'<text x="{x}" y="{MARGIN}" class="pd-small">thick edge: transfer · dashed frame: '
        f"one statement · ⚠: could not run where its data lives</text>"
    )
    return f'<g class="pd-legend">{"".join(items)}</g>'


def _slug(name: str) -> str:
    """An HTML id part for a dataset name (any text): letters kept, plus a checksum."""
    import zlib

    return "".join(c if c.isalnum() else "_" for c in name) + f"-{zlib.crc32(name.encode()):x}"


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _details(plan: PhysicalPlan, uid: str) -> str:
    e = _text
    sql = {
        out: plan.statement(frag, out, project=True)
        for frag in plan.fragments
        if not frag.python
        for out in frag.outputs
    }
    frag_of = {name: f for f in plan.fragments for name in f.nodes}
    blocks = []
    for st in visible_steps(plan):
        frag = frag_of.get(st.name)
        why = refusal(plan, st)
        cost = "?" if st.cost is None else _score(plan, st.cost)
        rows = rows_text(st.rows)
        text = sql.get(st.name)
        code = f"<pre>{e(text)}</pre>" if text else ""
        if not code and frag is not None:
            code = f"<p>computed inside the statement of {e(frag.label)}</p>"
        blocks.append(
            f'<details id="{uid}-{e(_slug(st.name))}" class="pd-step">'
            f"<summary><b>{e(st.name)}</b> — {e(st.kind)} on {e(engine_label(plan, st.engine))}"
            f"</summary><ul>"
            f"<li>why here: {e(st.reason)}</li>"
            + (
                f'<li class="pd-why-not">could not run where its data lives: {e(why)}</li>'
                if why
                else ""
            )
            + f"<li>estimate: {rows} rows, {human_bytes(st.bytes)}; cost {cost}</li>"
            f"<li>other engines: {e(alternatives_text(plan, st) or 'none')}</li>"
            + (f"<li>note: {e(plan.notes[st.name])}</li>" if st.name in plan.notes else "")
            + f"</ul>{code}</details>"
        )
    return "".join(blocks)


def _score(plan: PhysicalPlan, score: float) -> str:
    from pushdown.planner.cost import describe_score

    return describe_score(objective_of(plan), score)


_STYLE = """
.pd-plan{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;color:#222}
.pd-plan .pd-name{font-size:12px;font-weight:600;fill:#111}
.pd-plan .pd-small{font-size:10.5px;fill:#333}
.pd-plan .pd-label{fill:#000;paint-order:stroke;stroke:#fff;stroke-width:3px}
.pd-plan .pd-edge{stroke:#777;stroke-width:1.3;fill:none}
.pd-plan .pd-refused{font-size:13px;fill:#C00000}
.pd-plan .pd-link{cursor:pointer}
.pd-plan .pd-node:hover rect{stroke-width:2.5}
.pd-plan details{margin:2px 0;padding:2px 6px;border-left:3px solid #ddd}
.pd-plan details[open]{border-left-color:#0072B2;background:#f7f9fc}
.pd-plan pre{font-size:11.5px;max-height:22em;overflow:auto;background:#f4f4f4;padding:6px}
.pd-plan .pd-why-not{color:#C00000}
"""

_SCRIPT = """
(function(){var root=document.getElementById('%s');if(!root)return;
root.querySelectorAll('a.pd-link').forEach(function(a){a.addEventListener('click',function(ev){
var d=document.getElementById(a.getAttribute('href').slice(1));if(!d)return;ev.preventDefault();
d.open=true;d.scrollIntoView({block:'nearest'});});});})();
"""


def plan_html(plan: PhysicalPlan) -> str:
    """The plan as an HTML fragment (for ``_repr_html_``): header, drawing, step details."""
    uid = f"pd-{plan.id}-{next(_counter)}"
    e = _text
    steps = visible_steps(plan)
    engines = sorted({st.engine for st in steps})
    head = f"Plan {e(plan.id)}: {len(steps)} steps on {len(engines)} engine(s)"
    if plan.cost is not None:
        head += f"; estimated {plan.cost.seconds:.3g} s"
        if plan.cost.usd:
            head += f", ${plan.cost.usd:.4f}"
    if plan.baseline is not None and plan.cost is not None:
        head += f" (first-input rule: {plan.baseline.seconds:.3g} s)"
    unused = unused_sources(plan)
    extra = f"<p>not shown: {e(', '.join(unused))} (declared, never read)</p>" if unused else ""
    return (
        f'<div class="pd-plan" id="{uid}"><style>{_STYLE}</style><p><b>{head}</b></p>{extra}'
        f'<div style="overflow-x:auto">{_svg(plan, uid)}</div>'
        f"<p>Select a step for its SQL, estimate and runner-up engines:</p>"
        f"{_details(plan, uid)}<script>{_SCRIPT % uid}</script></div>"
    )


def run_html(plan: PhysicalPlan, result: RunResult) -> str:
    """A run drawn: the plan's graph with actual rows next to the estimates, then a timeline:
    per statement its engine, a bar from its start to its end on the run's time axis, seconds,
    rows (estimated) and bytes moved."""
    from pushdown.explain import human_bytes as size

    e = _text
    uid = f"pd-run-{plan.id}-{next(_counter)}"
    actual = {r.dataset: r for r in result.runs}
    colours = engine_colours(plan)
    # A timeline: each statement a bar from its start to its end on one axis (fragments on
    # different engines run at the same time).
    span = max((r.started + r.seconds for r in result.runs), default=0.0) or 1.0
    bars = "".join(
        f"<tr><td>{e(r.dataset)}</td><td>{e(r.engine)}</td>"
        f'<td style="width:320px"><div class="pd-timeline" style="position:relative;height:12px">'
        f'<div class="pd-span" data-start="{r.started:.6f}" data-seconds="{r.seconds:.6f}" '
        f'style="position:absolute;left:{300 * r.started / span:.1f}px;height:12px;'
        f"width:{max(1.0, 300 * r.seconds / span):.1f}px;"
        f'background:{colours.get(r.engine, LOCAL_COLOUR)}"></div></div></td>'
        f"<td>{r.started:.3f} s</td><td>{r.seconds:.3f} s</td><td>{r.rows:,}</td>"
        f"<td>{rows_text(r.estimated_rows)}</td>"
        f"<td>{size(r.bytes_moved)}</td><td>{e(far_off(r.estimated_rows, r.rows))}</td></tr>"
        for r in sorted(result.runs, key=lambda r: r.started)
    )
    total = sum(r.seconds for r in result.runs)
    head = (
        f"Run of plan {e(plan.id)}: {len(result.runs)} statement(s), {total:.3g} s in all "
        f"(estimated {plan.cost.seconds:.3g} s)"
        if plan.cost is not None
        else f"Run of plan {e(plan.id)}"
    )
    return (
        f'<div class="pd-plan pd-run" id="{uid}"><style>{_STYLE}</style><p><b>{head}</b></p>'
        f'<div style="overflow-x:auto">{_svg(plan, uid, actual)}</div>'
        "<table><thead><tr><th>statement</th><th>engine</th>"
        f"<th>timeline (0 to {span:.3g} s)</th><th>started</th><th>seconds</th>"
        "<th>rows</th><th>estimated</th><th>moved</th><th>note</th></tr></thead>"
        f"<tbody>{bars}</tbody></table></div>"
    )


def compare_html(a: PhysicalPlan, b: PhysicalPlan) -> str:
    """Two plans of one flow side by side: the differences in words, then both drawings."""
    from pushdown.explain import compare_text

    e = _text
    return (
        f'<div class="pd-compare"><pre>{e(compare_text(a, b))}</pre>'
        '<div style="display:flex;gap:16px;align-items:flex-start;overflow-x:auto">'
        f"<div>{plan_html(a)}</div><div>{plan_html(b)}</div></div></div>"
    )


def plan_svg(plan: PhysicalPlan) -> str:
    """The drawing alone as a standalone SVG document (its style inside; no details)."""
    uid = f"pd-{plan.id}-{next(_counter)}"
    style = _STYLE.replace(".pd-plan ", "")
    drawing = _svg(plan, uid)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + drawing.replace("<defs>", f"<defs><style>{style}</style>", 1)
        + "\n"
    )


def plan_page(plan: PhysicalPlan) -> str:
    """A whole HTML document around :func:`plan_html` (for a file or a browser)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>pushdown plan {_text(plan.id)}</title></head>"
        f"<body>{plan_html(plan)}</body></html>\n"
    )


@dataclass(repr=False)  # RunResult's short repr, not every table
class PlanRun(RunResult):
    """A :class:`RunResult` that knows its plan, so a notebook can draw the run."""

    plan: PhysicalPlan | None = field(default=None, repr=False, compare=False)

    def _repr_html_(self) -> str:
        if self.plan is None:
            return super()._repr_html_()
        return run_html(self.plan, self) + super()._repr_html_()
