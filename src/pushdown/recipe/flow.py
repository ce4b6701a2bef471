"""The Python way to describe a flow.

>>> import pushdown
>>> flow = pushdown.Flow()
>>> flow.connection("wh", "duckdb:///:memory:")
>>> orders = flow.dataset("orders", connection="wh", table="orders",
...                       columns={"id": "int", "amount": "double"})
>>> big = orders.filter("amount > 100", name="big_orders")
>>> big.name
'big_orders'

Every recipe call appends a recipe to :attr:`Flow.spec`, the same :class:`FlowSpec` that
:func:`load_flow` reads from a YAML or JSON file, so both describe identical flows.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from pushdown.errors import (
    AmbiguousNameError,
    DuplicateNameError,
    InvalidNameError,
    InvalidValueError,
    UnknownDatasetError,
    did_you_mean,
)
from pushdown.recipe import spec as s
from pushdown.recipe.arguments import listed, listed_or_none, mapped
from pushdown.recipe.functions import PythonFunction, register_function, resolve_function
from pushdown.recipe.load import read_flow_file, resolve_paths, spec_from_data
from pushdown.recipe.names import NameIndex, fold_message, folded, name_problem, output_clash
from pushdown.recipe.show import flow_html, flow_text
from pushdown.types import check_arrow_schema


class Dataset:
    """A handle on one dataset of a flow; its methods add recipes that read it."""

    def __init__(self, flow: Flow, name: str):
        self.flow = flow
        self.name = name

    def __repr__(self) -> str:
        return f"Dataset({self.name!r})"

    def _out(self, name: str | None, kind: str) -> str:
        return name if name is not None else self.flow._fresh_name(f"{self.name}_{kind}")

    def prepare(self, steps: Sequence[Mapping[str, Any]], *, name: str | None = None) -> Dataset:
        """Apply prepare steps in order: ``{"compute": {...}}``, ``{"rename": {...}}``,
        ``{"drop": [...]}``, ``{"keep": [...]}``, ``{"cast": {...}}``, ``{"fill_nulls": {...}}``,
        ``{"if": cond, "then": a, "else": b, "as": col}``."""
        out = self._out(name, "prepared")
        listed_steps = [mapped(step, "steps", out) for step in listed(steps, "steps", out)]
        return self.flow._add(
            {"type": "prepare", "input": self.name, "output": out, "steps": listed_steps}
        )

    def compute(
        self,
        formulas: Mapping[str, str] | None = None,
        /,
        *,
        name: str | None = None,
        **columns: str,
    ) -> Dataset:
        """A prepare recipe with one compute step.

        Columns as a mapping, with ``name`` naming the step like every other builder method:
        ``ds.compute({"total": "a * b", "name": "upper(name)"}, name="priced")``; or as
        keywords, every keyword a column: ``ds.compute(total="a * b")``.  ``name=`` alone
        could mean either and is refused (:class:`AmbiguousNameError`); ``name=`` next to
        keyword columns is the step name, as it always was, with a ``FutureWarning``.
        """
        if formulas is None and name is not None:
            if not columns:
                raise AmbiguousNameError(
                    f"compute(name={name!r}) could be a column called 'name' or the step's "
                    f"name; write compute({{'name': {name!r}}}) for the column, or "
                    f"compute({{...}}, name={name!r}) for the step"
                )
            warnings.warn(
                f"compute(..., name={name!r}) names the step; write compute({{...}}, "
                f"name={name!r}) (a column called 'name' needs the mapping form)",
                FutureWarning,
                stacklevel=2,
            )
        both = set(formulas or {}) & set(columns)
        if both:
            raise DuplicateNameError(f"compute() got column {sorted(both)[0]!r} twice")
        return self.prepare([{"compute": {**(formulas or {}), **columns}}], name=name)

    def filter(self, where: str, *, name: str | None = None) -> Dataset:
        """Keep the rows where ``where`` is true."""
        out = self._out(name, "filtered")
        return self.flow._add({"type": "filter", "input": self.name, "output": out, "where": where})

    def join(
        self,
        right: Dataset,
        on: Sequence[str] | Mapping[str, str] | None = None,
        *,
        how: str = "inner",
        condition: str | None = None,
        right_suffix: str = "_right",
        name: str | None = None,
        aliases: Sequence[str] | None = None,
    ) -> Dataset:
        """Join with ``right`` on key columns (``on``) or a ``condition`` formula.

        The condition names this dataset's columns ``left.col`` and ``right``'s
        ``right.col``; the dataset names work too when they differ, and ``aliases=("a",
        "b")`` gives each input a name of its own (a self-join:
        ``items.join(items, condition="a.k = b.k AND a.s <> b.s", aliases=("a", "b"))``)."""
        out = self._out(name, "joined")
        keys: list[str] | dict[str, str] | None
        keys = dict(on) if isinstance(on, Mapping) else listed_or_none(on, "on", out)
        return self.flow._add(
            {
                "type": "join",
                "left": self.name,
                "right": self.flow._own(right, out),
                "output": out,
                "how": how,
                "on": keys,
                "condition": condition,
                "right_suffix": right_suffix,
                **_aliases(aliases, out),
            }
        )

    def group(
        self, by: Sequence[str], aggregates: Mapping[str, str], *, name: str | None = None
    ) -> Dataset:
        """Group by ``by`` and compute ``aggregates`` (output column -> aggregate formula)."""
        out = self._out(name, "grouped")
        return self.flow._add(
            {
                "type": "group",
                "input": self.name,
                "output": out,
                "by": listed(by, "by", out),
                "aggregates": mapped(aggregates, "aggregates", out),
            }
        )

    def window(
        self,
        columns: Mapping[str, str | Mapping[str, Any]],
        *,
        partition_by: Sequence[str] = (),
        order_by: Sequence[str] = (),
        name: str | None = None,
    ) -> Dataset:
        """Add window columns: ``{"rn": "row_number()", "avg3": {"formula": "avg(x)",
        "frame": [-2, 0]}}`` computed per ``partition_by`` in ``order_by`` order."""
        out = self._out(name, "windowed")
        cols = {
            k: (v if isinstance(v, str) else mapped(v, f"columns.{k}", out))
            for k, v in mapped(columns, "columns", out).items()
        }
        return self.flow._add(
            {
                "type": "window",
                "input": self.name,
                "output": out,
                "partition_by": listed(partition_by, "partition_by", out),
                "order_by": listed(order_by, "order_by", out),
                "columns": cols,
            }
        )

    def sort(self, *by: str, name: str | None = None) -> Dataset:
        """Order rows by the given terms (``"amount DESC"``, ``"name"``)."""
        out = self._out(name, "sorted")
        return self.flow._add({"type": "sort", "input": self.name, "output": out, "by": list(by)})

    def top_n(
        self,
        n: int,
        order_by: Sequence[str],
        *,
        partition_by: Sequence[str] = (),
        name: str | None = None,
    ) -> Dataset:
        """The first ``n`` rows by ``order_by``, overall or per ``partition_by`` group."""
        out = self._out(name, "top")
        return self.flow._add(
            {
                "type": "top_n",
                "input": self.name,
                "output": out,
                "n": n,
                "order_by": listed(order_by, "order_by", out),
                "partition_by": listed(partition_by, "partition_by", out),
            }
        )

    def distinct(self, columns: Sequence[str] | None = None, *, name: str | None = None) -> Dataset:
        """Distinct rows over all columns, or over ``columns`` (the output keeps only those)."""
        out = self._out(name, "distinct")
        return self.flow._add(
            {
                "type": "distinct",
                "input": self.name,
                "output": out,
                "columns": listed_or_none(columns, "columns", out),
            }
        )

    def pivot(
        self,
        index: Sequence[str],
        key: str,
        values: Sequence[str | int | float | bool],
        aggregate: str,
        *,
        name: str | None = None,
    ) -> Dataset:
        """One column per listed value of ``key``, holding ``aggregate`` over its rows."""
        out = self._out(name, "pivoted")
        return self.flow._add(
            {
                "type": "pivot",
                "input": self.name,
                "output": out,
                "index": listed(index, "index", out),
                "key": key,
                "values": listed(values, "values", out),
                "aggregate": aggregate,
            }
        )

    def split(
        self,
        outputs: Mapping[str, str],
        *,
        else_output: str | None = None,
        name: str | None = None,
    ) -> dict[str, Dataset]:
        """Route rows to the first output whose condition holds (else to ``else_output``)."""
        label = name if name is not None else f"{self.name}_split"
        routes = mapped(outputs, "outputs", label)
        data: dict[str, Any] = {
            "type": "split",
            "input": self.name,
            "outputs": routes,
            "else_output": else_output,
        }
        if name is not None:
            data["name"] = name
        self.flow._add(data)
        names = [*routes, *([else_output] if else_output is not None else [])]
        return {n: Dataset(self.flow, n) for n in names}

    def python(
        self,
        function: PythonFunction | str,
        schema: Mapping[str, str],
        *,
        name: str | None = None,
    ) -> Dataset:
        """Run ``function`` (RecordBatch -> RecordBatch) over every batch; ``schema`` declares
        its output columns.  ``function`` is a callable or ``"module:function"``."""
        ref = self.flow._register_function(function)
        out = self._out(name, "python")
        return self.flow._add(
            {
                "type": "python",
                "input": self.name,
                "output": out,
                "function": ref,
                "schema": mapped(schema, "schema", out),
            }
        )


class Flow:
    """A DAG of datasets and recipes, built in Python or loaded from a file."""

    def __init__(self, formula_dialect: str | None = None, *, spec: s.FlowSpec | None = None):
        self.spec = spec or spec_from_data({"formula_dialect": formula_dialect})
        self.functions: dict[str, PythonFunction] = {}
        self.tables: dict[str, pa.Table] = {}
        self.base_dir: Path | None = None
        self._names = NameIndex()

    # -- building -------------------------------------------------------------------------
    def connection(self, name: str, url: str) -> None:
        """Declare a connection by name with a SQLAlchemy URL (``${VAR}`` from the environment)."""
        spec_from_data({"connections": {name: url}})  # a name and a URL, as in a file
        self.spec.connections[name] = url

    def dataset(
        self,
        name: str,
        *,
        connection: str | None = None,
        table: str | None = None,
        path: str | Path | None = None,
        columns: Mapping[str, str] | None = None,
        data: pa.Table | None = None,
    ) -> Dataset:
        """Declare a source dataset: ``table`` on ``connection``, a local file at ``path``, or
        an in-memory Arrow table ``data`` (Python only)."""
        self._check_new(name)
        if data is not None:
            if not isinstance(data, pa.Table):
                raise InvalidValueError(
                    f"data is a {type(data).__name__}, not a pyarrow.Table "
                    f"(pyarrow.Table.from_pandas / from_pydict make one)",
                    dataset=name,
                )
            check_arrow_schema(data.schema, dataset=name)
            self.tables[name] = data
            path = f"memory:{name}"
        raw = {
            "name": name,
            "connection": connection,
            "table": table,
            "path": str(path) if path is not None else None,
            "columns": mapped(columns, "columns", dataset=name) if columns is not None else None,
        }
        spec = spec_from_data({"datasets": [raw]}).datasets[0]
        self.spec.datasets.append(spec)
        self._names.added(self.spec, [name])
        return Dataset(self, name)

    def stack(
        self, inputs: Sequence[Dataset], *, distinct: bool = False, name: str | None = None
    ) -> Dataset:
        """Union ``inputs`` by column name (``distinct`` removes duplicate rows)."""
        out = name if name is not None else self._fresh_name("stacked")
        return self._add(
            {
                "type": "stack",
                "inputs": [self._own(d, out) for d in listed(inputs, "inputs", out)],
                "output": out,
                "distinct": distinct,
            }
        )

    def sql(self, query: str, *, dialect: str | None = None, name: str | None = None) -> Dataset:
        """A dataset computed by a SQL ``query`` over the flow's datasets (its FROM names
        them), written in ``dialect`` (default: the flow's formula dialect).  The query is
        lowered into plan steps, each placed like a hand-built recipe's."""
        data: dict[str, Any] = {"type": "sql", "query": query, "output": name}
        data["output"] = name or self._fresh_name("sql")
        if dialect is not None:
            data["dialect"] = dialect
        return self._add(data)

    def output(self, dataset: Dataset | str, *, connection: str, table: str) -> None:
        """Write ``dataset`` to ``table`` on ``connection`` when the flow runs (replacing it)."""
        ds_name = self._own(dataset, None)
        raw = {"dataset": ds_name, "connection": connection, "table": table}
        spec = spec_from_data({"outputs": [raw]}).outputs[0]
        outputs = [*self.spec.outputs, spec]
        clash = output_clash((o.dataset, o.connection, o.table) for o in outputs)
        if clash:
            raise DuplicateNameError(clash, dataset=ds_name)
        self.spec.outputs.append(spec)

    def __getitem__(self, name: str) -> Dataset:
        names = self.dataset_names()
        if name not in names:
            raise UnknownDatasetError(f"no dataset {name!r}; {did_you_mean(name, names)}")
        return Dataset(self, name)

    # -- reading --------------------------------------------------------------------------
    def dataset_names(self) -> list[str]:
        """Every dataset name: sources and recipe outputs, in definition order."""
        names = [d.name for d in self.spec.datasets]
        for r in self.spec.recipes:
            names.extend(r.output_names())
        return names

    def to_dict(self) -> dict[str, Any]:
        """The flow as plain data, in the flow-file format."""
        return self.spec.model_dump(by_alias=True, exclude_none=True, exclude_defaults=False)

    def to_yaml(self) -> str:
        """The flow as a YAML flow file."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def to_json(self) -> str:
        """The flow as a JSON flow file."""
        return json.dumps(self.to_dict(), indent=2)

    def __repr__(self) -> str:
        return flow_text(self.spec)

    def _repr_html_(self) -> str:
        return flow_html(self.spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Flow) and self.spec == other.spec

    __hash__ = None  # type: ignore[assignment]

    def resolve_function(self, ref: str, recipe: str) -> PythonFunction:
        """The callable behind a python recipe's ``function`` reference."""
        return resolve_function(self.functions, self.base_dir, ref, recipe)

    # -- internals ------------------------------------------------------------------------
    def _own(self, dataset: object, recipe: str | None) -> str:
        """The name of ``dataset``, a Dataset of this flow or a dataset name."""
        if isinstance(dataset, str):
            return dataset
        if not isinstance(dataset, Dataset):
            raise InvalidValueError(
                f"expected a Dataset of this flow or a dataset name, not {type(dataset).__name__}",
                recipe=recipe,
            )
        if dataset.flow is not self:
            raise UnknownDatasetError(
                f"dataset {dataset.name!r} belongs to another Flow; a flow reads only its own "
                f"datasets (declare it in this flow with flow.dataset(...))",
                recipe=recipe,
                dataset=None if recipe else dataset.name,
            )
        return dataset.name

    def _check_new(self, name: str) -> None:
        problem = name_problem(name, "dataset")
        if problem:
            raise InvalidNameError(problem)
        other = self._names.of(self.spec).get(folded(name))
        if other == name:
            raise DuplicateNameError(f"dataset {name!r} is already defined", recipe=name)
        if other is not None:
            raise DuplicateNameError(fold_message("datasets", other, name), dataset=name)

    def _fresh_name(self, base: str) -> str:
        """``base``, or ``base_2``, ``base_3``...: the first that no dataset name of the flow
        equals ignoring case."""
        taken = self._names.of(self.spec)
        name, i = base, 2
        while folded(name) in taken:
            name, i = f"{base}_{i}", i + 1
        return name

    def _add(self, data: dict[str, Any]) -> Dataset:
        recipe = spec_from_data({"recipes": [data]}).recipes[0]
        for out in recipe.output_names():
            self._check_new(out)
        self.spec.recipes.append(recipe)
        self._names.added(self.spec, recipe.output_names())
        return Dataset(self, recipe.output_names()[0])

    def _register_function(self, function: PythonFunction | str) -> str:
        return register_function(self.functions, function)


def _aliases(aliases: Sequence[str] | None, recipe: str) -> dict[str, str]:
    """``left_alias``/``right_alias`` from a pair of names."""
    if aliases is None:
        return {}
    pair = listed(aliases, "aliases", recipe)
    if len(pair) != 2:
        raise InvalidValueError(
            f"'aliases' takes two names (left, right), not {len(pair)}", recipe=recipe
        )
    return {"left_alias": pair[0], "right_alias": pair[1]}


def load_flow(path: str | Path) -> Flow:
    """Load a YAML or JSON flow file into a :class:`Flow`."""
    data = resolve_paths(read_flow_file(path), Path(path).parent)  # relative to the file
    flow = Flow(spec=spec_from_data(data, source=Path(path).name))
    flow.base_dir = Path(path).resolve().parent
    return flow
