"""The sort recipe: order terms over the input's columns."""

from __future__ import annotations

from collections.abc import Mapping

from pushdown.errors import FlowError
from pushdown.plan import nodes as n
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s


def lower_sort(ctx: Context, r: s.SortRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A sort recipe as one :class:`~pushdown.plan.nodes.Sort`."""
    src = nodes[r.input]
    if not r.by:
        raise FlowError("a sort recipe needs at least one 'by' term", recipe=r.label)
    order = tuple(ctx.ordered(t, src.schema, r.label) for t in r.by)
    return [
        n.Sort(name=r.output, recipe=r.label, inputs=(r.input,), schema=src.schema, order=order)
    ]
