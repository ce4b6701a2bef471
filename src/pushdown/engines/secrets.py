"""Keep a connection's credentials out of every channel an error or a driver can reach.

A driver may echo a password or token in its exception text, in the exceptions it chains, or
in log records (PyHive logs whole Thrift responses at DEBUG, for instance).  Connectors hand
every secret they hold to :func:`register`; then

- :func:`scrub` replaces each known secret (and its URL-quoted forms) in a text;
- :func:`driver_failure` turns a driver exception into a :class:`DriverError` carrying only
  scrubbed text, with no traceback and nothing chained, to stand as an ``EngineError``'s cause;
- a log-record factory, installed once, scrubs every record created in the process (message,
  arguments and exception text) while any secret is registered.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import threading
import traceback
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

from pushdown.errors import redact

_REGISTERED: set[str] = set()
_LOCK = threading.Lock()
_FACTORY_INSTALLED = False
# Secrets of the connection being opened: the connector object does not exist yet when its
# driver fails to connect, so its errors() reads them from here.
OPENING: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "pushdown_opening_secrets", default=frozenset()
)


class DriverError(Exception):
    """A driver's exception, reduced to its type name and scrubbed text (the original, whose
    text or chained causes may hold a credential, is not kept)."""


def variants(secrets: Iterable[str]) -> set[str]:
    """Each secret as written and as a URL would carry it (percent- and plus-quoted)."""
    out: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= 4:
            out |= {secret, quote(secret, safe=""), quote_plus(secret)}
    return out


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without any of ``secrets`` (nor any registered one), in any letter case (an
    engine may echo a secret upper-cased, as Snowflake does identifiers), and with URL
    passwords and ``key=value`` secrets redacted."""
    with _LOCK:
        known = variants(secrets) | _REGISTERED
    for secret in sorted(known, key=len, reverse=True):
        text = re.sub(re.escape(secret), "***", text, flags=re.IGNORECASE)
    return redact(text)


def register(secrets: Iterable[str]) -> None:
    """Remember ``secrets`` for scrubbing log records; installs the record factory once."""
    global _FACTORY_INSTALLED
    found = variants(secrets)
    if not found:
        return
    with _LOCK:
        _REGISTERED.update(found)
        if _FACTORY_INSTALLED:
            return
        _FACTORY_INSTALLED = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub_record(record)
        return record

    logging.setLogRecordFactory(factory)


def _scrub_record(record: logging.LogRecord) -> None:
    with _LOCK:
        known = tuple(_REGISTERED)
    if not known:
        return
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not format: leave it to logging
        return
    lowered = message.lower()
    if any(s.lower() in lowered for s in known):
        record.msg, record.args = scrub(message), None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info))
        if any(s.lower() in text.lower() for s in known):
            record.exc_info, record.exc_text = None, scrub(text).rstrip("\n")


@contextlib.contextmanager
def opening(secrets: frozenset[str]) -> Iterator[None]:
    """While a connector is being created, its errors are scrubbed of ``secrets``."""
    token = OPENING.set(secrets)
    try:
        yield
    finally:
        OPENING.reset(token)


def driver_failure(err: BaseException, secrets: Iterable[str]) -> DriverError:
    """A :class:`DriverError` holding ``err``'s type and its whole (scrubbed) text, and the
    scrubbed text of whatever the driver chained to it."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen and len(parts) < 8:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}".strip())
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return DriverError(scrub("\ncaused by ".join(parts), secrets))
