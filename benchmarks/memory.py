"""Peak memory of TPC-H flows forced off the warehouse, and what a memory budget does to them.

    python -m benchmarks memory [--scales 1,3] [--queries q1,q3,q10] [--run-spark]

The tables live in a DuckDB file (``tpch``) that every plan forbids, so every step runs on the
local engine: the needed columns of each table move into this process.  Per query and scale,
one fresh subprocess plans with ``memory_budget="2GiB"``, runs the plan, and reports its peak
resident memory (the process and its children, sampled every 10 ms, and the kernel's
high-water mark of the process), then checks the answer against DuckDB running the official
text.  The figure is peak(largest scale) / peak(smallest scale) per query.

Then the same flows with ``memory_budget="512MiB"`` and an in-process Spark connection
(``spark://local[2]``) are planned (no pin): the report shows where each step was placed and
the reason explain gives.  ``--run-spark`` also runs those plans (slow: the line items move
into Spark through this process) and reports their peaks.

A plan the budget refuses (``MemoryBudgetError``) is reported as refused and run with every
step pinned to ``local`` (the pin is kept over the budget, with a note), so the forced-local
peak is measured at every scale.

    python -m benchmarks memory --transfer 1 [--transfer-budget 256MiB] [--transfer-to spark]

moves a generated table of at least that many GB (of Arrow: ``k`` BIGINT, ``g`` BIGINT, ``s``
a 32-character VARCHAR, ``v`` DOUBLE) from one DuckDB database to another (two engines of
the flow, each with its own 64 MB buffer pool), where it is grouped; reports the peak resident
memory of the run against the budget, the time, and checks the totals.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

SPARK = "spark://local[2]"
# The DuckDB file stands for a warehouse, yet runs in this process: its buffer pool (by default
# 80 % of the machine's memory, filled with the table's blocks as they are scanned) would be
# counted in the run's peak.  It is capped, at every scale, so what grows is the run's.
SOURCE_MEMORY = "64MB"
QUERIES = ("q1", "q3", "q10")
ORDERED = {"q1", "q3", "q10"}  # all three end in a sort or top-N


def _flow(query: str, scale: float, spark: bool) -> Any:
    from pushdown.bench.tpch.data import duckdb_file
    from pushdown.bench.tpch.flows import tpch_flow

    connections = {"spark": SPARK} if spark else {}
    url = f"duckdb:///{duckdb_file(scale)}?memory_limit={SOURCE_MEMORY}"
    return tpch_flow(query, connection_url=url, connections=connections)


def _pinned(query: str, scale: float, budget: str, spark: bool) -> tuple[Any, str | None]:
    """The plan with the warehouse forbidden; when the budget refuses it, the plan with every
    step pinned local, and the refusal's first line."""
    import pushdown

    flow = _flow(query, scale, spark)
    try:
        return pushdown.plan(flow, forbid=["tpch"], memory_budget=budget), None
    except pushdown.MemoryBudgetError as err:
        probe = pushdown.plan(flow, forbid=["tpch"])
        pins = {s.name: "local" for s in probe.steps.values() if s.kind != "source"}
        plan = pushdown.plan(flow, forbid=["tpch"], memory_budget=budget, pin=pins)
        return plan, str(err).splitlines()[0]


def child(query: str, scale: float, budget: str, spark: bool, run: bool) -> dict[str, Any]:
    """Plan (and run) one query in this process; what it measured, as JSON-ready data."""
    import duckdb

    from pushdown.bench.memory import PeakMemory, _rss_bytes
    from pushdown.bench.tpch.data import duckdb_file
    from pushdown.bench.tpch.queries import QUERIES as TEXTS
    from pushdown.bench.verify import difference

    plan, refused = _pinned(query, scale, budget, spark)
    steps = [s for s in plan.steps.values() if s.kind != "source"]
    memory = [m for f in plan.fragments if (m := plan.memory_of(f)) is not None]
    peaks = [m.peak for m in memory]
    out: dict[str, Any] = {
        "query": query,
        "scale": scale,
        "budget": budget,
        "spark": spark,
        "engines": sorted({s.engine for s in steps}),
        "refused": refused,
        "estimated_peak": max(peaks, default=None),
        "estimated_demand": max((m.demand for m in memory), default=None),
        "estimated_spill": sum(m.spill for m in memory),
        "reason": next((s.reason for s in steps if s.engine != "local"), steps[-1].reason),
        "moved_bytes": sum(t.bytes for t in plan.transfers),
    }
    if not run:
        return out
    start = time.perf_counter()
    with PeakMemory() as peak:
        result = plan.execute()
    out["seconds"] = time.perf_counter() - start
    out["start_rss"] = peak.start_bytes
    out["peak_rss"] = peak.bytes
    out["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["after_rss"] = _rss_bytes()
    (name,) = plan.results
    con = duckdb.connect(str(duckdb_file(scale)), read_only=True)
    expected = con.sql(TEXTS[query]).to_arrow_table()
    out["answer"] = difference(result[name], expected, ordered=query in ORDERED) or "correct"
    return out


def _spawn(query: str, scale: float, budget: str, spark: bool, run: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.memory", "--child", query, f"{scale:g}", budget]
    cmd += ["--spark"] if spark else []
    cmd += ["--run"] if run else []
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"query": query, "scale": scale, "error": " | ".join(tail)}
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def transfer(gigabytes: float, budget: str, folder: str, to: str = "duckdb") -> dict[str, Any]:
    """Generate a table of ``gigabytes`` GB of Arrow in one DuckDB file and move it whole to
    another (``to="duckdb"``) or to an in-process Spark session (``to="spark"``, whose JVM's
    memory is Spark's own and left out of the peak), grouped there; the run's peak and the
    totals checked against the source's."""
    import duckdb

    import pushdown
    from pushdown.bench.memory import PeakMemory
    from pushdown.local.store import parse_bytes

    rows = int(gigabytes * 1e9 / 60) + 1  # 60 bytes of Arrow a row (8 + 8 + 36 + 8)
    src, dst = os.path.join(folder, "src.duckdb"), os.path.join(folder, "dst.duckdb")
    con = duckdb.connect(src)
    con.execute(
        "CREATE TABLE big AS SELECT range AS k, range % 1000 AS g, md5(range::VARCHAR) AS s, "
        f"(range % 997) / 7.0 AS v FROM range({rows})"
    )
    want = con.execute("SELECT count(*), sum(k), max(s) FROM big").fetchone()
    con.close()
    flow = pushdown.Flow()
    flow.connection("src", f"duckdb:///{src}?memory_limit={SOURCE_MEMORY}&threads=1")
    if to == "spark":
        flow.connection("dst", "spark://local[2]")
    else:
        duckdb.connect(dst).execute("CREATE TABLE one AS SELECT 1 AS x").close()
        flow.connection("dst", f"duckdb:///{dst}?memory_limit={SOURCE_MEMORY}&threads=1")
    big = flow.dataset("big", connection="src", table="big")
    big.group(["g"], {"n": "count(*)", "ks": "sum(k)", "smax": "max(s)"}, name="sums")
    plan = pushdown.plan(flow, pin={"sums": "dst", "big": "src"}, engine_statistics=False)
    moved: list[int] = []
    start = time.perf_counter()
    with PeakMemory(children=to != "spark") as peak:
        result = plan.execute(
            memory_limit=budget,
            spill_dir=os.path.join(folder, "spill"),
            progress=lambda m: moved.append(m.bytes),
        )
    sums = result["sums"]
    got = (sum(sums["n"].to_pylist()), sum(sums["ks"].to_pylist()), max(sums["smax"].to_pylist()))
    assert want is not None
    return {
        "rows": rows,
        "moved": max(moved, default=0),
        "seconds": time.perf_counter() - start,
        "budget": parse_bytes(budget),
        "start_rss": peak.start_bytes,
        "peak_rss": peak.bytes,
        "answer": "correct" if got == tuple(want) else f"{got} != {tuple(want)}",
    }


def _gib(value: float | None) -> str:
    return "?" if value is None else f"{value / 1024**3:.2f}"


def main(argv: list[str] | None = None) -> None:
    """Measure, then print the Markdown tables of benchmarks/README.md."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks memory")
    parser.add_argument("--scales", default="1,3", help="TPC-H scale factors, smallest first")
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--run-spark", action="store_true", help="also run the Spark plans")
    parser.add_argument("--child", nargs=3, metavar=("QUERY", "SCALE", "BUDGET"))
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--transfer", type=float, metavar="GB", help="move a generated table")
    parser.add_argument("--transfer-budget", default="256MiB")
    parser.add_argument(
        "--transfer-to", choices=("duckdb", "spark"), default="duckdb", help="default duckdb"
    )
    args = parser.parse_args(argv)
    if args.transfer:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="pushdown-transfer-") as folder:
            r = transfer(args.transfer, args.transfer_budget, folder, args.transfer_to)
        print(f"to {args.transfer_to}")
        print("| rows | moved GB | budget | peak RSS | RSS at start | growth | seconds | answer |")
        print("|---|---|---|---|---|---|---|---|")
        print(
            f"| {r['rows']:,} | {r['moved'] / 1e9:.2f} | {args.transfer_budget} | "
            f"{_gib(r['peak_rss'])} GiB | {_gib(r['start_rss'])} GiB | "
            f"{_gib(r['peak_rss'] - r['start_rss'])} GiB | {r['seconds']:.1f} | {r['answer']} |"
        )
        return
    if args.child:
        query, scale, budget = args.child
        print(json.dumps(child(query, float(scale), budget, args.spark, args.run), default=str))
        return
    scales = [float(s) for s in args.scales.split(",")]
    queries = args.queries.split(",")
    local = {(q, s): _spawn(q, s, "2GiB", False, True) for q in queries for s in scales}
    print("Forced local (warehouse forbidden), memory_budget=2GiB; sizes in GiB\n")
    print(
        "| query | scale | plan | in memory / spilled (est.) | estimated peak | peak RSS "
        "| RSS at start | growth | estimate error | seconds | answer |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for q in queries:
        for s in scales:
            r = local[q, s]
            if "error" in r:
                print(f"| {q} | {s:g} | error: {r['error']} | | | | | | | | |")
                continue
            verdict = "refused, run pinned local" if r["refused"] else "local"
            grown = r["peak_rss"] - r["start_rss"]
            error = r["estimated_peak"] / grown - 1 if grown > 0 else float("nan")
            print(
                f"| {q} | {s:g} | {verdict} | {_gib(r['estimated_demand'])} / "
                f"{_gib(r['estimated_spill'])} | {_gib(r['estimated_peak'])} | "
                f"{_gib(r['peak_rss'])} | {_gib(r['start_rss'])} | {_gib(grown)} | "
                f"{error:+.0%} | {r['seconds']:.1f} | {r['answer']} |"
            )
    small, large = scales[0], scales[-1]
    print(f"\n| query | peak {large:g} / peak {small:g} | same, RSS at start subtracted |")
    print("|---|---|---|")
    for q in queries:
        a, b = local[q, small], local[q, large]
        if "error" in a or "error" in b:
            continue
        grown = (b["peak_rss"] - b["start_rss"]) / (a["peak_rss"] - a["start_rss"])
        print(f"| {q} | {b['peak_rss'] / a['peak_rss']:.2f} | {grown:.2f} |")
    print("\nmemory_budget=512MiB with an in-process Spark connection (no pin)\n")
    print("| query | scale | steps on | reason (first step moved) | peak RSS GiB |")
    print("|---|---|---|---|---|")
    for q in queries:
        for s in scales:
            r = _spawn(q, s, "512MiB", True, args.run_spark)
            if "error" in r:
                print(f"| {q} | {s:g} | error | {r['error']} | |")
                continue
            reason = r["reason"].replace("|", "/")
            peak = _gib(r.get("peak_rss")) if args.run_spark else "(not run)"
            print(f"| {q} | {s:g} | {', '.join(r['engines'])} | {reason} | {peak} |")


if __name__ == "__main__":
    main()
