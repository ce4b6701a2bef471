"""Run cases on one engine through pushdown's real path, batched, isolating failures.

A batch is one flow: its in-memory input is uploaded to the engine, every recipe is pinned
there (``pushdown.plan(flow, pin=...)``), its SQL runs and the result is fetched.  When a
combined batch fails (an engine error, or a profile refusing a construct while planning), its
cases run again split: one upload, one recipe and statement per case, through a connector that
records a failing statement instead of stopping the run, so every case gets its own outcome.
A refusal at planning names the recipe (or input column) of its case, which is set aside.
Known deviations that raise an error run split from the start.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

import pushdown
from pushdown.engines import open_connector
from tests.conformance.batches import Batch, build, groups
from tests.conformance.model import Case

LOCAL = "local"
CONNECTION = "wh"


@dataclass(frozen=True)
class Engine:
    """An engine under test: ``local`` (no URL), or a connection URL plus driver arguments."""

    name: str
    url: str | None = None
    connect_args: dict[str, Any] = field(default_factory=dict)
    session: Any = None  # the in-process Spark session, whose settings are switched for the run

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


@contextlib.contextmanager
def engine_settings(engine: Engine) -> Iterator[None]:
    """Spark in-process runs with ANSI mode on, as Databricks SQL warehouses do; the shared
    session's settings are restored afterwards."""
    if engine.session is None:
        yield
        return
    conf = engine.session.conf
    before = conf.get("spark.sql.ansi.enabled")
    conf.set("spark.sql.ansi.enabled", "true")
    try:
        yield
    finally:
        conf.set("spark.sql.ansi.enabled", before)


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
            self.failed[sql] = first_line(err)
            return pa.table({})


class Runner:
    """Runs the cases of one engine: a combined batch per kind, split when it fails."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.run = EngineRun(engine.name)

    def cases(self, cases: list[Case], known: Mapping[str, Any]) -> EngineRun:
        """Run ``cases``; known deviations that raise an error (``known[id].raises``) run
        split from the start, so they cannot fail the combined batch."""
        start = time.perf_counter()
        with engine_settings(self.engine):
            for group in groups(cases):
                raising = {cid for cid, reason in known.items() if reason.raises}
                clean = [c for c in group if c.id not in raising]
                deviating = [c for c in group if c.id in raising]
                if clean:
                    self._combined(clean)
                if deviating:
                    self._split(deviating)
        self.run.seconds = time.perf_counter() - start
        return self.run

    def _log(self, what: str, cases: list[Case], start: float) -> None:
        self.run.log.append((what, len(cases), time.perf_counter() - start))

    def _record(self, case_id: str, outcome: Outcome) -> None:
        self.run.outcomes[case_id] = outcome

    def _combined(self, cases: list[Case]) -> None:
        start = time.perf_counter()
        batch = build(cases)
        try:
            plan = plan_batch(self.engine, batch)
            self.run.executions += 1
            result = plan.execute()
            values = {c.id: batch.readers[c.id](result) for c in cases}
        except Exception:  # a refusal, an engine error, a wrong shape: one case at a time
            self._log(f"{_shape(cases)} combined (failed)", cases, start)
            self._split(cases)
            return
        self._log(f"{_shape(cases)} combined", cases, start)
        for case_id, (value, typ) in values.items():
            self._record(case_id, Outcome(value=value, type=typ))

    def _planned_split(self, cases: list[Case]) -> tuple[Batch, pushdown.Plan] | None:
        """The split batch and its plan, once every case the planner refuses (or rejects)
        has its outcome; None when nothing is left to run."""
        while cases:
            batch = build(cases, split=True)
            try:
                return batch, plan_batch(self.engine, batch)
            except pushdown.PushdownError as err:
                case_id = _case_named(batch, err)
                if case_id is None:  # not tied to one recipe: plan each case alone
                    for case in cases:
                        self._alone(case)
                    return None
                refused = isinstance(err, pushdown.UnsupportedError)
                self._record(
                    case_id, Outcome(refused=str(err)) if refused else Outcome(error=first_line(err))
                )
                cases = [c for c in cases if c.id != case_id]
        return None

    def _split(self, cases: list[Case]) -> None:
        """One upload, one statement per case: a failing statement fails its case alone."""
        start = time.perf_counter()
        try:
            self._split_run(cases)
        finally:
            self._log(f"{_shape(cases)} split", cases, start)

    def _split_run(self, cases: list[Case]) -> None:
        planned = self._planned_split(cases)
        if planned is None:
            return
        batch, plan = planned
        if self.engine.url is None:  # no connector to isolate with: halves until one case
            try:
                self.run.executions += 1
                result = plan.execute()
            except Exception:
                if len(batch.cases) == 1:
                    self._alone(batch.cases[0])
                    return
                half = len(batch.cases) // 2
                self._split_run(batch.cases[:half])
                self._split_run(batch.cases[half:])
                return
            self._read(batch, result, {})
            return
        connector = Isolating(open_connector(CONNECTION, self.engine.url, self.engine.connect_args))
        try:
            self.run.executions += 1
            result = plan.execute(connections={CONNECTION: connector})  # type: ignore[dict-item]
        except Exception:  # the upload itself failed: each case on its own
            for case in batch.cases:
                self._alone(case)
            return
        finally:
            connector.close()
        statements = _statements(plan)
        failed = {
            out: connector.failed[sql] for out, sql in statements.items() if sql in connector.failed
        }
        self._read(batch, result, failed)

    def _read(self, batch: Batch, result: Any, failed: dict[str, str]) -> None:
        """Each case's outcome: the error of its output's statement, or its value."""
        for case in batch.cases:
            error = failed.get(batch.output[case.id])
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
            self.run.executions += 1
            value, typ = batch.readers[case.id](plan.execute())
        except Exception as err:
            self._record(case.id, Outcome(error=first_line(err)))
            return
        self._record(case.id, Outcome(value=value, type=typ))


def _shape(cases: list[Case]) -> str:
    return "compute" if cases[0].kind == "compute" else "rows"


_COLUMN = re.compile(r"'c(\d{3})_")


def _case_named(batch: Batch, err: pushdown.PushdownError) -> str | None:
    """The case an error is about: the one whose input column it names, else the one whose
    recipe it names (a refused input type is reported on the first recipe reading it)."""
    match = _COLUMN.search(str(err))
    if match and int(match.group(1)) < len(batch.cases):
        return batch.cases[int(match.group(1))].id
    return batch.recipe_case.get(getattr(err, "recipe", None) or "")


def _statements(plan: pushdown.Plan) -> dict[str, str]:
    """Output name -> the SQL text the run fetches it with (the plan caches the text, so
    it is the very string the connector received)."""
    return {
        out: plan.statement(frag, out, project=True)
        for frag in plan.fragments
        if not frag.python and frag.engine != LOCAL
        for out in frag.outputs
    }
