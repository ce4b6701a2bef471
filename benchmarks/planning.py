"""Planning and compiling speed.

    python -m benchmarks planning            # from the repository root, with '.[bench]' installed
    python -m benchmarks planning --only shapes --sizes 625,1250,2500,5000 [--breakdown]

1. TPC-H flows: pushdown building the flow, planning it and compiling it to all six dialects,
   against Ibis building the equivalent expression and compiling it to ONE dialect, in the same
   process (ratio = pushdown / Ibis; target <= 0.5).
2. Generated flows of N steps planned offline (declared schemas, no engine asked): chains of
   alternating computed columns and filters, trees and DAGs of such chains joined together,
   with two (one DuckDB connection + local) or three (two connections + local) candidate
   engines per step (``shaped_flow``).  Plan time at growing N and the ratio t(2N) / t(N)
   (target: under 2 s at 5,000 steps, ratio <= 2.2); ``--breakdown`` profiles the largest
   flow of each shape and says which stage of ``plan()`` the time went to.
3. A table of N columns through prepare, filter, window and group recipes.
"""

from __future__ import annotations

import gc
import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import pushdown
from pushdown.bench.planning import planning_vs_ibis
from pushdown.bench.planning import timed as runs
from pushdown.planner.reuse import PLANS


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
SHAPES = ("chain", "tree", "dag")


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
        return ds.compute({"x": f"x * 1.01 + {i % 5}"}, name=f"s{i}")

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


def _cpu_timed(fn: Callable[[], Any], repeat: int, warmup: int) -> tuple[float, float]:
    """(median wall seconds, fewest CPU seconds) of ``repeat`` runs after ``warmup``: the CPU
    time of the least disturbed run is what a loaded machine measures best.  Every run plans
    anew: the plans kept for reuse (``planner/reuse.py``) are dropped before each."""
    for _ in range(warmup):
        PLANS.clear()
        fn()
    walls, cpus = [], []
    for _ in range(repeat):
        PLANS.clear()
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), min(cpus)


def shapes(sizes: tuple[int, ...], repeat: int = 5, warmup: int = 1) -> Iterator[dict[str, Any]]:
    """Plan time of every shape and candidate count at every size, with t(2N) / t(N), and
    the time building the flow took (one row at a time, as measured)."""
    for shape in SHAPES:
        for engines in (2, 3):
            previous: dict[int, float] = {}
            for size in sizes:
                built = time.process_time()
                flow, options = shaped_flow(shape, size, engines=engines)
                build = time.process_time() - built

                def run(flow: pushdown.Flow = flow, options: dict[str, Any] = options) -> Any:
                    return pushdown.plan(flow, **options)

                wall, cpu = _cpu_timed(run, repeat, warmup)
                half = previous.get(size // 2)
                previous[size] = cpu
                yield {
                    "shape": shape,
                    "engines": engines,
                    "steps": size,
                    "build_s": build,
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "ratio": cpu / half if half else None,
                }


# Where plan() spends its time: the functions make_plan calls, by stage.
STAGES = {
    "build_logical_plan": "logical plan: parse, resolve and type formulas",
    "__init__ (placement.py)": "capability checks (the candidates of each step)",
    "estimate_plan": "estimates and needed columns",
    "required_columns": "estimates and needed columns",
    "solve": "placement search",
    "least_bad_worst_case": "least bad worst case",
    "placements": "placement records, transfers, costs",
    "transfers": "placement records, transfers, costs",
    "total": "placement records, transfers, costs",
    "__init__ (plan.py)": "Plan: pruning, fragments, statement-size check",
}


def breakdown(shape: str, engines: int, steps: int) -> list[tuple[str, float]]:
    """Seconds (under cProfile) of one ``plan()`` per stage: what ``make_plan`` calls."""
    import cProfile
    import pstats

    flow, options = shaped_flow(shape, steps, engines=engines)
    PLANS.clear()  # the shapes' runs keep this flow's plan: planned anew, not reused
    profile = cProfile.Profile()
    profile.enable()
    pushdown.plan(flow, **options)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    seconds: dict[str, float] = {}
    total = 0.0
    for (path, _, function), (_, _, _, cumulative, callers) in stats.items():
        if function == "make_plan":
            total = cumulative
        for (_, _, caller), (_, _, _, from_caller) in callers.items():
            if caller != "make_plan":
                continue
            key = function
            if function == "__init__":
                key = f"__init__ ({path.rsplit('/', 1)[-1]})"
            stage = STAGES.get(key, "other")
            seconds[stage] = seconds.get(stage, 0.0) + from_caller
    rows = [(stage, seconds.get(stage, 0.0)) for stage in dict.fromkeys(STAGES.values())]
    rows.append(("other", seconds.get("other", 0.0)))
    rows.append(("plan() total", total))
    return rows


def scaling() -> list[dict[str, Any]]:
    """Plan time for growing table widths."""
    rows = []

    def planned(flow: pushdown.Flow) -> Any:
        PLANS.clear()  # planned anew each time, not reused (planner/reuse.py)
        return pushdown.plan(flow)

    for size in (125, 250, 500):
        flow = wide_flow(size)
        plan_s = timed(lambda flow=flow: planned(flow), repeat=3, warmup=1)
        sql_s = timed(lambda flow=flow: planned(flow).sql("wh"), repeat=3, warmup=1)
        rows.append(
            {"kind": "table columns", "size": size, "plan_s": plan_s, "plan_and_sql_s": sql_s}
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print the tables (``--only tpch|shapes|columns`` for one of them)."""
    import argparse
    import platform

    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("tpch", "shapes", "columns"))
    parser.add_argument("--sizes", default="625,1250,2500,5000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"# planning benchmarks ({platform.processor() or platform.machine()}, "
        f"python {platform.python_version()})"
    )
    if args.only in (None, "tpch"):
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
    if args.only in (None, "shapes"):
        sizes = tuple(int(x) for x in args.sizes.split(","))
        print("\n## plan() time as flows grow (offline; CPU s of the least disturbed run)")
        print(
            "| shape | candidates per step | steps | build the flow (CPU s) "
            "| plan (wall s, median) | plan (CPU s) | t(2N)/t(N) |"
        )
        print("|---|---|---|---|---|---|---|")
        for r in shapes(sizes, repeat=args.repeat, warmup=args.warmup):
            ratio = f"{r['ratio']:.2f}" if r["ratio"] else ""
            print(
                f"| {r['shape']} | {r['engines']} | {r['steps']} | {r['build_s']:.3f} | "
                f"{r['wall_s']:.3f} | "
                f"{r['cpu_s']:.3f} | {ratio} |",
                flush=True,
            )
        if args.breakdown:
            for shape in SHAPES:
                print(
                    f"\n### where plan() spends its time: {shape}, 3 candidates, {sizes[-1]} steps"
                )
                print("| stage | s (under cProfile) | share |")
                print("|---|---|---|")
                rows = breakdown(shape, 3, sizes[-1])
                total = rows[-1][1] or 1.0
                for label, seconds in rows:
                    print(f"| {label} | {seconds:.2f} | {seconds / total:.0%} |")
    if args.only in (None, "columns"):
        print("\n## Plan time as tables widen")
        print("| shape | size | plan (s) | plan + SQL (s) |")
        print("|---|---|---|---|")
        for r in scaling():
            print(f"| {r['kind']} | {r['size']} | {r['plan_s']:.3f} | {r['plan_and_sql_s']:.3f} |")


if __name__ == "__main__":
    main()
