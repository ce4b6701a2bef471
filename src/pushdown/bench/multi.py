"""The multi-engine suite: TPC-H tables spread over two or three connections, each query run
with the planner's placement, with the rule "run where the first input lives", and with
the other placements worth trying (everything on one connection, everything local).

Alone, ``duckdb`` becomes three DuckDB files (``sales``: orders and line items; ``catalog``:
parts, offers, suppliers; ``crm``: customers, nations, regions).  With two or more engines the
three groups are dealt out to them in order (``--engines duckdb,spark``: sales and crm on
DuckDB, catalog on Spark).  The oracle is the fastest measured of those placements: full
enumeration is out of reach for real runs (4^15 placements for a 15-step query), and is done
on the cost model instead by ``python -m benchmarks placement``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pushdown
from pushdown.bench import results as r
from pushdown.bench.recording import (
    BenchError,
    Recorder,
    Settings,
    Variant,
    progress_bar,
    reference_answers,
)
from pushdown.bench.targets import LOCAL, Target, UnreachableEngine, open_target
from pushdown.bench.tpch.flows import tpch_flow
from pushdown.errors import PushdownError, redact
from pushdown.plan import nodes as n

GROUPS: dict[str, tuple[str, ...]] = {
    "sales": ("orders", "lineitem"),
    "catalog": ("part", "partsupp", "supplier"),
    "crm": ("customer", "nation", "region"),
}
ENGINE = "multi"  # the engine column of this suite's measurements


def layout(engines: Sequence[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Connection name -> (engine, tables) for the suite on ``engines``."""
    warehouses = [e for e in engines if e != LOCAL]
    if len(warehouses) <= 1:
        if warehouses and warehouses[0] != "duckdb":
            raise BenchError(
                "the multi-engine suite needs two or more engines (e.g. duckdb,spark), "
                "or duckdb alone (three DuckDB files)"
            )
        return {group: ("duckdb", tables) for group, tables in GROUPS.items()}
    spread: dict[str, list[str]] = {}
    for i, tables in enumerate(GROUPS.values()):
        spread.setdefault(warehouses[i % len(warehouses)], []).extend(tables)
    return {engine: (engine, tuple(tables)) for engine, tables in spread.items()}


def _placements(
    flow: pushdown.Flow, plan: pushdown.Plan, connections: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Variant -> plan() keyword arguments for every placement to measure."""
    steps = [name for name, node in plan.logical.nodes.items() if not isinstance(node, n.Source)]
    variants: dict[str, dict[str, Any]] = {
        r.PLACED: {},
        r.RULE: {"pin": {s: plan.rule[s] for s in steps}},
        "all local": {"forbid": list(connections)},
    }
    for conn in connections:
        variants[f"all on {conn}"] = {"pin": dict.fromkeys(steps, conn)}
    return variants


def run_multi(result: r.BenchResult, settings: Settings) -> None:
    """Run every query of the suite in every placement variant; see the module docstring."""
    scale, queries = settings.scale, settings.queries
    spread = layout(settings.engines)
    result.settings["layout"] = {c: list(t) for c, (_, t) in spread.items()}
    targets: dict[str, Target] = {}
    try:
        for conn, (engine, tables) in spread.items():
            try:
                targets[conn] = open_target(
                    engine,
                    scale,
                    settings.connections,
                    tables,
                    connect_args=settings.connect_args.get(engine),
                )
            except UnreachableEngine as err:
                result.skipped[engine] = str(err)
                return  # every query needs every table
        urls = {c: t.url for c, t in targets.items() if t.url is not None}
        homes = {table: c for c, (_, tables) in spread.items() for table in tables}
        opened = {c: t.connector for c, t in targets.items() if t.connector is not None}
        args = {c: t.connect_args for c, t in targets.items() if t.connect_args}
        expected = reference_answers(scale, queries)
        recorder = Recorder(result, "tpch-multi", settings.repetitions, settings.warmup)
        with progress_bar(settings.progress, len(queries)) as advance:
            for query in queries:
                advance(f"multi {query}")
                flow = tpch_flow(query, homes=homes, connections=urls)
                _one_query(recorder, flow, query, expected[query], opened, args)
    finally:
        for target in targets.values():
            target.close()


def _one_query(
    recorder: Recorder,
    flow: pushdown.Flow,
    query: str,
    expected: Any,
    opened: Mapping[str, Any],
    connect_args: Mapping[str, Mapping[str, Any]],
) -> None:
    try:
        plan = pushdown.plan(flow, connect_args=connect_args)
    except PushdownError as err:
        recorder.result.measurements.append(
            r.Measurement("tpch-multi", ENGINE, query, r.PLACED, "error", detail=redact(str(err)))
        )
        return
    distinct: list[Variant] = []  # one run per distinct placement, timed interleaved
    twins: list[tuple[str, str, float | None]] = []  # (variant, same as, its estimate)
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for variant, kwargs in _placements(flow, plan, list(opened)).items():
        try:
            chosen = (
                plan if not kwargs else pushdown.plan(flow, connect_args=connect_args, **kwargs)
            )
        except PushdownError as err:  # e.g. a step one engine cannot run
            recorder.result.measurements.append(
                r.Measurement(
                    "tpch-multi", ENGINE, query, variant, "error", detail=redact(str(err))
                )
            )
            continue
        key = tuple(sorted((s, st.engine) for s, st in chosen.steps.items()))
        estimate = chosen.cost.seconds if chosen.cost is not None else None
        if key in seen:
            twins.append((variant, seen[key], estimate))
            continue
        seen[key] = variant

        def run(chosen: pushdown.Plan = chosen) -> Any:
            return chosen.execute(connections=opened)

        distinct.append((variant, run, {"estimated_seconds": estimate}))
    measured = {m.variant: m for m in recorder.measure_together(ENGINE, query, expected, distinct)}
    for variant, same, estimate in twins:  # the same placement as another variant: copied
        twin = measured[same]
        recorder.result.measurements.append(
            r.Measurement(
                "tpch-multi",
                ENGINE,
                query,
                variant,
                twin.status,
                seconds=list(twin.seconds),
                rows=twin.rows,
                bytes_moved=twin.bytes_moved,
                estimated_seconds=estimate,
                peak_rss_bytes=twin.peak_rss_bytes,
                detail=f"same placement as {same}",
            )
        )
