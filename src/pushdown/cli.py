"""Command line: ``pushdown schema``, ``pushdown plan FLOW``, ``pushdown run FLOW``."""

from __future__ import annotations

import argparse
import json
import sys

from pushdown.errors import PushdownError


def _connections(pairs: list[str]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep:
            raise SystemExit(f"--connection takes NAME=URL, got {pair!r}")
        result[name] = url
    return result


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
    args = parser.parse_args(argv)

    import pushdown

    try:
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


if __name__ == "__main__":
    raise SystemExit(main())
