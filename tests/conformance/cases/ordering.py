"""Sort and top-N: NULLs are the smallest value, text in code point order, ties in any order."""

from __future__ import annotations

from tests.conformance.cases._build import sort, top
from tests.conformance.model import D, F, I, N, S, T, date, dec, ts

ORDER = "`ORDER BY x` / `x DESC`"
COMPARE = "string comparison, `=`, `<`, `ORDER BY` on text"

INTS = I(3, None, 1, 2)
TEXT = S("b", "B", "a", "\u00e9", "", None)
DATES = D("2024-02-29", "1900-02-28", None, "2000-02-29", "1900-03-01")
DATES_SORTED = [
    None, date("1900-02-28"), date("1900-03-01"), date("2000-02-29"), date("2024-02-29")
]
I64_MAX = 9223372036854775807
I64_MIN = -9223372036854775808

CASES = [
    # -- sort ---------------------------------------------------------------------------------
    sort("asc_nulls_first", ("k",), INTS, [None, 1, 2, 3], ORDER),
    sort("desc_nulls_last", ("k DESC",), INTS, [3, 2, 1, None], ORDER),
    sort("asc_nulls_last_explicit", ("k NULLS LAST",), INTS, [1, 2, 3, None], ORDER),
    sort("desc_nulls_first_explicit", ("k DESC NULLS FIRST",), INTS, [None, 3, 2, 1], ORDER),
    sort("asc_explicit_keyword", ("k ASC",), INTS, [None, 1, 2, 3], ORDER),
    sort("negative_numbers", ("k",), I(-1, -10, 0, 5), [-10, -1, 0, 5], ORDER),
    sort("bigint_extremes", ("k",), I(I64_MAX, I64_MIN, 0), [I64_MIN, 0, I64_MAX], ORDER),
    sort("doubles", ("k",), F(-0.5, 1e300, -2.0, None, 0.0), [None, -2.0, -0.5, 0.0, 1e300],
         ORDER),
    sort("doubles_desc", ("k DESC",), F(-0.5, 1e300, -2.0, None, 0.0),
         [1e300, 0.0, -0.5, -2.0, None], ORDER),
    sort("decimals", ("k",), N(10, 2, "1.10", "1.05", "-1.00", None),
         [None, dec("-1.00"), dec("1.05"), dec("1.10")], ORDER),
    sort("ties", ("k",), I(2, 1, 2, 1), [1, 1, 2, 2], ORDER),
    sort("dates", ("k",), DATES, DATES_SORTED, ORDER),
    sort("dates_desc", ("k DESC",), DATES, list(reversed(DATES_SORTED)), ORDER),
    sort(
        "timestamps_dst", ("k",),
        T("2024-11-03 01:30:00", "2024-11-03 01:15:00", "2024-03-10 02:30:00", None),
        [None, ts("2024-03-10 02:30:00"), ts("2024-11-03 01:15:00"), ts("2024-11-03 01:30:00")],
        ORDER,
    ),
    sort("text_binary", ("k",), TEXT, [None, "", "B", "a", "b", "\u00e9"], COMPARE),
    sort("text_binary_desc", ("k DESC",), TEXT, ["\u00e9", "b", "a", "B", "", None], COMPARE),
    sort("text_desc_nulls_first", ("k DESC NULLS FIRST",), S("a", None, "B"),
         [None, "a", "B"], COMPARE),
    sort("text_supplementary", ("k",), S("\U0001f986", "\uff5a", "z"),
         ["z", "\uff5a", "\U0001f986"], COMPARE),
    sort("text_combining", ("k",), S("\u00e9", "f", "e\u0301"), ["e\u0301", "f", "\u00e9"],
         COMPARE),
    sort("text_digits", ("k",), S("a10", "a9", "A1"), ["A1", "a10", "a9"], COMPARE),
    sort("text_trailing_space", ("k",), S("a ", "a", "a!"), ["a", "a ", "a!"], COMPARE),
    # -- top-N -----------------------------------------------------------------------------------
    top("top2_nulls_smallest", 2, ("k",), INTS, [None, 1], ORDER),
    top("top2_desc", 2, ("k DESC",), INTS, [3, 2], ORDER),
    top("top2_nulls_last", 2, ("k NULLS LAST",), INTS, [1, 2], ORDER),
    top("top3_desc_nulls_last", 3, ("k DESC",), I(None, None, 1, 2), [2, 1, None], ORDER),
    top("top2_ties", 2, ("k",), I(1, 1, 1, 2), [1, 1], ORDER),
    top("top2_text", 2, ("k",), S("b", "B", "a"), ["B", "a"], COMPARE),
    top("top1_text_desc", 1, ("k DESC",), S("\u00e9", "z"), ["\u00e9"], COMPARE),
    top("top2_dates_desc", 2, ("k DESC",), DATES, [date("2024-02-29"), date("2000-02-29")],
        ORDER),
]
