"""BigQuery, Hive and Databricks planning reads in few statements: the schemas of several
tables in one statement (BigQuery ``INFORMATION_SCHEMA.COLUMNS``; HiveServer2 ``GetColumns``
on Hive, the Spark Thrift server and Databricks), the catalog's row counts in one
(``INFORMATION_SCHEMA.PARTITIONS``; ``SHOW TABLE EXTENDED``), and ``plan()`` of a flow over
them in at most three statements cold and none warm (``statistics="cached"``), on the
stand-ins (or live accounts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import pushdown
from pushdown.compilers.ddl import create_table
from pushdown.engines import Connector, open_connector
from pushdown.errors import PushdownError
from pushdown.planner.gather import CACHE
from tests.integration.conftest import Target, prepare_standin

ENGINES = ["bigquery", "hive", "databricks"]


def _tables(prefix: str) -> dict[str, pa.Table]:
    return {
        f"{prefix}_a": pa.table(
            {
                "k": pa.array([1, 2, 3], pa.int64()),
                "price": pa.array([Decimal("1.50"), None, Decimal("3.25")], pa.decimal128(15, 2)),
                "day": pa.array([dt.date(2020, 1, 1)] * 3, pa.date32()),
            }
        ),
        f"{prefix}_b": pa.table({"k": [1, 2], "name": ["x", None], "score": [0.5, 1.5]}),
    }


# Columns no INSERT can fill on Hive: created empty, to check the batched types of nested ones.
NESTED = pa.schema(
    [
        ("tags", pa.list_(pa.int64())),
        ("point", pa.struct([("x", pa.int64()), ("label", pa.string())])),
        ("k", pa.int64()),
    ]
)


def _analyze(conn: Connector, engine: str, table: str) -> None:
    """Hive and Spark count a table's rows in the catalog once asked (Spark's INSERT does
    not); BigQuery always has them."""
    if engine != "bigquery":
        from sqlglot import exp

        from pushdown.compilers.sql import table_ref

        statement = exp.Analyze(
            kind="TABLE",
            tables=[table_ref(table, dialect=conn.dialect)],
            expression=exp.AnalyzeStatistics(kind="COMPUTE"),
        )
        _run(conn, statement.sql(dialect=conn.dialect))


def _catalog_asked(conn: Connector) -> int:
    """The statements a first batched schema read adds to its ``GetColumns`` call: 1 on
    Databricks without a catalog in its URL (the session's current catalog, asked once per
    connection), else 0."""
    from pushdown.engines.databricks import DatabricksConnector

    return int(isinstance(conn, DatabricksConnector) and conn._catalog is None)


def _run(conn: Connector, sql: str) -> None:
    """A statement without rows (Hive's connector runs its DDL through ``_execute``)."""
    if hasattr(conn, "_execute"):
        conn._execute(sql)
    else:
        conn.execute(sql)


@pytest.mark.parametrize("engine", ENGINES)
def test_schemas_and_row_counts_in_one_statement_each(
    engine: str, request: pytest.FixtureRequest
) -> None:
    target: Target = request.getfixturevalue(f"{engine}_target")
    if engine == "bigquery" and not target.live:
        prepare_standin(engine, target)
    prefix = f"hnet_rt_{engine[:3]}"
    tables = _tables(prefix)
    nested = f"{prefix}_nested"
    conn = open_connector(engine, target.url, target.connect_args)
    try:
        for name, table in tables.items():
            conn.write_table(name, table)
            _analyze(conn, engine, name)
        conn.drop(nested)
        _run(conn, create_table(nested, NESTED, dialect=conn.dialect))
        names = [*tables, nested]
        one_by_one = {t: conn.table_schema(t) for t in names}
        before = conn.statements
        batched = conn.table_schemas(names)
        assert conn.statements == before + 1 + _catalog_asked(conn)
        for table in names:
            got = batched[table]
            assert isinstance(got, pa.Schema) and got.equals(one_by_one[table], check_metadata=True)
        if engine == "bigquery":  # one table asked by two names: both answered
            plain, qualified = names[0], f"{conn.dataset}.{names[0]}"  # type: ignore[attr-defined]
            twice = conn.table_schemas([plain, qualified, names[1]])
            assert twice[plain].equals(twice[qualified])  # type: ignore[union-attr]
        # a missing table: its own statement and error, the others still batched
        missing = conn.table_schemas([*tables, f"{prefix}_nope"])
        assert all(missing[t].equals(one_by_one[t]) for t in tables)  # type: ignore[union-attr]
        assert isinstance(missing[f"{prefix}_nope"], PushdownError)

        before = conn.statements
        rows = conn.catalog_rows([*tables, f"{prefix}_nope"])
        assert conn.statements == before + 1
        assert rows == {f"{prefix}_a": 3.0, f"{prefix}_b": 2.0}
        stats = conn.table_stats(f"{prefix}_a", {"k"}, rows[f"{prefix}_a"])
        assert stats.rows == 3.0 and conn.statements == before + 1  # no statement of its own
        # the size read with the count (the BigQuery emulator's PARTITIONS has none)
        assert stats.bytes or (engine == "bigquery" and not target.live)
        assert stats.source == (conn.name if engine == "bigquery" else "SHOW TABLE EXTENDED")

        flow = pushdown.Flow()
        flow.connection("wh", target.url)
        a = flow.dataset("a", connection="wh", table=f"{prefix}_a")
        b = flow.dataset("b", connection="wh", table=f"{prefix}_b")
        joined = a.join(b, on=["k"], name="joined")
        joined.group(["name"], {"total": "sum(price)"}, name="result")
        args: dict[str, Any] = {"wh": target.connect_args}
        CACHE.clear()
        cold = pushdown.plan(flow, connect_args=args)
        assert sum(cold.planning_statements["wh"].values()) <= 3, cold.planning_statements
        warm = pushdown.plan(flow, connect_args=args, statistics="cached")
        assert sum(warm.planning_statements["wh"].values()) == 0, warm.planning_statements
    finally:
        for name in [*tables, nested]:
            conn.drop(name)
        conn.close()


@pytest.mark.parametrize("engine", ["hive", "databricks"])
def test_get_columns_keeps_only_the_database_asked(
    engine: str, request: pytest.FixtureRequest
) -> None:
    """``GetColumns``' schema name is a pattern where ``_`` matches any one character: the
    batched read of ``hfix_gc`` must not take in the columns of ``hfixagc``'s table of the
    same name (other columns, another type of ``k``)."""
    from sqlglot import exp

    target: Target = request.getfixturevalue(f"{engine}_target")
    conn = open_connector(engine, target.url, target.connect_args)
    asked, lookalike = f"hfix_gc_{engine[:3]}", f"hfixagc_{engine[:3]}"

    def create(name: str) -> str:
        database = exp.Table(db=exp.to_identifier(name))
        return exp.Create(kind="SCHEMA", this=database).sql(dialect=conn.dialect)

    def drop(name: str) -> str:
        database = exp.Table(db=exp.to_identifier(name))
        statement = exp.Drop(kind="SCHEMA", tables=[database], exists=True, cascade=True)
        return statement.sql(dialect=conn.dialect)

    try:
        for name in (asked, lookalike):
            _run(conn, drop(name))
            _run(conn, create(name))
        conn.write_table(f"{asked}.orders", pa.table({"k": [1, 2], "price": [0.5, 1.5]}))
        conn.write_table(f"{asked}.other", pa.table({"k": [1]}))
        conn.write_table(
            f"{lookalike}.orders", pa.table({"k": ["x"], "note": ["y"], "extra": [1.0]})
        )
        names = [f"{asked}.orders", f"{asked}.other"]
        one_by_one = {t: conn.table_schema(t) for t in names}
        assert one_by_one[names[0]].names == ["k", "price"]
        before = conn.statements
        batched = conn.table_schemas(names)
        assert conn.statements == before + 1 + _catalog_asked(conn)  # still one call
        for table in names:
            got = batched[table]
            assert isinstance(got, pa.Schema) and got.equals(one_by_one[table], check_metadata=True)
    finally:
        for name in (asked, lookalike):
            _run(conn, drop(name))
        conn.close()


def test_get_columns_rows_of_another_schema_or_listed_twice_are_left_out() -> None:
    """The rows as the call gives them (JDBC's names): ``salesxdb`` matches the pattern
    ``sales_db``; a table listed twice (by two catalogs) is left to be read on its own."""
    from pushdown.engines.hive_catalog import columns_by_table

    def row(schema: str, table: str, column: str, kind: str, ordinal: int) -> dict[str, Any]:
        return {
            "TABLE_SCHEM": schema,
            "TABLE_NAME": table,
            "COLUMN_NAME": column,
            "TYPE_NAME": kind,
            "ORDINAL_POSITION": ordinal,
        }

    rows = [
        row("Sales_DB", "orders", "amount", "double", 2),
        row("sales_db", "Orders", "id", "int", 1),
        row("salesxdb", "orders", "id", "string", 1),
        row("sales_db", "twice", "id", "int", 1),
        row("sales_db", "twice", "id", "int", 1),
        row("sales_db", "renamed", "a", "int", 1),
        row("sales_db", "renamed", "b", "int", 1),
    ]
    assert columns_by_table(rows, "sales_db") == {"orders": [("id", "int"), ("amount", "double")]}


def test_bigquery_batched_columns_leave_out_hidden_ones() -> None:
    """An ingestion-time partitioned table's pseudo-columns (``_PARTITIONTIME``,
    ``_PARTITIONDATE``) are in ``INFORMATION_SCHEMA.COLUMNS`` with ``is_hidden`` 'YES' and
    not in its zero-row result: the batched read asks for the visible columns only (the
    stand-in has no such tables; the test above checks it still reads what the per-table
    read does, in one statement)."""
    pytest.importorskip("google.cloud.bigquery", reason="pip install -e '.[bigquery]'")
    import sqlglot
    from sqlglot import exp

    from pushdown.engines.bigquery import columns_query

    sql = columns_query("proj", "data", ["a", "b"]).sql(dialect="bigquery")
    where = sqlglot.parse_one(sql, read="bigquery").args["where"]
    visible = exp.column("is_hidden").eq(exp.Literal.string("NO"))
    assert any(node == visible for node in where.find_all(exp.EQ)), sql
    assert {c.name for c in where.find_all(exp.Column)} == {"table_name", "is_hidden"}


def test_get_columns_decimals_take_their_precision_and_scale() -> None:
    """Hive's HiveServer2 names a decimal column's type ``DECIMAL`` and sends its precision and
    scale as ``COLUMN_SIZE`` and ``DECIMAL_DIGITS`` (Spark's server sends ``DECIMAL(10,2)``);
    without them the table is left to be read on its own, not typed decimal(38, 9)."""
    from pushdown.engines.hive_catalog import columns_by_table

    def row(table: str, kind: str, size: int | None, digits: int | None) -> dict[str, Any]:
        return {
            "TABLE_SCHEM": "db",
            "TABLE_NAME": table,
            "COLUMN_NAME": "price",
            "TYPE_NAME": kind,
            "ORDINAL_POSITION": 1,
            "COLUMN_SIZE": size,
            "DECIMAL_DIGITS": digits,
        }

    rows = [row("hive", "DECIMAL", 10, 2), row("spark", "DECIMAL(12,3)", 12, 3)]
    rows.append(row("bare", "DECIMAL", None, None))
    assert columns_by_table(rows, "db") == {
        "hive": [("price", "DECIMAL(10,2)")],
        "spark": [("price", "DECIMAL(12,3)")],
    }
