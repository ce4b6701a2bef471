"""Drift tests: what each profile marks supported compiles through sqlglot with
``unsupported_level=RAISE`` (and runs, on DuckDB and Spark); the docs' matrix is generated."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import pytest
from sqlglot import exp

import pushdown
from pushdown.errors import ConnectionConfigError
from pushdown.profiles import all_profiles, load_profile_file, profiles_dir
from pushdown.support import CATALOGUE, SAMPLE_COLUMNS, support_matrix
from pushdown.types import sql_type_name

ROOT = Path(__file__).resolve().parents[1]
ENGINES = sorted(all_profiles())
SAMPLE = pa.table(
    {
        "x": pa.array([1.5, 2.5, None], pa.float64()),
        "s": pa.array(["a", "b", "a"]),
        "d": pa.array([19000, 19031, 19100], pa.date32()),
        "t": pa.array(
            [1_600_000_000_000_000, 1_600_100_000_000_000, 1_600_200_000_000_000],
            pa.timestamp("us"),
        ),
    }
)


def catalogue_flow(cls: str) -> pushdown.Flow:
    kind, formula = CATALOGUE[cls]
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns=SAMPLE_COLUMNS)
    if kind == "aggregate":
        t.group(["s"], {"v": formula}, name="out")
    elif kind == "window":
        t.window({"v": formula}, partition_by=["s"], order_by=["t"], name="out")
    else:
        t.compute(v=formula, name="out")
    return flow


def feature_flows() -> dict[str, pushdown.Flow]:
    flows = {}
    for feature, build in {
        "full_join": lambda a, b: a.join(b, on=["s"], how="full", name="out"),
        "correlated_exists": lambda a, b: a.join(b, on=["s"], how="anti", name="out"),
        "window_frames": lambda a, b: a.window(
            {"v": {"formula": "sum(x)", "frame": [-1, 1]}}, order_by=["t"], name="out"
        ),
        "union_distinct": lambda a, b: a.flow.stack([a, b], distinct=True, name="out"),
    }.items():
        flow = pushdown.Flow()
        flow.connection("wh", "duckdb:///:memory:")
        a = flow.dataset("a", connection="wh", table="a", columns=SAMPLE_COLUMNS)
        b = flow.dataset("b", connection="wh", table="b", columns=SAMPLE_COLUMNS)
        build(a, b)
        flows[feature] = flows.get(feature, flow)
    return flows


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cls", sorted(CATALOGUE))
def test_catalogue_compiles_where_the_profile_says_so(cls: str, engine: str) -> None:
    profile = all_profiles()[engine]
    plan = pushdown.plan(catalogue_flow(cls))
    uses = {type(e).__name__ for e in plan.logical.nodes["out"].expressions() for e in e.walk()}
    assert cls in uses, f"the sample for {cls} parses as {uses}"
    if cls in profile.functions:
        with pytest.raises(pushdown.UnsupportedError):
            plan.flow_sql(engine)
    else:
        assert plan.flow_sql(engine)  # raises UnsupportedError if sqlglot cannot say it


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("feature", sorted(feature_flows()))
def test_supported_features_compile(feature: str, engine: str) -> None:
    profile = all_profiles()[engine]
    plan = pushdown.plan(feature_flows()[feature])
    if getattr(profile.features, feature):
        assert plan.flow_sql(engine)
    else:
        with pytest.raises(pushdown.UnsupportedError):
            plan.flow_sql(engine)


@pytest.mark.parametrize("cls", sorted(CATALOGUE))
def test_catalogue_runs_on_duckdb(cls: str) -> None:
    flow = catalogue_flow(cls)
    plan = pushdown.plan(flow)
    local = pushdown.Flow()
    t = local.dataset("t", data=SAMPLE)
    spec = flow.spec.recipes[0]
    local.spec.recipes.append(spec)
    assert t.name == "t"
    out = pushdown.plan(local).execute()["out"]
    assert out.num_rows > 0 and "v" in out.column_names
    assert plan.steps["out"].schema.names == out.column_names


@pytest.mark.spark
@pytest.mark.parametrize("engine", ["spark", "databricks", "hive"])
@pytest.mark.parametrize("cls", sorted(CATALOGUE))
def test_catalogue_runs_on_spark(cls: str, engine: str, spark: object) -> None:
    if cls in all_profiles()[engine].functions:
        pytest.skip(f"{engine} profile declares {cls} unsupported (checked above)")
    spark.createDataFrame(SAMPLE).createOrReplaceTempView("t")  # type: ignore[attr-defined]
    sql = pushdown.plan(catalogue_flow(cls)).flow_sql(engine).rstrip(";")
    assert spark.sql(sql).count() > 0  # type: ignore[attr-defined]


def test_profile_function_keys_are_sqlglot_classes() -> None:
    for profile in all_profiles().values():
        for cls in profile.functions:
            assert isinstance(getattr(exp, cls, None), type), f"{profile.name}: {cls}"


def test_every_profile_names_its_dialect_and_costs() -> None:
    assert set(ENGINES) == {"bigquery", "databricks", "duckdb", "hive", "snowflake", "spark"}
    for profile in all_profiles().values():
        assert profile.cost.query_latency_s > 0 and profile.cost.transfer.fetch_bytes_per_s > 0
        assert sql_type_name(pa.int64(), profile.dialect)


def test_each_engine_file_bears_its_name_and_owns_its_schemes_and_dialect() -> None:
    """Planning reads only the profiles its connections use, looked up by file name (an
    engine, its sqlglot dialect and its first URL scheme are its file's name); a scheme or a
    dialect claimed by two profiles would make that lookup differ from reading them all."""
    profiles = all_profiles()
    for path in sorted(profiles_dir().glob("*.toml")):
        profile = profiles[path.stem]
        assert profile.name == profile.engine.name == path.stem
        assert profile.engine.sqlglot_dialect == path.stem
        assert profile.engine.url_schemes[0] == path.stem
    schemes = [s for p in profiles.values() for s in p.engine.url_schemes]
    assert len(schemes) == len(set(schemes))
    dialects = [p.engine.sqlglot_dialect for p in profiles.values()]
    assert len(dialects) == len(set(dialects))


def test_planning_reads_only_the_profiles_its_engines_use() -> None:
    """A flow on DuckDB alone reads ``duckdb.toml`` and no other profile (in a fresh process:
    this one has read them all)."""
    code = (
        "import pushdown\nfrom pushdown import profiles\n"
        "read = []\nload = profiles.load_profile_file\n"
        "profiles.load_profile_file = lambda path: read.append(path.name) or load(path)\n"
        "flow = pushdown.Flow()\nflow.connection('wh', 'duckdb:///:memory:')\n"
        "t = flow.dataset('t', connection='wh', table='t', columns={'x': 'int'})\n"
        "t.filter('x > 1', name='big')\n"
        "pushdown.plan(flow, engine_statistics=False).explain()\n"
        "print(read)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['duckdb.toml']"


def test_unknown_profile_key_is_an_error(tmp_path: Path) -> None:
    data = (profiles_dir() / "duckdb.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(data.replace("full_join = true", "full_join = true\nfull_jion = true"))
    with pytest.raises(ConnectionConfigError, match="bad.toml"):
        load_profile_file(bad)
    assert tomllib.loads(data)["engine"]["name"] == "duckdb"


def test_docs_matrix_is_generated_from_profiles() -> None:
    committed = (ROOT / "docs" / "dialects.md").read_text()
    assert committed == support_matrix(), "run: python -m pushdown.support > docs/dialects.md"


@pytest.mark.parametrize("engine", ENGINES)
def test_type_mapping_in_one_place(engine: str) -> None:
    dialect = all_profiles()[engine].dialect
    for t in (
        pa.int8(),
        pa.int64(),
        pa.float64(),
        pa.decimal128(12, 3),
        pa.string(),
        pa.binary(),
        pa.bool_(),
        pa.date32(),
        pa.timestamp("us"),
        pa.timestamp("us", tz="UTC"),
        pa.list_(pa.int64()),
        pa.struct([("a", pa.int64()), ("b", pa.string())]),
    ):
        ddl = sql_type_name(t, dialect)
        back = exp.DataType.build(ddl, dialect=dialect)
        assert back.sql(dialect=dialect) == ddl


def test_session_settings_are_read_from_the_profile(tmp_path: Path) -> None:
    """``[session]`` is a profile fact: the shipped Hive, Spark and Databricks profiles switch
    variable substitution off, and a changed value in the TOML is what the profile holds (the
    connectors apply ``profile.session``; tests/integration/test_spark_family.py shows the
    engines follow it)."""
    shipped = all_profiles()
    assert shipped["hive"].session["hive.variable.substitute"] == "false"
    for name in ("hive", "spark", "databricks"):
        assert shipped[name].session["spark.sql.variable.substitute"] == "false", name
    text = (profiles_dir() / "spark.toml").read_text()
    changed = tmp_path / "spark.toml"
    changed.write_text(
        text.replace(
            '"spark.sql.variable.substitute" = "false"', '"spark.sql.variable.substitute" = "true"'
        )
    )
    assert load_profile_file(changed).session["spark.sql.variable.substitute"] == "true"
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("\n[session]\n", '\n[session]\n"x" = 1\n'))
    with pytest.raises(ConnectionConfigError, match="session"):
        load_profile_file(bad)
