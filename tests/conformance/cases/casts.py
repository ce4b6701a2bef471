"""Casts: float to integer, to DECIMAL(p, s), between dates and timestamps, to and from text."""

from __future__ import annotations

from tests.conformance.cases._build import scalar
from tests.conformance.model import D, F, I, N, S, T, date, dec, ts

TO_INT = "`CAST(float AS integer)`"
TO_DEC = "`CAST(x AS DECIMAL(p, s))`"
TIMESTAMP = "TIMESTAMP"
TEXT = "not in semantics.md: casts between text and numbers or dates"
TO_DOUBLE = "not in semantics.md: CAST(integer AS DOUBLE)"

CASES = [
    # -- float to integer: half away from zero -------------------------------------------------
    scalar("int_half", "cast(x AS bigint)", 3, TO_INT, type="integer", x=F(2.5)),
    scalar("int_half_neg", "cast(x AS bigint)", -3, TO_INT, type="integer", x=F(-2.5)),
    scalar("int_half_small", "cast(x AS bigint)", 1, TO_INT, type="integer", x=F(0.5)),
    scalar("int_half_small_neg", "cast(x AS bigint)", -1, TO_INT, type="integer", x=F(-0.5)),
    scalar("int_one_and_half", "cast(x AS bigint)", 2, TO_INT, type="integer", x=F(1.5)),
    scalar("int_below_half", "cast(x AS bigint)", 2, TO_INT, type="integer", x=F(2.4)),
    scalar("int_above_half", "cast(x AS bigint)", 3, TO_INT, type="integer", x=F(2.6)),
    scalar("int_above_half_neg", "cast(x AS bigint)", -3, TO_INT, type="integer", x=F(-2.6)),
    scalar("int_neg_zero", "cast(x AS bigint)", 0, TO_INT, type="integer", x=F(-0.0)),
    scalar("int_null", "cast(x AS bigint)", None, TO_INT, x=F(None)),
    scalar(
        "int_just_below_half", "cast(x AS bigint)", 0, TO_INT, type="integer",
        x=F(0.49999999999999994),
    ),
    scalar(
        "int_large_half", "cast(x AS bigint)", 1000000000000001, TO_INT, type="integer",
        x=F(1e15 + 0.5),
    ),
    scalar("int32_half", "cast(x AS int)", 3, TO_INT, type="integer", x=F(2.5)),
    scalar("int32_half_neg", "cast(x AS integer)", -4, TO_INT, type="integer", x=F(-3.5)),
    scalar(
        "int_of_quotient", "cast(a / b AS bigint)", 4, TO_INT, type="integer", a=I(7), b=I(2),
        note="7 / 2 is the DOUBLE 3.5, which casts to 4",
    ),
    # -- to DECIMAL(p, s): half away from zero, declared precision and scale kept ---------------
    scalar(
        "dec_round_half", "cast(x AS decimal(10, 2))", dec("2.35"), TO_DEC,
        type="decimal(10,2)", x=N(10, 3, "2.345"),
    ),
    scalar(
        "dec_round_half_neg", "cast(x AS decimal(10, 2))", dec("-2.35"), TO_DEC,
        type="decimal(10,2)", x=N(10, 3, "-2.345"),
    ),
    scalar(
        "dec_round_down", "cast(x AS decimal(10, 2))", dec("2.34"), TO_DEC,
        type="decimal(10,2)", x=N(10, 3, "2.344"),
    ),
    scalar(
        "dec_from_double_half", "cast(x AS decimal(10, 0))", dec("3"), TO_DEC,
        type="decimal(10,0)", x=F(2.5),
    ),
    scalar(
        "dec_from_double_half_neg", "cast(x AS decimal(10, 0))", dec("-3"), TO_DEC,
        type="decimal(10,0)", x=F(-2.5),
    ),
    scalar(
        "dec_from_double_exact_half", "cast(x AS decimal(10, 2))", dec("0.13"), TO_DEC,
        type="decimal(10,2)", x=F(0.125),
    ),
    scalar(
        "dec_from_int", "cast(x AS decimal(10, 2))", dec("7.00"), TO_DEC,
        type="decimal(10,2)", x=I(7),
    ),
    scalar(
        "dec_null", "cast(x AS decimal(10, 2))", None, TO_DEC, type="decimal(10,2)",
        x=N(10, 3, None),
    ),
    scalar(
        "dec_from_text", "cast(s AS decimal(10, 2))", dec("1.24"), TO_DEC,
        type="decimal(10,2)", s=S("1.235"),
    ),
    scalar(
        "dec_from_text_neg", "cast(s AS decimal(10, 2))", dec("-1.24"), TO_DEC,
        type="decimal(10,2)", s=S("-1.235"),
    ),
    scalar(
        "dec_scale_up", "cast(x AS decimal(12, 4))", dec("1.25"), TO_DEC,
        type="decimal(12,4)", x=N(10, 2, "1.25"),
    ),
    scalar(
        "dec_38_10", "cast(x AS decimal(38, 10))", dec("123456789012345678.12"), TO_DEC,
        type="decimal(38,10)", x=N(20, 2, "123456789012345678.12"),
        note="scale 10 and 28 integer digits: beyond BigQuery NUMERIC (9 decimals)",
    ),
    scalar(
        "dec_small_neg", "cast(x AS decimal(5, 1))", dec("-0.1"), TO_DEC,
        type="decimal(5,1)", x=F(-0.05),
    ),
    # -- dates and naive timestamps: never shifted ----------------------------------------------
    scalar(
        "date_to_timestamp", "cast(d AS timestamp)", ts("2024-03-10 00:00:00"), TIMESTAMP,
        type="timestamp", d=D("2024-03-10"),
    ),
    scalar(
        "timestamp_to_date_last_micro", "cast(t AS date)", date("2024-03-10"), TIMESTAMP,
        type="date", t=T("2024-03-10 23:59:59.999999"),
    ),
    scalar(
        "timestamp_to_date_dst_gap", "cast(t AS date)", date("2024-03-10"), TIMESTAMP,
        type="date", t=T("2024-03-10 02:30:00"),
    ),
    scalar(
        "timestamp_to_date_midnight", "cast(t AS date)", date("2024-11-03"), TIMESTAMP,
        type="date", t=T("2024-11-03 00:00:00"),
    ),
    # -- text ----------------------------------------------------------------------------------
    scalar("int_to_text", "cast(x AS varchar)", "-7", TEXT, type="string", x=I(-7)),
    scalar("text_to_int", "cast(s AS bigint)", 42, TEXT, s=S("42")),
    scalar("text_to_date", "cast(s AS date)", date("2024-02-29"), TEXT, type="date",
           s=S("2024-02-29")),
    scalar("date_to_text", "cast(d AS varchar)", "2024-02-29", TEXT, type="string",
           d=D("2024-02-29")),
    scalar(
        "int_to_double_beyond_2_53", "cast(x AS double)", 9007199254740992.0, TO_DOUBLE,
        type="double", x=I(9007199254740993),
    ),
]
