"""Names that reach temporary tables and printed SQL (issue #12, items 3-5): every dataset
gets its own temporary table, every run its own namespace, and a name can never break out of
a ``--`` comment in the SQL a plan prints."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pyarrow as pa

import pushdown
from pushdown.compilers.statements import comment_safe, temp_name
from pushdown.planner.fragments import Fragment
from tests.helpers import duckdb_file


def _tables(url: str) -> set[str]:
    con = duckdb.connect(url.removeprefix("duckdb:///"), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()


def test_temp_names_are_unique_per_dataset_and_run() -> None:
    colliding = ["a b", "a.b", "a_b", "x" * 40 + "one", "x" * 40 + "two", "Lookup", "lookup"]
    names = {temp_name("p1", name) for name in colliding}
    assert len(names) == len(colliding)
    # Engines may fold case: the names stay distinct in lower case too.
    assert len({name.lower() for name in names}) == len(colliding)
    assert temp_name("p1", "a", "run1") != temp_name("p1", "a", "run2")
    assert all(len(name) < 64 for name in names)


def test_datasets_sharing_a_sanitised_name_move_to_their_own_tables(tmp_path: Path) -> None:
    """``a b`` and ``a.b`` once shared one temporary table: the join read one side twice."""
    left = pa.table({"k": [1, 2, 3], "x": ["l1", "l2", "l3"]})
    right = pa.table({"k": [1, 2, 3], "y": ["r1", "r2", "r3"]})
    src = duckdb_file(tmp_path / "src.db", left=left, right=right)
    dst = duckdb_file(tmp_path / "dst.db", other=pa.table({"k": [0]}))
    flow = pushdown.Flow()
    flow.connection("src", src)
    flow.connection("dst", dst)
    a = flow.dataset("a b", connection="src", table="left")
    b = flow.dataset("a.b", connection="src", table="right")
    joined = a.join(b, on=["k"], name="joined")
    plan = pushdown.plan(flow, pin={"joined": "dst", "a b": "src", "a.b": "src"})
    assert plan.steps["joined"].engine == "dst"
    result = plan.execute()
    got = sorted(result[joined.name].to_pylist(), key=lambda r: r["k"])
    assert [(r["x"], r["y"]) for r in got] == [("l1", "r1"), ("l2", "r2"), ("l3", "r3")]
    uploaded = [name for engine, name in result.temp_tables if engine == "dst"]
    assert len(set(uploaded)) == 2
    assert not {t for t in _tables(dst) if t.startswith("_pushdown_")}


def test_two_runs_of_one_flow_at_once_keep_their_own_rows(tmp_path: Path) -> None:
    """Two workers run the same flow over different in-memory data, overlapping on purpose:
    each reads its own upload (the plan id hashes only the flow's definition)."""
    wh = duckdb_file(tmp_path / "wh.db", prices=pa.table({"k": [1, 2], "price": [10.0, 20.0]}))

    def flow_over(rows: pa.Table) -> pushdown.Flow:
        flow = pushdown.Flow()
        flow.connection("wh", wh)
        orders = flow.dataset("orders", data=rows)
        prices = flow.dataset("prices", connection="wh", table="prices")
        orders.join(prices, on=["k"], name="priced")
        return flow

    first = flow_over(pa.table({"k": [1], "qty": [1]}))
    second = flow_over(pa.table({"k": [2], "qty": [2]}))
    plans = [pushdown.plan(f, pin={"priced": "wh"}) for f in (first, second)]
    assert plans[0].id == plans[1].id  # same definition, same plan id
    both_uploaded = threading.Barrier(2, timeout=60)

    def overlap(fragment: Fragment) -> None:
        if fragment.engine == "wh":
            both_uploaded.wait()

    results: list[pushdown.RunResult] = [None, None]  # type: ignore[list-item]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = plans[i].execute(before_fragment=overlap)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert results[0]["priced"].to_pylist() == [{"k": 1, "qty": 1, "price": 10.0}]
    assert results[1]["priced"].to_pylist() == [{"k": 2, "qty": 2, "price": 20.0}]
    assert results[0].run_id != results[1].run_id
    assert not {t for t in _tables(wh) if t.startswith("_pushdown_")}


def test_names_cannot_break_out_of_printed_comments(tmp_path: Path) -> None:
    hostile = "recent\nDROP TABLE victim; --"
    wh = duckdb_file(tmp_path / "wh.db", orders=pa.table({"id": [1, 2], "amount": [5.0, 50.0]}))
    flow = pushdown.Flow()
    flow.connection("wh", wh)
    orders = flow.dataset("orders", connection="wh", table="orders")
    orders.filter("amount > 10", name=hostile)
    plan = pushdown.plan(flow)
    for text in (
        plan.fragment_sql(),
        plan.fragment_sql("wh"),
        plan.explain(),
        plan.explain(verbose=True),
    ):
        lines = text.splitlines()
        assert not any(line.lstrip().upper().startswith("DROP") for line in lines), text
    assert "-- recent\\nDROP TABLE victim; --" in plan.fragment_sql()
    # What runs is the same flow: the printed script executes as written.
    script = plan.fragment_sql("wh")
    con = duckdb.connect(wh.removeprefix("duckdb:///"))
    try:
        con.execute("CREATE TABLE victim AS SELECT 1 AS x")
        con.execute(script)
        assert con.execute("SELECT count(*) FROM victim").fetchone() == (1,)
    finally:
        con.close()


def test_comment_safe_escapes_every_line_break() -> None:
    for brk in ("\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x00"):
        assert brk not in comment_safe(f"a{brk}b")
        assert len(f"-- a{comment_safe(brk)}b".splitlines()) == 1
    assert comment_safe("plain name ünïcode") == "plain name ünïcode"
