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

from collections.abc import Iterator, Mapping
from typing import Protocol

from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan

BUDGET_FLOOR = 50_000
BUDGET_PER_CHOICE = 40
EPS = 1e-12
REGION_LIMIT = 32


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

    def score(self, assign: Mapping[str, str]) -> float:
        """The exact cost of ``assign``."""
        ...


class Search:
    """One search over a placer's candidates and exact costs."""

    def __init__(self, placer: Costs, budget: int | None = None):
        self.p = placer
        self.names = list(placer.nodes)
        self.pos = {name: i for i, name in enumerate(self.names)}
        # Distinct inputs: a self-join reads its input once (one transfer, one scan result).
        self.inputs = {
            name: tuple(dict.fromkeys(node.inputs)) for name, node in placer.nodes.items()
        }
        self.consumers = placer.logical.consumers
        self.cands = placer.candidates
        self.free = [name for name in self.names if len(self.cands[name]) > 1]
        choices = sum(len(self.cands[name]) - 1 for name in self.free)
        self.budget = max(BUDGET_FLOOR, BUDGET_PER_CHOICE * choices) if budget is None else budget
        self.work = 0  # terms evaluated: what the budget counts, and tests pin
        self.forest = all(len(self.consumers[name]) <= 1 for name in self.names)
        self.single = {e: frozenset((e,)) for e in placer.engines}
        self._own: dict[str, list[float]] = {}
        # Per edge (input, engine of its consumer): the input's outgoing score from each of
        # its candidates when that engine alone reads it.
        self._alone: dict[tuple[str, str], list[float]] = {}

    # -- dynamic programming -------------------------------------------------------------------
    def programme(self, current: Mapping[str, str] | None = None, turn: int = 0) -> dict[str, str]:
        """Dynamic programming over the plan order.

        Without ``current``: every consumer of a shared step pays its share of that step's
        best cost (exact on forests).  With ``current``: the consumer ``turn`` (modulo their
        count) of every shared step carries it, and that step's transfers to its other
        consumers are priced at their engines in ``current`` (a conditional programme).
        """
        best: dict[str, list[tuple[float, str]]] = {}  # (value, engine) per candidate
        picks: dict[str, dict[str, list[tuple[str, str]]]] = {}
        out = self.p.out_score
        # The placer's memo of out_score, read directly in the inner loop (the same values).
        kept: dict[tuple[str, str, frozenset[str]], float] = getattr(self.p, "_out", {})
        single, alone = self.single, self._alone
        empty: frozenset[str] = frozenset()
        for name in self.names:
            cands = self.cands[name]
            values = list(self._own_values(name))
            if not self.consumers[name]:
                values = [v + out(name, e, empty) for v, e in zip(values, cands, strict=True)]
            chosen: list[list[tuple[str, str]]] = [[] for _ in cands]
            for inp in self.inputs[name]:
                icons = self.consumers[inp]
                if current is not None and icons[turn % len(icons)] != name:
                    continue  # another consumer carries this shared input
                share = 1.0 / len(icons) if current is None else 1.0
                others = (
                    frozenset(current[c] for c in icons if c != name)
                    if current is not None and len(icons) > 1
                    else empty
                )
                sub_best = best[inp]
                for k, engine in enumerate(cands):
                    # min((v + out(inp, s, targets), s) for v, s in sub_best), unrolled; the
                    # outgoing scores toward ``engine`` alone are kept per edge for the
                    # next programmes
                    outs: list[float] | None
                    if others:
                        targets = others | single[engine]
                        outs = [
                            o
                            if (o := kept.get((inp, s, targets))) is not None
                            else out(inp, s, targets)
                            for _, s in sub_best
                        ]
                    else:
                        outs = alone.get((inp, engine))
                        if outs is None:
                            targets = single[engine]
                            outs = alone[inp, engine] = [out(inp, s, targets) for _, s in sub_best]
                    value_in, src = float("inf"), ""
                    first = True
                    for (v, s), o in zip(sub_best, outs, strict=True):
                        t = v + o
                        if first or t < value_in or (t == value_in and s < src):
                            value_in, src, first = t, s, False
                    self.work += len(sub_best)
                    values[k] += share * value_in
                    chosen[k].append((inp, src))
            best[name] = list(zip(values, cands, strict=True))
            picks[name] = dict(zip(cands, chosen, strict=True))
        assign: dict[str, str] = {}
        for name in reversed(self.names):
            if name not in assign:
                assign[name] = min(best[name], key=_first)[1]
            for inp, src in picks[name][assign[name]]:
                assign.setdefault(inp, src)
        return assign

    def _own_values(self, name: str) -> list[float]:
        """``own_score`` of ``name`` on each of its candidates (kept for the programmes)."""
        values = self._own.get(name)
        if values is None:
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
            new = self.p.score(proposal)
            if new < value - EPS:
                assign, value = proposal, new
        return assign

    # -- local search -------------------------------------------------------------------------
    def local_search(self, assign: dict[str, str], rounds: int = 4) -> dict[str, str]:
        """Move one step (or a same-engine region) at a time while the exact cost falls.

        Every round tries every single-step move; region moves are tried everywhere in the
        first round and then only near the steps the previous round moved."""
        state = _State(self, assign)
        near: set[str] | None = None
        for _ in range(rounds):
            mark = len(state.log)
            improved = False
            for name in self.free:
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

    def region_moves(self, state: _State, near: set[str] | None = None) -> bool:
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
            refined = self.refine(candidate)
            if refined is not candidate:
                candidate = self.local_search(refined)
            spent = max(spent, self.work - before)
            value = self.p.score(candidate)
            if value < best_value - EPS:
                best, best_value = candidate, value
        return best


class _State:
    """An assignment with what its deltas need kept up to date: each step's term of the exact
    score and how many of its consumers run on each engine."""

    def __init__(self, search: Search, assign: dict[str, str]):
        self.s = search
        self.assign = assign
        self.work = 0
        p = search.p
        self.own, self.out = p.own_score, p.out_score
        self.log: list[str] = []  # the steps moved, in order
        self.counts: dict[str, dict[str, int]] = {}
        self.targets: dict[str, frozenset[str]] = {}
        self.term: dict[str, float] = {}
        for name in search.names:
            counts: dict[str, int] = {}
            for c in search.consumers[name]:
                engine = assign[c]
                counts[engine] = counts.get(engine, 0) + 1
            self.counts[name] = counts
            self.targets[name] = frozenset(counts)
            self.term[name] = self._term(name, assign[name], self.targets[name])

    def _term(self, name: str, engine: str, targets: frozenset[str]) -> float:
        return self.own(name, engine) + self.out(name, engine, targets)

    def _moved(self, changes: Mapping[str, str]) -> dict[str, dict[str, int]]:
        """Per input of a changed step: how its consumer counts per engine change."""
        shifts: dict[str, dict[str, int]] = {}
        assign, inputs = self.assign, self.s.inputs
        for name, engine in changes.items():
            home = assign[name]
            if engine == home:
                continue
            for inp in inputs[name]:
                shift = shifts.setdefault(inp, {})
                shift[home] = shift.get(home, 0) - 1
                shift[engine] = shift.get(engine, 0) + 1
        return shifts

    def _after(self, name: str, shift: dict[str, int] | None) -> frozenset[str]:
        if not shift:
            return self.targets[name]
        counts = self.counts[name]
        return frozenset(e for e in {*counts, *shift} if counts.get(e, 0) + shift.get(e, 0) > 0)

    def delta_one(self, name: str, engine: str) -> float:
        """How the exact score changes when ``name`` alone moves to ``engine`` (the fast path
        of :meth:`delta`)."""
        home = self.assign[name]
        inputs = self.s.inputs[name]
        self.work += 1 + len(inputs)
        own, out, term, assign = self.own, self.out, self.term, self.assign
        total = own(name, engine) + out(name, engine, self.targets[name]) - term[name]
        single = self.s.single
        for inp in inputs:
            targets = self.targets[inp]
            if self.counts[inp][home] == 1:
                targets = targets - single[home]
            if engine not in targets:
                targets = targets | single[engine]
            where = assign[inp]
            total += own(inp, where) + out(inp, where, targets) - term[inp]
        return total

    def delta(self, changes: Mapping[str, str]) -> float:
        """How the exact score changes when ``changes`` are applied."""
        shifts = self._moved(changes)
        affected = {*changes, *shifts}
        self.work += len(affected)
        assign, term = self.assign, self.term
        total = 0.0
        for name in affected:
            engine = changes.get(name) or assign[name]
            total += self._term(name, engine, self._after(name, shifts.get(name))) - term[name]
        return total

    def apply(self, changes: Mapping[str, str]) -> None:
        """Make ``changes`` part of the assignment."""
        shifts = self._moved(changes)
        affected = {*changes, *shifts}
        for name, shift in shifts.items():
            counts = self.counts[name]
            for engine, d in shift.items():
                left = counts.get(engine, 0) + d
                if left:
                    counts[engine] = left
                else:
                    counts.pop(engine, None)
            self.targets[name] = frozenset(counts)
        self.log.extend(name for name, engine in changes.items() if self.assign[name] != engine)
        self.assign.update(changes)
        for name in affected:
            self.term[name] = self._term(name, self.assign[name], self.targets[name])


def _first(pair: tuple[float, str]) -> float:
    return pair[0]


class _Overlay(Mapping[str, str]):
    """``assign`` with a few entries changed, without copying it."""

    def __init__(self, base: Mapping[str, str], changes: Mapping[str, str]):
        self.base, self.changes = base, changes

    def __getitem__(self, key: str) -> str:
        return self.changes[key] if key in self.changes else self.base[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)
