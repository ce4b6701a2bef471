"""Every case on every engine: pushdown's expected value (docs/semantics.md), through upload,
the generated SQL, execution and fetch.  One test id per (case, engine); known deviations are
strict xfails listed in ``known.py``.

Run all engines (the stand-ins live in the ``pdev`` namespace):
``/work/dev/pt <worktree> tests/conformance -q``; one engine: ``-k '[hive]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conformance.cases import CASES
from tests.conformance.conftest import STANDINS, live
from tests.conformance.known import KNOWN
from tests.conformance.model import Case, semantics_constructs
from tests.conformance.runner import Engine, EngineRun, problem, sql_for
from tests.conformance.shapes import SHAPES

ENGINES = ("local", "duckdb", "spark", "databricks", "hive", "snowflake", "bigquery")
# The suite's first test per engine runs all of that engine's cases (batched).
TIMEOUT_S = 900


def _params() -> Iterator[Any]:
    for engine in ENGINES:
        for case in CASES:
            marks: list[Any] = []
            reason = KNOWN.get((case.id, engine))
            if reason is not None and not (reason.standin and live(engine)):
                marks.append(pytest.mark.xfail(strict=True, reason=reason.text))
            if engine == "spark":
                marks.append(pytest.mark.spark)
            yield pytest.param(case, engine, id=f"{case.id}[{engine}]", marks=marks)


def _describe(case: Case) -> str:
    inputs = ", ".join(f"{name}={list(t.values)!r} ({t.type})" for name, t in case.inputs.items())
    terms = f" ORDER BY {', '.join(case.order_by)}" if case.order_by else ""
    return f"{case.kind} {case.formula!r}{terms} over {inputs}; semantics.md: {case.row}"


@pytest.mark.timeout(TIMEOUT_S)
@pytest.mark.parametrize(("case", "engine"), list(_params()))
def test_case(case: Case, engine: str, conformance: Callable[[str], EngineRun]) -> None:
    wrong = problem(case, conformance(engine).outcomes[case.id])
    if wrong is not None:
        sql = sql_for(_engine_of(engine), case)
        pytest.fail(f"{engine} {wrong}\n{_describe(case)}\nSQL on {engine}:\n{sql}", pytrace=False)


def _engine_of(name: str) -> Engine:
    """An offline engine of ``name``'s profile, to show the SQL a case compiles to."""
    urls = {
        "local": None,
        "duckdb": "duckdb:///:memory:",
        "spark": "spark://local[2]",
        "hive": "hive://offline/default",
        "databricks": "databricks://token:x@offline?http_path=p",
        "snowflake": "snowflake://u:p@offline/DB/SCHEMA",
        "bigquery": "bigquery://project/dataset",
    }
    return Engine(name, urls[name])


def test_known_deviations_name_real_cases_and_engines() -> None:
    ids = {c.id for c in CASES}
    shapes = {f"shape.{s.id}" for s in SHAPES}
    for (case_id, engine), reason in KNOWN.items():
        assert case_id in ids or case_id in shapes, f"known.py names no such case: {case_id}"
        assert engine in ENGINES, f"known.py names no such engine: {engine}"
        assert reason.text.startswith(
            ("pushdown bug: #15", "documented in semantics.md: ", "stand-in limitation: ")
        ), reason
        if reason.standin:
            assert engine in STANDINS, f"{case_id}: {engine} is no stand-in"
            assert "(real engine: https://" in reason.text, reason  # the vendor's page


def test_cases_name_semantics_md_rows() -> None:
    """Every case checks a construct of docs/semantics.md's table (or says it is not there)."""
    constructs = semantics_constructs()
    for case in CASES:
        assert case.row in constructs or case.row.startswith("not in semantics.md: "), case.id
    assert len(CASES) >= 300


def test_every_semantics_md_row_has_cases() -> None:
    """Every construct semantics.md defines is checked by at least one case."""
    rows = {case.row for case in CASES}
    assert [c for c in semantics_constructs() if c not in rows] == []
