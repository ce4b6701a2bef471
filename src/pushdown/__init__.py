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

from pushdown.api import Plan
from pushdown.api import make_plan as plan
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
from pushdown.planner.plan import Step
from pushdown.recipe.flow import Dataset, Flow, load_flow
from pushdown.recipe.spec import json_schema
from pushdown.run import RunResult
from pushdown.statistics import ColumnStats, TableStats

__version__ = "0.1.0"


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
