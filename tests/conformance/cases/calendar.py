"""Calendar: date_trunc keeps the type and starts weeks on Monday, day-of-week numbering, ISO
weeks, leap days (2000 leap, 1900 not), year ends, and naive timestamps at DST boundaries (US:
2024-03-10 02:00 gap, 2024-11-03 01:00 repeat; EU: 2024-03-31 02:00 gap, 2024-10-27 02:00
repeat), which no engine may shift."""

from __future__ import annotations

import datetime as dt

from tests.conformance.cases._build import scalar
from tests.conformance.model import TZ, Case, D, I, T, date, ts

TRUNC = "`date_trunc(unit, d)`"
DOW = "`extract(dow FROM d)`, `dayofweek(d)`"
ISODOW = "`extract(isodow FROM d)`, `isodow(d)`"
WEEK = "`extract(week FROM d)`, `weekofyear(d)`"
TIMESTAMP = "TIMESTAMP"
TIMESTAMPTZ = "TIMESTAMPTZ"
INTERVAL = "`d + INTERVAL n unit`, `d - INTERVAL n unit`"
DIFF = "`datediff(end, start, unit)`"
PARTS = "not in semantics.md: year/month/day/hour/minute of a date or timestamp"


def trunc_date(id: str, unit: str, value: str, want: str) -> Case:
    return scalar(
        f"trunc_{id}", f"date_trunc('{unit}', d)", date(want), TRUNC, type="date", d=D(value)
    )


def trunc_ts(id: str, unit: str, value: str, want: str) -> Case:
    return scalar(
        f"trunc_ts_{id}", f"date_trunc('{unit}', t)", ts(want), TRUNC, type="timestamp",
        t=T(value),
    )


DST_GAP = "2024-03-10 02:30:45.123456"  # does not exist in America/* zones

CASES = [
    # -- date_trunc of a DATE is a DATE; weeks start on Monday ----------------------------------
    trunc_date("year_leap_day", "year", "2024-02-29", "2024-01-01"),
    trunc_date("quarter_leap_day", "quarter", "2024-02-29", "2024-01-01"),
    trunc_date("month_leap_day", "month", "2024-02-29", "2024-02-01"),
    trunc_date("week_leap_day", "week", "2024-02-29", "2024-02-26"),
    trunc_date("day_leap_day", "day", "2024-02-29", "2024-02-29"),
    trunc_date("week_leap_day_2000", "week", "2000-02-29", "2000-02-28"),
    trunc_date("month_1900_feb_end", "month", "1900-02-28", "1900-02-01"),
    trunc_date("week_1900_no_leap_day", "week", "1900-03-01", "1900-02-26"),
    trunc_date("year_1900_jan_1", "year", "1900-01-01", "1900-01-01"),
    trunc_date("week_year_end_tuesday", "week", "2024-12-31", "2024-12-30"),
    trunc_date("week_sunday_into_last_year", "week", "2021-01-03", "2020-12-28"),
    trunc_date("week_sunday_new_year", "week", "2023-01-01", "2022-12-26"),
    trunc_date("week_monday_itself", "week", "2024-03-11", "2024-03-11"),
    trunc_date("week_saturday", "week", "2000-01-01", "1999-12-27"),
    trunc_date("week_dst_sunday", "week", "2024-03-10", "2024-03-04"),
    trunc_date("quarter_august", "quarter", "2024-08-15", "2024-07-01"),
    trunc_date("quarter_year_end", "quarter", "2024-12-31", "2024-10-01"),
    trunc_date("year_year_end", "year", "2024-12-31", "2024-01-01"),
    trunc_date("month_month_end", "month", "2023-01-31", "2023-01-01"),
    scalar("trunc_date_null", "date_trunc('month', d)", None, TRUNC, type="date", d=D(None)),
    # -- date_trunc of a TIMESTAMP is a TIMESTAMP; wall-clock values at DST boundaries ----------
    trunc_ts("hour_dst_gap", "hour", DST_GAP, "2024-03-10 02:00:00"),
    trunc_ts("minute_dst_gap", "minute", DST_GAP, "2024-03-10 02:30:00"),
    trunc_ts("second_dst_gap", "second", DST_GAP, "2024-03-10 02:30:45"),
    trunc_ts("day_dst_gap", "day", DST_GAP, "2024-03-10 00:00:00"),
    trunc_ts("week_dst_gap", "week", DST_GAP, "2024-03-04 00:00:00"),
    trunc_ts("month_dst_gap", "month", DST_GAP, "2024-03-01 00:00:00"),
    trunc_ts("quarter", "quarter", "2024-08-15 13:14:15", "2024-07-01 00:00:00"),
    trunc_ts("year_last_micro", "year", "2024-12-31 23:59:59.999999", "2024-01-01 00:00:00"),
    trunc_ts("day_last_micro", "day", "2024-12-31 23:59:59.999999", "2024-12-31 00:00:00"),
    trunc_ts("week_last_micro", "week", "2024-12-31 23:59:59.999999", "2024-12-30 00:00:00"),
    trunc_ts("hour_us_repeated", "hour", "2024-11-03 01:30:00", "2024-11-03 01:00:00"),
    trunc_ts("hour_eu_repeated", "hour", "2024-10-27 02:30:00", "2024-10-27 02:00:00"),
    trunc_ts("hour_eu_gap", "hour", "2024-03-31 02:30:00", "2024-03-31 02:00:00"),
    trunc_ts("week_sunday", "week", "2021-01-03 12:00:00", "2020-12-28 00:00:00"),
    trunc_ts("month_leap_day", "month", "2024-02-29 12:34:56", "2024-02-01 00:00:00"),
    trunc_ts("day_1900", "day", "1900-01-01 00:00:01", "1900-01-01 00:00:00"),
    scalar("trunc_ts_null", "date_trunc('hour', t)", None, TRUNC, type="timestamp", t=T(None)),
    # -- make_date is a DATE (sqlglot's DATE_FROM_PARTS, spelled per engine) -------------------
    scalar(
        "trunc_make_date",
        "date_trunc('month', make_date(2020, 1, d))",
        date("2020-01-01"),
        TRUNC,
        type="date",
        d=I(1),
    ),
    # -- nested: the inner truncation's engine rewrite keeps its type for the outer one --------
    scalar(
        "trunc_date_nested",
        "date_trunc('quarter', date_trunc('week', d))",
        date("1999-04-01"),
        TRUNC,
        type="date",
        d=D("1999-07-04"),
    ),
    scalar(
        "trunc_ts_nested",
        "date_trunc('year', date_trunc('hour', t))",
        ts("2024-01-01 00:00:00"),
        TRUNC,
        type="timestamp",
        t=T(DST_GAP),
    ),
    # -- a DATE plus or minus whole days or more is a DATE; months clamp to the month's end ---
    scalar(
        "interval_month_end",
        "d + INTERVAL 1 MONTH",
        date("2024-02-29"),
        INTERVAL,
        type="date",
        d=D("2024-01-31"),
    ),
    scalar(
        "interval_year_leap",
        "d + INTERVAL 1 YEAR",
        date("2025-02-28"),
        INTERVAL,
        type="date",
        d=D("2024-02-29"),
    ),
    scalar(
        "interval_day_back",
        "d - INTERVAL 1 DAY",
        date("2024-02-29"),
        INTERVAL,
        type="date",
        d=D("2024-03-01"),
    ),
    scalar(
        "interval_left",
        "INTERVAL 2 WEEK + d",
        date("2024-01-15"),
        INTERVAL,
        type="date",
        d=D("2024-01-01"),
    ),
    scalar(
        "interval_date_add",
        "date_add(d, INTERVAL 3 MONTH)",
        date("2024-04-30"),
        INTERVAL,
        type="date",
        d=D("2024-01-30"),
    ),
    scalar(
        "interval_quarter",
        "d - INTERVAL 1 QUARTER",
        date("2024-02-29"),
        INTERVAL,
        type="date",
        d=D("2024-05-31"),
    ),
    scalar(
        "interval_null",
        "d + INTERVAL 1 DAY",
        None,
        INTERVAL,
        type="date",
        d=D(None),
    ),
    # -- a DATE plus hours or minutes is a wall-clock TIMESTAMP, also on a DST change day ------
    scalar(
        "interval_hours_dst",
        "d + INTERVAL 3 HOUR",
        ts("2024-03-10 03:00:00"),
        INTERVAL,
        type="timestamp",
        d=D("2024-03-10"),
    ),
    scalar(
        "interval_minutes_back",
        "d - INTERVAL 90 MINUTE",
        ts("2024-11-02 22:30:00"),
        INTERVAL,
        type="timestamp",
        d=D("2024-11-03"),
    ),
    # -- datediff counts unit boundaries between start and end ------------------------------
    scalar(
        "diff_month_boundary",
        "datediff(e, d, month)",
        1,
        DIFF,
        d=D("2024-01-31"),
        e=D("2024-02-01"),
    ),
    scalar(
        "diff_month_same",
        "datediff(e, d, month)",
        0,
        DIFF,
        d=D("2024-02-01"),
        e=D("2024-02-29"),
    ),
    scalar(
        "diff_month_back",
        "datediff(e, d, month)",
        -13,
        DIFF,
        d=D("2024-03-15"),
        e=D("2023-02-28"),
    ),
    scalar(
        "diff_year_boundary",
        "datediff(e, d, year)",
        1,
        DIFF,
        d=D("2023-12-31"),
        e=D("2024-01-01"),
    ),
    scalar(
        "diff_quarter",
        "datediff(e, d, quarter)",
        2,
        DIFF,
        d=D("2024-03-31"),
        e=D("2024-07-01"),
    ),
    scalar(
        "diff_day",
        "datediff(e, d, day)",
        366,
        DIFF,
        d=D("2024-01-01"),
        e=D("2025-01-01"),
    ),
    scalar(
        "diff_default_day",
        "datediff(e, d)",
        -1,
        DIFF,
        d=D("2024-03-01"),
        e=D("2024-02-29"),
    ),
    scalar(
        "diff_ts_day_boundary",
        "datediff(e, d, day)",
        1,
        DIFF,
        d=T("2024-01-01 23:59:00"),
        e=T("2024-01-02 00:01:00"),
    ),
    scalar(
        "diff_ts_month_boundary",
        "datediff(e, d, month)",
        1,
        DIFF,
        d=T("2024-01-31 23:00:00"),
        e=T("2024-02-01 01:00:00"),
    ),
    scalar(
        "diff_date_and_ts",
        "datediff(e, d, day)",
        2,
        DIFF,
        d=D("2024-02-28"),
        e=T("2024-03-01 00:00:01"),
    ),
    scalar(
        "diff_null",
        "datediff(e, d, month)",
        None,
        DIFF,
        d=D(None),
        e=D("2024-02-29"),
    ),
    # -- day of week: 0 = Sunday ... 6 = Saturday -----------------------------------------------
    scalar("dow_sunday", "extract(dow FROM d)", 0, DOW, d=D("2024-03-10")),
    scalar("dow_monday", "extract(dow FROM d)", 1, DOW, d=D("2024-03-11")),
    scalar("dow_saturday", "extract(dow FROM d)", 6, DOW, d=D("2024-03-16")),
    scalar("dow_leap_day_2000", "extract(dow FROM d)", 2, DOW, d=D("2000-02-29")),
    scalar("dow_1900", "extract(dow FROM d)", 3, DOW, d=D("1900-02-28")),
    scalar("dow_null", "extract(dow FROM d)", None, DOW, d=D(None)),
    scalar("dayofweek_sunday", "dayofweek(d)", 0, DOW, d=D("2024-03-10")),
    scalar("dayofweek_saturday", "dayofweek(d)", 6, DOW, d=D("2024-03-16")),
    scalar("dayofweek_thursday", "dayofweek(d)", 4, DOW, d=D("2024-02-29")),
    scalar("dow_timestamp_dst_gap", "extract(dow FROM t)", 0, DOW, t=T("2024-03-10 02:30:00")),
    scalar(
        "dow_timestamp_late_saturday", "extract(dow FROM t)", 6, DOW,
        t=T("2024-03-16 23:59:59.999999"),
    ),
    # -- ISO day of week: 1 = Monday ... 7 = Sunday ---------------------------------------------
    scalar("isodow_sunday", "extract(isodow FROM d)", 7, ISODOW, d=D("2024-03-10")),
    scalar("isodow_monday", "extract(isodow FROM d)", 1, ISODOW, d=D("2024-03-11")),
    scalar("isodow_saturday", "extract(isodow FROM d)", 6, ISODOW, d=D("2024-03-16")),
    scalar("isodow_function_sunday", "isodow(d)", 7, ISODOW, d=D("2021-01-03")),
    scalar("isodow_function_monday", "isodow(d)", 1, ISODOW, d=D("2024-12-30")),
    scalar("isodow_null", "isodow(d)", None, ISODOW, d=D(None)),
    scalar(
        "isodow_timestamp_sunday", "extract(isodow FROM t)", 7, ISODOW,
        t=T("2024-11-03 01:30:00"),
    ),
    # -- ISO 8601 week number -------------------------------------------------------------------
    scalar("week_sunday_in_week_53", "extract(week FROM d)", 53, WEEK, d=D("2021-01-03")),
    scalar("week_first_monday", "extract(week FROM d)", 1, WEEK, d=D("2021-01-04")),
    scalar("week_dec_30_in_week_1", "extract(week FROM d)", 1, WEEK, d=D("2024-12-30")),
    scalar("week_dec_29_in_week_52", "extract(week FROM d)", 52, WEEK, d=D("2024-12-29")),
    scalar("week_53_thursday", "extract(week FROM d)", 53, WEEK, d=D("2020-12-31")),
    scalar("week_2008_dec_29", "extract(week FROM d)", 1, WEEK, d=D("2008-12-29")),
    scalar("week_2010_jan_3", "extract(week FROM d)", 53, WEEK, d=D("2010-01-03")),
    scalar("week_leap_day", "extract(week FROM d)", 9, WEEK, d=D("2024-02-29")),
    scalar("week_saturday_jan_1", "extract(week FROM d)", 52, WEEK, d=D("2000-01-01")),
    scalar("week_friday_jan_1", "extract(week FROM d)", 53, WEEK, d=D("2027-01-01")),
    scalar("week_1900_jan_1", "extract(week FROM d)", 1, WEEK, d=D("1900-01-01")),
    scalar("week_null", "extract(week FROM d)", None, WEEK, d=D(None)),
    scalar("weekofyear_sunday_in_week_53", "weekofyear(d)", 53, WEEK, d=D("2021-01-03")),
    scalar("weekofyear_dec_30_in_week_1", "weekofyear(d)", 1, WEEK, d=D("2024-12-30")),
    scalar(
        "week_timestamp_year_end", "extract(week FROM t)", 1, WEEK,
        t=T("2024-12-31 23:59:59.999999"),
    ),
    # -- parts (standard meaning) ---------------------------------------------------------------
    scalar("year_of_year_end", "year(d)", 2024, PARTS, d=D("2024-12-31")),
    scalar("month_of_leap_day", "month(d)", 2, PARTS, d=D("2024-02-29")),
    scalar("day_of_leap_day", "extract(day FROM d)", 29, PARTS, d=D("2024-02-29")),
    scalar("year_1900", "extract(year FROM d)", 1900, PARTS, d=D("1900-02-28")),
    scalar("hour_dst_gap", "extract(hour FROM t)", 2, PARTS, t=T("2024-03-10 02:30:00")),
    scalar("minute_dst_gap", "extract(minute FROM t)", 30, PARTS, t=T("2024-03-10 02:30:00")),
    scalar("hour_us_repeated", "hour(t)", 1, PARTS, t=T("2024-11-03 01:30:00")),
    # -- naive timestamps come back as written ---------------------------------------------------
    scalar("ts_dst_gap", "t", ts("2024-03-10 02:30:00"), TIMESTAMP, type="timestamp",
           t=T("2024-03-10 02:30:00")),
    scalar("ts_us_repeated_hour", "t", ts("2024-11-03 01:30:00"), TIMESTAMP, type="timestamp",
           t=T("2024-11-03 01:30:00")),
    scalar("ts_eu_gap", "t", ts("2024-03-31 02:30:00"), TIMESTAMP, type="timestamp",
           t=T("2024-03-31 02:30:00")),
    scalar("ts_1900", "t", ts("1900-01-01 00:00:00"), TIMESTAMP, type="timestamp",
           t=T("1900-01-01 00:00:00")),
    scalar("ts_last_micro", "t", ts("2024-12-31 23:59:59.999999"), TIMESTAMP,
           type="timestamp", t=T("2024-12-31 23:59:59.999999")),
    scalar("ts_leap_day", "t", ts("2024-02-29 12:00:00"), TIMESTAMP, type="timestamp",
           t=T("2024-02-29 12:00:00")),
    scalar("ts_null", "t", None, TIMESTAMP, type="timestamp", t=T(None)),
    scalar(
        "ts_compare_across_repeat", "t < u", True, TIMESTAMP,
        t=T("2024-11-03 01:15:00"), u=T("2024-11-03 01:45:00"),
    ),
    # -- TIMESTAMPTZ: an instant, shown in UTC ---------------------------------------------------
    scalar(
        "tstz_utc", "t", dt.datetime(2024, 3, 10, 7, 30, tzinfo=dt.UTC), TIMESTAMPTZ,
        type="timestamptz", t=TZ("2024-03-10T07:30:00+00:00"),
    ),
    scalar(
        "tstz_from_offset", "t", dt.datetime(2024, 3, 10, 7, 30, tzinfo=dt.UTC), TIMESTAMPTZ,
        type="timestamptz", t=TZ("2024-03-10T02:30:00-05:00"),
    ),
]
