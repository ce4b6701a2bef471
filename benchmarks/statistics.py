"""Placement without statistics: TPC-H planned with and without engine statistics.

    python -m benchmarks statistics [--scale 1] [--repetitions 3] [--warmup 1] [--suite tpch]

Every query of the suite is planned twice, with the engines' statistics (the default) and
with ``engine_statistics=False`` (every table then gets the default size, every selectivity
and group count its default constant), and each plan is executed.  Both answers are checked
against DuckDB running the official text; then, interleaved (one run of each variant in turn,
after the warm-up), ``plan() + execute()`` and ``execute()`` of the plan made beforehand are
timed both ways.  The ratio without / with statistics of ``execute()`` is the cost of the
placement alone; of ``plan() + execute()`` what a user's call costs (planning with statistics
includes asking the engines for them).  Target: no query above 1.2.

``--suite tpch-multi`` spreads the tables over three DuckDB files (see ``pushdown bench
tpch-multi``), where placement has more to decide.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import pushdown
from pushdown.bench.recording import ORDERED, reference_answers
from pushdown.bench.runner import query_names
from pushdown.bench.tpch.data import duckdb_file
from pushdown.bench.tpch.flows import tpch_flow
from pushdown.bench.verify import difference

MULTI = {
    "sales": ("orders", "lineitem"),
    "catalog": ("part", "partsupp", "supplier"),
    "crm": ("customer", "nation", "region"),
}


def _flow(query: str, scale: float, suite: str, db: str = "") -> pushdown.Flow:
    if suite == "tpch":
        return tpch_flow(query, connection_url=f"duckdb:///{db or duckdb_file(scale)}")
    connections = {
        name: f"duckdb:///{duckdb_file(scale, tables=tables)}" for name, tables in MULTI.items()
    }
    homes = {table: name for name, tables in MULTI.items() for table in tables}
    return tpch_flow(query, homes=homes, connections=connections)


def _engines(plan: pushdown.Plan) -> dict[str, str]:
    return {name: step.engine for name, step in plan.steps.items()}


def _sql(plan: pushdown.Plan) -> str:
    """The plan's SQL without its id (in the names of temporary tables)."""
    return re.sub(r"_pushdown_[0-9a-f]+_", "_pushdown_", plan.fragment_sql())


def compare(
    query: str,
    scale: float,
    suite: str,
    repetitions: int,
    warmup: int,
    expected: Any,
    summary: Callable[[list[float]], float] = min,
    db: str = "",
) -> dict[str, Any]:
    """One query: placements, checks and interleaved timings with and without statistics."""
    flow = _flow(query, scale, suite, db)
    planned = {
        "stats": pushdown.plan(flow),
        "no stats": pushdown.plan(flow, engine_statistics=False),
    }
    variants: dict[str, Callable[[], Any]] = {
        "plan+execute, stats": lambda: pushdown.plan(flow).execute(),
        "plan+execute, no stats": lambda: pushdown.plan(flow, engine_statistics=False).execute(),
        "execute, stats": planned["stats"].execute,
        "execute, no stats": planned["no stats"].execute,
    }
    for name, run in variants.items():
        result = run()["result"]
        problem = difference(result, expected, ordered=query in ORDERED)
        if problem is not None:
            raise AssertionError(f"{query} {name}: wrong answer: {problem}")
    for _ in range(warmup):
        for run in variants.values():
            run()
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repetitions):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    value = {name: summary(values) for name, values in seconds.items()}
    a, b = _engines(planned["stats"]), _engines(planned["no stats"])
    return {
        "query": query,
        "moved": sorted(k for k in a if a[k] != b[k]),
        "same_sql": _sql(planned["stats"]) == _sql(planned["no stats"]),
        **value,
        "ratio_execute": value["execute, no stats"] / value["execute, stats"],
        "ratio_total": value["plan+execute, no stats"] / value["plan+execute, stats"],
    }


def main(argv: list[str] | None = None) -> None:
    """Print the per-query table and the summary."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument(
        "--statistic",
        choices=("min", "median"),
        default="min",
        help="fastest run (least disturbed by other load; default) or median",
    )
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--suite", choices=("tpch", "tpch-multi"), default="tpch")
    parser.add_argument("--queries", default="", help="comma-separated, e.g. q1,q3 (all 22)")
    parser.add_argument(
        "--db",
        default="",
        help="suite tpch: a copy of the TPC-H DuckDB file to use (default: the cache's, which "
        "another process holding it locks)",
    )
    args = parser.parse_args(argv)
    queries = query_names([q for q in args.queries.split(",") if q])
    answers = reference_answers(args.scale, queries)
    summary = min if args.statistic == "min" else statistics.median
    print(
        f"## {args.suite} at scale {args.scale:g}: without / with engine statistics "
        f"({args.statistic} of {args.repetitions} after {args.warmup} warm-up, interleaved)\n"
    )
    print(
        "| query | execute, stats (s) | execute, no stats (s) | ratio | plan+execute, stats (s) "
        "| plan+execute, no stats (s) | ratio | same SQL | steps placed elsewhere without "
        "statistics |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for q in queries:
        r = compare(
            q, args.scale, args.suite, args.repetitions, args.warmup, answers[q], summary, args.db
        )
        rows.append(r)
        print(
            f"| {q} | {r['execute, stats']:.3f} | {r['execute, no stats']:.3f} | "
            f"{r['ratio_execute']:.2f} | {r['plan+execute, stats']:.3f} | "
            f"{r['plan+execute, no stats']:.3f} | {r['ratio_total']:.2f} | "
            f"{'yes' if r['same_sql'] else 'no'} | {', '.join(r['moved']) or '-'} |",
            flush=True,
        )
    for key, label in (("ratio_execute", "execute"), ("ratio_total", "plan + execute")):
        values = [r[key] for r in rows]
        worst = rows[values.index(max(values))]["query"]
        print(
            f"\n{label}, without / with statistics: max {max(values):.2f} "
            f"({worst}), median {statistics.median(values):.2f}, "
            f"geo-mean {statistics.geometric_mean(values):.2f}; above 1.2: "
            f"{sum(v > 1.2 for v in values)} of {len(values)}"
        )


if __name__ == "__main__":
    main()
