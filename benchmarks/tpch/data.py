"""A small, deterministic TPC-H-shaped data generator (offline; same schema and value domains
as dbgen for the columns the queries read; not dbgen's exact distributions)."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
NATIONS = [
    ("ALGERIA", 0),
    ("ARGENTINA", 1),
    ("BRAZIL", 1),
    ("CANADA", 1),
    ("EGYPT", 4),
    ("ETHIOPIA", 0),
    ("FRANCE", 3),
    ("GERMANY", 3),
    ("INDIA", 2),
    ("INDONESIA", 2),
    ("IRAN", 4),
    ("IRAQ", 4),
    ("JAPAN", 2),
    ("JORDAN", 4),
    ("KENYA", 0),
    ("MOROCCO", 0),
    ("MOZAMBIQUE", 0),
    ("PERU", 1),
    ("CHINA", 2),
    ("ROMANIA", 3),
    ("SAUDI ARABIA", 4),
    ("VIETNAM", 2),
    ("RUSSIA", 3),
    ("UNITED KINGDOM", 3),
    ("UNITED STATES", 1),
]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
SHIPMODES = ["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"]
TYPES = [
    "STANDARD ANODIZED TIN",
    "PROMO BURNISHED COPPER",
    "ECONOMY PLATED STEEL",
    "PROMO POLISHED BRASS",
    "MEDIUM BRUSHED NICKEL",
    "LARGE PLATED COPPER",
]
START, END = dt.date(1992, 1, 1), dt.date(1998, 8, 2)
CURRENT = dt.date(1995, 6, 17)


def generate(scale: float = 0.002, seed: int = 1) -> dict[str, pa.Table]:
    """All eight TPC-H tables at roughly ``scale`` (1.0 is about 6 million line items)."""
    rng = random.Random(seed)
    n_cust, n_supp = max(30, int(150_000 * scale)), max(10, int(10_000 * scale))
    n_part, n_orders = max(40, int(200_000 * scale)), max(300, int(1_500_000 * scale))
    money = lambda lo, hi: round(rng.uniform(lo, hi), 2)  # noqa: E731
    tables: dict[str, pa.Table] = {
        "region": pa.table(
            {
                "r_regionkey": pa.array(range(5), pa.int64()),
                "r_name": REGIONS,
                "r_comment": [f"region {r.lower()}" for r in REGIONS],
            }
        ),
        "nation": pa.table(
            {
                "n_nationkey": pa.array(range(25), pa.int64()),
                "n_name": [n for n, _ in NATIONS],
                "n_regionkey": pa.array([r for _, r in NATIONS], pa.int64()),
                "n_comment": [f"nation {n.lower()}" for n, _ in NATIONS],
            }
        ),
        "supplier": pa.table(
            {
                "s_suppkey": pa.array(range(1, n_supp + 1), pa.int64()),
                "s_name": [f"Supplier#{i:09d}" for i in range(1, n_supp + 1)],
                "s_address": [f"addr {i}" for i in range(1, n_supp + 1)],
                "s_nationkey": pa.array([rng.randrange(25) for _ in range(n_supp)], pa.int64()),
                "s_phone": [
                    f"{rng.randrange(10, 35)}-{rng.randrange(100, 999)}-{i:04d}"
                    for i in range(n_supp)
                ],
                "s_acctbal": [money(-999.99, 9999.99) for _ in range(n_supp)],
                "s_comment": ["reliable" for _ in range(n_supp)],
            }
        ),
        "customer": pa.table(
            {
                "c_custkey": pa.array(range(1, n_cust + 1), pa.int64()),
                "c_name": [f"Customer#{i:09d}" for i in range(1, n_cust + 1)],
                "c_address": [f"street {i}" for i in range(1, n_cust + 1)],
                "c_nationkey": pa.array([rng.randrange(25) for _ in range(n_cust)], pa.int64()),
                "c_phone": [
                    f"{rng.randrange(10, 35)}-{rng.randrange(100, 999)}-{i:04d}"
                    for i in range(n_cust)
                ],
                "c_acctbal": [money(-999.99, 9999.99) for _ in range(n_cust)],
                "c_mktsegment": [rng.choice(SEGMENTS) for _ in range(n_cust)],
                "c_comment": [f"comment {i % 97}" for i in range(n_cust)],
            }
        ),
        "part": pa.table(
            {
                "p_partkey": pa.array(range(1, n_part + 1), pa.int64()),
                "p_name": [f"part {i}" for i in range(1, n_part + 1)],
                "p_type": [rng.choice(TYPES) for _ in range(n_part)],
                "p_size": pa.array([rng.randrange(1, 51) for _ in range(n_part)], pa.int32()),
                "p_retailprice": [money(900, 2000) for _ in range(n_part)],
            }
        ),
    }
    orders: dict[str, list[object]] = {
        k: []
        for k in (
            "o_orderkey",
            "o_custkey",
            "o_orderstatus",
            "o_totalprice",
            "o_orderdate",
            "o_orderpriority",
            "o_shippriority",
            "o_comment",
        )
    }
    items: dict[str, list[object]] = {
        k: []
        for k in (
            "l_orderkey",
            "l_partkey",
            "l_suppkey",
            "l_linenumber",
            "l_quantity",
            "l_extendedprice",
            "l_discount",
            "l_tax",
            "l_returnflag",
            "l_linestatus",
            "l_shipdate",
            "l_commitdate",
            "l_receiptdate",
            "l_shipinstruct",
            "l_shipmode",
        )
    }
    span = (END - START).days - 151
    buyers = [c for c in range(1, n_cust + 1) if c % 3]  # as in dbgen: every third never orders
    for key in range(1, n_orders + 1):
        odate = START + dt.timedelta(days=rng.randrange(span))
        total = 0.0
        for line in range(1, rng.randrange(1, 8) + 1):
            qty = float(rng.randrange(1, 51))
            price = round(qty * rng.uniform(900, 2000), 2)
            ship = odate + dt.timedelta(days=rng.randrange(1, 122))
            commit = odate + dt.timedelta(days=rng.randrange(30, 91))
            receipt = ship + dt.timedelta(days=rng.randrange(1, 31))
            items["l_orderkey"].append(key)
            items["l_partkey"].append(rng.randrange(1, n_part + 1))
            items["l_suppkey"].append(rng.randrange(1, n_supp + 1))
            items["l_linenumber"].append(line)
            items["l_quantity"].append(qty)
            items["l_extendedprice"].append(price)
            items["l_discount"].append(rng.randrange(0, 11) / 100)
            items["l_tax"].append(rng.randrange(0, 9) / 100)
            items["l_returnflag"].append(rng.choice("RA") if receipt <= CURRENT else "N")
            items["l_linestatus"].append("F" if ship <= CURRENT else "O")
            items["l_shipdate"].append(ship)
            items["l_commitdate"].append(commit)
            items["l_receiptdate"].append(receipt)
            items["l_shipinstruct"].append(rng.choice(["DELIVER IN PERSON", "NONE"]))
            items["l_shipmode"].append(rng.choice(SHIPMODES))
            total += price
        orders["o_orderkey"].append(key)
        orders["o_custkey"].append(rng.choice(buyers))
        orders["o_orderstatus"].append(rng.choice("OFP"))
        orders["o_totalprice"].append(round(total, 2))
        orders["o_orderdate"].append(odate)
        orders["o_orderpriority"].append(rng.choice(PRIORITIES))
        orders["o_shippriority"].append(0)
        orders["o_comment"].append(f"order {key % 13}")
    int64 = {"o_orderkey", "o_custkey", "l_orderkey", "l_partkey", "l_suppkey"}
    int32 = {"o_shippriority", "l_linenumber"}

    def build(columns: dict[str, list[object]]) -> pa.Table:
        return pa.table(
            {
                name: pa.array(
                    values, pa.int64() if name in int64 else pa.int32() if name in int32 else None
                )
                for name, values in columns.items()
            }
        )

    tables["orders"] = build(orders)
    tables["lineitem"] = build(items)
    return tables
