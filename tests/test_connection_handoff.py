"""One connection per ``plan(flow).execute()`` (issue 11): the connections plan() opened are
reused by the plan's first run and closed at its end; none leaks (real DuckDB files)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

import pushdown
from pushdown import api, run
from pushdown.engines import handoff
from pushdown.engines.base import Connector
from pushdown.planner.gather import CACHE


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Connector]:
    """Every connector plan() and execute() open, in order."""
    seen: list[Connector] = []

    def recording(module: Any) -> Any:
        real = module.open_connector

        def open_and_record(*args: Any) -> Connector:
            conn = real(*args)
            seen.append(conn)
            return conn

        return open_and_record

    monkeypatch.setattr(api, "open_connector", recording(api))
    monkeypatch.setattr(run, "open_connector", recording(run))
    return seen


def _closed(conn: Connector) -> bool:
    try:
        conn.con.execute("SELECT 1").fetchall()  # type: ignore[attr-defined]
    except duckdb.ConnectionException:
        return True
    return False


def _flow(path: Path) -> pushdown.Flow:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT i AS k, i % 3 AS g FROM range(100) r(i)")
    con.close()
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{path}")
    flow.dataset("t", connection="wh", table="t").group(["g"], {"n": "count(*)"}, name="per_g")
    return flow


def test_plan_then_execute_opens_one_connection_and_closes_it(
    tmp_path: Path, opened: list[Connector]
) -> None:
    plan = pushdown.plan(_flow(tmp_path / "a.duckdb"))
    assert len(opened) == 1 and not _closed(opened[0])
    result = plan.execute()
    assert sorted(result["per_g"].column("n").to_pylist()) == [33, 33, 34]
    assert len(opened) == 1  # the run used plan()'s connection
    assert _closed(opened[0])
    plan.execute()  # a second run opens (and closes) its own
    assert len(opened) == 2 and _closed(opened[1])


def test_a_plan_never_executed_closes_its_connections(
    tmp_path: Path, opened: list[Connector]
) -> None:
    plan = pushdown.plan(_flow(tmp_path / "a.duckdb"))
    del plan
    gc.collect()
    assert len(opened) == 1 and _closed(opened[0])
    again = pushdown.plan(_flow(tmp_path / "b.duckdb"))
    again.close()
    assert _closed(opened[1])
    again.execute()  # still runs, on a connection of its own
    assert len(opened) == 3 and _closed(opened[2])


def test_kept_connections_expire(
    tmp_path: Path, opened: list[Connector], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff, "KEEP_S", 0.0)
    plan = pushdown.plan(_flow(tmp_path / "a.duckdb"))
    assert plan._kept is not None
    plan._kept.keep_s = -1.0  # kept too long: a server may have dropped the session
    plan.execute()
    assert len(opened) == 2 and all(_closed(c) for c in opened)


def test_a_failed_run_closes_them_too(tmp_path: Path, opened: list[Connector]) -> None:
    path = tmp_path / "a.duckdb"
    plan = pushdown.plan(_flow(path))
    opened[0].execute("DROP TABLE t")  # the run will fail
    with pytest.raises(pushdown.PushdownError):
        plan.execute()
    assert len(opened) == 1 and _closed(opened[0])


def test_planning_that_fails_closes_what_it_opened(
    tmp_path: Path, opened: list[Connector]
) -> None:
    with pytest.raises(pushdown.PushdownError):
        pushdown.plan(_flow(tmp_path / "a.duckdb"), pin={"nope": "local"})
    assert len(opened) == 1 and _closed(opened[0])
