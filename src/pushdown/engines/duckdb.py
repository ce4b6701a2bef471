"""DuckDB through SQLAlchemy (duckdb-engine), with DuckDB's native Arrow paths."""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlglot import exp

from pushdown.compilers.ddl import create_table_as, drop_table, select_all
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.errors import PushdownError
from pushdown.local.streams import BATCH_ROWS, Arrow, guarded
from pushdown.profiles import Profile
from pushdown.statistics import ColumnStats, TableStats

SAMPLE_ROWS = 100_000  # rows a column-statistics sample aims at
UNIQUE_SHARE = 0.1  # distinct values above this share of a sample's rows scale to the table
# System sampling picks whole vectors of 2,048 rows; a sample aims at no fewer than this many
# vectors so that it is never empty by chance (2.5% of 98 vectors is 2.4 expected, and none
# often enough to have made a test flaky).
SAMPLE_VECTORS = 32
# The marker column before each table's columns in the one-statement schema read.
_MARKER = "__pushdown_table_"
# Held while a connection opens and while a statement scans registered Arrow data: a
# connection opening on a database file another connector of this process has open could
# make a concurrent scan's "python_arrow_scan" function briefly unknown (seen once in ten
# runs of test_two_runs_of_one_flow_at_once_keep_their_own_rows).
_ARROW_SCANS = threading.RLock()
# Arrow schemas of zero-row results by (configuration, names, DuckDB types): see
# DuckDBConnector.result_schema.  Emptied when it reaches _KEPT_SCHEMAS entries.
_Bound = tuple[tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]
_RESULT_SCHEMAS: dict[_Bound, pa.Schema] = {}
_KEPT_SCHEMAS = 1024


class DuckDBConnector(Connector):
    """A DuckDB database file (or ``:memory:``) named by a ``duckdb:///`` URL."""

    def __init__(self, name: str, profile: Profile, url: sa.engine.URL):
        """Opens the database with DuckDB's own client and the URL's query as its
        configuration: the default configuration otherwise, so that a ``duckdb.connect`` of
        the same file elsewhere in the process shares the open database instead of being
        refused for a different one (the SQLAlchemy dialect adds a user agent setting), also
        while a plan keeps this connection for its run (``engines/handoff.py``).
        https://duckdb.org/docs/stable/clients/python/dbapi#connection"""
        super().__init__(name, profile)
        import duckdb

        config: dict[str, str | bool | int | float | list[str]] = {
            k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()
        }
        with self.errors(), _ARROW_SCANS:
            self.con: Any = duckdb.connect(url.database or ":memory:", config=config)
        self._config = tuple(sorted((k, repr(v)) for k, v in config.items()))

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return DuckDB's Arrow result (no row conversion)."""
        with self.errors(sql):
            return self.con.sql(sql).to_arrow_table()

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run ``sql`` and stream DuckDB's result (``to_arrow_reader``), ``BATCH_ROWS`` rows a
        batch; the connection holds the open result until the reader is drained.
        https://duckdb.org/docs/stable/guides/python/export_arrow"""
        with self.errors(sql):
            reader = self.con.sql(sql).to_arrow_reader(BATCH_ROWS)
        return guarded(reader.schema, reader, lambda: self.errors(sql, counted=False))

    def table_schema(self, table: str) -> pa.Schema:
        """The schema of ``table``, from a zero-row result (:meth:`result_schema`)."""
        return self.result_schema(select_all(table, dialect="duckdb", limit=0))

    def result_schema(self, sql: str) -> pa.Schema:
        """The Arrow schema of the result of ``sql`` (a zero-row query), in one statement.

        The statement is bound (``connection.sql`` binds a query without running it:
        https://duckdb.org/docs/stable/clients/python/relational_api), giving the result's
        names and DuckDB types; the Arrow schema those gave before on a connection of this
        configuration is taken again, else the statement runs and its result's schema is
        kept for them.  A table rebuilt under the same name with other columns or types
        binds to other names or types, so it is read again.  Types whose Arrow form depends
        on a setting (``TIMESTAMP WITH TIME ZONE``: the time zone) are never kept.  Not
        seen: a change of an Arrow output setting (``arrow_large_buffer_size``,
        ``arrow_output_version``, ``produce_arrow_string_view``, ``arrow_output_list_view``,
        ``arrow_lossless_conversion``), which DuckDB 2.0.1 scopes to the database, so that a
        plain ``SET`` on any connection of it in this process (the caller's own
        ``duckdb.connect`` of the file) changes it here too; pushdown itself runs no ``SET``
        (a URL's query is the configuration, part of the key).  Such a plan keeps the
        earlier types (``string`` where ``large_string`` is now sent); its runs fetch the
        data and their types as sent.  Reading the settings to key on them is one more
        statement, 0.3 ms: as much as running a one-table read.  A warm ``plan()`` of the
        eight TPC-H tables: 1.8 ms bound against 4-7 ms run."""
        with self.errors(sql):
            relation = self.con.sql(sql)
            key = (self._config, tuple(relation.columns), tuple(map(str, relation.types)))
            known = _RESULT_SCHEMAS.get(key)
            if known is None:
                known = relation.to_arrow_table().schema
                if not any("TIME ZONE" in t for t in key[2]):
                    if len(_RESULT_SCHEMAS) >= _KEPT_SCHEMAS:
                        _RESULT_SCHEMAS.clear()
                    _RESULT_SCHEMAS[key] = known
        return known

    def table_schemas(self, tables: list[str]) -> dict[str, pa.Schema | PushdownError]:
        """The schemas of ``tables`` in one statement: the zero-row tables cross-joined, each
        table's columns (``alias.*``) after a marker column ``__pushdown_table_<i>``, so the
        result's Arrow schema splits into the tables' schemas at the markers
        (https://duckdb.org/docs/stable/sql/query_syntax/select, "star expression" with a
        table qualifier; https://duckdb.org/docs/stable/sql/query_syntax/from, cross
        product).  Measured on the eight TPC-H tables of a freshly opened scale-1 file:
        5 ms, against 42 ms for one zero-row scalar subquery per table selecting its row
        variable (a STRUCT) and 14 ms for a statement per table.  When that statement fails
        (a missing table) or a table has a column named like a marker, each table is asked
        on its own, so every error names its table."""
        if len(tables) < 2:
            return super().table_schemas(tables)
        try:
            names = self.result_schema(_schemas_statement(tuple(tables)))
        except PushdownError:
            return super().table_schemas(tables)
        markers = [f"{_MARKER}{i}" for i in range(len(tables))]
        if any(names.names.count(m) != 1 for m in markers):  # a column named like a marker
            return super().table_schemas(tables)
        at = [names.get_field_index(m) for m in markers] + [len(names)]
        if at != sorted(at):
            return super().table_schemas(tables)
        return {
            table: pa.schema([names.field(j) for j in range(at[i] + 1, at[i + 1])])
            for i, table in enumerate(tables)
        }

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and fetch Python rows (DB-API)."""
        with self.errors(sql):
            rows: list[tuple[Any, ...]] = self.con.execute(sql).fetchall()
        return rows

    def write_table(self, table: str, data: Arrow) -> None:
        """Replace ``table`` inside one transaction (DuckDB DDL is transactional)."""
        self.write_tables({table: data})

    def write_tables(self, tables: dict[str, Arrow]) -> None:
        """Replace every table in one transaction: all are written or none is (a reader is
        scanned by DuckDB batch by batch)."""
        views = {table: f"_pushdown_upload_{i}" for i, table in enumerate(tables)}
        statements = [create_table_as(t, views[t], dialect="duckdb") for t in tables]
        with self.errors("; ".join(statements)), _ARROW_SCANS:
            for table, data in tables.items():
                self.con.register(views[table], data)
            try:
                self.con.execute("BEGIN TRANSACTION")
                try:
                    for sql in statements:
                        self.con.execute(sql)
                    self.con.execute("COMMIT")
                except Exception:
                    self.con.execute("ROLLBACK")
                    raise
            finally:
                for view in views.values():
                    self.con.unregister(view)

    def catalog_rows(self, tables: list[str]) -> dict[str, float]:
        """Row counts of ``tables`` from the catalog (``duckdb_tables()``, the count DuckDB
        keeps for each table), all in one statement; views and unknown names are left out.

        https://duckdb.org/docs/stable/sql/meta/duckdb_table_functions#duckdb_tables"""
        if not tables:
            return {}
        wanted: dict[tuple[str, ...], str] = {}
        for table in tables:
            parts = tuple(p.lower() for p in table.split("."))
            wanted[parts] = table
        name, schema, database = (
            exp.column(c) for c in ("table_name", "schema_name", "database_name")
        )
        query = (
            exp.select(database, schema, name, exp.column("estimated_size"))
            .from_(exp.Table(this=exp.Anonymous(this="duckdb_tables")))
            .where(exp.func("lower", name.copy()).isin(*{p[-1] for p in wanted}))
        )
        current = self.fetch_arrow(query.sql(dialect="duckdb"))
        result: dict[str, float] = {}
        for db, sch, tab, size in zip(*(c.to_pylist() for c in current.columns), strict=True):
            db, sch, tab = db.lower(), sch.lower(), tab.lower()
            for key in ((db, sch, tab), (sch, tab), (tab,)):
                if key in wanted and (len(key) > 1 or sch == "main"):
                    result.setdefault(wanted[key], float(size))
        return result

    def _read_stats(
        self, table: str, columns: Collection[str] | None, rows: float | None
    ) -> TableStats:
        """Statistics in tiers: the row count from the catalog (:meth:`catalog_rows`; a
        ``COUNT(*)`` for a view; ``rows`` when the caller has it already), then, for
        ``columns`` only (every column when None), approximate distinct counts, null
        fractions and min/max from one aggregate statement over a system sample of about
        ``SAMPLE_ROWS`` rows, and no fewer than ``SAMPLE_VECTORS`` vectors (the whole table
        when it is at most twice that, or when the sample came back empty); no full scan of
        a large table.

        A distinct count seen in a block sample is scaled to the table when the values seen
        are more than ``UNIQUE_SHARE`` of the sampled rows (keys: each block holds other
        values), and kept as it is otherwise (a few values, all seen).
        https://duckdb.org/docs/stable/sql/samples"""
        ref = table_ref(table, dialect="duckdb")
        if rows is None:  # not given by the caller's catalog_rows
            rows = self.catalog_rows([table]).get(table)
        if rows is None:
            count = self.fetch_arrow(
                exp.select(exp.Count(this=exp.Star())).from_(ref).sql("duckdb")
            )
            rows = float(count.column(0)[0].as_py())
        names = list(self.table_schema(table).names) if columns is None else sorted(columns)
        if not names or rows == 0:
            return TableStats(rows=rows, source=self.name)
        parts: list[exp.Expr] = [exp.Count(this=exp.Star())]
        for name in names:
            col = exp.column(name, quoted=True)
            parts += [
                exp.ApproxDistinct(this=col.copy()),
                exp.Count(this=col.copy()),
                exp.Min(this=col.copy()),
                exp.Max(this=col.copy()),
            ]
        query = exp.select(*parts).from_(ref)
        target = max(SAMPLE_ROWS, SAMPLE_VECTORS * 2048)
        values: list[Any] = []
        if rows > 2 * target:
            percent = exp.Literal.number(f"{100 * target / rows:.4f}")
            sampled = query.copy()
            sampled.set("sample", exp.TableSample(method=exp.var("SYSTEM"), percent=percent))
            values = [c[0].as_py() for c in self.fetch_arrow(sampled.sql("duckdb")).columns]
        if not values or not values[0]:  # small enough to read whole, or an empty sample
            values = [c[0].as_py() for c in self.fetch_arrow(query.sql("duckdb")).columns]
        seen = float(values[0]) or 1.0
        stats = {}
        for i, name in enumerate(names):
            ndv, count, low, high = values[1 + 4 * i : 5 + 4 * i]
            ndv = float(ndv)
            if seen < rows and ndv > UNIQUE_SHARE * seen:
                ndv = min(rows, ndv * rows / seen)
            stats[name] = ColumnStats(ndv=ndv, null_fraction=1 - count / seen, min=low, max=high)
        return TableStats(rows=rows, columns=stats, source=self.name)

    def _upload(self, table: str, data: Arrow) -> None:
        """Create ``table`` from Arrow (zero-copy scan of the registered table, or of the
        reader's batches as they come)."""
        view = "_pushdown_upload"
        sql = create_table_as(table, view, dialect="duckdb")
        with self.errors(sql), _ARROW_SCANS:
            self.con.register(view, data)
            try:
                self.con.execute(sql)
            finally:
                self.con.unregister(view)

    def execute(self, sql: str) -> None:
        """Run a statement that returns no rows."""
        with self.errors(sql):
            self.con.execute(sql)

    def drop(self, table: str) -> None:
        """``DROP TABLE IF EXISTS table``."""
        sql = drop_table(table, dialect="duckdb")
        with self.errors(sql):
            self.con.execute(sql)

    def cancel(self) -> None:
        """Interrupt the running query (``DuckDBPyConnection.interrupt``)."""
        self.con.interrupt()

    def close(self) -> None:
        """Close the connection."""
        self.con.close()


@functools.lru_cache(maxsize=64)
def _schemas_statement(tables: tuple[str, ...]) -> str:
    """The one statement reading the schemas of ``tables`` (see
    :meth:`DuckDBConnector.table_schemas`), generated once per list of tables: a warm
    ``plan()`` sends it again and generating it cost a third of its time."""
    columns: list[exp.Expr] = []
    sources: list[exp.Expr] = []
    for i, table in enumerate(tables):
        alias = exp.to_identifier(f"__pushdown_row_{i}", quoted=True)
        columns.append(exp.alias_(exp.Literal.number(1), f"{_MARKER}{i}", quoted=True))
        columns.append(exp.Column(this=exp.Star(), table=alias.copy()))
        empty = exp.select(exp.Star()).from_(table_ref(table, dialect="duckdb")).limit(0)
        sources.append(exp.Subquery(this=empty, alias=exp.TableAlias(this=alias)))
    query = exp.Select(expressions=columns, from_=exp.From(this=sources[0]))
    query.set("joins", [exp.Join(this=source, kind="CROSS") for source in sources[1:]])
    return query.sql(dialect="duckdb")
