"""Execution: outputs written atomically, the demo command, placement reasons."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import pushdown
from tests.cases import ORDERS, SCHEMAS

ROOT = Path(__file__).resolve().parents[1]


def _warehouse(tmp_path: Path) -> str:
    path = tmp_path / "wh.db"
    con = duckdb.connect(str(path))
    con.register("src", ORDERS)
    con.execute("CREATE TABLE orders AS SELECT * FROM src")
    con.execute("CREATE TABLE summary AS SELECT 'old' AS marker")
    con.close()
    return str(path)


def _summary(path: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute("SELECT * FROM summary ORDER BY ALL").fetchall()
    finally:
        con.close()


def _flow(path: str, fail: bool) -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{path}")
    orders = flow.dataset("orders", connection="wh", table="orders")
    summary = orders.group(["status"], {"n": "count(*)"}, name="summary")
    flow.output(summary, connection="wh", table="summary")

    def check(batch: pa.RecordBatch) -> pa.RecordBatch:
        if fail:
            raise RuntimeError("injected failure after the output was computed")
        return batch

    orders.python(check, {c: t for c, t in SCHEMAS["orders"].items()}, name="checked")
    return flow


def test_output_written_after_success(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    result = pushdown.plan(_flow(path, fail=False)).execute()
    assert set(result) == {"summary", "checked"}
    assert sorted(_summary(path), key=str) == sorted(
        [(s, n) for s, n in zip(*result["summary"].to_pydict().values(), strict=True)], key=str
    )


def test_failed_run_leaves_old_output_untouched(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    with pytest.raises(pushdown.PythonStepError, match="injected failure"):
        pushdown.plan(_flow(path, fail=True)).execute()
    assert _summary(path) == [("old",)]


def test_multi_table_write_is_all_or_nothing(tmp_path: Path) -> None:
    from pushdown.engines import open_connector

    path = _warehouse(tmp_path)
    conn = open_connector("wh", f"duckdb:///{path}")
    try:
        good = pa.table({"marker": ["new"]})
        with pytest.raises(pushdown.EngineError):
            conn.write_tables({"summary": good, "no_such_schema.t": good})
    finally:
        conn.close()
    assert _summary(path) == [("old",)]


def test_local_step_reason_names_engine_and_construct() -> None:
    flow = pushdown.Flow()
    flow.connection("lake", "hive://etl@hadoop:10000/default")
    orders = flow.dataset("orders", connection="lake", table="orders", columns=SCHEMAS["orders"])
    orders.group(["status"], {"m": "median(amount)", "n": "count(*)"}, name="g")
    plan = pushdown.plan(flow, engine_statistics=False)
    assert plan.steps["g"].engine == "local"
    assert plan.steps["g"].reason.startswith("MEDIAN is not supported on hive")
    assert "MEDIAN is not supported on hive" in plan.explain()


def test_demo_command_runs(tmp_path: Path) -> None:
    """The README's demo command (after installation): generate, plan, run, print.  It runs on
    a copy of ``examples/retail`` so the data it generates (3,000 orders) lands in a temporary
    folder, never over the committed demo's ``examples/data``."""
    import shutil

    demo = tmp_path / "examples" / "retail"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "examples" / "retail", demo, ignore=skip)
    before = _stat(ROOT / "examples" / "data" / "retail.db")
    proc = subprocess.run(
        [sys.executable, str(demo / "demo.py"), "--orders", "3000"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path / "examples",  # any folder: the flow file's paths are relative to it
        env={**os.environ, "COLUMNS": "100"},
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for needle in (
        "steps on 2 engine(s)",
        "warehouse (duckdb)",
        "Transfers:",
        "Python steps run locally",
        "-- customer_orders",
        "WITH",
        "revenue_trend (",
        "at_risk_customers (10 rows)",
        "wrote table revenue_trend",
    ):
        assert needle in out, needle
    con = duckdb.connect(str(tmp_path / "examples" / "data" / "retail.db"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 3000  # type: ignore[index]
        assert con.execute("SELECT count(*) FROM revenue_trend").fetchone()[0] > 0  # type: ignore[index]
    finally:
        con.close()
    assert _stat(ROOT / "examples" / "data" / "retail.db") == before  # untouched


def _stat(path: Path) -> tuple[float, int] | None:
    return (path.stat().st_mtime, path.stat().st_size) if path.exists() else None


def test_interrupt_cancels_the_running_query(tmp_path: Path) -> None:
    """Ctrl-C while a long query runs in place: the query is interrupted on the engine (not
    waited for), temporary tables are dropped, no output is written."""
    import _thread
    import threading
    import time

    path = _warehouse(tmp_path)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{path}")
    flow.dataset("orders", connection="wh", table="orders")
    local = flow.dataset("numbers", data=pa.table({"n": pa.array(range(30_000), pa.int64())}))
    slow = (
        flow["orders"]
        .join(local, how="cross", name="pairs")
        .join(local, how="cross", right_suffix="_2", name="triples")
    )
    slow.group([], {"total": "sum(n * n_2 * qty)"}, name="total")
    flow.output("total", connection="wh", table="summary")
    plan = pushdown.plan(flow, pin={"pairs": "wh", "triples": "wh", "total": "wh"})
    timer = threading.Timer(1.0, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            plan.execute()
    finally:
        timer.cancel()
    # Run to the end, the 9-billion-row product takes about 15 s here.
    assert time.perf_counter() - start < 8
    assert _summary(path) == [("old",)]
    con = duckdb.connect(path, read_only=True)
    try:
        left = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_pushdown_%'"
        ).fetchall()
    finally:
        con.close()
    assert left == []
