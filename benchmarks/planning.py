"""Planning and compiling speed.

    python -m benchmarks planning            # from the repository root, with '.[bench]' installed

1. TPC-H flows: pushdown building the flow, planning it and compiling it to all six dialects,
   against Ibis building the equivalent expression and compiling it to ONE dialect, in the same
   process (ratio = pushdown / Ibis; target <= 0.5).
2. A generated chain of N steps and a table of N columns: plan time at growing N (target under
   1 s at 1,000 steps and 500 columns, growing linearly).
"""

from __future__ import annotations

import itertools
import random
import statistics
from collections.abc import Callable
from typing import Any

import pushdown
from pushdown.bench.planning import planning_vs_ibis
from pushdown.bench.planning import timed as runs


def timed(fn: Callable[[], Any], *, repeat: int = 7, warmup: int = 2) -> float:
    """Median wall seconds of ``fn`` over ``repeat`` runs after ``warmup`` runs."""
    return statistics.median(runs(fn, repeat=repeat, warmup=warmup))


def tpch_vs_ibis() -> list[dict[str, Any]]:
    """Per TPC-H query: pushdown (every dialect) and Ibis (one dialect) times and ratios."""
    rows = planning_vs_ibis([f"q{i}" for i in range(1, 23)])
    for r in rows:
        r["pushdown_6_dialects_ms"] = statistics.median(r["pushdown_all_dialects"]) * 1e3
        r["pushdown_1_dialect_ms"] = statistics.median(r["pushdown_one_dialect"]) * 1e3
        r["ibis_1_dialect_ms"] = statistics.median(r["ibis_one_dialect"]) * 1e3
        r["ratio_1"] = r["ratio_one"]
    return rows


def chain_flow(steps: int) -> pushdown.Flow:
    """A chain of ``steps`` recipes on one connection (filters and computed columns)."""
    flow, _ = shaped_flow("chain", steps, engines=2)
    return flow


# Cost parameters of the connections of the shaped flows: the first is the profile's, the
# second a warehouse with more latency and a slower link, so placements are real choices.
SECOND_WAREHOUSE = {
    "query_latency_s": 0.2,
    "scan_bytes_per_s": 5e8,
    "transfer": {"fetch_bytes_per_s": 5e7, "upload_bytes_per_s": 2e7, "latency_s": 0.1},
}
COLUMNS = {"k": "bigint", "x": "double", "s": "varchar"}


def shaped_flow(
    shape: str, steps: int, *, engines: int = 2, seed: int = 0
) -> tuple[pushdown.Flow, dict[str, Any]]:
    """A flow of ``steps`` recipes and the ``plan()`` options to plan it offline.

    ``engines`` candidates per step: one (2) or two (3) DuckDB connections, plus local.
    ``shape``: ``"chain"`` (alternating computed columns and filters on one table, the shape
    of issue 11), ``"tree"`` (chains over tables spread over the connections, combined by
    semi joins into a balanced tree: every step has one consumer), or ``"dag"`` (each step
    reads the latest dataset or one of the few before it, joins read two: shared steps and
    diamonds; a new table every tenth step).
    """
    rng = random.Random(seed)
    flow = pushdown.Flow()
    names = [f"wh{i}" for i in range(engines - 1)]
    for name in names:
        flow.connection(name, "duckdb:///:memory:")
    stats: dict[str, dict[str, float]] = {}
    counter = itertools.count()

    def source() -> pushdown.Dataset:
        i = len(stats)
        name = f"t{i}"
        stats[name] = {"rows": float(10 ** rng.randint(3, 7))}
        home = names[i % len(names)]
        return flow.dataset(name, connection=home, table=name, columns=COLUMNS)

    def unary(ds: pushdown.Dataset) -> pushdown.Dataset:
        i = next(counter)
        if i % 2:
            return ds.filter(f"x > {i % 7}", name=f"s{i}")
        return ds.compute(x=f"x * 1.01 + {i % 5}", name=f"s{i}")

    def join(left: pushdown.Dataset, right: pushdown.Dataset) -> pushdown.Dataset:
        return left.join(right, on=["k"], how="semi", name=f"s{next(counter)}")

    if shape == "chain":
        ds = source()
        for _ in range(steps):
            ds = unary(ds)
    elif shape == "tree":

        def tree(size: int) -> pushdown.Dataset:
            if size <= 4:
                ds = source()
                for _ in range(size):
                    ds = unary(ds)
                return ds
            half = (size - 2) // 2
            left, right = tree(half), tree(size - 2 - half)
            return unary(join(left, right))

        tree(steps)
    elif shape == "dag":
        recent = [source()]
        for i in range(steps):
            latest = recent[-1] if rng.random() < 0.6 else rng.choice(recent[-6:])
            if i % 10 == 9:
                recent.append(join(latest, source()))
            elif rng.random() < 0.25 and len(recent) > 1:
                recent.append(join(latest, rng.choice(recent[-6:-1])))
            else:
                recent.append(unary(latest))
    else:
        raise ValueError(f"unknown shape {shape!r}; use chain, tree or dag")
    costs = {names[1]: SECOND_WAREHOUSE} if len(names) > 1 else {}
    return flow, {"statistics": stats, "cost_overrides": costs, "engine_statistics": False}


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
