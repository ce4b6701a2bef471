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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pyarrow as pa

from pushdown.engines import Connector, open_connector
from pushdown.engines.urls import require_database_file, url_profile
from pushdown.errors import (
    ConnectionConfigError,
    FlowError,
    InvalidValueError,
    PushdownError,
    UnknownDatasetError,
    did_you_mean,
)
from pushdown.explain import compare_rows, compare_text, explain_text, visible_steps
from pushdown.local.engine import read_file_schema
from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan, build_logical_plan
from pushdown.planner.arguments import check_arguments
from pushdown.planner.cost import LOCAL, CostModel, Objective, merge_overrides, read_calibration
from pushdown.planner.fragments import Fragment
from pushdown.planner.gather import MODES, Mode, StatsSource, gather, statistic_columns
from pushdown.planner.memory import FragmentMemory, fit_budget, parse_budget
from pushdown.planner.placement import Constraints, Placer
from pushdown.planner.plan import PhysicalPlan
from pushdown.planner.robust import least_bad_worst_case, note_defaults
from pushdown.planner.stats import estimate_plan, required_columns, type_width
from pushdown.profiles import Profile, get_profile
from pushdown.recipe import spec as s
from pushdown.recipe.flow import Flow, load_flow
from pushdown.run import RunResult, execute
from pushdown.statistics import TableStats

_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")

StatsInput = TableStats | Mapping[str, Any]


class Plan(PhysicalPlan):
    """Where every step of a flow runs and the SQL each engine receives; ``execute()`` runs it
    and ``explain()`` tells why each step runs where it does."""

    # What the placement minimised: "time", "money" or seconds per dollar (make_plan sets it).
    objective: Objective = "time"

    def execute(
        self,
        *,
        connections: Mapping[str, Connector] | None = None,
        before_fragment: Callable[[Fragment], None] | None = None,
    ) -> RunResult:
        """Run the plan; returns the result tables keyed by dataset name (see ``RunResult``);
        in a notebook the run shows as the plan's drawing with actual rows, and the time,
        rows and bytes of each statement."""
        result = execute(self, connectors=connections, before_fragment=before_fragment)
        return PlanRun(**{f.name: getattr(result, f.name) for f in fields(result)}, plan=self)

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
        from pushdown.view import plan_dot

        return plan_dot(self)

    def __repr__(self) -> str:
        steps = visible_steps(self)
        engines = ", ".join(sorted({st.engine for st in steps}))
        cost = f", estimated {self.cost.seconds:.3g} s" if self.cost is not None else ""
        return f"<Plan {self.id}: {len(steps)} steps on {engines}{cost}>"


@dataclass(repr=False)  # RunResult's short repr, not every table
class PlanRun(RunResult):
    """A :class:`RunResult` that knows its plan, so a notebook can draw the run."""

    plan: PhysicalPlan | None = field(default=None, repr=False, compare=False)

    def _repr_html_(self) -> str:
        if self.plan is None:
            return super()._repr_html_()
        from pushdown.view import run_html

        return run_html(self.plan, self) + super()._repr_html_()


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


def _as_stats(name: str, value: StatsInput) -> TableStats:
    try:
        stats = (
            value
            if isinstance(value, TableStats)
            else TableStats(rows=float(value["rows"]), bytes=value.get("bytes"), source="user")
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidValueError(
            f"statistics must be a TableStats or a mapping with 'rows' (and optionally "
            f"'bytes'), not {value!r}",
            dataset=name,
        ) from None
    numbers = {"rows": stats.rows, "bytes": stats.bytes}
    for col, cs in stats.columns.items():
        numbers |= {f"{col}.ndv": cs.ndv, f"{col}.null_fraction": cs.null_fraction}
    for what, number in numbers.items():
        if number is not None and not (
            isinstance(number, int | float) and math.isfinite(number) and number >= 0
        ):
            raise InvalidValueError(
                f"statistics: {what} is {number!r}; give a finite number >= 0", dataset=name
            )
    return stats


def _file_stats(path: str, schema: pa.Schema) -> TableStats:
    p = Path(path)
    if p.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq  # here: planning a flow without Parquet files skips it

        meta = pq.ParquetFile(p).metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return TableStats(rows=float(meta.num_rows), bytes=float(size), source="file footer")
    width = sum(type_width(f.type) for f in schema) or 1.0
    size = float(p.stat().st_size)
    return TableStats(rows=size / width, bytes=size, source="file size")


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
    memory_budget: int | str | None = None,
) -> Plan:
    """Plan ``flow`` (a :class:`Flow`, or the path of a flow file): place each step on the
    cheapest engine that can run it.

    - ``connections`` overrides (or adds) connection URLs by name, e.g. to point a flow at a
      test database: ``plan(flow, connections={"wh": "duckdb:///test.db"})``;
    - ``statistics`` supplies table statistics by dataset (``{"orders": {"rows": 1e7}}``);
      otherwise the engines are asked, in tiers (catalog row counts, then sampled column
      statistics of the key and filter columns only) through a cache shared by the plan()
      calls of the process: ``statistics="cached"`` (the default) uses what an earlier plan()
      gathered, ``"fresh"`` asks the engines again, ``"off"`` plans on the defaults;
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
    - ``memory_budget`` (``"2GiB"``, ``"512MiB"``, bytes; default None: no budget) is what
      the local engine may hold: a local fragment estimated over it goes to another engine
      of the flow (Spark, Databricks), or :class:`MemoryBudgetError` says why it cannot run
      (:mod:`pushdown.planner.memory`); the run reads it as ``plan.memory_budget``.
    """
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
        return opened[name]

    def read_schema(ds: s.DatasetSpec) -> pa.Schema:
        if ds.path is not None:
            return read_file_schema(ds.path, recipe=ds.name)
        assert ds.connection is not None and ds.table is not None
        return connector(ds.connection).table_schema(ds.table)

    def read_stored(ds: s.DatasetSpec) -> pa.Schema | None:
        """The catalog's names for a dataset declaring its columns; None when unreadable
        (then each engine's spelling of the declared names is used)."""
        try:
            return read_schema(ds)
        except PushdownError:
            return None

    try:
        logical = build_logical_plan(
            flow,
            read_schema=read_schema,
            connections=set(urls),
            read_stored=read_stored if engine_statistics else None,
        )
        mode: Mode = "cached" if engine_statistics else "off"
        if isinstance(statistics, str):
            if statistics not in MODES:
                raise InvalidValueError(
                    f"statistics={statistics!r}; give one of {', '.join(MODES)} or a mapping "
                    "of dataset to statistics"
                )
            mode = "off" if not engine_statistics else statistics
            statistics = None
        given = {k: _as_stats(k, v) for k, v in (statistics or {}).items()}
        _names("statistics", given, logical.nodes)
        schemas = {name: conn.statements for name, conn in opened.items()}
        asked = connector if mode != "off" else None
        source_stats = _source_stats(flow, logical, given, asked, notes, mode, urls, connect_args)
        counts = {
            name: {
                "schema": schemas.get(name, 0),
                "statistics": conn.statements - schemas.get(name, 0),
            }
            for name, conn in opened.items()
        }
    finally:
        for conn in opened.values():
            conn.close()
    _names("pin", (pin or {}), logical.nodes)
    _names("forbid_steps", (forbid_steps or {}), logical.nodes)
    _names("materialize", materialize, logical.nodes)
    estimates = estimate_plan(logical, source_stats)
    needed = required_columns(logical)
    overrides: Mapping[str, Mapping[str, Any]] = dict(cost_overrides or {})
    calibration = calibration or os.environ.get("PUSHDOWN_CALIBRATION") or None
    if calibration is not None:
        measured = read_calibration(calibration)
        known = {k: v for k, v in measured.items() if k in profiles or k == LOCAL}
        overrides = merge_overrides(known, overrides)
    model = CostModel(profiles, overrides=overrides, objective=objective)
    constraints = Constraints(
        pins=dict(pin or {}),
        forbid=set(forbid),
        forbid_steps={k: set(v) for k, v in (forbid_steps or {}).items()},
        materialize=set(materialize),
    )
    placer = Placer(logical, profiles, estimates, needed, model, constraints)
    budget = parse_budget(memory_budget)

    def choose() -> tuple[dict[str, str], dict[str, str]]:
        nominal = placer.solve()
        return nominal, least_bad_worst_case(placer, nominal, source_stats)

    memory: list[FragmentMemory] = []
    if budget is None:
        nominal, assign = choose()
    else:
        nominal, assign, memory = fit_budget(placer, budget, choose, notes)
    note_defaults(placer, nominal, assign, notes)
    rule = placer.first_input_rule()
    result = Plan(
        flow,
        logical,
        placer.placements(assign),
        urls,
        profiles,
        transfers=placer.transfers(assign),
        needed=needed,
        cost=placer.total(assign),
        baseline=placer.total(rule),
        rule=rule,
        materialize=constraints.materialize,
        notes=notes,
        connect_args={k: dict(v) for k, v in (connect_args or {}).items()},
        planning_statements=counts,
        memory_budget=budget,
        memory=memory,
    )
    result.objective = objective
    return result


def _source_stats(
    flow: Flow,
    logical: LogicalPlan,
    given: Mapping[str, TableStats],
    connector: Any,
    notes: dict[str, str],
    mode: Mode = "cached",
    urls: Mapping[str, str] | None = None,
    connect_args: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, TableStats | None]:
    """Statistics per source: the user's, the engine's (tiered and cached: see
    :mod:`pushdown.planner.gather`), the file's, or none (defaults)."""
    result: dict[str, TableStats | None] = {}
    wanted: dict[str, tuple[str, str, set[str]]] = {}
    columns = statistic_columns(logical)
    for name, node in logical.nodes.items():
        if not isinstance(node, n.Source):
            continue
        if name in given:
            result[name] = given[name]
        elif node.path is not None and node.path.startswith("memory:"):
            table = flow.tables[name]
            result[name] = TableStats(
                rows=float(table.num_rows), bytes=float(table.nbytes), source="in-memory table"
            )
        elif node.path is not None:
            try:
                result[name] = _file_stats(node.path, node.schema)
            except (OSError, pa.ArrowException) as err:
                raise FlowError(f"cannot read {node.path!r}: {err}", dataset=name) from None
        elif connector is None:
            notes[name] = "default statistics: engine statistics were not requested"
            result[name] = None
        else:
            assert node.table is not None and node.connection is not None
            wanted[name] = (node.connection, node.table, columns.get(name, set()))
    if not wanted:
        return result

    def source(conn: str) -> StatsSource:
        # The connection opens on first use, inside gather's error handling: a connection
        # that cannot open leaves its tables on the defaults, with a note saying why.
        url = (urls or {}).get(conn, conn)
        key = f"{url} {sorted((connect_args or {}).get(conn, {}).items())!r}"
        return StatsSource(
            key,
            lambda tables: connector(conn).catalog_rows(tables),
            lambda table, cols, rows: connector(conn).table_stats(table, cols, rows),
            cacheable=":memory:" not in url,
        )

    for name, got in gather(wanted, source, mode).items():
        if isinstance(got, PushdownError):
            first = str(got).splitlines()[0]
            notes[name] = f"default statistics: {wanted[name][0]} gave none ({first})"
            result[name] = None
        else:
            result[name] = got
    return result
