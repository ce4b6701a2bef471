"""The 22 TPC-H queries as Ibis expressions: the peer of the planning benchmark (pushdown
planning and compiling a flow to every dialect vs Ibis compiling the same query to one).
Written for this benchmark from the query texts; checked against the official answers by
running them on Ibis's DuckDB backend in the tests.  Needs ``ibis-framework`` (bench extra)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa

Tables = Mapping[str, Any]


def ibis_tables(schemas: Mapping[str, pa.Schema]) -> dict[str, Any]:
    """Unbound Ibis tables with the TPC-H schemas."""
    import ibis

    return {
        name: ibis.table({f.name: _ibis_type(f.type) for f in schema}, name=name)
        for name, schema in schemas.items()
    }


def _ibis_type(t: pa.DataType) -> str:
    """Ibis's name for an Arrow type of the TPC-H tables."""
    if pa.types.is_decimal(t):
        return f"decimal({t.precision}, {t.scale})"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return str(t).replace("double", "float64")
    return "string"


def _d(text: str) -> Any:
    import ibis

    return ibis.date(text)


def _rev(t: Any) -> Any:
    return t.l_extendedprice * (1 - t.l_discount)


def q1(t: Tables) -> Any:
    li = t["lineitem"]
    q = li.filter(li.l_shipdate <= _d("1998-09-02"))
    disc = _rev(q)
    return (
        q.group_by(["l_returnflag", "l_linestatus"])
        .aggregate(
            sum_qty=q.l_quantity.sum(),
            sum_base_price=q.l_extendedprice.sum(),
            sum_disc_price=disc.sum(),
            sum_charge=(disc * (1 + q.l_tax)).sum(),
            avg_qty=q.l_quantity.mean(),
            avg_price=q.l_extendedprice.mean(),
            avg_disc=q.l_discount.mean(),
            count_order=q.count(),
        )
        .order_by(["l_returnflag", "l_linestatus"])
    )


def q2(t: Tables) -> Any:
    import ibis

    p, s, ps, n, r = t["part"], t["supplier"], t["partsupp"], t["nation"], t["region"]
    europe = (
        ps.join(s, ps.ps_suppkey == s.s_suppkey)
        .join(n, s.s_nationkey == n.n_nationkey)
        .join(r, n.n_regionkey == r.r_regionkey)
    )
    europe = europe.filter(europe.r_name == "EUROPE")
    j = europe.join(p, europe.ps_partkey == p.p_partkey)
    j = j.filter((j.p_size == 15) & j.p_type.like("%BRASS"))
    j = j.mutate(min_cost=j.ps_supplycost.min().over(group_by=j.p_partkey))
    j = j.filter(j.ps_supplycost == j.min_cost)
    cols = ["s_acctbal", "s_name", "n_name", "p_partkey", "p_mfgr", "s_address", "s_phone"]
    return (
        j.select(*cols, "s_comment")
        .order_by([ibis.desc("s_acctbal"), "n_name", "s_name", "p_partkey"])
        .limit(100)
    )


def q3(t: Tables) -> Any:
    import ibis

    c, o, li = t["customer"], t["orders"], t["lineitem"]
    c = c.filter(c.c_mktsegment == "BUILDING")
    o = o.filter(o.o_orderdate < _d("1995-03-15"))
    li = li.filter(li.l_shipdate > _d("1995-03-15"))
    j = c.join(o, c.c_custkey == o.o_custkey).join(li, o.o_orderkey == li.l_orderkey)
    g = j.group_by(["l_orderkey", "o_orderdate", "o_shippriority"]).aggregate(revenue=_rev(j).sum())
    g = g.select("l_orderkey", "revenue", "o_orderdate", "o_shippriority")
    return g.order_by([ibis.desc("revenue"), "o_orderdate"]).limit(10)


def q4(t: Tables) -> Any:
    o, li = t["orders"], t["lineitem"]
    o = o.filter((o.o_orderdate >= _d("1993-07-01")) & (o.o_orderdate < _d("1993-10-01")))
    late = li.filter(li.l_commitdate < li.l_receiptdate)
    o = o.join(late, o.o_orderkey == late.l_orderkey, how="semi")
    return (
        o.group_by("o_orderpriority").aggregate(order_count=o.count()).order_by("o_orderpriority")
    )


def q5(t: Tables) -> Any:
    import ibis

    c, o, li = t["customer"], t["orders"], t["lineitem"]
    s, n, r = t["supplier"], t["nation"], t["region"]
    o = o.filter((o.o_orderdate >= _d("1994-01-01")) & (o.o_orderdate < _d("1995-01-01")))
    j = (
        c.join(o, c.c_custkey == o.o_custkey)
        .join(li, o.o_orderkey == li.l_orderkey)
        .join(s, [li.l_suppkey == s.s_suppkey, c.c_nationkey == s.s_nationkey])
        .join(n, s.s_nationkey == n.n_nationkey)
        .join(r, n.n_regionkey == r.r_regionkey)
    )
    j = j.filter(j.r_name == "ASIA")
    g = j.group_by("n_name").aggregate(revenue=_rev(j).sum())
    return g.order_by(ibis.desc("revenue"))


def q6(t: Tables) -> Any:
    li = t["lineitem"]
    q = li.filter(
        (li.l_shipdate >= _d("1994-01-01"))
        & (li.l_shipdate < _d("1995-01-01"))
        & li.l_discount.between(0.05, 0.07)
        & (li.l_quantity < 24)
    )
    return q.aggregate(revenue=(q.l_extendedprice * q.l_discount).sum())


def q7(t: Tables) -> Any:
    s, li, o, c, n = t["supplier"], t["lineitem"], t["orders"], t["customer"], t["nation"]
    n1 = n.select(supp_nation="n_name", n1_key="n_nationkey")
    n2 = n.select(cust_nation="n_name", n2_key="n_nationkey")
    j = (
        s.join(li, s.s_suppkey == li.l_suppkey)
        .join(o, o.o_orderkey == li.l_orderkey)
        .join(c, c.c_custkey == o.o_custkey)
        .join(n1, s.s_nationkey == n1.n1_key)
        .join(n2, c.c_nationkey == n2.n2_key)
    )
    pair = ((j.supp_nation == "FRANCE") & (j.cust_nation == "GERMANY")) | (
        (j.supp_nation == "GERMANY") & (j.cust_nation == "FRANCE")
    )
    j = j.filter(pair & j.l_shipdate.between(_d("1995-01-01"), _d("1996-12-31")))
    j = j.mutate(l_year=j.l_shipdate.year(), volume=_rev(j))
    g = j.group_by(["supp_nation", "cust_nation", "l_year"]).aggregate(revenue=j.volume.sum())
    return g.order_by(["supp_nation", "cust_nation", "l_year"])


def q8(t: Tables) -> Any:
    import ibis

    p, s, li, o = t["part"], t["supplier"], t["lineitem"], t["orders"]
    c, n, r = t["customer"], t["nation"], t["region"]
    n1 = n.select(n1_key="n_nationkey", n1_region="n_regionkey")
    n2 = n.select(n2_key="n_nationkey", nation="n_name")
    j = (
        p.join(li, p.p_partkey == li.l_partkey)
        .join(s, s.s_suppkey == li.l_suppkey)
        .join(o, li.l_orderkey == o.o_orderkey)
        .join(c, o.o_custkey == c.c_custkey)
        .join(n1, c.c_nationkey == n1.n1_key)
        .join(r, n1.n1_region == r.r_regionkey)
        .join(n2, s.s_nationkey == n2.n2_key)
    )
    j = j.filter(
        (j.r_name == "AMERICA")
        & j.o_orderdate.between(_d("1995-01-01"), _d("1996-12-31"))
        & (j.p_type == "ECONOMY ANODIZED STEEL")
    )
    j = j.mutate(o_year=j.o_orderdate.year(), volume=_rev(j))
    brazil = ibis.cases((j.nation == "BRAZIL", j.volume), else_=0)
    g = j.group_by("o_year").aggregate(mkt_share=brazil.sum() / j.volume.sum())
    return g.order_by("o_year")


def q9(t: Tables) -> Any:
    import ibis

    p, s, li, ps, o, n = (
        t["part"], t["supplier"], t["lineitem"], t["partsupp"], t["orders"], t["nation"]
    )  # fmt: skip
    j = (
        li.join(s, s.s_suppkey == li.l_suppkey)
        .join(ps, [ps.ps_suppkey == li.l_suppkey, ps.ps_partkey == li.l_partkey])
        .join(p, p.p_partkey == li.l_partkey)
        .join(o, o.o_orderkey == li.l_orderkey)
        .join(n, s.s_nationkey == n.n_nationkey)
    )
    j = j.filter(j.p_name.like("%green%"))
    j = j.mutate(
        nation=j.n_name,
        o_year=j.o_orderdate.year(),
        amount=_rev(j) - j.ps_supplycost * j.l_quantity,
    )
    g = j.group_by(["nation", "o_year"]).aggregate(sum_profit=j.amount.sum())
    return g.order_by(["nation", ibis.desc("o_year")])


def q10(t: Tables) -> Any:
    import ibis

    c, o, li, n = t["customer"], t["orders"], t["lineitem"], t["nation"]
    o = o.filter((o.o_orderdate >= _d("1993-10-01")) & (o.o_orderdate < _d("1994-01-01")))
    li = li.filter(li.l_returnflag == "R")
    j = (
        c.join(o, c.c_custkey == o.o_custkey)
        .join(li, o.o_orderkey == li.l_orderkey)
        .join(n, c.c_nationkey == n.n_nationkey)
    )
    keys = ["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"]
    g = j.group_by(keys).aggregate(revenue=_rev(j).sum())
    cols = ["c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address", "c_phone"]
    return g.select(*cols, "c_comment").order_by([ibis.desc("revenue"), "c_custkey"]).limit(20)


def _german_stock(t: Tables) -> Any:
    ps, s, n = t["partsupp"], t["supplier"], t["nation"]
    j = ps.join(s, ps.ps_suppkey == s.s_suppkey).join(n, s.s_nationkey == n.n_nationkey)
    j = j.filter(j.n_name == "GERMANY")
    return j.mutate(stock_value=j.ps_supplycost * j.ps_availqty)


def q11(t: Tables) -> Any:
    import ibis

    stock = _german_stock(t)
    threshold = stock.stock_value.sum() * 0.0001
    g = stock.group_by("ps_partkey").aggregate(value=stock.stock_value.sum())
    return g.filter(g.value > threshold.as_scalar()).order_by(ibis.desc("value"))


def q12(t: Tables) -> Any:
    import ibis

    o, li = t["orders"], t["lineitem"]
    li = li.filter(
        li.l_shipmode.isin(["MAIL", "SHIP"])
        & (li.l_commitdate < li.l_receiptdate)
        & (li.l_shipdate < li.l_commitdate)
        & (li.l_receiptdate >= _d("1994-01-01"))
        & (li.l_receiptdate < _d("1995-01-01"))
    )
    j = o.join(li, o.o_orderkey == li.l_orderkey)
    urgent = j.o_orderpriority.isin(["1-URGENT", "2-HIGH"])
    g = j.group_by("l_shipmode").aggregate(
        high_line_count=ibis.cases((urgent, 1), else_=0).sum(),
        low_line_count=ibis.cases((~urgent, 1), else_=0).sum(),
    )
    return g.order_by("l_shipmode")


def q13(t: Tables) -> Any:
    import ibis

    c, o = t["customer"], t["orders"]
    o = o.filter(~o.o_comment.like("%special%requests%"))
    j = c.join(o, c.c_custkey == o.o_custkey, how="left")
    per = j.group_by("c_custkey").aggregate(c_count=j.o_orderkey.count())
    dist = per.group_by("c_count").aggregate(custdist=per.count())
    return dist.order_by([ibis.desc("custdist"), ibis.desc("c_count")])


def q14(t: Tables) -> Any:
    import ibis

    li, p = t["lineitem"], t["part"]
    li = li.filter((li.l_shipdate >= _d("1995-09-01")) & (li.l_shipdate < _d("1995-10-01")))
    j = li.join(p, li.l_partkey == p.p_partkey)
    promo = ibis.cases((j.p_type.like("PROMO%"), _rev(j)), else_=0)
    return j.aggregate(promo_revenue=100.00 * promo.sum() / _rev(j).sum())


def q15(t: Tables) -> Any:
    li, s = t["lineitem"], t["supplier"]
    li = li.filter((li.l_shipdate >= _d("1996-01-01")) & (li.l_shipdate < _d("1996-04-01")))
    revenue = li.group_by(supplier_no=li.l_suppkey).aggregate(total_revenue=_rev(li).sum())
    top = revenue.filter(revenue.total_revenue == revenue.total_revenue.max().as_scalar())
    j = s.join(top, s.s_suppkey == top.supplier_no)
    return j.select("s_suppkey", "s_name", "s_address", "s_phone", "total_revenue").order_by(
        "s_suppkey"
    )


def q16(t: Tables) -> Any:
    import ibis

    ps, p, s = t["partsupp"], t["part"], t["supplier"]
    complaints = s.filter(s.s_comment.like("%Customer%Complaints%"))
    j = ps.join(p, p.p_partkey == ps.ps_partkey)
    j = j.filter(
        (j.p_brand != "Brand#45")
        & ~j.p_type.like("MEDIUM POLISHED%")
        & j.p_size.isin([49, 14, 23, 45, 19, 3, 36, 9])
    )
    j = j.join(complaints, j.ps_suppkey == complaints.s_suppkey, how="anti")
    g = j.group_by(["p_brand", "p_type", "p_size"]).aggregate(supplier_cnt=j.ps_suppkey.nunique())
    return g.order_by([ibis.desc("supplier_cnt"), "p_brand", "p_type", "p_size"])


def q17(t: Tables) -> Any:
    li, p = t["lineitem"], t["part"]
    p = p.filter((p.p_brand == "Brand#23") & (p.p_container == "MED BOX"))
    j = li.join(p, li.l_partkey == p.p_partkey)
    j = j.mutate(avg_qty=j.l_quantity.mean().over(group_by=j.l_partkey))
    j = j.filter(j.l_quantity < 0.2 * j.avg_qty)
    return j.aggregate(avg_yearly=j.l_extendedprice.sum() / 7.0)


def q18(t: Tables) -> Any:
    import ibis

    c, o, li = t["customer"], t["orders"], t["lineitem"]
    per = li.group_by("l_orderkey").aggregate(qty=li.l_quantity.sum())
    large = per.filter(per.qty > 300)
    o = o.join(large, o.o_orderkey == large.l_orderkey, how="semi")
    j = c.join(o, c.c_custkey == o.o_custkey).join(li, o.o_orderkey == li.l_orderkey)
    g = j.group_by(["c_name", "c_custkey", "o_orderkey", "o_orderdate", "o_totalprice"]).aggregate(
        sum_qty=j.l_quantity.sum()
    )
    return g.order_by([ibis.desc("o_totalprice"), "o_orderdate", "o_orderkey"]).limit(100)


def q19(t: Tables) -> Any:
    li, p = t["lineitem"], t["part"]
    j = li.join(p, li.l_partkey == p.p_partkey)
    common = j.l_shipmode.isin(["AIR", "AIR REG"]) & (j.l_shipinstruct == "DELIVER IN PERSON")

    def case(brand: str, containers: list[str], low: int, size: int) -> Any:
        return (
            (j.p_brand == brand)
            & j.p_container.isin(containers)
            & j.l_quantity.between(low, low + 10)
            & j.p_size.between(1, size)
        )

    chosen = (
        case("Brand#12", ["SM CASE", "SM BOX", "SM PACK", "SM PKG"], 1, 5)
        | case("Brand#23", ["MED BAG", "MED BOX", "MED PKG", "MED PACK"], 10, 10)
        | case("Brand#34", ["LG CASE", "LG BOX", "LG PACK", "LG PKG"], 20, 15)
    )
    j = j.filter(common & chosen)
    return j.aggregate(revenue=_rev(j).sum())


def q20(t: Tables) -> Any:
    s, n, ps, p, li = t["supplier"], t["nation"], t["partsupp"], t["part"], t["lineitem"]
    forest = p.filter(p.p_name.like("forest%"))
    li = li.filter((li.l_shipdate >= _d("1994-01-01")) & (li.l_shipdate < _d("1995-01-01")))
    shipped = li.group_by(["l_partkey", "l_suppkey"]).aggregate(qty=li.l_quantity.sum())
    offers = ps.join(forest, ps.ps_partkey == forest.p_partkey, how="semi")
    offers = offers.join(
        shipped, [offers.ps_partkey == shipped.l_partkey, offers.ps_suppkey == shipped.l_suppkey]
    )
    offers = offers.filter(offers.ps_availqty > 0.5 * offers.qty)
    canada = n.filter(n.n_name == "CANADA")
    j = s.join(offers, s.s_suppkey == offers.ps_suppkey, how="semi")
    j = j.join(canada, j.s_nationkey == canada.n_nationkey, how="semi")
    return j.select("s_name", "s_address").order_by("s_name")


def q21(t: Tables) -> Any:
    import ibis

    s, li, o, n = t["supplier"], t["lineitem"], t["orders"], t["nation"]
    late = li.filter(li.l_receiptdate > li.l_commitdate)
    suppliers = li.group_by("l_orderkey").aggregate(n_supp=li.l_suppkey.nunique())
    late_suppliers = late.group_by("l_orderkey").aggregate(n_late=late.l_suppkey.nunique())
    shared = suppliers.filter(suppliers.n_supp > 1).select(shared_key="l_orderkey")
    alone = late_suppliers.filter(late_suppliers.n_late == 1).select(alone_key="l_orderkey")
    failed = o.filter(o.o_orderstatus == "F")
    saudi = n.filter(n.n_name == "SAUDI ARABIA")
    j = (
        late.join(failed, late.l_orderkey == failed.o_orderkey, how="semi")
        .join(shared, late.l_orderkey == shared.shared_key, how="semi")
        .join(alone, late.l_orderkey == alone.alone_key, how="semi")
        .join(s, late.l_suppkey == s.s_suppkey)
        .join(saudi, s.s_nationkey == saudi.n_nationkey, how="semi")
    )
    g = j.group_by("s_name").aggregate(numwait=j.count())
    return g.order_by([ibis.desc("numwait"), "s_name"]).limit(100)


def q22(t: Tables) -> Any:
    c, o = t["customer"], t["orders"]
    codes = ["13", "31", "23", "29", "30", "18", "17"]
    c = c.mutate(cntrycode=c.c_phone.substr(0, 2))
    in_codes = c.filter(c.cntrycode.isin(codes))
    positive = in_codes.filter(in_codes.c_acctbal > 0.00)
    rich = in_codes.filter(in_codes.c_acctbal > positive.c_acctbal.mean().as_scalar())
    idle = rich.join(o, rich.c_custkey == o.o_custkey, how="anti")
    g = idle.group_by("cntrycode").aggregate(numcust=idle.count(), totacctbal=idle.c_acctbal.sum())
    return g.order_by("cntrycode")


QUERIES: dict[str, Callable[[Tables], Any]] = {f"q{i}": globals()[f"q{i}"] for i in range(1, 23)}
