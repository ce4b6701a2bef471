"""Checks every node's output columns pass: names that engines would fold into one column
(equal ignoring case, or equal) are refused, naming the recipe and both columns.

DuckDB, Snowflake's unquoted names, BigQuery, Spark and Hive resolve column names ignoring case,
so ``id`` and ``ID`` in one dataset would come back as ``id`` and ``ID_1`` (or one of them
lost) when written to a table or read through SQL.
"""

from __future__ import annotations

from typing import TypeVar

from pushdown.errors import DuplicateNameError
from pushdown.plan import nodes as n
from pushdown.recipe.names import fold_message, folded

NodeT = TypeVar("NodeT", bound=n.Node)


def check_columns(node: NodeT) -> NodeT:
    """Return ``node`` unchanged when no two of its columns share a name ignoring case;
    else raise :class:`DuplicateNameError` naming the recipe (or source dataset) and both."""
    seen: dict[str, str] = {}
    for name in node.schema.names:
        key = folded(name)
        if key not in seen:
            seen[key] = name
            continue
        first = seen[key]
        where = {"dataset": node.name} if isinstance(node, n.Source) else {"recipe": node.recipe}
        message = (
            f"dataset {node.name!r} has two columns named {name!r}"
            if first == name
            else f"{fold_message('columns', first, name)} (dataset {node.name!r})"
        )
        raise DuplicateNameError(message, column=name, **where)
    return node
