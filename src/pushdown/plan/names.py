"""How each engine stores and resolves a name pushdown writes: table parts, source columns and
the columns of the tables it creates (docs/semantics.md, "Names on the engines").

pushdown quotes every identifier it generates, so the engine compares it exactly wherever
quoted identifiers are case-sensitive.  A name the user wrote as a plain identifier must then
be spelt the way the engine stored it when the object was created the usual way, unquoted:

- engines that fold unquoted identifiers and compare quoted ones exactly (sqlglot's
  ``UPPERCASE`` and ``LOWERCASE`` strategies: Snowflake) get the folded spelling: ``orders``
  is ``"ORDERS"`` on Snowflake ("Unquoted object identifiers ... are stored and resolved as
  uppercase characters (e.g. id is stored and resolved as ID)", and quoted ones keep their
  case: https://docs.snowflake.com/en/sql-reference/identifiers-syntax);
- engines that ignore case, quoted or not (sqlglot's ``CASE_INSENSITIVE``: DuckDB, Spark,
  Databricks, Hive, BigQuery columns) resolve the name as written, so it is kept: folding
  would only change the case a created table shows;
- BigQuery dataset and table names are case-sensitive (unless the dataset was created with
  ``is_case_insensitive``) and column names are not (the case-sensitivity table of
  https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#case_sensitivity):
  kept as written.

Only a name that *can* be written unquoted is folded (on Snowflake: ASCII letters, digits,
``_`` and ``$``, not starting with a digit or ``$``); any other name can only have been
created quoted, so it is kept.  A table part written in double quotes (``'"MixedCase"'``) is
taken exactly as written between the quotes, on every engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot.dialects.dialect import Dialect, NormalizationStrategy

from pushdown.types import dialect_name

# What an unquoted identifier may be on the engines that fold them (Snowflake's rule: "Start
# with a letter (A-Z, a-z) or an underscore; contain only letters, underscores, decimal digits
# (0-9), and dollar signs": https://docs.snowflake.com/en/sql-reference/identifiers-syntax).
_UNQUOTED = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")

# Engines whose catalog stores column names in one case whatever the DDL said, and which
# sqlglot's normalisation strategy does not tell apart (Hive and Spark are both
# CASE_INSENSITIVE, but only Hive's metastore lower-cases column names: "Table names and
# column names are case insensitive"
# (https://cwiki.apache.org/confluence/display/Hive/LanguageManual+DDL#LanguageManualDDL-CreateTable),
# and HiveServer2 reports them lower-case; Spark and Databricks keep the case a table was
# created with).
_STORED_LOWER = {"hive"}


def _strategy(dialect: str | None) -> NormalizationStrategy | None:
    if not dialect:
        return None
    return Dialect.get_or_raise(dialect).normalization_strategy


def unquoted_name(name: str) -> bool:
    """Whether ``name`` can be written as an unquoted identifier (and so was folded when
    created that way)."""
    return _UNQUOTED.fullmatch(name) is not None


def engine_name(name: str, dialect: str | None) -> str:
    """``name``, written as a plain identifier, spelt the way ``dialect``'s engine stores and
    resolves it (``id`` -> ``ID`` on Snowflake; unchanged where case does not matter).

    >>> engine_name("orders", "snowflake"), engine_name("orders", "duckdb")
    ('ORDERS', 'orders')
    >>> engine_name("order lines", "snowflake")  # only creatable quoted: kept
    'order lines'
    """
    strategy = _strategy(dialect)
    if strategy is NormalizationStrategy.UPPERCASE and unquoted_name(name):
        return name.upper()
    if strategy is NormalizationStrategy.LOWERCASE and unquoted_name(name):
        return name.lower()
    return name


def exact_part(part: str) -> str | None:
    """The name inside a table part written in double quotes (``'"My""T"'`` -> ``My"T``), or
    None for a plain part."""
    if len(part) >= 2 and part[0] == '"' and part[-1] == '"':
        inner = part[1:-1]
        if '"' not in inner.replace('""', ""):
            return inner.replace('""', '"')
    return None


def engine_table(parts: Sequence[str], dialect: str | None) -> list[str]:
    """The parts of a table name (catalog, schema, table) as ``dialect``'s engine resolves
    them: a plain part through :func:`engine_name`, except on BigQuery, whose dataset and
    table names are case-sensitive; a part in double quotes exactly as written inside them.

    >>> engine_table(["sales", "orders"], "snowflake")
    ['SALES', 'ORDERS']
    >>> engine_table(['"MixedCase"'], "snowflake"), engine_table(["Orders"], "bigquery")
    (['MixedCase'], ['Orders'])
    """
    resolved = []
    for part in parts:
        exact = exact_part(part)
        if exact is not None:
            resolved.append(exact)
        elif dialect_name(dialect) == "bigquery":
            resolved.append(part)
        else:
            resolved.append(engine_name(part, dialect))
    return resolved


def stored_column(name: str, dialect: str | None) -> str:
    """The name a column called ``name`` gets in a table pushdown creates for people to query
    (an output): what a user of that engine expects to write unquoted.  Snowflake upper-cases
    a name that can be unquoted (``net`` -> ``NET``, so ``SELECT net`` finds it); Hive
    lower-cases every column name (its metastore does so anyway); other engines keep it.

    >>> [stored_column("Net", d) for d in ("snowflake", "hive", "spark")]
    ['NET', 'net', 'Net']
    """
    if dialect_name(dialect) in _STORED_LOWER:
        return name.lower()
    return engine_name(name, dialect)
