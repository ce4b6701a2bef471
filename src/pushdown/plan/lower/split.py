"""The split recipe: one filter per output with first-match conditions (a row goes to the
first output whose condition holds, or to the ``else`` output)."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s


def lower_split(ctx: Context, r: s.SplitRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A split recipe as one :class:`~pushdown.plan.nodes.Filter` per output."""
    src = nodes[r.input]
    label = r.label
    conds = []
    for out, text in r.outputs.items():
        cond = ctx.formula(text, src.schema, label, f"condition for {out!r}")
        ctx.no_aggregates(cond, label, None, text)
        t = ctx.typed(cond, src.schema, label, None, text)
        if not (pa.types.is_boolean(t) or pa.types.is_null(t)):
            raise FormulaTypeError(
                f"condition for {out!r} ({text!r}) is not a boolean", recipe=label
            )
        conds.append(exp.Coalesce(this=exp.paren(cond), expressions=[exp.false()]))
    result: list[n.Node] = []
    for i, out in enumerate(r.outputs):
        earlier = [exp.not_(c.copy()) for c in conds[:i]]
        where = exp.and_(conds[i].copy(), *earlier) if earlier else conds[i].copy()
        result.append(
            n.Filter(name=out, recipe=label, inputs=(r.input,), schema=src.schema, condition=where)
        )
    if r.else_output:
        where = exp.and_(*[exp.not_(c.copy()) for c in conds])
        result.append(
            n.Filter(
                name=r.else_output,
                recipe=label,
                inputs=(r.input,),
                schema=src.schema,
                condition=where,
            )
        )
    return result
