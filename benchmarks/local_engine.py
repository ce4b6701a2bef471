"""The local engine against polars, and what bounds it: TPC-H Q1, Q3, Q5, Q6 and Q10 over
the same Arrow tables, every variant timed interleaved in one process.

    python -m benchmarks local_engine --scale 1 --runs 5     # from the repository root

Variants, per query (median seconds of ``--runs`` rounds after one untimed round):

- ``pushdown``: ``plan.execute()`` of the query's flow over the Arrow tables (the local
  engine: a fresh in-memory DuckDB per run, the tables registered zero-copy);
- ``duckdb/arrow, new connection``: the official text on a fresh DuckDB connection over the
  same Arrow tables (what the local engine does, without pushdown);
- ``duckdb/arrow, one connection``: the same on one connection kept open;
- ``duckdb/native``: the official text on DuckDB tables loaded once from the Arrow tables
  (DuckDB's own storage: the engine without the Arrow scan);
- ``polars``: the benchmark harness's polars version of the query on frames converted once
  (``pushdown.bench.peers``; decimals as floats, as polars is given them).

The ratios printed say where the time goes: pushdown / duckdb-arrow-new is pushdown's own
cost, duckdb-arrow-new / polars is the engine's, and duckdb-native / duckdb-arrow-one is what
the Arrow scan costs DuckDB.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

QUERIES = ("q1", "q3", "q5", "q6", "q10")


def _variants(tables: dict[str, Any], query: str) -> dict[str, Callable[[], Any]]:
    import duckdb

    import pushdown
    from pushdown.bench import peers
    from pushdown.bench.tpch.flows import tpch_flow
    from pushdown.bench.tpch.queries import QUERIES as TEXT

    plan = pushdown.plan(tpch_flow(query, data=tables))
    sql = TEXT[query]

    def fresh() -> Any:
        con = duckdb.connect()
        try:
            for name, table in tables.items():
                con.register(name, table)
            return con.sql(sql).to_arrow_table()
        finally:
            con.close()

    kept = duckdb.connect()
    for name, table in tables.items():
        kept.register(name, table)
    native = duckdb.connect()
    for name, table in tables.items():
        native.register("_arrow", table)
        native.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _arrow')  # names are TPC-H's
        native.unregister("_arrow")
    return {
        "pushdown": plan.execute,
        "duckdb/arrow, new connection": fresh,
        "duckdb/arrow, one connection": lambda: kept.sql(sql).to_arrow_table(),
        "duckdb/native": lambda: native.sql(sql).to_arrow_table(),
        "polars": peers.runner("polars", tables, query),
    }


def measure(scale: float, runs: int, queries: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Median seconds per query and variant, variants interleaved within each round."""
    from pushdown.bench.tpch.data import generate

    tables = generate(scale)
    out: dict[str, dict[str, float]] = {}
    for query in queries:
        variants = _variants(tables, query)
        times: dict[str, list[float]] = {v: [] for v in variants}
        for round_ in range(runs + 1):
            for label, run in variants.items():
                start = time.perf_counter()
                run()
                if round_:  # the first round warms caches and is not kept
                    times[label].append(time.perf_counter() - start)
        out[query] = {label: statistics.median(ts) for label, ts in times.items()}
        print(query, {k: round(v, 4) for k, v in out[query].items()}, flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the medians and the ratios as Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="TPC-H scale (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--queries", default=",".join(QUERIES), help="default q1,q3,q5,q6,q10")
    args = parser.parse_args(argv)
    result = measure(args.scale, args.runs, tuple(args.queries.split(",")))
    labels = list(next(iter(result.values())))
    print("\n| query | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for query, row in result.items():
        print(f"| {query} | " + " | ".join(f"{row[label]:.3f}" for label in labels) + " |")
    ratios = {
        "pushdown / polars": ("pushdown", "polars"),
        "pushdown / duckdb-arrow-new (pushdown's own cost)": (
            "pushdown",
            "duckdb/arrow, new connection",
        ),
        "duckdb-arrow-new / polars (the engine)": ("duckdb/arrow, new connection", "polars"),
        "duckdb-native / polars": ("duckdb/native", "polars"),
    }
    print("\n| ratio | " + " | ".join(result) + " | median |")
    print("|---|" + "---|" * (len(result) + 1))
    for name, (a, b) in ratios.items():
        values = [row[a] / row[b] for row in result.values()]
        cells = " | ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {cells} | {statistics.median(values):.2f} |")
