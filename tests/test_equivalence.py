"""Every case gives the same rows run in place on a DuckDB warehouse and run fully locally."""

from __future__ import annotations

import pytest

import pushdown
from tests.cases import CASES, Case, build_flow
from tests.helpers import assert_same


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_in_place_equals_local(case: Case, warehouse_url: str) -> None:
    in_place = pushdown.plan(build_flow(case, connection_url=warehouse_url))
    local = pushdown.plan(build_flow(case, connection_url=None))
    assert {s.engine for s in local.steps.values()} == {"local"}
    pushed = [
        s
        for s in in_place.steps.values()
        if s.kind not in ("source", "python") and s.engine == "wh"
    ]
    if case.name != "python_step":
        assert pushed, "the case should run in place on the warehouse"
    got, want = in_place.execute(), local.execute()
    assert set(got) == set(want) == {"out"}
    assert_same(got["out"], want["out"], ordered=case.ordered)
    # The inferred schema names what the engine returned.
    assert got["out"].column_names == in_place.steps["out"].schema.names


def test_consecutive_steps_compile_to_one_statement(warehouse_url: str) -> None:
    from tests.cases import CASE_BY_NAME

    plan = pushdown.plan(build_flow(CASE_BY_NAME["chain"], connection_url=warehouse_url))
    (fragment,) = [f for f in plan.fragments if f.engine == "wh"]
    assert fragment.outputs == ["out"]
    sql = plan.fragment_sql("wh")
    assert sql.count(";") == 1 and sql.count("WITH") == 1
    for step in ("paid", "joined", "by_region"):
        assert f'"{step}" AS (' in sql
