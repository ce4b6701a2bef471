"""The benchmark harness at a tiny scale: the CLI end to end, the multi-engine suite, the
peers, calibration (the fit on synthetic timings with a known answer, then a real probe run on
DuckDB), and the errors.  Timings are recorded, never asserted."""

from __future__ import annotations

import csv
import json
import random
import re
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import pushdown
from pushdown import bench
from pushdown.bench import results as r
from pushdown.bench.calibrate import Probe, calibrate, fit_line, fit_parameters, write_calibration
from pushdown.bench.memory import PeakMemory
from pushdown.bench.multi import layout
from pushdown.bench.recording import BenchError, Recorder
from pushdown.cli import main
from pushdown.errors import ConnectionConfigError
from tests.cases import TABLES as CASE_TABLES

SCALE = 0.01


def test_cli_bench_writes_results_and_skips_unreachable_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    code = main(
        ["bench", "tpch", "-e", "duckdb,local,warehouse9", "-q", "q1,q6", "-s", str(SCALE),
         "-r", "2", "-w", "0", "-o", str(out), "--no-progress"]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr()
    assert "skipped warehouse9" in printed.err and "PUSHDOWN_BENCH_WAREHOUSE9_URL" in printed.err
    with (out / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    got = {(row["engine"], row["query"], row["variant"]): row for row in rows}
    for query in ("q1", "q6"):
        for key in [
            ("duckdb", query, "flow"),
            ("duckdb", query, "handwritten"),
            ("duckdb", query, "pull_local"),
            ("local", query, "flow"),
            ("local", query, "handwritten"),
            ("pandas", query, "peer"),
            ("polars", query, "peer"),
        ]:
            assert got[key]["status"] == "ok", got[key]
            assert len(got[key]["seconds"].split(";")) == 2
            assert float(got[key]["median_seconds"]) > 0
    for variant in ("fetch arrow", "fetch rows"):  # the transfer paths, same line items
        assert got[("duckdb", "lineitem", variant)]["status"] == "ok"
        assert int(got[("duckdb", "lineitem", variant)]["rows"]) == 60_175  # all at scale 0.01
    # in place moves the answer; pulling everything local moves the inputs
    in_place = int(got[("duckdb", "q6", "flow")]["bytes_moved"])
    pulled = int(got[("duckdb", "q6", "pull_local")]["bytes_moved"])
    assert pulled > 100 * in_place
    document = json.loads((out / "results.json").read_text())
    assert document["machine"]["cpus"] >= 1 and "duckdb" in document["machine"]["versions"]
    assert document["settings"]["queries"] == ["q1", "q6"]
    assert "warehouse9" in document["skipped"]
    names = {f["figure"] for f in document["figures"]}
    assert "flow / hand-written SQL (time)" in names
    assert "pull-all-local / in place (bytes moved)" in names
    assert "polars / local engine (time)" in names
    assert "Arrow fetch / DB-API rows (throughput)" in names
    for f in document["figures"]:  # each headline figure with a target is marked met or missed
        marked = f["target"].startswith(("<", ">"))
        assert f["verdict"] in (("met", "missed") if marked else ("",)), f
    report = (out / "report.md").read_text()
    assert "## Skipped" in report and "| q6 |" in report
    assert re.search(r"\| <= 1\.10 \| \*\*(met|missed)\*\* \|", report)  # headline verdicts
    assert_readable_figures(out, report)


FIGURES = {  # file stem: (a label on it, a label that must not be on it)
    "run_seconds": ("run time, median seconds", "compile"),
    "flow_vs_handwritten": ("flow time / hand-written SQL time (ratio)", "seconds"),
    "pull_vs_in_place": ("bytes moved pulling / in place (ratio)", "seconds"),
    "planning_vs_ibis": ("compile time, median milliseconds", "run time"),
}


def assert_readable_figures(out: Path, report: str) -> None:
    """The report of a small real run: one figure per question, each at most 1,300 px wide;
    compile and run times on separate figures; ratios labelled as ratios (no rows/s); every
    legend entry has bars of the engine's one colour, the same colour in every figure; the
    headline verdicts in the legends."""
    import matplotlib.colors
    import matplotlib.image

    from pushdown.bench.plots import KNOWN, charts

    assert not (out / "seconds.png").exists() and "rows/s" not in report
    for stem, (label, absent) in FIGURES.items():
        height, width, _ = matplotlib.image.imread(out / f"{stem}.png").shape
        assert width <= 1300 and height <= 450, (stem, width, height)
        svg = (out / f"{stem}.svg").read_text()  # text kept as text
        assert label in svg and absent not in svg and "rows/s" not in svg, stem
        assert f"({stem}.png)" in report
    result = r.load_result(out / "results.json")
    drawn = {c.name: c for c in charts(result)}
    assert set(drawn) == set(FIGURES)
    legend_seen: dict[str, tuple[float, ...]] = {}
    for chart in drawn.values():
        for ax in chart.figure.axes:
            entries = [t.get_text() for t in ax.get_legend().get_texts()]
            bars = {c.get_label(): c for c in ax.containers}
            assert [e for e in entries if not e.startswith("target")] == list(bars), chart.name
            for label, container in bars.items():
                assert len(container) >= 1, (chart.name, label)  # no legend entry without bars
                who = label.split(":")[0].split(" ")[0]
                colour = container[0].get_facecolor()
                assert legend_seen.setdefault(who, colour) == colour, (chart.name, who)
                assert matplotlib.colors.to_hex(colour) == KNOWN[who]
    handwritten = drawn["flow_vs_handwritten"].figure.axes[0]
    assert re.fullmatch(
        r"duckdb: median [0-9.]+, (met|missed)", handwritten.get_legend().get_texts()[1].get_text()
    )


def test_multi_engine_suite_measures_placed_rule_and_alternatives(tmp_path: Path) -> None:
    result = bench.run(
        "tpch-multi", ["duckdb"], scale=SCALE, queries=["q3"], repetitions=1, warmup=0,
        out=tmp_path, progress=False,
    )  # fmt: skip
    variants = {m.variant: m for m in result.measurements}
    assert set(variants) == {
        r.PLACED, r.RULE, "all local", "all on sales", "all on catalog", "all on crm",
    }  # fmt: skip
    assert all(m.status == "ok" for m in variants.values()), result.measurements
    assert all(m.estimated_seconds and m.estimated_seconds > 0 for m in variants.values())
    assert result.settings["layout"]["sales"] == ["orders", "lineitem"]
    regret = next(f for f in result.figures if f["figure"].startswith("placed / best"))
    fastest = min(m.median for m in variants.values() if m.median)
    assert regret["per_query"]["q3"] == pytest.approx(variants[r.PLACED].median / fastest)
    rule = next(f for f in result.figures if f["figure"].startswith("first-input rule"))
    assert rule["per_query"]["q3"] == pytest.approx(
        variants[r.RULE].median / variants[r.PLACED].median
    )
    # its own figure: the two ratios side by side, each with its target and verdict
    report = (tmp_path / "report.md").read_text()
    assert "(placement_vs_rule.png)" in report and "(run_seconds.png)" not in report
    svg = (tmp_path / "placement_vs_rule.svg").read_text()
    assert "rule time / placed time (ratio)" in svg and "target &gt;= 2" in svg
    assert re.search(r"multi: median [0-9.]+, (met|missed)", svg)


def test_multi_engine_layout_deals_groups_to_engines() -> None:
    assert layout(["duckdb", "spark"]) == {
        "duckdb": ("duckdb", ("orders", "lineitem", "customer", "nation", "region")),
        "spark": ("spark", ("part", "partsupp", "supplier")),
    }
    with pytest.raises(BenchError, match="two or more engines"):
        layout(["snowflake"])


def test_a_wrong_answer_is_reported_and_not_timed() -> None:
    result = r.BenchResult(settings={"queries": ["q6"]})
    recorder = Recorder(result, "tpch", repetitions=3, warmup=0)
    truth = pa.table({"revenue": [1.0]})
    m = recorder.measure("duckdb", "q6", r.FLOW, lambda: pa.table({"revenue": [2.0]}), truth)
    assert m.status == "wrong" and m.seconds == [] and "2.0" in m.detail


def test_bench_errors_name_the_bad_setting() -> None:
    with pytest.raises(BenchError, match="unknown suite 'tpc-h'.*tpch"):
        bench.run("tpc-h", out=None)
    with pytest.raises(BenchError, match="unknown TPC-H query 'q23'"):
        bench.run("tpch", queries=["q23"], out=None)
    with pytest.raises(BenchError, match="repetitions"):
        bench.run("tpch", repetitions=0, out=None)


@pytest.mark.spark
def test_bench_on_spark(spark: object, tmp_path: Path) -> None:
    result = bench.run(
        "tpch", ["spark"], scale=SCALE, queries=["q3"], repetitions=1, warmup=0,
        out=None, progress=False, baselines=True,
    )  # fmt: skip
    try:
        statuses = {m.variant: m.status for m in result.measurements if m.engine == "spark"}
        assert statuses == {"flow": "ok", "handwritten": "ok", "pull_local": "ok"}, result
    finally:  # the suite's views replaced the session's case table 'orders': put it back
        for name, table in CASE_TABLES.items():
            spark.createDataFrame(table).createOrReplaceTempView(name)  # type: ignore[attr-defined]


def test_peak_memory_sees_an_allocation() -> None:
    with PeakMemory() as peak:
        block = bytearray(300 * 2**20)
        block[::4096] = b"x" * len(block[::4096])  # touch every page
        time.sleep(0.1)
    assert peak.bytes - peak.start_bytes > 200 * 2**20
    del block


# -- calibration ---------------------------------------------------------------------------
def test_fit_recovers_known_parameters_from_synthetic_timings() -> None:
    rng = random.Random(7)
    latency, scan_rate, fetch_rate, upload_rate, transfer_latency = 0.05, 4e8, 1e8, 2e7, 0.02

    def noisy(value: float) -> float:
        return value * rng.uniform(0.97, 1.03)

    sizes = [1e6, 4e6, 1.6e7, 6.4e7]
    upload = Probe("upload", [(b, noisy(0.3 + b / upload_rate)) for b in sizes])
    fetch = Probe("fetch", [(b, noisy(latency + transfer_latency + b / fetch_rate)) for b in sizes])
    scan = Probe("scan", [(b, latency + noisy(b / scan_rate)) for b in sizes])
    fitted = fit_parameters(latency, upload, fetch, scan)
    assert fitted["query_latency_s"] == latency
    assert fitted["scan_bytes_per_s"] == pytest.approx(scan_rate, rel=0.05)
    assert fitted["transfer"]["fetch_bytes_per_s"] == pytest.approx(fetch_rate, rel=0.05)
    assert fitted["transfer"]["upload_bytes_per_s"] == pytest.approx(upload_rate, rel=0.05)
    assert fitted["transfer"]["latency_s"] == pytest.approx(transfer_latency, abs=0.02)


def test_fit_needs_two_sizes() -> None:
    with pytest.raises(ValueError, match="two distinct"):
        fit_line([1.0, 1.0], [2.0, 3.0])


def test_calibrate_duckdb_and_plan_with_the_file(tmp_path: Path) -> None:
    db, out = tmp_path / "wh.duckdb", tmp_path / "calibration.toml"
    write_calibration(out, {"other": {"query_latency_s": 9.0}})  # kept by the merge
    cal = calibrate(
        "wh", f"duckdb:///{db}", sizes=(5_000, 20_000, 80_000), held_out=(10_000,),
        repeat=2, out=out,
    )  # fmt: skip
    assert cal.engine == "duckdb" and len(cal.checks) == 3
    assert all(c["measured"] > 0 and c["before"] > 0 and c["after"] > 0 for c in cal.checks)
    p = cal.parameters
    assert p["scan_bytes_per_s"] > 0 and p["transfer"]["fetch_bytes_per_s"] > 0
    text = out.read_text()
    assert "[wh]" in text and "[wh.transfer]" in text and "[other]" in text
    # probe tables are gone
    import duckdb

    con = duckdb.connect(str(db))
    assert con.sql("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]
    con.close()
    # the planner applies the file to the connection it names; cost_overrides still win
    flow = pushdown.Flow()
    flow.connection("wh", f"duckdb:///{db}")
    flow.dataset("t", connection="wh", table="t", columns={"x": "int"}).filter("x > 1", name="big")
    write_calibration(out, {"wh": {"query_latency_s": 7.0}})
    default = pushdown.plan(flow, engine_statistics=False)
    calibrated = pushdown.plan(flow, engine_statistics=False, calibration=out)
    assert calibrated.cost is not None and default.cost is not None
    assert calibrated.cost.seconds - default.cost.seconds == pytest.approx(7.0, abs=0.01)
    overridden = pushdown.plan(
        flow, engine_statistics=False, calibration=out,
        cost_overrides={"wh": {"query_latency_s": 0.5}},
    )  # fmt: skip
    assert overridden.cost is not None and overridden.cost.seconds < 1.0


def test_calibrate_times_seven_latency_statements_per_repeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The statement latency is the median of ``7 x repeat`` ``SELECT 1`` (after one warm-up),
    through ``calibrate`` and the CLI's ``--repeat``: counted in DuckDB's query log, which the
    connection held here shares with calibrate's (one database instance per file and
    configuration in a process)."""
    db = tmp_path / "wh.duckdb"
    held = duckdb.connect(str(db))
    held.execute("CALL enable_logging('QueryLog')")

    def latency_statements() -> int:
        got = held.sql(
            "SELECT count(*) FROM duckdb_logs "
            "WHERE type = 'QueryLog' AND trim(message) = 'SELECT 1'"
        ).fetchall()
        held.execute("CALL truncate_duckdb_logs()")
        return int(got[0][0])

    try:
        url = f"duckdb:///{db}"
        calibrate("wh", url, sizes=(100, 400), held_out=(200,), repeat=1)
        assert latency_statements() == 1 + 7
        args = ["calibrate", f"wh={url}", "--max-rows", "640", "--repeat", "2"]
        assert main([*args, "-o", str(tmp_path / "cal.toml")]) == 0
        assert latency_statements() == 1 + 14
        capsys.readouterr()
        with pytest.raises(ConnectionConfigError, match="repeat >= 1"):
            calibrate("wh", url, sizes=(100, 400), held_out=(200,), repeat=0)
    finally:
        held.close()


def test_bad_calibration_files_are_clear_errors(tmp_path: Path) -> None:
    flow = pushdown.Flow()
    flow.dataset("t", data=pa.table({"x": [1]})).filter("x > 0", name="f")
    with pytest.raises(ConnectionConfigError, match="does not exist.*pushdown calibrate"):
        pushdown.plan(flow, calibration=tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[wh\nx = 1")
    with pytest.raises(ConnectionConfigError, match="is not TOML"):
        pushdown.plan(flow, calibration=bad)
    bad.write_text("[local]\nscan_speed = 1.0\n")
    with pytest.raises(ConnectionConfigError, match="unknown cost parameter.*scan_speed"):
        pushdown.plan(flow, calibration=bad)


def test_cli_calibrate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cal.toml"
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    # A missing DuckDB file is refused (DuckDB would create an empty one), and not created.
    assert main(["calibrate", f"wh={url}", "-o", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "wh.duckdb").exists() and not out.exists()
    duckdb.connect(str(tmp_path / "wh.duckdb")).close()
    assert main(["calibrate", f"wh={url}", "--max-rows", "64000", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| scan_bytes_per_s |" in printed and "Median absolute error" in printed
    assert "[wh]" in out.read_text()
