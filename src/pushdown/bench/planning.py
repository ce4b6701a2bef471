"""Planning and compiling speed: pushdown building each TPC-H flow, planning it (offline:
declared schemas, no engine asked) and generating SQL for every dialect, against Ibis building
the same query (``ibis_tpch``) and compiling it to one dialect, in the same process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import pushdown
from pushdown.bench.tpch.data import generate
from pushdown.bench.tpch.flows import tpch_flow
from pushdown.planner.reuse import PLANS
from pushdown.profiles import all_profiles

IBIS_DIALECT = "snowflake"


def timed(fn: Callable[[], Any], *, repeat: int = 7, warmup: int = 2) -> list[float]:
    """Wall seconds of ``repeat`` runs of ``fn`` after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def planning_vs_ibis(
    queries: Sequence[str], *, repeat: int = 7, warmup: int = 2
) -> list[dict[str, Any]]:
    """Per query: seconds of pushdown (plan + SQL for every dialect, and for one), of Ibis
    (expression + SQL for one dialect), and the ratios.  Every pushdown run plans anew (the
    plans kept for reuse are dropped first).  Raises ImportError without Ibis."""
    import ibis

    from pushdown.bench.ibis_tpch import QUERIES, ibis_tables

    schemas = {name: t.schema for name, t in generate(scale=0.001).items()}
    tables = ibis_tables(schemas)
    dialects = sorted(all_profiles())
    rows = []
    for query in queries:

        def ours(query: str = query, targets: Sequence[str] = dialects) -> None:
            flow = tpch_flow(query, connection_url="duckdb:///:memory:", schemas=schemas)
            PLANS.clear()  # planned anew each time, not reused (planner/reuse.py)
            plan = pushdown.plan(flow, engine_statistics=False)
            for dialect in targets:
                plan.flow_sql(dialect)

        def theirs(query: str = query) -> None:
            ibis.to_sql(QUERIES[query](tables), dialect=IBIS_DIALECT)

        every = timed(ours, repeat=repeat, warmup=warmup)

        def ours_one(query: str = query) -> None:
            ours(query, [IBIS_DIALECT])

        one = timed(ours_one, repeat=repeat, warmup=warmup)
        peer = timed(theirs, repeat=repeat, warmup=warmup)
        rows.append(
            {
                "query": query,
                "dialects": len(dialects),
                "pushdown_all_dialects": every,
                "pushdown_one_dialect": one,
                "ibis_one_dialect": peer,
                "ratio": statistics.median(every) / statistics.median(peer),
                "ratio_one": statistics.median(one) / statistics.median(peer),
            }
        )
    return rows
