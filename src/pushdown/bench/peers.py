"""Peers of the local engine: the same TPC-H queries written for pandas and for polars.

Each library gets the tables as its own frames once (decimals as float64, dates as dates:
how TPC-H is usually written for them), outside the timing; a timed run is the query plus
turning its result into Arrow, as the local engine's timing is the flow plus its Arrow
result.  Written for Q1, Q3, Q5, Q6 and Q10 (the push-down set of the issue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pushdown.bench import results as r
from pushdown.bench.recording import Recorder

QUERIES = ("q1", "q3", "q5", "q6", "q10")
PEERS = ("pandas", "polars")


def _floats(table: pa.Table) -> pa.Table:
    """Decimal columns as float64."""
    columns = [
        pc.cast(col, pa.float64()) if pa.types.is_decimal(col.type) else col
        for col in table.columns
    ]
    return pa.table(columns, names=table.column_names)


# -- pandas ------------------------------------------------------------------------------
def _pandas_queries() -> dict[str, Callable[[dict[str, Any]], Any]]:
    import pandas as pd

    def date(text: str) -> Any:
        return pd.Timestamp(text)

    def q1(t: dict[str, Any]) -> Any:
        li = t["lineitem"]
        li = li[li.l_shipdate <= date("1998-09-02")]
        disc = li.l_extendedprice * (1 - li.l_discount)
        li = li.assign(disc_price=disc, charge=disc * (1 + li.l_tax))
        g = li.groupby(["l_returnflag", "l_linestatus"], as_index=False).agg(
            sum_qty=("l_quantity", "sum"),
            sum_base_price=("l_extendedprice", "sum"),
            sum_disc_price=("disc_price", "sum"),
            sum_charge=("charge", "sum"),
            avg_qty=("l_quantity", "mean"),
            avg_price=("l_extendedprice", "mean"),
            avg_disc=("l_discount", "mean"),
            count_order=("l_quantity", "size"),
        )
        return g.sort_values(["l_returnflag", "l_linestatus"])

    def q3(t: dict[str, Any]) -> Any:
        c = t["customer"][t["customer"].c_mktsegment == "BUILDING"]
        o = t["orders"][t["orders"].o_orderdate < date("1995-03-15")]
        li = t["lineitem"][t["lineitem"].l_shipdate > date("1995-03-15")]
        j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(
            li, left_on="o_orderkey", right_on="l_orderkey"
        )
        j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
        g = j.groupby(["l_orderkey", "o_orderdate", "o_shippriority"], as_index=False).agg(
            revenue=("revenue", "sum")
        )
        g = g.sort_values(["revenue", "o_orderdate"], ascending=[False, True]).head(10)
        return g[["l_orderkey", "revenue", "o_orderdate", "o_shippriority"]]

    def q5(t: dict[str, Any]) -> Any:
        r_ = t["region"][t["region"].r_name == "ASIA"]
        n = t["nation"].merge(r_, left_on="n_regionkey", right_on="r_regionkey")
        o = t["orders"]
        o = o[(o.o_orderdate >= date("1994-01-01")) & (o.o_orderdate < date("1995-01-01"))]
        j = (
            t["customer"]
            .merge(o, left_on="c_custkey", right_on="o_custkey")
            .merge(t["lineitem"], left_on="o_orderkey", right_on="l_orderkey")
            .merge(
                t["supplier"],
                left_on=["l_suppkey", "c_nationkey"],
                right_on=["s_suppkey", "s_nationkey"],
            )
            .merge(n, left_on="s_nationkey", right_on="n_nationkey")
        )
        j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
        g = j.groupby("n_name", as_index=False).agg(revenue=("revenue", "sum"))
        return g.sort_values("revenue", ascending=False)

    def q6(t: dict[str, Any]) -> Any:
        li = t["lineitem"]
        li = li[
            (li.l_shipdate >= date("1994-01-01"))
            & (li.l_shipdate < date("1995-01-01"))
            & (li.l_discount >= 0.05)
            & (li.l_discount <= 0.07)
            & (li.l_quantity < 24)
        ]
        return pd.DataFrame({"revenue": [(li.l_extendedprice * li.l_discount).sum()]})

    def q10(t: dict[str, Any]) -> Any:
        o = t["orders"]
        o = o[(o.o_orderdate >= date("1993-10-01")) & (o.o_orderdate < date("1994-01-01"))]
        li = t["lineitem"][t["lineitem"].l_returnflag == "R"]
        j = (
            t["customer"]
            .merge(o, left_on="c_custkey", right_on="o_custkey")
            .merge(li, left_on="o_orderkey", right_on="l_orderkey")
            .merge(t["nation"], left_on="c_nationkey", right_on="n_nationkey")
        )
        j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
        keys = ["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"]
        g = j.groupby(keys, as_index=False).agg(revenue=("revenue", "sum"))
        g = g.sort_values(["revenue", "c_custkey"], ascending=[False, True]).head(20)
        cols = ["c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address"]
        return g[[*cols, "c_phone", "c_comment"]]

    return {"q1": q1, "q3": q3, "q5": q5, "q6": q6, "q10": q10}


# -- polars ------------------------------------------------------------------------------
def _polars_queries() -> dict[str, Callable[[dict[str, Any]], Any]]:
    import polars as pl

    def date(text: str) -> Any:
        return pl.lit(dt.date.fromisoformat(text))

    disc = pl.col("l_extendedprice") * (1 - pl.col("l_discount"))

    def q1(t: dict[str, Any]) -> Any:
        return (
            t["lineitem"]
            .filter(pl.col("l_shipdate") <= date("1998-09-02"))
            .group_by("l_returnflag", "l_linestatus")
            .agg(
                pl.col("l_quantity").sum().alias("sum_qty"),
                pl.col("l_extendedprice").sum().alias("sum_base_price"),
                disc.sum().alias("sum_disc_price"),
                (disc * (1 + pl.col("l_tax"))).sum().alias("sum_charge"),
                pl.col("l_quantity").mean().alias("avg_qty"),
                pl.col("l_extendedprice").mean().alias("avg_price"),
                pl.col("l_discount").mean().alias("avg_disc"),
                pl.len().alias("count_order"),
            )
            .sort("l_returnflag", "l_linestatus")
        )

    def q3(t: dict[str, Any]) -> Any:
        c = t["customer"].filter(pl.col("c_mktsegment") == "BUILDING")
        o = t["orders"].filter(pl.col("o_orderdate") < date("1995-03-15"))
        li = t["lineitem"].filter(pl.col("l_shipdate") > date("1995-03-15"))
        return (
            c.join(o, left_on="c_custkey", right_on="o_custkey")
            .join(li, left_on="o_orderkey", right_on="l_orderkey")
            .group_by(pl.col("o_orderkey").alias("l_orderkey"), "o_orderdate", "o_shippriority")
            .agg(disc.sum().alias("revenue"))
            .sort(["revenue", "o_orderdate"], descending=[True, False])
            .head(10)
            .select("l_orderkey", "revenue", "o_orderdate", "o_shippriority")
        )

    def q5(t: dict[str, Any]) -> Any:
        n = t["nation"].join(
            t["region"].filter(pl.col("r_name") == "ASIA"),
            left_on="n_regionkey",
            right_on="r_regionkey",
        )
        o = t["orders"].filter(
            (pl.col("o_orderdate") >= date("1994-01-01"))
            & (pl.col("o_orderdate") < date("1995-01-01"))
        )
        return (
            t["customer"]
            .join(o, left_on="c_custkey", right_on="o_custkey")
            .join(t["lineitem"], left_on="o_orderkey", right_on="l_orderkey")
            .join(
                t["supplier"],
                left_on=["l_suppkey", "c_nationkey"],
                right_on=["s_suppkey", "s_nationkey"],
            )
            .join(n, left_on="c_nationkey", right_on="n_nationkey")
            .group_by("n_name")
            .agg(disc.sum().alias("revenue"))
            .sort("revenue", descending=True)
        )

    def q6(t: dict[str, Any]) -> Any:
        return (
            t["lineitem"]
            .filter(
                (pl.col("l_shipdate") >= date("1994-01-01"))
                & (pl.col("l_shipdate") < date("1995-01-01"))
                & pl.col("l_discount").is_between(0.05, 0.07)
                & (pl.col("l_quantity") < 24)
            )
            .select((pl.col("l_extendedprice") * pl.col("l_discount")).sum().alias("revenue"))
        )

    def q10(t: dict[str, Any]) -> Any:
        o = t["orders"].filter(
            (pl.col("o_orderdate") >= date("1993-10-01"))
            & (pl.col("o_orderdate") < date("1994-01-01"))
        )
        keys = ["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"]
        cols = ["c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address"]
        return (
            t["customer"]
            .join(o, left_on="c_custkey", right_on="o_custkey")
            .join(
                t["lineitem"].filter(pl.col("l_returnflag") == "R"),
                left_on="o_orderkey",
                right_on="l_orderkey",
            )
            .join(t["nation"], left_on="c_nationkey", right_on="n_nationkey")
            .group_by(keys)
            .agg(disc.sum().alias("revenue"))
            .sort(["revenue", "c_custkey"], descending=[True, False])
            .head(20)
            .select(*cols, "c_phone", "c_comment")
        )

    return {"q1": q1, "q3": q3, "q5": q5, "q6": q6, "q10": q10}


# -- running them --------------------------------------------------------------------------
# peer -> (the Arrow tables converted, their frames): one set kept per peer.
_FRAMES: dict[str, tuple[dict[str, pa.Table], dict[str, Any]]] = {}


def _frames(peer: str, tables: dict[str, pa.Table]) -> dict[str, Any]:
    """The tables as ``peer`` frames, converted once per set of tables."""
    cached = _FRAMES.get(peer)
    if cached is not None and cached[0] is tables:
        return cached[1]
    if peer == "pandas":
        frames = {n: _floats(t).to_pandas(date_as_object=False) for n, t in tables.items()}
    else:
        import polars as pl

        frames = {n: pl.DataFrame(_floats(t)).lazy() for n, t in tables.items()}
    _FRAMES[peer] = (tables, frames)
    return frames


def _dates(table: pa.Table) -> pa.Table:
    """pandas keeps dates as timestamps: back to dates, as the query returns them."""
    columns = [
        pc.cast(col, pa.date32()) if pa.types.is_timestamp(col.type) else col
        for col in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def runner(peer: str, tables: dict[str, pa.Table], query: str) -> Callable[[], pa.Table]:
    """A callable running ``query`` on ``peer`` and returning Arrow."""
    frames = _frames(peer, tables)
    if peer == "pandas":
        build = _pandas_queries()[query]
        return lambda: _dates(pa.Table.from_pandas(build(frames), preserve_index=False))
    build = _polars_queries()[query]
    return lambda: build(frames).collect().to_arrow()


def measure(recorder: Recorder, tables: dict[str, pa.Table], query: str, expected: Any) -> None:
    """Time ``query`` on each installed peer (a missing library is reported, not fatal)."""
    if query not in QUERIES:
        return
    for peer in PEERS:
        try:
            run = runner(peer, tables, query)
        except ImportError:
            recorder.result.skipped.setdefault(peer, f"{peer} is not installed")
            continue
        recorder.measure(peer, query, r.PEER, run, expected)
