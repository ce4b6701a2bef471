"""Result comparison across engines: same columns, same rows (in order when the query fixes
it), numbers equal within a relative tolerance whatever their type (DECIMAL, DOUBLE, BIGINT)."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

import pyarrow as pa


def _norm(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """Rows as tuples with numbers normalised for comparison across engines."""
    return [tuple(_norm(v) for v in row.values()) for row in table.to_pylist()]


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, str(type(v)), v if v is not None else 0) for v in row)


def difference(actual: pa.Table, expected: pa.Table, *, ordered: bool = False) -> str | None:
    """How ``actual`` differs from ``expected`` (the first difference), or None when equal.

    Columns are matched by position, not name: an official answer may call a column
    ``sum(l_quantity)`` where the flow says ``sum_qty``."""
    if actual.num_columns != expected.num_columns:
        return f"{actual.num_columns} columns != {expected.num_columns} columns"
    a, e = rows(actual), rows(expected)
    if not ordered:
        a, e = sorted(a, key=_key), sorted(e, key=_key)
    if len(a) != len(e):
        return f"{len(a)} rows != {len(e)} rows"
    for i, (ra, re_) in enumerate(zip(a, e, strict=True)):
        for x, y in zip(ra, re_, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-6):
                    return f"row {i}: {ra} != {re_}"
            elif x != y:
                return f"row {i}: {ra} != {re_}"
    return None
