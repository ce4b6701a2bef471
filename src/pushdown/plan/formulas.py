"""Formulas: SQL expression strings parsed by sqlglot in the flow's formula dialect.

A parsed formula has every column reference resolved against its input's schema (exact name,
or a unique case-insensitive match) and quoted, so generated SQL keeps names intact in every
dialect.  Parse failures and unknown columns become :class:`FormulaSyntaxError` and
:class:`UnknownColumnError` naming the recipe and column.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import TypeVar

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from pushdown.errors import (
    FormulaSyntaxError,
    FormulaTypeError,
    UnknownColumnError,
    did_you_mean,
)

_STATEMENTS = (
    exp.Query,
    exp.Command,
    exp.Create,
    exp.Drop,
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Alter,
)


def column(name: str, table: str | None = None) -> exp.Column:
    """A quoted column reference, optionally qualified by a quoted table alias."""
    return exp.Column(
        this=exp.Identifier(this=name, quoted=True),
        table=exp.Identifier(this=table, quoted=True) if table else None,
    )


@functools.lru_cache(maxsize=4096)
def _parsed(text: str, dialect: str | None) -> tuple[exp.Expr, ...]:
    """sqlglot's parse of ``text``, kept: plan() parses a formula more than once (a subquery
    check, then the formula itself) and a flow repeats formulas; callers get copies
    (:func:`parse_one_formula`), never these trees."""
    return parse_checked(text, dialect)


def parse_checked(text: str, dialect: str | None) -> tuple[exp.Expr, ...]:
    """``sqlglot.parse`` of ``text``, raising its ParseError for a function call missing an
    argument the function requires: sqlglot's parser builds some calls without checking them
    (``floor()``), and the type annotator later fails on them with a raw AttributeError."""
    parsed = tuple(e for e in sqlglot.parse(text, read=dialect or None) if e is not None)
    for tree in parsed:
        for node in tree.walk():
            if isinstance(node, exp.Func) and node.error_messages():
                raise ParseError(f"{node.sql_name()}() is missing a required argument")
            unit = node.args.get("unit") if isinstance(node, DIFFS) else None
            if isinstance(unit, exp.Var) and unit.name.lower() not in DATE_PARTS:
                raise ParseError(
                    f"date_diff's unit {unit.name!r} is not a date part "
                    f"({', '.join(dict.fromkeys(UNITS.values()))}): formulas read "
                    "datediff(end, start, unit); "
                    "a flow whose formula_dialect is"
                    " 'duckdb' reads date_diff('month', start, end)"
                )
    return parsed


# Date part names (and their abbreviations) by the unit pushdown means: what date_trunc,
# date_diff and intervals read (``compilers/lowering/calendar.py``).
UNITS = {
    "year": "year",
    "years": "year",
    "yyyy": "year",
    "yy": "year",
    "quarter": "quarter",
    "quarters": "quarter",
    "month": "month",
    "months": "month",
    "mon": "month",
    "mm": "month",
    "week": "week",
    "weeks": "week",
    "isoweek": "week",
    "day": "day",
    "days": "day",
    "dd": "day",
    "hour": "hour",
    "hours": "hour",
    "minute": "minute",
    "minutes": "minute",
    "second": "second",
    "seconds": "second",
}
# The date parts a date_diff unit may name (finer ones parse, and are refused when lowered),
# and the calls that take one.
DATE_PARTS = (*UNITS, "millisecond", "microsecond")
DIFFS = (exp.DateDiff, exp.TimestampDiff, exp.DatetimeDiff)


@functools.lru_cache(maxsize=4096)
def holds_query(text: str, dialect: str | None) -> bool | None:
    """Whether the one expression ``text`` parses to holds a subquery (a query or EXISTS);
    None when it is not exactly one expression or does not parse (the caller's own parse
    then names the error).  Kept, like the parse: flows repeat formulas."""
    try:
        parsed = _parsed(text, dialect or None)
    except (ParseError, TokenError, RecursionError):
        return None
    if len(parsed) != 1:
        return None
    return parsed[0].find(exp.Query, exp.Exists) is not None


def parse_one_formula(
    text: str,
    *,
    dialect: str | None,
    recipe: str,
    what: str,
    wrapped: str = "{}",
    column: str | None = None,
) -> exp.Expr:
    """One formula parsed (cached per text and dialect, a private copy returned), as a
    FormulaSyntaxError naming the recipe and ``what`` when it is empty, does not parse or
    holds more than one expression; ``wrapped`` places the text in a larger statement."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaSyntaxError(f"{what} is empty", recipe=recipe, column=column)
    try:
        parsed = [e.copy() for e in _parsed(wrapped.format(text), dialect or None)]
    except (ParseError, TokenError) as err:
        detail = str(err).splitlines()[0]
        raise FormulaSyntaxError(
            f"cannot parse {what} {text!r}: {detail}", recipe=recipe, column=column
        ) from None
    except RecursionError:  # sqlglot's parser recurses per nesting level
        raise FormulaSyntaxError(
            f"{what} {text[:60]!r}... is nested too deeply to parse; split it over several "
            "prepare steps",
            recipe=recipe,
            column=column,
        ) from None
    if len(parsed) != 1:
        raise FormulaSyntaxError(
            f"{what} {text!r} must be one expression, found {len(parsed)} statements",
            recipe=recipe,
            column=column,
        )
    return parsed[0]


def parse_order_term(text: str, *, dialect: str | None, recipe: str) -> exp.Ordered:
    """Parse one ORDER BY term such as ``amount DESC NULLS LAST``."""
    select = parse_one_formula(
        text, dialect=dialect, recipe=recipe, what="order term", wrapped="SELECT 1 ORDER BY {}"
    )
    extra = [k for k, v in select.args.items() if v and k not in ("expressions", "order")]
    order = select.args.get("order")
    if not isinstance(select, exp.Select) or extra or order is None or len(order.expressions) != 1:
        raise FormulaSyntaxError(
            f"order term {text!r} must be one column or expression with optional "
            "ASC/DESC and NULLS FIRST/LAST",
            recipe=recipe,
        )
    term = order.expressions[0]
    assert isinstance(term, exp.Ordered)
    return term


def parse_sql(
    text: str,
    *,
    dialect: str | None,
    recipe: str,
    what: str,
    open_root: bool = False,
    column: str | None = None,
) -> exp.Expr:
    """Parse ``text`` as exactly one SQL expression; ``what`` says where it came from and
    ``column`` names the column it computes, if any (both go into an error).

    A misplaced FILTER or IGNORE/RESPECT NULLS is a :class:`FormulaTypeError`
    (:func:`wrapper_misuse`); ``open_root``: the formula is a window recipe's, placed in its
    window after parsing, so a wrapper at its root is judged there instead."""
    tree = parse_one_formula(text, dialect=dialect, recipe=recipe, what=what, column=column)
    if isinstance(tree, _STATEMENTS):
        raise FormulaSyntaxError(
            f"{what} {text!r} is a statement; formulas are expressions such as 'amount * 2'",
            recipe=recipe,
            column=column,
        )
    if isinstance(tree, exp.Alias):
        raise FormulaSyntaxError(
            f"{what} {text!r} has an alias; name the column with the recipe's key instead",
            recipe=recipe,
            column=column,
        )
    misuse = wrapper_misuse(tree, open_root=open_root)
    if misuse is not None:
        raise FormulaTypeError(f"{what} {misuse}", recipe=recipe, column=column)
    return normalize(tree)


_EXTRACTS: dict[str, type[exp.Func]] = {
    "DOW": exp.DayOfWeek,
    "DAYOFWEEK": exp.DayOfWeek,
    "WEEKDAY": exp.DayOfWeek,
    "ISODOW": exp.DayOfWeekIso,
    "DAYOFWEEKISO": exp.DayOfWeekIso,
    "DAYOFWEEK_ISO": exp.DayOfWeekIso,
    "WEEK": exp.WeekOfYear,
    "WEEKISO": exp.WeekOfYear,
    "ISOWEEK": exp.WeekOfYear,
    "WEEKOFYEAR": exp.WeekOfYear,
}


def normalize(tree: exp.Expr) -> exp.Expr:
    """Give constructs one class per meaning of ``docs/semantics.md`` (engine-neutral).

    ``stddev`` means the sample deviation (sqlglot's ``Variance`` already is the sample
    variance); ``extract(dow|isodow|week FROM d)`` become the day-of-week and ISO-week
    functions; ``make_date(y, m, d)`` becomes sqlglot's DATE_FROM_PARTS (a DATE, spelled per
    engine); ``date_add(d, INTERVAL n unit)`` and ``date_sub`` (an interval, no unit of
    their own) become ``d + INTERVAL n unit`` and ``d - ...``, what they mean where they are
    read (DuckDB): sqlglot would write them as a count of days for the other engines
    (Spark's DATE_ADD(d, INTERVAL ...) is an error, Snowflake's DATEADD(DAY, INTERVAL ...)
    another).  How each engine spells them is the lowering's business
    (``compilers/lowering``).
    """

    # innermost first: a replaced node's arguments are not visited again by ``transform``
    for node in reversed(list(tree.find_all(exp.DateAdd, exp.DateSub))):
        if isinstance(node.expression, exp.Interval) and node.args.get("unit") is None:
            op = exp.Add if isinstance(node, exp.DateAdd) else exp.Sub
            new = op(this=node.this, expression=node.expression)
            if node is tree:
                tree = new
            else:
                node.replace(new)

    def fix(node: exp.Expr) -> exp.Expr:
        if type(node) is exp.Stddev:
            return exp.StddevSamp(this=node.this)
        if (
            isinstance(node, exp.Anonymous)
            and node.name.lower() == "make_date"
            and len(node.expressions) == 3
        ):  # DuckDB's reader makes this class, typed DATE and spelled per engine
            year, month, day = node.expressions
            return exp.DateFromParts(year=year, month=month, day=day)
        if isinstance(node, exp.Extract):
            target = _EXTRACTS.get(node.name.upper())
            if target is not None:
                return target(this=node.expression)
        return node

    return tree.transform(fix, copy=False)


def match_name(name: str, names: Iterable[str]) -> str | None:
    """The one of ``names`` that ``name`` means: itself, else the only one equal to it
    ignoring case; ``None`` when there is none or several.  A mapping or set is looked up
    directly first (a flow's thousands of dataset names are not copied per lookup)."""
    if isinstance(names, Mapping | AbstractSet) and name in names:
        return name
    names = list(names)
    if name in names:
        return name
    folded = [n for n in names if n.lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


def resolve_name(name: str, available: Iterable[str], *, recipe: str, what: str = "column") -> str:
    """The column ``name`` refers to: exact match, else the unique case-insensitive match."""
    names = list(available)
    found = match_name(name, names)
    if found is not None:
        return found
    raise UnknownColumnError(
        f"unknown {what} {name!r}; {did_you_mean(name, names)}", recipe=recipe, column=name
    )


def resolve_columns(
    tree: exp.Expr,
    available: Iterable[str],
    *,
    recipe: str,
    qualifiers: Mapping[str, str] | None = None,
) -> exp.Expr:
    """Quote and resolve every column in ``tree`` against ``available`` names, in place.

    ``qualifiers`` maps a table name users may write (``orders.id``) to the alias it becomes.
    """
    names = list(available)
    for col in list(tree.find_all(exp.Column)):
        if isinstance(col.this, exp.Star):
            continue
        table = col.table or None
        alias = None
        if table is not None:
            if qualifiers is None or table not in qualifiers:
                options = list(qualifiers or {})
                raise UnknownColumnError(
                    f"unknown table {table!r} in {col.sql()!r}; {did_you_mean(table, options)}",
                    recipe=recipe,
                    column=col.name,
                )
            alias = qualifiers[table]
        resolved = resolve_name(col.name, names, recipe=recipe)
        col.replace(column(resolved, alias))
    return tree


E = TypeVar("E", bound=exp.Expr)


def owned_copy(tree: E) -> E:
    """A copy of ``tree`` for a plan node to own: every node copied, with its arguments,
    comments and metadata, but its annotated type shared with the original rather than
    deep-copied.  sqlglot's annotator itself shares type objects between nodes and only ever
    replaces a node's type, never changes one in place; copying them was about a third of the
    time of copying a formula, and formulas are copied once per step."""
    twin_root = type(tree)()
    pending: list[tuple[exp.Expr, exp.Expr]] = [(tree, twin_root)]
    while pending:
        original, twin = pending.pop()
        twin._type = original._type
        if original._hash is not None:  # a cached hash, as sqlglot's own copy keeps it
            twin._hash = original._hash
        if original.comments is not None:
            twin.comments = list(original.comments)
        if original._meta is not None:
            twin._meta = dict(original._meta)
        for key, value in original.args.items():
            if isinstance(value, exp.Expr):
                child = type(value)()
                pending.append((value, child))
                twin.set(key, child)
            elif type(value) is list:
                twin.args[key] = []
                for item in value:
                    if isinstance(item, exp.Expr):
                        child = type(item)()
                        pending.append((item, child))
                        item = child
                    twin.append(key, item)
            else:
                twin.args[key] = value
    return twin_root


def substitute(tree: exp.Expr, values: Mapping[str, exp.Expr]) -> exp.Expr:
    """Replace each unqualified column by a copy of its expression in ``values`` (a column
    whose expression is that same column is left as it is: the common case of a formula over
    the input's columns, which then costs one copy of the formula)."""
    if isinstance(tree, exp.Column) and not tree.table and tree.name in values:
        return owned_copy(values[tree.name])
    tree = owned_copy(tree)
    for col in list(tree.find_all(exp.Column)):
        if not col.table and col.name in values:
            value = values[col.name]
            if not (isinstance(value, exp.Column) and value == col):
                col.replace(owned_copy(value))
    return tree


def literal(value: object) -> exp.Expr:
    """A SQL literal built by sqlglot (strings escaped per dialect on generation)."""
    return exp.convert(value)


# What may stand between a function and its OVER or its caller: ``sum(x) FILTER (WHERE c)``,
# ``first_value(x) IGNORE NULLS`` (sqlglot wraps the call in these).
WRAPPERS = (exp.Filter, exp.IgnoreNulls, exp.RespectNulls)
# The functions IGNORE NULLS / RESPECT NULLS apply to, and that take no FILTER: they pick a
# row's value rather than aggregate the frame's rows (docs/semantics.md).
NAVIGATION = (exp.FirstValue, exp.LastValue, exp.NthValue, exp.Lag, exp.Lead)


def outer_call(call: exp.Expr) -> exp.Expr:
    """``call`` with the FILTER / IGNORE NULLS / RESPECT NULLS wrapped around it."""
    while isinstance(call.parent, WRAPPERS) and call.arg_key == "this":
        call = call.parent
    return call


def inner_call(node: exp.Expr) -> exp.Expr:
    """The function inside ``node``'s FILTER / IGNORE NULLS / RESPECT NULLS wrappers."""
    while isinstance(node, WRAPPERS):
        node = node.this
    return node


def in_window(call: exp.Expr) -> bool:
    """True when ``call`` is a window's own function (its OVER applies to it)."""
    return isinstance(outer_call(call).parent, exp.Window)


def wrapper_misuse(tree: exp.Expr, *, open_root: bool = False) -> str | None:
    """Why a FILTER or IGNORE/RESPECT NULLS of ``tree`` means nothing (None when each is
    well placed): FILTER belongs to an aggregate (not to LAG, FIRST_VALUE, ...), IGNORE/RESPECT
    NULLS to FIRST_VALUE, LAST_VALUE, NTH_VALUE, LAG or LEAD over a window.  ``open_root``:
    ``tree`` may still be placed in a window (a window recipe's formula), so a wrapper at its
    root is not judged on that."""
    for node in tree.find_all(*WRAPPERS):
        if open_root and outer_call(node) is tree:
            continue
        call = inner_call(node)
        if isinstance(node, exp.Filter):
            if not isinstance(call, exp.AggFunc) or isinstance(call, NAVIGATION):
                return (
                    f"{node.sql()!r}: FILTER (WHERE ...) applies to an aggregate such as "
                    "sum(x) or count(*); for this function filter the rows first"
                )
        elif isinstance(node.this, exp.IgnoreNulls | exp.RespectNulls):
            return (
                f"{node.sql()!r}: IGNORE NULLS / RESPECT NULLS is given twice (inside the call "
                "and after it); give it once"
            )
        elif not (isinstance(call, NAVIGATION) and in_window(call)):
            clause = "IGNORE NULLS" if isinstance(node, exp.IgnoreNulls) else "RESPECT NULLS"
            return (
                f"{node.sql()!r}: {clause} applies to first_value, last_value, nth_value, lag "
                "and lead over a window; for an aggregate, FILTER (WHERE x IS NOT NULL) skips "
                "the NULLs"
            )
    return None


def contains_aggregate(tree: exp.Expr) -> bool:
    """True when ``tree`` holds an aggregate function outside any window."""
    return any(not in_window(node) for node in tree.find_all(exp.AggFunc))


def nested_aggregate(tree: exp.Expr) -> exp.Expr | None:
    """The first aggregate call of ``tree`` that sits inside another aggregate call of it, such
    as the inner ``sum(x)`` of ``sum(sum(x))`` or the ``sum(o)`` of ``sum(x) FILTER (WHERE
    sum(o) > 1)`` (a FILTER's condition is part of its aggregate's call), which no engine
    accepts; None when there is none. A window's own aggregate (and its FILTER) is not counted
    as one, subqueries are not looked into."""

    def aggregate(node: exp.Expr) -> bool:
        return isinstance(node, exp.AggFunc) and not in_window(node)

    def first(node: exp.Expr, inside: bool) -> exp.Expr | None:
        if isinstance(node, exp.Query) and node is not tree:
            return None
        if aggregate(node) and inside:
            return node
        for child in node.iter_expressions():
            within = aggregate(node) or (
                isinstance(node, exp.Filter)
                and child.arg_key == "expression"
                and aggregate(inner_call(node))
            )
            found = first(child, inside or within)
            if found is not None:
                return found
        return None

    return first(tree, False)


def contains_window(tree: exp.Expr) -> bool:
    """True when ``tree`` holds a window function call."""
    return tree.find(exp.Window) is not None
