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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from pushdown.errors import (
    DuplicateNameError,
    InvalidNameError,
    InvalidValueError,
    UnknownDatasetError,
    did_you_mean,
)
from pushdown.local.engine import check_arrow_schema
from pushdown.recipe import spec as s
from pushdown.recipe.arguments import listed, listed_or_none, mapped
from pushdown.recipe.functions import PythonFunction, register_function, resolve_function
from pushdown.recipe.load import read_flow_file, spec_from_data
from pushdown.recipe.names import fold_message, folded, name_problem, output_clash


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

    def compute(self, name: str | None = None, **formulas: str) -> Dataset:
        """Shortcut for a prepare recipe with one compute step: ``ds.compute(total="a * b")``."""
        return self.prepare([{"compute": formulas}], name=name)

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
    ) -> Dataset:
        """Join with ``right`` on key columns (``on``) or a ``condition`` formula."""
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
        names = self.dataset_names()
        if name in names:
            raise DuplicateNameError(f"dataset {name!r} is already defined", recipe=name)
        for other in names:
            if folded(other) == folded(name):
                raise DuplicateNameError(fold_message("datasets", other, name), dataset=name)

    def _fresh_name(self, base: str) -> str:
        names = set(self.dataset_names())
        if base not in names:
            return base
        i = 2
        while f"{base}_{i}" in names:
            i += 1
        return f"{base}_{i}"

    def _add(self, data: dict[str, Any]) -> Dataset:
        recipe = spec_from_data({"recipes": [data]}).recipes[0]
        for out in recipe.output_names():
            self._check_new(out)
        self.spec.recipes.append(recipe)
        return Dataset(self, recipe.output_names()[0])

    def _register_function(self, function: PythonFunction | str) -> str:
        return register_function(self.functions, function)


def load_flow(path: str | Path) -> Flow:
    """Load a YAML or JSON flow file into a :class:`Flow`."""
    data = read_flow_file(path)
    flow = Flow(spec=spec_from_data(data, source=Path(path).name))
    flow.base_dir = Path(path).resolve().parent
    return flow
