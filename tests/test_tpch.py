"""TPC-H queries written as flows give the answers of DuckDB running the official query text:
in place on a DuckDB warehouse, fully local, and as Spark/Databricks/Hive SQL on Spark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import pushdown
from pushdown.bench.recording import ORDERED  # queries whose ORDER BY fixes every row's place
from pushdown.bench.tpch.data import DataGenerationError, duckdb_file, generate
from pushdown.bench.tpch.flows import FLOWS, tpch_flow
from pushdown.bench.tpch.queries import QUERIES
from tests.helpers import assert_same

SCALE = 0.02  # 120,000 line items: every query returns rows (Q17 is NULL at 0.01)
# Steps read by two later steps: computed once, into a table, before the result's statement.
SHARED_STEPS = {"q11": "stock_values", "q15": "revenue0", "q22": "in_codes"}


@pytest.fixture(scope="module")
def tpch_data() -> dict[str, pa.Table]:
    return generate(scale=SCALE)


@pytest.fixture(scope="module")
def tpch_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(duckdb_file(SCALE, tmp_path_factory.mktemp("tpch") / "tpch.db"))


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
    # The whole query is one statement; a step read twice (SHARED_STEPS) stays a CTE there,
    # which DuckDB computes once (profile: shared_cte_computed_once).
    (fragment,) = plan.fragments
    assert fragment.outputs == ["result"]
    if query in SHARED_STEPS:
        assert plan.fragment_sql().count(f'"{SHARED_STEPS[query]}" AS (') == 1
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
    sql = plan.flow_sql(engine).rstrip(";")
    got = spark.sql(sql).toArrow()  # type: ignore[attr-defined]
    assert_same(got, _rename(official[query], got), ordered=query in ORDERED)


def test_every_tpch_query_is_a_flow() -> None:
    assert sorted(FLOWS) == sorted(QUERIES) == sorted(f"q{n}" for n in range(1, 23))


def test_official_answers_are_not_trivial(official: dict[str, pa.Table]) -> None:
    assert official["q1"].num_rows == 4 and official["q3"].num_rows == 10
    # a single NULL row would let a wrong flow pass: the scalar answers hold values
    for query in ("q6", "q14", "q17", "q19"):
        assert official[query].column(0)[0].is_valid, query


def test_data_is_generated_once_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSHDOWN_BENCH_CACHE", str(tmp_path))
    first = generate(scale=0.001)
    stamp = (tmp_path / "sf0.001" / "lineitem.parquet").stat().st_mtime_ns
    second = generate(scale=0.001)
    assert (tmp_path / "sf0.001" / "lineitem.parquet").stat().st_mtime_ns == stamp
    assert all(first[name].equals(second[name]) for name in first)
    assert first["lineitem"].num_rows > 5000 and first["region"].num_rows == 5
    assert not pa.types.is_string_view(first["nation"].schema.field("n_name").type)


def test_bad_scale_is_a_clear_error() -> None:
    with pytest.raises(DataGenerationError, match="scale factor must be positive"):
        generate(scale=0)


@pytest.mark.parametrize("query", sorted(FLOWS))
def test_ibis_peer_query_matches_official(
    query: str, tpch_data: dict[str, pa.Table], tpch_db: str, official: dict[str, pa.Table]
) -> None:
    """The planning benchmark's Ibis peer computes the same answer (its SQL run on DuckDB)."""
    ibis = pytest.importorskip("ibis")
    from pushdown.bench.ibis_tpch import QUERIES as IBIS_QUERIES
    from pushdown.bench.ibis_tpch import ibis_tables

    tables = ibis_tables({name: t.schema for name, t in tpch_data.items()})
    sql = ibis.to_sql(IBIS_QUERIES[query](tables), dialect="duckdb")
    con = duckdb.connect(tpch_db, read_only=True)
    try:
        got = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    assert_same(got, _rename(official[query], got), ordered=query in ORDERED)
