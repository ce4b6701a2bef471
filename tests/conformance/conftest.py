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
from concurrent.futures import Future, ThreadPoolExecutor
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


def selected_engines(request: pytest.FixtureRequest) -> list[str]:
    """The engines the session's conformance cases run on (``-k`` may pick a few)."""
    names: list[str] = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "originalname", "") == "test_case" and callspec is not None:
            engine = callspec.params.get("engine")
            if isinstance(engine, str) and engine not in names:
                names.append(engine)
    return names


# Setting an engine up can skip (a stand-in not running here) or fail (not running in CI):
# kept, and raised again by each of that engine's tests.
SETUP_OUTCOMES = (Exception, pytest.skip.Exception, pytest.fail.Exception)


@pytest.fixture(scope="session")
def conformance(request: pytest.FixtureRequest) -> Iterator[Callable[[str], EngineRun]]:
    """``conformance(engine)``: every case's outcome on ``engine``.

    The first call sets every selected engine up (fixtures, on the main thread) and runs them
    all at once, one thread each: the stand-ins and Spark work in their own processes, so
    their waits overlap instead of adding up.  Each engine's tests wait for its run; all of
    them come before any other test file uses the stand-ins or the Spark session."""
    runs: dict[str, Future[EngineRun]] = {}
    broken: dict[str, BaseException] = {}
    pool = ThreadPoolExecutor(max_workers=len(STANDINS) + 3, thread_name_prefix="conformance")

    def start(name: str) -> None:
        try:
            engine = _engine(name, request)
        except SETUP_OUTCOMES as err:
            broken[name] = err
            return
        isolate = None if live(name) else ISOLATE.get(name)
        known = known_for(name, live=live(name))
        runs[name] = pool.submit(Runner(engine, isolate).cases, CASES, known)

    def run(name: str) -> EngineRun:
        if not runs and not broken:
            for engine in dict.fromkeys([name, *selected_engines(request)]):
                start(engine)
        if name not in runs and name not in broken:
            start(name)
        if name in broken:  # the engine could not be set up: every test says why, at once
            raise broken[name]
        return runs[name].result()

    yield run
    pool.shutdown(wait=True)
    finished = {name: future.result() for name, future in runs.items()}
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
            for name, r in finished.items()
        }
        with open(dump, "w") as f:
            json.dump(data, f, indent=1)
