"""The datasets a ``sql`` recipe's query reads, for the flow's dependency order (the query is
lowered into plan steps later, by ``plan/lower/sql``)."""

from __future__ import annotations


def query_datasets(query: str, dialect: str | None) -> list[str]:
    """The tables ``query`` reads, as it spells them (its CTEs aside); empty when it does not
    parse (the lowering then says why).

    >>> query_datasets("WITH a AS (SELECT * FROM t) SELECT * FROM a JOIN u ON a.x = u.x", None)
    ['u', 't']
    """
    import sqlglot  # here: `pushdown schema` and flows without sql recipes need no sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    try:
        tree = sqlglot.parse_one(query, read=dialect or None)
    except (ParseError, TokenError, ValueError):
        return []
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    names: list[str] = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue
        name = ".".join(part.name for part in table.parts)
        if (table.db or name.lower() not in ctes) and name not in names:
            names.append(name)
    return names
