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
from pushdown.plan.lower.sql.formulas import has_query, lower_compute_query, parse_formula
from pushdown.recipe import spec as s
from pushdown.types import parse_type


def lower_prepare(ctx: Context, r: s.PrepareRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A prepare recipe as one :class:`~pushdown.plan.nodes.Project`; a compute step whose
    formulas hold subqueries splits it: the steps before, that step as the nodes of its query
    (``plan/lower/sql/formulas.py``), then the steps after."""
    for i, step in enumerate(r.steps):
        if not isinstance(step, s.ComputeStep):
            continue
        what = "formula for {!r}"
        parsed = {o: has_query(f, ctx, r.label, what.format(o), o) for o, f in step.compute.items()}
        if any(q is not None for q in parsed.values()):
            return _split(ctx, r, nodes, i)
    return _lower_plain(ctx, r, nodes)


def _split(ctx: Context, r: s.PrepareRecipe, nodes: Mapping[str, n.Node], i: int) -> list[n.Node]:
    taken = set(nodes) | set(ctx.flow.dataset_names())

    def fresh(hint: str) -> str:
        name, k = f"{r.output}__{hint}", 2
        while name in taken:
            name, k = f"{r.output}__{hint}_{k}", k + 1
        taken.add(name)
        return name

    made: list[n.Node] = []
    known = dict(nodes)
    source = r.input
    if i > 0:
        before = r.model_copy(
            update={"name": r.label, "output": fresh("before"), "steps": r.steps[:i]}
        )
        made += _lower_plain(ctx, before, known)
        known.update((m.name, m) for m in made)
        source = before.output
    step = r.steps[i]
    assert isinstance(step, s.ComputeStep)
    what = "formula for {!r}"
    formulas = {
        o: parse_formula(f, ctx, r.label, what.format(o), o) for o, f in step.compute.items()
    }
    last = i == len(r.steps) - 1
    target = r.output if last else fresh("computed")
    computed = lower_compute_query(ctx, formulas, source, target, r.label, known, r.input)
    made += computed
    if not last:
        known.update((m.name, m) for m in computed)
        after = r.model_copy(update={"name": r.label, "input": target, "steps": r.steps[i + 1 :]})
        made += lower_prepare(ctx, after, known)
    return made


def _lower_plain(ctx: Context, r: s.PrepareRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
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
                schema = current_schema()
                tree = ctx.shared_formula(text, schema, label, f"formula for {out!r}", column=out)
                ctx.no_aggregates(tree, label, out, text)
                types[out] = ctx.typed(tree, schema, label, out, text, annotated=True)
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
            before = dict(types)  # a swap or chain (a -> b, b -> a) reads the types before it
            for col, expr in state.items():
                target = new_names.get(col, col)
                if target in renamed:
                    raise DuplicateNameError(
                        f"rename makes two columns {target!r}", recipe=label, column=target
                    )
                renamed[target] = expr
                types[target] = before[col]
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
