"""Division, integer division, remainder, rounding (docs/semantics.md, "Decisions")."""

from __future__ import annotations

from tests.conformance.cases._build import scalar
from tests.conformance.model import Approx, F, I, N, dec

DIV = "`a / b`"
DIV0 = "`a / 0`, `a / NULL`"
INTDIV = "`a // b`, `div(a, b)`"
MOD = "`a % b`"
ROUND = "`round(x, n)`"
WHOLE = "`ceil(x)`, `floor(x)`, `round(x)`, `trunc(x)` of an integer"
DOUBLE_WHOLE = "`ceil(x)`, `floor(x)`, `trunc(x)` of a DOUBLE"
BEYOND_DOUBLE = 2**53 + 1  # the first integer a DOUBLE cannot hold
DECIMAL_ARITH = "not in semantics.md: DECIMAL + - * are exact"

CASES = [
    # -- true division: two integers give a DOUBLE ------------------------------------------
    scalar("div_int_half", "a / b", 3.5, DIV, type="double", a=I(7), b=I(2)),
    scalar("div_int_neg_half", "a / b", -3.5, DIV, type="double", a=I(-7), b=I(2)),
    scalar("div_int_by_neg", "a / b", -3.5, DIV, type="double", a=I(7), b=I(-2)),
    scalar("div_int_both_neg", "a / b", 2.25, DIV, type="double", a=I(-9), b=I(-4)),
    scalar("div_int_exact", "a / b", 2.0, DIV, type="double", a=I(6), b=I(3)),
    scalar("div_int_third", "a / b", 1 / 3, DIV, type="double", a=I(1), b=I(3)),
    scalar("div_int_two_thirds", "a / b", 2 / 3, DIV, type="double", a=I(2), b=I(3)),
    scalar("div_int_zero_numerator", "a / b", 0.0, DIV, type="double", a=I(0), b=I(5)),
    scalar("div_int_large", "a / b", 1e18 / 3, DIV, type="double", a=I(10**18), b=I(3)),
    scalar("div_int_literal", "a / 4", 1.75, DIV, type="double", a=I(7)),
    scalar("div_double_third", "a / b", 1 / 3, DIV, type="double", a=F(1.0), b=F(3.0)),
    scalar("div_double_neg", "a / b", -0.25, DIV, type="double", a=F(-1.0), b=F(4.0)),
    # -- a DECIMAL operand gives a DECIMAL, exact to at least 6 places -----------------------
    scalar(
        "div_dec_third", "a / b", Approx(dec("0.333333333"), 1e-6), DIV, type="decimal",
        a=N(10, 2, "1.00"), b=N(10, 2, "3.00"),
    ),
    scalar(
        "div_dec_by_int", "a / b", dec("2.5"), DIV, type="decimal", a=N(10, 2, "10.00"), b=I(4)
    ),
    scalar(
        "div_int_by_dec", "a / b", Approx(dec("33.333333333"), 1e-6), DIV, type="decimal",
        a=I(1), b=N(10, 2, "0.03"),
    ),
    scalar(
        "div_dec_neg", "a / b", dec("-3.5"), DIV, type="decimal",
        a=N(10, 2, "-7.00"), b=N(10, 2, "2.00"),
    ),
    scalar(
        "div_dec_scale4", "a / b", dec("2469"), DIV, type="decimal",
        a=N(12, 4, "1.2345"), b=N(12, 4, "0.0005"),
    ),
    scalar(
        "div_dec_beyond_double", "a / b", Approx(dec("617283945061728.39"), 1e-6), DIV,
        type="decimal", a=N(20, 2, "1234567890123456.78"), b=N(10, 2, "2.00"),
        note="a DOUBLE cannot hold the quotient to 6 places (its step there is 0.125)",
    ),
    # -- division by zero or NULL is NULL -----------------------------------------------------
    scalar("div0_int", "a / b", None, DIV0, a=I(7), b=I(0)),
    scalar("div0_int_neg", "a / b", None, DIV0, a=I(-7), b=I(0)),
    scalar("div0_zero_by_zero", "a / b", None, DIV0, a=I(0), b=I(0)),
    scalar("div0_double", "a / b", None, DIV0, a=F(1.5), b=F(0.0)),
    scalar("div0_double_neg_zero", "a / b", None, DIV0, a=F(1.5), b=F(-0.0)),
    scalar("div0_double_zero_by_zero", "a / b", None, DIV0, a=F(0.0), b=F(0.0)),
    scalar("div0_decimal", "a / b", None, DIV0, a=N(10, 2, "1.50"), b=N(10, 2, "0.00")),
    scalar("div0_literal", "a / 0", None, DIV0, a=I(7)),
    scalar("div_null_divisor", "a / b", None, DIV0, a=I(7), b=I(None)),
    scalar("div_null_dividend", "a / b", None, DIV0, a=I(None), b=I(2)),
    scalar("div_null_by_zero", "a / b", None, DIV0, a=F(None), b=F(0.0)),
    # -- integer division truncates toward zero (neutral spelling: a DIV b) -------------------
    scalar("intdiv_pos", "a DIV b", 3, INTDIV, a=I(7), b=I(2)),
    scalar("intdiv_neg_dividend", "a DIV b", -3, INTDIV, a=I(-7), b=I(2)),
    scalar("intdiv_neg_divisor", "a DIV b", -3, INTDIV, a=I(7), b=I(-2)),
    scalar("intdiv_both_neg", "a DIV b", 3, INTDIV, a=I(-7), b=I(-2)),
    scalar("intdiv_exact", "a DIV b", 2, INTDIV, a=I(6), b=I(3)),
    scalar("intdiv_small", "a DIV b", 0, INTDIV, a=I(1), b=I(3)),
    scalar("intdiv_zero", "a DIV b", None, INTDIV, a=I(7), b=I(0)),
    scalar("intdiv_null", "a DIV b", None, INTDIV, a=I(None), b=I(2)),
    scalar(
        "intdiv_beyond_double", "a DIV b", 9007199254740993, INTDIV,
        a=I(9007199254740993), b=I(1), note="2^53 + 1: exact in BIGINT, not in a DOUBLE",
    ),
    scalar("intdiv_duckdb_spelling", "a // b", -3, INTDIV, dialect="duckdb", a=I(-7), b=I(2)),
    # -- remainder has the sign of the dividend -----------------------------------------------
    scalar("mod_pos", "a % b", 1, MOD, a=I(7), b=I(3)),
    scalar("mod_neg_dividend", "a % b", -1, MOD, a=I(-7), b=I(3)),
    scalar("mod_neg_divisor", "a % b", 1, MOD, a=I(7), b=I(-3)),
    scalar("mod_both_neg", "a % b", -1, MOD, a=I(-7), b=I(-3)),
    scalar("mod_zero_dividend", "a % b", 0, MOD, a=I(0), b=I(3)),
    scalar("mod_by_zero", "a % b", None, MOD, a=I(7), b=I(0)),
    scalar("mod_neg_by_zero", "a % b", None, MOD, a=I(-7), b=I(0)),
    scalar("mod_null", "a % b", None, MOD, a=I(None), b=I(3)),
    scalar("mod_function", "mod(a, b)", -1, MOD, a=I(-7), b=I(3)),
    scalar("mod_decimal", "a % b", dec("1.5"), MOD, a=N(10, 2, "7.50"), b=N(10, 2, "2.00")),
    scalar(
        "mod_decimal_neg", "a % b", dec("-1.5"), MOD, a=N(10, 2, "-7.50"), b=N(10, 2, "2.00")
    ),
    scalar("mod_double_neg", "a % b", -1.5, MOD, a=F(-7.5), b=F(2.0)),
    scalar("mod_double_by_zero", "a % b", None, MOD, a=F(7.5), b=F(0.0)),
    scalar("mod_bigint_max", "a % b", 7, MOD, a=I(9223372036854775807), b=I(10)),
    # -- round: half away from zero -----------------------------------------------------------
    scalar("round_half_up", "round(x)", 3.0, ROUND, x=F(2.5)),
    scalar("round_half_neg", "round(x)", -3.0, ROUND, x=F(-2.5)),
    scalar("round_half_small", "round(x)", 1.0, ROUND, x=F(0.5)),
    scalar("round_half_small_neg", "round(x)", -1.0, ROUND, x=F(-0.5)),
    scalar("round_one_and_half", "round(x)", 2.0, ROUND, x=F(1.5)),
    scalar("round_below_half", "round(x)", 2.0, ROUND, x=F(2.4)),
    scalar(
        "round_just_below_half", "round(x)", 0.0, ROUND, x=F(0.49999999999999994),
        note="the largest double below 0.5: floor(x + 0.5) gets it wrong",
    ),
    scalar(
        "round_large_half", "round(x)", 4503599627370496.0, ROUND, x=F(4503599627370495.5)
    ),
    scalar("round_2_binary_exact_half", "round(x, 2)", 0.13, ROUND, x=F(0.125)),
    scalar("round_2_binary_exact_half_neg", "round(x, 2)", -0.13, ROUND, x=F(-0.125)),
    scalar("round_1_quarter", "round(x, 1)", 0.3, ROUND, x=F(0.25)),
    scalar("round_negative_places", "round(x, -2)", 1300.0, ROUND, x=F(1250.0)),
    scalar("round_decimal_2", "round(x, 2)", dec("2.35"), ROUND, x=N(10, 3, "2.345")),
    scalar("round_decimal_2_neg", "round(x, 2)", dec("-2.35"), ROUND, x=N(10, 3, "-2.345")),
    scalar("round_decimal_0", "round(x)", dec("3"), ROUND, x=N(10, 1, "2.5")),
    scalar("round_decimal_0_neg", "round(x)", dec("-3"), ROUND, x=N(10, 1, "-2.5")),
    scalar("round_integer", "round(x)", 7, ROUND, x=I(7)),
    scalar("round_null", "round(x, 2)", None, ROUND, x=F(None)),
    # -- ceil/floor/round/trunc of an integer is the integer, exact ------------------------------
    scalar("ceil_int_beyond_double", "ceil(x)", BEYOND_DOUBLE, WHOLE, type="integer",
           x=I(BEYOND_DOUBLE)),
    scalar("floor_int_beyond_double", "floor(x)", -BEYOND_DOUBLE, WHOLE, type="integer",
           x=I(-BEYOND_DOUBLE)),
    scalar("round_int_beyond_double", "round(x)", BEYOND_DOUBLE, WHOLE, type="integer",
           x=I(BEYOND_DOUBLE)),
    scalar("round_int_2_places", "round(x, 2)", BEYOND_DOUBLE, WHOLE, type="integer",
           x=I(BEYOND_DOUBLE)),
    scalar("round_int_tens", "round(x, -1)", 9007199254740990, WHOLE, type="integer",
           x=I(9007199254740994)),
    scalar("round_int_tens_half", "round(x, -1)", -30, WHOLE, type="integer", x=I(-25)),
    scalar("ceil_int_null", "ceil(x)", None, WHOLE, x=I(None)),
    # -- ceil/floor of a DOUBLE is a DOUBLE, also beyond the largest BIGINT ------------------------
    scalar("floor_double_neg_half", "floor(x)", -3.0, DOUBLE_WHOLE, type="double", x=F(-2.5)),
    scalar("ceil_double_small", "ceil(x)", 1.0, DOUBLE_WHOLE, type="double", x=F(1e-300)),
    scalar("floor_double_beyond_bigint", "floor(x)", 1e20, DOUBLE_WHOLE, type="double",
           x=F(1e20)),
    scalar("ceil_double_beyond_bigint_neg", "ceil(x)", -1e20, DOUBLE_WHOLE, type="double",
           x=F(-1e20)),
    scalar("floor_double_at_2_52", "floor(x)", 4503599627370495.0, DOUBLE_WHOLE,
           type="double", x=F(4503599627370495.5)),
    scalar("ceil_double_null", "ceil(x)", None, DOUBLE_WHOLE, x=F(None)),
    scalar("trunc_double_neg", "trunc(x)", -2.0, DOUBLE_WHOLE, type="double", x=F(-2.7)),
    scalar("trunc_double_beyond_bigint", "trunc(x)", -1e20, DOUBLE_WHOLE, type="double",
           x=F(-1e20)),
    # -- decimal + - * (exact) -------------------------------------------------------------------
    scalar(
        "dec_add_exact", "a + b", dec("0.30"), DECIMAL_ARITH, type="decimal",
        a=N(10, 2, "0.10"), b=N(10, 2, "0.20"),
    ),
    scalar(
        "dec_mul_exact", "a * b", dec("3.3"), DECIMAL_ARITH, type="decimal",
        a=N(10, 2, "1.10"), b=N(10, 2, "3.00"),
    ),
    scalar(
        "dec_sub_scale", "a - b", dec("-0.0001"), DECIMAL_ARITH, type="decimal",
        a=N(12, 4, "1.2345"), b=N(12, 4, "1.2346"),
    ),
]
