"""The 22 official TPC-H texts of the benchmark harness, unchanged, as ``sql`` recipes: over
the tables spread across three DuckDB files (a federated query, planned per step), and
transpiled by sqlglot to Snowflake, BigQuery and Databricks SQL; each gives the answer of
DuckDB running the official text."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa
import pytest
import sqlglot

import pushdown
from pushdown.bench.recording import ORDERED  # queries whose ORDER BY fixes every row's place
from pushdown.bench.tpch.data import TABLES, duckdb_file, generate
from pushdown.bench.tpch.queries import QUERIES
from pushdown.explain import visible_steps
from pushdown.types import sql_type_name
from tests.helpers import assert_same

SCALE = 0.01
# Three connections, as a federated deployment would have them.
HOMES = {
    "customer": "crm",
    "nation": "crm",
    "region": "crm",
    "orders": "sales",
    "lineitem": "sales",
    "part": "stock",
    "partsupp": "stock",
    "supplier": "stock",
}
NAMES = sorted(QUERIES, key=lambda q: int(q[1:]))


@pytest.fixture(scope="module")
def connections(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("tpch3")
    urls = {}
    for conn in sorted(set(HOMES.values())):
        tables = tuple(t for t in TABLES if HOMES[t] == conn)
        urls[conn] = f"duckdb:///{duckdb_file(SCALE, folder / f'{conn}.duckdb', tables)}"
    return urls


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, pa.Table]]:
    path = duckdb_file(SCALE, tmp_path_factory.mktemp("tpch1") / "tpch.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield {q: con.sql(text).to_arrow_table() for q, text in QUERIES.items()}
    con.close()


@pytest.fixture(scope="module")
def tpch_data() -> dict[str, pa.Table]:
    return generate(scale=SCALE)


def _check(got: pa.Table, want: pa.Table, query: str) -> None:
    assert_same(got.rename_columns(want.column_names), want, ordered=query in ORDERED)


@pytest.mark.parametrize("query", NAMES)
def test_official_text_over_three_connections(
    query: str, connections: dict[str, str], official: dict[str, pa.Table]
) -> None:
    flow = pushdown.Flow()
    for name, url in connections.items():
        flow.connection(name, url)
    for table in TABLES:
        flow.dataset(table, connection=HOMES[table], table=table)
    flow.sql(QUERIES[query], name="result")
    plan = pushdown.plan(flow)
    engines = {step.engine for step in plan.steps.values()}
    assert engines <= {*connections, "local"}
    explain = plan.explain()
    for placed in visible_steps(plan):  # explain shows each part's engine (unread tables aside)
        assert any(placed.name in line and placed.engine in line for line in explain.splitlines())
    _check(plan.execute()["result"], official[query], query)


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery", "databricks"])
@pytest.mark.parametrize("query", NAMES)
def test_official_text_transpiled(
    query: str, dialect: str, tpch_data: dict[str, pa.Table], official: dict[str, pa.Table]
) -> None:
    (text,) = sqlglot.transpile(QUERIES[query], read="duckdb", write=dialect)
    flow = pushdown.Flow()
    for table in TABLES:
        flow.dataset(table, data=tpch_data[table])
    flow.sql(text, dialect=dialect, name="result")
    _check(pushdown.plan(flow).execute()["result"], official[query], query)


def test_a_federated_query_runs_on_every_connection(connections: dict[str, str]) -> None:
    """Q9 reads tables of all three connections: steps are placed on more than one."""
    flow = pushdown.Flow()
    for name, url in connections.items():
        flow.connection(name, url)
    for table in TABLES:
        flow.dataset(table, connection=HOMES[table], table=table)
    flow.sql(QUERIES["q9"], name="result")
    plan = pushdown.plan(flow)
    assert len({step.engine for step in plan.steps.values()} - {"local"}) >= 2, plan.explain()


@pytest.mark.parametrize("query", NAMES)
def test_official_text_compiled_for_spark(
    query: str, spark: object, tpch_data: dict[str, pa.Table], official: dict[str, pa.Table]
) -> None:
    """The lowered steps compiled as Spark SQL (``flow_sql``) and run by Spark."""
    for name, table in tpch_data.items():
        spark.createDataFrame(table).createOrReplaceTempView(name)  # type: ignore[attr-defined]
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    for table in TABLES:
        columns = {f.name: sql_type_name(f.type, "duckdb") for f in tpch_data[table].schema}
        flow.dataset(table, connection="wh", table=table, columns=columns)
    flow.sql(QUERIES[query], name="result")
    sql = pushdown.plan(flow).flow_sql("spark").rstrip(";")
    _check(spark.sql(sql).toArrow(), official[query], query)  # type: ignore[attr-defined]


def test_the_issues_self_join_at_scale_001(tpch_data: dict[str, pa.Table]) -> None:
    """Issue #14's first silent failure: a semi join of lineitem with itself (other supplier,
    same order) once returned 0 rows; by aliases, by left./right. and as the EXISTS text it
    returns the 58,021 rows DuckDB finds."""
    flow = pushdown.Flow()
    items = flow.dataset("lineitem", data=tpch_data["lineitem"])
    on = "{a}.l_orderkey = {b}.l_orderkey AND {a}.l_suppkey <> {b}.l_suppkey"
    items.join(
        items,
        how="semi",
        condition=on.format(a="l1", b="l2"),
        aliases=("l1", "l2"),
        name="by_alias",
    )
    items.join(items, how="semi", condition=on.format(a="left", b="right"), name="by_side")
    flow.sql(
        "SELECT * FROM lineitem l1 WHERE EXISTS (SELECT * FROM lineitem l2 WHERE "
        + on.format(a="l1", b="l2")
        + ")",
        name="by_sql",
    )
    got = pushdown.plan(flow).execute()
    assert [got[k].num_rows for k in ("by_alias", "by_side", "by_sql")] == [58_021] * 3
