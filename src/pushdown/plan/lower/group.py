"""The group recipe: keys and aggregate formulas, each checked to aggregate its rows."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import DuplicateNameError, FlowError, FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import (
    contains_aggregate,
    contains_window,
    nested_aggregate,
    resolve_name,
)
from pushdown.plan.lower.context import Context
from pushdown.plan.lower.sql.formulas import has_query, lower_group_query, parse_formula
from pushdown.recipe import spec as s


def lower_group(ctx: Context, r: s.GroupRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A group recipe as one :class:`~pushdown.plan.nodes.Aggregate` (aggregates holding
    subqueries: the steps of their query, ``plan/lower/sql/formulas.py``)."""
    src = nodes[r.input]
    label = r.label
    keys = tuple(resolve_name(k, src.columns, recipe=label, what="group key") for k in r.by)
    if not r.aggregates and not keys:
        raise FlowError("a group recipe needs 'by' keys or 'aggregates'", recipe=label)
    queries = {o: has_query(f, ctx, label, f"aggregate {o!r}", o) for o, f in r.aggregates.items()}
    if any(q is not None for q in queries.values()):
        for out in r.aggregates:
            if out in keys:
                raise DuplicateNameError(
                    f"aggregate {out!r} has the name of a group key", recipe=label, column=out
                )
        formulas = {
            o: parse_formula(f, ctx, label, f"aggregate {o!r}", o) for o, f in r.aggregates.items()
        }
        return lower_group_query(ctx, keys, formulas, r.input, r.output, label, nodes)
    aggs: list[tuple[str, exp.Expr]] = []
    fields = [(k, src.schema.field(k).type) for k in keys]
    for out, text in r.aggregates.items():
        if out in keys:
            raise DuplicateNameError(
                f"aggregate {out!r} has the name of a group key", recipe=label, column=out
            )
        tree = ctx.formula(text, src.schema, label, f"aggregate {out!r}", column=out)
        _check_aggregate(tree, keys, label, out, text)
        fields.append((out, ctx.typed(tree, src.schema, label, out, text)))
        aggs.append((out, tree))
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


def _check_aggregate(
    tree: exp.Expr, keys: tuple[str, ...], label: str, out: str, text: str
) -> None:
    if contains_window(tree):
        raise FormulaTypeError(
            f"aggregate {out!r}: {text!r} uses a window; use a window recipe",
            recipe=label,
            column=out,
        )
    if not contains_aggregate(tree):
        raise FormulaTypeError(
            f"aggregate {out!r}: {text!r} has no aggregate function; use e.g. "
            f"sum(...), count(*), avg(...), median(...), arg_min(value, order)",
            recipe=label,
            column=out,
        )
    inner = nested_aggregate(tree)
    if inner is not None:
        raise FormulaTypeError(
            f"aggregate {out!r}: {text!r} nests {inner.sql()!r} inside another aggregate "
            f"or its FILTER (WHERE ...), which no engine accepts; aggregate once here and "
            f"again in a later group recipe",
            recipe=label,
            column=out,
        )
    for col in tree.find_all(exp.Column):
        # a FILTER's condition is part of its aggregate call
        if col.name not in keys and col.find_ancestor(exp.AggFunc, exp.Filter) is None:
            raise FormulaTypeError(
                f"aggregate {out!r}: column {col.name!r} is neither a group key nor inside "
                f"an aggregate function",
                recipe=label,
                column=col.name,
            )
