"""The names a flow gives, and which of them can be used.

Table names (of source datasets and outputs) are identifiers, never SQL text: a table name is
one to three parts separated by dots (``table``, ``schema.table``, ``catalog.schema.table``),
each part made of ASCII letters, digits and underscores, with single hyphens allowed between
them (BigQuery project ids such as ``my-project.sales.orders``); a part may be written in double
quotes (``sales."MixedCase"``) to name a table exactly in that case (docs/semantics.md, "Names on
the engines").  Each part becomes one quoted identifier in the SQL pushdown generates, so a name
can neither end a statement nor start a comment.  Output tables must not look like pushdown's
own tables (``_pushdown_...``, ``...__pushdown_new``).

Dataset and column names are exact strings (any text but the empty one); names an engine would
fold together (equal ignoring case) are refused where they would meet: two datasets of one
flow, two columns of one dataset, two outputs to one connection.

>>> table_name_problem("sales.orders") is None
True
>>> table_name_problem("victim -- nightly copy") is None
False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

_PLAIN = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"
_PART = re.compile(rf'{_PLAIN}|"{_PLAIN}"')  # a double-quoted part is taken in its exact case
MAX_PARTS = 3
RESERVED_PREFIX = "_pushdown_"
RESERVED_SUFFIX = "__pushdown_new"

TABLE_NAME_RULE = (
    "a table name is 1 to 3 dot-separated parts of ASCII letters, digits, '_' and single "
    "'-', each optionally in double quotes to keep its case (e.g. 'orders', "
    "'analytics.orders' or 'analytics.\"MixedCase\"')"
)


def table_parts(name: str) -> tuple[str, ...]:
    """The parts of a valid table name (``"db.orders"`` -> ``("db", "orders")``)."""
    return tuple(name.split("."))


def table_name_problem(name: object, *, output: bool = False) -> str | None:
    """Why ``name`` cannot be a table name (``None`` when it can).  ``output`` also refuses
    the names of pushdown's own temporary and staging tables."""
    if not isinstance(name, str):
        return f"a table name is a string, not {type(name).__name__}"
    if not name.strip():
        return "the table name is empty"
    parts = name.split(".")
    if len(parts) > MAX_PARTS or not all(_PART.fullmatch(p) for p in parts):
        return f"table name {name!r} is not an identifier: {TABLE_NAME_RULE}"
    last = parts[-1].strip('"').lower()
    if output and (last.startswith(RESERVED_PREFIX) or last.endswith(RESERVED_SUFFIX)):
        return (
            f"table name {name!r} is reserved: pushdown's temporary tables start with "
            f"{RESERVED_PREFIX!r} and its staging tables end with {RESERVED_SUFFIX!r}"
        )
    return None


def name_problem(name: object, what: str) -> str | None:
    """Why ``name`` cannot be a dataset or column name (``None`` when it can)."""
    if not isinstance(name, str):
        return f"a {what} name is a string, not {type(name).__name__}"
    if not name.strip():
        return f"the {what} name is empty"
    if "\x00" in name:
        return f"{what} name {name!r} holds a NUL character"
    return None


def folded(name: str) -> str:
    """The form engines compare names in when they ignore case."""
    return name.casefold()


def case_clashes(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of distinct names that are equal ignoring case, in first-seen order."""
    seen: dict[str, str] = {}
    clashes = []
    for name in names:
        key = folded(name)
        first = seen.setdefault(key, name)
        if first != name:
            clashes.append((first, name))
    return clashes


def fold_message(what: str, first: str, second: str) -> str:
    """The message for two names that differ only in case."""
    return (
        f"{what} {first!r} and {second!r} differ only in case; most engines fold names "
        f"together (DuckDB, Snowflake unquoted, BigQuery, Spark, Hive), so one would replace "
        f"the other: rename one of them"
    )


def output_clash(outputs: Iterable[tuple[str, str, str]]) -> str | None:
    """Why two of ``outputs`` (dataset, connection, table) cannot both be written: they name
    one table of one connection (compared ignoring case, as most engines resolve it)."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for dataset, connection, table in outputs:
        key = (connection, folded(table.replace('"', "")))
        if key not in seen:
            seen[key] = (dataset, table)
            continue
        first_dataset, first_table = seen[key]
        tables = (
            f"table {table!r}"
            if first_table == table
            else f"tables {first_table!r} and {table!r} (equal ignoring case)"
        )
        if first_dataset == dataset:
            return f"dataset {dataset!r} is written twice to {tables} on connection {connection!r}"
        return (
            f"outputs {first_dataset!r} and {dataset!r} both write {tables} on connection "
            f"{connection!r}: one would replace the other; give each its own table"
        )
    return None


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Recipe(Protocol):
    def output_names(self) -> list[str]: ...


class FlowSpec(Protocol):
    """What :class:`NameIndex` reads of a flow's spec (``recipe.spec.FlowSpec``)."""

    @property
    def datasets(self) -> Sequence[_Named]: ...

    @property
    def recipes(self) -> Sequence[_Recipe]: ...


class NameIndex:
    """A flow's dataset names by their folded form, kept as the flow grows, so that adding a
    dataset checks its name in constant time (folding every name again at every step made
    building a flow of 5,000 steps take 3-5 s).  Made again from the spec when one of its
    lists was replaced or changed length other than through :meth:`added`; an item replaced
    in place, at the same length, is not seen (the spec is the flow's to change: build it
    through the flow's methods, or make a new ``Flow(spec=...)``)."""

    def __init__(self) -> None:
        self._by_fold: dict[str, str] = {}
        self._mark: tuple[int, int, int, int] | None = None

    def of(self, spec: FlowSpec) -> dict[str, str]:
        """Every dataset name of ``spec`` (sources, then recipe outputs) by its folded form;
        the first name of a folded form when a spec holds several."""
        mark = _mark(spec)
        if mark != self._mark:
            self._by_fold = {}
            self._mark = None
            names = [d.name for d in spec.datasets]
            for recipe in spec.recipes:
                names.extend(recipe.output_names())
            self._remember(names)
            self._mark = mark
        return self._by_fold

    def added(self, spec: FlowSpec, names: Iterable[str]) -> None:
        """``names`` were just appended to ``spec``, which :meth:`of` had indexed before."""
        if self._mark is None:
            return  # nothing indexed yet: :meth:`of` reads the whole spec
        self._remember(names)
        self._mark = _mark(spec)

    def _remember(self, names: Iterable[str]) -> None:
        by_fold = self._by_fold
        for name in names:
            by_fold.setdefault(folded(name), name)


def _mark(spec: FlowSpec) -> tuple[int, int, int, int]:
    """What changes when a dataset or recipe is added to ``spec`` or its lists replaced."""
    return (id(spec.datasets), len(spec.datasets), id(spec.recipes), len(spec.recipes))
