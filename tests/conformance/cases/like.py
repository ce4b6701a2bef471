"""LIKE: `%` and `_` are the only wildcards, no escape character unless ESCAPE is written,
case-sensitive; `_` is one character (code point)."""

from __future__ import annotations

from tests.conformance.cases._build import scalar, where
from tests.conformance.model import S

LIKE = "`s LIKE p`"
DUCK = "\U0001f986"

CASES = [
    scalar("prefix", "s LIKE 'a%'", True, LIKE, s=S("abc")),
    scalar("case_sensitive", "s LIKE 'A%'", False, LIKE, s=S("abc")),
    scalar("underscore", "s LIKE '_bc'", True, LIKE, s=S("abc")),
    scalar("no_wildcard_is_whole_match", "s LIKE 'ab'", False, LIKE, s=S("abc")),
    scalar("empty_matches_percent", "s LIKE '%'", True, LIKE, s=S("")),
    scalar("empty_not_underscore", "s LIKE '_'", False, LIKE, s=S("")),
    scalar("null_subject", "s LIKE 'a%'", None, LIKE, s=S(None)),
    scalar("not_like", "s NOT LIKE 'a%'", True, LIKE, s=S("ABC")),
    # A backslash is an ordinary character: 'a\%c' is a, \, anything, c.
    scalar("backslash_is_literal_no_match", r"s LIKE 'a\%c'", False, LIKE, s=S("a%c")),
    scalar("backslash_is_literal_match", r"s LIKE 'a\%c'", True, LIKE, s=S("a\\xc")),
    scalar("backslash_underscore_no_match", r"s LIKE 'a\_c'", False, LIKE, s=S("a_c")),
    scalar("backslash_underscore_match", r"s LIKE 'a\_c'", True, LIKE, s=S("a\\bc")),
    scalar("trailing_backslash", "s LIKE 'a\\'", True, LIKE, s=S("a\\")),
    scalar("escape_clause", "s LIKE 'a!%c' ESCAPE '!'", True, LIKE, s=S("a%c")),
    scalar("escape_clause_no_match", "s LIKE 'a!%c' ESCAPE '!'", False, LIKE, s=S("abc")),
    # `_` is one character, however many bytes
    scalar("underscore_precomposed", "s LIKE '_'", True, LIKE, s=S("\u00e9")),
    scalar("underscore_combining", "s LIKE '_'", False, LIKE, s=S("e\u0301")),
    scalar("underscore_cjk", "s LIKE '__'", True, LIKE, s=S("日本")),
    scalar("underscore_supplementary", "s LIKE '_'", True, LIKE, s=S(DUCK)),
    scalar("percent_spans_newline", "s LIKE 'a%b'", True, LIKE, s=S("a\nb")),
    scalar("underscore_matches_newline", "s LIKE 'a_b'", True, LIKE, s=S("a\nb")),
    # regular-expression and other engines' metacharacters are literal
    scalar("dot_is_literal_no_match", "s LIKE 'a.c'", False, LIKE, s=S("abc")),
    scalar("dot_is_literal_match", "s LIKE 'a.c'", True, LIKE, s=S("a.c")),
    scalar("star_is_literal", "s LIKE 'a*%'", True, LIKE, s=S("a*c")),
    scalar("brackets_are_literal_no_match", "s LIKE '[a]'", False, LIKE, s=S("a")),
    scalar("brackets_are_literal_match", "s LIKE '[a]'", True, LIKE, s=S("[a]")),
    scalar("caret_is_literal", "s LIKE '^a%'", False, LIKE, s=S("abc")),
    scalar("trailing_space_significant", "s LIKE 'a'", False, LIKE, s=S("a ")),
    # the pattern from a column
    scalar("column_pattern_backslash_no_match", "s LIKE p", False, LIKE, s=S("a%c"), p=S("a\\%c")),
    scalar("column_pattern_backslash_match", "s LIKE p", True, LIKE, s=S("a\\xc"), p=S("a\\%c")),
    scalar("column_pattern_null", "s LIKE p", None, LIKE, s=S("abc"), p=S(None)),
    scalar("column_pattern_infix", "s LIKE p", True, LIKE, s=S("abc"), p=S("%b%")),
    # as a filter
    where("filter_prefix", "s LIKE 'a%'", ["abc", "a"], LIKE, s=S("abc", "ABC", None, "a")),
    where(
        "filter_backslash", r"s LIKE 'a\%'", ["a\\", "a\\x"], LIKE,
        s=S("a%", "a\\", "a\\x", "ab"),
    ),
    where("filter_not_like_drops_null", "s NOT LIKE 'a%'", ["b"], LIKE, s=S("abc", "b", None)),
]
