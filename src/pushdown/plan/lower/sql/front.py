"""Reading a query: sqlglot parses it in its dialect, resolves its names against the flow's
datasets (sqlglot's ``qualify`` pass, with the datasets' schemas) and folds its constants
(``simplify``: ``DATE '1998-12-01' - INTERVAL '90' DAY`` is one date); then every construct
the lowering cannot place is refused here, with its position in the text.

Names resolve the way formulas do: a dataset or column is found by its exact name, else by the
one name equal to it ignoring case (the pass runs with DuckDB's case-insensitive rules, and
each identifier remembers how it was written, so output columns keep the query's spelling).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.simplify import simplify

from pushdown.errors import (
    FormulaSyntaxError,
    FormulaTypeError,
    UnknownColumnError,
    UnknownDatasetError,
    UnsupportedSqlError,
    did_you_mean,
)
from pushdown.plan.formulas import match_name, normalize, parse_checked, wrapper_misuse
from pushdown.recipe.sql import referenced_tables, table_name
from pushdown.types import arrow_to_sql

# The dialect whose name rules the qualify pass uses: case-insensitive, like formulas.
NAMES = "duckdb"
WRITTEN = "pushdown_written"  # identifier meta: the name as the query spells it


def position(node: exp.Expr | None) -> str | None:
    """``line L, column C`` of the first token of ``node`` that sqlglot located."""
    if node is None:
        return None
    for child in node.walk():
        meta = child.meta
        if "line" in meta and "col" in meta:
            return f"line {meta['line']}, column {meta['col']}"
    return None


def refuse(construct: str, node: exp.Expr | None, why: str, label: str) -> UnsupportedSqlError:
    """The error for ``construct`` at ``node`` (raise it)."""
    return UnsupportedSqlError(construct, why, position=position(node), recipe=label)


def parse_query(text: str, dialect: str | None, label: str) -> exp.Expr:
    """One SQL statement read in ``dialect``; a syntax error names the recipe and where."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaSyntaxError("the SQL query is empty", recipe=label)
    try:
        statements = list(parse_checked(text, dialect or None))
    except (ParseError, TokenError) as err:
        detail = str(err).splitlines()[0]
        raise FormulaSyntaxError(f"cannot parse the SQL query: {detail}", recipe=label) from None
    if len(statements) != 1:
        raise FormulaSyntaxError(
            f"a SQL recipe holds one query, found {len(statements)} statements", recipe=label
        )
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise refuse(f"{tree.key.upper()} statement", tree, "a SQL recipe is a query", label)
    return tree


def resolve_dataset(name: str, datasets: Iterable[str], label: str) -> str:
    """The dataset ``name`` means: exact, else the one equal ignoring case."""
    names = list(datasets)
    found = match_name(name, names)
    if found is not None:
        return found
    raise UnknownDatasetError(
        f"the query reads unknown dataset {name!r}; {did_you_mean(name, names)}", recipe=label
    )


def prepare(tree: exp.Expr, schemas: Mapping[str, pa.Schema], label: str) -> exp.Expr:
    """``tree`` with its tables renamed to the datasets they mean, every column qualified by
    its source's alias, stars expanded, constants folded and pushdown's meanings applied.

    ``schemas`` are the schemas of the datasets the query may read, by name."""
    for ident in tree.find_all(exp.Identifier):
        ident.meta[WRITTEN] = ident.this
    for table in referenced_tables(tree):
        dataset = resolve_dataset(table_name(table), schemas, label)
        if not table.alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
        ident = exp.to_identifier(dataset, quoted=True)
        ident.meta.update(table.this.meta)  # keep the position for errors
        table.set("this", ident)
        table.set("db", None)
        table.set("catalog", None)
    tree = tree.transform(_quantified, copy=False)
    _refuse_before_qualify(tree, label)
    misuse = wrapper_misuse(tree)
    if misuse is not None:
        raise FormulaTypeError(misuse, recipe=label)
    mapping: dict[str, object] = {
        name: {f.name: arrow_to_sql(f.type).sql(dialect=NAMES) for f in schema}
        for name, schema in schemas.items()
    }
    try:
        tree = qualify(tree, dialect=NAMES, schema=mapping)
    except OptimizeError as err:
        raise _unknown(err, tree, schemas, label) from None
    tree = simplify(tree, dialect=NAMES)
    return normalize(tree)


def _unknown(
    err: OptimizeError, tree: exp.Expr, schemas: Mapping[str, pa.Schema], label: str
) -> UnknownColumnError:
    message = str(err).splitlines()[0]
    columns = {f.name for t in referenced_tables(tree) for f in schemas.get(t.name, [])}
    word = message.split("'")[1].strip('"') if message.count("'") >= 2 else message
    return UnknownColumnError(
        f"the query names an unknown column: {message}; {did_you_mean(word, columns)}",
        recipe=label,
        column=word,
    )


def _quantified(node: exp.Expr) -> exp.Expr:
    """``x = ANY (q)`` is ``x IN (q)`` and ``x <> ALL (q)`` is ``NOT x IN (q)``, NULLs
    included (how Snowflake's parser reads ``[NOT] IN (subquery)``); other quantified
    comparisons stay, and are refused."""
    pairs = ((exp.EQ, exp.Any, False), (exp.NEQ, exp.All, True))
    for cmp, quantifier, negated in pairs:
        if isinstance(node, cmp) and isinstance(node.expression, quantifier):
            query = node.expression.this
            if not isinstance(query, exp.Subquery):
                query = exp.Subquery(this=query)
            found: exp.Expr = exp.In(this=node.this, query=query)
            return exp.Not(this=found) if negated else found
    return node


# Constructs refused before names are resolved: (class, construct, why).
_BEFORE: tuple[tuple[type[exp.Expr], str, str], ...] = (
    (exp.Lateral, "LATERAL", "a lateral join has no plan step"),
    (exp.Unnest, "UNNEST", "arrays are not part of pushdown's types"),
    (exp.Values, "VALUES", "name a dataset instead of inline rows"),
    (exp.Pivot, "PIVOT/UNPIVOT in FROM", "use the pivot recipe"),
    (exp.Cube, "GROUP BY CUBE", "group several times and stack the results"),
    (exp.Rollup, "GROUP BY ROLLUP", "group several times and stack the results"),
    (exp.GroupingSets, "GROUPING SETS", "group several times and stack the results"),
    (exp.Any, "ANY/SOME (subquery)", "write it with EXISTS"),
    (exp.All, "ALL (subquery)", "write it with NOT EXISTS"),
)


def _refuse_before_qualify(tree: exp.Expr, label: str) -> None:
    for node in tree.walk():
        for cls, construct, why in _BEFORE:
            if isinstance(node, cls):
                raise refuse(construct, node, why, label)
        if isinstance(node, exp.With) and node.args.get("recursive"):
            raise refuse("WITH RECURSIVE", node, "recursion has no plan step", label)
        if isinstance(node, exp.Table) and not isinstance(node.this, exp.Identifier):
            raise refuse(
                f"table function {node.this.sql()}", node, "name a dataset of the flow", label
            )
        distinct = node.args.get("distinct") if isinstance(node, exp.Select) else None
        if distinct is not None and distinct.args.get("on") is not None:
            raise refuse("DISTINCT ON", node, "use a top_n recipe per partition", label)
