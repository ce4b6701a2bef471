"""Result comparison: same columns, same rows (order-insensitive unless asked), float tolerance;
the reference answer DuckDB gives for a query over Arrow tables; a DuckDB file holding tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

import pushdown
from pushdown.bench.verify import difference, rows

__all__ = ["assert_same", "duckdb_answer", "duckdb_file", "rows"]


def assert_same(actual: pa.Table, expected: pa.Table, *, ordered: bool = False) -> None:
    """Assert two results hold the same columns and rows."""
    assert actual.column_names == expected.column_names
    problem = difference(actual, expected, ordered=ordered)
    assert problem is None, problem


def duckdb_answer(sql: str, **tables: pa.Table) -> pa.Table:
    """What DuckDB answers to ``sql`` over ``tables`` (each registered under its name)."""
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def duckdb_file(path: Path, **tables: pa.Table) -> str:
    """A DuckDB database file at ``path`` holding ``tables`` (each under its name); its URL."""
    con = duckdb.connect(str(path))
    for name, table in tables.items():
        con.register("arrow_src", table)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM arrow_src')
        con.unregister("arrow_src")
    con.close()
    return f"duckdb:///{path}"


def orders_customers_database(path: Path) -> str:
    """A DuckDB file of 5,000 orders and 50 customers (the tables of
    :func:`orders_customers_flow`); its URL."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE orders AS SELECT i AS o_id, i % 50 AS o_cust, i % 7 AS o_status "
        "FROM range(5000) t(i)"
    )
    con.execute("CREATE TABLE customers AS SELECT i AS c_id, i % 5 AS c_nation FROM range(50) t(i)")
    con.close()
    return f"duckdb:///{path}"


def orders_customers_flow(url: str) -> pushdown.Flow:
    """Open orders (``o_status = 3``) joined to their customers and counted per nation, on
    the tables ``orders`` (o_cust, o_status, ...) and ``customers`` (c_id, c_nation, ...) of
    the connection ``wh`` at ``url``: what the statistics-cache and plan-reuse tests plan."""
    flow = pushdown.Flow()
    flow.connection("wh", url)
    orders = flow.dataset("orders", connection="wh", table="orders")
    customers = flow.dataset("customers", connection="wh", table="customers")
    open_orders = orders.filter("o_status = 3", name="open_orders")
    joined = open_orders.join(customers, on={"o_cust": "c_id"}, name="joined")
    joined.group(["c_nation"], {"n": "count(*)"}, name="per_nation")
    return flow
