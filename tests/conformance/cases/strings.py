"""Text: length and substring count characters (code points), comparison is binary."""

from __future__ import annotations

from tests.conformance.cases._build import scalar
from tests.conformance.model import I, S

LENGTH = "`length(s)`"
SUBSTRING = "`substring(s, start, len)`"
COMPARE = "string comparison, `=`, `<`, `ORDER BY` on text"
CASE_MAP = "not in semantics.md: upper/lower/trim"
CONCAT = "`a || b`, `concat(a, b)`"

DUCK = "\U0001f986"  # a 4-byte UTF-8 character outside the BMP (a UTF-16 surrogate pair)
COMBINING = "e\u0301"  # e + COMBINING ACUTE ACCENT: two code points, one glyph
PRECOMPOSED = "\u00e9"  # é as one code point

CASES = [
    # -- length ---------------------------------------------------------------------------------
    scalar("length_ascii", "length(s)", 5, LENGTH, s=S("hello")),
    scalar("length_empty", "length(s)", 0, LENGTH, s=S("")),
    scalar("length_null", "length(s)", None, LENGTH, s=S(None)),
    scalar("length_precomposed", "length(s)", 5, LENGTH, s=S("h\u00e9llo")),
    scalar(
        "length_combining", "length(s)", 2, LENGTH, s=S(COMBINING),
        note="characters are code points: a combining accent counts",
    ),
    scalar("length_cjk", "length(s)", 3, LENGTH, s=S("日本語")),
    scalar("length_supplementary", "length(s)", 1, LENGTH, s=S(DUCK)),
    scalar("length_trailing_spaces", "length(s)", 4, LENGTH, s=S("ab  ")),
    scalar("length_leading_space", "length(s)", 2, LENGTH, s=S(" a")),
    scalar("length_newline", "length(s)", 3, LENGTH, s=S("a\nb")),
    scalar("char_length_alias", "char_length(s)", 3, LENGTH, s=S("日本語")),
    # -- substring: 1-based, 0 read as 1, negative start from the end, characters ---------------
    scalar("substring_basic", "substring(s, 1, 2)", "he", SUBSTRING, s=S("hello")),
    scalar("substring_middle", "substring(s, 2, 3)", "ell", SUBSTRING, s=S("hello")),
    scalar("substring_start_zero", "substring(s, 0, 2)", "he", SUBSTRING, s=S("hello")),
    scalar("substring_start_zero_len1", "substring(s, 0, 1)", "h", SUBSTRING, s=S("hello")),
    scalar("substring_neg_start_last", "substring(s, -1, 1)", "o", SUBSTRING, s=S("hello")),
    scalar("substring_neg_start", "substring(s, -3, 2)", "ll", SUBSTRING, s=S("hello")),
    scalar("substring_neg_start_first", "substring(s, -5, 2)", "he", SUBSTRING, s=S("hello")),
    scalar("substring_neg_len", "substring(s, 2, -1)", "", SUBSTRING, s=S("hello")),
    scalar("substring_zero_len", "substring(s, 2, 0)", "", SUBSTRING, s=S("hello")),
    scalar("substring_past_end", "substring(s, 4, 10)", "lo", SUBSTRING, s=S("hello")),
    scalar("substring_after_end", "substring(s, 6, 2)", "", SUBSTRING, s=S("hello")),
    scalar("substring_far_after_end", "substring(s, 10, 2)", "", SUBSTRING, s=S("hello")),
    scalar("substring_precomposed", "substring(s, 2, 2)", "\u00e9l", SUBSTRING, s=S("h\u00e9llo")),
    scalar("substring_cjk", "substring(s, 2, 1)", "本", SUBSTRING, s=S("日本語")),
    scalar(
        "substring_combining", "substring(s, 2, 1)", "\u0301", SUBSTRING, s=S(COMBINING + "x")
    ),
    scalar("substring_supplementary_after", "substring(s, 2, 1)", "a", SUBSTRING,
           s=S(DUCK + "ab")),
    scalar("substring_supplementary", "substring(s, 1, 1)", DUCK, SUBSTRING, s=S(DUCK + "ab")),
    scalar("substring_empty", "substring(s, 1, 2)", "", SUBSTRING, s=S("")),
    scalar("substring_null", "substring(s, 1, 2)", None, SUBSTRING, s=S(None)),
    scalar("substring_two_args", "substring(s, 3)", "llo", SUBSTRING, s=S("hello")),
    scalar("substring_two_args_zero", "substring(s, 0)", "hello", SUBSTRING, s=S("hello")),
    scalar("substring_two_args_neg", "substring(s, -2)", "lo", SUBSTRING, s=S("hello")),
    scalar("substr_alias", "substr(s, 0, 2)", "he", SUBSTRING, s=S("hello")),
    scalar(
        "substring_start_column_zero", "substring(s, p, 2)", "he", SUBSTRING,
        s=S("hello"), p=I(0),
    ),
    scalar(
        "substring_start_column_neg", "substring(s, p, 2)", "lo", SUBSTRING,
        s=S("hello"), p=I(-2),
    ),
    scalar(
        "substring_start_column_null", "substring(s, p, 2)", None, SUBSTRING,
        s=S("hello"), p=I(None),
    ),
    # -- comparison: binary (code point) order, case-sensitive, no collation --------------------
    scalar("compare_lower_vs_upper", "s < u", False, COMPARE, s=S("a"), u=S("B")),
    scalar("compare_upper_vs_lower", "s < u", True, COMPARE, s=S("B"), u=S("a")),
    scalar("compare_case_equal", "s = u", False, COMPARE, s=S("abc"), u=S("ABC")),
    scalar("compare_accent_after_z", "s > u", True, COMPARE, s=S(PRECOMPOSED), u=S("z")),
    scalar("compare_prefix", "s < u", True, COMPARE, s=S("a"), u=S("ab")),
    scalar("compare_empty_first", "s < u", True, COMPARE, s=S(""), u=S("a")),
    scalar("compare_trailing_space", "s = u", False, COMPARE, s=S("a "), u=S("a")),
    scalar(
        "compare_combining_vs_precomposed", "s = u", False, COMPARE,
        s=S(PRECOMPOSED), u=S(COMBINING),
    ),
    scalar(
        "compare_supplementary_vs_bmp", "s > u", True, COMPARE, s=S(DUCK), u=S("\uff5a"),
        note="code point order; UTF-16 order puts the surrogate pair first",
    ),
    scalar("compare_digits_as_text", "s < u", True, COMPARE, s=S("10"), u=S("9")),
    # -- other text functions (standard meaning) -----------------------------------------------
    scalar("upper_ascii", "upper(s)", "ABC", CASE_MAP, s=S("abc")),
    scalar("upper_accented", "upper(s)", "H\u00c9LLO", CASE_MAP, s=S("h\u00e9llo")),
    scalar("lower_accented", "lower(s)", "\u00e0b", CASE_MAP, s=S("\u00c0B")),
    scalar("concat_pipes", "s || u", "a\u00e9", CONCAT, s=S("a"), u=S(PRECOMPOSED)),
    scalar("concat_empty", "s || u", "x", CONCAT, s=S(""), u=S("x")),
    scalar("trim_spaces", "trim(s)", "a b", CASE_MAP, s=S("  a b  ")),
    scalar("concat_function", "concat(s, u)", "ab", CONCAT, s=S("a"), u=S("b")),
    scalar("concat_function_null", "concat(s, u)", None, CONCAT, s=S("a"), u=S(None)),
    scalar("concat_function_three", "concat(s, u, v)", "a-\u00e9", CONCAT,
           s=S("a"), u=S("-"), v=S(PRECOMPOSED)),
    scalar("concat_pipes_chain_null", "s || u || v", None, CONCAT,
           s=S("a"), u=S(None), v=S("c")),
]
