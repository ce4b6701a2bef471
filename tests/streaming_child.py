"""Child process of tests/test_streaming.py and tests/integration/test_streaming.py: moves a
dataset several times larger than a small memory budget through one streaming path and
prints, as JSON, the peak resident memory over the move and what arrived.

Run as ``python tests/streaming_child.py SCENARIO JSON_ARGS``; each scenario builds its
source in this process first (not measured), then measures the move alone.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset
import pyarrow.parquet

import pushdown
from pushdown.bench.memory import PeakMemory
from pushdown.engines import open_connector
from pushdown.local import LocalEngine, SpillDir, Store

MB = 2**20


class OwnPeak:
    """The highest resident size of this process alone (not its children: an in-process
    Spark session's JVM is one), sampled every 10 ms, over ``start``."""

    def __init__(self) -> None:
        import threading

        import psutil

        self._me = psutil.Process()
        self.start = self.bytes = self._me.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.bytes = max(self.bytes, self._me.memory_info().rss)

    def __enter__(self) -> OwnPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _source_db(folder: Path, rows: int) -> str:
    """A DuckDB file with ``big`` (k, g, s: 32 characters, v): about 60 bytes of Arrow a
    row.  Its own buffer pool is capped (it stands for a warehouse, whose memory is not the
    run's)."""
    path = folder / "src.db"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE big AS SELECT range AS k, range % 1000 AS g, md5(range::VARCHAR) AS s, "
        f"(range % 997) / 7.0 AS v FROM range({rows})"
    )
    con.close()
    return f"duckdb:///{path}?memory_limit=16MB&threads=1"


def _expected(url: str) -> dict[str, Any]:
    con = duckdb.connect(url.split("duckdb:///")[1].split("?")[0], read_only=True)
    row = con.execute("SELECT count(*), sum(k), sum(g), max(s) FROM big").fetchone()
    con.close()
    assert row is not None
    return {"rows": row[0], "sum_k": int(row[1]), "sum_g": int(row[2]), "max_s": row[3]}


def _summary(reader: pa.RecordBatchReader) -> dict[str, Any]:
    """Rows, sums and max of a stream of the ``big`` columns, read batch by batch."""
    rows = sum_k = sum_g = 0
    max_s = ""
    nbytes = 0
    for batch in reader:
        rows += batch.num_rows
        nbytes += batch.nbytes
        if batch.num_rows:
            sum_k += pc.sum(batch.column("k")).as_py() or 0
            sum_g += pc.sum(batch.column("g")).as_py() or 0
            max_s = max(max_s, pc.max(batch.column("s")).as_py() or "")
    return {"rows": rows, "sum_k": sum_k, "sum_g": sum_g, "max_s": max_s, "bytes": nbytes}


def flow_local(folder: Path, rows: int, budget: int | None) -> dict[str, Any]:
    """A DuckDB table moved whole to the local engine, grouped there; the result is small."""
    url = _source_db(folder, rows)
    flow = pushdown.Flow()
    flow.connection("src", url)
    big = flow.dataset("big", connection="src", table="big")
    kept = big.filter("v >= 0", name="kept")
    kept.group(["g"], {"n": "count(*)", "ks": "sum(k)", "smax": "max(s)"}, name="sums")
    plan = pushdown.plan(flow, pin={"kept": "local", "sums": "local"}, engine_statistics=False)
    moved: list[int] = []
    with PeakMemory() as peak:
        result = plan.execute(
            memory_limit=budget,
            spill_dir=folder / "spill",
            progress=lambda m: moved.append(m.bytes) if m.dataset == "big" else None,
        )
    sums = result["sums"]
    got = {
        "rows": sum(sums["n"].to_pylist()),
        "sum_k": int(sum(sums["ks"].to_pylist())),
        "max_s": max(sums["smax"].to_pylist()),
    }
    return {"peak": peak.bytes - peak.start_bytes, "got": got, "moved": max(moved, default=0)}


def flow_warehouses(folder: Path, rows: int, budget: int | None) -> dict[str, Any]:
    """A DuckDB table moved to another DuckDB database (warehouse to warehouse) and grouped
    there."""
    url = _source_db(folder, rows)
    dst = folder / "dst.db"
    duckdb.connect(str(dst)).execute("CREATE TABLE one AS SELECT 1 AS x").close()
    flow = pushdown.Flow()
    flow.connection("src", url)
    flow.connection("dst", f"duckdb:///{dst}?memory_limit=16MB&threads=1")
    big = flow.dataset("big", connection="src", table="big")
    big.group(["g"], {"n": "count(*)", "ks": "sum(k)", "smax": "max(s)"}, name="sums")
    plan = pushdown.plan(flow, pin={"sums": "dst", "big": "src"}, engine_statistics=False)
    with PeakMemory() as peak:
        result = plan.execute(memory_limit=budget, spill_dir=folder / "spill")
    sums = result["sums"]
    got = {
        "rows": sum(sums["n"].to_pylist()),
        "sum_k": int(sum(sums["ks"].to_pylist())),
        "max_s": max(sums["smax"].to_pylist()),
    }
    return {"peak": peak.bytes - peak.start_bytes, "got": got, "moved": result.bytes_moved}


def flow_result(folder: Path, rows: int, budget: int | None) -> dict[str, Any]:
    """A large result (the whole table) returned by execute(): held on disk, streamed out
    with ``batches`` and written with ``to_parquet``."""
    url = _source_db(folder, rows)
    flow = pushdown.Flow()
    flow.connection("src", url)
    big = flow.dataset("big", connection="src", table="big")
    big.filter("v >= 0", name="kept")
    plan = pushdown.plan(flow, pin={"kept": "local"}, engine_statistics=False)
    with PeakMemory() as peak:
        result = plan.execute(memory_limit=budget, spill_dir=folder / "spill")
        got = _summary(result.batches("kept"))
        written = result.to_parquet("kept", folder / "kept.parquet")
    got.pop("bytes")
    got.pop("sum_g")
    return {
        "peak": peak.bytes - peak.start_bytes,
        "got": got,
        "moved": result.bytes_moved,
        "spilled": result.spilled("kept"),
        "written": written,
    }


def connector(
    folder: Path, rows: int, budget: int | None, url: str, args: dict[str, Any], table: str
) -> dict[str, Any]:
    """One connector's streaming path: a DuckDB table streamed into ``url``'s engine
    (upload), then read back with ``fetch_batches`` through the run's store (a Parquet file
    past the budget)."""
    src_url = _source_db(folder, rows)
    src = open_connector("src", src_url)
    if url.startswith("spark"):  # small data, but through the Parquet part files
        from pushdown.engines import spark

        spark.COLLECT_BYTES = MB
    target = open_connector("target", url, args)
    store = Store(SpillDir(folder / "spill"), in_memory=(budget or 1 << 40) // 4)
    try:
        with PeakMemory() as peak, OwnPeak() as own:
            target.drop(table)
            target.upload(table, src.fetch_batches("SELECT * FROM big"))
            held = store.hold("back", target.fetch_batches(f"SELECT * FROM {table}"))
            got = _summary(held.reader())
    finally:
        with contextlib.suppress(Exception):  # the first failure is the one to see
            target.drop(table)
        target.close()
        src.close()
    got.pop("sum_g")
    got.pop("bytes")
    own_peak = own.bytes - own.start
    return {
        "peak": peak.bytes - peak.start_bytes,
        "own_peak": own_peak,
        "got": got,
        "spilled": held.spilled,
    }


def local_engine(folder: Path, rows: int, budget: int | None) -> dict[str, Any]:
    """The local DuckDB under a memory limit reads a spilled dataset (``read_parquet``) and
    streams a result as large as its input out, batch by batch."""
    url = _source_db(folder, rows)
    src = open_connector("src", url)
    spill = SpillDir(folder / "spill")
    store = Store(spill, in_memory=(budget or 1 << 40) // 4)
    held = store.hold("big", src.fetch_batches("SELECT * FROM big"))
    engine = LocalEngine(memory_limit=(budget or 0) // 2 or None, spill_dir=spill.path / "duckdb")
    with PeakMemory() as peak:
        engine.register("big", held)
        got = _summary(engine.fetch_batches("SELECT * FROM big WHERE v >= 0"))
    engine.close()
    src.close()
    got.pop("bytes")
    return {"peak": peak.bytes - peak.start_bytes, "got": got, "spilled": held.spilled}


def _standin(engine: str, folder: Path) -> tuple[str, dict[str, Any]]:
    """The URL and driver arguments of a running stand-in (the integration fixtures' recipe,
    rebuilt here: a child process cannot receive the fixture's objects)."""
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.integration.conftest import Target, prepare_standin, snowflake_standin

    address = os.environ[f"PUSHDOWN_STANDIN_{engine.upper()}"]
    if engine == "snowflake":  # a longer timeout than the fixture's: this moves 18 MB
        target = snowflake_standin(address)
        target.connect_args["network_timeout"] = 300
    elif engine == "bigquery":
        target = Target(
            "bigquery://test-proj/pushdown_tests",
            {"api_endpoint": f"http://{address}", "anonymous": True, "use_storage_api": False},
        )
    elif engine == "hive":  # a Parquet file and LOAD DATA (the server runs on this host)
        target = Target(
            f"hive://ci@{address}/default?auth=NOSASL", {"load_dir": str(folder / "staged")}
        )
    else:
        raise ValueError(engine)
    prepare_standin(engine, target)
    return target.url, dict(target.connect_args)


def _databricks() -> tuple[str, dict[str, Any]]:
    """The Databricks stand-in (the Spark Thrift server behind the test-only protocol patches
    of tests/standins/dbx_shim.py), as the ``databricks_target`` fixture builds it."""
    import base64
    import os

    root = Path(__file__).resolve().parent
    sys.path.insert(0, str(root / "standins"))
    import dbx_shim  # noqa: F401

    class BasicAuth:
        """The stand-in takes any Basic credentials."""

        def auth_type(self) -> str:
            return "basic"

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            token = base64.b64encode(b"ci:x").decode()
            return lambda: {"Authorization": f"Basic {token}"}

    host, port = os.environ["PUSHDOWN_STANDIN_DATABRICKS"].rsplit(":", 1)
    url = f"databricks://token:unused@{host}:{port}?http_path=cliservice"
    args = {
        "credentials_provider": BasicAuth(),
        "_connection_uri": f"http://{host}:{port}/cliservice",
    }
    return url, args


def databricks_fetch(folder: Path, rows: int, budget: int | None, table: str) -> dict[str, Any]:
    """Databricks' fetch path (``fetchmany_arrow`` chunks) into the run's store.  The table is
    built on the server (an upload through the stand-in's inserts moves 500 rows a statement:
    too slow for a large table in CI), with the rows of :func:`_source_db`'s ``big``."""
    _source_db(folder, rows)  # the expected figures
    url, args = _databricks()
    target = open_connector("target", url, args)
    store = Store(SpillDir(folder / "spill"), in_memory=(budget or 1 << 40) // 4)
    try:
        target.materialize(
            table,
            "SELECT id AS k, id % 1000 AS g, md5(CAST(id AS STRING)) AS s, "
            f"CAST((id % 997) / 7.0 AS DOUBLE) AS v FROM range({int(rows)})",
        )
        fetched: list[int] = []
        with PeakMemory() as peak:
            held = store.hold(
                "back",
                target.fetch_batches(f"SELECT * FROM {table}"),
                progress=lambda name, rows, size, done: fetched.append(size),
            )
            got = _summary(held.reader())
    finally:
        with contextlib.suppress(Exception):
            target.drop(table)
        target.close()
    got.pop("sum_g")
    got.pop("bytes")
    return {
        "peak": peak.bytes - peak.start_bytes,
        "got": got,
        "spilled": held.spilled,
        "moved": max(fetched, default=0),
    }


def standin(folder: Path, rows: int, budget: int | None, engine: str, table: str) -> Any:
    """A stand-in's streaming path (upload and fetch_batches), as :func:`connector`."""
    url, args = _standin(engine, folder)
    return connector(folder, rows, budget, url, args, table)


SCENARIOS: dict[str, Callable[..., dict[str, Any]]] = {
    "standin": standin,
    "databricks_fetch": databricks_fetch,
    "flow_local": flow_local,
    "flow_warehouses": flow_warehouses,
    "flow_result": flow_result,
    "connector": connector,
    "local_engine": local_engine,
}


def main() -> None:
    """Run the scenario named on the command line and print its JSON report."""
    name, raw = sys.argv[1], json.loads(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="pushdown-streaming-") as folder:
        report = SCENARIOS[name](Path(folder), **raw)
        report["expected"] = _expected(f"duckdb:///{folder}/src.db")
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
