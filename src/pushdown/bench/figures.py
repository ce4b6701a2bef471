"""The headline ratios of a run, each from measurements taken in that same run."""

from __future__ import annotations

import math
import operator
import re
import statistics
from typing import Any

from pushdown.bench import results as r

PUSHDOWN_SET = ("q1", "q3", "q5", "q6", "q10")  # the in-place vs pull-all queries


def _geomean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


_COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def target_bound(target: str) -> tuple[str, float] | None:
    """The comparison and number of a target such as ``<= 1.10``, ``>= 10`` or ``> 1`` (words
    after the number are ignored); ``None`` when there is none (``"(like for like)"``)."""
    match = re.match(r"\s*(<=|>=|<|>)\s*([0-9.]+)", target or "")
    return None if match is None else (match.group(1), float(match.group(2)))


def target_verdict(value: float, target: str) -> str:
    """``"met"`` or ``"missed"`` for a headline figure against a target (:func:`target_bound`);
    ``""`` when there is none."""
    bound = target_bound(target)
    if bound is None:
        return ""
    return "met" if _COMPARE[bound[0]](value, bound[1]) else "missed"


def _summary(name: str, engine: str, ratios: dict[str, float], target: str) -> dict[str, Any]:
    values = list(ratios.values())
    return {
        "figure": name,
        "engine": engine,
        "queries": len(values),
        "median": statistics.median(values),
        "geomean": _geomean(values),
        "min": min(values),
        "max": max(values),
        "target": target,
        "verdict": target_verdict(statistics.median(values), target),
        "per_query": ratios,
    }


def ratios(
    result: r.BenchResult, engine: str, top: str, bottom: str, *, top_engine: str | None = None
) -> dict[str, float]:
    """Per query: median seconds of (top_engine or engine, top) / (engine, bottom)."""
    out = {}
    for query in result.settings["queries"]:
        a = result.find(top_engine or engine, query, top)
        b = result.find(engine, query, bottom)
        if a and b and a.median and b.median and a.status == b.status == "ok":
            out[query] = a.median / b.median
    return out


def headline_figures(result: r.BenchResult) -> list[dict[str, Any]]:
    """In place vs hand-written SQL, pull-everything-local vs in place (time and bytes), peers
    vs the local engine, the multi-engine placements, and peak memory."""
    figures: list[dict[str, Any]] = []
    engines = sorted({m.engine for m in result.measurements if m.variant == r.FLOW})
    for engine in engines:
        hand = ratios(result, engine, r.FLOW, r.HANDWRITTEN)
        if hand:
            figures.append(_summary("flow / hand-written SQL (time)", engine, hand, "<= 1.10"))
        pulled = ratios(result, engine, r.PULL_LOCAL, r.FLOW)
        if pulled:
            core = {q: v for q, v in pulled.items() if q in PUSHDOWN_SET} or pulled
            figures.append(_summary("pull-all-local / in place (time)", engine, core, ">= 10"))
            moved = {}
            for query in core:
                a, b = result.find(engine, query, r.PULL_LOCAL), result.find(engine, query, r.FLOW)
                if a and b and a.bytes_moved and b.bytes_moved:
                    moved[query] = a.bytes_moved / b.bytes_moved
            if moved:
                figures.append(
                    _summary("pull-all-local / in place (bytes moved)", engine, moved, ">= 100")
                )
    for peer in ("pandas", "polars"):
        versus = ratios(result, "local", r.PEER, r.FLOW, top_engine=peer)
        if versus:
            figures.append(_summary(f"{peer} / local engine (time)", "local", versus, "> 1"))
    figures.extend(_placement_figures(result))
    for engine in engines:
        a = result.find(engine, "lineitem", r.FETCH_ARROW)
        b = result.find(engine, "lineitem", r.FETCH_ROWS)
        if a and b and a.median and b.median:
            ratio = b.median / a.median  # = Arrow rows/s over DB-API rows/s: a ratio, no unit
            name = "Arrow fetch / DB-API rows (throughput)"
            figures.append(_summary(name, engine, {"lineitem": ratio}, ">= 10"))
    compiled = [m for m in result.measurements if m.engine == r.COMPILE]
    ours = next((m.variant for m in compiled if m.variant.endswith("dialects")), None)
    if ours is not None:
        theirs = next(m.variant for m in compiled if m.variant.startswith("ibis"))
        versus = ratios(result, r.COMPILE, ours, theirs)
        figures.append(
            _summary(f"plan + {ours.split(' ', 1)[1]} / Ibis one dialect", "", versus, "<= 0.5")
        )
        one = next(
            m.variant
            for m in compiled
            if m.variant.startswith("pushdown ") and not m.variant.endswith("dialects")
        )
        like = ratios(result, r.COMPILE, one, theirs)
        figures.append(
            _summary("plan + one dialect / Ibis one dialect", "", like, "(like for like)")
        )
    peaks = [m.peak_rss_bytes for m in result.measurements if m.peak_rss_bytes]
    if peaks:
        for engine in engines:
            mine = [
                m.peak_rss_bytes
                for m in result.measurements
                if m.engine == engine and m.variant == r.FLOW and m.peak_rss_bytes
            ]
            if mine:
                target = "<= 4 (local, scale 1)" if engine == "local" else ""
                figures.append(
                    {
                        "figure": "peak resident memory (GiB)",
                        "engine": engine,
                        "queries": len(mine),
                        "max": max(mine) / 2**30,
                        "median": statistics.median(mine) / 2**30,
                        "target": target,
                        "verdict": target_verdict(max(mine) / 2**30, target),
                    }
                )
    return figures


def _placement_figures(result: r.BenchResult) -> list[dict[str, Any]]:
    """Multi-engine suite: the placed run against the rule and the best measured candidate."""
    rule, oracle = placement_ratios(result)
    figures = []
    if rule:
        figures.append(_summary("first-input rule / placed (time)", "multi", rule, ">= 2"))
    if oracle:
        figures.append(
            _summary("placed / best measured placement (regret)", "multi", oracle, "<= 1.10")
        )
    return figures


def placement_ratios(result: r.BenchResult) -> tuple[dict[str, float], dict[str, float]]:
    """Multi-engine suite, per query: rule time / placed time, and placed time / the fastest
    placement measured (the regret)."""
    rule, oracle = {}, {}
    for query in result.settings["queries"]:
        placed = result.find("multi", query, r.PLACED)
        if placed is None or placed.status != "ok" or not placed.median:
            continue
        base = result.find("multi", query, r.RULE)
        if base and base.status == "ok" and base.median:
            rule[query] = base.median / placed.median
        runs = [
            m.median
            for m in result.measurements
            if m.engine == "multi" and m.query == query and m.status == "ok" and m.median
        ]
        oracle[query] = placed.median / min(runs)
    return rule, oracle
