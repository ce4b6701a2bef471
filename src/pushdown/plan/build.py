"""Build the logical plan: validate the flow's DAG and turn each recipe into nodes.

>>> from pushdown.recipe.flow import Flow
>>> flow = Flow()
>>> t = flow.dataset("t", path="t.parquet", columns={"x": "int"})
>>> _ = t.compute({"y": "x * 2"}, name="u")
>>> plan = build_logical_plan(flow)
>>> [n.kind for n in plan.nodes.values()], plan.nodes["u"].schema.names
(['source', 'prepare'], ['x', 'y'])
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pushdown.errors import (
    CycleError,
    DuplicateNameError,
    UnknownConnectionError,
    UnknownDatasetError,
    did_you_mean,
)
from pushdown.plan import nodes as n
from pushdown.plan.columns import check_columns
from pushdown.plan.formulas import match_name
from pushdown.plan.lower.context import Context, SchemaReader, StoredReader
from pushdown.plan.lower.distinct import lower_distinct
from pushdown.plan.lower.filter import lower_filter
from pushdown.plan.lower.group import lower_group
from pushdown.plan.lower.join import lower_join
from pushdown.plan.lower.pivot import lower_pivot
from pushdown.plan.lower.prepare import lower_prepare
from pushdown.plan.lower.python import lower_python
from pushdown.plan.lower.sort import lower_sort
from pushdown.plan.lower.source import lower_source
from pushdown.plan.lower.split import lower_split
from pushdown.plan.lower.sql import lower_sql
from pushdown.plan.lower.stack import lower_stack
from pushdown.plan.lower.top_n import lower_top_n
from pushdown.plan.lower.window import lower_window
from pushdown.recipe import spec as s
from pushdown.recipe.flow import Flow

# One lowering per recipe kind, each in the module named like the recipe's ``type``: it takes
# the shared context, the recipe and the nodes built so far, and returns the recipe's nodes (a
# split has several).
Lowering = Callable[[Context, Any, Mapping[str, n.Node]], list[n.Node]]
LOWERINGS: dict[type[s._Recipe], Lowering] = {
    s.PrepareRecipe: lower_prepare,
    s.FilterRecipe: lower_filter,
    s.JoinRecipe: lower_join,
    s.GroupRecipe: lower_group,
    s.WindowRecipe: lower_window,
    s.SortRecipe: lower_sort,
    s.TopNRecipe: lower_top_n,
    s.DistinctRecipe: lower_distinct,
    s.StackRecipe: lower_stack,
    s.PivotRecipe: lower_pivot,
    s.SplitRecipe: lower_split,
    s.PythonRecipe: lower_python,
    s.SqlRecipe: lower_sql,
}


@dataclass(frozen=True)
class LogicalPlan:
    """The flow as nodes keyed by dataset name, in dependency order."""

    nodes: dict[str, n.Node]
    consumers: dict[str, list[str]]
    outputs: list[s.OutputSpec]
    formula_dialect: str | None

    def sinks(self) -> list[str]:
        """Recipe outputs nobody reads, plus declared outputs: what a run returns."""
        names = [
            name
            for name, node in self.nodes.items()
            if not self.consumers[name] and not isinstance(node, n.Source)
        ]
        names += [o.dataset for o in self.outputs if o.dataset not in names]
        return names


def build_logical_plan(
    flow: Flow,
    *,
    read_schema: SchemaReader | None = None,
    connections: set[str] | None = None,
    read_stored: StoredReader | None = None,
) -> LogicalPlan:
    """Validate ``flow`` and build its logical plan.

    ``read_schema`` supplies the schema of a source dataset that does not declare ``columns``
    (the planner passes one that asks the dataset's connection or reads the file's footer);
    ``read_stored`` the catalog's schema of one that does, or None when the catalog cannot be
    read: its names are what the source step reads (``plan/lower/source.py``).
    """
    spec = flow.spec
    known = set(spec.connections) | (connections or set())
    producers = _producers(spec, known)
    order = _topological_order(spec, producers)
    ctx = Context(flow, read_schema, read_stored)
    nodes: dict[str, n.Node] = {}
    for item in order:
        if isinstance(item, s.DatasetSpec):
            nodes[item.name] = check_columns(lower_source(ctx, item))
        else:
            for node in LOWERINGS[type(item)](ctx, item, nodes):
                nodes[node.name] = check_columns(node)
    consumers: dict[str, list[str]] = {name: [] for name in nodes}
    for node in nodes.values():
        for inp in node.inputs:
            if node.name not in consumers[inp]:
                consumers[inp].append(node.name)
    for out in spec.outputs:
        if out.dataset not in nodes:
            raise UnknownDatasetError(
                f"output reads unknown dataset {out.dataset!r}; {did_you_mean(out.dataset, nodes)}"
            )
        if out.connection not in known:
            raise UnknownConnectionError(
                f"output {out.dataset!r} targets unknown connection {out.connection!r}; "
                f"{did_you_mean(out.connection, known)}"
            )
    return LogicalPlan(nodes, consumers, list(spec.outputs), spec.formula_dialect)


def _producers(spec: s.FlowSpec, known: set[str]) -> dict[str, s.DatasetSpec | s._Recipe]:
    producers: dict[str, s.DatasetSpec | s._Recipe] = {}
    for ds in spec.datasets:
        if ds.name in producers:
            raise DuplicateNameError(f"dataset {ds.name!r} is defined twice", recipe=ds.name)
        if ds.connection is not None and ds.connection not in known:
            raise UnknownConnectionError(
                f"dataset {ds.name!r} is on unknown connection {ds.connection!r}; "
                f"{did_you_mean(ds.connection, known)}"
            )
        producers[ds.name] = ds
    for recipe in spec.recipes:
        outs = recipe.output_names()
        if len(set(outs)) != len(outs):
            raise DuplicateNameError("the recipe names one output twice", recipe=recipe.label)
        for out in outs:
            if out in producers:
                other = producers[out]
                who = (
                    "a source dataset"
                    if isinstance(other, s.DatasetSpec)
                    else (f"recipe {other.label!r}")
                )
                raise DuplicateNameError(
                    f"output {out!r} is already produced by {who}", recipe=recipe.label
                )
            producers[out] = recipe
    for recipe in spec.recipes:
        for inp in recipe.input_names():
            if match_name(inp, producers) is None:
                raise UnknownDatasetError(
                    f"reads unknown dataset {inp!r}; {did_you_mean(inp, producers)}",
                    recipe=recipe.label,
                )
    return producers


def _topological_order(
    spec: s.FlowSpec, producers: dict[str, s.DatasetSpec | s._Recipe]
) -> list[s.DatasetSpec | s._Recipe]:
    graph: dict[int, set[int]] = {}
    items: dict[int, s.DatasetSpec | s._Recipe] = {}
    for item in [*spec.datasets, *spec.recipes]:
        items[id(item)] = item
        deps = [] if isinstance(item, s.DatasetSpec) else item.input_names()
        graph[id(item)] = {id(producers[match_name(d, producers) or d]) for d in deps}
    try:
        return [items[i] for i in graphlib.TopologicalSorter(graph).static_order()]
    except graphlib.CycleError as err:
        cycle = [items[i] for i in err.args[1]]
        names = " -> ".join(x.name if isinstance(x, s.DatasetSpec) else x.label for x in cycle)
        first = cycle[0]
        label = first.name if isinstance(first, s.DatasetSpec) else first.label
        raise CycleError(f"recipes form a cycle: {names}", recipe=label) from None
