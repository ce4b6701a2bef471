"""Benchmark targets: where a suite's tables live and how to reach them.

``duckdb`` is a DuckDB file built from the generated Parquet, ``local`` is Arrow tables in
memory run by the local engine, ``spark`` an in-process Spark session reading the Parquet;
any other name (``snowflake``, ``bigquery``, ``hive``, ``databricks``, ...) is a connection URL
given by ``connections={name: url}`` or the variable ``PUSHDOWN_BENCH_<NAME>_URL``, loaded
through the engine's connector when its tables are missing."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from pushdown.bench.tpch.data import TABLES, duckdb_file, generate, parquet_dir, table_rows
from pushdown.compilers.sql import table_ref
from pushdown.engines import Connector, open_connector
from pushdown.errors import PushdownError, redact

LOCAL = "local"
BUILT_IN = {"duckdb", LOCAL, "spark"}


class UnreachableEngine(PushdownError):
    """A benchmark target that cannot be used; the run reports it and goes on."""


@dataclass
class Target:
    """One engine of a benchmark run, with its data loaded."""

    name: str
    url: str | None  # None: local Arrow tables
    connector: Connector | None = None
    tables: dict[str, pa.Table] = field(default_factory=dict)  # local only
    connect_args: dict[str, Any] = field(default_factory=dict)  # driver arguments

    @property
    def dialect(self) -> str:
        """The SQL dialect the engine speaks (``duckdb`` for local execution)."""
        return self.connector.dialect if self.connector is not None else "duckdb"

    def close(self) -> None:
        """Close the connection (Spark's shared session stays up)."""
        if self.connector is not None:
            self.connector.close()


def url_for(
    name: str, scale: float, connections: Mapping[str, str], tables: tuple[str, ...] = TABLES
) -> str | None:
    """The connection URL of target ``name`` (None for local execution)."""
    if name in connections:
        return connections[name]
    if name == LOCAL:
        return None
    if name == "duckdb":
        return f"duckdb:///{duckdb_file(scale, tables=tables)}"
    if name == "spark":
        return "spark://local[2]"
    variable = f"PUSHDOWN_BENCH_{name.upper()}_URL"
    if variable in os.environ:
        return os.environ[variable]
    raise UnreachableEngine(
        f"no connection for engine {name!r}: set {variable} or pass connections={{{name!r}: url}}"
        f" (--connection {name}=URL); built in: {', '.join(sorted(BUILT_IN))}"
    )


def _count(connector: Connector, table: str) -> int | None:
    """Rows of ``table``, or None when the engine has no such table."""
    query = exp.select(exp.Count(this=exp.Star())).from_(
        table_ref(table, dialect=connector.dialect)
    )
    try:
        result = connector.fetch_arrow(query.sql(dialect=connector.dialect))
    except PushdownError:
        return None
    return int(result.column(0)[0].as_py())


def _load(connector: Connector, scale: float, tables: tuple[str, ...] = TABLES) -> None:
    """Make ``tables`` at ``scale`` present on the engine (kept between runs)."""
    folder, expected = parquet_dir(scale), table_rows(scale)
    for table in tables:
        if _count(connector, table) != expected[table]:
            connector.load_parquet(table, str(folder / f"{table}.parquet"))


def open_target(
    name: str,
    scale: float,
    connections: Mapping[str, str],
    tables: tuple[str, ...] = TABLES,
    connect_args: Mapping[str, Any] | None = None,
) -> Target:
    """Connect to ``name`` and load ``tables`` at ``scale`` where they are missing;
    :class:`UnreachableEngine` (with the reason, credentials redacted) when that fails."""
    url = url_for(name, scale, connections, tables)
    if url is None:
        return Target(name, None, tables=generate(scale))
    try:
        connector = open_connector(name, url, connect_args)
        connector.fetch_arrow(sqlglot.select("1").sql(dialect=connector.dialect))
    except PushdownError as err:
        raise UnreachableEngine(f"engine {name!r} is unreachable: {redact(str(err))}") from None
    try:
        _load(connector, scale, tables)
    except PushdownError as err:
        connector.close()
        raise UnreachableEngine(f"cannot load TPC-H into {name!r}: {redact(str(err))}") from None
    return Target(name, url, connector, connect_args=dict(connect_args or {}))
