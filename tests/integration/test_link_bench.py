"""``pushdown bench --link``: the harness reaches the Snowflake stand-in through the shaped
link (every statement pays its round trip) and gets correct answers."""

from __future__ import annotations

import os

import pytest

from pushdown import bench
from tests.integration.conftest import _require


def test_bench_runs_through_the_link() -> None:
    pytest.importorskip("snowflake.sqlalchemy", reason="pip install -e '.[snowflake]'")
    if not os.environ.get("PUSHDOWN_STANDIN_SNOWFLAKE"):
        _require("PUSHDOWN_STANDIN_SNOWFLAKE", "snowflake")
    rtt = 0.100
    result = bench.run(
        "tpch",
        ["snowflake"],
        scale=0.01,
        queries=["q6"],
        repetitions=1,
        warmup=0,
        baselines=False,
        out=None,
        progress=False,
        link="100ms,100mbit",
    )
    assert result.settings["link"] == "100ms,100mbit"
    assert "snowflake" not in result.skipped
    (flow,) = [m for m in result.measurements if m.engine == "snowflake"]
    assert flow.status == "ok", flow.detail
    assert flow.seconds and min(flow.seconds) >= rtt * 0.95  # at least one round trip
