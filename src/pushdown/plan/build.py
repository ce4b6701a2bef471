"""Build the logical plan: validate the flow's DAG and turn each recipe into nodes.

>>> from pushdown.recipe.flow import Flow
>>> flow = Flow()
>>> t = flow.dataset("t", path="t.parquet", columns={"x": "int"})
>>> _ = t.compute(y="x * 2", name="u")
>>> plan = build_logical_plan(flow)
>>> [n.kind for n in plan.nodes.values()], plan.nodes["u"].schema.names
(['source', 'prepare'], ['x', 'y'])
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
from sqlglot import exp

from pushdown.errors import (
    CycleError,
    DuplicateNameError,
    FlowError,
    FormulaTypeError,
    UnknownConnectionError,
    UnknownDatasetError,
    did_you_mean,
)
from pushdown.plan import nodes as n
from pushdown.plan.columns import check_columns
from pushdown.plan.formulas import (
    column,
    contains_aggregate,
    contains_window,
    literal,
    parse_order_term,
    parse_sql,
    resolve_columns,
    resolve_name,
    substitute,
)
from pushdown.plan.typing import harmonize, infer_type
from pushdown.recipe import spec as s
from pushdown.recipe.flow import Flow
from pushdown.types import arrow_to_sql, common_type, parse_type

SchemaReader = Callable[[s.DatasetSpec], pa.Schema]

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
) -> LogicalPlan:
    """Validate ``flow`` and build its logical plan.

    ``read_schema`` supplies the schema of a source dataset that does not declare ``columns``
    (the planner passes one that asks the dataset's connection or reads the file's footer).
    """
    spec = flow.spec
    known = set(spec.connections) | (connections or set())
    producers = _producers(spec, known)
    order = _topological_order(spec, producers)
    builder = _Builder(flow, read_schema)
    nodes: dict[str, n.Node] = {}
    for item in order:
        if isinstance(item, s.DatasetSpec):
            nodes[item.name] = check_columns(builder.source(item))
        else:
            for node in builder.recipe(item, nodes):
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
            if inp not in producers:
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
        graph[id(item)] = {id(producers[d]) for d in deps}
    try:
        return [items[i] for i in graphlib.TopologicalSorter(graph).static_order()]
    except graphlib.CycleError as err:
        cycle = [items[i] for i in err.args[1]]
        names = " -> ".join(x.name if isinstance(x, s.DatasetSpec) else x.label for x in cycle)
        first = cycle[0]
        label = first.name if isinstance(first, s.DatasetSpec) else first.label
        raise CycleError(f"recipes form a cycle: {names}", recipe=label) from None


class _Builder:
    """Turns one recipe at a time into nodes, checking columns and types."""

    def __init__(self, flow: Flow, read_schema: SchemaReader | None):
        self.flow = flow
        self.dialect = flow.spec.formula_dialect
        self.read_schema = read_schema

    # -- helpers --------------------------------------------------------------------------
    def formula(self, text: str, schema: pa.Schema, recipe: str, what: str) -> exp.Expr:
        tree = parse_sql(text, dialect=self.dialect, recipe=recipe, what=what)
        resolve_columns(tree, schema.names, recipe=recipe)
        return harmonize(tree, schema, dialect=self.dialect)

    def typed(
        self, tree: exp.Expr, schema: pa.Schema, recipe: str, col: str | None, text: str
    ) -> pa.DataType:
        return infer_type(
            tree.copy(), schema, dialect=self.dialect, recipe=recipe, column=col, text=text
        )

    def ordered(self, text: str, schema: pa.Schema, recipe: str) -> exp.Ordered:
        term = parse_order_term(text, dialect=self.dialect, recipe=recipe)
        resolve_columns(term, schema.names, recipe=recipe)
        if contains_aggregate(term) or contains_window(term):
            raise FormulaTypeError(f"order term {text!r} aggregates rows", recipe=recipe)
        return term

    @staticmethod
    def no_aggregates(tree: exp.Expr, recipe: str, col: str | None, text: str) -> None:
        if contains_aggregate(tree) or contains_window(tree):
            where = f"column {col!r}: " if col else ""
            raise FormulaTypeError(
                f"{where}{text!r} aggregates rows; use a group or window recipe for that",
                recipe=recipe,
                column=col,
            )

    # -- sources --------------------------------------------------------------------------
    def source(self, ds: s.DatasetSpec) -> n.Source:
        if ds.columns is not None:
            schema = pa.schema(
                [
                    (name, parse_type(t, dialect=self.dialect, recipe=ds.name))
                    for name, t in ds.columns.items()
                ]
            )
        elif ds.path is not None and ds.path.startswith("memory:") and ds.name in self.flow.tables:
            schema = self.flow.tables[ds.name].schema
        elif self.read_schema is not None:
            schema = self.read_schema(ds)
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

    # -- recipes --------------------------------------------------------------------------
    def recipe(self, r: s._Recipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        method = getattr(self, f"_{r.type}")  # type: ignore[attr-defined]
        result: list[n.Node] = method(r, nodes)
        return result

    def _prepare(self, r: s.PrepareRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        label = r.label
        state: dict[str, exp.Expr] = {c: column(c) for c in src.columns}
        types: dict[str, pa.DataType] = {f.name: f.type for f in src.schema}

        def current_schema() -> pa.Schema:
            return pa.schema([(c, types[c]) for c in state])

        def require(col: str) -> str:
            return resolve_name(col, state, recipe=label)

        for step in r.steps:
            if isinstance(step, s.ComputeStep):
                for out, text in step.compute.items():
                    tree = self.formula(text, current_schema(), label, f"formula for {out!r}")
                    self.no_aggregates(tree, label, out, text)
                    types[out] = self.typed(tree, current_schema(), label, out, text)
                    state[out] = substitute(tree, state)
            elif isinstance(step, s.IfStep):
                cond = self.formula(step.if_, current_schema(), label, "if condition")
                then = self.formula(step.then, current_schema(), label, "then formula")
                other = (
                    self.formula(step.else_, current_schema(), label, "else formula")
                    if step.else_ is not None
                    else exp.null()
                )
                case = exp.Case(ifs=[exp.If(this=cond, true=then)], default=other)
                self.no_aggregates(case, label, step.as_, step.if_)
                types[step.as_] = self.typed(case, current_schema(), label, step.as_, step.then)
                state[step.as_] = substitute(case, state)
            elif isinstance(step, s.RenameStep):
                renamed: dict[str, exp.Expr] = {}
                new_names = {require(old): new for old, new in step.rename.items()}
                for col, expr in state.items():
                    target = new_names.get(col, col)
                    if target in renamed:
                        raise DuplicateNameError(
                            f"rename makes two columns {target!r}", recipe=label, column=target
                        )
                    renamed[target] = expr
                    types[target] = types[col]
                state = renamed
            elif isinstance(step, s.DropStep):
                for col in step.drop:
                    del state[require(col)]
            elif isinstance(step, s.KeepStep):
                kept = [require(c) for c in step.keep]
                state = {c: state[c] for c in kept}
            elif isinstance(step, s.CastStep):
                for col, type_name in step.cast.items():
                    name = require(col)
                    arrow = parse_type(type_name, dialect=self.dialect, recipe=label)
                    to = exp.DataType.build(type_name, dialect=self.dialect or "")
                    state[name] = exp.Cast(this=state[name], to=to)
                    types[name] = arrow
            elif isinstance(step, s.FillNullsStep):
                for col, value in step.fill_nulls.items():
                    name = require(col)
                    state[name] = exp.Coalesce(this=state[name], expressions=[literal(value)])
        if not state:
            raise FlowError("the prepare steps leave no columns", recipe=label)
        schema = pa.schema([(c, types[c]) for c in state])
        return [
            n.Project(
                name=r.output,
                recipe=label,
                inputs=(r.input,),
                schema=schema,
                items=tuple(state.items()),
            )
        ]

    def _filter(self, r: s.FilterRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        cond = self.formula(r.where, src.schema, r.label, "filter condition")
        self.no_aggregates(cond, r.label, None, r.where)
        t = self.typed(cond, src.schema, r.label, None, r.where)
        if not (pa.types.is_boolean(t) or pa.types.is_null(t)):
            raise FormulaTypeError(
                f"filter condition {r.where!r} is {t}, not a boolean; compare it, e.g. 'x > 0'",
                recipe=r.label,
            )
        return [
            n.Filter(
                name=r.output, recipe=r.label, inputs=(r.input,), schema=src.schema, condition=cond
            )
        ]

    def _join(self, r: s.JoinRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        left, right = nodes[r.left], nodes[r.right]
        label = r.label
        if r.how == "cross":
            if r.on is not None or r.condition is not None:
                raise FlowError("a cross join takes neither 'on' nor 'condition'", recipe=label)
            cond: exp.Expr | None = None
            pairs: list[tuple[str, str]] = []
        elif (r.on is None) == (r.condition is None):
            raise FlowError("give exactly one of 'on' (key columns) or 'condition'", recipe=label)
        elif r.on is not None:
            mapping = {k: k for k in r.on} if isinstance(r.on, list) else dict(r.on)
            pairs = [
                (
                    resolve_name(lk, left.columns, recipe=label, what=f"left key (in {r.left!r})"),
                    resolve_name(
                        rk, right.columns, recipe=label, what=f"right key (in {r.right!r})"
                    ),
                )
                for lk, rk in mapping.items()
            ]
            for lk, rk in pairs:
                lt, rt = left.schema.field(lk).type, right.schema.field(rk).type
                if common_type(lt, rt) is None:
                    raise FormulaTypeError(
                        f"join keys {lk!r} ({lt}) and {rk!r} ({rt}) have incompatible types",
                        recipe=label,
                        column=lk,
                    )
            cond = exp.and_(
                *[
                    exp.EQ(this=column(lk, n.LEFT), expression=column(rk, n.RIGHT))
                    for lk, rk in pairs
                ]
            )
        else:
            assert r.condition is not None
            cond = self._join_condition(r, left, right)
            pairs = []
        items: list[tuple[str, exp.Expr]] = []
        types: dict[str, pa.DataType] = {}
        same_keys = isinstance(r.on, list)
        key_of_right = {rk: lk for lk, rk in pairs} if same_keys else {}
        for f in left.schema:
            expr: exp.Expr = column(f.name, n.LEFT)
            if same_keys and f.name in {lk for lk, _ in pairs}:
                rk = dict(pairs)[f.name]
                if r.how == "full":
                    expr = exp.Coalesce(this=expr, expressions=[column(rk, n.RIGHT)])
                elif r.how == "right":
                    expr = column(rk, n.RIGHT)
            items.append((f.name, expr))
            types[f.name] = f.type
        if r.how not in ("semi", "anti"):
            for f in right.schema:
                if f.name in key_of_right:
                    continue
                out = f.name if f.name not in types else f.name + r.right_suffix
                if out in types:
                    raise DuplicateNameError(
                        f"right column {f.name!r} clashes with {out!r} even with suffix "
                        f"{r.right_suffix!r}; choose another right_suffix",
                        recipe=label,
                        column=f.name,
                    )
                items.append((out, column(f.name, n.RIGHT)))
                types[out] = f.type
        schema = pa.schema([(name, types[name]) for name, _ in items])
        return [
            n.Join(
                name=r.output,
                recipe=label,
                inputs=(r.left, r.right),
                schema=schema,
                how=r.how,
                condition=cond,
                items=tuple(items),
            )
        ]

    def _join_condition(self, r: s.JoinRecipe, left: n.Node, right: n.Node) -> exp.Expr:
        label = r.label
        assert r.condition is not None
        tree = parse_sql(r.condition, dialect=self.dialect, recipe=label, what="join condition")
        qualifiers = {r.left: n.LEFT, r.right: n.RIGHT, n.LEFT: n.LEFT, n.RIGHT: n.RIGHT}
        for col in list(tree.find_all(exp.Column)):
            if col.table:
                side = qualifiers.get(col.table)
                if side is None:
                    raise FlowError(
                        f"unknown table {col.table!r} in join condition; "
                        f"{did_you_mean(col.table, qualifiers)}",
                        recipe=label,
                        column=col.name,
                    )
                names = left.columns if side == n.LEFT else right.columns
                col.replace(column(resolve_name(col.name, names, recipe=label), side))
                continue
            in_left = col.name in left.columns
            in_right = col.name in right.columns
            if in_left and in_right:
                raise FlowError(
                    f"column {col.name!r} is in both {r.left!r} and {r.right!r}; qualify it "
                    f"as {r.left}.{col.name} or {r.right}.{col.name}",
                    recipe=label,
                    column=col.name,
                )
            if not (in_left or in_right):
                side = n.LEFT
                resolve_name(col.name, [*left.columns, *right.columns], recipe=label)
            side = n.LEFT if in_left else n.RIGHT
            col.replace(column(col.name, side))
        schema = pa.schema(
            [
                *[(f"{n.LEFT}.{f.name}", f.type) for f in left.schema],
                *[(f"{n.RIGHT}.{f.name}", f.type) for f in right.schema],
            ]
        )
        probe = tree.copy()
        for col in probe.find_all(exp.Column):
            col.replace(column(f"{col.table}.{col.name}"))
        t = self.typed(probe, schema, label, None, r.condition)
        if not (pa.types.is_boolean(t) or pa.types.is_null(t)):
            raise FormulaTypeError(f"join condition {r.condition!r} is not a boolean", recipe=label)
        return tree

    def _group(self, r: s.GroupRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        label = r.label
        keys = tuple(resolve_name(k, src.columns, recipe=label, what="group key") for k in r.by)
        if not r.aggregates and not keys:
            raise FlowError("a group recipe needs 'by' keys or 'aggregates'", recipe=label)
        aggs: list[tuple[str, exp.Expr]] = []
        fields = [(k, src.schema.field(k).type) for k in keys]
        for out, text in r.aggregates.items():
            if out in keys:
                raise DuplicateNameError(
                    f"aggregate {out!r} has the name of a group key", recipe=label, column=out
                )
            tree = self.formula(text, src.schema, label, f"aggregate {out!r}")
            self._check_aggregate(tree, keys, label, out, text)
            fields.append((out, self.typed(tree, src.schema, label, out, text)))
            aggs.append((out, tree))
        return [
            n.Aggregate(
                name=r.output,
                recipe=label,
                inputs=(r.input,),
                schema=pa.schema(fields),
                keys=keys,
                aggregates=tuple(aggs),
            )
        ]

    @staticmethod
    def _check_aggregate(
        tree: exp.Expr, keys: tuple[str, ...], label: str, out: str, text: str
    ) -> None:
        if contains_window(tree):
            raise FormulaTypeError(
                f"aggregate {out!r}: {text!r} uses a window; use a window recipe",
                recipe=label,
                column=out,
            )
        if not contains_aggregate(tree):
            raise FormulaTypeError(
                f"aggregate {out!r}: {text!r} has no aggregate function; use e.g. "
                f"sum(...), count(*), avg(...), median(...), arg_min(value, order)",
                recipe=label,
                column=out,
            )
        for col in tree.find_all(exp.Column):
            if col.name not in keys and col.find_ancestor(exp.AggFunc) is None:
                raise FormulaTypeError(
                    f"aggregate {out!r}: column {col.name!r} is neither a group key nor inside "
                    f"an aggregate function",
                    recipe=label,
                    column=col.name,
                )

    def _window(self, r: s.WindowRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        label = r.label
        partition: list[exp.Expr] = [
            column(resolve_name(p, src.columns, recipe=label, what="partition column"))
            for p in r.partition_by
        ]
        order = [self.ordered(o, src.schema, label) for o in r.order_by]
        items: list[tuple[str, exp.Expr]] = [(c, column(c)) for c in src.columns]
        fields = list(zip(src.schema.names, src.schema.types, strict=True))
        for out, spec in r.columns.items():
            if out in src.columns:
                raise DuplicateNameError(
                    f"window column {out!r} already exists in the input", recipe=label, column=out
                )
            text = spec if isinstance(spec, str) else spec.formula
            frame = None if isinstance(spec, str) else spec.frame
            tree = self.formula(text, src.schema, label, f"window formula {out!r}")
            win = self._window_expr(tree, partition, order, frame, label, out, text)
            fields.append((out, self.typed(win, src.schema, label, out, text)))
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

    @staticmethod
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
        if not isinstance(tree, (exp.AggFunc, *_RANKING)):
            raise FormulaTypeError(
                f"window column {out!r}: {text!r} is not a window function; use row_number(), "
                "rank(), dense_rank(), lag(x), lead(x) or an aggregate such as sum(x)",
                recipe=label,
                column=out,
            )
        ranking = isinstance(tree, _RANKING)
        if ranking and not order:
            raise FlowError(
                f"window column {out!r}: {text!r} needs 'order_by'", recipe=label, column=out
            )
        if (
            ranking
            and frame is not None
            and not isinstance(tree, exp.FirstValue | exp.LastValue | exp.NthValue)
        ):
            raise FlowError(
                f"window column {out!r}: {text!r} takes no frame", recipe=label, column=out
            )
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

    def _sort(self, r: s.SortRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        if not r.by:
            raise FlowError("a sort recipe needs at least one 'by' term", recipe=r.label)
        order = tuple(self.ordered(t, src.schema, r.label) for t in r.by)
        return [
            n.Sort(name=r.output, recipe=r.label, inputs=(r.input,), schema=src.schema, order=order)
        ]

    def _top_n(self, r: s.TopNRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        label = r.label
        if not r.order_by:
            raise FlowError("top_n needs 'order_by'", recipe=label)
        order = tuple(self.ordered(t, src.schema, label) for t in r.order_by)
        partition = tuple(
            resolve_name(p, src.columns, recipe=label, what="partition column")
            for p in r.partition_by
        )
        return [
            n.TopN(
                name=r.output,
                recipe=label,
                inputs=(r.input,),
                schema=src.schema,
                n=r.n,
                order=order,
                partition=partition,
            )
        ]

    def _distinct(self, r: s.DistinctRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        cols = [resolve_name(c, src.columns, recipe=r.label) for c in (r.columns or src.columns)]
        schema = pa.schema([src.schema.field(c) for c in cols])
        return [n.Distinct(name=r.output, recipe=r.label, inputs=(r.input,), schema=schema)]

    def _stack(self, r: s.StackRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        label = r.label
        inputs = [nodes[i] for i in r.inputs]
        types: dict[str, pa.DataType] = {}
        for node in inputs:
            for f in node.schema:
                if f.name not in types:
                    types[f.name] = f.type
                    continue
                wide = common_type(types[f.name], f.type)
                if wide is None:
                    raise FormulaTypeError(
                        f"column {f.name!r} is {types[f.name]} in one input and {f.type} in "
                        f"{node.name!r}; cast one of them in a prepare recipe first",
                        recipe=label,
                        column=f.name,
                    )
                types[f.name] = wide
        branches = []
        for node in inputs:
            branch = []
            for name, t in types.items():
                sql_t = arrow_to_sql(t)
                if name not in node.columns:
                    expr: exp.Expr = exp.Cast(this=exp.null(), to=sql_t)
                elif node.schema.field(name).type != t:
                    expr = exp.Cast(this=column(name), to=sql_t)
                else:
                    expr = column(name)
                branch.append((name, expr))
            branches.append(tuple(branch))
        return [
            n.Union(
                name=r.output,
                recipe=label,
                inputs=tuple(r.inputs),
                schema=pa.schema(list(types.items())),
                distinct=r.distinct,
                branches=tuple(branches),
            )
        ]

    def _pivot(self, r: s.PivotRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        label = r.label
        keys = tuple(
            resolve_name(k, src.columns, recipe=label, what="index column") for k in r.index
        )
        key = resolve_name(r.key, src.columns, recipe=label, what="pivot key")
        template = self.formula(r.aggregate, src.schema, label, "pivot aggregate")
        if not isinstance(template, exp.AggFunc):
            raise FormulaTypeError(
                f"pivot aggregate {r.aggregate!r} must be one aggregate call like 'sum(amount)'",
                recipe=label,
            )
        agg_type = self.typed(template, src.schema, label, None, r.aggregate)
        fields = [(k, src.schema.field(k).type) for k in keys]
        aggs = []
        for value in r.values:
            out = str(value)
            if out in keys or out in dict(fields):
                raise DuplicateNameError(
                    f"pivot column {out!r} clashes with another column", recipe=label, column=out
                )
            match = exp.EQ(this=column(key), expression=literal(value))
            agg = template.copy()
            arg = agg.this
            new_arg = literal(1) if isinstance(arg, exp.Star) else arg
            agg.set("this", exp.Case(ifs=[exp.If(this=match, true=new_arg)]))
            aggs.append((out, agg))
            fields.append((out, agg_type))
        return [
            n.Aggregate(
                name=r.output,
                recipe=label,
                inputs=(r.input,),
                schema=pa.schema(fields),
                keys=keys,
                aggregates=tuple(aggs),
            )
        ]

    def _split(self, r: s.SplitRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        src = nodes[r.input]
        label = r.label
        conds = []
        for out, text in r.outputs.items():
            cond = self.formula(text, src.schema, label, f"condition for {out!r}")
            self.no_aggregates(cond, label, None, text)
            t = self.typed(cond, src.schema, label, None, text)
            if not (pa.types.is_boolean(t) or pa.types.is_null(t)):
                raise FormulaTypeError(
                    f"condition for {out!r} ({text!r}) is not a boolean", recipe=label
                )
            conds.append(exp.Coalesce(this=exp.paren(cond), expressions=[exp.false()]))
        result: list[n.Node] = []
        for i, out in enumerate(r.outputs):
            earlier = [exp.not_(c.copy()) for c in conds[:i]]
            where = exp.and_(conds[i].copy(), *earlier) if earlier else conds[i].copy()
            result.append(
                n.Filter(
                    name=out, recipe=label, inputs=(r.input,), schema=src.schema, condition=where
                )
            )
        if r.else_output:
            where = exp.and_(*[exp.not_(c.copy()) for c in conds])
            result.append(
                n.Filter(
                    name=r.else_output,
                    recipe=label,
                    inputs=(r.input,),
                    schema=src.schema,
                    condition=where,
                )
            )
        return result

    def _python(self, r: s.PythonRecipe, nodes: dict[str, n.Node]) -> list[n.Node]:
        label = r.label
        if not r.schema_:
            raise FlowError("a python recipe declares at least one output column", recipe=label)
        schema = pa.schema(
            [(c, parse_type(t, dialect=self.dialect, recipe=label)) for c, t in r.schema_.items()]
        )
        fn = self.flow.resolve_function(r.function, label)
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
