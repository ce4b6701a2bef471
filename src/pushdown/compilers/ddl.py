"""DDL and utility statements as sqlglot trees (never pasted strings)."""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from pushdown.compilers.sql import quoted, table_ref
from pushdown.types import arrow_to_sql


def select_all(table: str, *, dialect: str, limit: int | None = None) -> str:
    """``SELECT * FROM table [LIMIT n]``."""
    query = exp.select(exp.Star()).from_(table_ref(table, dialect=dialect))
    if limit is not None:
        query = query.limit(limit)
    return query.sql(dialect=dialect)


def create_table_as(table: str, source: str, *, dialect: str, replace: bool = True) -> str:
    """``CREATE [OR REPLACE] TABLE table AS SELECT * FROM source``."""
    query = exp.select(exp.Star()).from_(table_ref(source, dialect=dialect))
    create = exp.Create(
        this=table_ref(table, dialect=dialect), kind="TABLE", replace=replace, expression=query
    )
    return create.sql(dialect=dialect)


def create_table(table: str, schema: pa.Schema, *, dialect: str) -> str:
    """``CREATE TABLE table (col type, ...)`` with types spelled for ``dialect``."""
    columns = [exp.ColumnDef(this=quoted(f.name), kind=arrow_to_sql(f.type)) for f in schema]
    create = exp.Create(
        this=exp.Schema(this=table_ref(table, dialect=dialect), expressions=columns), kind="TABLE"
    )
    return create.sql(dialect=dialect)


def drop_table(table: str, *, dialect: str) -> str:
    """``DROP TABLE IF EXISTS table``."""
    return exp.Drop(tables=[table_ref(table, dialect=dialect)], kind="TABLE", exists=True).sql(
        dialect=dialect
    )


def rename_table(old: str, new: str, *, dialect: str) -> str:
    """``ALTER TABLE old RENAME TO new``."""
    alter = exp.Alter(
        this=table_ref(old, dialect=dialect),
        kind="TABLE",
        actions=[exp.AlterRename(this=table_ref(new, dialect=dialect))],
    )
    return alter.sql(dialect=dialect)
