"""The names a flow gives, and which of them can be used.

Table names (of source datasets and outputs) are identifiers, never SQL text: a table name is
one to three parts separated by dots (``table``, ``schema.table``, ``catalog.schema.table``),
each part made of ASCII letters, digits and underscores, with single hyphens allowed between
them (BigQuery project ids such as ``my-project.sales.orders``).  Each part becomes one quoted
identifier in the SQL pushdown generates, so a name can neither end a statement nor start a
comment.  Output tables must not look like pushdown's own tables (``_pushdown_...``,
``...__pushdown_new``).

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
from collections.abc import Iterable

_PART = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
MAX_PARTS = 3
RESERVED_PREFIX = "_pushdown_"
RESERVED_SUFFIX = "__pushdown_new"

TABLE_NAME_RULE = (
    "a table name is 1 to 3 dot-separated parts of ASCII letters, digits, '_' and single "
    "'-' (e.g. 'orders' or 'analytics.orders')"
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
    last = parts[-1].lower()
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
        key = (connection, folded(table))
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
