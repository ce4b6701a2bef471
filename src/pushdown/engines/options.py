"""Connection options pushdown reads itself, whatever the engine: how long to wait for a host
and how often to try again.

They come from the connection URL's query (``?connect_timeout=10&retries=1``) or from
``connect_args`` (which win), and are removed from both before the driver sees them:

- ``connect_timeout`` (seconds, default 30): the longest wait for one attempt to reach the
  host (TCP connect, TLS, login);
- ``retries`` (default 2): how many more attempts after a transient failure (connection
  refused or reset, timeout, HTTP 429/502/503/504); a rejected login or a SQL error is never
  retried.

``engine_version`` (read into the profile elsewhere) is removed here too, so no driver
receives an argument it does not know.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import URL

from pushdown.errors import ConnectionConfigError

# Query parameters pushdown consumes itself; drivers never see them.
OWN_PARAMETERS = ("connect_timeout", "retries", "engine_version")
T = TypeVar("T")


class HostUnreachable(Exception):
    """The attempts to reach a host ran out (a connector's ``errors()`` makes it an
    ``EngineError`` naming the connection)."""


def unreachable(err: BaseException) -> bool:
    """True when ``err`` says the host was not reached rather than that it refused a
    request: :class:`HostUnreachable` (the retries ran out), or a connection failure or a
    timeout (``ConnectionError``, ``TimeoutError``: refused, reset, no answer in time) as
    the exception or anywhere in what it chains."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, HostUnreachable | ConnectionError | TimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return False


@dataclass(frozen=True)
class ConnectOptions:
    """How patiently a connector reaches its host."""

    connect_timeout: float = 30.0
    retries: int = 2

    @property
    def attempts(self) -> int:
        """Attempts in all: the first one and the retries."""
        return self.retries + 1

    @property
    def deadline(self) -> float:
        """Seconds after which no new attempt starts (every attempt plus the pauses)."""
        return self.attempts * self.connect_timeout + self.retries * 2.0


def split_options(
    url: URL, connect_args: dict[str, Any] | None, *, connection: str
) -> tuple[URL, dict[str, Any], ConnectOptions]:
    """``url`` and ``connect_args`` without pushdown's own parameters, and those parameters."""
    args = dict(connect_args or {})
    query = dict(url.query)
    raw: dict[str, Any] = {}
    for key in OWN_PARAMETERS:
        if key in query:
            value = query.pop(key)
            raw[key] = value if isinstance(value, str) else value[-1]
        if key in args:
            raw[key] = args.pop(key)
    options = ConnectOptions(
        connect_timeout=_number(raw, "connect_timeout", 30.0, connection=connection),
        retries=int(_number(raw, "retries", 2, connection=connection, integer=True)),
    )
    return url.set(query=query), args, options


def _number(
    raw: dict[str, Any], key: str, default: float, *, connection: str, integer: bool = False
) -> float:
    if key not in raw:
        return default
    value = raw[key]
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    ok = math.isfinite(number) and (number >= 0 if integer else number > 0)
    if integer and ok and number != int(number):
        ok = False
    if not ok or (integer and number > 10):
        kind = "a whole number from 0 to 10" if integer else "a positive number of seconds"
        raise ConnectionConfigError(f"connection {connection!r}: {key}={value!r} is not {kind}")
    return number


def with_retries(
    attempt: Callable[[], T],
    *,
    options: ConnectOptions,
    transient: Callable[[BaseException], bool],
    host: str,
    retried_by_driver: bool = False,
) -> T:
    """Call ``attempt`` until it succeeds, a failure is not transient (re-raised as is), or
    the attempts or the deadline run out: then :class:`HostUnreachable` names ``host``, the
    attempts and the last failure.  ``retried_by_driver``: ``attempt`` retries by itself
    (bounded by the same options), so it is called once."""
    start = time.monotonic()
    number = 0
    while True:
        number += 1
        try:
            return attempt()
        except Exception as err:
            if not transient(err):
                raise
            elapsed = time.monotonic() - start
            pause = min(2.0, 0.25 * 2 ** (number - 1))
            out_of_time = elapsed + pause + options.connect_timeout > options.deadline
            if retried_by_driver or number >= options.attempts or out_of_time:
                text = str(err).strip().splitlines()[0] if str(err).strip() else ""
                tries = "the driver's attempts" if retried_by_driver else f"{number} attempt(s)"
                raise HostUnreachable(
                    f"gave up reaching {host} after {tries} in {elapsed:.1f} s "
                    f"(connect_timeout={options.connect_timeout:g} s, retries={options.retries}"
                    f"); last failure: {type(err).__name__}: {text}"
                ) from None
        time.sleep(pause)
