"""Snowflake and BigQuery staging tables: what a run creates costs nothing once it is over,
and the types survive the trip.

Snowflake's TEMPORARY tables end with the session
(https://docs.snowflake.com/en/user-guide/tables-temp-transient#temporary-tables); BigQuery's
run tables carry an ``expiration_timestamp``
(https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#table_option_list).
The stand-ins (fakesnow, bqemulator) run the statements; the vendor behaviour they cannot show
(BigQuery's NUMERIC limits, the schema a truncating load takes) is pinned by the statements and
job configurations sent.  Every table here is named ``eng_*``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

import pyarrow as pa
import pytest

from pushdown.compilers.ddl import select_all
from pushdown.engines import open_connector
from tests.helpers import rows
from tests.integration.conftest import Target, prepare_standin


def test_snowflake_run_tables_are_temporary(
    snowflake_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uploads and materialised steps are TEMPORARY: another session does not see them and
    they are gone when the session ends; an output is a permanent table."""
    if not snowflake_target.live:
        prepare_standin("snowflake", snowflake_target)
    conn = open_connector("sf", snowflake_target.url, snowflake_target.connect_args)
    sent: list[str] = []
    original = conn._run  # type: ignore[attr-defined]

    def run(sql: str) -> Any:
        sent.append(sql)
        return original(sql)

    monkeypatch.setattr(conn, "_run", run)
    data = pa.table({"k": [1, 2], "s": ["a", None]})
    try:
        conn.upload("eng_sf_upload", data)
        conn.materialize("eng_sf_step", 'SELECT "k" FROM "eng_sf_upload"')
        conn.write_table("eng_sf_out", data)
        assert 'CREATE TEMPORARY TABLE "eng_sf_upload" ("k" BIGINT, "s" VARCHAR)' in sent
        assert any(s.startswith('CREATE OR REPLACE TEMPORARY TABLE "eng_sf_step" AS') for s in sent)
        assert any(
            re.fullmatch(
                r'CREATE TEMPORARY TABLE "eng_sf_out__pushdown_new_[0-9a-f]{8}" '
                r'\("k" BIGINT, "s" VARCHAR\)',
                s,
            )
            for s in sent
        ), sent
        assert any(s.startswith('CREATE OR REPLACE TABLE "eng_sf_out" AS') for s in sent)
        assert rows(conn.fetch_arrow(select_all("eng_sf_upload", dialect="snowflake"))) == rows(
            data
        )
    finally:
        conn.close()
    other = open_connector("sf", snowflake_target.url, snowflake_target.connect_args)
    try:
        out = other.fetch_arrow(select_all("eng_sf_out", dialect="snowflake")).sort_by("k")
        assert rows(out) == rows(data)
        for table in ("eng_sf_upload", "eng_sf_step"):  # ended with the first session
            with pytest.raises(Exception, match="(?i)does not exist|not found"):
                other.fetch_arrow(select_all(table, dialect="snowflake"))
        other.drop("eng_sf_out")
    finally:
        other.close()


DECIMALS = pa.table(
    {
        "k": pa.array([1, 2, 3], pa.int64()),
        # DuckDB's SUM of a DECIMAL(15,2), Snowflake's NUMBER(38,2): 36 integer digits.
        "wide": pa.array(
            [
                decimal.Decimal("123456789012345678901234567890123456.78"),
                None,
                decimal.Decimal("-1.5"),
            ],
            pa.decimal128(38, 2),
        ),
        "narrow": pa.array(
            [decimal.Decimal("1.25"), None, decimal.Decimal("-3.50")], pa.decimal128(10, 2)
        ),
        "at": pa.array(
            [dt.datetime(2024, 1, 1, 12, 30), None, dt.datetime(1999, 12, 31, 23, 59, 59)],
            pa.timestamp("us"),
        ),
    }
)


def test_bigquery_staging_ddl_types_and_expiration(
    bigquery_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NUMERIC holds at most 29 integer digits and 9 decimals, so decimal(38, 2) is created
    BIGNUMERIC(38, 2)
    (https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#parameterized_decimal_type);
    a naive timestamp is DATETIME and stays so, because the Parquet load appends with the
    table's explicit schema instead of truncating, which takes the file's schema
    (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad); the
    staging table expires by itself about a day later."""
    if not bigquery_target.live:
        prepare_standin("bigquery", bigquery_target)
    conn = open_connector("bq", bigquery_target.url, bigquery_target.connect_args)
    sent: list[str] = []
    configs: list[Any] = []
    original_query = conn._query  # type: ignore[attr-defined]
    client = conn.client  # type: ignore[attr-defined]
    original_load = client.load_table_from_file

    def query(sql: str) -> Any:
        sent.append(sql)
        return original_query(sql)

    def load(*args: Any, **kwargs: Any) -> Any:
        configs.append(kwargs["job_config"])
        return original_load(*args, **kwargs)

    monkeypatch.setattr(conn, "_query", query)
    monkeypatch.setattr(client, "load_table_from_file", load)
    try:
        before = dt.datetime.now(dt.UTC)
        conn.upload("eng_bq_dec", DECIMALS)
        (create,) = [s for s in sent if s.startswith("CREATE TABLE")]
        assert "`wide` BIGNUMERIC(38, 2)" in create and "`narrow` NUMERIC(10, 2)" in create
        assert "`at` DATETIME" in create
        assert "OPTIONS (expiration_timestamp=CAST('" in create
        stamp = create.split("expiration_timestamp=CAST('")[1].split("'")[0]
        expiry = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=dt.UTC)
        assert dt.timedelta(hours=23) < expiry - before < dt.timedelta(hours=25)
        (config,) = configs
        assert config.write_disposition == "WRITE_APPEND"
        assert {f.name: f.field_type for f in config.schema}["at"] == "DATETIME"
        meta = conn.client.get_table(conn._table_id("eng_bq_dec"))  # type: ignore[attr-defined]
        assert {f.name: f.field_type for f in meta.schema}["at"] == "DATETIME"
        # The emulator keeps BIGNUMERIC as NUMERIC, whose Arrow form (decimal128(38, 9))
        # cannot hold 36 integer digits: compare the wide values as text there.
        wide = "CAST(`wide` AS STRING)" if not bigquery_target.live else "`wide`"
        back = conn.fetch_arrow(
            f"SELECT `k`, {wide} AS `wide`, `at` FROM `eng_bq_dec` ORDER BY `k`"
        )
        assert back.column("at").to_pylist() == DECIMALS.column("at").to_pylist()
        got = [None if v is None else decimal.Decimal(v) for v in back.column("wide").to_pylist()]
        assert got == DECIMALS.column("wide").to_pylist()
        conn.write_table("eng_bq_out", DECIMALS)  # an output: permanent, no expiration
        final = [s for s in sent if s.startswith("CREATE OR REPLACE TABLE `eng_bq_out`")]
        assert final and "expiration" not in final[0]
        conn.drop("eng_bq_dec")
        conn.drop("eng_bq_out")
    finally:
        conn.close()
