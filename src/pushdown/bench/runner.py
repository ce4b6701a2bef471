"""``pushdown.bench.run``: time a suite of flows on every reachable engine.

Each query is first checked against the reference answer (DuckDB running the official query
text on the same data); only a correct result is timed.  Timings are wall-clock medians of
``repetitions`` runs after ``warmup`` runs, taken in the same process as their baselines."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot

import pushdown
from pushdown.bench import results as r
from pushdown.bench.memory import PeakMemory
from pushdown.bench.targets import LOCAL, Target, UnreachableEngine, open_target
from pushdown.bench.tpch.data import duckdb_file
from pushdown.bench.tpch.flows import FLOWS, tpch_flow
from pushdown.bench.tpch.queries import QUERIES
from pushdown.bench.verify import difference
from pushdown.errors import PushdownError, did_you_mean, redact
from pushdown.run import RunResult

SUITES = ("tpch", "tpch-multi")
# Queries whose ORDER BY fixes the order of every output row (compared in order).
ORDERED = {"q1", "q2", "q3", "q4", "q5", "q7", "q8", "q9", "q10", "q12", "q13", "q16", "q18"}
ORDERED |= {"q21", "q22"}


class BenchError(PushdownError):
    """A benchmark that cannot start: unknown suite, query or setting."""


def query_names(queries: Sequence[str] | None) -> list[str]:
    """The queries to run (all 22 by default), checked and in TPC-H order."""
    known = sorted(FLOWS, key=lambda q: int(q[1:]))
    if not queries:
        return known
    for q in queries:
        if q not in FLOWS:
            raise BenchError(f"unknown TPC-H query {q!r}; {did_you_mean(q, known)}")
    return [q for q in known if q in set(queries)]


def reference_answers(scale: float, queries: Sequence[str]) -> dict[str, pa.Table]:
    """DuckDB running the official query texts on the generated data."""
    con = duckdb.connect(str(duckdb_file(scale)), read_only=True)
    try:
        return {q: con.sql(QUERIES[q]).to_arrow_table() for q in queries}
    finally:
        con.close()


def timed(fn: Callable[[], Any], repetitions: int, warmup: int) -> tuple[list[float], int]:
    """Wall seconds of ``repetitions`` calls after ``warmup`` calls, and the peak resident
    memory while they ran."""
    for _ in range(warmup):
        fn()
    seconds = []
    with PeakMemory() as peak:
        for _ in range(repetitions):
            start = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - start)
    return seconds, peak.bytes


def _flow(target: Target, query: str) -> pushdown.Flow:
    if target.url is None:
        return tpch_flow(query, data=target.tables)
    return tpch_flow(query, connection_url=target.url)


def _connections(target: Target) -> dict[str, Any]:
    return {"tpch": target.connector} if target.connector is not None else {}


def _handwritten(target: Target, query: str) -> Callable[[], pa.Table]:
    """The official text, transpiled to the engine's dialect by sqlglot, run directly."""
    if target.connector is None:  # local: the same embedded DuckDB, over the Arrow tables

        def run_local() -> pa.Table:
            con = duckdb.connect()
            try:
                for name, table in target.tables.items():
                    con.register(name, table)
                return con.sql(QUERIES[query]).to_arrow_table()
            finally:
                con.close()

        return run_local
    connector = target.connector
    sql = sqlglot.transpile(QUERIES[query], read="duckdb", write=connector.dialect)[0]
    return lambda: connector.fetch_arrow(sql)


class _Recorder:
    """Checks, times and records one (engine, query, variant)."""

    def __init__(self, result: r.BenchResult, suite: str, repetitions: int, warmup: int):
        self.result, self.suite = result, suite
        self.repetitions, self.warmup = repetitions, warmup

    def measure(
        self,
        engine: str,
        query: str,
        variant: str,
        run: Callable[[], pa.Table | RunResult],
        expected: pa.Table,
        **extra: Any,
    ) -> r.Measurement:
        m = r.Measurement(self.suite, engine, query, variant, status="ok", **extra)
        self.result.measurements.append(m)
        try:
            first = run()
            table = first["result"] if isinstance(first, RunResult) else first
            if isinstance(first, RunResult):
                m.bytes_moved = first.bytes_moved
            m.rows = table.num_rows
            problem = difference(table, expected, ordered=query in ORDERED)
            if problem is not None:
                m.status, m.detail = "wrong", problem
                return m
            m.seconds, m.peak_rss_bytes = timed(run, self.repetitions, self.warmup)
        except PushdownError as err:
            m.status, m.detail = "error", redact(str(err))[:500]
        except Exception as err:  # a peer library's own failure: reported, the run goes on
            if variant != r.PEER:
                raise
            m.status, m.detail = "error", f"{type(err).__name__}: {err}"[:500]
        return m


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[str], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not enabled) as bar:
        task = bar.add_task("starting", total=total)

        def advance(label: str) -> None:
            bar.update(task, advance=1, description=label)

        yield advance


def run_tpch(
    result: r.BenchResult,
    engines: Sequence[str],
    *,
    scale: float,
    queries: Sequence[str],
    repetitions: int,
    warmup: int,
    connections: Mapping[str, str],
    baselines: bool,
    progress: bool,
) -> None:
    """The single-engine TPC-H suite: every query on every reachable engine, with the
    hand-written and pull-everything-local baselines and, on ``local``, the peers."""
    from pushdown.bench import peers

    expected = reference_answers(scale, queries)
    recorder = _Recorder(result, "tpch", repetitions, warmup)
    with _progress(progress, len(engines) * len(queries)) as advance:
        for engine in engines:
            try:
                target = open_target(engine, scale, connections)
            except UnreachableEngine as err:
                result.skipped[engine] = str(err)
                for _ in queries:
                    advance(f"{engine}: skipped")
                continue
            try:
                for query in queries:
                    advance(f"{engine} {query}")
                    _one_query(recorder, target, query, expected[query], baselines)
                    if engine == LOCAL and baselines:
                        peers.measure(recorder, target.tables, query, expected[query])
            finally:
                target.close()
    if baselines:
        _planning(result, queries, repetitions, warmup)


def _planning(result: r.BenchResult, queries: Sequence[str], repetitions: int, warmup: int) -> None:
    """Planning + compiling every flow to every dialect vs Ibis compiling to one."""
    from pushdown.bench.planning import IBIS_DIALECT, planning_vs_ibis

    try:
        rows = planning_vs_ibis(queries, repeat=max(3, repetitions), warmup=max(1, warmup))
    except ImportError:
        result.skipped["ibis"] = "ibis-framework is not installed: pip install 'pushdown[bench]'"
        return
    for row in rows:
        for variant, key in (
            (f"pushdown {row['dialects']} dialects", "pushdown_all_dialects"),
            (f"pushdown {IBIS_DIALECT}", "pushdown_one_dialect"),
            (f"ibis {IBIS_DIALECT}", "ibis_one_dialect"),
        ):
            result.measurements.append(
                r.Measurement("tpch", r.COMPILE, row["query"], variant, "ok", seconds=row[key])
            )


def _one_query(
    recorder: _Recorder, target: Target, query: str, expected: pa.Table, baselines: bool
) -> None:
    engine = target.name
    try:
        start = time.perf_counter()
        plan = pushdown.plan(_flow(target, query))
        plan_seconds = time.perf_counter() - start
    except PushdownError as err:
        recorder.result.measurements.append(
            r.Measurement("tpch", engine, query, r.FLOW, "error", detail=redact(str(err)))
        )
        return
    conns = _connections(target)
    recorder.measure(
        engine,
        query,
        r.FLOW,
        lambda: plan.execute(connections=conns),
        expected,
        plan_seconds=plan_seconds,
        estimated_seconds=plan.cost.seconds if plan.cost is not None else None,
    )
    if not baselines:
        return
    recorder.measure(engine, query, r.HANDWRITTEN, _handwritten(target, query), expected)
    if target.connector is not None:
        pulled = pushdown.plan(_flow(target, query), forbid=["tpch"])
        recorder.measure(
            engine, query, r.PULL_LOCAL, lambda: pulled.execute(connections=conns), expected
        )


def run(
    suite: str = "tpch",
    engines: Sequence[str] = ("duckdb", LOCAL),
    *,
    scale: float = 0.01,
    queries: Sequence[str] | None = None,
    repetitions: int = 3,
    warmup: int = 1,
    connections: Mapping[str, str] | None = None,
    baselines: bool = True,
    out: str | Path | None = "bench-results",
    progress: bool = True,
) -> r.BenchResult:
    """Run benchmark ``suite`` on ``engines`` at TPC-H scale factor ``scale``.

    - ``suite``: ``"tpch"`` (22 queries per engine, with baselines) or ``"tpch-multi"``
      (tables spread over the named engines; the planner's placement against the first-input
      rule and the other enumerated placements);
    - ``engines``: ``duckdb``, ``local``, ``spark`` or connection names whose URL comes from
      ``connections`` or ``PUSHDOWN_BENCH_<NAME>_URL``; an unreachable one is skipped and
      reported, never fatal;
    - ``baselines``: also time the hand-written SQL, pull-everything-local and the peers;
    - ``out``: the folder for ``results.csv``, ``results.json``, ``report.md`` and plots
      (None writes nothing).
    """
    if suite not in SUITES:
        raise BenchError(f"unknown suite {suite!r}; {did_you_mean(suite, SUITES)}")
    if repetitions < 1 or warmup < 0:
        raise BenchError("repetitions must be at least 1 and warmup at least 0")
    if not engines:
        raise BenchError("name at least one engine, e.g. engines=['duckdb', 'local']")
    chosen = query_names(queries)
    settings = {
        "suite": suite,
        "engines": list(engines),
        "scale": scale,
        "queries": chosen,
        "repetitions": repetitions,
        "warmup": warmup,
        "baselines": baselines,
    }
    result = r.BenchResult(settings=settings, machine=r.machine_info())
    links = dict(connections or {})
    if suite == "tpch":
        run_tpch(
            result,
            engines,
            scale=scale,
            queries=chosen,
            repetitions=repetitions,
            warmup=warmup,
            connections=links,
            baselines=baselines,
            progress=progress,
        )
    else:
        from pushdown.bench.multi import run_multi

        run_multi(
            result,
            engines,
            scale=scale,
            queries=chosen,
            repetitions=repetitions,
            warmup=warmup,
            connections=links,
            progress=progress,
        )
    from pushdown.bench.figures import headline_figures

    result.figures = headline_figures(result)
    if out is not None:
        from pushdown.bench.report import write_report

        write_report(result, Path(out))
    return result
