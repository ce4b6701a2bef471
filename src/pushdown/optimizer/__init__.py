"""Dialect-agnostic rewrites of the logical plan that keep results identical.

Each rule is a function ``(nodes, context) -> nodes`` in its own module; :data:`RULES` runs
them in order.  Rules never change what a result dataset (a sink) returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pushdown.optimizer.prune_columns import prune_columns
from pushdown.plan.nodes import Node

Rule = Callable[[Mapping[str, Node], Mapping[str, set[str]]], dict[str, Node]]

RULES: tuple[tuple[str, Rule], ...] = (("prune_columns", prune_columns),)


def optimize(nodes: Mapping[str, Node], needed: Mapping[str, set[str]]) -> dict[str, Node]:
    """Apply every rule in order."""
    result = dict(nodes)
    for _, rule in RULES:
        result = rule(result, needed)
    return result
