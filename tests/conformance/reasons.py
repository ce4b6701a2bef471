"""Why a case deviates: the reasons the known-deviation table (known.py) cites.

- ``pushdown bug: #15 ...``: pushdown sends SQL that means something else on that engine
  (one of issue #15's items, one of its items to verify, or a new one this suite found);
- ``stand-in limitation: ...``: the stand-in does not behave like the engine it stands for; the
  real engine gets the right SQL, which a shape in shapes.py proves (citing the vendor page).

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
