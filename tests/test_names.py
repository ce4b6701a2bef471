"""Names reach SQL as identifiers only, never collide with each other or with pushdown's own
names, and nothing is dropped or renamed without an error (issue #12, items 2, 6, 8, 9)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
import yaml

import pushdown
from pushdown import errors as e
from pushdown.compilers.sql import table_ref

HOSTILE_TABLES = [
    "victim -- nightly copy",
    "victim;",
    '"victim',  # a double quote only around a whole part of letters, digits, _ and -
    '"vic"tim"',
    '"victim; DROP"',
    '"a.b"',
    "a;b",
    "x --",
    "${system:user.name}",
    "victim/*",
    "read_csv('regions.csv')",
    "victim\nDROP TABLE victim",
    "`victim`",
    "a..b",
    "a.b.c.d",
    " ",
    "",
]


def _warehouse(tmp_path: Path) -> str:
    path = tmp_path / "wh.db"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE victim AS SELECT 42 AS x")
    con.execute("CREATE TABLE src AS SELECT 1 AS x")
    con.close()
    return str(path)


def _tables(path: str) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(path, read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}"').fetchall() for n in sorted(names)}
    finally:
        con.close()


@pytest.mark.parametrize("table", HOSTILE_TABLES)
def test_output_table_is_an_identifier_or_refused(tmp_path: Path, table: str) -> None:
    db = _warehouse(tmp_path)
    before = _tables(db)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    src = flow.dataset("src", connection="wh", table="src")
    out = src.filter("x > 0", name="nightly")
    with pytest.raises(e.InvalidNameError) as info:
        flow.output(out, connection="wh", table=table)
        pushdown.plan(flow).execute()
    assert info.value.dataset == "nightly" and "dataset 'nightly'" in str(info.value)
    assert _tables(db) == before  # victim untouched, nothing created


@pytest.mark.parametrize("table", HOSTILE_TABLES)
def test_source_table_is_an_identifier_or_refused(tmp_path: Path, table: str) -> None:
    db = _warehouse(tmp_path)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    with pytest.raises(e.InvalidNameError, match="dataset 'src'"):
        flow.dataset("src", connection="wh", table=table)
        pushdown.plan(flow)


def test_table_names_in_files_are_refused_naming_the_dataset(tmp_path: Path) -> None:
    data = {
        "connections": {"wh": "duckdb:///:memory:"},
        "datasets": [{"name": "regions", "connection": "wh", "table": "read_csv('r.csv')"}],
    }
    path = tmp_path / "flow.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(e.InvalidNameError, match="dataset 'regions': table name"):
        pushdown.load_flow(path)
    data["datasets"] = [{"name": "r", "connection": "wh", "table": "r", "columns": {"x": "int"}}]
    data["outputs"] = [{"dataset": "r", "connection": "wh", "table": "r; DROP TABLE r"}]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(e.InvalidNameError, match="dataset 'r': table name"):
        pushdown.load_flow(path)


def test_a_file_path_as_table_name_reads_no_file(tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("a,b\n1,2\n")
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    with pytest.raises(e.InvalidNameError):
        flow.dataset("s", connection="wh", table=f"read_csv('{tmp_path / 'secret.csv'}')")


@pytest.mark.parametrize("table", ["_pushdown_1234_x", "orders__pushdown_new", "s._PUSHDOWN_x"])
def test_output_tables_cannot_take_pushdowns_own_names(table: str) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", data=pa.table({"x": [1]}))
    with pytest.raises(e.InvalidNameError, match="reserved"):
        flow.output(t, connection="wh", table=table)


def test_qualified_and_hyphenated_names_still_work(tmp_path: Path) -> None:
    db = _warehouse(tmp_path)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    src = flow.dataset("src", connection="wh", table="main.src")
    out = src.compute(y="x + 1", name="out")
    flow.output(out, connection="wh", table="main.out-2")
    flow.output(out, connection="wh", table="wh.main.out_3")
    pushdown.plan(flow).execute()
    tables = _tables(db)
    assert tables["out-2"] == tables["out_3"] == [(1, 2)]
    assert tables["victim"] == [(42,)]


def test_table_ref_builds_identifiers_from_parts() -> None:
    assert table_ref("x --").sql("duckdb") == '"x --"'
    assert table_ref("a;b").sql("duckdb") == '"a;b"'
    assert table_ref('it"s').sql("duckdb") == '"it""s"'
    assert table_ref("x`y").sql("spark") == "`x``y`"
    assert table_ref("read_csv('r.csv')").sql("duckdb") == '"read_csv(\'r"' + '."csv\')"'
    assert table_ref("cat.db.t").sql("duckdb") == '"cat"."db"."t"'
    assert table_ref(["my proj", "d.s", "t"]).sql("bigquery") == "`my proj`.`d.s`.`t`"
    assert table_ref("a..b").sql("duckdb") == '"a..b"'


# -- item 6: names an engine folds together -------------------------------------------------


def test_in_memory_datasets_differing_in_case_are_refused_naming_both() -> None:
    flow = pushdown.Flow()
    upper = flow.dataset("T", data=pa.table({"x": [1]}))
    with pytest.raises(e.DuplicateNameError, match="'T' and 't' differ only in case"):
        lower = flow.dataset("t", data=pa.table({"x": [2]}))
        flow.stack([upper, lower], name="s")
        pushdown.plan(flow).execute()


def test_recipe_outputs_differing_in_case_are_refused_on_a_warehouse() -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"x": "int"})
    a = t.filter("x > 0", name="A")
    with pytest.raises(e.DuplicateNameError, match="'A' and 'a' differ only in case"):
        b = t.filter("x > 1", name="a")
        flow.stack([a, b], name="s")
        pushdown.plan(flow, engine_statistics=False).sql()
    with pytest.raises(e.DuplicateNameError, match="'Big' and 'BIG' differ only in case"):
        t.split({"Big": "x > 5", "BIG": "x > 9"})


def test_names_are_checked_against_a_flow_loaded_or_changed_outside_its_methods(
    tmp_path: Path,
) -> None:
    """The flow's index of names (recipe/names.py ``NameIndex``) follows a loaded spec, a
    recipe appended to the spec directly and a replaced list; generated names avoid a name
    differing only in case."""
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    t = flow.dataset("t", connection="wh", table="t", columns={"x": "int"})
    t.filter("x > 0", name="Kept")
    loaded = pushdown.load_flow(_written(tmp_path, flow))
    with pytest.raises(e.DuplicateNameError, match="'Kept' and 'kept' differ only in case"):
        loaded["t"].filter("x > 1", name="kept")
    # a recipe added to the spec, not through the flow's methods, is seen
    extra = loaded.spec.recipes[0].model_copy(update={"output": "Other"})
    loaded.spec.recipes.append(extra)
    with pytest.raises(e.DuplicateNameError, match="'Other' and 'OTHER' differ only in case"):
        loaded["t"].filter("x > 1", name="OTHER")
    # so is a replaced list, and names freed by it can be used again
    loaded.spec.recipes = []
    assert loaded["t"].filter("x > 1", name="kept").name == "kept"
    # a generated name skips one that differs only in case
    flow.dataset("t_FILTERED", connection="wh", table="u", columns={"x": "int"})
    assert t.filter("x > 2").name == "t_filtered_2"
    assert t.filter("x > 3").name == "t_filtered_3"


def _written(tmp_path: Path, flow: pushdown.Flow) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(flow.to_yaml())
    return path


def test_flow_files_refuse_dataset_names_differing_in_case(tmp_path: Path) -> None:
    data = {
        "connections": {"wh": "duckdb:///:memory:"},
        "datasets": [
            {"name": "T", "connection": "wh", "table": "a", "columns": {"x": "int"}},
            {"name": "t", "connection": "wh", "table": "b", "columns": {"x": "int"}},
        ],
        "recipes": [{"type": "stack", "inputs": ["T", "t"], "output": "s"}],
    }
    path = tmp_path / "flow.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(e.DuplicateNameError, match="'T' and 't' differ only in case"):
        pushdown.load_flow(path)


def test_a_step_named_like_a_source_table_does_not_shadow_it(tmp_path: Path) -> None:
    """A CTE named after the step ``big`` must not hide the table ``BIG`` (DuckDB folds)."""
    db = str(tmp_path / "wh.db")
    con = duckdb.connect(db)
    con.execute("CREATE TABLE BIG AS SELECT range AS x, 'from BIG' AS tag FROM range(3)")
    con.execute("CREATE TABLE other AS SELECT range AS x FROM range(3)")
    con.close()
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    big = flow.dataset("o", connection="wh", table="other").filter("x >= 0", name="big")
    big.join(flow.dataset("src", connection="wh", table="BIG"), on=["x"], name="out")
    result = pushdown.plan(flow).execute()["out"]
    assert sorted(result.to_pylist(), key=lambda r: r["x"]) == [
        {"x": i, "tag": "from BIG"} for i in range(3)
    ]


# -- item 7: Python functions are never replaced by another of the same name -----------------


def _scaler(k: int) -> Any:
    def scale(batch: pa.RecordBatch) -> pa.RecordBatch:
        import pyarrow.compute as pc

        return pa.RecordBatch.from_arrays([pc.multiply(batch.column(0), k)], names=["x"])

    return scale


def test_two_closures_of_one_factory_keep_their_own_behaviour() -> None:
    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"x": [1, 5]}))
    t.python(_scaler(2), {"x": "bigint"}, name="two")
    t.python(_scaler(3), {"x": "bigint"}, name="three")
    t.python(lambda b: b, {"x": "bigint"}, name="same")
    t.python(lambda b: pa.RecordBatch.from_pydict({"x": [0] * b.num_rows}), {"x": "bigint"})
    result = pushdown.plan(flow).execute()
    assert result["two"].column("x").to_pylist() == [2, 10]
    assert result["three"].column("x").to_pylist() == [3, 15]
    assert result["same"].column("x").to_pylist() == [1, 5]
    assert result["t_python"].column("x").to_pylist() == [0, 0]
    refs = [r.function for r in flow.spec.recipes]  # type: ignore[attr-defined]
    assert len(set(refs)) == 4


def test_one_function_used_twice_keeps_one_reference() -> None:
    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"x": [1]}))
    double = _scaler(2)
    t.python(double, {"x": "bigint"}, name="a")
    t.python(double, {"x": "bigint"}, name="b")
    assert flow.spec.recipes[0].function == flow.spec.recipes[1].function  # type: ignore[union-attr]


def test_an_in_memory_function_reference_in_a_file_says_what_it_was(tmp_path: Path) -> None:
    flow = pushdown.Flow()
    t = flow.dataset("t", path=str(tmp_path / "t.parquet"), columns={"x": "bigint"})
    t.python(_scaler(2), {"x": "bigint"}, name="two")
    t.python(_scaler(3), {"x": "bigint"}, name="three")
    (tmp_path / "f.yaml").write_text(flow.to_yaml())
    with pytest.raises(e.FlowError, match="recipe 'two'.*in-memory function"):
        pushdown.plan(pushdown.load_flow(tmp_path / "f.yaml"))


# -- item 8: internal names never meet user names -------------------------------------------


@pytest.mark.parametrize("internal", ["_pushdown_rn", "_PUSHDOWN_RN", "_pushdown_rn_"])
def test_a_user_column_named_like_the_row_number_keeps_top_n_right(
    internal: str, tmp_path: Path
) -> None:
    data = pa.table({"g": [1, 1, 2, 2], "v": [1, 2, 3, 4], internal: [9, 9, 9, 9]})
    expected = [{"g": 1, "v": 2, internal: 9}, {"g": 2, "v": 4, internal: 9}]
    db = str(tmp_path / "wh.db")
    con = duckdb.connect(db)
    con.register("data", data)
    con.execute("CREATE TABLE t AS SELECT * FROM data")
    con.close()
    for where in ("local", "wh"):
        flow = pushdown.Flow()
        flow.connection("wh", f"duckdb:///{db}")
        t = (
            flow.dataset("t", data=data)
            if where == "local"
            else flow.dataset("t", connection="wh", table="t")
        )
        t.top_n(1, ["v DESC"], partition_by=["g"], name="top")
        plan = pushdown.plan(flow)
        assert plan.steps["top"].engine == where
        rows = plan.execute()["top"].to_pylist()
        assert sorted(rows, key=lambda r: r["g"]) == expected, where


# -- item 9: nothing dropped or renamed without a word --------------------------------------


@pytest.mark.parametrize("second", ["out", "Out", "OUT"])
def test_two_outputs_to_one_table_are_refused(tmp_path: Path, second: str) -> None:
    db = _warehouse(tmp_path)
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    t = flow.dataset("t", data=pa.table({"x": [1]}))
    flow.output(t.filter("x > 0", name="a"), connection="wh", table="out")
    with pytest.raises(e.DuplicateNameError, match="outputs 'a' and 'b' both write") as info:
        flow.output(t.compute(y="x * 2", name="b"), connection="wh", table=second)
        pushdown.plan(flow).execute()
    assert info.value.dataset == "b"
    assert "out" not in _tables(db)


def test_two_outputs_to_one_table_in_a_file_are_refused(tmp_path: Path) -> None:
    data = {
        "connections": {"wh": "duckdb:///:memory:"},
        "datasets": [{"name": "t", "connection": "wh", "table": "t", "columns": {"x": "int"}}],
        "recipes": [{"type": "filter", "input": "t", "output": "a", "where": "x > 0"}],
        "outputs": [
            {"dataset": "a", "connection": "wh", "table": "Out"},
            {"dataset": "t", "connection": "wh", "table": "out"},
        ],
    }
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(e.DuplicateNameError, match="'Out' and 'out'"):
        pushdown.load_flow(tmp_path / "f.yaml")


def test_one_table_name_on_two_connections_is_fine() -> None:
    flow = pushdown.Flow()
    flow.connection("a", "duckdb:///:memory:")
    flow.connection("b", "duckdb:///:memory:")
    t = flow.dataset("t", data=pa.table({"x": [1]}))
    flow.output(t, connection="a", table="out")
    flow.output(t, connection="b", table="out")
    assert len(flow.spec.outputs) == 2


def test_a_computed_column_differing_in_case_is_refused() -> None:
    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"id": [1]}))
    t.compute(ID="id * 2", name="c")
    with pytest.raises(e.DuplicateNameError, match="recipe 'c'.*'id' and 'ID'") as info:
        pushdown.plan(flow)
    assert info.value.column == "ID"


@pytest.mark.parametrize(
    "build",
    [
        lambda t: t.prepare([{"rename": {"b": "A"}}], name="x"),
        lambda t: t.window({"A": "row_number()"}, order_by=["a"], name="x"),
        lambda t: t.group(["a"], {"A_": "count(*)", "a_": "sum(b)"}, name="x"),
        lambda t: t.pivot(["a"], "b", ["k", "K"], "count(*)", name="x"),
        lambda t: t.python(lambda b: b, {"q": "int", "Q": "int"}, name="x"),
        lambda t: t.join(t.compute(B="b", name="r"), on=["a"], name="x"),
    ],
    ids=["rename", "window", "group", "pivot", "python", "join"],
)
def test_every_recipe_refuses_columns_differing_in_case(build: Any) -> None:
    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"a": [1], "b": [2]}))
    build(t)
    with pytest.raises(e.DuplicateNameError, match="differ only in case"):
        pushdown.plan(flow)


def test_arrow_columns_differing_in_case_are_refused_naming_the_dataset(tmp_path: Path) -> None:
    data = pa.table({"Amount": [1], "amount": [2]})
    flow = pushdown.Flow()
    flow.dataset("t", data=data).filter("Amount > 0", name="c")
    with pytest.raises(e.DuplicateNameError, match="dataset 't'.*'Amount' and 'amount'"):
        pushdown.plan(flow)
    import pyarrow.parquet as pq

    pq.write_table(pa.table([[1], [2]], names=["a", "A"]), tmp_path / "case.parquet")
    flow = pushdown.Flow()
    flow.dataset("f", path=str(tmp_path / "case.parquet")).filter("true", name="c")
    with pytest.raises(e.DuplicateNameError, match="dataset 'f'.*'a' and 'A'"):
        pushdown.plan(flow)
    flow = pushdown.Flow()
    flow.dataset("d", data=pa.table([[1], [2]], names=["a", "a"])).filter("true", name="c")
    with pytest.raises(e.DuplicateNameError, match="dataset 'd' has two columns named 'a'"):
        pushdown.plan(flow)


@pytest.mark.parametrize(
    "url", ["spark://local[2]", "hive://ci@127.0.0.1:10000/default", "databricks://token:t@h"]
)
@pytest.mark.parametrize("table", ["x --", "${system:user.name}", "x;", "`x`"])
def test_spark_family_output_names_are_refused_before_anything_runs(url: str, table: str) -> None:
    """saveAsTable('x --') wrote table x and '${system:user.name}' wrote table root: such a
    name never reaches a Spark-family engine (nothing is opened; the flow refuses it)."""
    flow = pushdown.Flow()
    flow.connection("lake", url)
    t = flow.dataset("t", data=pa.table({"x": [1]}))
    with pytest.raises(e.InvalidNameError, match="dataset 't': table name"):
        flow.output(t, connection="lake", table=table)
    assert flow.spec.outputs == []


@pytest.mark.parametrize(
    "steps",
    [[{"rename": {"a": "b", "b": "a"}}], [{"rename": {"a": "b", "b": "c"}}]],
    ids=["swap", "chain"],
)
def test_a_rename_keeps_each_columns_type(steps: list[dict[str, Any]]) -> None:
    """Each renamed column keeps its own type when a new name is another column's old one
    (the types were once updated in place, so ``b`` took ``a``'s type); the formulas after
    the rename are typed, and compiled, by the right types."""
    day = pa.array([datetime.datetime(2025, 3, 4, 5, 6)], pa.timestamp("us"))
    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"a": pa.array([7], pa.int64()), "b": day}))
    renamed = t.prepare(steps, name="r")
    stamp = "c" if "c" in steps[0]["rename"].values() else "a"
    renamed.compute({"m": f"date_trunc('month', {stamp})"}, name="m")
    plan = pushdown.plan(flow)
    schema = plan.logical.nodes["r"].schema
    assert schema.field(stamp).type == pa.timestamp("us")
    assert schema.field("b").type == pa.int64()
    assert plan.logical.nodes["m"].schema.field("m").type == pa.timestamp("us")
    assert "DATETIME_TRUNC" in plan.flow_sql("bigquery")
    got = plan.execute()["m"]
    assert got.column("m").to_pylist() == [datetime.datetime(2025, 3, 1)]
    assert got.column("b").to_pylist() == [7]
