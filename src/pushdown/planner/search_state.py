"""The local search's state (:mod:`.search`): an assignment of steps to engines whose
exact-cost terms, and the counts of each step's consumers per engine, are kept up to date as
steps move, so that a move is priced by a delta over the few terms it touches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Scores(Protocol):
    """The terms of the exact cost a state reads (a placer's)."""

    def own_score(self, name: str, engine: str) -> float:
        """The step's own cost on ``engine``."""
        ...

    def out_score(self, name: str, engine: str, targets: frozenset[str]) -> float:
        """The step's outgoing cost on ``engine`` when its consumers run on ``targets``."""
        ...


class Graph(Protocol):
    """What a state reads of its search: the costs, the steps and their edges."""

    @property
    def p(self) -> Scores:
        """The placer whose terms are read."""
        ...

    names: list[str]
    inputs: dict[str, tuple[str, ...]]
    consumers: dict[str, list[str]]
    single: dict[str, frozenset[str]]


class State:
    """An assignment with what its deltas need kept up to date: each step's term of the exact
    score and how many of its consumers run on each engine."""

    def __init__(self, search: Graph, assign: dict[str, str]):
        self.s = search
        self.assign = assign
        self.work = 0
        p = search.p
        self.own, self.out = p.own_score, p.out_score
        # The placer's memos of own_score and out_score, read inline (the same values).
        self.own_kept: dict[tuple[str, str], float] = getattr(p, "_own", {})
        self.out_kept: dict[tuple[str, str, frozenset[str]], float] = getattr(p, "_out", {})
        self.log: list[str] = []  # the steps moved, in order
        # Steps whose single moves were priced without finding a lower cost, since when
        # nothing those deltas read has moved (see :meth:`apply`).
        self.clean: set[str] = set()
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
        own = self.own_kept.get((name, engine))
        if own is None:
            own = self.own(name, engine)
        out = self.out_kept.get((name, engine, targets))
        if out is None:
            out = self.out(name, engine, targets)
        return own + out

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
        own_kept, out_kept = self.own_kept, self.out_kept
        term, assign, all_targets, counts = self.term, self.assign, self.targets, self.counts
        mine = all_targets[name]
        own = own_kept.get((name, engine))
        if own is None:
            own = self.own(name, engine)
        out = out_kept.get((name, engine, mine))
        if out is None:
            out = self.out(name, engine, mine)
        total = own + out - term[name]
        single = self.s.single
        for inp in inputs:
            targets = all_targets[inp]
            if counts[inp][home] == 1:
                targets = targets - single[home]
            if engine not in targets:
                targets = targets | single[engine]
            where = assign[inp]
            own = own_kept.get((inp, where))
            if own is None:
                own = self.own(inp, where)
            out = out_kept.get((inp, where, targets))
            if out is None:
                out = self.out(inp, where, targets)
            total += own + out - term[inp]
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
        moved = [name for name, engine in changes.items() if self.assign[name] != engine]
        self.log.extend(moved)
        if self.clean:
            # A step's single-move deltas read the engines of itself, its inputs, its
            # consumers and its inputs' consumers: a move dirties those steps.
            consumers, inputs, clean = self.s.consumers, self.s.inputs, self.clean
            for name in moved:
                clean.discard(name)
                clean.difference_update(consumers[name])
                for inp in inputs[name]:
                    clean.discard(inp)
                    clean.difference_update(consumers[inp])
        self.assign.update(changes)
        for name in affected:
            self.term[name] = self._term(name, self.assign[name], self.targets[name])
