"""FILTER (WHERE ...) on aggregates, in a grouping and over a window; IGNORE NULLS and RESPECT
NULLS on first_value, last_value, lag and lead (inside the parentheses and after them)."""

from __future__ import annotations

from tests.conformance.cases._build import agg, win
from tests.conformance.model import Approx, B, F, I

FILTER = "`agg(x) FILTER (WHERE c)`"
NULLS = "`IGNORE NULLS` / `RESPECT NULLS`"

X = I(10, None, 30, None)
O = I(1, 2, 3, 4)  # noqa: E741

CASES = [
    # -- FILTER: the aggregate sees the rows where the condition is true (not NULL, not false) --
    agg("sum_filter", "sum(x) FILTER (WHERE o > 1)", 30, FILTER, x=X, o=O),
    agg("count_star_filter", "count(*) FILTER (WHERE o > 1)", 3, FILTER, x=X, o=O),
    agg("count_filter_null_condition", "count(*) FILTER (WHERE x > 5)", 2, FILTER, x=X, o=O),
    agg("count_distinct_filter", "count(DISTINCT x) FILTER (WHERE o < 4)", 2, FILTER,
        x=I(10, 10, 30, 40), o=O),
    agg("min_filter_no_rows", "min(x) FILTER (WHERE o > 9)", None, FILTER, x=X, o=O),
    # over CASE WHEN (Snowflake, BigQuery, Hive) the rows left out are NULLs these skip
    agg("bool_and_filter", "bool_and(b) FILTER (WHERE o > 1)", True, FILTER,
        b=B(False, True, None, True), o=O),
    agg("bool_or_filter", "bool_or(b) FILTER (WHERE o < 4)", False, FILTER,
        b=B(False, None, False, True), o=O),
    agg("covar_samp_filter", "covar_samp(x, y) FILTER (WHERE o > 1)", 2.0, FILTER,
        x=F(100, 1, 2, 3), y=F(-5, 2, 4, 6), o=O),
    agg("corr_filter", "corr(x, y) FILTER (WHERE o > 1)", Approx(1.0, 1e-9), FILTER,
        x=F(100, 1, 2, 3), y=F(-5, 2, 4, 6), o=O),
    win("count_star_filter_window", "count(*) FILTER (WHERE x IS NULL)", [0, 1, 1, 2], FILTER,
        order_by=("o",), x=X, o=O),
    win("sum_filter_window", "sum(x) FILTER (WHERE o <> 3)", [10, 10, 10, 10], FILTER,
        order_by=("o",), x=X, o=O),
    # -- IGNORE / RESPECT NULLS --------------------------------------------------------------
    win("last_value_ignore_nulls", "last_value(x) IGNORE NULLS", [10, 10, 30, 30], NULLS,
        order_by=("o",), x=X, o=O),
    win("last_value_ignore_nulls_inside", "last_value(x IGNORE NULLS)", [10, 10, 30, 30], NULLS,
        order_by=("o",), x=X, o=O),
    win("first_value_ignore_nulls", "first_value(x) IGNORE NULLS", [None, 20, 20, 20], NULLS,
        order_by=("o",), x=I(None, 20, None, 40), o=O),
    win("last_value_respect_nulls", "last_value(x) RESPECT NULLS", [10, None, 30, None], NULLS,
        order_by=("o",), x=X, o=O),
    win("lag_ignore_nulls", "lag(x) IGNORE NULLS", [None, 10, 10, 30], NULLS,
        order_by=("o",), x=X, o=O),
    win("lead_ignore_nulls_default", "lead(x, 1, 0) IGNORE NULLS", [30, 30, 0, 0], NULLS,
        order_by=("o",), x=X, o=O),
    win("lag_respect_nulls", "lag(x) RESPECT NULLS", [None, 10, None, 30], NULLS,
        order_by=("o",), x=X, o=O),
]
