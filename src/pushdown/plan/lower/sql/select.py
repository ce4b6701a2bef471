"""A qualified query as plan nodes: CTEs, FROM and joins (filters pushed to their source,
inner joins ordered to follow the join predicates, outer joins where they are written), WHERE,
then the SELECT's other clauses (``clauses.py``) and the subqueries (``subqueries.py``).

Each step becomes one node, named ``<output>__<what>``, so it is placed, moved and compiled
like a step of a hand-built flow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import FlowError, FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column
from pushdown.plan.lower.sql import clauses
from pushdown.plan.lower.sql.front import refuse
from pushdown.plan.lower.sql.scope import (
    Builder,
    Env,
    Out,
    Rel,
    aliases_of,
    conjuncts,
    has_subquery,
)
from pushdown.plan.lower.sql.subqueries import Subqueries
from pushdown.types import arrow_to_sql, common_type


@dataclass
class Source:
    """One FROM item: how it joins, its alias, its rows and its ON condition."""

    how: str
    alias: str
    rel: Rel
    on: exp.Expr | None


class Lowerer:
    """Lowers the queries of one recipe through a :class:`Builder`."""

    def __init__(self, b: Builder, datasets: Mapping[str, str]):
        self.b = b
        self.datasets = datasets  # lower-case name -> dataset
        self.sub = Subqueries(self)

    # -- queries -------------------------------------------------------------------------
    def query(self, q: exp.Expr, env: Env, *, root: bool = False) -> Out:
        """Lower any query (SELECT, set operation, parenthesised query)."""
        if isinstance(q, exp.Subquery):
            return self.query(q.this, env, root=root)
        with_ = q.args.get("with_")
        if with_ is not None:
            env = Env(dict(env.ctes))
            for cte in with_.expressions:
                env.ctes[cte.alias_or_name] = cte.this
        if isinstance(q, exp.Select):
            rel, _ = self.from_where(q, env, None)
            return clauses.rest(self, q, rel, env, root=root)
        if isinstance(q, exp.SetOperation):
            return self.set_operation(q, env, root=root)
        raise refuse(f"{q.key.upper()} as a query", q, "write a SELECT", self.b.label)

    def set_operation(self, q: exp.SetOperation, env: Env, *, root: bool) -> Out:
        """UNION [ALL] as a union; INTERSECT / EXCEPT as a semi / anti join of the distinct
        left rows with the right ones (NULLs match NULLs, as set operations compare)."""
        label = self.b.label
        left = self.query(q.this, env)
        right = self.query(q.expression, env)
        if len(left.names) != len(right.names):
            raise FlowError(
                f"{q.key.upper()} of {len(left.names)} and {len(right.names)} columns", recipe=label
            )
        distinct = bool(q.args.get("distinct"))
        lnode, rnode = self.b.node(left.node), self.b.node(right.node)
        if isinstance(q, exp.Union):
            fields, lbranch, rbranch = [], [], []
            for (qname, lcol), (_, rcol) in zip(left.names, right.names, strict=True):
                lt, rt = lnode.schema.field(lcol).type, rnode.schema.field(rcol).type
                wide = common_type(lt, rt)
                if wide is None:
                    raise FormulaTypeError(
                        f"UNION column {qname!r} is {lt} on one side and {rt} on the other",
                        recipe=label,
                        column=qname,
                    )
                fields.append((lcol, wide))
                lbranch.append((lcol, _cast(column(lcol), lt, wide)))
                rbranch.append((lcol, _cast(column(rcol), rt, wide)))
            node = self.b.add(
                n.Union(
                    name=self.b.fresh("union"),
                    recipe=label,
                    inputs=(left.node, right.node),
                    schema=pa.schema(fields),
                    distinct=distinct,
                    branches=(tuple(lbranch), tuple(rbranch)),
                )
            )
            out = Out(node, list(left.names))
        else:
            kind = "INTERSECT" if isinstance(q, exp.Intersect) else "EXCEPT"
            if not distinct:
                raise refuse(f"{kind} ALL", q, "only the distinct form has a plan step", label)
            cols = [c for _, c in left.names]
            dist = self.b.add(
                n.Distinct(
                    name=self.b.fresh(kind.lower()),
                    recipe=label,
                    inputs=(left.node,),
                    schema=pa.schema([lnode.schema.field(c) for c in cols]),
                )
            )
            cond = exp.and_(
                *[
                    exp.NullSafeEQ(this=column(lc, n.LEFT), expression=column(rc, n.RIGHT))
                    for (_, lc), (_, rc) in zip(left.names, right.names, strict=True)
                ]
            )
            how = "semi" if kind == "INTERSECT" else "anti"
            joined = self.b.join(Rel(dist, {}), Rel(right.node, {}), how, cond, kind.lower())
            out = Out(joined.node, list(left.names))
        return clauses.order_and_limit(self, q, out, root=root)

    # -- FROM and WHERE ------------------------------------------------------------------
    def sources(self, q: exp.Select, env: Env) -> list[Source]:
        """The FROM items of ``q`` with how each joins."""
        label = self.b.label
        from_ = q.args.get("from_")
        if from_ is None:
            raise refuse("SELECT without FROM", q, "read a dataset of the flow", label)
        items = [Source("from", *self._source(from_.this, env), None)]
        for j in q.args.get("joins") or []:
            if j.args.get("method"):
                raise refuse(f"{j.args['method']} JOIN", j, "write the join condition", label)
            side = (j.side or "").lower()
            kind = (j.kind or "").lower()
            how = kind if kind in ("semi", "anti") else side or "inner"
            if how not in ("inner", "left", "right", "full", "semi", "anti"):
                raise refuse(f"{j.side} {j.kind} JOIN", j, "no plan step joins that way", label)
            if kind == "cross" or (how == "inner" and j.args.get("on") is None):
                how = "inner"
            alias, rel = self._source(j.this, env)
            items.append(Source(how, alias, rel, j.args.get("on")))
        return items

    def _source(self, item: exp.Expr, env: Env) -> tuple[str, Rel]:
        label = self.b.label
        if isinstance(item, exp.Table):
            alias = item.alias_or_name
            name = item.name
            if not item.db and name in env.ctes:
                lowered = env.ctes[name]
                if not isinstance(lowered, Out):
                    lowered = env.ctes[name] = self.query(lowered, Env(dict(env.ctes)))
                return alias, Rel(lowered.node, {(alias, q): c for q, c in lowered.names})
            dataset = self.datasets[name]
            node = self.b.node(dataset)
            return alias, Rel(dataset, {(alias, c.lower()): c for c in node.columns})
        if isinstance(item, exp.Subquery):
            out = self.query(item.this, env)
            alias = item.alias
            return alias, Rel(out.node, {(alias, q): c for q, c in out.names})
        raise refuse(f"{item.key.upper()} in FROM", item, "name a dataset or a subquery", label)

    def from_where(
        self, q: exp.Select, env: Env, outer: set[str] | None
    ) -> tuple[Rel, list[exp.Expr]]:
        """The rows of ``q``'s FROM and WHERE; with ``outer`` (the enclosing query's aliases),
        the WHERE conjuncts that refer to it are returned, not applied."""
        label = self.b.label
        sources = self.sources(q, env)
        own = {s.alias for s in sources}
        plain: list[exp.Expr] = []
        nested: list[exp.Expr] = []
        correlated: list[exp.Expr] = []
        where = q.args.get("where")
        for conj in conjuncts(where.this if where is not None else None):
            beyond = aliases_of(conj) - own
            deep = self.sub.outer_refs(conj) - own
            if beyond or deep:
                if outer is None or not (beyond | deep) <= outer:
                    raise refuse(
                        "a subquery correlated two levels out",
                        conj,
                        "a subquery may refer only to the query around it",
                        label,
                    )
                if has_subquery(conj):
                    raise refuse(
                        "a correlated condition holding a subquery",
                        conj,
                        "move the subquery out of the correlated condition",
                        label,
                    )
                correlated.append(conj)
            elif has_subquery(conj):
                nested.append(conj)
            else:
                plain.append(conj)
        rel = self.join_all(sources, plain)
        for conj in nested:
            rel = self.sub.where(rel, conj, env)
        return rel, correlated

    def join_all(self, sources: list[Source], pool: list[exp.Expr]) -> Rel:
        """Join the FROM items: WHERE and inner ON conjuncts on one source filter it first;
        inner joins follow the predicates that connect them (in FROM order otherwise); outer
        joins keep their place; what is left filters the joined rows."""
        label = self.b.label
        nullable: set[str] = set()
        for i, s in enumerate(sources):
            if s.how in ("left", "full"):
                nullable.add(s.alias)
            if s.how in ("right", "full"):
                nullable.update(x.alias for x in sources[:i])
        late_right = any(s.how in ("right", "full") for s in sources)
        pool = list(pool)
        for s in sources:
            if s.on is None:
                continue
            if has_subquery(s.on):
                raise refuse("a subquery in a join's ON", s.on, "move it to WHERE", label)
            if s.how == "inner":
                pool.extend(conjuncts(s.on))
        # filters on one source run before the joins (not on a side an outer join pads)
        early: dict[str, list[exp.Expr]] = {}
        rest: list[exp.Expr] = []
        for conj in pool:
            refs = aliases_of(conj)
            if len(refs) == 1 and not refs & nullable:
                early.setdefault(next(iter(refs)), []).append(conj)
            else:
                rest.append(conj)
        rels = {}
        for s in sources:
            rel = s.rel
            if s.alias in early:
                rel = self.b.filter(rel, exp.and_(*early[s.alias]), s.alias)
            if s.how in ("left", "right") and s.on is not None:
                padded = [c for c in conjuncts(s.on) if aliases_of(c) == {s.alias}]
                if s.how == "left" and padded:
                    rel = self.b.filter(rel, exp.and_(*padded), s.alias)
            rels[s.alias] = rel
        usable = [] if late_right else rest
        block: list[Source] = []
        current: Rel | None = None
        for s in sources:
            s = dataclasses.replace(s, rel=rels[s.alias])
            if s.how in ("inner", "from"):
                block.append(s)
                continue
            current = self._reduce(block, usable)
            block = []
            on = conjuncts(s.on)
            if s.how == "left":
                on = [c for c in on if aliases_of(c) != {s.alias}]
            cond = self.b.translate_pair(exp.and_(*on), current, s.rel) if on else exp.true()
            current = self.b.join(current, s.rel, s.how, cond, f"{s.how}_{s.alias}")
            block = [Source("from", "", current, None)]
        current = self._reduce(block, usable)
        if rest:  # what no join used (all of it after a right or full join)
            current = self.b.filter(current, exp.and_(*rest))
        return current

    def _reduce(self, block: list[Source], pool: list[exp.Expr]) -> Rel:
        """Inner-join the relations of ``block`` greedily along ``pool``'s predicates (used
        predicates are removed from ``pool``)."""
        current = block[0].rel
        remaining = block[1:]
        while remaining:
            pick = 0
            for i, s in enumerate(remaining):
                if any(self._connects(c, current, s.rel) for c in pool):
                    pick = i
                    break
            s = remaining.pop(pick)
            used = [c for c in pool if self._connects(c, current, s.rel)]
            for c in used:
                pool.remove(c)
            if used:
                cond = self.b.translate_pair(exp.and_(*used), current, s.rel)
                current = self.b.join(current, s.rel, "inner", cond, f"join_{s.alias or 'rows'}")
            else:
                current = self.b.join(current, s.rel, "cross", None, f"cross_{s.alias or 'rows'}")
        held = [c for c in pool if aliases_of(c) and aliases_of(c) <= current.aliases]
        for c in held:
            pool.remove(c)
        if held:
            current = self.b.filter(current, exp.and_(*held))
        return current

    @staticmethod
    def _connects(cond: exp.Expr, left: Rel, right: Rel) -> bool:
        refs = aliases_of(cond)
        return (
            bool(refs & right.aliases)
            and bool(refs & left.aliases)
            and refs <= (left.aliases | right.aliases)
        )


def _cast(expr: exp.Expr, have: pa.DataType, want: pa.DataType) -> exp.Expr:
    return expr if have == want else exp.Cast(this=expr, to=arrow_to_sql(want))
