"""Fragments: maximal connected groups of steps on one engine, each run as one statement
per result (a CTE chain), plus the Python steps, each a fragment of its own.  A fragment
whose statement would exceed its engine's size limit is cut (:func:`fit_statement_limits`)."""

from __future__ import annotations

import graphlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from pushdown.compilers.order import ONE_FOR_ONE, sets_order
from pushdown.compilers.statements import Statements
from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.planner.cost import LOCAL
from pushdown.planner.warned import warn
from pushdown.profiles import Profile


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


def materialization_points(
    logical: LogicalPlan,
    engines: dict[str, str],
    requested: set[str],
    computed_once: Collection[str] = (),
) -> set[str]:
    """Steps computed once into a table: the user's points, and steps read by several
    consumers of which at least one runs on the same engine (so it is not recomputed in
    every statement that needs it).  On an engine in ``computed_once`` (it computes a CTE its
    statement reads several times once: ``shared_cte_computed_once`` in its profile) a step
    whose consumers all run there stays a CTE of their statement: writing a table first
    costs a statement and a copy the engine does not need (:func:`build_fragments` still
    cuts it when the consumers end in different statements)."""
    points = set(requested)
    for name, node in logical.nodes.items():
        if isinstance(node, n.Source):
            continue
        consumers = logical.consumers[name]
        engine = engines[name]
        if len(consumers) < 2 or not any(engines[c] == engine for c in consumers):
            continue
        if engine in computed_once and all(engines[c] == engine for c in consumers):
            continue
        points.add(name)
    return points


def _recomputed(logical: LogicalPlan, fragments: list[Fragment], cuts: set[str]) -> set[str]:
    """Shared steps left uncut that more than one statement of their fragment computes (the
    fragment has several outputs downstream of them)."""
    found: set[str] = set()
    for frag in fragments:
        if len(frag.outputs) < 2 or frag.python:
            continue
        inside = set(frag.nodes)
        counts: dict[str, int] = {}
        for out in frag.outputs:
            seen: set[str] = set()
            stack = [out]
            while stack:
                x = stack.pop()
                if x in seen:
                    continue
                seen.add(x)
                stack.extend(i for i in logical.nodes[x].inputs if i in inside and i not in cuts)
            for x in seen:
                counts[x] = counts.get(x, 0) + 1
        found |= {
            x
            for x, c in counts.items()
            if c > 1
            and len(logical.consumers[x]) > 1
            and not isinstance(logical.nodes[x], n.Source)
        }
    return found


def _groups(logical: LogicalPlan, engines: dict[str, str], cuts: set[str]) -> dict[str, int]:
    """Assign every node a group: same-engine neighbours join one group unless a materialisation
    point or a Python step separates them, or joining would put the group on both sides of
    another group (a step that reads, through another engine, what its own group produces:
    e.g. a filter -> a local Python step -> a join back to the table).  Nodes are taken in
    dependency order; the groups stay a DAG."""
    group_of: dict[str, int] = {}
    members: dict[int, list[str]] = {}

    def python(name: str) -> bool:
        return isinstance(logical.nodes[name], n.PythonStep)

    # Per group: the consumers of its members that may lie outside it (pruned as they turn
    # out to be inside), so a group's successors cost what its border holds, not its size.
    border: dict[int, set[str]] = {}

    def successors(group: int) -> set[int]:
        nodes = border[group]
        nodes -= {c for c in nodes if group_of.get(c) == group}
        return {group_of[c] for c in nodes if c in group_of}

    def returns(group: int, merged: set[int], inputs: set[int]) -> bool:
        # True when a path leaves the merged groups at ``group`` and comes back to a group
        # the new node reads: merging would put a group on both sides of another.
        frontier = [g for g in successors(group) if g not in merged]
        seen: set[int] = set()
        while frontier:
            g = frontier.pop()
            if g in seen:
                continue
            if g in inputs:
                return True
            seen.add(g)
            frontier.extend(successors(g))
        return False

    for name, node in logical.nodes.items():  # dependency order
        inputs = {group_of[i] for i in node.inputs}
        merged = {
            group_of[inp]
            for inp in node.inputs
            if engines[inp] == engines[name]
            and inp not in cuts
            and not python(name)
            and not python(inp)
        }
        while merged:  # drop the groups a loop leaves from, until none does
            leaving = {g for g in merged if returns(g, merged, inputs)}
            if not leaving:
                break
            merged -= leaving
        target = min(merged) if merged else len(group_of)  # a fresh id: no node has it
        members.setdefault(target, [])
        border.setdefault(target, set())
        for group in sorted(merged - {target}):
            for x in members.pop(group):
                group_of[x] = target
                members[target].append(x)
            border[target] |= border.pop(group)
        group_of[name] = target
        members[target].append(name)
        border[target].update(logical.consumers[name])
    return group_of


def build_fragments(
    logical: LogicalPlan,
    engines: dict[str, str],
    materialize: set[str] | None = None,
    computed_once: Collection[str] = (),
) -> list[Fragment]:
    """Group placed nodes into fragments, in an order where inputs come first.

    ``engines`` maps every dataset to the engine it runs on; steps in ``materialize`` (and
    shared steps, see :func:`materialization_points`) end their fragment.  A source table is
    read in place by every fragment on its engine that needs it (it is listed among each
    such fragment's nodes), never copied from one fragment to another."""
    cuts = materialization_points(logical, engines, materialize or set(), computed_once)
    fragments = _fragments(logical, engines, cuts)
    again = _recomputed(logical, fragments, cuts) if computed_once else set()
    if again:  # a shared step two statements would compute: a table after all
        fragments = _fragments(logical, engines, cuts | again)
    return fragments


def _fragments(logical: LogicalPlan, engines: dict[str, str], cuts: set[str]) -> list[Fragment]:
    group_of = _groups(logical, engines, cuts)

    def python(name: str) -> bool:
        return isinstance(logical.nodes[name], n.PythonStep)

    nodes_of: dict[int, set[str]] = {}
    for name, group in group_of.items():
        nodes_of.setdefault(group, set()).add(name)
    # Sources read by a same-engine step of another group: that group reads the table too.
    for name, node in logical.nodes.items():
        for inp in node.inputs:
            source = isinstance(logical.nodes[inp], n.Source)
            if source and engines[inp] == engines[name] and not python(name):
                nodes_of[group_of[name]].add(inp)

    deps: dict[int, set[int]] = {group: set() for group in nodes_of}
    for name, node in logical.nodes.items():
        group = group_of[name]
        for inp in node.inputs:
            if inp not in nodes_of[group]:
                deps[group].add(group_of[inp])
    sinks = set(logical.sinks())
    position = {name: i for i, name in enumerate(logical.nodes)}
    fragments: list[Fragment] = []
    for group in graphlib.TopologicalSorter(deps).static_order():
        names = sorted(nodes_of[group], key=position.__getitem__)  # keep plan order
        outputs = [
            x
            for x in names
            if group_of[x] == group
            and (x in sinks or any(x not in nodes_of[group_of[c]] for c in logical.consumers[x]))
        ]
        if not outputs:  # sources nobody reads, or read in place by the groups that need them
            continue
        inputs = sorted(
            {inp for x in names for inp in logical.nodes[x].inputs if inp not in nodes_of[group]}
        )
        frag = Fragment(
            id=len(fragments) + 1,
            engine=engines[names[0]],
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


def fit_statement_limits(
    logical: LogicalPlan,
    engines: dict[str, str],
    materialize: set[str],
    profiles: Mapping[str, Profile],
    statements: Statements,
    notes: dict[str, str],
) -> list[Fragment]:
    """The fragments, cut until every statement fits its engine's size limit: the middle step
    of an offending chain is materialised (added to ``materialize``, with a note)."""
    once = [e for e, p in profiles.items() if p.cost.shared_cte_computed_once]
    fragments = build_fragments(logical, engines, materialize, once)
    bounds: dict[str, int] = {}
    for _ in range(32):
        cut = None
        for frag in fragments:
            if frag.python or is_local(frag):
                continue
            limit = profiles[frag.engine].limits.max_statement_bytes
            if _size_bound(statements.compiled, frag.nodes, bounds) <= limit:
                continue  # no statement of it can reach the limit: none is generated to see
            for out in frag.outputs:
                # The pretty text is what the run sends (generated once, cached); it is
                # longer than the compact one, which is generated only when it does not fit.
                if len(statements.text(frag, out).encode()) <= limit:
                    continue
                if len(statements.text(frag, out, pretty=False).encode()) <= limit:
                    continue
                chain = [
                    x
                    for x in frag.nodes
                    if x != out
                    and not isinstance(logical.nodes[x], n.Source)
                    and x not in materialize
                ]
                if chain:
                    cut = chain[len(chain) // 2]
                    break
            if cut:
                break
        if cut is None:
            return fragments
        materialize.add(cut)
        notes[cut] = "materialised: the statement exceeded the engine's size limit"
        fragments = build_fragments(logical, engines, materialize, once)
    return fragments


# A bound on the bytes of SQL a step's CTE can take, to skip generating statements that
# cannot reach their engine's limit (most; the smallest is 1 MB): per step, per column it
# reads or writes, per sqlglot node of its expressions, each with the characters of its
# names and literals, all times _MARGIN.  Generation of a bare column or operator takes
# far fewer bytes than these (quotes, casts and aliases included); a fragment over the bound
# is checked exactly, by generating its statements.
_PER_STEP, _PER_COLUMN, _PER_NODE, _PER_CHAR, _MARGIN = 1024, 128, 64, 4, 4


def _size_bound(nodes: Mapping[str, n.Node], names: list[str], known: dict[str, int]) -> int:
    """An upper bound of the bytes of any statement of the fragment of steps ``names``
    (``known``: the bound per step, kept between calls)."""
    total = carried = 0
    for name in names:
        bound = known.get(name)
        node = nodes[name]
        if bound is None:
            bound = _PER_STEP + _PER_CHAR * (len(name) + len(getattr(node, "table", "") or ""))
            columns = [*node.columns, *getattr(node, "stored", ()), *node.inputs]
            for inp in node.inputs:
                columns += nodes[inp].columns if inp in nodes else []
            bound += sum(_PER_COLUMN + _PER_CHAR * len(c) for c in columns)
            for expr in node.expressions():
                for sub in expr.walk():
                    bound += _PER_NODE + sum(
                        _PER_CHAR * len(v) for v in sub.args.values() if isinstance(v, str)
                    )
            known[name] = bound
        total += bound
        if isinstance(node, n.Sort | n.TopN):  # order terms may be carried through every step
            carried += bound
    return _MARGIN * (total + carried * len(names))


class OrderLostWarning(UserWarning):
    """A sort whose order reaches no result: every way on from it passes a step that does not
    keep row order (a join, a group, a step in another statement).  ``explain()`` notes where
    on the sort's line."""


def order_losses(logical: LogicalPlan, fragments: list[Fragment]) -> dict[str, str]:
    """Per sort, where its order is dropped: a later step that does not keep row order, or
    one in another statement (the order then holds only in the sort's own result).  A sort
    whose order reaches no result at all is also reported as an :class:`OrderLostWarning`."""
    member = {name: frag for frag in fragments for name in frag.nodes}
    sinks = set(logical.sinks())
    found: dict[str, str] = {}
    for name, node in logical.nodes.items():
        if not isinstance(node, n.Sort):
            continue
        lost: list[str] = []
        reached = name in sinks
        stack = [name]
        while stack:
            current = stack.pop()
            for consumer in logical.consumers[current]:
                step = logical.nodes[consumer]
                if sets_order(step):
                    continue  # ordered again
                if member.get(consumer) is not member.get(current):
                    frag = member.get(consumer)
                    where = frag.label if frag is not None else "elsewhere"
                    lost.append(f"{consumer!r} (it runs in another statement, {where})")
                elif isinstance(step, ONE_FOR_ONE):
                    reached = reached or consumer in sinks
                    stack.append(consumer)
                else:
                    lost.append(f"{consumer!r} (a {step.kind} step does not keep row order)")
        if not lost:
            continue
        found[name] = "order dropped at " + "; ".join(lost)
        if not reached:
            warn(
                OrderLostWarning(
                    f"the order of sort {name!r} reaches no result: {found[name]}; sort after "
                    "that step instead"
                ),
                stacklevel=4,
            )
    return found
