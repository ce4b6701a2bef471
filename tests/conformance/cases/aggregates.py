"""Aggregates over NULLs, only NULLs and no rows; DISTINCT pairs; sample vs population
figures; arg_min/arg_max with NULL values; string_agg."""

from __future__ import annotations

from tests.conformance.cases._build import agg
from tests.conformance.model import Approx, D, F, I, N, OneOf, S, T, date, dec, ts

BASIC = "`count(x)`, `sum`, `avg`, `min`, `max`"
DISTINCT = "`count(DISTINCT a, b)`"
SPREAD = "`stddev`, `variance`"
ARG = "`arg_min(v, k)`, `arg_max(v, k)`"
STRING_AGG = "`string_agg(x, sep ORDER BY ...)`"
MEDIAN = "`median(x)`"
COMPARE = "string comparison, `=`, `<`, `ORDER BY` on text"

SAMPLE = F(1.0, 2.0, 3.0, 4.0)

CASES = [
    # -- NULLs are ignored ---------------------------------------------------------------------
    agg("count_skips_null", "count(x)", 2, BASIC, x=I(1, None, 3)),
    agg("count_star_counts_null_rows", "count(*)", 3, BASIC, x=I(1, None, 3)),
    agg("sum_skips_null", "sum(x)", 4, BASIC, x=I(1, None, 3)),
    agg("sum_negative", "sum(x)", -3, BASIC, x=I(-5, 2)),
    agg("sum_beyond_double", "sum(x)", 9007199254740994, BASIC, x=I(9007199254740993, 1)),
    agg("sum_double", "sum(x)", 0.75, BASIC, x=F(0.5, 0.25, None)),
    agg("sum_decimal", "sum(x)", dec("3.30"), BASIC, type="decimal",
        x=N(10, 2, "1.10", "2.20", None)),
    agg("avg_skips_null", "avg(x)", 1.5, BASIC, x=I(1, 2, None)),
    agg("avg_integers_not_truncated", "avg(x)", 1.5, BASIC, x=I(1, 2)),
    agg("avg_decimal", "avg(x)", Approx(dec("1.666666667"), 1e-6), BASIC,
        x=N(10, 2, "1.00", "2.00", "2.00")),
    agg("min_double", "min(x)", -2.0, BASIC, x=F(-0.5, -2.0, 1e300, None)),
    agg("max_double", "max(x)", 1e300, BASIC, x=F(-0.5, -2.0, 1e300, None)),
    agg("min_date", "min(d)", date("1900-02-28"), BASIC,
        d=D("2024-02-29", "1900-02-28", None, "2000-02-29")),
    agg("max_date", "max(d)", date("2024-02-29"), BASIC,
        d=D("2024-02-29", "1900-02-28", None, "2000-02-29")),
    agg("max_timestamp_dst", "max(t)", ts("2024-03-10 02:30:00"), BASIC, type="timestamp",
        t=T("2024-03-10 02:30:00", "2024-03-10 01:59:59", None)),
    agg("min_text_binary", "min(s)", "B", COMPARE, s=S("a", "B", "\u00e9", None)),
    agg("max_text_binary", "max(s)", "\u00e9", COMPARE, s=S("a", "B", "\u00e9", None)),
    agg("min_text_case", "min(s)", "Banana", COMPARE, s=S("apple", "Banana")),
    agg("max_text_supplementary", "max(s)", "\U0001f986", COMPARE,
        s=S("\uff5a", "\U0001f986", "z")),
    # -- only NULLs ------------------------------------------------------------------------------
    agg("count_only_nulls", "count(x)", 0, BASIC, x=I(None, None)),
    agg("sum_only_nulls", "sum(x)", None, BASIC, x=I(None, None)),
    agg("avg_only_nulls", "avg(x)", None, BASIC, x=F(None, None)),
    agg("min_only_nulls", "min(x)", None, BASIC, x=I(None, None)),
    agg("max_only_nulls", "max(s)", None, BASIC, s=S(None, None)),
    # -- no rows ---------------------------------------------------------------------------------
    agg("count_no_rows", "count(x)", 0, BASIC, x=I()),
    agg("count_star_no_rows", "count(*)", 0, BASIC, x=I()),
    agg("sum_no_rows", "sum(x)", None, BASIC, x=I()),
    agg("avg_no_rows", "avg(x)", None, BASIC, x=F()),
    agg("min_no_rows", "min(x)", None, BASIC, x=F()),
    agg("max_no_rows", "max(d)", None, BASIC, d=D()),
    agg("count_distinct_no_rows", "count(DISTINCT x)", 0, DISTINCT, x=I()),
    agg("stddev_no_rows", "stddev(x)", None, SPREAD, x=F()),
    agg("string_agg_no_rows", "string_agg(s, ',' ORDER BY s)", None, STRING_AGG, s=S()),
    # -- DISTINCT ----------------------------------------------------------------------------------
    agg(
        "count_distinct_pairs", "count(DISTINCT a, b)", 3, DISTINCT,
        a=I(1, 1, 1, None, 2, 1), b=S("a", "a", None, "a", "a", "b"),
    ),
    agg("count_distinct_pairs_one_side_null", "count(DISTINCT a, b)", 0, DISTINCT,
        a=I(1, 2), b=S(None, None)),
    agg("count_distinct_single", "count(DISTINCT x)", 2, DISTINCT, x=I(1, 1, None, 2)),
    agg("count_distinct_case_sensitive", "count(DISTINCT s)", 2, COMPARE, s=S("a", "A", "a")),
    agg("count_distinct_trailing_space", "count(DISTINCT s)", 2, COMPARE, s=S("a", "a ")),
    # -- sample vs population ----------------------------------------------------------------------
    agg("stddev_is_sample", "stddev(x)", 1.2909944487358056, SPREAD, x=SAMPLE),
    agg("stddev_samp", "stddev_samp(x)", 1.2909944487358056, SPREAD, x=SAMPLE),
    agg("variance_is_sample", "variance(x)", 1.6666666666666667, SPREAD, x=SAMPLE),
    agg("var_samp", "var_samp(x)", 1.6666666666666667, SPREAD, x=SAMPLE),
    agg("var_pop", "var_pop(x)", 1.25, SPREAD, x=SAMPLE),
    agg("stddev_pop", "stddev_pop(x)", 1.118033988749895, SPREAD, x=SAMPLE),
    agg("stddev_integers", "stddev(x)", 2.138089935299395, SPREAD, x=I(2, 4, 4, 4, 5, 5, 7, 9)),
    agg("variance_skips_null", "variance(x)", 2.0, SPREAD, x=F(1.0, None, 3.0)),
    agg("stddev_one_row", "stddev(x)", None, SPREAD, x=F(5.0)),
    agg("variance_one_row", "variance(x)", None, SPREAD, x=F(5.0)),
    agg("var_pop_one_row", "var_pop(x)", 0.0, SPREAD, x=F(5.0)),
    agg("stddev_pop_one_row", "stddev_pop(x)", 0.0, SPREAD, x=F(5.0)),
    # -- arg_min / arg_max: the v of the extreme non-NULL k, even when v is NULL -------------------
    agg("arg_min_value_null", "arg_min(v, k)", None, ARG, v=S("a", None, "c"), k=I(3, 1, 2)),
    agg("arg_max_basic", "arg_max(v, k)", "a", ARG, v=S("a", None, "c"), k=I(3, 1, 2)),
    agg("arg_max_value_null", "arg_max(v, k)", None, ARG, v=S("a", None), k=I(1, 2)),
    agg("arg_min_skips_null_key", "arg_min(v, k)", "b", ARG, v=S("a", "b", "c"), k=I(None, 2, 5)),
    agg("arg_max_skips_null_key", "arg_max(v, k)", "c", ARG, v=S("a", "b", "c"), k=I(None, 2, 5)),
    agg("arg_min_all_keys_null", "arg_min(v, k)", None, ARG, v=S("a", "b"), k=I(None, None)),
    agg("arg_min_tie", "arg_min(v, k)", OneOf(("a", "b")), ARG, v=S("a", "b"), k=I(1, 1)),
    agg("arg_min_date_key", "arg_min(v, k)", 2, ARG, v=I(1, 2),
        k=D("2024-02-29", "1900-02-28")),
    agg("arg_max_text_key", "arg_max(v, k)", 2, ARG, v=I(1, 2), k=S("B", "a")),
    agg("min_by_alias", "min_by(v, k)", None, ARG, v=S("a", None, "c"), k=I(3, 1, 2)),
    # -- string_agg ------------------------------------------------------------------------------
    agg("string_agg_skips_null", "string_agg(s, ',' ORDER BY s)", "a,b", STRING_AGG,
        s=S("b", None, "a")),
    agg("string_agg_only_nulls", "string_agg(s, ',' ORDER BY s)", None, STRING_AGG,
        s=S(None, None)),
    agg("string_agg_empty_string", "string_agg(s, ',' ORDER BY s)", "", STRING_AGG, s=S("")),
    agg("string_agg_binary_order", "string_agg(s, ',' ORDER BY s)", "B,a,z,\u00e9", STRING_AGG,
        s=S("\u00e9", "z", "a", "B")),
    agg("string_agg_separator", "string_agg(s, ' | ' ORDER BY s)", "x | y", STRING_AGG,
        s=S("y", "x")),
    agg("string_agg_desc", "string_agg(s, ',' ORDER BY s DESC)", "c,b,a", STRING_AGG,
        s=S("a", "c", "b")),
    agg("string_agg_unicode", "string_agg(s, ',' ORDER BY s)", "\u00e9,日本", STRING_AGG,
        s=S("日本", "\u00e9")),
    agg("string_agg_unordered_one", "string_agg(s, ',')", "a", STRING_AGG, s=S("a", None)),
    agg("string_agg_unordered_two", "string_agg(s, ',')", OneOf(("a,b", "b,a")), STRING_AGG,
        s=S("a", "b")),
    # -- median: the middle value, the mean of the two middle ones, NULLs ignored --------------
    agg("median_odd", "median(x)", 3.0, MEDIAN, x=F(5.0, 1.0, 3.0)),
    agg("median_even_mean", "median(x)", 2.5, MEDIAN, x=F(4.0, 1.0, 3.0, 2.0)),
    agg("median_skips_null", "median(x)", 2.0, MEDIAN, x=F(None, 3.0, 1.0, None)),
    agg("median_integers_even", "median(x)", 1.5, MEDIAN, x=I(1, 2)),
    agg("median_negative", "median(x)", -1.0, MEDIAN, x=F(-3.0, -1.0, 7.0)),
    agg("median_only_nulls", "median(x)", None, MEDIAN, x=F(None, None)),
    agg("median_no_rows", "median(x)", None, MEDIAN, x=F()),
    agg("median_one_row", "median(x)", 5.0, MEDIAN, x=F(5.0)),
]
