"""The physical plan: per step the engine, the reason and the cost; the fragments and the SQL
each engine receives.  It is data: running it (``run.py``) and rendering it (``explain.py``)
are functions that take it, and the :class:`pushdown.Plan` users hold adds them as methods."""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlglot.errors import UnsupportedError as SqlglotUnsupported

from pushdown.compilers.sql import SELECTIVE_SEMI, selective_semi_joins, to_sql
from pushdown.compilers.statements import Statements, comment_safe, sql_steps, whole_flow
from pushdown.errors import UnknownConnectionError, UnsupportedError, did_you_mean
from pushdown.optimizer import optimize
from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.planner.capability import check
from pushdown.planner.cost import LOCAL, Cost
from pushdown.planner.fragments import Fragment, fit_statement_limits, order_losses
from pushdown.planner.memory import FragmentMemory
from pushdown.planner.placement import Placement, Transfer
from pushdown.profiles import Profile, get_profile
from pushdown.recipe.flow import Flow


@dataclass(frozen=True, slots=True)
class Step:
    """One dataset of the plan: its recipe, kind, engine, reason, schema and cost."""

    name: str
    recipe: str
    kind: str
    engine: str
    reason: str
    schema: pa.Schema
    cost: float | None = None
    rows: float | None = None
    bytes: float | None = None
    alternatives: tuple[tuple[str, float | None, str], ...] = ()


class PhysicalPlan:
    """Where every step of a flow runs and the SQL each engine receives."""

    def __init__(
        self,
        flow: Flow,
        logical: LogicalPlan,
        placement: dict[str, Placement],
        connections: dict[str, str],
        profiles: dict[str, Profile],
        *,
        transfers: list[Transfer] | None = None,
        needed: dict[str, set[str]] | None = None,
        cost: Cost | None = None,
        baseline: Cost | None = None,
        rule: dict[str, str] | None = None,
        materialize: set[str] | None = None,
        notes: dict[str, str] | None = None,
        connect_args: dict[str, dict[str, Any]] | None = None,
        planning_statements: dict[str, dict[str, int]] | None = None,
        memory_budget: int | None = None,
        memory: list[FragmentMemory] | None = None,
    ):
        self.flow = flow
        self.logical = logical
        self.placement = placement
        self.connections = connections
        self.profiles = profiles
        self.transfers: list[Transfer] = transfers or []
        self.needed = needed or {name: set(node.columns) for name, node in logical.nodes.items()}
        self.cost = cost
        self.baseline = baseline
        # Where the rule "run where the first input lives" would put each step.
        self.rule: dict[str, str] = rule or {}
        self.notes = notes or {}
        self.connect_args = connect_args or {}
        # Statements plan() sent per connection: {"schema": n, "statistics": m}.
        self.planning_statements = planning_statements or {}
        # What the local engine may hold, in bytes (None: no budget), and the estimated peak
        # of each local fragment when a budget is set (planner/memory.py).
        self.memory_budget = memory_budget
        self._memory = {frozenset(m.steps): m for m in memory or []}
        self.compiled = optimize(logical.nodes, self.needed)
        # Semi joins whose kept share is a default: their shape is chosen on the right side's
        # size alone, and explain says so.
        unknown_share = {s for s, p in placement.items() if "match fraction" in p.defaults}
        self.compiled = selective_semi_joins(
            self.compiled,
            {name: p.rows for name, p in placement.items()},
            [
                name
                for name, p in placement.items()
                if p.engine == LOCAL or profiles[p.engine].cost.selective_semi_as_join
            ],
            defaulted=unknown_share,
        )
        for name in sorted(unknown_share):
            node = self.compiled.get(name)
            if isinstance(node, n.Join) and node.distinct_right:
                note = (
                    "written as a join with the right side's distinct keys: the right side is "
                    f"estimated at most {SELECTIVE_SEMI:.0%} of the left and the match fraction "
                    "is a default (the shape with the better worst case)"
                )
                self.notes[name] = f"{self.notes[name]}; {note}" if name in self.notes else note
        self.results: list[str] = logical.sinks()  # what a run returns
        engines = {name: p.engine for name, p in placement.items()}
        digest = hashlib.sha1(
            json.dumps([flow.to_dict(), sorted(engines.items())], default=str).encode()
        ).hexdigest()[:8]
        self.id = digest
        self.materialized = set(materialize or set())
        self.statements = Statements(
            self.id, logical, self.compiled, self.needed, profiles, local=LOCAL
        )
        self.fragments: list[Fragment] = fit_statement_limits(
            logical, engines, self.materialized, profiles, self.statements, self.notes
        )
        for name, note in order_losses(logical, self.fragments).items():
            self.notes[name] = f"{self.notes[name]}; {note}" if name in self.notes else note
        self.steps: dict[str, Step] = {
            name: Step(
                name=name,
                recipe=node.recipe,
                kind=node.kind,
                engine=placement[name].engine,
                reason=placement[name].reason,
                schema=node.schema,
                cost=placement[name].cost,
                rows=placement[name].rows,
                bytes=placement[name].bytes,
                alternatives=placement[name].alternatives,
            )
            for name, node in logical.nodes.items()
        }

    def memory_of(self, fragment: Fragment) -> FragmentMemory | None:
        """The estimated memory of a local fragment (None without a budget, or for a
        fragment that does not run locally)."""
        return self._memory.get(frozenset(fragment.nodes))

    # -- SQL (compiled in compilers/statements.py) -----------------------------------------
    def temp_name(self, dataset: str, run: str = "") -> str:
        """The temporary table holding ``dataset`` on an engine during run ``run`` (without
        it: the name printed SQL shows)."""
        return self.statements.temp_name(dataset, run)

    def dialect_of(self, engine: str) -> str:
        """The sqlglot dialect an engine (connection name or ``local``) runs."""
        return self.statements.dialect(engine)

    def statement(
        self, fragment: Fragment, output: str, *, pretty: bool = True, project: bool = False
    ) -> str:
        """The SQL text ``fragment``'s engine runs to produce ``output``."""
        return self.statements.text(fragment, output, pretty=pretty, project=project)

    def uses(self, target: str) -> bool:
        """True when ``target`` is a connection of this plan, ``"local"``, or the engine
        (dialect profile) of one of its SQL fragments."""
        if target in self.connections or target == LOCAL:
            return True
        return any(
            not f.python and f.engine != LOCAL and self.profiles[f.engine].name == target
            for f in self.fragments
        )

    def fragment_sql(self, target: str | None = None) -> str:
        """The statements this plan runs: one per fragment output, each headed by a comment
        naming the dataset and the connection; they read pushdown's temporary tables where a
        step's input comes from another engine.

        ``target`` narrows them to a connection, ``"local"``, or an engine in use (every
        connection of that engine); without it, every SQL fragment.  For the whole flow
        compiled for some engine as if every table lived there, use :meth:`flow_sql`.
        """
        if target is None:
            frags = [f for f in self.fragments if not f.python]
        elif target in self.connections or target == LOCAL:
            frags = [f for f in self.fragments if f.engine == target and not f.python]
        else:
            frags = [
                f
                for f in self.fragments
                if not f.python and f.engine != LOCAL and self.profiles[f.engine].name == target
            ]
            if not frags:
                used = sorted({*self.connections, LOCAL})
                raise UnknownConnectionError(
                    f"{target!r} is neither a connection nor an engine this plan uses "
                    f"({', '.join(used)}); {did_you_mean(target, used)} For the whole flow "
                    f"compiled for {target!r}, call plan.flow_sql({target!r})",
                    connection=target,
                )
        parts = []
        for frag in frags:
            for out in frag.outputs:
                if (
                    isinstance(self.logical.nodes[out], n.Source)
                    and len(frag.nodes) == 1
                    and (frag.engine != LOCAL)
                ):
                    where = f"(read by another engine) on {comment_safe(frag.engine)}"
                else:
                    where = f"on {comment_safe(frag.engine)}"
                header = f"-- {comment_safe(out)} {where}"
                parts.append(f"{header}\n{self.statements.text(frag, out, project=True)};")
        return "\n\n".join(parts)

    def sql(self, target: str | None = None) -> str:
        """Deprecated: :meth:`fragment_sql` when ``target`` is omitted or in use by this plan,
        :meth:`flow_sql` otherwise (with a ``FutureWarning`` naming the one to call)."""
        method = "fragment_sql" if target is None or self.uses(target) else "flow_sql"
        arg = "" if target is None else repr(target)
        warnings.warn(
            f"plan.sql() is split in two; call plan.{method}({arg}) (fragment_sql: the "
            "statements this plan runs; flow_sql: the whole flow for one engine)",
            FutureWarning,
            stacklevel=2,
        )
        if method == "fragment_sql":
            return self.fragment_sql(target)
        assert target is not None
        return self.flow_sql(target)

    def retarget(self, engine: str) -> str:
        """Deprecated name of :meth:`flow_sql`."""
        return self.flow_sql(engine)

    def flow_sql(self, engine: str) -> str:
        """The whole flow compiled for ``engine`` (a dialect profile name such as
        ``"snowflake"``), as if every table lived there: one statement per result, with no
        temporary tables; a step the engine cannot express raises :class:`UnsupportedError`.
        For the statements this plan actually runs, use :meth:`fragment_sql`."""
        profile = get_profile(engine)
        nodes = self.logical.nodes
        # Python steps and everything after them run locally whatever the engine.
        sql_nodes = sql_steps(self.logical)

        def refuse(generate: bool) -> None:
            for name in sql_nodes:
                node = nodes[name]
                if isinstance(node, n.Source):
                    continue
                verdict = check(node, profile, generate=generate)
                if not verdict.ok:
                    raise UnsupportedError(
                        engine, verdict.construct, verdict.reason, recipe=node.recipe
                    )

        refuse(generate=False)  # the profile's word first; sqlglot's below
        parts = []
        for query in whole_flow(self.logical, self.compiled, sql_nodes, profile.dialect):
            try:
                parts.append(to_sql(query, profile.dialect) + ";")
            except SqlglotUnsupported:
                refuse(generate=True)  # name the step sqlglot cannot express
                raise
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        engines = sorted({st.engine for st in self.steps.values()})
        return f"<Plan {len(self.steps)} steps on {', '.join(engines)}>"
