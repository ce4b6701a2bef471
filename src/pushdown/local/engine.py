"""An in-memory DuckDB that reads Arrow tables and local files zero-copy."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    import pyarrow.dataset

from pushdown.errors import EngineError, FlowError, PushdownError
from pushdown.local.store import Held
from pushdown.local.streams import BATCH_ROWS
from pushdown.types import check_arrow_schema


@contextlib.contextmanager
def _failures(sql: str) -> Iterator[None]:
    """DuckDB's errors while running ``sql`` as an EngineError of the local engine (its first
    line); pushdown's own errors pass through."""
    try:
        yield
    except PushdownError:
        raise
    except Exception as err:
        first = (str(err).strip().splitlines() or [""])[0]
        raise EngineError("local", f"{type(err).__name__}: {first}", sql=sql) from err


def read_file_schema(path: str, *, recipe: str) -> pa.Schema:
    """The Arrow schema of a local Parquet, CSV or Arrow IPC file, without reading it all."""
    schema = _dataset(path, recipe=recipe).schema
    check_arrow_schema(schema, dataset=recipe)
    return schema


def _dataset(path: str, *, recipe: str) -> pa.dataset.Dataset:
    p = Path(path)
    suffix = p.suffix.lower()
    fmt = {
        ".parquet": "parquet",
        ".pq": "parquet",
        ".csv": "csv",
        ".arrow": "ipc",
        ".feather": "ipc",
        ".ipc": "ipc",
    }.get(suffix)
    if fmt is None:
        raise FlowError(f"cannot read {path!r}: use a .parquet, .csv or .arrow file", recipe=recipe)
    if not p.exists():
        raise FlowError(f"file {path!r} does not exist", recipe=recipe)
    from pyarrow import dataset as pads  # here: it loads pandas (~1 s); planning never needs it

    try:
        return pads.dataset(str(p), format=fmt)
    except (pa.ArrowInvalid, OSError) as err:
        raise FlowError(f"cannot read {path!r}: {err}", recipe=recipe) from None


# The least memory DuckDB is given: below it, an out-of-core sort of a 200 MB table with a
# text column fails ("failed to pin block", measured at 32 and 64 MB with DuckDB 2.0) where
# 128 MB completes.
MIN_MEMORY_LIMIT = 128 * 2**20


class LocalEngine:
    """DuckDB in memory; inputs are registered by dataset name and read without copying.

    With ``memory_limit`` (bytes; at least ``MIN_MEMORY_LIMIT``) DuckDB keeps its own memory
    under that limit and spills what does not fit (sorts, joins, aggregates) to
    ``spill_dir``, and does not keep the insertion order where a query does not ask for one
    (an ORDER BY still orders), as DuckDB's out-of-memory guide advises
    (https://duckdb.org/docs/2.0/guides/performance/oom.html,
    https://duckdb.org/docs/2.0/guides/performance/how_to_tune_workloads).  The limit covers
    DuckDB's buffer manager only
    (https://duckdb.org/docs/2.0/operations_manual/limits.html): Arrow batches handed to
    Python are outside it, which is why the run gives DuckDB half of its budget."""

    name = "local"
    dialect = "duckdb"

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: int | None = None,
        spill_dir: str | Path | None = None,
    ):
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        if memory_limit is not None:
            limit = max(MIN_MEMORY_LIMIT, memory_limit)
            config["memory_limit"] = f"{limit // 2**20}MiB"
            config["preserve_insertion_order"] = False
        if spill_dir is not None:
            config["temp_directory"] = str(spill_dir)
        import duckdb

        self.memory_limit = memory_limit
        self.con = duckdb.connect(":memory:", config=config)

    def register(self, name: str, data: pa.Table | pa.dataset.Dataset | Held) -> None:
        """Make ``data`` readable as the table ``name``: a table or dataset zero-copy, a held
        dataset on disk as a view over ``read_parquet`` of its file (DuckDB scans it
        itself, within its memory limit)."""
        if isinstance(data, Held):
            if data.table is not None:
                data = data.table
            else:
                assert data.path is not None
                self._parquet_view(name, data.path, data.column_names)
                return
        try:
            self.con.register(name, data)
        except Exception as err:
            first = (str(err).strip().splitlines() or [""])[0]
            raise EngineError(
                "local", f"cannot read dataset {name!r}: {type(err).__name__}: {first}"
            ) from err

    def _parquet_view(self, name: str, path: Path, columns: list[str]) -> None:
        """``CREATE OR REPLACE TEMPORARY VIEW name AS SELECT columns FROM read_parquet(path)``."""
        from sqlglot import exp

        self.unregister(name)
        query = exp.select(*(exp.column(c, quoted=True) for c in columns)).from_(
            exp.Table(this=exp.func("read_parquet", exp.Literal.string(str(path))))
        )
        view = exp.Create(
            this=exp.to_identifier(name, quoted=True),
            kind="VIEW",
            replace=True,
            expression=query,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        sql = view.sql(dialect="duckdb")
        with _failures(sql):
            self.con.execute(sql)

    def unregister(self, name: str) -> None:
        """Forget the table ``name`` (its data is no longer referenced by DuckDB)."""
        from sqlglot import exp

        with contextlib.suppress(Exception):  # not registered: nothing to forget
            self.con.unregister(name)
        drop = exp.Drop(this=exp.to_identifier(name, quoted=True), kind="VIEW", exists=True)
        with contextlib.suppress(Exception):  # a registered (not created) view: gone already
            self.con.execute(drop.sql(dialect="duckdb"))

    def register_file(self, name: str, path: str) -> None:
        """Make a local file readable as the table ``name`` (scanned lazily by DuckDB)."""
        self.con.register(name, _dataset(path, recipe=name))

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its result as Arrow."""
        with _failures(sql):
            return self.con.sql(sql).to_arrow_table()

    def fetch_batches(self, sql: str, *, expect: pa.Schema | None = None) -> pa.RecordBatchReader:
        """Run ``sql`` and stream its result, ``BATCH_ROWS`` rows a batch; read it to its end
        before the next statement."""
        with _failures(sql):
            reader = self.con.sql(sql).to_arrow_reader(BATCH_ROWS)

        def batches() -> Iterator[pa.RecordBatch]:
            with _failures(sql):
                yield from reader

        return pa.RecordBatchReader.from_batches(reader.schema, batches())

    def cancel(self) -> None:
        """Interrupt the running local query."""
        self.con.interrupt()

    def close(self) -> None:
        """Close the in-memory database."""
        self.con.close()
