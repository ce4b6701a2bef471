"""Short constructors for the case tables (one call per case keeps each file a table)."""

from __future__ import annotations

from typing import Any

from tests.conformance.model import Case, Typed


def scalar(
    id: str,
    formula: str,
    expected: Any,
    row: str,
    *,
    type: str | None = None,
    dialect: str | None = None,
    note: str = "",
    **inputs: Typed,
) -> Case:
    """A compute case over one input row."""
    case = Case(
        id, "compute", formula, inputs, expected, row, type=type, formula_dialect=dialect, note=note
    )
    assert case.rows == 1, f"{id}: a compute case has exactly one input row"
    return case


def agg(
    id: str, formula: str, expected: Any, row: str, *, type: str | None = None, **inputs: Typed
) -> Case:
    """A group aggregate over the input rows (no rows: over an empty input)."""
    return Case(id, "group", formula, inputs, expected, row, type=type)


def where(id: str, formula: str, expected: list[Any], row: str, **inputs: Typed) -> Case:
    """A filter: ``expected`` lists the kept values of the first input column."""
    return Case(id, "filter", formula, inputs, expected, row)


def win(
    id: str,
    formula: str,
    expected: list[Any],
    row: str,
    *,
    order_by: tuple[str, ...] = (),
    frame: tuple[int | None, int | None] | None = None,
    **inputs: Typed,
) -> Case:
    """A window column over one partition: ``expected`` per input row, in input order."""
    return Case(id, "window", formula, inputs, expected, row, order_by=order_by, frame=frame)


def sort(id: str, terms: tuple[str, ...], k: Typed, expected: list[Any], row: str) -> Case:
    """A sort recipe by ``terms`` over the column ``k``: ``expected`` is ``k`` in order."""
    return Case(id, "sort", "", {"k": k}, expected, row, order_by=terms)


def top(id: str, n: int, terms: tuple[str, ...], k: Typed, expected: list[Any], row: str) -> Case:
    """A top-N recipe: the ``n`` first rows by ``terms``; ``expected`` lists the kept ``k``."""
    return Case(id, "top_n", "", {"k": k}, expected, row, order_by=terms, n=n)
