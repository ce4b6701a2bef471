"""Unreachable hosts and credentials in driver errors.

- Every remote connector gives up on a host that refuses connections (a closed port) or never
  answers (a listener that accepts nothing: what a non-routable address looks like from here,
  where only loopback may be reached) within ``connect_timeout`` and ``retries``, and its
  EngineError names the host it gave up on and no password.
- A password that a driver's error repeats reaches no channel of the EngineError (message,
  str, repr, chained cause or context, traceback) nor any log record.

Runs inside the stand-ins' loopback-only network namespace (``/work/dev/pt``); the
credential tests use the stand-ins, which take any password.
"""

from __future__ import annotations

import base64
import logging
import socket
import time
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import pushdown
from pushdown.engines import open_connector
from tests.integration.conftest import Target

LIMITS = {"connect_timeout": 1, "retries": 1}
BOUND = 20.0  # seconds: 2 attempts of 1 s, pauses, driver overheads; the defaults took minutes
PASSWORD = "eng_pw_s3cret_42"  # also a valid table name: the SQL can quote it


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose listener accepts nothing and answers nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = []
    try:
        for _ in range(4):  # fill the accept queue: later connects wait in SYN_SENT
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(listener.getsockname())
            filler.append(s)
        yield int(listener.getsockname()[1])
    finally:
        for s in filler:
            s.close()
        listener.close()


class _Basic:
    def auth_type(self) -> str:
        return "basic"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        token = base64.b64encode(b"ci:x").decode()
        return lambda: {"Authorization": f"Basic {token}"}


def _target(engine: str, port: int) -> tuple[str, dict[str, Any]]:
    """A URL and driver arguments for ``engine`` at 127.0.0.1:``port``, with a password."""
    if engine == "hive":
        return f"hive://ci:{PASSWORD}@127.0.0.1:{port}/default?auth=CUSTOM", dict(LIMITS)
    if engine == "databricks":
        return (
            f"databricks://token:{PASSWORD}@127.0.0.1:{port}?http_path=cliservice",
            {**LIMITS, "_connection_uri": f"http://127.0.0.1:{port}/cliservice"},
        )
    if engine == "snowflake":
        args = {"host": "127.0.0.1", "port": port, "protocol": "http", **LIMITS}
        return f"snowflake://fake:{PASSWORD}@fakesnow/PUSHDOWN/TESTS", args
    return (
        "bigquery://test-proj/pushdown_tests",
        {"api_endpoint": f"http://127.0.0.1:{port}", "anonymous": True, **LIMITS},
    )


def _reach(engine: str, port: int) -> tuple[pushdown.EngineError, float]:
    url, args = _target(engine, port)
    start = time.perf_counter()
    with pytest.raises(pushdown.EngineError) as info:
        conn = open_connector("far", url, args)
        try:
            conn.fetch_arrow("SELECT 1")
        finally:
            conn.close()
    return info.value, time.perf_counter() - start


REMOTE = ["hive", "databricks", "snowflake", "bigquery"]


@pytest.mark.parametrize("engine", REMOTE)
def test_closed_port_fails_fast_naming_the_host(engine: str) -> None:
    pytest.importorskip(
        {"hive": "pyhive", "databricks": "databricks.sql"}.get(engine, "sqlalchemy")
    )
    port = _closed_port()
    err, seconds = _reach(engine, port)
    assert seconds < BOUND, f"{engine} took {seconds:.1f} s"
    assert err.engine == "far" and f"127.0.0.1:{port}" in str(err)
    assert PASSWORD not in str(err)


@pytest.mark.parametrize("engine", REMOTE)
def test_silent_host_is_given_up_within_the_limits(engine: str, silent_port: int) -> None:
    err, seconds = _reach(engine, silent_port)
    assert seconds < BOUND, f"{engine} took {seconds:.1f} s"
    assert err.engine == "far" and f"127.0.0.1:{silent_port}" in str(err)
    assert PASSWORD not in str(err)


def test_bad_limits_are_a_typed_error() -> None:
    with pytest.raises(pushdown.ConnectionConfigError, match="connect_timeout"):
        open_connector("far", "hive://ci@127.0.0.1:1/default?connect_timeout=soon")
    with pytest.raises(pushdown.ConnectionConfigError, match="retries"):
        open_connector("far", "hive://ci@127.0.0.1:1/default", {"retries": -1})


# -- #12 item 14: credentials in driver errors ---------------------------------------------


def _channels(err: BaseException) -> str:
    """Everything a user, a logger or an error tracker can read from ``err``."""
    texts = [str(err), repr(err), "".join(traceback.format_exception(err))]
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(getattr(current, "args", ""))]
        texts += [str(getattr(current, "sql", "")), str(getattr(current, "message", ""))]
        nxt = current.__cause__ or current.__context__
        current = nxt
    return "\n".join(texts)


def _credentialed(engine: str, target: Target) -> tuple[str, dict[str, Any]]:
    """The stand-in's URL with PASSWORD as the connection's secret."""
    if engine == "hive":
        host = target.url.split("@", 1)[1].split("/", 1)[0]
        return f"hive://ci:{PASSWORD}@{host}/default?auth=NOSASL", dict(target.connect_args)
    if engine == "databricks":
        rest = target.url.split("@", 1)[1]
        return f"databricks://token:{PASSWORD}@{rest}", dict(target.connect_args)
    return target.url.replace("fake:snow@", f"fake:{PASSWORD}@"), dict(target.connect_args)


@pytest.mark.parametrize("engine", ["hive", "databricks", "snowflake"])
def test_password_in_a_driver_error_reaches_no_channel(
    engine: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    """The failing statement names a table spelled like the password, so the driver's error
    (and PyHive's and the Databricks connector's DEBUG logs of the server's answer) repeat
    it; none of it gets through."""
    target: Target = request.getfixturevalue(f"{engine}_target")
    if target.live:
        pytest.skip("the stand-in's address is what is rewritten here")
    url, args = _credentialed(engine, target)
    table = PASSWORD
    caplog.set_level(logging.DEBUG)
    conn = open_connector("wh", url, args)
    try:
        with pytest.raises(pushdown.EngineError) as info:
            conn.fetch_arrow(f"SELECT * FROM {table}")
    finally:
        conn.close()
    logging.getLogger("pyhive").debug("echo %s", table)  # a record made after the fact, too
    text = _channels(info.value)
    assert PASSWORD not in text
    assert info.value.__cause__ is not None and "***" in str(info.value.__cause__)
    assert PASSWORD not in caplog.text
    assert any("***" in r.getMessage() for r in caplog.records)
