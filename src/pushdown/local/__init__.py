"""Local Arrow execution: DuckDB over Arrow for SQL steps, Python steps on record batches."""

from pushdown.local.engine import LocalEngine
from pushdown.local.python import run_python_step

__all__ = ["LocalEngine", "run_python_step"]
