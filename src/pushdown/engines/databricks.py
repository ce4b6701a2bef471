"""Databricks through databricks-sql-connector.

URL: ``databricks://token:${DATABRICKS_TOKEN}@HOST[:PORT]?http_path=...&catalog=...&schema=...``;
other connector arguments (``credentials_provider``, ``_tls_trusted_ca_file``, ...) go in
``connect_args``.  Results come as Arrow (``fetchall_arrow``); uploads create the table (Delta,
the default format; naive timestamps as ``TIMESTAMP_NTZ``) and insert batches of rows
(``INSERT ... VALUES``, literals built by sqlglot), as on Hive, whose connector this one
extends.  Outputs are replaced atomically with ``CREATE OR REPLACE TABLE ... AS SELECT``.  A
Volumes/COPY INTO upload path is left for workspaces that allow it.

Sessions are opened with the profile's session settings (``[session]`` in
``dialects/databricks.toml``: ``spark.sql.variable.substitute=false``, so ``${...}`` in
pushdown's SQL reaches the engine as written) as ``session_configuration``, a connection's own
``session_configuration`` applied over them, and with bounded connect and retries
(``connect_timeout``, ``retries``: :mod:`pushdown.engines.options`).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlglot import exp

from pushdown.compilers.ddl import create_table_as, drop_table, rename_table
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector, staging_name
from pushdown.engines.hive import FETCH_ROWS, HiveConnector
from pushdown.engines.hive_catalog import columns_by_table
from pushdown.engines.hive_text import is_complex, read_column, readable
from pushdown.engines.options import ConnectOptions, split_options, with_retries
from pushdown.errors import EngineError
from pushdown.local.streams import Arrow, as_reader, guarded
from pushdown.profiles import Profile

# The socket timeout once connected: the driver's default (its _socket_timeout, 900 s).
READ_TIMEOUT = 900.0
# The statement naming the session's current catalog (see DatabricksConnector._session_catalog).
CURRENT_CATALOG = exp.select(exp.func("current_catalog"))
LOG = logging.getLogger(__name__)


def transient(err: BaseException) -> bool:
    """Could not reach the server (refused, reset, timed out; the driver's retries ran out),
    as opposed to a rejected token or a SQL error."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) or type(current).__module__.startswith("urllib3"):
            return True
        if type(current).__name__ in ("MaxRetryDurationError", "MaxRetryError"):
            return True
        inner = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        current = current.__cause__ or current.__context__ or (inner[0] if inner else None)
    text = str(err)
    keys = ("Connection refused", "timed out", "Max retries exceeded", "max retry duration")
    return any(k in text for k in keys)


def driver_options(options: ConnectOptions) -> dict[str, Any]:
    """databricks-sql-connector's retry and socket settings for ``options``: the connect waits
    ``connect_timeout`` at most, and the driver stops retrying after ``retries`` more attempts
    or when the whole deadline has passed (its defaults: 30 attempts over 900 s)."""
    return {
        "_socket_timeout": options.connect_timeout,
        "_retry_stop_after_attempts_count": max(1, options.attempts),
        "_retry_stop_after_attempts_duration": max(1.0, options.deadline),
        "_retry_delay_min": 0.5,
        "_retry_delay_max": 5.0,
    }


def _arrow(chunk: Any) -> pa.Table:
    """A fetched chunk as Arrow: ``fetchmany_arrow`` hands back the driver's own ColumnTable
    when the server sent columns rather than Arrow (``fetchall_arrow`` converts it itself)."""
    if isinstance(chunk, pa.Table):
        return chunk
    return pa.Table.from_pydict(dict(zip(chunk.column_names, chunk.column_table, strict=True)))


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


def _nested_texts(chunk: pa.Table, kinds: list[str]) -> list[int]:
    """The positions of the arrays, structs and maps the server sent as text."""
    if len(kinds) != chunk.num_columns:
        return []
    return [
        i
        for i, kind in enumerate(kinds)
        if kind in ("array", "struct", "map") and pa.types.is_string(chunk.schema.field(i).type)
    ]


def _typed(texts: list[int], expect: pa.Schema | None) -> dict[int, pa.DataType] | None:
    """The type each text column is read as, from the plan's schema; None when one of them
    has no readable complex type there."""
    if not texts:
        return {}
    if expect is None or any(i >= len(expect) for i in texts):
        return None
    types = {i: expect.field(i).type for i in texts}
    if not all(is_complex(t) and readable(t) for t in types.values()):
        return None
    return types


def _read_texts(chunk: pa.Table, types: dict[int, pa.DataType]) -> pa.Table:
    """``chunk`` with its text columns read as their complex types."""
    for i, arrow in types.items():
        # only Spark servers send text (a SQL warehouse sends Arrow), strings unescaped
        texts = read_column(chunk.column(i), arrow, escaped=False)
        chunk = chunk.set_column(i, chunk.field(i).name, texts)
    return chunk


def _set_read_timeout(con: Any, seconds: float) -> None:
    """Once connected, statements and fetches get the driver's usual socket timeout back (the
    short one bounded only the connect)."""
    transport = getattr(getattr(getattr(con, "session", None), "backend", None), "_transport", None)
    if transport is not None and hasattr(transport, "setTimeout"):
        transport.setTimeout(seconds * 1000)


def rows_of_catalog(rows: list[dict[str, Any]], catalog: str | None) -> list[dict[str, Any]]:
    """The ``GetColumns`` rows of ``catalog`` (their ``TABLE_CAT``, ignoring case: Unity
    Catalog keeps names in lower case), and those whose ``TABLE_CAT`` is empty (a Spark
    Thrift server names none: it lists its one session catalog); all rows when ``catalog``
    is None (not known)."""
    if catalog is None:
        return rows
    return [
        r for r in rows if not r.get("TABLE_CAT") or str(r["TABLE_CAT"]).lower() == catalog.lower()
    ]


def _not_replaceable(err: EngineError) -> bool:
    """The server refused CREATE OR REPLACE because the table is not a v2 (Delta) table."""
    text = err.message
    return "UNSUPPORTED_FEATURE.TABLE_OPERATION" in text or "only supported with v2" in text


class DatabricksConnector(HiveConnector):
    """A Databricks SQL warehouse or cluster."""

    STORAGE = None  # Delta, the default table format; STORED AS would make a Hive table

    def __init__(
        self,
        name: str,
        profile: Profile,
        url: sa.engine.URL,
        connect_args: dict[str, Any] | None = None,
    ):
        Connector.__init__(self, name, profile)  # not Hive's: the session is opened here
        self.load_dir = None
        from databricks import sql

        url, args, self.options = split_options(url, connect_args, connection=name)
        query = {k: v if isinstance(v, str) else v[0] for k, v in url.query.items()}
        self._catalog = query.get("catalog")  # where unqualified tables are (None: the default)
        self._catalog_asked = False  # whether the session's current catalog was asked
        self._current_catalog: str | None = None  # its answer (_session_catalog)
        self._database = query.get("schema") or "default"
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
        options.update(driver_options(self.options))
        settings = {**profile.session, **dict(args.pop("session_configuration", None) or {})}
        options.update(args)
        self._running: set[Any] = set()  # cursors with a statement in flight
        host = f"{url.host}:{url.port or 443}"

        def attempt() -> Any:
            return sql.connect(**options, session_configuration=settings)

        with self.errors():
            self.con = with_retries(
                attempt,
                options=self.options,
                transient=transient,
                host=host,
                retried_by_driver=True,
            )
            _set_read_timeout(self.con, READ_TIMEOUT)

    def _insert(self, table: str, rows: list[list[exp.Expr]]) -> str:
        """``INSERT INTO table VALUES (...), ...``: Databricks takes any expression in VALUES
        (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-dml-insert-into.html),
        and ``stack`` in a SELECT list is deprecated there."""
        values = exp.values([tuple(row) for row in rows])
        return exp.insert(values, table_ref(table, dialect=self.dialect)).sql(dialect=self.dialect)

    def write_table(self, table: str, data: Arrow) -> None:
        """A staging table, then ``CREATE OR REPLACE TABLE table AS SELECT * FROM staging``,
        which Databricks applies atomically: readers see the old table or the new one, never
        none (https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-create-table-using.html).
        Where the existing table is not a Delta (v2) table, which cannot be replaced that way
        (UNSUPPORTED_FEATURE.TABLE_OPERATION), the old drop-and-rename is used."""
        staging = staging_name(table)
        self.upload(staging, data)
        try:
            replace = create_table_as(table, staging, dialect=self.dialect, replace=True)
            try:
                with self.errors(replace):
                    self._execute(replace)
                return
            except EngineError as err:
                if not _not_replaceable(err):
                    raise
            self.drop(table)
            rename = rename_table(staging, table, dialect=self.dialect)
            with self.errors(rename):
                self._execute(rename)
        finally:
            with contextlib.suppress(EngineError):
                self._execute(drop_table(staging, dialect=self.dialect))

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

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run ``sql`` and stream its Arrow result ``FETCH_ROWS`` rows at a time
        (``fetchmany_arrow``).  Arrays, structs and maps come as native Arrow from a SQL
        warehouse; a server that sends them as text (a Spark Thrift server) has them read
        chunk by chunk as the types ``expect`` gives (the plan's schema of the result), or,
        without those types, fetched whole and typed from all the values.
        https://docs.databricks.com/en/dev-tools/python-sql-connector.html#fetchmany_arrow-method"""
        with self.errors(sql):
            cursor = self.con.cursor()
            self._running.add(cursor)

            def finish() -> None:
                self._running.discard(cursor)
                cursor.close()

            try:
                cursor.execute(sql)
                kinds = [str(d[1]).lower() for d in cursor.description or []]
                first = _arrow(cursor.fetchmany_arrow(FETCH_ROWS))
                texts = _nested_texts(first, kinds)
                typed = _typed(texts, expect)
                if texts and typed is None:
                    rest = _arrow(cursor.fetchall_arrow())
                    whole = pa.concat_tables([first, rest]) if rest.num_rows else first
                    finish()
                    return as_reader(_native_nested(whole, kinds))
                first = _read_texts(first, typed or {})
            except BaseException:
                finish()
                raise

        def chunks() -> Iterator[pa.Table]:
            chunk = first
            while chunk.num_rows:
                yield chunk
                chunk = _read_texts(_arrow(cursor.fetchmany_arrow(FETCH_ROWS)), typed or {})

        return guarded(
            first.schema, chunks(), lambda: self.errors(sql, counted=False), finish=finish
        )

    def _columns(self, database: str, pattern: str = "%") -> dict[str, list[tuple[str, str]]]:
        """Per table of ``database`` (lower case) whose name matches ``pattern``, its
        columns' names and SQL types in order: one ``Cursor.columns`` metadata call (the
        driver's ``GetColumns``, whose names are patterns where ``%`` is a wildcard;
        https://docs.databricks.com/en/dev-tools/python-sql-connector.html#columns-method),
        counted as one statement, in the catalog unqualified tables are in
        (:meth:`_session_catalog`): rows of another catalog (a pattern's ``_`` matches any
        character) are left out.  Where that catalog is not known the call spans every
        catalog: a table listed by more than one is left out (then asked on its own)."""
        catalog = self._session_catalog()
        label = f"-- GetColumns(catalog={catalog!r}, schema={database!r}, table={pattern!r})"
        with self.errors(label):
            cursor = self.con.cursor()
            try:
                cursor.columns(catalog_name=catalog, schema_name=database, table_name=pattern)
                names = [d[0] for d in cursor.description or []]
                rows = [dict(zip(names, tuple(r), strict=True)) for r in cursor.fetchall()]
            finally:
                cursor.close()
        rows = rows_of_catalog(rows, catalog)
        catalogs: dict[str, set[str]] = {}
        for row in rows:
            catalogs.setdefault(str(row["TABLE_NAME"]).lower(), set()).add(str(row["TABLE_CAT"]))
        listed = columns_by_table(rows, database)
        return {t: cols for t, cols in listed.items() if len(catalogs.get(t, ())) <= 1}

    def _session_catalog(self) -> str | None:
        """The catalog unqualified tables are in: the URL's ``catalog``, else the session's
        current catalog (``SELECT current_catalog()``,
        https://docs.databricks.com/en/sql/language-manual/functions/current_catalog.html),
        asked once per connection (a statement).  None where the server cannot say (a
        server without the function): logged, not asked again, and ``GetColumns`` spans
        every catalog as before.  None too, but asked again on the next call, where the
        statement did not reach the server or timed out (:func:`transient`: a warehouse
        starting, a socket timeout)."""
        if self._catalog is not None:
            return self._catalog
        if self._catalog_asked:
            return self._current_catalog
        sql = CURRENT_CATALOG.sql(dialect=self.dialect)
        failure: BaseException | None = None  # the driver's own exception, to classify
        try:
            with self.errors(sql):
                cursor = self.con.cursor()
                self._running.add(cursor)
                try:
                    cursor.execute(sql)
                    rows = cursor.fetchall()
                except Exception as err:
                    failure = err
                    raise
                finally:
                    self._running.discard(cursor)
                    cursor.close()
        except EngineError as err:
            again = failure is not None and transient(failure)
            self._catalog_asked = not again
            LOG.warning(
                "%s could not name its current catalog (GetColumns then spans every catalog%s): %s",
                self.name,
                "; asked again on the next read" if again else "",
                str(err).splitlines()[0],
            )
            return None
        self._catalog_asked = True
        value = rows[0][0] if rows and len(rows[0]) else None
        self._current_catalog = str(value) if value else None
        return self._current_catalog

    def _counts_rows(self) -> bool:
        """Databricks reports row counts in ``SHOW TABLE EXTENDED`` (Spark's output)."""
        return True

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
