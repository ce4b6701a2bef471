"""Compile logical nodes into one sqlglot query per fragment output (a CTE chain).

Each node becomes a ``SELECT`` over its inputs; the nodes a result depends on inside one
fragment become CTEs named after their datasets, so consecutive steps on one engine run as ONE
statement.  Nothing here is dialect-specific: :func:`to_sql` lowers the tree for the target
engine (``compilers/lowering``: each engine computes pushdown's meaning) and hands it to
sqlglot's generator, which quotes identifiers and spells types and functions.  Column
references carry their input's type so the lowering can tell an integer from a float.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from pushdown.compilers.lowering import lower
from pushdown.compilers.order import carry_order, ordered, with_hidden
from pushdown.errors import DuplicateNameError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import column
from pushdown.plan.names import engine_table
from pushdown.types import arrow_to_sql, dialect_name

ROW_NUMBER_COLUMN = "_pushdown_rn"


def quoted(name: str) -> exp.Identifier:
    """A quoted identifier."""
    return exp.Identifier(this=name, quoted=True)


def table_ref(name: str | Sequence[str], *, dialect: str | None = None) -> exp.Table:
    """A quoted table reference built from its parts, never by parsing text.

    A string is split at its dots into catalog, schema and table (``"db.orders"``); a name
    that does not split into 1 to 3 non-empty parts is one identifier as a whole.  A sequence
    gives the parts themselves.  Each part becomes one quoted identifier, which the
    generator escapes for ``dialect``, so no name can end a statement or start a comment.
    Each part is spelt the way ``dialect``'s engine resolves it written unquoted
    (:func:`pushdown.plan.names.engine_table`: ``orders`` is ``"ORDERS"`` on Snowflake); a
    part written in double quotes (``'"MixedCase"'``) is taken exactly.
    """
    if isinstance(name, str):
        split = name.split(".")
        parts = split if 1 <= len(split) <= 3 and all(split) else [name]
    else:
        parts = list(name)
    if not 1 <= len(parts) <= 3 or not all(isinstance(p, str) and p for p in parts):
        raise ValueError(f"a table name has 1 to 3 non-empty parts, not {name!r}")
    resolved = engine_table(parts, dialect)
    idents: list[exp.Identifier | None] = [quoted(p) for p in reversed(resolved)]
    idents += [None] * (3 - len(idents))
    return exp.Table(this=idents[0], db=idents[1], catalog=idents[2])


def source_step(
    ref: exp.Table, node: n.Source, dialect: str, *, catalog: bool = True
) -> exp.Table | exp.Select:
    """What the steps after ``node`` read: its table itself when every column is stored
    under its flow name, else ``SELECT stored AS name, ... FROM table`` (only the differing
    columns aliased).  ``catalog`` uses the names the catalog reported, when it was read;
    without it (a flow compiled for another engine) each engine's spelling of the flow's
    names.  Two columns the engine reads as one (``id`` and ``ID`` on Snowflake) are refused.
    """
    stored = node.stored_names(dialect, catalog=catalog)
    clash = stored_clash(node.columns, stored)
    if clash is not None:
        first, name, engine = clash
        raise DuplicateNameError(
            f"columns {first!r} and {name!r} of {node.name!r} are both column "
            f"{engine!r} on {dialect_name(dialect)}, which folds names written unquoted; "
            "rename one, or let pushdown read the table's own names from its catalog",
            recipe=node.recipe,
            column=name,
        )
    if stored == node.columns:
        return ref
    columns: list[exp.Expr] = [
        column(engine) if engine == name else exp.Alias(this=column(engine), alias=quoted(name))
        for name, engine in zip(node.columns, stored, strict=True)
    ]
    return _select(columns, _from(ref))


def stored_clash(names: Sequence[str], stored: Sequence[str]) -> tuple[str, str, str] | None:
    """The first two of ``names`` stored under one name (``stored`` holds each one's), as
    ``(first, second, stored name)``; ``None`` when every stored name is distinct."""
    seen: dict[str, str] = {}
    for name, engine in zip(names, stored, strict=True):
        if engine in seen:
            return seen[engine], name, engine
        seen[engine] = name
    return None


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


def _select(
    columns: list[exp.Expr],
    source: exp.Expr,
    *,
    where: exp.Expr | None = None,
    group: list[exp.Expr] | None = None,
    order: Iterable[exp.Ordered] = (),
    limit: int | None = None,
    distinct: bool = False,
    joins: list[exp.Join] | None = None,
) -> exp.Select:
    """A SELECT built from parts that are already private copies (no builder re-copies)."""
    select = exp.Select(expressions=columns, from_=exp.From(this=source))
    if joins:
        select.set("joins", joins)
    if where is not None:
        select.set("where", exp.Where(this=where))
    if group:
        select.set("group", exp.Group(expressions=group))
    ordered = [o.copy() for o in order]
    if ordered:
        select.set("order", exp.Order(expressions=ordered))
    if limit is not None:
        select.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
    if distinct:
        select.set("distinct", exp.Distinct())
    return select


_TYPES: dict[object, exp.DataType] = {}


def _type_columns(query: exp.Expr, schemas: Mapping[str | None, object]) -> None:
    """Give each untyped column of ``query`` its type from the input schema it reads
    (``schemas`` maps a table alias, or ``None`` for unqualified columns, to an Arrow schema)."""
    for col in query.find_all(exp.Column):
        if col.type is not None and col.type.this != exp.DataType.Type.UNKNOWN:
            continue
        schema = schemas.get(col.table or None)
        if schema is None:
            continue
        idx = schema.get_field_index(col.name)  # type: ignore[attr-defined]
        if idx < 0:
            continue
        arrow = schema.field(idx).type  # type: ignore[attr-defined]
        cached = _TYPES.get(arrow)
        if cached is None:
            cached = _TYPES[arrow] = arrow_to_sql(arrow)
        col.type = cached


def _typed(query: exp.Query, node: n.Node, nodes: Mapping[str, n.Node]) -> exp.Query:
    """``query`` (compiled from ``node``) with its input columns typed, in place."""
    if not node.inputs or any(i not in nodes for i in node.inputs):
        return query
    if isinstance(node, n.Join):
        left, right = (nodes[i].schema for i in node.inputs)
        _type_columns(query, {n.LEFT: left, n.RIGHT: right, None: left})
    elif isinstance(node, n.Union):
        parts = []
        union: exp.Expr = query
        while isinstance(union, exp.Union):
            parts.append(union.expression)
            union = union.this
        parts.append(union)
        for part, name in zip(reversed(parts), node.inputs, strict=True):
            _type_columns(part, {None: nodes[name].schema})
    else:
        _type_columns(query, {None: nodes[node.inputs[0]].schema})
    return query


def compile_node(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    """The query computing ``node`` from its inputs, referenced through ``refs``."""
    compiler = _COMPILERS.get(type(node))
    if compiler is None:
        raise TypeError(f"{node.kind} steps do not compile to SQL")
    return compiler(node, refs)


def _source(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    return _select([exp.Star()], _from(refs[node.name]))


def _project(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Project | n.Window)
    return _select(_aliased(node.items), _from(refs[node.inputs[0]]))


def _filter(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Filter)
    return _select([exp.Star()], _from(refs[node.inputs[0]]), where=node.condition.copy())


def _join(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Join)
    left = _from(refs[node.inputs[0]], n.LEFT)
    right = _from(refs[node.inputs[1]], n.RIGHT)
    columns = _aliased(node.items)
    if node.how in ("semi", "anti"):
        assert node.condition is not None
        keys = _right_keys(node.condition) if node.distinct_right else None
        if keys is not None:  # inside, the keys are qualified so they are typed as right's
            distinct = _select([column(k, n.RIGHT) for k in keys], right, distinct=True)
            keyed = exp.Subquery(this=distinct, alias=exp.TableAlias(this=quoted(n.RIGHT)))
            join = exp.Join(this=keyed, on=node.condition.copy())
            return _select(columns, left, joins=[join])
        sub = _select([exp.Literal.number(1)], right, where=node.condition.copy())
        exists: exp.Expr = exp.Exists(this=sub)
        return _select(columns, left, where=exp.not_(exists) if node.how == "anti" else exists)
    if node.how == "cross":
        return _select(columns, left, joins=[exp.Join(this=right, kind="CROSS")])
    join = exp.Join(this=right, on=node.condition.copy() if node.condition else None)
    side = {"inner": None, "left": "LEFT", "right": "RIGHT", "full": "FULL"}[node.how]
    if side:
        join.set("side", side)
    return _select(columns, left, joins=[join])


# A semi join whose right side has at most this fraction of the left side's rows, and which
# keeps at most this fraction of its left side (or keeps a share only a default gives), is
# written as an inner join with the right side's distinct keys (see selective_semi_joins).
SELECTIVE_SEMI = 0.1


def selective_semi_joins(
    nodes: Mapping[str, n.Node],
    rows: Mapping[str, float | None],
    steps: Iterable[str],
    defaulted: Collection[str] = (),
) -> dict[str, n.Node]:
    """``nodes`` with the selective semi joins among ``steps`` (those running on an engine
    planned so) marked ``distinct_right`` (written ``JOIN (SELECT DISTINCT keys FROM r)``).

    The two forms keep the same rows (a left row matches one distinct key tuple at most;
    NULL keys match in neither).  They are planned differently: DuckDB estimates a semi join
    at a fixed fraction of its left side (a fifth) whatever its right side holds, so a semi
    join with a filtered dimension (TPC-H q9's green parts, q21's one nation) is ordered after
    joins it should precede; the inner join gets the right side's own estimate.  Measured on
    TPC-H scale 1: q9 1.44x -> 0.78x the official text.  The join form's extra work is
    grouping the right side, so it is chosen only where the right side is at most
    ``SELECTIVE_SEMI`` of the left (grouping a large right side costs more: q4's semi join
    with 3.8 M late line items went 5-5.7x slower written so), and where the estimates say the
    semi join keeps at most that fraction of its left side.

    ``defaulted``: the semi joins whose kept share is a default, not a statistic (see
    :attr:`~pushdown.planner.stats.Estimate.defaults`).  Their kept share is no evidence either
    way, so the right side's size alone decides: with a small right side the join form's worst
    case over the kept share is the better one.  Measured on DuckDB at scale 1, the join form
    with every part kept (q9 over all parts) runs 0.9x EXISTS, while EXISTS with few parts
    kept runs 1.6x (q9's green parts) to 3.3x (37 parts of 200,000) the join form, its fifth
    estimate building hash tables on orders and partsupp instead of the few line items."""
    chosen = set(steps)
    unknown = set(defaulted)
    out = dict(nodes)
    for name, node in nodes.items():
        if not (isinstance(node, n.Join) and node.how == "semi" and name in chosen):
            continue
        left, right = (rows.get(i) for i in node.inputs)
        kept = rows.get(name)
        if left is None or right is None or kept is None or left <= 0:
            continue
        if right > SELECTIVE_SEMI * left:
            continue
        if name not in unknown and kept > SELECTIVE_SEMI * left:
            continue
        if node.condition is None or _right_keys(node.condition) is None:
            continue
        out[name] = dataclasses.replace(node, distinct_right=True)
    return out


def _right_keys(condition: exp.Expr) -> list[str] | None:
    """The right side's key columns when ``condition`` is only equalities of a left and a
    right column (``l.a = r.b AND ...``), else None."""
    parts = list(condition.flatten()) if isinstance(condition, exp.And) else [condition]
    keys: list[str] = []
    for part in parts:
        if not isinstance(part, exp.EQ):
            return None
        a, b = part.this, part.expression
        if not (isinstance(a, exp.Column) and isinstance(b, exp.Column)):
            return None
        sides = {a.table: a.name, b.table: b.name}
        if set(sides) != {n.LEFT, n.RIGHT}:
            return None
        if sides[n.RIGHT] not in keys:
            keys.append(sides[n.RIGHT])
    return keys


def _aggregate(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Aggregate)
    keys: list[exp.Expr] = [column(k) for k in node.keys]
    return _select(
        [*keys, *_aliased(node.aggregates)],
        _from(refs[node.inputs[0]]),
        group=[column(k) for k in node.keys],
    )


def _sort(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Sort)
    return _select([exp.Star()], _from(refs[node.inputs[0]]), order=node.order)


def _top_n(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.TopN)
    source = _from(refs[node.inputs[0]])
    if not node.partition:
        return _select([exp.Star()], source, order=node.order, limit=node.n)
    rn = exp.Window(
        this=exp.RowNumber(),
        partition_by=[column(p) for p in node.partition],
        order=exp.Order(expressions=[o.copy() for o in node.order]),
    )
    rn_name = ROW_NUMBER_COLUMN  # never one of the input's names, whatever their case
    while rn_name.casefold() in {c.casefold() for c in node.columns}:
        rn_name += "_"
    inner = _select([exp.Star(), exp.Alias(this=rn, alias=quoted(rn_name))], source)
    ranked = exp.Subquery(this=inner, alias=exp.TableAlias(this=quoted("ranked")))
    keep = exp.LTE(this=column(rn_name), expression=exp.Literal.number(node.n))
    return _select([column(c) for c in node.columns], ranked, where=keep)


def _distinct(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    return _select([column(c) for c in node.columns], _from(refs[node.inputs[0]]), distinct=True)


def _union(node: n.Node, refs: Mapping[str, exp.Table]) -> exp.Query:
    assert isinstance(node, n.Union)
    parts = [
        _select(_aliased(branch), _from(refs[name]))
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
    external: Mapping[str, exp.Table | exp.Select],
) -> exp.Query:
    """One query computing ``target``: its ancestors not in ``external`` become CTEs.

    ``external`` maps the datasets this query reads as tables (sources, transferred or
    materialised data) to their table references, or a source to the step renaming its
    stored columns (:func:`source_step`), which becomes a CTE named after the dataset when
    the query reads it.
    """
    order: list[str] = []  # ancestors first; iterative so 1,000-step chains need no recursion
    seen: set[str] = set()
    stack: list[tuple[str, bool]] = [(target, False)]
    while stack:
        name, expanded = stack.pop()
        if expanded:
            order.append(name)
            continue
        if name in seen or name in external:
            continue
        seen.add(name)
        stack.append((name, True))
        stack.extend((inp, False) for inp in reversed(nodes[name].inputs))
    tables = {name: ref for name, ref in external.items() if isinstance(ref, exp.Table)}
    refs: dict[str, exp.Table] = dict(tables)
    taken = {t.name.casefold() for t in tables.values()}  # engines fold case: "T" is "t"
    ctes: list[exp.CTE] = []
    steps = {name: step for name, step in external.items() if not isinstance(step, exp.Table)}
    read = {i for name in order for i in nodes[name].inputs}
    for name, step in steps.items():
        if name in read:
            ctes.append(_cte(name, step.copy(), taken))
            refs[name] = exp.Table(this=quoted(ctes[-1].alias))
    # A sort's order reaches the result through one-for-one steps (compilers/order.py).
    carried = None if target in external else carry_order(nodes, target, external)
    extra = carried.extra if carried is not None else {}
    for name in order[:-1]:
        node = nodes[name]
        if isinstance(node, n.Sort):  # ordered where the result is read, not in a CTE
            refs[name] = refs[node.inputs[0]]
            continue
        body = _typed(compile_node(node, refs), node, nodes)
        if name in extra:
            body = with_hidden(body, extra[name])
        ctes.append(_cte(name, body, taken))
        refs[name] = exp.Table(this=quoted(ctes[-1].alias))
    if target in steps:
        root: exp.Query = steps[target].copy()
    elif target in tables:
        root = _select([exp.Star()], _from(tables[target]))
    else:
        root = _typed(compile_node(nodes[target], refs), nodes[target], nodes)
    if carried is not None:
        if target in extra:
            root = with_hidden(root, extra[target])
        root = ordered(root, carried, nodes[target].columns)
    if ctes:
        root.set("with_", exp.With(expressions=ctes))
    return root


def _cte(name: str, body: exp.Query, taken: set[str]) -> exp.CTE:
    """``name AS (body)``, renamed (``name_``) away from every name already ``taken``
    (``taken`` holds casefolded names)."""
    cte_name = name
    while cte_name.casefold() in taken:  # engines fold case: a CTE "t" hides table "T"
        cte_name += "_"
    taken.add(cte_name.casefold())
    return exp.CTE(this=body, alias=exp.TableAlias(this=quoted(cte_name)))


def to_sql(query: exp.Expr, dialect: str, *, pretty: bool = True) -> str:
    """Lower ``query`` for ``dialect``'s engine and generate its SQL, raising sqlglot's
    UnsupportedError for what it cannot say (a construct the profile refuses included).

    ``dialect`` is a profile's :attr:`~pushdown.profiles.Profile.dialect` (it carries the
    engine version: ``"hive, version=2.1"``).  The tree is consumed (the lowering and the
    generator's transforms rewrite it in place): pass a tree built for this call, as
    :func:`compile_query` returns.
    """
    query = lower(query, dialect)
    return query.sql(
        dialect=dialect,
        pretty=pretty,
        unsupported_level=ErrorLevel.RAISE,
        identify=True,
        copy=False,
    )
