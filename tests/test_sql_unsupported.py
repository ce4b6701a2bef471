"""Every SQL construct the ``sql`` recipe cannot lower is refused with an
:class:`UnsupportedSqlError` naming the construct and where it is in the text."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

import pushdown
from pushdown.errors import UnsupportedSqlError

ORDERS = pa.table({"id": [1, 2], "cust": [1, 2], "amount": [1.0, 2.0]})
CUSTOMERS = pa.table({"cid": [1], "name": ["a"]})

# (construct named in the message, query)
CASES = [
    ("LATERAL", "select o.id from orders o, lateral (select * from customers c) x"),
    ("UNNEST", "select * from unnest([1, 2]) as t(x)"),
    ("VALUES", "select * from (values (1), (2)) as t(x)"),
    ("PIVOT/UNPIVOT in FROM", "select * from orders pivot (sum(amount) for cust in (1, 2))"),
    ("GROUP BY CUBE", "select cust, sum(amount) from orders group by cube (cust)"),
    ("GROUP BY ROLLUP", "select cust, sum(amount) from orders group by rollup (cust)"),
    ("GROUPING SETS", "select cust, sum(amount) from orders group by grouping sets ((cust), ())"),
    ("ANY/SOME (subquery)", "select id from orders where amount > any (select amount from orders)"),
    ("ALL (subquery)", "select id from orders where amount > all (select amount from orders)"),
    (
        "WITH RECURSIVE",
        "with recursive r as (select 1 as x union all select x + 1 from r where x < 3) "
        "select * from r",
    ),
    ("table function RANGE(10)", "select * from range(10)"),
    ("DISTINCT ON", "select distinct on (cust) id from orders"),
    ("OFFSET", "select id from orders order by id limit 1 offset 1"),
    ("INTERSECT ALL", "select cust from orders intersect all select cid from customers"),
    ("EXCEPT ALL", "select cust from orders except all select cid from customers"),
    ("NATURAL JOIN", "select * from orders natural join customers"),
    (
        "a correlated condition holding a subquery",
        "select id from orders o where exists (select 1 from customers c where exists "
        "(select 1 from orders i where i.id = o.id and c.cid = i.cust))",
    ),
    (
        "a correlated scalar subquery without an aggregate",
        "select id, (select name from customers c where c.cid = o.cust) from orders o",
    ),
    ("INSERT statement", "insert into orders select * from orders"),
    ("SELECT without FROM", "select 1"),
    (
        "a subquery in a join's ON",
        "select o.id from orders o join customers c on c.cid = (select max(cid) from customers)",
    ),
    (
        "NOT IN with several columns",
        "select id from orders where (id, cust) not in (select cid, cid from customers)",
    ),
    (
        "a scalar subquery that may return several rows",
        "select id, (select cid from customers) from orders",
    ),
    (
        "a set operation in a correlated EXISTS",
        "select id from orders o where exists "
        "(select cid from customers c where c.cid = o.cust union select 1)",
    ),
    (
        "GROUP BY in a correlated EXISTS",
        "select id from orders o where exists "
        "(select 1 from customers c where c.cid = o.cust group by c.cid)",
    ),
    (
        "a correlated condition other than an equality",
        "select id, (select max(cid) from customers c where c.cid < o.cust) from orders o",
    ),
    (
        "ORDER BY an expression after a set operation",
        "select id from orders union select cid from customers order by id + 1",
    ),
    (
        "a window function in a correlated EXISTS",
        "select id from orders o where exists "
        "(select row_number() over () from customers c where c.cid = o.cust)",
    ),
    (
        "IN (subquery) as a value with several columns or a correlation",
        "select id, cust in (select cid from customers c where c.cid = o.id) from orders o",
    ),
]


@pytest.mark.parametrize(("construct", "query"), CASES, ids=[c for c, _ in CASES])
def test_unsupported_construct_is_named_with_its_position(construct: str, query: str) -> None:
    flow = pushdown.Flow()
    flow.dataset("orders", data=ORDERS)
    flow.dataset("customers", data=CUSTOMERS)
    flow.sql(query, name="q")
    with pytest.raises(UnsupportedSqlError) as info:
        pushdown.plan(flow)
    err = info.value
    assert err.construct == construct
    assert err.position is not None and re.fullmatch(r"line \d+, column \d+", err.position)
    assert str(err).startswith(f"recipe 'q': {construct} at line ")


def test_an_unsupported_subquery_in_a_filter_formula_is_named_too() -> None:
    flow = pushdown.Flow()
    orders = flow.dataset("orders", data=ORDERS)
    flow.dataset("customers", data=CUSTOMERS)
    orders.filter("amount > ALL (SELECT amount FROM orders)", name="f")
    with pytest.raises(UnsupportedSqlError, match="ALL \\(subquery\\)"):
        pushdown.plan(flow)


@pytest.mark.parametrize(
    "query",
    [
        "select cust, id, sum(amount) as s from orders group by cust",
        "select id, sum(amount) as s from orders",  # no GROUP BY: one group of every row
        "select sum(id) over () as w, sum(amount) as s from orders",
        "select cust, sum(amount) as s from orders o group by cust order by o.id",
    ],
)
def test_an_ungrouped_column_is_named_as_such_not_as_a_correlated_reference(query: str) -> None:
    from pushdown.errors import FormulaTypeError

    flow = pushdown.Flow()
    flow.dataset("orders", data=ORDERS)
    flow.sql(query, name="q")
    with pytest.raises(FormulaTypeError) as info:
        pushdown.plan(flow)
    assert info.value.recipe == "q" and info.value.column == "id"
    assert "is neither a group key nor inside an aggregate function" in str(info.value)
