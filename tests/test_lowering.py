"""The lowering (``compilers/lowering``): each engine computes ``docs/semantics.md``'s meaning.

Three kinds of tests:
- execution: the flow's formulas run through pushdown on DuckDB (the local engine) and, as
  Spark, Databricks and Hive SQL, on an in-process Spark session with ANSI mode on (as
  Databricks SQL warehouses run); every value is pushdown's, written once below;
- SQL shape, where no engine here can show the behaviour (Snowflake's NUMBER division,
  BigQuery's NUMERIC and ISOWEEK, Hive's own functions): each case cites the vendor page;
- profiles: every construct a profile declares ``rewritten`` has a rewrite for that dialect
  and every rewrite is declared somewhere (no declared-but-unread entry, no dead code).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

import pushdown
from pushdown.compilers.lowering import CONSTRUCTS
from pushdown.profiles import Semantics, all_profiles

D = dt.date
TS = dt.datetime

# Row 1: a Sunday; row 2: a Monday in May; row 3: NULLs.
ROWS = pa.table(
    {
        "a": pa.array([7, -7, None], pa.int64()),
        "b": pa.array([2, 0, None], pa.int64()),
        "x": pa.array([2.5, -2.5, None], pa.float64()),
        "s": pa.array(["hello", "a\\b", None]),
        "d": pa.array([D(2025, 1, 5), D(2025, 5, 19), None], pa.date32()),
        "ts": pa.array(
            [TS(2025, 1, 5, 13, 45, 30), TS(2025, 5, 19, 0, 5, 0), None], pa.timestamp("us")
        ),
    }
)

# formula -> pushdown's value per row (docs/semantics.md)
SCALARS: dict[str, list[Any]] = {
    # item 13: division by zero is NULL (DuckDB: inf; Spark ANSI: error)
    "a / b": [3.5, None, None],
    "a % b": [1, None, None],
    # item 9: float to integer rounds half away from zero (DuckDB: half even; Spark: truncates)
    "cast(x AS int)": [3, -3, None],
    "round(x)": [3.0, -3.0, None],
    # item 14: substring positions
    "substring(s, 0, 2)": ["he", "a\\", None],
    "substring(s, 2, -1)": ["", "", None],
    "substring(s, -2, 2)": ["lo", "\\b", None],
    # item 8: day of week 0 = Sunday; ISO day of week 1 = Monday; ISO week
    "dayofweek(d)": [0, 1, None],
    "extract(dow FROM d)": [0, 1, None],
    "isodow(d)": [7, 1, None],
    "extract(week FROM d)": [1, 21, None],
    # items 1, 3, 6: DATE_TRUNC keeps the type, weeks start on Monday
    "date_trunc('week', d)": [D(2024, 12, 30), D(2025, 5, 19), None],
    "date_trunc('month', d)": [D(2025, 1, 1), D(2025, 5, 1), None],
    "date_trunc('quarter', d)": [D(2025, 1, 1), D(2025, 4, 1), None],
    "date_trunc('year', d)": [D(2025, 1, 1), D(2025, 1, 1), None],
    "date_trunc('day', d)": [D(2025, 1, 5), D(2025, 5, 19), None],
    "date_trunc('hour', ts)": [TS(2025, 1, 5, 13), TS(2025, 5, 19, 0), None],
    "date_trunc('minute', ts)": [TS(2025, 1, 5, 13, 45), TS(2025, 5, 19, 0, 5), None],
    "date_trunc('day', ts)": [TS(2025, 1, 5), TS(2025, 5, 19), None],
    "date_trunc('week', ts)": [TS(2024, 12, 30), TS(2025, 5, 19), None],
    "date_trunc('month', ts)": [TS(2025, 1, 1), TS(2025, 5, 1), None],
    "date_trunc('quarter', ts)": [TS(2025, 1, 1), TS(2025, 4, 1), None],
    # LIKE has no escape character: a backslash is itself
    "s LIKE 'a\\%'": [False, True, None],
    "s LIKE 'a\\b'": [False, True, None],
    "s || '!'": ["hello!", "a\\b!", None],
}

AGG_ROWS = pa.table(
    {
        "k": pa.array([1, 2, 3, 3], pa.int64()),
        "v": pa.array(["low", "mid", None, None], pa.string()),
        "a": pa.array([1, 1, None, 2], pa.int64()),
        "b": pa.array([1, 1, 5, None], pa.int64()),
        "one": pa.array([4.0, None, None, None], pa.float64()),
    }
)

# formula -> pushdown's value over AGG_ROWS (one group)
AGGREGATES: dict[str, Any] = {
    # item 15: the value of the row with the largest key, even when it is NULL
    "arg_max(v, k)": None,
    "arg_min(v, k)": "low",
    # item 11: pairs where neither is NULL
    "count(DISTINCT a, b)": 1,
    # item 4: the sample variance; NULL over one row
    "variance(one)": None,
    "var_samp(k)": pytest.approx(2.75 / 3),
    "var_pop(k)": pytest.approx(0.6875),
    "stddev(one)": None,
}


def _flow(
    table: pa.Table, compute: dict[str, str] | None = None, group: dict[str, str] | None = None
) -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    columns = {f.name: _sql(f.type) for f in table.schema}
    t = flow.dataset("t", connection="wh", table="t", columns=columns)
    if compute is not None:
        t.compute(name="out", **compute)
    if group is not None:
        t.group([], group, name="out")
    return flow


def _sql(t: pa.DataType) -> str:
    return {
        pa.int64(): "bigint",
        pa.float64(): "double",
        pa.string(): "varchar",
        pa.date32(): "date",
        pa.timestamp("us"): "timestamp",
    }[t]


def _names(formulas: dict[str, Any]) -> dict[str, str]:
    return {f"c{i}": f for i, f in enumerate(formulas)}


def _local(table: pa.Table, **kwargs: Any) -> pa.Table:
    """Run on the local engine (DuckDB over Arrow, lowered as duckdb)."""
    flow = pushdown.Flow()
    t = flow.dataset("t", data=table)
    if "compute" in kwargs:
        t.compute(name="out", **kwargs["compute"])
    else:
        t.group([], kwargs["group"], name="out")
    return pushdown.plan(flow).execute()["out"]


def test_scalars_on_duckdb() -> None:
    names = _names(SCALARS)
    out = _local(ROWS, compute=names)
    for col, formula in names.items():
        assert out[col].to_pylist() == SCALARS[formula], formula


def test_aggregates_on_duckdb() -> None:
    names = _names(AGGREGATES)
    out = _local(AGG_ROWS, group=names)
    for col, formula in names.items():
        assert out[col].to_pylist() == [AGGREGATES[formula]], formula


@pytest.fixture
def ansi(spark: Any) -> Iterator[Any]:
    """The shared Spark session with ANSI mode on, as Databricks SQL warehouses run."""
    spark.conf.set("spark.sql.ansi.enabled", "true")
    spark.createDataFrame(ROWS).createOrReplaceTempView("t")
    try:
        yield spark
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "false")


def _on_spark(session: Any, sql: str) -> dict[str, list[Any]]:
    rows = session.sql(sql.rstrip().rstrip(";")).collect()
    return {k: [r[k] for r in rows] for k in rows[0].asDict()} if rows else {}


# Hive's own functions (DATE_FORMAT, DATEDIFF, PMOD, ADD_MONTHS, VAR_SAMP, ...) run on Spark SQL,
# which took them from Hive: the Hive lowering is executed there too.
@pytest.mark.parametrize("engine", ["spark", "databricks", "hive"])
def test_scalars_on_spark_with_ansi_mode(engine: str, ansi: Any) -> None:
    names = _names(SCALARS)
    sql = pushdown.plan(_flow(ROWS, compute=names)).flow_sql(engine)
    got = _on_spark(ansi, sql)
    for col, formula in names.items():
        assert got[col] == SCALARS[formula], f"{formula} on {engine}: {sql}"


@pytest.mark.parametrize("engine", ["spark", "databricks", "hive"])
def test_aggregates_on_spark_with_ansi_mode(engine: str, ansi: Any) -> None:
    ansi.createDataFrame(AGG_ROWS).createOrReplaceTempView("t")
    formulas = {
        f: v
        for f, v in AGGREGATES.items()
        if not (engine == "hive" and f.startswith("arg_"))  # Hive has no MIN_BY/MAX_BY
    }
    names = _names(formulas)
    sql = pushdown.plan(_flow(AGG_ROWS, group=names)).flow_sql(engine)
    got = _on_spark(ansi, sql)
    for col, formula in names.items():
        assert got[col] == [formulas[formula]], f"{formula} on {engine}: {sql}"


WINDOW_ROWS = pa.table(
    {"k": pa.array([1, 1, 2], pa.int64()), "x": pa.array([10.0, 20.0, 30.0], pa.float64())}
)


def _window_flow(
    table: pa.Table | None = None, columns: dict[str, str] | None = None
) -> pushdown.Flow:
    flow = pushdown.Flow()
    if table is None:
        flow.connection("wh", "duckdb:///:memory:")
        t = flow.dataset("t", connection="wh", table="t", columns={"k": "bigint", "x": "double"})
    else:
        t = flow.dataset("t", data=table)
    t.window(columns or {"last": "last_value(x)"}, order_by=["k"], name="out")
    return flow


def test_last_value_frame_is_rows_up_to_the_current_row_on_duckdb() -> None:
    # With ties on k the SQL default frame (RANGE) would give the last peer's value.
    out = pushdown.plan(_window_flow(WINDOW_ROWS)).execute()["out"]
    assert out["last"].to_pylist() == out["x"].to_pylist()


@pytest.mark.parametrize(
    "engine", ["duckdb", "spark", "databricks", "hive", "snowflake", "bigquery"]
)
def test_first_last_value_get_an_explicit_rows_frame(engine: str) -> None:
    # Snowflake's default frame for FIRST_VALUE/LAST_VALUE is the whole partition, the others'
    # RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (peers included):
    # https://docs.snowflake.com/en/sql-reference/functions-analytic#label-window-frames
    sql = pushdown.plan(_window_flow()).flow_sql(engine)
    assert "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW" in sql


NTH = {"second": "nth_value(x, 2)", "second_nn": "nth_value(x, 2) IGNORE NULLS"}
RANGE_FRAME = "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"


def test_nth_value_frame_takes_the_peers_on_duckdb() -> None:
    # The SQL default frame (RANGE): the rows tied with the current row on k count too, so
    # the first row already sees the second (ROWS would give NULL there).
    out = pushdown.plan(_window_flow(WINDOW_ROWS, NTH)).execute()["out"]
    assert out["second"].to_pylist() == [20.0, 20.0, 20.0]
    assert out["second_nn"].to_pylist() == [20.0, 20.0, 20.0]


def test_snowflake_nth_value_gets_an_explicit_range_frame() -> None:
    # Snowflake's default frame for NTH_VALUE is the whole partition (ROWS BETWEEN UNBOUNDED
    # PRECEDING AND UNBOUNDED FOLLOWING), not the SQL default:
    # https://docs.snowflake.com/en/sql-reference/functions/nth_value
    sql = pushdown.plan(_window_flow(columns=NTH)).flow_sql("snowflake")
    assert sql.count(RANGE_FRAME) == 2, sql
    assert "ROWS BETWEEN" not in sql


@pytest.mark.parametrize("engine", ["duckdb", "spark", "databricks", "bigquery"])
def test_nth_value_keeps_the_default_frame_elsewhere(engine: str) -> None:
    # Their default with ORDER BY is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW already.
    sql = pushdown.plan(_window_flow(columns=NTH)).flow_sql(engine)
    assert "NTH_VALUE" in sql.upper()
    assert "ROWS BETWEEN" not in sql and "RANGE BETWEEN" not in sql, sql


def test_nth_value_with_a_frame_keeps_it_on_snowflake() -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"k": "bigint", "x": "double"})
    window = {"formula": "nth_value(x, 2)", "frame": [-1, 0]}
    whole = {"formula": "nth_value(x, 2)", "frame": [None, None]}
    t.window({"sliding": window, "whole": whole}, order_by=["k"], name="out")
    sql = pushdown.plan(flow).flow_sql("snowflake")
    assert "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW" in sql
    # sqlglot writes the whole partition as no frame, Snowflake's default for NTH_VALUE
    assert 'NTH_VALUE("x", 2) OVER (ORDER BY "k" NULLS FIRST) AS "whole"' in sql
    assert "RANGE" not in sql


# -- SQL shapes where no engine here shows the behaviour ---------------------------------

SHAPES = [
    # item 10: NUMBER / NUMBER keeps 6 decimals on Snowflake:
    # https://docs.snowflake.com/en/sql-reference/operators-arithmetic#division
    ("snowflake", "a / 3", 'CAST("a" AS DOUBLE) / 3'),
    # item 13: Snowflake and BigQuery raise on a zero divisor
    ("snowflake", "a / b", 'CAST("a" AS DOUBLE) / NULLIF("b", 0)'),
    ("bigquery", "a % b", "MOD(`a`, NULLIF(`b`, 0))"),
    # item 7: https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#parameterized_decimal_type
    ("bigquery", "cast(x AS decimal(10, 2))", "CAST(`x` AS NUMERIC(10, 2))"),
    ("bigquery", "cast(x AS decimal(38, 10))", "CAST(`x` AS BIGNUMERIC(38, 10))"),
    # item 9: Snowflake and BigQuery casts already round half away from zero
    ("snowflake", "cast(x AS int)", 'CAST("x" AS INT)'),
    ("bigquery", "cast(x AS int)", "CAST(`x` AS INT64)"),
    # item 6: https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#date_trunc
    ("bigquery", "date_trunc('week', d)", "DATE_TRUNC(`d`, ISOWEEK)"),
    ("bigquery", "date_trunc('hour', ts)", "DATETIME_TRUNC(`ts`, HOUR)"),
    # item 8: https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#extract
    ("bigquery", "extract(dow FROM d)", "(EXTRACT(DAYOFWEEK FROM `d`) - 1)"),
    ("bigquery", "extract(week FROM d)", "EXTRACT(ISOWEEK FROM `d`)"),
    # https://docs.snowflake.com/en/sql-reference/functions-date-time#label-calendar-weeks-weekdays
    ("snowflake", "dayofweek(d)", '(DAYOFWEEKISO("d") % 7)'),
    ("snowflake", "date_trunc('week', d)", 'DATEADD(DAY, 1 - DAYOFWEEKISO("d"), "d")'),
    ("snowflake", "extract(week FROM d)", 'WEEKISO("d")'),
    # item 14: https://cloud.google.com/bigquery/docs/reference/standard-sql/string_functions#substr
    ("bigquery", "substring(s, 2, -1)", "SUBSTRING(`s`, 2, 0)"),
    ("snowflake", "substring(s, 0, 2)", 'SUBSTRING("s", 1, 2)'),
    # LIKE: https://cloud.google.com/bigquery/docs/reference/standard-sql/operators#like_operator
    ("bigquery", "s LIKE 'a\\%'", "`s` LIKE 'a\\\\\\\\%'"),
    # https://docs.snowflake.com/en/sql-reference/functions/like
    ("snowflake", "s LIKE 'a\\%'", "\"s\" LIKE 'a\\\\\\\\%' ESCAPE '\\\\'"),
    # item 3: https://cwiki.apache.org/confluence/display/Hive/LanguageManual+UDF#LanguageManualUDF-DateFunctions
    ("hive", "date_trunc('month', d)", "CAST(DATE_FORMAT(`d`, 'yyyy-MM-01') AS DATE)"),
    (
        "hive",
        "date_trunc('hour', ts)",
        "CAST(DATE_FORMAT(`ts`, 'yyyy-MM-dd HH:00:00') AS TIMESTAMP)",
    ),
    ("hive", "dayofweek(d)", "PMOD(DATEDIFF(`d`, '1900-01-07'), 7)"),
    # item 1: https://docs.databricks.com/en/sql/language-manual/functions/date_trunc.html
    # (DATE_TRUNC reads a TIMESTAMP_NTZ in the session time zone: a wall-clock timestamp is
    # truncated through its DATE, plus MAKE_DT_INTERVAL below a day)
    (
        "databricks",
        "date_trunc('hour', ts)",
        "CAST(CAST(`ts` AS DATE) AS TIMESTAMP_NTZ) + MAKE_DT_INTERVAL(0, HOUR(`ts`), 0, 0)",
    ),
    ("spark", "date_trunc('week', ts)", "CAST(TRUNC(CAST(`ts` AS DATE), 'WEEK') AS TIMESTAMP_NTZ)"),
    ("databricks", "cast(d AS timestamp)", "CAST(`d` AS TIMESTAMP_NTZ)"),
    ("snowflake", "cast(d AS timestamp)", 'CAST("d" AS TIMESTAMPNTZ)'),
    ("spark", "date_trunc('month', d)", "TRUNC(`d`, 'MONTH')"),
]
AGG_SHAPES = [
    # item 11: https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions#count
    (
        "bigquery",
        "count(DISTINCT a, b)",
        "COUNT(DISTINCT CASE WHEN `a` IS NULL OR `b` IS NULL THEN NULL "
        "ELSE TO_JSON_STRING(STRUCT(`a`, `b`)) END)",
    ),
    # item 4: https://cwiki.apache.org/confluence/display/Hive/LanguageManual+UDF#LanguageManualUDF-Built-inAggregateFunctions(UDAF)
    ("hive", "variance(x)", "CASE WHEN COUNT(`x`) > 1 THEN VAR_SAMP(`x`) END"),
    ("hive", "var_pop(x)", "VAR_POP(`x`)"),
    # item 15: https://duckdb.org/docs/stable/sql/functions/aggregates#arg_max_nullarg-val
    ("duckdb", "arg_max(s, a)", 'ARG_MAX_NULL("s", "a")'),
    # https://docs.snowflake.com/en/sql-reference/functions/listagg
    (
        "snowflake",
        "string_agg(s, ',')",
        'CASE WHEN COUNT("s") = 0 THEN NULL ELSE LISTAGG("s", \',\') END',
    ),
]


def _flat(sql: str) -> str:
    """The statement on one line, without the pretty printer's breaks inside parentheses."""
    return re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", " ".join(sql.split())))


@pytest.mark.parametrize(("engine", "formula", "expected"), SHAPES)
def test_scalar_sql_shape(engine: str, formula: str, expected: str) -> None:
    sql = pushdown.plan(_flow(ROWS, compute={"c": formula})).flow_sql(engine)
    assert expected in _flat(sql), sql


@pytest.mark.parametrize(("engine", "formula", "expected"), AGG_SHAPES)
def test_aggregate_sql_shape(engine: str, formula: str, expected: str) -> None:
    table = pa.table(
        {"a": pa.array([1], pa.int64()), "b": pa.array([1], pa.int64()), "x": [1.0], "s": ["a"]}
    )
    sql = pushdown.plan(_flow(table, group={"c": formula})).flow_sql(engine)
    assert expected in _flat(sql), sql


# -- engine versions (item 16) ------------------------------------------------------------


def _versioned(url: str, build: str) -> pushdown.Plan:
    flow = pushdown.Flow()
    flow.connection("wh", url)
    t = flow.dataset("t", connection="wh", table="t", columns={"s": "varchar", "k": "bigint"})
    if build == "concat":
        t.compute(c="s || '!'", name="out")
    else:
        t.group(["k"], {"c": "string_agg(s, ',')"}, name="out")
        return pushdown.plan(flow, engine_statistics=False, statistics={"t": {"rows": 1e9}})
    return pushdown.plan(flow, engine_statistics=False, pin={"out": "wh"})


def test_hive_concat_operator_depends_on_the_version() -> None:
    # "A || B ... As of Hive 2.2.0":
    # https://cwiki.apache.org/confluence/display/Hive/LanguageManual+UDF#LanguageManualUDF-StringOperators
    old = _versioned("hive://h:10000/db?engine_version=2.1", "concat").fragment_sql("wh")
    assert "CONCAT(`s`, '!')" in old and "||" not in old
    new = _versioned("hive://h:10000/db?engine_version=3.1", "concat").fragment_sql("wh")
    assert "`s` || '!'" in new
    # Without a version pushdown plans for the oldest supported one (conservative).
    unknown = _versioned("hive://h:10000/db", "concat").fragment_sql("wh")
    assert "CONCAT(`s`, '!')" in unknown


def test_databricks_listagg_needs_runtime_16_4() -> None:
    # "Applies to: Databricks Runtime 16.4 and above":
    # https://docs.databricks.com/en/sql/language-manual/functions/listagg.html
    default = _versioned("databricks://token:x@h?http_path=/p", "agg")
    assert default.steps["out"].engine == "local"
    assert "LISTAGG needs Databricks Runtime 16.4" in default.explain()
    new = _versioned("databricks://token:x@h?http_path=/p&engine_version=16.4", "agg")
    assert new.steps["out"].engine == "wh"
    assert "LISTAGG(`s`, ',')" in new.fragment_sql("wh")


def test_engine_version_is_validated_and_hidden_from_the_driver() -> None:
    from pushdown.engines.urls import parse_url
    from pushdown.errors import ConnectionConfigError

    url, profile = parse_url("hive://h:10000/db?engine_version=3.1&auth=NONE", connection="wh")
    assert profile.effective_version == "3.1" and profile.dialect == "hive, version=3.1"
    assert "engine_version" not in url.query and url.query["auth"] == "NONE"
    with pytest.raises(ConnectionConfigError, match="older than the oldest"):
        parse_url("hive://h/db?engine_version=1.2", connection="wh")
    with pytest.raises(ConnectionConfigError, match="not a version"):
        parse_url("hive://h/db?engine_version=latest", connection="wh")
    with pytest.raises(ConnectionConfigError, match="no version-dependent"):
        parse_url("duckdb:///x.db?engine_version=1.0", connection="wh")


def test_hive_refuses_a_date_trunc_unit_it_cannot_lower_and_explain_says_why() -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "hive://h:10000/db")
    t = flow.dataset("t", connection="wh", table="t", columns={"ts": "timestamp"})
    t.compute(c="date_trunc('millisecond', ts)", name="out")
    plan = pushdown.plan(flow, engine_statistics=False)
    assert plan.steps["out"].engine == "local"
    assert "DATE_TRUNC differs on hive" in plan.explain()


def test_hive_median_from_version_4() -> None:
    # percentile_cont(p) WITHIN GROUP (ORDER BY x) in Hive 4.0: https://github.com/apache/hive/pull/1017
    def plan(url: str) -> pushdown.Plan:
        flow = pushdown.Flow()
        flow.connection("wh", url)
        t = flow.dataset("t", connection="wh", table="t", columns={"k": "bigint", "x": "double"})
        t.group(["k"], {"m": "median(x)"}, name="out")
        return pushdown.plan(flow, engine_statistics=False, statistics={"t": {"rows": 1e9}})

    assert plan("hive://h/db").steps["out"].engine == "local"
    newer = plan("hive://h/db?engine_version=4.0")
    assert newer.steps["out"].engine == "wh"
    sql = newer.fragment_sql("wh")
    assert "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY `x`" in " ".join(sql.split())


# -- profiles and the lowering agree --------------------------------------------------------


def test_every_construct_is_declared_and_lowered_where_the_profiles_say() -> None:
    names = {c.name for c in CONSTRUCTS}
    assert names == set(Semantics.model_fields), "a construct without a profile entry, or back"
    rewritten: dict[str, set[str]] = {}
    for profile in all_profiles().values():
        for construct in names:
            declared = getattr(profile.semantics, construct)
            for rule in declared if isinstance(declared, list) else [declared]:
                if rule.status == "rewritten":
                    rewritten.setdefault(construct, set()).add(profile.dialect.split(",")[0])
    for c in CONSTRUCTS:
        # a 'rewritten' entry has code; code runs only where a profile declares it
        assert set(c.rewrites) == rewritten.get(c.name, set()), c.name


# -- NULL ordering: explicit where the engine's default differs ------------------------------

# Engine defaults: DuckDB NULLS LAST both ways (https://duckdb.org/docs/stable/sql/query_syntax/orderby);
# Snowflake NULLs largest (https://docs.snowflake.com/en/sql-reference/constructs/order-by);
# Spark, Databricks, Hive, BigQuery NULLs smallest, pushdown's meaning (no clause needed).
NULLS = {
    "duckdb": ("`k` NULLS FIRST", "`x` DESC"),
    "snowflake": ("`k` NULLS FIRST", "`x` DESC NULLS LAST"),
    "spark": ("`k`", "`x` DESC"),
    "databricks": ("`k`", "`x` DESC"),
    "hive": ("`k`", "`x` DESC"),
    "bigquery": ("`k`", "`x` DESC"),
}


@pytest.mark.parametrize("engine", sorted(NULLS))
@pytest.mark.parametrize("recipe", ["sort", "top_n", "window"])
def test_null_ordering_is_explicit_where_the_engine_default_differs(
    recipe: str, engine: str
) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"k": "bigint", "x": "double"})
    if recipe == "sort":
        t.sort("k", "x DESC", name="out")
    elif recipe == "top_n":
        t.top_n(1, order_by=["k", "x DESC"], partition_by=["k"], name="out")
    else:
        t.window({"r": "row_number()"}, order_by=["k", "x DESC"], name="out")
    sql = _flat(pushdown.plan(flow).flow_sql(engine)).replace('"', "`")
    asc, desc = NULLS[engine]
    assert f"ORDER BY {asc}, {desc}" in sql + " ", sql
    after = sql.split(f"ORDER BY {asc}, {desc}", 1)[1]
    assert not after.startswith(" NULLS"), sql


def test_an_owned_copy_shares_type_annotations_and_nothing_else() -> None:
    import sqlglot
    from sqlglot import exp

    from pushdown.plan.formulas import owned_copy

    tree = sqlglot.parse_one("CASE WHEN a > 1 THEN b /* kept */ ELSE -c END + f(x, y)")
    for node in tree.walk():
        node.type = "double"
    tree.meta["written"] = "A"
    twin = owned_copy(tree)
    assert twin == tree and twin.sql() == tree.sql()  # comments included
    pairs = list(zip(tree.walk(), twin.walk(), strict=True))
    assert all(a is not b and type(a) is type(b) for a, b in pairs)
    assert all(b.type is a.type for a, b in pairs)  # the annotations are shared
    assert all(b.parent is None or b.parent in [t for _, t in pairs] for _, b in pairs)
    assert twin.meta == {"written": "A"} and twin.meta is not tree.meta
    before = tree.sql()
    twin.find(exp.Column).replace(exp.column("z"))  # the twin is its own
    twin.meta["written"] = "B"
    assert tree.sql() == before and tree.meta["written"] == "A"


def test_date_diff_by_a_unit_engines_count_differently_is_refused_everywhere() -> None:
    """Weeks start on different days per engine, DuckDB counts whole 7-day periods and
    Spark whole units elapsed: a week difference is refused on every engine (DuckDB and
    local included), with the reason; a TIMESTAMPTZ difference too (its boundaries fall by
    the session time zone)."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    cols = {"d": "date", "e": "date", "z": "timestamptz"}
    t = flow.dataset("t", connection="wh", table="t", columns=cols)
    t.compute({"w": "datediff(e, d, week)"}, name="r")
    plan = pushdown.plan(flow, engine_statistics=False)
    for engine in ("duckdb", "snowflake", "bigquery", "spark", "databricks", "hive"):
        with pytest.raises(pushdown.UnsupportedError, match="date_diff by week"):
            plan.flow_sql(engine)
    zoned = pushdown.Flow()
    zoned.connection("wh", "duckdb:///:memory:")
    t = zoned.dataset("t", connection="wh", table="t", columns=cols)
    t.compute({"m": "datediff(z, z, month)"}, name="r2")
    plan = pushdown.plan(zoned, engine_statistics=False)
    with pytest.raises(pushdown.UnsupportedError, match="recipe 'r2'.*TIMESTAMPTZ"):
        plan.flow_sql("snowflake")
    # the local engine is DuckDB, whose capabilities planning does not check: refused when
    # its statement is made, a typed error naming the recipe
    data = pa.table({"d": [D(2026, 1, 4)], "e": [D(2026, 1, 5)]})
    local = pushdown.Flow()
    local.dataset("t", data=data).compute({"w": "datediff(e, d, week)"}, name="r")
    with pytest.raises(pushdown.UnsupportedError, match="recipe 'r'.*date_diff by week"):
        pushdown.plan(local).execute()


def test_date_interval_units_and_counts_every_engine_reads() -> None:
    """Weeks become days and quarters months (Hive's INTERVAL has neither, Spark's no
    QUARTER); a DAY TO HOUR interval is not taken for whole days; a count that is not a
    literal is refused where INTERVAL takes no expression."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"d": "date", "n": "int"})
    t.compute({"w": "d + INTERVAL 2 WEEK", "q": "d - INTERVAL 1 QUARTER"}, name="r")
    t.compute({"h": "d + INTERVAL '1 12' DAY TO HOUR"}, name="r3")
    plan = pushdown.plan(flow, engine_statistics=False)
    for engine in ("hive", "spark"):
        text = _flat(plan.flow_sql(engine))
        assert "CAST(`d` + INTERVAL '14' DAY AS DATE)" in text, text
        assert "CAST(`d` - INTERVAL '3' MONTH AS DATE)" in text, text
        assert "`d` + INTERVAL '1 12' DAY TO HOUR AS `h`" in text, text
    t.compute({"v": "d + INTERVAL n DAY"}, name="r2")
    plan = pushdown.plan(flow, engine_statistics=False)
    with pytest.raises(pushdown.UnsupportedError, match="count is not a whole-number literal"):
        plan.flow_sql("spark")
    assert 'INTERVAL ("n") DAY' in plan.flow_sql("duckdb")


@pytest.mark.parametrize("engine", ["spark", "databricks"])
def test_date_trunc_of_an_untyped_argument_is_refused_on_spark(engine: str) -> None:
    """Spark truncates a DATE (TRUNC) and an instant (DATE_TRUNC, in the session time zone)
    differently: an argument whose type is not known is refused there, with the way out,
    rather than read as an instant (a DATE shifted by the time zone)."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"d": "date"})
    t.compute({"w": "date_trunc('month', some_udf(d))"}, name="r")
    plan = pushdown.plan(flow, engine_statistics=False)
    with pytest.raises(pushdown.UnsupportedError, match=r"recipe 'r'.*CAST\(x AS DATE\)"):
        plan.flow_sql(engine)


def test_whole_numbers_of_an_integer_stay_exact_integers_on_every_engine() -> None:
    """ceil/floor/round/trunc of an integer is the integer itself: DuckDB's CEIL/FLOOR and
    BigQuery's four functions return a DOUBLE (2**53 + 1 came back as 2**53), so it is
    written as the column; BigQuery rounds to tens in NUMERIC and casts back; Hive, whose
    round takes a DOUBLE, is refused rounding to tens. The plan types them as integers."""
    big = 2**53 + 1
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    cols = {"n": "bigint"}
    t = flow.dataset("t", connection="wh", table="t", columns=cols)
    t.compute({"c": "ceil(n)", "f": "floor(n)", "r": "round(n, 2)", "t": "trunc(n)"}, name="r")
    t.compute({"tens": "round(n, -1)"}, name="r2")
    plan = pushdown.plan(flow, engine_statistics=False)
    for name in ("c", "f", "r", "t"):
        assert plan.logical.nodes["r"].schema.field(name).type == pa.int64(), name
    assert plan.logical.nodes["r2"].schema.field("tens").type == pa.int64()
    one = pushdown.Flow()
    one.connection("wh", "duckdb:///:memory:")
    one.dataset("t", connection="wh", table="t", columns=cols).compute(
        {"c": "ceil(n)", "f": "floor(n)", "r": "round(n, 2)", "t": "trunc(n)"}, name="r"
    )
    whole = pushdown.plan(one, engine_statistics=False)
    for engine in ("duckdb", "snowflake", "bigquery", "spark", "databricks", "hive"):
        sql = whole.flow_sql(engine)
        assert not re.search(r"CEIL|FLOOR|ROUND|TRUNC", sql), (engine, sql)
    tens = pushdown.Flow()
    tens.connection("wh", "duckdb:///:memory:")
    tens.dataset("t", connection="wh", table="t", columns=cols).compute(
        {"tens": "round(n, -1)"}, name="r2"
    )
    tens_plan = pushdown.plan(tens, engine_statistics=False)
    assert "CAST(ROUND(CAST(`n` AS NUMERIC), -1) AS INT64)" in tens_plan.flow_sql("bigquery")
    with pytest.raises(pushdown.UnsupportedError, match="recipe 'r2'.*Hive's round takes a DOUBLE"):
        tens_plan.flow_sql("hive")
    # end to end on the local engine (DuckDB): exact, and of the type the plan says
    data = pa.table({"n": pa.array([big, -big, None], pa.int64())})
    local = pushdown.Flow()
    local.dataset("t", data=data).compute(
        {"c": "ceil(n)", "f": "floor(n)", "r": "round(n)", "tens": "round(n, -1)"}, name="r"
    )
    out = pushdown.plan(local).execute()["r"]
    assert out.schema.field("c").type == pa.int64()
    assert out.column("c").to_pylist() == [big, -big, None]
    assert out.column("f").to_pylist() == [big, -big, None]
    assert out.column("r").to_pylist() == [big, -big, None]
    assert out.column("tens").to_pylist() == [big - 3, -(big - 3), None]


def test_ceil_floor_trunc_of_a_double_stay_doubles_on_spark_and_hive() -> None:
    """Spark, Databricks and Hive return a BIGINT from CEIL/FLOOR/TRUNC of a DOUBLE (an
    overflow beyond 2**63): below 2**52 the BIGINT is cast back, beyond it the DOUBLE is kept."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"x": "double"})
    t.compute({"f": "floor(x)", "t": "trunc(x)"}, name="r")
    plan = pushdown.plan(flow, engine_statistics=False)
    assert plan.logical.nodes["r"].schema.field("f").type == pa.float64()
    assert plan.logical.nodes["r"].schema.field("t").type == pa.float64()
    for engine in ("spark", "databricks", "hive"):
        sql = " ".join(plan.flow_sql(engine).split())
        for whole in ("FLOOR(`x`)", "CAST(`x` AS BIGINT)"):
            case = f"WHEN ABS(`x`) < 4503599627370496 THEN CAST({whole} AS DOUBLE) ELSE `x` END"
            assert f"CASE {case}" in sql, (engine, sql)
    for engine in ("duckdb", "snowflake", "bigquery"):
        assert "CASE" not in plan.flow_sql(engine), engine


def test_a_date_plus_hours_is_a_wall_clock_timestamp_on_every_engine() -> None:
    """Hours, minutes and seconds are added to the DATE cast to the engine's wall-clock
    timestamp: Spark and Databricks cast a DATE to an instant at midnight in the session time
    zone (conformance case interval_hours_dst, New York on a DST change day)."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"d": "date"})
    t.compute({"h": "d + INTERVAL 3 HOUR", "m": "INTERVAL 90 MINUTE + d"}, name="r")
    plan = pushdown.plan(flow, engine_statistics=False)
    assert plan.logical.nodes["r"].schema.field("h").type == pa.timestamp("us")
    naive = {
        "duckdb": "TIMESTAMP",
        "snowflake": "TIMESTAMPNTZ",
        "bigquery": "DATETIME",
        "spark": "TIMESTAMP_NTZ",
        "databricks": "TIMESTAMP_NTZ",
        "hive": "TIMESTAMP",
    }
    for engine, spelled in naive.items():
        sql = plan.flow_sql(engine)
        assert len(re.findall(rf"CAST\([`\"]d[`\"] AS {spelled}\)", sql)) == 2, (engine, sql)


def test_bigquery_counts_timestamp_boundaries_with_datetime_diff() -> None:
    """BigQuery's DATE_DIFF takes DATEs: a difference with a TIMESTAMP (BigQuery's DATETIME)
    is DATETIME_DIFF, which counts boundaries too, a DATE in it cast to DATETIME."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    cols = {"a": "timestamp", "b": "timestamp", "d": "date", "e": "date"}
    t = flow.dataset("t", connection="wh", table="t", columns=cols)
    diffs = {"x": "datediff(b, a, month)", "y": "datediff(b, d)", "z": "datediff(e, d)"}
    t.compute(diffs, name="r")
    sql = pushdown.plan(flow, engine_statistics=False).flow_sql("bigquery")
    assert "DATETIME_DIFF(`b`, `a`, MONTH)" in sql
    assert "DATETIME_DIFF(`b`, CAST(`d` AS DATETIME), DAY)" in sql
    assert "DATE_DIFF(`e`, `d`, DAY)" in sql
