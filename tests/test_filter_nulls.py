"""FILTER (WHERE ...) and IGNORE NULLS / RESPECT NULLS (``compilers/lowering/filters.py``):
the SQL each engine gets, checked against the vendor's documented syntax (cited per case);
the engines that cannot say one refused with the reason ``explain`` shows; misplaced ones are
errors at plan time.  The answers per engine are the conformance cases
``tests/conformance/cases/clauses.py`` (every engine, stand-ins included) and the SQL recipe's
DuckDB comparison (``tests/test_sql_recipe.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
import pytest

import pushdown
from pushdown.errors import FormulaTypeError, PushdownError

ENGINES = ("duckdb", "snowflake", "bigquery", "databricks", "spark", "hive")
URLS = {
    "snowflake": "snowflake://u:p@acct/db/sch",
    "bigquery": "bigquery://proj/ds",
    "databricks": "databricks://token:x@h?http_path=/p",
    "hive": "hive://h:10000/db",
    "duckdb": "duckdb:///:memory:",
}
COLUMNS = {"g": "bigint", "o": "bigint", "x": "double", "v": "varchar", "b": "boolean"}


def _flat(sql: str) -> str:
    return re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", " ".join(sql.split())))


def _flow(build: Callable[[pushdown.Flow, pushdown.Dataset], None], url: str) -> pushdown.Flow:
    flow = pushdown.Flow()
    flow.connection("wh", url)
    build(flow, flow.dataset("t", connection="wh", table="t", columns=COLUMNS))
    return flow


def _sql(build: Callable[[pushdown.Flow, pushdown.Dataset], None], engine: str) -> str:
    return _flat(pushdown.plan(_flow(build, URLS["duckdb"])).flow_sql(engine))


def _group(formula: str) -> Callable[[pushdown.Flow, pushdown.Dataset], None]:
    return lambda flow, t: t.group(["g"], {"a": formula}, name="out")


def _window(formula: str) -> Callable[[pushdown.Flow, pushdown.Dataset], None]:
    return lambda flow, t: t.window({"w": formula}, partition_by=["g"], order_by=["o"], name="out")


def _query(query: str) -> Callable[[pushdown.Flow, pushdown.Dataset], None]:
    return lambda flow, t: flow.sql(query, name="out")


SUM_FILTER = "sum(x) FILTER (WHERE o > 1)"
COUNT_FILTER = "count(*) FILTER (WHERE o > 1)"
CASE_SUM = "SUM(CASE WHEN {o} > 1 THEN {x} END)"
CASE_COUNT = "COUNT(CASE WHEN {o} > 1 THEN 1 END)"
QUOTES = {"snowflake": '"', "duckdb": '"'}


def _q(engine: str, text: str) -> str:
    mark = QUOTES.get(engine, "`")
    return text.format(o=f"{mark}o{mark}", x=f"{mark}x{mark}")


# -- FILTER --------------------------------------------------------------------------------
# DuckDB: https://duckdb.org/docs/stable/sql/query_syntax/filter; Databricks:
# https://docs.databricks.com/sql/language-manual/functions/first_value.html (agg [FILTER]);
# no FILTER in Snowflake's, BigQuery's or Hive's aggregate call syntax:
# https://docs.snowflake.com/en/sql-reference/functions-aggregation
# https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate-function-calls
# https://github.com/apache/hive/blob/master/parser/src/java/org/apache/hadoop/hive/ql/parse/IdentifiersParser.g
GROUP_FILTER = {
    "duckdb": ('SUM("x") FILTER(WHERE "o" > 1)', 'COUNT(*) FILTER(WHERE "o" > 1)'),
    "databricks": ("SUM(`x`) FILTER(WHERE `o` > 1)", "COUNT(*) FILTER(WHERE `o` > 1)"),
    "spark": ("SUM(`x`) FILTER(WHERE `o` > 1)", "COUNT(*) FILTER(WHERE `o` > 1)"),
    "snowflake": (CASE_SUM, CASE_COUNT),
    "bigquery": (CASE_SUM, CASE_COUNT),
    "hive": (CASE_SUM, CASE_COUNT),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_grouping_filter_is_written_per_engine(engine: str) -> None:
    summed, counted = (_q(engine, t) for t in GROUP_FILTER[engine])
    assert summed in _sql(_group(SUM_FILTER), engine)
    assert counted in _sql(_group(COUNT_FILTER), engine)
    sql = _sql(_query(f"select g, {SUM_FILTER} as s from t group by g"), engine)
    assert summed in sql and "FILTER" not in sql.replace(summed, "")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_window_filter_is_written_per_engine(engine: str) -> None:
    # Spark refused FILTER on a window aggregate until SPARK-55702 (2026):
    # https://github.com/apache/spark/pull/54501; DuckDB takes it.
    sql = _sql(_window(SUM_FILTER), engine)
    if engine == "duckdb":
        assert 'SUM("x") FILTER(WHERE "o" > 1) OVER' in sql
    else:
        assert _q(engine, CASE_SUM) + " OVER" in sql and "FILTER" not in sql


def test_filter_case_keeps_distinct_and_the_aggregate_named_by_the_user() -> None:
    sql = _sql(_group("count(DISTINCT x) FILTER (WHERE o > 1)"), "bigquery")
    assert "COUNT(DISTINCT CASE WHEN `o` > 1 THEN `x` END)" in sql


def test_hive_median_under_filter_reads_the_arguments_as_written() -> None:
    plan = pushdown.plan(
        _flow(_group("median(x) FILTER (WHERE o > 1)"), "hive://h/db?engine_version=4.0"),
        engine_statistics=False,
        statistics={"t": {"rows": 1e9}},
    )
    assert plan.steps["out"].engine == "wh"
    sql = _flat(plan.fragment_sql("wh"))
    assert "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CASE WHEN `o` > 1 THEN `x` END)" in sql


@pytest.mark.parametrize("engine", ["snowflake", "bigquery", "databricks"])
def test_filter_on_an_aggregate_that_keeps_nulls_is_refused_where_case_would_differ(
    engine: str,
) -> None:
    # arg_max keeps a NULL value (docs/semantics.md): CASE WHEN would hand it NULLs FILTER
    # drops.  Databricks keeps FILTER on a grouping, so its case is a window.
    build = _window if engine == "databricks" else _group
    flow = _flow(build("arg_max(v, x) FILTER (WHERE o > 1)"), URLS[engine])
    plan = pushdown.plan(flow, engine_statistics=False, statistics={"t": {"rows": 1e9}})
    assert plan.steps["out"].engine == "local", plan.explain()
    assert f"FILTER (WHERE ...) differs on {engine}" in plan.explain()
    assert "would see the NULLs FILTER leaves out" in plan.explain()


# BOOL_AND / BOOL_OR and CORR / COVAR_* skip NULL inputs (pairs): the CASE WHEN form holds
# (sources in compilers/lowering/filters.py; answers: the conformance cases).
@pytest.mark.parametrize(
    ("engine", "formula", "expected"),
    [
        (
            "snowflake",
            "bool_and(b) FILTER (WHERE o > 1)",
            'BOOLAND_AGG(CASE WHEN "o" > 1 THEN "b" END)',
        ),
        (
            "snowflake",
            "bool_or(b) FILTER (WHERE o > 1)",
            'BOOLOR_AGG(CASE WHEN "o" > 1 THEN "b" END)',
        ),
        (
            "bigquery",
            "bool_and(b) FILTER (WHERE o > 1)",
            "LOGICAL_AND(CASE WHEN `o` > 1 THEN `b` END)",
        ),
        (
            "bigquery",
            "bool_or(b) FILTER (WHERE o > 1)",
            "LOGICAL_OR(CASE WHEN `o` > 1 THEN `b` END)",
        ),
        (
            "bigquery",
            "corr(x, o) FILTER (WHERE o > 1)",
            "CORR(CASE WHEN `o` > 1 THEN `x` END, `o`)",
        ),
        (
            "hive",
            "covar_samp(x, o) FILTER (WHERE o > 1)",
            "COVAR_SAMP(CASE WHEN `o` > 1 THEN `x` END, `o`)",
        ),
        (
            "snowflake",
            "covar_pop(x, o) FILTER (WHERE o > 1)",
            'COVAR_POP(CASE WHEN "o" > 1 THEN "x" END, "o")',
        ),
    ],
)
def test_filter_on_null_skipping_boolean_and_pair_aggregates_is_case_when(
    engine: str, formula: str, expected: str
) -> None:
    plan = pushdown.plan(
        _flow(lambda flow, t: t.group(["g"], {"a": formula}, name="out"), URLS[engine]),
        engine_statistics=False,
        statistics={"t": {"rows": 1e9}},
    )
    assert plan.steps["out"].engine == "wh", plan.explain()
    assert expected in _flat(plan.fragment_sql("wh"))


@pytest.mark.parametrize("formula", ["bool_and(b)", "bool_or(b) FILTER (WHERE o > 1)"])
def test_hive_has_no_boolean_aggregate(formula: str) -> None:
    plan = pushdown.plan(
        _flow(_group(formula), URLS["hive"]),
        engine_statistics=False,
        statistics={"t": {"rows": 1e9}},
    )
    assert plan.steps["out"].engine == "local"
    assert "Hive has no BOOL_" in plan.explain()


def test_databricks_keeps_filter_on_a_grouping_aggregate_that_keeps_nulls() -> None:
    plan = pushdown.plan(
        _flow(_group("arg_max(v, x) FILTER (WHERE o > 1)"), URLS["databricks"]),
        engine_statistics=False,
        statistics={"t": {"rows": 1e9}},
    )
    assert plan.steps["out"].engine == "wh", plan.explain()
    assert "MAX_BY(`v`, `x`) FILTER(WHERE `o` > 1)" in _flat(plan.fragment_sql("wh"))


# -- IGNORE NULLS / RESPECT NULLS ----------------------------------------------------------
# DuckDB, inside: https://duckdb.org/docs/stable/sql/functions/window_functions
# Snowflake, after: https://docs.snowflake.com/en/sql-reference/functions/first_value,
#   https://docs.snowflake.com/en/sql-reference/functions/lag
# BigQuery, inside, FIRST_VALUE/LAST_VALUE/NTH_VALUE only:
#   https://cloud.google.com/bigquery/docs/reference/standard-sql/navigation_functions
# Databricks, after: https://docs.databricks.com/sql/language-manual/functions/lag.html
# Hive, FIRST_VALUE/LAST_VALUE(x, true):
#   https://cwiki.apache.org/confluence/display/Hive/LanguageManual+WindowingAndAnalytics
LAST_IGNORE = {
    "duckdb": 'LAST_VALUE("x" IGNORE NULLS) OVER',
    "snowflake": 'LAST_VALUE("x") IGNORE NULLS OVER',
    "bigquery": "LAST_VALUE(`x` IGNORE NULLS) OVER",
    "databricks": "LAST_VALUE(`x`) IGNORE NULLS OVER",
    "spark": "LAST_VALUE(`x`) IGNORE NULLS OVER",
    "hive": "LAST_VALUE(`x`, TRUE) OVER",
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "written",
    [
        "last_value(x IGNORE NULLS)",
        "last_value(x) IGNORE NULLS",
    ],
)
def test_ignore_nulls_is_placed_where_each_engine_reads_it(engine: str, written: str) -> None:
    expected = LAST_IGNORE[engine]
    assert expected in _sql(_window(written), engine)
    query = f"select g, {written} over (partition by g order by o) as w from t"
    sql = _sql(_query(query), engine)
    assert expected in sql
    assert "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW" in sql


LAG_IGNORE = {
    "duckdb": 'LAG("x" IGNORE NULLS) OVER',
    "snowflake": 'LAG("x") IGNORE NULLS OVER',
    "databricks": "LAG(`x`) IGNORE NULLS OVER",
    "spark": "LAG(`x`) IGNORE NULLS OVER",
}


@pytest.mark.parametrize("engine", sorted(LAG_IGNORE))
def test_lag_ignore_nulls_where_the_engine_has_it(engine: str) -> None:
    assert LAG_IGNORE[engine] in _sql(_window("lag(x) IGNORE NULLS"), engine)


@pytest.mark.parametrize("engine", ["bigquery", "hive"])
def test_lag_ignore_nulls_is_refused_where_the_engine_has_none(engine: str) -> None:
    plan = pushdown.plan(
        _flow(_window("lag(x) IGNORE NULLS"), URLS[engine]), engine_statistics=False
    )
    assert plan.steps["out"].engine == "local"
    assert f"IGNORE NULLS / RESPECT NULLS differs on {engine}" in plan.explain()
    assert "LAG and LEAD take no IGNORE NULLS" in plan.explain()


@pytest.mark.parametrize(
    ("engine", "formula", "expected"),
    [
        # RESPECT NULLS is the default; BigQuery's LAG and Hive take no RESPECT NULLS
        ("bigquery", "lag(x) RESPECT NULLS", "LAG(`x`) OVER"),
        ("hive", "lag(x) RESPECT NULLS", "LAG(`x`) OVER"),
        ("hive", "first_value(x) RESPECT NULLS", "FIRST_VALUE(`x`) OVER"),
        ("bigquery", "first_value(x) RESPECT NULLS", "FIRST_VALUE(`x` RESPECT NULLS) OVER"),
        ("snowflake", "lead(x) RESPECT NULLS", 'LEAD("x") RESPECT NULLS OVER'),
    ],
)
def test_respect_nulls_is_dropped_where_the_engine_does_not_read_it(
    engine: str, formula: str, expected: str
) -> None:
    sql = _sql(_window(formula), engine)
    assert expected in sql
    if engine == "hive" or "LAG" in expected:
        assert "RESPECT" not in sql


def test_hive_has_no_nth_value() -> None:
    plan = pushdown.plan(_flow(_window("nth_value(x, 2)"), URLS["hive"]), engine_statistics=False)
    assert plan.steps["out"].engine == "local"
    assert "Hive has no NTH_VALUE" in plan.explain()


# -- misplaced clauses are errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (_group("any_value(x) IGNORE NULLS"), "IGNORE NULLS applies to first_value"),
        (_window("sum(x) IGNORE NULLS"), "IGNORE NULLS applies to first_value"),
        (_window("lag(x) FILTER (WHERE o > 1)"), "FILTER (WHERE ...) applies to an aggregate"),
        (
            _query("select g, any_value(x ignore nulls) as a from t group by g"),
            "IGNORE NULLS applies to first_value",
        ),
        (
            _query("select first_value(x) filter (where o > 1) over (order by o) as a from t"),
            "FILTER (WHERE ...) applies to an aggregate",
        ),
        (_query("select g, sum(x) respect nulls as s from t group by g"), "RESPECT NULLS"),
        # given twice: sqlglot keeps both wrappers and refused them when generating the SQL
        (_window("first_value(x IGNORE NULLS) IGNORE NULLS"), "given twice"),
        (_window("last_value(x IGNORE NULLS) RESPECT NULLS"), "given twice"),
        (
            _query("select first_value(x respect nulls) ignore nulls over (order by o) a from t"),
            "given twice",
        ),
    ],
)
def test_misplaced_clauses_are_errors(
    build: Callable[[pushdown.Flow, pushdown.Dataset], None], message: str
) -> None:
    with pytest.raises(FormulaTypeError, match=re.escape(message)):
        pushdown.plan(_flow(build, URLS["duckdb"]))


def test_window_recipe_answers_with_ignore_nulls_and_filter_locally() -> None:
    rows = pa.table(
        {
            "g": pa.array([1, 1, 1, 2], pa.int64()),
            "o": pa.array([1, 2, 3, 1], pa.int64()),
            "x": pa.array([10.0, None, 30.0, None]),
            "v": pa.array(["a", "b", "c", "d"]),
        }
    )
    flow = pushdown.Flow()
    flow.dataset("t", data=rows).window(
        {
            "last": "last_value(x) IGNORE NULLS",
            "prev": "lag(x IGNORE NULLS)",
            "n": "count(*) FILTER (WHERE x IS NULL)",
        },
        partition_by=["g"],
        order_by=["o"],
        name="out",
    )
    got = pushdown.plan(flow).execute()["out"].sort_by([("g", "ascending"), ("o", "ascending")])
    assert got["last"].to_pylist() == [10.0, 10.0, 30.0, None]
    assert got["prev"].to_pylist() == [None, 10.0, 10.0, None]
    assert got["n"].to_pylist() == [0, 1, 1, 1]


# An aggregate in a FILTER condition is an aggregate inside an aggregate: no engine takes it
# (DuckDB: "aggregate functions are not allowed in FILTER"; the CASE WHEN rewrite would push
# SUM(CASE WHEN SUM(o) > 1 THEN x END)).  An error at plan time, on every engine.
@pytest.mark.parametrize("engine", sorted(URLS))
@pytest.mark.parametrize(
    ("build", "column"),
    [
        (_group("sum(x) FILTER (WHERE sum(o) > 1)"), "a"),
        (_group("count(*) FILTER (WHERE o > avg(o)) + 1"), "a"),
        (_window("sum(x) FILTER (WHERE sum(o) > 1)"), "w"),
        (_window("count(*) FILTER (WHERE max(o) > 1)"), "w"),
        (_query("select g, sum(x) filter (where sum(o) > 1) as s from t group by g"), None),
        (_query("select g from t group by g having count(*) filter (where min(o) > 1) > 0"), None),
    ],
    ids=["group", "group-count", "window", "window-count", "sql-select", "sql-having"],
)
def test_an_aggregate_in_a_filter_condition_is_an_error_at_plan_time(
    engine: str, build: Callable[[pushdown.Flow, pushdown.Dataset], None], column: str | None
) -> None:
    with pytest.raises(FormulaTypeError, match="nests .*inside another|inside an aggregate") as err:
        pushdown.plan(_flow(build, URLS[engine]), engine_statistics=False)
    assert err.value.recipe == "out"
    assert err.value.column == column


def test_an_aggregate_of_a_windowed_filter_condition_still_windows_the_groups() -> None:
    # sum(o) in the FILTER of a window's own aggregate is the groups' sum, as in
    # sum(sum(x)) OVER (): one aggregate deep, not nested
    rows = pa.table({"g": [1, 1, 2], "o": [1, 2, 5], "x": [1.0, 2.0, 3.0]})
    flow = pushdown.Flow()
    flow.dataset("t", data=rows)
    flow.sql(
        "select g, sum(sum(x)) filter (where sum(o) > 4) over () as s from t group by g",
        name="out",
    )
    got = pushdown.plan(flow).execute()["out"].sort_by("g")
    assert got["s"].to_pylist() == [3.0, 3.0]


# A clause around a scalar call at the root of a formula means nothing: an error at plan
# time, as it is nested deeper (DuckDB refused it at run time, sqlglot could not write
# IGNORE NULLS for a scalar function).
@pytest.mark.parametrize("engine", ["duckdb", "snowflake"])
@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("abs(x) FILTER (WHERE o > 1)", "FILTER (WHERE ...) applies to an aggregate"),
        ("abs(x) IGNORE NULLS", "IGNORE NULLS applies to first_value"),
        ("abs(x) RESPECT NULLS", "RESPECT NULLS applies to first_value"),
        ("last_value(x) IGNORE NULLS", "IGNORE NULLS applies to first_value"),
    ],
)
def test_a_clause_at_the_root_of_a_row_formula_is_an_error(
    engine: str, formula: str, message: str
) -> None:
    def build(flow: pushdown.Flow, t: pushdown.Dataset) -> None:
        t.compute({"y": formula}, name="out")

    with pytest.raises(FormulaTypeError, match=re.escape(message)) as err:
        pushdown.plan(_flow(build, URLS[engine]), engine_statistics=False)
    assert err.value.recipe == "out" and err.value.column == "y"
    assert "formula for 'y'" in str(err.value)


def test_a_root_clause_kept_from_a_window_formula_is_judged_again_in_a_row_formula() -> None:
    # the window recipe parses its formula open at the root; the parse kept for the same text
    # over the same schema must not let the compute recipe skip the check
    def build(flow: pushdown.Flow, t: pushdown.Dataset) -> None:
        t.window({"w": "last_value(x) IGNORE NULLS"}, order_by=["o"], name="win")
        t.compute({"y": "last_value(x) IGNORE NULLS"}, name="out")

    with pytest.raises(FormulaTypeError, match="IGNORE NULLS applies to first_value") as err:
        pushdown.plan(_flow(build, URLS["duckdb"]))
    assert err.value.recipe == "out"


@pytest.mark.parametrize(
    ("recipe", "formula"),
    [
        ("compute", "x +"),  # does not parse
        ("compute", "abs(x) IGNORE NULLS"),
        ("group", "sum(x) IGNORE NULLS"),
        ("window", "lag(x) FILTER (WHERE o > 1)"),
    ],
)
def test_a_formula_error_names_the_column_it_computes(recipe: str, formula: str) -> None:
    def build(flow: pushdown.Flow, t: pushdown.Dataset) -> None:
        if recipe == "compute":
            t.compute({"y": formula}, name="out")
        elif recipe == "group":
            t.group(["g"], {"y": formula}, name="out")
        else:
            t.window({"y": formula}, order_by=["o"], name="out")

    with pytest.raises(PushdownError) as err:
        pushdown.plan(_flow(build, URLS["duckdb"]), engine_statistics=False)
    assert (err.value.recipe, err.value.column) == ("out", "y"), str(err.value)


def test_sql_the_generator_cannot_say_is_a_typed_error_naming_the_recipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last line of defence (``Statements._generated``): SQL that sqlglot cannot generate
    for the engine is pushdown's UnsupportedError naming the engine and the recipe, never
    sqlglot's own error.  The checks refuse every such formula at plan() now, so the fault is
    made by switching the window recipe's clause check off (a mock: no formula reaches the
    generator otherwise)."""
    import importlib

    from pushdown.errors import UnsupportedError

    window_lowering = importlib.import_module("pushdown.plan.lower.window")

    monkeypatch.setattr(window_lowering, "wrapper_misuse", lambda *args, **kwargs: None)
    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"g": [1, 1], "o": [1, 2], "x": [None, 2.0]}))
    _window("first_value(x IGNORE NULLS) RESPECT NULLS")(flow, t)
    plan = pushdown.plan(flow)
    with pytest.raises(UnsupportedError) as caught:
        plan.execute()
    assert type(caught.value).__module__ == "pushdown.errors"
    assert caught.value.recipe == "out" and caught.value.construct == "SQL generation"
    assert "RESPECT NULLS" in str(caught.value)
