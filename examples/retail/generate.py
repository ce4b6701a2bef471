"""Generate the retail demo's data: a DuckDB file standing in for the warehouse (orders,
customers) and a local Parquet lookup of regions.  Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

REGIONS = [
    ("NE", "North East", "US"),
    ("SE", "South East", "US"),
    ("MW", "Mid West", "US"),
    ("WC", "West Coast", "US"),
    ("ON", "Ontario", "CA"),
    ("QC", "Quebec", "CA"),
    ("BY", "Bavaria", "DE"),
    ("IDF", "Ile-de-France", "FR"),
]
STATUSES = ["completed"] * 8 + ["cancelled", "returned"]


def generate(
    folder: Path, *, orders: int = 50_000, customers: int = 2_000, seed: int = 7
) -> tuple[Path, Path]:
    """Write ``retail.db`` and ``regions.parquet`` into ``folder``; return their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    db_path, regions_path = folder / "retail.db", folder / "regions.parquet"
    start = dt.date(2025, 1, 1)
    customer_table = pa.table(
        {
            "customer_id": pa.array(range(1, customers + 1), pa.int64()),
            "name": [f"Customer {i:05d}" for i in range(1, customers + 1)],
            "region_code": [rng.choice(REGIONS)[0] for _ in range(customers)],
            "signup_date": [
                start - dt.timedelta(days=rng.randrange(0, 900)) for _ in range(customers)
            ],
        }
    )
    order_table = pa.table(
        {
            "order_id": pa.array(range(1, orders + 1), pa.int64()),
            "customer_id": pa.array(
                [rng.randrange(1, customers + 1) for _ in range(orders)], pa.int64()
            ),
            "order_date": [start + dt.timedelta(days=rng.randrange(0, 365)) for _ in range(orders)],
            "status": [rng.choice(STATUSES) for _ in range(orders)],
            "amount": pa.array(
                [round(rng.lognormvariate(3.5, 0.8), 2) for _ in range(orders)], pa.float64()
            ),
            "discount": pa.array(
                [rng.choice([0.0, 0.0, 0.05, 0.1, 0.2]) for _ in range(orders)], pa.float64()
            ),
        }
    )
    region_table = pa.table(
        {
            "region_code": [r[0] for r in REGIONS],
            "region_name": [r[1] for r in REGIONS],
            "country": [r[2] for r in REGIONS],
        }
    )
    if db_path.exists():
        db_path.unlink()
    con = duckdb.connect(str(db_path))
    try:
        con.register("customer_src", customer_table)
        con.register("order_src", order_table)
        con.execute("CREATE TABLE customers AS SELECT * FROM customer_src")
        con.execute("CREATE TABLE orders AS SELECT * FROM order_src")
    finally:
        con.close()
    pq.write_table(region_table, regions_path)
    return db_path, regions_path


if __name__ == "__main__":
    db, regions = generate(Path(__file__).resolve().parents[1] / "data")
    print(f"wrote {db} and {regions}")
