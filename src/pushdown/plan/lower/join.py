"""The join recipe: key columns (``on``) or a condition whose columns are qualified by side
(``left.``/``right.``, an input's alias or its dataset name; see :func:`side_qualifiers`); the
kinds inner, left, right, full, cross, semi and anti (semi and anti compile to ``[NOT] EXISTS``)."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import (
    AmbiguousNameError,
    DuplicateNameError,
    FlowError,
    FormulaTypeError,
    UnknownColumnError,
    did_you_mean,
)
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column, match_name, parse_sql, resolve_name
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


# Legacy shorthands for the two sides, accepted where no input is called so (they are also the
# aliases the SQL gives the inputs, but user qualifiers never reach the SQL unresolved).
_LEGACY = {"l": n.LEFT, "r": n.RIGHT}


def side_qualifiers(
    left: str, right: str, aliases: tuple[str | None, str | None] = (None, None)
) -> dict[str, str | None]:
    """The qualifiers a join condition may use, each mapped to its side (``None``: ambiguous).

    ``left.`` and ``right.`` always name the two inputs; an input's alias or dataset name names
    it too, unless both inputs answer to it (a self-join by dataset name), which is ambiguous.
    The legacy ``l.``/``r.`` apply only where no input is called ``l`` or ``r``.

    >>> side_qualifiers("r", "l")["r"] == n.LEFT, side_qualifiers("t", "t")["t"]
    (True, None)
    """
    names: dict[str, set[str]] = {}
    for side, dataset, alias in ((n.LEFT, left, aliases[0]), (n.RIGHT, right, aliases[1])):
        for name in (alias,) if alias else (dataset,):
            names.setdefault(name, set()).add(side)
    found: dict[str, str | None] = {
        name: next(iter(sides)) if len(sides) == 1 else None for name, sides in names.items()
    }
    for keyword, side in (("left", n.LEFT), ("right", n.RIGHT)):
        if keyword in found and found[keyword] != side:
            found[keyword] = None  # an input called "right" on the left: say which
        else:
            found[keyword] = side
    for legacy, side in _LEGACY.items():
        found.setdefault(legacy, side)
    return found


def _join_condition(ctx: Context, r: s.JoinRecipe, left: n.Node, right: n.Node) -> exp.Expr:
    label = r.label
    assert r.condition is not None
    tree = parse_sql(r.condition, dialect=ctx.dialect, recipe=label, what="join condition")
    aliases = (getattr(r, "left_alias", None), getattr(r, "right_alias", None))
    qualifiers = side_qualifiers(r.left, r.right, aliases)
    shown = [q for q in qualifiers if q not in _LEGACY and qualifiers[q] is not None]
    self_join = r.left == r.right and not all(aliases)
    for col in list(tree.find_all(exp.Column)):
        if col.table:
            side = _qualifier(col.table, qualifiers, shown, label, col.name)
            names = left.columns if side == n.LEFT else right.columns
            col.replace(column(resolve_name(col.name, names, recipe=label), side))
            continue
        in_left = match_name(col.name, left.columns)
        in_right = match_name(col.name, right.columns)
        if in_left and in_right:
            lq, rq = (
                ("left", "right") if self_join else (aliases[0] or r.left, aliases[1] or r.right)
            )
            both = f"{r.left!r} (joined with itself)" if self_join else f"{lq!r} and {rq!r}"
            raise AmbiguousNameError(
                f"column {col.name!r} is in both {both}; qualify it as {lq}.{col.name} or "
                f"{rq}.{col.name}",
                recipe=label,
                column=col.name,
            )
        if not (in_left or in_right):
            resolve_name(col.name, dict.fromkeys([*left.columns, *right.columns]), recipe=label)
        side = n.LEFT if in_left else n.RIGHT
        col.replace(column(in_left or in_right or col.name, side))
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


def _qualifier(
    table: str, qualifiers: dict[str, str | None], shown: list[str], label: str, col: str
) -> str:
    """The side a user's qualifier names: exact, else the one matching ignoring case."""
    key = match_name(table, qualifiers)
    if key is None:
        raise UnknownColumnError(
            f"unknown table {table!r} in join condition; {did_you_mean(table, shown)}",
            recipe=label,
            column=col,
        )
    side = qualifiers[key]
    if side is None:
        raise AmbiguousNameError(
            f"{table!r} names both inputs of the join; write left.{col} or right.{col} "
            "(or give the inputs aliases: left_alias / right_alias)",
            recipe=label,
            column=col,
        )
    return side
