"""A plan() whose flow, options, schemas and statistics equal an earlier call's reuses the plan
made then (planner/reuse.py, issue 11's warm target); any change plans again.  On real DuckDB
files."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import pushdown
from pushdown.planner.gather import CACHE
from pushdown.planner.reuse import PLANS, PlanCache, Reuse
from pushdown.statistics import ColumnStats, TableStats
from tests.helpers import orders_customers_database
from tests.helpers import orders_customers_flow as _flow


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    CACHE.clear()
    PLANS.clear()
    yield
    CACHE.clear()
    PLANS.clear()


def _work() -> tuple[int, int]:
    return PLANS.built, PLANS.placed


def _rows(result: pa.Table) -> list[dict[str, object]]:
    return sorted(result.to_pylist(), key=repr)


def test_a_second_plan_of_the_same_flow_reuses_the_first(tmp_path: Path) -> None:
    url = orders_customers_database(tmp_path / "a.duckdb")
    first = pushdown.plan(_flow(url))
    assert _work() == (1, 1)
    flow = _flow(url)  # another object with the same content
    second = pushdown.plan(flow)
    assert _work() == (1, 1)  # no logical plan built, nothing placed
    assert second is not first and second.flow is flow
    assert second.fragments is first.fragments  # the placed plan and its statements shared
    # The schemas were still read (one statement), the statistics came from the cache.
    assert second.planning_statements == {"wh": {"schema": 1, "statistics": 0}}
    second.notes["mine"] = "a note"
    assert "mine" not in first.notes
    # Each runs, more than once, with the same answer.
    expected = _rows(first.execute()["per_nation"])
    assert sum(r["n"] for r in expected) == len(range(3, 5000, 7))
    assert _rows(second.execute()["per_nation"]) == expected
    assert _rows(second.execute()["per_nation"]) == expected
    assert _rows(first.execute()["per_nation"]) == expected


def test_a_table_rebuilt_with_other_columns_gets_a_new_plan(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    url = orders_customers_database(path)
    flow = pushdown.Flow()
    flow.connection("wh", url)
    flow.dataset("customers", connection="wh", table="customers").filter("c_id < 3", name="few")
    before = pushdown.plan(flow)
    assert before.execute()["few"].column_names == ["c_id", "c_nation"]
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE customers")
    con.execute(
        "CREATE TABLE customers AS SELECT i AS c_id, 'n' || i AS c_nation, i * 2 AS c_new "
        "FROM range(50) t(i)"
    )
    con.close()
    after = pushdown.plan(flow)
    assert _work() == (2, 2)
    assert after.steps["few"].schema.names == ["c_id", "c_nation", "c_new"]
    assert after.steps["few"].schema.field("c_nation").type == pa.string()
    result = after.execute()["few"]
    assert result.column_names == ["c_id", "c_nation", "c_new"]
    assert _rows(result) == [{"c_id": i, "c_nation": f"n{i}", "c_new": 2 * i} for i in range(3)]
    # Unchanged since: reused again.
    pushdown.plan(flow)
    assert _work() == (2, 2)


def test_a_table_gone_is_an_error_again(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    url = orders_customers_database(path)
    pushdown.plan(_flow(url)).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE customers")
    con.close()
    with pytest.raises(pushdown.PushdownError, match="customers"):
        pushdown.plan(_flow(url))


def test_other_statistics_place_the_same_logical_plan_again(tmp_path: Path) -> None:
    url = orders_customers_database(tmp_path / "a.duckdb")
    flow = _flow(url)
    small = {"orders": {"rows": 10}, "customers": {"rows": 1e9}}
    large = {"orders": {"rows": 1e9}, "customers": {"rows": 10}}
    pushdown.plan(flow, statistics=small).close()
    reused = pushdown.plan(flow, statistics=large)
    assert _work() == (1, 2)  # built once, placed twice
    PLANS.clear()
    fresh = pushdown.plan(flow, statistics=large)
    assert reused.placement == fresh.placement
    assert reused.fragment_sql() == fresh.fragment_sql()
    assert {k: p.rows for k, p in reused.placement.items()}["orders"] == 1e9
    reused.close()
    fresh.close()


def test_other_options_or_another_flow_plan_again(tmp_path: Path) -> None:
    url = orders_customers_database(tmp_path / "a.duckdb")
    pushdown.plan(_flow(url)).close()
    pinned = pushdown.plan(_flow(url), pin={"per_nation": "local"})
    assert _work() == (2, 2)
    assert pinned.steps["per_nation"].engine == "local"
    assert pushdown.plan(_flow(url)).steps["per_nation"].engine == "wh"
    assert _work() == (2, 2)  # both kept
    flow = _flow(url)
    flow["per_nation"].filter("n > 1", name="busy")
    assert "busy" in pushdown.plan(flow).steps
    assert _work() == (3, 3)


def test_flows_reading_in_memory_tables_are_planned_every_time(tmp_path: Path) -> None:
    flow = pushdown.Flow()
    flow.dataset("t", data=pa.table({"x": [1, 2, 3]})).filter("x > 1", name="big")
    assert pushdown.plan(flow).execute()["big"].num_rows == 2
    flow.tables["t"] = pa.table({"x": [5, 6, 7]})
    assert pushdown.plan(flow).execute()["big"].num_rows == 3
    assert _work() == (2, 2)


def test_statistics_changed_in_place_place_the_plan_again(tmp_path: Path) -> None:
    """A TableStats is frozen but its ``columns`` dict is not: what a plan was placed from is
    kept as a copy, so a change made in place to the caller's statistics is seen."""
    url = orders_customers_database(tmp_path / "a.duckdb")
    columns = {"o_cust": ColumnStats(ndv=10)}
    stats = {"orders": TableStats(rows=1e6, columns=columns, source="user")}
    flow = _flow(url)
    flow["orders"].group(["o_cust"], {"n": "count(*)"}, name="per_cust")
    assert pushdown.plan(flow, statistics=stats).steps["per_cust"].rows == 10
    columns["o_cust"] = ColumnStats(ndv=900_000)
    assert pushdown.plan(flow, statistics=stats).steps["per_cust"].rows == 900_000
    assert _work() == (1, 2)  # placed again
    assert pushdown.plan(flow, statistics=stats).steps["per_cust"].rows == 900_000
    assert _work() == (1, 2)  # unchanged since: reused


def test_a_reused_plan_warns_as_the_first_did(tmp_path: Path) -> None:
    url = orders_customers_database(tmp_path / "a.duckdb")

    def sorted_then_grouped() -> pushdown.Flow:
        flow = pushdown.Flow()
        flow.connection("wh", url)
        orders = flow.dataset("orders", connection="wh", table="orders")
        orders.sort("o_id", name="s").group(["o_cust"], {"n": "count(*)"}, name="g")
        return flow

    for _ in range(3):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            pushdown.plan(sorted_then_grouped()).close()
        assert [type(w.message) for w in got] == [pushdown.OrderLostWarning]
        assert "'s'" in str(got[0].message)
    assert _work() == (1, 1)
    with pytest.warns(pushdown.OrderLostWarning):
        pushdown.plan(sorted_then_grouped()).close()


def test_runs_of_a_kept_plan_keep_no_sql_text_each(tmp_path: Path) -> None:
    """A statement reading a run's temporary tables is generated for that run only: the plan
    (kept for reuse) does not gather one text per run."""
    url = orders_customers_database(tmp_path / "a.duckdb")
    pins = {"open_orders": "local", "joined": "wh", "per_nation": "wh"}
    plan = pushdown.plan(_flow(url), pin=pins)
    texts = plan.statements._text
    expected = _rows(plan.execute()["per_nation"])
    after_one = len(texts)
    for _ in range(5):
        assert _rows(plan.execute()["per_nation"]) == expected
    assert len(texts) == after_one
    assert sum(r["n"] for r in expected) == len(range(3, 5000, 7))


class _Pins(Mapping[str, str]):
    """A mapping whose repr names an address only."""

    def __init__(self, pins: dict[str, str]):
        self.pins = pins

    def __getitem__(self, key: str) -> str:
        return self.pins[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.pins)

    def __len__(self) -> int:
        return len(self.pins)

    def __repr__(self) -> str:
        # The same for every one: as two such mappings, one made after the other is gone,
        # at one address.
        return "<_Pins object at 0x7f0000000000>"


def test_options_are_keyed_by_their_values_not_their_address(tmp_path: Path) -> None:
    url = orders_customers_database(tmp_path / "a.duckdb")
    local = pushdown.plan(_flow(url), pin=_Pins({"per_nation": "local"}))
    assert local.steps["per_nation"].engine == "local"
    # Another mapping of other pins, with the same repr: planned again.
    remote = pushdown.plan(_flow(url), pin=_Pins({"per_nation": "wh"}))
    assert remote.steps["per_nation"].engine == "wh"
    assert _work() == (2, 2)
    # The same pins in another mapping: reused.
    assert (
        pushdown.plan(_flow(url), pin=_Pins({"per_nation": "wh"})).steps["per_nation"].engine
        == "wh"
    )
    assert _work() == (2, 2)
    # An iterator is read once into its values (plan() lists it), so it is keyed by them.
    pushdown.plan(_flow(url), materialize=iter(["open_orders"])).close()
    pushdown.plan(_flow(url), materialize=iter(["open_orders"])).close()
    assert _work() == (3, 3)


def test_plans_placed_in_threads_each_keep_their_own_warnings(tmp_path: Path) -> None:
    """The warnings are recorded per call (a context variable), not by swapping the
    process's warning state: plan() calls in threads keep their own, and the filters are
    left as they were."""
    url = orders_customers_database(tmp_path / "a.duckdb")

    def flow(i: int, lost: bool) -> pushdown.Flow:
        f = pushdown.Flow()
        f.connection("wh", url)
        orders = f.dataset("orders", connection="wh", table="orders")
        step = orders.filter(f"o_id > {i}", name="f")
        if lost:
            step = step.sort("o_id", name="s")
        step.group(["o_cust"], {"n": "count(*)"}, name="g")
        return f

    filters, show = list(warnings.filters), warnings.showwarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda i: pushdown.plan(flow(i, i % 2 == 0)).close(), range(16)))
    assert warnings.filters == filters and warnings.showwarning is show
    for i in range(16):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            pushdown.plan(flow(i, i % 2 == 0)).close()
        assert [type(w.message) for w in got] == [pushdown.OrderLostWarning] * (i % 2 == 0)
    assert _work() == (16, 16)  # all reused


def test_a_reused_plan_has_its_own_mappings(tmp_path: Path) -> None:
    """A caller changing one plan's placement, materialized steps or needed columns changes
    neither the plan kept for reuse nor the next call's; a failed schema read is kept as its
    type and message, not as the error (whose traceback holds the call's connections)."""
    url = orders_customers_database(tmp_path / "a.duckdb")
    first = pushdown.plan(_flow(url))
    first.placement.pop("open_orders")
    first.materialized.add("joined")
    first.needed["orders"].add("nothing")
    second = pushdown.plan(_flow(url))
    assert _work() == (1, 1)  # reused
    assert "open_orders" in second.placement and "joined" not in second.materialized
    assert "nothing" not in second.needed["orders"]

    def missing(conn: str, table: str) -> pa.Schema:
        raise pushdown.PushdownError(f"no table {table!r} on {conn!r}")

    reuse = Reuse(_flow(url), {"wh": url}, (), missing, cache=PlanCache())
    with pytest.raises(pushdown.PushdownError):
        reuse("wh", "gone")
    assert reuse.reads == [(("wh", "gone"), (pushdown.PushdownError, "no table 'gone' on 'wh'"))]
