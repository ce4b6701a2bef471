"""The 22 official TPC-H texts as ``sql`` recipes, in place on DuckDB, against the same texts
run directly on the same connection.

    python -m benchmarks sql_recipe [--scale 1] [--repetitions 5] [--warmup 1] [--db PATH]

Each query's sql recipe is planned once (planning is not timed), its answer checked against
the hand-written run, then the two variants are timed interleaved in this process, ``--warmup``
untimed rounds first; the figure per query is the ratio of the two medians, and the headline
is the median of the 22 ratios.  The data is a DuckDB file at ``--scale`` (built from the
harness's cached Parquet, or ``--db``), copied so that no other process holds it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa

import pushdown
from pushdown.bench.runner import handwritten_sql
from pushdown.bench.tpch.data import TABLES, duckdb_file
from pushdown.bench.tpch.queries import QUERIES
from pushdown.bench.verify import difference
from pushdown.engines import open_connector

NAMES = sorted(QUERIES, key=lambda q: int(q[1:]))


def _flow(query: str, url: str) -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("tpch", url)
    for table in TABLES:
        flow.dataset(table, connection="tpch", table=table)
    flow.sql(QUERIES[query], name="result")
    return flow


def ratios(
    db: Path, repetitions: int, warmup: int, queries: list[str] | None = None
) -> dict[str, tuple[float, float, float]]:
    """Per query: (sql recipe median seconds, hand-written median seconds, their ratio)."""
    url = f"duckdb:///{db}"
    connector = open_connector("tpch", url)
    conns = {"tpch": connector}
    found: dict[str, tuple[float, float, float]] = {}
    try:
        for query in queries or NAMES:
            plan = pushdown.plan(_flow(query, url))
            engines = {step.engine for step in plan.steps.values()}
            if engines != {"tpch"}:
                raise SystemExit(f"{query}: not all in place ({sorted(engines)})")
            sql = handwritten_sql(query, connector.dialect)
            want = connector.fetch_arrow(sql)
            got: pa.Table = plan.execute(connections=conns)["result"]
            problem = difference(got.rename_columns(want.column_names), want, ordered=False)
            if problem is not None:
                raise SystemExit(f"{query}: wrong answer: {problem}")
            times: dict[str, list[float]] = {"recipe": [], "text": []}
            runs = {
                "recipe": lambda plan=plan: plan.execute(connections=conns),
                "text": lambda sql=sql: connector.fetch_arrow(sql),
            }
            for i in range(warmup + repetitions):
                for variant, run in runs.items():
                    start = time.perf_counter()
                    run()
                    if i >= warmup:
                        times[variant].append(time.perf_counter() - start)
            recipe, text = statistics.median(times["recipe"]), statistics.median(times["text"])
            found[query] = (recipe, text, recipe / text)
    finally:
        connector.close()
    return found


def main(argv: list[str] | None = None) -> None:
    """Print one row per query and the median ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--queries", default=None, help="comma-separated, e.g. q2,q17")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "tpch.duckdb"
        shutil.copy(args.db or duckdb_file(args.scale), db)
        queries = args.queries.split(",") if args.queries else None
        found = ratios(db, args.repetitions, args.warmup, queries)
    print(f"scale {args.scale:g}, {args.repetitions} repetitions after {args.warmup} warm-up\n")
    print("| query | sql recipe (ms) | hand-written (ms) | ratio |")
    print("|---|---|---|---|")
    for query, (recipe, text, ratio) in found.items():
        print(f"| {query} | {recipe * 1000:.1f} | {text * 1000:.1f} | {ratio:.2f} |")
    values = [ratio for _, _, ratio in found.values()]
    within = sum(v <= 1.10 for v in values)
    print(
        f"\nmedian ratio {statistics.median(values):.2f} (geo-mean "
        f"{statistics.geometric_mean(values):.2f}, min {min(values):.2f}, max {max(values):.2f}; "
        f"{within} of {len(values)} within 1.10)"
    )


if __name__ == "__main__":
    main()
