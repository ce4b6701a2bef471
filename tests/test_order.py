"""A sort followed by steps that keep rows one for one (filter, prepare, window) orders the
result, on the local engine, in place and in the SQL for other engines; where a step cannot
keep the order (a join, a group, another statement) explain notes it and a warning says so."""

from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import pushdown
from pushdown.planner.fragments import OrderLostWarning

N = 2000
KEYS = [(i * 7919) % N for i in range(N)]  # a permutation: the input is not in key order
ROWS = pa.table({"k": KEYS, "s": [f"v{k:05d}" for k in KEYS], "q": [k % 10 for k in KEYS]})


def _chain(flow: pushdown.Flow, source: pushdown.Dataset) -> None:
    ordered = source.sort("k DESC", name="by_key")
    kept = ordered.filter("q > 2", name="kept")
    renamed = kept.prepare([{"rename": {"k": "key"}}, {"compute": {"twice": "key * 2"}}], name="r")
    windowed = renamed.window({"rank_q": "rank()"}, partition_by=["q"], order_by=["s"], name="w")
    windowed.prepare([{"keep": ["s", "rank_q"]}], name="result")  # drops the sort key


def _expected() -> list[str]:
    return [f"v{k:05d}" for k in sorted(KEYS, reverse=True) if k % 10 > 2]


def test_order_survives_one_for_one_steps_locally() -> None:
    flow = pushdown.Flow()
    _chain(flow, flow.dataset("items", data=ROWS))
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrderLostWarning)
        plan = pushdown.plan(flow)
    got = plan.execute()["result"]
    assert got.column_names == ["s", "rank_q"]
    assert got.column("s").to_pylist() == _expected()
    assert plan.fragment_sql().rstrip(";").rstrip().splitlines()[-1].strip().endswith("DESC")


def test_order_survives_in_place_and_in_another_engines_sql(tmp_path: Path) -> None:
    path = tmp_path / "wh.db"
    con = duckdb.connect(str(path))
    con.register("src", ROWS)
    con.execute("CREATE TABLE items AS SELECT * FROM src")
    con.close()
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{path}")
    _chain(flow, flow.dataset("items", connection="wh", table="items"))
    plan = pushdown.plan(flow)
    assert {s.engine for s in plan.steps.values()} == {"wh"}
    assert plan.execute()["result"].column("s").to_pylist() == _expected()
    spark_sql = plan.flow_sql("spark")
    assert spark_sql.rstrip(";").splitlines()[-2:] == ["ORDER BY", "  `_pushdown_order_2` DESC"]


def test_a_join_after_a_sort_drops_the_order_with_a_note_and_a_warning() -> None:
    flow = pushdown.Flow()
    items = flow.dataset("items", data=ROWS)
    other = flow.dataset("other", data=pa.table({"k": [1, 2], "x": [1, 2]}))
    items.sort("k", name="by_key").join(other, on=["k"], name="joined")
    with pytest.warns(OrderLostWarning, match="sort 'by_key'.*'joined' \\(a join step"):
        plan = pushdown.plan(flow)
    assert "order dropped at 'joined'" in plan.explain()


def test_a_step_in_another_statement_drops_the_order(tmp_path: Path) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{tmp_path / 'wh.db'}")
    items = flow.dataset("items", data=ROWS)
    items.sort("k", name="by_key").filter("q > 2", name="kept")
    with pytest.warns(OrderLostWarning, match="'kept' \\(it runs in another statement"):
        pushdown.plan(flow, pin={"by_key": "local", "kept": "wh"})


def test_an_order_that_reaches_a_result_is_only_noted_where_it_is_dropped(
    tmp_path: Path,
) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{tmp_path / 'wh.db'}")
    items = flow.dataset("items", data=ROWS)
    other = flow.dataset("other", data=pa.table({"k": [1, 2], "x": [1, 2]}))
    kept = items.sort("k", name="by_key").filter("q > 2", name="kept")
    kept.join(other, on=["k"], name="joined")
    flow.output(kept, connection="wh", table="kept")
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrderLostWarning)
        plan = pushdown.plan(flow)
    assert "order dropped at 'joined'" in plan.explain()
    result = plan.execute()["kept"]
    assert result.column("k").to_pylist() == sorted(k for k in KEYS if k % 10 > 2)
