"""The plan drawn (issue #9): ``Plan._repr_html_``/``to_html()`` give self-contained HTML with
one node per step coloured by engine, a legend, fragments, transfers as labelled edges and
refusal reasons; ``to_dot()`` gives Graphviz text with the same content."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pushdown
from pushdown.view import LOCAL_COLOUR, engine_colours
from tests.cases import SCHEMAS


@pytest.fixture
def two_engine_plan(tmp_path: Path) -> pushdown.Plan:
    """Orders on a Hive warehouse (offline), a local lookup file, a MEDIAN Hive refuses."""
    pq.write_table(
        pa.table({"status": ["paid", "open"], "label": ["P", "O"]}), tmp_path / "s.parquet"
    )
    flow = pushdown.Flow()
    flow.connection("lake", "hive://etl@hadoop:10000/default")
    orders = flow.dataset("orders", connection="lake", table="orders", columns=SCHEMAS["orders"])
    labels = flow.dataset("labels", path=str(tmp_path / "s.parquet"))
    flow.dataset("ignored", path=str(tmp_path / "s.parquet"))
    paid = orders.filter("amount > 10", name='big <orders> & "quotes"')
    stats = paid.group(["status"], {"m": "median(amount)", "n": "count(*)"}, name="stats")
    stats.join(labels, on=["status"], name="labelled")
    return pushdown.plan(flow, engine_statistics=False, statistics={"orders": {"rows": 1e6}})


def _svg(page: str) -> ET.Element:
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg is not None
    return ET.fromstring(svg.group(0))  # well-formed XML (names with <, & and " escaped)


def test_html_draws_one_node_per_step_with_legend_fragments_and_transfers(
    two_engine_plan: pushdown.Plan,
) -> None:
    plan = two_engine_plan
    page = plan._repr_html_()
    root = _svg(page)
    ns = "{http://www.w3.org/2000/svg}"
    nodes = [g for g in root.iter(f"{ns}g") if g.get("class") == "pd-node"]
    assert sorted(g.get("data-step") or "" for g in nodes) == sorted(
        ["orders", "labels", 'big <orders> & "quotes"', "stats", "labelled"]
    )  # 'ignored' is read by nobody: not a step
    colours = engine_colours(plan)
    assert colours["local"] == LOCAL_COLOUR and colours["lake"] != LOCAL_COLOUR
    for g in nodes:
        (rect,) = g.iter(f"{ns}rect")
        assert rect.get("fill") == colours[g.get("data-engine") or ""]
    legend = {
        g.get("data-engine") for g in root.iter(f"{ns}g") if g.get("class") == "pd-legend-item"
    }
    assert legend == {"lake", "local"}
    assert "lake (hive)" in page
    assert len(plan.transfers) == 1
    labels = [t.text or "" for t in root.iter(f"{ns}text") if "pd-label" in (t.get("class") or "")]
    assert len(labels) == 1 and " rows · " in labels[0] and labels[0].endswith(" s")
    assert any(g.get("class") == "pd-fragment" for g in root.iter(f"{ns}g"))
    # The refused step: marked in the drawing, the reason in its details.
    assert plan.steps["stats"].engine == "local"
    assert "⚠" in page and "could not run where its data lives: MEDIAN is not supported" in page
    # Details: a <details> per step, with the SQL of each statement and costs in seconds.
    assert page.count('<details id="') == len(nodes)
    assert re.search(r"<pre>(SELECT|WITH)", page)
    assert re.search(r"other engines: [^<]*\+[0-9.e-]+ s", page)


def test_html_is_self_contained_and_ids_unique(
    two_engine_plan: pushdown.Plan, tmp_path: Path
) -> None:
    page = two_engine_plan.to_html(tmp_path / "plan.html")
    assert (tmp_path / "plan.html").read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>")
    # Nothing fetched: no external script, style, image or font; the only URL is the SVG
    # namespace (a name, never loaded).
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}
    assert not re.search(r"<(script|link|img)[^>]*(src|href)=", page)
    assert "@import" not in page and "url(http" not in page
    first, second = two_engine_plan._repr_html_(), two_engine_plan._repr_html_()
    ids = re.findall(r'<div class="pd-plan" id="([^"]+)"', first + second)
    assert len(set(ids)) == 2  # two drawings of one plan in one notebook do not clash


def test_dot_has_clusters_coloured_nodes_and_labelled_transfers(
    two_engine_plan: pushdown.Plan,
) -> None:
    dot = two_engine_plan.to_dot()
    assert dot.startswith('digraph "plan ') and dot.rstrip().endswith("}")
    assert dot.count("subgraph cluster_F") == len(two_engine_plan.fragments)
    assert '"big <orders> & \\"quotes\\""' in dot  # quotes escaped
    assert re.search(r'-> "stats" \[label="[^"]+ rows · [^"]+ · [^"]+ s", penwidth=2.5', dot)
    assert 'color="#C00000"' in dot  # the refused MEDIAN step
    assert '"ignored"' not in dot


def test_cli_plan_formats_html_and_dot(
    two_engine_plan: pushdown.Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pushdown.cli import main

    flow = tmp_path / "f.yaml"
    flow.write_text(
        "connections: {wh: 'duckdb:///:memory:'}\n"
        "datasets: [{name: t, connection: wh, table: t, columns: {x: bigint}}]\n"
        "recipes: [{type: filter, input: t, output: big, where: 'x > 1'}]\n"
    )
    assert main(["plan", str(flow), "--format", "html", "--offline"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and page.count('class="pd-node"') == 2
    assert main(["plan", str(flow), "--format", "svg", "--offline"]) == 0
    svg = capsys.readouterr().out
    assert svg.startswith('<?xml version="1.0"') and "<style>" in svg
    root = ET.fromstring(svg.split("\n", 1)[1])
    assert sum(1 for g in root.iter() if g.get("class") == "pd-node") == 2
    assert main(["plan", str(flow), "--format", "dot", "--offline"]) == 0
    assert '"t" -> "big";' in capsys.readouterr().out


def test_compare_shows_the_cost_difference_and_the_steps_that_moved(
    two_engine_plan: pushdown.Plan,
) -> None:
    """What-if: the same flow with the filter pinned locally; both drawings side by side."""
    before = two_engine_plan
    after = pushdown.plan(
        before.flow,
        engine_statistics=False,
        statistics={"orders": {"rows": 1e6}},
        pin={'big <orders> & "quotes"': "local"},
    )
    diff = before.compare(after)
    assert diff.moved == [('big <orders> & "quotes"', "lake", "local")]
    assert diff.seconds > 0  # pulling a million rows costs more than filtering in place
    text = repr(diff)
    assert "estimated time: " in text and f"(+{diff.seconds:.3g} s)" in text
    assert 'big <orders> & "quotes": lake -> local (pinned to local by the user)' in text
    page = diff._repr_html_()
    assert page.count('<div class="pd-plan"') == 2 and "&lt;orders&gt;" in page
    assert before.compare(before).moved == [] and "same engine in both" in repr(
        before.compare(before)
    )


def test_a_run_draws_actual_rows_next_to_the_estimates(tmp_path: Path) -> None:
    flow = pushdown.Flow()
    orders = flow.dataset("orders", data=pa.table({"s": ["a", "b", "a"], "x": [1, 2, 3]}))
    orders.group(["s"], {"n": "count(*)"}, name="by_s")
    result = pushdown.plan(flow).execute()
    assert isinstance(result, pushdown.RunResult) and result["by_s"].num_rows == 2
    assert repr(result).startswith("<RunResult by_s: 2 rows; ")
    page = result._repr_html_()
    root = _svg(page)
    assert page.count('class="pd-node"') == 2
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("group · 2 (est. ") for t in texts), texts
    assert "<th>moved</th>" in page and "<td>by_s</td>" in page


def test_a_run_shows_a_timeline_of_its_statements(tmp_path: Path) -> None:
    """Each statement's start (seconds after the run began) and length: a statement that reads
    another's output starts after it ended, and its bar sits right of the other's."""
    import duckdb

    db = tmp_path / "wh.db"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE orders AS SELECT range AS id, range % 3 AS s FROM range(500)")
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db.as_posix()}")
    orders = flow.dataset("orders", connection="wh", table="orders")
    grouped = orders.group(["s"], {"n": "count(*)"}, name="grouped")
    grouped.python(lambda b: b, {"s": "bigint", "n": "bigint"}, name="same")  # local, after
    result = pushdown.plan(flow).execute()
    runs = {r.dataset: r for r in result.runs}
    first, then = runs["grouped"], runs["same"]
    assert first.engine == "wh" and then.engine == "local"
    assert first.started >= 0 and then.started >= first.started + first.seconds
    page = result._repr_html_()
    spans = re.findall(r'class="pd-span" data-start="([0-9.]+)".*?left:([0-9.]+)px', page)
    assert len(spans) == len(result.runs) and "<th>started</th>" in page
    lefts = {float(start): float(left) for start, left in spans}
    assert lefts[round(then.started, 6)] > lefts[round(first.started, 6)]


HOSTILE = [
    '"><script>alert(1)</script>',
    "a -- b */ c <!-- d",
    "${x} `y` {{z}}",
    "it's & <b>bold</b>",
    "bell\x07 tab\t",
]


class _Tags(HTMLParser):
    """The start tags of an HTML page and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        if self.tags and self.lasttag == "script":
            self.scripts.append(data)


def _chain_plan(names: list[str]) -> pushdown.Plan:
    flow = pushdown.Flow()
    prev = flow.dataset(names[0], data=pa.table({"k": [1, 2]}))
    for name in names[1:]:
        prev = prev.filter("k > 0", name=name)
    return pushdown.plan(flow)


def _pages(plan: pushdown.Plan) -> list[str]:
    return [plan._repr_html_(), plan.execute()._repr_html_(), plan.to_html()]


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def test_hostile_names_are_text_in_html_svg_and_dot() -> None:
    """Dataset names are any text: quotes, markup, comment openers, template syntax and control
    characters stay text in every drawing (the HTML has the same tags as with plain names and
    no script of theirs, the SVG is well-formed XML, each DOT identifier is one quoted
    string)."""
    plan = _chain_plan(HOSTILE)
    plain = _pages(_chain_plan([f"n{i}" for i in range(len(HOSTILE))]))
    for page, same in zip(_pages(plan), plain, strict=True):
        parsed = _tags(page)
        assert parsed.tags == _tags(same).tags
        assert all("alert" not in s for s in parsed.scripts)
        root = _svg(page)
        steps = {g.get("data-step") for g in root.iter() if g.get("class") == "pd-node"}
        assert len(steps) == len(HOSTILE) and steps >= set(HOSTILE[:4])
    svg = ET.fromstring(plan.to_svg().split("\n", 1)[1])  # XML 1.0: no raw control character
    assert sum(1 for g in svg.iter() if g.get("class") == "pd-node") == len(HOSTILE)
    dot = plan.to_dot()
    outside = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', dot)  # every quoted string removed
    for name in HOSTILE:
        for piece in ("script", "--", "${", "<b>", "\x07"):
            if piece in name:
                assert piece not in outside
    assert '"' not in outside.replace('""', "")  # no quote left open or closed early
