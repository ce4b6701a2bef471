"""Operand rules the type check applies to every node of a formula, so that a type error is
caught while planning, naming the recipe, rather than by one engine at run time.

Each rule is one every engine agrees on (or where engines disagree, the one that keeps the
flow meaning the same everywhere, see ``docs/semantics.md``):

- comparisons (``=``, ``<``, ``BETWEEN``, ``IN``), ``CASE`` branches and ``COALESCE``/
  ``GREATEST``/``LEAST`` arguments are of one family: numbers with numbers, text with text,
  dates and timestamps with each other, booleans with booleans.  A text *literal* may meet a
  date or timestamp (``day >= '2024-01-01'``) and a number when it reads as one (``id = '5'``);
- conditions (``AND``, ``OR``, ``NOT``, ``WHEN``, ``IF``, ``IS TRUE``) are booleans, never
  numbers or text;
- arithmetic takes numbers (a date plus or minus whole days, dates and timestamps minus each
  other or plus an interval); negation takes a number; numeric functions (``abs``, ``round``,
  ``sqrt``, ``ln``, ...) take numbers; date parts and truncation (``extract``, ``year``,
  ``date_trunc``) take dates or timestamps.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from pushdown.types import is_numeric, is_text, sql_to_arrow

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv)
_NUMERIC_FUNCS = (
    exp.Abs,
    exp.Round,
    exp.Ln,
    exp.Log,
    exp.Sqrt,
    exp.Cbrt,
    exp.Exp,
    exp.Pow,
    exp.Floor,
    exp.Ceil,
    exp.Sign,
)
_DATE_PARTS = (
    exp.Year,
    exp.Quarter,
    exp.Month,
    exp.Week,
    exp.Day,
    exp.DayOfWeek,
    exp.DayOfYear,
    exp.Hour,
    exp.Minute,
    exp.Second,
    exp.DateTrunc,
    exp.TimestampTrunc,
)


def _type(node: exp.Expr | None) -> pa.DataType | None:
    t = node.type if isinstance(node, exp.Expr) else None
    if t is None or t.this in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
        return None
    try:
        return sql_to_arrow(t)
    except Exception:  # a type Arrow cannot say: no rule applies
        return None


def _family(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "boolean"
    if is_numeric(t):
        return "number"
    if is_text(t):
        return "text"
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return "date/time"
    return "other"


def _text_literal(node: exp.Expr) -> str | None:
    return node.this if isinstance(node, exp.Literal) and node.is_string else None


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _described(node: exp.Expr, t: pa.DataType) -> str:
    text = node.name if isinstance(node, exp.Column) else node.sql()
    return f"{text!r} ({t})"


def _mismatch(a: exp.Expr, b: exp.Expr) -> str | None:
    """Why ``a`` and ``b`` cannot be compared or mixed, or None."""
    ta, tb = _type(a), _type(b)
    if ta is None or tb is None:
        return None
    fa, fb = _family(ta), _family(tb)
    if fa == fb or "other" in (fa, fb):
        return None
    for fx, y in ((fa, b), (fb, a)):
        literal = _text_literal(y)
        if literal is not None and fx == "date/time":
            return None  # engines read a date or timestamp from the literal
        if literal is not None and fx == "number" and _reads_as_number(literal):
            return None
    return (
        f"{_described(a, ta)} is a {fa} and {_described(b, tb)} a {fb}; "
        f"cast one of them, e.g. CAST({b.sql()} AS {ta})"
    )


def _condition(node: exp.Expr, where: str) -> str | None:
    t = _type(node)
    if t is None or pa.types.is_boolean(t):
        return None
    return f"{where} {_described(node, t)} is not a boolean; compare it, e.g. {node.sql()} > 0"


def _arithmetic(node: exp.Expr) -> str | None:
    name = type(node).__name__.lower()
    left, right = node.this, node.expression
    tl, tr = _type(left), _type(right)
    for side, t in ((left, tl), (right, tr)):
        if t is not None and pa.types.is_boolean(t):  # text: check_types says it already
            return f"{name} of boolean {_described(side, t)}; cast it to a number first"
    if tl is None or tr is None:
        return None
    fl, fr = _family(tl), _family(tr)
    if "date/time" not in (fl, fr) or "other" in (fl, fr) or "text" in (fl, fr):
        return None
    if isinstance(node, exp.Sub) and fl == fr == "date/time":
        return None
    whole_days = (fl == "date/time" and pa.types.is_date(tl) and pa.types.is_integer(tr)) or (
        isinstance(node, exp.Add) and pa.types.is_integer(tl) and pa.types.is_date(tr)
    )
    if isinstance(node, exp.Add | exp.Sub) and whole_days:
        return None
    return (
        f"{name} of {_described(left, tl)} and {_described(right, tr)}; add an interval "
        f"(INTERVAL 1 DAY) to a date or timestamp, or subtract two of them"
    )


def operand_problem(node: exp.Expr) -> str | None:
    """Why ``node``'s operands do not fit it (its tree already annotated), or None."""
    if isinstance(node, _COMPARISONS):
        return _mismatch(node.this, node.expression)
    if isinstance(node, exp.Between):
        return _mismatch(node.this, node.args["low"]) or _mismatch(node.this, node.args["high"])
    if isinstance(node, exp.In) and node.expressions:
        return next((p for e in node.expressions if (p := _mismatch(node.this, e))), None)
    if isinstance(node, exp.And | exp.Or):
        kind = type(node).__name__.upper()
        return _condition(node.this, f"{kind} operand") or _condition(
            node.expression, f"{kind} operand"
        )
    if isinstance(node, exp.Not):
        return _condition(node.this, "NOT operand")
    if isinstance(node, exp.If):
        return _condition(node.this, "condition")
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Boolean):
        return _condition(node.this, "IS TRUE/FALSE operand")
    if isinstance(node, exp.Case | exp.Coalesce | exp.Greatest | exp.Least):
        values = (
            [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
            if isinstance(node, exp.Case)
            else [node.this, *node.expressions]
        )
        present = [v for v in values if isinstance(v, exp.Expr)]
        return next((p for v in present[1:] if (p := _mismatch(present[0], v))), None)
    if isinstance(node, _ARITHMETIC):
        return _arithmetic(node)
    if isinstance(node, exp.Like | exp.ILike):
        for arg in (node.this, node.expression):
            t = _type(arg)
            if t is not None and _family(t) != "text":
                kind = "ILIKE" if isinstance(node, exp.ILike) else "LIKE"
                return f"{kind} compares text but {_described(arg, t)} is not"
    if isinstance(node, exp.Neg):
        t = _type(node.this)
        if t is not None and _family(t) != "number":
            return f"negation of {_family(t)} {_described(node.this, t)}"
    if isinstance(node, _NUMERIC_FUNCS):
        for arg in (node.this, node.args.get("expression")):
            t = _type(arg) if isinstance(arg, exp.Expr) else None
            if isinstance(arg, exp.Expr) and t is not None and _family(t) != "number":
                return f"{node.sql_name()} expects a number but {_described(arg, t)} is not"
    if isinstance(node, (*_DATE_PARTS, exp.Extract)):
        arg = node.expression if isinstance(node, exp.Extract) else node.this
        t = _type(arg)
        wrong = t is not None and _family(t) in ("text", "number", "boolean")
        if wrong and t is not None and _text_literal(arg) is None:
            return (
                f"{node.sql_name()} expects a date or timestamp but {_described(arg, t)} "
                f"is not; cast it, e.g. CAST({arg.sql()} AS DATE)"
            )
    return None
