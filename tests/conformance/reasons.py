"""Why a case deviates: the reasons the known-deviation table (known.py) cites.

- ``pushdown bug: #15 ...``: pushdown sends SQL that means something else on that engine, or
  reads its answer wrongly (an item of issue #15, one of its items to verify, or one this suite
  found after the lowering landed: reported to the integrator);
- ``documented in semantics.md: ...``: docs/semantics.md itself declares the engine's
  exception (DuckDB divides decimals as doubles);
- ``stand-in limitation: ...``: the stand-in does not behave like the engine it stands for;
  the text cites the vendor page that shows the real engine's behaviour, and a shape in
  shapes.py proves the real engine gets SQL that means pushdown's answer.

``raises`` marks deviations where the engine raises an error instead of answering: those
cases run in statements of their own, so they cannot fail the batch the others share.
"""

from __future__ import annotations

from dataclasses import dataclass

NEW = "(found by the conformance suite after the lowering landed; reported to the integrator)"


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
    return Reason(f"pushdown bug: #15 {label}: {what}", raises=raises)


def documented(what: str) -> Reason:
    """An exception docs/semantics.md declares for the engine."""
    return Reason(f"documented in semantics.md: {what}")


def standin(engine: str, what: str, url: str, *, raises: bool = False) -> Reason:
    """A stand-in that does not share the real engine's behaviour; ``url``: the vendor page
    showing what the real engine does."""
    return Reason(f"stand-in limitation: {engine}: {what} (real engine: {url})", raises=raises,
                  standin=True)


SF_DOCS = "https://docs.snowflake.com/en/sql-reference/"
BQ_DOCS = "https://cloud.google.com/bigquery/docs/reference/standard-sql/"
DBX_ARROW = "https://docs.databricks.com/en/dev-tools/python-sql-connector.html"

# -- pushdown bugs still open: none (bug() words one when the suite finds a new one) --------
# -- declared by docs/semantics.md ------------------------------------------------------------
DUCKDB_DEC_DIV = documented("DuckDB and the local engine divide decimals as DOUBLE (the "
                            "quotient is a DOUBLE, exact only to double precision)")
# -- stand-in limitations (each proved right for the real engine by a shape) -----------------
FS_CAST_INT = standin("fakesnow", "runs DuckDB semantics: CAST(float AS integer) rounds half to "
                      "even; Snowflake rounds half away from zero (shape "
                      "snowflake.float_to_integer)", SF_DOCS + "data-types-numeric")
FS_DEC_DIV = standin("fakesnow", "runs DuckDB semantics: DECIMAL / DECIMAL is a DOUBLE; "
                     "Snowflake's NUMBER division is exact (shape snowflake.decimal_division)",
                     SF_DOCS + "operators-arithmetic")
FS_INT_DIV = standin("fakesnow", "divides integers as DOUBLE, so TRUNC(a / b) of a 16-digit a "
                     "loses its last digit; Snowflake divides NUMBERs exactly (shape "
                     "snowflake.integer_division_truncates)", SF_DOCS + "operators-arithmetic")
FS_SUM = standin("fakesnow", "returns SUM of a NUMBER as FLOAT (shape snowflake.sum_of_numbers)",
                 SF_DOCS + "functions/sum")
FS_NULL_TS = standin("fakesnow", "sends NULL TIMESTAMP_NTZ values the Snowflake connector cannot "
                     "decode (shape snowflake.naive_timestamps_pass_through)",
                     SF_DOCS + "data-types-datetime", raises=True)
FS_UNICODE = standin("fakesnow", "upper-cases a quoted non-ASCII column name (shape "
                     "snowflake.quoted_unicode_name)", SF_DOCS + "identifiers-syntax",
                     raises=True)
FS_DATEADD = standin("fakesnow", "DATEADD(DAY, n, date) returns a TIMESTAMP (DuckDB's date + "
                     "interval); on Snowflake a DATE plus days is a DATE (shape "
                     "snowflake.dateadd_keeps_date)", SF_DOCS + "functions/dateadd")
FS_ARG_NULL = standin("fakesnow", "runs DuckDB's arg_min/arg_max, which skip a row whose value "
                      "is NULL; Snowflake's MIN_BY/MAX_BY return the value of the row with the "
                      "extreme key (shape snowflake.min_by)", SF_DOCS + "functions/min_by")
BQ_CAST_INT = standin("bigquery emulator", "runs DuckDB semantics: CAST(FLOAT64 AS INT64) rounds "
                      "half to even; BigQuery rounds half away from zero (shape "
                      "bigquery.float_to_integer)", BQ_DOCS + "conversion_functions#cast_as_int64")
BQ_SUBSTR0 = standin("bigquery emulator", "runs DuckDB's SUBSTRING: position 0 starts before the "
                     "first character; BigQuery reads it as 1 (shape "
                     "bigquery.substring_position_zero)", BQ_DOCS + "string_functions#substr")
BQ_DEC_DIV = standin("bigquery emulator", "divides NUMERICs as DOUBLE; BigQuery's NUMERIC "
                     "division is exact to 9 places (shape bigquery.decimal_division)",
                     BQ_DOCS + "operators#arithmetic_operators")
BQ_NUMERIC_PARAMS = standin("bigquery emulator", "ignores the parameters of NUMERIC(P, S): no "
                            "rounding to S, scale 9; BigQuery rounds to S and keeps the type "
                            "(shape bigquery.numeric_scale)",
                            BQ_DOCS + "data-types#parameterized_decimal_type")
BQ_NUMERIC_DIGITS = standin("bigquery emulator", "reads NUMERIC as DuckDB's DECIMAL(18, 3), "
                            "which cannot hold an INT64 beyond 10^15; BigQuery's NUMERIC holds 29 "
                            "integer digits, every INT64 (shape bigquery.integer_round_numeric)",
                            BQ_DOCS + "data-types#decimal_types", raises=True)
BQ_ISOWEEK = standin("bigquery emulator", "does not know the ISOWEEK date part; BigQuery's "
                     "DATE_TRUNC takes ISOWEEK, weeks starting on Monday (shape "
                     "bigquery.week_starts_monday)", BQ_DOCS + "date_functions#date_trunc",
                     raises=True)
BQ_LIKE_ESCAPE = standin("bigquery emulator", "runs DuckDB's LIKE, which has no escape "
                         "character, so the doubled backslash pushdown sends matches two "
                         "backslashes; BigQuery's LIKE reads \\\\\\\\ as one literal backslash "
                         "(shape bigquery.like_backslash)", BQ_DOCS + "operators#like_operator")
BQ_ARG_NULL = standin("bigquery emulator", "runs DuckDB's arg_min/arg_max, which skip a row whose "
                      "value is NULL; BigQuery's MIN_BY(x, y) is ANY_VALUE(x HAVING MIN y), the x "
                      "of a row with the smallest y (shape bigquery.min_by)",
                      BQ_DOCS + "aggregate_functions#min_by")
DBX_TYPES = standin("databricks", "the stand-in (Spark Thrift) sends rows without Arrow, so "
                    "results are typed from their values: DECIMAL precision, time zones and "
                    "all-NULL columns are lost; a SQL warehouse sends Arrow with the declared "
                    "types (shape databricks.declared_types)", DBX_ARROW)
