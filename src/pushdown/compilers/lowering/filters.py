"""What a call may carry besides its arguments: ``FILTER (WHERE c)`` on an aggregate and
``IGNORE NULLS`` / ``RESPECT NULLS`` on FIRST_VALUE, LAST_VALUE, NTH_VALUE, LAG and LEAD.

pushdown's meaning (``docs/semantics.md``): FILTER feeds the aggregate only the rows where
``c`` is true, over a window too; IGNORE NULLS skips the rows whose value is NULL, RESPECT
NULLS (the default) keeps them.  Where each engine writes them, or cannot:

- FILTER: DuckDB and Databricks/Spark take it (Spark over a window only from SPARK-55702,
  2026); Snowflake, BigQuery and Hive have no FILTER clause.  Where it is missing (or over a
  window on Databricks/Spark) ``agg(x) FILTER (WHERE c)`` becomes ``agg(CASE WHEN c THEN x
  END)`` (``COUNT(*)``: ``COUNT(CASE WHEN c THEN 1 END)``), the same rows for aggregates that
  skip NULL inputs; for those that keep them (FIRST_VALUE, ARG_MAX, ARRAY_AGG, ...) the
  engine is refused.
- IGNORE/RESPECT NULLS: sqlglot writes them where each engine reads them (inside the
  parentheses for DuckDB and BigQuery, after them for Snowflake and Databricks, Hive's
  ``FIRST_VALUE(x, TRUE)``); BigQuery's LAG/LEAD and Hive's LAG/LEAD take no IGNORE NULLS
  (refused), and RESPECT NULLS, the only behaviour there, is dropped for them (and on Hive,
  whose documented grammar has no RESPECT NULLS).
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.compilers.lowering.base import Construct, Context
from pushdown.plan.formulas import in_window

# Aggregates that skip a NULL input: FILTER (WHERE c) over them is the aggregate of
# CASE WHEN c THEN x END.  (COUNT(*) counts rows: its star becomes CASE WHEN c THEN 1 END.)
# BOOL_AND / BOOL_OR: Snowflake's BOOLAND_AGG / BOOLOR_AGG take "all non-NULL Boolean
# records" (https://docs.snowflake.com/en/sql-reference/functions/booland_agg), BigQuery's
# LOGICAL_AND / LOGICAL_OR "all non-NULL expressions"
# (https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions).
# CORR / COVAR_POP / COVAR_SAMP skip a pair holding a NULL, so a NULL first value drops the
# pair: Snowflake "non-null pairs" (https://docs.snowflake.com/en/sql-reference/functions/corr,
# .../covar_pop, .../covar_samp), BigQuery "ignores any input pairs that contain one or more
# NULL values" (https://cloud.google.com/bigquery/docs/reference/standard-sql/statistical_aggregate_functions).
# Hive's manual does not say; its GenericUDAFCorrelation / GenericUDAFCovariance skip a row
# with either value NULL (the conformance cases run them on each engine).
NULL_SKIPPING = (
    exp.Sum,
    exp.Avg,
    exp.Min,
    exp.Max,
    exp.Count,
    exp.CountIf,
    exp.Variance,
    exp.VariancePop,
    exp.Stddev,
    exp.StddevSamp,
    exp.StddevPop,
    exp.GroupConcat,
    exp.Median,
    exp.ApproxDistinct,
    exp.LogicalAnd,
    exp.LogicalOr,
    exp.Corr,
    exp.CovarPop,
    exp.CovarSamp,
)


def _when(cond: exp.Expr, value: exp.Expr) -> exp.Expr:
    """``value`` where ``cond`` holds, else NULL (also when ``cond`` is NULL, as FILTER)."""
    if isinstance(value, exp.Star):
        value = exp.Literal.number(1)
    return exp.Case(ifs=[exp.If(this=cond.copy(), true=value)])


def _guard(arg: exp.Expr, cond: exp.Expr) -> exp.Expr:
    """``arg`` (an aggregate's value argument) made NULL on the rows ``cond`` drops."""
    if isinstance(arg, exp.Distinct):
        arg.set("expressions", [_when(cond, e) for e in arg.expressions])
        return arg
    if isinstance(arg, exp.Order):  # STRING_AGG(x ORDER BY ...): the value is its ``this``
        arg.set("this", _guard(arg.this, cond))
        return arg
    return _when(cond, arg)


def _filter_as_case(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """``agg(x) FILTER (WHERE c)`` -> ``agg(CASE WHEN c THEN x END)`` (NULL-skipping
    aggregates; the others are refused by :func:`_keeps_nulls`)."""
    call: exp.Expr = node.this
    if not isinstance(call, NULL_SKIPPING):
        return None
    cond = node.expression.this if isinstance(node.expression, exp.Where) else node.expression
    call.set("this", _guard(call.this, cond))
    return call


def _filter_in_window_as_case(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """Databricks/Spark: FILTER stays on a grouping's aggregate; over a window it becomes
    CASE WHEN (Spark refused it there before SPARK-55702)."""
    if not _in_window(node):
        return None
    return _filter_as_case(node, ctx)


def _in_window(node: exp.Expr) -> bool:
    return isinstance(node.this, exp.AggFunc) and in_window(node.this)


def _keeps_nulls(node: exp.Expr, ctx: Context) -> str | None:
    call = node.this
    if isinstance(call, NULL_SKIPPING):
        return None
    name = call.sql_name() if isinstance(call, exp.Func) else type(call).__name__
    return (
        f"{ctx.profile.name} has no FILTER clause here, and {name.upper()} over "
        "CASE WHEN ... END would see the NULLs FILTER leaves out"
    )


def _keeps_nulls_in_window(node: exp.Expr, ctx: Context) -> str | None:
    return _keeps_nulls(node, ctx) if _in_window(node) else None


def _drop_respect_nulls(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """RESPECT NULLS is the default: dropped where the engine does not read it."""
    call: exp.Expr = node.this
    if isinstance(node, exp.RespectNulls) and _dropped_respect(node, ctx):
        return call
    return None


def _dropped_respect(node: exp.Expr, ctx: Context) -> bool:
    return ctx.dialect == "hive" or isinstance(node.this, exp.Lag | exp.Lead)


def _no_ignore_nulls_on_offsets(node: exp.Expr, ctx: Context) -> str | None:
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.Lag | exp.Lead):
        return f"{ctx.profile.name}'s LAG and LEAD take no IGNORE NULLS"
    return None


CONSTRUCTS = (
    Construct(
        "aggregate_filter",
        "FILTER (WHERE ...)",
        (exp.Filter,),
        rewrites={
            "snowflake": _filter_as_case,
            "bigquery": _filter_as_case,
            "hive": _filter_as_case,
            "spark": _filter_in_window_as_case,
            "databricks": _filter_in_window_as_case,
        },
        refuses={
            "snowflake": _keeps_nulls,
            "bigquery": _keeps_nulls,
            "hive": _keeps_nulls,
            "spark": _keeps_nulls_in_window,
            "databricks": _keeps_nulls_in_window,
        },
        first=True,
    ),
    Construct(
        "null_treatment",
        "IGNORE NULLS / RESPECT NULLS",
        (exp.IgnoreNulls, exp.RespectNulls),
        rewrites={"bigquery": _drop_respect_nulls, "hive": _drop_respect_nulls},
        refuses={"bigquery": _no_ignore_nulls_on_offsets, "hive": _no_ignore_nulls_on_offsets},
    ),
)
