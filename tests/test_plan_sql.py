"""``plan.fragment_sql()`` (the statements a plan runs) and ``plan.flow_sql(engine)`` (the
whole flow compiled for one engine) are two methods; ``plan.sql()`` only forwards, with a
warning naming the one to call."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

import pushdown
from pushdown.errors import UnknownConnectionError


def _plan() -> pushdown.Plan:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    orders = flow.dataset("orders", connection="wh", table="orders", columns={"x": "int"})
    regions = flow.dataset("regions", data=pa.table({"x": [1, 2]}))
    orders.join(regions, on=["x"], name="joined")
    return pushdown.plan(flow)


def test_fragment_sql_is_what_the_plan_runs_and_refuses_other_engines() -> None:
    plan = _plan()
    every = plan.fragment_sql()
    assert every.count("-- ") == sum(len(f.outputs) for f in plan.fragments if not f.python)
    wh = plan.fragment_sql("wh")
    assert wh.strip() and wh in every
    with pytest.raises(UnknownConnectionError, match=r"plan.flow_sql\('snowflake'\)"):
        plan.fragment_sql("snowflake")


def test_flow_sql_is_the_whole_flow_for_one_engine_and_runs_there() -> None:
    sql = _plan().flow_sql("duckdb")
    assert "_pushdown_" not in sql  # no temporary table: every table is read where it lives
    con = duckdb.connect()
    con.execute("create table orders as select 1 as x union all select 3")
    con.execute("create table regions as select 1 as x union all select 2")
    assert con.sql(sql.rstrip().rstrip(";")).fetchall() == [(1,)]


def test_sql_forwards_with_a_warning_naming_the_method() -> None:
    plan = _plan()
    with pytest.warns(FutureWarning, match=r"plan.flow_sql\('snowflake'\)"):
        assert plan.sql("snowflake") == plan.flow_sql("snowflake")
    with pytest.warns(FutureWarning, match=r"plan.fragment_sql\('wh'\)"):
        assert plan.sql("wh") == plan.fragment_sql("wh")
