"""The benchmark harness: run suites of flows on several engines, compare placements and
peers, calibrate the cost model from measured runs.

>>> from pushdown import bench
>>> result = bench.run("tpch", ["duckdb", "local"], scale=0.01, queries=["q6"], out=None,
...                    progress=False)                                  # doctest: +SKIP

Needs the ``bench`` extra (``pip install 'pushdown[bench]'``): tpchgen-cli for the data,
psutil for memory, matplotlib for plots, pandas and polars as peers."""

from __future__ import annotations

from pushdown.bench.recording import BenchError
from pushdown.bench.results import BenchResult, Measurement
from pushdown.bench.runner import SUITES, run

__all__ = ["SUITES", "BenchError", "BenchResult", "Measurement", "run"]
