"""Datasets a run holds on this machine, within a memory budget.

A dataset moved between engines arrives as a stream of record batches.  The run's
:class:`Store` keeps it in memory while the datasets it holds stay under the store's share of
the budget (small results: the fast path, zero-copy into DuckDB and uploads), and otherwise
writes it batch by batch to a Parquet file in the run's spill folder, so a transfer never
holds more than a few batches.  A :class:`Held` dataset is read back as a stream, a table, or
registered in the local DuckDB (``read_parquet`` for a file).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from pushdown.errors import InvalidValueError
from pushdown.local.streams import BATCH_ROWS, Arrow, parquet_reader

ENV = "PUSHDOWN_MEMORY_BUDGET"
# What a run without a budget keeps in memory before moved datasets go to disk.
DEFAULT_IN_MEMORY = 1 << 30
# Spill files are written for speed, read once or twice by this machine: no compression, no
# dictionaries, no statistics (five times faster to write than pyarrow's defaults on a mix
# of numbers and unique strings, 20 % larger).
SPILL_OPTIONS = {"compression": "none", "use_dictionary": False, "write_statistics": False}
_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

# (dataset, rows so far, bytes so far, finished): a long transfer's progress.
Progress = Callable[[str, int, int, bool], None]


def parse_bytes(value: str | int | float, *, setting: str = ENV) -> int:
    """``"512MB"``, ``"2GiB"``, ``"1.5g"`` or a number of bytes, as bytes."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value > 0:
            return int(value)
    else:
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([KMGT]?)(I?B)?\s*", str(value).upper())
        if match and float(match.group(1)) > 0:
            return int(float(match.group(1)) * _UNITS[match.group(2)])
    raise InvalidValueError(
        f"{setting}={value!r} is not a memory size: give bytes or a size such as 512MB or 2GiB"
    )


def memory_budget(given: int | str | None = None, plan: object = None) -> int | None:
    """The run's memory budget in bytes: ``given``, else the plan's ``memory_budget`` (the
    planner's setting, when it has one), else the ``PUSHDOWN_MEMORY_BUDGET`` environment
    variable, else None (no limit)."""
    for value in (given, getattr(plan, "memory_budget", None), os.environ.get(ENV)):
        if value is not None and value != "":
            return parse_bytes(value)
    return None


class SpillDir:
    """A temporary folder for one run's spilled datasets, made when first used (a run that
    spills nothing and runs nothing locally makes none: creating and removing it cost about
    a millisecond); removed when the last object referring to it (the run, a result held
    in it) is gone, or by :meth:`remove`."""

    def __init__(self, parent: str | Path | None = None):
        self._parent = parent
        self._path: Path | None = None
        self._remove: weakref.finalize[..., Any] | None = None
        self._count = 0
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        """The folder, made on first use."""
        with self._lock:
            if self._path is None:
                parent = self._parent
                if parent is not None:
                    Path(parent).mkdir(parents=True, exist_ok=True)
                self._path = Path(tempfile.mkdtemp(prefix="pushdown-run-", dir=parent))
                self._remove = weakref.finalize(
                    self, shutil.rmtree, str(self._path), ignore_errors=True
                )
            return self._path

    def file(self, stem: str) -> Path:
        """A fresh path for a Parquet file named after ``stem``."""
        with self._lock:
            self._count += 1
            count = self._count
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)[:60]
        return self.path / f"{count:04d}_{safe}.parquet"

    def remove(self) -> None:
        """Remove the folder now (if it was made)."""
        if self._remove is not None:
            self._remove()


class Held:
    """One dataset on this machine: an in-memory table, or a Parquet file of the run's spill
    folder (whose folder it keeps alive); ``columns`` projects a file lazily."""

    def __init__(
        self,
        schema: pa.Schema,
        rows: int,
        nbytes: int,
        *,
        table: pa.Table | None = None,
        path: Path | None = None,
        folder: SpillDir | None = None,
        store: Store | None = None,
    ):
        self.schema = schema
        self.num_rows = rows
        self.nbytes = nbytes
        self.table = table
        self.path = path
        self.folder = folder
        self._store = store

    @property
    def column_names(self) -> list[str]:
        """The dataset's column names."""
        return list(self.schema.names)

    @property
    def spilled(self) -> bool:
        """Whether the dataset is on disk (a Parquet file) rather than in memory."""
        return self.table is None

    def data(self) -> Arrow:
        """The table when in memory, else a reader over the file (read once)."""
        return self.table if self.table is not None else self.reader()

    def reader(self, rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
        """A stream of the dataset's record batches."""
        if self.table is not None:
            return pa.RecordBatchReader.from_batches(
                self.schema, self.table.to_batches(max_chunksize=rows)
            )
        assert self.path is not None
        source = parquet_reader(self.path, rows=rows)
        if source.schema.names == self.schema.names:
            return source
        names = self.schema.names
        return pa.RecordBatchReader.from_batches(self.schema, (b.select(names) for b in source))

    def to_table(self) -> pa.Table:
        """The whole dataset in memory (a spilled one is read from its file)."""
        if self.table is not None:
            return self.table
        assert self.path is not None
        import pyarrow.parquet as pq

        return pq.read_table(self.path, columns=self.schema.names, schema=None)

    def head(self, rows: int) -> pa.Table:
        """The first ``rows`` rows."""
        if self.table is not None:
            return self.table.slice(0, rows)
        taken: list[pa.RecordBatch] = []
        for batch in self.reader(rows=max(rows, 1)):
            taken.append(batch.slice(0, rows - sum(b.num_rows for b in taken)))
            if sum(b.num_rows for b in taken) >= rows:
                break
        return pa.Table.from_batches(taken, schema=self.schema)

    def select(self, names: list[str]) -> Held:
        """The dataset with only ``names`` (a file is projected when read)."""
        schema = pa.schema([self.schema.field(n) for n in names])
        share = self.nbytes * len(names) // max(1, len(self.schema))
        table = self.table.select(names) if self.table is not None else None
        return Held(schema, self.num_rows, share, table=table, path=self.path, folder=self.folder)

    def release(self) -> None:
        """Give the memory back to the store (the run no longer needs this dataset)."""
        if self._store is not None and self.table is not None:
            self._store.released(self.nbytes)
        self._store = None


class Store:
    """The run's datasets on this machine: each kept in memory while the total held stays
    under ``in_memory`` bytes, spilled to a Parquet file of ``folder`` otherwise."""

    def __init__(self, folder: SpillDir, *, in_memory: int):
        self.folder = folder
        self.in_memory = in_memory
        self.held_bytes = 0  # bytes of the in-memory datasets
        self.peak_bytes = 0
        self.spilled = 0  # datasets written to disk
        self._lock = threading.Lock()

    def _reserve(self, nbytes: int) -> bool:
        with self._lock:
            if self.held_bytes + nbytes > self.in_memory:
                return False
            self.held_bytes += nbytes
            self.peak_bytes = max(self.peak_bytes, self.held_bytes)
            return True

    def released(self, nbytes: int) -> None:
        """``nbytes`` of in-memory data are no longer held."""
        with self._lock:
            self.held_bytes = max(0, self.held_bytes - nbytes)

    def room(self) -> int:
        """Bytes the store can still keep in memory."""
        with self._lock:
            return max(0, self.in_memory - self.held_bytes)

    def hold(
        self,
        name: str,
        data: Arrow,
        *,
        progress: Progress | None = None,
        expected: float | None = None,
    ) -> Held:
        """Read ``data`` to its end and keep it: in memory while within the budget, else in a
        Parquet file written batch by batch (the batches already read are written first);
        ``progress`` hears the rows and bytes read so far after each batch.  A stream
        ``expected`` (the plan's estimate, in bytes) to be larger than the room left goes to
        the file from its first batch: held first and written out when the room ran out, its
        batches would add up to the whole share on top of what the store already keeps (and
        the allocator keeps their pages a while after they are freed)."""
        if isinstance(data, pa.Table) and progress is None and self._reserve(data.nbytes):
            return Held(data.schema, data.num_rows, data.nbytes, table=data, store=self)
        to_disk = expected is not None and expected > self.room()
        if isinstance(data, pa.Table):
            data = pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
        import pyarrow.parquet as pq

        schema = data.schema
        batches: list[pa.RecordBatch] = []
        rows = size = reserved = 0
        writer: pq.ParquetWriter | None = None
        path: Path | None = None
        try:
            for batch in reported(name, data, progress):
                rows += batch.num_rows
                size += batch.nbytes
                if writer is None and not to_disk and self._reserve(batch.nbytes):
                    reserved += batch.nbytes
                    batches.append(batch)
                    continue
                if writer is None:
                    self.released(reserved)
                    reserved = 0
                    path = self.folder.file(name)
                    writer = pq.ParquetWriter(str(path), schema, **SPILL_OPTIONS)
                    for held in batches:
                        writer.write_batch(held)
                    batches = []
                if batch.num_rows:
                    writer.write_batch(batch)
        except BaseException:
            self.released(reserved)
            if writer is not None:
                writer.close()
            if path is not None:
                path.unlink(missing_ok=True)
            raise
        if writer is None:
            table = pa.Table.from_batches(batches, schema=schema)
            return Held(schema, rows, reserved, table=table, store=self)
        writer.close()
        with self._lock:
            self.spilled += 1
        return Held(schema, rows, size, path=path, folder=self.folder)


def reported(
    name: str, reader: pa.RecordBatchReader, progress: Progress | None
) -> Iterator[pa.RecordBatch]:
    """The reader's batches, each reported to ``progress`` (rows and bytes so far)."""
    rows = size = 0
    for batch in reader:
        rows += batch.num_rows
        size += batch.nbytes
        if progress is not None:
            progress(name, rows, size, False)
        yield batch
    if progress is not None:
        progress(name, rows, size, True)
