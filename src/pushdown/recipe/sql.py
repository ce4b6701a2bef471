"""The datasets a ``sql`` recipe's query reads, for the flow's dependency order (the query is
lowered into plan steps later, by ``plan/lower/sql``, which finds its tables the same way)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp


def query_datasets(query: str, dialect: str | None) -> list[str]:
    """The tables ``query`` reads, as it spells them (its CTEs aside); empty when it does not
    parse (the lowering then says why).

    >>> query_datasets("WITH a AS (SELECT * FROM t) SELECT * FROM a JOIN u ON a.x = u.x", None)
    ['u', 't']
    """
    import sqlglot  # here: `pushdown schema` and flows without sql recipes need no sqlglot
    from sqlglot.errors import ParseError, TokenError

    try:
        tree = sqlglot.parse_one(query, read=dialect or None)
    except (ParseError, TokenError, ValueError):
        return []
    return list(dict.fromkeys(table_name(t) for t in referenced_tables(tree)))


def referenced_tables(tree: exp.Expr) -> list[exp.Table]:
    """The table references of ``tree`` that are not its CTEs (names compared ignoring case)
    nor table functions (the lowering refuses those)."""
    from sqlglot import exp

    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    return [
        table
        for table in tree.find_all(exp.Table)
        if isinstance(table.this, exp.Identifier) and (table.db or table.name.lower() not in ctes)
    ]


def table_name(table: exp.Table) -> str:
    """A table reference's name as written (dots between its parts)."""
    return ".".join(p.name for p in table.parts)
