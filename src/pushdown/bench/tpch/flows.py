"""TPC-H queries written as flows: recipes, not raw SQL.

>>> flow = tpch_flow("q6", connection_url="duckdb:///:memory:")
>>> [r.type for r in flow.spec.recipes]
['filter', 'group']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pyarrow as pa

import pushdown
from pushdown import Dataset, Flow

TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")
DISC_PRICE = "l_extendedprice * (1 - l_discount)"


def q1(flow: Flow, t: dict[str, Dataset]) -> None:
    """Pricing summary report."""
    shipped = t["lineitem"].filter("l_shipdate <= CAST('1998-09-02' AS DATE)", name="shipped")
    priced = shipped.compute({"disc_price": DISC_PRICE}, name="priced")
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
    coded = t["customer"].compute({"cntrycode": "substring(c_phone, 1, 2)"}, name="coded")
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


def _nations_in(t: dict[str, Dataset], region: str, name: str) -> Dataset:
    """The nations of ``region``."""
    chosen = t["region"].filter(f"r_name = '{region}'", name=f"{name}_region")
    return t["nation"].join(chosen, on={"n_regionkey": "r_regionkey"}, how="semi", name=name)


def _nation_named(t: dict[str, Dataset], nation: str, name: str) -> Dataset:
    """The one nation called ``nation``."""
    return t["nation"].filter(f"n_name = '{nation}'", name=name)


def q2(flow: Flow, t: dict[str, Dataset]) -> None:
    """Minimum cost supplier: the correlated MIN subquery becomes a window over the part."""
    europe = _nations_in(t, "EUROPE", "europe")
    suppliers = t["supplier"].join(europe, on={"s_nationkey": "n_nationkey"}, name="eu_suppliers")
    offers = t["partsupp"].join(suppliers, on={"ps_suppkey": "s_suppkey"}, name="eu_offers")
    brass = t["part"].filter("p_size = 15 AND p_type LIKE '%BRASS'", name="brass_parts")
    priced = brass.join(offers, on={"p_partkey": "ps_partkey"}, name="brass_offers")
    cheapest = priced.window(
        {"min_cost": "min(ps_supplycost)"}, partition_by=["p_partkey"], name="with_min_cost"
    ).filter("ps_supplycost = min_cost", name="cheapest")
    cols = ["s_acctbal", "s_name", "n_name", "p_partkey", "p_mfgr", "s_address", "s_phone"]
    top = cheapest.top_n(100, ["s_acctbal DESC", "n_name", "s_name", "p_partkey"], name="top")
    top.prepare([{"keep": [*cols, "s_comment"]}], name="result")


def q7(flow: Flow, t: dict[str, Dataset]) -> None:
    """Volume shipping between France and Germany."""
    pair = "n_name IN ('FRANCE', 'GERMANY')"
    supp_nation = (
        t["nation"]
        .filter(pair, name="supp_nations")
        .prepare(
            [
                {"rename": {"n_name": "supp_nation", "n_nationkey": "supp_nationkey"}},
                {"keep": ["supp_nation", "supp_nationkey"]},
            ],
            name="supp_nation",
        )
    )
    cust_nation = (
        t["nation"]
        .filter(pair, name="cust_nations")
        .prepare(
            [
                {"rename": {"n_name": "cust_nation", "n_nationkey": "cust_nationkey"}},
                {"keep": ["cust_nation", "cust_nationkey"]},
            ],
            name="cust_nation",
        )
    )
    items = t["lineitem"].filter(
        "l_shipdate BETWEEN CAST('1995-01-01' AS DATE) AND CAST('1996-12-31' AS DATE)",
        name="items",
    )
    supplied = items.join(t["supplier"], on={"l_suppkey": "s_suppkey"}, name="supplied")
    from_nation = supplied.join(
        supp_nation, on={"s_nationkey": "supp_nationkey"}, name="from_nation"
    )
    ordered = from_nation.join(t["orders"], on={"l_orderkey": "o_orderkey"}, name="ordered")
    customers = ordered.join(t["customer"], on={"o_custkey": "c_custkey"}, name="customers")
    to_nation = customers.join(
        cust_nation, on={"c_nationkey": "cust_nationkey"}, name="to_nation"
    ).filter("supp_nation <> cust_nation", name="across")
    shipping = to_nation.compute(
        {"l_year": "EXTRACT(YEAR FROM l_shipdate)", "volume": DISC_PRICE}, name="shipping"
    )
    revenue = shipping.group(
        ["supp_nation", "cust_nation", "l_year"], {"revenue": "sum(volume)"}, name="revenue"
    )
    revenue.sort("supp_nation", "cust_nation", "l_year", name="result")


def q8(flow: Flow, t: dict[str, Dataset]) -> None:
    """National market share of Brazil in America."""
    america = _nations_in(t, "AMERICA", "america")
    steel = t["part"].filter("p_type = 'ECONOMY ANODIZED STEEL'", name="steel_parts")
    years = t["orders"].filter(
        "o_orderdate BETWEEN CAST('1995-01-01' AS DATE) AND CAST('1996-12-31' AS DATE)",
        name="orders_95_96",
    )
    buyers = t["customer"].join(
        america, on={"c_nationkey": "n_nationkey"}, how="semi", name="american_customers"
    )
    american_orders = years.join(
        buyers, on={"o_custkey": "c_custkey"}, how="semi", name="american_orders"
    )
    items = t["lineitem"].join(steel, on={"l_partkey": "p_partkey"}, how="semi", name="steel_items")
    sold = items.join(american_orders, on={"l_orderkey": "o_orderkey"}, name="sold")
    supplied = sold.join(t["supplier"], on={"l_suppkey": "s_suppkey"}, name="supplied")
    by_nation = supplied.join(t["nation"], on={"s_nationkey": "n_nationkey"}, name="by_nation")
    volumes = by_nation.compute(
        {"o_year": "EXTRACT(YEAR FROM o_orderdate)", "volume": DISC_PRICE}, name="volumes"
    )
    share = volumes.group(
        ["o_year"],
        {"mkt_share": "sum(CASE WHEN n_name = 'BRAZIL' THEN volume ELSE 0 END) / sum(volume)"},
        name="share",
    )
    share.sort("o_year", name="result")


def q9(flow: Flow, t: dict[str, Dataset]) -> None:
    """Product type profit measure."""
    green = t["part"].filter("p_name LIKE '%green%'", name="green_parts")
    items = t["lineitem"].join(green, on={"l_partkey": "p_partkey"}, how="semi", name="green_items")
    costed = items.join(
        t["partsupp"], on={"l_partkey": "ps_partkey", "l_suppkey": "ps_suppkey"}, name="costed"
    )
    supplied = costed.join(t["supplier"], on={"l_suppkey": "s_suppkey"}, name="supplied")
    by_nation = supplied.join(t["nation"], on={"s_nationkey": "n_nationkey"}, name="by_nation")
    ordered = by_nation.join(t["orders"], on={"l_orderkey": "o_orderkey"}, name="ordered")
    profit = ordered.compute(
        {
            "nation": "n_name",
            "o_year": "EXTRACT(YEAR FROM o_orderdate)",
            "amount": f"{DISC_PRICE} - ps_supplycost * l_quantity",
        },
        name="profit",
    )
    sums = profit.group(["nation", "o_year"], {"sum_profit": "sum(amount)"}, name="sums")
    sums.sort("nation", "o_year DESC", name="result")


def q11(flow: Flow, t: dict[str, Dataset]) -> None:
    """Important stock identification: the scalar subquery becomes a one-row cross join."""
    germany = _nation_named(t, "GERMANY", "germany")
    suppliers = t["supplier"].join(
        germany, on={"s_nationkey": "n_nationkey"}, how="semi", name="german_suppliers"
    )
    stock = (
        t["partsupp"]
        .join(suppliers, on={"ps_suppkey": "s_suppkey"}, how="semi", name="german_stock")
        .compute({"stock_value": "ps_supplycost * ps_availqty"}, name="stock_values")
    )
    per_part = stock.group(["ps_partkey"], {"value": "sum(stock_value)"}, name="per_part")
    total = stock.group([], {"threshold": "sum(stock_value) * 0.0001"}, name="threshold")
    important = per_part.join(total, how="cross", name="with_threshold").filter(
        "value > threshold", name="important"
    )
    important.prepare([{"keep": ["ps_partkey", "value"]}], name="kept").sort(
        "value DESC", name="result"
    )


def q15(flow: Flow, t: dict[str, Dataset]) -> None:
    """Top supplier: the view is a step read twice."""
    quarter = t["lineitem"].filter(
        "l_shipdate >= CAST('1996-01-01' AS DATE) AND l_shipdate < CAST('1996-04-01' AS DATE)",
        name="quarter_items",
    )
    revenue = quarter.group(["l_suppkey"], {"total_revenue": f"sum({DISC_PRICE})"}, name="revenue0")
    best = revenue.group([], {"max_revenue": "max(total_revenue)"}, name="best")
    top = revenue.join(best, on={"total_revenue": "max_revenue"}, how="semi", name="top_revenue")
    named = t["supplier"].join(top, on={"s_suppkey": "l_suppkey"}, name="named")
    named.prepare(
        [{"keep": ["s_suppkey", "s_name", "s_address", "s_phone", "total_revenue"]}], name="kept"
    ).sort("s_suppkey", name="result")


def q16(flow: Flow, t: dict[str, Dataset]) -> None:
    """Parts/supplier relationship: NOT IN becomes an anti join (the keys are never null)."""
    parts = t["part"].filter(
        "p_brand <> 'Brand#45' AND p_type NOT LIKE 'MEDIUM POLISHED%' AND "
        "p_size IN (49, 14, 23, 45, 19, 3, 36, 9)",
        name="parts",
    )
    complaints = t["supplier"].filter("s_comment LIKE '%Customer%Complaints%'", name="complaints")
    offers = t["partsupp"].join(
        complaints, on={"ps_suppkey": "s_suppkey"}, how="anti", name="offers"
    )
    joined = offers.join(parts, on={"ps_partkey": "p_partkey"}, name="joined")
    counts = joined.group(
        ["p_brand", "p_type", "p_size"],
        {"supplier_cnt": "count(DISTINCT ps_suppkey)"},
        name="counts",
    )
    counts.sort("supplier_cnt DESC", "p_brand", "p_type", "p_size", name="result")


def q17(flow: Flow, t: dict[str, Dataset]) -> None:
    """Small-quantity-order revenue: the correlated AVG becomes a window over the part."""
    parts = t["part"].filter("p_brand = 'Brand#23' AND p_container = 'MED BOX'", name="parts")
    items = t["lineitem"].join(parts, on={"l_partkey": "p_partkey"}, how="semi", name="items")
    small = items.window(
        {"avg_qty": "avg(l_quantity)"}, partition_by=["l_partkey"], name="with_avg"
    ).filter("l_quantity < 0.2 * avg_qty", name="small")
    small.group([], {"avg_yearly": "sum(l_extendedprice) / 7.0"}, name="result")


def q18(flow: Flow, t: dict[str, Dataset]) -> None:
    """Large volume customer."""
    per_order = t["lineitem"].group(
        ["l_orderkey"], {"order_qty": "sum(l_quantity)"}, name="per_order"
    )
    large = per_order.filter("order_qty > 300", name="large")
    orders = t["orders"].join(large, on={"o_orderkey": "l_orderkey"}, how="semi", name="big")
    with_cust = orders.join(t["customer"], on={"o_custkey": "c_custkey"}, name="with_customer")
    with_items = with_cust.join(t["lineitem"], on={"o_orderkey": "l_orderkey"}, name="items")
    sums = with_items.group(
        ["c_name", "o_custkey", "o_orderkey", "o_orderdate", "o_totalprice"],
        {"sum_qty": "sum(l_quantity)"},
        name="sums",
    )
    sums.top_n(100, ["o_totalprice DESC", "o_orderdate", "o_orderkey"], name="top").prepare(
        [
            {"rename": {"o_custkey": "c_custkey"}},
            {
                "keep": [
                    "c_name",
                    "c_custkey",
                    "o_orderkey",
                    "o_orderdate",
                    "o_totalprice",
                    "sum_qty",
                ]
            },
        ],
        name="result",
    )


def q19(flow: Flow, t: dict[str, Dataset]) -> None:
    """Discounted revenue."""
    joined = (
        t["lineitem"]
        .filter(
            "l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON'",
            name="air_items",
        )
        .join(t["part"], on={"l_partkey": "p_partkey"}, name="with_part")
    )
    chosen = joined.filter(
        "(p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG') "
        "AND l_quantity BETWEEN 1 AND 11 AND p_size BETWEEN 1 AND 5) OR "
        "(p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK') "
        "AND l_quantity BETWEEN 10 AND 20 AND p_size BETWEEN 1 AND 10) OR "
        "(p_brand = 'Brand#34' AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG') "
        "AND l_quantity BETWEEN 20 AND 30 AND p_size BETWEEN 1 AND 15)",
        name="chosen",
    )
    chosen.group([], {"revenue": f"sum({DISC_PRICE})"}, name="result")


def q20(flow: Flow, t: dict[str, Dataset]) -> None:
    """Potential part promotion: the correlated SUM becomes a grouped join."""
    forest = t["part"].filter("p_name LIKE 'forest%'", name="forest_parts")
    offers = t["partsupp"].join(
        forest, on={"ps_partkey": "p_partkey"}, how="semi", name="forest_offers"
    )
    year = t["lineitem"].filter(
        "l_shipdate >= CAST('1994-01-01' AS DATE) AND l_shipdate < CAST('1995-01-01' AS DATE)",
        name="items_1994",
    )
    shipped = year.group(["l_partkey", "l_suppkey"], {"qty": "sum(l_quantity)"}, name="shipped")
    excess = offers.join(
        shipped, on={"ps_partkey": "l_partkey", "ps_suppkey": "l_suppkey"}, name="offer_qty"
    ).filter("ps_availqty > 0.5 * qty", name="excess")
    canada = _nation_named(t, "CANADA", "canada")
    suppliers = (
        t["supplier"]
        .join(excess, on={"s_suppkey": "ps_suppkey"}, how="semi", name="promising")
        .join(canada, on={"s_nationkey": "n_nationkey"}, how="semi", name="canadian")
    )
    suppliers.prepare([{"keep": ["s_name", "s_address"]}], name="kept").sort(
        "s_name", name="result"
    )


def q21(flow: Flow, t: dict[str, Dataset]) -> None:
    """Suppliers who kept orders waiting: EXISTS / NOT EXISTS on other suppliers of the same
    order are a semi and an anti join with a condition; the Saudi suppliers are joined first,
    which keeps one late line item in 25.  The one nation is an inner join, as in the official
    text: DuckDB estimates a semi join at a fixed fraction of its left side whatever its right
    side keeps, and so ordered the semi-joined suppliers after the anti join over 3.8 M late
    line items (3.1x the text; the inner join lets it join them first)."""
    saudi = _nation_named(t, "SAUDI ARABIA", "saudi")
    local = t["supplier"].join(saudi, on={"s_nationkey": "n_nationkey"}, name="saudi_suppliers")
    late = t["lineitem"].filter("l_receiptdate > l_commitdate", name="late")
    others = t["lineitem"].prepare(
        [{"rename": {"l_orderkey": "o2", "l_suppkey": "s2"}}, {"keep": ["o2", "s2"]}],
        name="other_items",
    )
    late_others = late.prepare(
        [{"rename": {"l_orderkey": "o3", "l_suppkey": "s3"}}, {"keep": ["o3", "s3"]}],
        name="other_late_items",
    )
    failed = t["orders"].filter("o_orderstatus = 'F'", name="failed_orders")
    waiting = (
        late.join(local, on={"l_suppkey": "s_suppkey"}, name="saudi_late")
        .join(failed, on={"l_orderkey": "o_orderkey"}, how="semi", name="late_failed")
        .join(others, how="semi", condition="l_orderkey = o2 AND l_suppkey <> s2", name="shared")
        .join(
            late_others,
            how="anti",
            condition="l_orderkey = o3 AND l_suppkey <> s3",
            name="waiting",
        )
    )
    counts = waiting.group(["s_name"], {"numwait": "count(*)"}, name="counts")
    counts.top_n(100, ["numwait DESC", "s_name"], name="result")


FLOWS: dict[str, Callable[[Flow, dict[str, Dataset]], None]] = {
    "q1": q1,
    "q2": q2,
    "q3": q3,
    "q4": q4,
    "q5": q5,
    "q6": q6,
    "q7": q7,
    "q8": q8,
    "q9": q9,
    "q10": q10,
    "q11": q11,
    "q12": q12,
    "q13": q13,
    "q14": q14,
    "q15": q15,
    "q16": q16,
    "q17": q17,
    "q18": q18,
    "q19": q19,
    "q20": q20,
    "q21": q21,
    "q22": q22,
}


def tpch_flow(
    query: str,
    *,
    connection_url: str | None = None,
    data: dict[str, pa.Table] | None = None,
    schemas: dict[str, pa.Schema] | None = None,
    homes: Mapping[str, str] | None = None,
    connections: Mapping[str, str] | None = None,
) -> Flow:
    """The flow for ``query``: tables on connection ``tpch`` (``connection_url``), or local
    Arrow tables (``data``), or spread over ``connections`` (name -> URL) with ``homes``
    naming each table's connection.  ``schemas`` declares the tables' columns (else they are
    read)."""
    flow = pushdown.Flow()
    if connection_url is not None:
        flow.connection("tpch", connection_url)
    for name, url in (connections or {}).items():
        flow.connection(name, url)
    datasets = {}
    for name in TABLES:
        if data is not None:
            datasets[name] = flow.dataset(name, data=data[name])
        else:
            columns = None
            if schemas is not None:
                from pushdown.types import sql_type_name

                columns = {f.name: sql_type_name(f.type, "duckdb") for f in schemas[name]}
            home = (homes or {}).get(name, "tpch")
            datasets[name] = flow.dataset(name, connection=home, table=name, columns=columns)
    FLOWS[query](flow, datasets)
    return flow
