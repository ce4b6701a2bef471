"""The pivot recipe: one column per key value, as conditional aggregation
(``SUM(CASE WHEN key = v THEN x END)``), so no engine needs a PIVOT clause."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import DuplicateNameError, FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column, literal, nested_aggregate, resolve_name
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s


def lower_pivot(ctx: Context, r: s.PivotRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A pivot recipe as one :class:`~pushdown.plan.nodes.Aggregate`."""
    src = nodes[r.input]
    label = r.label
    keys = tuple(resolve_name(k, src.columns, recipe=label, what="index column") for k in r.index)
    key = resolve_name(r.key, src.columns, recipe=label, what="pivot key")
    template = ctx.formula(r.aggregate, src.schema, label, "pivot aggregate")
    if not isinstance(template, exp.AggFunc) or nested_aggregate(template) is not None:
        raise FormulaTypeError(
            f"pivot aggregate {r.aggregate!r} must be one aggregate call like 'sum(amount)'",
            recipe=label,
        )
    agg_type = ctx.typed(template, src.schema, label, None, r.aggregate)
    fields = [(k, src.schema.field(k).type) for k in keys]
    aggs = []
    for value in r.values:
        out = str(value)
        if out in keys or out in dict(fields):
            raise DuplicateNameError(
                f"pivot column {out!r} clashes with another column", recipe=label, column=out
            )
        match = exp.EQ(this=column(key), expression=literal(value))
        agg = template.copy()
        arg = agg.this
        new_arg = literal(1) if isinstance(arg, exp.Star) else arg
        agg.set("this", exp.Case(ifs=[exp.If(this=match, true=new_arg)]))
        aggs.append((out, agg))
        fields.append((out, agg_type))
    return [
        n.Aggregate(
            name=r.output,
            recipe=label,
            inputs=(r.input,),
            schema=pa.schema(fields),
            keys=keys,
            aggregates=tuple(aggs),
        )
    ]
