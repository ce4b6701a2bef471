"""Subqueries as joins, so that they are placed and moved like any other step.

In a WHERE (or HAVING) conjunct:

- ``EXISTS (q)`` / ``NOT EXISTS (q)``: a semi / anti join of the rows with ``q``'s FROM and
  WHERE, on ``q``'s conditions that refer to the outer query (any comparison);
- ``x IN (q)``: a semi join on ``x = q's column`` (plus the correlated conditions);
- ``x NOT IN (q)``: SQL's three-valued meaning, where one NULL in ``q`` (or a NULL ``x``, when
  ``q`` has rows) makes the test unknown and drops the row.  Uncorrelated, it is an anti join
  on ``x = y`` (a hash join) and a one-row count of ``q``'s rows and NULLs, keeping a row when
  ``q`` is empty, or when ``x`` is not NULL and ``q`` holds no NULL; correlated, an anti join
  on ``(x = y OR x IS NULL OR y IS NULL) AND <correlation>``.

As a value (in the select list, under OR, in a comparison):

- a scalar subquery: uncorrelated, a cross join with its one row (an aggregate without GROUP
  BY; a LIMIT 1 query is left-joined on TRUE, so no row gives NULL); correlated by
  equalities, the subquery grouped by its side of the equalities and joined on the other side
  (inner where the comparison drops NULLs anyway, left otherwise; a bare COUNT is 0 where
  no group matched);
- ``EXISTS`` as a value: a one-row ``count(*) > 0`` (uncorrelated) or a left join with the
  grouped correlation keys;
- ``x IN (q)`` as a value: a left join with ``q``'s distinct values and its one-row counts,
  giving TRUE, FALSE or NULL as SQL does.

What is left is refused with :class:`UnsupportedSqlError` naming the construct and where.
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.plan import nodes as n
from pushdown.plan.formulas import column
from pushdown.plan.lower.sql.clauses import aggregates_in, windows_in
from pushdown.plan.lower.sql.front import refuse
from pushdown.plan.lower.sql.scope import Env, QueryLowering, Rel, aliases_of, is_subquery

PLACE = "__pushdown_sub"  # the alias of the values subqueries add to a relation
EMPTY = Rel("", {})
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def unwrap(q: exp.Expr) -> exp.Expr:
    """The query inside parentheses."""
    while isinstance(q, exp.Subquery):
        q = q.this
    return q


def query_outer_refs(q: exp.Expr) -> set[str]:
    """The aliases ``q`` reads that none of its own sources define (its correlation)."""
    q = unwrap(q)
    if isinstance(q, exp.SetOperation):
        return query_outer_refs(q.this) | query_outer_refs(q.expression)
    if not isinstance(q, exp.Select):
        return set()
    own: set[str] = set()
    refs: set[str] = set()
    from_ = q.args.get("from_")
    sources = ([from_.this] if from_ is not None else []) + [
        j.this for j in q.args.get("joins") or []
    ]
    for src in sources:
        own.add(src.alias_or_name)
        if isinstance(src, exp.Subquery):
            refs |= query_outer_refs(src.this)
    with_ = q.args.get("with_")
    for cte in with_.expressions if with_ is not None else []:
        refs |= query_outer_refs(cte.this)
    parts = list(q.expressions) + [j.args.get("on") for j in q.args.get("joins") or []]
    parts += [q.args.get(k) for k in ("where", "group", "having", "qualify", "order")]
    for part in parts:
        if part is None:
            continue
        refs |= aliases_of(part) | nested_outer_refs(part)
    return refs - own


def nested_outer_refs(expr: exp.Expr) -> set[str]:
    """The correlation of the subqueries of ``expr`` (outside their own scopes)."""
    found: set[str] = set()
    for node in expr.walk(prune=lambda x: is_subquery(x) and x is not expr):
        if node is not expr and is_subquery(node):
            inner = node.this if isinstance(node, exp.Exists | exp.Subquery) else node
            found |= query_outer_refs(inner)
    return found


class Subqueries:
    """Turns the subqueries of one recipe's query into joins."""

    def __init__(self, low: QueryLowering):
        self.low = low
        self.b = low.b
        self.count = 0

    def outer_refs(self, expr: exp.Expr) -> set[str]:
        """The aliases the subqueries of ``expr`` read from outside themselves."""
        return nested_outer_refs(expr)

    # -- WHERE / HAVING conjuncts ----------------------------------------------------------
    def where(self, rel: Rel, conj: exp.Expr, env: Env) -> Rel:
        """``rel`` filtered by a conjunct holding subqueries."""
        core, negated = conj.unnest(), False
        while isinstance(core, exp.Not):
            core, negated = core.this.unnest(), not negated
        if isinstance(core, exp.Exists):
            return self.exists(rel, core, negated, env)
        if isinstance(core, exp.In) and core.args.get("query") is not None:
            return self.in_(rel, core, negated, env)
        rel, tree = self.values(rel, conj, env, null_rejecting=True)
        return self.b.filter(rel, tree)

    def exists(self, rel: Rel, node: exp.Exists, anti: bool, env: Env) -> Rel:
        """``[NOT] EXISTS`` as a semi / anti join."""
        q = unwrap(node.this)
        how = "anti" if anti else "semi"
        if not self._correlated(q, rel):
            out = self.low.query(q, env)
            return self.b.join(rel, Rel(out.node, {}), how, exp.true(), "exists")
        q = self._plain(q, "correlated EXISTS")
        inner, corr = self.low.from_where(q, env, rel.aliases)
        cond = self._pair(corr, rel, inner)
        return self.b.join(rel, inner, how, cond, "not_exists" if anti else "exists")

    def in_(self, rel: Rel, node: exp.In, negated: bool, env: Env) -> Rel:
        """``x [NOT] IN (q)`` as a semi / anti join."""
        label = self.b.label
        lhs = node.this.expressions if isinstance(node.this, exp.Tuple) else [node.this]
        q = unwrap(node.args["query"])
        left = [self.b.translate_pair(x, rel, EMPTY) for x in lhs]
        if self._correlated(q, rel):
            q = self._plain(q, "correlated IN")
            inner, corr = self.low.from_where(q, env, rel.aliases)
            items = [i.unalias() for i in q.expressions]
            self._width(node, len(items), len(lhs))
            right = [self.b.translate_pair(i, EMPTY, inner) for i in items]
            extra = [self._pair(corr, rel, inner)] if corr else []
        else:
            out = self.low.query(q, env)
            self._width(node, len(out.names), len(lhs))
            inner = Rel(out.node, {})
            right = [column(c, n.RIGHT) for _, c in out.names]
            extra = []
        pairs = list(zip(left, right, strict=True))
        if not negated:
            cond = exp.and_(*[exp.EQ(this=a, expression=b) for a, b in pairs], *extra)
            return self.b.join(rel, inner, "semi", cond, "in")
        if len(pairs) != 1:
            raise refuse("NOT IN with several columns", node, "write NOT EXISTS", label)
        ((a, b),) = pairs
        if extra:  # correlated: per-row NULL semantics in the condition
            unknown = exp.or_(
                exp.EQ(this=a, expression=b),
                exp.Is(this=a.copy(), expression=exp.null()),
                exp.Is(this=b.copy(), expression=exp.null()),
            )
            return self.b.join(rel, inner, "anti", exp.and_(unknown, *extra), "not_in")
        missing = self.b.join(rel, inner, "anti", exp.EQ(this=a, expression=b), "not_in")
        rows, nulls, counted = self._counts(q, env, missing)
        keep = exp.or_(
            exp.EQ(this=rows, expression=exp.Literal.number(0)),
            exp.and_(
                exp.Not(this=exp.Is(this=lhs[0].copy(), expression=exp.null())),
                exp.EQ(this=nulls, expression=exp.Literal.number(0)),
            ),
        )
        return self.b.filter(counted, keep, "not_in")

    # -- values ------------------------------------------------------------------------------
    def values(
        self, rel: Rel, expr: exp.Expr, env: Env, *, null_rejecting: bool = False
    ) -> tuple[Rel, exp.Expr]:
        """``expr`` with each subquery replaced by a column of the returned relation."""
        tree = expr.copy()
        found = [x for x in tree.walk(prune=_is_value_query) if _is_value_query(x)]
        for node in found:
            direct = null_rejecting and node.parent is tree and isinstance(tree, _COMPARISONS)
            rel, repl = self._value(rel, node, env, direct)
            if node is tree:
                tree = repl
            else:
                node.replace(repl)
        return rel, tree

    def _value(self, rel: Rel, node: exp.Expr, env: Env, direct: bool) -> tuple[Rel, exp.Expr]:
        label = self.b.label
        if isinstance(node, exp.In):
            return self._in_value(rel, node, env)
        if isinstance(node, exp.Exists):
            return self._exists_value(rel, node, env)
        q = unwrap(node)
        if not self._correlated(q, rel):
            out = self.low.query(q, env)
            if len(out.names) != 1:
                raise refuse("a scalar subquery of several columns", node, "select one", label)
            one_row = (
                isinstance(q, exp.Select)
                and q.args.get("group") is None
                and q.args.get("having") is None
                and any(aggregates_in(i) for i in q.expressions)
            )
            limit = q.args.get("limit")
            at_most_one = limit is not None and limit.expression.name == "1"
            if not (one_row or at_most_one):
                raise refuse(
                    "a scalar subquery that may return several rows",
                    node,
                    "aggregate it (max(...), count(*)) or add LIMIT 1",
                    label,
                )
            key = self._key()
            place = Rel(out.node, {(PLACE, key): out.names[0][1]})
            if one_row:
                rel = self.b.join(rel, place, "cross", None, "scalar")
            else:
                rel = self.b.join(rel, place, "left", exp.true(), "scalar")
            return rel, exp.column(key, PLACE)
        q = self._plain(q, "correlated scalar subquery")
        items = [i.unalias() for i in q.expressions]
        if len(items) != 1 or not aggregates_in(items[0]):
            raise refuse(
                "a correlated scalar subquery without an aggregate",
                node,
                "aggregate its column (max(...), sum(...)) so it returns one row per key",
                label,
            )
        (item,) = items
        counts = any(isinstance(a, exp.Count) for a in aggregates_in(item))
        if counts and not isinstance(item, exp.Count):
            raise refuse(
                "a correlated scalar subquery with COUNT inside an expression",
                node,
                "select the bare count(...) and compute around it",
                label,
            )
        inner, corr = self.low.from_where(q, env, rel.aliases)
        key = self._key()
        grouped, cond = self._grouped(rel, inner, corr, [(key, self.b.translate(item, inner))])
        how = "inner" if direct and not counts else "left"
        rel = self.b.join(rel, grouped, how, cond, "scalar")
        value: exp.Expr = exp.column(key, PLACE)
        if counts:
            value = exp.Coalesce(this=value, expressions=[exp.Literal.number(0)])
        return rel, value

    def _exists_value(self, rel: Rel, node: exp.Exists, env: Env) -> tuple[Rel, exp.Expr]:
        q = unwrap(node.this)
        key = self._key()
        star = exp.Count(this=exp.Star())
        if not self._correlated(q, rel):
            out = self.low.query(q, env)
            found = exp.GT(this=star, expression=exp.Literal.number(0))
            name = self.b.group(Rel(out.node, {}), [], [(key, found)], "exists")
            rel = self.b.join(rel, Rel(name, {(PLACE, key): key}), "cross", None, "exists")
            return rel, exp.column(key, PLACE)
        q = self._plain(q, "correlated EXISTS")
        inner, corr = self.low.from_where(q, env, rel.aliases)
        grouped, cond = self._grouped(rel, inner, corr, [(key, star)])
        rel = self.b.join(rel, grouped, "left", cond, "exists")
        return rel, exp.Not(this=exp.Is(this=exp.column(key, PLACE), expression=exp.null()))

    def _in_value(self, rel: Rel, node: exp.In, env: Env) -> tuple[Rel, exp.Expr]:
        label = self.b.label
        q = unwrap(node.args["query"])
        if isinstance(node.this, exp.Tuple) or self._correlated(q, rel):
            raise refuse(
                "IN (subquery) as a value with several columns or a correlation",
                node,
                "use it as a WHERE condition, or write EXISTS",
                label,
            )
        out = self.low.query(q, env)
        self._width(node, len(out.names), 1)
        col = out.names[0][1]
        key = self._key()
        values = self.b.group(Rel(out.node, {}), [col], [], "in_values")
        match = Rel(values, {(PLACE, key): col})
        lhs = self.b.translate_pair(node.this, rel, EMPTY)
        rel = self.b.join(
            rel, match, "left", exp.EQ(this=lhs, expression=column(col, n.RIGHT)), "in"
        )
        rows, nulls, rel = self._counts(q, env, rel)
        matched = exp.Not(this=exp.Is(this=exp.column(key, PLACE), expression=exp.null()))
        value = exp.Case(
            ifs=[
                exp.If(this=matched, true=exp.true()),
                exp.If(this=exp.EQ(this=rows, expression=exp.Literal.number(0)), true=exp.false()),
                exp.If(
                    this=exp.or_(
                        exp.Is(this=node.this.copy(), expression=exp.null()),
                        exp.GT(this=nulls, expression=exp.Literal.number(0)),
                    ),
                    true=exp.null(),
                ),
            ],
            default=exp.false(),
        )
        return rel, value

    # -- helpers -----------------------------------------------------------------------------
    def _key(self) -> str:
        self.count += 1
        return f"_pushdown_sub_{self.count}"

    def _correlated(self, q: exp.Expr, rel: Rel) -> bool:
        refs = query_outer_refs(q)
        if refs and not refs <= rel.aliases:
            raise refuse(
                "a subquery correlated two levels out",
                q,
                "a subquery may refer only to the query around it",
                self.b.label,
            )
        return bool(refs)

    def _plain(self, q: exp.Expr, what: str) -> exp.Select:
        label = self.b.label
        if not isinstance(q, exp.Select):
            raise refuse(f"a set operation in a {what}", q, "correlate a plain SELECT", label)
        for arg in ("group", "having", "limit", "offset", "qualify", "with_"):
            if q.args.get(arg) is not None:
                word = {"group": "GROUP BY", "with_": "WITH"}.get(arg, arg.upper())
                raise refuse(f"{word} in a {what}", q.args[arg], "decorrelate it by hand", label)
        if any(windows_in(i) for i in q.expressions):
            raise refuse(f"a window function in a {what}", q, "compute it outside", label)
        return q

    def _width(self, node: exp.Expr, got: int, want: int) -> None:
        if got != want:
            raise refuse(
                f"IN comparing {want} value(s) with {got} column(s)",
                node,
                "select as many columns as are compared",
                self.b.label,
            )

    def _pair(self, corr: list[exp.Expr], outer: Rel, inner: Rel) -> exp.Expr:
        if not corr:
            return exp.true()
        return self.b.translate_pair(exp.and_(*corr), outer, inner)

    def _grouped(
        self,
        outer: Rel,
        inner: Rel,
        corr: list[exp.Expr],
        aggs: list[tuple[str, exp.Expr]],
    ) -> tuple[Rel, exp.Expr]:
        """``inner`` grouped by its side of the correlation equalities, and the condition
        joining it to ``outer``.  Before grouping, ``inner`` is semi-joined with a copy of
        ``outer``'s steps on those equalities, so that only the groups an outer row asks
        for are computed (TPC-H Q17 groups the line items of 200 parts, not of all 200,000)."""
        keys: list[tuple[exp.Expr, exp.Expr]] = []  # (inner side, outer side)
        for c in corr:
            sides = (c.this, c.expression) if isinstance(c, exp.EQ) else ()
            for a, b in (sides, sides[::-1]) if sides else ():
                if (
                    aliases_of(a)
                    and aliases_of(a) <= inner.aliases
                    and not aliases_of(b) & inner.aliases
                ):
                    keys.append((a, b))
                    break
            else:
                raise refuse(
                    "a correlated condition other than an equality",
                    c,
                    "only equalities with the enclosing query can be grouped on",
                    self.b.label,
                )
        computed = [
            (f"_pushdown_key_{i}", self.b.translate(a, inner)) for i, (a, _) in enumerate(keys)
        ]
        extended = self.b.extend(inner, computed, "keys") if computed else inner
        names = [k for k, _ in computed]
        if names:  # only the keys the outer rows hold are grouped (a copy of their steps)
            copy = Rel(self.b.clone(outer.node), outer.cols, outer.exprs)
            only = exp.and_(
                *[
                    exp.EQ(this=column(k, n.LEFT), expression=self.b.translate_pair(b, EMPTY, copy))
                    for (_, b), k in zip(keys, names, strict=True)
                ]
            )
            extended = self.b.join(extended, copy, "semi", only, "outer_keys")
        name = self.b.group(extended, names, aggs, "correlated")
        cond = exp.and_(
            *[
                exp.EQ(this=self.b.translate_pair(b, outer, EMPTY), expression=column(k, n.RIGHT))
                for (_, b), k in zip(keys, names, strict=True)
            ]
        )
        return Rel(name, {(PLACE, k): k for k, _ in aggs}), cond

    def _counts(self, q: exp.Expr, env: Env, rel: Rel) -> tuple[exp.Expr, exp.Expr, Rel]:
        """``rel`` crossed with one row counting ``q``'s rows and the NULLs of its column
        (``q`` lowered again, so no step is shared)."""
        out = self.low.query(q, env)
        col = out.names[0][1]
        rows_key, nulls_key = self._key(), self._key()
        star = exp.Count(this=exp.Star())
        nulls = exp.Sub(this=star.copy(), expression=exp.Count(this=column(col)))
        name = self.b.group(Rel(out.node, {}), [], [(rows_key, star), (nulls_key, nulls)], "counts")
        counts = Rel(name, {(PLACE, rows_key): rows_key, (PLACE, nulls_key): nulls_key})
        crossed = self.b.join(rel, counts, "cross", None, "counts")
        return exp.column(rows_key, PLACE), exp.column(nulls_key, PLACE), crossed


def _is_value_query(node: exp.Expr) -> bool:
    if isinstance(node, exp.In):
        return node.args.get("query") is not None
    return isinstance(node, exp.Exists | exp.Subquery)
