"""Arrow <-> SQL types, in one place.

The plan carries Arrow schemas.  SQL types are sqlglot ``DataType`` trees, so each dialect's
spelling (``INT64`` on BigQuery, ``STRING`` on Hive, ``VARCHAR`` on Snowflake) comes from
sqlglot's generator and not from a table of ours.  What an engine cannot hold is declared in
its profile (``[types]`` in ``dialects/<engine>.toml``) and checked by :func:`check_type_supported`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Protocol

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.expressions.datatypes import DType

from pushdown.errors import FlowError, InvalidValueError

DT = exp.DataType.Type

_ARROW_TO_SQL: dict[pa.DataType, DType] = {
    pa.bool_(): DT.BOOLEAN,
    pa.int8(): DT.TINYINT,
    pa.int16(): DT.SMALLINT,
    pa.int32(): DT.INT,
    pa.int64(): DT.BIGINT,
    pa.uint8(): DT.UTINYINT,
    pa.uint16(): DT.USMALLINT,
    pa.uint32(): DT.UINT,
    pa.uint64(): DT.UBIGINT,
    pa.float16(): DT.FLOAT,
    pa.float32(): DT.FLOAT,
    pa.float64(): DT.DOUBLE,
    pa.string(): DT.VARCHAR,
    pa.large_string(): DT.VARCHAR,
    pa.binary(): DT.VARBINARY,
    pa.large_binary(): DT.VARBINARY,
    pa.date32(): DT.DATE,
    pa.date64(): DT.DATE,
    pa.null(): DT.NULL,
}

_SQL_TO_ARROW: dict[DType, pa.DataType] = {
    DT.BOOLEAN: pa.bool_(),
    DT.TINYINT: pa.int8(),
    DT.SMALLINT: pa.int16(),
    DT.INT: pa.int32(),
    DT.BIGINT: pa.int64(),
    DT.INT128: pa.decimal128(38, 0),
    DT.UTINYINT: pa.uint8(),
    DT.USMALLINT: pa.uint16(),
    DT.UINT: pa.uint32(),
    DT.UBIGINT: pa.uint64(),
    DT.FLOAT: pa.float32(),
    DT.DOUBLE: pa.float64(),
    DT.VARCHAR: pa.string(),
    DT.NVARCHAR: pa.string(),
    DT.CHAR: pa.string(),
    DT.NCHAR: pa.string(),
    DT.TEXT: pa.string(),
    DT.VARBINARY: pa.binary(),
    DT.BINARY: pa.binary(),
    DT.BLOB: pa.binary(),
    DT.DATE: pa.date32(),
    DT.DATETIME: pa.timestamp("us"),
    DT.TIMESTAMP: pa.timestamp("us"),
    DT.TIMESTAMPNTZ: pa.timestamp("us"),
    DT.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    DT.TIMESTAMPLTZ: pa.timestamp("us", tz="UTC"),
    DT.TIME: pa.time64("us"),
    DT.NULL: pa.null(),
    DT.INTERVAL: pa.month_day_nano_interval(),
}


def arrow_to_sql(
    t: pa.DataType, *, dialect: str | None = None, kinds: Sequence[DecimalKind] = ()
) -> exp.DataType:
    """Return the sqlglot type that holds Arrow type ``t``: dialect-neutral, or, given the
    engine's decimal ``kinds``, with the limits its profile puts on decimals
    (:func:`decimal_type`; ``dialect`` names the engine in its message)."""
    if t in _ARROW_TO_SQL:
        return exp.DataType.build(_ARROW_TO_SQL[t])
    if pa.types.is_decimal(t):
        return decimal_type(t.precision, t.scale, dialect=dialect, kinds=kinds)
    if pa.types.is_timestamp(t):
        return exp.DataType.build(DT.TIMESTAMPTZ if t.tz else DT.TIMESTAMP)
    if pa.types.is_time(t):
        return exp.DataType.build(DT.TIME)
    if pa.types.is_dictionary(t):
        return arrow_to_sql(t.value_type, dialect=dialect, kinds=kinds)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        inner = arrow_to_sql(t.value_type, dialect=dialect, kinds=kinds)
        return exp.DataType(this=DT.ARRAY, expressions=[inner], nested=True)
    if pa.types.is_struct(t):
        fields = [
            exp.ColumnDef(
                this=exp.to_identifier(f.name),
                kind=arrow_to_sql(f.type, dialect=dialect, kinds=kinds),
            )
            for f in t
        ]
        return exp.DataType(this=DT.STRUCT, expressions=fields, nested=True)
    if pa.types.is_map(t):
        return exp.DataType(
            this=DT.MAP,
            expressions=[
                arrow_to_sql(t.key_type, dialect=dialect, kinds=kinds),
                arrow_to_sql(t.item_type, dialect=dialect, kinds=kinds),
            ],
            nested=True,
        )
    raise FlowError(f"Arrow type {t} has no SQL equivalent in pushdown")


def dialect_name(dialect: str | None) -> str | None:
    """The sqlglot dialect's name without its settings (``"hive, version=2.1"`` is ``hive``)."""
    return None if dialect is None else dialect.split(",", 1)[0].strip().lower()


class TimestampSpelling(Protocol):
    """How an engine spells pushdown's timestamp types (``pushdown.profiles.TypeLimits``:
    the profile's ``[types] timestamp`` and ``timestamptz``, sqlglot type names)."""

    @property
    def timestamp(self) -> str: ...

    @property
    def timestamptz(self) -> str: ...


def spell_timestamps(tree: exp.Expr, types: TimestampSpelling) -> exp.Expr:
    """Every TIMESTAMP (wall-clock) and TIMESTAMPTZ (instant) type in ``tree`` spelled the
    way ``types`` (an engine profile's ``[types]``) says, e.g. ``TIMESTAMP_NTZ`` and
    ``TIMESTAMP_LTZ`` on Spark and Databricks, whose plain TIMESTAMP is the instant type
    unless a session setting says otherwise.  Changes ``tree`` in place and returns it."""
    swap = {
        DType.TIMESTAMP: DType[types.timestamp],
        DType.TIMESTAMPTZ: DType[types.timestamptz],
    }
    if all(k == v for k, v in swap.items()):
        return tree
    for node in list(tree.find_all(exp.DataType)):
        if node.this in swap:
            node.set("this", swap[node.this])
    return tree


class DecimalKind(Protocol):
    """A decimal type of an engine (``pushdown.profiles.DecimalKind``: the profile's
    ``[types] decimal_kinds``)."""

    @property
    def name(self) -> str: ...  # the sqlglot type: DECIMAL or BIGDECIMAL

    @property
    def max_scale(self) -> int: ...

    @property
    def max_integer_digits(self) -> int: ...


def decimal_type(
    precision: int,
    scale: int,
    *,
    dialect: str | None = None,
    kinds: Sequence[DecimalKind] = (),
) -> exp.DataType:
    """``DECIMAL(precision, scale)`` as the engine can hold it: the first of ``kinds`` (its
    profile's ``[types] decimal_kinds``, narrowest first) whose scale and integer digits
    suffice; a plain ``DECIMAL`` when the profile declares none.

    BigQuery's ``NUMERIC(P, S)`` takes at most 9 decimals and 29 integer digits; wider
    decimals need ``BIGNUMERIC(P, S)`` (38 and 38), and wider ones still have no BigQuery
    type (``dialects/bigquery.toml`` cites the page).
    """
    for kind in kinds:
        if scale <= kind.max_scale and precision - scale <= kind.max_integer_digits:
            return exp.DataType.build(f"{kind.name}({precision}, {scale})")
    if kinds:
        widest = kinds[-1]
        engine = dialect_name(dialect) or "the engine"
        spelled = exp.DataType.build(widest.name).sql(dialect=dialect_name(dialect))
        raise FlowError(
            f"decimal({precision}, {scale}) does not fit {engine}: {spelled} holds at most "
            f"{widest.max_integer_digits} integer digits and {widest.max_scale} decimals; "
            "cast the column to a narrower decimal or to double"
        )
    return exp.DataType.build(f"DECIMAL({precision}, {scale})")


def sql_to_arrow(t: exp.DataType) -> pa.DataType | None:
    """Return the Arrow type for sqlglot type ``t``, or None when it is unknown."""
    kind = t.this
    if kind in (DT.DECIMAL, DT.BIGDECIMAL):
        params = [int(p.name) for p in t.expressions if p.name.isdigit()]
        if kind == DT.BIGDECIMAL:
            return pa.decimal128(38, 9)
        precision = params[0] if params else 38
        scale = params[1] if len(params) > 1 else (0 if params else 9)
        return pa.decimal128(min(precision, 38), scale)
    if kind == DT.ARRAY:
        inner = sql_to_arrow(t.expressions[0]) if t.expressions else None
        return pa.list_(inner) if inner is not None else None
    if kind == DT.STRUCT:
        fields = []
        for col in t.expressions:
            kind_expr = col.args.get("kind")
            inner = sql_to_arrow(kind_expr) if isinstance(kind_expr, exp.DataType) else None
            if inner is None:
                return None
            fields.append(pa.field(col.name, inner))
        return pa.struct(fields)
    if kind == DT.MAP and len(t.expressions) == 2:
        key, value = (sql_to_arrow(e) for e in t.expressions)
        return pa.map_(key, value) if key is not None and value is not None else None
    return _SQL_TO_ARROW.get(kind)


def parse_type(text: str, *, dialect: str | None = None, recipe: str | None = None) -> pa.DataType:
    """Parse a type name (``decimal(10,2)``, ``string``, ``timestamp``) into an Arrow type."""
    cached = _PARSED.get((text, dialect))
    if cached is not None:
        return cached
    try:
        parsed = exp.DataType.build(text, dialect=dialect or "")
    except (ParseError, TokenError, ValueError, RecursionError) as err:
        raise FlowError(f"cannot parse type {text!r}: {err!s:.200}", recipe=recipe) from None
    arrow = sql_to_arrow(parsed)
    if arrow is None:
        raise FlowError(f"type {text!r} has no Arrow equivalent", recipe=recipe)
    _PARSED[(text, dialect)] = arrow
    return arrow


_PARSED: dict[tuple[str, str | None], pa.DataType] = {}


@functools.lru_cache(maxsize=4096)
def sql_kind(t: pa.DataType) -> DType:
    """The sqlglot type kind holding Arrow type ``t`` (cached; for capability checks)."""
    kind: DType = arrow_to_sql(t).this
    return kind


@functools.lru_cache(maxsize=4096)
def sql_type_name(t: pa.DataType, dialect: str) -> str:
    """Spell Arrow type ``t`` as DDL for ``dialect``."""
    return arrow_to_sql(t).sql(dialect=dialect)


def is_numeric(t: pa.DataType) -> bool:
    """True for integer, floating and decimal Arrow types."""
    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t))


def is_text(t: pa.DataType) -> bool:
    """True for string Arrow types."""
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def common_type(a: pa.DataType, b: pa.DataType) -> pa.DataType | None:
    """The type both ``a`` and ``b`` widen to without loss of meaning, or None."""
    if a == b:
        return a
    if pa.types.is_null(a):
        return b
    if pa.types.is_null(b):
        return a
    if pa.types.is_integer(a) and pa.types.is_integer(b):
        return pa.int64()
    if is_numeric(a) and is_numeric(b):
        if pa.types.is_decimal(a) and pa.types.is_decimal(b):
            scale = max(a.scale, b.scale)
            digits = max(a.precision - a.scale, b.precision - b.scale)
            return pa.decimal128(min(38, digits + scale), scale)
        return pa.float64()
    if is_text(a) and is_text(b):
        return pa.string()
    if pa.types.is_timestamp(a) and pa.types.is_timestamp(b) and a.tz == b.tz:
        return pa.timestamp("us", tz=a.tz)
    return None


def plain_strings(table: pa.Table) -> pa.Table:
    """``table`` with string views as plain strings (not every engine and driver reads views)."""
    fields = [
        f.with_type(pa.string()) if pa.types.is_string_view(f.type) else f for f in table.schema
    ]
    return table.cast(pa.schema(fields))


# -- Arrow data pushdown's engines can hold ----------------------------------------------
@functools.lru_cache(maxsize=512)
def _readable(schema: pa.Schema) -> bool:
    # Cached per schema: opening a DuckDB connection to probe costs ~20-100 ms, and flows
    # (the conformance suite's batches, say) declare many datasets of a few schemas.
    import duckdb  # only when a schema is checked

    con = duckdb.connect(":memory:")
    try:
        con.from_arrow(schema.empty_table()).limit(0).fetchall()
        return True
    except Exception:  # DuckDB's own errors and Arrow's (unions, ...)
        return False
    finally:
        con.close()


def _cast_hint(t: pa.DataType) -> str:
    if pa.types.is_float16(t):
        return "cast it to float32"
    if pa.types.is_decimal(t):
        return "cast it to decimal128 (at most 38 digits) or float64"
    return "cast it to a plain type (string, int64, float64, timestamp)"


def check_arrow_schema(schema: pa.Schema, *, dataset: str) -> None:
    """Refuse Arrow data the local engine cannot read (no columns, float16, decimal256,
    unions), naming the dataset and the column, before anything runs."""
    if len(schema) == 0:
        raise InvalidValueError(
            "the data has no columns; a dataset needs at least one", dataset=dataset
        )
    if _readable(schema):
        return
    for field in schema:
        if not _readable(pa.schema([field])):
            raise InvalidValueError(
                f"column {field.name!r} is {field.type}, which pushdown's engines cannot "
                f"hold; {_cast_hint(field.type)} first",
                dataset=dataset,
                column=field.name,
            )
