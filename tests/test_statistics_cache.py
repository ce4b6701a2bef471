"""Statistics in tiers and the statistics cache shared by plan() calls (issue 11 items 1, 2, 4),
on real DuckDB files."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

import pushdown
from pushdown import api
from pushdown.engines import duckdb as duckdb_engine
from pushdown.engines import open_connector
from pushdown.errors import InvalidValueError, PushdownError
from pushdown.plan.build import build_logical_plan
from pushdown.planner.disk_cache import DiskCache
from pushdown.planner.gather import (
    CACHE,
    Entry,
    StatisticsCache,
    cache_key,
    statistic_columns,
)
from pushdown.statistics import ColumnStats, TableStats
from tests.helpers import orders_customers_flow as _flow


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    CACHE.clear()
    ttl = CACHE.ttl_s
    yield
    CACHE.clear()
    CACHE.ttl_s = ttl


def _database(path: Path, rows: int = 50_000) -> str:
    con = duckdb.connect(str(path))
    con.execute(
        f"CREATE TABLE orders AS SELECT i AS o_id, i % 500 AS o_cust, i % 7 AS o_status, "
        f"'note ' || i AS o_note FROM range({rows}) t(i)"
    )
    con.execute(
        "CREATE TABLE customers AS SELECT i AS c_id, 'name ' || i AS c_name, i % 25 AS c_nation "
        "FROM range(500) t(i)"
    )
    con.close()
    return f"duckdb:///{path}"


def test_only_key_and_filter_columns_get_column_statistics(tmp_path: Path) -> None:
    flow = _flow(_database(tmp_path / "a.duckdb"))
    logical = build_logical_plan(
        flow,
        read_schema=lambda ds: open_connector("wh", flow.spec.connections["wh"], None).table_schema(
            ds.table or ""
        ),
    )
    assert statistic_columns(logical) == {
        "orders": {"o_status", "o_cust"},
        "customers": {"c_id", "c_nation"},
    }


def test_a_second_plan_issues_no_statistics_statement(tmp_path: Path) -> None:
    url = _database(tmp_path / "a.duckdb")
    first = pushdown.plan(_flow(url))
    # Both schemas in one statement; one catalog statement for both tables, one sampled
    # aggregate per table.
    assert first.planning_statements["wh"] == {"schema": 1, "statistics": 3}
    assert first.placement["orders"].rows == 50_000
    again = pushdown.plan(_flow(url))  # by default the schemas are read again, one statement
    assert again.planning_statements["wh"] == {"schema": 1, "statistics": 0}
    second = pushdown.plan(_flow(url), statistics="cached")
    assert second.planning_statements["wh"] == {"schema": 0, "statistics": 0}
    assert second.placement["orders"].rows == 50_000
    assert second.fragment_sql() == first.fragment_sql()
    text = second.explain(verbose=True)
    assert "Statements while planning" in text
    assert "wh: 0 for schemas, 0 for statistics" in text
    fresh = pushdown.plan(_flow(url), statistics="fresh")
    assert fresh.planning_statements["wh"]["statistics"] == 3
    off = pushdown.plan(_flow(url), statistics="off")
    assert off.planning_statements["wh"]["statistics"] == 0
    assert off.placement["orders"].rows != 50_000  # the default size


def test_expired_entries_are_confirmed_by_the_catalog_or_gathered_again(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    url = _database(path)
    pushdown.plan(_flow(url))
    CACHE.ttl_s = 0.0  # everything expired
    unchanged = pushdown.plan(_flow(url))
    # The schemas read again in one statement; the catalog only for statistics.
    assert unchanged.planning_statements["wh"] == {"schema": 1, "statistics": 1}
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO orders SELECT * FROM orders")
    con.close()
    changed = pushdown.plan(_flow(url))
    assert changed.planning_statements["wh"]["statistics"] == 2  # catalog + orders again
    assert changed.placement["orders"].rows == 100_000


def test_a_plan_needing_other_columns_gathers_them(tmp_path: Path) -> None:
    url = _database(tmp_path / "a.duckdb")
    pushdown.plan(_flow(url))
    flow = _flow(url)
    flow["orders"].group(["o_note"], {"n": "count(*)"}, name="per_note")
    plan = pushdown.plan(flow)
    assert plan.planning_statements["wh"]["statistics"] == 2  # catalog + orders' o_note
    assert plan.placement["per_note"].rows == pytest.approx(50_000, rel=0.1)
    again = pushdown.plan(_flow(url))  # the earlier columns are still covered
    assert again.planning_statements["wh"]["statistics"] == 0


def test_large_tables_are_sampled_and_key_counts_scaled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb_engine, "SAMPLE_ROWS", 5_000)
    url = _database(tmp_path / "a.duckdb", rows=200_000)
    conn = open_connector("wh", url, None)
    try:
        stats = conn.table_stats("orders", ["o_id", "o_status"])
        assert conn.statements == 2  # the catalog, then one sampled aggregate
    finally:
        conn.close()
    assert stats.rows == 200_000
    # A key (every value once) is scaled from the sample to the table; a few values are kept.
    assert stats.columns["o_id"].ndv == pytest.approx(200_000, rel=0.3)
    assert stats.columns["o_status"].ndv == pytest.approx(7, abs=1)


def test_a_size_the_catalog_read_answers_table_stats_without_a_statement(tmp_path: Path) -> None:
    """The base connector's contract (every warehouse connector fills it from its
    ``catalog_rows``): a table whose count came with a size kept by ``_keep_size`` is
    answered from them, labelled ``catalog_source`` (the connection's name by default); any
    other table is read by the connector's own ``_read_stats``."""
    conn = open_connector("wh", _database(tmp_path / "a.duckdb"), None)
    try:
        conn._keep_size("orders", 4096.0)
        kept = conn.table_stats("orders", ["o_status"], 50_000.0)
        assert conn.statements == 0
        assert (kept.rows, kept.bytes, kept.source, kept.columns) == (50_000.0, 4096.0, "wh", {})
        conn.catalog_source = "the catalog"
        assert conn.table_stats("orders", None, 7.0).source == "the catalog"
        assert conn.statements == 0
        read = conn.table_stats("customers", ["c_nation"], 500.0)  # no size kept: read
        assert conn.statements > 0 and read.columns["c_nation"].ndv == pytest.approx(25, abs=2)
        conn.table_stats("orders", ["o_status"])  # no count given: read, not the kept size
        assert conn.statements > 1
    finally:
        conn.close()


def test_an_empty_sample_is_read_again_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sample of one row in 200,000 picks no 2,048-row vector at all nearly always; the
    # statistics must then come from the whole table, not be a distinct count of zero.
    monkeypatch.setattr(duckdb_engine, "SAMPLE_ROWS", 1)
    monkeypatch.setattr(duckdb_engine, "SAMPLE_VECTORS", 0)
    url = _database(tmp_path / "a.duckdb", rows=200_000)
    conn = open_connector("wh", url, None)
    try:
        stats = conn.table_stats("orders", ["o_status"])
    finally:
        conn.close()
    assert stats.columns["o_status"].ndv == pytest.approx(7, abs=1)
    assert stats.columns["o_status"].min == 0 and stats.columns["o_status"].max == 6


def test_statistics_mode_is_checked(tmp_path: Path) -> None:
    url = _database(tmp_path / "a.duckdb")
    with pytest.raises(InvalidValueError, match="cached, fresh, off"):
        pushdown.plan(_flow(url), statistics="sometimes")  # type: ignore[arg-type]


def test_in_memory_databases_are_never_cached() -> None:
    """``:memory:`` is a new, empty database per connection: nothing read there is reused."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    flow.dataset("t", connection="wh", table="t", columns={"k": "bigint"}).filter("k > 1", name="f")
    first = pushdown.plan(flow)
    second = pushdown.plan(flow)
    assert first.planning_statements["wh"]["statistics"] > 0
    assert (
        second.planning_statements["wh"]["statistics"]
        == (first.planning_statements["wh"]["statistics"])
    )
    assert not CACHE._entries
    assert "default statistics: wh gave none" in second.explain()


def test_schemas_of_a_connection_are_read_in_one_statement(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    url = _database(path)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA s")
    con.execute(
        "CREATE TABLE s.odd AS SELECT 1.5::DECIMAL(15, 2) AS d, [1, 2] AS l, "
        "{'k': 'v'} AS st, DATE '2020-01-01' AS dt, NOW() AS ts, 1 AS \"__pushdown_row_0\""
    )
    con.execute('CREATE TABLE s.clash AS SELECT 1 AS a, 2 AS "__pushdown_table_0"')
    con.close()
    conn = open_connector("wh", url, None)
    try:
        tables = ["orders", "s.odd", "customers"]
        before = conn.statements
        batched = conn.table_schemas(tables)
        assert conn.statements == before + 1
        for table in tables:
            assert batched[table] == conn.table_schema(table)
        # A column named like a table marker, or a missing table: asked one by one, and the
        # missing one's error names it.
        before = conn.statements
        clash = conn.table_schemas(["s.clash", "orders"])
        assert conn.statements == before + 3
        assert clash["s.clash"] == conn.table_schema("s.clash")
        assert clash["s.clash"].names == ["a", "__pushdown_table_0"]
        assert clash["orders"] == conn.table_schema("orders")
        missing = conn.table_schemas(["orders", "nope"])
        assert missing["orders"] == conn.table_schema("orders")
        assert isinstance(missing["nope"], PushdownError)
        assert "nope" in str(missing["nope"])
    finally:
        conn.close()


def test_a_second_plan_opens_no_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _database(tmp_path / "a.duckdb")
    pushdown.plan(_flow(url))
    opened: list[str] = []
    real = api.open_connector

    def counting(name: str, *args: Any) -> Any:
        opened.append(name)
        return real(name, *args)

    monkeypatch.setattr(api, "open_connector", counting)
    pushdown.plan(_flow(url), statistics="cached")
    assert opened == []


def test_an_output_a_run_writes_is_read_again(tmp_path: Path) -> None:
    url = _database(tmp_path / "a.duckdb")
    flow = _flow(url)
    flow.output("per_nation", connection="wh", table="summary")
    pushdown.plan(flow).execute()
    reader = pushdown.Flow()
    reader.connection("wh", url)
    reader.dataset("summary", connection="wh", table="summary").filter("n > 0", name="some")
    assert pushdown.plan(reader).placement["summary"].rows == 25
    flow = _flow(url)
    flow["customers"].group(["c_nation", "c_name"], {"n": "count(*)"}, name="finer")
    flow.output("finer", connection="wh", table="summary")
    pushdown.plan(flow).execute()
    again = pushdown.plan(reader)  # the new schema and row count, not the cached ones
    assert again.logical.nodes["summary"].columns == ["c_nation", "c_name", "n"]
    assert again.placement["summary"].rows == 500


def test_a_spent_statistics_budget_stops_the_sampled_statistics(tmp_path: Path) -> None:
    url = _database(tmp_path / "a.duckdb")
    none = pushdown.plan(_flow(url), statistics_budget=0)
    # The catalog's row counts only: no sampled statement, nothing cached.
    assert none.planning_statements["wh"]["statistics"] == 1
    assert none.placement["orders"].rows == 50_000
    text = none.explain()
    assert "statistics budget of 0 s was spent" in text
    assert not CACHE._entries
    ample = pushdown.plan(_flow(url), statistics_budget=3600)
    assert ample.planning_statements["wh"]["statistics"] == 3
    assert "budget" not in ample.explain()
    # The filter's selectivity used the sampled distinct count of o_status (7 values) only
    # when the statistics were gathered.
    assert ample.placement["open_orders"].rows != none.placement["open_orders"].rows
    with pytest.raises(InvalidValueError, match="statistics_budget"):
        pushdown.plan(_flow(url), statistics_budget=-1)


def test_the_statistics_cache_on_disk_serves_another_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _database(tmp_path / "a.duckdb")
    folder = tmp_path / "cache"
    first = pushdown.plan(_flow(url), statistics_cache=folder)
    assert first.planning_statements["wh"]["statistics"] == 3
    CACHE.clear()  # as a new process would start
    second = pushdown.plan(_flow(url), statistics_cache=folder)
    assert second.planning_statements["wh"] == {"schema": 1, "statistics": 0}
    assert second.placement["orders"].rows == 50_000
    assert second.fragment_sql() == first.fragment_sql()
    CACHE.clear()
    monkeypatch.setenv("PUSHDOWN_STATS_CACHE", str(folder))  # the variable names it too
    assert pushdown.plan(_flow(url)).planning_statements["wh"]["statistics"] == 0
    CACHE.clear()
    CACHE.ttl_s = 0.0  # expired entries on disk are confirmed by the catalog, as in memory
    assert pushdown.plan(_flow(url)).planning_statements["wh"]["statistics"] == 1
    monkeypatch.delenv("PUSHDOWN_STATS_CACHE")
    CACHE.clear()
    assert pushdown.plan(_flow(url)).planning_statements["wh"]["statistics"] == 3


def test_the_disk_cache_never_writes_a_password(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    disk = DiskCache(folder)
    cache = StatisticsCache()
    key = cache_key("snowflake://etl:hunter2-secret@acct/db?token=tok-9", {"password": "pw-7"})
    other = cache_key("snowflake://etl:changed-pw@acct/db?token=other", {"password": "pw-8"})
    stats = TableStats(
        rows=10.0,
        columns={
            "d": ColumnStats(ndv=3.0, min=dt.date(2020, 1, 1), max=dt.date(2021, 1, 1)),
            "s": ColumnStats(ndv=2.0, min="alice", max="zed"),
            "p": ColumnStats(ndv=5.0, min=Decimal("1.50"), max=Decimal("9.25")),
        },
        source="wh",
    )
    cache.put((key, "t"), Entry(stats, frozenset({"d", "s", "p"}), 10.0, time.monotonic()))
    disk.save(key, cache)
    (path,) = folder.iterdir()
    assert path == disk.path(key) == disk.path(other)  # keyed without the credentials
    text = path.read_text()
    for secret in ("hunter2", "tok-9", "pw-7", "etl", "acct"):
        assert secret not in text and secret not in path.name
    assert "alice" not in text  # no text value of the data either
    assert path.stat().st_mode & 0o077 == 0
    loaded = StatisticsCache()
    disk.load(other, loaded)
    entry = loaded.get((other, "t"))
    assert entry is not None
    assert entry.stats.columns["d"].max == dt.date(2021, 1, 1)
    assert entry.stats.columns["p"].min == Decimal("1.50")
    assert entry.stats.columns["s"].min is None
    path.write_text("not json")  # a damaged file is ignored
    disk.load(key, StatisticsCache())
