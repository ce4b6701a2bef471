"""``pushdown calibrate``: measure a connection and fit the cost model's parameters to it.

Probes (a probe table of a few sizes, uploaded, scanned, fetched, then dropped):

- statement latency: the median time of ``SELECT 1`` (a statement and a one-row fetch),
  each sent after the connection was idle (:func:`statement_latency`), ``7 x repeat`` of them;
- upload: the bulk path (``write_table``) at each size; ``seconds = a + bytes / rate``;
- fetch: ``SELECT *`` of each size through the Arrow path; ``seconds = a + bytes / rate``;
- scan: a group-by over each size returning a few rows; ``seconds - latency = bytes / rate``,
  where ``bytes`` is what the planner counts for that step (rows x the read columns' width).

The fit is ordinary least squares (``statistics.linear_regression``).  Then held-out probe
flows at other sizes are planned with the profile's defaults and with the fitted values, run,
and the planner's estimate compared with the measured time: the report's error figures.
The fitted values are written to a TOML calibration file that ``pushdown.plan(...,
calibration=path)`` (or ``PUSHDOWN_CALIBRATION=path``) applies per connection name.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot

from pushdown.compilers.ddl import select_all
from pushdown.engines import Connector, open_connector
from pushdown.errors import ConnectionConfigError, PushdownError, redact
from pushdown.planner.cost import read_calibration
from pushdown.planner.stats import type_width

PROBE_PREFIX = "_pushdown_probe_"
GROUPS = 64
LATENCY_PROBES_PER_REPEAT = 7  # statements timed for the statement latency, per ``repeat``
LATENCY_PROBES = 3 * LATENCY_PROBES_PER_REPEAT  # at the default ``repeat=3``
IDLE_S = 0.05  # how long the connection is idle before each of them


@dataclass(frozen=True)
class Fit:
    """A straight line ``seconds = intercept + slope * x`` and how well it fits."""

    intercept: float
    slope: float
    points: int

    @property
    def rate(self) -> float:
        """``1 / slope``: units of x per second."""
        return 1.0 / self.slope if self.slope > 0 else float("inf")


def fit_line(xs: Sequence[float], ys: Sequence[float], *, through_origin: bool = False) -> Fit:
    """Least-squares line through the points (``through_origin`` forces intercept 0)."""
    if len(xs) < 2 or len(set(xs)) < 2:
        raise ValueError("a line needs at least two distinct x values")
    slope, intercept = statistics.linear_regression(xs, ys, proportional=through_origin)
    return Fit(intercept=max(0.0, intercept), slope=slope, points=len(xs))


@dataclass
class Probe:
    """Timings of one probe kind: (bytes, seconds) pairs."""

    kind: str
    points: list[tuple[float, float]] = field(default_factory=list)


def fit_parameters(latency: float, upload: Probe, fetch: Probe, scan: Probe) -> dict[str, Any]:
    """Cost parameters (``CostParams`` fields) from the probes' timings."""
    up = fit_line(*zip(*upload.points, strict=True))
    down = fit_line(*zip(*fetch.points, strict=True))
    scanned = [b for b, _ in scan.points]
    work = [max(0.0, s - latency) for _, s in scan.points]
    sc = fit_line(scanned, work, through_origin=True)
    return {
        "query_latency_s": latency,
        "scan_bytes_per_s": _finite(sc.rate),
        "transfer": {
            "latency_s": max(0.0, down.intercept - latency),
            "fetch_bytes_per_s": _finite(down.rate),
            "upload_bytes_per_s": _finite(up.rate),
        },
    }


def _finite(rate: float) -> float:
    """A rate the model can use: a flat or negative slope means faster than we can see."""
    return rate if 0 < rate < 1e13 else 1e13


# -- probing a connection --------------------------------------------------------------------
def probe_table(rows: int) -> pa.Table:
    """``rows`` rows: an id, a group key (``GROUPS`` values) and a measure."""
    ids = pa.array(range(rows), pa.int64())
    return pa.table(
        {
            "id": ids,
            "grp": pa.array([i % GROUPS for i in range(rows)], pa.int64()),
            "val": pa.array([(i * 37 % 1000) / 1000.0 for i in range(rows)], pa.float64()),
        }
    )


def scan_bytes(rows: int) -> float:
    """What the planner counts a group-by over ``grp`` and ``val`` as reading."""
    return rows * (type_width(pa.int64()) + type_width(pa.float64()))


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def statement_latency(
    conn: Connector, probes: int = LATENCY_PROBES, idle_s: float = IDLE_S
) -> float:
    """The median seconds of ``SELECT 1`` (the statement and its one-row fetch) over
    ``probes`` statements, each sent after ``idle_s`` seconds without traffic.

    The pause is what a plan's statements see (each follows other work, not the previous
    statement's answer at once) and what a link imposes anyway: the connection is idle for
    every round trip.  Back to back, a statement is faster than any a plan sends: on the
    Snowflake stand-in over loopback 4.4 ms back to back against 7.1 ms after 25 ms idle, the
    server and the client both slower when woken (CPU caches, frequency, scheduling).  Timed
    back to back, a calibration over loopback and one behind a 20 ms link measured the server
    in two different states, and the difference, which should be the link's round trip,
    came out 2-3 ms (10-15%) too large on a quiet machine and up to 10 ms on a loaded one.  A
    median over 21 statements keeps the odd slow one (a loaded server, a late wake-up) out
    of the figure."""
    return statement_latencies([conn], probes, idle_s)[0]


def statement_latencies(
    conns: Sequence[Connector], probes: int = LATENCY_PROBES, idle_s: float = IDLE_S
) -> list[float]:
    """:func:`statement_latency` of each of ``conns``, the connections taking turns statement
    by statement, so that comparing two connections to the same server (one behind a link,
    one not) sees the server under the same load."""
    ones = [sqlglot.select("1").sql(dialect=conn.dialect) for conn in conns]
    for conn, one in zip(conns, ones, strict=True):
        conn.fetch_arrow(one)  # warm-up: the session, the driver's first-use work
    times: list[list[float]] = [[] for _ in conns]
    for _ in range(probes):
        for conn, one, taken in zip(conns, ones, times, strict=True):
            time.sleep(idle_s)
            start = time.perf_counter()
            conn.fetch_arrow(one)
            taken.append(time.perf_counter() - start)
    return [statistics.median(taken) for taken in times]


def _probe(
    conn: Connector, table: str, data: pa.Table, repeat: int
) -> dict[str, tuple[float, float]]:
    """(bytes, median seconds) of uploading ``data`` as ``table``, fetching it all, and a
    group-by over it."""
    nbytes = float(data.nbytes)
    everything = select_all(table, dialect=conn.dialect)
    grouped = _group_sql(table, conn.dialect)
    return {
        "upload": (nbytes, _median_time(lambda: conn.write_table(table, data), repeat)),
        "fetch": (nbytes, _median_time(lambda: conn.fetch_arrow(everything), repeat)),
        "scan": (nbytes, _median_time(lambda: conn.fetch_arrow(grouped), repeat)),
    }


def _check(
    conn: Connector,
    name: str,
    url: str,
    table: str,
    shape: str,
    fitted: dict[str, Any],
    repeat: int,
    connect_args: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A held-out probe flow: the planner's estimate with the defaults and with ``fitted``,
    and the measured time of running it."""
    import pushdown

    flow = _probe_flow(name, url, table, shape)
    args = {name: connect_args} if connect_args else None
    before = pushdown.plan(flow, connect_args=args)
    after = pushdown.plan(flow, connect_args=args, cost_overrides={name: fitted})
    measured = _median_time(lambda: before.execute(connections={name: conn}), repeat)
    return {
        "probe": f"{shape} {table.removeprefix(PROBE_PREFIX)} rows",
        "measured": measured,
        "before": before.cost.seconds if before.cost else float("nan"),
        "after": after.cost.seconds if after.cost else float("nan"),
    }


def _group_sql(table: str, dialect: str) -> str:
    query = (
        sqlglot.select("grp", "SUM(val) AS total", "COUNT(*) AS n")
        .from_(sqlglot.exp.to_table(table))
        .group_by("grp")
    )
    return query.sql(dialect=dialect, identify=True)


def _probe_flow(name: str, url: str, table: str, shape: str) -> Any:
    import pushdown

    flow = pushdown.Flow()
    flow.connection(name, url)
    data = flow.dataset("probe", connection=name, table=table)
    if shape == "filter_group":
        data = data.filter("val < 0.5", name="half")
    if shape == "fetch":
        data.compute({"val2": "val * 2"}, name="result")
    else:
        data.group(["grp"], {"total": "sum(val)", "n": "count(*)"}, name="result")
    return flow


@dataclass
class Calibration:
    """What ``calibrate`` measured and fitted for one connection."""

    connection: str
    engine: str
    parameters: dict[str, Any]
    probes: dict[str, list[tuple[float, float]]]
    checks: list[dict[str, Any]]  # held-out probes: estimate before/after vs measured

    def error(self, which: str) -> float:
        """Median absolute relative error of the estimates ``before`` or ``after``."""
        errors = [abs(c[which] - c["measured"]) / c["measured"] for c in self.checks]
        return float(statistics.median(errors))


def calibrate(
    name: str,
    url: str,
    *,
    sizes: Sequence[int] = (20_000, 80_000, 320_000, 1_280_000),
    held_out: Sequence[int] = (40_000, 160_000, 640_000),
    repeat: int = 3,
    out: str | Path | None = None,
    connect_args: Mapping[str, Any] | None = None,
) -> Calibration:
    """Probe connection ``name`` at ``url``, fit its cost parameters, check them on held-out
    probe flows, and (with ``out``) merge them into the calibration file ``out``.

    ``repeat``: timed runs per probe (their median is taken); the statement latency is the
    median of ``LATENCY_PROBES_PER_REPEAT * repeat`` statements (21 at the default), each
    after ``IDLE_S`` idle, so a smaller ``repeat`` also shortens that probe (about 0.35 s per
    ``repeat`` on a fast connection)."""
    if len(sizes) < 2:
        raise ConnectionConfigError("calibration needs at least two probe sizes")
    if repeat < 1:
        raise ConnectionConfigError(f"calibration needs repeat >= 1, not {repeat}")
    try:
        conn = open_connector(name, url, connect_args)
    except PushdownError as err:
        raise ConnectionConfigError(f"cannot calibrate {name!r}: {redact(str(err))}") from None
    tables: list[str] = []
    try:
        latency = statement_latency(conn, LATENCY_PROBES_PER_REPEAT * repeat)
        upload, fetch, scan = Probe("upload"), Probe("fetch"), Probe("scan")
        for rows in sorted({*sizes, *held_out}):
            table = f"{PROBE_PREFIX}{rows}"
            tables.append(table)
            timings = _probe(conn, table, probe_table(rows), repeat)
            if rows in sizes:
                upload.points.append(timings["upload"])
                fetch.points.append(timings["fetch"])
                scan.points.append((scan_bytes(rows), timings["scan"][1]))
        fitted = fit_parameters(latency, upload, fetch, scan)
        checks = [
            _check(conn, name, url, f"{PROBE_PREFIX}{rows}", shape, fitted, repeat, connect_args)
            for rows in held_out
            for shape in ("group", "filter_group", "fetch")
        ]
    finally:
        problems = []
        for table in tables:
            try:
                conn.drop(table)
            except PushdownError as err:
                problems.append(f"{table}: {redact(str(err))}")
        conn.close()
        if problems:
            warnings.warn(
                f"calibration could not drop probe table(s) on {name!r}: " + "; ".join(problems),
                RuntimeWarning,
                stacklevel=2,
            )
    result = Calibration(
        connection=name,
        engine=conn.profile.name,
        parameters=fitted,
        probes={p.kind: p.points for p in (upload, fetch, scan)},
        checks=checks,
    )
    if out is not None:
        write_calibration(Path(out), {name: fitted})
    return result


# -- the calibration file ----------------------------------------------------------------------
def _toml_value(value: float) -> str:
    return repr(float(value))


def write_calibration(path: Path, parameters: Mapping[str, Mapping[str, Any]]) -> None:
    """Merge ``parameters`` (per connection) into the calibration file at ``path``."""
    merged = read_calibration(path) if path.exists() else {}
    merged.update({k: dict(v) for k, v in parameters.items()})
    lines = [f"# written by pushdown calibrate, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", ""]
    for name, values in sorted(merged.items()):
        lines.append(f"[{_toml_key(name)}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items() if k != "transfer"]
        if "transfer" in values:
            lines += ["", f"[{_toml_key(name)}.transfer]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in values["transfer"].items()]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\n".join(lines))
    partial.replace(path)


def _toml_key(name: str) -> str:
    bare = name.replace("_", "").replace("-", "").isalnum()
    return name if bare else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def report(cal: Calibration) -> str:
    """A Markdown summary: fitted parameters, and estimate vs measured per held-out probe."""
    p, t = cal.parameters, cal.parameters["transfer"]
    lines = [
        f"# Calibration of {cal.connection} ({cal.engine})",
        "",
        "| parameter | fitted |",
        "|---|---|",
        f"| query_latency_s | {p['query_latency_s']:.4g} |",
        f"| scan_bytes_per_s | {p['scan_bytes_per_s']:.4g} |",
        f"| transfer.latency_s | {t['latency_s']:.4g} |",
        f"| transfer.fetch_bytes_per_s | {t['fetch_bytes_per_s']:.4g} |",
        f"| transfer.upload_bytes_per_s | {t['upload_bytes_per_s']:.4g} |",
        "",
        "| held-out probe | measured (s) | estimate before (s) | estimate after (s) |",
        "|---|---|---|---|",
    ]
    for c in cal.checks:
        lines.append(
            f"| {c['probe']} | {c['measured']:.4g} | {c['before']:.4g} | {c['after']:.4g} |"
        )
    lines += [
        "",
        f"Median absolute error of the estimates: before {cal.error('before'):.0%}, "
        f"after {cal.error('after'):.0%} (target after: under 30%).",
    ]
    return "\n".join(lines)
