"""Known deviations: the (case, engine) pairs that do not give pushdown's answer today.

Each is a strict xfail: when a fix lands, its case passes, the xfail fails loudly, and its
line here is deleted.  A reason says which kind of deviation it is:

- ``pushdown bug: #15 item N``: pushdown sends SQL that means something else on that engine
  (issue #15, being fixed on branch lowering/engines);
- ``stand-in limitation``: the stand-in does not behave like the engine it stands for; the
  real engine gets the right SQL, which ``test_shapes.py`` proves (citing the vendor page).

``raises`` marks deviations where the engine raises an error instead of answering: those
cases run in statements of their own, so they cannot fail the batch the others share.
"""

from __future__ import annotations

from dataclasses import dataclass

FIXING = "(being fixed on branch lowering/engines)"


@dataclass(frozen=True)
class Reason:
    """Why a case deviates on an engine."""

    text: str
    raises: bool = False
    standin: bool = False  # a stand-in limitation (not applied to live accounts)


def bug(item: int | str, what: str, *, raises: bool = False) -> Reason:
    """A pushdown bug tracked by issue #15 (``item``: its number, or "to verify")."""
    label = f"item {item}" if isinstance(item, int) else item
    return Reason(f"pushdown bug: #15 {label} {FIXING}: {what}", raises=raises)


def standin(engine: str, what: str, *, raises: bool = False) -> Reason:
    """A stand-in that does not share the real engine's behaviour."""
    return Reason(f"stand-in limitation: {engine}: {what}", raises=raises, standin=True)


KNOWN: dict[tuple[str, str], Reason] = {
    ('arithmetic.intdiv_zero', 'local'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_by_zero', 'local'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_neg_by_zero', 'local'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.intdiv_zero', 'duckdb'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_by_zero', 'duckdb'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_neg_by_zero', 'duckdb'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int_neg', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_zero_by_zero', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_neg_zero', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_zero_by_zero', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_decimal', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_literal', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.intdiv_zero', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_by_zero', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_neg_by_zero', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_double_by_zero', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('like.trailing_backslash', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_sunday', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_monday', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_saturday', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_timestamp_sunday', 'spark'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int_neg', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_zero_by_zero', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_neg_zero', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_zero_by_zero', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_decimal', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_literal', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.intdiv_zero', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_by_zero', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_neg_by_zero', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_double_by_zero', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('like.trailing_backslash', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_sunday', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_monday', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_saturday', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_timestamp_sunday', 'databricks'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int_neg', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_zero_by_zero', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_neg_zero', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_zero_by_zero', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_decimal', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_literal', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.intdiv_zero', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_by_zero', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_neg_by_zero', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_double_by_zero', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('like.trailing_backslash', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_sunday', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_monday', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_saturday', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_function_sunday', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_function_monday', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_null', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('calendar.isodow_timestamp_sunday', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('aggregates.var_pop', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('aggregates.var_pop_one_row', 'hive'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.intdiv_beyond_double', 'snowflake'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.intdiv_zero', 'snowflake'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_by_zero', 'snowflake'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_neg_by_zero', 'snowflake'): Reason('pushdown bug: #15 TODO', raises=True),
    ('nulls.name_non_ascii', 'snowflake'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_int_neg', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_zero_by_zero', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_neg_zero', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_double_zero_by_zero', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_decimal', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div0_literal', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.div_null_by_zero', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.intdiv_zero', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_by_zero', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
    ('arithmetic.mod_neg_by_zero', 'bigquery'): Reason('pushdown bug: #15 TODO', raises=True),
}


def known_for(engine: str, *, live: bool = False) -> dict[str, Reason]:
    """The known deviations of ``engine`` by case id (stand-in ones only on the stand-in)."""
    return {
        case: reason
        for (case, eng), reason in KNOWN.items()
        if eng == engine and not (live and reason.standin)
    }
