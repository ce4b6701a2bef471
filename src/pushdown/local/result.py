"""What a run returns: the results (in memory, or on disk when they exceeded the memory
budget) and what producing each took."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from pushdown.local.store import Held
from pushdown.local.streams import write_parquet
from pushdown.statistics import far_off


@dataclass(frozen=True)
class StepRun:
    """What producing one fragment output took."""

    dataset: str
    engine: str
    seconds: float
    rows: int
    estimated_rows: float | None
    bytes_moved: int
    # When it started, in seconds after the run began (fragments on different engines overlap).
    started: float = 0.0


@dataclass
class RunResult(Mapping[str, pa.Table]):
    """The results keyed by dataset name, plus per-output run statistics.

    ``result[name]`` is a ``pyarrow.Table``; a large result the run kept on disk (it did
    not fit the memory budget) is read whole only then.  ``result.batches(name)`` streams it
    and ``result.to_parquet(name, path)`` writes it to a file, batch by batch."""

    entries: dict[str, Held]
    runs: list[StepRun] = field(default_factory=list)
    temp_tables: list[tuple[str, str]] = field(default_factory=list)
    # The token naming this run's temporary tables (``plan.temp_name(dataset, run_id)``).
    run_id: str = ""

    def __getitem__(self, key: str) -> pa.Table:
        return self.entries[key].to_table()

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def tables(self) -> dict[str, pa.Table]:
        """Every result as a table (spilled ones read from disk)."""
        return {name: entry.to_table() for name, entry in self.entries.items()}

    def batches(self, name: str) -> pa.RecordBatchReader:
        """The result ``name`` as a stream of record batches (from memory or its file)."""
        return self.entries[name].reader()

    def num_rows(self, name: str) -> int:
        """Rows of the result ``name``, without reading it."""
        return self.entries[name].num_rows

    def spilled(self, name: str) -> bool:
        """Whether the result ``name`` is held on disk (it exceeded the memory budget)."""
        return self.entries[name].spilled

    def to_parquet(self, name: str, path: str | Path) -> int:
        """Write the result ``name`` to the Parquet file ``path`` batch by batch; returns
        the rows written."""
        return write_parquet(self.entries[name].reader(), path)

    @property
    def bytes_moved(self) -> int:
        """Bytes of Arrow moved between engines (and to the caller)."""
        return sum(r.bytes_moved for r in self.runs)

    def __repr__(self) -> str:
        tables = ", ".join(f"{k}: {t.num_rows:,} rows" for k, t in self.entries.items())
        seconds = sum(r.seconds for r in self.runs)
        return (
            f"<RunResult {tables or 'no tables'}; {len(self.runs)} statement(s), {seconds:.3g} s>"
        )

    def _repr_html_(self) -> str:
        """Per statement its engine, time and rows (actual and estimated); then the first
        rows of each result table."""
        e = html.escape
        heads = ("dataset", "engine", "s", "rows", "estimated", "note")
        head = "".join(f"<th>{h}</th>" for h in heads)
        runs = "".join(
            f"<tr><td>{e(r.dataset)}</td><td>{e(r.engine)}</td><td>{r.seconds:.3f}</td>"
            f"<td>{r.rows:,}</td><td>"
            f"{'?' if r.estimated_rows is None else f'{r.estimated_rows:,.0f}'}</td>"
            f"<td>{far_off(r.estimated_rows, r.rows)}</td></tr>"
            for r in self.runs
        )
        parts = [f"<table><thead><tr>{head}</tr></thead><tbody>{runs}</tbody></table>"]
        for name, table in self.entries.items():
            cols = "".join(f"<th>{e(c)}</th>" for c in table.column_names)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row.values()) + "</tr>"
                for row in table.head(5).to_pylist()
            )
            parts.append(
                f"<p><b>{e(name)}</b>: {table.num_rows:,} rows</p>"
                f"<table><thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table>"
            )
        return '<div class="pushdown-run">' + "".join(parts) + "</div>"
