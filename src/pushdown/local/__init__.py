"""Local Arrow execution: DuckDB over Arrow for SQL steps, Python steps on record batches.

The names below load on first use, so a connector importing ``pushdown.local.streams`` (its
Arrow stream helpers) does not load the local engine and DuckDB with it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pushdown.local.engine import LocalEngine
    from pushdown.local.python import python_stream, run_python_step
    from pushdown.local.store import Held, SpillDir, Store, memory_budget

_WHERE = {
    "Held": "store",
    "LocalEngine": "engine",
    "SpillDir": "store",
    "Store": "store",
    "memory_budget": "store",
    "python_stream": "python",
    "run_python_step": "python",
}

__all__ = [
    "Held",
    "LocalEngine",
    "SpillDir",
    "Store",
    "memory_budget",
    "python_stream",
    "run_python_step",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'pushdown.local' has no attribute {name!r}")
    return getattr(importlib.import_module(f"pushdown.local.{_WHERE[name]}"), name)
