"""Execute a physical plan: fragments in dependency order, outputs written last.

Warehouse fragments run in place through their connectors; local fragments run in an in-memory
DuckDB over Arrow; Python steps run on record batches.  Flow outputs are written only after
every fragment succeeded, and each write replaces its table atomically, so a failed run never
leaves a half-written output.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from pushdown.engines import Connector, open_connector
from pushdown.local import LocalEngine, run_python_step
from pushdown.plan import nodes as n
from pushdown.planner.fragments import Fragment, is_local
from pushdown.planner.plan import Plan


@dataclass(frozen=True)
class StepRun:
    """What one fragment output took: engine, wall time and rows."""

    dataset: str
    engine: str
    seconds: float
    rows: int


@dataclass
class RunResult(Mapping[str, pa.Table]):
    """The result tables keyed by dataset name, plus per-output run statistics."""

    tables: dict[str, pa.Table]
    runs: list[StepRun] = field(default_factory=list)

    def __getitem__(self, key: str) -> pa.Table:
        return self.tables[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


def execute(plan: Plan, *, connectors: Mapping[str, Connector] | None = None) -> RunResult:
    """Run ``plan``; ``connectors`` may supply already-open connections by name."""
    given = dict(connectors or {})
    opened: dict[str, Connector] = {}
    local = LocalEngine()
    results: dict[str, pa.Table] = {}
    runs: list[StepRun] = []

    def connector(name: str) -> Connector:
        if name in given:
            return given[name]
        if name not in opened:
            opened[name] = open_connector(name, plan.connections[name])
        return opened[name]

    try:
        for frag in plan.fragments:
            start = time.perf_counter()
            produced = _run_fragment(plan, frag, results, local, connector)
            for name, table in produced.items():
                results[name] = table
                runs.append(StepRun(name, frag.engine, time.perf_counter() - start, table.num_rows))
        _write_outputs(plan, results, connector)
    finally:
        local.close()
        for conn in opened.values():
            conn.close()
    return RunResult({name: results[name] for name in plan.logical.sinks()}, runs)


def _run_fragment(
    plan: Plan,
    frag: Fragment,
    results: dict[str, pa.Table],
    local: LocalEngine,
    connector: object,
) -> dict[str, pa.Table]:
    if frag.python:
        (name,) = frag.nodes
        step = plan.logical.nodes[name]
        assert isinstance(step, n.PythonStep)
        return {name: run_python_step(step, results[step.inputs[0]])}
    if is_local(frag):
        for inp in frag.inputs:
            local.register(inp, results[inp])
        for name in frag.nodes:
            node = plan.logical.nodes[name]
            if isinstance(node, n.Source):
                if node.path and node.path.startswith("memory:"):
                    local.register(name, plan.flow.tables[name])
                elif node.path:
                    local.register_file(name, node.path)
        return {out: local.fetch_arrow(plan.statement(frag, out)) for out in frag.outputs}
    conn = connector(frag.engine)  # type: ignore[operator]
    return {out: conn.fetch_arrow(plan.statement(frag, out)) for out in frag.outputs}


def _write_outputs(plan: Plan, results: dict[str, pa.Table], connector: object) -> None:
    by_connection: dict[str, dict[str, pa.Table]] = {}
    for out in plan.logical.outputs:
        by_connection.setdefault(out.connection, {})[out.table] = results[out.dataset]
    for name, tables in by_connection.items():
        connector(name).write_tables(tables)  # type: ignore[operator]
