"""SQL-shape assertions for what no stand-in can show (see shapes.py), one test per shape;
a shape pushdown does not satisfy yet is a strict xfail listed in known.py."""

from __future__ import annotations

from typing import Any

import pytest

import pushdown
from tests.conformance.batches import build
from tests.conformance.cases import BY_ID
from tests.conformance.known import KNOWN
from tests.conformance.shapes import SHAPES, Shape


def shape_sql(shape: Shape) -> list[tuple[str, str | None]]:
    """(what, SQL) per compiled case; SQL None when the engine's profile refuses it."""
    if shape.flow is not None:
        plan = pushdown.plan(shape.flow(), engine_statistics=False)
        return [("flow", plan.sql("wh"))]
    if not shape.cases:  # a fact about DDL, not about a query
        return [("ddl", "")]
    out: list[tuple[str, str | None]] = []
    for case_id in shape.cases:
        plan = pushdown.plan(build([BY_ID[case_id]]).flow)
        try:
            out.append((case_id, plan.retarget(shape.engine)))
        except pushdown.UnsupportedError:
            out.append((case_id, None))
    return out


def _params() -> list[Any]:
    params = []
    for shape in SHAPES:
        reason = KNOWN.get((f"shape.{shape.id}", shape.engine))
        marks = [pytest.mark.xfail(strict=True, reason=reason.text)] if reason else []
        params.append(pytest.param(shape, id=shape.id, marks=marks))
    return params


@pytest.mark.parametrize("shape", _params())
def test_shape(shape: Shape) -> None:
    assert shape.url.startswith("https://"), shape.id
    problems = []
    for what, sql in shape_sql(shape):
        if sql is None:
            if not shape.refusal_ok:
                problems.append(f"{what}: refused on {shape.engine}")
            continue
        problem = shape.check(sql, BY_ID[what]) if shape.per_case else shape.check(sql)
        if problem:
            problems.append(f"{what}: {problem}\n{sql}")
    assert not problems, (
        f"{shape.engine}: {shape.claim} ({shape.url})\n" + "\n".join(problems)
    )


def test_every_standin_limitation_has_a_shape() -> None:
    """A case that fails on a stand-in only because the stand-in differs from the real
    engine must be backed by a shape proving the real engine gets the right SQL."""
    proved = {(case, s.engine) for s in SHAPES for case in s.cases}
    unproved = [
        key for key, reason in KNOWN.items() if reason.standin and key not in proved
    ]
    assert not unproved, f"stand-in limitations without a SQL-shape proof: {unproved}"


def test_shapes_name_real_cases() -> None:
    ids = [s.id for s in SHAPES]
    assert len(ids) == len(set(ids))
    for shape in SHAPES:
        for case_id in shape.cases:
            assert case_id in BY_ID, f"{shape.id}: no case {case_id}"
