"""The staging and output DDL each engine gets, pinned without a server (the stand-ins run the
same statements in tests/integration; these pins hold where no stand-in shows the vendor's
behaviour).  Each assertion cites the vendor page behind it."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest
from sqlalchemy.engine import make_url

from pushdown.compilers.ddl import create_table, create_table_as, expires, stored_as, temporary
from pushdown.engines.hive import _literal, insert_rows
from pushdown.engines.options import split_options
from pushdown.engines.secrets import driver_failure, scrub
from pushdown.errors import ConnectionConfigError, FlowError
from pushdown.types import arrow_to_sql

SCHEMA = pa.schema(
    [
        ("k", pa.int64()),
        ("wide", pa.decimal128(38, 2)),
        ("narrow", pa.decimal128(10, 2)),
        ("at", pa.timestamp("us")),
        ("utc", pa.timestamp("us", tz="UTC")),
    ]
)


@pytest.mark.parametrize(
    ("precision", "scale", "spelled"),
    [
        (10, 2, "NUMERIC(10, 2)"),
        (38, 9, "NUMERIC(38, 9)"),  # 29 integer digits, 9 decimals: NUMERIC's limit
        (38, 2, "BIGNUMERIC(38, 2)"),  # 36 integer digits
        (30, 0, "BIGNUMERIC(30, 0)"),
        (38, 10, "BIGNUMERIC(38, 10)"),  # 10 decimals
        (76, 38, "BIGNUMERIC(76, 38)"),
    ],
)
def test_bigquery_decimals_fit_numeric_or_bignumeric(
    precision: int, scale: int, spelled: str
) -> None:
    """NUMERIC(P, S): S <= 9, P - S <= 29; BIGNUMERIC(P, S): S <= 38, P - S <= 38
    (https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#parameterized_decimal_type)."""
    t = pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
    assert arrow_to_sql(t, dialect="bigquery").sql(dialect="bigquery") == spelled
    assert arrow_to_sql(t).sql(dialect="snowflake") == f"DECIMAL({precision}, {scale})"


def test_bigquery_decimal_beyond_bignumeric_is_refused() -> None:
    with pytest.raises(FlowError, match="BIGNUMERIC holds at most 38 integer digits"):
        arrow_to_sql(pa.decimal256(76, 0), dialect="bigquery")


def test_staging_ddl_per_engine() -> None:
    """Snowflake: TEMPORARY (https://docs.snowflake.com/en/sql-reference/sql/create-table);
    BigQuery: an expiration_timestamp option
    (https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#table_option_list);
    Hive: STORED AS PARQUET, not the TEXTFILE default
    (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DDL#LanguageManualDDL-StorageFormats);
    Databricks: naive timestamps TIMESTAMP_NTZ
    (https://docs.databricks.com/en/sql/language-manual/data-types/timestamp-ntz-type.html)."""
    sf = create_table("t", SCHEMA, dialect="snowflake", properties=[temporary()])
    assert sf.startswith('CREATE TEMPORARY TABLE "t" (')
    at = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    bq = create_table("t", SCHEMA, dialect="bigquery", properties=[expires(at)])
    assert bq == (
        "CREATE TABLE `t` (`k` INT64, `wide` BIGNUMERIC(38, 2), `narrow` NUMERIC(10, 2), "
        "`at` DATETIME, `utc` TIMESTAMP) "
        "OPTIONS (expiration_timestamp=CAST('2030-01-02 03:04:05 UTC' AS TIMESTAMP))"
    )
    hive = create_table("t", SCHEMA.remove(4), dialect="hive", properties=[stored_as("PARQUET")])
    assert hive.endswith(") STORED AS PARQUET")
    dbx = create_table("t", SCHEMA, dialect="databricks")
    assert "`at` TIMESTAMP_NTZ" in dbx and "`utc` TIMESTAMP" in dbx and "STORED AS" not in dbx
    replace = create_table_as("out", "out__pushdown_new", dialect="databricks")
    assert replace == "CREATE OR REPLACE TABLE `out` AS SELECT * FROM `out__pushdown_new`"


def test_hive_rows_are_a_stack_of_typed_values() -> None:
    """Hive 2.x takes only constants in INSERT ... VALUES; a CAST (every NULL, date and
    timestamp needs one) is "Expression of type TOK_FUNCTION not supported in insert/values"
    (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DML#LanguageManualDML-InsertingvaluesintotablesfromSQL).
    The rows go as one SELECT of ``stack`` with every value cast to its column's type, as
    stack wants one type per column
    (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+UDF#LanguageManualUDF-stack)."""
    types = [pa.int64(), pa.decimal128(38, 2), pa.date32(), pa.timestamp("us"), pa.string()]
    values = [
        [
            7,
            decimal.Decimal("12345678901234567.12"),
            dt.date(2024, 2, 29),
            dt.datetime(2024, 1, 1, 12),
            "a'b",
        ],
        [None, None, None, None, "${env:HOME}"],
    ]
    rows = [[_literal(v, t) for v, t in zip(row, types, strict=True)] for row in values]
    sql = insert_rows("t", rows, dialect="hive")
    assert sql == (
        "INSERT INTO `t` SELECT STACK(2, CAST(7 AS BIGINT), "
        "CAST('12345678901234567.12' AS DECIMAL(38, 2)), CAST('2024-02-29' AS DATE), "
        "CAST('2024-01-01 12:00:00' AS TIMESTAMP), CAST('a\\'b' AS STRING), "
        "CAST(NULL AS BIGINT), CAST(NULL AS DECIMAL(38, 2)), CAST(NULL AS DATE), "
        "CAST(NULL AS TIMESTAMP), CAST('${env:HOME}' AS STRING))"
    )
    assert "VALUES" not in sql


def test_connection_options_are_read_and_removed() -> None:
    """connect_timeout, retries (and engine_version) are pushdown's: no driver sees them."""
    url = make_url("hive://ci@h:10000/db?auth=NOSASL&connect_timeout=5&engine_version=2.3")
    stripped, args, options = split_options(url, {"retries": "0", "x": 1}, connection="lake")
    assert dict(stripped.query) == {"auth": "NOSASL"} and args == {"x": 1}
    assert (options.connect_timeout, options.retries, options.attempts) == (5.0, 0, 1)
    for bad in ({"connect_timeout": "0"}, {"retries": "1.5"}, {"retries": "99"}):
        with pytest.raises(ConnectionConfigError, match="connection 'lake'"):
            split_options(url, bad, connection="lake")


def test_scrub_reaches_every_form_of_a_secret() -> None:
    secret = "Pa$$ w/rd"
    text = f"login {secret} as {secret.upper()} url=x://u:{'Pa%24%24%20w%2Frd'}@h pw={secret}"
    cleaned = scrub(text, [secret])
    assert "Pa$$" not in cleaned and "PA$$" not in cleaned and "%24%24" not in cleaned
    try:
        try:
            raise ValueError(f"inner {secret}")
        except ValueError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError as outer:
        stand_in = driver_failure(outer, [secret])
    assert secret not in str(stand_in) and "inner ***" in str(stand_in)
    assert stand_in.__cause__ is None and stand_in.__traceback__ is None
