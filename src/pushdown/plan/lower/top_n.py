"""The top-N recipe: the first ``n`` rows per partition in an order (compiled to
``ROW_NUMBER()`` in a subquery: no QUALIFY, which Hive lacks)."""

from __future__ import annotations

from collections.abc import Mapping

from pushdown.errors import FlowError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import resolve_name
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s


def lower_top_n(ctx: Context, r: s.TopNRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A top-N recipe as one :class:`~pushdown.plan.nodes.TopN`."""
    src = nodes[r.input]
    label = r.label
    if not r.order_by:
        raise FlowError("top_n needs 'order_by'", recipe=label)
    order = tuple(ctx.ordered(t, src.schema, label) for t in r.order_by)
    partition = tuple(
        resolve_name(p, src.columns, recipe=label, what="partition column") for p in r.partition_by
    )
    return [
        n.TopN(
            name=r.output,
            recipe=label,
            inputs=(r.input,),
            schema=src.schema,
            n=r.n,
            order=order,
            partition=partition,
        )
    ]
