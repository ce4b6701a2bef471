"""Placement quality: the planner's regret against an oracle, and planning time.

    python -m benchmarks placement [--scenarios 40] [--seed 1]

For generated multi-engine scenarios (two or three warehouses with different latencies and
throughputs plus local Arrow, tables of 1e3 to 1e7 rows), every placement is enumerated and
costed with the planner's own cost accounting (simulation, no data):

- regret = cost of the planner's choice (dynamic programming + local search, exhaustive
  search switched off) / cost of the best enumerated placement; target <= 1.10 in >= 90%;
- rule ratio = cost of "run where the first input lives, else local" / the planner's cost, in
  the scenarios where the two differ; target >= 2.

It also times ``pushdown.plan`` on a 200-step flow over three connections (target < 1 s).
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from typing import Any

import pushdown
from pushdown.planner import placement as placement_module
from pushdown.planner.cost import CostModel
from pushdown.planner.placement import Placer
from pushdown.planner.stats import estimate_plan, required_columns

COLUMNS = {"k": "bigint", "v": "double", "g": "varchar", "d": "date"}


def _engine_costs(rng: random.Random) -> dict[str, Any]:
    return {
        "query_latency_s": rng.choice([0.05, 0.2, 0.5, 1.0, 2.0]),
        "scan_bytes_per_s": rng.choice([1e8, 5e8, 2e9]),
        "transfer": {
            "fetch_bytes_per_s": rng.choice([2e6, 1e7, 5e7, 2e8]),
            "upload_bytes_per_s": rng.choice([5e5, 5e6, 2e7, 1e8]),
            "latency_s": rng.choice([0.1, 0.3, 1.0]),
        },
    }


def scenario(seed: int, *, steps: int = 6) -> tuple[pushdown.Flow, dict[str, Any]]:
    """A random multi-engine flow, its statistics and cost parameters."""
    rng = random.Random(seed)
    flow = pushdown.Flow()
    engines = [f"wh{i}" for i in range(rng.choice([2, 3]))]
    for name in engines:
        flow.connection(name, "duckdb:///:memory:")
    sizes: dict[str, dict[str, float]] = {}
    datasets = []
    for i in range(rng.choice([2, 3])):
        name = f"t{i}"
        home = rng.choice(engines)
        datasets.append(flow.dataset(name, connection=home, table=name, columns=COLUMNS))
        sizes[name] = {"rows": float(10 ** rng.randint(3, 7))}
    kinds = ["filter", "compute", "join", "group", "python", "window", "filter", "join"]
    for i in range(steps):
        kind = rng.choice(kinds)
        src = rng.choice(datasets)
        name = f"s{i}"
        types = _types(flow, src)  # the input's columns and types, planned once per step
        if kind == "filter":
            ds = src.filter(f"v > {rng.randint(1, 9) * 10}", name=name)
        elif kind == "compute":
            ds = (
                src.compute({"w": "v * 2"}, name=name)
                if "w" not in types
                else (src.filter("v IS NOT NULL", name=name))
            )
        elif kind == "join":
            other = rng.choice([d for d in datasets if d is not src] or datasets)
            right = other.prepare([{"keep": ["k"]}], name=f"{name}_keys")
            ds = src.join(right, on=["k"], how="semi", name=name) if "k" in types else src
        elif kind == "group":
            ds = (
                src.group(["k"], {"v": "sum(v)", "g": "max(g)", "d": "max(d)"}, name=name)
                if {"k", "v", "g", "d"} <= set(types)
                else src
            )
        elif kind == "python":
            ds = src.python("benchmarks.placement:identity", types, name=name)
        else:
            ds = (
                src.window({f"rn{i}": "row_number()"}, order_by=["k"], name=name)
                if "k" in types
                else src
            )
        datasets.append(ds)
    costs = {name: _engine_costs(rng) for name in engines}
    return flow, {"statistics": sizes, "cost_overrides": costs}


def _types(flow: pushdown.Flow, ds: pushdown.Dataset) -> dict[str, str]:
    from pushdown.types import sql_type_name

    plan = pushdown.plan(flow, statistics={d.name: {"rows": 1} for d in flow.spec.datasets})
    return {f.name: sql_type_name(f.type, "duckdb") for f in plan.steps[ds.name].schema}


def identity(batch: Any) -> Any:
    """A Python step for the generated flows."""
    return batch


def _placer(flow: pushdown.Flow, options: dict[str, Any]) -> Placer:
    plan = pushdown.plan(flow, **options)
    logical = plan.logical
    from pushdown.planner.sources import source_stats

    stats = source_stats(
        flow,
        logical,
        {k: pushdown.TableStats(rows=v["rows"]) for k, v in options["statistics"].items()},
        None,
        {},
    )
    model = CostModel(plan.profiles, overrides=options["cost_overrides"])
    return Placer(
        logical, plan.profiles, estimate_plan(logical, stats), required_columns(logical), model
    )


def regret(seeds: range) -> list[dict[str, float]]:
    """Planner vs oracle vs first-input rule, per scenario."""
    rows = []
    for seed in seeds:
        flow, options = scenario(seed)
        placer = _placer(flow, options)
        free = [n for n, c in placer.candidates.items() if len(c) > 1]
        if not free:
            continue
        limit = placement_module.EXHAUSTIVE_LIMIT
        placement_module.EXHAUSTIVE_LIMIT = 0
        try:
            chosen = placer.score(placer.solve())
        finally:
            placement_module.EXHAUSTIVE_LIMIT = limit
        base = {n: c[0] for n, c in placer.candidates.items()}
        best = min(
            placer.score({**base, **dict(zip(free, combo, strict=True))})
            for combo in itertools.product(*(placer.candidates[n] for n in free))
        )
        rule = placer.score(placer.first_input_rule())
        rows.append(
            {
                "seed": seed,
                "free_steps": len(free),
                "chosen_s": chosen,
                "best_s": best,
                "rule_s": rule,
                "regret": chosen / best,
                "rule_ratio": rule / chosen,
            }
        )
    return rows


def planning_time(steps: int = 200) -> float:
    """Seconds to plan a ``steps``-step flow over three connections."""
    flow, options = scenario(7, steps=steps)
    start = time.perf_counter()
    pushdown.plan(flow, **options)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    """Print the regret table and the summary figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rows = regret(range(args.seed, args.seed + args.scenarios))
    print("| seed | free steps | chosen (s) | best (s) | first-input rule (s) | regret |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['seed']} | {r['free_steps']:.0f} | {r['chosen_s']:.3g} | {r['best_s']:.3g} "
            f"| {r['rule_s']:.3g} | {r['regret']:.3f} |"
        )
    within = sum(r["regret"] <= 1.10 for r in rows) / len(rows)
    differ = [r["rule_ratio"] for r in rows if abs(r["rule_ratio"] - 1) > 1e-9]
    print(
        f"\nscenarios: {len(rows)}; regret <= 1.10 in {within:.0%}; "
        f"worst regret {max(r['regret'] for r in rows):.3f}"
    )
    if differ:
        print(
            f"first-input rule / planner where they differ ({len(differ)} scenarios): "
            f"median {statistics.median(differ):.2f}x, geometric mean "
            f"{statistics.geometric_mean(differ):.2f}x, min {min(differ):.2f}x"
        )
    t = min(planning_time() for _ in range(3))
    print(f"planning a 200-step, 3-connection flow: {t:.3f} s")


if __name__ == "__main__":
    main()
