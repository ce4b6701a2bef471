"""Where ``plan()`` gets what it knows of its sources: the tables whose schemas it reads, and
statistics per source (the user's, the engines' through the cache of
:mod:`pushdown.planner.gather`, a file's footer or size, or none: the defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from pushdown.errors import FlowError, PushdownError
from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.planner.disk_cache import DiskCache
from pushdown.planner.gather import (
    CACHE,
    Budget,
    Mode,
    StatsSource,
    cache_key,
    cacheable,
    gather,
    statistic_columns,
)
from pushdown.planner.stats import type_width
from pushdown.recipe import spec as s
from pushdown.recipe.flow import Flow
from pushdown.statistics import TableStats


def schema_tables(spec: s.FlowSpec, stored: bool) -> dict[str, list[str]]:
    """Per connection the tables whose schemas planning reads: those of datasets declaring
    no columns, and with ``stored`` (engine statistics) those declaring them too."""
    tables: dict[str, list[str]] = {}
    for ds in spec.datasets:
        if ds.connection is not None and ds.table is not None and (stored or not ds.columns):
            tables.setdefault(ds.connection, []).append(ds.table)
    return tables


def file_stats(path: str, schema: pa.Schema) -> TableStats:
    p = Path(path)
    if p.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq  # here: planning a flow without Parquet files skips it

        meta = pq.ParquetFile(p).metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return TableStats(rows=float(meta.num_rows), bytes=float(size), source="file footer")
    width = sum(type_width(f.type) for f in schema) or 1.0
    size = float(p.stat().st_size)
    return TableStats(rows=size / width, bytes=size, source="file size")


def source_stats(
    flow: Flow,
    logical: LogicalPlan,
    given: Mapping[str, TableStats],
    connector: Any,
    notes: dict[str, str],
    mode: Mode = "cached",
    urls: Mapping[str, str] | None = None,
    connect_args: Mapping[str, Mapping[str, Any]] | None = None,
    budget: Budget | None = None,
    disk: DiskCache | None = None,
) -> dict[str, TableStats | None]:
    """Statistics per source: the user's, the engine's (tiered and cached: see
    :mod:`pushdown.planner.gather`; within ``budget`` when given), the file's, or none
    (defaults)."""
    result: dict[str, TableStats | None] = {}
    wanted: dict[str, tuple[str, str, set[str]]] = {}
    columns = statistic_columns(logical)
    for name, node in logical.nodes.items():
        if not isinstance(node, n.Source):
            continue
        if name in given:
            result[name] = given[name]
        elif node.path is not None and node.path.startswith("memory:"):
            table = flow.tables[name]
            result[name] = TableStats(
                rows=float(table.num_rows), bytes=float(table.nbytes), source="in-memory table"
            )
        elif node.path is not None:
            try:
                result[name] = file_stats(node.path, node.schema)
            except (OSError, pa.ArrowException) as err:
                raise FlowError(f"cannot read {node.path!r}: {err}", dataset=name) from None
        elif connector is None:
            notes[name] = "default statistics: engine statistics were not requested"
            result[name] = None
        else:
            assert node.table is not None and node.connection is not None
            wanted[name] = (node.connection, node.table, columns.get(name, set()))
    if not wanted:
        return result

    def source(conn: str) -> StatsSource:
        # The connection opens on first use, inside gather's error handling: a connection
        # that cannot open leaves its tables on the defaults, with a note saying why.
        url = (urls or {}).get(conn, conn)
        return StatsSource(
            cache_key(url, (connect_args or {}).get(conn)),
            lambda tables: connector(conn).catalog_rows(tables),
            lambda table, cols, rows: connector(conn).table_stats(table, cols, rows),
            cacheable=cacheable(url),
        )

    keys = {
        cache_key(url, (connect_args or {}).get(conn))
        for conn, url in (urls or {}).items()
        if cacheable(url) and any(w[0] == conn for w in wanted.values())
    }
    if disk is not None and mode == "cached":
        for key in keys:
            disk.load(key, CACHE)
    gathered = gather(wanted, source, mode, budget=budget)
    if disk is not None:
        for key in keys:
            disk.save(key, CACHE)
    for name, got in gathered.items():
        if isinstance(got, PushdownError):
            first = str(got).splitlines()[0]
            notes[name] = f"default statistics: {wanted[name][0]} gave none ({first})"
            result[name] = None
        else:
            result[name] = got
            if budget is not None and name in budget.skipped:
                notes[name] = (
                    f"default column statistics: the statistics budget of {budget.seconds:g} s "
                    f"was spent (rows from the catalog)"
                )
    return result
