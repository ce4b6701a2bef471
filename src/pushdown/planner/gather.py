"""Statistics gathering for ``plan()``: which columns need statistics, and a cache shared by
plan() calls.

Statistics come in tiers (issue 11): what the engine's catalog gives for free (row counts,
sizes) for every source table, then distinct counts, null fractions and min/max only for the
columns the plan uses as join keys, group keys, partition keys and filter columns
(:func:`statistic_columns`), from a sample, in one statement per table (the connectors do it;
see ``engines/duckdb.py``).

The cache (:class:`StatisticsCache`, one per process: :data:`CACHE`) keeps every table's
statistics keyed by connection URL and table, with the columns they cover and a change marker
(the catalog's row count where the engine has one).  Within its time to live an entry is used
without asking the engine anything, so a second ``plan()`` of the same flow issues no
statistics statement; after it, the marker is asked again (one cheap catalog statement per
connection) and an unchanged table keeps its entry.  ``plan(..., statistics="fresh")`` asks
the engines again and refreshes the cache; ``"off"`` plans on the defaults.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Literal

import pyarrow as pa

from pushdown.errors import PushdownError, engine_unreachable
from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.statistics import TableStats

Mode = Literal["cached", "fresh", "off"]
MODES: tuple[str, ...] = ("cached", "fresh", "off")
DEFAULT_TTL_S = 600.0


def statistic_columns(logical: LogicalPlan) -> dict[str, set[str]]:
    """Per source dataset: the columns the plan filters on or uses as join, group, distinct or
    partition keys, followed back through the steps that pass them on by name (a column a step
    computes under an existing name counts too: harmless, it only asks a little more)."""
    used: dict[str, set[str]] = {name: set() for name in logical.nodes}
    for name, node in logical.nodes.items():
        mine: set[str] = set()
        if isinstance(node, n.Filter | n.Join):
            # the condition's columns: its expression comes first (node.reads)
            mine = {c for _, c in node.reads[0]} if node.condition is not None else set()
        elif isinstance(node, n.Aggregate):
            mine = set(node.keys)
        elif isinstance(node, n.Distinct):
            mine = set(node.columns)
        elif isinstance(node, n.TopN):
            mine = set(node.partition)
        used[name] |= mine
    # Back through the plan: what a step uses, its inputs have under the same names.
    for name in reversed(list(logical.nodes)):
        node = logical.nodes[name]
        for inp in node.inputs:
            used[inp] |= used[name] & set(logical.nodes[inp].columns)
    return {
        name: used[name]
        for name, node in logical.nodes.items()
        if isinstance(node, n.Source) and node.table is not None
    }


@dataclass(frozen=True)
class Entry:
    """One table's cached statistics."""

    stats: TableStats
    columns: frozenset[str]  # the columns whose statistics ``stats`` holds
    marker: object  # what the engine's catalog said when they were gathered
    at: float  # time.monotonic() when gathered or last confirmed


class StatisticsCache:
    """Table statistics by (connection URL, table), shared by the plan() calls of a process."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S):
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str, str], Entry] = {}
        # Table schemas by the same keys, with when they were read: used within the time to
        # live, read again (batched per connection) after it.
        self._schemas: dict[tuple[str, str], tuple[pa.Schema, float]] = {}
        self._lock = threading.Lock()

    def schema(self, key: tuple[str, str], now: float) -> pa.Schema | None:
        """The cached schema for ``key`` when inside its time to live."""
        with self._lock:
            got = self._schemas.get(key)
        if got is None or now - got[1] > self.ttl_s:
            return None
        return got[0]

    def put_schema(self, key: tuple[str, str], schema: pa.Schema, now: float) -> None:
        """Store the schema read for ``key`` at ``now``."""
        with self._lock:
            self._schemas[key] = (schema, now)

    def entries_of(self, url: str) -> dict[str, Entry]:
        """The entries of one connection (by its cache key), by table."""
        with self._lock:
            return {table: e for (u, table), e in self._entries.items() if u == url}

    def forget(self, key: tuple[str, str]) -> None:
        """Drop what is cached for one table (pushdown just replaced it: an output)."""
        with self._lock:
            self._entries.pop(key, None)
            self._schemas.pop(key, None)

    def get(self, key: tuple[str, str]) -> Entry | None:
        """The entry for ``key``, fresh or not."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple[str, str], entry: Entry) -> None:
        """Store (or replace) an entry."""
        with self._lock:
            self._entries[key] = entry

    def clear(self) -> None:
        """Forget everything (tests; after changing tables behind pushdown's back)."""
        with self._lock:
            self._entries.clear()
            self._schemas.clear()

    def fresh(self, entry: Entry, now: float) -> bool:
        """Whether ``entry`` is inside its time to live."""
        return now - entry.at <= self.ttl_s


CACHE = StatisticsCache()


def cache_key(url: str, connect_args: Mapping[str, object] | None) -> str:
    """What keys a connection's entries in the cache: its URL and driver arguments (both
    pick the database)."""
    return f"{url} {dict(sorted((connect_args or {}).items()))!r}"  # redact() reads this


def cacheable(url: str) -> bool:
    """Whether what this URL names outlives one connection: not DuckDB's ``:memory:``, nor
    a Spark session in this process (``spark://``), whose tables are mostly temporary views
    replaced under the same names: cached figures and schemas would go stale unseen."""
    return ":memory:" not in url and not url.lower().startswith("spark://")


class StatsSource:
    """What gathering needs of one connection (a connector): the catalog's row counts of
    several tables in one statement, and one table's statistics for some columns (given the
    row count when the catalog had it)."""

    def __init__(
        self,
        url: str,
        markers: Callable[[list[str]], Mapping[str, float]],
        fetch: Callable[[str, Collection[str], float | None], TableStats],
        *,
        cacheable: bool = True,
    ):
        """``url`` (with anything else that picks the database) keys the cache;
        ``cacheable=False`` for a database no other connection sees (DuckDB ``:memory:``)."""
        self.url = url
        self.cacheable = cacheable
        self.markers = markers
        self.fetch = fetch


class Budget:
    """Seconds plan() may spend gathering statistics (``plan(..., statistics_budget=s)``).

    Counted from the first statistics statement; once spent, no further per-table statement
    is issued: a table the catalog counted keeps that row count (column statistics are
    then defaults), any other is planned on the defaults.  ``skipped`` names the datasets
    left so, for explain."""

    def __init__(self, seconds: float):
        """``seconds`` >= 0 (0: the catalog's row counts only)."""
        self.seconds = seconds
        self.start: float | None = None
        self.skipped: list[str] = []

    def begin(self) -> None:
        """Start the clock (at the first statement), if not started."""
        if self.start is None:
            self.start = time.monotonic()

    def spent(self) -> bool:
        """Whether the budget is used up."""
        return self.start is not None and time.monotonic() - self.start >= self.seconds


def gather(
    wanted: Mapping[str, tuple[str, str, set[str]]],
    source: Callable[[str], StatsSource],
    mode: Mode,
    cache: StatisticsCache = CACHE,
    budget: Budget | None = None,
) -> dict[str, TableStats | PushdownError]:
    """Statistics for ``wanted`` (dataset -> (connection, table, columns)).

    ``"cached"``: entries inside their time to live that cover the columns are used as they
    are; for the others the catalog's row counts of all the connection's tables are asked in
    one statement, an entry whose count is unchanged is confirmed, and the rest are gathered
    (column statistics only where columns are needed) and stored.  ``"fresh"``: everything is
    gathered and stored.  A failure to gather one table is returned in its place (the caller
    falls back to defaults and says why).  With a ``budget``, per-table statements stop once
    it is spent (see :class:`Budget`); what was left out is not cached."""
    result: dict[str, TableStats | PushdownError] = {}
    now = time.monotonic()
    todo: dict[str, list[str]] = {}  # connection -> datasets to gather or confirm
    for name, (conn, table, columns) in wanted.items():
        src = source(conn)
        entry = cache.get((src.url, table)) if mode == "cached" and src.cacheable else None
        if entry is not None and columns <= entry.columns and cache.fresh(entry, now):
            result[name] = entry.stats
        else:
            todo.setdefault(conn, []).append(name)
    for conn, names in todo.items():
        src = source(conn)
        keep = src.cacheable
        # Tier 1 for every table of the connection in one statement: the catalog's row
        # counts, which are also the change markers of cached entries.
        if budget is not None:
            budget.begin()
        # The connection's engine, once found unreachable, is not asked again for the rest
        # of its tables: each attempt would wait out the whole deadline again.
        down: PushdownError | None = None
        try:
            markers = src.markers(sorted({wanted[x][1] for x in names}))
        except PushdownError as err:
            markers = {}
            down = err if engine_unreachable(err) else None
        for name in names:
            _, table, columns = wanted[name]
            key = (src.url, table)
            old = cache.get(key) if mode == "cached" and keep else None
            if old is not None and columns <= old.columns and markers.get(table) == old.marker:
                cache.put(key, replace(old, at=now))  # unchanged since: confirmed
                result[name] = old.stats
                continue
            if budget is not None and budget.spent():
                budget.skipped.append(name)
                rows = markers.get(table)
                if rows is None:
                    result[name] = PushdownError(
                        f"the statistics budget of {budget.seconds:g} s was spent"
                    )
                else:
                    result[name] = TableStats(rows=rows, source="catalog (budget spent)")
                continue
            if down is not None:
                result[name] = down
                continue
            try:
                stats = src.fetch(table, columns, markers.get(table))
            except PushdownError as err:  # the caller reports it and plans on defaults
                result[name] = err
                down = err if engine_unreachable(err) else None
                continue
            result[name] = stats
            if not keep:
                continue
            covered = frozenset(columns)
            before = cache.get(key)
            if before is not None and before.marker == stats.rows:  # unchanged: keep the rest
                covered |= before.columns
                stats = replace(stats, columns={**before.stats.columns, **stats.columns})
            cache.put(key, Entry(stats, covered, stats.rows, now))
    return result
