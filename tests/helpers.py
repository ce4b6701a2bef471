"""Result comparison: same columns, same rows (order-insensitive unless asked), float tolerance."""

from __future__ import annotations

import pyarrow as pa

from pushdown.bench.verify import difference, rows

__all__ = ["assert_same", "rows"]


def assert_same(actual: pa.Table, expected: pa.Table, *, ordered: bool = False) -> None:
    """Assert two results hold the same columns and rows."""
    assert actual.column_names == expected.column_names
    problem = difference(actual, expected, ordered=ordered)
    assert problem is None, problem
