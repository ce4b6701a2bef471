"""Placement: which engine runs each step, and why.

The rule (cost-based placement replaces it later without changing its output shape): a step
whose inputs all live on one connection that can express it runs there; anything else runs
locally, and the reason names the engine and construct that blocked push-down.
"""

from __future__ import annotations

from dataclasses import dataclass

from pushdown.plan import nodes as n
from pushdown.plan.build import LogicalPlan
from pushdown.planner.capability import check
from pushdown.profiles import Profile

LOCAL = "local"


@dataclass(frozen=True)
class Placement:
    """Where one step runs, the reason, and its estimated cost (None until costed)."""

    engine: str
    reason: str
    cost: float | None = None


def place(logical: LogicalPlan, engines: dict[str, Profile]) -> dict[str, Placement]:
    """Place every node; ``engines`` maps connection names to their profiles."""
    result: dict[str, Placement] = {}
    for name, node in logical.nodes.items():
        result[name] = _place_one(node, result, engines)
    return result


def _place_one(
    node: n.Node, placed: dict[str, Placement], engines: dict[str, Profile]
) -> Placement:
    if isinstance(node, n.Source):
        if node.connection == LOCAL:
            return Placement(
                LOCAL,
                "local file"
                if node.path and not node.path.startswith("memory:")
                else "in-memory Arrow table",
            )
        return Placement(node.connection, f"table {node.table} lives on {node.connection}")
    if isinstance(node, n.PythonStep):
        return Placement(LOCAL, "Python steps run locally on Arrow record batches")
    homes = sorted({placed[i].engine for i in node.inputs})
    if homes == [LOCAL]:
        return Placement(LOCAL, "its inputs are local")
    if len(homes) > 1:
        return Placement(LOCAL, f"its inputs live on different engines ({', '.join(homes)})")
    home = homes[0]
    profile = engines[home]
    verdict = check(node, profile)
    if verdict.ok:
        return Placement(home, f"its inputs live on {home} ({profile.name})")
    return Placement(LOCAL, verdict.describe(f"{profile.name} ({home})"))
