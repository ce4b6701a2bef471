"""TPC-H queries written as flows: recipes, not raw SQL.

>>> flow = tpch_flow("q6", connection_url="duckdb:///:memory:")
>>> [r.type for r in flow.spec.recipes]
['filter', 'group']
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

import pushdown
from pushdown import Dataset, Flow

TABLES = ("region", "nation", "supplier", "customer", "part", "orders", "lineitem")
DISC_PRICE = "l_extendedprice * (1 - l_discount)"


def q1(flow: Flow, t: dict[str, Dataset]) -> None:
    """Pricing summary report."""
    shipped = t["lineitem"].filter("l_shipdate <= CAST('1998-09-02' AS DATE)", name="shipped")
    priced = shipped.compute(disc_price=DISC_PRICE, name="priced")
    summary = priced.group(
        ["l_returnflag", "l_linestatus"],
        {
            "sum_qty": "sum(l_quantity)",
            "sum_base_price": "sum(l_extendedprice)",
            "sum_disc_price": "sum(disc_price)",
            "sum_charge": "sum(disc_price * (1 + l_tax))",
            "avg_qty": "avg(l_quantity)",
            "avg_price": "avg(l_extendedprice)",
            "avg_disc": "avg(l_discount)",
            "count_order": "count(*)",
        },
        name="summary",
    )
    summary.sort("l_returnflag", "l_linestatus", name="result")


def q3(flow: Flow, t: dict[str, Dataset]) -> None:
    """Shipping priority."""
    building = t["customer"].filter("c_mktsegment = 'BUILDING'", name="building")
    early = t["orders"].filter("o_orderdate < CAST('1995-03-15' AS DATE)", name="early_orders")
    late = t["lineitem"].filter("l_shipdate > CAST('1995-03-15' AS DATE)", name="late_items")
    co = building.join(early, on={"c_custkey": "o_custkey"}, name="cust_orders")
    col = co.join(late, on={"o_orderkey": "l_orderkey"}, name="cust_order_items")
    rev = col.group(
        ["o_orderkey", "o_orderdate", "o_shippriority"],
        {"revenue": f"sum({DISC_PRICE})"},
        name="revenue",
    )
    top = rev.top_n(10, ["revenue DESC", "o_orderdate"], name="top")
    top.prepare(
        [
            {"rename": {"o_orderkey": "l_orderkey"}},
            {"keep": ["l_orderkey", "revenue", "o_orderdate", "o_shippriority"]},
        ],
        name="result",
    )


def q5(flow: Flow, t: dict[str, Dataset]) -> None:
    """Local supplier volume."""
    asia = t["region"].filter("r_name = 'ASIA'", name="asia")
    nations = t["nation"].join(
        asia, on={"n_regionkey": "r_regionkey"}, how="semi", name="asian_nations"
    )
    year = t["orders"].filter(
        "o_orderdate >= CAST('1994-01-01' AS DATE) AND o_orderdate < CAST('1995-01-01' AS DATE)",
        name="orders_1994",
    )
    co = t["customer"].join(year, on={"c_custkey": "o_custkey"}, name="cust_orders")
    col = co.join(t["lineitem"], on={"o_orderkey": "l_orderkey"}, name="cust_order_items")
    cols = col.join(
        t["supplier"],
        on={"l_suppkey": "s_suppkey", "c_nationkey": "s_nationkey"},
        name="with_supplier",
    )
    coln = cols.join(nations, on={"s_nationkey": "n_nationkey"}, name="with_nation")
    rev = coln.group(["n_name"], {"revenue": f"sum({DISC_PRICE})"}, name="revenue")
    rev.sort("revenue DESC", name="result")


def q6(flow: Flow, t: dict[str, Dataset]) -> None:
    """Forecasting revenue change."""
    items = t["lineitem"].filter(
        "l_shipdate >= CAST('1994-01-01' AS DATE) AND l_shipdate < CAST('1995-01-01' AS DATE) "
        "AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
        name="items",
    )
    items.group([], {"revenue": "sum(l_extendedprice * l_discount)"}, name="result")


def q10(flow: Flow, t: dict[str, Dataset]) -> None:
    """Returned item reporting."""
    quarter = t["orders"].filter(
        "o_orderdate >= CAST('1993-10-01' AS DATE) AND o_orderdate < CAST('1994-01-01' AS DATE)",
        name="quarter",
    )
    returned = t["lineitem"].filter("l_returnflag = 'R'", name="returned")
    co = t["customer"].join(quarter, on={"c_custkey": "o_custkey"}, name="cust_orders")
    col = co.join(returned, on={"o_orderkey": "l_orderkey"}, name="cust_order_items")
    coln = col.join(t["nation"], on={"c_nationkey": "n_nationkey"}, name="with_nation")
    rev = coln.group(
        ["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"],
        {"revenue": f"sum({DISC_PRICE})"},
        name="revenue",
    )
    top = rev.top_n(20, ["revenue DESC", "c_custkey"], name="top")
    top.prepare(
        [
            {
                "keep": [
                    "c_custkey",
                    "c_name",
                    "revenue",
                    "c_acctbal",
                    "n_name",
                    "c_address",
                    "c_phone",
                    "c_comment",
                ]
            }
        ],
        name="result",
    )


def q12(flow: Flow, t: dict[str, Dataset]) -> None:
    """Shipping modes and order priority."""
    items = t["lineitem"].filter(
        "l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate AND "
        "l_shipdate < l_commitdate AND l_receiptdate >= CAST('1994-01-01' AS DATE) AND "
        "l_receiptdate < CAST('1995-01-01' AS DATE)",
        name="items",
    )
    joined = t["orders"].join(items, on={"o_orderkey": "l_orderkey"}, name="joined")
    urgent = "o_orderpriority IN ('1-URGENT', '2-HIGH')"
    modes = joined.group(
        ["l_shipmode"],
        {
            "high_line_count": f"sum(CASE WHEN {urgent} THEN 1 ELSE 0 END)",
            "low_line_count": f"sum(CASE WHEN NOT {urgent} THEN 1 ELSE 0 END)",
        },
        name="modes",
    )
    modes.sort("l_shipmode", name="result")


def q4(flow: Flow, t: dict[str, Dataset]) -> None:
    """Order priority checking."""
    quarter = t["orders"].filter(
        "o_orderdate >= CAST('1993-07-01' AS DATE) AND o_orderdate < CAST('1993-10-01' AS DATE)",
        name="quarter",
    )
    late = t["lineitem"].filter("l_commitdate < l_receiptdate", name="late_items")
    with_late = quarter.join(late, on={"o_orderkey": "l_orderkey"}, how="semi", name="with_late")
    counts = with_late.group(["o_orderpriority"], {"order_count": "count(*)"}, name="counts")
    counts.sort("o_orderpriority", name="result")


def q13(flow: Flow, t: dict[str, Dataset]) -> None:
    """Customer distribution."""
    plain = t["orders"].filter("o_comment NOT LIKE '%special%requests%'", name="plain_orders")
    co = t["customer"].join(plain, on={"c_custkey": "o_custkey"}, how="left", name="cust_orders")
    per = co.group(["c_custkey"], {"c_count": "count(o_orderkey)"}, name="per_customer")
    dist = per.group(["c_count"], {"custdist": "count(*)"}, name="distribution")
    dist.sort("custdist DESC", "c_count DESC", name="result")


def q14(flow: Flow, t: dict[str, Dataset]) -> None:
    """Promotion effect."""
    month = t["lineitem"].filter(
        "l_shipdate >= CAST('1995-09-01' AS DATE) AND l_shipdate < CAST('1995-10-01' AS DATE)",
        name="month",
    )
    joined = month.join(t["part"], on={"l_partkey": "p_partkey"}, name="with_part")
    joined.group(
        [],
        {
            "promo_revenue": f"100.00 * sum(CASE WHEN p_type LIKE 'PROMO%' THEN {DISC_PRICE} "
            f"ELSE 0 END) / sum({DISC_PRICE})",
        },
        name="result",
    )


def q22(flow: Flow, t: dict[str, Dataset]) -> None:
    """Global sales opportunity."""
    codes = "('13', '31', '23', '29', '30', '18', '17')"
    coded = t["customer"].compute(cntrycode="substring(c_phone, 1, 2)", name="coded")
    in_codes = coded.filter(f"cntrycode IN {codes}", name="in_codes")
    positive = in_codes.filter("c_acctbal > 0.00", name="positive")
    average = positive.group([], {"avg_bal": "avg(c_acctbal)"}, name="average")
    rich = in_codes.join(average, how="cross", name="with_avg").filter(
        "c_acctbal > avg_bal", name="rich"
    )
    idle = rich.join(t["orders"], on={"c_custkey": "o_custkey"}, how="anti", name="idle")
    per = idle.group(
        ["cntrycode"], {"numcust": "count(*)", "totacctbal": "sum(c_acctbal)"}, name="per_code"
    )
    per.sort("cntrycode", name="result")


FLOWS: dict[str, Callable[[Flow, dict[str, Dataset]], None]] = {
    "q4": q4,
    "q13": q13,
    "q14": q14,
    "q22": q22,
    "q1": q1,
    "q3": q3,
    "q5": q5,
    "q6": q6,
    "q10": q10,
    "q12": q12,
}


def tpch_flow(
    query: str,
    *,
    connection_url: str | None = None,
    data: dict[str, pa.Table] | None = None,
    schemas: dict[str, pa.Schema] | None = None,
) -> Flow:
    """The flow for ``query``: tables on connection ``tpch`` (``connection_url``), or local
    Arrow tables (``data``).  ``schemas`` declares the tables' columns (else they are read)."""
    flow = pushdown.Flow()
    if connection_url is not None:
        flow.connection("tpch", connection_url)
    datasets = {}
    for name in TABLES:
        if data is not None:
            datasets[name] = flow.dataset(name, data=data[name])
        else:
            columns = None
            if schemas is not None:
                from pushdown.types import sql_type_name

                columns = {f.name: sql_type_name(f.type, "duckdb") for f in schemas[name]}
            datasets[name] = flow.dataset(name, connection="tpch", table=name, columns=columns)
    FLOWS[query](flow, datasets)
    return flow
