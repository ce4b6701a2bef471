"""The window recipe: window functions over a partition and an order, with optional row frames."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import DuplicateNameError, FlowError, FormulaTypeError
from pushdown.plan import nodes as n
from pushdown.plan.formulas import (
    column,
    inner_call,
    literal,
    nested_aggregate,
    resolve_name,
    wrapper_misuse,
)
from pushdown.plan.lower.context import Context
from pushdown.recipe import spec as s

_RANKING = (
    exp.RowNumber,
    exp.Rank,
    exp.DenseRank,
    exp.Ntile,
    exp.Lag,
    exp.Lead,
    exp.PercentRank,
    exp.CumeDist,
    exp.FirstValue,
    exp.LastValue,
    exp.NthValue,
)


def lower_window(ctx: Context, r: s.WindowRecipe, nodes: Mapping[str, n.Node]) -> list[n.Node]:
    """A window recipe as one :class:`~pushdown.plan.nodes.Window`."""
    src = nodes[r.input]
    label = r.label
    partition: list[exp.Expr] = [
        column(resolve_name(p, src.columns, recipe=label, what="partition column"))
        for p in r.partition_by
    ]
    order = [ctx.ordered(o, src.schema, label) for o in r.order_by]
    items: list[tuple[str, exp.Expr]] = [(c, column(c)) for c in src.columns]
    fields = list(zip(src.schema.names, src.schema.types, strict=True))
    for out, spec in r.columns.items():
        if out in src.columns:
            raise DuplicateNameError(
                f"window column {out!r} already exists in the input", recipe=label, column=out
            )
        text = spec if isinstance(spec, str) else spec.formula
        frame = None if isinstance(spec, str) else spec.frame
        tree = ctx.formula(
            text, src.schema, label, f"window formula {out!r}", open_root=True, column=out
        )
        win = _window_expr(tree, partition, order, frame, label, out, text)
        misuse = wrapper_misuse(win)
        if misuse is not None:
            raise FormulaTypeError(f"window column {out!r}: {misuse}", recipe=label, column=out)
        fields.append((out, ctx.typed(win, src.schema, label, out, text)))
        items.append((out, win))
    return [
        n.Window(
            name=r.output,
            recipe=label,
            inputs=(r.input,),
            schema=pa.schema(fields),
            items=tuple(items),
        )
    ]


def _window_expr(
    tree: exp.Expr,
    partition: list[exp.Expr],
    order: list[exp.Ordered],
    frame: tuple[int | None, int | None] | None,
    label: str,
    out: str,
    text: str,
) -> exp.Expr:
    if isinstance(tree, exp.Window):
        return tree
    call = inner_call(tree)  # the function inside FILTER / IGNORE NULLS / RESPECT NULLS
    if not isinstance(call, (exp.AggFunc, *_RANKING)):
        raise FormulaTypeError(
            f"window column {out!r}: {text!r} is not a window function; use row_number(), "
            "rank(), dense_rank(), lag(x), lead(x) or an aggregate such as sum(x)",
            recipe=label,
            column=out,
        )
    inner = nested_aggregate(tree)
    if inner is not None:
        raise FormulaTypeError(
            f"window column {out!r}: {text!r} nests an aggregate, {inner.sql()!r}, inside "
            "another or its FILTER (WHERE ...), which no engine accepts; aggregate in a group "
            "recipe first, then use a window on its output",
            recipe=label,
            column=out,
        )
    ranking = isinstance(call, _RANKING)
    if ranking and not order:
        raise FlowError(
            f"window column {out!r}: {text!r} needs 'order_by'", recipe=label, column=out
        )
    if (
        ranking
        and frame is not None
        and not isinstance(call, exp.FirstValue | exp.LastValue | exp.NthValue)
    ):
        raise FlowError(f"window column {out!r}: {text!r} takes no frame", recipe=label, column=out)
    spec = None
    if frame is not None:
        spec = _frame(frame)
    elif not ranking and order:
        spec = _frame((None, 0))
    win = exp.Window(
        this=tree,
        partition_by=[p.copy() for p in partition] or None,
        order=exp.Order(expressions=[o.copy() for o in order]) if order else None,
        spec=spec,
    )
    return win


def _frame(frame: tuple[int | None, int | None]) -> exp.WindowSpec:
    start, end = frame
    if start is not None and end is not None and start > end:
        raise FlowError(f"window frame {list(frame)} starts after it ends")

    def bound(offset: int | None, unbounded_side: str) -> tuple[object, str | None]:
        if offset is None:
            return "UNBOUNDED", unbounded_side
        if offset == 0:
            return "CURRENT ROW", None
        return literal(abs(offset)), ("PRECEDING" if offset < 0 else "FOLLOWING")

    s_val, s_side = bound(start, "PRECEDING")
    e_val, e_side = bound(end, "FOLLOWING")
    return exp.WindowSpec(kind="ROWS", start=s_val, start_side=s_side, end=e_val, end_side=e_side)
