"""TPC-H data, generated offline by ``tpchgen-cli`` (dbgen-compatible, any scale factor) and
cached as Parquet; loaded into DuckDB files or any engine through its connector."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pushdown.errors import PushdownError
from pushdown.types import plain_strings

TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")


class DataGenerationError(PushdownError):
    """The TPC-H data could not be generated."""


def cache_dir() -> Path:
    """Where generated data is kept: ``$PUSHDOWN_BENCH_CACHE`` or ``~/.cache/pushdown/tpch``."""
    root = os.environ.get("PUSHDOWN_BENCH_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "pushdown" / "tpch"


def _generator() -> str:
    """The ``tpchgen-cli`` executable: next to this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "tpchgen-cli"
    if beside.exists():
        return str(beside)
    found = shutil.which("tpchgen-cli")
    if found is None:
        raise DataGenerationError(
            "tpchgen-cli is not installed: pip install 'pushdown[bench]' (or tpchgen-cli)"
        )
    return found


def parquet_dir(scale: float) -> Path:
    """The folder of one Parquet file per table at ``scale``, generated on first use."""
    if scale <= 0:
        raise DataGenerationError(f"scale factor must be positive, got {scale}")
    target = cache_dir() / f"sf{scale:g}"
    if all((target / f"{t}.parquet").exists() for t in TABLES):
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    cmd = [_generator(), "parquet", "-s", f"{scale:g}", "--output-dir", str(partial)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DataGenerationError(f"tpchgen-cli failed at scale {scale:g}: {done.stderr.strip()}")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)  # whole, or not there at all
    return target


def generate(scale: float = 0.01) -> dict[str, pa.Table]:
    """All eight TPC-H tables at ``scale`` (1.0 is 6 million line items) as Arrow tables."""
    folder = parquet_dir(scale)
    return {t: plain_strings(pq.read_table(folder / f"{t}.parquet")) for t in TABLES}


def table_rows(scale: float) -> dict[str, int]:
    """Rows per table at ``scale``, read from the Parquet footers."""
    folder = parquet_dir(scale)
    return {t: pq.ParquetFile(folder / f"{t}.parquet").metadata.num_rows for t in TABLES}


def duckdb_file(scale: float, path: Path | None = None, tables: tuple[str, ...] = TABLES) -> Path:
    """A DuckDB database file holding ``tables`` at ``scale`` (built once, then reused)."""
    import duckdb

    suffix = "" if tables == TABLES else "-" + "-".join(tables)
    target = path or cache_dir() / f"sf{scale:g}{suffix}.duckdb"
    if target.exists():
        return target
    folder = parquet_dir(scale)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect(str(partial))
    try:
        for t in tables:
            con.read_parquet(str(folder / f"{t}.parquet")).create(t)
    finally:
        con.close()
    partial.rename(target)
    return target
