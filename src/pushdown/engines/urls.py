"""Connection URLs: environment interpolation, validation and the engine they select."""

from __future__ import annotations

import os
import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from pushdown.errors import ConnectionConfigError, redact
from pushdown.profiles import Profile, profile_for_scheme

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

EXTRAS = {
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "hive": "hive",
    "spark": "spark",
}


def interpolate(url: str, *, connection: str) -> str:
    """Replace ``${VAR}`` with the environment's value; a missing variable is an error."""

    def value(match: re.Match[str]) -> str:
        var = match.group(1)
        if var not in os.environ:
            raise ConnectionConfigError(
                f"connection {connection!r} needs environment variable {var}, which is not set"
            )
        return os.environ[var]

    return _VARIABLE.sub(value, url)


def parse_url(url: str, *, connection: str) -> tuple[URL, Profile]:
    """Parse a (possibly templated) SQLAlchemy URL; return it and its engine's profile."""
    resolved = interpolate(url, connection=connection)
    try:
        parsed = make_url(resolved)
    except (ArgumentError, ValueError):
        raise ConnectionConfigError(
            f"connection {connection!r}: {redact(url)!r} is not a SQLAlchemy URL "
            "(expected e.g. 'duckdb:///warehouse.db' or 'snowflake://user:${PW}@account/db')"
        ) from None
    try:
        profile = profile_for_scheme(parsed.drivername)
        # ?engine_version=3.1 names the engine's version (docs/engines.md); the driver never
        # sees it.
        version = parsed.query.get("engine_version")
        if version is not None:
            profile = profile.at_version(str(version))
            parsed = parsed.difference_update_query(["engine_version"])
    except ConnectionConfigError as err:
        raise ConnectionConfigError(f"connection {connection!r}: {err}") from None
    return parsed, profile
