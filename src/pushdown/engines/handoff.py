"""Connections ``plan()`` opened, kept for the plan's first ``execute()`` (issue 11): a
``pushdown.plan(flow).execute()`` opens each connection once, not once to plan and again to
run.

The first ``execute()`` of the plan in this process takes them (when it is called within
:data:`KEEP_S` seconds of planning; later they are closed and the run opens its own, since a
server may have dropped an idle session) and closes them when the run ends.  A plan never
executed closes them when it is garbage-collected, at interpreter exit, or on
``Plan.close()``.  While they are kept, a DuckDB file stays open in this process: another
``duckdb.connect`` of it with a different configuration waits for ``Plan.close()``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping

from pushdown.engines.base import Connector

KEEP_S = 120.0  # seconds after planning within which execute() reuses the connections


class KeptConnections:
    """Connections handed from planning to the first run; each is taken at most once."""

    def __init__(self, connectors: Mapping[str, Connector], keep_s: float = KEEP_S):
        """``connectors`` by connection name, open; ``keep_s``: how long they stay usable."""
        self._connectors = dict(connectors)
        self._at = time.monotonic()
        self._lock = threading.Lock()
        self.keep_s = keep_s

    def take(self) -> dict[str, Connector]:
        """The kept connections, now the caller's to close (empty after the first call, and
        when they were kept longer than ``keep_s``: then they are closed here)."""
        with self._lock:
            got, self._connectors = self._connectors, {}
        if got and time.monotonic() - self._at > self.keep_s:
            close_all(got)
            return {}
        return got

    @property
    def open(self) -> list[str]:
        """Names of the connections still kept."""
        with self._lock:
            return list(self._connectors)

    def close(self) -> None:
        """Close whatever is still kept."""
        close_all(self.take())


def close_all(connectors: Mapping[str, Connector]) -> None:
    """Close every connector; one failing to close does not keep the others open."""
    for conn in connectors.values():
        with contextlib.suppress(Exception):
            conn.close()
