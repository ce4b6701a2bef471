"""The conformance case model: typed input columns, one formula, pushdown's expected value.

A case is data.  Its expected value is written once, from ``docs/semantics.md`` (the row it
checks is named in ``row``), never from running an engine.  Input columns carry Arrow types so
NULLs are typed and every value reaches the engine through the upload path.

Kinds (which recipe holds the formula):

- ``compute``: a prepare/compute step over ONE input row; ``expected`` is the value.
- ``filter``: a filter recipe over the input rows; ``expected`` lists the kept values of the
  first input column (compared as a multiset).
- ``group``: an aggregate over the input rows (one group); ``expected`` is the value.  Zero
  input rows means "over no rows" (a global aggregate over an empty input).
- ``window``: a window column over the input rows (one partition), ordered by ``order_by``;
  ``expected`` lists the value per input row, in input order.
- ``sort``: a sort recipe by ``order_by`` (terms over the single input column ``k``);
  ``expected`` lists ``k`` in output order.
- ``top_n``: the first ``n`` rows by ``order_by``; ``expected`` lists the kept ``k`` (multiset).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

Kind = Literal["compute", "filter", "group", "window", "sort", "top_n"]
KINDS: tuple[Kind, ...] = ("compute", "filter", "group", "window", "sort", "top_n")

# Floats compare with this tolerance (relative, and absolute near zero).
FLOAT_REL_TOL = 1e-12
FLOAT_ABS_TOL = 1e-12


# -- typed values --------------------------------------------------------------------------
@dataclass(frozen=True)
class Typed:
    """A column of input values with its Arrow type (one value per input row)."""

    type: pa.DataType
    values: tuple[Any, ...]


def _many(t: pa.DataType, conv: Any, values: tuple[Any, ...]) -> Typed:
    return Typed(t, tuple(None if v is None else conv(v) for v in values))


def I(*values: int | None) -> Typed:  # noqa: E743  (short helpers keep case tables readable)
    """BIGINT values."""
    return _many(pa.int64(), int, values)


def F(*values: float | None) -> Typed:
    """DOUBLE values."""
    return _many(pa.float64(), float, values)


def S(*values: str | None) -> Typed:
    """VARCHAR values."""
    return _many(pa.string(), str, values)


def B(*values: bool | None) -> Typed:
    """BOOLEAN values."""
    return _many(pa.bool_(), bool, values)


def D(*values: str | None) -> Typed:
    """DATE values from ISO text."""
    return _many(pa.date32(), dt.date.fromisoformat, values)


def T(*values: str | None) -> Typed:
    """Naive TIMESTAMP values (microseconds) from ISO text."""
    return _many(pa.timestamp("us"), dt.datetime.fromisoformat, values)


def TZ(*values: str | None) -> Typed:
    """TIMESTAMPTZ values (instants, UTC) from ISO text with an offset."""
    return _many(pa.timestamp("us", tz="UTC"), dt.datetime.fromisoformat, values)


def N(precision: int, scale: int, *values: str | None) -> Typed:
    """DECIMAL(precision, scale) values from text."""
    return _many(pa.decimal128(precision, scale), decimal.Decimal, values)


def date(text: str) -> dt.date:
    """An expected DATE."""
    return dt.date.fromisoformat(text)


def ts(text: str) -> dt.datetime:
    """An expected naive TIMESTAMP."""
    return dt.datetime.fromisoformat(text)


def dec(text: str) -> decimal.Decimal:
    """An expected DECIMAL (compared by value: 3.50 equals 3.5)."""
    return decimal.Decimal(text)


# -- expectations --------------------------------------------------------------------------
@dataclass(frozen=True)
class Approx:
    """A number within ``tol`` (absolute) of ``value``: for results semantics.md pins only
    to a number of decimal places (decimal division: "exact to at least 6 decimal places")."""

    value: float | decimal.Decimal
    tol: float


@dataclass(frozen=True)
class OneOf:
    """Any of several values (ties: "ties pick any of the tied rows")."""

    options: tuple[Any, ...]


# Type pins, checked only where semantics.md pins the result type.
TYPE_CHECKS: dict[str, Any] = {
    "double": pa.types.is_floating,
    "decimal": pa.types.is_decimal,
    "integer": pa.types.is_integer,
    "date": pa.types.is_date,
    "timestamp": lambda t: pa.types.is_timestamp(t) and t.tz is None,
    "timestamptz": lambda t: pa.types.is_timestamp(t) and t.tz is not None,
    "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
    "bool": pa.types.is_boolean,
}


def type_matches(pin: str, got: pa.DataType) -> bool:
    """Whether ``got`` satisfies the type pin (``decimal(10,2)`` pins precision and scale)."""
    if pin.startswith("decimal("):
        p, s = (int(x) for x in pin[len("decimal(") : -1].split(","))
        return pa.types.is_decimal(got) and (got.precision, got.scale) == (p, s)
    return bool(TYPE_CHECKS[pin](got))


@dataclass(frozen=True)
class Case:
    """One conformance case (see the module docstring for the kinds)."""

    id: str
    kind: Kind
    formula: str
    inputs: dict[str, Typed]
    expected: Any
    row: str  # the construct column of docs/semantics.md's table this case checks
    type: str | None = None  # a pin from TYPE_CHECKS, or decimal(p,s)
    order_by: tuple[str, ...] = ()  # window: order terms; sort/top_n: the terms
    frame: tuple[int | None, int | None] | None = None  # window frame (row offsets)
    n: int = 0  # top_n
    formula_dialect: str | None = None  # read the formula as this engine's SQL
    note: str = ""
    area: str = field(default="", compare=False)

    @property
    def rows(self) -> int:
        """Number of input rows."""
        lengths = {len(t.values) for t in self.inputs.values()}
        assert len(lengths) <= 1, f"{self.id}: input columns differ in length"
        return lengths.pop() if lengths else 0

    def table(self) -> pa.Table:
        """The case's own input table (its columns under their own names)."""
        return pa.table(
            {name: pa.array(list(t.values), t.type) for name, t in self.inputs.items()}
        )


SEMANTICS_MD = Path(__file__).resolve().parents[2] / "docs" / "semantics.md"


def semantics_constructs(text: str | None = None) -> list[str]:
    """The construct column of docs/semantics.md's table, in order (``\\|`` read as ``|``)."""
    text = SEMANTICS_MD.read_text() if text is None else text
    out: list[str] = []
    in_table = False  # only the tables headed "| construct" (others: names, versions)
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        if line.startswith("| construct"):
            in_table = True
            continue
        if not in_table or line.startswith("|---"):
            continue
        cell = re.split(r"(?<!\\)\|", line)[1].strip().replace("\\|", "|")
        if cell not in out:
            out.append(cell)
    return out


# -- comparison ----------------------------------------------------------------------------
def _same_value(got: Any, want: Any) -> bool:
    if isinstance(want, OneOf):
        return any(_same_value(got, option) for option in want.options)
    if isinstance(want, Approx):
        numeric = isinstance(got, int | float | decimal.Decimal) and not isinstance(got, bool)
        if not numeric:
            return False
        return abs(decimal.Decimal(str(got)) - decimal.Decimal(str(want.value))) <= decimal.Decimal(
            str(want.tol)
        )
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, bool) or isinstance(got, bool):
        return isinstance(want, bool) and isinstance(got, bool) and want == got
    if isinstance(want, float):
        if not isinstance(got, int | float | decimal.Decimal):
            return False
        return math.isclose(float(got), want, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
    if isinstance(want, int | decimal.Decimal):
        # Exact: a float that happens to hold the value is accepted, a rounded one is not.
        if isinstance(got, float):
            return math.isfinite(got) and decimal.Decimal(got) == want
        return isinstance(got, int | decimal.Decimal) and got == want
    if isinstance(want, dt.datetime):
        return isinstance(got, dt.datetime) and got == want
    if isinstance(want, dt.date):
        return type(got) is dt.date and got == want
    return type(got) is type(want) and got == want


def same_result(case: Case, got: Any) -> bool:
    """Whether ``got`` (the engine's value or list of values) is the case's expected one."""
    want = case.expected
    if case.kind in ("compute", "group"):
        return _same_value(got, want)
    if not isinstance(got, list) or len(got) != len(want):
        return False
    if case.kind in ("window", "sort"):
        return all(_same_value(g, w) for g, w in zip(got, want, strict=True))
    # filter, top_n: multisets (no order is promised)
    remaining = list(got)
    for w in want:
        match = next((i for i, g in enumerate(remaining) if _same_value(g, w)), None)
        if match is None:
            return False
        remaining.pop(match)
    return True
