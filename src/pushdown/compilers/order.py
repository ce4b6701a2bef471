"""Row order through a statement.

SQL keeps an order only where a query says ORDER BY, so a sort inside a CTE chain orders
nothing by itself.  A sort (or an overall top-N) followed by steps that keep their rows one for
one (filter, prepare, window) still orders the result: :func:`carry_order` finds that sort,
re-expresses its terms over each later step's columns (through renames and computed columns,
or as hidden columns where a step drops a sort key) and :func:`ordered` says ORDER BY where the
statement's result is read.  Where a step does not keep row order (a join, a group) the planner
notes and warns that the order is dropped (``planner/fragments.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlglot import exp

from pushdown.plan import nodes as n
from pushdown.plan.formulas import column

ONE_FOR_ONE = (n.Filter, n.Project, n.Window)
HIDDEN = "_pushdown_order_{}"


def sets_order(node: n.Node) -> bool:
    """True for the steps whose statement orders its rows: a sort, an overall top-N."""
    return isinstance(node, n.Sort) or (isinstance(node, n.TopN) and not node.partition)


@dataclass
class CarriedOrder:
    """A sort's terms carried to a statement's result: ``extra`` are the hidden columns each
    step of the way computes (step -> (name, expression over its input))."""

    terms: list[exp.Ordered]
    extra: dict[str, list[tuple[str, exp.Expr]]] = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        """True when the result carries hidden order columns to drop."""
        return any(self.extra.values())


def carry_order(
    nodes: Mapping[str, n.Node], target: str, external: Mapping[str, object]
) -> CarriedOrder | None:
    """The order ``target``'s statement must end with, when a sort in the same statement
    reaches it through one-for-one steps; None when it is the sort itself or none does."""
    path: list[str] = []
    name = target
    while not sets_order(nodes[name]):
        node = nodes[name]
        if not isinstance(node, ONE_FOR_ONE) or node.inputs[0] in external:
            return None
        path.append(name)
        name = node.inputs[0]
    if not path:
        return None
    source = nodes[name]
    assert isinstance(source, n.Sort | n.TopN)
    carried = CarriedOrder([o.copy() for o in source.order])
    count = 0
    for step in reversed(path):
        node = nodes[step]
        if not isinstance(node, n.Project | n.Window):
            continue  # a filter returns its input's columns, hidden ones included
        passed = {expr: out for out, expr in node.items}
        for term in carried.terms:
            out = passed.get(term.this)
            if out is None:
                hidden = HIDDEN.format(count)
                count += 1
                carried.extra.setdefault(step, []).append((hidden, term.this.copy()))
                out = hidden
            term.set("this", column(out))
    return carried


def with_hidden(query: exp.Query, extra: list[tuple[str, exp.Expr]]) -> exp.Query:
    """A step's compiled SELECT computing the hidden order columns too."""
    assert isinstance(query, exp.Select)
    for name, expr in extra:
        query.append("expressions", exp.Alias(this=expr.copy(), alias=_quoted(name)))
    return query


def ordered(query: exp.Query, carried: CarriedOrder, columns: list[str]) -> exp.Query:
    """``query`` (the result's statement) ending with the carried ORDER BY; hidden order
    columns are dropped by an outer SELECT of ``columns``."""
    order = exp.Order(expressions=[t.copy() for t in carried.terms])
    if not carried.hidden and isinstance(query, exp.Select):
        query.set("order", order)
        return query
    inner = exp.Subquery(this=query, alias=exp.TableAlias(this=_quoted("ordered")))
    outer = exp.Select(expressions=[column(c) for c in columns], from_=exp.From(this=inner))
    outer.set("order", order)
    return outer


def _quoted(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)
