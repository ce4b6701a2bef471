"""Python's full garbage collections paused while a plan is made.

Planning builds many small objects (sqlglot nodes, which point at their parents, estimates,
memo entries) that live until the plan is made.  A full collection walks all of them again,
and for 5,000 steps full collections were a quarter of plan()'s time (chains 2.1 s against
1.8 s without collections, DAGs 6.2 s against 4.3 s; issue 11 item 7).

So while planning, the oldest generation's threshold is raised out of reach: young
collections still run, on objects just made (still in the processor's caches), and free the
cyclic garbage planning leaves (discarded sqlglot trees) while it is made; full collections
wait until planning ends, as they would wait for any other long-lived objects.  Switching the
collector off altogether, as this module did before, was slower by 2-9% at 5,000 steps: the
first collection after planning walked every object planning had made, cold, and the garbage
of the whole plan stayed until then (``benchmarks/README.md``, "Planning at scale").

From Python 3.14 on, the collector is incremental and ignores the third threshold; planning
then runs with the collector as the caller set it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
# Never reached: the count of young collections since the last full one.
_OUT_OF_REACH = 1 << 30


class _Paused:
    """Plans being made (in any thread), and the thresholds the first of them found (the
    last one sets them again)."""

    depth = 0
    thresholds: tuple[int, ...] = ()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause full collections for the block (young ones still run); the thresholds are set
    back when the last such block ends.  A collector switched off stays off."""
    with _LOCK:
        if _Paused.depth == 0:
            _Paused.thresholds = thresholds = gc.get_threshold()
            gc.set_threshold(thresholds[0], thresholds[1], _OUT_OF_REACH)
        _Paused.depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _Paused.depth -= 1
            if _Paused.depth == 0:
                gc.set_threshold(*_Paused.thresholds)
