"""What a new user meets in the first hour (issue #9): flow-file paths relative to the file,
a clear word when the demo's data is missing, units on costs, estimates far off pointed out,
the CLI's summaries, help texts and refusals, readable reprs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pushdown
from pushdown.cli import main

ROOT = Path(__file__).resolve().parents[1]

FLOW = """\
# A test flow. Make its data with: python make_data.py
connections: {wh: 'duckdb:///../data/wh.db'}
datasets:
  - {name: orders, connection: wh, table: orders}
  - {name: regions, path: ../data/regions.parquet}
  - {name: unused, path: ../data/regions.parquet}
recipes:
  - {type: join, left: orders, right: regions, output: joined, on: [region]}
  - {type: group, input: joined, output: by_name, by: [name], aggregates: {n: 'count(*)'}}
outputs:
  - {dataset: by_name, connection: wh, table: by_name_out}
"""


def make_project(root: Path, *, data: bool = True) -> Path:
    """``root/flows/flow.yaml`` reading ``root/data/`` by relative paths."""
    import duckdb

    (root / "flows").mkdir(parents=True)
    (root / "flows" / "flow.yaml").write_text(FLOW)
    if data:
        (root / "data").mkdir()
        con = duckdb.connect(str(root / "data" / "wh.db"))
        con.execute("CREATE TABLE orders AS SELECT i AS id, ['a','b'][1 + i % 2] AS region "
                    "FROM range(1000) t(i)")  # fmt: skip
        con.close()
        pq.write_table(
            pa.table({"region": ["a", "b"], "name": ["A", "B"]}), root / "data" / "regions.parquet"
        )
    return root / "flows" / "flow.yaml"


def test_paths_in_a_flow_file_are_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flow_file = make_project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    flow = pushdown.load_flow(flow_file)
    assert (
        flow.spec.connections["wh"] == f"duckdb:///{(tmp_path / 'project/data/wh.db').as_posix()}"
    )
    assert pushdown.plan(flow_file).execute()["by_name"].num_rows == 2  # plan() takes a path
    assert main(["plan", str(flow_file)]) == 0
    monkeypatch.chdir(flow_file.parent)
    assert main(["plan", "flow.yaml"]) == 0  # cd into the folder and plan: the same files
    assert not (elsewhere / "data").exists() and list(elsewhere.iterdir()) == []


def test_missing_data_is_named_with_the_flow_files_own_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow_file = make_project(tmp_path, data=False)
    assert main(["plan", str(flow_file)]) == 2
    err = capsys.readouterr().err
    assert "ConnectionConfigError: connection 'wh': the database file" in err
    assert f"{(tmp_path / 'data' / 'wh.db').as_posix()}' does not exist" in err
    assert "Make its data with: python make_data.py" in err  # the file's header comment
    assert not (tmp_path / "data").exists()  # DuckDB did not create an empty database


def test_the_demo_flow_on_a_fresh_clone_says_how_to_make_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "examples" / "retail", tmp_path / "retail")
    assert main(["plan", str(tmp_path / "retail" / "flow.yaml")]) == 2
    err = capsys.readouterr().err
    assert "retail.db' does not exist" in err and "python examples/retail/generate.py" in err


def test_unused_dataset_is_not_a_step_and_costs_carry_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = pushdown.plan(make_project(tmp_path))
    text = plan.explain(verbose=True)
    assert "not shown: unused, declared but never read" in text
    assert "\n4.  " in text and "\n5.  " not in text and "4 steps on 2 engine(s)" in text
    assert "would cost +" in text and " s" in text.split("would cost +")[1].split("\n")[0]
    assert "Alternatives (cost change in seconds" in text
    money = pushdown.plan(make_project(tmp_path / "m"), objective="money").explain(verbose=True)
    assert "Alternatives (cost change in dollars" in money and " +$" in money


def test_run_says_what_it_wrote_where_and_flags_far_off_estimates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow_file = make_project(tmp_path)
    assert main(["run", str(flow_file)]) == 0
    printed = capsys.readouterr()
    out = printed.out
    assert "Wrote by_name (2 rows) to table by_name_out on wh (duckdb:///" in out
    assert re.search(r"^\[1/\d\] F1 \(\w+\) \[duckdb\]: ", printed.err, re.M)  # progress
    assert "x too high" in out  # 2 groups where the model guessed hundreds
    assert main(["run", str(flow_file), "--json", "--quiet"]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    data = json.loads(printed.out)
    assert data["written"] == [
        {"dataset": "by_name", "connection": "wh", "table": "by_name_out", "rows": 2}
    ]
    assert any(r["estimate_note"] for r in data["runs"])


def test_plan_sql_for_an_engine_keeps_headers_and_names_what_runs_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow_file = make_project(tmp_path)
    assert main(["plan", str(flow_file), "--sql", "snowflake"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("-- the whole flow compiled for snowflake")
    assert "-- by_name on snowflake\n" in out
    assert main(["plan", str(flow_file), "--sql", "local"]) == 0
    out = capsys.readouterr().out
    assert "-- not here (run elsewhere): " in out and "on wh" in out
    assert main(["plan", str(flow_file), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in data["steps"]] == ["orders", "regions", "joined", "by_name"]


@pytest.mark.parametrize("command", ["schema", "plan", "run", "bench", "calibrate"])
def test_every_help_shows_defaults_and_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "examples:\n  pushdown " in out
    defaults = {
        "plan": "(default: text)",
        "bench": "(default: 0.01)",
        "calibrate": "(default: 1280000)",
    }
    flat = " ".join(out.split())  # help wraps lines at the terminal's width
    assert defaults.get(command, "") in flat
    assert "(default: None)" not in flat and "(default: False)" not in flat


def test_benchmarks_module_help_does_not_run_the_benchmark() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "planning", "--help"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Planning and compiling speed" in done.stdout and "| query |" not in done.stdout


def test_bench_results_are_git_ignored() -> None:
    assert "/bench-results/" in (ROOT / ".gitignore").read_text().splitlines()
    assert not list(ROOT.glob("*.log"))  # no stray driver logs at the root


def test_flow_and_run_result_show_themselves(tmp_path: Path) -> None:
    flow = pushdown.load_flow(make_project(tmp_path))
    text = repr(flow)
    assert text.startswith("<Flow: 3 datasets, 2 recipes, 1 output(s)>")
    assert "joined = join(orders, regions)" in text and "at 0x" not in text
    page = flow._repr_html_()
    assert "<table>" in page
    # its graph before planning: a node per dataset, an edge per recipe input, sources coloured
    spec = flow.spec
    names = [d.name for d in spec.datasets] + [o for r in spec.recipes for o in r.output_names()]
    nodes = re.findall(r'<g class="pd-flow-node" data-dataset="([^"]+)">', page)
    assert sorted(nodes) == sorted(names) and len(names) == 5
    assert page.count('class="pd-flow-edge"') == sum(len(r.input_names()) for r in spec.recipes)
    fills = dict(re.findall(r'data-dataset="([^"]+)">.*?fill="(#[0-9A-F]+)"', page))
    assert fills["joined"] == "#FFFFFF" and fills["orders"] != "#FFFFFF"
    result = pushdown.plan(flow).execute()
    assert repr(result).startswith("<RunResult by_name: 2 rows; ")
    page = result._repr_html_()
    assert "<td>by_name</td>" in page and "<th>name</th>" in page
    assert "x too high</td>" in page  # 2 groups where the model guessed hundreds


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        (["--help"], ["pyarrow", "sqlglot", "pydantic", "sqlalchemy", "duckdb", "pandas"]),
        (["schema"], ["pydantic", "yaml", "pyarrow", "sqlglot", "sqlalchemy", "duckdb", "pandas"]),
        (
            ["plan", "{flow}", "--offline"],
            [
                *["duckdb", "pandas", "pyarrow.dataset", "pyarrow.parquet", "sqlalchemy"],
                # execution and drawing: imported when a plan runs or is drawn
                *[
                    "pushdown.run",
                    "pushdown.local.engine",
                    "pushdown.local.store",
                    "pushdown.view",
                    "concurrent.futures",
                    "html",
                ],
                # sqlglot loads a dialect when it is first named: only DuckDB's here
                *["sqlglot.dialects.snowflake", "sqlglot.generators.spark"],
            ],
        ),
    ],
    ids=["help", "schema", "plan-offline"],
)
def test_cli_start_up_imports_only_what_the_command_needs(
    argv: list[str], absent: list[str], tmp_path: Path
) -> None:
    """Start-up time is imports: ``--help`` and ``schema`` (a shipped file) load no library, and
    planning a flow whose schemas are given loads neither DuckDB nor pandas, nor what runs or
    draws a plan, nor the dialects it does not use (the figures:
    ``python -m benchmarks startup``)."""
    flow = tmp_path / "small.yaml"
    flow.write_text(
        "connections: {wh: 'duckdb:///:memory:'}\n"
        "datasets: [{name: t, connection: wh, table: t, columns: {x: bigint}}]\n"
        "recipes: [{type: filter, input: t, output: big, where: 'x > 1'}]\n"
    )
    code = (
        "import sys\nfrom pushdown.cli import main\n"
        f"try:\n    main({[a.format(flow=flow) for a in argv]!r})\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted(m for m in {absent!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout[-300:]


@pytest.mark.parametrize(
    "url",
    [
        "duckdb:///:memory:",
        "duckdb:///warehouse.db",
        "duckdb:////abs/path/w.db?engine_version=1.4&threads=2",
        "sqlite:///",
        "duckdb+x:///a b.db?k=",
        "duckdb:///my%20wh.db",
        # not plain (a host, credentials, no database part): SQLAlchemy reads them
        "spark://local[2]",
        "snowflake://me:p@w?d@acct/db",
        "duckdb://host/x.db",
        "duckdb//x.db",
    ],
)
def test_plain_urls_read_without_sqlalchemy_as_sqlalchemy_reads_them(url: str) -> None:
    """Planning reads a plain ``duckdb:///`` URL's engine and file without SQLAlchemy (a
    quarter of ``pushdown plan``'s start-up); what it reads is what ``make_url`` reads."""
    from sqlalchemy.engine import make_url

    from pushdown.engines.urls import database_file, parse_url, plain_parts, url_profile
    from pushdown.errors import ConnectionConfigError

    parts = plain_parts(url)
    if url.split(":")[0] in ("spark", "snowflake") or "//host" in url or ":" not in url:
        assert parts is None
        return
    assert parts is not None
    theirs = make_url(url)
    assert parts == (theirs.drivername, theirs.database or "", dict(theirs.query))
    assert database_file(url) == (None if parts[1] in ("", ":memory:") else parts[1])
    if url.startswith("duckdb:"):  # the same profile, or the same refusal
        outcomes = []
        for read in (url_profile, lambda u, connection: parse_url(u, connection=connection)[1]):
            try:
                outcomes.append(read(url, connection="wh"))
            except ConnectionConfigError as err:
                outcomes.append(str(err))
        assert outcomes[0] == outcomes[1]


def test_exit_codes_tell_flow_errors_from_engine_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2: the flow, a connection or the arguments are wrong; 3: an engine failed."""
    import duckdb

    duckdb.connect(str(tmp_path / "wh.db")).close()  # exists, without the table
    flow = tmp_path / "f.yaml"
    flow.write_text(
        f"connections: {{wh: 'duckdb:///{(tmp_path / 'wh.db').as_posix()}'}}\n"
        "datasets: [{name: t, connection: wh, table: no_such_table}]\n"
    )
    assert main(["plan", str(flow)]) == 3
    assert capsys.readouterr().err.startswith("error: EngineError: ")
    flow.write_text("datasets: [{name: t}]\n")
    assert main(["plan", str(flow)]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["plan", str(flow), "--format", "pdf"])
    assert usage.value.code == 2


def test_bench_headline_figures_are_marked_met_or_missed() -> None:
    from pushdown.cli import target_verdict

    assert target_verdict(1.12, "<= 1.10") == "missed"
    assert target_verdict(1.02, "<= 1.10") == "met"
    assert target_verdict(61.6, ">= 10") == "met" and target_verdict(4.6, ">= 10") == "missed"
    assert target_verdict(3.0, "> 1") == "met"
    assert target_verdict(1.77, "<= 4 (local, scale 1)") == "met"
    assert target_verdict(0.8, "(like for like)") == "" and target_verdict(0.8, "") == ""
