"""Integration fixtures: stand-ins started by tests/standins/start.sh (CI always starts them),
or live accounts named by PUSHDOWN_TEST_<ENGINE>_URL.  Locally, a missing stand-in skips its
tests with the reason; in CI it fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from pushdown.engines import open_connector

IN_CI = os.environ.get("CI") == "true"


@dataclass
class Target:
    """How to reach one engine: a URL plus driver arguments, and what the target proves."""

    url: str
    connect_args: dict[str, Any] = field(default_factory=dict)
    live: bool = False


def _require(variable: str, engine: str) -> None:
    message = (
        f"{engine} stand-in is not running: run `source tests/standins/start.sh` "
        f"(or set PUSHDOWN_TEST_{engine.upper()}_URL for a live account)"
    )
    if IN_CI:
        pytest.fail(f"{message}; CI must start it ({variable} is unset)")
    pytest.skip(message)


def snowflake_standin(address: str) -> Target:
    """The fakesnow stand-in at ``host:port`` (plain HTTP, short timeouts, no telemetry)."""
    host, port = address.rsplit(":", 1)
    args = {
        "host": host,
        "port": int(port),
        "protocol": "http",
        "network_timeout": 1,
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
    }
    return Target("snowflake://fake:snow@fakesnow/PUSHDOWN/TESTS", args)


@pytest.fixture(scope="session")
def snowflake_target() -> Iterator[Target]:
    pytest.importorskip("snowflake.sqlalchemy", reason="pip install -e '.[snowflake]'")
    live = os.environ.get("PUSHDOWN_TEST_SNOWFLAKE_URL")
    if live:
        yield Target(live, live=True)
        return
    address = os.environ.get("PUSHDOWN_STANDIN_SNOWFLAKE")
    if not address:
        _require("PUSHDOWN_STANDIN_SNOWFLAKE", "snowflake")
    yield snowflake_standin(address)


@pytest.fixture(scope="session")
def bigquery_target() -> Iterator[Target]:
    pytest.importorskip("google.cloud.bigquery", reason="pip install -e '.[bigquery]'")
    live = os.environ.get("PUSHDOWN_TEST_BIGQUERY_URL")
    if live:
        yield Target(live, live=True)
        return
    address = os.environ.get("PUSHDOWN_STANDIN_BIGQUERY")
    if not address:
        _require("PUSHDOWN_STANDIN_BIGQUERY", "bigquery")
    yield Target(
        "bigquery://test-proj/pushdown_tests",
        {"api_endpoint": f"http://{address}", "anonymous": True, "use_storage_api": False},
    )


@pytest.fixture(scope="session")
def hive_target() -> Iterator[Target]:
    pytest.importorskip("pyhive", reason="pip install -e '.[hive]'")
    live = os.environ.get("PUSHDOWN_TEST_HIVE_URL")
    if live:
        yield Target(live, live=True)
        return
    address = os.environ.get("PUSHDOWN_STANDIN_HIVE")
    if not address:
        _require("PUSHDOWN_STANDIN_HIVE", "hive")
    yield Target(f"hive://ci@{address}/default?auth=NOSASL")


@pytest.fixture(scope="session")
def spark_target(spark: object) -> Iterator[Target]:
    """The in-process Spark session (from tests/conftest.py) behind a ``spark://`` URL."""
    yield Target("spark://local[2]")


@pytest.fixture(scope="session")
def databricks_target() -> Iterator[Target]:
    pytest.importorskip("databricks.sql", reason="pip install -e '.[databricks]'")
    live = os.environ.get("PUSHDOWN_TEST_DATABRICKS_URL")
    if live:
        yield Target(live, live=True)
        return
    address = os.environ.get("PUSHDOWN_STANDIN_DATABRICKS")
    if not address:
        _require("PUSHDOWN_STANDIN_DATABRICKS", "databricks")
    import base64
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "standins"))
    import dbx_shim  # noqa: F401  (test-only protocol patches for the Spark Thrift stand-in)

    class BasicAuth:
        """The stand-in takes any Basic credentials."""

        def auth_type(self) -> str:
            return "basic"

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            token = base64.b64encode(b"ci:x").decode()
            return lambda: {"Authorization": f"Basic {token}"}

    host, port = address.rsplit(":", 1)
    yield Target(
        f"databricks://token:unused@{host}:{port}?http_path=cliservice",
        {
            "credentials_provider": BasicAuth(),
            "_connection_uri": f"http://{host}:{port}/cliservice",
        },
    )


def prepare_standin(engine: str, target: Target) -> None:
    """Create the database/schema or dataset the stand-in starts without."""
    if engine == "snowflake":
        import snowflake.connector

        with snowflake.connector.connect(
            user="fake", password="snow", account="fakesnow", **target.connect_args
        ) as con:
            con.cursor().execute("CREATE DATABASE IF NOT EXISTS PUSHDOWN")
            con.cursor().execute("CREATE SCHEMA IF NOT EXISTS PUSHDOWN.TESTS")
    elif engine == "bigquery":
        conn = open_connector(engine, target.url, target.connect_args)
        try:
            conn.client.create_dataset(conn.dataset, exists_ok=True)  # type: ignore[attr-defined]
        finally:
            conn.close()
