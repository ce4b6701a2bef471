"""The example notebook ``examples/retail/explore.ipynb`` runs top to bottom through nbclient
in a real IPython kernel (ipykernel; on a copy, in a temporary folder) and its HTML outputs show
the plan: one node per step, the engine legend, the comparison and the run.  Then the page of its
outputs opens in headless Chromium (Debian's ``chromium``) without console errors, with the
drawing in the DOM after scripts ran, and a screenshot is kept under the git-ignored
``artifacts/``.

Cost (measured on 2 shared cores at load average 13): the kernel starts in 2.8 s and the cells
run in 9.4 s (they import pushdown, pyarrow, DuckDB and sqlglot afresh, make the demo data and two
plans); the in-process run this replaced took 4.3 s.  The module-scoped fixture runs it once."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "retail" / "explore.ipynb"
ARTIFACTS = ROOT / "artifacts"


def run_notebook(path: Path, cwd: Path) -> list[str]:
    """Execute ``path`` with nbclient in a fresh ``python3`` kernel whose working directory is
    ``cwd``; the ``text/html`` output of each code cell that has one, in order.  A cell that
    raises fails the run (nbclient's ``CellExecutionError`` names the cell and the traceback)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=180, startup_timeout=120, kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )  # fmt: skip
    client.execute()
    outputs = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            if "text/html" in output.get("data", {}):
                outputs.append(output["data"]["text/html"])
    return outputs


@pytest.fixture(scope="module")
def notebook_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The notebook run on a copy of ``examples/retail``; its outputs as one HTML page."""
    root = tmp_path_factory.mktemp("nb")
    shutil.copytree(
        ROOT / "examples" / "retail", root / "retail", ignore=shutil.ignore_patterns("__pycache__")
    )
    outputs = run_notebook(root / "retail" / NOTEBOOK.name, root / "retail")
    page = root / "notebook.html"
    body = "".join(f'<section class="output">{o}</section>' for o in outputs)
    page.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    )
    return page, outputs


def test_the_notebook_runs_and_shows_the_plan(notebook_page: tuple[Path, list[str]]) -> None:
    import pushdown

    _, outputs = notebook_page
    flow_view, plan_view, compare_view, run_view = outputs
    assert '<div class="pushdown-flow">' in flow_view
    spec = pushdown.load_flow(NOTEBOOK.parent / "flow.yaml").spec
    steps = len(spec.datasets) + sum(len(r.output_names()) for r in spec.recipes)
    assert plan_view.count('class="pd-node"') == steps == 12  # one node per step
    assert flow_view.count('class="pd-flow-node"') == steps  # the flow's graph, before planning
    assert 'data-engine="warehouse"' in plan_view and "warehouse (duckdb)" in plan_view
    assert (
        compare_view.count('<div class="pd-plan"') == 2
        and "monthly_revenue: local -&gt; warehouse" in compare_view
    )
    assert "revenue_trend" in run_view and "<th>estimated</th>" in run_view
    assert json.loads(NOTEBOOK.read_text())["cells"][1]["outputs"] == []  # committed clean


def test_the_notebook_page_in_headless_chromium(
    notebook_page: tuple[Path, list[str]], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None and os.environ.get("CI") == "true":
        pytest.fail(".ci/run installs Debian's chromium; it is missing")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    page, outputs = notebook_page
    profile = tmp_path / "chromium-profile"
    # No background networking: the machine's network is closed, and Chromium's own pages
    # would log about it (a fresh profile each time, so nothing carries over).
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-quic", f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000"]  # fmt: skip
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    # The page's own console (Chromium's internal pages, chrome://..., are not the page)
    console = [
        line
        for line in dom.stderr.splitlines()
        if ("CONSOLE" in line or "Uncaught" in line) and "source: chrome://" not in line
    ]
    assert console == [], console
    # The drawings are in the DOM the browser built: the flow's graph, then one node per step of
    # the first plan and the legend.
    svgs = re.findall(r"<svg.*?</svg>", dom.stdout, re.S)
    flow_graph, plans = svgs[0], [svg for svg in svgs if 'class="pd-node"' in svg]
    assert flow_graph.count('class="pd-flow-node"') == outputs[0].count('class="pd-flow-node"')
    assert plans and plans[0].count('class="pd-node"') == outputs[1].count('class="pd-node"')
    assert 'class="pd-legend-item" data-engine="warehouse"' in plans[0]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "notebook.png"
    done = subprocess.run(
        [*base, "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and shot.stat().st_size > 10_000, done.stderr[-2000:]
