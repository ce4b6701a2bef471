"""Column pruning: a step computes only the columns its consumers read.

``needed`` (from :func:`pushdown.planner.stats.required_columns`) gives, per dataset, the
columns read downstream; results keep every column.  Steps whose column list is part of their
meaning (DISTINCT, UNION DISTINCT, group keys) keep it.  Fewer columns means less scanned in
place and less moved between engines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pyarrow as pa

from pushdown.plan import nodes as n


def _keep(items: n.Named, needed: set[str]) -> n.Named:
    kept = tuple((name, e) for name, e in items if name in needed)
    return kept or items[:1]  # a SELECT needs one column even when only rows are counted


def _schema(schema: pa.Schema, names: list[str]) -> pa.Schema:
    return pa.schema([schema.field(name) for name in names])


def prune_columns(nodes: Mapping[str, n.Node], needed: Mapping[str, set[str]]) -> dict[str, n.Node]:
    """Drop the columns nobody reads from projections, joins, windows, aggregates, unions.

    >>> import pyarrow as pa
    >>> from pushdown.plan.formulas import column
    >>> p = n.Project(name="p", recipe="p", inputs=("t",),
    ...               schema=pa.schema([("a", pa.int64()), ("b", pa.int64())]),
    ...               items=(("a", column("a")), ("b", column("b"))))
    >>> prune_columns({"p": p}, {"p": {"b"}})["p"].columns
    ['b']
    """
    result: dict[str, n.Node] = {}
    for name, node in nodes.items():
        want = needed.get(name, set(node.columns))
        if want >= set(node.columns):
            result[name] = node
            continue
        if isinstance(node, n.Project | n.Window | n.Join):
            items = _keep(node.items, want)
            result[name] = dataclasses.replace(
                node, items=items, schema=_schema(node.schema, [k for k, _ in items])
            )
        elif isinstance(node, n.Aggregate):
            aggs = tuple((k, e) for k, e in node.aggregates if k in want)
            if not aggs and not node.keys:
                aggs = node.aggregates[:1]
            cols = [*node.keys, *(k for k, _ in aggs)]
            result[name] = dataclasses.replace(
                node, aggregates=aggs, schema=_schema(node.schema, cols)
            )
        elif isinstance(node, n.Union) and not node.distinct:
            branches = tuple(_keep(b, want) for b in node.branches)
            result[name] = dataclasses.replace(
                node, branches=branches, schema=_schema(node.schema, [k for k, _ in branches[0]])
            )
        elif isinstance(node, n.TopN) and node.partition:
            cols = [c for c in node.columns if c in want] or node.columns[:1]
            result[name] = dataclasses.replace(node, schema=_schema(node.schema, cols))
        else:
            result[name] = node
    return result
