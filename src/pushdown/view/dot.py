"""The plan as Graphviz DOT text (``plan.to_dot()``): every name is one quoted DOT string."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pushdown.explain import engine_label, visible_steps
from pushdown.view import edge_label, engine_colours, refusal, rows_text

if TYPE_CHECKING:
    from pushdown.planner.plan import PhysicalPlan


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def plan_dot(plan: PhysicalPlan) -> str:
    """The plan as Graphviz DOT: a cluster per fragment, nodes filled with their engine's
    colour, transfers as bold labelled edges, refused steps outlined in red."""
    colours = engine_colours(plan)
    shown = {st.name: st for st in visible_steps(plan)}
    lines = [
        f"digraph {_dot_id('plan ' + plan.id)} {{",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for frag in plan.fragments:
        members = [m for m in frag.nodes if m in shown]
        if not members:
            continue
        lines.append(f"  subgraph cluster_F{frag.id} {{")
        lines.append(
            f"    label={_dot_id(frag.label)}; style=dashed; color={_dot_id(colours[frag.engine])};"
        )
        for name in members:
            st = shown[name]
            rows = rows_text(st.rows)
            why = refusal(plan, st)
            label = f"{name}\n{st.kind} · {rows} rows"
            attrs = [
                f"label={_dot_id(label)}",
                f"fillcolor={_dot_id(colours[st.engine])}",
                f"tooltip={_dot_id(why or st.reason)}",
            ]
            if why:
                attrs.append('color="#C00000", penwidth=2.5')
            lines.append(f"    {_dot_id(name)} [{', '.join(attrs)}];")
        lines.append("  }")
    moved = {(t.dataset, t.target): t for t in plan.transfers}
    for name in shown:
        for i in plan.logical.nodes[name].inputs:
            if i not in shown:
                continue
            t = moved.get((i, shown[name].engine))
            style = ""
            if t is not None:
                colour = _dot_id(colours[t.source])
                style = f" [label={_dot_id(edge_label(t))}, penwidth=2.5, color={colour}]"
            lines.append(f"  {_dot_id(i)} -> {_dot_id(name)}{style};")
    legend = " | ".join(f"{engine_label(plan, e)}" for e in colours)
    lines.append(f"  legend [shape=note, style=filled, fillcolor=white, label={_dot_id(legend)}];")
    lines.append("}")
    return "\n".join(lines)
