"""The ``sql`` recipe: a query lowered into plan steps (not passed through as text), checked
against DuckDB running the same text over the same rows, locally and in place."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pushdown
from pushdown.plan import nodes as n
from tests.helpers import assert_same, duckdb_answer

ORDERS = pa.table(
    {
        "id": [1, 2, 3, 4, 5, 6],
        "cust": [1, 2, 2, None, 3, 1],
        "amount": [10.0, 20.0, 5.0, 7.0, None, 30.0],
        "day": pa.array(
            [
                "2024-01-05",
                "2024-01-20",
                "2024-02-01",
                "2024-02-10",
                "2024-03-03",
                "2024-03-30",
            ]
        ).cast(pa.date32()),
    }
)
CUSTOMERS = pa.table(
    {"cid": [1, 2, 3, 4], "name": ["ann", "bob", "cy", "dee"], "region": [1, 1, 2, None]}
)
BANNED = pa.table({"cid": [3, None]})
TABLES = {"orders": ORDERS, "customers": CUSTOMERS, "banned": BANNED}

# (case, query, ordered): each construct the recipe lowers, answered by DuckDB as reference.
QUERIES = [
    ("cte", "with big as (select * from orders where amount > 8) select id from big", False),
    ("inner_join", "select o.id, c.name from orders o join customers c on o.cust = c.cid", False),
    (
        "left_join",
        "select c.name, o.id from customers c left join orders o on o.cust = c.cid",
        False,
    ),
    (
        "right_join",
        "select c.name, o.id from orders o right join customers c on o.cust = c.cid",
        False,
    ),
    (
        "full_join",
        "select c.name, o.id from orders o full join customers c on o.cust = c.cid",
        False,
    ),
    ("cross_join", "select o.id, b.cid from orders o cross join banned b", False),
    (
        "in",
        "select id from orders where cust in (select cid from customers where region = 1)",
        False,
    ),
    ("not_in_null", "select id from orders where cust not in (select cid from banned)", False),
    (  # an empty subquery keeps every row, a NULL cust too
        "not_in_empty",
        "select id from orders where cust not in (select cid from customers where cid > 100)",
        False,
    ),
    (
        "not_in",
        "select id from orders where cust not in (select cid from customers where region = 2)",
        False,
    ),
    (
        "exists",
        """select name from customers c where exists (select 1 from orders o where o.cust = c.cid
        and o.amount > 15)""",
        False,
    ),
    (
        "not_exists",
        """select name from customers c where not exists (select 1 from orders o where o.cust =
        c.cid)""",
        False,
    ),
    ("scalar", "select id from orders where amount > (select avg(amount) from orders)", False),
    (
        "correlated_scalar",
        """select id from orders o where amount >= (select max(amount) from orders i where i.cust
        = o.cust)""",
        False,
    ),
    (
        "correlated_count",
        "select name, (select count(*) from orders o where o.cust = c.cid) as n from customers c",
        False,
    ),
    ("in_value", "select id, cust in (select cid from banned) as flagged from orders", False),
    ("union", "select cid as k from customers union select cust from orders", False),
    ("union_all", "select cid as k from customers union all select cust from orders", False),
    ("intersect", "select cid from customers intersect select cust from orders", False),
    ("except", "select cid from customers except select cust from orders", False),
    (
        "window",
        """select id, sum(amount) over (partition by cust order by day) as running, row_number()
        over (order by id desc) as rn from orders""",
        False,
    ),
    (
        "group_having",
        """select cust, count(*) as n, sum(amount) as total from orders group by cust having
        count(*) > 1""",
        False,
    ),
    (
        "window_over_groups",  # the window's argument is the groups' aggregate
        """select cust, sum(sum(amount)) over (order by cust nulls last) as running,
        avg(count(*)) over () as per_group from orders group by cust""",
        False,
    ),
    (
        "window_filter",  # a window's aggregate with FILTER: a window, not a grouping
        "select id, sum(amount) filter (where cust > 1) over () as big from orders",
        False,
    ),
    (
        "window_ignore_nulls",  # IGNORE NULLS between the function and its OVER
        """select id, first_value(amount ignore nulls) over (order by id desc) as last_known
        from orders""",
        False,
    ),
    (
        "group_filter",  # FILTER on a grouping's aggregates (a NULL condition drops the row)
        """select cust, sum(amount) filter (where id > 2) as late, count(*) filter (where
        amount > 6) as big from orders group by cust""",
        False,
    ),
    (
        "window_null_treatment",  # inside the parentheses, the one place DuckDB reads them
        """select id, lag(amount ignore nulls) over (order by id) as prev_known, lead(amount
        respect nulls) over (order by id) as next from orders""",
        False,
    ),
    ("distinct", "select distinct cust from orders", False),
    (
        "order_limit",
        "select id, amount from orders order by amount desc nulls last, id limit 3",
        True,
    ),
    (
        "case",
        """select id, case when amount > 15 then 'big' when amount is null then 'none' else
        'small' end as size from orders""",
        False,
    ),
    (
        "dates",
        """select id from orders where day >= date '2024-01-01' + interval '1' month and day <
        date '2024-03-31' - interval '7' day""",
        False,
    ),
    (
        "extract",
        "select extract(month from day) as m, count(*) as n from orders group by 1 order by 1",
        True,
    ),
    (
        "derived_table",
        """select t.cust, t.total from (select cust, sum(amount) as total from orders group by
        cust) t where t.total > 10""",
        False,
    ),
]


def _duckdb(sql: str) -> pa.Table:
    return duckdb_answer(sql, **TABLES)


def _flow() -> pushdown.Flow:
    flow = pushdown.Flow()
    for name, table in TABLES.items():
        flow.dataset(name, data=table)
    return flow


def _same(got: pa.Table, want: pa.Table, ordered: bool) -> None:
    assert_same(got.rename_columns(want.column_names), want, ordered=ordered)


def _answers_like_duckdb(flow: pushdown.Flow, name: str, reference: str) -> None:
    """The plan of ``flow`` gives ``name`` the rows DuckDB answers to ``reference``."""
    _same(pushdown.plan(flow).execute()[name], _duckdb(reference), False)


@pytest.mark.parametrize(("case", "query", "ordered"), QUERIES, ids=[q[0] for q in QUERIES])
def test_sql_recipe_matches_duckdb_locally(case: str, query: str, ordered: bool) -> None:
    flow = _flow()
    flow.sql(query, name="result")
    plan = pushdown.plan(flow)
    got = plan.execute()["result"]
    _same(got, _duckdb(query), ordered)


@pytest.mark.parametrize(("case", "query", "ordered"), QUERIES, ids=[q[0] for q in QUERIES])
def test_sql_recipe_matches_duckdb_in_place(
    case: str, query: str, ordered: bool, tmp_path: Path
) -> None:
    db = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(db))
    for name, table in TABLES.items():
        con.register(f"_{name}", table)
        con.execute(f'create table "{name}" as select * from "_{name}"')
    con.close()
    flow = pushdown.Flow()
    flow.connection("shop", f"duckdb:///{db}")
    for name in TABLES:
        flow.dataset(name, connection="shop", table=name)
    flow.sql(query, name="result")
    plan = pushdown.plan(flow)
    assert {s.engine for s in plan.steps.values()} == {"shop"}, plan.explain()
    _same(plan.execute()["result"], _duckdb(query), ordered)


def test_the_query_becomes_plan_steps_not_text() -> None:
    """A join, a filter per source and an aggregate: each its own node, placed like any."""
    flow = _flow()
    flow.sql(
        "select c.name, sum(o.amount) as total from orders o join customers c "
        "on o.cust = c.cid where c.region = 1 group by c.name",
        name="totals",
    )
    plan = pushdown.plan(flow)
    kinds = [node.kind for node in plan.logical.nodes.values() if node.recipe == "totals"]
    assert "join" in kinds and "group" in kinds and "filter" in kinds, kinds
    assert isinstance(plan.logical.nodes["totals"], n.Node)


def test_a_query_in_another_dialect() -> None:
    """Snowflake's spelling (IFF, DATEADD) is read in its dialect."""
    query = (
        "SELECT id, IFF(amount > 15, 'big', 'small') AS size FROM orders "
        "WHERE day < DATEADD(day, 30, '2024-01-01'::DATE)"
    )
    flow = _flow()
    flow.sql(query, dialect="snowflake", name="result")
    _answers_like_duckdb(
        flow,
        "result",
        "select id, case when amount > 15 then 'big' else 'small' end as size from orders "
        "where day < date '2024-01-31'",
    )


def test_the_sql_recipe_in_a_flow_file(tmp_path: Path) -> None:
    pq.write_table(CUSTOMERS, tmp_path / "customers.parquet")
    (tmp_path / "flow.yaml").write_text(
        "datasets:\n"
        "  - name: customers\n"
        f"    path: {tmp_path / 'customers.parquet'}\n"
        "recipes:\n"
        "  - type: sql\n"
        "    output: north\n"
        "    dialect: duckdb\n"
        "    query: |\n"
        "      select name from customers\n"
        "      where cid in (select cid from customers where region = 1)\n",
        encoding="utf-8",
    )
    flow = pushdown.load_flow(tmp_path / "flow.yaml")
    got = pushdown.plan(flow).execute()["north"]
    assert sorted(got.column("name").to_pylist()) == ["ann", "bob"]


# -- subqueries in the formulas of ordinary recipes ------------------------------------------


@pytest.mark.parametrize(
    ("where", "query"),
    [
        ("cust IN (SELECT cid FROM customers WHERE region = 1)", None),
        ("cust NOT IN (SELECT cid FROM banned)", None),
        ("NOT EXISTS (SELECT 1 FROM customers WHERE cid = orders.cust)", None),
        ("amount > (SELECT avg(amount) FROM orders)", None),
        (
            "amount >= (SELECT max(i.amount) FROM orders i WHERE i.cust = orders.cust)",
            None,
        ),
    ],
)
def test_subqueries_in_a_filter(where: str, query: str | None) -> None:
    flow = _flow()
    flow["orders"].filter(where, name="kept")
    _answers_like_duckdb(flow, "kept", f"select * from orders where {where}")


def test_subqueries_in_a_compute_between_other_steps() -> None:
    flow = _flow()
    flow["orders"].prepare(
        [
            {"compute": {"double": "amount * 2"}},
            {"compute": {"n": "(SELECT count(*) FROM customers WHERE cid = orders.cust)"}},
            {"drop": ["day"]},
        ],
        name="counted",
    )
    _answers_like_duckdb(
        flow,
        "counted",
        "select id, cust, amount, amount * 2 as double, "
        "(select count(*) from customers where cid = orders.cust) as n from orders",
    )


@pytest.mark.parametrize(
    ("query", "reference"),
    [
        (  # Snowflake's parser reads NOT IN (subquery) as <> ALL (subquery)
            "select id from orders where cust not in (select cid from banned)",
            "select id from orders where cust not in (select cid from banned)",
        ),
        (
            "select id from orders where cust = any (select cid from customers where region = 1)",
            "select id from orders where cust in (select cid from customers where region = 1)",
        ),
    ],
)
def test_quantified_comparisons_that_mean_in(query: str, reference: str) -> None:
    flow = _flow()
    flow.sql(query, dialect="snowflake", name="result")
    _answers_like_duckdb(flow, "result", reference)


def test_the_flow_format_docs_examples_run() -> None:
    """docs/flow-format.md's SQL recipe (Snowflake, CTE, NOT IN, QUALIFY) and formula
    subqueries give the answers worked out by hand."""
    import datetime

    today = datetime.date.today()
    days = [today - datetime.timedelta(days=d) for d in (1, 20, 200, 5, 6)]
    data = {
        "orders": pa.table(
            {
                "id": [1, 2, 3, 4, 5],
                "customer": [1, 1, 2, 3, 3],
                "amount": [10.0, 5.0, 7.0, 1.0, 2.0],
                "day": pa.array(days),
            }
        ),
        "customers": pa.table(
            {"id": [1, 2, 3], "name": ["ann", "bob", "cy"], "region": list("nns")}
        ),
        "blocked": pa.table({"name": ["bob"]}),
        "tickets": pa.table({"customer": [1, 1, 3]}),
    }
    flow = pushdown.Flow()
    for name, table in data.items():
        flow.dataset(name, data=table)
    docs = (Path(__file__).parent.parent / "docs" / "flow-format.md").read_text(encoding="utf-8")
    query = docs.split("  query: |\n", 1)[1].split("```", 1)[0]
    flow.sql(query, dialect="snowflake", name="top")
    flow["orders"].filter(
        "EXISTS (SELECT 1 FROM orders o2 WHERE o2.customer = orders.customer "
        "AND o2.id <> orders.id)",
        name="repeat_customers",
    )
    flow["orders"].compute(
        {
            "share": "amount / (SELECT sum(amount) FROM orders)",
            "n_open": "(SELECT count(*) FROM tickets WHERE tickets.customer = orders.customer)",
        },
        name="with_share",
    )
    got = pushdown.plan(flow).execute()
    assert sorted(got["top"].to_pylist(), key=str) == [
        {"name": "ann", "region": "n", "total": 15.0, "rnk": 1},
        {"name": "cy", "region": "s", "total": 3.0, "rnk": 1},
    ]
    assert sorted(got["repeat_customers"].column("id").to_pylist()) == [1, 2, 4, 5]
    shares = got["with_share"].sort_by("id")
    assert shares.column("n_open").to_pylist() == [2, 2, 0, 1, 1]
    assert shares.column("share").to_pylist() == pytest.approx([0.4, 0.2, 0.28, 0.04, 0.08])


def test_subqueries_in_group_aggregates() -> None:
    flow = _flow()
    flow["orders"].group(
        ["cust"],
        {
            "share": "sum(amount) / (SELECT sum(amount) FROM orders)",
            "n": "count(*)",
        },
        name="shares",
    )
    _answers_like_duckdb(
        flow,
        "shares",
        "select cust, sum(amount) / (select sum(amount) from orders) as share, count(*) as n "
        "from orders group by cust",
    )
