"""Execute a physical plan: fragments in dependency order, transfers between engines, outputs
written last, temporary tables always dropped.

- A warehouse fragment runs in place.  An output its own engine reads again (a shared or
  user-materialised step) is created there as a table; an output another engine or the user
  reads is fetched as Arrow, projected to the columns its consumers need.
- A transfer uploads that Arrow into a temporary table on the target engine, named
  ``_pushdown_<plan id>_<run token>_<dataset>_<hash>`` (unique per dataset and per run);
  local fragments read Arrow zero-copy in DuckDB.
- Independent fragments run concurrently (one at a time per engine).
- Flow outputs are written only after every fragment succeeded, each atomically; every
  temporary table is dropped at the end, also when the run fails or is interrupted.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import pyarrow as pa

from pushdown.compilers.ddl import output_columns, select_all
from pushdown.engines import Connector, open_connector
from pushdown.errors import EngineError, PushdownError
from pushdown.local import LocalEngine, run_python_step
from pushdown.plan import nodes as n
from pushdown.planner.fragments import Fragment, is_local
from pushdown.planner.gather import CACHE, cache_key
from pushdown.planner.plan import PhysicalPlan


@dataclass(frozen=True)
class StepRun:
    """What producing one fragment output took."""

    dataset: str
    engine: str
    seconds: float
    rows: int
    estimated_rows: float | None
    bytes_moved: int
    # When it started, in seconds after the run began (fragments on different engines overlap).
    started: float = 0.0


@dataclass
class RunResult(Mapping[str, pa.Table]):
    """The result tables keyed by dataset name, plus per-output run statistics."""

    tables: dict[str, pa.Table]
    runs: list[StepRun] = field(default_factory=list)
    temp_tables: list[tuple[str, str]] = field(default_factory=list)
    # The token naming this run's temporary tables (``plan.temp_name(dataset, run_id)``).
    run_id: str = ""

    def __getitem__(self, key: str) -> pa.Table:
        return self.tables[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    @property
    def bytes_moved(self) -> int:
        """Bytes of Arrow moved between engines (and to the caller)."""
        return sum(r.bytes_moved for r in self.runs)

    def __repr__(self) -> str:
        tables = ", ".join(f"{k}: {t.num_rows:,} rows" for k, t in self.tables.items())
        seconds = sum(r.seconds for r in self.runs)
        return (
            f"<RunResult {tables or 'no tables'}; {len(self.runs)} statement(s), {seconds:.3g} s>"
        )

    def _repr_html_(self) -> str:
        """Per statement its engine, time and rows (actual and estimated); then the first
        rows of each result table."""
        e = html.escape
        heads = ("dataset", "engine", "s", "rows", "estimated", "note")
        head = "".join(f"<th>{h}</th>" for h in heads)
        runs = "".join(
            f"<tr><td>{e(r.dataset)}</td><td>{e(r.engine)}</td><td>{r.seconds:.3f}</td>"
            f"<td>{r.rows:,}</td><td>"
            f"{'?' if r.estimated_rows is None else f'{r.estimated_rows:,.0f}'}</td>"
            f"<td>{far_off(r.estimated_rows, r.rows)}</td></tr>"
            for r in self.runs
        )
        parts = [f"<table><thead><tr>{head}</tr></thead><tbody>{runs}</tbody></table>"]
        for name, table in self.tables.items():
            cols = "".join(f"<th>{e(c)}</th>" for c in table.column_names)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row.values()) + "</tr>"
                for row in table.slice(0, 5).to_pylist()
            )
            parts.append(
                f"<p><b>{e(name)}</b>: {table.num_rows:,} rows</p>"
                f"<table><thead><tr>{cols}</tr></thead><tbody>{body}</tbody></table>"
            )
        return '<div class="pushdown-run">' + "".join(parts) + "</div>"


def far_off(estimated: float | None, actual: int) -> str:
    """``estimate 170x too high`` when the estimate is ten times off or more (either way)."""
    if estimated is None:
        return ""
    est, got = max(estimated, 1.0), max(float(actual), 1.0)
    ratio = max(est / got, got / est)
    if ratio < 10:
        return ""
    return f"estimate {ratio:.0f}x too {'high' if est > got else 'low'}"


def named(table: pa.Table, names: list[str], engine: str) -> pa.Table:
    """``table`` with the plan's column names.

    An engine may give a result's columns back in another case than the statement named them:
    Hive lower-cases column names (its tables store them so), fakesnow reports a table's
    stored names.  Each returned column takes the plan's name equal to it ignoring case (no
    two columns of a dataset are: plan/columns.py); a step passing its input through
    (``SELECT *``) may return fewer columns than ``names`` when that input was pruned.  Failing
    that, a result with as many columns as ``names`` is renamed position by position; any
    other result is an engine error, never renamed."""
    if table.column_names == names:
        return table
    plan = {name.casefold(): name for name in names}
    found = [plan.get(c.casefold()) for c in table.column_names]
    matched = [name for name in found if name is not None]
    if len(matched) == len(found) and len(set(matched)) == len(matched):
        return table.rename_columns(matched)
    if table.num_columns != len(names):
        raise EngineError(
            engine,
            f"a result has {table.num_columns} columns ({', '.join(table.column_names)}) where "
            f"the plan expects {len(names)} ({', '.join(names)})",
        )
    return table.rename_columns(names)


class _Run:
    def __init__(self, plan: PhysicalPlan, connectors: Mapping[str, Connector] | None):
        self.plan = plan
        # This run's namespace for temporary tables: two runs of one plan never share one.
        self.token = secrets.token_hex(4)
        self.given = dict(connectors or {})
        self.opened: dict[str, Connector] = {}
        self._local: LocalEngine | None = None  # opened on first use: it costs ~10 ms
        self.arrow: dict[str, pa.Table] = {}  # fetched fragment outputs
        self.uploaded: set[tuple[str, str]] = set()  # (engine, dataset) present as a table
        self.temp: list[tuple[str, str]] = []  # (engine, table) to drop
        self.runs: list[StepRun] = []
        self.began = time.perf_counter()
        self.locks: dict[str, threading.Lock] = {}
        self.state = threading.Lock()

    def connector(self, name: str) -> Connector:
        with self.state:
            if name in self.given:
                return self.given[name]
            if name not in self.opened:
                self.opened[name] = open_connector(
                    name, self.plan.connections[name], self.plan.connect_args.get(name)
                )
            return self.opened[name]

    @property
    def local(self) -> LocalEngine:
        """The local engine, opened when a fragment first needs it."""
        with self.state:
            if self._local is None:
                self._local = LocalEngine()
            return self._local

    def lock(self, engine: str) -> threading.Lock:
        with self.state:
            return self.locks.setdefault(engine, threading.Lock())

    # -- one fragment -----------------------------------------------------------------------
    def fragment(self, frag: Fragment) -> None:
        with self.lock(frag.engine):
            if frag.python:
                (name,) = frag.nodes
                step = self.plan.logical.nodes[name]
                assert isinstance(step, n.PythonStep)
                start = time.perf_counter()
                table = run_python_step(step, self.arrow[step.inputs[0]])
                self._record(name, frag.engine, start, table, moved=0)
                self.arrow[name] = table
                self.local.register(name, table)
                return
            if is_local(frag):
                self._local_fragment(frag)
            else:
                self._warehouse_fragment(frag)

    def _local_fragment(self, frag: Fragment) -> None:
        for inp in frag.inputs:
            self.local.register(inp, self.arrow[inp])
        for name in frag.nodes:
            node = self.plan.logical.nodes[name]
            if isinstance(node, n.Source) and node.path:
                if node.path.startswith("memory:"):
                    self.local.register(name, self.plan.flow.tables[name])
                else:
                    self.local.register_file(name, node.path)
        for out in frag.outputs:
            start = time.perf_counter()
            table = named(
                self.local.fetch_arrow(self.plan.statements.text(frag, out)),
                self.plan.statements.columns(out),
                frag.engine,
            )
            self.arrow[out] = table
            self.local.register(out, table)
            self._record(out, frag.engine, start, table, moved=0)

    def _warehouse_fragment(self, frag: Fragment) -> None:
        conn = self.connector(frag.engine)
        for inp in frag.inputs:
            if (frag.engine, inp) in self.uploaded:
                continue
            name = self.plan.statements.temp_name(inp, self.token)
            with self.state:
                self.temp.append((frag.engine, name))
            conn.drop(name)
            conn.upload(name, self.arrow[inp])
            self.uploaded.add((frag.engine, inp))
        consumers = self.plan.logical.consumers
        engine_of = {name: step.engine for name, step in self.plan.steps.items()}
        sinks = set(self.plan.results)
        for out in frag.outputs:
            start = time.perf_counter()
            here = [c for c in consumers[out] if engine_of[c] == frag.engine]
            elsewhere = out in sinks or any(engine_of[c] != frag.engine for c in consumers[out])
            if here:
                name = self.plan.statements.temp_name(out, self.token)
                with self.state:
                    self.temp.append((frag.engine, name))
                conn.materialize(
                    name,
                    self.plan.statements.text(
                        frag, out, pretty=False, project=True, run=self.token
                    ),
                )
                self.uploaded.add((frag.engine, out))
                if elsewhere:
                    table = named(
                        conn.fetch_arrow(select_all(name, dialect=conn.dialect)),
                        self.plan.statements.columns(out, project=True),
                        frag.engine,
                    )
                    keep = [c for c in table.column_names if c in self.plan.needed[out]]
                    self.arrow[out] = table if out in sinks else table.select(keep)
            elif elsewhere:
                self.arrow[out] = named(
                    conn.fetch_arrow(
                        self.plan.statements.text(frag, out, project=True, run=self.token)
                    ),
                    self.plan.statements.columns(out, project=True),
                    frag.engine,
                )
            table = self.arrow.get(out)
            moved = table.nbytes if table is not None else 0
            self._record(out, frag.engine, start, table, moved=moved)

    def _record(
        self, name: str, engine: str, start: float, table: pa.Table | None, *, moved: int
    ) -> None:
        estimate = self.plan.steps[name].rows
        run = StepRun(
            name,
            engine,
            time.perf_counter() - start,
            table.num_rows if table is not None else -1,
            estimate,
            moved,
            start - self.began,
        )
        with self.state:
            self.runs.append(run)

    # -- the whole plan ---------------------------------------------------------------------
    def execute(self, before_fragment: Callable[[Fragment], None] | None) -> None:
        frags = {f.id: f for f in self.plan.fragments}
        producer = {out: f.id for f in self.plan.fragments for out in f.outputs}
        deps = {f.id: {producer[i] for i in f.inputs} for f in self.plan.fragments}
        done: set[int] = set()
        running: dict[Future[None], int] = {}
        workers = max(1, min(4, len({f.engine for f in self.plan.fragments})))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pushdown") as pool:
            try:
                while len(done) < len(frags):
                    for fid, frag in frags.items():
                        if fid in done or fid in running.values() or not deps[fid] <= done:
                            continue
                        if before_fragment is not None:
                            before_fragment(frag)
                        running[pool.submit(self.fragment, frag)] = fid
                    # A short timeout keeps the main thread responsive to Ctrl-C.
                    finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        fid = running.pop(future)
                        future.result()  # re-raises the fragment's error
                        done.add(fid)
            except BaseException:
                # A failure or an interrupt: cancel what still runs on every engine, so the
                # run ends now instead of when the slowest query would have finished.
                for future in running:
                    future.cancel()
                self.cancel()
                raise
            finally:
                wait(running)

    def cancel(self) -> None:
        """Ask every engine in use to cancel its running statements."""
        with self.state:
            if self._local is not None:
                self._local.cancel()
            connectors = [*self.opened.values(), *self.given.values()]
        for conn in connectors:
            conn.cancel()

    def write_outputs(self) -> None:
        by_connection: dict[str, dict[str, pa.Table]] = {}
        for out in self.plan.logical.outputs:
            data = self.arrow[out.dataset]
            dialect = self.plan.dialect_of(out.connection)
            names = output_columns(data.column_names, dialect=dialect, table=out.table)
            by_connection.setdefault(out.connection, {})[out.table] = data.rename_columns(names)
        for name, tables in by_connection.items():
            try:
                self.connector(name).write_tables(tables)
            finally:  # replaced (or perhaps half written): what the cache knew is stale
                url = self.plan.connections[name]
                key = cache_key(url, self.plan.connect_args.get(name))
                for table in tables:
                    CACHE.forget((key, table))

    def cleanup(self) -> list[str]:
        problems = []
        for engine, table in reversed(self.temp):
            try:
                self.connector(engine).drop(table)
            except PushdownError as err:
                problems.append(f"{engine}.{table}: {err}")
        if self._local is not None:
            self._local.close()
        for conn in self.opened.values():
            conn.close()
        return problems


def execute(
    plan: PhysicalPlan,
    *,
    connectors: Mapping[str, Connector] | None = None,
    before_fragment: Callable[[Fragment], None] | None = None,
) -> RunResult:
    """Run ``plan``; ``connectors`` may supply open connections by name.  ``before_fragment``
    is called before each fragment starts (for progress display and fault-injection tests)."""
    run = _Run(plan, connectors)
    try:
        run.execute(before_fragment)
        run.write_outputs()
    finally:
        temp = list(run.temp)
        problems = run.cleanup()
        if problems:  # an engine that went away keeps its table: say which, never hide it
            warnings.warn(
                "pushdown could not drop temporary table(s): " + "; ".join(problems),
                RuntimeWarning,
                stacklevel=2,
            )
    tables = {name: run.arrow[name] for name in plan.results}
    return RunResult(tables, run.runs, temp, run.token)
