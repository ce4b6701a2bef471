"""Calendar functions: DATE_TRUNC, day of week, ISO week (``docs/semantics.md``).

pushdown's meaning: DATE_TRUNC keeps its argument's type (a DATE stays a DATE), weeks
start on Monday; day of week is 0 = Sunday .. 6; ISO day of week 1 = Monday .. 7; the week
number is the ISO 8601 week.
"""

from __future__ import annotations

from sqlglot import exp

from pushdown.compilers.lowering.base import (
    DATES,
    TIMESTAMPS,
    Construct,
    Context,
    Refused,
    func,
    is_type,
    sql_type,
)
from pushdown.plan.formulas import DIFFS, UNITS

_BELOW_DAY = ("day", "hour", "minute", "second")


def unit_of(node: exp.Expr) -> str | None:
    """The pushdown unit (``year`` .. ``second``) of a DATE_TRUNC node, or ``None``."""
    unit = node.args.get("unit")
    if unit is None:
        return None
    return UNITS.get(unit.name.lower())


def _unit(name: str) -> exp.Var:
    return exp.var(name.upper())


def _cast(node: exp.Expr, to: str) -> exp.Cast:
    return exp.Cast(this=node, to=exp.DataType.build(to))


# -- DATE_TRUNC ------------------------------------------------------------------------


def _duckdb_trunc(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """DuckDB's DATE_TRUNC of a DATE returns a TIMESTAMP: cast it back to DATE."""
    if is_type(node.this, DATES):
        return _cast(node, "DATE")
    return None


# The wall-clock fields a truncation keeps below the day, as MAKE_DT_INTERVAL's (hours,
# minutes, seconds) arguments.
_SPARK_KEPT = {
    "hour": ("HOUR",),
    "minute": ("HOUR", "MINUTE"),
    "second": ("HOUR", "MINUTE", "SECOND"),
}


_NAIVE = TIMESTAMPS - {exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIMESTAMPLTZ}


def _naive(node: exp.Expr) -> bool:
    """A timestamp known to be without time zone (pushdown's TIMESTAMP), not an instant."""
    return is_type(node, _NAIVE)


def _spark_untyped(node: exp.Expr, ctx: Context) -> str | None:
    """Why Spark cannot truncate ``node``'s argument: its type is not known, and a DATE and a
    TIMESTAMP are truncated differently there."""
    if unit_of(node) is None or sql_type(node.this) is not None:
        return None
    return (
        "the argument's type is not known, and Spark truncates a DATE and a TIMESTAMP "
        "differently (a DATE read as an instant shifts by the session time zone); write "
        "CAST(x AS DATE) or CAST(x AS TIMESTAMP)"
    )


def _spark_trunc(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """Spark/Databricks: TRUNC(date, unit) for dates (a DATE; units of a day or finer leave
    a date as it is), DATE_TRUNC(unit, ts) for instants (TRUNC gives NULL for them).

    A wall-clock timestamp (TIMESTAMP_NTZ) is truncated without a time zone: DATE_TRUNC (and
    DATE_FORMAT) take a TIMESTAMP (the instant type), reading a TIMESTAMP_NTZ in the session
    time zone, where 02:30 on a day clocks spring forward does not exist
    (https://spark.apache.org/docs/latest/api/sql/index.html#date_trunc,
    https://docs.databricks.com/en/sql/language-manual/functions/date_trunc.html).  Its DATE
    (a cast that ignores time zones) is truncated with TRUNC for units of a day or more and
    cast back to TIMESTAMP (spelled TIMESTAMP_NTZ by the profile's ``[types]``); hours,
    minutes and seconds add the kept wall-clock fields to that day as a MAKE_DT_INTERVAL
    (TIMESTAMP_NTZ plus an interval is wall-clock arithmetic:
    https://spark.apache.org/docs/latest/api/sql/index.html#make_dt_interval,
    https://docs.databricks.com/en/sql/language-manual/functions/make_dt_interval.html)."""
    unit = unit_of(node)
    if unit is None:
        return None
    untyped = _spark_untyped(node, ctx)
    if untyped:
        raise Refused("DATE_TRUNC", untyped)
    if is_type(node.this, DATES):
        if unit in _BELOW_DAY:
            date: exp.Expr = node.this
            return date
        return exp.DateTrunc(this=node.this, unit=exp.Literal.string(unit.upper()))
    if not _naive(node.this):
        return exp.TimestampTrunc(this=node.this, unit=_unit(unit))
    day: exp.Expr = _cast(node.this, "DATE")
    if unit not in _SPARK_KEPT:
        if unit != "day":
            day = exp.DateTrunc(this=day, unit=exp.Literal.string(unit.upper()))
        return _cast(day, "TIMESTAMP")
    kept = [func(field, node.this.copy()) for field in _SPARK_KEPT[unit]]
    zeros = [exp.Literal.number(0)] * (3 - len(kept))
    interval = func("MAKE_DT_INTERVAL", exp.Literal.number(0), *kept, *zeros)
    return exp.Add(this=_cast(day, "TIMESTAMP"), expression=interval)


def _snowflake_trunc(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """Snowflake's WEEK follows the WEEK_START session parameter: a week is truncated to the
    Monday counted with DAYOFWEEKISO, which does not depend on it.  A DATE's truncation is
    cast to DATE (Snowflake returns the input's type; emulations may not)."""
    if unit_of(node) != "week":
        return _cast(node, "DATE") if is_type(node.this, DATES) else None
    arg = node.this
    day = arg if is_type(arg, DATES) else exp.DateTrunc(this=arg, unit=exp.Literal.string("DAY"))
    back = exp.Sub(this=exp.Literal.number(1), expression=exp.DayOfWeekIso(this=arg.copy()))
    return exp.DateAdd(this=day, expression=back, unit=exp.var("DAY"))


def _bigquery_trunc(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """BigQuery: WEEK starts on Sunday, ISOWEEK on Monday; a TIMESTAMP (wall clock, BigQuery
    DATETIME) is truncated with DATETIME_TRUNC.  A DATE's truncation is cast to DATE: BigQuery
    returns a DATE already, the cast costs nothing and keeps emulations (which return a
    DATETIME) honest."""
    unit = unit_of(node)
    if unit is None:
        return None
    part = exp.var("ISOWEEK" if unit == "week" else unit.upper())
    if is_type(node.this, TIMESTAMPS):
        if node.this.type is not None and node.this.type.this == exp.DataType.Type.TIMESTAMPTZ:
            return exp.TimestampTrunc(this=node.this, unit=part)
        return exp.DatetimeTrunc(this=node.this, unit=part)
    return _cast(exp.DateTrunc(this=node.this, unit=part), "DATE")


_HIVE_FORMATS = {
    "year": ("yyyy-01-01", "yyyy-01-01 00:00:00"),
    "month": ("yyyy-MM-01", "yyyy-MM-01 00:00:00"),
    "day": (None, "yyyy-MM-dd 00:00:00"),
    "hour": (None, "yyyy-MM-dd HH:00:00"),
    "minute": (None, "yyyy-MM-dd HH:mm:00"),
    "second": (None, "yyyy-MM-dd HH:mm:ss"),
}


def _hive_refuses(node: exp.Expr, ctx: Context) -> str | None:
    if unit_of(node) is None:
        unit = node.args.get("unit")
        return (
            f"Hive has no DATE_TRUNC; pushdown lowers the units year, quarter, month, week, "
            f"day, hour, minute and second, not {unit.name if unit else 'this one'!r}"
        )
    return None


def _hive_trunc(node: exp.Expr, ctx: Context) -> exp.Expr | None:
    """Hive has no DATE_TRUNC: DATE_FORMAT (1.2.0) writes the truncated wall-clock time,
    cast back to the argument's type; weeks go back to the Monday counted by DATEDIFF from
    1900-01-01 (a Monday); quarters add months to the year's first day (ADD_MONTHS)."""
    unit = unit_of(node)
    if unit is None:
        raise Refused("DATE_TRUNC", _hive_refuses(node, ctx) or "unknown unit")
    arg = node.this
    is_date = is_type(arg, DATES)
    target = "DATE" if is_date else "TIMESTAMP"
    if unit == "week":
        since = func("DATEDIFF", arg.copy(), exp.Literal.string("1900-01-01"))
        offset = func("PMOD", since, exp.Literal.number(7))
        day = arg if is_date else func("TO_DATE", arg)
        return _cast(func("DATE_SUB", day, offset), target)
    if unit == "quarter":
        year = func("DATE_FORMAT", arg.copy(), exp.Literal.string("yyyy-01-01"))
        back = exp.Sub(this=exp.Quarter(this=arg), expression=exp.Literal.number(1))
        months = exp.Mul(this=exp.Paren(this=back), expression=exp.Literal.number(3))
        return _cast(func("ADD_MONTHS", year, months), target)
    date_format, ts_format = _HIVE_FORMATS[unit]
    if is_date:
        if date_format is None:
            same: exp.Expr = arg
            return same
        return _cast(func("DATE_FORMAT", arg, exp.Literal.string(date_format)), "DATE")
    return _cast(func("DATE_FORMAT", arg, exp.Literal.string(ts_format)), "TIMESTAMP")


# -- day of week, ISO day of week, ISO week --------------------------------------------


def _minus_one(node: exp.Expr, ctx: Context) -> exp.Expr:
    """Engines numbering Sunday 1 .. Saturday 7: subtract one."""
    return exp.Paren(this=exp.Sub(this=node, expression=exp.Literal.number(1)))


def _snowflake_dow(node: exp.Expr, ctx: Context) -> exp.Expr:
    """DAYOFWEEKISO(d) % 7: independent of the WEEK_START session parameter."""
    iso = exp.DayOfWeekIso(this=node.this)
    return exp.Paren(this=exp.Mod(this=iso, expression=exp.Literal.number(7)))


def _days_since(node: exp.Expr, anchor: str) -> exp.Expr:
    return func(
        "PMOD",
        func("DATEDIFF", node.this, exp.Literal.string(anchor)),
        exp.Literal.number(7),
    )


def _hive_dow(node: exp.Expr, ctx: Context) -> exp.Expr:
    """Hive has no DAYOFWEEK function: days since a Sunday (1900-01-07), modulo 7."""
    return _days_since(node, "1900-01-07")


def _hive_isodow(node: exp.Expr, ctx: Context) -> exp.Expr:
    """Days since a Monday (1900-01-01), modulo 7, plus one."""
    since = _days_since(node, "1900-01-01")
    return exp.Paren(this=exp.Add(this=since, expression=exp.Literal.number(1)))


def _spark_isodow(node: exp.Expr, ctx: Context) -> exp.Expr:
    """WEEKDAY is 0 = Monday .. 6 = Sunday on Spark and Databricks."""
    weekday = func("WEEKDAY", node.this)
    return exp.Paren(this=exp.Add(this=weekday, expression=exp.Literal.number(1)))


# -- a DATE plus or minus whole days or more (a DATE), or hours or less (a TIMESTAMP) ------

_WHOLE_DAYS = ("year", "quarter", "month", "week", "day")
_CLOCK = ("hour", "minute", "second")


def _date_and_interval(node: exp.Expr) -> bool:
    """``node`` is a DATE plus or minus an interval of one unit (``d + INTERVAL 1 MONTH``,
    ``INTERVAL 1 DAY + d``, ``d - INTERVAL 2 YEAR``, ``d + INTERVAL 3 HOUR``)."""
    sides = [node.this, node.expression]
    if isinstance(node, exp.Sub):
        sides = sides[:1] + ([node.expression] if isinstance(node.expression, exp.Interval) else [])
    intervals = [s for s in sides if isinstance(s, exp.Interval)]
    dates = [s for s in sides if not isinstance(s, exp.Interval) and is_type(s, DATES)]
    if len(intervals) != 1 or len(dates) != 1:
        return False
    unit = intervals[0].args.get("unit")
    # a plain unit only: ``DAY TO HOUR`` (an IntervalSpan) names DAY first but holds hours
    return isinstance(unit, exp.Var) and UNITS.get(unit.name.lower()) in _WHOLE_DAYS + _CLOCK


def _interval_of(node: exp.Expr) -> exp.Interval:
    interval = node.expression if isinstance(node.expression, exp.Interval) else node.this
    assert isinstance(interval, exp.Interval)
    return interval


def _literal_count(interval: exp.Interval) -> int | None:
    """The interval's count when it is a whole-number literal (``INTERVAL 3 DAY``,
    ``INTERVAL '-1' MONTH``), else ``None``."""
    count = interval.this
    negative = isinstance(count, exp.Neg)
    if negative:
        count = count.this
    if not isinstance(count, exp.Literal):
        return None
    try:
        value = int(count.name)
    except ValueError:
        return None
    return -value if negative else value


def _interval_refuses(node: exp.Expr, ctx: Context) -> str | None:
    if _literal_count(_interval_of(node)) is not None:
        return None
    return (
        "an interval whose count is not a whole-number literal: this engine's INTERVAL "
        "takes a literal count (write the count as a number)"
    )


def _date_interval(node: exp.Expr, ctx: Context) -> exp.Expr:
    """The engine's DATE plus an interval cast to DATE: DuckDB and BigQuery return a
    timestamp (a DATETIME on BigQuery), the others a DATE already (the cast is then no
    change), so every engine returns the flow's DATE.  Weeks are written as days and
    quarters as months: Hive's INTERVAL has neither unit and Spark's has no QUARTER
    (https://spark.apache.org/docs/latest/sql-ref-literals.html#interval-literal).

    Hours, minutes and seconds are added to the DATE cast to TIMESTAMP, the wall-clock type:
    Spark and Databricks otherwise cast the DATE to an instant at midnight in the session time
    zone (2024-03-10 + 3 hours was 04:00 in New York, a DST change day)."""
    interval = _interval_of(node)
    unit = UNITS.get(interval.args["unit"].name.lower())
    if unit in _CLOCK:
        side = "expression" if node.expression is not interval else "this"
        node.set(side, _cast(node.args[side], "TIMESTAMP"))
        return node
    count = _literal_count(interval)
    if count is not None and unit in ("week", "quarter"):
        times, into = (7, "DAY") if unit == "week" else (3, "MONTH")
        interval.set("this", exp.Literal.string(str(count * times)))
        interval.set("unit", exp.var(into))
    return _cast(node, "DATE")


# -- date_diff: unit boundaries between two dates or timestamps ---------------------------

# The units every engine counts as boundaries crossed (day, month, quarter, year); a week
# starts on different days per engine (Snowflake's WEEK_START, BigQuery's Sunday) and below
# a day Spark counts whole units elapsed.
_DIFF_UNITS = ("day", "month", "quarter", "year")


def diff_unit(node: exp.Expr) -> str | None:
    """The pushdown unit of a DATEDIFF node (``day`` when it names none), or ``None``."""
    unit = node.args.get("unit")
    return "day" if unit is None else UNITS.get(unit.name.lower())


_ENGINES = ("duckdb", "bigquery", "snowflake", "spark", "databricks", "hive")
_ZONED = {exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIMESTAMPLTZ}


def _diff_refuses(node: exp.Expr, ctx: Context) -> str | None:
    unit = diff_unit(node)
    if unit not in _DIFF_UNITS:
        return (
            f"date_diff by {unit or 'this unit'}: engines count it differently (weeks start "
            "on different days; DuckDB counts whole weeks); pushdown computes day, month, "
            "quarter and year differences"
        )
    if is_type(node.this, _ZONED) or is_type(node.expression, _ZONED):
        return (
            "date_diff of a TIMESTAMPTZ: where a day or month boundary falls depends on the "
            "engine's session time zone; convert it to a TIMESTAMP first"
        )
    return None


def _as_written(node: exp.Expr, ctx: Context) -> None:
    """DuckDB, Snowflake and BigQuery count boundaries too: the units they share with
    pushdown are written as they are, in their singular name (BigQuery reads no plurals);
    the others are refused (:func:`_diff_refuses`)."""
    why = _diff_refuses(node, ctx)
    if why:  # the local engine (DuckDB) is never asked at planning: refused when lowered
        raise Refused("date_diff", why)
    unit = diff_unit(node)
    if unit is not None and node.args.get("unit") is not None:
        node.set("unit", exp.var(unit.upper()))
    return None


def _bigquery_diff(node: exp.Expr, ctx: Context) -> exp.Expr:
    """BigQuery's DATE_DIFF takes DATEs and its DATETIME_DIFF DATETIMEs (pushdown's
    TIMESTAMP), both counting boundaries: a difference with a TIMESTAMP is DATETIME_DIFF,
    a DATE in it cast to DATETIME (https://cloud.google.com/bigquery/docs/reference/
    standard-sql/datetime_functions#datetime_diff)."""
    _as_written(node, ctx)
    end, start = node.this, node.expression
    unit = node.args.get("unit") or exp.var("DAY")
    if is_type(end, DATES) and is_type(start, DATES):
        return exp.DateDiff(this=end, expression=start, unit=unit)
    if not (is_type(end, DATES | TIMESTAMPS) and is_type(start, DATES | TIMESTAMPS)):
        return node
    end, start = (_cast(x, "TIMESTAMP") if is_type(x, DATES) else x for x in (end, start))
    return exp.DatetimeDiff(this=end, expression=start, unit=unit)


def _spark_diff(node: exp.Expr, ctx: Context) -> exp.Expr:
    """Spark, Databricks and Hive: ``DATEDIFF(end, start)`` counts days, but their month and
    year differences (``MONTHS_BETWEEN``, Spark's ``DATEDIFF(unit, ...)``, which is
    ``TIMESTAMPDIFF``) count whole units elapsed, not boundaries crossed: months are
    written as year and month arithmetic (2024-01-31 to 2024-02-01 is one month)."""
    end, start = node.this, node.expression
    unit = diff_unit(node)
    if unit == "day":
        return func("DATEDIFF", end, start)

    def part(fn: type[exp.Func]) -> exp.Expr:
        return exp.Paren(this=exp.Sub(this=fn(this=end.copy()), expression=fn(this=start.copy())))

    years = part(exp.Year)
    if unit == "year":
        return years
    per, inner = (12, part(exp.Month)) if unit == "month" else (4, part(exp.Quarter))
    scaled = exp.Mul(this=years, expression=exp.Literal.number(per))
    return exp.Paren(this=exp.Add(this=scaled, expression=inner))


CONSTRUCTS = (
    Construct(
        "date_diff",
        "date_diff",
        DIFFS,
        rewrites={
            "spark": _spark_diff,
            "databricks": _spark_diff,
            "hive": _spark_diff,
            "duckdb": _as_written,
            "snowflake": _as_written,
            "bigquery": _bigquery_diff,
        },
        refuses=dict.fromkeys(_ENGINES, _diff_refuses),
    ),
    Construct(
        "date_interval",
        "DATE plus an interval",
        (exp.Add, exp.Sub),
        rewrites=dict.fromkeys(_ENGINES, _date_interval),
        refuses=dict.fromkeys(("spark", "databricks", "hive", "snowflake"), _interval_refuses),
        applies=_date_and_interval,
    ),
    Construct(
        "date_trunc",
        "DATE_TRUNC",
        (exp.DateTrunc, exp.TimestampTrunc),
        rewrites={
            "duckdb": _duckdb_trunc,
            "spark": _spark_trunc,
            "databricks": _spark_trunc,
            "hive": _hive_trunc,
            "snowflake": _snowflake_trunc,
            "bigquery": _bigquery_trunc,
        },
        refuses={"hive": _hive_refuses, "spark": _spark_untyped, "databricks": _spark_untyped},
    ),
    Construct(
        "day_of_week",
        "day of week",
        (exp.DayOfWeek,),
        rewrites={
            "spark": _minus_one,
            "databricks": _minus_one,
            "bigquery": _minus_one,
            "snowflake": _snowflake_dow,
            "hive": _hive_dow,
        },
    ),
    Construct(
        "iso_day_of_week",
        "ISO day of week",
        (exp.DayOfWeekIso,),
        rewrites={"spark": _spark_isodow, "databricks": _spark_isodow, "hive": _hive_isodow},
    ),
    Construct("iso_week", "week of year", (exp.WeekOfYear,)),
)
