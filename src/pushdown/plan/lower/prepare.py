"""The prepare recipe: compute, if, rename, drop, keep, cast and fill-nulls steps folded
into one projection (each formula substituted into the columns it reads)."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import DuplicateNameError, FlowError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column, literal, resolve_name, substitute
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s
from pushdown.types import parse_type


def lower_prepare(ctx: Context, r: s.PrepareRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A prepare recipe as one :class:`~pushdown.plan.nodes.Project`."""
    src = nodes[r.input]
    label = r.label
    state: dict[str, exp.Expr] = {c: column(c) for c in src.columns}
    types: dict[str, pa.DataType] = {f.name: f.type for f in src.schema}

    def current_schema() -> pa.Schema:
        return pa.schema([(c, types[c]) for c in state])

    def require(col: str) -> str:
        return resolve_name(col, state, recipe=label)

    for step in r.steps:
        if isinstance(step, s.ComputeStep):
            for out, text in step.compute.items():
                tree = ctx.formula(text, current_schema(), label, f"formula for {out!r}")
                ctx.no_aggregates(tree, label, out, text)
                types[out] = ctx.typed(tree, current_schema(), label, out, text)
                state[out] = substitute(tree, state)
        elif isinstance(step, s.IfStep):
            cond = ctx.formula(step.if_, current_schema(), label, "if condition")
            then = ctx.formula(step.then, current_schema(), label, "then formula")
            other = (
                ctx.formula(step.else_, current_schema(), label, "else formula")
                if step.else_ is not None
                else exp.null()
            )
            case = exp.Case(ifs=[exp.If(this=cond, true=then)], default=other)
            ctx.no_aggregates(case, label, step.as_, step.if_)
            types[step.as_] = ctx.typed(case, current_schema(), label, step.as_, step.then)
            state[step.as_] = substitute(case, state)
        elif isinstance(step, s.RenameStep):
            renamed: dict[str, exp.Expr] = {}
            new_names = {require(old): new for old, new in step.rename.items()}
            for col, expr in state.items():
                target = new_names.get(col, col)
                if target in renamed:
                    raise DuplicateNameError(
                        f"rename makes two columns {target!r}", recipe=label, column=target
                    )
                renamed[target] = expr
                types[target] = types[col]
            state = renamed
        elif isinstance(step, s.DropStep):
            for col in step.drop:
                del state[require(col)]
        elif isinstance(step, s.KeepStep):
            kept = [require(c) for c in step.keep]
            state = {c: state[c] for c in kept}
        elif isinstance(step, s.CastStep):
            for col, type_name in step.cast.items():
                name = require(col)
                arrow = parse_type(type_name, dialect=ctx.dialect, recipe=label)
                to = exp.DataType.build(type_name, dialect=ctx.dialect or "")
                state[name] = exp.Cast(this=state[name], to=to)
                types[name] = arrow
        elif isinstance(step, s.FillNullsStep):
            for col, value in step.fill_nulls.items():
                name = require(col)
                state[name] = exp.Coalesce(this=state[name], expressions=[literal(value)])
    if not state:
        raise FlowError("the prepare steps leave no columns", recipe=label)
    schema = pa.schema([(c, types[c]) for c in state])
    return [
        n.Project(
            name=r.output,
            recipe=label,
            inputs=(r.input,),
            schema=schema,
            items=tuple(state.items()),
        )
    ]
