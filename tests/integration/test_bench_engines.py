"""``pushdown bench`` against each warehouse through its real client: the TPC-H tables are
loaded through the connector, and every query's answer, in place, hand-written and pulled
local, must equal DuckDB's on the official text before it is timed.  On the stand-ins this
proves the harness drives the engine's client path end to end (the Snowflake and BigQuery
emulators run the SQL on DuckDB themselves; the Hive and Databricks stand-ins are Spark)."""

from __future__ import annotations

import pytest

from pushdown import bench
from tests.integration.conftest import Target, prepare_standin

QUERIES = ["q1", "q3", "q6"]


@pytest.mark.parametrize("engine", ["snowflake", "bigquery", "hive", "databricks"])
def test_bench_tpch_on_a_warehouse(engine: str, request: pytest.FixtureRequest) -> None:
    target: Target = request.getfixturevalue(f"{engine}_target")
    if not target.live:
        prepare_standin(engine, target)
    result = bench.run(
        "tpch",
        [engine],
        scale=0.001,
        queries=QUERIES,
        repetitions=1,
        warmup=0,
        connections={engine: target.url},
        connect_args={engine: target.connect_args},
        out=None,
        progress=False,
    )
    assert not result.skipped, result.skipped
    got = {(m.query, m.variant): m for m in result.measurements if m.engine == engine}
    for query in QUERIES:
        for variant in ("flow", "handwritten", "pull_local"):
            m = got[(query, variant)]
            assert m.status == "ok", (query, variant, m.detail)
            assert m.seconds and m.rows
