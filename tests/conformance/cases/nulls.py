"""NULL: three-valued logic, NULL in IN lists, NULL-safe comparison, filters dropping unknown
rows, the empty string is not NULL, and the names rule."""

from __future__ import annotations

from tests.conformance.cases._build import scalar, where
from tests.conformance.model import B, F, I, S

LOGIC = "NULL in expressions"
NAMES = "names"
CONCAT = "`a || b`, `concat(a, b)`"

CASES = [
    scalar("and_null_false", "a AND b", False, LOGIC, a=B(None), b=B(False)),
    scalar("and_null_true", "a AND b", None, LOGIC, a=B(None), b=B(True)),
    scalar("or_null_true", "a OR b", True, LOGIC, a=B(None), b=B(True)),
    scalar("or_null_false", "a OR b", None, LOGIC, a=B(None), b=B(False)),
    scalar("not_null", "NOT a", None, LOGIC, a=B(None)),
    scalar("eq_null_null", "a = b", None, LOGIC, a=I(None), b=I(None)),
    scalar("ne_null", "a <> b", None, LOGIC, a=I(None), b=I(1)),
    scalar("lt_text_null", "s < u", None, LOGIC, s=S("a"), u=S(None)),
    scalar("is_null", "a IS NULL", True, LOGIC, a=I(None)),
    scalar("is_not_null", "a IS NOT NULL", False, LOGIC, a=I(None)),
    scalar("in_null_subject", "a IN (1, 2)", None, LOGIC, a=I(None)),
    scalar("in_list_null_miss", "a IN (2, NULL)", None, LOGIC, a=I(1)),
    scalar("in_list_null_hit", "a IN (1, NULL)", True, LOGIC, a=I(1)),
    scalar("not_in_list_null", "a NOT IN (2, NULL)", None, LOGIC, a=I(1)),
    scalar("coalesce_first_null", "coalesce(a, b)", 2, LOGIC, a=I(None), b=I(2)),
    scalar("coalesce_all_null", "coalesce(a, b)", None, LOGIC, a=I(None), b=I(None)),
    scalar("coalesce_empty_string", "coalesce(s, 'x')", "", LOGIC, s=S("")),
    scalar("nullif_equal", "nullif(a, b)", None, LOGIC, a=I(1), b=I(1)),
    scalar("nullif_different", "nullif(a, b)", 1, LOGIC, a=I(1), b=I(2)),
    scalar("case_null_condition", "CASE WHEN a THEN 1 ELSE 2 END", 2, LOGIC, a=B(None)),
    scalar("case_no_else", "CASE WHEN a THEN 1 END", None, LOGIC, a=B(False)),
    scalar("if_null_condition", "if(a, 'y', 'n')", "n", LOGIC, a=B(None)),
    scalar("add_null", "a + b", None, LOGIC, a=I(None), b=I(1)),
    scalar("mul_null", "a * b", None, LOGIC, a=F(None), b=F(2.0)),
    scalar("concat_null", "s || u", None, CONCAT, s=S("a"), u=S(None)),
    scalar("between_null_bound_unknown", "a BETWEEN b AND c", None, LOGIC,
           a=I(5), b=I(1), c=I(None)),
    scalar("between_null_bound_false", "a BETWEEN b AND c", False, LOGIC,
           a=I(0), b=I(1), c=I(None)),
    scalar("distinct_from_both_null", "a IS DISTINCT FROM b", False, LOGIC,
           a=I(None), b=I(None)),
    scalar("distinct_from_one_null", "a IS DISTINCT FROM b", True, LOGIC, a=I(1), b=I(None)),
    scalar("not_distinct_from_both_null", "a IS NOT DISTINCT FROM b", True, LOGIC,
           a=I(None), b=I(None)),
    scalar("empty_string_is_not_null", "s IS NULL", False, LOGIC, s=S("")),
    scalar("empty_strings_equal", "s = u", True, LOGIC, s=S(""), u=S("")),
    # -- filters keep only TRUE rows ---------------------------------------------------------
    where("filter_drops_unknown", "a > 1", [2], LOGIC, a=I(2, None, 0)),
    where("filter_not_drops_unknown", "NOT (a > 1)", [0], LOGIC, a=I(2, None, 0)),
    where("filter_or_is_null", "a > 1 OR a IS NULL", [2, None], LOGIC, a=I(2, None, 0)),
    where("filter_not_in_with_null", "a NOT IN (1, NULL)", [], LOGIC, a=I(2, 3)),
    where("filter_coalesce", "coalesce(a, 0) = 0", [None, 0], LOGIC, a=I(None, 0, 1)),
    where("filter_empty_string_kept", "s = ''", [""], LOGIC, s=S("", None, "x")),
    # -- names: exact, else the one name equal ignoring case ----------------------------------
    scalar("name_exact", "Amount + 1", 22, NAMES, Amount=I(21)),
    scalar("name_case_insensitive", "amount + 1", 22, NAMES, Amount=I(21)),
    scalar("name_quoted_with_space", '"unit price" * 2', 5.0, NAMES, **{"unit price": F(2.5)}),
    scalar("name_non_ascii", '"pr\u00e9cis" + 1', 3, NAMES, **{"pr\u00e9cis": I(2)}),
]
