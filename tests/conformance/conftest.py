"""Engines for the conformance suite: each runs every case once per session (batched), the
tests then read their case's outcome.

Stand-ins and live accounts come from the integration fixtures (imported here, so a missing
stand-in skips with its reason locally and fails in CI).  ``PUSHDOWN_CONFORMANCE_DUMP=path``
writes every outcome as JSON at the end (to review a run, or to list new deviations).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conformance.cases import CASES
from tests.conformance.known import known_for
from tests.conformance.runner import Engine, EngineRun, Runner
from tests.integration.conftest import (  # noqa: F401  (fixtures, re-exported for this folder)
    Target,
    bigquery_target,
    databricks_target,
    hive_target,
    prepare_standin,
    snowflake_target,
    spark_target,
)

STANDINS = ("hive", "databricks", "snowflake", "bigquery")


def live(engine: str) -> bool:
    """Whether ``engine`` is a live account (PUSHDOWN_TEST_<ENGINE>_URL), not a stand-in."""
    return bool(os.environ.get(f"PUSHDOWN_TEST_{engine.upper()}_URL"))


def _engine(name: str, request: pytest.FixtureRequest) -> Engine:
    if name == "local":
        return Engine("local")
    if name == "duckdb":
        return Engine("duckdb", "duckdb:///:memory:")
    if name == "spark":
        session = request.getfixturevalue("spark")
        return Engine("spark", "spark://local[2]", session=session)
    target: Target = request.getfixturevalue(f"{name}_target")
    if not target.live:
        prepare_standin(name, target)
    return Engine(name, target.url, dict(target.connect_args))


@pytest.fixture(scope="session")
def conformance(request: pytest.FixtureRequest) -> Iterator[Callable[[str], EngineRun]]:
    """``conformance(engine)``: every case's outcome on ``engine`` (run on first use)."""
    runs: dict[str, EngineRun] = {}

    def run(name: str) -> EngineRun:
        if name not in runs:
            engine = _engine(name, request)
            runs[name] = Runner(engine).cases(CASES, known_for(name, live=live(name)))
        return runs[name]

    yield run
    dump = os.environ.get("PUSHDOWN_CONFORMANCE_DUMP")
    if dump:
        data: dict[str, Any] = {
            name: {
                "seconds": r.seconds,
                "executions": r.executions,
                "log": r.log,
                "outcomes": {
                    cid: {
                        "value": repr(o.value),
                        "type": str(o.type),
                        "error": o.error,
                        "refused": o.refused,
                    }
                    for cid, o in r.outcomes.items()
                },
            }
            for name, r in runs.items()
        }
        with open(dump, "w") as f:
            json.dump(data, f, indent=1)
