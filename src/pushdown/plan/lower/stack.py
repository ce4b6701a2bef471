"""The stack recipe: a union of inputs by column name, types widened to a common type and
missing columns filled with typed NULLs."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s
from pushdown.types import arrow_to_sql, common_type


def lower_stack(ctx: Context, r: s.StackRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A stack recipe as one :class:`~pushdown.plan.nodes.Union`."""
    label = r.label
    inputs = [nodes[i] for i in r.inputs]
    types: dict[str, pa.DataType] = {}
    for node in inputs:
        for f in node.schema:
            if f.name not in types:
                types[f.name] = f.type
                continue
            wide = common_type(types[f.name], f.type)
            if wide is None:
                raise FormulaTypeError(
                    f"column {f.name!r} is {types[f.name]} in one input and {f.type} in "
                    f"{node.name!r}; cast one of them in a prepare recipe first",
                    recipe=label,
                    column=f.name,
                )
            types[f.name] = wide
    branches = []
    for node in inputs:
        branch = []
        for name, t in types.items():
            sql_t = arrow_to_sql(t)
            if name not in node.columns:
                expr: exp.Expr = exp.Cast(this=exp.null(), to=sql_t)
            elif node.schema.field(name).type != t:
                expr = exp.Cast(this=column(name), to=sql_t)
            else:
                expr = column(name)
            branch.append((name, expr))
        branches.append(tuple(branch))
    return [
        n.Union(
            name=r.output,
            recipe=label,
            inputs=tuple(r.inputs),
            schema=pa.schema(list(types.items())),
            distinct=r.distinct,
            branches=tuple(branches),
        )
    ]
