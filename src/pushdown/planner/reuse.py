"""Plans made again from the same inputs are reused (issue 11, the warm target).

A warm ``pushdown.plan(flow)`` reads the schemas again (a table rebuilt under the same name
must not keep its old columns) and takes its statistics from the cache; what is left is
planning CPU: building the logical plan (parsing and typing every formula), the capability
checks, placement, fragments and SQL generation.  Those are a pure function of

- the flow's content and the call's options (the key of :class:`PlanCache`),
- the schemas (or errors) plan() just read, in the order it read them, and
- the statistics per source, the notes gathering them wrote, and the cost parameters after
  the calibration file,

so a call whose inputs all equal those of an earlier one gets a copy of the plan made then
(:func:`fresh_copy`).  The schemas are still read, with the same statements, and compared;
any change (a column added, renamed or retyped, a table gone) builds the logical plan
again; other statistics or cost parameters place it again.

Only flows whose sources are all tables on connections are kept: an in-memory table, a file
or a Python function can change without their description changing.  The key is the flow's
flow-file form (JSON, order kept) and the ``repr`` of the options; a driver's client object
among the connection arguments whose ``repr`` names its address only makes a miss, and one
whose ``repr`` hides a difference is harmless: the connection arguments reach planning
only through the schemas and statistics read with them, which are compared.

A plan is data: the copies share the placed steps, fragments and generated statements (the
SQL texts are generated once for all of them); each has its own connections handed from
planning, statement counts, notes and connection arguments.  Nothing a run does changes a
plan (``run.py`` keeps its state in the run), so one made plan runs any number of times.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pyarrow as pa

from pushdown.errors import PushdownError
from pushdown.plan.build import LogicalPlan
from pushdown.planner.plan import PhysicalPlan
from pushdown.recipe import spec as s
from pushdown.recipe.flow import Flow

KEPT_PLANS = 16  # plans kept, the least recently used dropped first

# One schema read: (connection, table) and what it gave.
# What a schema read failed with: the error's type and message (not the error itself,
# whose traceback would keep the call's connections and arguments alive in the cache).
Failed = tuple[type, str]
Read = tuple[tuple[str, str], pa.Schema | Failed]
# The warnings placing a plan issued (an OrderLostWarning; planner/warned.py): issued
# again on each reuse.
Warned = tuple[Warning, ...]


def flow_key(flow: Flow) -> str | None:
    """The flow's content as a key, or None when its plan must not be kept: a source that is
    not a table on a connection (an in-memory table, a file) or a Python step."""
    spec = flow.spec
    if flow.tables or flow.functions:
        return None
    if any(ds.connection is None or ds.table is None for ds in spec.datasets):
        return None
    if any(isinstance(r, s.PythonRecipe) for r in spec.recipes):
        return None
    return json.dumps(flow.to_dict(), default=repr)


def failed(err: PushdownError) -> Failed:
    """What a failed schema read is kept as."""
    return type(err), str(err)


def same_read(a: pa.Schema | Failed, b: pa.Schema | Failed) -> bool:
    """Whether two schema reads gave the same: equal schemas (metadata included) or errors
    of one type and message."""
    if isinstance(a, pa.Schema) and isinstance(b, pa.Schema):
        return bool(a.equals(b, check_metadata=True))
    return a == b


@dataclass
class Made:
    """What one plan() read and built: the schema reads and the logical plan built from
    them; the planning inputs after statistics and the placed plan (a template never handed
    out), once placement succeeded."""

    reads: list[Read]
    logical: LogicalPlan
    # The planning inputs (a deep copy: the caller's statistics are theirs to change), the
    # plan placed from them and the warnings placing it issued (set in one assignment: a
    # plan() in another thread reads all or none).
    placed: tuple[tuple[Any, ...], Any, Warned] | None = None

    def placed_from(self, inputs: tuple[Any, ...]) -> tuple[Any, Warned] | None:
        """The plan placed from equal ``inputs`` and the warnings placing it issued, if any."""
        placed = self.placed
        if placed is None or placed[0] != inputs:
            return None
        return placed[1], placed[2]

    def same_reads(self, read: Callable[[str, str], pa.Schema]) -> bool:
        """Read the same schemas again, in the same order (so with the same statements) and
        say whether each gave what it gave then."""
        for (conn, table), then in self.reads:
            try:
                now: pa.Schema | Failed = read(conn, table)
            except PushdownError as err:
                now = failed(err)
            if not same_read(now, then):
                return False
        return True


class PlanCache:
    """Made plans by flow and options, shared by the plan() calls of a process."""

    def __init__(self, size: int = KEPT_PLANS):
        self.size = size
        self._made: OrderedDict[str, Made] = OrderedDict()
        self._lock = threading.Lock()
        # How often a logical plan was built and a plan placed since the last clear() (tests
        # count planning work).
        self.built = 0
        self.placed = 0

    def get(self, key: str) -> Made | None:
        """What the last plan() with this key made."""
        with self._lock:
            made = self._made.get(key)
            if made is not None:
                self._made.move_to_end(key)
            return made

    def put(self, key: str, made: Made) -> None:
        """Keep ``made`` under ``key`` (replacing what was there)."""
        with self._lock:
            self._made[key] = made
            self._made.move_to_end(key)
            while len(self._made) > self.size:
                self._made.popitem(last=False)

    def count(self, *, built: int = 0, placed: int = 0) -> None:
        """Count a logical plan built or a plan placed."""
        with self._lock:
            self.built += built
            self.placed += placed

    def clear(self) -> None:
        """Forget every made plan and zero the counts (tests; a benchmark's cold call)."""
        with self._lock:
            self._made.clear()
            self.built = self.placed = 0


PLANS = PlanCache()


class Reuse:
    """One plan() call's side of the cache: what an earlier call with the same flow and
    options made, and this call's schema reads (it reads through :meth:`__call__`)."""

    def __init__(
        self,
        flow: Flow,
        urls: Mapping[str, str],
        options: tuple[Any, ...],
        read: Callable[[str, str], pa.Schema],
        cache: PlanCache = PLANS,
        clients: Any = None,
    ):
        """``options``: every option of the call that planning reads (their ``repr`` is
        part of the key; one naming an object by its address only, which another object
        may have once it is gone, keeps no plan); ``clients``: the connection arguments
        (part of the key too, an address harmless there); ``read`` reads a table's schema
        (``planner/schemas.py``)."""
        content = flow_key(flow)
        try:
            planning = repr(tuple(plain(option) for option in options))
            key = repr((content, list(urls.items()), repr(clients), planning))
            self.key = None if content is None or " at 0x" in planning else key
        except Exception:  # an option (a driver's client object) that cannot say what it is
            self.key = None
        self.cache = cache
        self.made = cache.get(self.key) if self.key is not None else None
        self.read = read
        self.reads: list[Read] = []
        self.inputs: tuple[Any, ...] = ()

    def __call__(self, conn: str, table: str) -> pa.Schema:
        """The schema of ``table`` on ``conn``, recorded."""
        try:
            got = self.read(conn, table)
        except PushdownError as err:
            self.reads.append(((conn, table), failed(err)))
            raise
        self.reads.append(((conn, table), got))
        return got

    def logical(self, build: Callable[[], LogicalPlan]) -> LogicalPlan:
        """The logical plan made before when the schemas read again are the same, else
        ``build()``'s (then kept, with the reads it made)."""
        if self.made is not None and self.made.same_reads(self.read):
            return self.made.logical
        logical = build()
        self.cache.count(built=1)
        self.made = None
        if self.key is not None:
            self.made = Made(self.reads, logical)
            self.cache.put(self.key, self.made)
        return logical

    def placed(self, inputs: tuple[Any, ...]) -> tuple[Any, Warned] | None:
        """The plan placed before from the same logical plan and equal ``inputs`` (the
        statistics per source, the notes so far, the cost parameters) and the warnings
        placing it issued, or None."""
        self.inputs = inputs
        return self.made.placed_from(inputs) if self.made is not None else None

    def keep(self, plan: PhysicalPlan, warned: Warned = ()) -> None:
        """Keep ``plan``, just placed from this call's inputs, and the warnings placing it
        issued, for the next call.  The inputs are copied whole: a user's ``TableStats``
        is frozen but its ``columns`` dict is not, and a change made to it in place must
        not compare equal to what this plan was placed from."""
        self.cache.count(placed=1)
        if self.made is not None:
            try:
                inputs = copy.deepcopy(self.inputs)
            except Exception:  # an input that cannot be copied: nothing kept to compare
                return
            self.made.placed = (inputs, template(plan), warned)


def plain(option: Any) -> Any:
    """``option`` for the key: a mapping (a custom one's ``repr`` may name its address only)
    as a dict of its items, each made plain too; anything else as it is (plan() has listed
    ``forbid`` and ``materialize`` already; any other object whose ``repr`` names its
    address only keeps no plan)."""
    if isinstance(option, Mapping):
        return {k: plain(v) for k, v in option.items()}
    return option


P = TypeVar("P", bound=PhysicalPlan)


def template(plan: P) -> P:
    """A copy of a placed plan to keep: nothing of its call (no kept connections)."""
    kept = _own_copy(plan)
    kept.planning_statements = {}
    vars(kept).pop("_kept", None)  # the class's default: none kept
    return kept


def fresh_copy(
    made: P,
    flow: Flow,
    connections: dict[str, str],
    connect_args: dict[str, dict[str, Any]],
    planning_statements: dict[str, dict[str, int]],
) -> P:
    """The plan ``made`` for this call: this call's flow object, connection arguments and
    statement counts; its fragments, statements and step records shared (nothing changes
    them once made), its mappings, sets and lists its own."""
    plan = _own_copy(made)
    plan.flow = flow
    plan.connections = connections
    plan.connect_args = connect_args
    plan.planning_statements = planning_statements
    return plan


def _own_copy(plan: P) -> P:
    """A shallow copy of ``plan`` whose mappings, sets and lists (the fragments' list aside,
    shared as the statements made from it are) are its own: a caller who changes
    ``plan.placement`` or ``plan.notes`` changes no other call's plan."""
    copied = copy.copy(plan)
    copied.placement = dict(plan.placement)
    copied.steps = dict(plan.steps)
    copied.needed = {name: set(columns) for name, columns in plan.needed.items()}
    copied.notes = dict(plan.notes)
    copied.rule = dict(plan.rule)
    copied.materialized = set(plan.materialized)
    copied.transfers = list(plan.transfers)
    return copied
