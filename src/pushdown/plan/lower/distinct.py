"""The distinct recipe: the distinct rows of some (or all) columns."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from pushdown.plan import nodes as n
from pushdown.plan.formulas import resolve_name
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s


def lower_distinct(ctx: Context, r: s.DistinctRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A distinct recipe as one :class:`~pushdown.plan.nodes.Distinct`."""
    src = nodes[r.input]
    cols = [resolve_name(c, src.columns, recipe=r.label) for c in (r.columns or src.columns)]
    schema = pa.schema([src.schema.field(c) for c in cols])
    return [n.Distinct(name=r.output, recipe=r.label, inputs=(r.input,), schema=schema)]
