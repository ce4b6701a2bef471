"""Cost-based placement: which engine runs each step, and why.

Every step may run where its inputs live, on another connection its inputs can be moved to, or
locally.  The candidates of a step are the engines that can express it (a capability check
per (step, engine)) and that the user has not forbidden; a pin leaves one candidate.

The search:

1. dynamic programming over the DAG in dependency order, exact for trees: the best cost of a
   step on engine E is its own cost on E plus, per input, the cheapest way to have that input
   on E (computed there, or computed elsewhere and moved);
2. when the remaining choices are few (at most ``EXHAUSTIVE_LIMIT`` assignments) every
   assignment is costed exactly, so shared steps (computed once, moved once per target) are
   priced right; otherwise a local search from the DP answer moves one step at a time while
   the exact cost falls.

The exact cost of an assignment (:meth:`Placer.total`) charges each step's scan, one statement
per fragment output, every transfer once per (dataset, target), and fetching the results.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from pushdown.errors import UnsupportedError, did_you_mean
from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.planner.capability import Memo, Verdict, check
from pushdown.planner.cost import LOCAL, ZERO, Cost, CostModel
from pushdown.planner.search import Layout, Search, Searched
from pushdown.planner.stats import Estimate, width_of
from pushdown.profiles import Profile

# Enumeration only for very small choices: the search (exact on forests) matched enumeration
# in every regret scenario, and enumerating 4,096 assignments of a TPC-H query cost about a
# second of plan().
EXHAUSTIVE_LIMIT = 64


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one step runs, why, and the estimates behind the choice."""

    engine: str
    reason: str
    cost: float | None = None
    rows: float | None = None
    bytes: float | None = None
    alternatives: tuple[tuple[str, float | None, str], ...] = ()
    # The figures of this step's estimate that are defaults rather than statistics
    # ("rows", "selectivity", "groups", "match fraction"; see planner/stats.py).
    defaults: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transfer:
    """A dataset moved from one engine to another."""

    dataset: str
    source: str
    target: str
    columns: tuple[str, ...]
    rows: float
    bytes: float
    channel: str
    cost: Cost


@dataclass
class Constraints:
    """What the user asked: pins, forbidden engines, materialisation points."""

    pins: dict[str, str] = field(default_factory=dict)
    forbid: set[str] = field(default_factory=set)
    forbid_steps: dict[str, set[str]] = field(default_factory=dict)
    materialize: set[str] = field(default_factory=set)


class Placer:
    """Finds the cheapest assignment of steps to engines."""

    def __init__(
        self,
        logical: LogicalPlan,
        profiles: Mapping[str, Profile],
        estimates: Mapping[str, Estimate],
        needed: Mapping[str, set[str]],
        model: CostModel,
        constraints: Constraints | None = None,
        *,
        like: Placer | None = None,
    ):
        """``like``: a placer of the same plan and constraints whose candidates (capability
        checks) are reused, e.g. to cost the plan under other estimates."""
        self.logical = logical
        self.nodes = logical.nodes
        self.profiles = profiles
        self.est = estimates
        self.needed = needed
        self.model = model
        self.constraints = constraints or Constraints()
        self.sinks = set(logical.sinks())
        self.engines = [LOCAL, *profiles]
        self.verdicts: dict[str, dict[str, Verdict]] = {}
        self._input_bytes: dict[str, float] = {}
        self._moved: dict[str, float] = {}
        # Per step: its estimate's widths and the width of its needed columns (shared with
        # ``like``: the estimates of other bounds keep the nominal widths, the same objects).
        self._row_width: dict[str, tuple[Mapping[str, float], float]] = {}
        self._own: dict[tuple[str, str], float] = {}
        self._out: dict[tuple[str, str, frozenset[str]], float] = {}
        # Per step: (a statement however placed, bytes moved, bytes fetched as a result);
        # per (engine, consumer engines): the other engines, sorted (the transfers' order).
        self._out_facts: dict[str, tuple[bool, float, float | None]] = {}
        self._crossings: dict[tuple[str, frozenset[str]], tuple[str, ...]] = {}
        self._alone: dict[str, frozenset[str]] = {}  # per engine, the set of it alone
        # What the last search did (its work, budget, shape); the search itself is not kept:
        # it points back at this placer, and that cycle would keep both placers' memos of the
        # least bad worst case alive until the cyclic collector walked them.
        self.search: Searched | None = None
        # The plan's shape and candidates as searches read them (made by the first search,
        # shared with ``like``: the same candidates).
        self.layout: Layout | None = None
        self.candidates: dict[str, list[str]]
        # Steps the local engine was refused for, and why (the memory budget: planner/memory.py).
        self.refused: dict[str, str] = {}
        if like is not None:
            self.verdicts, self.candidates = like.verdicts, like.candidates
            self._row_width = like._row_width
            self.layout = like.layout
            self.refused = like.refused
            return
        # One capability check per (step, profile): connections sharing a profile share it.
        self._checked: dict[tuple[str, int], Verdict] = {}
        self._memo = Memo()  # and per (profile, expression): steps repeat formulas
        self.candidates = {name: self._candidates(name) for name in self.nodes}

    # -- candidates -------------------------------------------------------------------------
    def _candidates(self, name: str) -> list[str]:
        node = self.nodes[name]
        if isinstance(node, n.Source):
            return [node.connection]
        verdicts = self.verdicts.setdefault(name, {})
        for engine in self.engines:
            if engine == LOCAL:
                continue
            profile = self.profiles[engine]
            key = (name, id(profile))
            verdict = self._checked.get(key)
            if verdict is None:
                verdict = self._checked[key] = check(node, profile, memo=self._memo)
            verdicts[engine] = verdict
        forbidden = self.constraints.forbid | self.constraints.forbid_steps.get(name, set())
        pin = self.constraints.pins.get(name)
        if pin is not None:
            if pin not in self.engines:
                raise UnsupportedError(
                    pin,
                    f"pin of step {name!r}",
                    f"no such engine; {did_you_mean(pin, self.engines)}",
                    recipe=node.recipe,
                )
            verdict = verdicts.get(pin)
            if verdict is not None and not verdict.ok:
                raise UnsupportedError(
                    f"{self.profiles[pin].name} ({pin})",
                    verdict.construct,
                    f"{verdict.reason}; the step is pinned there",
                    recipe=node.recipe,
                )
            return [pin]
        if isinstance(node, n.PythonStep):
            return [LOCAL]
        ok = [e for e in self.engines if e not in forbidden and (e == LOCAL or verdicts[e].ok)]
        if not ok:
            why = "; ".join(
                f"{e}: forbidden"
                if e in forbidden or e == LOCAL
                else verdicts[e].describe(f"{self.profiles[e].name} ({e})")
                for e in self.engines
            )
            raise UnsupportedError("any allowed engine", f"step {name!r}", why, recipe=node.recipe)
        return ok

    def refuse_local(self, name: str, reason: str) -> None:
        """Take the local engine from ``name``'s candidates, for ``reason`` (explain says it);
        the searches' view of the candidates is made again."""
        self.candidates[name] = [e for e in self.candidates[name] if e != LOCAL]
        self.refused[name] = reason
        self.layout = None

    # -- exact costs ------------------------------------------------------------------------
    def input_bytes(self, name: str) -> float:
        """Bytes a step reads: the needed columns of each input."""
        cached = self._input_bytes.get(name)
        if cached is None:
            node = self.nodes[name]
            cached = sum(map(self.moved_bytes, node.inputs))
            self._input_bytes[name] = cached
        return cached

    def moved_bytes(self, name: str) -> float:
        """Bytes of ``name``'s needed columns: what a transfer of it moves."""
        cached = self._moved.get(name)
        if cached is None:  # ``Estimate.bytes_of``, the width kept per widths object
            est = self.est[name]
            kept = self._row_width.get(name)
            if kept is None or kept[0] is not est.widths:
                kept = self._row_width[name] = (est.widths, width_of(est.widths, self.needed[name]))
            cached = self._moved[name] = est.rows * kept[1]
        return cached

    def own(self, name: str, engine: str) -> Cost:
        """A step's own cost on ``engine``: reading its inputs."""
        if isinstance(self.nodes[name], n.Source):
            return ZERO
        return self.model.scan(engine, self.input_bytes(name))

    def outgoing(self, name: str, engine: str, targets: set[str]) -> Cost:
        """Statement, transfers and result fetch for a step on ``engine`` whose consumers run
        on ``targets``."""
        cost = ZERO
        crossing = {t for t in targets if t != engine}
        is_sink = name in self.sinks
        if crossing or is_sink or name in self.constraints.materialize:
            cost += self.model.statement(engine)
        moved = self.moved_bytes(name)
        for target in sorted(crossing):
            cost += self.model.transfer(engine, target, moved)
        if is_sink and engine != LOCAL and LOCAL not in crossing:
            cost += self.model.transfer(engine, LOCAL, self.est[name].bytes)
        return cost

    def terms(self, name: str, assign: Mapping[str, str]) -> Cost:
        """Every cost term that depends on ``name``'s own engine choice and its consumers'."""
        engine = assign[name]
        targets = {assign[c] for c in self.logical.consumers[name]}
        return self.own(name, engine) + self.outgoing(name, engine, targets)

    def own_score(self, name: str, engine: str) -> float:
        """:meth:`own` folded by the objective (memoised)."""
        key = (name, engine)
        cached = self._own.get(key)
        if cached is None:
            if isinstance(self.nodes[name], n.Source):
                cached = self.model.score(ZERO)
            else:  # :meth:`own`'s scan, scored without building its Cost
                cached = self.model.scan_score(engine, self.input_bytes(name))
            self._own[key] = cached
        return cached

    def own_scores(self, name: str, engines: list[str]) -> list[float]:
        """:meth:`own_score` of ``name`` on each of ``engines`` (memoised alike)."""
        own = self._own
        if isinstance(self.nodes[name], n.Source):
            values = [self.model.score(ZERO)] * len(engines)
        else:
            values = self.model.scan_scores(engines, self.input_bytes(name))
        for engine, value in zip(engines, values, strict=True):
            own[name, engine] = value
        return values

    def out_score(self, name: str, engine: str, targets: frozenset[str]) -> float:
        """:meth:`outgoing` folded by the objective (memoised on the engines involved)."""
        cached = self._out.get((name, engine, targets))
        if cached is not None:
            return cached
        return self.out_scores(name, [engine], targets)[0]

    def out_scores(self, name: str, engines: list[str], targets: frozenset[str]) -> list[float]:
        """:meth:`out_score` of ``name`` on each of ``engines`` toward ``targets``: the sum of
        :meth:`outgoing` scored term by term (the objective is linear), without building Cost
        objects.  Memoised per (step, engine, consumer engines); what the dynamic programme
        asks per edge, so its few sums are kept per step and per engine pair."""
        kept = self._out
        statement, moved, fetched = self._facts(name)
        crossings = self._crossings
        model = self.model
        result = []
        for engine in engines:
            key = (name, engine, targets)
            value = kept.get(key)
            if value is None:
                crossing = crossings.get((engine, targets))
                if crossing is None:
                    crossing = crossings[engine, targets] = tuple(
                        sorted(t for t in targets if t != engine)
                    )
                value = 0.0
                if crossing or statement:
                    value += model.statement_score(engine)
                for target in crossing:
                    value += model.transfer_score(engine, target, moved)
                if fetched is not None and engine != LOCAL and LOCAL not in crossing:
                    value += model.transfer_score(engine, LOCAL, fetched)
                kept[key] = value
            result.append(value)
        return result

    def out_matrix(self, name: str, engines: list[str], targets: list[str]) -> list[list[float]]:
        """Per engine ``t`` of ``targets``: :meth:`out_scores` of ``name`` on each of
        ``engines`` toward ``{t}`` alone (the same values, memoised alike; what the dynamic
        programme asks once per edge)."""
        statement, moved, fetched = self._facts(name)
        kept, model = self._out, self.model
        statements = [model.statement_score(e) for e in engines]
        fetch: list[float | None] = [None] * len(engines)  # per engine: a result's fetch
        if fetched is not None:
            fetches = model.transfer_scores(engines, LOCAL, fetched)
            fetch = [f if e != LOCAL else None for e, f in zip(engines, fetches, strict=True)]
        rows = []
        for target in targets:
            alone = self._alone.get(target)
            if alone is None:
                alone = self._alone[target] = frozenset((target,))
            moves = model.transfer_scores(engines, target, moved)
            row = []
            for engine, stmt, move, fetched_score in zip(
                engines, statements, moves, fetch, strict=True
            ):
                # :meth:`out_scores`'s arithmetic, in its order, for the consumer engines
                # ``{target}``: crossing is (target,) on another engine, else empty
                crossing = engine != target
                value = 0.0
                if crossing or statement:
                    value += stmt
                if crossing:
                    value += move
                if fetched_score is not None and not (crossing and target == LOCAL):
                    value += fetched_score
                kept[name, engine, alone] = value
                row.append(value)
            rows.append(row)
        return rows

    def _facts(self, name: str) -> tuple[bool, float, float | None]:
        """(a statement however placed, bytes a transfer moves, bytes fetched as a result or
        None) of ``name``: what its outgoing scores are made of."""
        facts = self._out_facts.get(name)
        if facts is None:
            is_sink = name in self.sinks
            facts = self._out_facts[name] = (
                is_sink or name in self.constraints.materialize,
                self.moved_bytes(name),
                self.est[name].bytes if is_sink else None,
            )
        return facts

    def term_score(self, name: str, assign: Mapping[str, str]) -> float:
        """:meth:`terms` folded by the objective, memoised on the engines involved."""
        targets = frozenset([assign[c] for c in self.logical.consumers[name]])
        return self.term_value(name, assign[name], targets)

    def term_value(self, name: str, engine: str, targets: frozenset[str]) -> float:
        """:meth:`own_score` + :meth:`out_score` of ``name`` on ``engine`` toward the consumer
        engines ``targets`` (their memos read inline: the search and the scoring of whole
        assignments ask it most)."""
        own = self._own.get((name, engine))
        if own is None:
            own = self.own_score(name, engine)
        out = self._out.get((name, engine, targets))
        if out is None:
            out = self.out_score(name, engine, targets)
        return own + out

    def total(self, assign: Mapping[str, str]) -> Cost:
        """The exact cost of an assignment."""
        cost = ZERO
        for name in self.nodes:
            cost += self.terms(name, assign)
        return cost

    def score(self, assign: Mapping[str, str]) -> float:
        """The objective's value for an assignment: the sum of :meth:`term_value` over the
        steps in plan order."""
        consumers, value = self.logical.consumers, self.term_value
        total = 0.0
        for name in self.nodes:
            total += value(name, assign[name], frozenset([assign[c] for c in consumers[name]]))
        return total

    # -- search -----------------------------------------------------------------------------
    def exhaustive(self) -> dict[str, str] | None:
        """The best of every assignment, when there are few enough."""
        free = [name for name in self.nodes if len(self.candidates[name]) > 1]
        count = 1
        for name in free:
            count *= len(self.candidates[name])
            if count > EXHAUSTIVE_LIMIT:
                return None
        base = {name: cands[0] for name, cands in self.candidates.items()}
        best, best_value = None, float("inf")
        for combo in itertools.product(*(self.candidates[name] for name in free)):
            assign = {**base, **dict(zip(free, combo, strict=True))}
            value = self.score(assign)
            if value < best_value:
                best, best_value = assign, value
        return best

    def solve(self, budget: int | None = None, *, quick: bool = False) -> dict[str, str]:
        """The chosen assignment (see :mod:`pushdown.planner.search`); ``quick``: the
        programme and single-step moves only (:meth:`Search.propose`)."""
        exact = self.exhaustive()
        if exact is not None:
            return exact
        search = Search(self, budget)
        try:
            if quick:
                return search.propose()
            if search.forest:
                return search.solve([])  # the programme is exact: no other starts
            return search.solve(self._starts())
        finally:
            self.search = Searched(search.work, search.budget, search.forest)

    def _starts(self) -> list[dict[str, str]]:
        """The search's other starting points: the first-input rule, one engine everywhere."""
        starts = [self.first_input_rule()]
        for engine in self.engines:
            starts.append(
                {
                    name: engine if engine in cands else cands[0]
                    for name, cands in self.candidates.items()
                }
            )
        return starts

    # -- explaining -------------------------------------------------------------------------
    def first_input_rule(self) -> dict[str, str]:
        """The baseline rule: run where the first input lives if it can, else locally."""
        assign: dict[str, str] = {}
        for name, node in self.nodes.items():
            cands = self.candidates[name]
            if isinstance(node, n.Source) or len(cands) == 1:
                assign[name] = cands[0]
                continue
            home = assign[node.inputs[0]]
            assign[name] = home if home in cands else LOCAL
        return assign

    def transfers(self, assign: Mapping[str, str]) -> list[Transfer]:
        """Every cross-engine edge of ``assign`` as an explicit transfer."""
        result = []
        for name in self.nodes:
            source = assign[name]
            targets = sorted({assign[c] for c in self.logical.consumers[name]} - {source})
            for target in targets:
                columns = tuple(c for c in self.nodes[name].columns if c in self.needed[name])
                moved = self.moved_bytes(name)
                result.append(
                    Transfer(
                        dataset=name,
                        source=source,
                        target=target,
                        columns=columns,
                        rows=self.est[name].rows,
                        bytes=moved,
                        channel=self.model.channel(source, target),
                        cost=self.model.transfer(source, target, moved),
                    )
                )
        return result
