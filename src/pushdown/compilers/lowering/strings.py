"""Strings: SUBSTRING positions, LIKE without an escape character, ``||`` and CONCAT.

pushdown's meaning (``docs/semantics.md``): substring is 1-based, a start of 0 is read as 1,
a negative length gives an empty string; LIKE has no escape character unless ESCAPE is
written; ``a || b`` and ``concat(a, b)`` are NULL when an argument is NULL.
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.compilers.lowering.base import Construct, Context, int_literal


def _start_zero_is_one(node: exp.Expr) -> None:
    start = node.args.get("start")
    if start is None:
        return
    value = int_literal(start)
    if value == 0:
        node.set("start", exp.Literal.number(1))
    elif value is None:
        zero = exp.EQ(this=start.copy(), expression=exp.Literal.number(0))
        node.set("start", exp.If(this=zero, true=exp.Literal.number(1), false=start))


def _negative_length_is_zero(node: exp.Expr) -> None:
    length = node.args.get("length")
    if length is None:
        return
    value = int_literal(length)
    if value is not None and value < 0:
        node.set("length", exp.Literal.number(0))
    elif value is None:
        below = exp.LT(this=length.copy(), expression=exp.Literal.number(0))
        node.set("length", exp.If(this=below, true=exp.Literal.number(0), false=length))


def _duckdb_substring(node: exp.Expr, ctx: Context) -> None:
    """DuckDB counts a start of 0 as the position before the first character and a negative
    length backwards: both are mapped onto pushdown's reading."""
    _start_zero_is_one(node)
    _negative_length_is_zero(node)


def _snowflake_substring(node: exp.Expr, ctx: Context) -> None:
    """Snowflake documents 1 as the first position and no meaning for 0: pass 1."""
    _start_zero_is_one(node)


def _bigquery_substring(node: exp.Expr, ctx: Context) -> None:
    """BigQuery raises an error for a negative length: pass 0 (an empty string)."""
    _negative_length_is_zero(node)


_BACKSLASH = "\\"


def _literal_backslashes(node: exp.Expr, ctx: Context) -> None:
    """Engines whose LIKE escapes with a backslash by default get every backslash doubled,
    so it matches itself; a non-literal pattern goes through REPLACE."""
    if isinstance(node.parent, exp.Escape):
        return  # ESCAPE written by the user: the engine's meaning is the written one
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        if _BACKSLASH not in pattern.this:
            return
        node.set("expression", exp.Literal.string(pattern.this.replace(_BACKSLASH, 2 * _BACKSLASH)))
    else:
        node.set(
            "expression",
            exp.Anonymous(
                this="REPLACE",
                expressions=[
                    pattern,
                    exp.Literal.string(_BACKSLASH),
                    exp.Literal.string(2 * _BACKSLASH),
                ],
            ),
        )


def _snowflake_like(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """Snowflake: doubled backslashes and an explicit ESCAPE '\\', so the pattern means the
    same whatever the engine's default escape is."""
    if isinstance(node.parent, exp.Escape):
        return None
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string and _BACKSLASH not in pattern.this:
        return None
    _literal_backslashes(node, ctx)
    return exp.Escape(this=node, expression=exp.Literal.string(_BACKSLASH))


def _hive_concat(node: exp.Expr, ctx: Context) -> exp.Expr:
    """Hive before 2.2 has no ``||``: CONCAT, which is NULL when an argument is NULL too."""
    parts: list[exp.Expr] = []
    for side in (node.this, node.expression):
        if isinstance(side, exp.Concat):
            parts.extend(side.expressions)
        else:
            parts.append(side)
    return exp.Concat(expressions=parts)


CONSTRUCTS = (
    Construct(
        "substring",
        "SUBSTRING",
        (exp.Substring,),
        rewrites={
            "duckdb": _duckdb_substring,
            "snowflake": _snowflake_substring,
            "bigquery": _bigquery_substring,
        },
    ),
    Construct("length", "LENGTH", (exp.Length,)),
    Construct(
        "like",
        "LIKE",
        (exp.Like, exp.ILike),
        rewrites={
            "spark": _literal_backslashes,
            "databricks": _literal_backslashes,
            "hive": _literal_backslashes,
            "bigquery": _literal_backslashes,
            "snowflake": _snowflake_like,
        },
    ),
    Construct("concat_operator", "a || b", (exp.DPipe,), rewrites={"hive": _hive_concat}),
    Construct("concat", "CONCAT", (exp.Concat,)),
    Construct("string_comparison", "string comparison"),
)
