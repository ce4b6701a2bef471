"""A property-based fuzzer: flows whose dataset names, column names, computed names, literals
and data hold hostile text (quotes, backticks, ``--``, ``;``, newlines, ``${...}``, unicode,
long names, reserved words, case variants, pushdown's own ``_pushdown_`` prefix) run on
DuckDB, on the local engine and on an in-process Spark session.  Each run must

- return what an independent computation in plain Python returns (so the engines also agree
  with each other),
- leave every other table of the catalog as it was (only the output table may change),
- and, when the names are not usable, fail with a typed PushdownError, never anything else.

What the fuzzer found in other parts (Spark's ``${...}`` substitution, comment headers in
printed SQL, temporary-table names that collided) is fixed; the tests at the end pin it.

CI cost is bounded: a fixed number of examples per engine, no deadline (the first example
pays DuckDB's and Spark's start-up), deterministic in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pushdown
from pushdown import errors as e
from pushdown.recipe.names import table_name_problem

FUZZ = settings(
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HOSTILE = [
    '"',
    "'",
    "`",
    "--",
    ";",
    "/*",
    "*/",
    "\n",
    "\\",
    "${env:HOME}",
    "${system:user.name}",
    "é",
    "中文",
    "🙂",
    "select",
    "FROM",
    "order",
    "null",
    "true",
    " ",
    ".",
    "%",
    "_pushdown_rn",
    "l",
    "r",
    "ranked",
]
RESERVED = ["select", "table", "group", "order", "from", "where", "null", "true", "_pushdown_rn"]


def _name(*, spark: bool) -> st.SearchStrategy[str]:
    pieces = [p for p in HOSTILE if not (spark and "$" in p)]
    text = st.lists(
        st.one_of(st.sampled_from(pieces), st.text("abcXYZ019_", min_size=1, max_size=3)),
        min_size=1,
        max_size=6,
    ).map("".join)
    long = st.integers(60, 200).map(lambda n: ("n" * n) + "x")
    case = st.sampled_from(["Amount", "AMOUNT", "amount", "Select", "SELECT"])
    return st.one_of(text, long, case, st.sampled_from(RESERVED)).filter(
        lambda s: s.strip() != "" and "\x00" not in s
    )


def _literal(*, spark: bool) -> st.SearchStrategy[str]:
    pieces = [p for p in HOSTILE if not (spark and "$" in p)]
    return st.lists(st.sampled_from([*pieces, "a", "Z", "0"]), max_size=5).map("".join)


def _distinct(names: list[str]) -> bool:
    """Usable together: different ignoring case (engines fold case; pushdown refuses names
    that differ only in case).  Names whose temporary tables once collided (``a b``/``a.b``)
    are fuzzed together: every dataset gets its own temporary table."""
    return len({n.casefold() for n in names}) == len(names)


@dataclass
class Case:
    """One fuzzed flow: names, a literal and the rows of the source table."""

    datasets: list[str]  # source, filtered, computed, grouped, top, result
    columns: list[str]  # key, value, text, computed, literal, renamed text, sum, count, max
    literal: str
    threshold: int
    rows: list[tuple[int, int, str]]

    def data(self) -> pa.Table:
        key, value, text = self.columns[:3]
        return pa.table(
            {
                key: pa.array([r[0] for r in self.rows], pa.int64()),
                value: pa.array([r[1] for r in self.rows], pa.int64()),
                text: pa.array([r[2] for r in self.rows], pa.string()),
            }
        )


def _cases(*, spark: bool) -> st.SearchStrategy[Case]:
    names = _name(spark=spark)
    rows = st.lists(
        st.tuples(st.integers(0, 2), st.integers(-50, 50), _literal(spark=spark)),
        max_size=8,
        unique_by=lambda r: r[1],  # no ties in the per-group order
    )
    return st.builds(
        Case,
        datasets=st.lists(names, min_size=6, max_size=6).filter(_distinct),
        columns=st.lists(names, min_size=9, max_size=9).filter(
            lambda c: len({n.casefold() for n in c}) == 9
        ),
        literal=_literal(spark=spark),
        threshold=st.integers(-60, 40),
        rows=rows,
    )


def q(name: str) -> str:
    """An identifier in a formula of the neutral dialect."""
    return '"' + name.replace('"', '""') + '"'


def s(text: str) -> str:
    """A string literal in a formula of the neutral dialect."""
    return "'" + text.replace("'", "''") + "'"


def build(case: Case, flow: pushdown.Flow, source: pushdown.Dataset) -> None:
    """source -> filter -> compute/rename -> (group, per-group top 1) -> join: result."""
    _, filtered, computed, grouped, top, result = case.datasets
    key, value, text, doubled, lit, renamed, total, count, biggest = case.columns
    kept = source.filter(f"{q(value)} > {case.threshold}", name=filtered)
    shaped = kept.prepare(
        [
            {"compute": {doubled: f"{q(value)} * 2", lit: s(case.literal)}},
            {"rename": {text: renamed}},
        ],
        name=computed,
    )
    groups = shaped.group(
        [key],
        {total: f"sum({q(doubled)})", count: "count(*)", biggest: f"max({q(renamed)})"},
        name=grouped,
    )
    best = shaped.top_n(1, [f"{q(value)} DESC"], partition_by=[key], name=top)
    groups.join(best, on=[key], name=result)


def expected(case: Case) -> list[dict[str, Any]]:
    """The result computed in plain Python."""
    key, value, _, doubled, lit, renamed, total, count, biggest = case.columns
    kept = [r for r in case.rows if r[1] > case.threshold]
    out = []
    for k in sorted({r[0] for r in kept}):
        group = [r for r in kept if r[0] == k]
        best = max(group, key=lambda r: r[1])
        out.append(
            {
                key: k,
                total: sum(2 * r[1] for r in group),
                count: len(group),
                biggest: max(r[2] for r in group),
                value: best[1],
                doubled: 2 * best[1],
                lit: case.literal,
                renamed: best[2],
            }
        )
    return out


def _same(got: pa.Table, case: Case) -> None:
    want = expected(case)
    rows = sorted(got.to_pylist(), key=lambda r: r[case.columns[0]])
    assert rows == want, (rows, want)


def _duckdb_catalog(path: str) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(path, read_only=True)
    try:
        names = con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        return {
            f"{sch}.{tab}": sorted(
                map(repr, con.execute(f'SELECT * FROM "{sch}"."{tab}"').fetchall())
            )  # type: ignore[misc]
            for sch, tab in names
        }
    finally:
        con.close()


def _fresh_duckdb(tmp_path: Path, case: Case | None) -> str:
    path = str(tmp_path / f"fuzz_{os.getpid()}_{id(case)}.db")
    if os.path.exists(path):
        os.remove(path)
    con = duckdb.connect(path)
    con.execute("CREATE TABLE bystander AS SELECT 42 AS x, 'keep me' AS y")
    if case is not None:
        con.register("data", case.data())
        con.execute("CREATE TABLE fuzz_src AS SELECT * FROM data")
    con.close()
    return path


def _typed_or_ok(run: Callable[[], None]) -> None:
    with contextlib.suppress(e.PushdownError):  # anything else fails the test
        run()


# -- the properties -------------------------------------------------------------------------


@settings(FUZZ, max_examples=20)
@given(case=_cases(spark=False))
def test_duckdb_runs_hostile_names_right_and_touches_nothing_else(
    case: Case, tmp_path_factory: pytest.TempPathFactory
) -> None:
    db = _fresh_duckdb(tmp_path_factory.mktemp("duck"), case)
    before = _duckdb_catalog(db)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    build(case, flow, flow.dataset(case.datasets[0], connection="wh", table="fuzz_src"))
    flow.output(flow[case.datasets[-1]], connection="wh", table="fuzz_out")
    result = pushdown.plan(flow).execute()
    _same(result[case.datasets[-1]], case)
    after = _duckdb_catalog(db)
    written = after.pop("main.fuzz_out")
    assert after == before
    assert len(written) == len(expected(case))


@settings(FUZZ, max_examples=20)
@given(case=_cases(spark=False), table=_name(spark=False))
def test_local_engine_runs_hostile_names_right(
    case: Case, table: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    db = _fresh_duckdb(tmp_path_factory.mktemp("local"), None)
    before = _duckdb_catalog(db)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    build(case, flow, flow.dataset(case.datasets[0], data=case.data()))
    problem = table_name_problem(table, output=True)
    if problem is not None:  # a hostile output table is refused, naming the dataset
        with pytest.raises(e.InvalidNameError, match=re.escape(repr(case.datasets[-1]))):
            flow.output(flow[case.datasets[-1]], connection="wh", table=table)
    if problem is not None or "." in table:  # (schemas other than main do not exist here)
        table = "fuzz_out"
    flow.output(flow[case.datasets[-1]], connection="wh", table=table)
    plan = pushdown.plan(flow)
    assert {step.engine for step in plan.steps.values()} == {"local"}
    result = plan.execute()
    _same(result[case.datasets[-1]], case)
    after = _duckdb_catalog(db)
    assert len(after.pop(f"main.{table}")) == len(expected(case))
    assert after == before


@pytest.mark.spark
@settings(FUZZ, max_examples=6)
@given(case=_cases(spark=True))
def test_spark_runs_hostile_names_right_and_touches_nothing_else(case: Case, spark: Any) -> None:
    spark.createDataFrame(case.data()).createOrReplaceTempView("fuzz_src")
    before = sorted((t.name, t.isTemporary) for t in spark.catalog.listTables())
    flow = pushdown.Flow()
    flow.connection("lake", "spark://local[2]")
    build(case, flow, flow.dataset(case.datasets[0], connection="lake", table="fuzz_src"))
    plan = pushdown.plan(flow, pin={name: "lake" for name in case.datasets[1:]})
    result = plan.execute()
    _same(result[case.datasets[-1]], case)
    after = sorted((t.name, t.isTemporary) for t in spark.catalog.listTables())
    assert after == before


@settings(FUZZ, max_examples=60)
@given(
    names=st.lists(
        st.one_of(_name(spark=False), st.sampled_from(["", " ", "a\x00b"])), min_size=4, max_size=4
    ),
    table=st.one_of(_name(spark=False), st.just("")),
    formula=st.one_of(_literal(spark=False), st.sampled_from(["1 +", "')", "x --", "a; b"])),
)
def test_any_names_plan_or_fail_with_a_typed_error(
    names: list[str], table: str, formula: str
) -> None:
    """Names that may be empty, equal ignoring case, or hold NUL, and formulas that may not
    parse: building and planning either works or raises a PushdownError."""

    def run() -> None:
        flow = pushdown.Flow()
        flow.connection("wh", "duckdb:///:memory:")
        t = flow.dataset(names[0], data=pa.table({names[1]: [1, 2], "v": ["a", "b"]}))
        c = t.compute(**{names[2]: q(names[1]) + " * 2", "z": formula or "1"}, name=names[3])
        flow.output(c, connection="wh", table=table)
        pushdown.plan(flow)

    _typed_or_ok(run)


# -- found by the fuzzer and fixed by other work (issue #12 items 1, 3, 4): regressions -------


@pytest.mark.spark
def test_spark_keeps_a_dollar_brace_literal_as_written(spark: Any) -> None:
    spark.createDataFrame(pa.table({"x": [1]})).createOrReplaceTempView("fuzz_one")
    flow = pushdown.Flow()
    flow.connection("lake", "spark://local[2]")
    one = flow.dataset("one", connection="lake", table="fuzz_one")
    one.compute(home="'${env:HOME}'", name="out")
    got = pushdown.plan(flow, pin={"out": "lake"}).execute()["out"]
    assert got.column("home").to_pylist() == ["${env:HOME}"]


def test_printed_sql_keeps_names_inside_comments() -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"x": "int"})
    t.filter("x > 1", name="recent\nDROP TABLE victim; --")
    sql = pushdown.plan(flow, engine_statistics=False).sql()
    assert not any(line.startswith("DROP") for line in sql.splitlines())


def test_datasets_whose_temporary_names_collide_keep_their_rows(tmp_path: Path) -> None:
    db = _fresh_duckdb(tmp_path, None)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    a = flow.dataset("a b", data=pa.table({"k": [1], "v": ["from a b"]}))
    b = flow.dataset("a.b", data=pa.table({"k": [1], "w": ["from a.b"]}))
    a.join(b, on=["k"], name="j")
    plan = pushdown.plan(flow, pin={"j": "wh"})
    assert plan.execute()["j"].to_pylist() == [{"k": 1, "v": "from a b", "w": "from a.b"}]
