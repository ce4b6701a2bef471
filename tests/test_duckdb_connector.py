"""The DuckDB connector on real DuckDB files: the Arrow schemas of zero-row results it keeps
(engines/duckdb.py, ``DuckDBConnector.result_schema``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from pushdown.engines import open_connector
from tests.helpers import orders_customers_database


def test_duckdb_schemas_read_again_see_a_rebuilt_table(tmp_path: Path) -> None:
    """The schema read binds the statement and takes the Arrow schema those names and types
    gave before (engines/duckdb.py, result_schema): other types or names are read anew."""
    path = tmp_path / "a.duckdb"
    url = orders_customers_database(path)

    def read() -> pa.Schema:
        conn = open_connector("wh", url, None)
        try:
            got = conn.table_schemas(["customers", "orders"])["customers"]
            assert conn.table_schema("customers") == got
            assert isinstance(got, pa.Schema)
            return got
        finally:
            conn.close()

    assert read() == pa.schema([("c_id", pa.int64()), ("c_nation", pa.int64())])
    assert read() == pa.schema([("c_id", pa.int64()), ("c_nation", pa.int64())])
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE customers")
    con.execute("CREATE TABLE customers AS SELECT i::INT AS c_id, 'x' AS c_name FROM range(3) t(i)")
    con.close()
    assert read() == pa.schema([("c_id", pa.int32()), ("c_name", pa.string())])


def test_duckdb_time_zone_columns_follow_the_setting(tmp_path: Path) -> None:
    """A TIMESTAMP WITH TIME ZONE's Arrow type names the connection's time zone: never taken
    from an earlier read."""
    path = tmp_path / "a.duckdb"
    con = duckdb.connect(str(path))  # kept open: the connectors share its database
    con.execute("SET GLOBAL TimeZone = 'UTC'")
    con.execute("CREATE TABLE t AS SELECT TIMESTAMPTZ '2020-01-01 00:00:00+00' AS ts, 1 AS n")
    con.execute("CREATE TABLE u AS SELECT 1 AS m")

    def tz() -> str:
        conn = open_connector("wh", f"duckdb:///{path}", None)
        try:
            got = conn.table_schemas(["t", "u"])["t"]
            assert isinstance(got, pa.Schema)
            return str(got.field("ts").type.tz)
        finally:
            conn.close()

    try:
        assert tz() in ("UTC", "Etc/UTC")
        con.execute("SET GLOBAL TimeZone = 'America/New_York'")
        assert tz() == "America/New_York"
    finally:
        con.close()
