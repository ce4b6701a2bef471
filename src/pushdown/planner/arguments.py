"""Checks of :func:`pushdown.plan`'s own arguments, before anything is read or placed: every
option that names a connection or a step names one that exists, options do not contradict
each other, and a string where a list belongs is refused (``forbid="wh"`` would forbid the
engines ``w`` and ``h``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from pushdown.errors import ConnectionConfigError, InvalidValueError, did_you_mean
from pushdown.recipe import spec as s
from pushdown.statistics import TableStats

LOCAL = "local"


def _not_a_string(value: object, option: str) -> None:
    if isinstance(value, str | bytes):
        raise InvalidValueError(
            f"plan option {option!r} takes a list, not the string {value!r}; write [{value!r}]"
        )


def check_arguments(
    spec: s.FlowSpec,
    connections: Iterable[str],
    *,
    pin: Mapping[str, str] | None,
    forbid: Iterable[str],
    forbid_steps: Mapping[str, Iterable[str]] | None,
    materialize: Iterable[str],
    connect_args: Mapping[str, Mapping[str, Any]] | None,
    objective: object,
) -> None:
    """Raise a typed error naming the option and the value at fault."""
    known = list(connections)
    _not_a_string(forbid, "forbid")
    _not_a_string(materialize, "materialize")
    for step, engines in (forbid_steps or {}).items():
        _not_a_string(engines, f"forbid_steps[{step!r}]")
    for name, args in (connect_args or {}).items():
        if name not in known:
            raise ConnectionConfigError(
                f"connect_args for unknown connection {name!r}; {did_you_mean(name, known)}",
                connection=name,
            )
        if not isinstance(args, Mapping):
            raise ConnectionConfigError(
                f"connect_args for {name!r} must be a mapping of driver arguments, not "
                f"{type(args).__name__}",
                connection=name,
            )
    forbidden = set(forbid)
    sources = {d.name: d.connection or LOCAL for d in spec.datasets}
    for step, engine in (pin or {}).items():
        if engine in forbidden or engine in set((forbid_steps or {}).get(step, ())):
            raise InvalidValueError(
                f"step {step!r} is pinned to {engine!r}, which is also forbidden for it; "
                f"drop one of the two",
                dataset=step,
            )
        if step in sources and engine != sources[step]:
            raise InvalidValueError(
                f"source {step!r} lives on {sources[step]!r} and cannot be pinned to "
                f"{engine!r}; pin the steps that read it instead",
                dataset=step,
            )
    number = isinstance(objective, int | float) and not isinstance(objective, bool)
    if number and not (math.isfinite(objective) and objective > 0):  # type: ignore[arg-type, operator]
        raise InvalidValueError(
            f"objective {objective!r}: seconds per dollar must be a finite number > 0"
        )


def as_stats(name: str, value: TableStats | Mapping[str, Any]) -> TableStats:
    """The statistics given for dataset ``name`` (``plan(statistics=...)``), checked: a
    :class:`TableStats` or a mapping with ``rows`` (and ``bytes``), finite numbers >= 0."""
    try:
        stats = (
            value
            if isinstance(value, TableStats)
            else TableStats(rows=float(value["rows"]), bytes=value.get("bytes"), source="user")
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidValueError(
            f"statistics must be a TableStats or a mapping with 'rows' (and optionally "
            f"'bytes'), not {value!r}",
            dataset=name,
        ) from None
    numbers = {"rows": stats.rows, "bytes": stats.bytes}
    for col, cs in stats.columns.items():
        numbers |= {f"{col}.ndv": cs.ndv, f"{col}.null_fraction": cs.null_fraction}
    for what, number in numbers.items():
        if number is not None and not (
            isinstance(number, int | float) and math.isfinite(number) and number >= 0
        ):
            raise InvalidValueError(
                f"statistics: {what} is {number!r}; give a finite number >= 0", dataset=name
            )
    return stats
