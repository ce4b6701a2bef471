"""Render a plan as text: numbered steps with engine, estimates, cost and reason; transfers;
fragments; SQL per engine.  ``verbose`` adds the alternatives considered and the schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pushdown.compilers.statements import comment_safe as shown
from pushdown.planner.stats import log_rows

if TYPE_CHECKING:
    from pushdown.planner.plan import PhysicalPlan


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]


def _bytes(value: float | None) -> str:
    if value is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} PB"


def explain_text(plan: PhysicalPlan, *, verbose: bool = False) -> str:
    """The plan as text."""
    engines = sorted({st.engine for st in plan.steps.values()})
    head = f"Plan {plan.id}: {len(plan.steps)} steps on {len(engines)} engine(s): "
    head += ", ".join(engines)
    if plan.cost is not None:
        head += f"; estimated {plan.cost.seconds:.3g} s"
        if plan.cost.usd:
            head += f", ${plan.cost.usd:.4f}"
    lines = [head]
    if plan.baseline is not None and plan.cost is not None and plan.baseline.seconds > 0:
        lines.append(
            f"(the rule 'run where the first input lives' would take {plan.baseline.seconds:.3g} s)"
        )
    lines.append("")
    rows = [["#", "dataset", "kind", "engine", "rows", "bytes", "reason"]]
    for i, step in enumerate(plan.steps.values(), start=1):
        engine = shown(step.engine)
        if step.engine != "local":
            engine += f" ({plan.profiles[step.engine].name})"
        reason = step.reason
        if step.name in plan.notes:
            reason += f" [{plan.notes[step.name]}]"
        rows.append(
            [
                f"{i}.",
                shown(step.name),
                step.kind,
                engine,
                log_rows(step.rows) if step.rows is not None else "?",
                _bytes(step.bytes),
                reason,
            ]
        )
    lines += _table(rows)
    if verbose:
        lines += ["", "Alternatives (cost change if only this step moved):"]
        for step in plan.steps.values():
            alts = "; ".join(
                f"{engine} {'+' if delta >= 0 else ''}{delta:.3g}"
                if delta is not None
                else f"{engine}: {why}"
                for engine, delta, why in step.alternatives
            )
            lines.append(f"  {shown(step.name)}: {alts or 'none'}")
        if plan.planning_statements:
            lines += ["", "Statements while planning (per connection):"]
            for conn, count in plan.planning_statements.items():
                lines.append(
                    f"  {shown(conn)}: {count.get('schema', 0)} for schemas, "
                    f"{count.get('statistics', 0)} for statistics"
                )
        lines += ["", "Schemas:"]
        for step in plan.steps.values():
            cols = ", ".join(f"{shown(f.name)}: {f.type}" for f in step.schema)
            lines.append(f"  {shown(step.name)}: {cols}")
    if plan.transfers:
        lines += ["", "Transfers:"]
        for t in plan.transfers:
            lines.append(
                f"  {shown(t.dataset)}: {shown(t.source)} -> {shown(t.target)}"
                f", {len(t.columns)} column(s), "
                f"~{log_rows(t.rows)} rows, ~{_bytes(t.bytes)}, {t.cost.seconds:.3g} s "
                f"via {t.channel}"
            )
    lines += ["", "Fragments (each output is one statement):"]
    for frag in plan.fragments:
        what = "python" if frag.python else plan.statements.dialect(frag.engine)
        ins = f" <- {', '.join(map(shown, frag.inputs))}" if frag.inputs else ""
        lines.append(
            f"  {shown(frag.label)} [{what}] steps: {', '.join(map(shown, frag.nodes))}{ins}"
            f" -> {', '.join(map(shown, frag.outputs))}"
        )
    sql = plan.sql()
    if sql:
        lines += ["", "SQL:", sql]
    return "\n".join(lines)
