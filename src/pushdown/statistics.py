"""Statistics: what is known about a table and its columns, as engines report them and users
supply them.  The connectors (``engines/``) produce them and the planner's cardinality
estimates (``planner/stats.py``) read them; this module sits below both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnStats:
    """What is known about one column."""

    ndv: float | None = None
    null_fraction: float | None = None
    min: object = None
    max: object = None
    avg_bytes: float | None = None


@dataclass(frozen=True)
class TableStats:
    """What is known about a table: rows, bytes and per-column statistics."""

    rows: float
    bytes: float | None = None
    columns: Mapping[str, ColumnStats] = field(default_factory=dict)
    source: str = "engine"


def far_off(estimated: float | None, actual: int) -> str:
    """``estimate 170x too high`` when the estimate is ten times off or more (either way)."""
    if estimated is None:
        return ""
    est, got = max(estimated, 1.0), max(float(actual), 1.0)
    ratio = max(est / got, got / est)
    if ratio < 10:
        return ""
    return f"estimate {ratio:.0f}x too {'high' if est > got else 'low'}"
