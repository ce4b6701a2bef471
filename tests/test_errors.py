"""Bad input gets a typed error that names the recipe and column and offers alternatives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml

import pushdown
from pushdown import errors as e

ORDERS = {"id": "bigint", "amount": "double", "status": "varchar", "day": "date"}


def base_flow() -> tuple[pushdown.Flow, pushdown.Dataset]:
    flow = pushdown.Flow()
    flow.connection("wh", "duckdb:///:memory:")
    return flow, flow.dataset("orders", connection="wh", table="orders", columns=ORDERS)


def load(tmp_path: Path, data: dict[str, Any], suffix: str = ".yaml") -> pushdown.Flow:
    path = tmp_path / f"flow{suffix}"
    path.write_text(yaml.safe_dump(data))
    return pushdown.load_flow(path)


FILE_BASE: dict[str, Any] = {
    "connections": {"wh": "duckdb:///:memory:"},
    "datasets": [{"name": "orders", "connection": "wh", "table": "orders", "columns": ORDERS}],
}


def test_every_error_is_a_pushdown_error() -> None:
    for name in dir(e):
        obj = getattr(e, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == e.__name__:
            assert issubclass(obj, e.PushdownError)


def test_unknown_column_names_recipe_column_and_suggestion() -> None:
    flow, orders = base_flow()
    orders.filter("amout > 3", name="big")
    with pytest.raises(e.UnknownColumnError) as info:
        pushdown.plan(flow)
    msg = str(info.value)
    assert "'big'" in msg and "'amout'" in msg and "did you mean 'amount'" in msg
    assert info.value.recipe == "big" and info.value.column == "amout"


def test_unknown_column_in_group_key() -> None:
    flow, orders = base_flow()
    orders.group(["stat"], {"n": "count(*)"}, name="g")
    with pytest.raises(e.UnknownColumnError, match=r"recipe 'g'.*'stat'.*'status'"):
        pushdown.plan(flow)


def test_unparsable_formula() -> None:
    flow, orders = base_flow()
    orders.compute(x="amount * (1 -", name="p")
    with pytest.raises(e.FormulaSyntaxError, match=r"recipe 'p'.*'x'.*amount \* \(1 -"):
        pushdown.plan(flow)


def test_a_statement_is_not_a_formula() -> None:
    flow, orders = base_flow()
    orders.filter("amount > 1; DROP TABLE orders", name="f")
    with pytest.raises(e.FormulaSyntaxError, match="recipe 'f'.*2 statements"):
        pushdown.plan(flow)


@pytest.mark.parametrize(
    ("formula", "needle"),
    [
        ("upper(amount)", "expects text"),
        ("status + 1", "add of text"),
        ("sum(status)", "expects a number"),
    ],
)
def test_type_mismatch(formula: str, needle: str) -> None:
    flow, orders = base_flow()
    if formula.startswith("sum"):
        orders.group([], {"bad": formula}, name="t")
    else:
        orders.compute(bad=formula, name="t")
    with pytest.raises(e.FormulaTypeError) as info:
        pushdown.plan(flow)
    assert needle in str(info.value) and "recipe 't'" in str(info.value)
    assert info.value.column == "bad"


def test_filter_must_be_boolean() -> None:
    flow, orders = base_flow()
    orders.filter("amount + 1", name="f")
    with pytest.raises(e.FormulaTypeError, match="not a boolean"):
        pushdown.plan(flow)


def test_aggregate_needs_aggregate_function() -> None:
    flow, orders = base_flow()
    orders.group(["status"], {"x": "amount"}, name="g")
    with pytest.raises(e.FormulaTypeError, match="no aggregate function"):
        pushdown.plan(flow)


def test_duplicate_output_names() -> None:
    _, orders = base_flow()
    orders.filter("amount > 1", name="big")
    with pytest.raises(e.DuplicateNameError, match="'big' is already defined"):
        orders.filter("amount > 2", name="big")


def test_duplicate_output_names_in_file(tmp_path: Path) -> None:
    data = {
        **FILE_BASE,
        "recipes": [
            {"type": "filter", "input": "orders", "output": "x", "where": "amount > 1"},
            {"type": "filter", "input": "orders", "output": "x", "where": "amount > 2"},
        ],
    }
    with pytest.raises(e.DuplicateNameError, match="output 'x' is already produced"):
        pushdown.plan(load(tmp_path, data))


def test_unknown_dataset_suggests(tmp_path: Path) -> None:
    data = {
        **FILE_BASE,
        "recipes": [{"type": "filter", "input": "ordrs", "output": "x", "where": "amount > 1"}],
    }
    with pytest.raises(e.UnknownDatasetError, match="recipe 'x'.*'ordrs'.*did you mean 'orders'"):
        pushdown.plan(load(tmp_path, data))


def test_cycle(tmp_path: Path) -> None:
    data = {
        **FILE_BASE,
        "recipes": [
            {"type": "filter", "input": "b", "output": "a", "where": "amount > 1"},
            {"type": "filter", "input": "a", "output": "b", "where": "amount > 1"},
        ],
    }
    with pytest.raises(e.CycleError, match="cycle: .*a.*b"):
        pushdown.plan(load(tmp_path, data))


def test_unknown_recipe_option(tmp_path: Path) -> None:
    data = {
        **FILE_BASE,
        "recipes": [{"type": "filter", "input": "orders", "output": "x", "wher": "amount > 1"}],
    }
    with pytest.raises(e.UnknownOptionError, match="recipe 'x'.*'wher'.*did you mean 'where'"):
        load(tmp_path, data)


def test_unknown_recipe_type(tmp_path: Path) -> None:
    data = {**FILE_BASE, "recipes": [{"type": "fliter", "input": "orders", "output": "x"}]}
    with pytest.raises(e.UnknownOptionError, match="'fliter'.*did you mean 'filter'"):
        load(tmp_path, data)


def test_invalid_file_is_flow_file_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("recipes: [unclosed")
    with pytest.raises(e.FlowFileError, match="bad.yaml is not valid YAML"):
        pushdown.load_flow(path)
    with pytest.raises(e.FlowFileError, match="cannot read flow file"):
        pushdown.load_flow(tmp_path / "missing.yaml")


def test_unknown_connection() -> None:
    flow = pushdown.Flow()
    flow.connection("warehouse", "duckdb:///:memory:")
    flow.dataset("orders", connection="wherehouse", table="orders", columns=ORDERS)
    with pytest.raises(e.UnknownConnectionError, match="'wherehouse'.*did you mean 'warehouse'"):
        pushdown.plan(flow)


@pytest.mark.parametrize("url", ["not a url", "mysql://u@h/db", "duckdb//x.db"])
def test_bad_url(url: str) -> None:
    flow, _ = base_flow()
    with pytest.raises(e.ConnectionConfigError, match="connection 'wh'"):
        pushdown.plan(flow, connections={"wh": url})


def test_missing_environment_variable_names_it_without_values(monkeypatch: Any) -> None:
    monkeypatch.delenv("PD_TEST_DB", raising=False)
    flow, orders = base_flow()
    orders.filter("amount > 1", name="f")
    plan = pushdown.plan(flow, connections={"wh": "duckdb:///${PD_TEST_DB}"})
    with pytest.raises(e.ConnectionConfigError, match="PD_TEST_DB, which is not set"):
        plan.execute()


def test_credentials_never_appear_in_errors() -> None:
    flow, _ = base_flow()
    with pytest.raises(e.ConnectionConfigError) as info:
        pushdown.plan(flow, connections={"wh": "nosuch://me:hunter2@host/db"})
    assert "hunter2" not in str(info.value)
    assert e.redact("snowflake://me:hunter2@acct/db?password=x") == (
        "snowflake://me:***@acct/db?password=***"
    )


def test_missing_driver_names_the_extra(monkeypatch: Any) -> None:
    """Fault injection: the driver is made unimportable (the test environment installs it)."""
    import sys

    for module in [m for m in sys.modules if m.startswith("snowflake")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "snowflake", None)
    flow = pushdown.Flow()
    flow.connection("sf", "snowflake://me:${SF_PASSWORD}@acct/db/schema")
    flow.dataset("orders", connection="sf", table="orders")  # schema must be read from Snowflake
    with pytest.raises(e.ConnectionConfigError, match=r"pip install 'pushdown\[snowflake\]'"):
        pushdown.plan(flow, connections={"sf": "snowflake://me:pw@acct/db/schema"})


def test_warehouse_urls_plan_offline() -> None:
    """With declared columns and no engine statistics, planning needs no connection: SQL for
    every warehouse scheme is produced offline."""
    for scheme, engine in [
        ("snowflake://u:p@acct/db", "snowflake"),
        ("bigquery://proj/ds", "bigquery"),
        ("databricks://token:t@host?http_path=/x", "databricks"),
        ("hive://u@host:10000/default", "hive"),
    ]:
        flow = pushdown.Flow()
        flow.connection("wh", scheme)
        orders = flow.dataset("orders", connection="wh", table="orders", columns=ORDERS)
        orders.filter("amount > 1", name="big")
        plan = pushdown.plan(flow, engine_statistics=False)
        assert plan.steps["big"].engine == "wh"
        assert plan.profiles["wh"].name == engine
        assert "amount" in plan.sql("wh")


def test_python_step_errors_name_the_recipe() -> None:
    def broken(batch: pa.RecordBatch) -> pa.RecordBatch:
        raise ValueError("boom")

    def wrong(batch: pa.RecordBatch) -> pa.RecordBatch:
        return pa.RecordBatch.from_pydict({"other": [1] * batch.num_rows})

    for fn, needle in ((broken, "ValueError: boom"), (wrong, "lacks declared column")):
        flow = pushdown.Flow()
        t = flow.dataset("t", data=pa.table({"x": [1, 2]}))
        t.python(fn, {"x": "bigint"}, name="py")
        with pytest.raises(e.PythonStepError, match=f"python recipe 'py'.*{needle}"):
            pushdown.plan(flow).execute()


def test_python_function_reference_that_does_not_import(tmp_path: Path) -> None:
    data = {
        **FILE_BASE,
        "recipes": [
            {
                "type": "python",
                "input": "orders",
                "output": "p",
                "function": "no_such_module:f",
                "schema": {"x": "int"},
            }
        ],
    }
    with pytest.raises(e.FlowError, match="recipe 'p'.*cannot import"):
        pushdown.plan(load(tmp_path, data))


def test_join_errors() -> None:
    flow, orders = base_flow()
    other = flow.dataset(
        "other", connection="wh", table="other", columns={"id": "varchar", "amount": "double"}
    )
    orders.join(other, on=["id"], name="j")
    with pytest.raises(e.FormulaTypeError, match="join keys 'id'.*incompatible"):
        pushdown.plan(flow)
    flow2, orders2 = base_flow()
    other2 = flow2.dataset("other", connection="wh", table="other", columns={"id": "bigint"})
    orders2.join(other2, condition="id = id", name="j")
    with pytest.raises(e.FlowError, match="'id' is in both 'orders' and 'other'; qualify"):
        pushdown.plan(flow2)


def test_engine_error_carries_sql_and_chains_driver(tmp_path: Path) -> None:
    flow, orders = base_flow()
    orders.filter("amount > 1", name="big")  # the table does not exist in this database
    plan = pushdown.plan(flow, connections={"wh": f"duckdb:///{tmp_path / 'empty.db'}"})
    with pytest.raises(e.EngineError) as info:
        plan.execute()
    assert info.value.engine == "wh" and info.value.sql and '"orders"' in info.value.sql
    assert info.value.__cause__ is not None


def test_unsupported_retarget_names_engine_and_construct() -> None:
    flow, orders = base_flow()
    orders.group(["status"], {"m": "median(amount)"}, name="g")
    with pytest.raises(e.UnsupportedError) as info:
        pushdown.plan(flow).sql("hive")
    assert info.value.engine == "hive" and info.value.construct == "MEDIAN"
    assert "recipe 'g'" in str(info.value)


def test_docs_errors_lists_every_error_class() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "errors.md").read_text()
    for name in dir(e):
        obj = getattr(e, name)
        if isinstance(obj, type) and issubclass(obj, e.PushdownError):
            assert f"| `{name}` |" in text, f"docs/errors.md does not describe {name}"
