"""Python's cyclic garbage collector paused while a plan is made.

Planning builds many small objects (sqlglot nodes, which point at their parents, estimates,
memo entries) that live until the plan is made; each automatic collection walks all of them
again, and for 5,000 steps that was a quarter of plan()'s time (chains 2.1 s against 1.8 s
without collections, DAGs 6.2 s against 4.3 s; issue 11 item 7).  What becomes garbage while
planning is collected afterwards, the first time the collector runs again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
# Plans being made with the collector paused (in any thread), and whether the first of them
# found automatic collections on (then the last one switches them on again).
_STATE = {"depth": 0, "resume": False}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic collections for the block; they resume when the last such block
    ends, unless they were off before the first began (then they stay off)."""
    with _LOCK:
        if _STATE["depth"] == 0:
            _STATE["resume"] = gc.isenabled()
            gc.disable()
        _STATE["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["depth"] -= 1
            if _STATE["depth"] == 0 and _STATE["resume"]:
                gc.enable()
