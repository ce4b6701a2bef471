"""Checks on the SQL an engine receives (shapes.py): a check returns what is wrong with the
SQL, or None; a per-case check (``Shape.per_case``) also gets the case it was compiled from."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

Check = Callable[..., str | None]  # SQL (and the case, per case) -> what is wrong, or None


def absent(*patterns: str) -> Check:
    """None of the regular expressions (case-insensitive) occurs in the SQL."""

    def check(sql: str) -> str | None:
        found = [p for p in patterns if re.search(p, sql, re.IGNORECASE)]
        return f"emits {found}" if found else None

    return check


def present(*patterns: str) -> Check:
    """Every regular expression (case-insensitive) occurs in the SQL."""

    def check(sql: str) -> str | None:
        missing = [p for p in patterns if not re.search(p, sql, re.IGNORECASE)]
        return f"does not emit {missing}" if missing else None

    return check


def both(*checks: Check) -> Check:
    """Every check holds."""

    def check(sql: str) -> str | None:
        problems = [p for p in (c(sql) for c in checks) if p]
        return "; ".join(problems) or None

    return check


# The escape character a LIKE has without an ESCAPE clause (vendor pages in the shapes below).
LIKE_DEFAULT_ESCAPE = {"hive": "\\", "bigquery": "\\", "spark": "\\", "databricks": "\\"}


def like_meaning(pattern: str, escape: str | None) -> list[str]:
    """What a LIKE pattern matches: one token per position, ``%``/``_`` for the wildcards and
    ``=c`` for a literal character ``c``."""
    tokens: list[str] = []
    chars = iter(pattern)
    for ch in chars:
        if escape is not None and ch == escape:
            ch = next(chars, "")
            tokens.append(f"={ch}" if ch else "<dangling escape>")
        elif ch in "%_":
            tokens.append(ch)
        else:
            tokens.append(f"={ch}")
    return tokens


def like_pattern(dialect: str, want: str) -> Check:
    """Once the engine has read the string literal, the LIKE pattern (with the dialect's
    default escape character, or the ESCAPE clause pushdown wrote) matches what ``want``
    matches in pushdown's meaning: ``%`` and ``_`` wildcards, no escape character."""

    def check(sql: str) -> str | None:
        tree = sqlglot.parse_one(sql.rstrip(";"), read=dialect)
        like = tree.find(exp.Like)
        if like is None:
            return "no LIKE"
        escape = _escape_of(like, dialect)
        got = like.expression.name if isinstance(like.expression, exp.Literal) else None
        if got is None:
            return "the pattern is no literal"
        if like_meaning(got, escape) == like_meaning(want, None):
            return None
        return f"the engine reads the pattern {got!r} with escape {escape!r}, not as {want!r}"

    return check


def float_division(sql: str) -> str | None:
    """The quotient of two integers is taken on floating-point operands."""
    tree = sqlglot.parse_one(sql.rstrip(";"), read="snowflake")
    div = tree.find(exp.Div)
    if div is None:
        return "no division"
    casts = [c for c in div.find_all(exp.Cast) if c.to.is_type(*exp.DataType.FLOAT_TYPES)]
    return None if casts else f"{div.sql(dialect='snowflake')} divides NUMBERs (6 decimals)"


def snowflake_names(table: str, column: str) -> Check:
    """After Snowflake's own identifier resolution the SQL names ``table`` and ``column``."""

    def check(sql: str) -> str | None:
        tree = normalize_identifiers(
            sqlglot.parse_one(sql.rstrip(";"), read="snowflake"), dialect="snowflake"
        )
        tables = {t.name for t in tree.find_all(exp.Table)}
        columns = {c.name for c in tree.find_all(exp.Column)}
        if table in tables and column in columns:
            return None
        return f"resolves to tables {sorted(tables)}, columns {sorted(columns)}"

    return check


def _escape_of(like: exp.Like, dialect: str) -> str | None:
    if isinstance(like.parent, exp.Escape):
        return like.parent.expression.name
    if like.args.get("escape") is not None:
        return str(like.args["escape"].name)
    return LIKE_DEFAULT_ESCAPE.get(dialect)


def like_as_written(dialect: str) -> Check:
    """Per case: the engine's LIKE matches what the case's pattern means to pushdown (``%`` and
    ``_`` wildcards, no escape character).  A literal pattern must read the same under the
    engine's escape character; a pattern from a column must have that escape character
    doubled (``REPLACE(p, '\\', '\\\\')``) wherever the engine has one."""

    def check(sql: str, case: Any) -> str | None:
        like = sqlglot.parse_one(sql.rstrip(";"), read=dialect).find(exp.Like)
        want = sqlglot.parse_one(case.formula).find(exp.Like)
        if like is None or want is None:
            return "no LIKE"
        escape = _escape_of(like, dialect)
        if isinstance(want.expression, exp.Literal):
            return like_pattern(dialect, want.expression.name)(sql)
        pattern = like.expression
        if escape is None:
            return None if isinstance(pattern, exp.Column) else f"pattern {pattern.sql(dialect)}"
        doubled = (
            isinstance(pattern, exp.Replace)
            and pattern.expression.name == escape
            and pattern.args["replacement"].name == escape * 2
        )
        return None if doubled else f"the column pattern keeps the escape {escape!r} live"

    return check
