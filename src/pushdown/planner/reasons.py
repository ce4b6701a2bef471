"""Placement records: where each step of a placed plan runs, why, and what each other
engine would have cost (explain's reasons and alternatives)."""

from __future__ import annotations

from collections.abc import Mapping

from pushdown.plan import nodes as n
from pushdown.planner.cost import LOCAL
from pushdown.planner.placement import Placement, Placer
from pushdown.planner.search import Search
from pushdown.planner.search_state import State


def placements(placer: Placer, assign: dict[str, str]) -> dict[str, Placement]:
    """Placement records of ``assign`` with reasons and the alternatives considered."""
    result = {}
    # Each alternative is a single-step move from ``assign``, priced as the local search
    # prices its moves (a delta over the few terms it touches).
    state = State(Search(placer), dict(assign))
    # A difference this small against the plan's whole score is the rounding of the terms
    # (explain would show "+3e-18 s" or a cheaper-looking "-$3e-27"): it is none.
    noise = 1e-12 * abs(sum(state.term.values()))  # placer.score(assign): its terms, in order
    for name in placer.nodes:
        engine = assign[name]
        alternatives: list[tuple[str, float | None, str]] = []
        for other in placer.engines:
            if other == engine:
                continue
            if other in placer.candidates[name]:
                delta = state.delta_one(name, other)
                alternatives.append((other, 0.0 if abs(delta) <= noise else delta, "costed"))
            else:
                alternatives.append((other, None, _why_not(placer, name, other)))
        result[name] = Placement(
            engine=engine,
            reason=_reason(placer, name, engine, assign, alternatives),
            cost=state.term[name],  # placer.term_score(name, assign), kept by the state
            rows=placer.est[name].rows,
            bytes=placer.est[name].bytes,
            alternatives=tuple(alternatives),
            defaults=tuple(sorted(placer.est[name].defaults)),
        )
    return result


def _why_not(placer: Placer, name: str, engine: str) -> str:
    node = placer.nodes[name]
    if isinstance(node, n.Source):
        return "a source stays where it lives"
    if isinstance(node, n.PythonStep):
        return "Python steps run locally"
    if engine in placer.constraints.forbid | placer.constraints.forbid_steps.get(name, set()):
        return "forbidden by the user"
    if name in placer.constraints.pins:
        return f"pinned to {placer.constraints.pins[name]}"
    if engine == LOCAL and name in placer.refused:
        return f"refused for memory: {placer.refused[name]}"
    verdict = placer.verdicts.get(name, {}).get(engine)
    if verdict is not None and not verdict.ok:
        return verdict.describe(f"{placer.profiles[engine].name} ({engine})")
    return "not a candidate"


def _reason(
    placer: Placer,
    name: str,
    engine: str,
    assign: Mapping[str, str],
    alternatives: list[tuple[str, float | None, str]],
) -> str:
    node = placer.nodes[name]
    if isinstance(node, n.Source):
        if node.connection == LOCAL:
            in_memory = node.path is not None and node.path.startswith("memory:")
            return "in-memory Arrow table" if in_memory else "local file"
        return f"table {node.table} lives on {node.connection}"
    if isinstance(node, n.PythonStep):
        return "Python steps run locally on Arrow record batches"
    if name in placer.constraints.pins:
        return f"pinned to {engine} by the user"
    why = _reason_placed(placer, name, engine, assign, alternatives)
    if name in placer.refused and engine != LOCAL:
        return f"local refused for memory: {placer.refused[name]}; {why}"
    return why


def _reason_placed(
    placer: Placer,
    name: str,
    engine: str,
    assign: Mapping[str, str],
    alternatives: list[tuple[str, float | None, str]],
) -> str:
    node = placer.nodes[name]
    homes = sorted({assign[i] for i in node.inputs})
    # A step that cannot run where its data lives says which construct blocked it.
    blocked = [h for h in homes if h != LOCAL and h != engine and not placer.verdicts[name][h].ok]
    if blocked:
        h = blocked[0]
        return placer.verdicts[name][h].describe(f"{placer.profiles[h].name} ({h})")
    costed = [(delta, e) for e, delta, _ in alternatives if delta is not None]
    best = min(costed) if costed else None
    extra = placer.model.describe(best[0], signed=True) if best else ""
    runner = f"; runner-up {best[1]} would cost {extra}" if best else ""
    if homes == [engine]:
        where = (
            f"its inputs live on {engine} ({placer.profiles[engine].name})"
            if engine != LOCAL
            else "its inputs are local"
        )
        return where + runner
    moved = [i for i in node.inputs if assign[i] != engine]
    return (
        f"cheapest: moves {', '.join(moved)} to {engine} instead of running on "
        f"{', '.join(h for h in homes if h != engine)}{runner}"
    )
