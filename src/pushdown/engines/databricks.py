"""Databricks through databricks-sql-connector.

URL: ``databricks://token:${DATABRICKS_TOKEN}@HOST[:PORT]?http_path=...&catalog=...&schema=...``;
other connector arguments (``credentials_provider``, ``_tls_trusted_ca_file``, ...) go in
``connect_args``.  Results come as Arrow (``fetchall_arrow``); uploads create the table and
insert batches of rows (``INSERT ... VALUES``, literals built by sqlglot), as on Hive, whose
connector this one extends.  A Volumes/COPY INTO upload path is left for workspaces that allow
it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from pushdown.engines.hive import HiveConnector
from pushdown.profiles import Profile


def _native_nested(table: pa.Table, kinds: list[str]) -> pa.Table:
    """Arrays, structs and maps a server sent as JSON text (a Spark Thrift server without
    Arrow results does) become Arrow nested values, their types inferred from the values;
    Databricks SQL warehouses send them as native Arrow already and pass through."""
    if len(kinds) != table.num_columns:
        return table
    for i, kind in enumerate(kinds):
        column = table.column(i)
        if kind in ("array", "struct", "map") and pa.types.is_string(column.type):
            values = [None if v is None else json.loads(v) for v in column.to_pylist()]
            table = table.set_column(i, table.field(i).name, pa.array(values))
    return table


class DatabricksConnector(HiveConnector):
    """A Databricks SQL warehouse or cluster."""

    def __init__(
        self,
        name: str,
        profile: Profile,
        url: sa.engine.URL,
        connect_args: dict[str, Any] | None = None,
    ):
        self.name = name
        self.profile = profile
        from databricks import sql

        args = dict(connect_args or {})
        query = {k: v if isinstance(v, str) else v[0] for k, v in url.query.items()}
        options: dict[str, Any] = {
            "server_hostname": url.host,
            "http_path": query.pop("http_path", None),
            **({"catalog": query.pop("catalog")} if "catalog" in query else {}),
            **({"schema": query.pop("schema")} if "schema" in query else {}),
        }
        if url.port:
            options["_port"] = url.port
        if "credentials_provider" not in args and url.password:
            options["access_token"] = url.password
        options.setdefault("enable_telemetry", False)
        options.update(args)
        self._running: set[Any] = set()  # cursors with a statement in flight
        with self.errors():
            self.con = sql.connect(**options)

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and fetch Python rows (DB-API)."""
        with self.errors(sql):
            cursor = self.con.cursor()
            try:
                cursor.execute(sql)
                rows = [tuple(r) for r in cursor.fetchall()]
            finally:
                cursor.close()
        return rows

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return ``fetchall_arrow``'s table."""
        with self.errors(sql):
            cursor = self.con.cursor()
            self._running.add(cursor)
            try:
                cursor.execute(sql)
                table: pa.Table = cursor.fetchall_arrow()
                kinds = [str(d[1]).lower() for d in cursor.description or []]
            finally:
                self._running.discard(cursor)
                cursor.close()
        return _native_nested(table, kinds)

    def _execute(self, sql: str) -> Any:
        cursor = self.con.cursor()
        self._running.add(cursor)
        try:
            cursor.execute(sql)
        finally:
            self._running.discard(cursor)
            cursor.close()

    def cancel(self) -> None:
        """Cancel the statements running on this connection (``Cursor.cancel``, which the
        driver allows from another thread)."""
        for cursor in list(self._running):
            with contextlib.suppress(Exception):
                cursor.cancel()
        return None

    def close(self) -> None:
        """Close the connection."""
        self.con.close()
