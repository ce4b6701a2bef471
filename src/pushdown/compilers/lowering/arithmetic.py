"""Division, remainders and numeric casts (``docs/semantics.md``: arithmetic and casts).

Each rewrite cites the vendor page in the profile entry that switches it on.
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.compilers.lowering.base import (
    FRACTIONAL,
    INTEGERS,
    Construct,
    Context,
    DType,
    int_literal,
    is_type,
)
from pushdown.errors import FlowError
from pushdown.types import decimal_type


def _float_division(node: exp.Expr, ctx: Context) -> None:
    """Two integers divide as DOUBLEs (Snowflake keeps a NUMBER with 6 decimals)."""
    assert isinstance(node, exp.Div)
    if is_type(node.this, INTEGERS) and is_type(node.expression, INTEGERS):
        node.set("this", exp.cast(node.this, exp.DataType.build("DOUBLE")))


def _null_on_zero(node: exp.Expr, ctx: Context) -> None:
    """``a / b`` -> ``a / NULLIF(b, 0)`` unless ``b`` is a non-zero literal."""
    divisor = node.args.get("expression")
    if divisor is None or isinstance(divisor, exp.Nullif):
        return
    if isinstance(divisor, exp.Literal) and divisor.is_number and float(divisor.this) != 0:
        return
    node.set("expression", exp.Nullif(this=divisor, expression=exp.Literal.number(0)))


_TO_INTEGER = {DType.TINYINT, DType.SMALLINT, DType.INT, DType.BIGINT}


def _round_before_int_cast(node: exp.Expr, ctx: Context) -> None:
    """``CAST(x AS INT)`` of a float or decimal -> ``CAST(ROUND(x) AS INT)``: ROUND rounds
    half away from zero where the cast truncates (Spark, Hive) or rounds half to even
    (DuckDB's casts of DOUBLE).  A quotient counts as fractional whatever sqlglot types it:
    ``/`` never divides integers as integers in pushdown (docs/semantics.md)."""
    assert isinstance(node, exp.Cast)
    operand = node.this.unnest()
    if node.to.this in _TO_INTEGER and (
        is_type(node.this, FRACTIONAL) or isinstance(operand, exp.Div)
    ):
        node.set("this", exp.Round(this=node.this))


def _bigquery_decimal(node: exp.Expr, ctx: Context) -> None:
    """``CAST(x AS DECIMAL(p, s))`` keeps p and s on BigQuery (sqlglot drops them)."""
    assert isinstance(node, exp.Cast)
    to = node.to
    if to.this not in (DType.DECIMAL, DType.BIGDECIMAL) or not to.expressions:
        return
    values = [int_literal(p.this) for p in to.expressions]
    if any(v is None for v in values):
        return
    precision = values[0]
    scale = values[1] if len(values) > 1 else 0
    assert precision is not None and scale is not None
    try:  # the profile's decimal kinds (dialects/bigquery.toml, [types] decimal_kinds)
        fits = decimal_type(
            precision, scale, dialect=ctx.dialect, kinds=ctx.profile.types.decimal_kinds
        ).this
    except FlowError:  # wider than BIGNUMERIC: BigQuery says so when it reads the cast
        fits = DType.BIGDECIMAL
    name = "NUMERIC" if fits == DType.DECIMAL else "BIGNUMERIC"
    # A user-defined type is printed as given: sqlglot's BigQuery generator would otherwise
    # strip the parameters of a type inside CAST.
    node.set("to", exp.DataType(this=DType.USERDEFINED, kind=f"{name}({precision}, {scale})"))


_WHOLE = (exp.Ceil, exp.Floor, exp.Round, exp.Trunc)


def _digits(node: exp.Expr) -> exp.Expr | None:
    return node.args.get("decimals")


def _whole_places(node: exp.Expr) -> bool:
    """No digits given, or a literal number of them at or after the point: rounding an
    integer so leaves it as it is."""
    digits = _digits(node)
    if digits is None:
        return True
    count = int_literal(digits)
    return count is not None and count >= 0


def _integer_whole(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """``ceil``, ``floor``, ``round`` or ``trunc`` of an integer, to no digits or to a
    literal number of digits at or after the point, is the integer itself, with its type:
    DuckDB's CEIL and FLOOR and BigQuery's four functions return a DOUBLE, rounded beyond
    2**53, and Hive's take a DOUBLE.  BigQuery rounds to tens or hundreds (``round(n, -2)``,
    or digits not known while planning) in NUMERIC, exact for every INT64, and casts back."""
    integer: exp.Expr = node.this
    if not is_type(integer, INTEGERS):
        return None
    if _whole_places(node):
        return integer
    if ctx.dialect == "bigquery" and isinstance(node, exp.Round | exp.Trunc):
        exact = node.copy()
        exact.set("this", exp.cast(node.this, exp.DataType.build("DECIMAL")))
        return exp.cast(exact, node.this.type or exp.DataType.build("BIGINT"))
    return None


def _hive_integer_places(node: exp.Expr, ctx: Context) -> str | None:
    """Hive rounds an integer to tens (or to digits not known while planning) as a DOUBLE."""
    if _whole_places(node) or not is_type(node.this, INTEGERS):
        return None
    return (
        "Hive's round takes a DOUBLE (DOUBLE round(DOUBLE a, INT d)): an integer beyond 2^53 "
        "would be rounded and the result would not be an integer; "
        "round(CAST(x AS DECIMAL(38, 0)), n) rounds it exactly"
    )


_EXACT_DOUBLES = exp.Literal.number(2**52)  # every DOUBLE at or beyond it is a whole number


def _double_whole(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """``ceil``/``floor``/``trunc`` of a DOUBLE stays a DOUBLE: Spark, Databricks and Hive
    return a BIGINT (``trunc`` is written ``CAST(x AS BIGINT)`` there), which overflows
    beyond 2**63 (an error under ANSI mode, Long.MAX_VALUE without it) and turns NaN into 0.
    Below 2**52 the BIGINT is exact and is cast back; at or beyond it (and for infinities
    and NaN, which compare false) the DOUBLE is already whole."""
    if _digits(node) is not None or not is_type(node.this, exp.DataType.FLOAT_TYPES):
        return None
    x = node.this
    whole = node.copy()
    small = exp.LT(this=exp.Abs(this=x.copy()), expression=_EXACT_DOUBLES.copy())
    return exp.Case(
        ifs=[exp.If(this=small, true=exp.cast(whole, exp.DataType.build("DOUBLE")))],
        default=x.copy(),
    )


CONSTRUCTS = (
    Construct(
        "division",
        "a / b of two integers",
        (exp.Div,),
        rewrites={"snowflake": _float_division},
    ),
    Construct(
        "division_by_zero",
        "division by zero",
        (exp.Div, exp.Mod, exp.IntDiv),
        rewrites={
            d: _null_on_zero
            for d in ("duckdb", "spark", "databricks", "hive", "snowflake", "bigquery")
        },
    ),
    Construct("integer_division", "a // b", (exp.IntDiv,)),
    Construct("modulo", "a % b", (exp.Mod,)),
    Construct(
        "cast_to_integer",
        "CAST(float AS integer)",
        (exp.Cast,),
        rewrites={d: _round_before_int_cast for d in ("duckdb", "spark", "databricks", "hive")},
    ),
    Construct(
        "cast_decimal",
        "CAST(x AS DECIMAL(p, s))",
        (exp.Cast,),
        rewrites={"bigquery": _bigquery_decimal},
    ),
    Construct("round", "round(x, n)", (exp.Round,)),
    Construct(
        "integer_whole",
        "ceil/floor/round/trunc of an integer",
        _WHOLE,
        rewrites=dict.fromkeys(
            ("duckdb", "spark", "databricks", "hive", "snowflake", "bigquery"), _integer_whole
        ),
        refuses={"hive": _hive_integer_places},
    ),
    Construct(
        "double_whole",
        "ceil/floor/trunc of a DOUBLE",
        (exp.Ceil, exp.Floor, exp.Trunc),
        rewrites=dict.fromkeys(("spark", "databricks", "hive"), _double_whole),
    ),
)
