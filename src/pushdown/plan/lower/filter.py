"""The filter recipe: one boolean condition over the input's columns."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from pushdown.errors import FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import owned_copy
from pushdown.plan.lower.context import Context
from pushdown.plan.lower.sql.formulas import has_query, lower_filter_query
from pushdown.recipe import spec as s


def lower_filter(ctx: Context, r: s.FilterRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A filter recipe as one :class:`~pushdown.plan.nodes.Filter` (a condition holding
    subqueries: the steps of its query, ``plan/lower/sql/formulas.py``)."""
    query = has_query(r.where, ctx, r.label, "filter condition")
    if query is not None:
        return lower_filter_query(ctx, query, r.input, r.output, r.label, nodes)
    src = nodes[r.input]
    cond = ctx.shared_formula(r.where, src.schema, r.label, "filter condition")
    ctx.no_aggregates(cond, r.label, None, r.where)
    t = ctx.typed(cond, src.schema, r.label, None, r.where, annotated=True)
    cond = owned_copy(cond)  # the node's own
    if not (pa.types.is_boolean(t) or pa.types.is_null(t)):
        raise FormulaTypeError(
            f"filter condition {r.where!r} is {t}, not a boolean; compare it, e.g. 'x > 0'",
            recipe=r.label,
        )
    return [
        n.Filter(
            name=r.output, recipe=r.label, inputs=(r.input,), schema=src.schema, condition=cond
        )
    ]
