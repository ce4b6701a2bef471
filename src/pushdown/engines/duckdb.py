"""DuckDB through SQLAlchemy (duckdb-engine), with DuckDB's native Arrow paths."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlglot import exp

from pushdown.compilers.ddl import create_table_as, drop_table, select_all
from pushdown.compilers.sql import table_ref
from pushdown.engines.base import Connector
from pushdown.profiles import Profile
from pushdown.statistics import ColumnStats, TableStats


class DuckDBConnector(Connector):
    """A DuckDB database file (or ``:memory:``) named by a ``duckdb:///`` URL."""

    def __init__(self, name: str, profile: Profile, url: sa.engine.URL):
        super().__init__(name, profile)
        with self.errors():
            self.engine = sa.create_engine(url, poolclass=sa.pool.StaticPool)
            self._raw = self.engine.raw_connection()
        self.con: Any = self._raw.driver_connection

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return DuckDB's Arrow result (no row conversion)."""
        with self.errors(sql):
            return self.con.sql(sql).to_arrow_table()

    def table_schema(self, table: str) -> pa.Schema:
        """The schema of ``table``, from a zero-row Arrow result."""
        return self.fetch_arrow(select_all(table, dialect="duckdb", limit=0)).schema

    def fetch_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and fetch Python rows (DB-API)."""
        with self.errors(sql):
            rows: list[tuple[Any, ...]] = self.con.execute(sql).fetchall()
        return rows

    def write_table(self, table: str, data: pa.Table) -> None:
        """Replace ``table`` inside one transaction (DuckDB DDL is transactional)."""
        self.write_tables({table: data})

    def write_tables(self, tables: dict[str, pa.Table]) -> None:
        """Replace every table in one transaction: all are written or none is."""
        views = {table: f"_pushdown_upload_{i}" for i, table in enumerate(tables)}
        statements = [create_table_as(t, views[t], dialect="duckdb") for t in tables]
        with self.errors("; ".join(statements)):
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

    def table_stats(self, table: str) -> TableStats:
        """Rows, bytes (Arrow size of a sample, scaled) and per-column distinct counts, null
        fractions and min/max from one aggregate query."""
        schema = self.table_schema(table)
        ref = table_ref(table, dialect="duckdb")
        parts: list[exp.Expr] = [exp.Count(this=exp.Star())]
        for f in schema:
            col = exp.column(f.name, quoted=True)
            parts += [
                exp.ApproxDistinct(this=col.copy()),
                exp.Count(this=col.copy()),
                exp.Min(this=col.copy()),
                exp.Max(this=col.copy()),
            ]
        row = self.fetch_arrow(exp.select(*parts).from_(ref).sql(dialect="duckdb"))
        values = [c[0].as_py() for c in row.columns]
        rows = float(values[0])
        sample_sql = (exp.select(exp.Star()).from_(ref).limit(2000)).sql(dialect="duckdb")
        sample = self.fetch_arrow(sample_sql)
        per_row = sample.nbytes / sample.num_rows if sample.num_rows else 0.0
        columns = {}
        for i, f in enumerate(schema):
            ndv, count, low, high = values[1 + 4 * i : 5 + 4 * i]
            width = sample.column(f.name).nbytes / sample.num_rows if sample.num_rows else None
            columns[f.name] = ColumnStats(
                ndv=float(ndv),
                null_fraction=(1 - count / rows) if rows else 0.0,
                min=low,
                max=high,
                avg_bytes=width,
            )
        return TableStats(rows=rows, bytes=rows * per_row, columns=columns, source=self.name)

    def _upload(self, table: str, data: pa.Table) -> None:
        """Create ``table`` from Arrow (zero-copy scan of the registered table)."""
        view = "_pushdown_upload"
        sql = create_table_as(table, view, dialect="duckdb")
        with self.errors(sql):
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
        """Close the connection and dispose of the engine."""
        self._raw.close()
        self.engine.dispose()
