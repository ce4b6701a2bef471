"""Fragments: maximal connected groups of steps on one engine, each run as one statement
per result (a CTE chain), plus the Python steps, each a fragment of its own."""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field

from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.planner.placement import LOCAL, Placement


@dataclass
class Fragment:
    """Steps that run together on one engine."""

    id: int
    engine: str
    nodes: list[str]
    outputs: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    python: bool = False

    @property
    def label(self) -> str:
        """``F2 (wh)``-style label for explain output."""
        return f"F{self.id} ({self.engine})"


def build_fragments(logical: LogicalPlan, placement: dict[str, Placement]) -> list[Fragment]:
    """Group placed nodes into fragments, in an order where inputs come first."""
    parent: dict[str, str] = {name: name for name in logical.nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def python(name: str) -> bool:
        return isinstance(logical.nodes[name], n.PythonStep)

    for name, node in logical.nodes.items():
        for inp in node.inputs:
            same = placement[inp].engine == placement[name].engine
            if same and not python(name) and not python(inp):
                parent[find(name)] = find(inp)

    groups: dict[str, list[str]] = {}
    for name in logical.nodes:
        groups.setdefault(find(name), []).append(name)
    member_of = {name: root for root, names in groups.items() for name in names}

    deps: dict[str, set[str]] = {root: set() for root in groups}
    for name, node in logical.nodes.items():
        for inp in node.inputs:
            if member_of[inp] != member_of[name]:
                deps[member_of[name]].add(member_of[inp])
    sinks = set(logical.sinks())
    fragments: list[Fragment] = []
    for root in graphlib.TopologicalSorter(deps).static_order():
        names = [x for x in logical.nodes if member_of[x] == root]  # keep plan order
        outputs = [
            x
            for x in names
            if x in sinks or any(member_of[c] != root for c in logical.consumers[x])
        ]
        if not outputs:  # sources nobody reads
            continue
        inputs = sorted(
            {inp for x in names for inp in logical.nodes[x].inputs if member_of[inp] != root}
        )
        engine = placement[names[0]].engine
        frag = Fragment(
            id=len(fragments) + 1,
            engine=engine,
            nodes=names,
            outputs=outputs,
            inputs=inputs,
            python=any(python(x) for x in names),
        )
        fragments.append(frag)
    return fragments


def is_local(fragment: Fragment) -> bool:
    """True when the fragment runs on the local engine."""
    return fragment.engine == LOCAL
