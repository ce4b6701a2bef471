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
from pushdown.engines import open_connector


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


def _rows_to_arrow(cursor: Any) -> pa.Table:
    names = [d[0] for d in cursor.description]
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in cursor.fetchall()])


def duckdb_figures(rows: int) -> dict[str, float]:
    """DuckDB: native Arrow vs DB-API rows; CTAS over Arrow vs executemany INSERT."""
    conn = open_connector("duck", "duckdb:///:memory:")
    data = _data(rows)
    conn.upload("t", data)
    sql = select_all("t", dialect="duckdb")
    con: Any = conn.con  # type: ignore[attr-defined]
    arrow = _rate(rows, lambda: conn.fetch_arrow(sql))
    dbapi = _rate(rows, lambda: _rows_to_arrow(con.execute(sql)))
    small = data.slice(0, min(rows, 20_000))
    bulk = _rate(small.num_rows, lambda: conn.upload("u", small))
    con.execute("CREATE TABLE v (id BIGINT, amount DOUBLE, label VARCHAR)")
    values = [tuple(r.values()) for r in small.to_pylist()]
    inserts = _rate(
        small.num_rows, lambda: con.executemany("INSERT INTO v VALUES (?, ?, ?)", values)
    )
    conn.close()
    return {
        "fetch arrow": arrow,
        "fetch rows": dbapi,
        "upload bulk": bulk,
        "upload inserts": inserts,
    }


def snowflake_figures(rows: int) -> dict[str, float] | None:
    """Snowflake (fakesnow stand-in): Arrow result batches vs rows; PUT+COPY vs INSERTs."""
    address = os.environ.get("PUSHDOWN_STANDIN_SNOWFLAKE")
    if not address:
        return None
    import snowflake.connector

    host, port = address.rsplit(":", 1)
    args = {
        "host": host,
        "port": int(port),
        "protocol": "http",
        "network_timeout": 5,
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
    }
    with snowflake.connector.connect(
        user="fake", password="snow", account="fakesnow", **args
    ) as con:
        con.cursor().execute("CREATE DATABASE IF NOT EXISTS BENCH")
        con.cursor().execute("CREATE SCHEMA IF NOT EXISTS BENCH.S")
    conn = open_connector("sf", "snowflake://fake:snow@fakesnow/BENCH/S", args)
    data = _data(rows)
    small = data.slice(0, min(rows, 2_000))
    bulk = _rate(small.num_rows, lambda: conn.upload("t_small", small))
    conn.upload("t", data)
    sql = select_all("t", dialect="snowflake")
    raw: Any = conn.con  # type: ignore[attr-defined]
    arrow = _rate(rows, lambda: conn.fetch_arrow(sql))

    def row_fetch() -> None:
        cursor = raw.cursor()
        cursor.execute(sql)
        _rows_to_arrow(cursor)

    dbapi = _rate(rows, row_fetch)
    cursor = raw.cursor()
    cursor.execute('CREATE OR REPLACE TABLE "v" ("id" BIGINT, "amount" DOUBLE, "label" VARCHAR)')
    values = [tuple(r.values()) for r in small.to_pylist()]
    inserts = _rate(
        small.num_rows, lambda: cursor.executemany('INSERT INTO "v" VALUES (%s, %s, %s)', values)
    )
    conn.close()
    return {
        "fetch arrow": arrow,
        "fetch rows": dbapi,
        "upload bulk": bulk,
        "upload inserts": inserts,
    }


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
