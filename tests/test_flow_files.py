"""The Python builder and YAML/JSON flow files describe the same flows; the JSON Schema and the
command line work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import pushdown
from pushdown.cli import main as cli
from tests.cases import CASES, build_flow

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT / "examples" / "retail" / "flow.yaml"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name != "python_step"], ids=lambda c: c.name
)
def test_yaml_and_json_round_trip_builds_the_same_flow(case: object, tmp_path: Path) -> None:
    flow = build_flow(case, connection_url="duckdb:///:memory:")  # type: ignore[arg-type]
    (tmp_path / "f.yaml").write_text(flow.to_yaml())
    (tmp_path / "f.json").write_text(flow.to_json())
    assert pushdown.load_flow(tmp_path / "f.yaml") == flow
    assert pushdown.load_flow(tmp_path / "f.json") == flow


def test_python_builder_equals_retail_flow_file() -> None:
    flow = pushdown.Flow()
    data = (ROOT / "examples" / "data").as_posix()  # the file's relative paths, resolved
    flow.connection("warehouse", f"duckdb:///{data}/retail.db")
    orders = flow.dataset("orders", connection="warehouse", table="orders")
    customers = flow.dataset("customers", connection="warehouse", table="customers")
    regions = flow.dataset("regions", path=f"{data}/regions.parquet")
    completed = orders.filter("status = 'completed'", name="completed_orders")
    priced = completed.prepare(
        [
            {
                "compute": {
                    "net_amount": "round(amount * (1 - discount), 2)",
                    "month": "date_trunc('month', order_date)",
                }
            },
            {"drop": ["status"]},
        ],
        name="priced_orders",
    )
    customer_orders = priced.join(customers, on=["customer_id"], name="customer_orders")
    regional = customer_orders.join(regions, on=["region_code"], how="left", name="regional_orders")
    monthly = regional.group(
        ["region_name", "month"],
        {
            "revenue": "sum(net_amount)",
            "orders": "count(*)",
            "buyers": "count(distinct customer_id)",
            "median_order": "median(net_amount)",
        },
        name="monthly_revenue",
    )
    monthly.window(
        {
            "revenue_to_date": "sum(revenue)",
            "previous_month": "lag(revenue, 1)",
            "moving_avg_3m": {"formula": "avg(revenue)", "frame": [-2, 0]},
            "month_rank": "rank()",
        },
        partition_by=["region_name"],
        order_by=["month"],
        name="revenue_trend",
    )
    value = customer_orders.group(
        ["customer_id", "name"],
        {
            "revenue": "round(sum(net_amount), 2)",
            "orders": "count(*)",
            "last_order": "max(order_date)",
        },
        name="customer_value",
    )
    scored = value.python(
        "scoring:score",
        {"customer_id": "bigint", "name": "varchar", "revenue": "double", "churn_risk": "double"},
        name="scored_customers",
    )
    scored.top_n(10, ["churn_risk DESC", "revenue DESC"], name="at_risk_customers")
    flow.output("revenue_trend", connection="warehouse", table="revenue_trend")
    assert flow == pushdown.load_flow(RETAIL)


def test_formula_dialect_snowflake() -> None:
    """A flow may write its formulas in Snowflake SQL; they compile to every engine."""
    flow = pushdown.Flow(formula_dialect="snowflake")
    t = flow.dataset("t", data=pa.table({"a": [1, 5, 10], "b": ["x", "y", None]}))
    t.compute(big="IFF(a > 4, 'yes', 'no')", b2="NVL(b, 'none')", name="out")
    plan = pushdown.plan(flow)
    assert "IF(" in plan.flow_sql("spark") and "COALESCE" in plan.flow_sql("bigquery")
    out = plan.execute()["out"].to_pydict()
    assert out["big"] == ["no", "yes", "yes"] and out["b2"] == ["x", "y", "none"]


def test_json_schema_validates_the_retail_flow() -> None:
    schema = pushdown.json_schema()
    assert schema["title"] == "pushdown flow"
    recipe_kinds = {
        ref["$ref"].rsplit("/", 1)[1] for ref in schema["properties"]["recipes"]["items"]["oneOf"]
    }
    assert {"FilterRecipe", "PythonRecipe", "SplitRecipe"} <= recipe_kinds


def test_shipped_schema_file_is_the_models_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """``pushdown schema`` prints ``flow.schema.json`` (no pydantic at start-up); it must be
    what the models give, byte for byte.  After changing the flow models, regenerate it with
    ``python -m pushdown.recipe.schema``."""
    from pushdown.recipe.schema import SCHEMA_FILE, generated_text

    assert SCHEMA_FILE.read_text(encoding="utf-8") == generated_text(), (
        "flow.schema.json is stale: run python -m pushdown.recipe.schema"
    )
    assert cli(["schema"]) == 0
    assert capsys.readouterr().out == json.dumps(pushdown.json_schema(), indent=2) + "\n"


def test_cli_schema_plan_and_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, warehouse_url: str
) -> None:
    assert cli(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "pushdown flow"
    flow = tmp_path / "f.yaml"
    flow.write_text(
        "connections: {wh: 'duckdb:///:memory:'}\n"
        "datasets: [{name: orders, connection: wh, table: orders}]\n"
        "recipes:\n"
        "  - {type: group, input: orders, output: by_status, by: [status],\n"
        "     aggregates: {n: 'count(*)'}}\n"
    )
    assert cli(["plan", str(flow), "-c", f"wh={warehouse_url}"]) == 0
    out = capsys.readouterr().out
    assert "by_status" in out and "COUNT(*)" in out
    assert cli(["run", str(flow), "-c", f"wh={warehouse_url}"]) == 0
    assert "by_status: 4 rows" in capsys.readouterr().out
    assert cli(["plan", str(flow), "-c", "wh=nonsense"]) == 2
    assert "ConnectionConfigError" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pushdown.cli", "schema"], capture_output=True, text=True, check=True
    )
    assert '"pushdown flow"' in proc.stdout
