"""Compile logical nodes into one sqlglot query per fragment output (a CTE chain).

Each node becomes a ``SELECT`` over its inputs; the nodes a result depends on inside one
fragment become CTEs named after their datasets, so consecutive steps on one engine run as ONE
statement.  Nothing here is dialect-specific: :func:`to_sql` hands the tree to sqlglot's
generator for the target dialect, which quotes identifiers and spells types and functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from pushdown.plan import nodes as n
from pushdown.plan.formulas import column

ROW_NUMBER_COLUMN = "_pushdown_rn"


def quoted(name: str) -> exp.Identifier:
    """A quoted identifier."""
    return exp.Identifier(this=name, quoted=True)


def table_ref(name: str, *, dialect: str | None = None) -> exp.Table:
    """A quoted table reference; dots separate catalog, schema and table."""
    table = sqlglot.to_table(name, dialect=dialect or None)
    for ident in table.find_all(exp.Identifier):
        ident.set("quoted", True)
    return table


def _aliased(items: Iterable[tuple[str, exp.Expr]]) -> list[exp.Expr]:
    out: list[exp.Expr] = []
    for name, expr in items:
        if isinstance(expr, exp.Column) and expr.name == name:
            out.append(expr.copy())
        else:
            out.append(exp.Alias(this=expr.copy(), alias=quoted(name)))
    return out


def _from(ref: exp.Table, alias: str | None = None) -> exp.Table:
    table = ref.copy()
    if alias:
        table.set("alias", exp.TableAlias(this=quoted(alias)))
    return table


def _star() -> exp.Star:
    return exp.Star()


def compile_node(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    """The query computing ``node`` from its inputs, referenced through ``refs``."""
    compiler = _COMPILERS.get(type(node))
    if compiler is None:
        raise TypeError(f"{node.kind} steps do not compile to SQL")
    return compiler(node, refs)


def _source(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    return exp.select(_star()).from_(_from(refs[node.name]))


def _project(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Project | n.Window)
    return exp.select(*_aliased(node.items)).from_(_from(refs[node.inputs[0]]))


def _filter(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Filter)
    return exp.select(_star()).from_(_from(refs[node.inputs[0]])).where(node.condition.copy())


def _join(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Join)
    left = _from(refs[node.inputs[0]], n.LEFT)
    right = _from(refs[node.inputs[1]], n.RIGHT)
    select = exp.select(*_aliased(node.items)).from_(left)
    if node.how in ("semi", "anti"):
        assert node.condition is not None
        sub = exp.select(exp.Literal.number(1)).from_(right).where(node.condition.copy())
        exists: exp.Expr = exp.Exists(this=sub)
        return select.where(exp.not_(exists) if node.how == "anti" else exists)
    if node.how == "cross":
        return select.join(right, join_type="CROSS")
    side = {"inner": None, "left": "LEFT", "right": "RIGHT", "full": "FULL"}[node.how]
    join = exp.Join(this=right, on=node.condition.copy() if node.condition else None)
    if side:
        join.set("side", side)
    return select.join(join)


def _aggregate(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Aggregate)
    keys = [column(k) for k in node.keys]
    select = exp.select(*keys, *_aliased(node.aggregates)).from_(_from(refs[node.inputs[0]]))
    if keys:
        select = select.group_by(*[k.copy() for k in keys])
    return select


def _sort(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Sort)
    return (
        exp.select(_star())
        .from_(_from(refs[node.inputs[0]]))
        .order_by(*[o.copy() for o in node.order])
    )


def _top_n(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.TopN)
    source = _from(refs[node.inputs[0]])
    if not node.partition:
        return (
            exp.select(_star())
            .from_(source)
            .order_by(*[o.copy() for o in node.order])
            .limit(node.n)
        )
    rn = exp.Window(
        this=exp.RowNumber(),
        partition_by=[column(p) for p in node.partition],
        order=exp.Order(expressions=[o.copy() for o in node.order]),
    )
    inner = exp.select(_star(), exp.Alias(this=rn, alias=quoted(ROW_NUMBER_COLUMN))).from_(source)
    ranked = inner.subquery(quoted("ranked"))
    return (
        exp.select(*[column(c) for c in node.columns])
        .from_(ranked)
        .where(exp.LTE(this=column(ROW_NUMBER_COLUMN), expression=exp.Literal.number(node.n)))
    )


def _distinct(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    return (
        exp.select(*[column(c) for c in node.columns]).from_(_from(refs[node.inputs[0]])).distinct()
    )


def _union(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Union)
    parts = [
        exp.select(*_aliased(branch)).from_(_from(refs[name]))
        for name, branch in zip(node.inputs, node.branches, strict=True)
    ]
    query: exp.Query = parts[0]
    for part in parts[1:]:
        query = exp.Union(this=query, expression=part, distinct=node.distinct)
    return query


_COMPILERS: dict[type[n.Node], Callable[[n.Node, Mapping[str, exp.Table]], exp.Query]] = {
    n.Source: _source,
    n.Project: _project,
    n.Window: _project,
    n.Filter: _filter,
    n.Join: _join,
    n.Aggregate: _aggregate,
    n.Sort: _sort,
    n.TopN: _top_n,
    n.Distinct: _distinct,
    n.Union: _union,
}


def compile_query(
    nodes: Mapping[str, n.Node],
    target: str,
    external: Mapping[str, exp.Table],
) -> exp.Query:
    """One query computing ``target``: its ancestors not in ``external`` become CTEs.

    ``external`` maps the datasets this query reads as tables (sources, transferred or
    materialised data) to their table references.
    """
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name in external:
            return
        seen.add(name)
        for inp in nodes[name].inputs:
            visit(inp)
        order.append(name)

    visit(target)
    refs: dict[str, exp.Table] = dict(external)
    taken = {t.name for t in external.values()}
    ctes: list[exp.CTE] = []
    for name in order[:-1]:
        node = nodes[name]
        if isinstance(node, n.Sort):  # an order is only kept where a result is read
            refs[name] = refs[node.inputs[0]]
            continue
        cte_name = name
        while cte_name in taken:
            cte_name += "_"
        taken.add(cte_name)
        body = compile_node(node, refs)
        ctes.append(exp.CTE(this=body, alias=exp.TableAlias(this=quoted(cte_name))))
        refs[name] = exp.Table(this=quoted(cte_name))
    root = (
        compile_node(nodes[target], refs)
        if target not in external
        else (exp.select(_star()).from_(_from(external[target])))
    )
    if ctes:
        root.set("with_", exp.With(expressions=ctes))
    return root


def to_sql(query: exp.Expr, dialect: str, *, pretty: bool = True) -> str:
    """Generate ``dialect`` SQL, raising sqlglot's UnsupportedError for what it cannot say."""
    return query.sql(
        dialect=dialect, pretty=pretty, unsupported_level=ErrorLevel.RAISE, identify=True
    )
