"""Lowering: rewrite a fragment's sqlglot tree, just before generation, so the engine that
runs it computes pushdown's meaning (``docs/semantics.md``), or refuse it with a reason.

One module per family of constructs (arithmetic, calendar, strings, aggregates); each
:class:`Construct` carries the per-dialect rewrites, and the engine's profile (``[semantics]``
in ``dialects/*.toml``) says which of them run: ``rewritten`` runs the rewrite, ``refused``
refuses the step (the capability check shows the reason in ``explain``), ``same`` leaves the
node to sqlglot's generator.  The local engine is DuckDB and is lowered as ``duckdb``.

>>> import sqlglot
>>> sql = lower(sqlglot.parse_one("SELECT a / b FROM t"), "snowflake").sql("snowflake")
>>> sql
'SELECT a / NULLIF(b, 0) FROM t'
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.compilers.lowering import aggregates, arithmetic, calendar, filters, strings
from pushdown.compilers.lowering.base import Construct, Context, Lowering, Refused
from pushdown.profiles import Profile, profile_for_dialect
from pushdown.types import spell_timestamps

CONSTRUCTS: tuple[Construct, ...] = (
    *arithmetic.CONSTRUCTS,
    *calendar.CONSTRUCTS,
    *strings.CONSTRUCTS,
    *aggregates.CONSTRUCTS,
    *filters.CONSTRUCTS,
)
LOWERING = Lowering(CONSTRUCTS)

__all__ = ["CONSTRUCTS", "Construct", "Refused", "lower", "refusal"]


def lower(tree: exp.Expr, dialect: str) -> exp.Expr:
    """Lower ``tree`` in place for ``dialect`` (``"hive, version=2.1"`` included).

    Returns the new root; a dialect without a profile is returned unchanged.  A construct the
    profile refuses raises :class:`Refused` (a sqlglot ``UnsupportedError``).  Timestamp
    types (casts) are spelled as the profile's ``[types]`` says (``TIMESTAMP_NTZ`` for
    pushdown's TIMESTAMP on Spark and Databricks: :func:`pushdown.types.spell_timestamps`).
    """
    profile = profile_for_dialect(dialect)
    if profile is None:
        return tree
    return spell_timestamps(LOWERING.lower(tree, Context(profile)), profile.types)


def refusal(tree: exp.Expr, profile: Profile) -> Refused | None:
    """The first construct in ``tree`` that ``profile``'s engine refuses, if any."""
    return LOWERING.refusal(tree, Context(profile))
