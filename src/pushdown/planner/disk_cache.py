"""The statistics cache on disk, optional (issue 11 item 2): ``plan(...,
statistics_cache="~/.cache/pushdown")`` or the variable ``PUSHDOWN_STATS_CACHE``.

One JSON file per connection, named by a hash of the connection's cache key with its
credentials removed (:func:`pushdown.errors.redact`: two URLs differing only in their password
share a file, and the file name says nothing of either).  A file holds, per table, what the
in-process cache holds (:class:`~pushdown.planner.gather.Entry`): row count, bytes, the
columns covered with their distinct counts, null fractions and, for numbers and dates only,
min/max (no text values of the data are written), the change marker and when the figures were
gathered.  Entries load into the in-process cache before gathering (an entry already there
wins when newer) and are used under the same time to live and change marker; the file is
rewritten after gathering, atomically, readable by its owner only.  No URL, user name or
password is written.  An unreadable or foreign file is ignored (and replaced).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from pushdown.errors import redact
from pushdown.planner.gather import Entry, StatisticsCache
from pushdown.statistics import ColumnStats, TableStats

VERSION = 1
ENV = "PUSHDOWN_STATS_CACHE"


def _value(v: object) -> object:
    """A min/max as JSON: numbers as they are, dates and times tagged; text and anything
    else left out (None)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return v
    if isinstance(v, decimal.Decimal):
        return {"decimal": str(v)}
    if isinstance(v, dt.datetime):
        return {"datetime": v.isoformat()}
    if isinstance(v, dt.date):
        return {"date": v.isoformat()}
    return None


def _read_value(v: object) -> object:
    if isinstance(v, dict):
        if "decimal" in v:
            return decimal.Decimal(v["decimal"])
        if "datetime" in v:
            return dt.datetime.fromisoformat(v["datetime"])
        if "date" in v:
            return dt.date.fromisoformat(v["date"])
        return None
    return v


def _marker(v: object) -> object:
    return v if isinstance(v, int | float | str) or v is None else None


def _entry_json(entry: Entry, wall_now: float, now: float) -> dict[str, Any]:
    stats = entry.stats
    return {
        "rows": stats.rows,
        "bytes": stats.bytes,
        "source": stats.source,
        "columns": {
            name: {
                "ndv": c.ndv,
                "null_fraction": c.null_fraction,
                "min": _value(c.min),
                "max": _value(c.max),
                "avg_bytes": c.avg_bytes,
            }
            for name, c in stats.columns.items()
        },
        "covered": sorted(entry.columns),
        "marker": _marker(entry.marker),
        "at": wall_now - (now - entry.at),  # wall-clock time of gathering
    }


def _entry(raw: dict[str, Any], wall_now: float, now: float) -> Entry:
    columns = {
        name: ColumnStats(
            ndv=c.get("ndv"),
            null_fraction=c.get("null_fraction"),
            min=_read_value(c.get("min")),
            max=_read_value(c.get("max")),
            avg_bytes=c.get("avg_bytes"),
        )
        for name, c in raw["columns"].items()
    }
    stats = TableStats(
        rows=float(raw["rows"]),
        bytes=raw.get("bytes"),
        columns=columns,
        source=str(raw.get("source", "engine")),
    )
    at = now - max(0.0, wall_now - float(raw["at"]))
    return Entry(stats, frozenset(raw["covered"]), raw.get("marker"), at)


class DiskCache:
    """The statistics files in one folder."""

    def __init__(self, folder: str | Path):
        """``folder`` (``~`` expanded) is created on first write."""
        self.folder = Path(folder).expanduser()

    def path(self, key: str) -> Path:
        """The file of the connection whose cache key is ``key``: a hash of the key without
        credentials."""
        digest = hashlib.sha256(redact(key).encode()).hexdigest()[:32]
        return self.folder / f"statistics-{digest}.json"

    def load(self, key: str, cache: StatisticsCache) -> None:
        """Put the file's entries for ``key`` into ``cache`` where they are newer than what
        it holds."""
        try:
            raw = json.loads(self.path(key).read_text(encoding="utf-8"))
            if raw.get("version") != VERSION:
                return
            wall_now, now = time.time(), time.monotonic()
            for table, item in raw["tables"].items():
                entry = _entry(item, wall_now, now)
                held = cache.get((key, table))
                if held is None or held.at < entry.at:
                    cache.put((key, table), entry)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return  # no file, or not one of ours: gathered again, then rewritten

    def save(self, key: str, cache: StatisticsCache) -> None:
        """Write ``cache``'s entries for ``key`` (atomically; owner-only permissions)."""
        entries = cache.entries_of(key)
        if not entries:
            return
        wall_now, now = time.time(), time.monotonic()
        body = {
            "version": VERSION,
            "tables": {t: _entry_json(e, wall_now, now) for t, e in sorted(entries.items())},
        }
        target = self.path(key)
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".statistics-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(body, out)
                os.chmod(tmp, 0o600)
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise


def disk_cache(folder: str | Path | None) -> DiskCache | None:
    """The disk cache in ``folder``, else in ``$PUSHDOWN_STATS_CACHE``, else none."""
    folder = folder or os.environ.get(ENV) or None
    return DiskCache(folder) if folder else None
