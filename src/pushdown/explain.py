"""Render a plan as text: numbered steps with engine and reason, fragments, SQL per engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pushdown.planner.plan import Plan


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]


def explain_text(plan: Plan, *, verbose: bool = False) -> str:
    """The plan as text; ``verbose`` adds every step's output schema."""
    engines = sorted({st.engine for st in plan.steps.values()})
    lines = [f"Plan: {len(plan.steps)} steps on {len(engines)} engine(s): {', '.join(engines)}", ""]
    rows = [["#", "dataset", "recipe", "kind", "engine", "reason"]]
    for i, step in enumerate(plan.steps.values(), start=1):
        engine = step.engine
        if engine != "local":
            engine += f" ({plan.profiles[engine].name})"
        rows.append([f"{i}.", step.name, step.recipe, step.kind, engine, step.reason])
    lines += _table(rows)
    if verbose:
        lines += ["", "Schemas:"]
        for step in plan.steps.values():
            cols = ", ".join(f"{f.name}: {f.type}" for f in step.schema)
            lines.append(f"  {step.name}: {cols}")
    lines += ["", "Fragments (each output is one statement):"]
    for frag in plan.fragments:
        what = "python" if frag.python else plan.dialect_of(frag.engine)
        ins = f" <- {', '.join(frag.inputs)}" if frag.inputs else ""
        lines.append(
            f"  {frag.label} [{what}] steps: {', '.join(frag.nodes)}{ins}"
            f" -> {', '.join(frag.outputs)}"
        )
    sql = plan.sql()
    if sql:
        lines += ["", "SQL:", sql]
    return "\n".join(lines)
