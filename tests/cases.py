"""The shared test cases: small tables and one flow per recipe feature.

Each case adds recipes to a flow whose source datasets are given; the same case runs with the
sources on a warehouse connection (golden SQL, in-place execution, Spark) or as in-memory Arrow
tables (fully local execution), so results can be compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

import pushdown
from pushdown import Dataset, Flow


def _ts(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2025, 1, day, hour)


ORDERS = pa.table(
    {
        "id": pa.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], pa.int64()),
        "customer_id": pa.array([1, 1, 2, 3, 3, 3, 4, None, 2, 5], pa.int64()),
        "amount": pa.array(
            [10.5, 20.0, 7.25, 100.0, None, 55.5, 3.0, 12.0, 42.0, 8.75], pa.float64()
        ),
        "qty": pa.array([1, 2, 1, 5, 3, 2, 1, 1, 4, 2], pa.int32()),
        "status": pa.array(
            ["paid", "paid", "open", "paid", "open", "refunded", "paid", None, "paid", "open"]
        ),
        "ts": pa.array(
            [
                _ts(d, h)
                for d, h in [
                    (1, 9),
                    (2, 10),
                    (2, 11),
                    (3, 8),
                    (5, 12),
                    (6, 13),
                    (7, 14),
                    (8, 15),
                    (9, 16),
                    (10, 17),
                ]
            ],
            pa.timestamp("us"),
        ),
        "day": pa.array(
            [dt.date(2025, 1, d) for d in (1, 2, 2, 3, 5, 6, 7, 8, 9, 10)], pa.date32()
        ),
    }
)

CUSTOMERS = pa.table(
    {
        "customer_id": pa.array([1, 2, 3, 4, 6], pa.int64()),
        "name": pa.array(["Ada", "Bo", "Cy", "Di", "Ed"]),
        "region": pa.array(["north", "south", "north", None, "east"]),
    }
)

ARCHIVE = pa.table(
    {
        "id": pa.array([100, 101, 1], pa.int64()),
        "amount": pa.array([5.0, 6.5, 10.5], pa.float64()),
        "status": pa.array(["paid", "open", "paid"]),
        "note": pa.array(["old", None, "dup"]),
    }
)

WEIRD = pa.table(
    {
        'a"b; DROP TABLE x': pa.array([1, 2, 3], pa.int64()),
        "select": pa.array(["x", "y", "x"]),
        "`tick`": pa.array([1.5, 2.5, 3.5], pa.float64()),
    }
)

TABLES = {"orders": ORDERS, "customers": CUSTOMERS, "archive": ARCHIVE, "weird": WEIRD}

SCHEMAS = {
    "orders": {
        "id": "bigint",
        "customer_id": "bigint",
        "amount": "double",
        "qty": "int",
        "status": "varchar",
        "ts": "timestamp",
        "day": "date",
    },
    "customers": {"customer_id": "bigint", "name": "varchar", "region": "varchar"},
    "archive": {"id": "bigint", "amount": "double", "status": "varchar", "note": "varchar"},
    "weird": {'a"b; DROP TABLE x': "bigint", "select": "varchar", "`tick`": "double"},
}


def bump_qty(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A Python step used by the cases: doubles ``qty`` and keeps ``id``."""
    import pyarrow.compute as pc

    return pa.RecordBatch.from_arrays(
        [batch.column("id"), pc.multiply(batch.column("qty").cast(pa.int64()), 2)],
        names=["id", "qty2"],
    )


@dataclass(frozen=True)
class Case:
    """A test case: which tables it reads and the recipes it adds."""

    name: str
    tables: tuple[str, ...]
    build: Callable[[Flow, dict[str, Dataset]], None]
    ordered: bool = False  # the result's row order is part of the answer


CASES: list[Case] = []


def case(
    *tables: str, ordered: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a case reading ``tables``."""

    def register(fn: Callable[[Flow, dict[str, Dataset]], None]) -> Callable[..., None]:
        CASES.append(Case(fn.__name__, tables, fn, ordered))
        return fn

    return register


@case("orders")
def prepare_compute(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].compute(
        total="amount * qty",
        label="upper(status) || '-' || CAST(id AS VARCHAR)",
        month="date_trunc('month', day)",
        name="out",
    )


@case("orders")
def prepare_steps(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].prepare(
        [
            {"rename": {"amount": "price"}},
            {"fill_nulls": {"price": 0, "status": "unknown"}},
            {"cast": {"qty": "bigint"}},
            {"if": "price > 20", "then": "'big'", "else": "'small'", "as": "size"},
            {"compute": {"net": "price * 0.9"}},
            {"drop": ["ts"]},
            {"keep": ["id", "status", "price", "qty", "size", "net"]},
        ],
        name="out",
    )


@case("orders", "customers")
def sql_query(flow: Flow, d: dict[str, Dataset]) -> None:
    flow.sql(
        """
        WITH paid AS (SELECT * FROM orders WHERE status = 'paid')
        SELECT c.region, count(*) AS n, sum(p.amount) AS total
        FROM paid p JOIN customers c ON p.customer_id = c.customer_id
        WHERE c.customer_id NOT IN (
          SELECT customer_id FROM orders WHERE status = 'refunded' AND customer_id IS NOT NULL
        )
        GROUP BY c.region
        HAVING count(*) >= 1
        """,
        name="out",
    )


@case("orders", "customers")
def sql_subqueries(flow: Flow, d: dict[str, Dataset]) -> None:
    flow.sql(
        """
        SELECT o.id, o.amount,
               (SELECT count(*) FROM orders i WHERE i.customer_id = o.customer_id) AS same_customer
        FROM orders o
        WHERE EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)
          AND o.amount > (SELECT avg(amount) FROM orders)
        """,
        name="out",
    )


@case("orders")
def filter_rows(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].filter("status = 'paid' AND amount >= 10 OR customer_id IS NULL", name="out")


def _join(how: str, **kw: object) -> Callable[[Flow, dict[str, Dataset]], None]:
    def build(flow: Flow, d: dict[str, Dataset]) -> None:
        d["orders"].join(d["customers"], how=how, name="out", **kw)  # type: ignore[arg-type]

    return build


for _how in ("inner", "left", "right", "full", "semi", "anti"):
    CASES.append(Case(f"join_{_how}", ("orders", "customers"), _join(_how, on=["customer_id"])))
CASES.append(Case("join_cross", ("orders", "customers"), _join("cross")))
CASES.append(
    Case(
        "join_condition",
        ("orders", "customers"),
        _join(
            "left", condition="orders.customer_id = customers.customer_id AND orders.amount > 10"
        ),
    )
)


@case("orders", "archive")
def join_key_map(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].join(d["archive"], on={"id": "id"}, right_suffix="_old", name="out")


@case("orders")
def group_aggregates(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].group(
        ["status"],
        {
            "n": "count(*)",
            "buyers": "count(distinct customer_id)",
            "total": "sum(amount)",
            "mean": "avg(amount)",
            "low": "min(amount)",
            "high": "max(amount)",
            "mid": "median(amount)",
            "spread": "stddev(amount)",
            "first_id": "arg_min(id, ts)",
            "last_id": "arg_max(id, ts)",
        },
        name="out",
    )


@case("customers")
def group_string_concat(flow: Flow, d: dict[str, Dataset]) -> None:
    d["customers"].group(
        ["region"], {"names": "string_agg(name, ',' ORDER BY name)", "n": "count(name)"}, name="out"
    )


@case("orders")
def group_no_keys(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].group([], {"n": "count(*)", "total": "sum(amount * qty)"}, name="out")


@case("orders")
def window_ranking(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].window(
        {"rn": "row_number()", "rk": "rank()", "drk": "dense_rank()"},
        partition_by=["status"],
        order_by=["qty DESC", "id"],
        name="out",
    )


@case("orders")
def window_lag_lead(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].window(
        {"prev_amount": "lag(amount, 1)", "next_id": "lead(id)"},
        partition_by=["customer_id"],
        order_by=["ts"],
        name="out",
    )


@case("orders")
def window_frames(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].window(
        {
            "running": "sum(qty)",
            "moving_avg": {"formula": "avg(qty)", "frame": [-2, 0]},
            "centered": {"formula": "sum(qty)", "frame": [-1, 1]},
            "part_total": {"formula": "sum(qty)", "frame": [None, None]},
        },
        order_by=["id"],
        name="out",
    )


@case("orders", ordered=True)
def sort_rows(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].sort("status DESC NULLS LAST", "amount", "id", name="out")


@case("orders", ordered=True)
def top_n_overall(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].top_n(3, ["amount DESC NULLS LAST", "id"], name="out")


@case("orders")
def top_n_per_group(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].top_n(2, ["amount DESC NULLS LAST", "id"], partition_by=["status"], name="out")


@case("orders")
def distinct_all(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].prepare([{"keep": ["status", "qty"]}], name="slim").distinct(name="out")


@case("orders")
def distinct_subset(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].distinct(["status", "customer_id"], name="out")


@case("orders", "archive")
def stack_all(flow: Flow, d: dict[str, Dataset]) -> None:
    flow.stack([d["orders"], d["archive"]], name="out")


@case("orders", "archive")
def stack_distinct(flow: Flow, d: dict[str, Dataset]) -> None:
    slim = d["orders"].prepare([{"keep": ["id", "amount", "status"]}], name="slim")
    flow.stack(
        [slim, d["archive"].prepare([{"drop": ["note"]}], name="arch")], distinct=True, name="out"
    )


@case("orders")
def pivot_values(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].pivot(
        ["customer_id"], "status", ["paid", "open", "refunded"], "sum(amount)", name="out"
    )


@case("orders")
def split_rows(flow: Flow, d: dict[str, Dataset]) -> None:
    parts = d["orders"].split(
        {"big": "amount >= 20", "paid": "status = 'paid'"}, else_output="rest"
    )
    flow.stack(
        [
            parts["big"].compute(part="'big'", name="big_tagged"),
            parts["paid"].compute(part="'paid'", name="paid_tagged"),
            parts["rest"].compute(part="'rest'", name="rest_tagged"),
        ],
        name="out",
    )


@case("orders")
def python_step(flow: Flow, d: dict[str, Dataset]) -> None:
    d["orders"].filter("qty > 1", name="multi").python(
        bump_qty, {"id": "bigint", "qty2": "bigint"}, name="out"
    )


@case("orders", "customers")
def chain(flow: Flow, d: dict[str, Dataset]) -> None:
    paid = d["orders"].filter("status = 'paid'", name="paid")
    joined = paid.join(d["customers"], on=["customer_id"], how="left", name="joined")
    grouped = joined.group(
        ["region"], {"revenue": "sum(amount)", "n": "count(*)"}, name="by_region"
    )
    grouped.window({"share_rank": "dense_rank()"}, order_by=["revenue DESC"], name="out")


@case("weird")
def weird_identifiers(flow: Flow, d: dict[str, Dataset]) -> None:
    d["weird"].compute(
        **{'x"y': '"a""b; DROP TABLE x" * 2', "it's": 'upper("select")'}, name="prep"
    ).filter('"`tick`" > 2', name="out")


CASE_BY_NAME = {c.name: c for c in CASES}


def build_flow(c: Case, *, connection_url: str | None) -> Flow:
    """The case's flow; sources on connection ``wh`` (declared schemas) or in memory."""
    flow = pushdown.Flow()
    datasets: dict[str, Dataset] = {}
    if connection_url is not None:
        flow.connection("wh", connection_url)
    for table in c.tables:
        if connection_url is not None:
            datasets[table] = flow.dataset(
                table, connection="wh", table=table, columns=SCHEMAS[table]
            )
        else:
            datasets[table] = flow.dataset(table, data=TABLES[table])
    c.build(flow, datasets)
    return flow
