"""Execute a physical plan: fragments in dependency order, transfers between engines, outputs
written last, temporary tables always dropped.

- A warehouse fragment runs in place.  An output its own engine reads again (a shared or
  user-materialised step) is created there as a table; an output another engine or the user
  reads is fetched as Arrow, projected to the columns its consumers need.
- A transfer uploads that Arrow into a temporary table on the target engine, named
  ``_pushdown_<plan id>_<run token>_<dataset>_<hash>`` (unique per dataset and per run);
  local fragments read Arrow zero-copy in DuckDB.
- Every move is a stream of record batches (``Connector.fetch_batches``): the run's store
  keeps a dataset in memory while what it holds stays under a quarter of the memory budget
  (``execute(memory_limit=...)``, ``PUSHDOWN_MEMORY_BUDGET``; 1 GiB without one) and writes
  the rest batch by batch to Parquet files of a per-run folder, which uploads, the local
  DuckDB (``read_parquet``) and the result read back as streams; a dataset no fragment
  reads any more is released.  ``progress`` hears the rows and bytes moved so far.
- Independent fragments run concurrently (one at a time per engine).
- Flow outputs are written only after every fragment succeeded, each atomically; every
  temporary table is dropped at the end, also when the run fails or is interrupted.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pushdown.compilers.ddl import output_columns, select_all
from pushdown.engines import Connector, open_connector
from pushdown.errors import EngineError, PushdownError
from pushdown.local import Held, LocalEngine, SpillDir, Store, memory_budget, python_stream
from pushdown.local.result import RunResult, StepRun
from pushdown.local.store import DEFAULT_IN_MEMORY, Progress, reported
from pushdown.local.streams import Arrow, renamed
from pushdown.plan import nodes as n
from pushdown.planner.fragments import Fragment, is_local
from pushdown.planner.gather import CACHE, cache_key
from pushdown.planner.memory import ENGINE_SHARE, STORE_SHARE
from pushdown.planner.plan import PhysicalPlan
from pushdown.statistics import far_off

__all__ = ["Moving", "RunResult", "StepRun", "execute", "far_off", "named", "plan_names"]


def named(table: Arrow, names: list[str], engine: str) -> Arrow:
    """``table`` with the plan's column names.

    An engine may give a result's columns back in another case than the statement named them:
    Hive lower-cases column names (its tables store them so), fakesnow reports a table's
    stored names.  Each returned column takes the plan's name equal to it ignoring case (no
    two columns of a dataset are: plan/columns.py); a step passing its input through
    (``SELECT *``) may return fewer columns than ``names`` when that input was pruned.  Failing
    that, a result with as many columns as ``names`` is renamed position by position; any
    other result is an engine error, never renamed.  A stream is renamed as it is read."""
    have = list(table.schema.names)
    if have == names:
        return table
    return renamed(table, plan_names(have, names, engine))


def plan_names(have: list[str], names: list[str], engine: str) -> list[str]:
    """The plan's names for a result's columns ``have`` (see :func:`named`)."""
    plan = {name.casefold(): name for name in names}
    found = [plan.get(c.casefold()) for c in have]
    matched = [name for name in found if name is not None]
    if len(matched) == len(found) and len(set(matched)) == len(matched):
        return matched
    if len(have) != len(names):
        raise EngineError(
            engine,
            f"a result has {len(have)} columns ({', '.join(have)}) where "
            f"the plan expects {len(names)} ({', '.join(names)})",
        )
    return names


@dataclass(frozen=True)
class Moving:
    """Progress of one dataset moving: ``rows`` and ``bytes`` (Arrow) so far; ``stage`` is
    ``"fetch"`` (read from ``engine``) or ``"upload"`` (sent to ``engine``)."""

    dataset: str
    engine: str
    stage: str
    rows: int
    bytes: int
    done: bool


class _Run:
    def __init__(
        self,
        plan: PhysicalPlan,
        connectors: Mapping[str, Connector] | None,
        *,
        memory_limit: int | str | None = None,
        spill_dir: str | Path | None = None,
        progress: Callable[[Moving], None] | None = None,
    ):
        self.plan = plan
        # This run's namespace for temporary tables: two runs of one plan never share one.
        self.token = secrets.token_hex(4)
        self.given = dict(connectors or {})
        self.opened: dict[str, Connector] = {}
        self._local: LocalEngine | None = None  # opened on first use: it costs ~10 ms
        # The memory budget: a quarter holds moved datasets in memory, the rest spill to
        # Parquet files of this run's folder; half is the local DuckDB's own limit.
        self.budget = memory_budget(memory_limit, plan)
        self.folder = SpillDir(spill_dir)
        share = int(self.budget * STORE_SHARE) if self.budget is not None else DEFAULT_IN_MEMORY
        self.store = Store(self.folder, in_memory=share)
        self.progress = progress
        self.arrow: dict[str, Held] = {}  # fetched fragment outputs
        self.forget: set[str] = set()  # datasets no fragment reads any more
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
                limit = int(self.budget * ENGINE_SHARE) if self.budget is not None else None
                self._local = LocalEngine(memory_limit=limit, spill_dir=self.folder.path / "duckdb")
            return self._local

    def lock(self, engine: str) -> threading.Lock:
        with self.state:
            return self.locks.setdefault(engine, threading.Lock())

    def _reporter(self, engine: str, stage: str) -> Progress | None:
        report = self.progress
        if report is None:
            return None

        def tell(dataset: str, rows: int, size: int, done: bool) -> None:
            report(Moving(dataset, engine, stage, rows, size, done))

        return tell

    def _fetch(self, source: Connector | LocalEngine, sql: str, out: str, names: list[str]) -> Held:
        """Stream ``sql``'s result from ``source`` into the store under the plan's names."""
        schema = self.plan.logical.nodes[out].schema
        expect = (
            pa.schema([schema.field(c) for c in names]) if set(names) <= set(schema.names) else None
        )
        reader = named(source.fetch_batches(sql, expect=expect), names, source.name)
        sizes = [t.bytes for t in self.plan.transfers if t.dataset == out]
        expected = max(sizes) if sizes else self.plan.steps[out].bytes
        report = self._reporter(source.name, "fetch")
        return self.store.hold(out, reader, progress=report, expected=expected)

    def _send(self, inp: str, engine: str) -> Arrow:
        """What an upload of ``inp`` to ``engine`` reads: the table, or a reported stream."""
        held = self.arrow[inp]
        report = self._reporter(engine, "upload")
        if held.table is not None and report is None:
            return held.table
        reader = held.reader()
        return pa.RecordBatchReader.from_batches(reader.schema, reported(inp, reader, report))

    # -- one fragment -----------------------------------------------------------------------
    def fragment(self, frag: Fragment) -> None:
        with self.lock(frag.engine):
            if frag.python:
                (name,) = frag.nodes
                step = self.plan.logical.nodes[name]
                assert isinstance(step, n.PythonStep)
                start = time.perf_counter()
                stream = python_stream(step, self.arrow[step.inputs[0]].data())
                held = self.store.hold(name, stream)
                self._record(name, frag.engine, start, held, moved=0)
                self.arrow[name] = held
                self.local.register(name, held)
                return
            if is_local(frag):
                self._local_fragment(frag)
            else:
                self._warehouse_fragment(frag)

    def _local_fragment(self, frag: Fragment) -> None:
        with self.state:
            forget, self.forget = self.forget, set()
        for name in forget:  # unregistered here, where no other thread uses DuckDB
            self.local.unregister(name)
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
            sql = self.plan.statements.text(frag, out)
            held = self._fetch(self.local, sql, out, self.plan.statements.columns(out))
            self.arrow[out] = held
            self.local.register(out, held)
            self._record(out, frag.engine, start, held, moved=0)

    def _warehouse_fragment(self, frag: Fragment) -> None:
        conn = self.connector(frag.engine)
        for inp in frag.inputs:
            if (frag.engine, inp) in self.uploaded:
                continue
            name = self.plan.statements.temp_name(inp, self.token)
            with self.state:
                self.temp.append((frag.engine, name))
            conn.drop(name)
            conn.upload(name, self._send(inp, frag.engine))
            self.uploaded.add((frag.engine, inp))
        consumers = self.plan.logical.consumers
        engine_of = {name: step.engine for name, step in self.plan.steps.items()}
        sinks = set(self.plan.results)
        for out in frag.outputs:
            start = time.perf_counter()
            here = [c for c in consumers[out] if engine_of[c] == frag.engine]
            elsewhere = out in sinks or any(engine_of[c] != frag.engine for c in consumers[out])
            columns = self.plan.statements.columns(out, project=True)
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
                    held = self._fetch(conn, select_all(name, dialect=conn.dialect), out, columns)
                    keep = [c for c in held.column_names if c in self.plan.needed[out]]
                    self.arrow[out] = held if out in sinks else held.select(keep)
            elif elsewhere:
                sql = self.plan.statements.text(frag, out, project=True, run=self.token)
                self.arrow[out] = self._fetch(conn, sql, out, columns)
            got = self.arrow.get(out)
            self._record(out, frag.engine, start, got, moved=got.nbytes if got else 0)

    def _record(
        self, name: str, engine: str, start: float, table: Held | None, *, moved: int
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

    def release(self, dataset: str) -> None:
        """``dataset`` is read by no fragment still to run: give its memory back and remove
        its file (the local DuckDB forgets it before its next statement)."""
        held = self.arrow.pop(dataset, None)
        if held is None:
            return
        held.release()
        shared = any(h.path == held.path for h in self.arrow.values())
        if held.path is not None and not shared:
            held.path.unlink(missing_ok=True)
        with self.state:
            self.forget.add(dataset)

    # -- the whole plan ---------------------------------------------------------------------
    def execute(self, before_fragment: Callable[[Fragment], None] | None) -> None:
        frags = {f.id: f for f in self.plan.fragments}
        producer = {out: f.id for f in self.plan.fragments for out in f.outputs}
        deps = {f.id: {producer[i] for i in f.inputs} for f in self.plan.fragments}
        done: set[int] = set()
        running: dict[Future[None], int] = {}
        # Fragments still to read each dataset: at none, it is released (unless returned or
        # written as an output).
        readers = Counter(i for f in self.plan.fragments for i in f.inputs)
        kept = set(self.plan.results) | {o.dataset for o in self.plan.logical.outputs}
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
                        for inp in frags[fid].inputs:
                            readers[inp] -= 1
                            if readers[inp] == 0 and inp not in kept:
                                self.release(inp)
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
        by_connection: dict[str, dict[str, Arrow]] = {}
        for out in self.plan.logical.outputs:
            held = self.arrow[out.dataset]
            dialect = self.plan.dialect_of(out.connection)
            names = output_columns(held.column_names, dialect=dialect, table=out.table)
            data = renamed(held.data(), names)
            by_connection.setdefault(out.connection, {})[out.table] = data
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
        self.tidy()
        return problems

    def tidy(self) -> None:
        """Remove the spill folder's files but those of the results (which keep the folder
        until the result is gone); the whole folder when no result is on disk."""
        keep = {self.arrow[r].path for r in self.plan.results if r in self.arrow}
        keep.discard(None)
        if not keep:
            self.folder.remove()
            return
        for path in self.folder.path.iterdir():
            if path not in keep:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def execute(
    plan: PhysicalPlan,
    *,
    connectors: Mapping[str, Connector] | None = None,
    before_fragment: Callable[[Fragment], None] | None = None,
    memory_limit: int | str | None = None,
    spill_dir: str | Path | None = None,
    progress: Callable[[Moving], None] | None = None,
) -> RunResult:
    """Run ``plan``; ``connectors`` may supply open connections by name.  ``before_fragment``
    is called before each fragment starts (for progress display and fault-injection tests).

    ``memory_limit`` (bytes, or a size such as ``"512MB"``; default: the plan's
    ``memory_budget``, else the ``PUSHDOWN_MEMORY_BUDGET`` environment variable, else no
    limit) bounds what the run holds: moved datasets beyond a quarter of it go to Parquet
    files under ``spill_dir`` (default: the system's temporary folder) and the local DuckDB
    runs within half of it.  ``progress`` hears the rows and bytes of each dataset moving,
    after every batch (:class:`Moving`)."""
    run = _Run(plan, connectors, memory_limit=memory_limit, spill_dir=spill_dir, progress=progress)
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
    entries = {name: run.arrow[name] for name in plan.results}
    return RunResult(entries, run.runs, temp, run.token)
