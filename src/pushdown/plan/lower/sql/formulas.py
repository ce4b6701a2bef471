"""Subqueries inside the formulas of ordinary recipes (filter conditions, prepare computes,
group aggregates).

A formula holding a subquery (``cust IN (SELECT id FROM customers)``, ``NOT EXISTS (...)``,
``(SELECT max(x) FROM t)``) is lowered as the query it means over the recipe's input,
``SELECT * FROM input WHERE <condition>``, ``SELECT *, <formula> AS col FROM input`` or
``SELECT keys, <aggregate> AS col FROM input GROUP BY keys``, by the
same lowering as the ``sql`` recipe: semi/anti joins, one-row cross joins and decorrelated
group + join steps, each placed like any other.  Inside the subquery, the input's columns are
reached unqualified (when the subquery's own sources do not hold the name) or qualified by
the input dataset's name.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from pushdown.plan import nodes as n
from pushdown.plan.formulas import holds_query, parse_one_formula, parse_sql
from pushdown.plan.lower.context import Context
from pushdown.plan.lower.sql import lower_query_tree


def has_query(
    text: str, ctx: Context, label: str, what: str, column: str | None = None
) -> exp.Expr | None:
    """The parsed ``text`` when it holds a subquery, else None (parse errors are raised,
    naming ``column``, the column it computes, when given).

    Looked for in the parser's kept tree (``plan/formulas.py``): nothing is copied unless
    a subquery is found, and the formula's own parse afterwards reuses it."""
    if isinstance(text, str) and holds_query(text, ctx.dialect or None) is False:
        return None  # (a parse error is raised by parse_formula, naming the recipe)
    tree = parse_formula(text, ctx, label, what, column)
    found = tree.find(exp.Query, exp.Exists)
    return tree if found is not None else None


def parse_formula(
    text: str, ctx: Context, label: str, what: str, column: str | None = None
) -> exp.Expr:
    """``text`` parsed as a formula, where a whole formula may be a scalar subquery
    (``(SELECT max(x) FROM t)``); ``column``: the column it computes (named by an error)."""
    if isinstance(text, str) and text.strip().startswith("("):
        tree = parse_one_formula(text, dialect=ctx.dialect, recipe=label, what=what, column=column)
        if isinstance(tree, exp.Subquery):
            return tree
    return parse_sql(text, dialect=ctx.dialect, recipe=label, what=what, column=column)


def _source(name: str, alias: str) -> exp.Table:
    table = exp.Table(this=exp.to_identifier(name, quoted=True))
    table.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    return table


def lower_filter_query(
    ctx: Context,
    cond: exp.Expr,
    source: str,
    output: str,
    label: str,
    nodes: Mapping[str, n.Node],
    alias: str | None = None,
) -> list[n.Node]:
    """A filter whose condition holds subqueries, as the nodes of its query; ``alias``
    (default: ``source``) is how the subqueries name the filtered rows."""
    tree = exp.select(exp.Star()).from_(_source(source, alias or source)).where(cond)
    return lower_query_tree(ctx, tree, label, output, nodes)


def lower_compute_query(
    ctx: Context,
    formulas: Mapping[str, exp.Expr],
    source: str,
    output: str,
    label: str,
    nodes: Mapping[str, n.Node],
    alias: str | None = None,
) -> list[n.Node]:
    """Columns computed by formulas holding subqueries, added to ``source``'s (a column
    of the same name is replaced in place); ``alias`` (default: ``source``) is how the
    subqueries name the rows."""
    items: list[exp.Expr] = []
    for col in nodes[source].columns:
        value = formulas.get(col)
        ident = exp.to_identifier(col, quoted=True)
        items.append(exp.column(ident) if value is None else exp.alias_(value, ident))
    for col, value in formulas.items():
        if col not in nodes[source].columns:
            items.append(exp.alias_(value, exp.to_identifier(col, quoted=True)))
    tree = exp.select(*items).from_(_source(source, alias or source))
    return lower_query_tree(ctx, tree, label, output, nodes)


def lower_group_query(
    ctx: Context,
    keys: tuple[str, ...],
    formulas: Mapping[str, exp.Expr],
    source: str,
    output: str,
    label: str,
    nodes: Mapping[str, n.Node],
) -> list[n.Node]:
    """A group whose aggregates hold subqueries, as the nodes of its query."""
    columns = [exp.column(exp.to_identifier(k, quoted=True)) for k in keys]
    items: list[exp.Expr] = [*columns]
    items += [exp.alias_(v, exp.to_identifier(o, quoted=True)) for o, v in formulas.items()]
    tree = exp.select(*items).from_(_source(source, source))
    if columns:
        tree = tree.group_by(*[c.copy() for c in columns])
    return lower_query_tree(ctx, tree, label, output, nodes)
