"""DuckDB through SQLAlchemy (duckdb-engine), with DuckDB's native Arrow paths."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from pushdown.compilers.ddl import create_table_as, select_all
from pushdown.engines.base import Connector
from pushdown.profiles import Profile


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

    def close(self) -> None:
        """Close the connection and dispose of the engine."""
        self._raw.close()
        self.engine.dispose()
