"""SQL lowered into the logical plan: the ``sql`` recipe, and formulas holding subqueries.

A query in any dialect sqlglot reads is parsed, its names resolved against the flow's datasets
and constants folded (``front.py``), then walked into the plan's own nodes: a filter per
source, joins in predicate order, subqueries as semi/anti/one-row/decorrelated joins, one
aggregate, window, projection, distinct, sort or limit step per clause (``select.py``,
``clauses.py``, ``subqueries.py``).  Every step is a node the planner places and the compilers
translate for its engine, exactly like a hand-built recipe's; nothing is passed through as
text.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from pushdown.plan import nodes as n
from pushdown.plan.lower.context import Context
from pushdown.plan.lower.sql.front import parse_query, prepare, resolve_dataset
from pushdown.plan.lower.sql.scope import Builder, Env
from pushdown.plan.lower.sql.select import Lowerer
from pushdown.recipe import spec as s
from pushdown.recipe.sql import referenced_tables, table_name


def lower_sql(ctx: Context, r: s.SqlRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A ``sql`` recipe as the nodes of its query, the last one named after its output."""
    tree = parse_query(r.query, r.dialect or ctx.dialect, r.label)
    return lower_query_tree(ctx, tree, r.label, r.output, nodes)


def lower_query_tree(
    ctx: Context, tree: exp.Expr, label: str, output: str, nodes: Mapping[str, n.Node]
) -> list[n.Node]:
    """The nodes computing ``tree`` (a parsed query over datasets of ``nodes``) into a
    dataset called ``output``."""
    used = {resolve_dataset(table_name(t), nodes, label) for t in referenced_tables(tree)}
    schemas = {name: nodes[name].schema for name in sorted(used)}
    tree = prepare(tree, schemas, label)
    builder = Builder(ctx, label, output, nodes)
    lowerer = Lowerer(builder, {name.lower(): name for name in schemas})
    out = lowerer.query(tree, Env(), root=True)
    return builder.finish(out.node)
