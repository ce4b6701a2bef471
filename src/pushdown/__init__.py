"""pushdown: decide where data work runs.

Describe a flow (datasets and recipes) in Python or in a YAML/JSON file, then ``plan()`` it:
every step is placed on the engine that holds its data when that engine can express it,
otherwise it runs locally on Arrow, and consecutive steps on one engine compile to one SQL
statement.

>>> import pushdown
>>> flow = pushdown.Flow()
>>> flow.connection("wh", "duckdb:///:memory:")
>>> t = flow.dataset("t", connection="wh", table="t", columns={"x": "int"})
>>> _ = t.filter("x > 1", name="big")
>>> print(pushdown.plan(flow).sql("snowflake"))
SELECT
  *
FROM "t"
WHERE
  "x" > 1;
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pushdown.errors import (
    ConnectionConfigError,
    CycleError,
    DuplicateNameError,
    EngineError,
    FlowError,
    FlowFileError,
    FormulaSyntaxError,
    FormulaTypeError,
    PushdownError,
    PythonStepError,
    UnknownColumnError,
    UnknownConnectionError,
    UnknownDatasetError,
    UnknownOptionError,
    UnsupportedError,
)
from pushdown.planner.cost import Objective
from pushdown.planner.make import StatsInput, make_plan
from pushdown.planner.plan import Plan, Step
from pushdown.planner.stats import ColumnStats, TableStats
from pushdown.recipe.flow import Dataset, Flow, load_flow
from pushdown.recipe.spec import json_schema
from pushdown.run import RunResult

__version__ = "0.1.0"


def plan(
    flow: Flow,
    connections: Mapping[str, str] | None = None,
    *,
    statistics: Mapping[str, StatsInput] | None = None,
    objective: Objective = "time",
    cost_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    pin: Mapping[str, str] | None = None,
    forbid: Iterable[str] = (),
    forbid_steps: Mapping[str, Iterable[str]] | None = None,
    materialize: Iterable[str] = (),
    dialects: Mapping[str, str] | None = None,
) -> Plan:
    """Plan ``flow``: place each step on the cheapest engine that can run it.

    - ``connections`` overrides (or adds) connection URLs by name, e.g. to point a flow at a
      test database: ``plan(flow, connections={"wh": "duckdb:///test.db"})``;
    - ``statistics`` supplies table statistics by dataset (``{"orders": {"rows": 1e7}}``);
      otherwise the engines are asked;
    - ``objective``: ``"time"`` (default), ``"money"``, or seconds per dollar for a mix;
    - ``cost_overrides`` changes cost parameters per connection (``{"wh":
      {"query_latency_s": 2}}``); ``"local"`` names local execution;
    - ``pin`` fixes steps to engines (``{"scored": "local"}``); ``forbid`` excludes engines
      everywhere and ``forbid_steps`` per step; ``materialize`` computes steps once into a
      table;
    - ``dialects`` plans a connection with another engine's profile, e.g. a Spark Thrift
      server reached through ``hive://`` but speaking Spark SQL: ``{"lake": "spark"}``.
    """
    return make_plan(
        flow,
        connections,
        statistics=statistics,
        objective=objective,
        cost_overrides=cost_overrides,
        pin=pin,
        forbid=forbid,
        forbid_steps=forbid_steps,
        materialize=materialize,
        dialects=dialects,
    )


__all__ = [
    "ColumnStats",
    "ConnectionConfigError",
    "CycleError",
    "Dataset",
    "DuplicateNameError",
    "EngineError",
    "Flow",
    "FlowError",
    "FlowFileError",
    "FormulaSyntaxError",
    "FormulaTypeError",
    "Plan",
    "PushdownError",
    "PythonStepError",
    "RunResult",
    "Step",
    "TableStats",
    "UnknownColumnError",
    "UnknownConnectionError",
    "UnknownDatasetError",
    "UnknownOptionError",
    "UnsupportedError",
    "json_schema",
    "load_flow",
    "plan",
]
