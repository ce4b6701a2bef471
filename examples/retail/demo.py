"""The main demo: plan and run the retail flow on the embedded default (DuckDB), no cloud.

    python examples/retail/demo.py            # from any folder

It generates the data into ``examples/data/`` (a DuckDB file standing in for the warehouse
and a Parquet lookup), loads ``flow.yaml``, prints the plan (engine and reason per step, the
SQL per engine), runs it, and prints the results.  The output table ``revenue_trend`` is
written back to the warehouse.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

import pushdown

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def show(console: Console, title: str, table: object, limit: int = 8) -> None:
    """Print the first rows of an Arrow table."""
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    view = Table(title=f"{title} ({table.num_rows} rows)", title_justify="left")
    for name in table.column_names:
        view.add_column(name)
    for row in table.slice(0, limit).to_pylist():
        view.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row.values()])
    console.print(view)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000, help="orders to generate")
    args = parser.parse_args(argv)
    console = Console()
    db, _ = generate(HERE.parent / "data", orders=args.orders)
    flow = pushdown.load_flow(HERE / "flow.yaml")  # its paths are relative to the file
    plan = pushdown.plan(flow)
    console.rule("[bold]Plan")
    console.print(plan.explain(), highlight=False, markup=False)
    console.rule("[bold]Run")
    result = plan.execute()
    for name in ("revenue_trend", "at_risk_customers"):
        show(console, name, result[name])
    runs = ", ".join(f"{r.dataset}@{r.engine} {r.seconds * 1000:.0f} ms" for r in result.runs)
    console.print(f"fragments: {runs}", highlight=False)
    console.print(f"wrote table revenue_trend to {db}", highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
