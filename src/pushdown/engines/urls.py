"""Connection URLs: environment interpolation, validation and the engine they select.

SQLAlchemy parses a URL that opens a connection.  Planning only needs a URL's engine (its
scheme and ``engine_version``) and, for ``duckdb:///`` and ``sqlite:///``, its file: for a URL
with no host and no credentials (``duckdb:///warehouse.db``, ``duckdb:///:memory:``) those are
read here without importing SQLAlchemy, which costs a quarter of ``pushdown plan``'s start-up
(benchmarks/README.md); any other URL goes through SQLAlchemy."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

from pushdown.errors import ConnectionConfigError, redact
from pushdown.profiles import Profile, profile_for_scheme

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# What SQLAlchemy's make_url reads from a URL without host or credentials: the driver name
# (``[\w+]+`` there too), the database (up to ``?``) and the query.
_PLAIN = re.compile(r"(?P<name>[\w+]+):///(?P<database>[^?@]*)(?:\?(?P<query>[^@]*))?")

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


def plain_parts(url: str) -> tuple[str, str, dict[str, str]] | None:
    """Driver name, database and query of a URL without host or credentials (what
    SQLAlchemy's ``make_url`` would read); None for any other URL."""
    match = _PLAIN.fullmatch(url)
    if match is None:
        return None
    query = dict(parse_qsl(match.group("query") or ""))
    return match.group("name"), unquote(match.group("database")), query


def url_profile(url: str, *, connection: str) -> Profile:
    """The engine profile a (possibly templated) URL selects, as :func:`parse_url` finds it;
    without SQLAlchemy for a URL with no host and no credentials."""
    parts = plain_parts(interpolate(url, connection=connection))
    if parts is None:
        return parse_url(url, connection=connection)[1]
    name, _, query = parts
    try:
        profile = profile_for_scheme(name)
        if "engine_version" in query:
            profile = profile.at_version(query["engine_version"])
    except ConnectionConfigError as err:
        raise ConnectionConfigError(f"connection {connection!r}: {err}") from None
    return profile


def parse_url(url: str, *, connection: str) -> tuple[URL, Profile]:
    """Parse a (possibly templated) SQLAlchemy URL; return it and its engine's profile."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

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


def database_file(url: str) -> str | None:
    """The file a ``duckdb:///`` or ``sqlite:///`` URL names (``None`` for ``:memory:``,
    templated paths and server URLs)."""
    if "${" in url:
        return None
    parts = plain_parts(url)
    if parts is not None:
        drivername, database = parts[0], parts[1]
    else:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            return None
        drivername, database = parsed.drivername, parsed.database or ""
    if drivername.split("+")[0] not in ("duckdb", "sqlite"):
        return None
    if not database or database.startswith(":") or database.startswith("md:"):
        return None
    return database


def require_database_file(name: str, url: str, *, reading: str = "") -> None:
    """Refuse a ``duckdb:///`` file that does not exist: DuckDB would silently create an empty
    database, and the table reads then fail far from the cause.  ``reading`` says who needs
    it (for the message)."""
    path = database_file(url)
    if path is None or os.path.exists(path):
        return
    who = f" ({reading})" if reading else ""
    raise ConnectionConfigError(
        f"connection {name!r}: the database file {path!r} does not exist{who}; create it "
        f"first, or point the connection at an existing file (-c {name}=duckdb:///PATH)",
        connection=name,
    )
