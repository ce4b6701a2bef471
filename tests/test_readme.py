"""The README's first Python example runs as written (on the demo's generated data)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pushdown

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs(capsys: object) -> None:
    sys.path.insert(0, str(ROOT / "examples" / "retail"))
    try:
        from generate import generate

        generate(ROOT / "examples" / "data", orders=2_000)
    finally:
        sys.path.pop(0)
    block = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)[0]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    plan = namespace["plan"]
    tables = namespace["tables"]
    assert isinstance(plan, pushdown.Plan)
    assert isinstance(tables, pushdown.RunResult) and len(tables) == 1
    (trend,) = tables.values()
    assert {"running", "prev"} <= set(trend.column_names) and trend.num_rows > 0
