"""The local engine's memory budget (``plan(flow, memory_budget=...)``, issue 13): a local
fragment estimated over it goes to a distributed engine of the flow, or the plan is refused
with a typed error before anything moves; explain says which and why.

The planning tests declare statistics (billions of bytes) on small schemas: no big data is
needed to plan.  One test runs a placed plan on a real in-process Spark session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pushdown
from pushdown.cli import main
from pushdown.explain import plan_data
from pushdown.planner.memory import HASH_FACTOR, WORKING_BYTES, binary_bytes, parse_budget
from tests.helpers import assert_same

MIB, GIB = 1024**2, 1024**3
STEPS = ("recent", "joined", "totals", "ranked")

# Several GB by statistics: 400 million line items of ~36 bytes, 100 million orders.
BIG = {
    "items": {"rows": 4e8, "bytes": 4e8 * 36},
    "orders": {"rows": 1e8, "bytes": 1e8 * 24},
}
SMALL = {"items": {"rows": 1e4, "bytes": 1e4 * 36}, "orders": {"rows": 1e3, "bytes": 1e3 * 24}}


def _flow(*, spark: bool) -> pushdown.Flow:
    """Line items joined to orders, grouped per customer and sorted; the tables live on a
    DuckDB warehouse that the tests forbid (every step then runs locally or on Spark)."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///budget-wh.duckdb")  # never opened: planned offline
    if spark:
        flow.connection("lake", "spark://local[2]")
    items = flow.dataset(
        "items",
        connection="wh",
        table="items",
        columns={"order_id": "BIGINT", "amount": "DOUBLE", "day": "DATE", "status": "VARCHAR"},
    )
    orders = flow.dataset(
        "orders",
        connection="wh",
        table="orders",
        columns={"order_id": "BIGINT", "customer": "VARCHAR"},
    )
    recent = items.filter("day >= CAST('2025-01-01' AS DATE)", name="recent")
    joined = recent.join(orders, on={"order_id": "order_id"}, name="joined")
    totals = joined.group(["customer"], {"total": "sum(amount)"}, name="totals")
    totals.sort("customer", name="ranked")
    return flow


def _plan(flow: pushdown.Flow, stats: dict, **options: Any) -> pushdown.Plan:
    return pushdown.plan(flow, statistics=stats, engine_statistics=False, forbid=["wh"], **options)


def _engines(plan: pushdown.Plan) -> dict[str, str]:
    return {name: plan.steps[name].engine for name in STEPS}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2GiB", 2 * GIB),
        ("512 MiB", 512 * MIB),
        ("1.5GB", 1_500_000_000),
        ("64kib", 64 * 1024),
        (1_000_000, 1_000_000),
        ("4096", 4096),
        (None, None),
    ],
)
def test_budget_sizes(given: object, expected: int | None) -> None:
    assert parse_budget(given) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["lots", "2 XB", "-1GiB", 0, -5, True, float("inf"), ""])
def test_a_bad_budget_is_refused_naming_the_forms(given: object) -> None:
    with pytest.raises(pushdown.FlowError, match="memory_budget=.*'2GiB'"):
        parse_budget(given)  # type: ignore[arg-type]


def test_without_a_budget_the_big_flow_runs_locally_as_before() -> None:
    plain = _plan(_flow(spark=True), BIG)
    unset = _plan(_flow(spark=True), BIG, memory_budget=None)
    assert _engines(plain) == dict.fromkeys(STEPS, "local")  # cheapest without a budget
    assert _engines(unset) == _engines(plain)
    assert unset.memory_budget is None
    assert unset.fragment_sql() == plain.fragment_sql()
    assert unset.explain() == plain.explain()
    assert "memory budget" not in plain.explain()
    assert all(plain.memory_of(f) is None for f in plain.fragments)


def test_heavy_steps_go_to_spark_under_a_small_budget_and_explain_says_why() -> None:
    plan = _plan(_flow(spark=True), BIG, memory_budget="512MiB")
    assert plan.memory_budget == 512 * MIB
    assert _engines(plan) == dict.fromkeys(STEPS, "lake")
    for name in STEPS:  # placed by the planner, not pinned: the reason is the budget
        reason = plan.steps[name].reason
        assert reason.startswith("local refused for memory: its local fragment"), reason
        assert "over the memory budget of 512 MiB" in reason
        assert "pinned" not in reason
        why_not = dict((e, why) for e, _, why in plan.steps[name].alternatives)
        assert why_not["local"].startswith("refused for memory")
    text = plan.explain(verbose=True)
    assert "(memory budget of the local engine: 512 MiB;" in text
    assert "local refused for memory" in text
    assert not [f for f in plan.fragments if f.engine == "local"]
    data = plan_data(plan)
    assert data["memory_budget"] == 512 * MIB


def test_without_a_distributed_engine_the_plan_is_refused_before_anything_moves() -> None:
    with pytest.raises(pushdown.MemoryBudgetError) as info:
        _plan(_flow(spark=False), BIG, memory_budget="512MiB")
    err = info.value
    assert isinstance(err, pushdown.UnsupportedError)  # catching the parent still works
    assert err.step == "recent"  # the step that brings the line items in
    assert err.budget == 512 * MIB
    assert err.estimate > 10 * GIB  # the items' needed columns alone are over 10 GiB
    text = str(err)
    assert text.startswith("recipe 'recent': step 'recent' cannot run on the local engine")
    for way_out in ("raise the budget", "add a Spark or Databricks connection", "pin 'recent'"):
        assert way_out in text
    assert "over the memory budget of 512 MiB" in text


def test_a_budget_the_flow_fits_changes_nothing_but_explain() -> None:
    plain = _plan(_flow(spark=True), SMALL)
    fits = _plan(_flow(spark=True), SMALL, memory_budget="64MiB")
    assert _engines(fits) == _engines(plain) == dict.fromkeys(STEPS, "local")
    assert fits.fragment_sql() == plain.fragment_sql()
    (local,) = [f for f in fits.fragments if f.engine == "local"]
    memory = fits.memory_of(local)
    assert memory is not None
    # Inputs held as Arrow: the items' needed columns (order_id 8 bytes, amount 8, day 4;
    # status is pruned) and the orders' two (8 + 16).
    assert memory.inputs == pytest.approx(1e4 * 20 + 1e3 * 24, rel=0.01)
    # The largest state is the join's hash table over its smaller side (the orders).
    assert memory.heaviest == "joined"
    assert memory.state == pytest.approx(HASH_FACTOR * 1e3 * 24, rel=0.01)
    # All of it fits: nothing spills; the peak is the demand and the fixed working buffers.
    assert memory.spill == 0
    assert memory.peak == pytest.approx(memory.demand + WORKING_BYTES)
    text = fits.explain()
    assert "(memory budget of the local engine: 64 MiB;" in text
    assert f"    estimated peak ~{binary_bytes(memory.peak)} (inputs" in text
    assert "; all in memory) of the 64 MiB budget" in text
    assert "of the 64 MiB budget" in text


def test_a_step_pinned_local_stays_there_with_a_note() -> None:
    pins = dict.fromkeys(STEPS, "local")
    plan = _plan(_flow(spark=True), BIG, memory_budget="512MiB", pin=pins)
    assert _engines(plan) == pins
    for name in STEPS:
        assert "kept local because pinned" in plan.notes[name]
    text = plan.explain()
    assert "over the memory budget of 512 MiB (run locally, it would spill" in text
    assert "kept local because pinned (the run spills to disk what does not fit)" in text


def test_the_estimated_peak_follows_the_runs_spill_rule() -> None:
    """Pinned local over the budget, a run holds at most a quarter of the budget of moved data
    (the store; a dataset larger than the room left goes to disk whole), half of it in DuckDB
    (its memory limit) and a few batches in flight; the rest is spilled.  The demand
    (everything in memory) is what placement compares with the budget."""
    pins = dict.fromkeys(STEPS, "local")
    plan = _plan(_flow(spark=True), BIG, memory_budget="512MiB", pin=pins)
    (local,) = [f for f in plan.fragments if f.engine == "local"]
    memory = plan.memory_of(local)
    assert memory is not None
    moved = memory.inputs + memory.outputs
    assert moved > 9 * GIB and memory.demand > moved  # 8 GB of items, 2.4 GB of orders
    # The items and the orders are each larger than the store's share (a quarter of the
    # budget): both go to disk from their first batch; the run keeps only the small result.
    assert memory.held == memory.outputs < 1 * MIB
    assert memory.working == min(memory.state, 256 * MIB)  # ENGINE_SHARE: DuckDB's limit
    assert 0 < memory.in_flight < 32 * MIB  # two 64 K-row batches of each stream
    assert memory.peak == memory.held + memory.working + memory.in_flight + WORKING_BYTES
    assert memory.peak < 512 * MIB
    assert memory.spill == pytest.approx(moved + memory.state - memory.held - memory.working)
    assert f"{binary_bytes(memory.spill)} of it spilled to disk" in plan.explain()


def test_a_python_step_over_the_budget_is_refused_even_with_spark() -> None:
    flow = _flow(spark=True)
    flow["recent"].python(lambda b: b, {"order_id": "BIGINT"}, name="scored")
    with pytest.raises(pushdown.MemoryBudgetError, match="Python steps run only on the local"):
        _plan(flow, BIG, memory_budget="512MiB")


@pytest.mark.spark
def test_a_plan_placed_on_spark_by_the_budget_runs_there(spark: object) -> None:
    """A tiny budget makes even small data too big for the local engine: the planner places
    the steps on the in-process Spark session, and the answer equals the local run's."""
    items = pa.table(
        {
            "order_id": pa.array([i % 50 for i in range(500)], pa.int64()),
            "amount": pa.array([float(i) for i in range(500)]),
        }
    )
    orders = pa.table(
        {"order_id": pa.array(range(50), pa.int64()), "customer": [f"c{i % 7}" for i in range(50)]}
    )

    def flow() -> pushdown.Flow:
        f = pushdown.Flow()
        f.connection("lake", "spark://local[2]")
        joined = f.dataset("items", data=items).join(
            f.dataset("orders", data=orders), on={"order_id": "order_id"}, name="joined"
        )
        joined.group(["customer"], {"total": "sum(amount)"}, name="totals")
        return f

    plan = pushdown.plan(flow(), memory_budget="1KiB")
    assert {plan.steps[s].engine for s in ("joined", "totals")} == {"lake"}
    assert plan.steps["totals"].reason.startswith("local refused for memory")
    got = plan.execute()["totals"]
    want = pushdown.plan(flow(), forbid=["lake"]).execute()["totals"]
    assert_same(got, want, ordered=False)


def test_the_command_line_takes_a_memory_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pq.write_table(pa.table({"k": list(range(1000)), "v": [1.0] * 1000}), tmp_path / "t.parquet")
    (tmp_path / "flow.yaml").write_text(
        "version: 1\n"
        "datasets:\n  - {name: t, path: t.parquet}\n"
        "recipes:\n"
        "  - {type: group, input: t, output: g, by: [k], aggregates: {s: sum(v)}}\n"
    )
    flow = str(tmp_path / "flow.yaml")
    assert main(["plan", flow, "--memory-budget", "1GiB"]) == 0
    out = capsys.readouterr().out
    assert "(memory budget of the local engine: 1 GiB;" in out
    assert "estimated peak ~" in out
    assert main(["plan", flow, "--memory-budget", "1KiB"]) == 2
    err = capsys.readouterr().err
    assert "MemoryBudgetError" in err and "pin 'g' to 'local'" in err
    assert main(["plan", flow, "--memory-budget", "lots"]) == 2
    assert "memory_budget='lots'" in capsys.readouterr().err


def test_the_memory_benchmark_measures_plans_and_checks_answers() -> None:
    """``python -m benchmarks memory`` at a tiny scale: the forced-local run is correct and
    measured; a budget it exceeds places it on Spark, or (without Spark) pins it local and
    says it was refused."""
    from benchmarks.memory import child

    local = child("q1", 0.01, "2GiB", spark=False, run=True)
    assert local["engines"] == ["local"] and local["refused"] is None
    assert local["answer"] == "correct"
    assert local["peak_rss"] >= local["start_rss"] > 0
    assert 0 < local["estimated_peak"] < 2 * GIB
    placed = child("q1", 0.01, "1MiB", spark=True, run=False)
    assert placed["engines"] == ["spark"]
    assert placed["reason"].startswith("local refused for memory")
    pinned = child("q1", 0.01, "1MiB", spark=False, run=True)
    assert pinned["engines"] == ["local"] and pinned["answer"] == "correct"
    assert "cannot run on the local engine within the memory budget" in pinned["refused"]
