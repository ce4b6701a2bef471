"""Type inference and type checks for formulas, with sqlglot's type annotator.

Column types come from the input's Arrow schema; sqlglot annotates the rest.  Functions the
annotator leaves UNKNOWN take their argument's type where that is their meaning (MEDIAN, MIN_BY)
and otherwise default to the widest sensible type.  Mismatches that every engine rejects
(arithmetic on text, text functions on numbers, SUM of text) are :class:`FormulaTypeError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.optimizer.annotate_types import TypeAnnotator, annotate_types
from sqlglot.schema import MappingSchema

from pushdown.errors import FormulaTypeError
from pushdown.plan.operands import operand_problem
from pushdown.types import arrow_to_sql, is_numeric, is_text, sql_to_arrow

_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv)
_TEXT_FUNCS = (exp.Upper, exp.Lower, exp.Length, exp.Substring, exp.Trim, exp.Initcap)
_NUMERIC_AGGS = (
    exp.Sum,
    exp.Avg,
    exp.Median,
    exp.Stddev,
    exp.StddevSamp,
    exp.StddevPop,
    exp.Variance,
    exp.VariancePop,
)
_ARG_TYPED = (
    exp.Median,
    exp.ArgMin,
    exp.ArgMax,
    exp.Min,
    exp.Max,
    exp.First,
    exp.Last,
    exp.FirstValue,
    exp.LastValue,
    exp.Lag,
    exp.Lead,
    exp.AnyValue,
    exp.NthValue,
)

_ANNOTATION_CACHE: dict[pa.DataType, exp.DataType] = {}


def _sql_type(t: pa.DataType) -> exp.DataType:
    cached = _ANNOTATION_CACHE.get(t)
    if cached is None:
        cached = _ANNOTATION_CACHE[t] = arrow_to_sql(t)
    return cached


# The annotator's (empty) table schema per dialect: formulas name no tables, and building one
# per call was a third of annotating a small formula.
_SCHEMAS: dict[str | None, MappingSchema] = {}


def _empty_schema(dialect: str | None) -> MappingSchema:
    schema = _SCHEMAS.get(dialect)
    if schema is None:
        schema = _SCHEMAS[dialect] = MappingSchema(None, dialect=dialect)
    return schema


def _rounded(original: dict[str, Any]) -> Callable[[TypeAnnotator, exp.Expr], exp.Expr]:
    """The annotator rule for ``round``/``trunc``: of an integer it is of its integer type
    (``docs/semantics.md``; the lowering writes it so on every engine), ``trunc`` of another
    number keeps its type; otherwise the dialect's own rule (``original``) types it."""

    def annotate(annotator: TypeAnnotator, node: exp.Expr) -> exp.Expr:
        arg = node.this
        if arg.is_type(*exp.DataType.INTEGER_TYPES) or (
            isinstance(node, exp.Trunc) and arg.is_type(*exp.DataType.NUMERIC_TYPES)
        ):
            annotator._set_type(node, arg.type)
        elif "annotator" in original:
            return original["annotator"](annotator, node)  # type: ignore[no-any-return]
        else:
            annotator._set_type(node, original.get("returns"))
        return node

    return annotate


_METADATA: dict[str | None, dict[type[exp.Expr], dict[str, Any]]] = {}


def _metadata(dialect: str | None) -> dict[type[exp.Expr], dict[str, Any]]:
    """The annotator's per-expression rules for ``dialect``, with pushdown's for rounding."""
    rules = _METADATA.get(dialect)
    if rules is None:
        rules = dict(Dialect.get_or_raise(dialect).EXPRESSION_METADATA)
        for cls in (exp.Round, exp.Trunc):
            rules[cls] = {"annotator": _rounded(rules.get(cls) or {})}
        _METADATA[dialect] = rules
    return rules


def _arrow(node: exp.Expr) -> pa.DataType | None:
    t = node.type
    if t is None or t.this in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
        return None
    return sql_to_arrow(t)


def annotate(tree: exp.Expr, schema: pa.Schema, *, dialect: str | None) -> exp.Expr:
    """Annotate ``tree`` (columns unqualified or qualified, names from ``schema``) in place."""
    for col in tree.find_all(exp.Column):
        idx = schema.get_field_index(col.name)
        if idx >= 0:
            col.type = _sql_type(schema.field(idx).type)
    return annotate_types(
        tree,
        _empty_schema(dialect or None),
        expression_metadata=_metadata(dialect or None),
        overwrite_types=False,
        dialect=dialect or None,
    )


def harmonize(tree: exp.Expr, schema: pa.Schema, *, dialect: str | None) -> exp.Expr:
    """Annotate a parsed formula's types against ``schema`` (in place) and return it.

    What a construct means on each engine is no longer settled here: the lowering
    (``compilers/lowering``) rewrites each fragment for its engine just before generation,
    e.g. DuckDB's DATE_TRUNC of a DATE (a TIMESTAMP there) is cast back to DATE, while Spark
    uses TRUNC, which already returns a DATE.
    """
    return annotate(tree, schema, dialect=dialect)


def check_types(tree: exp.Expr, *, recipe: str, column: str | None, text: str) -> None:
    """Raise :class:`FormulaTypeError` for operand types no engine accepts."""

    def fail(why: str) -> None:
        where = f"column {column!r}: " if column else ""
        raise FormulaTypeError(f"{where}formula {text!r}: {why}", recipe=recipe, column=column)

    for node in tree.walk():
        problem = operand_problem(node)  # comparisons, conditions, dates: plan/operands.py
        if problem:
            fail(problem)
        if isinstance(node, _ARITHMETIC):
            for side in (node.this, node.expression):
                t = _arrow(side)
                if t is not None and is_text(t):
                    fail(
                        f"{type(node).__name__.lower()} of text {side.sql()!r}; cast it first, "
                        f"e.g. CAST({side.sql()} AS DOUBLE), or use || to concatenate"
                    )
        elif isinstance(node, _TEXT_FUNCS):
            t = _arrow(node.this)
            if t is not None and not is_text(t):
                fail(
                    f"{node.sql_name()} expects text but {node.this.sql()!r} is {t}; "
                    f"cast it with CAST(... AS VARCHAR)"
                )
        elif isinstance(node, _NUMERIC_AGGS):
            t = _arrow(node.this)
            if t is not None and not (is_numeric(t) or pa.types.is_boolean(t)):
                fail(f"{node.sql_name()} expects a number but {node.this.sql()!r} is {t}")


def infer_type(
    tree: exp.Expr,
    schema: pa.Schema,
    *,
    dialect: str | None,
    recipe: str,
    column: str | None,
    text: str | None = None,
    annotate_first: bool = True,
) -> pa.DataType:
    """The Arrow type of formula ``tree`` over ``schema``, after checking its operand types
    (``annotate_first=False``: ``tree`` is annotated over ``schema`` already)."""
    annotated = annotate(tree, schema, dialect=dialect) if annotate_first else tree
    check_types(annotated, recipe=recipe, column=column, text=text or tree.sql())
    return _result_type(annotated)


def _result_type(node: exp.Expr) -> pa.DataType:
    known = _arrow(node)
    if known is not None:
        return known
    inner = node.this if isinstance(node, exp.Window) else node
    if isinstance(inner, _ARG_TYPED) and isinstance(inner.this, exp.Expr):
        return _result_type(inner.this)
    if isinstance(inner, exp.Count | exp.RowNumber | exp.Rank | exp.DenseRank | exp.Ntile):
        return pa.int64()
    if isinstance(inner, exp.Paren | exp.Neg | exp.Abs | exp.Coalesce):
        return _result_type(inner.this)
    if isinstance(inner, exp.Predicate | exp.Connector | exp.Not):
        return pa.bool_()
    if isinstance(inner, exp.Null):
        return pa.null()
    return pa.float64() if isinstance(inner, exp.AggFunc) else pa.string()
