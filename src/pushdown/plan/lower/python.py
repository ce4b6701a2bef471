"""The Python recipe: a user function over Arrow batches, with its declared output schema."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from pushdown.errors import FlowError
from pushdown.plan import nodes as n
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s
from pushdown.types import parse_type


def lower_python(ctx: Context, r: s.PythonRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A Python recipe as one :class:`~pushdown.plan.nodes.PythonStep`."""
    label = r.label
    if not r.schema_:
        raise FlowError("a python recipe declares at least one output column", recipe=label)
    schema = pa.schema(
        [(c, parse_type(t, dialect=ctx.dialect, recipe=label)) for c, t in r.schema_.items()]
    )
    fn = ctx.flow.resolve_function(r.function, label)
    return [
        n.PythonStep(
            name=r.output,
            recipe=label,
            inputs=(r.input,),
            schema=schema,
            function=r.function,
            callable=fn,
        )
    ]
