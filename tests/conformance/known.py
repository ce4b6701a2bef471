"""Known deviations: the (case, engine) pairs that do not give pushdown's answer today.

Each is a strict xfail: when a fix lands, its case passes, the xfail fails loudly, and its
line here is deleted.  A reason says which kind of deviation it is:

- ``pushdown bug: #15 item N``: pushdown sends SQL that means something else on that engine
  (issue #15, being fixed on branch lowering/engines);
- ``stand-in limitation``: the stand-in does not behave like the engine it stands for; the
  real engine gets the right SQL, which ``test_shapes.py`` proves (citing the vendor page).

``raises`` marks deviations where the engine raises an error instead of answering: those
cases run in statements of their own, so they cannot fail the batch the others share.
"""

from __future__ import annotations

from dataclasses import dataclass

FIXING = "(being fixed on branch lowering/engines)"
NEW = "(not in its list yet: reported to the integrator)"


@dataclass(frozen=True)
class Reason:
    """Why a case deviates on an engine."""

    text: str
    raises: bool = False
    standin: bool = False  # a stand-in limitation (not applied to live accounts)


def bug(item: int | str, what: str, *, raises: bool = False) -> Reason:
    """A pushdown bug of issue #15's kind (``item``: its number, "to verify" for one of its
    items to verify, "new" for one this suite found)."""
    if item == "new":
        return Reason(f"pushdown bug: #15 new {NEW}: {what}", raises=raises)
    label = f"item {item}" if isinstance(item, int) else item
    return Reason(f"pushdown bug: #15 {label} {FIXING}: {what}", raises=raises)


def standin(engine: str, what: str, *, raises: bool = False) -> Reason:
    """A stand-in that does not share the real engine's behaviour."""
    return Reason(f"stand-in limitation: {engine}: {what}", raises=raises, standin=True)


# -- pushdown bugs: issue #15's confirmed items ---------------------------------------------
TRUNC_TS = bug(1, "date_trunc of a TIMESTAMP compiles to TRUNC(ts, fmt): NULL for hour/day/"
               "minute/second, a DATE for week/month/quarter/year")
VAR_POP = bug(4, "var_pop compiles to VARIANCE_POP, which Hive (and Spark) lack", raises=True)
BQ_NUMERIC = bug(7, "CAST(x AS DECIMAL(p, s)) compiles to a bare NUMERIC: no rounding to s, "
                 "scale 9")
DOW = bug(8, "day of week numbered Sunday 1 .. Saturday 7")
ISODOW_SPARK = bug(8, "ISO day of week: EXTRACT(ISODOW) is no Spark field and isodow(d) "
                   "compiles to (DAYOFWEEK(d) % 7) + 1, which numbers Sunday 2", raises=True)
ISODOW_HIVE = bug(8, "ISO day of week compiles to DAYOFWEEK_ISO / EXTRACT(ISODOW), which "
                  "Hive (and Spark) lack", raises=True)
CAST_INT = bug(9, "CAST(float AS integer) rounds half to even (DuckDB) or truncates (Spark, "
               "Hive) instead of rounding half away from zero")
SF_INTDIV = bug(9, "integer division compiles to CAST(a / b AS BIGINT) on Snowflake: the "
                "quotient goes through a rounding cast (fakesnow: through a DOUBLE)")
DIV0_INF = bug(13, "division by zero gives inf or NaN (DuckDB) instead of NULL")
DIV0_RAISES = bug(13, "division or remainder by zero raises instead of giving NULL", raises=True)
DIV0_FAKESNOW = bug(13, "division by zero: fakesnow gives DuckDB's inf/NaN, Snowflake raises; "
                    "pushdown means NULL")
SUBSTR = bug(14, "substring from position 0 starts before the first character, and a "
             "negative length is not an empty string (DuckDB)")
ARG_NULL = bug(15, "arg_min/arg_max skip the row whose value is NULL")
# -- pushdown bugs: issue #15's "to verify" items, confirmed here ----------------------------
LIKE_BACKSLASH = bug("to verify", "LIKE: Spark, Hive and BigQuery read a backslash in the "
                     "pattern as an escape character and pushdown does not escape it")
LIKE_TRAILING_BACKSLASH = bug("to verify", "LIKE: a pattern ending in a backslash is an error "
                              "on Spark (its default escape character)", raises=True)
FRAME = bug("to verify", "first_value/last_value get no explicit frame: the engine's default "
            "applies (RANGE over tied rows; the whole partition on Snowflake)")
SPARK_LTZ = bug("to verify", "naive timestamps come back from Spark as TIMESTAMP WITH LOCAL TIME "
                "ZONE (Arrow tz=UTC), not as TIMESTAMP_NTZ")
# -- pushdown bugs this suite found (not in #15's list yet) ----------------------------------
DEC_DIV_DOUBLE = bug("new", "DECIMAL / DECIMAL is a DOUBLE on DuckDB, not a DECIMAL")
BQ_WEEK = bug("new", "extract(week) compiles to EXTRACT(WEEK), Sunday-started weeks on "
              "BigQuery, not ISO weeks")
HIVE_DECIMAL_TYPE = bug("new", "the Hive connector reads DECIMAL results without their declared "
                        "precision (PyHive's description has none): decimal(38, s), or null for "
                        "an all-NULL column")
# -- shapes: SQL the real engines would mean differently (see shapes.py) -------------------
SF_NAMES = bug(2, "Snowflake names are quoted as typed: FROM \"orders\" misses ORDERS")
HIVE_DATE_TRUNC = bug(3, "DATE_TRUNC is emitted for Hive, which has none")
HIVE_VARIANCE = bug(4, "variance compiles to Hive's VARIANCE, the population variance")
BQ_WEEK_START = bug(6, "DATE_TRUNC(d, WEEK) starts weeks on Sunday on BigQuery")
BQ_NUMERIC_LIMITS = bug(7, "NUMERIC is used beyond its 29 integer digits / 9 decimals on BigQuery")
HIVE_DOW = bug(8, "EXTRACT(DOW ...) is emitted for Hive, whose EXTRACT has no DOW (and whose "
               "dayofweek is Sunday 1 .. Saturday 7)")
BQ_DOW = bug(8, "EXTRACT(DOW ...) is emitted for BigQuery, which has no DOW part")
SF_INT_DIVISION = bug(10, "integer division on Snowflake keeps 6 decimals (NUMBER), not a DOUBLE")
BQ_COUNT_DISTINCT = bug(11, "COUNT(DISTINCT a, b) is passed to BigQuery, whose COUNT takes one "
                        "expression")
HIVE_PIPES = bug(16, "|| is emitted for Hive whatever its version (it needs Hive 2.2)")
DBX_LISTAGG = bug(16, "LISTAGG is emitted for Databricks whatever its runtime (it needs 16.4)")
DBX_TIMESTAMP = bug("to verify", "naive timestamps are staged on Databricks as TIMESTAMP (session "
                    "time zone), not TIMESTAMP_NTZ")
SF_TIMESTAMP_ALIAS = bug("new", "naive timestamps are staged on Snowflake as TIMESTAMP, which "
                         "TIMESTAMP_TYPE_MAPPING may make TIMESTAMP_LTZ or TIMESTAMP_TZ")
# -- stand-in limitations (each proved right for the real engine by a shape) -----------------
FS_CAST_INT = standin("fakesnow", "runs DuckDB semantics: CAST(float AS integer) rounds half to "
                      "even; Snowflake rounds half away from zero (shape "
                      "snowflake.float_to_integer)")
FS_DEC_DIV = standin("fakesnow", "runs DuckDB semantics: DECIMAL / DECIMAL is a DOUBLE; "
                     "Snowflake's NUMBER division is exact (shape snowflake.decimal_division)")
FS_SUM = standin("fakesnow", "returns SUM of a NUMBER as FLOAT (shape snowflake.sum_of_numbers)")
FS_NULL_TS = standin("fakesnow", "sends NULL TIMESTAMP_NTZ values the Snowflake connector cannot "
                     "decode (shape snowflake.naive_timestamps_pass_through)", raises=True)
FS_UNICODE = standin("fakesnow", "upper-cases a quoted non-ASCII column name (shape "
                     "snowflake.quoted_unicode_name)", raises=True)
BQ_CAST_INT = standin("bigquery emulator", "runs DuckDB semantics: CAST(FLOAT64 AS INT64) rounds "
                      "half to even; BigQuery rounds half away from zero (shape "
                      "bigquery.float_to_integer)")
BQ_SUBSTR0 = standin("bigquery emulator", "runs DuckDB's SUBSTRING: position 0 starts before the "
                     "first character; BigQuery reads it as 1 (shape "
                     "bigquery.substring_position_zero)")
DBX_TYPES = standin("databricks", "the stand-in (Spark Thrift) sends rows without Arrow, so "
                    "results are typed from their values: DECIMAL precision, time zones and "
                    "all-NULL columns are lost; a SQL warehouse sends Arrow with the declared "
                    "types (shape databricks.declared_types)")
BQ_DEC_DIV = standin("bigquery emulator", "divides NUMERICs as DOUBLE; BigQuery's NUMERIC "
                     "division is exact to 9 places (shape bigquery.decimal_division)")

# One line per (case, engine): delete a line when its fix lands (its strict xfail then fails).
KNOWN: dict[tuple[str, str], Reason] = {
    # SQL shapes for the real engines (tests/conformance/shapes.py)
    ("shape.hive.no_date_trunc", "hive"): HIVE_DATE_TRUNC,
    ("shape.hive.variance_is_sample", "hive"): HIVE_VARIANCE,
    ("shape.hive.var_pop", "hive"): VAR_POP,
    ("shape.hive.day_of_week", "hive"): HIVE_DOW,
    ("shape.hive.iso_day_of_week", "hive"): ISODOW_HIVE,
    ("shape.hive.like_backslash", "hive"): LIKE_BACKSLASH,
    ("shape.hive.pipes_need_2_2", "hive"): HIVE_PIPES,
    ("shape.snowflake.unquoted_names", "snowflake"): SF_NAMES,
    ("shape.snowflake.integer_division", "snowflake"): SF_INT_DIVISION,
    ("shape.snowflake.integer_division_truncates", "snowflake"): SF_INTDIV,
    ("shape.snowflake.timestamp_ntz_staging", "snowflake"): SF_TIMESTAMP_ALIAS,
    ("shape.snowflake.last_value_frame", "snowflake"): FRAME,
    ("shape.bigquery.week_starts_monday", "bigquery"): BQ_WEEK_START,
    ("shape.bigquery.iso_week_number", "bigquery"): BQ_WEEK,
    ("shape.bigquery.day_of_week", "bigquery"): BQ_DOW,
    ("shape.bigquery.numeric_scale", "bigquery"): BQ_NUMERIC,
    ("shape.bigquery.numeric_limits", "bigquery"): BQ_NUMERIC_LIMITS,
    ("shape.bigquery.numeric_staging", "bigquery"): BQ_NUMERIC_LIMITS,
    ("shape.bigquery.count_distinct_one_expression", "bigquery"): BQ_COUNT_DISTINCT,
    ("shape.bigquery.substring_negative_length", "bigquery"): SUBSTR,
    ("shape.bigquery.like_backslash", "bigquery"): LIKE_BACKSLASH,
    ("shape.databricks.listagg_runtime", "databricks"): DBX_LISTAGG,
    ("shape.databricks.timestamp_ntz_staging", "databricks"): DBX_TIMESTAMP,
    ('aggregates.arg_max_value_null', 'local'): ARG_NULL,
    ('aggregates.arg_min_value_null', 'local'): ARG_NULL,
    ('aggregates.min_by_alias', 'local'): ARG_NULL,
    ('arithmetic.div0_decimal', 'local'): DIV0_INF,
    ('arithmetic.div0_double', 'local'): DIV0_INF,
    ('arithmetic.div0_double_neg_zero', 'local'): DIV0_INF,
    ('arithmetic.div0_double_zero_by_zero', 'local'): DIV0_INF,
    ('arithmetic.div0_int', 'local'): DIV0_INF,
    ('arithmetic.div0_int_neg', 'local'): DIV0_INF,
    ('arithmetic.div0_literal', 'local'): DIV0_INF,
    ('arithmetic.div0_zero_by_zero', 'local'): DIV0_INF,
    ('arithmetic.div_dec_beyond_double', 'local'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_by_int', 'local'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_neg', 'local'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_scale4', 'local'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_third', 'local'): DEC_DIV_DOUBLE,
    ('arithmetic.div_int_by_dec', 'local'): DEC_DIV_DOUBLE,
    ('arithmetic.intdiv_zero', 'local'): DIV0_RAISES,
    ('arithmetic.mod_by_zero', 'local'): DIV0_RAISES,
    ('arithmetic.mod_double_by_zero', 'local'): DIV0_INF,
    ('arithmetic.mod_neg_by_zero', 'local'): DIV0_RAISES,
    ('casts.int32_half', 'local'): CAST_INT,
    ('casts.int_half', 'local'): CAST_INT,
    ('casts.int_half_neg', 'local'): CAST_INT,
    ('casts.int_half_small', 'local'): CAST_INT,
    ('casts.int_half_small_neg', 'local'): CAST_INT,
    ('casts.int_large_half', 'local'): CAST_INT,
    ('strings.substr_alias', 'local'): SUBSTR,
    ('strings.substring_neg_len', 'local'): SUBSTR,
    ('strings.substring_start_column_zero', 'local'): SUBSTR,
    ('strings.substring_start_zero', 'local'): SUBSTR,
    ('strings.substring_start_zero_len1', 'local'): SUBSTR,
    ('windows.last_value_rows_not_range', 'local'): FRAME,
    ('aggregates.arg_max_value_null', 'duckdb'): ARG_NULL,
    ('aggregates.arg_min_value_null', 'duckdb'): ARG_NULL,
    ('aggregates.min_by_alias', 'duckdb'): ARG_NULL,
    ('arithmetic.div0_decimal', 'duckdb'): DIV0_INF,
    ('arithmetic.div0_double', 'duckdb'): DIV0_INF,
    ('arithmetic.div0_double_neg_zero', 'duckdb'): DIV0_INF,
    ('arithmetic.div0_double_zero_by_zero', 'duckdb'): DIV0_INF,
    ('arithmetic.div0_int', 'duckdb'): DIV0_INF,
    ('arithmetic.div0_int_neg', 'duckdb'): DIV0_INF,
    ('arithmetic.div0_literal', 'duckdb'): DIV0_INF,
    ('arithmetic.div0_zero_by_zero', 'duckdb'): DIV0_INF,
    ('arithmetic.div_dec_beyond_double', 'duckdb'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_by_int', 'duckdb'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_neg', 'duckdb'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_scale4', 'duckdb'): DEC_DIV_DOUBLE,
    ('arithmetic.div_dec_third', 'duckdb'): DEC_DIV_DOUBLE,
    ('arithmetic.div_int_by_dec', 'duckdb'): DEC_DIV_DOUBLE,
    ('arithmetic.intdiv_zero', 'duckdb'): DIV0_RAISES,
    ('arithmetic.mod_by_zero', 'duckdb'): DIV0_RAISES,
    ('arithmetic.mod_double_by_zero', 'duckdb'): DIV0_INF,
    ('arithmetic.mod_neg_by_zero', 'duckdb'): DIV0_RAISES,
    ('casts.int32_half', 'duckdb'): CAST_INT,
    ('casts.int_half', 'duckdb'): CAST_INT,
    ('casts.int_half_neg', 'duckdb'): CAST_INT,
    ('casts.int_half_small', 'duckdb'): CAST_INT,
    ('casts.int_half_small_neg', 'duckdb'): CAST_INT,
    ('casts.int_large_half', 'duckdb'): CAST_INT,
    ('strings.substr_alias', 'duckdb'): SUBSTR,
    ('strings.substring_neg_len', 'duckdb'): SUBSTR,
    ('strings.substring_start_column_zero', 'duckdb'): SUBSTR,
    ('strings.substring_start_zero', 'duckdb'): SUBSTR,
    ('strings.substring_start_zero_len1', 'duckdb'): SUBSTR,
    ('windows.last_value_rows_not_range', 'duckdb'): FRAME,
    ('aggregates.max_timestamp_dst', 'spark'): SPARK_LTZ,
    ('arithmetic.div0_decimal', 'spark'): DIV0_RAISES,
    ('arithmetic.div0_double', 'spark'): DIV0_RAISES,
    ('arithmetic.div0_double_neg_zero', 'spark'): DIV0_RAISES,
    ('arithmetic.div0_double_zero_by_zero', 'spark'): DIV0_RAISES,
    ('arithmetic.div0_int', 'spark'): DIV0_RAISES,
    ('arithmetic.div0_int_neg', 'spark'): DIV0_RAISES,
    ('arithmetic.div0_literal', 'spark'): DIV0_RAISES,
    ('arithmetic.div0_zero_by_zero', 'spark'): DIV0_RAISES,
    ('arithmetic.intdiv_zero', 'spark'): DIV0_RAISES,
    ('arithmetic.mod_by_zero', 'spark'): DIV0_RAISES,
    ('arithmetic.mod_double_by_zero', 'spark'): DIV0_RAISES,
    ('arithmetic.mod_neg_by_zero', 'spark'): DIV0_RAISES,
    ('calendar.dayofweek_saturday', 'spark'): DOW,
    ('calendar.dayofweek_sunday', 'spark'): DOW,
    ('calendar.dayofweek_thursday', 'spark'): DOW,
    ('calendar.dow_1900', 'spark'): DOW,
    ('calendar.dow_leap_day_2000', 'spark'): DOW,
    ('calendar.dow_monday', 'spark'): DOW,
    ('calendar.dow_saturday', 'spark'): DOW,
    ('calendar.dow_sunday', 'spark'): DOW,
    ('calendar.dow_timestamp_dst_gap', 'spark'): DOW,
    ('calendar.dow_timestamp_late_saturday', 'spark'): DOW,
    ('calendar.isodow_function_monday', 'spark'): ISODOW_SPARK,
    ('calendar.isodow_function_sunday', 'spark'): ISODOW_SPARK,
    ('calendar.isodow_monday', 'spark'): ISODOW_SPARK,
    ('calendar.isodow_saturday', 'spark'): ISODOW_SPARK,
    ('calendar.isodow_sunday', 'spark'): ISODOW_SPARK,
    ('calendar.isodow_timestamp_sunday', 'spark'): ISODOW_SPARK,
    ('calendar.trunc_day_leap_day', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_day_1900', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_day_dst_gap', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_day_last_micro', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_hour_dst_gap', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_hour_eu_gap', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_hour_eu_repeated', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_hour_us_repeated', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_minute_dst_gap', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_month_dst_gap', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_month_leap_day', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_null', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_quarter', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_second_dst_gap', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_week_dst_gap', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_week_last_micro', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_week_sunday', 'spark'): TRUNC_TS,
    ('calendar.trunc_ts_year_last_micro', 'spark'): TRUNC_TS,
    ('calendar.ts_1900', 'spark'): SPARK_LTZ,
    ('calendar.ts_dst_gap', 'spark'): SPARK_LTZ,
    ('calendar.ts_eu_gap', 'spark'): SPARK_LTZ,
    ('calendar.ts_last_micro', 'spark'): SPARK_LTZ,
    ('calendar.ts_leap_day', 'spark'): SPARK_LTZ,
    ('calendar.ts_null', 'spark'): SPARK_LTZ,
    ('calendar.ts_us_repeated_hour', 'spark'): SPARK_LTZ,
    ('casts.date_to_timestamp', 'spark'): SPARK_LTZ,
    ('casts.int32_half', 'spark'): CAST_INT,
    ('casts.int32_half_neg', 'spark'): CAST_INT,
    ('casts.int_above_half', 'spark'): CAST_INT,
    ('casts.int_above_half_neg', 'spark'): CAST_INT,
    ('casts.int_half', 'spark'): CAST_INT,
    ('casts.int_half_neg', 'spark'): CAST_INT,
    ('casts.int_half_small', 'spark'): CAST_INT,
    ('casts.int_half_small_neg', 'spark'): CAST_INT,
    ('casts.int_large_half', 'spark'): CAST_INT,
    ('casts.int_of_quotient', 'spark'): CAST_INT,
    ('casts.int_one_and_half', 'spark'): CAST_INT,
    ('like.backslash_is_literal_match', 'spark'): LIKE_BACKSLASH,
    ('like.backslash_is_literal_no_match', 'spark'): LIKE_BACKSLASH,
    ('like.backslash_underscore_match', 'spark'): LIKE_BACKSLASH,
    ('like.backslash_underscore_no_match', 'spark'): LIKE_BACKSLASH,
    ('like.column_pattern_backslash_match', 'spark'): LIKE_BACKSLASH,
    ('like.column_pattern_backslash_no_match', 'spark'): LIKE_BACKSLASH,
    ('like.filter_backslash', 'spark'): LIKE_BACKSLASH,
    ('like.trailing_backslash', 'spark'): LIKE_TRAILING_BACKSLASH,
    ('ordering.timestamps_dst', 'spark'): SPARK_LTZ,
    ('windows.last_value_rows_not_range', 'spark'): FRAME,
    ('arithmetic.div0_decimal', 'databricks'): DIV0_RAISES,
    ('arithmetic.div0_double', 'databricks'): DIV0_RAISES,
    ('arithmetic.div0_double_neg_zero', 'databricks'): DIV0_RAISES,
    ('arithmetic.div0_double_zero_by_zero', 'databricks'): DIV0_RAISES,
    ('arithmetic.div0_int', 'databricks'): DIV0_RAISES,
    ('arithmetic.div0_int_neg', 'databricks'): DIV0_RAISES,
    ('arithmetic.div0_literal', 'databricks'): DIV0_RAISES,
    ('arithmetic.div0_zero_by_zero', 'databricks'): DIV0_RAISES,
    ('arithmetic.intdiv_zero', 'databricks'): DIV0_RAISES,
    ('arithmetic.mod_by_zero', 'databricks'): DIV0_RAISES,
    ('arithmetic.mod_double_by_zero', 'databricks'): DIV0_RAISES,
    ('arithmetic.mod_neg_by_zero', 'databricks'): DIV0_RAISES,
    ('calendar.dayofweek_saturday', 'databricks'): DOW,
    ('calendar.dayofweek_sunday', 'databricks'): DOW,
    ('calendar.dayofweek_thursday', 'databricks'): DOW,
    ('calendar.dow_1900', 'databricks'): DOW,
    ('calendar.dow_leap_day_2000', 'databricks'): DOW,
    ('calendar.dow_monday', 'databricks'): DOW,
    ('calendar.dow_saturday', 'databricks'): DOW,
    ('calendar.dow_sunday', 'databricks'): DOW,
    ('calendar.dow_timestamp_dst_gap', 'databricks'): DOW,
    ('calendar.dow_timestamp_late_saturday', 'databricks'): DOW,
    ('calendar.isodow_function_monday', 'databricks'): ISODOW_SPARK,
    ('calendar.isodow_function_sunday', 'databricks'): ISODOW_SPARK,
    ('calendar.isodow_monday', 'databricks'): ISODOW_SPARK,
    ('calendar.isodow_saturday', 'databricks'): ISODOW_SPARK,
    ('calendar.isodow_sunday', 'databricks'): ISODOW_SPARK,
    ('calendar.isodow_timestamp_sunday', 'databricks'): ISODOW_SPARK,
    ('calendar.trunc_date_null', 'databricks'): DBX_TYPES,
    ('calendar.trunc_day_leap_day', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_day_1900', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_day_dst_gap', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_day_last_micro', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_hour_dst_gap', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_hour_eu_gap', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_hour_eu_repeated', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_hour_us_repeated', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_minute_dst_gap', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_month_dst_gap', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_month_leap_day', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_null', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_quarter', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_second_dst_gap', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_week_dst_gap', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_week_last_micro', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_week_sunday', 'databricks'): TRUNC_TS,
    ('calendar.trunc_ts_year_last_micro', 'databricks'): TRUNC_TS,
    ('calendar.ts_null', 'databricks'): DBX_TYPES,
    ('calendar.tstz_from_offset', 'databricks'): DBX_TYPES,
    ('calendar.tstz_utc', 'databricks'): DBX_TYPES,
    ('casts.dec_38_10', 'databricks'): DBX_TYPES,
    ('casts.dec_from_double_exact_half', 'databricks'): DBX_TYPES,
    ('casts.dec_from_double_half', 'databricks'): DBX_TYPES,
    ('casts.dec_from_double_half_neg', 'databricks'): DBX_TYPES,
    ('casts.dec_from_int', 'databricks'): DBX_TYPES,
    ('casts.dec_from_text', 'databricks'): DBX_TYPES,
    ('casts.dec_from_text_neg', 'databricks'): DBX_TYPES,
    ('casts.dec_null', 'databricks'): DBX_TYPES,
    ('casts.dec_round_down', 'databricks'): DBX_TYPES,
    ('casts.dec_round_half', 'databricks'): DBX_TYPES,
    ('casts.dec_round_half_neg', 'databricks'): DBX_TYPES,
    ('casts.dec_scale_up', 'databricks'): DBX_TYPES,
    ('casts.dec_small_neg', 'databricks'): DBX_TYPES,
    ('casts.int32_half', 'databricks'): CAST_INT,
    ('casts.int32_half_neg', 'databricks'): CAST_INT,
    ('casts.int_above_half', 'databricks'): CAST_INT,
    ('casts.int_above_half_neg', 'databricks'): CAST_INT,
    ('casts.int_half', 'databricks'): CAST_INT,
    ('casts.int_half_neg', 'databricks'): CAST_INT,
    ('casts.int_half_small', 'databricks'): CAST_INT,
    ('casts.int_half_small_neg', 'databricks'): CAST_INT,
    ('casts.int_large_half', 'databricks'): CAST_INT,
    ('casts.int_of_quotient', 'databricks'): CAST_INT,
    ('casts.int_one_and_half', 'databricks'): CAST_INT,
    ('like.backslash_is_literal_match', 'databricks'): LIKE_BACKSLASH,
    ('like.backslash_is_literal_no_match', 'databricks'): LIKE_BACKSLASH,
    ('like.backslash_underscore_match', 'databricks'): LIKE_BACKSLASH,
    ('like.backslash_underscore_no_match', 'databricks'): LIKE_BACKSLASH,
    ('like.column_pattern_backslash_match', 'databricks'): LIKE_BACKSLASH,
    ('like.column_pattern_backslash_no_match', 'databricks'): LIKE_BACKSLASH,
    ('like.filter_backslash', 'databricks'): LIKE_BACKSLASH,
    ('like.trailing_backslash', 'databricks'): LIKE_TRAILING_BACKSLASH,
    ('windows.last_value_rows_not_range', 'databricks'): FRAME,
    ('aggregates.var_pop', 'hive'): VAR_POP,
    ('aggregates.var_pop_one_row', 'hive'): VAR_POP,
    ('arithmetic.div0_decimal', 'hive'): DIV0_RAISES,
    ('arithmetic.div0_double', 'hive'): DIV0_RAISES,
    ('arithmetic.div0_double_neg_zero', 'hive'): DIV0_RAISES,
    ('arithmetic.div0_double_zero_by_zero', 'hive'): DIV0_RAISES,
    ('arithmetic.div0_int', 'hive'): DIV0_RAISES,
    ('arithmetic.div0_int_neg', 'hive'): DIV0_RAISES,
    ('arithmetic.div0_literal', 'hive'): DIV0_RAISES,
    ('arithmetic.div0_zero_by_zero', 'hive'): DIV0_RAISES,
    ('arithmetic.intdiv_zero', 'hive'): DIV0_RAISES,
    ('arithmetic.mod_by_zero', 'hive'): DIV0_RAISES,
    ('arithmetic.mod_double_by_zero', 'hive'): DIV0_RAISES,
    ('arithmetic.mod_neg_by_zero', 'hive'): DIV0_RAISES,
    ('calendar.dayofweek_saturday', 'hive'): DOW,
    ('calendar.dayofweek_sunday', 'hive'): DOW,
    ('calendar.dayofweek_thursday', 'hive'): DOW,
    ('calendar.dow_1900', 'hive'): DOW,
    ('calendar.dow_leap_day_2000', 'hive'): DOW,
    ('calendar.dow_monday', 'hive'): DOW,
    ('calendar.dow_saturday', 'hive'): DOW,
    ('calendar.dow_sunday', 'hive'): DOW,
    ('calendar.dow_timestamp_dst_gap', 'hive'): DOW,
    ('calendar.dow_timestamp_late_saturday', 'hive'): DOW,
    ('calendar.isodow_function_monday', 'hive'): ISODOW_HIVE,
    ('calendar.isodow_function_sunday', 'hive'): ISODOW_HIVE,
    ('calendar.isodow_monday', 'hive'): ISODOW_HIVE,
    ('calendar.isodow_null', 'hive'): ISODOW_HIVE,
    ('calendar.isodow_saturday', 'hive'): ISODOW_HIVE,
    ('calendar.isodow_sunday', 'hive'): ISODOW_HIVE,
    ('calendar.isodow_timestamp_sunday', 'hive'): ISODOW_HIVE,
    ('casts.dec_from_double_exact_half', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_from_double_half', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_from_double_half_neg', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_from_int', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_from_text', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_from_text_neg', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_null', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_round_down', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_round_half', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_round_half_neg', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_scale_up', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.dec_small_neg', 'hive'): HIVE_DECIMAL_TYPE,
    ('casts.int32_half', 'hive'): CAST_INT,
    ('casts.int32_half_neg', 'hive'): CAST_INT,
    ('casts.int_above_half', 'hive'): CAST_INT,
    ('casts.int_above_half_neg', 'hive'): CAST_INT,
    ('casts.int_half', 'hive'): CAST_INT,
    ('casts.int_half_neg', 'hive'): CAST_INT,
    ('casts.int_half_small', 'hive'): CAST_INT,
    ('casts.int_half_small_neg', 'hive'): CAST_INT,
    ('casts.int_large_half', 'hive'): CAST_INT,
    ('casts.int_of_quotient', 'hive'): CAST_INT,
    ('casts.int_one_and_half', 'hive'): CAST_INT,
    ('like.backslash_is_literal_match', 'hive'): LIKE_BACKSLASH,
    ('like.backslash_is_literal_no_match', 'hive'): LIKE_BACKSLASH,
    ('like.backslash_underscore_match', 'hive'): LIKE_BACKSLASH,
    ('like.backslash_underscore_no_match', 'hive'): LIKE_BACKSLASH,
    ('like.column_pattern_backslash_match', 'hive'): LIKE_BACKSLASH,
    ('like.column_pattern_backslash_no_match', 'hive'): LIKE_BACKSLASH,
    ('like.filter_backslash', 'hive'): LIKE_BACKSLASH,
    ('like.trailing_backslash', 'hive'): LIKE_TRAILING_BACKSLASH,
    ('windows.last_value_rows_not_range', 'hive'): FRAME,
    ('aggregates.arg_max_value_null', 'snowflake'): ARG_NULL,
    ('aggregates.arg_min_value_null', 'snowflake'): ARG_NULL,
    ('aggregates.min_by_alias', 'snowflake'): ARG_NULL,
    ('aggregates.sum_beyond_double', 'snowflake'): FS_SUM,
    ('aggregates.sum_decimal', 'snowflake'): FS_SUM,
    ('arithmetic.div0_decimal', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div0_double', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div0_double_neg_zero', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div0_double_zero_by_zero', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div0_int', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div0_int_neg', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div0_literal', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div0_zero_by_zero', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.div_dec_beyond_double', 'snowflake'): FS_DEC_DIV,
    ('arithmetic.div_dec_by_int', 'snowflake'): FS_DEC_DIV,
    ('arithmetic.div_dec_neg', 'snowflake'): FS_DEC_DIV,
    ('arithmetic.div_dec_scale4', 'snowflake'): FS_DEC_DIV,
    ('arithmetic.div_dec_third', 'snowflake'): FS_DEC_DIV,
    ('arithmetic.div_int_by_dec', 'snowflake'): FS_DEC_DIV,
    ('arithmetic.intdiv_beyond_double', 'snowflake'): SF_INTDIV,
    ('arithmetic.intdiv_zero', 'snowflake'): DIV0_RAISES,
    ('arithmetic.mod_by_zero', 'snowflake'): DIV0_RAISES,
    ('arithmetic.mod_double_by_zero', 'snowflake'): DIV0_FAKESNOW,
    ('arithmetic.mod_neg_by_zero', 'snowflake'): DIV0_RAISES,
    ('calendar.trunc_ts_null', 'snowflake'): FS_NULL_TS,
    ('calendar.ts_null', 'snowflake'): FS_NULL_TS,
    ('casts.int32_half', 'snowflake'): FS_CAST_INT,
    ('casts.int_half', 'snowflake'): FS_CAST_INT,
    ('casts.int_half_neg', 'snowflake'): FS_CAST_INT,
    ('casts.int_half_small', 'snowflake'): FS_CAST_INT,
    ('casts.int_half_small_neg', 'snowflake'): FS_CAST_INT,
    ('casts.int_large_half', 'snowflake'): FS_CAST_INT,
    ('nulls.name_non_ascii', 'snowflake'): FS_UNICODE,
    ('ordering.timestamps_dst', 'snowflake'): FS_NULL_TS,
    ('windows.last_value_desc', 'snowflake'): FRAME,
    ('windows.last_value_null_current', 'snowflake'): FRAME,
    ('windows.last_value_rows_not_range', 'snowflake'): FRAME,
    ('windows.last_value_running', 'snowflake'): FRAME,
    ('aggregates.arg_max_value_null', 'bigquery'): ARG_NULL,
    ('aggregates.arg_min_value_null', 'bigquery'): ARG_NULL,
    ('aggregates.min_by_alias', 'bigquery'): ARG_NULL,
    ('arithmetic.div0_decimal', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div0_double', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div0_double_neg_zero', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div0_double_zero_by_zero', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div0_int', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div0_int_neg', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div0_literal', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div0_zero_by_zero', 'bigquery'): DIV0_RAISES,
    ('arithmetic.div_dec_beyond_double', 'bigquery'): BQ_DEC_DIV,
    ('arithmetic.div_null_by_zero', 'bigquery'): DIV0_RAISES,
    ('arithmetic.intdiv_zero', 'bigquery'): DIV0_RAISES,
    ('arithmetic.mod_by_zero', 'bigquery'): DIV0_RAISES,
    ('arithmetic.mod_double_by_zero', 'bigquery'): DIV0_INF,
    ('arithmetic.mod_neg_by_zero', 'bigquery'): DIV0_RAISES,
    ('calendar.dayofweek_saturday', 'bigquery'): DOW,
    ('calendar.dayofweek_sunday', 'bigquery'): DOW,
    ('calendar.dayofweek_thursday', 'bigquery'): DOW,
    ('calendar.dow_1900', 'bigquery'): DOW,
    ('calendar.dow_leap_day_2000', 'bigquery'): DOW,
    ('calendar.dow_monday', 'bigquery'): DOW,
    ('calendar.dow_saturday', 'bigquery'): DOW,
    ('calendar.dow_sunday', 'bigquery'): DOW,
    ('calendar.dow_timestamp_dst_gap', 'bigquery'): DOW,
    ('calendar.dow_timestamp_late_saturday', 'bigquery'): DOW,
    ('calendar.week_1900_jan_1', 'bigquery'): BQ_WEEK,
    ('calendar.week_2008_dec_29', 'bigquery'): BQ_WEEK,
    ('calendar.week_2010_jan_3', 'bigquery'): BQ_WEEK,
    ('calendar.week_53_thursday', 'bigquery'): BQ_WEEK,
    ('calendar.week_dec_30_in_week_1', 'bigquery'): BQ_WEEK,
    ('calendar.week_friday_jan_1', 'bigquery'): BQ_WEEK,
    ('calendar.week_leap_day', 'bigquery'): BQ_WEEK,
    ('calendar.week_saturday_jan_1', 'bigquery'): BQ_WEEK,
    ('calendar.week_sunday_in_week_53', 'bigquery'): BQ_WEEK,
    ('calendar.week_timestamp_year_end', 'bigquery'): BQ_WEEK,
    ('casts.dec_38_10', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_from_double_exact_half', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_from_double_half', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_from_double_half_neg', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_from_int', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_from_text', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_from_text_neg', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_null', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_round_down', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_round_half', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_round_half_neg', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_scale_up', 'bigquery'): BQ_NUMERIC,
    ('casts.dec_small_neg', 'bigquery'): BQ_NUMERIC,
    ('casts.int32_half', 'bigquery'): BQ_CAST_INT,
    ('casts.int_half', 'bigquery'): BQ_CAST_INT,
    ('casts.int_half_neg', 'bigquery'): BQ_CAST_INT,
    ('casts.int_half_small', 'bigquery'): BQ_CAST_INT,
    ('casts.int_half_small_neg', 'bigquery'): BQ_CAST_INT,
    ('casts.int_large_half', 'bigquery'): BQ_CAST_INT,
    ('strings.substr_alias', 'bigquery'): BQ_SUBSTR0,
    ('strings.substring_neg_len', 'bigquery'): SUBSTR,
    ('strings.substring_start_column_zero', 'bigquery'): BQ_SUBSTR0,
    ('strings.substring_start_zero', 'bigquery'): BQ_SUBSTR0,
    ('strings.substring_start_zero_len1', 'bigquery'): BQ_SUBSTR0,
    ('windows.last_value_rows_not_range', 'bigquery'): FRAME,
}


def known_for(engine: str, *, live: bool = False) -> dict[str, Reason]:
    """The known deviations of ``engine`` by case id (stand-in ones only on the stand-in)."""
    return {
        case: reason
        for (case, eng), reason in KNOWN.items()
        if eng == engine and not (live and reason.standin)
    }
