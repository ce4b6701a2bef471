"""What a benchmark run records: one :class:`Measurement` per engine, query and variant, the
engines it skipped and why, the machine and the settings."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

# What a measurement times:
FLOW = "flow"  # the flow, planned by pushdown, run where it was placed (in place)
HANDWRITTEN = "handwritten"  # the official query text run directly on the same engine
PULL_LOCAL = "pull_local"  # every input pulled to local Arrow, then computed locally
PLACED = "placed"  # multi-engine suite: the planner's placement
RULE = "first_input_rule"  # multi-engine suite: each step where its first input lives
CANDIDATE = "candidate"  # multi-engine suite: another enumerated placement
COMPILE = "compile"  # the engine column of planning + SQL generation timings
FETCH_ARROW = "fetch arrow"  # the first 200,000 line items through the Arrow path
FETCH_ROWS = "fetch rows"  # the same through the DB-API cursor, rows turned into Arrow
PEER = "peer"  # the same query written for pandas or polars (engine = the library)


@dataclass
class Measurement:
    """Timings of one query on one engine in one variant (seconds are wall-clock, after the
    warm-up runs; ``status`` is ``ok``, ``wrong`` (result differs from the reference: not
    timed) or ``error``)."""

    suite: str
    engine: str
    query: str
    variant: str
    status: str
    seconds: list[float] = field(default_factory=list)
    plan_seconds: float | None = None
    rows: int | None = None
    bytes_moved: int | None = None
    estimated_seconds: float | None = None
    peak_rss_bytes: int | None = None
    detail: str = ""

    @property
    def median(self) -> float | None:
        """Median of the timed repetitions."""
        return statistics.median(self.seconds) if self.seconds else None

    def row(self) -> dict[str, Any]:
        """A flat record for CSV and JSON."""
        record = asdict(self)
        record["seconds"] = ";".join(f"{s:.6f}" for s in self.seconds)
        record["median_seconds"] = self.median
        return record


@dataclass
class BenchResult:
    """Everything one ``pushdown bench`` run measured."""

    settings: dict[str, Any]
    measurements: list[Measurement] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # engine -> reason
    figures: list[dict[str, Any]] = field(default_factory=list)  # headline ratios
    machine: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # what the report wrote

    def find(self, engine: str, query: str, variant: str) -> Measurement | None:
        """The measurement of ``query`` on ``engine`` in ``variant``, if taken."""
        for m in self.measurements:
            if (m.engine, m.query, m.variant) == (engine, query, variant):
                return m
        return None


def load_result(path: str | Path) -> BenchResult:
    """A run read back from the ``results.json`` its report wrote (to draw it again)."""
    document = json.loads(Path(path).read_text())
    measurements = []
    for row in document["measurements"]:
        row = {k: v for k, v in row.items() if k != "median_seconds"}
        row["seconds"] = [float(s) for s in row["seconds"].split(";") if s]
        measurements.append(Measurement(**row))
    return BenchResult(
        settings=document["settings"],
        measurements=measurements,
        skipped=document["skipped"],
        figures=document["figures"],
        machine=document["machine"],
    )


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """The machine and the versions a result depends on."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    try:
        import psutil

        info["memory_bytes"] = psutil.virtual_memory().total
    except ImportError:
        pass
    packages = ["pushdown", "duckdb", "pyarrow", "sqlglot", "pyspark", "polars", "pandas"]
    info["versions"] = {p: v for p in packages if (v := _version(p)) is not None}
    return info
