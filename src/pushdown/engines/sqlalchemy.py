"""Any engine with a SQLAlchemy dialect package: rows in and out through DB-API.

This is the portable fallback; engines with an Arrow fast path get their own connector.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from pushdown.compilers.ddl import create_table, drop_table, rename_table
from pushdown.engines.base import Connector, staging_name
from pushdown.local.streams import Arrow, as_table
from pushdown.profiles import Profile
from pushdown.types import sql_to_arrow


class SQLAlchemyConnector(Connector):
    """Runs SQL through a SQLAlchemy engine and converts rows to Arrow."""

    def __init__(
        self,
        name: str,
        profile: Profile,
        url: sa.engine.URL,
        connect_args: dict[str, Any] | None = None,
    ):
        super().__init__(name, profile)
        with self.errors():
            self.engine = sa.create_engine(url, connect_args=connect_args or {})

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and build an Arrow table from the fetched rows."""
        with self.errors(sql), self.engine.connect() as conn:
            result = conn.exec_driver_sql(sql)
            names = list(result.keys())
            rows = result.fetchall()
        columns: list[tuple[Any, ...]] = (
            list(zip(*rows, strict=True)) if rows else [() for _ in names]
        )
        return pa.table(
            {name: pa.array(list(col)) for name, col in zip(names, columns, strict=True)}
        )

    def table_schema(self, table: str) -> pa.Schema:
        """The schema of ``table`` from the dialect's reflection."""
        parsed = sqlglot.to_table(table, dialect=self.dialect)
        with self.errors(), self.engine.connect() as conn:
            cols = sa.inspect(conn).get_columns(parsed.name, schema=parsed.db or None)
        fields = []
        for col in cols:
            type_text = col["type"].compile(dialect=self.engine.dialect)
            try:
                arrow = sql_to_arrow(exp.DataType.build(type_text, dialect=self.dialect))
            except Exception:  # a type sqlglot cannot parse: keep the column, as text
                arrow = None
            fields.append(pa.field(col["name"], arrow or pa.string()))
        return pa.schema(fields)

    def write_table(self, table: str, data: Arrow) -> None:
        """Load into a staging table, then swap it in for ``table`` (a reader is read whole:
        the rows go through DB-API)."""
        data = as_table(data)
        staging = staging_name(table)
        insert = exp.insert(
            exp.values([tuple(exp.Placeholder(this=f"p{i}") for i in range(data.num_columns))]),
            staging,
            columns=list(data.column_names),
            dialect=self.dialect,
        ).sql(dialect=self.dialect)
        with self.errors(), self.engine.begin() as conn:
            conn.exec_driver_sql(drop_table(staging, dialect=self.dialect))
            conn.exec_driver_sql(create_table(staging, data.schema, dialect=self.dialect))
            rows = [{f"p{i}": v for i, v in enumerate(row.values())} for row in data.to_pylist()]
            if rows:
                conn.execute(sa.text(insert), rows)
            conn.exec_driver_sql(drop_table(table, dialect=self.dialect))
            conn.exec_driver_sql(rename_table(staging, table, dialect=self.dialect))

    def close(self) -> None:
        """Dispose of the engine's pool."""
        self.engine.dispose()
