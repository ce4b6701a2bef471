"""Local Arrow execution: DuckDB over Arrow for SQL steps, Python steps on record batches."""

from pushdown.local.engine import LocalEngine
from pushdown.local.python import python_stream, run_python_step
from pushdown.local.store import Held, SpillDir, Store, memory_budget

__all__ = [
    "Held",
    "LocalEngine",
    "SpillDir",
    "Store",
    "memory_budget",
    "python_stream",
    "run_python_step",
]
