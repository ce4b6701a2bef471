"""Aggregates and window functions: variance, COUNT(DISTINCT a, b), arg_min/arg_max,
string_agg over only NULLs, FIRST_VALUE/LAST_VALUE/NTH_VALUE frames, NULL ordering.

pushdown's meaning (``docs/semantics.md``): variance and stddev are the sample figures (NULL
over one row); COUNT(DISTINCT a, b) counts the pairs where neither is NULL; arg_max returns
the value of the row with the largest key even when that value is NULL; string_agg over
only NULLs is NULL; FIRST_VALUE/LAST_VALUE over an ordered window use ROWS BETWEEN
UNBOUNDED PRECEDING AND CURRENT ROW, NTH_VALUE the SQL default RANGE BETWEEN UNBOUNDED
PRECEDING AND CURRENT ROW; NULLs sort as the smallest value.
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.compilers.lowering.base import Construct, Context, func


def _in_window(node: exp.Expr) -> bool:
    return isinstance(node.parent, exp.Window)


def _at_least_two(node: exp.Expr, value: exp.Expr) -> exp.Expr:
    count = exp.Count(this=node.this.copy())
    more = exp.GT(this=count, expression=exp.Literal.number(1))
    return exp.Case(ifs=[exp.If(this=more, true=value)])


def _hive_variance(node: exp.Expr, ctx: Context) -> exp.Expr:
    """Hive: VARIANCE is the population variance and VARIANCE_POP does not exist; the sample
    figures are VAR_SAMP/STDDEV_SAMP, made NULL over fewer than two rows."""
    names: dict[type[exp.Expr], str] = {
        exp.Variance: "VAR_SAMP",
        exp.VariancePop: "VAR_POP",
        exp.StddevSamp: "STDDEV_SAMP",
        exp.Stddev: "STDDEV_SAMP",
        exp.StddevPop: "STDDEV_POP",
    }
    name = names[type(node)]
    call = func(name, node.this)
    if name.endswith("_SAMP") and not _in_window(node):
        return _at_least_two(node, call)
    return call


def _several_distinct(node: exp.Expr) -> bool:
    inner = node.this
    return isinstance(inner, exp.Distinct) and len(inner.expressions) > 1


def _one_distinct_key(node: exp.Expr, key: exp.Expr) -> None:
    """COUNT(DISTINCT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE key END)."""
    parts = node.this.expressions
    any_null = exp.or_(*(exp.Is(this=p.copy(), expression=exp.Null()) for p in parts))
    case = exp.Case(ifs=[exp.If(this=any_null, true=exp.Null())], default=key)
    node.set("this", exp.Distinct(expressions=[case]))


def _duckdb_count_distinct(node: exp.Expr, ctx: Context) -> None:
    """DuckDB's COUNT takes one argument: count distinct row values (a, b)."""
    _one_distinct_key(node, exp.Tuple(expressions=[p.copy() for p in node.this.expressions]))


def _bigquery_count_distinct(node: exp.Expr, ctx: Context) -> None:
    """BigQuery's COUNT takes one argument: count distinct TO_JSON_STRING(STRUCT(a, b))."""
    struct = exp.Struct(expressions=[p.copy() for p in node.this.expressions])
    _one_distinct_key(node, func("TO_JSON_STRING", struct))


def _duckdb_arg_null(node: exp.Expr, ctx: Context) -> exp.Expr:
    """DuckDB's arg_max skips rows whose value is NULL; arg_max_null keeps them."""
    name = "ARG_MIN_NULL" if isinstance(node, exp.ArgMin) else "ARG_MAX_NULL"
    return func(name, node.this, node.expression)


def _agg_value(node: exp.Expr) -> exp.Expr | None:
    inner = node.this
    if isinstance(inner, exp.Order):
        inner = inner.this
    if isinstance(inner, exp.Distinct):
        first: exp.Expr | None = inner.expressions[0] if len(inner.expressions) == 1 else None
        return first
    value: exp.Expr | None = inner
    return value


def _snowflake_listagg(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """Snowflake's reference does not say LISTAGG over only NULLs is NULL: make it so."""
    value = _agg_value(node)
    if value is None or _in_window(node):
        return None
    none = exp.EQ(this=exp.Count(this=value.copy()), expression=exp.Literal.number(0))
    return exp.Case(ifs=[exp.If(this=none, true=exp.Null())], default=node)


def _within_group_median(node: exp.Expr, ctx: Context) -> exp.Expr:
    """Hive 4: PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x), the interpolated median."""
    order = exp.Order(expressions=[exp.Ordered(this=node.this, nulls_first=True)])
    call = exp.PercentileCont(this=exp.Literal.number(0.5))
    return exp.WithinGroup(this=call, expression=order)


def _unframed_window(node: exp.Expr) -> exp.Window | None:
    """The ordered window ``node`` (maybe inside IGNORE/RESPECT NULLS) is the function of,
    when it has no frame; else None."""
    window = node.parent
    while window is not None and not isinstance(window, exp.Window):
        if not isinstance(window, exp.IgnoreNulls | exp.RespectNulls):
            return None
        window = window.parent
    if window is None or window.args.get("spec") or not window.args.get("order"):
        return None
    return window


def _running(kind: str) -> exp.WindowSpec:
    return exp.WindowSpec(kind=kind, start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW")


def _frame(node: exp.Expr, ctx: Context) -> None:
    """An ordered window without a frame gets ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT
    ROW: the SQL default (RANGE, which takes in the ORDER BY peers) and Snowflake's default
    for these functions (the whole partition) both differ."""
    window = _unframed_window(node)
    if window is not None:
        window.set("spec", _running("ROWS"))


def _range_frame(node: exp.Expr, ctx: Context) -> None:
    """Snowflake: NTH_VALUE over an ordered window without a frame gets the SQL default,
    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, written out: Snowflake's own default
    for its rank-related functions is the whole partition (ROWS BETWEEN UNBOUNDED PRECEDING
    AND UNBOUNDED FOLLOWING), https://docs.snowflake.com/en/sql-reference/functions/nth_value."""
    window = _unframed_window(node)
    if window is not None:
        window.set("spec", _running("RANGE"))


def _nulls_smallest(node: exp.Expr, ctx: Context) -> None:
    """NULLs are the smallest value unless NULLS FIRST/LAST was written: sqlglot's generator
    writes the clause for engines whose default differs (DuckDB: NULLS LAST; Snowflake:
    NULLs are the largest)."""
    if node.args.get("nulls_first") is None:
        node.set("nulls_first", not node.args.get("desc"))


CONSTRUCTS = (
    Construct("aggregate_nulls", "aggregates over NULLs"),
    Construct(
        "count_distinct_multi",
        "COUNT(DISTINCT a, b)",
        (exp.Count,),
        rewrites={"duckdb": _duckdb_count_distinct, "bigquery": _bigquery_count_distinct},
        applies=_several_distinct,
    ),
    Construct(
        "variance",
        "VARIANCE/STDDEV",
        (exp.Variance, exp.VariancePop, exp.Stddev, exp.StddevSamp, exp.StddevPop),
        rewrites={"hive": _hive_variance},
    ),
    Construct(
        "arg_min_max",
        "ARG_MIN/ARG_MAX",
        (exp.ArgMin, exp.ArgMax),
        rewrites={"duckdb": _duckdb_arg_null},
    ),
    Construct(
        "string_agg",
        "STRING_AGG",
        (exp.GroupConcat,),
        rewrites={"snowflake": _snowflake_listagg},
    ),
    Construct("median", "MEDIAN", (exp.Median,), rewrites={"hive": _within_group_median}),
    Construct(
        "first_last_value",
        "FIRST_VALUE/LAST_VALUE frame",
        (exp.FirstValue, exp.LastValue),
        rewrites={
            d: _frame for d in ("duckdb", "spark", "databricks", "hive", "snowflake", "bigquery")
        },
    ),
    Construct(
        "nth_value", "NTH_VALUE frame", (exp.NthValue,), rewrites={"snowflake": _range_frame}
    ),
    Construct(
        "null_ordering",
        "NULL ordering",
        (exp.Ordered,),
        rewrites={d: _nulls_smallest for d in ("duckdb", "snowflake")},
    ),
)
