"""Connectors: run SQL in place, fetch and upload Arrow, read schemas and statistics.

:func:`open_connector` turns a flow's named SQLAlchemy URL into a connector; an engine whose
driver is not installed says which extra to install.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import NoSuchModuleError

from pushdown.engines.base import Connector
from pushdown.engines.urls import EXTRAS, parse_url
from pushdown.errors import ConnectionConfigError


def open_connector(name: str, url: str, connect_args: Mapping[str, Any] | None = None) -> Connector:
    """Open the connection ``name`` from its (possibly ``${VAR}``-templated) URL.

    ``connect_args`` go to the driver (hosts, ports, protocols, clients: what a URL cannot
    carry)."""
    parsed, profile = parse_url(url, connection=name)
    args = dict(connect_args or {})
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
        if isinstance(cause, NoSuchModuleError | ImportError | ModuleNotFoundError):
            extra = EXTRAS.get(profile.name, profile.name)
            raise ConnectionConfigError(
                f"connection {name!r} uses {profile.name}, whose driver is not installed; "
                f"install it with: pip install 'pushdown[{extra}]'"
            ) from None
        raise


__all__ = ["Connector", "open_connector"]
