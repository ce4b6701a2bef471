"""Connectors: run SQL in place, fetch and upload Arrow, read schemas and statistics.

:func:`open_connector` turns a flow's named SQLAlchemy URL into a connector; an engine whose
driver is not installed says which extra to install.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pushdown.engines import secrets as _secrets_module
from pushdown.engines.base import Connector, missing_driver
from pushdown.engines.urls import EXTRAS, parse_url
from pushdown.errors import ConnectionConfigError, EngineError, PushdownError
from pushdown.profiles import Profile

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


def open_connector(name: str, url: str, connect_args: Mapping[str, Any] | None = None) -> Connector:
    """Open the connection ``name`` from its (possibly ``${VAR}``-templated) URL.

    ``connect_args`` go to the driver (hosts, ports, protocols, clients: what a URL cannot
    carry)."""
    parsed, profile = parse_url(url, connection=name)
    args = dict(connect_args or {})
    secrets = _secrets(parsed.password, args)
    _secrets_module.register(secrets)  # scrubbed from driver log records from now on
    failure: EngineError | None = None
    with _secrets_module.opening(secrets):
        try:
            connector = _open(name, profile, parsed, args)
        except PushdownError:
            raise
        except Exception as err:  # raised by a driver outside a connector's errors()
            failure = EngineError(name, _secrets_module.scrub(f"{type(err).__name__}: {err}"))
    if failure is not None:  # raised outside the handler: the driver's exception is not kept
        raise failure
    connector.secrets = secrets
    return connector


_SECRET_KEYS = ("password", "token", "access_token", "private_key", "client_secret", "passcode")


def _secrets(password: str | None, args: Mapping[str, Any]) -> frozenset[str]:
    """The credential values of a connection: its URL's password, secret driver arguments."""
    values = {password} if password else set()
    values |= {v for k, v in args.items() if k.lower() in _SECRET_KEYS and isinstance(v, str)}
    return frozenset(values)


def _open(name: str, profile: Profile, parsed: URL, args: dict[str, Any]) -> Connector:
    """The connector for ``profile``'s engine; a missing driver names the extra to install."""
    try:
        if profile.name == "duckdb":
            from pushdown.engines.duckdb import DuckDBConnector

            return DuckDBConnector(name, profile, parsed)
        if profile.name == "spark":
            from pushdown.engines.spark import SparkConnector

            return SparkConnector(name, profile, parsed)
        if profile.name == "snowflake":
            from pushdown.engines.snowflake import SnowflakeConnector

            return SnowflakeConnector(name, profile, parsed, args)
        if profile.name == "databricks":
            from pushdown.engines.databricks import DatabricksConnector

            return DatabricksConnector(name, profile, parsed, args)
        if profile.name == "hive":
            from pushdown.engines.hive import HiveConnector

            return HiveConnector(name, profile, parsed, args)
        if profile.name == "bigquery":
            from pushdown.engines.bigquery import BigQueryConnector

            return BigQueryConnector(name, profile, parsed, args)
        from pushdown.engines.sqlalchemy import SQLAlchemyConnector

        return SQLAlchemyConnector(name, profile, parsed, args)
    except Exception as err:
        cause = err.__cause__ or err
        if missing_driver(cause):
            extra = EXTRAS.get(profile.name, profile.name)
            raise ConnectionConfigError(
                f"connection {name!r} uses {profile.name}, whose driver is not installed; "
                f"install it with: pip install 'pushdown[{extra}]'"
            ) from None
        raise


__all__ = ["Connector", "open_connector"]
