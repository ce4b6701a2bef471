"""The connector contract every engine implements.

A connector runs SQL where the data lives and speaks Arrow at its edges: it fetches results as
``pyarrow.Table`` or as a stream of record batches (:meth:`Connector.fetch_batches`), reads
table schemas, and writes Arrow (a table or a stream) into a table atomically.  Every
driver error leaves as :class:`~pushdown.errors.EngineError` carrying the engine name and the
failing SQL, with credentials redacted.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from pushdown.compilers.sql import table_ref
from pushdown.engines.secrets import OPENING, DriverError, driver_failure, scrub
from pushdown.errors import EngineError, PushdownError, UnsupportedError, engine_unreachable
from pushdown.local.streams import Arrow, as_reader
from pushdown.profiles import Profile
from pushdown.statistics import TableStats
from pushdown.types import plain_strings, sql_kind


def staging_name(table: str) -> str:
    """A fresh name for the table an output is loaded into before it replaces ``table``:
    unique per write, so two runs writing one output at once never load into each other's
    staging table.  A table part in double quotes (an exact name) keeps its suffix inside
    them."""
    suffix = f"__pushdown_new_{secrets.token_hex(4)}"
    if table.endswith('"'):
        return f'{table[:-1]}{suffix}"'
    return f"{table}{suffix}"


def _suggest(kind: str) -> str:
    return {
        "TIMESTAMPTZ": "timestamp (UTC)",
        "TIME": "varchar",
        "UTINYINT": "smallint",
        "USMALLINT": "int",
        "UINT": "bigint",
        "UBIGINT": "decimal(20, 0)",
    }.get(kind, "varchar")


def missing_driver(err: BaseException) -> bool:
    """Whether ``err`` says an engine's driver is not installed: an ImportError, or
    SQLAlchemy's NoSuchModuleError (looked up only when SQLAlchemy is loaded: otherwise it
    cannot have raised it, and planning does not import it)."""
    if isinstance(err, ImportError):
        return True
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(err, exc.NoSuchModuleError)


class Connector(ABC):
    """One open connection to an engine, named as in the flow."""

    # Credential values of this connection, scrubbed from every driver message.
    secrets: frozenset[str] = frozenset()
    # Statements sent through this connection (counted by :meth:`errors`).
    statements: int = 0
    # The last failure that found the engine unreachable (:attr:`EngineError.unreachable`,
    # set by :meth:`errors`): planning asks such an engine nothing more (``api.make_plan``).
    down: EngineError | None = None

    # The label of the statistics table_stats answers from what catalog_rows read (None:
    # the connection's name).
    catalog_source: str | None = None

    def __init__(self, name: str, profile: Profile):
        self.name = name
        self.profile = profile
        # Per table whose count catalog_rows read with its size (None: no size known): the
        # size, so that table_stats answers it without a statement (:meth:`_keep_size`).
        self._catalog_bytes: dict[str, float | None] = {}

    @property
    def dialect(self) -> str:
        """The sqlglot dialect this engine's SQL is generated in."""
        return self.profile.dialect

    @abstractmethod
    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run a query and return its result as Arrow."""

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run a query and return its result as a stream of Arrow record batches, read once;
        connectors whose driver streams override this (the default fetches the whole result).
        Read it to its end (or close it) before the next statement on this connection.
        ``expect`` is the schema the plan expects of the result, column by column: a hint
        for a connector whose result metadata leaves a type open (HiveServer2 sends arrays,
        structs and maps as text); the others type the result from their metadata."""
        return as_reader(self.fetch_arrow(sql))

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query and fetch its rows one Python tuple each through the driver's DB-API
        cursor: the slow path, kept to measure the Arrow path against (``pushdown bench``)."""
        raise UnsupportedError(
            f"{self.profile.name} ({self.name})", "DB-API row fetch", "this connector has none"
        )

    @abstractmethod
    def table_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table``."""

    def table_schemas(self, tables: list[str]) -> dict[str, pa.Schema | PushdownError]:
        """The schemas of several tables, in as few statements as the engine allows (one
        per table here; engines that can batch override it); a table whose schema cannot be
        read maps to the error saying why.  Once the engine proves unreachable
        (:attr:`EngineError.unreachable`) the other tables are not asked: each would wait out
        the whole deadline again; they map to the same error."""
        result: dict[str, pa.Schema | PushdownError] = {}
        down: PushdownError | None = None
        for table in tables:
            if down is not None:
                result[table] = down
                continue
            try:
                result[table] = self.table_schema(table)
            except PushdownError as err:
                result[table] = err
                down = err if engine_unreachable(err) else None
        return result

    @abstractmethod
    def write_table(self, table: str, data: Arrow) -> None:
        """Replace ``table`` with ``data`` (a table, or a reader consumed once) atomically: on
        failure the old table is untouched."""

    def load_parquet(self, table: str, path: str) -> None:
        """Make ``table`` hold the Parquet file at ``path`` (read here, then ``write_table``;
        an engine that reads files itself overrides this)."""
        import pyarrow.parquet as pq

        self.write_table(table, plain_strings(pq.read_table(path)))

    def catalog_rows(self, tables: list[str]) -> dict[str, float]:
        """Row counts the engine's catalog holds for ``tables``, in as few statements as it
        allows (the change marker of cached statistics); empty where it holds none.  A
        connector whose catalog gives a table's size with its count keeps it
        (:meth:`_keep_size`) for :meth:`table_stats`."""
        return {}

    def _keep_size(self, table: str, size: float | None) -> None:
        """Keep the size (bytes; None: unknown) :meth:`catalog_rows` read with ``table``'s
        count: :meth:`table_stats` then answers the table from them, without a statement."""
        self._catalog_bytes[table] = size

    def table_stats(
        self, table: str, columns: Collection[str] | None = None, rows: float | None = None
    ) -> TableStats:
        """Row count (and what else the engine knows) of ``table``; ``rows`` is the catalog's
        count when the caller has it (:meth:`catalog_rows`).  When :meth:`catalog_rows` read
        the table's count with its size, both are the answer and nothing is asked
        (labelled ``catalog_source``); otherwise :meth:`_read_stats`, which engines override
        with their catalog's numbers, and column statistics for ``columns`` (all when None)
        where they can gather them cheaply."""
        if rows is not None and table in self._catalog_bytes:
            size = self._catalog_bytes[table]
            return TableStats(rows=rows, bytes=size, source=self.catalog_source or self.name)
        return self._read_stats(table, columns, rows)

    def _read_stats(
        self, table: str, columns: Collection[str] | None, rows: float | None
    ) -> TableStats:
        """:meth:`table_stats` of a table :meth:`catalog_rows` gave no size of: ``rows`` when
        given, else a ``COUNT(*)`` (:meth:`_count_stats`)."""
        if rows is not None:
            return TableStats(rows=rows, source=self.name)
        return self._count_stats(table)

    def _count_stats(self, table: str) -> TableStats:
        """The row count of ``table`` by ``SELECT COUNT(*)``."""
        query = exp.select(exp.Count(this=exp.Star())).from_(table_ref(table, dialect=self.dialect))
        result = self.fetch_arrow(query.sql(dialect=self.dialect))
        return TableStats(rows=float(result.column(0)[0].as_py()), source=self.name)

    def upload(self, table: str, data: Arrow) -> None:
        """Create ``table`` holding ``data`` (a transfer's target; dropped after the run);
        ``data`` is a table or a record-batch reader, which connectors that stream consume
        batch by batch (Parquet parts, batched inserts) and the others read whole.

        It is created as the engine's temporary kind of table where it has one
        (:meth:`temporary_properties`), so a run that dies leaves nothing behind that costs
        money.  A column of a type the engine's profile says it cannot hold is an
        :class:`UnsupportedError` naming the column, never a silent conversion."""
        self.check_schema(data.schema)
        self._upload(table, data)

    def _upload(self, table: str, data: Arrow) -> None:
        self.write_table(table, data)

    def check_schema(self, schema: pa.Schema) -> None:
        """Refuse columns whose type the profile declares unsupported (``[types]``)."""
        unsupported = set(self.profile.types.unsupported)
        for field in schema:
            kind = sql_kind(field.type).name
            if kind in unsupported:
                raise UnsupportedError(
                    f"{self.profile.name} ({self.name})",
                    f"type {kind} of column {field.name!r}",
                    f"the {self.profile.name} profile lists {kind} as unsupported; cast the column "
                    f"in a prepare step (e.g. to {_suggest(kind)}) before it moves there",
                )

    def execute(self, sql: str) -> None:
        """Run a statement that returns no rows."""
        raise NotImplementedError(f"{self.name} cannot run statements yet")

    def temporary_properties(self) -> list[exp.Expr]:
        """Properties of the tables a run creates and drops (uploads, materialised steps,
        output staging): none here; Snowflake says TEMPORARY, BigQuery an expiration."""
        return []

    def materialize(self, table: str, sql: str) -> None:
        """``CREATE OR REPLACE [TEMPORARY] TABLE table AS <sql>``: computed on the engine, no
        data leaves (a temporary table of the run: :meth:`temporary_properties`)."""
        query = sqlglot.parse_one(sql, read=self.dialect)
        self._create_or_replace(table, query, properties=self.temporary_properties())

    def _create_or_replace(
        self, table: str, query: exp.Expr, *, properties: list[exp.Expr] | None = None
    ) -> None:
        """``CREATE OR REPLACE TABLE table [properties] AS <query>``."""
        create = exp.Create(
            this=table_ref(table, dialect=self.dialect),
            kind="TABLE",
            replace=True,
            expression=query,
            properties=exp.Properties(expressions=properties) if properties else None,
        )
        self.execute(create.sql(dialect=self.dialect))

    def replace_from_staging(self, table: str, data: Arrow) -> None:
        """Load ``data`` into a staging table (temporary, as every upload), then ``CREATE OR
        REPLACE TABLE table AS SELECT`` from it (a permanent table, atomic where the engine's
        CREATE OR REPLACE is); the staging table is dropped either way."""
        staging = staging_name(table)
        self.upload(staging, data)
        try:
            query = exp.select(exp.Star()).from_(table_ref(staging, dialect=self.dialect))
            self._create_or_replace(table, query)
        finally:
            with contextlib.suppress(EngineError):
                self.drop(staging)

    def drop(self, table: str) -> None:
        """Drop ``table`` if it exists."""
        raise NotImplementedError(f"{self.name} cannot drop tables yet")

    def cancel(self) -> None:  # noqa: B027 - a no-op for drivers that cannot cancel
        """Cancel the statement running on this connection, where the driver can; called
        from another thread when a run fails or is interrupted."""

    def write_tables(self, tables: dict[str, Arrow]) -> None:
        """Replace several tables; engines with transactional DDL do it all-or-nothing."""
        for table, data in tables.items():
            self.write_table(table, data)

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    @contextlib.contextmanager
    def errors(self, sql: str | None = None, *, counted: bool = True) -> Iterator[None]:
        """Turn any driver exception raised inside into an :class:`EngineError`.

        No credential reaches any channel of the error: its message, the SQL it carries and
        its cause are scrubbed of the connection's secrets; the cause is a :class:`DriverError`
        holding the driver's scrubbed text (the driver's own exception, whose text, chained
        exceptions and frames may hold a secret, is neither chained nor kept as context).
        ``counted=False`` for the reading of a stream a statement already counted."""
        failure: EngineError | None = None
        cause: DriverError | None = None
        if sql is not None and counted:  # one statement sent: counted for explain and the harness
            self.statements = self.statements + 1
        try:
            yield
        except (PushdownError, ImportError):
            raise  # typed already, or a missing driver (open_connector names the extra)
        except Exception as err:
            if missing_driver(err):
                raise
            # Imported here: options.py reads URLs with SQLAlchemy, which planning offline
            # does not load (tests/test_first_hour.py).
            from pushdown.engines.options import unreachable

            secrets = self.secrets | OPENING.get()
            text = str(err).strip()
            message = scrub(text.splitlines()[0] if text else type(err).__name__, secrets)
            failure = EngineError(
                self.name,
                f"{type(err).__name__}: {message}",
                sql=scrub(sql, secrets) if sql else None,
                unreachable=unreachable(err),
            )
            if failure.unreachable:
                self.down = failure
            cause = driver_failure(err, secrets)
        if failure is not None and cause is not None:
            try:  # raised and caught here so that the stand-in, not the driver's exception,
                raise cause  # is what the EngineError chains as cause and as context
            except DriverError as stand_in:
                stand_in.__context__ = None
                stand_in.__traceback__ = None
                raise failure from stand_in
