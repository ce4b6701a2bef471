"""The search for the cheapest assignment of steps to engines (costs: :mod:`.placement`).

The exact cost of an assignment is a sum of one term per step: its own scan on its engine,
plus its outgoing cost (one statement when its result leaves its fragment, one transfer per
other engine its consumers run on, the fetch of a result), which depends on its engine and the
set of its consumers' engines.  So:

- on a **forest** (every step read by at most one consumer: chains and trees) the cost is a
  sum of pairwise terms along the edges and dynamic programming over the plan order is exact,
  in time linear in the steps (times the square of the candidates per step);
- on a **DAG** (shared steps) the terms of a shared step couple all its consumers.  The search
  then starts from the dynamic programme (each consumer charged its share of a shared input),
  refines it with *conditional* programmes (one consumer of every shared step carries it, the
  others stay where the current assignment has them; a proposal is kept only when the exact
  cost falls), and finishes with local search: single-step moves and region moves (a step
  with the same-engine steps downstream or upstream of it), every move priced by an
  incremental delta over the few terms it touches.  Several starts (the programme, the
  first-input rule, everything on one engine) are improved and the cheapest wins.

Local search is bounded by a budget of term evaluations that grows linearly with the plan
(``BUDGET_PER_CHOICE`` per candidate beyond the first, at least ``BUDGET_FLOOR``), so
planning time stays near linear however the DAG is shaped; small plans never reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import add
from typing import Protocol

from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.planner.search_state import State

BUDGET_FLOOR = 50_000
BUDGET_PER_CHOICE = 40
EPS = 1e-12
REGION_LIMIT = 32


@dataclass(frozen=True)
class Searched:
    """What a finished search did: the terms it evaluated (what its budget counts), that
    budget, and whether the plan was a forest (the programme alone, exact)."""

    work: int
    budget: int
    forest: bool


class Costs(Protocol):
    """What the search reads of a placer (:class:`pushdown.planner.placement.Placer`): the
    plan, each step's candidate engines and the terms of the exact cost."""

    logical: LogicalPlan
    nodes: dict[str, n.Node]
    engines: list[str]
    candidates: dict[str, list[str]]

    def own_score(self, name: str, engine: str) -> float:
        """The step's own cost on ``engine``."""
        ...

    def out_score(self, name: str, engine: str, targets: frozenset[str]) -> float:
        """The step's outgoing cost on ``engine`` when its consumers run on ``targets``."""
        ...

    def term_value(self, name: str, engine: str, targets: frozenset[str]) -> float:
        """``own_score`` + ``out_score``: the step's term of the exact cost."""
        ...

    def score(self, assign: Mapping[str, str]) -> float:
        """The exact cost of ``assign``."""
        ...

    # The search's view of the plan and candidates (:func:`layout` makes it once).
    layout: Layout | None


class Layout:
    """What a search reads of the plan's shape and the steps' candidates: the same for every
    search over placers that share candidates (the nominal estimates and the bounds', explain's
    alternatives), so it is made once per plan (:func:`layout`)."""

    def __init__(self, placer: Costs):
        """The layout of ``placer``'s plan and candidates."""
        self.names = list(placer.nodes)
        self.pos = {name: i for i, name in enumerate(self.names)}
        # Distinct inputs: a self-join reads its input once (one transfer, one scan result).
        self.inputs = {
            name: tuple(dict.fromkeys(node.inputs)) for name, node in placer.nodes.items()
        }
        self.consumers = placer.logical.consumers
        self.cands = cands = placer.candidates
        self.free = [name for name in self.names if len(cands[name]) > 1]
        self.choices = sum(len(cands[name]) - 1 for name in self.free)
        self.forest = all(len(self.consumers[name]) <= 1 for name in self.names)
        # The work of a refine at most: two programmes, each pricing every edge.
        self.refine_work = 2 * sum(
            len(cands[inp]) * len(cands[name])
            for name, inputs in self.inputs.items()
            for inp in inputs
        )
        # Terms a step's single moves price (what :meth:`State.delta_one` counts).
        self.single_work = {
            name: (len(cands[name]) - 1) * (1 + len(self.inputs[name])) for name in self.free
        }
        self.single = {e: frozenset((e,)) for e in placer.engines}
        # Each distinct list of candidates numbered once (consumers with the same candidates
        # share an input's score matrix), and whether it is in name order (then the first of
        # its least values is the least (value, name) pair, found without building the pairs).
        numbers: dict[tuple[str, ...], int] = {}
        ordered: list[bool] = []
        self.cands_no: dict[str, int] = {}
        for name, engines in cands.items():
            key = tuple(engines)
            number = numbers.get(key)
            if number is None:
                number = numbers[key] = len(numbers)
                ordered.append(list(key) == sorted(key))
            self.cands_no[name] = number
        self.ordered = {name: ordered[number] for name, number in self.cands_no.items()}
        # Per step: its distinct inputs with each input's consumers.
        self.edges = {
            name: [(inp, self.consumers[inp]) for inp in inputs]
            for name, inputs in self.inputs.items()
        }


def layout(placer: Costs) -> Layout:
    """``placer.layout``, made and kept there the first time."""
    made = placer.layout
    if made is None:
        made = placer.layout = Layout(placer)
    return made


class Search:
    """One search over a placer's candidates and exact costs."""

    def __init__(self, placer: Costs, budget: int | None = None):
        self.p = placer
        shape = self.layout = layout(placer)
        self.names, self.pos, self.inputs = shape.names, shape.pos, shape.inputs
        self.consumers, self.cands, self.free = shape.consumers, shape.cands, shape.free
        self.forest, self.single = shape.forest, shape.single
        self.budget = (
            max(BUDGET_FLOOR, BUDGET_PER_CHOICE * shape.choices) if budget is None else budget
        )
        self.work = 0  # terms evaluated: what the budget counts, and tests pin
        self._own: dict[str, list[float]] = {}
        # Per (input, number of its consumer's candidates), per candidate: the input's
        # outgoing score from each of its candidates when that engine alone reads it.
        self._alone: dict[tuple[str, int], list[list[float]]] = {}
        self._scored: tuple[Mapping[str, str], float] = ({}, 0.0)  # refine's last answer
        # ``out_score`` on each of several engines toward the same consumer engines: the
        # placer's batch of it when it has one.
        self._out_scores: Callable[[str, list[str], frozenset[str]], list[float]] = getattr(
            placer, "out_scores", self._one_by_one
        )
        # Per engine of a consumer, those of the step toward that engine alone.
        self._out_matrix: Callable[[str, list[str], list[str]], list[list[float]]] = getattr(
            placer, "out_matrix", self._matrix
        )
        # The same when other consumers read it too (conditional programmes): per (step,
        # input, engines of the input's other consumers in their order).
        self._cond: dict[tuple[str, str, tuple[str, ...]], list[list[float]]] = {}

    # -- dynamic programming -------------------------------------------------------------------
    def programme(self, current: Mapping[str, str] | None = None, turn: int = 0) -> dict[str, str]:
        """Dynamic programming over the plan order.

        Without ``current``: every consumer of a shared step pays its share of that step's
        best cost (exact on forests).  With ``current``: the consumer ``turn`` (modulo their
        count) of every shared step carries it, and that step's transfers to its other
        consumers are priced at their engines in ``current`` (a conditional programme).
        """
        # Per step: the best value on each of its candidates (in their order), and per
        # candidate the engine each input it carries comes from (in ``carried`` order).
        best: dict[str, list[float]] = {}
        picks: dict[str, list[list[str]]] = {}
        carried: dict[str, list[str]] = {}
        outs_of, matrix = self._out_scores, self._out_matrix
        single, rows_of, cond, cands_of = self.single, self._alone, self._cond, self.cands
        own_of, consumers = self._own, self.consumers
        numbers, ordered, edges_of = self.layout.cands_no, self.layout.ordered, self.layout.edges
        empty: frozenset[str] = frozenset()
        work = 0
        for name in self.names:
            cands = cands_of[name]
            own = own_of.get(name)
            values = list(own if own is not None else self._own_values(name))
            if not consumers[name]:
                values = list(map(add, values, outs_of(name, cands, empty)))
            chosen: list[list[str]] = [[] for _ in cands]
            mine: list[str] = []
            number = numbers[name]
            for inp, icons in edges_of[name]:
                if current is not None and icons[turn % len(icons)] != name:
                    continue  # another consumer carries this shared input
                sub_values, sub_cands = best[inp], cands_of[inp]
                mine.append(inp)
                # Per candidate of this step: the input's outgoing scores from each of its
                # candidates toward it (and the other consumers' engines), kept per edge for
                # the next programmes.
                per_engine: list[list[float]] | None
                if current is not None and len(icons) > 1:
                    share = 1.0
                    others = tuple([current[c] for c in icons if c != name])
                    key = (name, inp, others)
                    per_engine = cond.get(key)
                    if per_engine is None:
                        per_engine = cond[key] = [
                            outs_of(inp, sub_cands, frozenset(others) | single[engine])
                            for engine in cands
                        ]
                else:
                    share = 1.0 / len(icons) if current is None else 1.0
                    per_engine = rows_of.get((inp, number))
                    if per_engine is None:
                        per_engine = rows_of[inp, number] = matrix(inp, sub_cands, cands)
                # per candidate: the least (value + outgoing, engine), ties to the first name
                if ordered[inp]:
                    for k, outs in enumerate(per_engine):
                        totals = list(map(add, sub_values, outs))
                        value_in = min(totals)
                        values[k] += share * value_in
                        chosen[k].append(sub_cands[totals.index(value_in)])
                else:
                    for k, outs in enumerate(per_engine):
                        value_in, src = min(zip(map(add, sub_values, outs), sub_cands, strict=True))
                        values[k] += share * value_in
                        chosen[k].append(src)
                work += len(sub_cands) * len(cands)
            best[name] = values
            picks[name] = chosen
            carried[name] = mine
        self.work += work
        assign: dict[str, str] = {}
        for name in reversed(self.names):
            cands = cands_of[name]
            engine = assign.get(name)
            if engine is None:
                values = best[name]
                k = values.index(min(values))  # the first of the least (as min over pairs)
                engine = assign[name] = cands[k]
            else:
                k = cands.index(engine)
            for inp, src in zip(carried[name], picks[name][k], strict=True):
                assign.setdefault(inp, src)
        return assign

    def _matrix(self, name: str, engines: list[str], targets: list[str]) -> list[list[float]]:
        """Per engine of ``targets``: ``out_score`` of ``name`` on each of ``engines`` toward
        that engine alone (for a placer without a matrix of them)."""
        return [self._out_scores(name, engines, self.single[target]) for target in targets]

    def _one_by_one(self, name: str, engines: list[str], targets: frozenset[str]) -> list[float]:
        """``out_score`` of ``name`` on each of ``engines`` toward ``targets`` (for a placer
        without a batch of it)."""
        out = self.p.out_score
        return [out(name, engine, targets) for engine in engines]

    def _own_values(self, name: str) -> list[float]:
        """``own_score`` of ``name`` on each of its candidates (kept for the programmes)."""
        values = self._own.get(name)
        if values is None:
            batch = getattr(self.p, "own_scores", None)
            if batch is not None:
                values = self._own[name] = batch(name, self.cands[name])
            else:
                own = self.p.own_score
                values = self._own[name] = [own(name, e) for e in self.cands[name]]
        return values

    def refine(self, assign: dict[str, str], rounds: int = 2) -> dict[str, str]:
        """Conditional programmes around ``assign`` (each shared step carried by its first
        consumer, then by its second...): a proposal is kept when the exact cost falls."""
        if self.forest:
            return assign
        value = self.p.score(assign)
        for turn in range(rounds):
            proposal = self.programme(assign, turn)
            if proposal == assign:
                continue  # its cost is ``value``: not lower
            new = self.p.score(proposal)
            if new < value - EPS:
                assign, value = proposal, new
        self._scored = (assign, value)
        return assign

    # -- local search -------------------------------------------------------------------------
    def local_search(self, assign: dict[str, str], rounds: int = 4) -> dict[str, str]:
        """Move one step (or a same-engine region) at a time while the exact cost falls.

        Every round tries every single-step move; region moves are tried everywhere in the
        first round and then only near the steps the previous round moved."""
        state = State(self, assign)
        near: set[str] | None = None
        clean = state.clean
        for _ in range(rounds):
            mark = len(state.log)
            improved = False
            for name in self.free:
                if name in clean:
                    # nothing its moves' deltas read has changed since they were priced and
                    # none lowered the cost: the same deltas again, counted as priced (the
                    # budget, and so the answer, as if they were)
                    state.work += self.layout.single_work[name]
                    continue
                current = assign[name]
                best_engine, best_delta = current, -EPS
                for engine in self.cands[name]:
                    if engine != current:
                        change = state.delta_one(name, engine)
                        if change < best_delta:
                            best_engine, best_delta = engine, change
                if best_engine != current:
                    state.apply({name: best_engine})
                    improved = True
                else:
                    clean.add(name)
            if self.work + state.work < self.budget:
                improved |= self.region_moves(state, near)
            if not improved:
                break
            near = self._near(state.log[mark:])
        self.work += state.work
        return assign

    def _near(self, moved: list[str], radius: int = 2) -> set[str]:
        """The steps within ``radius`` edges of ``moved``."""
        seen = set(moved)
        frontier = list(seen)
        for _ in range(radius):
            step = []
            for name in frontier:
                for other in (*self.inputs[name], *self.consumers[name]):
                    if other not in seen:
                        seen.add(other)
                        step.append(other)
            frontier = step
        return seen

    def region_moves(self, state: State, near: set[str] | None = None) -> bool:
        """Move a step together with the downstream (or upstream) steps sharing its engine,
        when that lowers the exact cost.  Regions grow from the steps at the border of their
        engine's region (an input or consumer elsewhere, or a result; only those in ``near``
        when given) and up to ``REGION_LIMIT`` steps; larger ones are left to the dynamic
        programmes.  A region already priced since the last move is not priced again."""
        assign = state.assign
        improved = False
        tried: set[tuple[frozenset[str], str]] = set()
        version = len(state.log)
        for name in self.free if near is None else [x for x in self.free if x in near]:
            if not self._border(name, assign):
                continue
            for upstream in (False, True):
                if self.work + state.work >= self.budget:
                    return improved
                region = self.region(name, assign, upstream=upstream)
                if region is None or len(region) == 1:
                    continue  # too large, or a single-step move (tried already)
                home = assign[name]
                members = frozenset(region)
                for engine in self.cands[name]:
                    if engine == home or not all(engine in self.cands[r] for r in region):
                        continue
                    if version != len(state.log):
                        tried.clear()
                        version = len(state.log)
                    if (members, engine) in tried:
                        continue
                    tried.add((members, engine))
                    changes = dict.fromkeys(region, engine)
                    if state.delta(changes) < -EPS:
                        state.apply(changes)
                        home, improved = engine, True
        return improved

    def _border(self, name: str, assign: Mapping[str, str]) -> bool:
        home = assign[name]
        cons = self.consumers[name]
        return (
            not cons
            or any(assign[c] != home for c in cons)
            or any(assign[i] != home for i in self.inputs[name])
        )

    def region(
        self, name: str, assign: Mapping[str, str], *, upstream: bool = False
    ) -> list[str] | None:
        """``name`` and the steps after it (or the movable steps before it) that run on its
        engine, connected through it; None when they are more than ``REGION_LIMIT``."""
        home, members, stack = assign[name], {name}, [name]
        links = self.inputs if upstream else self.consumers
        while stack:
            for other in links[stack.pop()]:
                if (
                    other not in members
                    and assign[other] == home
                    and (not upstream or len(self.cands[other]) > 1)
                ):
                    members.add(other)
                    stack.append(other)
                    if len(members) > REGION_LIMIT:
                        self.work += REGION_LIMIT
                        return None
        self.work += len(members)
        return sorted(members, key=self.pos.__getitem__)

    # -- the whole search ---------------------------------------------------------------------
    def propose(self) -> dict[str, str]:
        """A quick cheap assignment: the programme, then single-step moves while the exact
        cost falls (no conditional programmes, no region moves, one start).  Exact on
        forests; what the least bad worst case asks of each bound of the estimates."""
        first = self.programme()
        if self.forest:
            return first
        budget, self.budget = self.budget, 0  # no region moves
        try:
            return self.local_search(first)
        finally:
            self.budget = budget

    def solve(self, starts: list[dict[str, str]]) -> dict[str, str]:
        """The cheapest assignment: exact on forests, else the best improved start.

        ``starts`` are extra starting points (the first-input rule, one engine everywhere);
        the dynamic programme comes first, and the others run while the budget allows a
        search as long as its."""
        first = self.programme()
        if self.forest:
            return first
        best, best_value = first, float("inf")
        spent = 0
        for i, start in enumerate([first, *starts]):
            if i > 0 and self.budget - self.work < spent:
                break
            before = self.work
            candidate = self.local_search(self.refine(dict(start)))
            value = None
            # A second round of conditional programmes around the improved start, while the
            # budget allows one (on large plans it does not: the budget keeps them linear).
            if self.work + self.layout.refine_work <= self.budget:
                refined = self.refine(candidate)
                if refined is not candidate:
                    candidate = self.local_search(refined)
                else:
                    value = self._scored[1]  # refine scored it (and nothing moved since)
            if value is None:
                value = self.p.score(candidate)
            spent = max(spent, self.work - before)
            if value < best_value - EPS:
                best, best_value = candidate, value
        return best
