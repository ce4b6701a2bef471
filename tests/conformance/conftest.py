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

import pyarrow as pa
import pytest

from tests.conformance.cases import BY_ID, CASES
from tests.conformance.known import known_for
from tests.conformance.model import Case
from tests.conformance.runner import Engine, EngineRun, Runner, problem
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


def _null_timestamps(case: Case) -> bool:
    """Whether a result of ``case`` can hold a NULL timestamp: a NULL input timestamp, or an
    aggregate of timestamps (NULL in every other case's group of a batch)."""
    stamps = [t for t in case.inputs.values() if pa.types.is_timestamp(t.type)]
    return any(None in t.values for t in stamps) or (bool(stamps) and case.kind == "group")


# Cases a stand-in cannot batch with others: fakesnow sends NULL TIMESTAMP_NTZ values that
# the connector cannot decode (tests/integration/test_warehouses.py, NULL_TIMESTAMPS), which
# would fail the whole batch; those cases run one statement each.
ISOLATE: dict[str, Callable[[Case], bool]] = {"snowflake": _null_timestamps}


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
    args = dict(target.connect_args)
    if target.live:
        return Engine(name, target.url, args)
    if "network_timeout" in args:  # fakesnow answers a wide batch slower than a probe
        args["network_timeout"] = 60

    def prepare() -> None:
        prepare_standin(name, target)

    prepare()
    return Engine(name, target.url, args, prepare=prepare if name == "bigquery" else None)


@pytest.fixture(scope="session")
def conformance(request: pytest.FixtureRequest) -> Iterator[Callable[[str], EngineRun]]:
    """``conformance(engine)``: every case's outcome on ``engine`` (run on first use)."""
    runs: dict[str, EngineRun] = {}
    broken: dict[str, BaseException] = {}

    def run(name: str) -> EngineRun:
        if name in broken:  # the engine could not be set up: every test says why, at once
            raise broken[name]
        if name not in runs:
            try:
                engine = _engine(name, request)
            except Exception as err:
                broken[name] = err
                raise
            isolate = None if live(name) else ISOLATE.get(name)
            runs[name] = Runner(engine, isolate).cases(CASES, known_for(name, live=live(name)))
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
                        "problem": problem(BY_ID[cid], o),
                    }
                    for cid, o in r.outcomes.items()
                },
            }
            for name, r in runs.items()
        }
        with open(dump, "w") as f:
            json.dump(data, f, indent=1)
