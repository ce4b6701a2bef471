"""The lowering's working state: relations in scope (:class:`Rel`) and the :class:`Builder`
that makes plan nodes for them, each named after the recipe's output and typed like a
hand-built step.

A query's columns are qualified by the alias of their source (``"l1"."l_orderkey"``); a
:class:`Rel` maps each ``(alias, column)`` in scope, and each expression already computed
(a group key, an aggregate, a window), to a column of the node holding the rows, so that
translating an expression is a substitution.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column
from pushdown.plan.lower.context import Context
from pushdown.plan.lower.sql.front import refuse

Key = tuple[str, str]  # (alias, column) as the qualified query spells them


@dataclass
class Rel:
    """Rows in scope: the node holding them and what each query name means there."""

    node: str
    cols: dict[Key, str]
    exprs: dict[exp.Expr, str] = field(default_factory=dict)
    # After a grouping: the aliases of the rows it grouped.  Their columns are gone (but for
    # the keys), so a reference to one is an ungrouped column, not a correlated reference.
    grouped: frozenset[str] = frozenset()

    @property
    def aliases(self) -> set[str]:
        """The source aliases whose columns this relation holds."""
        return {alias for alias, _ in self.cols}


@dataclass
class Out:
    """A lowered query: its node and its output columns as (query name, node column)."""

    node: str
    names: list[tuple[str, str]]


@dataclass
class Env:
    """The CTEs in scope (lowered on first use) and the datasets by lower-case name."""

    ctes: dict[str, exp.Expr | Out] = field(default_factory=dict)


def columns_of(expr: exp.Expr) -> Iterator[exp.Column]:
    """The columns of ``expr`` outside its nested queries (which have their own scope)."""
    for node in expr.walk(prune=lambda x: isinstance(x, exp.Query) and x is not expr):
        if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
            yield node


def aliases_of(expr: exp.Expr) -> set[str]:
    """The source aliases ``expr`` reads, outside nested queries."""
    return {c.table for c in columns_of(expr) if c.table}


def is_subquery(node: exp.Expr) -> bool:
    """True for a query used as a value or a predicate (scalar, IN, EXISTS)."""
    return isinstance(node, exp.Query | exp.Subquery | exp.Exists)


def has_subquery(expr: exp.Expr) -> bool:
    """True when ``expr`` holds a subquery."""
    return any(is_subquery(x) for x in expr.walk())  # walk() starts with expr itself


def conjuncts(cond: exp.Expr | None) -> list[exp.Expr]:
    """The AND-ed parts of ``cond``, with conjuncts common to every branch of an OR factored
    out and, per source, the OR of each branch's part on that source added as an implied
    filter (it can run before the joins)."""
    if cond is None:
        return []
    found: list[exp.Expr] = []
    for part in cond.flatten() if isinstance(cond, exp.And) else [cond]:
        part = part.unnest()
        if isinstance(part, exp.Or) and not has_subquery(part):
            found.extend(_factor(part))
        else:
            found.append(part)
    return found


def _factor(cond: exp.Or) -> list[exp.Expr]:
    branches = [[c.unnest() for c in b.unnest().flatten()] for b in cond.flatten()]
    common = [c for c in branches[0] if all(c in b for b in branches[1:])]
    rest = [[c for c in b if c not in common] for b in branches]
    if any(not b for b in rest):
        return common  # one branch is only the common part: the OR always holds after it
    ored = exp.or_(*[exp.and_(*b) for b in rest]) if common else cond
    implied = []
    for alias in sorted(set.intersection(*[{a for c in b for a in aliases_of(c)} for b in rest])):
        parts = [[c for c in b if aliases_of(c) == {alias}] for b in rest]
        if all(parts):
            implied.append(exp.or_(*[exp.and_(*p) for p in parts]))
    return [*common, ored, *implied]


class Builder:
    """Makes the nodes of one recipe; ``nodes`` are the flow's datasets built so far."""

    def __init__(self, ctx: Context, label: str, output: str, nodes: Mapping[str, n.Node]):
        self.ctx = ctx
        self.label = label
        self.output = output
        self.existing = nodes
        self.new: dict[str, n.Node] = {}
        self.taken = set(nodes) | set(ctx.flow.dataset_names())

    # -- nodes ---------------------------------------------------------------------------
    def node(self, name: str) -> n.Node:
        """A node by name, new or existing."""
        return self.new[name] if name in self.new else self.existing[name]

    def schema(self, rel: Rel) -> pa.Schema:
        """The schema of ``rel``'s rows."""
        return self.node(rel.node).schema

    def fresh(self, hint: str) -> str:
        """A dataset name for a new step, unique in the flow."""
        base = f"{self.output}__{hint}"
        name, i = base, 2
        while name in self.taken:
            name, i = f"{base}_{i}", i + 1
        self.taken.add(name)
        return name

    def add(self, node: n.Node) -> str:
        """Record ``node``; its name."""
        self.new[node.name] = node
        return node.name

    def clone(self, name: str) -> str:
        """A copy of the new steps ending in ``name`` (the datasets they read are shared),
        so that a second reader does not make one step shared by two statements."""
        if name not in self.new:
            return name
        node = self.new[name]
        inputs = tuple(self.clone(i) for i in node.inputs)
        return self.add(dataclasses.replace(node, name=self.fresh("copy"), inputs=inputs))

    def typed(self, expr: exp.Expr, schema: pa.Schema, col: str | None) -> pa.DataType:
        """The Arrow type of ``expr`` (unqualified columns of ``schema``)."""
        return self.ctx.typed(expr, schema, self.label, col, expr.sql())

    # -- translation ---------------------------------------------------------------------
    def translate(self, expr: exp.Expr, rel: Rel) -> exp.Expr:
        """``expr`` over ``rel``'s node: computed expressions and qualified columns replaced
        by the node's (unqualified) columns."""

        def swap(node: exp.Expr) -> exp.Expr:
            if rel.exprs and node in rel.exprs:
                return column(rel.exprs[node])
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                name = rel.cols.get((node.table, node.name))
                if name is None:
                    raise self.unknown(node, rel)
                return column(name)
            if is_subquery(node):
                raise refuse("a subquery here", node, "subqueries are placed first", self.label)
            return node

        return expr.copy().transform(swap, copy=False)

    def translate_pair(self, expr: exp.Expr, left: Rel, right: Rel) -> exp.Expr:
        """``expr`` over a join of ``left`` and ``right`` (columns qualified by side; a name
        both sides hold is the right side's: the inner scope, as SQL resolves it)."""

        def swap(node: exp.Expr) -> exp.Expr:
            for rel, side in ((right, n.RIGHT), (left, n.LEFT)):
                if rel.exprs and node in rel.exprs:
                    return column(rel.exprs[node], side)
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                for rel, side in ((right, n.RIGHT), (left, n.LEFT)):
                    name = rel.cols.get((node.table, node.name))
                    if name is not None:
                        return column(name, side)
                raise self.unknown(node, left)
            return node

        return expr.copy().transform(swap, copy=False)

    def unknown(self, col: exp.Column, rel: Rel) -> Exception:
        """The error for a column ``rel`` does not hold."""
        if col.table and col.table not in rel.aliases and col.table not in rel.grouped:
            return refuse(
                f"correlated reference {col.sql()}",
                col,
                "a subquery may refer to the enclosing query only in its WHERE conjuncts "
                "(equalities, for scalar subqueries)",
                self.label,
            )
        return FormulaTypeError(
            f"column {col.sql()} is neither a group key nor inside an aggregate function",
            recipe=self.label,
            column=col.name,
        )

    # -- steps ---------------------------------------------------------------------------
    def filter(self, rel: Rel, cond: exp.Expr, hint: str = "where") -> Rel:
        """Keep ``rel``'s rows where ``cond`` (qualified) holds."""
        tree = self.translate(cond, rel)
        schema = self.schema(rel)
        t = self.typed(tree, schema, None)
        if not (pa.types.is_boolean(t) or pa.types.is_null(t)):
            raise FormulaTypeError(
                f"condition {cond.sql()!r} is {t}, not a boolean", recipe=self.label
            )
        name = self.add(
            n.Filter(
                name=self.fresh(hint),
                recipe=self.label,
                inputs=(rel.node,),
                schema=schema,
                condition=tree,
            )
        )
        return dataclasses.replace(rel, node=name)

    def project(self, rel: Rel, items: list[tuple[str, exp.Expr]], hint: str) -> str:
        """A projection of ``rel``'s node onto ``items`` (unqualified expressions)."""
        schema = self.schema(rel)
        fields = [(out, self.typed(expr, schema, out)) for out, expr in items]
        return self.add(
            n.Project(
                name=self.fresh(hint),
                recipe=self.label,
                inputs=(rel.node,),
                schema=pa.schema(fields),
                items=tuple(items),
            )
        )

    def extend(self, rel: Rel, items: list[tuple[str, exp.Expr]], hint: str) -> Rel:
        """``rel`` with computed columns added (``items`` over its node, unqualified)."""
        keep = [(c, column(c)) for c in self.node(rel.node).columns]
        name = self.project(rel, [*keep, *items], hint)
        return dataclasses.replace(rel, node=name)

    def group(self, rel: Rel, keys: list[str], aggs: list[tuple[str, exp.Expr]], hint: str) -> str:
        """An aggregate step over ``rel``'s node (``aggs`` unqualified)."""
        schema = self.schema(rel)
        fields = [(k, schema.field(k).type) for k in keys]
        fields += [(name, self.typed(expr, schema, name)) for name, expr in aggs]
        return self.add(
            n.Aggregate(
                name=self.fresh(hint),
                recipe=self.label,
                inputs=(rel.node,),
                schema=pa.schema(fields),
                keys=tuple(keys),
                aggregates=tuple(aggs),
            )
        )

    def join(self, left: Rel, right: Rel, how: str, cond: exp.Expr | None, hint: str) -> Rel:
        """Join two relations; ``cond`` is already over :data:`n.LEFT`/:data:`n.RIGHT`."""
        lnode, rnode = self.node(left.node), self.node(right.node)
        items: list[tuple[str, exp.Expr]] = [(c, column(c, n.LEFT)) for c in lnode.columns]
        types = {f.name: f.type for f in lnode.schema}
        renamed: dict[str, str] = {}
        if how not in ("semi", "anti"):
            for f in rnode.schema:
                out, i = f.name, 2
                while out in types:
                    out, i = f"{f.name}_{i}", i + 1
                renamed[f.name] = out
                types[out] = f.type
                items.append((out, column(f.name, n.RIGHT)))
        schema = pa.schema([(name, types[name]) for name, _ in items])
        name = self.add(
            n.Join(
                name=self.fresh(hint),
                recipe=self.label,
                inputs=(left.node, right.node),
                schema=schema,
                how=how,
                condition=cond,
                items=tuple(items),
            )
        )
        cols = dict(left.cols)
        exprs = dict(left.exprs)
        if renamed:
            cols.update({k: renamed[v] for k, v in right.cols.items()})
            exprs.update({k: renamed[v] for k, v in right.exprs.items()})
        return Rel(name, cols, exprs)

    def finish(self, root: str) -> list[n.Node]:
        """The new nodes that ``root`` needs, the root renamed to the recipe's output."""
        if root not in self.new:
            node = self.node(root)
            root = self.project(Rel(root, {}), [(c, column(c)) for c in node.columns], "result")
        needed = {root}
        for name in reversed(list(self.new)):
            if name in needed:
                needed.update(self.new[name].inputs)
        rename = {root: self.output}
        out = []
        for name, node in self.new.items():
            if name not in needed:
                continue
            inputs = tuple(rename.get(i, i) for i in node.inputs)
            out.append(dataclasses.replace(node, name=rename.get(name, name), inputs=inputs))
        return out


class SubqueryLowering(Protocol):
    """What the clauses need of the subquery lowering (``subqueries.Subqueries``)."""

    def where(self, rel: Rel, conj: exp.Expr, env: Env) -> Rel:
        """``rel`` filtered by a conjunct holding subqueries."""
        ...

    def values(
        self, rel: Rel, expr: exp.Expr, env: Env, *, null_rejecting: bool = False
    ) -> tuple[Rel, exp.Expr]:
        """``expr`` with each subquery replaced by a column of the returned relation."""
        ...

    def outer_refs(self, expr: exp.Expr) -> set[str]:
        """The aliases the subqueries of ``expr`` read from outside themselves."""
        ...


class QueryLowering(Protocol):
    """What the clauses and subqueries need of the query lowering (``select.Lowerer``)."""

    @property
    def b(self) -> Builder:
        """The builder making the recipe's nodes."""
        ...

    @property
    def sub(self) -> SubqueryLowering:
        """The subquery lowering."""
        ...

    def query(self, q: exp.Expr, env: Env, *, root: bool = False) -> Out:
        """Lower any query."""
        ...

    def from_where(
        self, q: exp.Select, env: Env, outer: set[str] | None
    ) -> tuple[Rel, list[exp.Expr]]:
        """The rows of ``q``'s FROM and WHERE, and its correlated conjuncts."""
        ...
