"""The clauses of a SELECT after FROM and WHERE: GROUP BY and the aggregates (one
aggregate step), HAVING, window functions (one window step), QUALIFY, the select list (one
projection, skipped when it only repeats its input), DISTINCT, ORDER BY and LIMIT."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import (
    column,
    in_window,
    inner_call,
    nested_aggregate,
    outer_call,
)
from pushdown.plan.lower.sql.front import WRITTEN, refuse
from pushdown.plan.lower.sql.scope import Env, Out, QueryLowering, Rel, conjuncts, has_subquery


def _outside_queries(expr: exp.Expr, cls: type[exp.Expr]) -> list[exp.Expr]:
    return [
        x
        for x in expr.walk(prune=lambda x: isinstance(x, exp.Query) and x is not expr)
        if isinstance(x, cls)
    ]


def aggregates_in(expr: exp.Expr) -> list[exp.Expr]:
    """The aggregate calls of ``expr`` (not window functions, not inside subqueries, not
    inside another aggregate), each with its FILTER (``sum(x) FILTER (WHERE c)`` is one
    call); one inside a window function's arguments counts, as the ``sum(x)`` of
    ``sum(sum(x)) OVER ()``, which windows over the groups' sums."""
    return [
        outer_call(a)
        for a in _outside_queries(expr, exp.AggFunc)
        if not in_window(a) and not _inside_aggregate(a)
    ]


def _inside_aggregate(node: exp.Expr) -> bool:
    """True when an aggregate call (not a window's own function) encloses ``node``."""
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Query):
        if isinstance(parent, exp.AggFunc) and not in_window(parent):
            return True
        parent = parent.parent
    return False


def windows_in(expr: exp.Expr) -> list[exp.Expr]:
    """The window function calls of ``expr`` (outside subqueries)."""
    return _outside_queries(expr, exp.Window)


def output_names(low: QueryLowering, items: list[exp.Expr], rel: Rel) -> list[str]:
    """The column name of each select item: its alias as written, a column's own name, or
    the name sqlglot gave it; made unique."""
    names: list[str] = []
    for item in items:
        alias = item.args.get("alias") if isinstance(item, exp.Alias) else None
        inner = item.unalias()
        if alias is not None and WRITTEN in alias.meta:
            name = alias.meta[WRITTEN]
        elif isinstance(inner, exp.Column) and (inner.table, inner.name) in rel.cols:
            name = rel.cols[(inner.table, inner.name)]
        else:
            name = item.alias_or_name
        base, i = name, 2
        while name in names:
            name, i = f"{base}_{i}", i + 1
        names.append(name)
    return names


def rest(low: QueryLowering, q: exp.Select, rel: Rel, env: Env, *, root: bool) -> Out:
    """Lower ``q``'s clauses after FROM/WHERE over the rows ``rel``."""
    b = low.b
    items = list(q.expressions)
    names = output_names(low, items, rel)
    having = q.args.get("having")
    order = q.args.get("order")
    order_exprs = [o.this for o in order.expressions] if order is not None else []
    group = q.args.get("group")
    post = [*items, *([having.this] if having is not None else []), *order_exprs]
    if group is not None or any(aggregates_in(e) for e in post):
        rel = aggregate(low, q, rel, items, names, post, env)
    if having is not None:
        for conj in conjuncts(having.this):
            rel = low.sub.where(rel, conj, env) if has_subquery(conj) else b.filter(rel, conj)
    qualify = q.args.get("qualify")
    wins = [
        w
        for e in [*items, *order_exprs, *([qualify.this] if qualify else [])]
        for w in windows_in(e)
    ]
    if wins:
        rel = windows(low, rel, wins, items, names)
    if qualify is not None:
        rel = b.filter(rel, qualify.this, "qualify")
    values: list[tuple[str, exp.Expr]] = []
    for item, name in zip(items, names, strict=True):
        expr = item.unalias()
        if has_subquery(expr):
            rel, expr = low.sub.values(rel, expr, env)
        values.append((name, b.translate(expr, rel)))
    distinct = q.args.get("distinct") is not None
    terms: list[exp.Ordered] = []
    hidden: list[str] = []
    if order is not None and (root or q.args.get("limit") is not None):
        for i, o in enumerate(order.expressions):
            target = _order_target(o.this, items, names)
            if target is None:
                if distinct:
                    raise refuse(
                        "ORDER BY a column not selected with DISTINCT", o, "select it too", b.label
                    )
                target = f"_pushdown_order_{i}"
                hidden.append(target)
                values.append((target, b.translate(o.this, rel)))
            terms.append(ordered_by(o, column(target)))
    node = _project(low, rel, values)
    if distinct:
        schema = b.node(node).schema
        node = b.add(
            n.Distinct(name=b.fresh("distinct"), recipe=b.label, inputs=(node,), schema=schema)
        )
    out = Out(node, [(item.alias_or_name, name) for item, name in zip(items, names, strict=True)])
    out = _limit(low, q, out, terms)
    if hidden:
        visible: list[tuple[str, exp.Expr]] = [(c, column(c)) for _, c in out.names]
        out = Out(b.project(Rel(out.node, {}), visible, "select"), out.names)
    return out


def ordered_by(o: exp.Ordered, this: exp.Expr) -> exp.Ordered:
    """A copy of order term ``o`` over ``this``."""
    term = o.copy()
    term.set("this", this)
    return term


def _order_target(expr: exp.Expr, items: list[exp.Expr], names: list[str]) -> str | None:
    if isinstance(expr, exp.Column) and not expr.table:
        for item, name in zip(items, names, strict=True):
            if item.alias_or_name == expr.name:
                return name
    for item, name in zip(items, names, strict=True):
        if item.unalias() == expr:
            return name
    return None


def _project(low: QueryLowering, rel: Rel, values: list[tuple[str, exp.Expr]]) -> str:
    """The projection, or ``rel``'s node itself when it already is exactly that."""
    node = low.b.node(rel.node)
    same = [name for name, e in values if isinstance(e, exp.Column) and e.name == name]
    exact = len(same) == len(values) == len(node.columns) and same == node.columns
    if exact and rel.node in low.b.new:
        return rel.node
    return low.b.project(rel, values, "select")


def _limit(low: QueryLowering, q: exp.Expr, out: Out, terms: list[exp.Ordered]) -> Out:
    b = low.b
    limit = q.args.get("limit")
    if q.args.get("offset") is not None:
        raise refuse("OFFSET", q.args["offset"], "no plan step skips rows", b.label)
    node = b.node(out.node)
    if limit is not None:
        value = limit.expression
        if not (isinstance(value, exp.Literal) and value.is_int):
            raise refuse("LIMIT of an expression", limit, "write a whole number", b.label)
        name = b.add(
            n.TopN(
                name=b.fresh("limit"),
                recipe=b.label,
                inputs=(out.node,),
                schema=node.schema,
                n=int(value.name),
                order=tuple(terms),
            )
        )
        return dataclasses.replace(out, node=name)
    if terms:
        name = b.add(
            n.Sort(
                name=b.fresh("order"),
                recipe=b.label,
                inputs=(out.node,),
                schema=node.schema,
                order=tuple(terms),
            )
        )
        return dataclasses.replace(out, node=name)
    return out


def order_and_limit(low: QueryLowering, q: exp.Expr, out: Out, *, root: bool) -> Out:
    """ORDER BY (kept at the root or with a LIMIT) and LIMIT of a set operation, whose terms
    name its output columns."""
    order = q.args.get("order")
    terms = []
    if order is not None and (root or q.args.get("limit") is not None):
        by_name = {qn: c for qn, c in out.names}
        for o in order.expressions:
            if not (isinstance(o.this, exp.Column) and o.this.name in by_name):
                raise refuse(
                    "ORDER BY an expression after a set operation",
                    o,
                    "order by output columns",
                    low.b.label,
                )
            terms.append(ordered_by(o, column(by_name[o.this.name])))
    return _limit(low, q, out, terms)


def aggregate(
    low: QueryLowering,
    q: exp.Select,
    rel: Rel,
    items: list[exp.Expr],
    names: list[str],
    post: list[exp.Expr],
    env: Env,
) -> Rel:
    """One aggregate step: computed keys first (a projection), then the keys and every
    aggregate call the select list, HAVING and ORDER BY use (named after a select item that
    is exactly that call); the result maps each key and call to its column."""
    b = low.b
    group = q.args.get("group")
    keys = list(group.expressions) if group is not None else []
    key_cols: list[str] = []
    computed: list[tuple[str, exp.Expr]] = []
    exprs: dict[exp.Expr, str] = {}
    for i, key in enumerate(keys):
        if has_subquery(key):
            raise refuse("a subquery in GROUP BY", key, "compute it in a subquery first", b.label)
        if isinstance(key, exp.Column):
            key_cols.append(b.translate(key, rel).name)
        else:
            name = f"_pushdown_key_{i}"
            computed.append((name, b.translate(key, rel)))
            key_cols.append(name)
        exprs[key] = key_cols[-1]
    if computed:
        rel = b.extend(rel, computed, "keys")
    calls: dict[exp.Expr, str] = {}
    for item, name in zip(items, names, strict=True):
        inner = item.unalias()
        if (
            isinstance(inner_call(inner), exp.AggFunc)
            and inner not in calls
            and name not in key_cols
        ):
            calls[inner] = name
    for expr in post:
        for call in aggregates_in(expr):
            if call not in calls:
                calls[call] = f"_pushdown_agg_{len(calls)}"
    schema = b.schema(rel)
    aggs: list[tuple[str, exp.Expr]] = []
    fields = [(k, schema.field(k).type) for k in dict.fromkeys(key_cols)]
    for call, name in calls.items():
        if has_subquery(call):
            rel, call_ = low.sub.values(rel, call, env)
            schema = b.schema(rel)
        else:
            call_ = call
        if windows_in(call_) or nested_aggregate(call_) is not None:
            raise FormulaTypeError(
                f"{call.sql()!r} puts a window or an aggregate inside an aggregate, which no "
                f"engine accepts; aggregate in a subquery first and again outside it",
                recipe=b.label,
            )
        tree = b.translate(call_, rel)
        fields.append((name, b.typed(tree, schema, name)))
        aggs.append((name, tree))
    node = b.add(
        n.Aggregate(
            name=b.fresh("group"),
            recipe=b.label,
            inputs=(rel.node,),
            schema=pa.schema(fields),
            keys=tuple(dict.fromkeys(key_cols)),
            aggregates=tuple(aggs),
        )
    )
    cols = {
        (k.table, k.name): col
        for k, col in zip(keys, key_cols, strict=True)
        if isinstance(k, exp.Column)
    }
    exprs.update(calls)
    return Rel(node, cols, exprs, frozenset(rel.aliases | rel.grouped))


def windows(
    low: QueryLowering, rel: Rel, wins: list[exp.Expr], items: list[exp.Expr], names: list[str]
) -> Rel:
    """One window step appending each window call (named after a select item that is
    exactly that call)."""
    b = low.b
    node = b.node(rel.node)
    schema = node.schema
    named = {item.unalias(): name for item, name in zip(items, names, strict=True)}
    calls: dict[exp.Expr, str] = {}
    for w in wins:
        if w in calls:
            continue
        name = named.get(w, f"_pushdown_win_{len(calls)}")
        if name in node.columns:
            name = f"_pushdown_win_{len(calls)}"
        calls[w] = name
    fields = list(zip(schema.names, schema.types, strict=True))
    win_items: list[tuple[str, exp.Expr]] = [(c, column(c)) for c in node.columns]
    for w, name in calls.items():
        tree = b.translate(w, rel)
        fields.append((name, b.typed(tree, schema, name)))
        win_items.append((name, tree))
    added = b.add(
        n.Window(
            name=b.fresh("window"),
            recipe=b.label,
            inputs=(rel.node,),
            schema=pa.schema(fields),
            items=tuple(win_items),
        )
    )
    return Rel(added, dict(rel.cols), {**rel.exprs, **calls}, rel.grouped)
