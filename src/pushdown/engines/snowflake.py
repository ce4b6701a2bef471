"""Snowflake through snowflake-sqlalchemy / snowflake-connector-python.

- results: ``cursor.fetch_arrow_all`` (Arrow result batches, no row conversion);
- uploads: a TEMPORARY table is created from the Arrow schema, the data written to Parquet,
  staged with ``PUT`` into a temporary stage and loaded with ``COPY INTO ...
  MATCH_BY_COLUMN_NAME`` (the path ``write_pandas`` takes, without pandas);
- tables a run creates (uploads, materialised steps, output staging) are TEMPORARY: they
  live as long as the session and cost nothing once it ends, also when the run dies
  (https://docs.snowflake.com/en/user-guide/tables-temp-transient#temporary-tables).  A
  temporary table is visible to its session only: the connector runs every statement on
  one connection (one session), and a run uses one connector per engine;
- statistics: ``INFORMATION_SCHEMA.TABLES`` (``ROW_COUNT``, ``BYTES``), all of a plan's
  tables in one statement (:meth:`SnowflakeConnector.catalog_rows`); schemas of several
  tables in one zero-row statement (:meth:`SnowflakeConnector.table_schemas`).  Each
  statement is a round trip to the cloud (20 ms and more from a laptop).

Every statement is a sqlglot tree generated for Snowflake; ``PUT`` and ``COPY INTO``, which
sqlglot does not build, take only identifiers quoted by sqlglot and a local file path.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import uuid
from collections.abc import Collection
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlglot import exp

from pushdown.compilers.ddl import create_table, drop_table, select_all, temporary
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.engines.options import split_options, with_retries
from pushdown.errors import PushdownError
from pushdown.local.streams import Arrow, guarded, peeked, write_parquet
from pushdown.profiles import Profile
from pushdown.statistics import TableStats

STAGE = "pushdown_stage"
MARKER = "__pushdown_table_"  # the column before each table's columns in table_schemas


def _unreachable(err: BaseException) -> bool:
    """The login never reached Snowflake (refused, timed out), as opposed to a rejected
    login: the connector reports both as 250001 "Failed to login"."""
    text = str(err)
    return "250001" in text and any(
        k in text for k in ("Connection refused", "timed out", "failed after retries")
    )


class SnowflakeConnector(Connector):
    """A Snowflake account, database and schema."""

    def __init__(
        self,
        name: str,
        profile: Profile,
        url: sa.engine.URL,
        connect_args: dict[str, Any] | None = None,
    ):
        super().__init__(name, profile)
        url, args, self.options = split_options(url, connect_args, connection=name)
        # The connector retries a failed login until login_timeout has passed (its default:
        # 120 s); connect_timeout bounds one TCP connect
        # (https://docs.snowflake.com/en/developer-guide/python-connector/python-connector-api#connect).
        args.setdefault("login_timeout", max(1, math.ceil(self.options.deadline)))
        args.setdefault("connect_timeout", max(1, math.ceil(self.options.connect_timeout)))
        args.setdefault("retry_max_attempts", self.options.attempts)
        host = (
            f"{args.get('host') or f'{url.host}.snowflakecomputing.com'}:{args.get('port') or 443}"
        )
        with self.errors():
            self.engine = sa.create_engine(url, connect_args=args, poolclass=sa.pool.StaticPool)
            self._raw = with_retries(
                self.engine.raw_connection,
                options=self.options,
                transient=_unreachable,
                host=host,
                retried_by_driver=True,
            )
        self.con: Any = self._raw.driver_connection
        self._stage_ready = False

    def _run(self, sql: str) -> Any:
        cursor = self.con.cursor()
        cursor.execute(sql)
        return cursor

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and fetch Python rows (DB-API)."""
        with self.errors(sql):
            rows: list[tuple[Any, ...]] = self._run(sql).fetchall()
        return rows

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return the Arrow result batches."""
        with self.errors(sql):
            table: pa.Table = self._run(sql).fetch_arrow_all(force_return_table=True)
        return table

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run ``sql`` and stream its Arrow result batches (``fetch_arrow_batches``, one
        result chunk at a time); an empty result takes its schema from ``fetch_arrow_all``.
        https://docs.snowflake.com/en/developer-guide/python-connector/python-connector-api#fetch_arrow_batches"""
        with self.errors(sql):
            cursor = self._run(sql)
            schema, source = peeked(
                iter(cursor.fetch_arrow_batches()),
                lambda: cursor.fetch_arrow_all(force_return_table=True).schema,
            )
        return guarded(schema, source, lambda: self.errors(sql, counted=False))

    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table`` (a zero-row Arrow result)."""
        return self.fetch_arrow(select_all(table, dialect="snowflake", limit=0)).schema

    def table_schemas(self, tables: list[str]) -> dict[str, pa.Schema | PushdownError]:
        """The schemas of ``tables`` in one statement: a zero-row cross join selecting, per
        table, a marker column and then the table's columns (``LIMIT 0`` returns no row and
        the result still describes every column; https://docs.snowflake.com/en/sql-reference/constructs/limit),
        split at the markers.  The Arrow types are the ones each table's own zero-row
        result has.  When that statement fails (a missing table) or a table has a column
        named like a marker, each table is asked on its own, so every error names its
        table."""
        if len(tables) < 2:
            return super().table_schemas(tables)
        parts: list[exp.Expr] = []
        joined: exp.Select | None = None
        for i, table in enumerate(tables):
            alias = f"__pushdown_t{i}"
            parts += [
                exp.alias_(exp.Literal.number(i), f"{MARKER}{i}", quoted=True),
                exp.Column(this=exp.Star(), table=exp.to_identifier(alias, quoted=True)),
            ]
            ref = table_ref(table, dialect="snowflake").as_(alias, quoted=True)
            joined = (
                exp.select().from_(ref) if joined is None else joined.join(ref, join_type="cross")
            )
        assert joined is not None
        query = joined.select(*parts).limit(0)
        try:
            schema = self.fetch_arrow(query.sql(dialect="snowflake")).schema
        except PushdownError:
            return super().table_schemas(tables)
        markers = [j for j, f in enumerate(schema) if f.name.startswith(MARKER)]
        if [schema.field(j).name for j in markers] != [f"{MARKER}{i}" for i in range(len(tables))]:
            return super().table_schemas(tables)  # a column named like a marker
        ends = [*markers[1:], len(schema)]
        return {
            table: pa.schema([schema.field(j) for j in range(start + 1, end)])
            for table, start, end in zip(tables, markers, ends, strict=True)
        }

    def catalog_rows(self, tables: list[str]) -> dict[str, float]:
        """Row counts of ``tables`` from ``INFORMATION_SCHEMA.TABLES`` of the current schema,
        all in one statement (their ``BYTES`` are kept for :meth:`table_stats`); a table with
        no catalog row or a ``ROW_COUNT`` of 0 (also what a stale catalog says) is left out.
        https://docs.snowflake.com/en/sql-reference/info-schema/tables"""
        names = {table_ref(t, dialect="snowflake").name: t for t in tables if "." not in t}
        if not names:
            return {}
        query = (
            exp.select("TABLE_NAME", "ROW_COUNT", "BYTES")
            .from_("INFORMATION_SCHEMA.TABLES")
            .where(
                exp.column("TABLE_NAME").isin(*(exp.Literal.string(n) for n in names)),
                exp.column("TABLE_SCHEMA").eq(exp.func("CURRENT_SCHEMA")),
            )
        )
        result: dict[str, float] = {}
        for name, rows, size in zip(
            *(c.to_pylist() for c in self.fetch_arrow(query.sql(dialect="snowflake")).columns),
            strict=True,
        ):
            if name in names and rows:
                result[names[name]] = float(rows)
                self._keep_size(names[name], float(size or 0) or None)
        return result

    def _read_stats(
        self, table: str, columns: Collection[str] | None, rows: float | None
    ) -> TableStats:
        """Row count and bytes from ``INFORMATION_SCHEMA.TABLES``, where
        :meth:`catalog_rows` did not read them."""
        name = table_ref(table, dialect="snowflake").name
        query = (
            exp.select("ROW_COUNT", "BYTES")
            .from_("INFORMATION_SCHEMA.TABLES")
            .where(exp.column("TABLE_NAME").eq(exp.Literal.string(name)))
            .where(exp.column("TABLE_SCHEMA").eq(exp.func("CURRENT_SCHEMA")))
        )
        result = self.fetch_arrow(query.sql(dialect="snowflake"))
        if result.num_rows == 0 or not result.column(0)[0].as_py():
            # No catalog row, or ROW_COUNT 0 (also what a stale catalog says): COUNT(*) is a
            # metadata-only query on Snowflake.
            return self._count_stats(table)
        rows, size = (result.column(i)[0].as_py() for i in range(2))
        return TableStats(rows=float(rows), bytes=float(size or 0) or None, source=self.name)

    def temporary_properties(self) -> list[exp.Expr]:
        """``TEMPORARY``: the run's tables end with the session."""
        return [temporary()]

    def _upload(self, table: str, data: Arrow) -> None:
        """``CREATE TEMPORARY TABLE`` from the Arrow schema, then PUT a Parquet file (written
        batch by batch from a reader) and COPY INTO."""
        ddl = create_table(
            table, data.schema, dialect="snowflake", properties=self.temporary_properties()
        )
        with self.errors(ddl):
            self._run(drop_table(table, dialect="snowflake"))
            self._run(ddl)
        if isinstance(data, pa.Table) and data.num_rows == 0:
            return
        quoted_table = table_ref(table, dialect="snowflake").sql(dialect="snowflake")
        with tempfile.TemporaryDirectory(prefix="pushdown-") as folder:
            filename = f"{uuid.uuid4().hex}.parquet"
            path = os.path.join(folder, filename)
            if write_parquet(data, path) == 0:
                return
            self._ensure_stage()
            put = f"PUT 'file://{path}' @{STAGE} OVERWRITE=TRUE AUTO_COMPRESS=FALSE"
            copy = (
                f"COPY INTO {quoted_table} FROM @{STAGE}/{filename} "
                "FILE_FORMAT=(TYPE=PARQUET) MATCH_BY_COLUMN_NAME=CASE_INSENSITIVE"
            )
            with self.errors(copy):
                self._run(put)
                self._run(copy)

    def _ensure_stage(self) -> None:
        if not self._stage_ready:
            with self.errors():
                self._run(f"CREATE TEMPORARY STAGE IF NOT EXISTS {STAGE}")
            self._stage_ready = True

    def drop(self, table: str) -> None:
        """``DROP TABLE IF EXISTS table``."""
        sql = drop_table(table, dialect="snowflake")
        with self.errors(sql):
            self._run(sql)

    def execute(self, sql: str) -> None:
        """Run a statement that returns no rows."""
        with self.errors(sql):
            self._run(sql)

    def write_table(self, table: str, data: Arrow) -> None:
        """Staging table, then ``CREATE OR REPLACE TABLE ... AS SELECT``: Snowflake applies it
        atomically."""
        self.replace_from_staging(table, data)

    def cancel(self) -> None:
        """Abort the running queries of this connection's cursors (``abort_query``), where
        the connector keeps track of them; otherwise the statement runs to its end."""
        for cursor in list(getattr(self.con, "_cursors", {}) or []):
            with contextlib.suppress(Exception):
                cursor.abort_query(cursor.sfqid)

    def close(self) -> None:
        """Close the connection and dispose of the engine."""
        self._raw.close()
        self.engine.dispose()
