"""What a user's call costs: ``pushdown.plan(flow).execute()`` against connecting and running
the hand-written text, on TPC-H in one DuckDB file.

    python -m benchmarks end_to_end [--scale 1] [--repetitions 3] [--queries q1,q6] [--db F]
    python -m benchmarks end_to_end --in-place [--repetitions 7] [--db F]

(it opens the file read-write, which locks it against other processes: give ``--db`` a copy
when others use the cached file.)

Per query, interleaved (one run of each variant in turn), medians:

- hand-written: ``duckdb.connect(file)``, the official text (``handwritten_sql``), close;
- cold: the statistics cache and the made plans emptied, then
  ``pushdown.plan(flow).execute()`` (schemas, tiered statistics, planning, compiling,
  running);
- warm: ``pushdown.plan(flow).execute()`` again, its statistics from the cache, schemas read
  again, and the plan made before reused when they are unchanged (``planner/reuse.py``).

The flow is built once beforehand (a user's pipeline builds it once too).  Every answer is
checked against the hand-written one.  Also printed: the statements plan() sent to the
connection for schemas and for statistics, cold and warm.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import duckdb

import pushdown
from pushdown.bench.recording import ORDERED
from pushdown.bench.runner import handwritten_sql, query_names
from pushdown.bench.tpch.data import duckdb_file
from pushdown.bench.tpch.flows import tpch_flow
from pushdown.bench.verify import difference
from pushdown.engines import open_connector
from pushdown.planner.gather import CACHE
from pushdown.planner.reuse import PLANS


def compare(query: str, path: str, repetitions: int) -> dict[str, Any]:
    """One query: the three variants' median seconds and the statement counts."""
    flow = tpch_flow(query, connection_url=f"duckdb:///{path}")
    sql = handwritten_sql(query, "duckdb")

    def hand() -> Any:
        con = duckdb.connect(path, read_only=False)
        try:
            return con.sql(sql).to_arrow_table()
        finally:
            con.close()

    counts: dict[str, dict[str, int]] = {}

    def ours(label: str) -> Callable[[], Any]:
        def run() -> Any:
            if label == "cold":
                CACHE.clear()
                PLANS.clear()
            plan = pushdown.plan(flow)
            counts[label] = plan.planning_statements.get("tpch", {})
            return plan.execute()["result"]

        return run

    variants = {"hand-written": hand, "cold": ours("cold"), "warm": ours("warm")}
    expected = hand()
    for name, run in variants.items():
        problem = difference(run(), expected, ordered=query in ORDERED)
        if problem is not None:
            raise AssertionError(f"{query} {name}: wrong answer: {problem}")
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repetitions):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    return {
        "query": query,
        **median,
        "cold_ratio": median["cold"] / median["hand-written"],
        "warm_ratio": median["warm"] / median["hand-written"],
        "counts": counts,
    }


def in_place(query: str, path: str, repetitions: int) -> dict[str, Any]:
    """One query in place: ``execute()`` of a plan made beforehand, on a connector opened
    beforehand, against the official text on one open connection (no connecting, no
    planning: what ``pushdown bench tpch`` times), interleaved, median seconds."""
    url = f"duckdb:///{path}"
    plan = pushdown.plan(tpch_flow(query, connection_url=url))
    sql = handwritten_sql(query, "duckdb")
    con = duckdb.connect(path, read_only=False)
    connector = open_connector("tpch", url)
    try:
        variants: dict[str, Callable[[], Any]] = {
            "hand-written": lambda: con.sql(sql).to_arrow_table(),
            "flow": lambda: plan.execute(connections={"tpch": connector})["result"],
        }
        expected = variants["hand-written"]()
        problem = difference(variants["flow"](), expected, ordered=query in ORDERED)
        if problem is not None:
            raise AssertionError(f"{query} flow: wrong answer: {problem}")
        seconds: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(repetitions):
            for name, run in variants.items():
                start = time.perf_counter()
                run()
                seconds[name].append(time.perf_counter() - start)
    finally:
        connector.close()
        con.close()
    median = {name: statistics.median(values) for name, values in seconds.items()}
    return {"query": query, **median, "ratio": median["flow"] / median["hand-written"]}


def _in_place_table(queries: list[str], path: str, repetitions: int) -> None:
    print("| query | hand-written (s) | flow in place (s) | flow / hand |")
    print("|---|---|---|---|")
    ratios = []
    for q in queries:
        r = in_place(q, path, repetitions)
        ratios.append(r["ratio"])
        print(f"| {q} | {r['hand-written']:.3f} | {r['flow']:.3f} | {r['ratio']:.2f} |", flush=True)
    print(
        f"\nflow in place / hand-written: median {statistics.median(ratios):.2f}, geo-mean "
        f"{statistics.geometric_mean(ratios):.2f}, max {max(ratios):.2f}; within 1.10: "
        f"{sum(r <= 1.10 for r in ratios)} of {len(ratios)}"
    )


def main(argv: list[str] | None = None) -> None:
    """Print the per-query table and the medians of the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--queries", default="", help="comma-separated, e.g. q1,q3 (all 22)")
    parser.add_argument(
        "--db", default="", help="a copy of the TPC-H DuckDB file to use (default: the cache's)"
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="instead: execute() of a plan made beforehand vs the text on one open connection",
    )
    args = parser.parse_args(argv)
    path = args.db or str(duckdb_file(args.scale))
    queries = query_names([q for q in args.queries.split(",") if q])
    if args.in_place:
        print(
            f"## flow in place vs the hand-written text, TPC-H scale {args.scale:g} in DuckDB "
            f"(median of {args.repetitions}, interleaved)\n"
        )
        _in_place_table(queries, path, args.repetitions)
        return
    print(
        f"## plan(flow).execute() vs the hand-written text, TPC-H scale {args.scale:g} in "
        f"DuckDB (median of {args.repetitions}, interleaved)\n"
    )
    print(
        "| query | hand-written (s) | cold (s) | cold / hand | warm (s) | warm / hand "
        "| statements cold: schema + statistics | warm |"
    )
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for q in queries:
        r = compare(q, path, args.repetitions)
        rows.append(r)
        cold, warm = r["counts"].get("cold", {}), r["counts"].get("warm", {})
        print(
            f"| {q} | {r['hand-written']:.3f} | {r['cold']:.3f} | {r['cold_ratio']:.2f} | "
            f"{r['warm']:.3f} | {r['warm_ratio']:.2f} | "
            f"{cold.get('schema', 0)} + {cold.get('statistics', 0)} | "
            f"{warm.get('schema', 0)} + {warm.get('statistics', 0)} |",
            flush=True,
        )
    for key in ("cold_ratio", "warm_ratio"):
        values = [r[key] for r in rows]
        print(
            f"\n{key.split('_')[0]} / hand-written: median {statistics.median(values):.2f}, "
            f"max {max(values):.2f}"
        )


if __name__ == "__main__":
    main()
