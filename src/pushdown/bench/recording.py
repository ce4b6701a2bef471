"""What the suites share: their settings, the reference answers, and the recorder that checks
each variant's answer against the reference and then times it.

The runner (``runner.py``) and every suite (``multi.py``, ``peers.py``) import this module;
it imports none of them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from pushdown.bench import results as r
from pushdown.bench.memory import PeakMemory
from pushdown.bench.tpch.data import duckdb_file
from pushdown.bench.tpch.queries import QUERIES
from pushdown.bench.verify import difference
from pushdown.errors import PushdownError, redact
from pushdown.run import RunResult

# Queries whose ORDER BY fixes the order of every output row (compared in order).
ORDERED = {"q1", "q2", "q3", "q4", "q5", "q7", "q8", "q9", "q10", "q12", "q13", "q16", "q18"}
ORDERED |= {"q21", "q22"}


class BenchError(PushdownError):
    """A benchmark that cannot start: unknown suite, query or setting."""


def reference_answers(scale: float, queries: Sequence[str]) -> dict[str, pa.Table]:
    """DuckDB running the official query texts on the generated data."""
    con = duckdb.connect(str(duckdb_file(scale)), read_only=True)
    try:
        return {q: con.sql(QUERIES[q]).to_arrow_table() for q in queries}
    finally:
        con.close()


Variant = tuple[str, Callable[[], "pa.Table | RunResult"], dict[str, Any]]


class Recorder:
    """Checks, times and records (engine, query, variant) measurements."""

    def __init__(self, result: r.BenchResult, suite: str, repetitions: int, warmup: int):
        self.result, self.suite = result, suite
        self.repetitions, self.warmup = repetitions, warmup

    def measure(
        self,
        engine: str,
        query: str,
        variant: str,
        run: Callable[[], pa.Table | RunResult],
        expected: pa.Table,
        **extra: Any,
    ) -> r.Measurement:
        """Check and time one variant."""
        return self.measure_together(engine, query, expected, [(variant, run, extra)])[0]

    def measure_together(
        self, engine: str, query: str, expected: pa.Table, variants: list[Variant]
    ) -> list[r.Measurement]:
        """Check every variant's answer, then time the correct ones interleaved (one run of
        each in turn, ``repetitions`` times, after the warm-up runs), so that drift in the
        machine's speed affects a ratio's two sides alike."""
        checked: list[tuple[r.Measurement, Callable[[], Any]]] = []
        done = []
        for variant, run, extra in variants:
            m = r.Measurement(self.suite, engine, query, variant, status="ok", **extra)
            self.result.measurements.append(m)
            done.append(m)
            if self._check(m, run, expected):
                checked.append((m, run))
        for m, run in checked:
            try:
                for _ in range(self.warmup):
                    run()
            except Exception as err:
                self._failed(m, err)
        for _ in range(self.repetitions):
            for m, run in checked:
                if m.status != "ok":
                    continue
                try:
                    with PeakMemory() as peak:
                        start = time.perf_counter()
                        run()
                        m.seconds.append(time.perf_counter() - start)
                except Exception as err:
                    self._failed(m, err)
                    continue
                if peak.bytes:
                    m.peak_rss_bytes = max(m.peak_rss_bytes or 0, peak.bytes)
        return done

    def _check(self, m: r.Measurement, run: Callable[[], Any], expected: pa.Table) -> bool:
        """Run once and compare with the reference; False (recorded) when wrong or failing."""
        try:
            first = run()
        except Exception as err:
            self._failed(m, err)
            return False
        table = first["result"] if isinstance(first, RunResult) else first
        if isinstance(first, RunResult):
            m.bytes_moved = first.bytes_moved
        m.rows = table.num_rows
        problem = difference(table, expected, ordered=m.query in ORDERED)
        if problem is not None:
            m.status, m.detail = "wrong", problem
            return False
        return True

    @staticmethod
    def _failed(m: r.Measurement, err: Exception) -> None:
        """Record an engine's failure; a peer library's own failure too (the run goes on);
        anything else is a bug in pushdown and propagates."""
        if isinstance(err, PushdownError):
            m.status, m.detail, m.seconds = "error", redact(str(err))[:500], []
        elif m.variant == r.PEER:
            m.status, m.detail, m.seconds = "error", f"{type(err).__name__}: {err}"[:500], []
        else:
            raise err


@contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Callable[[str], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not enabled) as bar:
        task = bar.add_task("starting", total=total)

        def advance(label: str) -> None:
            bar.update(task, advance=1, description=label)

        yield advance


@dataclass(frozen=True)
class Settings:
    """What one benchmark run was asked to do (connections stay out of the report)."""

    suite: str
    engines: tuple[str, ...]
    scale: float
    queries: tuple[str, ...]
    repetitions: int
    warmup: int
    baselines: bool
    progress: bool
    connections: Mapping[str, str] = field(default_factory=dict)
    connect_args: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """The settings the results record: no URLs, no driver arguments."""
        return {
            "suite": self.suite,
            "engines": list(self.engines),
            "scale": self.scale,
            "queries": list(self.queries),
            "repetitions": self.repetitions,
            "warmup": self.warmup,
            "baselines": self.baselines,
        }
