"""Names on the engines, on the stand-ins (docs/semantics.md, "Names on the engines").

- Snowflake (fakesnow): a table created with unquoted names is stored as ``ORDERS(ORDER_ID,
  STATUS, ...)``; fakesnow's catalog reports those stored names (as Snowflake's does), so the
  README flow planned on it reads them, and the SQL it sends names ``"ORDERS"`` and
  ``"STATUS"``, which Snowflake resolves ("unquoted identifiers are stored and resolved as
  uppercase": https://docs.snowflake.com/en/sql-reference/identifiers-syntax).  fakesnow
  itself would also accept ``"orders"`` (DuckDB ignores case): that the SQL names the stored
  spelling is checked on the text, that it runs and answers right on the stand-in.
- BigQuery (emulator): a table named with capitals is read as written (table names are
  case-sensitive) and declared lower-case columns read its ``CustName``/``Amount`` (column names
  are not: https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#case_sensitivity).
- Hive (Spark Thrift stand-in) and in-process Spark: a column with capitals survives a round
  trip through a staging table (Hive stores column names lower-case:
  https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DDL#LanguageManualDDL-CreateTable),
  and outputs are stored as the engine's users query them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pyarrow as pa
import pytest

import pushdown
from pushdown.engines import Connector, open_connector
from tests.helpers import assert_same
from tests.integration.conftest import Target, prepare_standin
from tests.test_identifiers import ORDER_COLUMNS, readme, stored_reads

ORDERS = pa.table(
    {
        "order_id": pa.array([1, 2, 3, 4, 5], pa.int64()),
        "status": ["completed", "completed", "open", "completed", "completed"],
        "amount": [10.0, 20.0, 5.0, 8.0, 2.5],
        "discount": [0.1, 0.0, 0.0, 0.5, 0.0],
        "order_date": pa.array(
            [
                dt.date(2025, 1, 3),
                dt.date(2025, 1, 20),
                dt.date(2025, 2, 1),
                dt.date(2025, 2, 11),
                dt.date(2025, 3, 5),
            ],
            pa.date32(),
        ),
    }
)
SALES = pa.table(
    {"CustName": ["Ada", "Bo", "Ada", "Cy"], "Amount": [1.0, 2.0, 3.0, 4.5], "qty": [1, 2, 3, 4]}
)


def unique(prefix: str) -> str:
    """A table name no other helper's run uses on the shared stand-ins."""
    return f"idents_{prefix}_{uuid.uuid4().hex[:8]}"


def local_answer() -> pa.Table:
    flow = pushdown.Flow()
    trend = readme(flow.dataset("orders", data=ORDERS))
    return pushdown.plan(flow).execute()[trend.name]


# -- Snowflake ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def snowflake_orders(snowflake_target: Target) -> Iterator[tuple[Target, Connector, str]]:
    """``ORDERS`` created the usual way: unquoted names, stored upper-case."""
    if not snowflake_target.live:
        prepare_standin("snowflake", snowflake_target)
    conn = open_connector("wh", snowflake_target.url, snowflake_target.connect_args)
    table = unique("orders")
    conn.execute(
        f"CREATE TABLE {table} (order_id INT, status VARCHAR, amount DOUBLE, discount DOUBLE, "
        "order_date DATE)"
    )
    rows = ", ".join(
        f"({r['order_id']}, '{r['status']}', {r['amount']}, {r['discount']}, "
        f"'{r['order_date'].isoformat()}')"
        for r in ORDERS.to_pylist()
    )
    conn.execute(f"INSERT INTO {table} VALUES {rows}")
    conn.execute("COMMIT")  # the connector's session runs in a transaction; plans open others
    try:
        yield snowflake_target, conn, table
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.close()


def test_snowflake_catalog_reports_the_stored_names(
    snowflake_orders: tuple[Target, Connector, str],
) -> None:
    _, conn, table = snowflake_orders
    assert conn.table_schema(table).names == [
        "ORDER_ID",
        "STATUS",
        "AMOUNT",
        "DISCOUNT",
        "ORDER_DATE",
    ]


@pytest.mark.parametrize("declared", [False, True], ids=["read", "declared"])
def test_readme_example_runs_on_a_snowflake_table_created_unquoted(
    snowflake_orders: tuple[Target, Connector, str], declared: bool
) -> None:
    target, _, table = snowflake_orders
    flow = pushdown.Flow()
    flow.connection("warehouse", target.url)
    orders = flow.dataset(
        "orders",
        connection="warehouse",
        table=table,
        columns=ORDER_COLUMNS if declared else None,
    )
    trend = readme(orders)
    plan = pushdown.plan(flow, connect_args={"warehouse": target.connect_args}, forbid=["local"])
    sql = plan.sql("warehouse")
    stored = {"ORDER_ID", "STATUS", "AMOUNT", "DISCOUNT", "ORDER_DATE"}
    reads = stored_reads(sql)
    assert set(reads) == {table.upper()}
    assert reads[table.upper()] <= stored and "STATUS" in reads[table.upper()]
    if declared:  # the flow's names, read from the stored ones
        assert '"STATUS" AS "status"' in sql
    else:  # the catalog's names are the flow's: no alias
        assert ' AS "status"' not in sql and "\"STATUS\" = 'completed'" in sql
    got = plan.execute()[trend.name]
    assert_same(got, local_answer())


def test_snowflake_outputs_are_stored_upper_case(
    snowflake_orders: tuple[Target, Connector, str],
) -> None:
    target, conn, table = snowflake_orders
    out = unique("trend")
    flow = pushdown.Flow()
    flow.connection("warehouse", target.url)
    trend = readme(flow.dataset("orders", connection="warehouse", table=table))
    flow.output(trend, connection="warehouse", table=out)
    try:
        pushdown.plan(flow, connect_args={"warehouse": target.connect_args}).execute()
        columns = conn.fetch_arrow(
            "SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS "
            f"WHERE TABLE_NAME = '{out.upper()}' ORDER BY ORDINAL_POSITION"
        )
        assert columns.column(0).to_pylist() == [
            "MONTH",
            "REVENUE",
            "ORDERS",
            "MEDIAN_ORDER",
            "RUNNING",
            "PREV",
        ]
        # Queried unquoted, as Snowflake users do.
        back = conn.fetch_arrow(f"SELECT month, revenue FROM {out} ORDER BY month")
        assert back.num_rows == 3
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {out}")


# -- BigQuery -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bigquery_sales(bigquery_target: Target) -> Iterator[tuple[Target, str]]:
    """A table whose name and columns have capitals (``idents_Sales_...(CustName, Amount)``)."""
    if not bigquery_target.live:
        prepare_standin("bigquery", bigquery_target)
    conn = open_connector("bq", bigquery_target.url, bigquery_target.connect_args)
    table = unique("Sales")
    conn.write_table(table, SALES)
    try:
        yield bigquery_target, table
    finally:
        conn.drop(table)
        conn.close()


@pytest.mark.parametrize("offline", [False, True])
def test_bigquery_reads_columns_ignoring_case_and_tables_as_written(
    bigquery_sales: tuple[Target, str], offline: bool
) -> None:
    # "Dataset and table names are case-sensitive ... column names are case-insensitive":
    # https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#case_sensitivity
    target, table = bigquery_sales
    flow = pushdown.Flow()
    flow.connection("bq", target.url)
    sales = flow.dataset(
        "sales",
        connection="bq",
        table=table,
        columns={"custname": "string", "amount": "double", "qty": "bigint"},
    )
    big = sales.filter("amount > 1.5", name="big")
    plan = pushdown.plan(
        flow,
        connect_args={"bq": target.connect_args},
        forbid=["local"],
        engine_statistics=not offline,
    )
    sql = plan.sql("bq")
    assert f"`{table}`" in sql  # the table as written (idents_Sales_...), never folded
    if offline:  # the declared names as written: BigQuery finds CustName ignoring case
        assert " AS `custname`" not in sql
    else:  # the catalog's names, aliased to the declared ones
        assert "`CustName` AS `custname`" in sql and "`Amount` AS `amount`" in sql
    got = plan.execute()[big.name]
    assert got.column_names == ["custname", "amount", "qty"]
    assert sorted(got.to_pylist(), key=lambda r: r["amount"]) == [
        {"custname": "Bo", "amount": 2.0, "qty": 2},
        {"custname": "Ada", "amount": 3.0, "qty": 3},
        {"custname": "Cy", "amount": 4.5, "qty": 4},
    ]


# -- Hive and Spark: a column with capitals through a staging table -----------------------
def _round_trip(url: str, connect_args: dict[str, object]) -> None:
    """``SALES`` (``CustName``, ``Amount``) moves to the engine, is grouped there (staging
    table in, result out; and once materialised, read back with ``SELECT *``)."""
    for materialize in ([], ["per"]):
        flow = pushdown.Flow()
        flow.connection("lake", url)
        src = flow.dataset("src", data=SALES)
        per = src.group(["CustName"], {"TotalAmount": "sum(Amount)"}, name="per")
        per.filter("TotalAmount > 0", name="kept")
        per.compute(Twice="TotalAmount * 2", name="twice")
        plan = pushdown.plan(
            flow,
            connect_args={"lake": connect_args},
            pin={"per": "lake", "kept": "lake", "twice": "local"},
            materialize=materialize,
        )
        assert plan.steps["per"].engine == "lake"
        result = plan.execute()
        assert result["kept"].column_names == ["CustName", "TotalAmount"]
        assert result["twice"].column_names == ["CustName", "TotalAmount", "Twice"]
        totals = dict(
            zip(
                result["kept"].column("CustName").to_pylist(),
                result["kept"].column("TotalAmount").to_pylist(),
                strict=True,
            )
        )
        assert totals == {"Ada": 4.0, "Bo": 2.0, "Cy": 4.5}


def test_hive_staging_round_trip_keeps_a_mixed_case_column(hive_target: Target) -> None:
    _round_trip(hive_target.url, hive_target.connect_args)


@pytest.mark.spark
def test_spark_staging_round_trip_keeps_a_mixed_case_column(spark_target: Target) -> None:
    _round_trip(spark_target.url, spark_target.connect_args)


def _output_and_back(url: str, connect_args: dict[str, object], stored: list[str]) -> None:
    """An output with capitals is stored as the engine's users query it, and a flow
    declaring the flow's names reads it back through the catalog's names."""
    out = unique("sales")
    flow = pushdown.Flow()
    flow.connection("lake", url)
    flow.output(flow.dataset("src", data=SALES), connection="lake", table=out)
    pushdown.plan(flow, connect_args={"lake": connect_args}).execute()
    conn = open_connector("lake", url, connect_args)
    try:
        assert conn.table_schema(out).names == stored
        back = pushdown.Flow()
        back.connection("lake", url)
        src = back.dataset(
            "src",
            connection="lake",
            table=out,
            columns={"CustName": "varchar", "Amount": "double", "qty": "bigint"},
        )
        src.filter("Amount > 1", name="big")
        plan = pushdown.plan(back, connect_args={"lake": connect_args}, forbid=["local"])
        assert plan.logical.nodes["src"].stored == tuple(stored)
        got = plan.execute()["big"]
        assert got.column_names == ["CustName", "Amount", "qty"]
        assert sorted(got.column("CustName").to_pylist()) == ["Ada", "Bo", "Cy"]
    finally:
        conn.drop(out)
        conn.close()


def test_hive_outputs_are_stored_lower_case(hive_target: Target) -> None:
    _output_and_back(hive_target.url, hive_target.connect_args, ["custname", "amount", "qty"])


@pytest.mark.spark
def test_spark_outputs_keep_their_case(spark_target: Target) -> None:
    _output_and_back(spark_target.url, spark_target.connect_args, ["CustName", "Amount", "qty"])
