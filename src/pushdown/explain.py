"""Render a plan as text: numbered steps with engine, estimates, cost and reason; transfers;
fragments; SQL per engine.  ``verbose`` adds the alternatives considered and the schemas.

Also the plan and a run as plain data (``--format json``), the SQL one engine receives with a
header per statement, and a run's summary (what was written where, estimates far off)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pushdown.compilers.statements import comment_safe as shown
from pushdown.compilers.statements import sql_steps
from pushdown.plan import nodes as n
from pushdown.planner.cost import LOCAL, describe_score
from pushdown.planner.memory import binary_bytes
from pushdown.planner.stats import log_rows
from pushdown.statistics import far_off

if TYPE_CHECKING:
    from pushdown.planner.plan import PhysicalPlan, Step
    from pushdown.run import RunResult


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]


def human_bytes(value: float | None) -> str:
    """``1.3 MB``-style byte counts (decimal units); ``?`` when unknown."""
    if value is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} PB"


_bytes = human_bytes


def objective_of(plan: PhysicalPlan) -> Any:
    """The objective the plan was costed under (``"time"`` unless it says otherwise)."""
    return getattr(plan, "objective", "time")


def unused_sources(plan: PhysicalPlan) -> list[str]:
    """Source datasets nothing reads and no output writes: declared, but not part of the
    work (a run reads nothing from them), so they are not shown as steps."""
    outputs = {o.dataset for o in plan.logical.outputs}
    return [
        name
        for name, node in plan.logical.nodes.items()
        if isinstance(node, n.Source) and not plan.logical.consumers[name] and name not in outputs
    ]


def visible_steps(plan: PhysicalPlan) -> list[Step]:
    """The steps of the plan that do work, in plan order."""
    unused = set(unused_sources(plan))
    return [st for name, st in plan.steps.items() if name not in unused]


def engine_label(plan: PhysicalPlan, engine: str) -> str:
    """``warehouse (duckdb)`` for a connection, ``local`` for local execution."""
    if engine == LOCAL:
        return LOCAL
    return f"{shown(engine)} ({plan.profiles[engine].name})"


def alternatives_text(plan: PhysicalPlan, step: Step) -> str:
    """The other engines for ``step``: the cost change with its unit, or why not."""
    objective = objective_of(plan)
    return "; ".join(
        f"{engine} {describe_score(objective, delta, signed=True)}"
        if delta is not None
        else f"{engine}: {why}"
        for engine, delta, why in step.alternatives
    )


def explain_text(plan: PhysicalPlan, *, verbose: bool = False) -> str:
    """The plan as text."""
    steps = visible_steps(plan)
    engines = sorted({st.engine for st in steps})
    head = f"Plan {plan.id}: {len(steps)} steps on {len(engines)} engine(s): "
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
    if plan.memory_budget is not None:
        lines.append(
            f"(memory budget of the local engine: {binary_bytes(plan.memory_budget)}; the "
            "estimated peak of each local fragment is shown with the fragments)"
        )
    unused = unused_sources(plan)
    if unused:
        lines.append(f"(not shown: {', '.join(map(shown, unused))}, declared but never read)")
    lines.append("")
    rows = [["#", "dataset", "kind", "engine", "rows", "bytes", "reason"]]
    for i, step in enumerate(steps, start=1):
        reason = step.reason
        if step.name in plan.notes:
            reason += f" [{plan.notes[step.name]}]"
        rows.append(
            [
                f"{i}.",
                shown(step.name),
                step.kind,
                engine_label(plan, step.engine),
                log_rows(step.rows) if step.rows is not None else "?",
                human_bytes(step.bytes),
                reason,
            ]
        )
    lines += _table(rows)
    if verbose:
        unit = {"time": "seconds", "money": "dollars"}.get(str(objective_of(plan)), "the blend")
        lines += ["", f"Alternatives (cost change in {unit} if only this step moved):"]
        for step in steps:
            lines.append(f"  {shown(step.name)}: {alternatives_text(plan, step) or 'none'}")
        if plan.planning_statements:
            lines += ["", "Statements while planning (per connection):"]
            for conn, count in plan.planning_statements.items():
                lines.append(
                    f"  {shown(conn)}: {count.get('schema', 0)} for schemas, "
                    f"{count.get('statistics', 0)} for statistics"
                )
        lines += ["", "Schemas:"]
        for step in steps:
            cols = ", ".join(f"{shown(f.name)}: {f.type}" for f in step.schema)
            lines.append(f"  {shown(step.name)}: {cols}")
    if plan.transfers:
        lines += ["", "Transfers:"]
        for t in plan.transfers:
            lines.append(
                f"  {shown(t.dataset)}: {shown(t.source)} -> {shown(t.target)}"
                f", {len(t.columns)} column(s), "
                f"~{log_rows(t.rows)} rows, ~{human_bytes(t.bytes)}, {t.cost.seconds:.3g} s "
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
        memory = plan.memory_of(frag)
        if memory is not None and plan.memory_budget is not None:
            lines.append(
                f"    estimated peak {shown(memory.describe())} of the "
                f"{binary_bytes(plan.memory_budget)} budget"
            )
    sql = plan.fragment_sql()
    if sql:
        lines += ["", "SQL:", sql]
    return "\n".join(lines)


def _serves(plan: PhysicalPlan, engine: str, target: str) -> bool:
    """Whether ``engine`` (a connection or ``local``) is ``target`` or of its engine kind."""
    return engine == target or (engine != LOCAL and plan.profiles[engine].name == target)


def sql_for(plan: PhysicalPlan, target: str) -> str:
    """The SQL ``target`` (a connection, ``local`` or an engine name) receives, each statement
    under a ``-- dataset`` header, after a comment naming the steps that run elsewhere."""
    in_use = target in plan.connections or target == LOCAL
    in_use = in_use or any(p.name == target for p in plan.profiles.values())
    if in_use:
        here = {
            name
            for f in plan.fragments
            if not f.python
            and (
                f.engine == target or (f.engine != LOCAL and plan.profiles[f.engine].name == target)
            )
            for name in f.nodes
        }
        elsewhere = [
            f"{shown(st.name)} on {shown(st.engine)}"
            for st in visible_steps(plan)
            if st.name not in here
        ]
        head = f"-- the statements {shown(target)} receives in this plan"
        if elsewhere:
            head += "\n-- not here (run elsewhere): " + ", ".join(elsewhere)
        return f"{head}\n\n{plan.fragment_sql(target)}"
    text = plan.flow_sql(target)  # raises UnsupportedError naming the step it cannot express
    logical = plan.logical
    steps = sql_steps(logical)
    sinks = set(logical.sinks())
    targets = [
        name
        for name in logical.nodes
        if name in steps and (name in sinks or any(c not in steps for c in logical.consumers[name]))
    ]
    parts = text.split(";\n\n")
    if len(parts) == len(targets):
        text = ";\n\n".join(
            f"-- {shown(name)} on {shown(target)}\n{part}"
            for name, part in zip(targets, parts, strict=True)
        )
    head = f"-- the whole flow compiled for {shown(target)}, as if every table lived there"
    local = [shown(name) for name in logical.nodes if name not in steps]
    if local:
        head += (
            "\n-- not here (run locally whatever the engine: Python steps and the steps after "
            "them): " + ", ".join(local)
        )
    return f"{head}\n\n{text}"


def plan_data(plan: PhysicalPlan) -> dict[str, Any]:
    """The plan as JSON-ready data: steps, transfers, fragments with their SQL, totals."""
    objective = objective_of(plan)
    sql = {
        out: plan.statement(frag, out, project=True)
        for frag in plan.fragments
        if not frag.python
        for out in frag.outputs
    }
    return {
        "id": plan.id,
        "objective": objective,
        "estimated_seconds": plan.cost.seconds if plan.cost else None,
        "estimated_usd": plan.cost.usd if plan.cost else None,
        "rule_seconds": plan.baseline.seconds if plan.baseline else None,
        "memory_budget": plan.memory_budget,
        "unused_sources": unused_sources(plan),
        "steps": [
            {
                "name": st.name,
                "recipe": st.recipe,
                "kind": st.kind,
                "engine": st.engine,
                "dialect": plan.dialect_of(st.engine),
                "reason": st.reason,
                "note": plan.notes.get(st.name),
                "rows": st.rows,
                "bytes": st.bytes,
                "inputs": list(plan.logical.nodes[st.name].inputs),
                "alternatives": [
                    {"engine": e, "extra_cost": d, "why_not": None if d is not None else why}
                    for e, d, why in st.alternatives
                ],
                "columns": {f.name: str(f.type) for f in st.schema},
            }
            for st in visible_steps(plan)
        ],
        "transfers": [
            {
                "dataset": t.dataset,
                "source": t.source,
                "target": t.target,
                "columns": list(t.columns),
                "rows": t.rows,
                "bytes": t.bytes,
                "seconds": t.cost.seconds,
                "channel": t.channel,
            }
            for t in plan.transfers
        ],
        "fragments": [
            {
                "id": f.id,
                "engine": f.engine,
                "python": f.python,
                "steps": list(f.nodes),
                "inputs": list(f.inputs),
                "outputs": list(f.outputs),
                "estimated_peak_bytes": m.peak if (m := plan.memory_of(f)) else None,
            }
            for f in plan.fragments
        ],
        "sql": sql,
    }


def run_data(plan: PhysicalPlan, result: RunResult) -> dict[str, Any]:
    """A run as JSON-ready data: per fragment output its engine, time, rows (and estimate),
    bytes moved; the flow outputs written and where."""
    return {
        "plan": plan.id,
        "runs": [
            {
                "dataset": r.dataset,
                "engine": r.engine,
                "seconds": r.seconds,
                "rows": r.rows,
                "estimated_rows": r.estimated_rows,
                "bytes_moved": r.bytes_moved,
                "estimate_note": far_off(r.estimated_rows, r.rows) or None,
            }
            for r in result.runs
        ],
        "results": {name: t.num_rows for name, t in result.items()},
        "written": [
            {
                "dataset": o.dataset,
                "connection": o.connection,
                "table": o.table,
                "rows": result[o.dataset].num_rows if o.dataset in result else None,
            }
            for o in plan.logical.outputs
        ],
    }


def run_text(plan: PhysicalPlan, result: RunResult) -> str:
    """What a run did: per fragment output the engine, time and rows (with the estimate when
    it was far off), the result tables, and each table written with where it went."""
    from pushdown.errors import redact

    lines = [f"Ran plan {plan.id}: {len(result.runs)} statement(s)"]
    rows = [["dataset", "engine", "seconds", "rows", "estimated", "moved", "note"]]
    for r in result.runs:
        rows.append(
            [
                shown(r.dataset),
                shown(r.engine),
                f"{r.seconds:.3f}",
                f"{r.rows:,}",
                log_rows(r.estimated_rows) if r.estimated_rows is not None else "?",
                human_bytes(r.bytes_moved),
                far_off(r.estimated_rows, r.rows),
            ]
        )
    lines += ["  " + line for line in _table(rows)]
    lines += ["", "Results:"]
    for name, table in result.items():
        lines.append(
            f"  {shown(name)}: {table.num_rows:,} rows, columns {', '.join(table.column_names)}"
        )
    written = plan.logical.outputs
    lines += [""]
    if not written:
        lines.append("Wrote nothing: the flow declares no outputs (results are returned only).")
    for o in written:
        count = f"{result[o.dataset].num_rows:,} rows" if o.dataset in result else "?"
        url = redact(plan.connections.get(o.connection, "?"))
        lines.append(
            f"Wrote {shown(o.dataset)} ({count}) to table {shown(o.table)} on "
            f"{shown(o.connection)} ({url})"
        )
    return "\n".join(lines)


def compare_rows(a: PhysicalPlan, b: PhysicalPlan) -> list[tuple[str, str, str]]:
    """The steps two plans of one flow place differently: ``(step, engine in a, engine in
    b)``, in ``a``'s order (a step only one plan has shows ``-`` for the other)."""
    names = list(a.steps) + [n for n in b.steps if n not in a.steps]
    rows = []
    for name in names:
        ea = a.steps[name].engine if name in a.steps else "-"
        eb = b.steps[name].engine if name in b.steps else "-"
        if ea != eb:
            rows.append((name, ea, eb))
    return rows


def compare_text(a: PhysicalPlan, b: PhysicalPlan) -> str:
    """Two plans side by side in words: estimated seconds and dollars of each and the
    difference, the transfers, and every step placed differently."""

    def total(p: PhysicalPlan) -> tuple[float, float]:
        return (p.cost.seconds, p.cost.usd) if p.cost is not None else (0.0, 0.0)

    (sa, ua), (sb, ub) = total(a), total(b)
    moved_a = sum(t.bytes for t in a.transfers)
    moved_b = sum(t.bytes for t in b.transfers)
    dt = describe_score("time", sb - sa, signed=True)
    du = describe_score("money", ub - ua, signed=True)
    lines = [
        f"Plan {a.id} -> plan {b.id}",
        f"  estimated time: {sa:.3g} s -> {sb:.3g} s ({dt})",
        f"  estimated money: ${ua:.4f} -> ${ub:.4f} ({du})",
        f"  transfers: {len(a.transfers)} ({human_bytes(moved_a)}) -> "
        f"{len(b.transfers)} ({human_bytes(moved_b)})",
    ]
    rows = compare_rows(a, b)
    if not rows:
        lines.append("  every step runs on the same engine in both")
    for name, ea, eb in rows:
        why = b.steps[name].reason if name in b.steps else ""
        lines.append(f"  {shown(name)}: {shown(ea)} -> {shown(eb)}" + (f" ({why})" if why else ""))
    return "\n".join(lines)
