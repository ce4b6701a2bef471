"""Write a run's results: ``results.csv`` and ``results.json`` (with the machine, versions
and settings), ``report.md`` and its figures (PNG and SVG, when matplotlib is installed; one
per question, drawn by :mod:`pushdown.bench.plots`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from pushdown.bench import results as r
from pushdown.bench.plots import write_charts


def write_report(result: r.BenchResult, folder: Path) -> list[Path]:
    """Write every file of ``result`` under ``folder``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [m.row() for m in result.measurements]
    written = [folder / "results.csv", folder / "results.json"]
    with written[0].open("w", newline="") as f:
        fields = list(rows[0]) if rows else ["suite", "engine", "query", "variant", "status"]
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    document = {
        "machine": result.machine,
        "settings": result.settings,
        "skipped": result.skipped,
        "figures": result.figures,
        "measurements": rows,
    }
    written[1].write_text(json.dumps(document, indent=2, default=str))
    drawn = write_charts(result, folder)
    written += [path for _, paths in drawn for path in paths]
    report = folder / "report.md"
    report.write_text(markdown(result, [(chart.title, paths[0].name) for chart, paths in drawn]))
    written.append(report)
    result.files = [str(p) for p in written]
    return written


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def markdown(result: r.BenchResult, plots: list[tuple[str, str]]) -> str:
    """The report: settings, machine, skipped engines, headline ratios (each met or missed
    against its target), per-query medians, then each figure (``plots``: title, PNG name)
    under the question it answers."""
    s, m = result.settings, result.machine
    lines = [
        f"# pushdown bench: {s['suite']} at scale {s['scale']:g}",
        "",
        f"Engines {', '.join(s['engines'])}; {s['repetitions']} repetitions after "
        f"{s['warmup']} warm-up; medians in seconds. Machine: {m.get('platform')}, "
        f"{m.get('cpus')} CPUs, Python {m.get('python')}; "
        + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
        + ".",
        "",
    ]
    if result.skipped:
        lines += ["## Skipped", ""]
        lines += [f"- **{engine}**: {reason}" for engine, reason in result.skipped.items()]
        lines.append("")
    if result.figures:
        lines += ["## Headline ratios", ""]
        lines += ["| figure | engine | queries | median | geo-mean | min | max | target | |"]
        lines += ["|---|---|---|---|---|---|---|---|---|"]
        for f in result.figures:
            cells = [f["figure"], f["engine"], f["queries"]]
            cells += [_fmt(f.get(k)) for k in ("median", "geomean", "min", "max")]
            verdict = f"**{f['verdict']}**" if f.get("verdict") else ""
            lines.append("| " + " | ".join(str(c) for c in [*cells, f["target"], verdict]) + " |")
        lines.append("")
    lines += _medians_table(result)
    problems = [x for x in result.measurements if x.status != "ok"]
    if problems:
        lines += ["## Not timed", ""]
        for x in problems:
            lines.append(f"- {x.engine} {x.query} {x.variant}: **{x.status}**: {x.detail}")
        lines.append("")
    for title, png in plots:
        lines += [f"## {title}", "", f"![{title}]({png})", ""]
    return "\n".join(lines)


def _medians_table(result: r.BenchResult) -> list[str]:
    columns = sorted({(m.engine, m.variant) for m in result.measurements})
    if not columns:
        return ["No measurements.", ""]
    lines = ["## Median seconds per query", ""]
    lines.append("| query | " + " | ".join(f"{e} {v}" for e, v in columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for query in result.settings["queries"]:
        cells = []
        for engine, variant in columns:
            x = result.find(engine, query, variant)
            cells.append(_fmt(x.median) if x and x.median else (x.status if x else ""))
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines
