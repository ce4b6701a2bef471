"""Golden SQL for every case and dialect, and the generated SQL parsing back.

Regenerate with ``pytest tests/test_golden.py --update-golden`` and review the diff.  A case an
engine cannot express is stored as the UnsupportedError the profile produces.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

import pushdown
from pushdown.profiles import all_profiles
from tests.cases import CASES, Case, build_flow

GOLDEN = Path(__file__).parent / "golden"
DIALECTS = sorted(all_profiles())


def compiled(case: Case, engine: str) -> str:
    plan = pushdown.plan(build_flow(case, connection_url="duckdb:///:memory:"))
    try:
        return plan.flow_sql(engine) + "\n"
    except pushdown.UnsupportedError as err:
        return f"-- UnsupportedError: {err}\n"


@pytest.mark.parametrize("engine", DIALECTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_golden_sql(case: Case, engine: str, update_golden: bool) -> None:
    path = GOLDEN / case.name / f"{engine}.sql"
    actual = compiled(case, engine)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
    assert path.exists(), f"missing {path}; run pytest --update-golden"
    assert actual == path.read_text()


@pytest.mark.parametrize("engine", DIALECTS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_sql_parses_back_in_its_dialect(case: Case, engine: str) -> None:
    sql = compiled(case, engine)
    if sql.startswith("-- UnsupportedError"):
        pytest.xfail("the profile says this engine cannot express the case")
    dialect = all_profiles()[engine].dialect
    statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    assert statements, sql
    for statement in statements:
        # Round trip: parse and regenerate; a second parse must give the same tree.
        again = sqlglot.parse_one(statement.sql(dialect=dialect), read=dialect)
        assert again == statement


def test_every_recipe_kind_has_a_case() -> None:
    from pushdown.recipe.spec import RECIPE_TYPES

    kinds: set[str] = set()
    for case in CASES:
        flow = build_flow(case, connection_url="duckdb:///:memory:")
        kinds |= {r.type for r in flow.spec.recipes}
    assert kinds == set(RECIPE_TYPES)
