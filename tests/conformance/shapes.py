"""What no stand-in can show: the SQL pushdown sends to the real engine, checked against the
vendor's documentation.

The Hive stand-in is Spark SQL, fakesnow and the BigQuery emulator run DuckDB: a case can pass
there and still mean something else on the real engine (or fail there only because the
stand-in differs).  Each shape compiles conformance cases for the real engine's dialect
(``Plan.retarget``) and asserts the construct pushdown emits, citing the page that says why
that construct is the right one.  A shape also backs every "stand-in limitation" in
``known.py``: its ``cases`` are the ones it proves right for the real engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

import pushdown
from pushdown.compilers.ddl import ddl_type
from tests.conformance.checks import (
    Check,
    absent,
    both,
    float_division,
    like_as_written,
    present,
    snowflake_names,
)

HIVE_UDF = "https://cwiki.apache.org/confluence/display/Hive/LanguageManual+UDF"
SF_IDENTIFIERS = "https://docs.snowflake.com/en/sql-reference/identifiers-syntax"
SF_ARITHMETIC = "https://docs.snowflake.com/en/sql-reference/operators-arithmetic"
SF_NUMERIC = "https://docs.snowflake.com/en/sql-reference/data-types-numeric"
SF_DATETIME = "https://docs.snowflake.com/en/sql-reference/data-types-datetime"
SF_LIKE = "https://docs.snowflake.com/en/sql-reference/functions/like"
SF_STRINGS = (
    "https://docs.snowflake.com/en/sql-reference/data-types-text"
    "#escape-sequences-in-single-quoted-string-constants"
)
SF_WINDOW = "https://docs.snowflake.com/en/sql-reference/functions-analytic"
SF_NTH_VALUE = "https://docs.snowflake.com/en/sql-reference/functions/nth_value"
SF_SUM = "https://docs.snowflake.com/en/sql-reference/functions/sum"
SF_DATEADD = "https://docs.snowflake.com/en/sql-reference/functions/dateadd"
SF_MIN_BY = "https://docs.snowflake.com/en/sql-reference/functions/min_by"
BQ = "https://cloud.google.com/bigquery/docs/reference/standard-sql/"
DBX_LISTAGG = "https://docs.databricks.com/en/sql/language-manual/functions/listagg.html"
DBX_ARROW = "https://docs.databricks.com/en/dev-tools/python-sql-connector.html"
DBX_TIMESTAMP = "https://docs.databricks.com/en/sql/language-manual/data-types/timestamp-ntz-type.html"


@dataclass(frozen=True)
class Shape:
    """An assertion on the SQL an engine receives for some cases."""

    id: str
    engine: str
    cases: tuple[str, ...]  # the conformance cases compiled (and proved, for stand-ins)
    check: Check
    claim: str  # what the real engine does, in the vendor's terms
    url: str
    flow: Callable[[], pushdown.Flow] | None = None  # compiled instead of cases (connection wh)
    refusal_ok: bool = True  # a declared refusal also satisfies the shape
    per_case: bool = False  # ``check`` also takes the case (checks.like_as_written)


# -- flows that are not conformance cases ------------------------------------------------------
def snowflake_table_flow() -> pushdown.Flow:
    """A source table created the usual way on Snowflake (``CREATE TABLE orders (id INT)``,
    stored as ORDERS(ID)), declared the way the README does."""
    flow = pushdown.Flow()
    flow.connection("wh", "snowflake://u:p@account/DB/SCHEMA")
    orders = flow.dataset("orders", connection="wh", table="orders", columns={"id": "bigint"})
    orders.compute(name="out", next_id="id + 1")
    return flow


def staging_type(engine: str, t: pa.DataType) -> str:
    """The column type pushdown's staging DDL gives an Arrow type on ``engine``."""
    return ddl_type(t, dialect=engine).sql(dialect=engine)


INT_CASTS = (
    "casts.int_half",
    "casts.int_half_neg",
    "casts.int_half_small",
    "casts.int_half_small_neg",
    "casts.int_one_and_half",
    "casts.int_large_half",
    "casts.int32_half",
    "casts.int32_half_neg",
)
DECIMAL_DIVISIONS = (
    "arithmetic.div_dec_third",
    "arithmetic.div_dec_by_int",
    "arithmetic.div_int_by_dec",
    "arithmetic.div_dec_neg",
    "arithmetic.div_dec_scale4",
    "arithmetic.div_dec_beyond_double",
)
NULL_TIMESTAMPS = ("calendar.ts_null", "calendar.trunc_ts_null", "ordering.timestamps_dst")
DECIMAL_CASTS = (
    "casts.dec_round_half",
    "casts.dec_round_half_neg",
    "casts.dec_round_down",
    "casts.dec_from_double_half",
    "casts.dec_from_double_half_neg",
    "casts.dec_from_double_exact_half",
    "casts.dec_from_int",
    "casts.dec_null",
    "casts.dec_from_text",
    "casts.dec_from_text_neg",
    "casts.dec_scale_up",
    "casts.dec_38_10",
    "casts.dec_small_neg",
)
DATABRICKS_TYPED = (
    *DECIMAL_CASTS,
    "calendar.ts_null",
    "calendar.trunc_date_null",
    "calendar.trunc_ts_null",
    "calendar.interval_null",
    "calendar.tstz_utc",
    "calendar.tstz_from_offset",
)
WEEK_TRUNCATIONS = (
    "calendar.trunc_week_leap_day",
    "calendar.trunc_week_leap_day_2000",
    "calendar.trunc_week_1900_no_leap_day",
    "calendar.trunc_week_year_end_tuesday",
    "calendar.trunc_week_sunday_into_last_year",
    "calendar.trunc_week_sunday_new_year",
    "calendar.trunc_week_monday_itself",
    "calendar.trunc_week_saturday",
    "calendar.trunc_week_dst_sunday",
    "calendar.trunc_ts_week_dst_gap",
    "calendar.trunc_ts_week_last_micro",
    "calendar.trunc_ts_week_sunday",
)
DATE_WEEK_TRUNCATIONS = WEEK_TRUNCATIONS[:9]
LIKE_BACKSLASHES = (
    "like.backslash_is_literal_match",
    "like.backslash_underscore_match",
    "like.trailing_backslash",
    "like.filter_backslash",
    "like.column_pattern_backslash_match",
)
ARG_VALUE_NULL = (
    "aggregates.arg_min_value_null",
    "aggregates.arg_max_value_null",
    "aggregates.min_by_alias",
)
SUBSTRING_ZERO = (
    "strings.substring_start_zero",
    "strings.substring_start_zero_len1",
    "strings.substr_alias",
    "strings.substring_start_column_zero",
)

SHAPES: list[Shape] = [
    # -- Hive: the stand-in is Spark SQL, which has functions Hive lacks --------------------------
    Shape(
        "hive.no_date_trunc", "hive",
        ("calendar.trunc_ts_month_dst_gap", "calendar.trunc_ts_hour_dst_gap",
         "calendar.trunc_month_leap_day"),
        absent(r"\bDATE_TRUNC\s*\("),
        "Hive has no DATE_TRUNC: trunc(date, fmt) covers MONTH/QUARTER/YEAR only (Date Functions)",
        HIVE_UDF,
    ),
    Shape(
        "hive.variance_is_sample", "hive", ("aggregates.variance_is_sample",),
        both(present(r"\bVAR_SAMP\s*\("), absent(r"\bVARIANCE\s*\(")),
        "Hive's variance(col) is the population variance; var_samp(col) the sample one "
        "(Built-in Aggregate Functions)",
        HIVE_UDF,
    ),
    Shape(
        "hive.var_pop", "hive", ("aggregates.var_pop",),
        both(present(r"\bVAR_POP\s*\("), absent(r"\bVARIANCE_POP\s*\(")),
        "Hive's population variance is var_pop(col); there is no variance_pop",
        HIVE_UDF,
    ),
    Shape(
        "hive.stddev_is_sample", "hive", ("aggregates.stddev_is_sample",),
        present(r"\bSTDDEV_SAMP\s*\("),
        "Hive's stddev(col) is the population deviation; stddev_samp(col) the sample one",
        HIVE_UDF,
    ),
    Shape(
        "hive.day_of_week", "hive", ("calendar.dow_sunday",),
        absent(r"EXTRACT\s*\(\s*DOW\b"),
        "Hive's EXTRACT knows dayofweek, not DOW, and dayofweek(date) numbers Sunday 1 .. "
        "Saturday 7 (Date Functions)",
        HIVE_UDF,
    ),
    Shape(
        "hive.iso_day_of_week", "hive",
        ("calendar.isodow_sunday", "calendar.isodow_function_sunday"),
        absent(r"\bDAYOFWEEK_ISO\s*\(", r"EXTRACT\s*\(\s*ISODOW\b"),
        "Hive has no ISO day-of-week function: dayofweek(date) (Sunday 1) is what exists",
        HIVE_UDF,
    ),
    Shape(
        "hive.like_backslash", "hive", LIKE_BACKSLASHES,
        like_as_written("hive"),
        "Hive's LIKE treats a backslash as the escape character, so a literal backslash must "
        "reach it doubled (String Operators: A LIKE B)",
        HIVE_UDF,
        per_case=True,
    ),
    Shape(
        "hive.pipes_need_2_2", "hive", ("strings.concat_pipes",),
        absent(r"\|\|"),
        "the || operator exists from Hive 2.2.0 on; concat(a, b) in every version "
        "(String Operators)",
        HIVE_UDF,
    ),
    # -- Snowflake: fakesnow runs DuckDB ----------------------------------------------------------
    Shape(
        "snowflake.unquoted_names", "snowflake", (),
        snowflake_names("ORDERS", "ID"),
        "unquoted identifiers are stored and resolved as uppercase; quoted ones keep their "
        "case, so a table created as orders(id) is ORDERS(ID) and \"orders\" does not exist",
        SF_IDENTIFIERS,
        flow=snowflake_table_flow,
    ),
    Shape(
        "snowflake.integer_division", "snowflake", ("arithmetic.div_int_third",),
        float_division,
        "dividing two NUMBERs keeps at most 6 more decimals (7 / 2 is 3.500000, 1 / 3 is "
        "0.333333): the quotient of integers is a DOUBLE only with a FLOAT operand",
        SF_ARITHMETIC,
    ),
    Shape(
        "snowflake.integer_division_truncates", "snowflake",
        ("arithmetic.intdiv_pos", "arithmetic.intdiv_beyond_double"),
        both(present(r"\bTRUNC\s*\([^()]*/"), absent(r"\bAS\s+(FLOAT|DOUBLE)")),
        "casting the NUMBER quotient 3.500000 to an integer rounds it (to 4): integer "
        "division must truncate (TRUNC) the exact NUMBER quotient instead (fakesnow divides "
        "integers as DOUBLE)",
        SF_NUMERIC,
    ),
    Shape(
        "snowflake.float_to_integer", "snowflake", INT_CASTS,
        both(present(r"CAST\s*\(\s*\"c000_x\"\s+AS\s+(BIGINT|INT)"), absent(r"\bROUND\s*\(")),
        "converting a FLOAT to a NUMBER rounds half away from zero (2.5 to 3, -2.5 to -3), "
        "pushdown's meaning; fakesnow's DuckDB rounds half to even",
        SF_NUMERIC,
    ),
    Shape(
        "snowflake.decimal_division", "snowflake", DECIMAL_DIVISIONS,
        both(present(r"\"c000_a\"\s*/\s*(NULLIF\s*\(\s*)?\"c000_b\""),
             absent(r"\bAS\s+(FLOAT|DOUBLE)")),
        "NUMBER / NUMBER is a NUMBER whose scale grows by up to 6 digits (exact to at least 6 "
        "places); fakesnow's DuckDB divides DECIMALs as DOUBLE",
        SF_ARITHMETIC,
    ),
    Shape(
        "snowflake.sum_of_numbers", "snowflake",
        ("aggregates.sum_decimal", "aggregates.sum_beyond_double"),
        both(present(r"\bSUM\s*\("), absent(r"\bAS\s+(FLOAT|DOUBLE)")),
        "SUM of a NUMBER column is a NUMBER (exact); fakesnow returns SUM of integers and "
        "decimals as FLOAT",
        SF_SUM,
    ),
    Shape(
        "snowflake.naive_timestamps_pass_through", "snowflake", NULL_TIMESTAMPS,
        absent(r"CONVERT_TIMEZONE", r"TIMESTAMP_(LTZ|TZ)", r"\bAS\s+TIMESTAMP\b"),
        "a naive timestamp column read, truncated or sorted as it is comes back as written, "
        "NULLs included; fakesnow sends NULL TIMESTAMP_NTZ values the connector cannot decode",
        SF_DATETIME,
    ),
    Shape(
        "snowflake.timestamp_ntz_staging", "snowflake", (),
        lambda _sql: None
        if staging_type("snowflake", pa.timestamp("us")) in ("TIMESTAMP_NTZ", "TIMESTAMPNTZ")
        else f"stages naive timestamps as {staging_type('snowflake', pa.timestamp('us'))}",
        "TIMESTAMP is an alias whose meaning the TIMESTAMP_TYPE_MAPPING parameter sets "
        "(TIMESTAMP_NTZ by default, LTZ or TZ on some accounts); only TIMESTAMP_NTZ is "
        "wall-clock time whatever the account says",
        SF_DATETIME,
    ),
    Shape(
        "snowflake.quoted_unicode_name", "snowflake", ("nulls.name_non_ascii",),
        present('"c000_pr\u00e9cis"'),
        "a double-quoted identifier keeps its exact characters and case; fakesnow upper-cases "
        "the non-ASCII name",
        SF_IDENTIFIERS,
    ),
    Shape(
        "snowflake.like_backslash", "snowflake", LIKE_BACKSLASHES,
        like_as_written("snowflake"),
        "Snowflake's LIKE has no default escape character; its string literals read '\\\\' "
        "as one backslash",
        SF_LIKE,
        per_case=True,
    ),
    Shape(
        "snowflake.last_value_frame", "snowflake", ("windows.last_value_running",),
        present(r"ROWS\s+BETWEEN\s+UNBOUNDED\s+PRECEDING\s+AND\s+CURRENT\s+ROW"),
        "without a frame, FIRST_VALUE/LAST_VALUE use the whole partition (ROWS BETWEEN "
        "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) on Snowflake",
        SF_WINDOW,
    ),
    Shape(
        "snowflake.nth_value_frame", "snowflake", ("windows.nth_value_running",),
        present(r"RANGE\s+BETWEEN\s+UNBOUNDED\s+PRECEDING\s+AND\s+CURRENT\s+ROW"),
        "without a frame, NTH_VALUE uses the whole partition (ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND UNBOUNDED FOLLOWING) on Snowflake, not the SQL default",
        SF_NTH_VALUE,
    ),
    Shape(
        "snowflake.dateadd_keeps_date", "snowflake", DATE_WEEK_TRUNCATIONS,
        both(present(r"\bDATEADD\s*\(\s*DAY\b"), absent(r"\bAS\s+TIMESTAMP")),
        "DATEADD of days to a DATE returns a DATE (only an hour or smaller part makes it a "
        "TIMESTAMP); fakesnow's DuckDB returns a TIMESTAMP",
        SF_DATEADD,
    ),
    Shape(
        "snowflake.min_by", "snowflake", ARG_VALUE_NULL,
        present(r"\b(MIN|MAX)_BY\s*\("),
        "MIN_BY/MAX_BY return the value of the row with the smallest/largest key, NULL "
        "included; fakesnow's DuckDB arg_min/arg_max skip a NULL value",
        SF_MIN_BY,
    ),
    # -- BigQuery: the emulator runs DuckDB -------------------------------------------------------
    Shape(
        "bigquery.week_starts_monday", "bigquery",
        (*WEEK_TRUNCATIONS, "calendar.trunc_date_nested"),
        present(r"\bISOWEEK\b|WEEK\s*\(\s*MONDAY\s*\)"),
        "DATE_TRUNC(d, WEEK) starts weeks on Sunday; ISOWEEK (or WEEK(MONDAY)) on Monday",
        BQ + "date_functions#date_trunc",
    ),
    Shape(
        "bigquery.iso_week_number", "bigquery", ("calendar.week_sunday_in_week_53",),
        present(r"\bISOWEEK\b"),
        "EXTRACT(WEEK ...) counts Sunday-started weeks from 0; ISOWEEK is the ISO 8601 number",
        BQ + "date_functions#extract",
    ),
    Shape(
        "bigquery.day_of_week", "bigquery", ("calendar.dow_sunday",),
        absent(r"EXTRACT\s*\(\s*DOW\b"),
        "EXTRACT takes DAYOFWEEK (Sunday 1 .. Saturday 7); DOW is not a BigQuery part",
        BQ + "date_functions#extract",
    ),
    Shape(
        "bigquery.numeric_scale", "bigquery", DECIMAL_CASTS,
        both(present(r"\b(BIG)?NUMERIC\s*\(\s*\d+\s*,\s*\d+\s*\)"),
             absent(r"\b(BIG)?NUMERIC\b(?!\s*\()")),
        "a parameterized NUMERIC(P, S) rounds to S decimals; a bare NUMERIC keeps 9",
        BQ + "data-types#parameterized_decimal_type",
    ),
    Shape(
        "bigquery.integer_round_numeric", "bigquery",
        ("arithmetic.round_int_tens", "arithmetic.round_int_tens_half"),
        present(r"CAST\(ROUND\(CAST\(`\w+` AS NUMERIC\), -1\) AS INT64\)"),
        "ROUND of an INT64 is a FLOAT64; in NUMERIC (29 integer digits) it is exact for every "
        "INT64, and the cast back keeps the integer type",
        BQ + "mathematical_functions#round",
    ),
    Shape(
        "bigquery.numeric_limits", "bigquery", ("casts.dec_38_10",),
        present(r"\bBIGNUMERIC\s*\(\s*38\s*,\s*10\s*\)"),
        "NUMERIC holds 29 integer digits and 9 decimals: a scale of 10 needs BIGNUMERIC, and "
        "only BIGNUMERIC(38, 10) rounds to 10 decimals (a bare BIGNUMERIC keeps 38)",
        BQ + "data-types#decimal_types",
    ),
    Shape(
        "bigquery.numeric_staging", "bigquery", (),
        lambda _sql: None
        if staging_type("bigquery", pa.decimal128(38, 2)).startswith("BIGNUMERIC")
        else f"stages decimal128(38, 2) as {staging_type('bigquery', pa.decimal128(38, 2))}",
        "NUMERIC(38, 2) exceeds NUMERIC's 29 integer digits, so the CREATE fails; BIGNUMERIC "
        "holds it",
        BQ + "data-types#decimal_types",
    ),
    Shape(
        "bigquery.count_distinct_one_expression", "bigquery",
        ("aggregates.count_distinct_pairs",),
        absent(r"COUNT\s*\(\s*DISTINCT\s+[^()]*,"),
        "COUNT(DISTINCT expression) takes one expression",
        BQ + "aggregate_functions#count",
    ),
    Shape(
        "bigquery.float_to_integer", "bigquery", INT_CASTS,
        both(present(r"CAST\s*\(\s*`c000_x`\s+AS\s+INT64"), absent(r"\bROUND\s*\(")),
        "casting FLOAT64 to INT64 returns the closest integer, halfway cases rounded away "
        "from zero; the emulator's DuckDB rounds half to even",
        BQ + "conversion_functions#cast_as_int64",
    ),
    Shape(
        "bigquery.substring_position_zero", "bigquery", SUBSTRING_ZERO,
        present(r"\bSUBSTR(ING)?\s*\("),
        "SUBSTR reads a position of 0 (or left of the string) as 1, pushdown's meaning; the "
        "emulator's DuckDB starts before the first character",
        BQ + "string_functions#substr",
    ),
    Shape(
        "bigquery.substring_negative_length", "bigquery", ("strings.substring_neg_len",),
        absent(r"SUBSTR(ING)?\s*\([^()]*,\s*-\d+\s*\)"),
        "SUBSTR raises an error for a negative length; pushdown means an empty string",
        BQ + "string_functions#substr",
    ),
    Shape(
        "bigquery.like_backslash", "bigquery", LIKE_BACKSLASHES,
        like_as_written("bigquery"),
        "BigQuery's LIKE escapes with a backslash, so a literal backslash must reach it doubled",
        BQ + "operators#like_operator",
        per_case=True,
    ),
    Shape(
        "bigquery.decimal_division", "bigquery", ("arithmetic.div_dec_beyond_double",),
        both(present(r"`c000_a`\s*/\s*(NULLIF\s*\(\s*)?`c000_b`"), absent(r"\bFLOAT64\b")),
        "NUMERIC / NUMERIC is a NUMERIC (exact to 9 decimals); the emulator's DuckDB divides "
        "as DOUBLE",
        BQ + "operators#arithmetic_operators",
    ),
    Shape(
        "bigquery.min_by", "bigquery", ARG_VALUE_NULL,
        present(r"\b(MIN|MAX)_BY\s*\(|\bANY_VALUE\s*\([^()]*HAVING\s+(MIN|MAX)\b"),
        "MIN_BY(x, y) is ANY_VALUE(x HAVING MIN y): only the rows with the smallest y are "
        "candidates, so a NULL x there gives NULL; the emulator's DuckDB arg_min skips it",
        BQ + "aggregate_functions#min_by",
    ),
    # -- Databricks: the stand-in is open-source Spark 4 ------------------------------------------
    Shape(
        "databricks.declared_types", "databricks", DATABRICKS_TYPED,
        both(absent(r"\bAS\s+STRING\b"),
             lambda sql: None if "DECIMAL" not in sql.upper() or re.search(
                 r"DECIMAL\s*\(\s*\d+\s*,\s*\d+\s*\)", sql, re.IGNORECASE)
             else "a DECIMAL without its precision and scale"),
        "a SQL warehouse returns Arrow batches typed as the query declares them (DECIMAL(p, s), "
        "TIMESTAMP, DATE, also for NULLs); the stand-in's Thrift rows carry no such types",
        DBX_ARROW,
    ),
    Shape(
        "databricks.timestamp_ntz_staging", "databricks", (),
        lambda _sql: None
        if staging_type("databricks", pa.timestamp("us")) == "TIMESTAMP_NTZ"
        else f"stages naive timestamps as {staging_type('databricks', pa.timestamp('us'))}",
        "TIMESTAMP is TIMESTAMP_LTZ, read and shown in the session time zone; TIMESTAMP_NTZ is "
        "wall-clock time",
        DBX_TIMESTAMP,
    ),
    Shape(
        "databricks.listagg_runtime", "databricks", ("aggregates.string_agg_skips_null",),
        absent(r"\bLISTAGG\s*\("),
        "listagg exists from Databricks Runtime 16.4 on; without a known runtime version the "
        "step must use what every runtime has (array_join(collect_list(...))) or be refused",
        DBX_LISTAGG,
    ),
]
