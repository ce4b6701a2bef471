"""TPC-H queries written as flows give the answers of DuckDB running the official query text:
in place on a DuckDB warehouse, fully local, and as Spark/Databricks/Hive SQL on Spark."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa
import pytest
from benchmarks.tpch.data import generate
from benchmarks.tpch.flows import FLOWS, tpch_flow
from benchmarks.tpch.queries import QUERIES

import pushdown
from tests.helpers import assert_same

SHARED_STEPS = {"q22"}
ORDERED = {"q1", "q3", "q4", "q5", "q10", "q12", "q22"}


@pytest.fixture(scope="module")
def tpch_data() -> dict[str, pa.Table]:
    return generate(scale=0.002)


@pytest.fixture(scope="module")
def tpch_db(tpch_data: dict[str, pa.Table], tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("tpch") / "tpch.db"
    con = duckdb.connect(str(path))
    for name, table in tpch_data.items():
        con.register("src", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM src")
        con.unregister("src")
    con.close()
    return str(path)


@pytest.fixture(scope="module")
def official(tpch_db: str) -> Iterator[dict[str, pa.Table]]:
    con = duckdb.connect(tpch_db, read_only=True)
    answers = {q: con.sql(sql).to_arrow_table() for q, sql in QUERIES.items()}
    con.close()
    assert all(a.num_rows > 0 for a in answers.values()), "the data must exercise every query"
    yield answers


def _rename(table: pa.Table, like: pa.Table) -> pa.Table:
    return table.rename_columns(like.column_names)


@pytest.mark.parametrize("query", sorted(FLOWS))
def test_flow_in_place_matches_official(
    query: str, tpch_db: str, official: dict[str, pa.Table]
) -> None:
    plan = pushdown.plan(tpch_flow(query, connection_url=f"duckdb:///{tpch_db}"))
    assert {s.engine for s in plan.steps.values()} == {"tpch"}, plan.explain()
    if query in SHARED_STEPS:  # a step read twice is computed once, into a table
        assert [f.outputs for f in plan.fragments] == [["in_codes"], ["result"]]
    else:
        (fragment,) = plan.fragments
        assert fragment.outputs == ["result"]  # the whole query is one statement
    got = plan.execute()["result"]
    assert_same(got, _rename(official[query], got), ordered=query in ORDERED)


@pytest.mark.parametrize("query", sorted(FLOWS))
def test_flow_locally_matches_official(
    query: str, tpch_data: dict[str, pa.Table], official: dict[str, pa.Table]
) -> None:
    got = pushdown.plan(tpch_flow(query, data=tpch_data)).execute()["result"]
    assert_same(got, _rename(official[query], got), ordered=query in ORDERED)


@pytest.mark.spark
@pytest.mark.parametrize("engine", ["spark", "databricks", "hive"])
@pytest.mark.parametrize("query", sorted(FLOWS))
def test_flow_on_spark_matches_official(
    query: str,
    engine: str,
    spark: object,
    tpch_data: dict[str, pa.Table],
    official: dict[str, pa.Table],
) -> None:
    for name, table in tpch_data.items():
        spark.createDataFrame(table).createOrReplaceTempView(name)  # type: ignore[attr-defined]
    schemas = {name: t.schema for name, t in tpch_data.items()}
    plan = pushdown.plan(tpch_flow(query, connection_url="duckdb:///:memory:", schemas=schemas))
    sql = plan.retarget(engine).rstrip(";")
    got = spark.sql(sql).toArrow()  # type: ignore[attr-defined]
    assert_same(got, _rename(official[query], got), ordered=query in ORDERED)


def test_official_answers_are_not_trivial(official: dict[str, pa.Table]) -> None:
    assert official["q1"].num_rows >= 3 and official["q3"].num_rows == 10


def test_data_is_deterministic() -> None:
    first, second = generate(scale=0.001, seed=3), generate(scale=0.001, seed=3)
    assert all(first[name].equals(second[name]) for name in first)
