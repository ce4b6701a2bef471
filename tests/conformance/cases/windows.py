"""Window columns: first_value/last_value/nth_value frames, NULLs and ties in the window
order, offsets."""

from __future__ import annotations

from tests.conformance.cases._build import win
from tests.conformance.model import D, F, I, S, T

FRAME = "`first_value`, `last_value` over an ordered window"
NTH = "`nth_value(x, n)` over an ordered window"
ORDER = "`ORDER BY x` / `x DESC`"
COMPARE = "string comparison, `=`, `<`, `ORDER BY` on text"
BASIC = "`count(x)`, `sum`, `avg`, `min`, `max`"
OFFSETS = "not in semantics.md: rank, lag/lead, aggregate frames"

X = I(10, 20, 30)
OX = I(1, 2, 3)

CASES = [
    # -- first_value / last_value: ROWS UNBOUNDED PRECEDING .. CURRENT ROW by default -----------
    win("first_value_running", "first_value(x)", [10, 10, 10], FRAME, order_by=("o",), x=X, o=OX),
    win("last_value_running", "last_value(x)", [10, 20, 30], FRAME, order_by=("o",), x=X, o=OX),
    win(
        "last_value_rows_not_range", "last_value(x)", [10, 20, 30], FRAME, order_by=("o",),
        x=X, o=I(1, 1, 2),
    ),
    win("first_value_null_first", "first_value(x)", [None, None, None], FRAME,
        order_by=("o",), x=I(None, 20, 30), o=OX),
    win("last_value_null_current", "last_value(x)", [10, None, 30], FRAME,
        order_by=("o",), x=I(10, None, 30), o=OX),
    win("first_value_desc", "first_value(x)", [30, 30, 30], FRAME, order_by=("o DESC",),
        x=X, o=OX),
    win("last_value_desc", "last_value(x)", [10, 20, 30], FRAME, order_by=("o DESC",),
        x=X, o=OX),
    win("last_value_whole_frame", "last_value(x)", [30, 30, 30], FRAME, order_by=("o",),
        frame=(None, None), x=X, o=OX),
    win("first_value_sliding_frame", "first_value(x)", [10, 10, 20], FRAME, order_by=("o",),
        frame=(-1, 0), x=X, o=OX),
    win("first_value_text", "first_value(s)", ["a", "a"], FRAME, order_by=("o",),
        s=S("b", "a"), o=I(2, 1)),
    win("first_value_null_key_first", "first_value(x)", [10, 10, 10], FRAME, order_by=("o",),
        x=X, o=I(None, 1, 2)),
    win("first_value_null_key_desc", "first_value(x)", [30, 30, 30], FRAME,
        order_by=("o DESC",), x=X, o=I(None, 1, 2)),
    # -- nth_value: RANGE UNBOUNDED PRECEDING .. CURRENT ROW (peers in) by default ---------------
    win("nth_value_running", "nth_value(x, 2)", [None, 20, 20], NTH, order_by=("o",), x=X, o=OX),
    win("nth_value_range_takes_peers", "nth_value(x, 2)", [10, 10, 10], NTH, order_by=("o",),
        x=I(10, 10, 30), o=I(1, 1, 2)),
    win("nth_value_desc", "nth_value(x, 2)", [20, 20, None], NTH, order_by=("o DESC",),
        x=X, o=OX),
    win("nth_value_whole_frame", "nth_value(x, 3)", [30, 30, 30], NTH, order_by=("o",),
        frame=(None, None), x=X, o=OX),
    win("nth_value_sliding_frame", "nth_value(x, 2)", [None, 20, 30], NTH, order_by=("o",),
        frame=(-1, 0), x=X, o=OX),
    # -- NULLs sort as the smallest value --------------------------------------------------------
    win("row_number_nulls_first", "row_number()", [3, 1, 2], ORDER, order_by=("x",),
        x=I(2, None, 1)),
    win("row_number_desc_nulls_last", "row_number()", [1, 3, 2], ORDER, order_by=("x DESC",),
        x=I(2, None, 1)),
    win("row_number_nulls_last", "row_number()", [2, 3, 1], ORDER,
        order_by=("x NULLS LAST",), x=I(2, None, 1)),
    win("row_number_desc_nulls_first", "row_number()", [2, 1, 3], ORDER,
        order_by=("x DESC NULLS FIRST",), x=I(2, None, 1)),
    win("row_number_double_nulls", "row_number()", [2, 1, 3], ORDER, order_by=("x",),
        x=F(-0.5, None, 0.0)),
    win("row_number_dates", "row_number()", [3, 1, 2], ORDER, order_by=("d",),
        d=D("2024-02-29", "1900-02-28", "2000-02-29")),
    win("row_number_timestamps_repeat", "row_number()", [2, 1], ORDER, order_by=("t",),
        t=T("2024-11-03 01:30:00", "2024-11-03 01:15:00")),
    win("row_number_text_binary", "row_number()", [3, 1, 2], COMPARE, order_by=("s",),
        s=S("b", "B", "a")),
    win("row_number_text_accent", "row_number()", [2, 1], COMPARE, order_by=("s",),
        s=S("\u00e9", "z")),
    win("rank_nulls_tie", "rank()", [1, 1, 3], ORDER, order_by=("x",), x=I(None, None, 1)),
    # -- ranking, offsets, aggregates over windows ------------------------------------------------
    win("rank_ties", "rank()", [1, 1, 3], OFFSETS, order_by=("x",), x=I(1, 1, 2)),
    win("dense_rank_ties", "dense_rank()", [1, 1, 2], OFFSETS, order_by=("x",), x=I(1, 1, 2)),
    win("lag", "lag(x)", [None, 10, 20], OFFSETS, order_by=("o",), x=X, o=OX),
    win("lead", "lead(x)", [20, 30, None], OFFSETS, order_by=("o",), x=X, o=OX),
    win("lag_default", "lag(x, 1, 0)", [0, 10, 20], OFFSETS, order_by=("o",), x=X, o=OX),
    win("lag_over_null", "lag(x)", [None, 10, None], OFFSETS, order_by=("o",),
        x=I(10, None, 30), o=OX),
    win("sum_running", "sum(x)", [10, 30, 60], OFFSETS, order_by=("o",), x=X, o=OX),
    win("sum_centered_frame", "sum(x)", [30, 60, 50], OFFSETS, order_by=("o",), frame=(-1, 1),
        x=X, o=OX),
    win("count_skips_null", "count(x)", [2, 2, 2], BASIC, x=I(1, None, 3)),
    win("avg_skips_null", "avg(x)", [2.0, 2.0, 2.0], BASIC, x=F(1.0, None, 3.0)),
]
