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
>>> print(pushdown.plan(flow).flow_sql("snowflake"))
SELECT
  *
FROM "t"
WHERE
  "x" > 1;
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pushdown.api import Plan
    from pushdown.errors import (
        AmbiguousNameError,
        ConnectionConfigError,
        CycleError,
        DuplicateNameError,
        EngineError,
        FlowError,
        FlowFileError,
        FormulaSyntaxError,
        FormulaTypeError,
        MemoryBudgetError,
        PushdownError,
        PythonStepError,
        UnknownColumnError,
        UnknownConnectionError,
        UnknownDatasetError,
        UnknownOptionError,
        UnsupportedError,
        UnsupportedSqlError,
    )
    from pushdown.planner.fragments import OrderLostWarning
    from pushdown.planner.plan import Step
    from pushdown.recipe.flow import Dataset, Flow, load_flow
    from pushdown.recipe.spec import json_schema
    from pushdown.run import RunResult
    from pushdown.statistics import ColumnStats, TableStats

# ``pushdown.plan`` is the planning function, not the subpackage of the same name: bind the
# subpackage first (importing it later would otherwise replace the function).
import pushdown.plan as _logical_plan  # noqa: F401

if TYPE_CHECKING:
    from pushdown.api import make_plan as plan
else:

    def plan(flow, connections=None, **options):
        """Plan ``flow`` (a :class:`Flow` or a flow file's path): place each step on the
        cheapest engine that can run it; returns a :class:`Plan`.

        Options (keywords; see :func:`pushdown.api.make_plan` for each): ``connections``,
        ``statistics``, ``objective`` ("time", "money" or seconds per dollar),
        ``cost_overrides``, ``pin``, ``forbid``, ``forbid_steps``, ``materialize``,
        ``dialects``, ``connect_args``, ``engine_statistics``, ``calibration``,
        ``statistics_budget``, ``statistics_cache``,
        ``memory_budget`` ("2GiB", bytes, or None)."""
        from pushdown.api import make_plan
        from pushdown.planner.collector import collector_paused

        with collector_paused():  # planning's many small objects: planner/collector.py
            return make_plan(flow, connections, **options)


# Where each public name lives: imported on first use (PEP 562), so ``import pushdown`` and
# the command line start without loading Arrow, sqlglot and the engines.
_LAZY = {
    "Plan": "pushdown.api",
    "Step": "pushdown.planner.plan",
    "OrderLostWarning": "pushdown.planner.fragments",
    "Dataset": "pushdown.recipe.flow",
    "Flow": "pushdown.recipe.flow",
    "load_flow": "pushdown.recipe.flow",
    "json_schema": "pushdown.recipe.spec",
    "RunResult": "pushdown.run",
    "ColumnStats": "pushdown.statistics",
    "TableStats": "pushdown.statistics",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    import importlib

    if name in _LAZY:
        module, _, attr = _LAZY[name].partition(":")
        value = getattr(importlib.import_module(module), attr or name)
    elif name in __all__:
        value = getattr(importlib.import_module("pushdown.errors"), name)
    else:
        raise AttributeError(f"module 'pushdown' has no attribute {name!r}")
    globals()[name] = value
    return value


__version__ = "0.1.0"


__all__ = [
    "AmbiguousNameError",
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
    "MemoryBudgetError",
    "OrderLostWarning",
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
    "UnsupportedSqlError",
    "json_schema",
    "load_flow",
    "plan",
]
