"""A source dataset: its schema declared, taken from an in-memory table, or read from its
connection or file; and, for a table, the names its engine stores (docs/semantics.md, "Names
on the engines")."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from pushdown.errors import DuplicateNameError, FlowError, UnknownColumnError, did_you_mean
from pushdown.plan import nodes as n
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s
from pushdown.types import parse_type


def lower_source(ctx: Context, ds: s.DatasetSpec) -> n.Source:
    """A source dataset as one :class:`~pushdown.plan.nodes.Source`.

    Its schema carries the flow's names.  Read from the catalog, they are the stored names as
    the engine reports them (a Snowflake table created unquoted gives ``ID``, ``AMOUNT``;
    formulas find them ignoring case).  Declared, they are as declared, and the stored name
    of each is the catalog's match when the catalog can be read (``ctx.read_stored``), else
    each engine's spelling of it at compile time."""
    stored: tuple[str, ...] = ()
    if ds.columns is not None:
        schema = pa.schema(
            [
                (name, parse_type(t, dialect=ctx.dialect, recipe=ds.name))
                for name, t in ds.columns.items()
            ]
        )
        if ds.table is not None and ctx.read_stored is not None:
            catalog = ctx.read_stored(ds)
            if catalog is not None:
                stored = match_stored(schema.names, catalog.names, ds)
    elif ds.path is not None and ds.path.startswith("memory:") and ds.name in ctx.flow.tables:
        schema = ctx.flow.tables[ds.name].schema
    elif ctx.read_schema is not None:
        schema = ctx.read_schema(ds)
        if ds.table is not None:
            stored = tuple(schema.names)
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
        stored=stored,
    )


def match_stored(
    declared: Sequence[str], catalog: Sequence[str], ds: s.DatasetSpec
) -> tuple[str, ...]:
    """Per declared column, the catalog's column it names: the one spelt exactly so, else the
    one equal to it ignoring case.  A declared column the table lacks, or that matches two
    stored columns only differing in case, is refused, naming them."""
    where = f"table {ds.table!r} on connection {ds.connection!r}"
    matched: dict[str, str] = {}  # stored name -> the declared column reading it
    result = []
    for name in declared:
        if name in catalog:
            found = name
        else:
            folded = [c for c in catalog if c.casefold() == name.casefold()]
            if not folded:
                raise UnknownColumnError(
                    f"declared column {name!r} is not in {where}; {did_you_mean(name, catalog)}",
                    recipe=ds.name,
                    column=name,
                )
            if len(folded) > 1:
                raise DuplicateNameError(
                    f"declared column {name!r} matches columns {folded[0]!r} and {folded[1]!r} "
                    f"of {where}, which differ only in case: declare the one to read exactly",
                    recipe=ds.name,
                    column=name,
                )
            found = folded[0]
        if found in matched:
            raise DuplicateNameError(
                f"declared columns {matched[found]!r} and {name!r} both read column {found!r} "
                f"of {where}: the engine folds them together; declare it once",
                recipe=ds.name,
                column=name,
            )
        matched[found] = name
        result.append(found)
    return tuple(result)
