"""The local engine's memory budget: the estimated peak memory of each local fragment, and the
placement that keeps every local fragment within the budget.

``plan(flow, memory_budget="2GiB")`` gives the local engine (the DuckDB of this process, and
the Python steps) a budget.  A run divides it as ``run.py`` does (``local/store.py``): moved
datasets stream into the run's store, which keeps them in memory up to ``STORE_SHARE`` (a
quarter) of the budget and writes the rest batch by batch to Parquet files; the local DuckDB
runs within ``ENGINE_SHARE`` (half) and spills its hash tables and sorts beyond that.  From
the planner's statistics (rows times the bytes of the needed columns), each local fragment
has:

- **inputs**: the bytes of every dataset the fragment reads, moved in from another engine or
  read from a local source;
- **outputs**: the bytes of every dataset it produces for another fragment or as a result;
- **working state**: the largest state one of its steps builds, where steps that keep rows
  one for one (filter, prepare, union) stream and build none:

  ======================================  ==================================================
  step                                    state
  ======================================  ==================================================
  join (inner)                            ``HASH_FACTOR`` x the smaller input (the build side)
  join (left, semi, anti, cross, ...)     ``HASH_FACTOR`` x the right input
  group, distinct, stack without repeats  ``HASH_FACTOR`` x the output (one entry per group)
  sort, window, top-N per group           ``SORT_FACTOR`` x the input
  top-N (no partition)                    ``SORT_FACTOR`` x the ``n`` rows kept
  Python step                             its input and output (counted above)
  ======================================  ==================================================

``HASH_FACTOR`` (2) covers a hash table's keys, payload, hashes and pointers over the Arrow
bytes of the same rows; ``SORT_FACTOR`` (1) the rows a sort or window buffers once.

From these, two figures (:class:`FragmentMemory`):

- **demand**: inputs + outputs + state (and the batches in flight), what the fragment needs
  to run in memory;
- **peak**: what a run holds, following the run's rule: the inputs and outputs that fit in
  the store's share, one after the other (a dataset expected larger than the room left goes
  to disk from its first batch), the state up to DuckDB's share (the rest spills), and
  ``IN_FLIGHT_BATCHES`` batches of each stream being read or written, and ``WORKING_BYTES``
  (64 MiB) of buffers any fragment holds.  With a budget, the peak never passes three
  quarters of it plus those; what does not fit is the **spill**, bytes written to and read
  back from local disk.

The planner places on the demand: a fragment whose demand is over the budget cannot be
processed in memory within it, so it is sent to a distributed engine of the flow (Spark,
Databricks, or another warehouse that can run its steps), or the plan is refused with a
:class:`~pushdown.errors.MemoryBudgetError` before anything moves.  A step pinned to
``local`` stays there (the pin is the user's word; explain notes the estimate): the run then
stays near the peak, spilling the rest.  Explain shows both figures per local fragment.

What the figures mean, honestly: they are estimates from statistics, as good as the row and
width estimates behind them (a defaulted selectivity makes them a guess, and explain says
which figures are defaults).  The peak leaves out the process itself (the interpreter and its
imports, ~160 MiB with DuckDB and pyarrow loaded) and memory DuckDB allocates outside its
buffer manager; benchmarks/README.md ("Memory") compares it with measured peaks.  Steps on an
in-process DuckDB *connection* use this process's memory too, but they run on the user's
database: its own ``memory_limit`` setting governs them, not this budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pushdown.errors import InvalidValueError, MemoryBudgetError
from pushdown.local.streams import BATCH_ROWS
from pushdown.plan import nodes as n
from pushdown.planner.cost import LOCAL
from pushdown.planner.fragments import build_fragments
from pushdown.planner.placement import Placer

HASH_FACTOR = 2.0
SORT_FACTOR = 1.0
# How a run divides its memory budget (run.py reads these): the store (local/store.py) keeps
# moved datasets in memory up to a quarter of it, the local DuckDB runs within half of it, and
# the rest is left to the process (its imports, batches in flight, buffers).  Here, not in
# the store, so that planning does not load the local engine's modules.
STORE_SHARE = 0.25
ENGINE_SHARE = 0.5
# Batches of each stream a run holds at once: the one being read and the one being written.
IN_FLIGHT_BATCHES = 2
# What a local fragment holds whatever its data (measured, TPC-H Q1 at scale 3 forced local:
# 80 MiB over the start besides the stand-in warehouse's buffers, for 12.5 MiB of batches):
# DuckDB's scan buffers and threads' state, the Parquet writer's pages, the allocator's cache.
WORKING_BYTES = 64 * 2**20

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_budget(value: int | float | str | None) -> int | None:
    """A memory budget in bytes: an integer of bytes, a size such as ``"2GiB"``, ``"512 MiB"``
    or ``"1.5GB"`` (KiB/MiB/GiB/TiB are powers of 1024, KB/MB/GB/TB of 1000), or None (no
    budget)."""
    if value is None:
        return None
    if isinstance(value, bool):
        number: float | None = None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        match = _SIZE.match(str(value))
        unit = match.group(2).lower() if match else ""
        number = float(match.group(1)) * _UNITS[unit] if match and unit in _UNITS else None
    if number is None or not number >= 1 or number == float("inf"):
        raise InvalidValueError(
            f"memory_budget={value!r}; give a number of bytes or a size such as '2GiB', "
            "'512MiB' or '1.5GB' (KiB/MiB/GiB: powers of 1024; KB/MB/GB: of 1000), or None "
            "for no budget"
        )
    return int(number)


def binary_bytes(value: float) -> str:
    """``512 MiB``-style sizes (powers of 1024), as budgets are usually given."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" or value >= 100 else f"{value:.3g} {unit}"
        value /= 1024
    return f"{value:.3g} TiB"  # pragma: no cover - the loop returns at TiB


@dataclass(frozen=True)
class FragmentMemory:
    """The estimated memory of one local fragment under ``budget`` (see the module
    documentation): ``inputs``, ``outputs`` and ``state`` are what it reads, produces and
    builds; ``in_flight`` the batches its streams hold at once."""

    steps: tuple[str, ...]
    inputs: float
    outputs: float
    state: float
    heaviest: str  # the step whose state is largest (its first step when none builds one)
    budget: int
    in_flight: float = 0.0
    held: float = 0.0  # bytes of the inputs and outputs the run's store keeps in memory

    @property
    def working(self) -> float:
        """Bytes of the largest state the local DuckDB keeps in memory."""
        return min(self.state, ENGINE_SHARE * self.budget)

    @property
    def peak(self) -> float:
        """Estimated peak bytes a run holds: what the store keeps, the state DuckDB keeps,
        the batches in flight and ``WORKING_BYTES``."""
        return self.held + self.working + self.in_flight + WORKING_BYTES

    @property
    def spill(self) -> float:
        """Bytes the run writes to local disk to stay within the budget."""
        return self.inputs + self.outputs - self.held + self.state - self.working

    @property
    def demand(self) -> float:
        """Bytes the fragment needs to run in memory: what the planner places on."""
        return self.inputs + self.outputs + self.state + self.in_flight

    def describe(self) -> str:
        """``~300 MiB (inputs 1 GiB, outputs 8 KiB, largest state 200 MiB in 'j'; 1.2 GiB to
        run in memory, 0.9 GiB of it spilled to disk)``."""
        text = (
            f"~{binary_bytes(self.peak)} (inputs {binary_bytes(self.inputs)}, outputs "
            f"{binary_bytes(self.outputs)}, largest state {binary_bytes(self.state)} in "
            f"{self.heaviest!r}"
        )
        if self.spill <= 0:
            return f"{text}; all in memory)"
        return (
            f"{text}; {binary_bytes(self.demand)} to run in memory, "
            f"{binary_bytes(self.spill)} of it spilled to disk)"
        )

    def over(self) -> str:
        """Why the fragment is over its budget, for a refusal or a placement reason."""
        return (
            f"needs an estimated {binary_bytes(self.demand)} to run in memory, over the memory "
            f"budget of {binary_bytes(self.budget)} (run locally, it would spill "
            f"{binary_bytes(self.spill)} to disk and peak at ~{binary_bytes(self.peak)})"
        )


def step_state(placer: Placer, name: str) -> float:
    """The bytes of the working state one step builds on the local engine."""
    node = placer.nodes[name]
    inputs = [placer.moved_bytes(i) for i in node.inputs]
    if isinstance(node, n.Join):
        build = min(inputs) if node.how == "inner" else inputs[-1]
        return HASH_FACTOR * build
    if isinstance(node, n.Aggregate | n.Distinct) or (isinstance(node, n.Union) and node.distinct):
        return HASH_FACTOR * placer.moved_bytes(name)
    if isinstance(node, n.TopN) and not node.partition:
        return SORT_FACTOR * placer.moved_bytes(name)
    if isinstance(node, n.Sort | n.Window | n.TopN):
        return SORT_FACTOR * sum(inputs)
    return 0.0


def _batch(placer: Placer, name: str, size: float) -> float:
    """Bytes of one batch of a stream of ``name`` (``size`` bytes in all)."""
    rows = max(placer.est[name].rows, 1.0)
    return min(size, size / rows * BATCH_ROWS)


def fragment_memory(
    placer: Placer, steps: list[str], inputs: Iterable[str], budget: int
) -> FragmentMemory:
    """The estimate of a local fragment made of ``steps`` reading ``inputs`` from elsewhere,
    under ``budget``."""
    logical = placer.logical
    inside = set(steps)
    streams = [(i, placer.moved_bytes(i)) for i in inputs]
    streams += [(s, placer.moved_bytes(s)) for s in steps if isinstance(placer.nodes[s], n.Source)]
    moved_in = sum(size for _, size in streams)
    out = 0.0
    for name in steps:
        if isinstance(placer.nodes[name], n.Source):
            continue
        if name in placer.sinks:
            size = placer.est[name].bytes
        elif any(c not in inside for c in logical.consumers[name]):
            size = placer.moved_bytes(name)
        else:
            continue
        out += size
        streams.append((name, size))
    states = [
        (step_state(placer, s), s) for s in steps if not isinstance(placer.nodes[s], n.Source)
    ]
    state, heaviest = max(states, default=(0.0, steps[0]), key=lambda x: x[0])
    flight = IN_FLIGHT_BATCHES * sum(_batch(placer, name, size) for name, size in streams)
    kept, room = 0.0, STORE_SHARE * budget
    for _, size in streams:  # the store's rule (local/store.py, Store.hold)
        if size <= room:
            kept += size
            room -= size
    return FragmentMemory(tuple(steps), moved_in, out, state, heaviest, budget, flight, kept)


def local_fragments(placer: Placer, assign: dict[str, str], budget: int) -> list[FragmentMemory]:
    """The estimate of every local fragment (Python steps included) of ``assign``."""
    once = [e for e, p in placer.profiles.items() if p.cost.shared_cte_computed_once]
    fragments = build_fragments(placer.logical, assign, placer.constraints.materialize, once)
    return [
        fragment_memory(placer, list(f.nodes), f.inputs, budget)
        for f in fragments
        if f.engine == LOCAL
    ]


Choose = Callable[[], tuple[dict[str, str], dict[str, str]]]


def fit_budget(
    placer: Placer, budget: int, choose: Choose, notes: dict[str, str]
) -> tuple[dict[str, str], dict[str, str], list[FragmentMemory]]:
    """Place so every local fragment's estimated peak fits ``budget``: ``choose()`` gives the
    (nominal, chosen) assignments; while a local fragment is over the budget, its steps that
    can run elsewhere lose the local engine as a candidate (the reason is kept for explain,
    ``placer.refused``) and the plan is placed again.  A fragment over the budget whose steps
    cannot leave is refused with :class:`MemoryBudgetError`, unless every one of them is
    pinned to local (then ``notes`` says so).  Returns the assignments and the estimates of
    the final local fragments."""
    nominal, assign = choose()
    pins = placer.constraints.pins
    for _ in range(len(placer.nodes) + 1):
        over = [f for f in local_fragments(placer, assign, budget) if f.demand > budget]
        movable = {
            s: f
            for f in over
            for s in f.steps
            if s not in pins and len([e for e in placer.candidates[s] if e != LOCAL]) > 0
        }
        if not movable:
            break
        for step, frag in movable.items():
            placer.refuse_local(step, f"its local fragment ({', '.join(frag.steps)}) {frag.over()}")
        nominal, assign = choose()
    final = local_fragments(placer, assign, budget)
    for frag in final:
        if frag.demand <= budget:
            continue
        stuck = [
            s for s in frag.steps if s not in pins and not isinstance(placer.nodes[s], n.Source)
        ]
        if stuck:
            raise _refusal(placer, frag, stuck, budget)
        for step in frag.steps:
            if step in pins:
                said = (
                    f"local fragment estimated at {frag.describe()}: it {frag.over()}; kept "
                    "local because pinned (the run spills to disk what does not fit)"
                )
                notes[step] = f"{notes[step]}; {said}" if step in notes else said
    return nominal, assign, final


def _refusal(
    placer: Placer, frag: FragmentMemory, stuck: list[str], budget: int
) -> MemoryBudgetError:
    inside = set(frag.steps)

    def weight(step: str) -> float:
        # What the step brings into the fragment (its inputs from elsewhere) and builds.
        node = placer.nodes[step]
        brought = sum(
            placer.moved_bytes(i)
            for i in node.inputs
            if i not in inside or isinstance(placer.nodes[i], n.Source)
        )
        return brought + step_state(placer, step)

    step = max(stuck, key=weight)
    node = placer.nodes[step]
    why = (
        "Python steps run only on the local engine"
        if isinstance(node, n.PythonStep)
        else "no other engine of the flow is allowed and able to run it"
    )
    return MemoryBudgetError(
        step,
        frag.demand,
        budget,
        f"its local fragment ({', '.join(frag.steps)}) {frag.over()}, and {why}; raise the "
        "budget (plan(..., memory_budget=...) or --memory-budget), add a Spark or Databricks "
        "connection to the flow (a distributed engine the planner can place it on), or pin "
        f"{step!r} to 'local' to run it anyway (the run spills to disk what does not fit)",
        recipe=node.recipe,
    )
