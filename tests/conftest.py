"""Shared fixtures: golden-file updating, DuckDB warehouses holding the case tables, Spark."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cases import TABLES
from tests.helpers import duckdb_file

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI") == "true"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/<case>/<dialect>.sql from the compiler",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def warehouse_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A DuckDB file holding every case table: the embedded-default warehouse."""
    return duckdb_file(tmp_path_factory.mktemp("wh") / "warehouse.db", **TABLES)


def _java_available() -> bool:
    from shutil import which

    return which("java") is not None


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """An in-process Spark SQL session bound to 127.0.0.1, with every case table loaded."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if IN_CI:
            raise
        pytest.skip("pyspark is not installed (pip install -e '.[test]')")
    if not _java_available():
        if IN_CI:
            pytest.fail("no Java runtime in CI: .ci/run must install one")
        pytest.skip("no Java runtime for Spark")
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    session = (
        SparkSession.builder.master("local[2]")
        .appName("pushdown-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        # C1 only starts fast; its code cache defaults to 48 MB, which a long suite of
        # generated queries fills (the JVM then stops compiling and fails tasks with
        # "Out of space in CodeCache"): reserve more.
        .config(
            "spark.driver.extraJavaOptions",
            "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m",
        )
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    for name, table in TABLES.items():
        session.createDataFrame(table).createOrReplaceTempView(name)
    yield session
    session.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
