"""Opening a HiveServer2 session through PyHive: a bounded connect, bounded retries, and the
session settings pushdown's SQL needs.

- The profile's session settings (``[session]`` in ``dialects/hive.toml``, each next to its
  vendor page): variable substitution off, so ``${...}`` in a literal, a quoted name or an
  uploaded value reaches the engine as written (``hive.variable.substitute``, and
  ``spark.sql.variable.substitute`` for a Spark Thrift server).  They go in the OpenSession
  request as ``set:hiveconf:KEY`` (what HiveServer2's ``configureSession`` applies as
  ``SET``); a server that refuses a key it may refuse (Hive with a settings whitelist refuses
  the Spark one) is asked again without it.
- ``hive.resultset.use.unique.column.names=false``: result columns are named as written, not
  prefixed with their table's alias (how the connector reads results, not a fact of the
  engine's semantics).
- The TCP connect and the login handshake wait ``connect_timeout`` seconds at most, and a
  refused, reset or timed-out connection is tried again ``retries`` times; a rejected login
  is not retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from pushdown.engines.options import ConnectOptions, with_retries

# How results are read, besides the profile's settings: result columns named as written, not
# prefixed with their table's alias (so a column named "a.b" is not cut at its dot).
READING = {"hive.resultset.use.unique.column.names": "false"}
# Settings a server may refuse (a Hive whitelist of settings a session may change): the
# session is opened again without them.
OPTIONAL = ("spark.sql.variable.substitute", "hive.resultset.use.unique.column.names")


def transient(err: BaseException) -> bool:
    """A failure to reach the server (refused, reset, timed out), not a rejected login."""
    from thrift.transport.TTransport import TTransportException

    if isinstance(err, OSError):
        return True
    if isinstance(err, TTransportException):
        return isinstance(err.inner, OSError) or err.type == TTransportException.TIMED_OUT
    return False


def _transport(kwargs: dict[str, Any], timeout: float) -> tuple[Any, Any] | None:
    """PyHive's binary transport for ``kwargs`` with a socket that waits ``timeout`` seconds
    (PyHive's own has no timeout: an unreachable host waits for the operating system's TCP
    timeout), and the socket; None where PyHive must build it (HTTP, unknown auth)."""
    from pyhive import hive
    from thrift.transport import TSocket, TTransport

    auth = (kwargs.get("auth") or "NONE").upper()
    if kwargs.get("scheme") or auth not in ("NOSASL", "NONE", "LDAP", "CUSTOM", "KERBEROS"):
        return None
    host, port = kwargs.pop("host"), int(kwargs.pop("port") or 10000)
    sock = TSocket.TSocket(host, port)
    sock.setTimeout(timeout * 1000)
    kwargs.pop("auth", None)
    password = kwargs.pop("password", None)
    service = kwargs.pop("kerberos_service_name", None)
    if auth == "NOSASL":
        return TTransport.TBufferedTransport(sock), sock
    import thrift_sasl

    mechanism = "GSSAPI" if auth == "KERBEROS" else "PLAIN"
    username = kwargs.get("username")
    secret = password if auth in ("LDAP", "CUSTOM") else "x"  # NONE takes any password

    def sasl() -> Any:
        return hive.get_installed_sasl(
            host=host, sasl_auth=mechanism, service=service, username=username, password=secret
        )

    return thrift_sasl.TSaslClientTransport(sasl, mechanism, sock), sock


def connect(
    url: sa.engine.URL,
    args: dict[str, Any],
    options: ConnectOptions,
    session: Mapping[str, str],
) -> tuple[Any, dict[str, str]]:
    """A PyHive connection for ``url`` (``hive://user[:password]@host:port/db?auth=...``)
    with the profile's ``session`` settings and :data:`READING`, within ``options``' time and
    retry bounds; and the settings the server took."""
    base: dict[str, Any] = {
        "host": url.host,
        "port": url.port or 10000,
        "username": url.username,
        "password": url.password,
        "database": url.database or "default",
    }
    base.update({k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()})
    if url.drivername in ("hive+http", "hive+https"):
        base["scheme"] = url.drivername.split("+", 1)[1]
    base.update(args)
    user_settings = dict(base.pop("configuration", None) or {})
    settings = {**session, **READING}

    def attempt() -> Any:
        from pyhive import hive
        from pyhive.exc import OperationalError

        nonlocal settings
        kwargs = dict(base)
        kwargs["configuration"] = {
            **{f"set:hiveconf:{k}": v for k, v in settings.items()},
            **user_settings,
        }
        built = (
            None if "thrift_transport" in kwargs else _transport(kwargs, options.connect_timeout)
        )
        if built is not None:
            kwargs = {
                k: kwargs[k] for k in ("username", "database", "configuration") if k in kwargs
            }
            kwargs["thrift_transport"] = built[0]
        try:
            con = hive.connect(**kwargs)
        except OperationalError as err:
            refused = [k for k in OPTIONAL if k in settings and k in str(err)]
            if not refused:
                raise
            # A Hive server that only lets a session change whitelisted settings: ask again
            # without the refused one (hive.variable.substitute itself is whitelisted).
            settings = {k: v for k, v in settings.items() if k not in refused}
            return attempt()
        if built is not None:
            built[1].setTimeout(None)  # statements may run long; only the connect is bounded
        return con

    host = f"{url.host}:{url.port or 10000}"
    con = with_retries(attempt, options=options, transient=transient, host=host)
    return con, settings
