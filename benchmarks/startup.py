"""Command-line start-up: wall time of ``pushdown --help``, ``pushdown schema`` and
``pushdown plan`` of a small flow, each as a fresh process, next to ``python -c pass`` (and the
bare import of the libraries planning needs) measured in the same run, interleaved.

    python -m benchmarks startup --runs 7      # from the repository root

Target: under 0.5 s for each command.  The ratio to ``python -c pass`` is the figure that
travels between machines; seconds depend on the machine and its load.  CPU seconds (user +
system, of the process and its children) are printed too: on a shared machine they move far
less with the load than wall seconds do.

The processes cache their bytecode (in a temporary ``PYTHONPYCACHEPREFIX``, after one untimed
round), as an installed pushdown has it: with ``PYTHONDONTWRITEBYTECODE`` set, as on the
development machines, every process would compile pushdown's hundred modules from source
(about 0.2 s of CPU more for ``plan``).  ``--no-bytecode-cache`` measures that case instead.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOW = """\
connections: {wh: 'duckdb:///:memory:'}
datasets:
  - {name: orders, connection: wh, table: orders,
     columns: {id: bigint, status: varchar, amount: double}}
recipes:
  - {type: filter, input: orders, output: paid, where: "status = 'paid'"}
  - {type: group, input: paid, output: totals, by: [status],
     aggregates: {n: 'count(*)', total: 'sum(amount)'}}
"""

FLOOR = "import pyarrow, sqlglot, sqlalchemy, pydantic, duckdb"


def commands(flow: Path) -> dict[str, list[str]]:
    """What is timed, by label."""
    py = sys.executable
    cli = [py, "-m", "pushdown.cli"]
    return {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import pyarrow, sqlglot, sqlalchemy, pydantic, duckdb'": [py, "-c", FLOOR],
        "pushdown --help": [*cli, "--help"],
        "pushdown schema": [*cli, "schema"],
        "pushdown plan small.yaml --offline": [*cli, "plan", str(flow), "--offline"],
        "pushdown plan small.yaml": [*cli, "plan", str(flow)],
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(runs: int, *, bytecode_cache: bool = True) -> dict[str, tuple[float, float]]:
    """Median wall seconds and median CPU seconds per command over ``runs`` interleaved
    rounds (after an untimed one)."""
    with tempfile.TemporaryDirectory() as tmp:
        flow = Path(tmp) / "small.yaml"
        flow.write_text(FLOW)
        env = dict(os.environ)
        if bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        todo = commands(flow)
        times: dict[str, list[float]] = {label: [] for label in todo}
        cpu: dict[str, list[float]] = {label: [] for label in todo}
        for round_ in range(runs + 1):
            for label, argv in todo.items():
                start, cpu_start = time.perf_counter(), _cpu()
                subprocess.run(argv, check=True, capture_output=True, env=env)
                if round_:  # the first round fills the bytecode cache
                    times[label].append(time.perf_counter() - start)
                    cpu[label].append(_cpu() - cpu_start)
    return {
        label: (statistics.median(times[label]), statistics.median(cpu[label])) for label in todo
    }


def main(argv: list[str] | None = None) -> None:
    """Print the table: median seconds and the ratio to ``python -c pass``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep the environment's PYTHONDONTWRITEBYTECODE (compile from source each time)",
    )
    args = parser.parse_args(argv)
    medians = measure(args.runs, bytecode_cache=not args.no_bytecode_cache)
    base, base_cpu = medians["python -c pass"]
    print(
        f"| command (median of {args.runs}) | wall s | / python -c pass | CPU s "
        "| / python -c pass | under 0.5 s |"
    )
    print("|---|---|---|---|---|---|")
    for label, (seconds, cpu) in medians.items():
        mark = "" if not label.startswith("pushdown") else ("met" if seconds < 0.5 else "missed")
        print(
            f"| `{label}` | {seconds:.3f} | {seconds / base:.1f} | {cpu:.3f} "
            f"| {cpu / base_cpu:.1f} | {mark} |"
        )
