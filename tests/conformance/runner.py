"""Run cases on one engine through pushdown's real path, batched, isolating failures.

A batch is one flow: its in-memory input is uploaded to the engine, every recipe is pinned
there (``pushdown.plan(flow, pin=...)``), its SQL runs and the result is fetched.

A case the engine's profile refuses is found by planning it alone (no engine call) when the
combined plan is refused; its outcome is the refusal.  When a combined batch fails on the
engine, its cases run again in chunks of 16, then 4, then 1: one upload per round, each chunk
its own recipes and statement, through a connector that records a failing statement instead of
stopping the run, so every case ends with its own outcome.  Known deviations that raise an
error run one statement per case from the start.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

import pushdown
from pushdown.engines import open_connector
from tests.conformance.batches import Batch, build, groups
from tests.conformance.model import Case, same_result, type_matches

LOCAL = "local"
CONNECTION = "wh"


@dataclass(frozen=True)
class Engine:
    """An engine under test: ``local`` (no URL), or a connection URL plus driver arguments."""

    name: str
    url: str | None = None
    connect_args: dict[str, Any] = field(default_factory=dict)
    session: Any = None  # the in-process Spark session, whose settings are switched for the run
    # Run before each execution: a shared stand-in other test runs may reset between batches
    # (the BigQuery emulator's dataset, say) is made ready again.
    prepare: Callable[[], None] | None = None

    @property
    def pin(self) -> str:
        """What steps are pinned to: ``local`` or the connection's name."""
        return LOCAL if self.url is None else CONNECTION


@dataclass
class Outcome:
    """What one case gave on one engine."""

    value: Any = None
    type: pa.DataType | None = None
    error: str | None = None
    refused: str | None = None


def problem(case: Case, outcome: Outcome) -> str | None:
    """What is wrong with ``outcome`` for ``case`` (None: pushdown's answer, or a declared
    refusal, which lets the planner run the step elsewhere and say why)."""
    if outcome.refused is not None:
        return None if " is not supported on " in outcome.refused else outcome.refused
    if outcome.error is not None:
        return f"raised {outcome.error}"
    if not same_result(case, outcome.value):
        return f"gave {outcome.value!r}, pushdown means {case.expected!r}"
    typ = outcome.type
    if case.type is not None and (typ is None or not type_matches(case.type, typ)):
        return f"gave type {typ}, semantics.md pins {case.type}"
    return None


@dataclass
class EngineRun:
    """Every case's outcome on one engine, and what producing them took."""

    engine: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    executions: int = 0
    seconds: float = 0.0
    log: list[tuple[str, int, float]] = field(default_factory=list)  # (what, cases, seconds)


def plan_batch(engine: Engine, batch: Batch) -> pushdown.Plan:
    """The plan of ``batch`` with every step pinned to ``engine`` (raises UnsupportedError
    when the engine's profile refuses a construct)."""
    if engine.url is not None:
        batch.flow.connection(CONNECTION, engine.url)
    return pushdown.plan(
        batch.flow,
        pin={step: engine.pin for step in batch.steps},
        connect_args={CONNECTION: engine.connect_args} if engine.url else None,
        engine_statistics=False,
    )


def sql_for(engine: Engine, case: Case) -> str:
    """The SQL ``engine`` receives for ``case`` alone (for failure messages)."""
    try:
        plan = plan_batch(engine, build([case]))
    except pushdown.PushdownError as err:
        return f"(not planned: {err})"
    return plan.sql(engine.pin)


# The in-process Spark session runs the cases as a Databricks SQL warehouse would be set up:
# ANSI mode on; and in a time zone with DST, so that a naive timestamp that shifts with the
# session time zone shows (2024-03-10 02:30 does not exist in New York).
SPARK_SETTINGS = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "America/New_York",
}


@contextlib.contextmanager
def engine_settings(engine: Engine) -> Iterator[None]:
    """Apply SPARK_SETTINGS to the shared in-process session; restore them afterwards."""
    if engine.session is None:
        yield
        return
    conf = engine.session.conf
    before = {key: conf.get(key) for key in SPARK_SETTINGS}
    for key, value in SPARK_SETTINGS.items():
        conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            conf.set(key, value)


def first_line(err: BaseException) -> str:
    """An error's type and first line (engines append pages of stack trace)."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"[:500]


class Isolating:
    """A connector that records a failing query instead of raising, so the run goes on to
    the next output; everything else is the real connector's."""

    def __init__(self, connector: Any):
        self.connector = connector
        self.failed: dict[str, str] = {}  # SQL text -> error

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connector, name)

    def fetch_arrow(self, sql: str) -> pa.Table:
        """The query's result, or an empty table (and the error kept) when it fails."""
        try:
            table: pa.Table = self.connector.fetch_arrow(sql)
            return table
        except Exception as err:
            self.failed[without_temp_names(sql)] = first_line(err)
            return pa.table({})


# Temporary table names carry a token drawn per run (pushdown.compilers.statements.temp_name),
# so the text a run sends differs from the plan's printed statement only in those names.
TEMP_NAME = re.compile(r"_pushdown_\w+")


def without_temp_names(sql: str) -> str:
    """``sql`` with every temporary table name replaced by one placeholder."""
    return TEMP_NAME.sub("_pushdown_", sql)


class Runner:
    """Runs the cases of one engine: a combined batch per shape, isolated when it fails."""

    LEVELS = (16, 4, 1)  # chunk sizes tried in turn to isolate the cases that fail

    def __init__(self, engine: Engine, isolate: Callable[[Case], bool] | None = None):
        self.engine = engine
        self.run = EngineRun(engine.name)
        self.isolate = isolate or (lambda case: False)

    def cases(self, cases: list[Case], known: Mapping[str, Any]) -> EngineRun:
        """Run ``cases``; known deviations that raise an error (``known[id].raises``), and
        the cases the engine's stand-in cannot share a batch with (``isolate``), run one
        statement each from the start, so they cannot fail the combined batch."""
        start = time.perf_counter()
        raising = {cid for cid, reason in known.items() if reason.raises}
        with engine_settings(self.engine):
            for group in groups(cases):
                alone = [c for c in group if c.id in raising or self.isolate(c)]
                rest = [c for c in group if c not in alone]
                try:
                    if rest:
                        self._combined(rest)
                    if alone:
                        self._isolated(alone, (1,))
                except Exception as err:  # a bug of this suite: every case still gets a line
                    for case in group:
                        self.run.outcomes.setdefault(
                            case.id, Outcome(error=f"conformance runner: {first_line(err)}")
                        )
        self.run.seconds = time.perf_counter() - start
        return self.run

    def _execute(self, plan: pushdown.Plan, connector: Any = None) -> Any:
        self.run.executions += 1
        if self.engine.prepare is not None:
            self.engine.prepare()
        if connector is None:
            return plan.execute()
        return plan.execute(connections={CONNECTION: connector})

    def _log(self, what: str, cases: list[Case], start: float) -> None:
        self.run.log.append((what, len(cases), time.perf_counter() - start))

    def _record(self, case_id: str, outcome: Outcome) -> None:
        self.run.outcomes[case_id] = outcome

    def _plannable(self, cases: list[Case], *, failed: bool = False) -> list[Case]:
        """The cases the engine's profile accepts; each other one gets its refusal (or its
        planning error) as its outcome.  Planning only (no engine call), by halves: a few
        refused cases among hundreds cost a few dozen plans, not one per case.  ``failed``:
        ``cases`` together are known not to plan."""
        if not failed:
            try:
                plan_batch(self.engine, build(cases))
                return cases
            except pushdown.UnsupportedError as err:
                if len(cases) == 1:
                    self._record(cases[0].id, Outcome(refused=str(err)))
                    return []
            except pushdown.PushdownError as err:
                if len(cases) == 1:
                    self._record(cases[0].id, Outcome(error=first_line(err)))
                    return []
        if len(cases) == 1:  # known to fail together, and alone: planned again to say why
            return self._plannable(cases)
        half = len(cases) // 2
        return self._plannable(cases[:half]) + self._plannable(cases[half:])

    def _plan(self, cases: list[Case], chunk: int) -> tuple[Batch, pushdown.Plan] | None:
        """A planned batch of the cases that can be planned.  Cases refused on their own get
        their refusal; a chunked batch whose planning fails in one case's recipe sets that case
        aside with the error.  None: nothing left, or a failure no case can be blamed for (a
        combination of cases the engine cannot express together)."""
        try:
            batch = build(cases, chunk=chunk)
            return batch, plan_batch(self.engine, batch)
        except pushdown.PushdownError:
            cases = self._plannable(cases, failed=True)
        while cases:
            batch = build(cases, chunk=chunk)
            try:
                return batch, plan_batch(self.engine, batch)
            except pushdown.PushdownError as err:
                blamed = batch.recipe_cases.get(getattr(err, "recipe", None) or "")
                if not blamed or chunk == 0:
                    return None
                for case_id in blamed:
                    self._record(case_id, Outcome(error=first_line(err)))
                cases = [c for c in cases if c.id not in blamed]
        return None

    def _combined(self, cases: list[Case]) -> None:
        start = time.perf_counter()
        planned = self._plan(cases, 0)
        if planned is None:  # only together they cannot be planned
            self._log(f"{_shape(cases)} combined: not plannable together", cases, start)
            self._isolated([c for c in cases if c.id not in self.run.outcomes], self.LEVELS)
            return
        batch, plan = planned
        try:
            result = self._execute(plan)
            values = {c.id: batch.readers[c.id](result) for c in batch.cases}
        except Exception as err:  # isolate the failing cases
            self._log(f"{_shape(cases)} combined failed: {first_line(err)[:200]}", cases, start)
            self._isolated(batch.cases, self.LEVELS)
            return
        self._log(f"{_shape(cases)} combined", cases, start)
        for case_id, (value, typ) in values.items():
            self._record(case_id, Outcome(value=value, type=typ))

    def _isolated(self, cases: list[Case], levels: tuple[int, ...]) -> None:
        """Chunks of ``levels[0]`` cases, each with statements of its own over one upload;
        the cases of a failing chunk go on to the next level (one case per statement last)."""
        start = time.perf_counter()
        try:
            planned = self._plan(cases, levels[0])
            left = [c for c in cases if c.id not in self.run.outcomes]
            if planned is not None:
                self._run_chunks(*planned, levels)
            elif left and len(levels) > 1:
                self._isolated(left, levels[1:])
            else:
                for case in left:
                    self._alone(case)
        finally:
            self._log(f"{_shape(cases)} chunks of {levels[0]}", cases, start)

    def _run_chunks(self, batch: Batch, plan: pushdown.Plan, levels: tuple[int, ...]) -> None:
        if self.engine.url is None:  # no connector to isolate with: halves until one case
            try:
                result = self._execute(plan)
            except Exception:
                if len(batch.cases) == 1:
                    self._alone(batch.cases[0])
                    return
                half = len(batch.cases) // 2
                self._isolated(batch.cases[:half], (1,))
                self._isolated(batch.cases[half:], (1,))
                return
            self._read(batch, result, {})
            return
        connector = Isolating(open_connector(CONNECTION, self.engine.url, self.engine.connect_args))
        try:
            result = self._execute(plan, connector)
        except Exception:  # the upload itself failed
            if len(levels) > 1:
                self._isolated(batch.cases, levels[1:])
            else:
                for case in batch.cases:
                    self._alone(case)
            return
        finally:
            connector.close()
        statements = _statements(plan)
        failed = {
            out: connector.failed[sql] for out, sql in statements.items() if sql in connector.failed
        }
        if len(levels) > 1:  # a failing chunk's cases try again in smaller chunks
            again = [c for c in batch.cases if batch.output[c.id] in failed]
            if again:
                self._isolated(again, levels[1:])
            batch.cases = [c for c in batch.cases if c not in again]
        self._read(batch, result, failed)

    def _read(self, batch: Batch, result: Any, failed: dict[str, str]) -> None:
        """Each case's outcome: the error of its output's statement, or its value."""
        for case in batch.cases:
            error = failed.get(batch.output[case.id])
            if error is None and not _columns(result, batch.output[case.id]):
                error = "the statement failed (the connector returned no columns)"
            if error is not None:
                self._record(case.id, Outcome(error=error))
                continue
            try:
                value, typ = batch.readers[case.id](result)
            except Exception as err:
                self._record(case.id, Outcome(error=first_line(err)))
                continue
            self._record(case.id, Outcome(value=value, type=typ))

    def _alone(self, case: Case) -> None:
        """Plan and run one case in a flow of its own."""
        batch = build([case])
        try:
            plan = plan_batch(self.engine, batch)
        except pushdown.UnsupportedError as err:
            self._record(case.id, Outcome(refused=str(err)))
            return
        except pushdown.PushdownError as err:
            self._record(case.id, Outcome(error=first_line(err)))
            return
        try:
            value, typ = batch.readers[case.id](self._execute(plan))
        except Exception as err:
            self._record(case.id, Outcome(error=first_line(err)))
            return
        self._record(case.id, Outcome(value=value, type=typ))


def _shape(cases: list[Case]) -> str:
    return "compute" if cases[0].kind == "compute" else "rows"


def _statements(plan: pushdown.Plan) -> dict[str, str]:
    """Output name -> the SQL text the run fetches it with, temporary names aside (the plan
    caches the text, so it is the string the connector received but for the run's token)."""
    return {
        out: without_temp_names(plan.statement(frag, out, project=True))
        for frag in plan.fragments
        if not frag.python and frag.engine != LOCAL
        for out in frag.outputs
    }


def _columns(result: Any, output: str) -> bool:
    """Whether ``output``'s table in a run's result has columns (a statement the isolating
    connector caught gives a table without any)."""
    table = result.get(output) if isinstance(result, Mapping) else None
    return table is None or table.num_columns > 0
