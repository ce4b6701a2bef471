"""``python -m benchmarks planning``: run a benchmark by name."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Dispatch to a benchmark module's ``main``."""
    names = {
        "end_to_end": "benchmarks.end_to_end",
        "planning": "benchmarks.planning",
        "placement": "benchmarks.placement",
        "statistics": "benchmarks.statistics",
        "transfer": "benchmarks.transfer",
        "startup": "benchmarks.startup",
        "sql_recipe": "benchmarks.sql_recipe",
        "memory": "benchmarks.memory",
        "local_engine": "benchmarks.local_engine",
        "link": "benchmarks.link",
    }
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__ + f"\n\nbenchmarks: {', '.join(names)}; add --help after one to describe it")
        return 0
    if not argv or argv[0] not in names:
        print(f"usage: python -m benchmarks {{{','.join(names)}}}", file=sys.stderr)
        return 2
    import importlib

    module = importlib.import_module(names[argv[0]])
    if {"-h", "--help"} & set(argv[1:]):  # describe the benchmark; do not run it
        print(module.__doc__ or f"python -m benchmarks {argv[0]}")
        return 0
    module.main(argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
