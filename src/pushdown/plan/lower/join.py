"""The join recipe: key columns (``on``) or a condition over ``l.``/``r.`` columns; the
kinds inner, left, right, full, cross, semi and anti (semi and anti compile to ``[NOT] EXISTS``)."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import DuplicateNameError, FlowError, FormulaTypeError, did_you_mean
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column, parse_sql, resolve_name
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s
from pushdown.types import common_type


def lower_join(ctx: Context, r: s.JoinRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A join recipe as one :class:`~pushdown.plan.nodes.Join`."""
    left, right = nodes[r.left], nodes[r.right]
    label = r.label
    if r.how == "cross":
        if r.on is not None or r.condition is not None:
            raise FlowError("a cross join takes neither 'on' nor 'condition'", recipe=label)
        cond: exp.Expr | None = None
        pairs: list[tuple[str, str]] = []
    elif (r.on is None) == (r.condition is None):
        raise FlowError("give exactly one of 'on' (key columns) or 'condition'", recipe=label)
    elif r.on is not None:
        mapping = {k: k for k in r.on} if isinstance(r.on, list) else dict(r.on)
        pairs = [
            (
                resolve_name(lk, left.columns, recipe=label, what=f"left key (in {r.left!r})"),
                resolve_name(rk, right.columns, recipe=label, what=f"right key (in {r.right!r})"),
            )
            for lk, rk in mapping.items()
        ]
        for lk, rk in pairs:
            lt, rt = left.schema.field(lk).type, right.schema.field(rk).type
            if common_type(lt, rt) is None:
                raise FormulaTypeError(
                    f"join keys {lk!r} ({lt}) and {rk!r} ({rt}) have incompatible types",
                    recipe=label,
                    column=lk,
                )
        cond = exp.and_(
            *[exp.EQ(this=column(lk, n.LEFT), expression=column(rk, n.RIGHT)) for lk, rk in pairs]
        )
    else:
        assert r.condition is not None
        cond = _join_condition(ctx, r, left, right)
        pairs = []
    items: list[tuple[str, exp.Expr]] = []
    types: dict[str, pa.DataType] = {}
    same_keys = isinstance(r.on, list)
    key_of_right = {rk: lk for lk, rk in pairs} if same_keys else {}
    for f in left.schema:
        expr: exp.Expr = column(f.name, n.LEFT)
        if same_keys and f.name in {lk for lk, _ in pairs}:
            rk = dict(pairs)[f.name]
            if r.how == "full":
                expr = exp.Coalesce(this=expr, expressions=[column(rk, n.RIGHT)])
            elif r.how == "right":
                expr = column(rk, n.RIGHT)
        items.append((f.name, expr))
        types[f.name] = f.type
    if r.how not in ("semi", "anti"):
        for f in right.schema:
            if f.name in key_of_right:
                continue
            out = f.name if f.name not in types else f.name + r.right_suffix
            if out in types:
                raise DuplicateNameError(
                    f"right column {f.name!r} clashes with {out!r} even with suffix "
                    f"{r.right_suffix!r}; choose another right_suffix",
                    recipe=label,
                    column=f.name,
                )
            items.append((out, column(f.name, n.RIGHT)))
            types[out] = f.type
    schema = pa.schema([(name, types[name]) for name, _ in items])
    return [
        n.Join(
            name=r.output,
            recipe=label,
            inputs=(r.left, r.right),
            schema=schema,
            how=r.how,
            condition=cond,
            items=tuple(items),
        )
    ]


def _join_condition(ctx: Context, r: s.JoinRecipe, left: n.Node, right: n.Node) -> exp.Expr:
    label = r.label
    assert r.condition is not None
    tree = parse_sql(r.condition, dialect=ctx.dialect, recipe=label, what="join condition")
    qualifiers = {r.left: n.LEFT, r.right: n.RIGHT, n.LEFT: n.LEFT, n.RIGHT: n.RIGHT}
    for col in list(tree.find_all(exp.Column)):
        if col.table:
            side = qualifiers.get(col.table)
            if side is None:
                raise FlowError(
                    f"unknown table {col.table!r} in join condition; "
                    f"{did_you_mean(col.table, qualifiers)}",
                    recipe=label,
                    column=col.name,
                )
            names = left.columns if side == n.LEFT else right.columns
            col.replace(column(resolve_name(col.name, names, recipe=label), side))
            continue
        in_left = col.name in left.columns
        in_right = col.name in right.columns
        if in_left and in_right:
            raise FlowError(
                f"column {col.name!r} is in both {r.left!r} and {r.right!r}; qualify it "
                f"as {r.left}.{col.name} or {r.right}.{col.name}",
                recipe=label,
                column=col.name,
            )
        if not (in_left or in_right):
            side = n.LEFT
            resolve_name(col.name, [*left.columns, *right.columns], recipe=label)
        side = n.LEFT if in_left else n.RIGHT
        col.replace(column(col.name, side))
    schema = pa.schema(
        [
            *[(f"{n.LEFT}.{f.name}", f.type) for f in left.schema],
            *[(f"{n.RIGHT}.{f.name}", f.type) for f in right.schema],
        ]
    )
    probe = tree.copy()
    for col in probe.find_all(exp.Column):
        col.replace(column(f"{col.table}.{col.name}"))
    t = ctx.typed(probe, schema, label, None, r.condition)
    if not (pa.types.is_boolean(t) or pa.types.is_null(t)):
        raise FormulaTypeError(f"join condition {r.condition!r} is not a boolean", recipe=label)
    return tree
