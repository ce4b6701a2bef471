"""Placement when estimates rest on defaults: the least bad worst case.

Without statistics, a selectivity, a group count or a table's size is a default constant
(see :mod:`pushdown.planner.stats`), and the cheapest placement for the default may be a bad
one if the truth is elsewhere in the plausible range.  So when the cheapest placement moves
data whose size rests on a default, the plan is also costed with every defaulted figure at
the low and at the high end of its range; the cheapest placement of each of those three
estimate sets is a proposal, and the proposal whose worst ratio to the best known cost of an
estimate set is smallest wins (minimax regret; the nominal optimum wins ties).  A placement
that moves nothing sized by a default keeps everything where its data lives and is kept as
it is.  A proposal that would pull a large dataset of known size to local (one the nominal
placement leaves in place) is not considered: defaulted figures never move a large input to
local.
"""

from __future__ import annotations

from collections.abc import Mapping

from pushdown.plan import nodes as n
from pushdown.planner.cost import LOCAL
from pushdown.planner.placement import Placer
from pushdown.planner.stats import Bound, estimate_plan
from pushdown.statistics import TableStats

BOUNDS: tuple[Bound, ...] = ("low", "high")
# A dataset of at least this many bytes, its size known, is never moved to local for the sake
# of defaulted figures (issue 11: unknown selectivities never move a large input to local).
LARGE_BYTES = 1e8


def uncertain(placer: Placer) -> dict[str, bool]:
    """Per dataset: whether its estimate, or an estimate it derives from, used a default."""
    result: dict[str, bool] = {}
    for name, node in placer.nodes.items():
        result[name] = bool(placer.est[name].defaults) or any(result[i] for i in node.inputs)
    return result


def moves_uncertain_data(
    placer: Placer, assign: Mapping[str, str], doubtful: Mapping[str, bool] | None = None
) -> bool:
    """True when ``assign`` moves a dataset whose size rests on a default (``doubtful``:
    :func:`uncertain` of ``placer`` when already known)."""
    doubtful = uncertain(placer) if doubtful is None else doubtful
    consumers = placer.logical.consumers
    return any(
        doubtful[name] and any(assign[c] != assign[name] for c in consumers[name])
        for name in placer.nodes
    )


def least_bad_worst_case(
    placer: Placer,
    assign: dict[str, str],
    source_stats: Mapping[str, TableStats | None],
) -> dict[str, str]:
    """``assign`` (the cheapest placement under the nominal estimates), or a placement whose
    worst case over the bounded estimates is less bad."""
    doubtful = uncertain(placer)
    if not moves_uncertain_data(placer, assign, doubtful):
        return assign
    scenarios = [placer]
    for bound in BOUNDS:
        estimates = estimate_plan(placer.logical, source_stats, bound, nominal=placer.est)
        scenarios.append(
            Placer(
                placer.logical,
                placer.profiles,
                estimates,
                placer.needed,
                placer.model,
                placer.constraints,
                like=placer,
            )
        )
    # Proposals for the bounds: their cheapest placements by the programme and single moves
    # (no region moves, one start): enough to say what the other ends of the range prefer.
    proposals = [assign] + [
        p
        for s in scenarios[1:]
        if not _pulls_large(placer, p := s.solve(quick=True), assign, doubtful)
    ]
    scores: list[list[float]] = []
    for i, p in enumerate(proposals):
        same = next((j for j in range(i) if proposals[j] == p), None)
        scores.append(list(scores[same]) if same is not None else [s.score(p) for s in scenarios])
    best = [min(column) for column in zip(*scores, strict=True)]

    regrets = [_regret(row, best) for row in scores]
    least = min(regrets)
    chosen = next(i for i, r in enumerate(regrets) if r <= least * (1 + 1e-9))
    return proposals[chosen]


def _pulls_large(
    placer: Placer,
    proposal: Mapping[str, str],
    nominal: Mapping[str, str],
    doubtful: Mapping[str, bool],
) -> bool:
    """True when ``proposal`` moves to local a large dataset whose size rests on statistics
    (no default) that ``nominal`` leaves where it is (``doubtful``: :func:`uncertain`)."""
    consumers = placer.logical.consumers
    for name in placer.nodes:
        if doubtful[name] or placer.est[name].bytes < LARGE_BYTES or proposal[name] == LOCAL:
            continue
        pulled = any(proposal[c] == LOCAL for c in consumers[name])
        if pulled and not any(nominal[c] == LOCAL for c in consumers[name]):
            return True
    return False


def _regret(row: list[float], best: list[float]) -> float:
    """The worst ratio of a proposal's cost to the best known cost, over the estimate sets."""
    return max(
        value / b if b > 0 else (1.0 if value <= 0 else float("inf"))
        for value, b in zip(row, best, strict=True)
    )


def note_defaults(
    placer: Placer, nominal: dict[str, str], chosen: dict[str, str], notes: dict[str, str]
) -> None:
    """Say in explain which steps' estimates are defaults, and where the least bad worst case
    placed a step elsewhere than the cheapest placement for the defaults."""
    for name, node in placer.nodes.items():
        said = []
        defaults = placer.est[name].defaults
        if defaults and not isinstance(node, n.Source):
            said.append(f"default estimate: {', '.join(sorted(defaults))}")
        if chosen[name] != nominal[name]:
            said.append(
                f"placed for the least bad worst case over default estimates "
                f"(cheapest for the defaults: {nominal[name]})"
            )
        if said:
            notes[name] = "; ".join([notes[name], *said] if name in notes else said)
