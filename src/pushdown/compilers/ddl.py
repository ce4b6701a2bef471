"""DDL and utility statements as sqlglot trees (never pasted strings).

Tables pushdown creates carry the properties their engine needs (``docs/engines.md``, "Staging
and output DDL"): a storage format, ``TEMPORARY``, an expiration.  Staging tables keep the
flow's column names exactly (pushdown reads them back itself); outputs store them the way
users of the engine query them (:func:`output_columns`).  Column types come from
:func:`pushdown.types.arrow_to_sql` for the target dialect, plus the DDL-only choices of
:func:`ddl_type`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa
from sqlglot import exp

from pushdown.compilers.sql import quoted, stored_clash, table_ref
from pushdown.errors import DuplicateNameError
from pushdown.plan.names import stored_column
from pushdown.profiles import profile_for_dialect
from pushdown.types import arrow_to_sql, dialect_name, spell_timestamps

DT = exp.DataType.Type


def select_all(table: str, *, dialect: str, limit: int | None = None) -> str:
    """``SELECT * FROM table [LIMIT n]``."""
    query = exp.select(exp.Star()).from_(table_ref(table, dialect=dialect))
    if limit is not None:
        query = query.limit(limit)
    return query.sql(dialect=dialect)


def stored_as(file_format: str) -> exp.Expr:
    """``STORED AS <format>`` (Hive)."""
    return exp.FileFormatProperty(this=exp.var(file_format), hive_format=True)


def temporary() -> exp.Expr:
    """``TEMPORARY`` (a table that lives as long as the session)."""
    return exp.TemporaryProperty()


def expires(at: dt.datetime) -> exp.Expr:
    """``OPTIONS (expiration_timestamp = TIMESTAMP '...')`` (BigQuery): the table deletes
    itself at ``at`` (UTC)."""
    text = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return exp.Property(
        this=exp.var("expiration_timestamp"),
        value=exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build(DT.TIMESTAMPTZ)),
    )


def ddl_type(t: pa.DataType, *, dialect: str) -> exp.DataType:
    """The column type a created table gets for Arrow type ``t`` on ``dialect``.

    Beyond :func:`arrow_to_sql`: timestamps take the profile's spelling of pushdown's
    TIMESTAMP and TIMESTAMPTZ (``[types] timestamp``/``timestamptz``): a timestamp without
    time zone is ``TIMESTAMP_NTZ`` on Databricks and Spark, whose plain ``TIMESTAMP`` is
    instant-based and shown in the session time zone
    (https://docs.databricks.com/en/sql/language-manual/data-types/timestamp-ntz-type.html,
    Databricks Runtime 13.3 LTS and above), and on Snowflake, whose plain ``TIMESTAMP`` is an
    alias the account's TIMESTAMP_TYPE_MAPPING may point at TIMESTAMP_LTZ or TIMESTAMP_TZ
    (https://docs.snowflake.com/en/sql-reference/data-types-datetime#timestamp)."""
    profile = profile_for_dialect(dialect)
    kinds = profile.types.decimal_kinds if profile is not None else []
    sql = arrow_to_sql(t, dialect=dialect, kinds=kinds)
    if profile is not None:
        spell_timestamps(sql, profile.types)
    return sql


def output_columns(names: Sequence[str], *, dialect: str, table: str = "") -> list[str]:
    """The names an output's columns are stored under on ``dialect``'s engine: what a user
    of that engine queries unquoted (:func:`pushdown.plan.names.stored_column`: ``net`` is
    ``NET`` on Snowflake, every name lower-case on Hive, unchanged elsewhere).  Two columns
    that would be stored under one name are refused, naming both."""
    stored = [stored_column(name, dialect) for name in names]
    clash = stored_clash(names, stored)
    if clash is not None:
        first, name, engine = clash
        where = f" of output table {table!r}" if table else ""
        raise DuplicateNameError(
            f"columns {first!r} and {name!r}{where} would both be stored as "
            f"{engine!r} on {dialect_name(dialect)}: rename one of them",
            column=name,
        )
    return stored


def create_table(
    table: str,
    schema: pa.Schema,
    *,
    dialect: str,
    properties: Sequence[exp.Expr] = (),
) -> str:
    """``CREATE [TEMPORARY] TABLE table (col type, ...) [properties]`` with types spelled for
    ``dialect``."""
    columns = [
        exp.ColumnDef(this=quoted(f.name), kind=ddl_type(f.type, dialect=dialect)) for f in schema
    ]
    create = exp.Create(
        this=exp.Schema(this=table_ref(table, dialect=dialect), expressions=columns),
        kind="TABLE",
        properties=exp.Properties(expressions=list(properties)) if properties else None,
    )
    return create.sql(dialect=dialect)


def create_table_as(
    table: str,
    query: exp.Expr | str,
    *,
    dialect: str,
    replace: bool = True,
    properties: Sequence[exp.Expr] = (),
) -> str:
    """``CREATE [OR REPLACE] [TEMPORARY] TABLE table [properties] AS <query>``; a ``str``
    query names a table to copy (``SELECT * FROM query``)."""
    if isinstance(query, str):
        query = exp.select(exp.Star()).from_(table_ref(query, dialect=dialect))
    create = exp.Create(
        this=table_ref(table, dialect=dialect),
        kind="TABLE",
        replace=replace,
        expression=query,
        properties=exp.Properties(expressions=list(properties)) if properties else None,
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
