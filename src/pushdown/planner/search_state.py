"""The local search's state (:mod:`.search`): an assignment of steps to engines whose
exact-cost terms, and the counts of each step's consumers per engine, are kept up to date as
steps move, so that a move is priced by a delta over the few terms it touches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Scores(Protocol):
    """The terms of the exact cost a state reads (a placer's)."""

    def term_value(self, name: str, engine: str, targets: frozenset[str]) -> float:
        """The step's own cost on ``engine`` plus its outgoing cost when its consumers run
        on ``targets``."""
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
        self.value = search.p.term_value
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
            self.term[name] = self.value(name, assign[name], self.targets[name])

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
        term, assign, all_targets, counts = self.term, self.assign, self.targets, self.counts
        value, single = self.value, self.s.single
        total = value(name, engine, all_targets[name]) - term[name]
        for inp in inputs:
            targets = all_targets[inp]
            if counts[inp][home] == 1:
                targets = targets - single[home]
            if engine not in targets:
                targets = targets | single[engine]
            total += value(inp, assign[inp], targets) - term[inp]
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
            total += self.value(name, engine, self._after(name, shifts.get(name))) - term[name]
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
            self.term[name] = self.value(name, self.assign[name], self.targets[name])
