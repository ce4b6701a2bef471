"""The warnings placing a plan issues (an :class:`~pushdown.planner.fragments.OrderLostWarning`),
recorded per plan() call so that a reused plan issues them again (``planner/reuse.py``).

The record is a context variable, so each thread (and task) records its own plan()'s
warnings; ``warnings.catch_warnings`` would swap the process's warning state and, with
plan() calls in several threads, take in the others' warnings or leave its own filters set.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_RECORD: ContextVar[list[Warning] | None] = ContextVar("pushdown_placing", default=None)


def warn(message: Warning, stacklevel: int) -> None:
    """``warnings.warn(message, stacklevel=stacklevel)`` as seen from the caller, and the
    warning recorded for the plan() call placing (if :func:`recording`)."""
    record = _RECORD.get()
    if record is not None:
        record.append(message)
    warnings.warn(message, stacklevel=stacklevel + 1)


@contextmanager
def recording() -> Iterator[list[Warning]]:
    """The warnings :func:`warn` issues in this context meanwhile."""
    record: list[Warning] = []
    token = _RECORD.set(record)
    try:
        yield record
    finally:
        _RECORD.reset(token)


def reissue(warned: Iterable[Warning]) -> None:
    """Issue recorded warnings again where plan() issued them: at the caller of the function
    calling this (plan()'s caller), so the warning filters apply as they did."""
    for message in warned:
        warnings.warn(message, stacklevel=3)
