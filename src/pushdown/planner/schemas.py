"""Table schemas for ``plan()``: read per connection in one batch, through the statistics
cache (issue 11 item 4).

The first schema asked of a connection reads the schemas of every table the flow names on it
at once (:meth:`~pushdown.engines.base.Connector.table_schemas`: one statement on DuckDB),
except those the cache holds inside its time to live (``"cached"`` mode).  So a second
``plan()`` of the same flow reads no schema at all, and opens no connection when its
statistics are cached too.  A table pushdown replaces (a flow output) is forgotten by the
cache when the run writes it; a table changed behind pushdown's back is seen when the entry's
time to live has passed, or at once with ``statistics="fresh"`` (or ``CACHE.clear()``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol

import pyarrow as pa

from pushdown.errors import PushdownError
from pushdown.planner.gather import CACHE, Mode, StatisticsCache


class Connector(Protocol):
    """What the reader needs of a connection (the planner does not import the engines)."""

    def table_schemas(self, tables: list[str]) -> dict[str, pa.Schema | PushdownError]:
        """Schemas of several tables; an unreadable one maps to its error."""
        ...


class SchemaReader:
    """Reads ``(connection, table)`` schemas, a connection's tables in one batch."""

    def __init__(
        self,
        tables: Mapping[str, list[str]],
        connector: Callable[[str], Connector],
        keys: Mapping[str, str | None],
        mode: Mode,
        cache: StatisticsCache = CACHE,
    ):
        """``tables``: per connection, the tables the flow reads there; ``connector`` opens
        a connection on first use; ``keys``: per connection its cache key (None: not
        cacheable, e.g. DuckDB ``:memory:``); ``mode``: ``"cached"`` uses and fills the
        cache, ``"fresh"`` only fills it, ``"off"`` neither."""
        self.tables = {conn: list(dict.fromkeys(ts)) for conn, ts in tables.items()}
        self.connector = connector
        self.keys = keys
        self.mode = mode
        self.cache = cache
        self.read: dict[tuple[str, str], pa.Schema | PushdownError] = {}
        self._batched: set[str] = set()

    def __call__(self, conn: str, table: str) -> pa.Schema:
        """The schema of ``table`` on ``conn``; the error reading it raised again."""
        if (conn, table) not in self.read:
            self._read(conn, table)
        got = self.read[(conn, table)]
        if isinstance(got, PushdownError):
            raise got
        return got

    def _read(self, conn: str, table: str) -> None:
        key = self.keys.get(conn)
        now = time.monotonic()
        if conn in self._batched:  # not in the flow's list: asked alone
            tables = [table]
        else:
            self._batched.add(conn)
            tables = list(dict.fromkeys([*self.tables.get(conn, []), table]))
        todo = []
        for t in tables:
            cached = self.cache.schema((key, t), now) if key and self.mode == "cached" else None
            if cached is not None:
                self.read[(conn, t)] = cached
            elif (conn, t) not in self.read:
                todo.append(t)
        if not todo:
            return
        for t, got in self.connector(conn).table_schemas(todo).items():
            self.read[(conn, t)] = got
            if key and self.mode != "off" and isinstance(got, pa.Schema):
                self.cache.put_schema((key, t), got, now)
