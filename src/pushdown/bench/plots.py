"""The bench report's figures, one per question a reader asks of a run:

- ``run_seconds``: how long each query runs in place, per engine (and the pandas / polars peers);
- ``flow_vs_handwritten``: is the flow as fast as hand-written SQL on the same engine?
- ``pull_vs_in_place``: what does pulling every input local cost, in time and in bytes moved?
- ``placement_vs_rule``: does the planner's placement beat the first-input rule, and how far is
  it from the best placement measured?
- ``planning_vs_ibis``: planning + SQL generation against Ibis compiling the same query.

Run times and compile times never share an axis.  Each engine (and each peer or tool) has one
colour, the same in every figure and every report (:func:`colours`); a series without a bar has
no legend entry; ratios are labelled as ratios, with the target drawn as a line and the verdict
(met / missed) in the legend.  Figures are at most ``MAX_WIDTH`` inches wide at ``DPI``."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pushdown.bench import results as r
from pushdown.bench.figures import (
    PUSHDOWN_SET,
    placement_ratios,
    ratios,
    target_bound,
    target_verdict,
)

DPI = 100
MAX_WIDTH = 13.0  # inches: 1,300 px at DPI
HEIGHT = 4.2

# Fixed colours (matplotlib's tab20), so an engine looks the same everywhere: the dark shades
# for the engines and peers known here, the light ones for the others.
_TAB20 = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
]  # fmt: skip
KNOWN = {
    "duckdb": _TAB20[0], "local": _TAB20[1], "spark": _TAB20[2], "bigquery": _TAB20[3],
    "databricks": _TAB20[4], "multi": _TAB20[5], "pandas": _TAB20[6], "polars": _TAB20[7],
    "hive": _TAB20[8], "snowflake": _TAB20[9],
    "pushdown": "#393b79", "ibis": "#637939",  # tools (tab20b's dark shades): compile times
}  # fmt: skip


def colours(names: Iterable[str]) -> dict[str, str]:
    """A colour per name: the fixed one of a known engine, peer or tool; the spare tab20
    colours, in name order, for the others (they repeat only past twenty names)."""
    spare = [c for c in _TAB20 if c not in KNOWN.values()]
    out, unknown = {}, sorted(set(names) - set(KNOWN))
    for name in set(names) & set(KNOWN):
        out[name] = KNOWN[name]
    for i, name in enumerate(unknown):
        out[name] = spare[i % len(spare)]
    return out


@dataclass
class Series:
    """One set of bars: a label, its colour and a value per query (missing queries: no bar)."""

    label: str
    colour: str
    values: dict[str, float]
    hatch: str = ""


@dataclass
class Chart:
    """One figure of the report: its file stem, the question it answers, the matplotlib figure."""

    name: str
    title: str
    figure: Any  # matplotlib.figure.Figure (matplotlib is imported only to draw)


def _width(queries: int, series: int, panels: int = 1) -> float:
    return min(MAX_WIDTH, panels * max(6.0, 1.5 + queries * (0.22 * series + 0.3)))


def _subplots(width: float, panels: int = 1) -> tuple[Any, list[Any]]:
    """A figure of ``panels`` axes side by side; constrained layout keeps the legends (under
    each axes) and the titles inside the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, panels, figsize=(width, HEIGHT), dpi=DPI, layout="constrained",
                             squeeze=False)  # fmt: skip
    return fig, list(axes[0])


def _legend(ax: Any) -> None:
    """The legend under the axes, never over the bars."""
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2,
              fontsize="small", frameon=False)  # fmt: skip


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _ratio_axis(ax: Any, series: list[Series], target: str) -> None:
    """Log scale when the ratios (and the target) span more than a decade, else linear from 0."""
    values = [v for s in series for v in s.values.values() if v > 0]
    bound = target_bound(target)
    values += [bound[1]] if bound else []
    if values and max(values) / min(values) > 10:
        _log_axis(ax)
    else:
        ax.set_ylim(bottom=0)


def _log_axis(ax: Any) -> None:
    """A log scale with plain numbers (0.01, 10, 2000) as tick labels."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _bars(ax: Any, queries: Sequence[str], series: list[Series]) -> None:
    """Grouped bars, a group per query; series without values are left out (no empty legend)."""
    drawn = [s for s in series if any(q in s.values for q in queries)]
    width = 0.8 / max(1, len(drawn))
    for i, s in enumerate(drawn):
        xs = [j - 0.4 + (i + 0.5) * width for j, q in enumerate(queries) if q in s.values]
        ys = [s.values[q] for q in queries if q in s.values]
        ax.bar(xs, ys, width=width, color=s.colour, hatch=s.hatch, label=s.label,
               edgecolor="white" if not s.hatch else "black", linewidth=0.5)  # fmt: skip
    ax.set_xticks(range(len(queries)), list(queries))
    ax.set_xlim(-0.6, len(queries) - 0.4)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _target_line(ax: Any, target: str) -> None:
    """A dashed line at a target such as ``<= 1.10`` (labelled in the legend)."""
    bound = target_bound(target)
    if bound:
        ax.axhline(bound[1], color="black", linestyle="--", linewidth=1,
                   label=f"target {target.strip()}")  # fmt: skip


def _figure(result: r.BenchResult, name: str, engine: str) -> dict[str, Any] | None:
    return next((f for f in result.figures if f["figure"] == name and f["engine"] == engine), None)


def _legend_label(engine: str, summary: dict[str, Any] | None) -> str:
    if summary is None:
        return engine
    verdict = target_verdict(summary["median"], summary["target"])
    return f"{engine}: median {_number(summary['median'])}" + (f", {verdict}" if verdict else "")


def _ratio_panel(
    ax: Any,
    queries: Sequence[str],
    series: list[Series],
    target: str,
    ylabel: str,
    title: str,
    *,
    one: bool = True,
) -> None:
    """Bars of ratios with their target line (and, when ``one``, a grey line at 1), on a
    scale that fits them, labelled as ratios."""
    _bars(ax, queries, series)
    if one:
        ax.axhline(1.0, color="grey", linewidth=0.8)
    _target_line(ax, target)
    _ratio_axis(ax, series, target)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _legend(ax)


def charts(result: r.BenchResult) -> list[Chart]:
    """The figures this run has data for (matplotlib must be importable)."""
    import matplotlib

    matplotlib.use("Agg")
    names = {m.engine for m in result.measurements} | {"pushdown", "ibis"}
    palette = colours(names)
    queries = [str(q) for q in result.settings["queries"]]
    made = [
        _run_seconds(result, queries, palette),
        _flow_vs_handwritten(result, queries, palette),
        _pull_vs_in_place(result, queries, palette),
        _placement_vs_rule(result, queries, palette),
        _planning_vs_ibis(result, queries, palette),
    ]
    return [c for c in made if c is not None]


def _engines(result: r.BenchResult, variant: str) -> list[str]:
    return sorted({m.engine for m in result.measurements if m.variant == variant and m.median})


def _run_seconds(
    result: r.BenchResult, queries: list[str], palette: dict[str, str]
) -> Chart | None:
    series = []
    for variant in (r.FLOW, r.PEER):
        for engine in _engines(result, variant):
            values = {}
            for q in queries:
                m = result.find(engine, q, variant)
                if m and m.status == "ok" and m.median:
                    values[q] = m.median
            label = engine if variant == r.FLOW else f"{engine} (peer, same query)"
            series.append(Series(label, palette[engine], values))
    if not any(s.values for s in series):
        return None
    fig, (ax,) = _subplots(_width(len(queries), len(series)))
    _bars(ax, queries, series)
    _log_axis(ax)
    ax.set_ylabel("run time, median seconds (log scale)")
    title = "How long each query runs, in place"
    ax.set_title(title)
    _legend(ax)
    return Chart("run_seconds", title, fig)


def _flow_vs_handwritten(
    result: r.BenchResult, queries: list[str], palette: dict[str, str]
) -> Chart | None:
    name = "flow / hand-written SQL (time)"
    series = []
    for engine in _engines(result, r.HANDWRITTEN):
        values = ratios(result, engine, r.FLOW, r.HANDWRITTEN)
        label = _legend_label(engine, _figure(result, name, engine))
        series.append(Series(label, palette[engine], values))
    if not any(s.values for s in series):
        return None
    fig, (ax,) = _subplots(_width(len(queries), len(series)))
    title = "Is the flow as fast as hand-written SQL on the same engine?"
    _ratio_panel(ax, queries, series, "<= 1.10", "flow time / hand-written SQL time (ratio)", title)
    return Chart("flow_vs_handwritten", title, fig)


def _pull_vs_in_place(
    result: r.BenchResult, queries: list[str], palette: dict[str, str]
) -> Chart | None:
    engines = _engines(result, r.PULL_LOCAL)
    core = [q for q in queries if q in PUSHDOWN_SET] or queries
    if not engines:
        return None
    fig, axes = _subplots(_width(len(core), len(engines), panels=2), panels=2)
    panels = (
        ("time", "pull-all-local time / in-place time (ratio)", ">= 10"),
        ("bytes moved", "bytes moved pulling / in place (ratio)", ">= 100"),
    )
    for ax, (what, ylabel, target) in zip(axes, panels, strict=True):
        series = []
        for engine in engines:
            values: dict[str, float] = {}
            for q in core:
                a, b = result.find(engine, q, r.PULL_LOCAL), result.find(engine, q, r.FLOW)
                if not (a and b and a.status == b.status == "ok"):
                    continue
                top, bottom = (
                    (a.median, b.median) if what == "time" else (a.bytes_moved, b.bytes_moved)
                )
                if top and bottom:
                    values[q] = top / bottom
            summary = _figure(result, f"pull-all-local / in place ({what})", engine)
            series.append(Series(_legend_label(engine, summary), palette[engine], values))
        _ratio_panel(ax, core, series, target, ylabel, what, one=False)
    title = "What does pulling every input local cost, against running in place?"
    fig.suptitle(title)
    return Chart("pull_vs_in_place", title, fig)


def _placement_vs_rule(
    result: r.BenchResult, queries: list[str], palette: dict[str, str]
) -> Chart | None:
    rule, regret = placement_ratios(result)
    if not rule and not regret:
        return None
    fig, axes = _subplots(_width(len(queries), 1, panels=2), panels=2)
    panels = (
        (rule, "first-input rule", "first-input rule / placed (time)",
         "rule time / placed time (ratio)", ">= 2"),
        (regret, "placed / best measured", "placed / best measured placement (regret)",
         "placed time / fastest placement's (ratio)", "<= 1.10"),
    )  # fmt: skip
    for ax, (values, what, name, ylabel, target) in zip(axes, panels, strict=True):
        label = _legend_label("multi", _figure(result, name, "multi"))
        series = [Series(label, palette["multi"], values)]
        _ratio_panel(ax, queries, series, target, ylabel, what)
    title = "Does the planner's placement beat the first-input rule, and the other placements?"
    fig.suptitle(title)
    return Chart("placement_vs_rule", title, fig)


def _planning_vs_ibis(
    result: r.BenchResult, queries: list[str], palette: dict[str, str]
) -> Chart | None:
    variants = sorted({m.variant for m in result.measurements if m.engine == r.COMPILE})
    if not variants:
        return None
    series = []
    for variant in variants:  # "ibis snowflake", "pushdown 6 dialects", "pushdown snowflake"
        tool = variant.split(" ", 1)[0]
        values = {}
        for q in queries:
            m = result.find(r.COMPILE, q, variant)
            if m and m.seconds:
                values[q] = statistics.median(m.seconds) * 1000
        hatch = "//" if tool == "pushdown" and not variant.endswith("dialects") else ""
        series.append(Series(variant, palette.get(tool, KNOWN["pushdown"]), values, hatch))
    fig, (ax,) = _subplots(_width(len(queries), len(series)))
    _bars(ax, queries, series)
    ax.set_ylabel("compile time, median milliseconds")
    summary = next((f for f in result.figures if "/ Ibis one dialect" in f["figure"]), None)
    title = "Planning + SQL against Ibis (compile time)"
    if summary is not None:
        verdict = target_verdict(summary["median"], summary["target"])
        ax.set_title(
            f"{title}\nall dialects / Ibis: median {_number(summary['median'])}, "
            f"target {summary['target']}" + (f": {verdict}" if verdict else ""),
            fontsize="medium",
        )
    else:
        ax.set_title(title)
    _legend(ax)
    return Chart("planning_vs_ibis", title, fig)


def write_charts(result: r.BenchResult, folder: Path) -> list[tuple[Chart, list[Path]]]:
    """Draw :func:`charts` into ``folder`` as PNG and SVG (text kept as text in the SVG);
    nothing without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return []
    import matplotlib.pyplot as plt

    out = []
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        for chart in charts(result):
            paths = [folder / f"{chart.name}.png", folder / f"{chart.name}.svg"]
            for path in paths:
                chart.figure.savefig(path, dpi=DPI)
            plt.close(chart.figure)
            out.append((chart, paths))
    return out
