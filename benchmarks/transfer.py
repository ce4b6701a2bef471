"""Transfer paths: Arrow fetch vs row-by-row DB-API fetch, bulk upload vs row inserts.

    python -m benchmarks transfer [--rows 200000]

DuckDB always; Snowflake and BigQuery when their stand-ins run (``source
tests/standins/start.sh``).  Each figure is rows per second in this process; the ratio is the
fast path over the row path for the same result.  The stand-ins serve results from DuckDB
through their own HTTP layers, so their absolute numbers say little about real warehouses; the
ratios show what the client-side conversion costs.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from pushdown.compilers.ddl import select_all
from pushdown.engines import Connector, open_connector


def _data(rows: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "amount": pa.array([i * 0.5 for i in range(rows)], pa.float64()),
            "label": pa.array([f"row {i % 1000}" for i in range(rows)]),
        }
    )


def _rate(rows: int, fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return rows / (time.perf_counter() - start)


def figures(
    conn: Connector, rows: int, upload_rows: int, insert: Callable[[Any], None]
) -> dict[str, float]:
    """Rows/s of the connector's Arrow fetch and DB-API rows (``fetch_rows``, made Arrow) for
    the same result, and of its bulk upload and ``insert`` (row inserts of ``values``)."""
    data = _data(rows)
    small = data.slice(0, min(rows, upload_rows))
    bulk = _rate(small.num_rows, lambda: conn.upload("t_small", small))
    conn.upload("t", data)
    sql = select_all("t", dialect=conn.dialect)
    arrow = _rate(rows, lambda: conn.fetch_arrow(sql))

    def row_fetch() -> pa.Table:
        fetched = conn.fetch_rows(sql)
        return pa.table([pa.array(c) for c in zip(*fetched, strict=True)], names=data.column_names)

    dbapi = _rate(rows, row_fetch)
    values = [tuple(r.values()) for r in small.to_pylist()]
    inserts = _rate(small.num_rows, lambda: insert(values))
    conn.close()
    return {
        "fetch arrow": arrow,
        "fetch rows": dbapi,
        "upload bulk": bulk,
        "upload inserts": inserts,
    }


def duckdb_figures(rows: int) -> dict[str, float]:
    """DuckDB: native Arrow vs DB-API rows; CTAS over Arrow vs executemany INSERT."""
    conn = open_connector("duck", "duckdb:///:memory:")
    con: Any = conn.con  # type: ignore[attr-defined]
    con.execute("CREATE TABLE v (id BIGINT, amount DOUBLE, label VARCHAR)")
    return figures(
        conn, rows, 20_000, lambda values: con.executemany("INSERT INTO v VALUES (?, ?, ?)", values)
    )


def snowflake_figures(rows: int) -> dict[str, float] | None:
    """Snowflake (fakesnow stand-in): Arrow result batches vs rows; PUT+COPY vs INSERTs."""
    address = os.environ.get("PUSHDOWN_STANDIN_SNOWFLAKE")
    if not address:
        return None
    from tests.integration.conftest import prepare_standin, snowflake_standin

    target = snowflake_standin(address)
    prepare_standin("snowflake", target)
    conn = open_connector("sf", target.url, target.connect_args)
    cursor = conn.con.cursor()  # type: ignore[attr-defined]
    cursor.execute('CREATE OR REPLACE TABLE "v" ("id" BIGINT, "amount" DOUBLE, "label" VARCHAR)')
    return figures(
        conn,
        rows,
        2_000,
        lambda values: cursor.executemany('INSERT INTO "v" VALUES (%s, %s, %s)', values),
    )


def main(argv: list[str] | None = None) -> None:
    """Print rows/s per engine and path, and the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args(argv)
    results = {"duckdb": duckdb_figures(args.rows)}
    sf = snowflake_figures(args.rows)
    if sf is not None:
        results["snowflake (fakesnow)"] = sf
    print(f"rows: {args.rows:,} (uploads: up to 20,000 on DuckDB, 2,000 on Snowflake)\n")
    print(
        "| engine | Arrow fetch (rows/s) | row fetch (rows/s) | ratio | bulk upload (rows/s) "
        "| row inserts (rows/s) | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for engine, f in results.items():
        print(
            f"| {engine} | {f['fetch arrow']:,.0f} | {f['fetch rows']:,.0f} | "
            f"{f['fetch arrow'] / f['fetch rows']:.1f}x | {f['upload bulk']:,.0f} | "
            f"{f['upload inserts']:,.0f} | {f['upload bulk'] / f['upload inserts']:.1f}x |"
        )


if __name__ == "__main__":
    main()
