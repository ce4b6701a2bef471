"""Command line: ``pushdown schema``, ``pushdown plan FLOW``, ``pushdown run FLOW``,
``pushdown bench SUITE``, ``pushdown calibrate NAME=URL``.

Only the standard library is imported at start-up; each command imports what it needs (the
planner, Arrow, the engines) when it runs, so ``--help`` answers at once.

Exit codes: 0 success; 1 a benchmark found a wrong answer; 2 the flow, a connection or an
argument is invalid (a typed :class:`pushdown.PushdownError`, or a usage error from argparse);
3 an engine failed while planning or running (:class:`pushdown.EngineError`); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pushdown.api import Plan
    from pushdown.run import RunResult

EXIT_OK, EXIT_WRONG, EXIT_USAGE, EXIT_ENGINE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Help(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks and appends each option's default (when it has one)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" not in text
            and action.option_strings
            and default not in (None, False, [], "", argparse.SUPPRESS)
        ):
            text += " (default: %(default)s)"
        return text


def _parser(sub: Any, name: str, text: str, examples: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=text,
        description=text[0].upper() + text[1:] + ".",
        epilog="examples:\n" + examples,
        formatter_class=_Help,
    )
    return parser


def _connections(pairs: list[str]) -> dict[str, str]:
    from pushdown.errors import ConnectionConfigError

    result = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not name:
            raise ConnectionConfigError(f"--connection takes NAME=URL, got {pair!r}")
        result[name] = url
    return result


def _flow_parsers(sub: Any) -> None:
    sub.add_parser(
        "schema",
        help="print the JSON Schema of flow files",
        description="Print the JSON Schema of flow files (point a YAML language server at it).",
        epilog="examples:\n  pushdown schema > flow.schema.json",
        formatter_class=_Help,
    )
    plan = _parser(
        sub,
        "plan",
        "explain where each step runs",
        "  pushdown plan examples/retail/flow.yaml\n"
        "  pushdown plan flow.yaml --format html > plan.html    # the plan as a graph\n"
        "  pushdown plan flow.yaml --sql snowflake              # the SQL one engine runs\n"
        "  pushdown plan flow.yaml -c warehouse=duckdb:///test.db --offline",
    )
    run = _parser(
        sub,
        "run",
        "plan and run a flow, then write its outputs",
        "  pushdown run examples/retail/flow.yaml\n"
        "  pushdown run flow.yaml -c warehouse=duckdb:///test.db --json",
    )
    for cmd in (plan, run):
        cmd.add_argument("flow", help="a YAML or JSON flow file (paths in it are relative to it)")
        cmd.add_argument(
            "--connection",
            "-c",
            action="append",
            default=[],
            metavar="NAME=URL",
            help="override a connection's URL (repeatable)",
        )
        cmd.add_argument(
            "--memory-budget",
            metavar="SIZE",
            help="what the local engine may hold (2GiB, 512MiB, bytes): a local step estimated "
            "over it goes to a Spark/Databricks connection of the flow, or the plan says why not",
        )
    plan.add_argument(
        "--format",
        "-f",
        choices=["text", "json", "html", "svg", "dot"],
        default="text",
        help="text (the explanation), json (for machines), html (a self-contained page with "
        "the plan drawn as a graph), svg (the drawing alone) or dot (Graphviz)",
    )
    plan.add_argument(
        "--sql",
        metavar="ENGINE",
        help="print only the SQL for a connection name or an engine (snowflake, bigquery, ...)",
    )
    plan.add_argument(
        "--verbose", "-v", action="store_true", help="add alternatives and schemas (text)"
    )
    plan.add_argument(
        "--offline",
        action="store_true",
        help="do not ask the engines for statistics (schemas are still read)",
    )
    run.add_argument("--json", action="store_true", help="print a JSON summary for machines")
    run.add_argument(
        "--quiet", "-q", action="store_true", help="no progress lines (on stderr) per statement"
    )
    run.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="memory budget of the run (e.g. 2GiB; default: $PUSHDOWN_MEMORY_BUDGET, else none): "
        "moved data beyond it is spilled to disk",
    )


def _bench_parsers(sub: Any) -> None:
    bench = _parser(
        sub,
        "bench",
        "benchmark a suite of flows on several engines",
        "  pushdown bench tpch --engines duckdb,local --scale 0.01\n"
        "  pushdown bench tpch -e snowflake -c snowflake='snowflake://...' -q q1,q6\n"
        "  pushdown bench tpch-multi --scale 1",
    )
    bench.add_argument("suite", choices=["tpch", "tpch-multi"], help="the suite to run")
    bench.add_argument(
        "--engines",
        "-e",
        default="duckdb,local",
        help="comma-separated: duckdb, local, spark, or connection names",
    )
    bench.add_argument("--scale", "-s", type=float, default=0.01, help="TPC-H scale factor")
    bench.add_argument(
        "--queries", "-q", default="", help="comma-separated, e.g. q1,q6 (default: all)"
    )
    bench.add_argument("--repetitions", "-r", type=int, default=3, help="timed runs per query")
    bench.add_argument("--warmup", "-w", type=int, default=1, help="untimed runs first")
    bench.add_argument("--out", "-o", default="bench-results", help="results folder (git-ignored)")
    bench.add_argument(
        "--connection",
        "-c",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="the URL of an engine named in --engines (repeatable)",
    )
    bench.add_argument(
        "--no-baselines", action="store_true", help="skip hand-written SQL, pull-all and peers"
    )
    bench.add_argument("--no-progress", action="store_true", help="no progress bar")
    bench.add_argument(
        "--link",
        metavar="RTT,BANDWIDTH",
        help="reach the networked engines (and the stand-ins of $PUSHDOWN_STANDIN_<NAME>) "
        "through a shaped link, e.g. 20ms,100mbit",
    )
    cal = _parser(
        sub,
        "calibrate",
        "fit a connection's cost parameters from probes",
        "  pushdown calibrate wh=duckdb:///warehouse.db -o calibration.toml\n"
        "  pushdown plan flow.yaml   # with PUSHDOWN_CALIBRATION=calibration.toml",
    )
    cal.add_argument("connection", metavar="NAME=URL", help="the connection to measure")
    cal.add_argument(
        "--out", "-o", default="pushdown-calibration.toml", help="calibration file to update"
    )
    cal.add_argument("--max-rows", type=int, default=1_280_000, help="largest probe table (rows)")
    cal.add_argument(
        "--repeat",
        "-r",
        type=int,
        default=3,
        help="timed runs per probe (the statement latency: 7 statements per run)",
    )
    cal.add_argument(
        "--link",
        metavar="RTT,BANDWIDTH",
        help="measure through a shaped link, e.g. 20ms,100mbit; NAME=standin is the stand-in "
        "of $PUSHDOWN_STANDIN_<NAME>",
    )


def target_verdict(value: float, target: str) -> str:
    """``"met"`` or ``"missed"`` for a headline figure against a target such as ``<= 1.10``
    (see :func:`pushdown.bench.figures.target_verdict`); ``""`` when there is none."""
    from pushdown.bench.figures import target_verdict as verdict

    return verdict(value, target)


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
        link=args.link,
    )
    for engine, reason in result.skipped.items():
        print(f"skipped {engine}: {reason}", file=sys.stderr)
    for f in result.figures:
        verdict = f.get("verdict") or target_verdict(f["median"], f["target"])
        target = f" (target {f['target']}: {verdict})" if verdict else ""
        print(f"{f['figure']} [{f['engine']}]: median {f['median']:.3g}{target}")
    bad = [m for m in result.measurements if m.status != "ok"]
    for m in bad:
        print(f"not timed: {m.engine} {m.query} {m.variant}: {m.status}: {m.detail}")
    print(f"wrote {', '.join(result.files)}")
    return EXIT_WRONG if any(m.status == "wrong" for m in bad) else EXIT_OK


def _calibrate(args: argparse.Namespace) -> int:
    from pushdown.bench.calibrate import calibrate, report
    from pushdown.engines.urls import require_database_file

    ((name, url),) = _connections([args.connection]).items()
    require_database_file(name, url, reading="calibrate measures an existing database")
    top = max(4, args.max_rows)
    sizes = [top // 64, top // 16, top // 4, top]
    held_out = [top // 32, top // 8, top // 2]
    link, connect_args = None, None
    if args.link:
        from pushdown.bench.link import parse_link
        from pushdown.bench.linked import through_link

        given = {} if url == "standin" else {name: url}
        link, urls, linked_args = through_link(parse_link(args.link), [name], given, {})
        url, connect_args = urls.get(name, url), linked_args.get(name)
    try:
        cal = calibrate(
            name,
            url,
            sizes=sizes,
            held_out=held_out,
            repeat=args.repeat,
            out=args.out,
            connect_args=connect_args,
        )
    finally:
        if link is not None:
            link.close()
    print(report(cal))
    print(
        f"\nwrote {args.out}: plan with pushdown.plan(..., calibration={args.out!r}) "
        f"or PUSHDOWN_CALIBRATION={args.out}"
    )
    return EXIT_OK


def _print_plan(plan: Plan, args: argparse.Namespace) -> None:
    if args.sql:
        from pushdown.explain import sql_for

        print(sql_for(plan, args.sql))
    elif args.format == "json":
        import json

        from pushdown.explain import plan_data

        print(json.dumps(plan_data(plan), indent=2))
    elif args.format == "html":
        print(plan.to_html(), end="")
    elif args.format == "svg":
        print(plan.to_svg(), end="")
    elif args.format == "dot":
        print(plan.to_dot())
    else:
        print(plan.explain(verbose=args.verbose))


def _print_run(plan: Plan, result: RunResult, *, as_json: bool) -> None:
    from pushdown.explain import run_data, run_text

    if as_json:
        import json

        print(json.dumps(run_data(plan, result), indent=2))
    else:
        print(run_text(plan, result))


def _progress(plan: Plan) -> Any:
    """A callback printing each fragment as it starts (to stderr: stdout stays the summary)."""
    total = len(plan.fragments)
    started = [0]

    def show(fragment: Any) -> None:
        started[0] += 1
        what = "python" if fragment.python else plan.dialect_of(fragment.engine)
        reads = f" <- {', '.join(fragment.inputs)}" if fragment.inputs else ""
        print(
            f"[{started[0]}/{total}] {fragment.label} [{what}]: "
            f"{', '.join(fragment.outputs)}{reads}",
            file=sys.stderr,
            flush=True,
        )

    return show


def _moving(every: float = 2.0) -> Any:
    """A callback printing, at most every ``every`` seconds per dataset, the rows and bytes
    of a long transfer moved so far, and its total when it took that long (to stderr)."""
    started: dict[tuple[str, str], float] = {}
    shown: dict[tuple[str, str], float] = {}

    def show(m: Any) -> None:
        key = (m.dataset, m.stage)
        now = time.monotonic()
        first = started.setdefault(key, now)
        if now - shown.get(key, first) < every and not (m.done and now - first >= every):
            return
        shown[key] = now
        verb = "fetched from" if m.stage == "fetch" else "uploaded to"
        state = "done" if m.done else "so far"
        print(
            f"    {m.dataset}: {m.rows:,} rows, {m.bytes / 2**20:,.1f} MiB {verb} {m.engine} "
            f"({state}, {now - first:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        if m.done:
            started.pop(key, None)
            shown.pop(key, None)

    return show


def _header_comment(path: str) -> str:
    """The comment lines a flow file starts with (how to make its data, usually)."""
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    head = []
    for line in lines:
        if not line.startswith("#"):
            break
        head.append("  " + line)
    return "\n".join(head)


def _flow_command(args: argparse.Namespace) -> int:
    import pushdown
    from pushdown.errors import ConnectionConfigError, FlowError

    flow = pushdown.load_flow(args.flow)
    try:
        plan = pushdown.plan(
            flow,
            connections=_connections(args.connection),
            engine_statistics=not getattr(args, "offline", False),
            memory_budget=args.memory_budget,
        )
    except (ConnectionConfigError, FlowError) as err:
        header = _header_comment(args.flow) if "does not exist" in str(err) else ""
        if header:
            err.add_note(f"{Path(args.flow).name} starts with:\n{header}")
        raise
    if args.command == "plan":
        _print_plan(plan, args)
        return EXIT_OK
    result = plan.execute(
        before_fragment=None if args.quiet else _progress(plan),
        progress=None if args.quiet else _moving(),
        memory_limit=args.memory_limit,
    )
    _print_run(plan, result, as_json=args.json)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pushdown`` command; returns the exit code (see the module doc)."""
    parser = argparse.ArgumentParser(
        prog="pushdown",
        description="Decide where data work runs: plan a flow over several engines, run it, "
        "benchmark engines.",
        epilog="examples:\n"
        "  pushdown plan examples/retail/flow.yaml\n"
        "  pushdown run examples/retail/flow.yaml\n"
        "  pushdown COMMAND --help\n\n"
        "exit codes: 0 ok, 1 a benchmark answer was wrong, 2 invalid flow, connection or "
        "arguments,\n  3 an engine failed, 130 interrupted",
        formatter_class=_Help,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _flow_parsers(sub)
    _bench_parsers(sub)
    args = parser.parse_args(argv)

    from pushdown.errors import EngineError, PushdownError

    try:
        if args.command == "bench":
            return _bench(args)
        if args.command == "calibrate":
            return _calibrate(args)
        if args.command == "schema":
            from pushdown.recipe.schema import schema_text

            sys.stdout.write(schema_text())
            return EXIT_OK
        return _flow_command(args)
    except PushdownError as err:
        print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
        for note in getattr(err, "__notes__", []):
            print(note, file=sys.stderr)
        return EXIT_ENGINE if isinstance(err, EngineError) else EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (``pushdown plan ... | head``)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
