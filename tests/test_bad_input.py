"""Bad input ends in a typed PushdownError naming what is at fault, never a raw exception or
silent acceptance (issue #12, items 10, 11, 12)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pushdown
from pushdown import errors as e
from pushdown.plan.build import build_logical_plan
from pushdown.plan.nodes import Source
from pushdown.planner.fragments import build_fragments

ORDERS = {"id": "bigint", "amount": "double", "status": "varchar", "day": "date"}
BASE: dict[str, Any] = {
    "connections": {"wh": "duckdb:///:memory:"},
    "datasets": [{"name": "orders", "connection": "wh", "table": "orders", "columns": ORDERS}],
}


def write(tmp_path: Path, data: dict[str, Any] | bytes, name: str = "flow.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else yaml.safe_dump(data).encode())
    return path


def base_flow() -> tuple[pushdown.Flow, pushdown.Dataset]:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    return flow, flow.dataset("orders", connection="wh", table="orders", columns=ORDERS)


# -- item 10: raw exceptions become typed errors ---------------------------------------------


def test_a_flow_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b"datasets: []\n# caf\xe9\n")
    with pytest.raises(e.FlowFileError, match=r"flow.yaml is not UTF-8 text: byte 0xe9 on line 2"):
        pushdown.load_flow(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_flow_files_with_a_byte_order_mark_are_read(tmp_path: Path, encoding: str) -> None:
    text = yaml.safe_dump(
        {
            **BASE,
            "recipes": [
                {"type": "filter", "input": "orders", "output": "café", "where": "amount > 1"}
            ],
        },
        allow_unicode=True,
    )
    path = write(tmp_path, text.encode(encoding))
    assert pushdown.load_flow(path).dataset_names() == ["orders", "café"]


@pytest.mark.parametrize(
    ("recipe", "error", "needle"),
    [
        (
            {"type": ["filter"], "input": "orders", "output": "x"},
            e.FlowFileError,
            "'type' is a list",
        ),
        ({"input": "orders", "output": "x"}, e.FlowFileError, "needs a 'type'"),
        (["filter"], e.FlowFileError, "valid dictionary"),
        (
            {"type": "prepare", "input": "orders", "output": "x", "steps": {"compute": {}}},
            e.FlowFileError,
            "steps",
        ),
        (
            {"type": "group", "input": "orders", "output": "x", "aggregates": ["n"]},
            e.FlowFileError,
            "aggregates",
        ),
    ],
)
def test_wrong_yaml_types_are_flow_file_errors(
    tmp_path: Path, recipe: Any, error: type[Exception], needle: str
) -> None:
    with pytest.raises(error, match=needle):
        pushdown.load_flow(write(tmp_path, {**BASE, "recipes": [recipe]}))


def test_unknown_formula_dialect_suggests(tmp_path: Path) -> None:
    with pytest.raises(e.InvalidValueError, match="'snowflak'; did you mean 'snowflake'"):
        pushdown.load_flow(write(tmp_path, {**BASE, "formula_dialect": "snowflak"}))
    with pytest.raises(e.InvalidValueError, match="unknown formula_dialect 'nosuch'"):
        pushdown.Flow(formula_dialect="nosuch")


def test_join_on_no_keys_is_refused() -> None:
    _flow, orders = base_flow()
    with pytest.raises(e.InvalidValueError, match="recipe 'j': 'on' lists no key columns"):
        orders.join(orders.filter("amount > 0", name="o2"), on=[], name="j")


@pytest.mark.parametrize("rows", [math.nan, math.inf, -5, "many"])
def test_bad_statistics_name_the_dataset(rows: Any) -> None:
    flow, orders = base_flow()
    orders.filter("amount > 1", name="f")
    with pytest.raises(e.InvalidValueError, match="dataset 'orders': statistics"):
        pushdown.plan(flow, statistics={"orders": {"rows": rows}})
    with pytest.raises(e.InvalidValueError, match="dataset 'orders': statistics: bytes"):
        pushdown.plan(flow, statistics={"orders": {"rows": 1, "bytes": -1.0}})


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("def f(:\n", "syntax error on line 1"),
        ("raise RuntimeError('boom')\n", "raised RuntimeError: boom"),
        ("import sys\nsys.exit(3)\n", r"called sys.exit\(3\)"),
    ],
    ids=["syntax", "raises", "exits"],
)
def test_a_python_module_that_does_not_load_names_the_recipe(
    tmp_path: Path, body: str, needle: str
) -> None:
    module = f"broken_{abs(hash(body))}"
    (tmp_path / f"{module}.py").write_text(body)
    recipe = {
        "type": "python",
        "input": "orders",
        "output": "p",
        "function": f"{module}:f",
        "schema": {"x": "int"},
    }
    flow = pushdown.load_flow(write(tmp_path, {**BASE, "recipes": [recipe]}))
    with pytest.raises(e.FlowError, match=f"recipe 'p': cannot import .*{needle}"):
        pushdown.plan(flow)


@pytest.mark.parametrize(
    "formula",
    [
        "abs(" * 1000 + "amount" + ")" * 1000,
        "(" * 3000 + "amount" + ")" * 3000,
        "NOT " * 3000 + "true",
        "CASE WHEN true THEN " * 500 + "1" + " END" * 500,
    ],
    ids=["calls", "parentheses", "nots", "cases"],
)
def test_deeply_nested_formulas_are_syntax_errors(formula: str) -> None:
    flow, orders = base_flow()
    orders.compute(y=formula, name="c")
    with pytest.raises(e.FormulaSyntaxError, match="recipe 'c'.*nested too deeply"):
        pushdown.plan(flow)


@pytest.mark.parametrize(
    ("formula", "needle"), [("floor()", "FLOOR"), ("ceil() + amount", "CEIL")]
)
def test_a_call_missing_its_argument_is_a_syntax_error(formula: str, needle: str) -> None:
    """sqlglot's parser builds these calls without their required argument; the type
    annotator then failed with a raw AttributeError."""
    flow, orders = base_flow()
    orders.compute(y=formula, name="c")
    with pytest.raises(e.FormulaSyntaxError, match=f"recipe 'c'.*{needle}.*missing a required"):
        pushdown.plan(flow)
    flow, orders = base_flow()
    flow.sql(f"select {formula} as y from orders", name="q")
    with pytest.raises(e.FormulaSyntaxError, match=f"recipe 'q'.*{needle}.*missing a required"):
        pushdown.plan(flow)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (pa.table({"x": pa.array(np.array([1.0], dtype=np.float16))}), "'x' is halffloat.*float32"),
        (pa.table({"x": pa.array([1], type=pa.decimal256(50, 2))}), "'x' is decimal256"),
        (pa.table({}), "no columns"),
    ],
    ids=["float16", "decimal256", "no-columns"],
)
def test_arrow_data_no_engine_holds_is_refused(data: pa.Table, needle: str) -> None:
    flow = pushdown.Flow()
    with pytest.raises(e.InvalidValueError, match=f"dataset 't': .*{needle}"):
        flow.dataset("t", data=data)


def test_a_parquet_file_of_float16_is_refused(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table({"h": pa.array(np.array([1.0], dtype=np.float16))}), tmp_path / "h.parquet"
    )
    flow = pushdown.Flow()
    flow.dataset("h", path=str(tmp_path / "h.parquet")).filter("true", name="c")
    with pytest.raises(e.InvalidValueError, match="dataset 'h': column 'h' is halffloat"):
        pushdown.plan(flow)


def test_a_declared_file_that_is_missing_names_the_dataset(tmp_path: Path) -> None:
    flow = pushdown.Flow()
    t = flow.dataset("t", path=str(tmp_path / "missing.parquet"), columns={"x": "int"})
    t.filter("x > 0", name="c")
    with pytest.raises(e.FlowError, match="dataset 't': cannot read"):
        pushdown.plan(flow)


@pytest.mark.parametrize("kind", ["dataset", "output", "table", "column", "recipe name"])
def test_empty_names_are_refused(kind: str) -> None:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    with pytest.raises(e.InvalidNameError, match="name is empty"):
        if kind == "dataset":
            flow.dataset("", data=pa.table({"x": [1]}))
        t = flow.dataset("t", data=pa.table({"x": [1]}))
        if kind == "output":
            t.filter("x > 0", name=" ")
        if kind == "table":
            flow.output(t, connection="wh", table="")
        if kind == "column":
            t.compute(**{"": "x"}, name="c")
        if kind == "recipe name":
            t.pivot(["x"], "x", [""], "count(*)", name="p")


@pytest.mark.parametrize("type_name", ["it's", "`x", "array<" * 400 + "int" + ">" * 400])
def test_unreadable_type_names_are_flow_errors(type_name: str) -> None:
    flow = pushdown.Flow()
    flow.dataset("t", path="t.parquet", columns={"x": type_name}).filter("true", name="c")
    with pytest.raises(e.FlowError, match="type"):
        pushdown.plan(flow, engine_statistics=False)


# -- item 10: a dataset read directly and through a local step plans and runs ----------------


def _identity(batch: pa.RecordBatch) -> pa.RecordBatch:
    return batch


@pytest.mark.parametrize(
    "options",
    [
        {"pin": {"j": "wh"}, "statistics": {"orders": {"rows": 1e9}}},
        {"pin": {"f": "wh", "j": "wh", "p": "local"}},
        {"pin": {"g": "local"}, "statistics": {"orders": {"rows": 1e9}}},
    ],
    ids=["large-table", "pinned", "local-middle"],
)
def test_a_table_read_directly_and_through_a_local_step_plans_and_runs(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    db = str(tmp_path / "wh.db")
    con = duckdb.connect(db)
    con.execute("CREATE TABLE orders AS SELECT range AS id, range * 1.5 AS amount FROM range(50)")
    con.close()
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    orders = flow.dataset("orders", connection="wh", table="orders")
    f = orders.filter("amount > 10", name="f")
    p = f.python(_identity, {"id": "bigint", "amount": "double"}, name="p")
    g = p.filter("id % 2 = 0", name="g")
    orders.join(g, on=["id"], right_suffix="_g", name="j")
    plan = pushdown.plan(flow, **options)
    assert plan.steps["j"].engine == "wh" and plan.steps["f"].engine == "wh"
    rows = plan.execute()["j"].to_pylist()
    assert sorted(r["id"] for r in rows) == [i for i in range(50) if i * 1.5 > 10 and i % 2 == 0]
    assert all(r["amount"] == r["amount_g"] for r in rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fragments_of_any_placement_form_a_dag_covering_every_step(data: st.DataObject) -> None:
    """Random DAGs of sources, filters, joins and Python steps under random placements: the
    fragments cover every step once, read only what earlier fragments produce, and read
    source tables in place on their own engine."""
    flow = pushdown.Flow()
    for c in ("a", "b"):
        flow.connection(c, "duckdb:///:memory:")
    engines = {}
    datasets = []
    for i in range(data.draw(st.integers(1, 3))):
        conn = data.draw(st.sampled_from(["a", "b"]))
        datasets.append(flow.dataset(f"s{i}", connection=conn, table=f"s{i}", columns={"x": "int"}))
        engines[f"s{i}"] = conn
    for i in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["filter", "join", "python"]))
        left = data.draw(st.sampled_from(datasets))
        if kind == "filter":
            ds = left.filter("x > 0", name=f"n{i}")
        elif kind == "join":
            ds = left.join(data.draw(st.sampled_from(datasets)), on=["x"], how="semi", name=f"n{i}")
        else:
            ds = left.python(_identity, {"x": "int"}, name=f"n{i}")
        engines[ds.name] = (
            "local" if kind == "python" else data.draw(st.sampled_from(["a", "b", "local"]))
        )
        datasets.append(ds)
    logical = build_logical_plan(flow)
    fragments = build_fragments(logical, engines)
    produced: set[str] = set()
    owners: dict[str, int] = {}
    for frag in fragments:
        assert set(frag.inputs) <= produced, "a fragment reads what no earlier one produced"
        produced |= set(frag.outputs)
        for name in frag.nodes:
            node = logical.nodes[name]
            assert engines[name] == frag.engine, f"{name} runs on {engines[name]}"
            if not isinstance(node, Source):
                assert name not in owners, f"{name} computed twice"
                owners[name] = frag.id
                for inp in node.inputs:
                    assert inp in frag.nodes or inp in frag.inputs
    computed = {n for n, node in logical.nodes.items() if not isinstance(node, Source)}
    assert set(owners) == computed
    assert set(logical.sinks()) <= produced


# -- item 11: nothing silently accepted -----------------------------------------------------


def test_duplicate_keys_in_flow_files_are_refused(tmp_path: Path) -> None:
    text = (
        'connections: {wh: "duckdb:///:memory:"}\n'
        "datasets:\n"
        "  - {name: t, connection: wh, table: t, columns: {x: int}}\n"
        "recipes:\n"
        "  - type: filter\n"
        "    input: t\n"
        "    output: a\n"
        "    where: x > 1\n"
        "    where: x > 2\n"
    )
    with pytest.raises(e.FlowFileError, match=r"flow.yaml: key 'where' appears twice.*8 and 9"):
        pushdown.load_flow(write(tmp_path, text.encode()))
    path = write(tmp_path, b'{"recipes": [], "recipes": []}', "flow.json")
    with pytest.raises(e.FlowFileError, match="flow.json: key 'recipes' appears twice"):
        pushdown.load_flow(path)


@pytest.mark.parametrize(
    ("kind", "formula", "needle"),
    [
        ("if", "amount", "condition 'amount' \\(double\\) is not a boolean"),
        ("filter", "NOT amount", "NOT operand 'amount'"),
        ("filter", "amount AND id > 1", "AND operand 'amount'"),
        ("filter", "day > 5", "'day' \\(date32\\[day\\]\\) is a date/time and '5'"),
        ("filter", "status > 5", "is a text and '5'"),
        ("filter", "amount = 'abc'", "is a number and"),
        ("filter", "status = day", "is a text and 'day'"),
        ("filter", "amount IN ('a', 'b')", "is a number"),
        ("filter", "status BETWEEN 1 AND 2", "is a text"),
        ("filter", "amount LIKE 'x%'", "LIKE compares text"),
        ("filter", "status IS TRUE", "IS TRUE/FALSE operand"),
        ("compute", "CASE WHEN amount > 1 THEN 1 ELSE 'a' END", "is a number and"),
        ("compute", "coalesce(amount, 'x')", "is a number and"),
        ("compute", "abs(status)", "ABS expects a number"),
        ("compute", "round(status, 2)", "ROUND expects a number"),
        ("compute", "-status", "negation of text"),
        ("compute", "date_trunc('month', status)", "expects a date or timestamp"),
        ("compute", "extract(year from amount)", "expects a date or timestamp"),
        ("compute", "day * 2", "mul of 'day'"),
        ("compute", "(amount > 1) + 1", "add of boolean"),
    ],
)
def test_type_errors_are_caught_while_planning(kind: str, formula: str, needle: str) -> None:
    flow, orders = base_flow()
    if kind == "if":
        orders.prepare([{"if": formula, "then": "1", "else": "0", "as": "x"}], name="r")
    elif kind == "filter":
        orders.filter(formula, name="r")
    else:
        orders.compute(x=formula, name="r")
    with pytest.raises(e.FormulaTypeError, match=f"recipe 'r'.*{needle}"):
        pushdown.plan(flow, engine_statistics=False)


@pytest.mark.parametrize(
    "formula",
    [
        "day >= '2024-01-01'",
        "id = '5'",
        "day + 1 > day",
        "day - INTERVAL 1 DAY < day",
        "day + INTERVAL 1 DAY > day",
        "CASE WHEN amount > 1 THEN amount ELSE 0 END > 0",
        "coalesce(status, 'none') = 'x'",
        "status LIKE 'a%' AND amount > 1",
        "NOT (amount > 1) OR status IS NULL",
        "round(amount, 2) > abs(id)",
    ],
)
def test_well_typed_formulas_still_plan_and_run(formula: str, tmp_path: Path) -> None:
    db = str(tmp_path / "wh.db")
    con = duckdb.connect(db)
    con.execute(
        "CREATE TABLE orders AS SELECT 1::BIGINT AS id, 2.5 AS amount, 'a' AS status, "
        "DATE '2024-02-01' AS day"
    )
    con.close()
    flow, orders = base_flow()
    orders.filter(formula, name="r")
    pushdown.plan(flow, connections={"wh": f"duckdb:///{db}"}).execute()


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda o: o.pivot(["id"], "status", "open", "sum(amount)"), "'values' takes a list"),
        (lambda o: o.group("status", {"n": "count(*)"}), "'by' takes a list"),
        (lambda o: o.top_n(3, "amount DESC"), "'order_by' takes a list"),
        (lambda o: o.distinct("status"), "'columns' takes a list"),
        (lambda o: o.join(o.filter("id > 1", name="o2"), on="id"), "'on' takes a list"),
        (lambda o: o.window({"r": "rank()"}, order_by="amount"), "'order_by' takes a list"),
        (lambda o: o.prepare({"compute": {"x": "1"}}), "'steps' takes a list"),
        (lambda o: o.python(lambda b: b, ["x"]), "'schema' takes a mapping"),
        (lambda o: o.distinct([]), "'columns' lists no column"),
    ],
    ids=["pivot", "group", "top_n", "distinct", "join", "window", "prepare", "python", "empty"],
)
def test_a_string_or_empty_list_where_a_list_belongs_is_refused(build: Any, needle: str) -> None:
    _, orders = base_flow()
    with pytest.raises(e.InvalidValueError, match=needle):
        build(orders)


@pytest.mark.parametrize("n", [True, 2.0, "3", 0])
def test_top_n_takes_a_whole_number(n: Any) -> None:
    _, orders = base_flow()
    with pytest.raises(e.FlowFileError, match="recipe 'top': n"):
        orders.top_n(n, ["amount"], name="top")


def test_stack_distinct_takes_a_boolean() -> None:
    flow, orders = base_flow()
    with pytest.raises(e.FlowFileError, match="recipe 's': distinct"):
        flow.stack([orders, orders.filter("id > 1", name="o2")], distinct="yes", name="s")  # type: ignore[arg-type]


def test_connect_args_for_an_unknown_connection_suggest(tmp_path: Path) -> None:
    flow, orders = base_flow()
    orders.filter("amount > 1", name="f")
    with pytest.raises(
        e.ConnectionConfigError, match="unknown connection 'whh'; did you mean 'wh'"
    ):
        pushdown.plan(flow, connect_args={"whh": {"timeout": 1}}, engine_statistics=False)


@pytest.mark.parametrize(
    "options",
    [
        {"pin": {"f": "wh"}, "forbid": ["wh"]},
        {"pin": {"f": "local"}, "forbid_steps": {"f": ["local"]}},
    ],
)
def test_pin_and_forbid_on_one_engine_are_refused(options: dict[str, Any]) -> None:
    flow, orders = base_flow()
    orders.filter("amount > 1", name="f")
    with pytest.raises(e.InvalidValueError, match="dataset 'f': step 'f' is pinned to"):
        pushdown.plan(flow, engine_statistics=False, **options)


@pytest.mark.parametrize("option", ["forbid", "materialize"])
def test_plan_options_refuse_a_string_where_a_list_belongs(option: str) -> None:
    flow, orders = base_flow()
    orders.filter("amount > 1", name="f")
    with pytest.raises(e.InvalidValueError, match=f"'{option}' takes a list"):
        pushdown.plan(flow, engine_statistics=False, **{option: "f"})


def test_a_dataset_of_another_flow_is_refused() -> None:
    flow, orders = base_flow()
    _, other_orders = base_flow()  # same name, other flow: silently joined before
    with pytest.raises(e.UnknownDatasetError, match="'orders' belongs to another Flow"):
        orders.join(other_orders, on=["id"], name="j")
    with pytest.raises(e.UnknownDatasetError, match="belongs to another Flow"):
        flow.stack([orders, other_orders], name="s")
    with pytest.raises(e.UnknownDatasetError, match="belongs to another Flow"):
        flow.output(other_orders, connection="wh", table="out")


# -- item 12: messages that say what is wrong and where --------------------------------------


def _prepare(steps: list[Any]) -> dict[str, Any]:
    return {
        **BASE,
        "recipes": [{"type": "prepare", "input": "orders", "output": "x", "steps": steps}],
    }


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (
            _prepare([{"compute": {"k": 5}}]),
            e.FlowFileError,
            "recipe 'x': flow.yaml: steps.0.compute.k: Input should be a valid string (got 5",
        ),
        (
            _prepare([{"comptue": {"k": "5"}}]),
            e.UnknownOptionError,
            "recipe 'x': steps.0: unknown prepare step 'comptue'; did you mean 'compute'?",
        ),
        (
            _prepare([{"compute": {"k": "5"}, "drop": ["id"]}]),
            e.UnknownOptionError,
            "this one has 'compute' and 'drop'; make them separate steps",
        ),
        (
            _prepare([{"if": "id > 1", "then": "1", "as": "z", "els": "2"}]),
            e.UnknownOptionError,
            "recipe 'x': steps.0.if: unknown option 'els'; did you mean 'else'?",
        ),
        (
            {**BASE, "recipies": []},
            e.UnknownOptionError,
            "unknown option 'recipies'; did you mean 'recipes'?",
        ),
        (
            {**BASE, "datasets": [{"name": "orders", "conection": "wh", "table": "orders"}]},
            e.UnknownOptionError,
            "dataset 'orders': unknown option 'conection'; did you mean 'connection'?",
        ),
        (
            {**BASE, "outputs": [{"dataset": "orders", "connection": "wh", "tabel": "o"}]},
            e.UnknownOptionError,
            "dataset 'orders': unknown option 'tabel'; did you mean 'table'?",
        ),
    ],
    ids=["formula-number", "step-typo", "two-steps", "if-typo", "top-level", "dataset", "output"],
)
def test_format_mistakes_say_what_and_where(
    tmp_path: Path, data: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        pushdown.load_flow(write(tmp_path, data))
    assert message in str(info.value)


def test_a_backwards_window_frame_names_the_recipe() -> None:
    _, orders = base_flow()
    with pytest.raises(e.InvalidValueError) as info:
        orders.window(
            {"s": {"formula": "sum(amount)", "frame": [0, -2]}}, order_by=["id"], name="w"
        )
    assert str(info.value) == (
        "recipe 'w': window frame [0, -2] of 'sum(amount)' starts after it ends; write [-2, 0]"
    )
    assert info.value.recipe == "w"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda f, t: f.dataset(5, data=pa.table({"x": [1]})), e.InvalidNameError),
        (lambda f, t: f.connection(5, "duckdb:///:memory:"), e.FlowFileError),
        (lambda f, t: f.connection("z", 5), e.FlowFileError),
        (lambda f, t: f.connection("", "duckdb:///:memory:"), e.InvalidNameError),
        (lambda f, t: f.connection("local", "duckdb:///:memory:"), e.InvalidNameError),
        (lambda f, t: f.dataset("u", path="u.parquet", columns=["x"]), e.InvalidValueError),
        (lambda f, t: t.filter(5), e.FlowFileError),
        (
            lambda f, t: t.window({"s": {"formula": "sum(x)", "frame": "a"}}, order_by=["x"]),
            e.FlowFileError,
        ),
        (lambda f, t: f.stack([t]), e.FlowFileError),
        (lambda f, t: t.join(t, on=["x"], how="outer"), e.FlowFileError),
    ],
    ids=[
        "int-dataset-name",
        "int-connection-name",
        "int-url",
        "empty-connection",
        "local-connection",
        "columns-list",
        "int-formula",
        "frame-text",
        "stack-one",
        "how",
    ],
)
def test_odd_builder_arguments_are_typed_errors(build: Any, error: type[Exception]) -> None:
    flow = pushdown.Flow()
    t = flow.dataset("t", data=pa.table({"x": [1]}))
    with pytest.raises(error):
        build(flow, t)


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda o: o.group(["status"], {"t": "sum(sum(amount))"}, name="r"), "nests 'SUM"),
        (lambda o: o.group(["status"], {"t": "max(amount) + avg(min(id))"}, name="r"), "nests"),
        (
            lambda o: o.window({"t": "sum(max(amount))"}, partition_by=["status"], name="r"),
            "nests an aggregate.*group recipe first",
        ),
        (
            lambda o: o.pivot(["id"], "status", ["a"], "sum(max(amount))", name="r"),
            "must be one aggregate call",
        ),
    ],
)
def test_nested_aggregates_are_refused_while_planning(build: Any, needle: str) -> None:
    # No engine accepts an aggregate inside an aggregate; DuckDB's binder refused it only
    # when the plan ran.
    flow, orders = base_flow()
    build(orders)
    with pytest.raises(e.FormulaTypeError, match=f"recipe 'r'.*{needle}"):
        pushdown.plan(flow, engine_statistics=False)


@pytest.mark.parametrize(
    "query",
    [
        "select status, sum(sum(amount)) as t from orders group by status",
        "select status, sum(amount) + max(min(id)) as t from orders group by status",
        "select max(count(*)) as t from orders",
    ],
)
def test_nested_aggregates_in_sql_recipes_are_refused_while_planning(query: str) -> None:
    flow, _ = base_flow()
    flow.sql(query, name="r")
    with pytest.raises(e.FormulaTypeError, match="recipe 'r'.*inside an aggregate"):
        pushdown.plan(flow, engine_statistics=False)


def test_date_diff_read_with_another_engines_argument_order_names_the_unit() -> None:
    """``date_diff('year', d, e)`` (DuckDB's order) read by the neutral reader takes the
    column ``e`` for the unit and a string for a date: a syntax error that says how formulas
    read it, not SQL that means something else on each engine."""
    flow, orders = base_flow()
    orders.compute(y="date_diff('year', amount, amount)", name="c")
    with pytest.raises(e.FormulaSyntaxError, match="recipe 'c'.*unit 'AMOUNT' is not a date part"):
        pushdown.plan(flow)
