"""Arrow streams at a connector's edges: results read as record-batch readers and uploads
that consume them, so a transfer holds a bounded number of batches at a time.

``Arrow`` is what an upload or a write accepts: a whole ``pyarrow.Table`` (small data, the
fast path) or a ``pyarrow.RecordBatchReader`` (read once, batch by batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeAlias

import pyarrow as pa

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

Arrow: TypeAlias = pa.Table | pa.RecordBatchReader

# Rows per batch a stream is cut into where the engine lets us choose (DuckDB, Spark, Hive
# inserts): ~64 K rows keep a batch of a wide row at a few MB.
BATCH_ROWS = 65_536


def as_reader(data: Arrow) -> pa.RecordBatchReader:
    """``data`` as a reader (a table's batches, zero-copy)."""
    if isinstance(data, pa.RecordBatchReader):
        return data
    return pa.RecordBatchReader.from_batches(data.schema, data.to_batches())


def as_table(data: Arrow) -> pa.Table:
    """``data`` whole (reads a reader to its end): for paths that cannot stream."""
    if isinstance(data, pa.Table):
        return data
    return data.read_all()


def batches(data: Arrow, rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The batches of ``data``, none longer than ``rows`` rows (longer ones are sliced)."""
    for batch in as_reader(data):
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def guarded(
    schema: pa.Schema,
    source: Iterable[pa.RecordBatch],
    errors: Callable[[], AbstractContextManager[None]],
    *,
    finish: Callable[[], None] | None = None,
) -> pa.RecordBatchReader:
    """A reader over ``source`` whose driver failures while it is read leave as the
    connector's typed errors (``errors()``: :meth:`Connector.errors`); ``finish`` runs when
    the stream ends, is closed or fails (closes a cursor, removes a temporary file)."""

    def stream() -> Iterator[pa.RecordBatch]:
        try:
            with errors():
                for batch in source:
                    if isinstance(batch, pa.Table):
                        yield from batch.to_batches()
                    else:
                        yield batch
        finally:
            if finish is not None:
                finish()

    return pa.RecordBatchReader.from_batches(schema, stream())


def peeked(
    source: Iterator[pa.RecordBatch | pa.Table],
    empty: Callable[[], pa.Schema],
) -> tuple[pa.Schema, Iterator[pa.RecordBatch | pa.Table]]:
    """The schema of a stream whose driver gives no schema up front: its first batch's, or
    ``empty()`` when it has none; and the stream again from its start."""
    first = next(source, None)
    if first is None:
        return empty(), iter(())
    return first.schema, _chain(first, source)


def _chain(
    first: pa.RecordBatch | pa.Table, rest: Iterator[pa.RecordBatch | pa.Table]
) -> Iterator[pa.RecordBatch | pa.Table]:
    yield first
    yield from rest


def renamed(data: Arrow, names: list[str]) -> Arrow:
    """``data`` with its columns renamed to ``names`` (lazily for a reader)."""
    if isinstance(data, pa.Table):
        return data.rename_columns(names)
    if data.schema.names == names:
        return data
    schema = pa.schema([f.with_name(n) for f, n in zip(data.schema, names, strict=True)])
    return pa.RecordBatchReader.from_batches(schema, (b.rename_columns(names) for b in data))


def write_parquet(data: Arrow, where: str | Path | BinaryIO, **options: Any) -> int:
    """Write ``data`` to the Parquet file ``where`` (a path or an open binary file, left
    open) batch by batch, never whole in memory; returns the rows written.  ``options`` go
    to ``pyarrow.parquet.ParquetWriter``."""
    import pyarrow.parquet as pq

    rows = 0
    reader = as_reader(data)
    sink = str(where) if isinstance(where, str | Path) else where
    with pq.ParquetWriter(sink, reader.schema, **options) as writer:
        for batch in reader:
            if batch.num_rows:
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows


def parquet_reader(path: str | Path, *, rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
    """A reader over a Parquet file, one row group at a time, in batches of at most ``rows``
    rows, the column chunks read through a 1 MiB buffer: only a batch and the pages behind it
    are in memory.  A dataset scanner, or ``ParquetFile.iter_batches`` over the whole file,
    reads many row groups ahead (a 200 MB file took 170 MB to iterate); reading a whole row
    group holds all of it, and a writer such as Spark makes row groups of 128 MB (a 70 MB
    file of one row group: 246-284 MiB read whole, 62 MiB buffered)."""
    import pyarrow.parquet as pq

    file = pq.ParquetFile(str(path), buffer_size=1 << 20, pre_buffer=False)

    def stream() -> Iterator[pa.RecordBatch]:
        try:
            for group in range(file.num_row_groups):
                yield from file.iter_batches(batch_size=rows, row_groups=[group], use_threads=False)
        finally:
            file.close()

    return pa.RecordBatchReader.from_batches(file.schema_arrow, stream())
