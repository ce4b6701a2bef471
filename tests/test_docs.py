"""Every code block of the docs works as written (issue #9), on a fresh checkout's files, in a
temporary folder holding a copy of ``examples/retail`` (never in ``examples/``):

- per ``docs/*.md``, its ```python blocks and its ```bash blocks about the demo (those naming
  ``examples/retail``; not installation) run in document order, the Python ones in one
  namespace; a Python block that starts with ``# needs:`` (an account) is checked, not run:
  every name it uses must be defined before it.  (The README's Python blocks run in
  ``test_readme.py``; its demo command block runs here.)
- the ```yaml blocks parse, and those that are whole flows (no ``...``) validate as flows.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import pushdown
from pushdown.cli import main
from tests.test_readme import undefined_names

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))


def fenced(path: Path) -> list[tuple[str, str]]:
    """``(language, text)`` of every fenced block of a Markdown file, in order."""
    return re.findall(r"```(\w*)\n(.*?)```", path.read_text(), re.S)


def runnable(path: Path) -> list[tuple[str, str]]:
    """The blocks a test runs: Python, and shell blocks about the demo."""
    return [
        (lang, text)
        for lang, text in fenced(path)
        if lang == "python"
        or (lang == "bash" and "examples/retail" in text and "pip install" not in text)
    ]


def run_shell(block: str, capsys: pytest.CaptureFixture[str]) -> int:
    """Run a demo shell block line by line in the current folder: ``python
    examples/retail/generate.py`` (small data) and ``pushdown ...`` through the CLI, with
    ``> file`` redirection.  Returns how many commands ran."""
    ran = 0
    for line in block.strip().splitlines():
        words = shlex.split(line.split("#", 1)[0])
        if not words:
            continue
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        if words[:2] == ["python", "examples/retail/generate.py"]:
            sys.path.insert(0, str(Path("examples/retail").resolve()))
            try:
                from generate import generate

                generate(Path("examples/data"), orders=2_000)
            finally:
                sys.path.pop(0)
                sys.modules.pop("generate", None)
        else:
            assert words[0] == "pushdown", line
            assert main(words[1:]) == 0, (line, capsys.readouterr().err)
            out = capsys.readouterr().out
            if target:
                Path(target).write_text(out)
        ran += 1
    return ran


@pytest.fixture
def fresh_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder laid out like the repository root, with ``examples/retail`` only."""
    shutil.copytree(
        ROOT / "examples" / "retail",
        tmp_path / "examples" / "retail",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("doc", [d for d in DOCS if runnable(d)], ids=lambda d: d.name)
def test_docs_blocks_run(doc: Path, fresh_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    for i, (lang, block) in enumerate(runnable(doc)):
        where = f"{doc.name} block {i + 1}"
        if lang == "bash":
            assert run_shell(block, capsys) > 0, where
        elif block.startswith("# needs:"):
            missing = undefined_names(block, namespace)
            assert not missing, f"{where} uses undefined {sorted(missing)}"
        else:
            exec(compile(block, where, "exec"), namespace)
    assert not (ROOT / "plan.html").exists()


def test_getting_started_runs_on_a_fresh_copy(
    fresh_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The getting-started page is there and covers the three uses (its blocks run above)."""
    text = (ROOT / "docs" / "getting-started.md").read_text()
    for heading in ("A pipeline from the command line", "In a notebook", "Benchmarking"):
        assert heading in text
    langs = [lang for lang, _ in runnable(ROOT / "docs" / "getting-started.md")]
    assert langs.count("bash") == 1 and langs.count("python") == 3


@pytest.mark.parametrize(
    "doc", [d for d in DOCS if "yaml" in dict(fenced(d))], ids=lambda d: d.name
)
def test_docs_yaml_blocks_parse(doc: Path, tmp_path: Path) -> None:
    for lang, block in fenced(doc):
        if lang != "yaml":
            continue
        assert isinstance(yaml.safe_load(block), dict)
        if "..." in block:
            continue  # an excerpt, not a whole flow
        (tmp_path / "flow.yaml").write_text(block)
        assert isinstance(pushdown.load_flow(tmp_path / "flow.yaml"), pushdown.Flow)


def test_readme_command_line_block_runs_on_a_fresh_copy(
    fresh_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's demo commands, from the root of a copy of the example (no data yet):
    generate, plan (text, html, --sql), run."""
    (block,) = [
        b
        for lang, b in fenced(ROOT / "README.md")
        if lang == "bash" and "examples/retail/flow" in b
    ]
    assert run_shell(block, capsys) == 5
    assert 'class="pd-node"' in (fresh_copy / "plan.html").read_text()
