"""The command line's error surface: every flow-file mistake ends with exit code 2 and one
``error: <PushdownError class>: ...`` line, never a traceback (issue #12)."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pushdown import errors as e
from pushdown.cli import main

ROOT = Path(__file__).resolve().parents[1]
ERROR_NAMES = {name for name in dir(e) if isinstance(getattr(e, name), type)}

BASE: dict[str, Any] = {
    "version": 1,
    "connections": {"wh": "duckdb:///:memory:"},
    "datasets": [
        {
            "name": "orders",
            "connection": "wh",
            "table": "orders",
            "columns": {"id": "bigint", "amount": "double", "status": "varchar", "day": "date"},
        },
        {"name": "people", "connection": "wh", "table": "people", "columns": {"id": "bigint"}},
    ],
    "recipes": [
        {
            "type": "prepare",
            "input": "orders",
            "output": "priced",
            "steps": [
                {"compute": {"net": "amount * 2"}},
                {"rename": {"status": "state"}},
                {"if": "amount > 1", "then": "'big'", "else": "'small'", "as": "size"},
            ],
        },
        {"type": "filter", "input": "priced", "output": "big", "where": "net > 10"},
        {"type": "join", "left": "big", "right": "people", "output": "joined", "on": ["id"]},
        {
            "type": "group",
            "input": "joined",
            "output": "g",
            "by": ["state"],
            "aggregates": {"n": "count(*)"},
        },
        {
            "type": "window",
            "input": "priced",
            "output": "w",
            "order_by": ["day"],
            "columns": {"run": {"formula": "sum(net)", "frame": [-2, 0]}},
        },
        {"type": "top_n", "input": "w", "output": "top", "n": 3, "order_by": ["run DESC"]},
        {
            "type": "pivot",
            "input": "priced",
            "output": "p",
            "index": ["id"],
            "key": "size",
            "values": ["big", "small"],
            "aggregate": "sum(net)",
        },
        {"type": "split", "input": "orders", "outputs": {"hi": "amount > 5"}, "else_output": "lo"},
        {"type": "stack", "inputs": ["hi", "lo"], "output": "both"},
    ],
    "outputs": [{"dataset": "g", "connection": "wh", "table": "summary"}],
}

ODD_VALUES: list[Any] = [None, {}, "", 7, "x; DROP TABLE t --", [[1]]]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key or index path in a flow (what a mutation can replace)."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _mutated(path: tuple[Any, ...], replacement: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    target = data
    for part in path[:-1]:
        target = target[part]
    if replacement is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return data


_DELETE = object()


def _run(
    tmp_path: Path, data: dict[str, Any] | bytes, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    path = tmp_path / "flow.yaml"
    path.write_bytes(data if isinstance(data, bytes) else yaml.safe_dump(data).encode())
    code = main(["plan", str(path)])
    return code, capsys.readouterr().err


def _assert_clean(code: int, err: str, what: str) -> None:
    assert code in (0, 2), what
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") >= 1, what
        assert err.split(":")[1].strip() in ERROR_NAMES, (what, err)
        assert "Traceback" not in err, what


def test_the_base_flow_plans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(tmp_path, BASE, capsys)
    assert code == 0, err


def test_every_value_replaced_by_an_odd_one_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each key of the flow replaced by None, an empty mapping, an empty string, a number,
    SQL or a nested list, or deleted: the CLI plans it or says what is wrong, with exit
    code 2 and no traceback."""
    refused = 0
    paths = list(_paths(BASE))
    for path in paths:
        for replacement in [*ODD_VALUES, _DELETE]:
            code, err = _run(tmp_path, _mutated(path, replacement), capsys)
            _assert_clean(code, err, f"{path} = {replacement!r}")
            refused += code == 2
    assert refused > len(paths) * 3  # most mutations are mistakes, and each was reported


@pytest.mark.parametrize(
    "content",
    [
        b"recipes: [unclosed",
        b"",
        b"- a list\n- at the top\n",
        b"\x00\x01\x02 binary",
        b"datasets: []\n# caf\xe9\n",
        "datasets: [\n".encode("utf-16-le"),
        b"recipes:\n  - type: filter\n    type: sort\n",
        b"[" * 5000 + b"]" * 5000,
        b"connections: !!python/object:os.system {}\n",
        b"recipes: *undefined\n",
    ],
    ids=[
        "invalid",
        "empty",
        "list",
        "binary",
        "latin1",
        "utf16-no-bom",
        "duplicate-key",
        "deep",
        "python-tag",
        "bad-alias",
    ],
)
def test_unreadable_flow_files_are_flow_file_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    code, err = _run(tmp_path, content, capsys)
    assert code == 2 and err.startswith("error: FlowFileError: "), err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["plan", "{dir}/missing.yaml"], "FlowFileError: cannot read flow file"),
        (["plan", "{dir}"], "FlowFileError: cannot read flow file"),
        (
            ["plan", "{flow}", "-c", "nonsense"],
            "ConnectionConfigError: --connection takes NAME=URL",
        ),
        (["plan", "{flow}", "-c", "wh=nosuch://x"], "ConnectionConfigError"),
        (["plan", "{flow}", "--sql", "oracle9"], "Error"),
    ],
)
def test_command_line_mistakes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text(yaml.safe_dump(BASE))
    code = main([a.format(dir=tmp_path, flow=flow) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err, err


def test_the_installed_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    """The real process: exit status and stderr as a shell sees them."""
    bad = copy.deepcopy(BASE)
    bad["recipes"][1]["where"] = "net > 'ten'"
    flow = tmp_path / "flow.yaml"
    flow.write_text(yaml.safe_dump(bad))
    done = subprocess.run(
        [sys.executable, "-m", "pushdown.cli", "plan", str(flow)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: FormulaTypeError: recipe 'big': ")
    assert "Traceback" not in done.stderr and done.stdout == ""
