"""The entry point: :func:`make_plan` (``pushdown.plan``) validates a flow, reads schemas and
statistics, estimates, costs and places every step, and returns the :class:`Plan` users hold.

This module is the top of the library.  The planner's :class:`PhysicalPlan` is data; running
it (``run.py``) and rendering it (``explain.py``) are functions that take it.  ``Plan`` only
adds them as methods, here where both are in reach, so no lower module imports them.
"""

from __future__ import annotations

import math
import os
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from pushdown.engines import Connector, open_connector
from pushdown.engines.handoff import KeptConnections, close_all
from pushdown.engines.urls import require_database_file, url_profile
from pushdown.errors import (
    ConnectionConfigError,
    InvalidValueError,
    PushdownError,
    UnknownDatasetError,
    did_you_mean,
)
from pushdown.explain import compare_rows, compare_text, explain_text, visible_steps
from pushdown.plan.build import build_logical_plan
from pushdown.planner.arguments import as_stats, check_arguments
from pushdown.planner.cost import LOCAL, CostModel, Objective, merge_overrides, read_calibration
from pushdown.planner.disk_cache import disk_cache
from pushdown.planner.fragments import Fragment
from pushdown.planner.gather import (
    MODES,
    Budget,
    Mode,
    cache_key,
    cacheable,
)
from pushdown.planner.memory import FragmentMemory, fit_budget, parse_budget
from pushdown.planner.placement import Constraints, Placer
from pushdown.planner.plan import PhysicalPlan
from pushdown.planner.reasons import placements
from pushdown.planner.reuse import Reuse, fresh_copy
from pushdown.planner.robust import least_bad_worst_case, note_defaults
from pushdown.planner.schemas import SchemaReader
from pushdown.planner.sources import schema_tables
from pushdown.planner.sources import source_stats as read_source_stats
from pushdown.planner.stats import estimate_plan, required_columns
from pushdown.planner.warned import recording, reissue
from pushdown.profiles import Profile, get_profile
from pushdown.recipe import spec as s
from pushdown.recipe.flow import Flow, load_flow
from pushdown.statistics import TableStats

if TYPE_CHECKING:
    from pushdown.run import Moving, RunResult

_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")

StatsInput = TableStats | Mapping[str, Any]


class Plan(PhysicalPlan):
    """Where every step of a flow runs and the SQL each engine receives; ``execute()`` runs it
    and ``explain()`` tells why each step runs where it does."""

    # What the placement minimised: "time", "money" or seconds per dollar (make_plan sets it).
    objective: Objective = "time"
    # The connections plan() opened, for the first execute() (make_plan sets it).
    _kept: KeptConnections | None = None

    def execute(
        self,
        *,
        connections: Mapping[str, Connector] | None = None,
        before_fragment: Callable[[Fragment], None] | None = None,
        memory_limit: int | str | None = None,
        spill_dir: str | Path | None = None,
        progress: Callable[[Moving], None] | None = None,
    ) -> RunResult:
        """Run the plan; returns the result tables keyed by dataset name (see ``RunResult``);
        in a notebook the run shows as the plan's drawing with actual rows, and the time,
        rows and bytes of each statement.  The first run reuses the connections plan()
        opened (``engines/handoff.py``) and closes them at its end.  Memory and progress:
        :func:`pushdown.run.execute`."""
        from pushdown.run import execute  # here: planning loads no execution machinery
        from pushdown.view import PlanRun

        options: dict[str, Any] = {"memory_limit": memory_limit, "spill_dir": spill_dir}
        options.update(progress=progress, before_fragment=before_fragment)
        kept = self._kept.take() if self._kept is not None and connections is None else {}
        try:
            result = execute(self, connectors=connections or kept, **options)
        finally:
            close_all(kept)
        return PlanRun(**{f.name: getattr(result, f.name) for f in fields(result)}, plan=self)

    def close(self) -> None:
        """Close the connections plan() kept open for the first ``execute()`` (also done
        when the plan is garbage-collected, or by that run itself)."""
        if self._kept is not None:
            self._kept.close()

    def explain(self, *, verbose: bool = False) -> str:
        """A numbered text rendering: engine and reason per step, then the SQL per engine."""
        return explain_text(self, verbose=verbose)

    def _repr_html_(self) -> str:
        """The plan drawn as a graph (notebooks): see :meth:`to_html`."""
        from pushdown.view import plan_html

        return plan_html(self)

    def to_html(self, path: str | Path | None = None) -> str:
        """The plan as a self-contained HTML page: steps as nodes coloured by engine with a
        legend, each fragment framed, transfers as edges labelled with rows, bytes and
        seconds, refused steps marked with their reason; selecting a step shows its SQL,
        estimate and runner-up engines.  Nothing is fetched from the network.  With ``path``
        the page is also written there."""
        from pushdown.view import plan_page

        page = plan_page(self)
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def compare(self, other: PhysicalPlan) -> PlanComparison:
        """This plan next to ``other`` (the same flow re-planned with a pin, a forbidden
        engine or another objective): the cost difference in seconds and dollars, the
        transfers, every step placed differently; in a notebook both drawings side by side."""
        return PlanComparison(self, other)

    def to_svg(self, path: str | Path | None = None) -> str:
        """The drawing alone as a standalone SVG document (for a file or an image viewer);
        with ``path`` it is also written there."""
        from pushdown.view import plan_svg

        svg = plan_svg(self)
        if path is not None:
            Path(path).write_text(svg, encoding="utf-8")
        return svg

    def to_dot(self) -> str:
        """The plan as Graphviz DOT text (``dot -Tsvg``): a cluster per fragment, nodes
        coloured by engine, transfers as labelled edges."""
        from pushdown.view.dot import plan_dot

        return plan_dot(self)

    def __repr__(self) -> str:
        steps = visible_steps(self)
        engines = ", ".join(sorted({st.engine for st in steps}))
        cost = f", estimated {self.cost.seconds:.3g} s" if self.cost is not None else ""
        return f"<Plan {self.id}: {len(steps)} steps on {engines}{cost}>"


class PlanComparison:
    """Two plans of one flow, compared (see :meth:`Plan.compare`)."""

    def __init__(self, before: PhysicalPlan, after: PhysicalPlan):
        self.before, self.after = before, after

    @property
    def moved(self) -> list[tuple[str, str, str]]:
        """``(step, engine before, engine after)`` for every step placed differently."""
        return compare_rows(self.before, self.after)

    @property
    def seconds(self) -> float:
        """Estimated seconds of ``after`` minus ``before``."""
        return (self.after.cost.seconds if self.after.cost else 0.0) - (
            self.before.cost.seconds if self.before.cost else 0.0
        )

    @property
    def usd(self) -> float:
        """Estimated dollars of ``after`` minus ``before``."""
        return (self.after.cost.usd if self.after.cost else 0.0) - (
            self.before.cost.usd if self.before.cost else 0.0
        )

    def __repr__(self) -> str:
        return compare_text(self.before, self.after)

    def _repr_html_(self) -> str:
        from pushdown.view import compare_html

        return compare_html(self.before, self.after)


def _check_url(name: str, url: str) -> Profile:
    probe = _VARIABLE.sub("x", url)  # secrets are read at run time, not while planning
    return url_profile(probe, connection=name)


def _names(kind: str, given: Iterable[str], known: Iterable[str]) -> None:
    known = list(known)
    for name in given:
        if name not in known:
            raise UnknownDatasetError(
                f"{kind} names unknown step {name!r}; {did_you_mean(name, known)}"
            )


def make_plan(
    flow: Flow | str | Path,
    connections: Mapping[str, str] | None = None,
    *,
    statistics: Mapping[str, StatsInput] | Mode | None = None,
    objective: Objective = "time",
    cost_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    pin: Mapping[str, str] | None = None,
    forbid: Iterable[str] = (),
    forbid_steps: Mapping[str, Iterable[str]] | None = None,
    materialize: Iterable[str] = (),
    dialects: Mapping[str, str] | None = None,
    connect_args: Mapping[str, Mapping[str, Any]] | None = None,
    engine_statistics: bool = True,
    calibration: str | Path | None = None,
    statistics_budget: float | None = None,
    statistics_cache: str | Path | None = None,
    memory_budget: int | str | None = None,
) -> Plan:
    """Plan ``flow`` (a :class:`Flow`, or the path of a flow file): place each step on the
    cheapest engine that can run it.

    - ``connections`` overrides (or adds) connection URLs by name, e.g. to point a flow at a
      test database: ``plan(flow, connections={"wh": "duckdb:///test.db"})``;
    - ``statistics`` supplies table statistics by dataset (``{"orders": {"rows": 1e7}}``);
      otherwise the engines are asked, in tiers (catalog row counts, then sampled column
      statistics of the key and filter columns only) through a cache shared by the plan()
      calls of the process: by default an earlier plan()'s statistics are reused and the
      schemas read again (one statement per connection where the engine allows);
      ``statistics="cached"`` reuses the schemas too (a table rebuilt elsewhere within the
      cache's time to live is not seen), ``"fresh"`` asks the engines again, ``"off"`` plans
      on the defaults; a call whose flow and options, schemas just read and statistics all
      equal an earlier call's returns a copy of the plan made then instead of planning again
      (``planner/reuse.py``);
    - ``objective``: ``"time"`` (default), ``"money"``, or seconds per dollar for a mix;
    - ``cost_overrides`` changes cost parameters per connection (``{"wh":
      {"query_latency_s": 2}}``); ``"local"`` names local execution;
    - ``pin`` fixes steps to engines (``{"scored": "local"}``); ``forbid`` excludes engines
      everywhere and ``forbid_steps`` per step; ``materialize`` computes steps once into a
      table;
    - ``dialects`` plans a connection with another engine's profile, e.g. a Spark Thrift
      server reached through ``hive://`` but speaking Spark SQL: ``{"lake": "spark"}``;
    - ``connect_args`` passes driver arguments per connection (hosts, ports, clients);
    - ``engine_statistics=False`` plans without asking the engines for statistics (offline
      planning, e.g. to review SQL; the same as ``statistics="off"``): sources then use
      ``statistics`` or the defaults, and declared columns are not looked up in the
      catalogs (each engine's spelling of them is read: docs/semantics.md, "Names on the
      engines");
    - ``calibration`` is a file written by ``pushdown calibrate`` (default: the variable
      ``PUSHDOWN_CALIBRATION``): its measured cost parameters apply to the connections it
      names; ``cost_overrides`` still win over it;
    - ``statistics_budget``: seconds plan() may spend on engine statistics; once spent no
      further per-table statistics statement is issued and the remaining tables are planned
      on the catalog's row counts and default column figures (explain says which);
    - ``statistics_cache``: a folder keeping the statistics cache on disk across processes
      (default: the variable ``PUSHDOWN_STATS_CACHE``; none when unset): one JSON file per
      connection, named by a hash of its URL without credentials (``planner/disk_cache.py``);
    - ``memory_budget`` (``"2GiB"``, ``"512MiB"``, bytes; default None: no budget) is what
      the local engine may hold: a local fragment estimated over it goes to another engine
      of the flow (Spark, Databricks), or :class:`MemoryBudgetError` says why it cannot run
      (:mod:`pushdown.planner.memory`); the run reads it as ``plan.memory_budget``.
    """
    # Read once: a generator given here would be used up by the checks below
    # (a string stays a string, which the checks refuse by name)
    forbid = forbid if isinstance(forbid, str) else list(forbid)
    materialize = materialize if isinstance(materialize, str) else list(materialize)
    if isinstance(flow, str | Path):
        flow = load_flow(flow)  # paths inside it are relative to the file
    urls = dict(flow.spec.connections)
    for name, url in (connections or {}).items():
        if name == LOCAL:
            raise ConnectionConfigError("'local' is reserved for local Arrow execution")
        urls[name] = url
    profiles = {name: _check_url(name, url) for name, url in urls.items()}
    for name, engine in (dialects or {}).items():
        if name not in profiles:
            raise ConnectionConfigError(
                f"dialect override for unknown connection {name!r}; {did_you_mean(name, profiles)}"
            )
        profiles[name] = get_profile(engine)
    for name, url in urls.items():
        # Only where a schema must be read from the file (declared columns need nothing).
        readers = [d.name for d in flow.spec.datasets if d.connection == name and not d.columns]
        if readers:
            require_database_file(name, url, reading=f"datasets {', '.join(readers)} read it")
    engines = [LOCAL, *profiles]
    check_arguments(
        flow.spec,
        profiles,
        pin=pin,
        forbid=forbid,
        forbid_steps=forbid_steps,
        materialize=materialize,
        connect_args=connect_args,
        objective=objective,
    )
    for engine in [
        *forbid,
        *(pin or {}).values(),
        *(e for es in (forbid_steps or {}).values() for e in es),
    ]:
        if engine not in engines:
            raise ConnectionConfigError(
                f"unknown engine {engine!r}; {did_you_mean(engine, engines)}"
            )
    opened: dict[str, Connector] = {}
    unreachable: dict[str, PushdownError] = {}  # asked once: a dead host costs its timeout once
    notes: dict[str, str] = {}

    def connector(name: str) -> Connector:
        if name in unreachable:
            raise unreachable[name]
        if name not in opened:
            try:
                opened[name] = open_connector(name, urls[name], (connect_args or {}).get(name))
            except PushdownError as err:
                unreachable[name] = err
                raise
        conn = opened[name]
        if conn.down is not None:  # a statement found the engine unreachable: ask no more
            raise conn.down
        return conn

    mode: Mode = "cached" if engine_statistics else "off"
    # Schemas come from the cache only when the caller asks for "cached" by name: a table
    # rebuilt behind pushdown's back keeps its name but not its columns, and a stale schema
    # changes the SQL, where a stale statistic only changes an estimate.
    schema_mode: Mode = "cached" if statistics == "cached" and engine_statistics else "fresh"
    if isinstance(statistics, str):
        if statistics not in MODES:
            raise InvalidValueError(
                f"statistics={statistics!r}; give one of {', '.join(MODES)} or a mapping "
                "of dataset to statistics"
            )
        mode = "off" if not engine_statistics else statistics
        statistics = None
    budget = None
    if statistics_budget is not None:
        if not (
            isinstance(statistics_budget, int | float)
            and math.isfinite(statistics_budget)
            and statistics_budget >= 0
        ):
            raise InvalidValueError(
                f"statistics_budget={statistics_budget!r}; give seconds, a number >= 0"
            )
        budget = Budget(float(statistics_budget))
    schemas = SchemaReader(
        schema_tables(flow.spec, engine_statistics),
        connector,
        {
            c: cache_key(u, (connect_args or {}).get(c)) if cacheable(u) else None
            for c, u in urls.items()
        },
        schema_mode if mode != "off" else "off",
    )

    # What an earlier call made from the same flow and options (planner/reuse.py); it
    # records this call's schema reads.
    options: tuple[Any, ...] = (dialects, engine_statistics, mode, schema_mode, objective)
    options += (statistics_budget, statistics_cache, cost_overrides, pin, forbid)
    options += (forbid_steps, materialize, memory_budget)
    reuse = Reuse(flow, urls, options, schemas, clients=connect_args)

    def read_schema(ds: s.DatasetSpec) -> pa.Schema:
        if ds.path is not None:
            from pushdown.local.engine import read_file_schema  # here: only files need it

            return read_file_schema(ds.path, recipe=ds.name)
        assert ds.connection is not None and ds.table is not None
        return reuse(ds.connection, ds.table)

    def read_stored(ds: s.DatasetSpec) -> pa.Schema | None:
        """The catalog's names for a dataset declaring its columns; None when unreadable
        (then each engine's spelling of the declared names is used)."""
        try:
            return read_schema(ds)
        except PushdownError:
            return None

    try:
        logical = reuse.logical(
            lambda: build_logical_plan(
                flow,
                read_schema=read_schema,
                connections=set(urls),
                read_stored=read_stored if engine_statistics else None,
            )
        )
        given = {k: as_stats(k, v) for k, v in (statistics or {}).items()}
        _names("statistics", given, logical.nodes)
        for_schemas = {name: conn.statements for name, conn in opened.items()}
        asked = connector if mode != "off" else None
        source_stats = read_source_stats(
            flow,
            logical,
            given,
            asked,
            notes,
            mode,
            urls,
            connect_args,
            budget,
            disk_cache(statistics_cache),
        )
        counts = {name: {"schema": 0, "statistics": 0} for name in urls}  # none: all cached
        for name, conn in opened.items():
            counts[name] = {
                "schema": for_schemas.get(name, 0),
                "statistics": conn.statements - for_schemas.get(name, 0),
            }
    except BaseException:
        close_all(opened)
        raise
    try:
        _names("pin", (pin or {}), logical.nodes)
        _names("forbid_steps", (forbid_steps or {}), logical.nodes)
        _names("materialize", materialize, logical.nodes)
        overrides: Mapping[str, Mapping[str, Any]] = dict(cost_overrides or {})
        calibration = calibration or os.environ.get("PUSHDOWN_CALIBRATION") or None
        if calibration is not None:
            measured = read_calibration(calibration)
            known = {k: v for k, v in measured.items() if k in profiles or k == LOCAL}
            overrides = merge_overrides(known, overrides)
        kept_args = {k: dict(v) for k, v in (connect_args or {}).items()}
        # What placement reads besides the flow, the options and the logical plan.
        before = reuse.placed((source_stats, dict(notes), overrides))
        if before is not None:
            reissue(before[1])  # what placing it warned of still holds
            reused = fresh_copy(before[0], flow, urls, kept_args, counts)
            return _hand_over(reused, objective, opened)
        with recording() as warned:  # issued as they come, kept to issue on reuse
            estimates = estimate_plan(logical, source_stats)
            needed = required_columns(logical)
            model = CostModel(profiles, overrides=overrides, objective=objective)
            constraints = Constraints(
                pins=dict(pin or {}),
                forbid=set(forbid),
                forbid_steps={k: set(v) for k, v in (forbid_steps or {}).items()},
                materialize=set(materialize),
            )
            placer = Placer(logical, profiles, estimates, needed, model, constraints)
            memory_limit = parse_budget(memory_budget)

            def choose() -> tuple[dict[str, str], dict[str, str]]:
                nominal = placer.solve()
                return nominal, least_bad_worst_case(placer, nominal, source_stats)

            memory: list[FragmentMemory] = []
            if memory_limit is None:
                nominal, assign = choose()
            else:
                nominal, assign, memory = fit_budget(placer, memory_limit, choose, notes)
            note_defaults(placer, nominal, assign, notes)
            rule = placer.first_input_rule()
            result = Plan(
                flow,
                logical,
                placements(placer, assign),
                urls,
                profiles,
                transfers=placer.transfers(assign),
                needed=needed,
                cost=placer.total(assign),
                baseline=placer.total(rule),
                rule=rule,
                materialize=constraints.materialize,
                notes=notes,
                connect_args=kept_args,
                planning_statements=counts,
                memory_budget=memory_limit,
                memory=memory,
            )
        reuse.keep(result, tuple(warned))
    except BaseException:
        close_all(opened)
        raise
    return _hand_over(result, objective, opened)


def _hand_over(result: Plan, objective: Objective, opened: dict[str, Connector]) -> Plan:
    """``result`` with the connections plan() opened, kept for its first run."""
    result.objective = objective
    for conn in opened.values():
        conn.down = None  # running the plan tries the engine again
    result._kept = kept = KeptConnections(opened)
    weakref.finalize(result, kept.close)
    return result
