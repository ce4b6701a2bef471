"""The shaped link of ``pushdown bench --link``: a real TCP proxy (in its child process) in
front of a local echo server; the delay and the bandwidth cap are measured, not assumed."""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import pytest

from pushdown.bench.link import Link, LinkError, parse_link
from pushdown.bench.linked import through_link
from tests.integration.conftest import _require


@pytest.fixture(scope="module")
def echo() -> Iterator[tuple[str, int]]:
    """A TCP echo server on loopback (one thread per connection)."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return

            def echo_back(c: socket.socket = conn) -> None:
                with c:
                    while data := c.recv(65536):
                        c.sendall(data)

            threading.Thread(target=echo_back, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[:2]
    server.close()


def _round_trip(conn: socket.socket, message: bytes = b"x") -> float:
    start = time.perf_counter()
    conn.sendall(message)
    got = b""
    while len(got) < len(message):
        chunk = conn.recv(65536)
        assert chunk
        got += chunk
    assert got == message
    return time.perf_counter() - start


def _echo_bulk(conn: socket.socket, size: int) -> float:
    """Seconds to send ``size`` bytes and read them all back (sending on a second thread)."""
    start = time.perf_counter()
    sender = threading.Thread(target=conn.sendall, args=(b"y" * size,))
    sender.start()
    got = 0
    while got < size:
        chunk = conn.recv(1 << 20)
        assert chunk
        got += len(chunk)
    sender.join()
    return time.perf_counter() - start


def test_parse_link() -> None:
    spec = parse_link("20ms,100mbit")
    assert spec.rtt_s == pytest.approx(0.020)
    assert spec.one_way_s == pytest.approx(0.010)
    assert spec.bytes_per_s == pytest.approx(12.5e6)
    assert parse_link(str(spec)) == spec
    assert parse_link(" 1s , 512kbit ").bits_per_s == 512e3
    for bad in ("20ms", "20,100mbit", "20ms,100mb/s", "fast"):
        with pytest.raises(LinkError, match="ROUNDTRIP,BANDWIDTH"):
            parse_link(bad)


def test_link_adds_the_round_trip(echo: tuple[str, int]) -> None:
    rtt = 0.060
    spec = parse_link("60ms,50mbit")
    with Link(spec, [echo]) as link, socket.create_connection(link.proxy_for(echo)) as conn:
        first = _round_trip(conn)  # the handshake's round trip, then the request's
        later = sorted(_round_trip(conn) for _ in range(5))
    assert 2 * rtt * 0.95 <= first <= 2 * rtt + 0.1
    assert rtt * 0.95 <= later[0]  # never faster than the link
    assert later[2] <= rtt + 0.03  # the median: the delay, not more


def test_link_delay_is_exact_for_a_request_sized_message(echo: tuple[str, int]) -> None:
    """A 1 KB request and its echo (a statement's size: 543 bytes up and 1197 down for the
    Snowflake stand-in's ``SELECT 1``) take the round trip plus the two transfer times, to
    within the wake-up of a timer.  The proxy used to wait in ``epoll_wait``, whose whole
    milliseconds rounded every wait up (10.08 ms became 11): 22.2 ms instead of 20.2 for this
    echo, which a one-byte echo (10.0000001 ms waits) did not show."""
    spec = parse_link("20ms,100mbit")
    message = b"q" * 1024
    expected = spec.rtt_s + 2 * len(message) / spec.bytes_per_s
    with Link(spec, [echo]) as link, socket.create_connection(link.proxy_for(echo)) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _round_trip(conn, message)
        times = sorted(_round_trip(conn, message) for _ in range(15))
    assert times[0] >= expected * 0.99, "faster than the link"
    # The fastest of 15 (a loaded machine delays some wake-ups, not all of them) is under
    # what waits rounded up to whole milliseconds give, at least 1.8 ms more here.  Four
    # wake-ups make one echo (the proxy's two timed waits, the echo server, the client); on
    # the 2-core CI machine an asyncio sleep wakes 0.2-0.35 ms late, and the fastest echo
    # measured 0.9-1.1 ms over on an idle one (it was 0.8 ms, which that machine missed).
    assert times[0] <= expected + 0.0014, f"{times[0] * 1e3:.2f} ms for {expected * 1e3:.2f}"


def test_link_caps_the_bandwidth(echo: tuple[str, int]) -> None:
    spec = parse_link("4ms,8mbit")  # 1 MB/s each way
    size = 500_000
    with Link(spec, [echo]) as link, socket.create_connection(link.proxy_for(echo)) as conn:
        _round_trip(conn)
        seconds = _echo_bulk(conn, size)
    assert link.moved == {"up": size + 1, "down": size + 1}
    floor = size / spec.bytes_per_s  # up and back are pipelined: one transfer time
    assert seconds >= floor * 0.95, "faster than the cap"
    assert seconds <= floor * 1.5 + 0.1, "throughput bound by something else than the cap"


def test_unshaped_echo_is_fast(echo: tuple[str, int]) -> None:
    """The control: the same bulk echo without the link takes a fraction of the capped time."""
    with socket.create_connection(echo) as conn:
        assert _echo_bulk(conn, 500_000) < 0.2


def test_harness_mode_wires_a_standin_through_the_link(
    echo: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bench --link``: an engine with a stand-in address gets a URL at the proxy, which
    forwards to the stand-in with the delay; an explicit host:port URL is proxied too; built-in
    engines are left alone."""
    monkeypatch.setenv("PUSHDOWN_STANDIN_HIVE", f"{echo[0]}:{echo[1]}")
    given = {"warehouse": f"hive://ci@{echo[0]}:{echo[1]}/default"}
    link, urls, args = through_link(
        parse_link("40ms,100mbit"),
        ["duckdb", "local", "hive", "warehouse"],
        given,
        {},
        schema="tpch_sf1",
        prepare=False,  # the "stand-in" is an echo server: nothing to create on it
    )
    assert link is not None
    try:
        assert set(urls) == {"hive", "warehouse"} and not any(args.values())
        for name in ("hive", "warehouse"):
            host, port = link.addresses[["hive", "warehouse"].index(name)]
            database = "tpch_sf1" if name == "hive" else "default"  # the stand-in's own
            assert urls[name].startswith(f"hive://ci@{host}:{port}/{database}")
            assert port != echo[1]
            with socket.create_connection((host, port)) as conn:
                _round_trip(conn)
                assert _round_trip(conn) >= 0.040 * 0.95
    finally:
        link.close()
    assert through_link(parse_link("40ms,100mbit"), ["duckdb"], {}, {})[0] is None


def test_calibration_recovers_the_round_trip() -> None:
    """Calibration's statement latency (``statement_latency``: ``SELECT 1`` after an idle
    pause, the median) through a 20 ms link minus the same without the link is the link's
    round trip within 30%.  Measured on the Snowflake stand-in, the two connections taking
    turns statement by statement (``benchmarks.link.paired_round_trips``): the stand-in's own
    statement time, which other sessions' load moves by as much as the link, is then the
    same on both sides of the difference.  Calibrations a minute apart, with statements timed
    back to back (the server woken by every statement behind the link, kept busy without it)
    and the proxy's waits rounded up to whole milliseconds, gave 26.8 and 35.1 ms."""
    pytest.importorskip("snowflake.sqlalchemy", reason="pip install -e '.[snowflake]'")
    if not os.environ.get("PUSHDOWN_STANDIN_SNOWFLAKE"):
        _require("PUSHDOWN_STANDIN_SNOWFLAKE", "snowflake")
    from benchmarks.link import paired_round_trips

    spec = parse_link("20ms,100mbit")
    found = paired_round_trips("snowflake", spec, rounds=5)
    rtt = statistics.median(found)
    assert abs(rtt - spec.rtt_s) <= 0.30 * spec.rtt_s, [f"{x * 1e3:.1f} ms" for x in found]
