"""Every code block of the docs works as written (issue #9), on a fresh checkout's files, in a
temporary folder (never in ``examples/``):

- the ```python blocks of each ``docs/*.md`` run in order in one namespace (the README's run in
  ``test_readme.py``); a block that starts with ``# needs:`` (an account) is checked, not run:
  every name it uses must be defined before it;
- the ```yaml blocks parse, and those that are whole flows (no ``...``) validate as flows;
- the README's command-line block for the demo runs, line by line, through the CLI.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
import yaml

import pushdown
from pushdown.cli import main
from tests.test_readme import run_blocks

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))


def blocks(path: Path, language: str) -> list[str]:
    """The fenced blocks of ``language`` in a Markdown file, in order."""
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(), re.S)


@pytest.mark.parametrize("doc", [d for d in DOCS if blocks(d, "python")], ids=lambda d: d.name)
def test_docs_python_blocks_run(
    doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace = run_blocks(blocks(doc, "python"), doc.name)
    assert namespace  # something ran (or was checked)
    assert not list((ROOT / "examples").glob("**/results*"))


@pytest.mark.parametrize("doc", [d for d in DOCS if blocks(d, "yaml")], ids=lambda d: d.name)
def test_docs_yaml_blocks_parse(doc: Path, tmp_path: Path) -> None:
    for block in blocks(doc, "yaml"):
        data = yaml.safe_load(block)
        assert isinstance(data, dict)
        if "..." in block:
            continue  # an excerpt, not a whole flow
        (tmp_path / "flow.yaml").write_text(block)
        assert isinstance(pushdown.load_flow(tmp_path / "flow.yaml"), pushdown.Flow)


def test_readme_command_line_block_runs_on_a_fresh_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's demo commands, from the root of a copy of the repository's example (no
    data yet): generate, plan (text, html, --sql), run."""
    (block,) = [b for b in blocks(ROOT / "README.md", "bash") if "examples/retail/flow.yaml" in b]
    shutil.copytree(
        ROOT / "examples" / "retail",
        tmp_path / "examples" / "retail",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    monkeypatch.chdir(tmp_path)
    ran = []
    for line in block.strip().splitlines():
        command = line.split("#", 1)[0].strip()
        words = shlex.split(command)
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        if words[:2] == ["python", "examples/retail/generate.py"]:
            sys.path.insert(0, str(tmp_path / "examples" / "retail"))
            try:
                from generate import generate

                generate(tmp_path / "examples" / "data", orders=2_000)
            finally:
                sys.path.pop(0)
                sys.modules.pop("generate", None)
        else:
            assert words[0] == "pushdown", line
            assert main(words[1:]) == 0, (line, capsys.readouterr().err)
            out = capsys.readouterr().out
            if target:
                Path(target).write_text(out)
        ran.append(words[:3])
    assert len(ran) == 5
    assert 'class="pd-node"' in (tmp_path / "plan.html").read_text()
    assert not (ROOT / "plan.html").exists()
