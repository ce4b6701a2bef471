"""Command line: ``pushdown schema``, ``pushdown plan FLOW``, ``pushdown run FLOW``,
``pushdown bench SUITE``, ``pushdown calibrate NAME=URL``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pushdown.errors import ConnectionConfigError, PushdownError


def _connections(pairs: list[str]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not name:
            raise ConnectionConfigError(f"--connection takes NAME=URL, got {pair!r}")
        result[name] = url
    return result


def _bench_parsers(sub: Any) -> None:
    bench = sub.add_parser("bench", help="benchmark a suite of flows on several engines")
    bench.add_argument("suite", choices=["tpch", "tpch-multi"], help="the suite to run")
    bench.add_argument(
        "--engines",
        "-e",
        default="duckdb,local",
        help="comma-separated: duckdb, local, spark, or connection names (default duckdb,local)",
    )
    bench.add_argument("--scale", "-s", type=float, default=0.01, help="TPC-H scale factor")
    bench.add_argument("--queries", "-q", default="", help="comma-separated, e.g. q1,q6 (all)")
    bench.add_argument("--repetitions", "-r", type=int, default=3, help="timed runs per query")
    bench.add_argument("--warmup", "-w", type=int, default=1, help="untimed runs first")
    bench.add_argument("--out", "-o", default="bench-results", help="results folder")
    bench.add_argument(
        "--connection",
        "-c",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="the URL of an engine named in --engines",
    )
    bench.add_argument(
        "--no-baselines", action="store_true", help="skip hand-written SQL, pull-all and peers"
    )
    bench.add_argument("--no-progress", action="store_true", help="no progress bar")
    cal = sub.add_parser("calibrate", help="fit a connection's cost parameters from probes")
    cal.add_argument("connection", metavar="NAME=URL", help="the connection to measure")
    cal.add_argument(
        "--out", "-o", default="pushdown-calibration.toml", help="calibration file to update"
    )
    cal.add_argument("--max-rows", type=int, default=1_280_000, help="largest probe table (rows)")


def _bench(args: argparse.Namespace) -> int:
    from pushdown import bench

    result = bench.run(
        args.suite,
        [e.strip() for e in args.engines.split(",") if e.strip()],
        scale=args.scale,
        queries=[q.strip() for q in args.queries.split(",") if q.strip()] or None,
        repetitions=args.repetitions,
        warmup=args.warmup,
        connections=_connections(args.connection),
        baselines=not args.no_baselines,
        out=args.out,
        progress=not args.no_progress,
    )
    for engine, reason in result.skipped.items():
        print(f"skipped {engine}: {reason}", file=sys.stderr)
    for f in result.figures:
        print(f"{f['figure']} [{f['engine']}]: median {f['median']:.3g} (target {f['target']})")
    bad = [m for m in result.measurements if m.status != "ok"]
    for m in bad:
        print(f"not timed: {m.engine} {m.query} {m.variant}: {m.status}: {m.detail}")
    print(f"wrote {', '.join(result.files)}")
    return 1 if any(m.status == "wrong" for m in bad) else 0


def _calibrate(args: argparse.Namespace) -> int:
    from pushdown.bench.calibrate import calibrate, report

    ((name, url),) = _connections([args.connection]).items()
    top = max(4, args.max_rows)
    sizes = [top // 64, top // 16, top // 4, top]
    held_out = [top // 32, top // 8, top // 2]
    cal = calibrate(name, url, sizes=sizes, held_out=held_out, out=args.out)
    print(report(cal))
    print(
        f"\nwrote {args.out}: plan with pushdown.plan(..., calibration={args.out!r}) "
        f"or PUSHDOWN_CALIBRATION={args.out}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pushdown`` command."""
    parser = argparse.ArgumentParser(prog="pushdown", description="Decide where data work runs.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("schema", help="print the JSON Schema of flow files")
    for name, text in (("plan", "explain where each step runs"), ("run", "plan and run a flow")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("flow", help="a YAML or JSON flow file")
        cmd.add_argument(
            "--connection",
            "-c",
            action="append",
            default=[],
            metavar="NAME=URL",
            help="override a connection's URL",
        )
        if name == "plan":
            cmd.add_argument(
                "--sql", metavar="ENGINE", help="print only the SQL for a connection or engine"
            )
            cmd.add_argument("--verbose", "-v", action="store_true", help="add schemas")
    _bench_parsers(sub)
    args = parser.parse_args(argv)

    import pushdown

    try:
        if args.command == "bench":
            return _bench(args)
        if args.command == "calibrate":
            return _calibrate(args)
        if args.command == "schema":
            print(json.dumps(pushdown.json_schema(), indent=2))
            return 0
        flow = pushdown.load_flow(args.flow)
        plan = pushdown.plan(flow, connections=_connections(args.connection))
        if args.command == "plan":
            print(plan.sql(args.sql) if args.sql else plan.explain(verbose=args.verbose))
            return 0
        result = plan.execute()
        for name, table in result.items():
            print(f"{name}: {table.num_rows} rows, columns {', '.join(table.column_names)}")
        return 0
    except PushdownError as err:
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
