"""Every conformance case, one module per area; a case's id is ``<area>.<name>``."""

from __future__ import annotations

import dataclasses
from types import ModuleType

from tests.conformance.cases import (
    aggregates,
    arithmetic,
    calendar,
    casts,
    clauses,
    like,
    nulls,
    ordering,
    strings,
    windows,
)
from tests.conformance.model import Case

AREAS: dict[str, ModuleType] = {
    "arithmetic": arithmetic,
    "casts": casts,
    "strings": strings,
    "like": like,
    "calendar": calendar,
    "aggregates": aggregates,
    "windows": windows,
    "clauses": clauses,
    "ordering": ordering,
    "nulls": nulls,
}


def _collect() -> list[Case]:
    cases: list[Case] = []
    for area, module in AREAS.items():
        for case in module.CASES:
            cases.append(dataclasses.replace(case, id=f"{area}.{case.id}", area=area))
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate case ids: {duplicates}"
    return cases


CASES: list[Case] = _collect()
BY_ID: dict[str, Case] = {c.id: c for c in CASES}
