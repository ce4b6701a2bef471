"""The README's Python examples run as written, in order, in a temporary folder holding the
demo's generated data (never in ``examples/``).  A block that starts with ``# needs:`` (an
account) is not run; every name it uses must then be defined by the blocks before it."""

from __future__ import annotations

import builtins
import os
import re
import sys
from pathlib import Path

import pytest

import pushdown

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(path: Path) -> list[str]:
    """The ```python blocks of a Markdown file, in order."""
    return re.findall(r"```python\n(.*?)```", path.read_text(), re.S)


def undefined_names(block: str, namespace: dict[str, object]) -> set[str]:
    """Names ``block`` reads that neither it nor ``namespace`` (nor builtins) defines."""
    import ast

    tree = ast.parse(block)
    stored = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    loaded = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return loaded - stored - set(namespace) - set(dir(builtins))


@pytest.fixture
def demo_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory with ``examples/data`` generated (small)."""
    sys.path.insert(0, str(ROOT / "examples" / "retail"))
    try:
        from generate import generate

        generate(tmp_path / "examples" / "data", orders=2_000)
    finally:
        sys.path.pop(0)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_blocks(blocks: list[str], source: str) -> dict[str, object]:
    """Run ``blocks`` in one namespace; check (not run) those that need an account."""
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        if block.startswith("# needs:"):
            missing = undefined_names(block, namespace)
            assert not missing, f"{source} block {i + 1} uses undefined {sorted(missing)}"
            continue
        exec(compile(block, f"{source} block {i + 1}", "exec"), namespace)
    return namespace


def test_readme_python_examples_run(demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks(ROOT / "README.md")
    assert len(blocks) >= 3
    namespace = run_blocks(blocks[:1], "README.md")
    tables = namespace["tables"]
    assert isinstance(tables, pushdown.RunResult) and list(tables) == ["trend"]
    trend = tables["trend"]  # the README names its datasets: no generated names
    assert {"running", "prev"} <= set(trend.column_names) and trend.num_rows > 0
    # The "Several engines" example plans offline (no BigQuery account) and explains in seconds.
    namespace = run_blocks(blocks, "README.md")
    plan = namespace["plan"]
    assert isinstance(plan, pushdown.Plan)
    assert plan.steps["by_segment"].engine == "local" and "bq" in plan.connections
    out = capsys.readouterr().out
    assert "runner-up local would cost +" in out and " s\n" in out
    assert not (demo_folder / "bq.log").exists() and os.getcwd() == str(demo_folder)
