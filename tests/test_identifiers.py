"""Names on the engines (docs/semantics.md, "Names on the engines"; issue #15 item 2).

pushdown quotes every identifier, so a name must be spelt the way the engine stored it.  What
no engine here can show (Snowflake's case-sensitive quoted identifiers: fakesnow resolves
names ignoring case, as DuckDB does) is pinned as SQL shapes citing the vendor pages:

- Snowflake: "Unquoted object identifiers ... are stored and resolved as uppercase characters
  (e.g. id is stored and resolved as ID)"; a quoted identifier keeps its case
  (https://docs.snowflake.com/en/sql-reference/identifiers-syntax);
- BigQuery: dataset and table names are case-sensitive, column names are not
  (https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#case_sensitivity);
- Hive: table and column names are case-insensitive and stored lower-case
  (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DDL#LanguageManualDDL-CreateTable).

What runs here runs: declared columns matched against a DuckDB catalog, results whose names an
engine folded (a DuckDB connector that lower-cases them, as Hive does).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

import pushdown
from pushdown.compilers.ddl import create_table, output_columns
from pushdown.compilers.sql import source_step, table_ref
from pushdown.engines.base import staging_name
from pushdown.engines.duckdb import DuckDBConnector
from pushdown.errors import DuplicateNameError, EngineError, UnknownColumnError
from pushdown.plan.build import build_logical_plan
from pushdown.plan.names import engine_name, engine_table, stored_column
from pushdown.plan.nodes import Source
from pushdown.profiles import get_profile
from pushdown.run import named

ORDER_COLUMNS = {
    "order_id": "bigint",
    "status": "varchar",
    "amount": "double",
    "discount": "double",
    "order_date": "date",
}


def readme_flow(url: str, *, table: str = "orders", declared: bool = True) -> pushdown.Flow:
    """The README's first example (its orders part), on ``url``."""
    flow = pushdown.Flow()
    flow.connection("warehouse", url)
    orders = flow.dataset(
        "orders",
        connection="warehouse",
        table=table,
        columns=ORDER_COLUMNS if declared else None,
    )
    readme(orders)
    return flow


def readme(orders: pushdown.Dataset) -> pushdown.Dataset:
    """The README's first example over ``orders``: its monthly trend."""
    paid = orders.filter("status = 'completed'")
    priced = paid.compute(
        net="round(amount * (1 - discount), 2)", month="date_trunc('month', order_date)"
    )
    monthly = priced.group(
        ["month"], {"revenue": "sum(net)", "orders": "count(*)", "median_order": "median(net)"}
    )
    return monthly.window({"running": "sum(revenue)", "prev": "lag(revenue)"}, order_by=["month"])


def stored_reads(sql: str, dialect: str = "snowflake") -> dict[str, set[str]]:
    """The tables ``sql`` reads (CTEs aside) and the columns it names on each: what the
    engine has to resolve in its catalog."""
    found: dict[str, set[str]] = {}
    for statement in sqlglot.parse(sql, read=dialect):
        assert statement is not None
        ctes = {cte.alias for cte in statement.find_all(exp.CTE)}
        for select in statement.find_all(exp.Select):
            source = select.args.get("from_")
            table = source.this if source is not None else None
            if isinstance(table, exp.Table) and table.name not in ctes:
                names = {c.name for c in select.find_all(exp.Column)}
                found.setdefault(table.name, set()).update(names)
    return found


# -- the rules ----------------------------------------------------------------------------
def test_snowflake_spells_unquoted_names_upper_case_and_keeps_only_quotable_ones() -> None:
    # "id is stored and resolved as ID"; "My identifier" can only be created quoted.
    assert engine_name("id", "snowflake") == "ID"
    assert engine_name("My$identifier", "snowflake") == "MY$IDENTIFIER"
    assert engine_name("order date", "snowflake") == "order date"
    assert engine_name("3rd_identifier", "snowflake") == "3rd_identifier"
    assert engine_name("идентификатор", "snowflake") == "идентификатор"


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "databricks", "hive", "bigquery"])
def test_case_insensitive_engines_keep_names_as_written(dialect: str) -> None:
    # They resolve any case, quoted or not: folding would only change the case shown.
    assert engine_name("OrderDate", dialect) == "OrderDate"


def test_table_parts_per_engine() -> None:
    assert engine_table(["sales", "orders"], "snowflake") == ["SALES", "ORDERS"]
    assert engine_table(["sales", '"Orders"'], "snowflake") == ["SALES", "Orders"]
    assert engine_table(['"quote""andunquote"""'], "snowflake") == ['quote"andunquote"']
    # BigQuery: "dataset and table names are case-sensitive": never folded.
    assert engine_table(["my-project", "Sales", "Orders"], "bigquery") == [
        "my-project",
        "Sales",
        "Orders",
    ]
    assert engine_table(["Orders"], "hive, version=2.1") == ["Orders"]


def test_table_ref_quotes_the_engine_spelling() -> None:
    assert table_ref("sales.orders", dialect="snowflake").sql("snowflake") == '"SALES"."ORDERS"'
    assert table_ref('"MixedCase"', dialect="snowflake").sql("snowflake") == '"MixedCase"'
    assert table_ref("Orders", dialect="bigquery").sql("bigquery") == "`Orders`"
    assert table_ref("Orders", dialect="duckdb").sql("duckdb") == '"Orders"'
    assert table_ref("Orders").sql() == '"Orders"'  # no dialect: as written


def test_output_columns_are_stored_as_users_of_the_engine_query_them() -> None:
    names = ["net", "Month", "order date"]
    assert output_columns(names, dialect="snowflake") == ["NET", "MONTH", "order date"]
    assert output_columns(names, dialect="hive, version=2.1") == ["net", "month", "order date"]
    for dialect in ("duckdb", "spark", "databricks", "bigquery"):
        assert output_columns(names, dialect=dialect) == names
    with pytest.raises(DuplicateNameError, match="'id' and 'ID'"):
        output_columns(["id", "ID"], dialect="snowflake", table="t")
    # The DDL shape of an output on each engine.
    schema = pa.schema([(stored_column("net", "snowflake"), pa.float64())])
    assert create_table("monthly", schema, dialect="snowflake") == (
        'CREATE TABLE "MONTHLY" ("NET" DOUBLE)'
    )
    hive = pa.schema([(stored_column("Net", "hive"), pa.float64())])
    assert create_table("monthly", hive, dialect="hive") == "CREATE TABLE `monthly` (`net` DOUBLE)"


# -- the README example on Snowflake ------------------------------------------------------
def test_readme_flow_on_a_snowflake_table_created_unquoted_sends_the_stored_names() -> None:
    """Planned offline with declared (lower-case) columns: the SQL reads ORDERS(ORDER_ID,
    STATUS, ...) as ``CREATE TABLE orders (order_id ..., status ...)`` stored them, and names
    the columns as the flow does."""
    plan = pushdown.plan(
        readme_flow("snowflake://acct/db/public"), engine_statistics=False, forbid=["local"]
    )
    sql = plan.sql()
    assert stored_reads(sql) == {
        "ORDERS": {"ORDER_ID", "STATUS", "AMOUNT", "DISCOUNT", "ORDER_DATE"}
    }
    for stored in ("ORDER_ID", "STATUS", "AMOUNT", "DISCOUNT", "ORDER_DATE"):
        assert f'"{stored}" AS "{stored.lower()}"' in sql
    assert "\"status\" = 'completed'" in sql  # the formula reads the flow's name


def test_readme_flow_retargeted_to_snowflake_reads_unquoted_tables() -> None:
    """``plan.sql("snowflake")`` of a flow planned elsewhere compiles for a Snowflake table
    created the usual way, whatever names the other engine's catalog gave."""
    plan = pushdown.plan(readme_flow("duckdb:///:memory:"), engine_statistics=False)
    sql = plan.sql("snowflake")
    assert 'FROM "ORDERS"' in sql and '"STATUS" AS "status"' in sql
    duck = plan.sql("duckdb")
    assert 'FROM "orders"' in duck and ' AS "status"' not in duck  # unchanged elsewhere


def test_a_quoted_table_part_names_a_case_sensitive_table_exactly() -> None:
    flow = readme_flow("snowflake://acct/db/public", table='sales."MixedCase"')
    sql = pushdown.plan(flow, engine_statistics=False, forbid=["local"]).sql()
    assert 'FROM "SALES"."MixedCase"' in sql


def test_declared_columns_an_engine_folds_together_are_refused_naming_both() -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "snowflake://acct/db/public")
    t = flow.dataset("t", connection="wh", table="t", columns={"id": "bigint", "ID": "bigint"})
    t.filter("id > 0")
    with pytest.raises(DuplicateNameError, match="dataset 't'.*'id' and 'ID' differ only in case"):
        pushdown.plan(flow, engine_statistics=False, forbid=["local"])


def test_a_source_reading_one_stored_column_twice_is_refused() -> None:
    # The last guard before SQL: two flow columns the engine would read as one stored column.
    schema = pa.schema([("a", pa.int64()), ("b", pa.int64())])
    node = Source("t", "t", (), schema, connection="wh", table="t", stored=("X", "X"))
    with pytest.raises(DuplicateNameError, match="'a' and 'b' of 't' are both column 'X'"):
        source_step(table_ref("t", dialect="snowflake"), node, "snowflake")
    ok = Source("t", "t", (), schema, connection="wh", table="t", stored=("A", "b"))
    step = source_step(table_ref("t", dialect="snowflake"), ok, "snowflake")
    assert step.sql("snowflake") == 'SELECT "A" AS "a", "b" FROM "T"'


# -- declared columns matched against a catalog -------------------------------------------
@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    """A DuckDB file holding ``orders`` with mixed-case column names."""
    import duckdb

    path = tmp_path / "wh.db"
    con = duckdb.connect(str(path))
    con.execute(
        'CREATE TABLE orders ("Order_Id" BIGINT, "Status" VARCHAR, "Amount" DOUBLE, '
        '"Discount" DOUBLE, "Order_Date" DATE)'
    )
    con.execute(
        "INSERT INTO orders VALUES (1, 'completed', 10.0, 0.1, DATE '2025-01-03'), "
        "(2, 'completed', 20.0, 0.0, DATE '2025-01-20'), (3, 'open', 5.0, 0.0, "
        "DATE '2025-02-01'), (4, 'completed', 8.0, 0.5, DATE '2025-02-11')"
    )
    con.close()
    return f"duckdb:///{path}"


def test_declared_columns_read_the_catalogs_names(warehouse: str) -> None:
    plan = pushdown.plan(readme_flow(warehouse), forbid=["local"])
    source = plan.logical.nodes["orders"]
    assert source.stored == ("Order_Id", "Status", "Amount", "Discount", "Order_Date")
    assert '"Status" AS "status"' in plan.sql()
    (trend,) = plan.execute().values()
    assert trend.column_names == ["month", "revenue", "orders", "median_order", "running", "prev"]
    assert trend.column("revenue").to_pylist() == [29.0, 4.0]


def test_read_schemas_keep_the_catalogs_names(warehouse: str) -> None:
    plan = pushdown.plan(readme_flow(warehouse, declared=False), forbid=["local"])
    assert plan.logical.nodes["orders"].columns == [
        "Order_Id",
        "Status",
        "Amount",
        "Discount",
        "Order_Date",
    ]
    assert ' AS "Status"' not in plan.sql()  # stored and flow names agree: no alias
    (trend,) = plan.execute().values()
    assert trend.column("orders").to_pylist() == [2, 1]


def test_a_declared_column_the_table_lacks_is_refused(warehouse: str) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", warehouse)
    flow.dataset("orders", connection="wh", table="orders", columns={"stat": "varchar"})
    with pytest.raises(UnknownColumnError, match="'stat' is not in table 'orders'"):
        pushdown.plan(flow)


def test_two_declared_columns_reading_one_stored_column_are_refused(warehouse: str) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", warehouse)
    flow.dataset(
        "orders",
        connection="wh",
        table="orders",
        columns={"status": "varchar", "STATUS": "varchar"},
    )
    with pytest.raises(DuplicateNameError, match="'status' and 'STATUS' both read column 'Status'"):
        pushdown.plan(flow)


def test_a_declared_column_matching_two_stored_columns_is_refused_naming_both() -> None:
    """A Snowflake table may hold ``ID`` and ``"id"``; declared ``Id`` matches both."""
    flow = pushdown.Flow()
    flow.connection("wh", "snowflake://acct/db/public")
    flow.dataset("t", connection="wh", table="t", columns={"Id": "bigint"})

    def read_stored(ds: Any) -> pa.Schema:
        return pa.schema([("ID", pa.int64()), ("id", pa.int64())])

    with pytest.raises(DuplicateNameError, match="'ID' and 'id'"):
        build_logical_plan(flow, read_stored=read_stored)
    exact = pushdown.Flow()
    exact.connection("wh", "snowflake://acct/db/public")
    exact.dataset("t", connection="wh", table="t", columns={"id": "bigint"})
    node = build_logical_plan(exact, read_stored=read_stored).nodes["t"]
    assert node.stored == ("id",)  # spelt exactly: that one


def test_offline_planning_does_not_ask_the_catalog(warehouse: str) -> None:
    plan = pushdown.plan(readme_flow(warehouse), engine_statistics=False, forbid=["local"])
    assert plan.logical.nodes["orders"].stored == ()  # DuckDB resolves the names as declared


# -- results whose names the engine folded ------------------------------------------------
class LowerCasingDuckDB(DuckDBConnector):
    """DuckDB answering with lower-cased column names, as HiveServer2 does."""

    def fetch_arrow(self, sql: str) -> pa.Table:
        table = super().fetch_arrow(sql)
        return table.rename_columns([c.lower() for c in table.column_names])


def test_results_come_back_with_the_plans_names_whatever_case_the_engine_used() -> None:
    import sqlalchemy as sa

    flow = pushdown.Flow()
    flow.connection("lake", "duckdb:///:memory:")
    data = pa.table({"CustName": ["Ada", "Bo", "Ada"], "Amount": [1.0, 2.0, 3.0]})
    src = flow.dataset("src", data=data)
    per = src.group(["CustName"], {"TotalAmount": "sum(Amount)"}, name="per")
    per.compute(Twice="TotalAmount * 2", name="out")
    plan = pushdown.plan(flow, pin={"per": "lake", "out": "local"})
    assert plan.steps["per"].engine == "lake"
    conn = LowerCasingDuckDB("lake", get_profile("duckdb"), sa.engine.make_url("duckdb://"))
    try:
        result = plan.execute(connections={"lake": conn})
    finally:
        conn.close()
    assert result["out"].column_names == ["CustName", "TotalAmount", "Twice"]
    got = dict(
        zip(*(result["out"].column(c).to_pylist() for c in ("CustName", "Twice")), strict=True)
    )
    assert got == {"Ada": 8.0, "Bo": 4.0}


def test_a_result_with_another_number_of_columns_is_an_engine_error() -> None:
    table = pa.table({"a": [1], "b": [2]})
    assert named(table, ["A", "B"], "hive").column_names == ["A", "B"]
    # A step passing a pruned input through returns fewer columns than its node lists.
    assert named(table, ["B", "C", "A"], "hive").column_names == ["A", "B"]
    assert named(pa.table({"x_1": [1], "b": [2]}), ["a", "b"], "hive").column_names == ["a", "b"]
    with pytest.raises(EngineError, match="2 columns .* expects 3"):
        named(pa.table({"x": [1], "b": [2]}), ["a", "b", "c"], "hive")


# -- outputs ------------------------------------------------------------------------------
class RecordingDuckDB(DuckDBConnector):
    """Records what an output connection is asked to write."""

    written: dict[str, list[str]]

    def write_tables(self, tables: dict[str, pa.Table]) -> None:
        self.written = {t: d.column_names for t, d in tables.items()}
        super().write_tables(tables)


@pytest.mark.parametrize(
    ("engine", "stored"),
    [
        ("snowflake", ["DAY", "NET", "order date"]),
        ("hive", ["day", "net", "order date"]),
        ("spark", ["Day", "net", "order date"]),
    ],
)
def test_outputs_are_written_with_the_engines_names(engine: str, stored: list[str]) -> None:
    import sqlalchemy as sa

    flow = pushdown.Flow()
    flow.connection("out", "duckdb:///:memory:")
    data = pa.table(
        {"Day": [dt.date(2025, 1, 1)], "net": [1.5], "order date": [dt.date(2025, 1, 2)]}
    )
    flow.output(flow.dataset("src", data=data), connection="out", table="result")
    plan = pushdown.plan(flow, dialects={"out": engine})
    conn = RecordingDuckDB("out", get_profile("duckdb"), sa.engine.make_url("duckdb://"))
    try:
        result = plan.execute(connections={"out": conn})
    finally:
        conn.close()
    assert conn.written == {"result": stored}
    assert result["src"].column_names == ["Day", "net", "order date"]  # the flow's names


def test_a_flow_file_names_a_case_sensitive_table_in_double_quotes(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(
        "version: 1\n"
        "connections: {warehouse: 'snowflake://acct/db/public'}\n"
        "datasets:\n"
        "  - name: orders\n"
        "    connection: warehouse\n"
        "    table: 'sales.\"MixedCase\"'\n"
        "    columns: {id: bigint}\n"
        "recipes:\n"
        "  - {type: filter, input: orders, output: kept, where: 'id > 1'}\n"
    )
    plan = pushdown.plan(pushdown.load_flow(path), engine_statistics=False, forbid=["local"])
    assert stored_reads(plan.sql()) == {"MixedCase": {"ID"}}
    assert 'FROM "SALES"."MixedCase"' in plan.sql()


def test_an_output_to_a_quoted_part_creates_that_exact_name(tmp_path: Path) -> None:
    # Staged as "MixedOut__pushdown_new_<token>" (the suffix inside the quotes), then renamed.
    assert staging_name('s."MixedOut"').startswith('s."MixedOut__pushdown_new_')
    assert staging_name('s."MixedOut"').endswith('"')
    db = str(tmp_path / "wh.db")
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    src = flow.dataset("src", data=pa.table({"x": [1, 2]}))
    flow.output(src.filter("x > 1", name="big"), connection="wh", table='main."MixedOut"')
    pushdown.plan(flow).execute()
    con = duckdb.connect(db, read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        assert tables == ["MixedOut"]
        assert con.execute('SELECT * FROM "MixedOut"').fetchall() == [(2,)]
    finally:
        con.close()
