"""An in-memory DuckDB that reads Arrow tables and local files zero-copy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    import pyarrow.dataset

from pushdown.errors import EngineError, FlowError, PushdownError
from pushdown.types import check_arrow_schema


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


class LocalEngine:
    """DuckDB in memory; inputs are registered by dataset name and read without copying."""

    name = "local"
    dialect = "duckdb"

    def __init__(self, *, threads: int | None = None):
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        import duckdb

        self.con = duckdb.connect(":memory:", config=config)

    def register(self, name: str, data: pa.Table | pa.dataset.Dataset) -> None:
        """Make ``data`` readable as the table ``name``."""
        try:
            self.con.register(name, data)
        except Exception as err:
            first = (str(err).strip().splitlines() or [""])[0]
            raise EngineError(
                "local", f"cannot read dataset {name!r}: {type(err).__name__}: {first}"
            ) from err

    def register_file(self, name: str, path: str) -> None:
        """Make a local file readable as the table ``name`` (scanned lazily by DuckDB)."""
        self.con.register(name, _dataset(path, recipe=name))

    def fetch_arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its result as Arrow."""
        try:
            return self.con.sql(sql).to_arrow_table()
        except PushdownError:
            raise
        except Exception as err:
            first = str(err).strip().splitlines()[0]
            raise EngineError("local", f"{type(err).__name__}: {first}", sql=sql) from err

    def cancel(self) -> None:
        """Interrupt the running local query."""
        self.con.interrupt()

    def close(self) -> None:
        """Close the in-memory database."""
        self.con.close()
