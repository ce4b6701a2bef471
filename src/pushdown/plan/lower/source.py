"""A source dataset: its schema declared, taken from an in-memory table, or read from its
connection or file."""

from __future__ import annotations

import pyarrow as pa

from pushdown.errors import FlowError
from pushdown.plan import nodes as n
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s
from pushdown.types import parse_type


def lower_source(ctx: Context, ds: s.DatasetSpec) -> n.Source:
    """A source dataset as one :class:`~pushdown.plan.nodes.Source`."""
    if ds.columns is not None:
        schema = pa.schema(
            [
                (name, parse_type(t, dialect=ctx.dialect, recipe=ds.name))
                for name, t in ds.columns.items()
            ]
        )
    elif ds.path is not None and ds.path.startswith("memory:") and ds.name in ctx.flow.tables:
        schema = ctx.flow.tables[ds.name].schema
    elif ctx.read_schema is not None:
        schema = ctx.read_schema(ds)
    else:
        raise FlowError(
            "declare 'columns' or plan with connections to read the schema", recipe=ds.name
        )
    return n.Source(
        name=ds.name,
        recipe=ds.name,
        inputs=(),
        schema=schema,
        connection=ds.connection or "local",
        table=ds.table,
        path=ds.path,
    )
