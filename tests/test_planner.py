"""Cost-based placement across several real engines: separate DuckDB files (separate
connections, different cost parameters), local Arrow, and Spark SQL planned with the Hive
profile.  Each scenario asserts the placement designed for it and that the result equals the
all-local run; failures leave no temporary table behind."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import pushdown
from pushdown.planner.fragments import Fragment
from pushdown.planner.stats import ColumnStats, TableStats
from tests.helpers import assert_same, duckdb_file

# A remote warehouse reached over a slow link: moving data costs more than running SQL.
SLOW_WAREHOUSE = {
    "query_latency_s": 0.5,
    "scan_bytes_per_s": 2e8,
    "transfer": {"fetch_bytes_per_s": 2e6, "upload_bytes_per_s": 1e6, "latency_s": 0.3},
}

# What the planner is told about the fact table in scenarios about large data (the test data
# itself stays small so the run is quick).
BIG_SALES = {"sales": {"rows": 1e7}}


def _fact(rows: int = 60_000) -> pa.Table:
    rng = random.Random(5)
    return pa.table(
        {
            "sale_id": pa.array(range(rows), pa.int64()),
            "store_id": pa.array([rng.randrange(40) for _ in range(rows)], pa.int64()),
            "day": pa.array(
                [dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(60)) for _ in range(rows)],
                pa.date32(),
            ),
            "amount": pa.array([round(rng.uniform(1, 500), 2) for _ in range(rows)], pa.float64()),
            "channel": pa.array([rng.choice(["web", "shop", "phone"]) for _ in range(rows)]),
        }
    )


STORES = pa.table(
    {
        "store_id": pa.array(range(40), pa.int64()),
        "city": pa.array([f"city{i % 7}" for i in range(40)]),
        "opened": pa.array(
            [dt.date(2020, 1, 1) + dt.timedelta(days=30 * i) for i in range(40)], pa.date32()
        ),
    }
)


def _leftovers(url: str) -> list[str]:
    con = duckdb.connect(url.removeprefix("duckdb:///"), read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_pushdown_%'"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def fact() -> pa.Table:
    return _fact()


@pytest.fixture
def two_warehouses(tmp_path: Path, fact: pa.Table) -> tuple[str, str]:
    return duckdb_file(tmp_path / "a.db", sales=fact), duckdb_file(tmp_path / "b.db", stores=STORES)


def _local_twin(flow: pushdown.Flow, data: dict[str, pa.Table]) -> pushdown.Flow:
    """The same recipes over in-memory copies of the sources: the all-local run."""
    twin = pushdown.Flow(formula_dialect=flow.spec.formula_dialect)
    for ds in flow.spec.datasets:
        twin.dataset(ds.name, data=data[ds.name])
    twin.spec.recipes.extend(flow.spec.recipes)
    twin.functions.update(flow.functions)
    return twin


def _sales_by_city(a: str, b: str) -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("wh_a", a)
    flow.connection("wh_b", b)
    sales = flow.dataset("sales", connection="wh_a", table="sales")
    stores = flow.dataset("stores", connection="wh_b", table="stores")
    joined = sales.join(stores, on=["store_id"], name="joined")
    joined.group(["city"], {"revenue": "sum(amount)", "n": "count(*)"}, name="by_city")
    return flow


def test_small_dimension_moves_to_the_big_fact(
    two_warehouses: tuple[str, str], fact: pa.Table
) -> None:
    a, b = two_warehouses
    flow = _sales_by_city(a, b)
    plan = pushdown.plan(flow, cost_overrides={"wh_a": SLOW_WAREHOUSE, "wh_b": SLOW_WAREHOUSE})
    assert plan.steps["joined"].engine == "wh_a"
    assert plan.steps["by_city"].engine == "wh_a"
    (transfer,) = plan.transfers
    assert (transfer.dataset, transfer.source, transfer.target) == ("stores", "wh_b", "wh_a")
    assert set(transfer.columns) == {"store_id", "city"}  # 'opened' is not read: it stays
    assert transfer.rows == 40
    assert plan.cost is not None and plan.baseline is not None
    result = plan.execute()
    want = pushdown.plan(_local_twin(flow, {"sales": fact, "stores": STORES})).execute()
    assert_same(result["by_city"], want["by_city"])
    moved = {r.dataset: r.bytes_moved for r in result.runs}
    assert moved["stores"] < 2_000 and moved["by_city"] < 2_000
    assert not _leftovers(a) and not _leftovers(b)
    explain = plan.explain(verbose=True)
    assert "Transfers:" in explain and "stores: wh_b -> wh_a" in explain
    assert "Alternatives" in explain


def test_estimates_come_from_engine_statistics(two_warehouses: tuple[str, str]) -> None:
    plan = pushdown.plan(_sales_by_city(*two_warehouses))
    assert plan.steps["sales"].rows == 60_000 and plan.steps["stores"].rows == 40
    # NDV(store_id) = 40 on both sides: a key join keeps the fact's row count.
    assert plan.steps["joined"].rows == pytest.approx(60_000, rel=0.1)
    # Grouping by city: NDV(city) = 7.
    assert plan.steps["by_city"].rows == pytest.approx(7, rel=0.3)


def test_user_statistics_and_objective_change_the_plan(two_warehouses: tuple[str, str]) -> None:
    a, b = two_warehouses
    flow = _sales_by_city(a, b)
    # Declared: 'stores' is huge and 'sales' tiny; now the fact moves to the dimension.
    plan = pushdown.plan(
        flow,
        statistics={"sales": {"rows": 100}, "stores": {"rows": 5e7}},
        cost_overrides={"wh_a": SLOW_WAREHOUSE, "wh_b": SLOW_WAREHOUSE},
    )
    assert [t.dataset for t in plan.transfers] == ["sales"]
    assert plan.steps["joined"].engine == "wh_b"
    # Money: warehouse-seconds on wh_a are expensive, local is free -> work leaves wh_a.
    pricey = {**SLOW_WAREHOUSE, "pricing_model": "warehouse_seconds", "price_usd_per_hour": 1e6}
    money = pushdown.plan(flow, objective="money", cost_overrides={"wh_a": pricey, "wh_b": pricey})
    assert money.steps["joined"].engine == "local"
    assert money.cost is not None and money.cost.usd >= 0


def test_python_step_stays_local_while_its_filter_is_pushed(tmp_path: Path, fact: pa.Table) -> None:
    url = duckdb_file(tmp_path / "wh.db", sales=fact)
    flow = pushdown.Flow()
    flow.connection("wh", url)
    sales = flow.dataset("sales", connection="wh", table="sales")
    big = sales.filter("amount > 450 AND channel = 'web'", name="big_web")

    def flag(batch: pa.RecordBatch) -> pa.RecordBatch:
        import pyarrow.compute as pc

        return pa.RecordBatch.from_arrays(
            [batch.column("sale_id"), pc.greater(batch.column("amount"), 475.0)],
            names=["sale_id", "very_big"],
        )

    big.python(flag, {"sale_id": "bigint", "very_big": "boolean"}, name="flagged")
    plan = pushdown.plan(flow, cost_overrides={"wh": SLOW_WAREHOUSE})
    assert plan.steps["big_web"].engine == "wh"
    assert plan.steps["flagged"].engine == "local"
    assert [t.dataset for t in plan.transfers] == ["big_web"]
    result = plan.execute()
    want = pushdown.plan(_local_twin(flow, {"sales": fact})).execute()
    assert_same(result["flagged"], want["flagged"])
    moved = {r.dataset: r for r in result.runs}["big_web"]
    assert moved.rows < fact.num_rows / 10  # the filter ran before the move


@pytest.mark.spark
def test_median_on_hive_profile_runs_after_a_pushed_group(spark: object, fact: pa.Table) -> None:
    """Spark SQL planned with the Hive profile: the daily sums are pushed, the MEDIAN (which
    Hive lacks) runs locally on the small result."""
    spark.createDataFrame(fact).createOrReplaceTempView("lake_sales")  # type: ignore[attr-defined]
    flow = pushdown.Flow()
    flow.connection("lake", "spark://local[2]")
    sales = flow.dataset("sales", connection="lake", table="lake_sales")
    daily = sales.group(["store_id", "day"], {"total": "sum(amount)"}, name="daily")
    daily.group(
        ["store_id"], {"median_day": "median(total)", "days": "count(*)"}, name="typical_day"
    )
    plan = pushdown.plan(flow, dialects={"lake": "hive"}, cost_overrides={"lake": SLOW_WAREHOUSE})
    assert plan.steps["daily"].engine == "lake"
    assert plan.steps["typical_day"].engine == "local"
    assert plan.steps["typical_day"].reason.startswith("MEDIAN is not supported on hive")
    assert "`daily`" not in plan.fragment_sql("lake") and "SUM(`amount`)" in plan.fragment_sql(
        "lake"
    )
    result = plan.execute()
    want = pushdown.plan(_local_twin(flow, {"sales": fact})).execute()
    assert_same(result["typical_day"], want["typical_day"])
    with pytest.raises(pushdown.UnsupportedError, match="MEDIAN.*pinned"):
        pushdown.plan(flow, dialects={"lake": "hive"}, pin={"typical_day": "lake"})


def test_shared_step_materialises_once(tmp_path: Path, fact: pa.Table) -> None:
    url = duckdb_file(tmp_path / "wh.db", sales=fact)
    flow = pushdown.Flow()
    flow.connection("wh", url)
    sales = flow.dataset("sales", connection="wh", table="sales")
    web = sales.filter("channel = 'web'", name="web")
    web.group(["store_id"], {"revenue": "sum(amount)"}, name="by_store")
    web.group(["day"], {"revenue": "sum(amount)"}, name="by_day")
    plan = pushdown.plan(flow, cost_overrides={"wh": SLOW_WAREHOUSE}, statistics=BIG_SALES)
    assert {plan.steps[s].engine for s in ("web", "by_store", "by_day")} == {"wh"}
    (web_fragment,) = [f for f in plan.fragments if "web" in f.nodes]
    assert web_fragment.outputs == ["web"]  # computed once, read by two statements
    assert plan.fragment_sql("wh").count("\"channel\" = 'web'") == 1
    result = plan.execute()
    assert ("wh", plan.temp_name("web", result.run_id)) in result.temp_tables
    want = pushdown.plan(_local_twin(flow, {"sales": fact})).execute()
    for name in ("by_store", "by_day"):
        assert_same(result[name], want[name])
    assert not _leftovers(url)


def test_shared_step_of_one_statement_stays_a_cte_where_the_engine_computes_it_once(
    tmp_path: Path, fact: pa.Table
) -> None:
    """DuckDB computes a CTE its statement reads twice once (``shared_cte_computed_once``):
    a step two steps of one statement read stays a CTE there (no table, one statement); an
    engine without that fact (Snowflake's profile, planned offline) gets the table."""
    url = duckdb_file(tmp_path / "wh.db", sales=fact)
    flow = pushdown.Flow()
    flow.connection("wh", url)
    sales = flow.dataset("sales", connection="wh", table="sales")
    web = sales.filter("channel = 'web'", name="web")
    per_store = web.group(["store_id"], {"revenue": "sum(amount)"}, name="per_store")
    best = web.group([], {"top": "max(amount)"}, name="best")
    per_store.join(best, how="cross", name="both").filter("revenue > top", name="result")
    plan = pushdown.plan(flow, cost_overrides={"wh": SLOW_WAREHOUSE}, statistics=BIG_SALES)
    assert {plan.steps[s].engine for s in ("web", "per_store", "best", "result")} == {"wh"}
    (fragment,) = [f for f in plan.fragments if f.engine == "wh"]
    assert fragment.outputs == ["result"]
    result = plan.execute()
    assert not result.temp_tables
    want = pushdown.plan(_local_twin(flow, {"sales": fact})).execute()
    assert_same(result["result"], want["result"])
    offline = pushdown.plan(
        flow,
        dialects={"wh": "snowflake"},
        engine_statistics=False,
        statistics=BIG_SALES,
        cost_overrides={"wh": SLOW_WAREHOUSE},
    )
    assert [f.outputs for f in offline.fragments if f.engine == "wh"] == [["web"], ["result"]]


def test_user_materialisation_point(tmp_path: Path, fact: pa.Table) -> None:
    url = duckdb_file(tmp_path / "wh.db", sales=fact)
    flow = pushdown.Flow()
    flow.connection("wh", url)
    sales = flow.dataset("sales", connection="wh", table="sales")
    sales.filter("amount > 10", name="f").group(["channel"], {"n": "count(*)"}, name="g")
    plan = pushdown.plan(
        flow, materialize=["f"], cost_overrides={"wh": SLOW_WAREHOUSE}, statistics=BIG_SALES
    )
    assert [f.outputs for f in plan.fragments if f.engine == "wh"] == [["f"], ["g"]]
    assert plan.execute()["g"].num_rows == 3
    assert not _leftovers(url)


def test_failure_between_fragments_drops_temp_tables(two_warehouses: tuple[str, str]) -> None:
    a, b = two_warehouses
    flow = _sales_by_city(a, b)
    plan = pushdown.plan(flow, cost_overrides={"wh_a": SLOW_WAREHOUSE, "wh_b": SLOW_WAREHOUSE})
    seen: list[str] = []

    def inject(fragment: Fragment) -> None:
        # Fault injection (no engine failure can be caused at exactly this point): the
        # dimension has been uploaded to wh_a when the join's fragment is about to start.
        seen.append(fragment.engine)
        if fragment.engine == "wh_a" and "stores" in fragment.inputs:
            raise KeyboardInterrupt("interrupted between fragments")

    with pytest.raises(KeyboardInterrupt):
        plan.execute(before_fragment=inject)
    assert "wh_b" in seen
    assert not _leftovers(a) and not _leftovers(b)


def test_failure_inside_a_fragment_drops_uploaded_tables(
    two_warehouses: tuple[str, str], tmp_path: Path
) -> None:
    a, b = two_warehouses
    flow = _sales_by_city(a, b)
    plan = pushdown.plan(flow, cost_overrides={"wh_a": SLOW_WAREHOUSE, "wh_b": SLOW_WAREHOUSE})
    con = duckdb.connect(a.removeprefix("duckdb:///"))
    con.execute("ALTER TABLE sales RENAME COLUMN amount TO amount_eur")  # the engine now fails
    con.close()
    with pytest.raises(pushdown.EngineError, match="wh_a"):
        plan.execute()
    assert not _leftovers(a) and not _leftovers(b)


def test_pin_and_forbid(two_warehouses: tuple[str, str]) -> None:
    a, b = two_warehouses
    flow = _sales_by_city(a, b)
    pinned = pushdown.plan(flow, pin={"joined": "wh_b"})
    assert pinned.steps["joined"].engine == "wh_b"
    assert pinned.steps["joined"].reason == "pinned to wh_b by the user"
    forbidden = pushdown.plan(flow, forbid=["wh_a"], cost_overrides={"wh_b": SLOW_WAREHOUSE})
    assert all(s.engine != "wh_a" for s in forbidden.steps.values() if s.kind != "source")
    once = pushdown.plan(  # a generator is read once, not used up by the checks
        flow, forbid=(e for e in ["wh_a"]), cost_overrides={"wh_b": SLOW_WAREHOUSE}
    )
    assert [s.engine for s in once.steps.values()] == [
        s.engine for s in forbidden.steps.values()
    ]
    per_step = pushdown.plan(flow, forbid_steps={"by_city": ["local", "wh_b"]})
    assert per_step.steps["by_city"].engine == "wh_a"
    with pytest.raises(pushdown.ConnectionConfigError, match="unknown engine 'wh_c'; did you mean"):
        pushdown.plan(flow, pin={"joined": "wh_c"})
    with pytest.raises(pushdown.UnknownDatasetError, match="'joind'"):
        pushdown.plan(flow, pin={"joind": "wh_a"})
    with pytest.raises(pushdown.UnsupportedError, match="forbidden"):
        pushdown.plan(flow, forbid_steps={"joined": ["local", "wh_a", "wh_b"]})


def test_planner_matches_exhaustive_search_on_a_dag(two_warehouses: tuple[str, str]) -> None:
    from pushdown.planner import placement

    a, b = two_warehouses
    flow = _sales_by_city(a, b)
    flow["joined"].group(["channel"], {"n": "count(*)"}, name="by_channel")
    costs = {"wh_a": SLOW_WAREHOUSE, "wh_b": SLOW_WAREHOUSE}
    exact = pushdown.plan(flow, cost_overrides=costs)
    limit = placement.EXHAUSTIVE_LIMIT
    placement.EXHAUSTIVE_LIMIT = 0  # force DP + local search
    try:
        heuristic = pushdown.plan(flow, cost_overrides=costs)
    finally:
        placement.EXHAUSTIVE_LIMIT = limit
    assert exact.cost is not None and heuristic.cost is not None
    assert heuristic.cost.seconds <= exact.cost.seconds * 1.10
    assert exact.baseline is not None
    assert exact.cost.seconds <= exact.baseline.seconds


def test_statement_over_the_engine_limit_is_cut(
    tmp_path: Path, fact: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile with a 600-byte statement limit (real ones are 1-100 MB): the chain is cut
    into several statements by materialising steps, and the result does not change."""
    from pushdown import profiles

    small = profiles.get_profile("duckdb").model_copy(
        update={"limits": profiles.Limits(max_statement_bytes=600, max_identifier_length=255)}
    )
    monkeypatch.setitem(profiles.all_profiles(), "duckdb", small)
    url = duckdb_file(tmp_path / "wh.db", sales=fact)
    flow = pushdown.Flow()
    flow.connection("wh", url)
    ds = flow.dataset("sales", connection="wh", table="sales")
    for i in range(12):
        previous = f"c{i - 1}" if i else "amount"
        ds = ds.compute(**{f"c{i}": f"{previous} * 1.5 + amount"}, name=f"step{i}")
    ds.group(["channel"], {"total": "sum(c11)", "n": "count(*)"}, name="out")
    plan = pushdown.plan(flow, cost_overrides={"wh": SLOW_WAREHOUSE}, statistics=BIG_SALES)
    wh = [f for f in plan.fragments if f.engine == "wh"]
    assert len(wh) > 1
    for frag in wh:
        for out in frag.outputs:
            assert len(plan.statement(frag, out, pretty=False)) <= 600
    assert any("size limit" in note for note in plan.notes.values())
    want = pushdown.plan(_local_twin(flow, {"sales": fact})).execute()
    assert_same(plan.execute()["out"], want["out"])
    assert not _leftovers(url)


def test_estimates_follow_keys_through_semi_joins_projections_and_composite_keys() -> None:
    """The estimates behind TPC-H Q9: a semi join keeps the share of keys the right side
    holds, a computed column of one column keeps (at most) its distinct values, and a join on
    a composite key uses the key's combined distinct count."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    items = flow.dataset(
        "items", connection="wh", table="items",
        columns={"part": "bigint", "supp": "bigint", "day": "date", "qty": "double"},
    )  # fmt: skip
    parts = flow.dataset(
        "parts", connection="wh", table="parts", columns={"p": "bigint", "name": "varchar"}
    )
    offers = flow.dataset(
        "offers", connection="wh", table="offers",
        columns={"op": "bigint", "os": "bigint", "cost": "double"},
    )  # fmt: skip
    green = parts.filter("name LIKE '%green%'", name="green")
    chosen = items.join(green, on={"part": "p"}, how="semi", name="chosen")
    items.join(green, on={"part": "p"}, how="anti", name="others")
    costed = chosen.join(offers, on={"part": "op", "supp": "os"}, name="costed")
    years = costed.compute(year="EXTRACT(YEAR FROM day)", name="years")
    years.group(["year"], {"n": "count(*)"}, name="per_year")
    stats = {
        "items": TableStats(
            rows=6e6,
            columns={
                "part": ColumnStats(ndv=2e5),
                "supp": ColumnStats(ndv=1e4),
                "day": ColumnStats(ndv=2500),
            },
        ),
        "parts": TableStats(rows=2e5, columns={"p": ColumnStats(ndv=2e5)}),
        "offers": TableStats(
            rows=8e5, columns={"op": ColumnStats(ndv=2e5), "os": ColumnStats(ndv=1e4)}
        ),
    }
    plan = pushdown.plan(flow, statistics=stats, engine_statistics=False)
    rows = {name: step.rows for name, step in plan.steps.items()}
    assert rows["green"] == pytest.approx(2e4)  # LIKE: 10%
    assert rows["chosen"] == pytest.approx(6e5)  # 6e6 x 2e4 / 2e5
    assert rows["others"] == pytest.approx(5.4e6)
    assert rows["costed"] == pytest.approx(6e5, rel=0.5)  # one offer per (part, supplier)
    assert rows["per_year"] <= 2500  # a year has at most as many values as the day


def test_statement_size_bound_is_above_every_generated_statement() -> None:
    """The bound that spares plan() generating statements to check their size
    (``planner/fragments.py``) must exceed the real size: over every golden case, in every
    dialect, even before its x4 margin."""
    from pushdown.planner.fragments import _MARGIN, _size_bound
    from pushdown.profiles import all_profiles
    from tests.cases import CASES, build_flow

    checked = 0
    for case in CASES:
        flow = build_flow(case, connection_url="duckdb:///:memory:")
        for dialect in sorted(all_profiles()):
            try:
                plan = pushdown.plan(flow, engine_statistics=False, dialects={"wh": dialect})
            except pushdown.UnsupportedError:
                continue
            for frag in plan.fragments:
                if frag.engine != "wh":
                    continue
                bound = _size_bound(plan.statements.compiled, frag.nodes, {}) // _MARGIN
                for out in frag.outputs:
                    for project in (False, True):
                        text = plan.statements.text(frag, out, pretty=False, project=project)
                        assert len(text.encode()) <= bound, (case.name, dialect, out)
                        checked += 1
    assert checked > 100


def test_planning_pauses_full_collections_and_restores_the_thresholds() -> None:
    """plan() runs with full collections paused (planner/collector.py): young collections
    still run and free planning's cyclic garbage; the thresholds are set back as found, and a
    collector the caller switched off stays off."""
    import gc
    import weakref

    from pushdown.planner.collector import collector_paused

    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"x": [1, 2]}))
    t.filter("x > 1", name="f")
    before = gc.get_threshold()
    with collector_paused():
        assert gc.isenabled()
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] > 10**6
        with collector_paused():
            assert gc.get_threshold()[2] > 10**6
        assert gc.get_threshold()[2] > 10**6
        # a cycle made while planning is freed by young collections, not left to the end

        class Cycle:
            pass

        cycle = Cycle()
        cycle.me = cycle  # type: ignore[attr-defined]
        gone = weakref.ref(cycle)
        del cycle
        kept = [[] for _ in range(20 * before[0])]  # allocations: young collections run
        assert gone() is None
        del kept
    assert gc.get_threshold() == before
    pushdown.plan(flow)
    assert gc.get_threshold() == before and gc.isenabled()
    gc.disable()
    try:
        pushdown.plan(flow)
        assert not gc.isenabled()
        assert gc.get_threshold() == before
    finally:
        gc.enable()


def test_capability_checks_with_a_memo_answer_as_without() -> None:
    """Capability checks keep what they found per (profile, expression) for one plan: over
    every golden case and profile, one memo shared by all steps gives the verdicts of fresh
    checks, refusals included."""
    from pushdown.plan import nodes as n
    from pushdown.planner.capability import Memo, check
    from pushdown.profiles import all_profiles
    from tests.cases import CASES, build_flow

    memo = Memo()
    refused = 0
    for case in CASES:
        plan = pushdown.plan(build_flow(case, connection_url="duckdb:///:memory:"))
        for node in plan.logical.nodes.values():
            if isinstance(node, n.Source):
                continue
            for profile in all_profiles().values():
                fresh = check(node, profile)
                assert check(node, profile, memo=memo) == fresh, (case.name, profile.name)
                refused += not fresh.ok
    assert refused > 5
