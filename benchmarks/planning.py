"""Planning and compiling speed.

    python -m benchmarks planning            # from the repository root, with '.[bench]' installed

1. TPC-H flows: pushdown building the flow, planning it and compiling it to all six dialects,
   against Ibis building the equivalent expression and compiling it to ONE dialect, in the same
   process (ratio = pushdown / Ibis; target <= 0.5).
2. A generated chain of N steps and a table of N columns: plan time at growing N (target under
   1 s at 1,000 steps and 500 columns, growing linearly).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import pushdown
from benchmarks.tpch.data import generate
from benchmarks.tpch.flows import tpch_flow
from pushdown.profiles import all_profiles

DIALECTS = sorted(all_profiles())


def timed(fn: Callable[[], Any], *, repeat: int = 7, warmup: int = 2) -> float:
    """Median wall seconds of ``fn`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _ibis_queries() -> dict[str, Callable[[], Any]]:
    import ibis

    schemas = {name: t.schema for name, t in generate(scale=0.0005).items()}

    def table(name: str) -> Any:
        return ibis.table({f.name: _ibis_type(f.type) for f in schemas[name]}, name=name)

    def q1() -> Any:
        li = table("lineitem")
        q = li.filter(li.l_shipdate <= ibis.date("1998-09-02"))
        disc = q.l_extendedprice * (1 - q.l_discount)
        q = q.group_by(["l_returnflag", "l_linestatus"]).aggregate(
            sum_qty=q.l_quantity.sum(),
            sum_base_price=q.l_extendedprice.sum(),
            sum_disc_price=disc.sum(),
            sum_charge=(disc * (1 + q.l_tax)).sum(),
            avg_qty=q.l_quantity.mean(),
            avg_price=q.l_extendedprice.mean(),
            avg_disc=q.l_discount.mean(),
            count_order=q.count(),
        )
        return q.order_by(["l_returnflag", "l_linestatus"])

    def q3() -> Any:
        c, o, li = table("customer"), table("orders"), table("lineitem")
        c = c.filter(c.c_mktsegment == "BUILDING")
        o = o.filter(o.o_orderdate < ibis.date("1995-03-15"))
        li = li.filter(li.l_shipdate > ibis.date("1995-03-15"))
        j = c.join(o, c.c_custkey == o.o_custkey).join(li, o.o_orderkey == li.l_orderkey)
        g = j.group_by(["o_orderkey", "o_orderdate", "o_shippriority"]).aggregate(
            revenue=(j.l_extendedprice * (1 - j.l_discount)).sum()
        )
        return g.order_by([ibis.desc("revenue"), "o_orderdate"]).limit(10)

    def q5() -> Any:
        c, o, li = table("customer"), table("orders"), table("lineitem")
        s, n, r = table("supplier"), table("nation"), table("region")
        o = o.filter(
            (o.o_orderdate >= ibis.date("1994-01-01")) & (o.o_orderdate < ibis.date("1995-01-01"))
        )
        j = (
            c.join(o, c.c_custkey == o.o_custkey)
            .join(li, o.o_orderkey == li.l_orderkey)
            .join(s, [li.l_suppkey == s.s_suppkey, c.c_nationkey == s.s_nationkey])
            .join(n, s.s_nationkey == n.n_nationkey)
            .join(r, n.n_regionkey == r.r_regionkey)
        )
        j = j.filter(j.r_name == "ASIA")
        g = j.group_by("n_name").aggregate(revenue=(j.l_extendedprice * (1 - j.l_discount)).sum())
        return g.order_by(ibis.desc("revenue"))

    return {"q1": q1, "q3": q3, "q5": q5}


def _ibis_type(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_date(t):
        return "date"
    if pa.types.is_integer(t):
        return "int64"
    if pa.types.is_floating(t):
        return "float64"
    return "string"


def tpch_vs_ibis() -> list[dict[str, Any]]:
    """Per query: pushdown (6 dialects) and Ibis (1 dialect) compile times and their ratio."""
    import ibis

    schemas = {name: t.schema for name, t in generate(scale=0.0005).items()}
    rows = []
    for query, build in _ibis_queries().items():

        def ours(query: str = query) -> None:
            plan = pushdown.plan(
                tpch_flow(query, connection_url="duckdb:///:memory:", schemas=schemas)
            )
            for dialect in DIALECTS:
                plan.retarget(dialect)

        def ours_one(query: str = query) -> None:
            plan = pushdown.plan(
                tpch_flow(query, connection_url="duckdb:///:memory:", schemas=schemas)
            )
            plan.retarget("snowflake")

        def theirs(build: Callable[[], Any] = build) -> None:
            ibis.to_sql(build(), dialect="snowflake")

        a, one, b = timed(ours), timed(ours_one), timed(theirs)
        rows.append(
            {
                "query": query,
                "pushdown_6_dialects_ms": a * 1e3,
                "pushdown_1_dialect_ms": one * 1e3,
                "ibis_1_dialect_ms": b * 1e3,
                "ratio": a / b,
                "ratio_1": one / b,
            }
        )
    return rows


def chain_flow(steps: int) -> pushdown.Flow:
    """A chain of ``steps`` recipes on one connection (filters and computed columns)."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    ds = flow.dataset(
        "t", connection="wh", table="t", columns={"id": "bigint", "x": "double", "s": "varchar"}
    )
    for i in range(steps):
        if i % 2:
            ds = ds.filter(f"x > {i % 7}", name=f"s{i}")
        else:
            ds = ds.compute(**{"x": f"x * 1.01 + {i % 5}"}, name=f"s{i}")
    return flow


def wide_flow(columns: int) -> pushdown.Flow:
    """A ``columns``-wide table through prepare, filter, window and group recipes."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    cols = {f"c{i}": "double" for i in range(columns)} | {"k": "varchar"}
    ds = flow.dataset("t", connection="wh", table="t", columns=cols)
    prepared = ds.compute(**{f"d{i}": f"c{i} * 2" for i in range(0, columns, 10)}, name="p")
    kept = prepared.filter("c0 > 0", name="f")
    ranked = kept.window({"rn": "row_number()"}, partition_by=["k"], order_by=["c1"], name="w")
    ranked.group(["k"], {f"m{i}": f"max(c{i})" for i in range(0, columns, 5)}, name="g")
    return flow


def scaling() -> list[dict[str, Any]]:
    """Plan time (and plan + SQL) for growing chains and widths."""
    rows = []
    for kind, make, sizes in (
        ("chain steps", chain_flow, (250, 500, 1000)),
        ("table columns", wide_flow, (125, 250, 500)),
    ):
        for size in sizes:
            flow = make(size)
            plan_s = timed(lambda flow=flow: pushdown.plan(flow), repeat=3, warmup=1)
            sql_s = timed(lambda flow=flow: pushdown.plan(flow).sql("wh"), repeat=3, warmup=1)
            rows.append({"kind": kind, "size": size, "plan_s": plan_s, "plan_and_sql_s": sql_s})
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print both tables (no options)."""
    import platform

    print(
        f"# planning benchmarks ({platform.processor() or platform.machine()}, "
        f"python {platform.python_version()})"
    )
    print("\n## TPC-H: pushdown plan + compile to 6 dialects vs Ibis compile to 1 dialect")
    print(
        "| query | pushdown, 6 dialects (ms) | pushdown, snowflake only (ms) | "
        "Ibis, snowflake (ms) | ratio 6 vs 1 | ratio 1 vs 1 |"
    )
    print("|---|---|---|---|---|---|")
    for r in tpch_vs_ibis():
        print(
            f"| {r['query']} | {r['pushdown_6_dialects_ms']:.1f} | "
            f"{r['pushdown_1_dialect_ms']:.1f} | {r['ibis_1_dialect_ms']:.1f} | "
            f"{r['ratio']:.2f} | {r['ratio_1']:.2f} |"
        )
    print("\n## Plan time as flows grow")
    print("| shape | size | plan (s) | plan + SQL (s) |")
    print("|---|---|---|---|")
    for r in scaling():
        print(f"| {r['kind']} | {r['size']} | {r['plan_s']:.3f} | {r['plan_and_sql_s']:.3f} |")


if __name__ == "__main__":
    main()
