"""The flow format: pydantic models shared by the Python builder and YAML/JSON flow files.

Both ways of describing a flow produce a :class:`FlowSpec`; ``pushdown schema`` prints its
JSON Schema.  Formulas are SQL expression strings in the flow's ``formula_dialect``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlglot.dialects.dialect import Dialect

from pushdown.errors import did_you_mean, redact
from pushdown.recipe.names import (
    case_clashes,
    fold_message,
    name_problem,
    output_clash,
    table_name_problem,
)
from pushdown.recipe.steps import STEP_KINDS as STEP_KINDS
from pushdown.recipe.steps import CastStep as CastStep
from pushdown.recipe.steps import ComputeStep as ComputeStep
from pushdown.recipe.steps import DropStep as DropStep
from pushdown.recipe.steps import FillNullsStep as FillNullsStep
from pushdown.recipe.steps import IfStep as IfStep
from pushdown.recipe.steps import KeepStep as KeepStep
from pushdown.recipe.steps import PrepareStep as PrepareStep
from pushdown.recipe.steps import RenameStep as RenameStep
from pushdown.recipe.steps import Scalar as Scalar

_STRICT = ConfigDict(extra="forbid", populate_by_name=True)

# Error types of the flow's own checks; ``load.spec_from_data`` turns each into its
# PushdownError class (InvalidNameError, InvalidValueError, DuplicateNameError).
INVALID_NAME = "pushdown_invalid_name"
INVALID_VALUE = "pushdown_invalid_value"
DUPLICATE_NAME = "pushdown_duplicate_name"


def refuse(kind: str, message: str) -> PydanticCustomError:
    """A validation error of one of the flow's own kinds, carrying ``message`` as is."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def check_name(name: object, what: str) -> None:
    """Refuse an empty dataset or column name."""
    problem = name_problem(name, what)
    if problem:
        raise refuse(INVALID_NAME, problem)


class DatasetSpec(BaseModel):
    """A source dataset: a table on a named connection, or a local file."""

    model_config = _STRICT
    name: str = Field(description="Name recipes use to read this dataset")
    connection: str | None = Field(None, description="Connection holding the table")
    table: str | None = Field(
        None, description="Table name: 1 to 3 dot-separated identifier parts (schema.table)"
    )
    path: str | None = Field(None, description="Local Parquet, CSV or Arrow IPC file")
    columns: dict[str, str] | None = Field(
        None, description="Declared schema (column -> type); read from the engine when omitted"
    )

    @model_validator(mode="after")
    def _one_location(self) -> DatasetSpec:
        check_name(self.name, "dataset")
        if (self.table is None) == (self.path is None):
            raise ValueError("give exactly one of 'table' (with 'connection') or 'path'")
        if self.table is not None and self.connection is None:
            raise ValueError("a 'table' dataset needs a 'connection'")
        if self.table is not None:
            problem = table_name_problem(self.table)
            if problem:
                raise refuse(INVALID_NAME, problem)
        for column in self.columns or {}:
            check_name(column, "column")
        return self


class OutputSpec(BaseModel):
    """A dataset written to a table when the flow runs (atomically replaced)."""

    model_config = _STRICT
    dataset: str
    connection: str
    table: str = Field(description="Table name: 1 to 3 dot-separated identifier parts")
    mode: Literal["replace"] = "replace"

    @model_validator(mode="after")
    def _table_is_an_identifier(self) -> OutputSpec:
        check_name(self.dataset, "dataset")
        problem = table_name_problem(self.table, output=True)
        if problem:
            raise refuse(INVALID_NAME, problem)
        return self


class _Recipe(BaseModel):
    model_config = _STRICT
    name: str | None = Field(None, description="Recipe name; defaults to its output's name")

    def input_names(self) -> list[str]:
        """Datasets this recipe reads."""
        return [self.input]  # type: ignore[attr-defined]

    def output_names(self) -> list[str]:
        """Datasets this recipe writes."""
        return [self.output]  # type: ignore[attr-defined]

    @property
    def label(self) -> str:
        """The name errors and explain use for this recipe."""
        return self.name or self.output_names()[0]

    def new_columns(self) -> list[str]:
        """Column names this recipe introduces."""
        return []

    @model_validator(mode="after")
    def _names_are_usable(self) -> Self:
        for out in self.output_names():
            check_name(out, "dataset")
        for column in self.new_columns():
            check_name(column, "column")
        return self


class PrepareRecipe(_Recipe):
    """Compute, rename, drop, keep, cast, fill nulls and if/then/else, in order."""

    type: Literal["prepare"] = "prepare"
    input: str
    output: str
    steps: list[PrepareStep]

    def new_columns(self) -> list[str]:
        """Computed, renamed and if/then columns."""
        names: list[str] = []
        for step in self.steps:
            if isinstance(step, ComputeStep):
                names += step.compute
            elif isinstance(step, RenameStep):
                names += step.rename.values()
            elif isinstance(step, IfStep):
                names.append(step.as_)
        return names


class FilterRecipe(_Recipe):
    """Keep the rows where a condition holds."""

    type: Literal["filter"] = "filter"
    input: str
    output: str
    where: str


class JoinRecipe(_Recipe):
    """Join two datasets on key lists or a condition."""

    type: Literal["join"] = "join"
    left: str
    right: str
    output: str
    how: Literal["inner", "left", "right", "full", "cross", "semi", "anti"] = "inner"
    on: list[str] | dict[str, str] | None = Field(
        None, description="Key columns (same name on both sides) or left -> right key names"
    )
    condition: str | None = Field(
        None, description="Join condition; qualify columns with the dataset names"
    )
    right_suffix: str = Field("_right", description="Suffix for right columns whose names clash")

    def input_names(self) -> list[str]:
        """Datasets this recipe reads."""
        return [self.left, self.right]

    @model_validator(mode="after")
    def _keys_are_given(self) -> JoinRecipe:
        if self.on is not None and not self.on:
            raise refuse(
                INVALID_VALUE,
                "'on' lists no key columns; give at least one, or a 'condition', or "
                "how: cross for every pair of rows",
            )
        return self


class GroupRecipe(_Recipe):
    """Group by keys and compute aggregate formulas."""

    type: Literal["group"] = "group"
    input: str
    output: str
    by: list[str] = Field(default_factory=list)
    aggregates: dict[str, str]

    def new_columns(self) -> list[str]:
        """The aggregate columns."""
        return list(self.aggregates)


class WindowColumn(BaseModel):
    """A windowed formula with an explicit frame (row offsets; None is unbounded)."""

    model_config = _STRICT
    formula: str
    frame: tuple[StrictInt | None, StrictInt | None] | None = Field(
        None, description="[start, end] in rows relative to the current row: [-2, 0], [null, 0]"
    )

    @model_validator(mode="after")
    def _frame_runs_forward(self) -> WindowColumn:
        start, end = self.frame or (None, None)
        if start is not None and end is not None and start > end:
            raise refuse(
                INVALID_VALUE,
                f"window frame [{start}, {end}] of {self.formula!r} starts after it ends; "
                f"write [{end}, {start}]",
            )
        return self


class WindowRecipe(_Recipe):
    """Add window-function columns computed per partition."""

    type: Literal["window"] = "window"
    input: str
    output: str
    partition_by: list[str] = Field(default_factory=list)
    order_by: list[str] = Field(default_factory=list)
    columns: dict[str, str | WindowColumn]

    def new_columns(self) -> list[str]:
        """The window columns."""
        return list(self.columns)


class SortRecipe(_Recipe):
    """Order rows (``amount DESC``, ``name``)."""

    type: Literal["sort"] = "sort"
    input: str
    output: str
    by: list[str]


class TopNRecipe(_Recipe):
    """The first ``n`` rows by an order, overall or per partition."""

    type: Literal["top_n"] = "top_n"
    input: str
    output: str
    n: StrictInt = Field(gt=0, description="How many rows (per group), a whole number > 0")
    order_by: list[str]
    partition_by: list[str] = Field(default_factory=list)


class DistinctRecipe(_Recipe):
    """Distinct rows over all columns or a subset (the output keeps that subset)."""

    type: Literal["distinct"] = "distinct"
    input: str
    output: str
    columns: list[str] | None = Field(
        None, description="Columns to compare and keep (at least one); omit for all columns"
    )

    @model_validator(mode="after")
    def _columns_are_listed(self) -> DistinctRecipe:
        if self.columns is not None and not self.columns:
            raise refuse(
                INVALID_VALUE,
                "'columns' lists no column; omit it to compare all columns, or list some",
            )
        return self


class StackRecipe(_Recipe):
    """Union datasets by column name; missing columns are NULL."""

    type: Literal["stack"] = "stack"
    inputs: list[str] = Field(min_length=2)
    output: str
    distinct: StrictBool = False

    def input_names(self) -> list[str]:
        """Datasets this recipe reads."""
        return list(self.inputs)


class PivotRecipe(_Recipe):
    """Turn the listed values of ``key`` into columns holding ``aggregate``."""

    type: Literal["pivot"] = "pivot"
    input: str
    output: str
    index: list[str]
    key: str
    values: list[str | int | float | bool] = Field(min_length=1)
    aggregate: str = Field(description="Aggregate formula, e.g. 'sum(amount)'")

    def new_columns(self) -> list[str]:
        """One column per pivoted value."""
        return [str(v) for v in self.values]


class SplitRecipe(_Recipe):
    """Route each row to the first output whose condition holds, or to ``else_output``."""

    type: Literal["split"] = "split"
    input: str
    outputs: dict[str, str] = Field(min_length=1, description="output dataset -> condition")
    else_output: str | None = None

    def output_names(self) -> list[str]:
        """Datasets this recipe writes."""
        names = list(self.outputs)
        return [*names, self.else_output] if self.else_output else names


class PythonRecipe(_Recipe):
    """A Python function from ``pyarrow.RecordBatch`` to ``pyarrow.RecordBatch``."""

    type: Literal["python"] = "python"
    input: str
    output: str
    function: str = Field(description="'package.module:function'")
    schema_: dict[str, str] = Field(alias="schema", description="Declared output columns")

    def new_columns(self) -> list[str]:
        """The declared output columns."""
        return list(self.schema_)


Recipe = Annotated[
    PrepareRecipe
    | FilterRecipe
    | JoinRecipe
    | GroupRecipe
    | WindowRecipe
    | SortRecipe
    | TopNRecipe
    | DistinctRecipe
    | StackRecipe
    | PivotRecipe
    | SplitRecipe
    | PythonRecipe,
    Field(discriminator="type"),
]

RECIPE_TYPES: dict[str, type[_Recipe]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        PrepareRecipe,
        FilterRecipe,
        JoinRecipe,
        GroupRecipe,
        WindowRecipe,
        SortRecipe,
        TopNRecipe,
        DistinctRecipe,
        StackRecipe,
        PivotRecipe,
        SplitRecipe,
        PythonRecipe,
    )
}


class FlowSpec(BaseModel):
    """A whole flow: connections, source datasets, recipes and outputs."""

    model_config = _STRICT
    version: Literal[1] = 1
    formula_dialect: str | None = Field(
        None, description="sqlglot dialect formulas are written in (default: neutral SQL)"
    )
    connections: dict[str, str] = Field(
        default_factory=dict,
        description="name -> SQLAlchemy URL; ${VAR} is read from the environment at plan time",
    )
    datasets: list[DatasetSpec] = Field(default_factory=list)
    recipes: list[Recipe] = Field(default_factory=list)
    outputs: list[OutputSpec] = Field(default_factory=list)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """The fields ``repr()`` and ``str()`` show, connection passwords redacted (the
        flow-file form, ``model_dump``, keeps them as written)."""
        for name, value in super().__repr_args__():
            if name == "connections" and isinstance(value, dict):
                value = {k: redact(v) if isinstance(v, str) else v for k, v in value.items()}
            yield name, value

    @field_validator("connections")
    @classmethod
    def _connection_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name == "local":
                raise refuse(
                    INVALID_NAME, "connection name 'local' is reserved for local Arrow execution"
                )
            problem = name_problem(name, "connection")
            if problem:
                raise refuse(INVALID_NAME, problem)
        return value

    @field_validator("formula_dialect")
    @classmethod
    def _known_dialect(cls, value: str | None) -> str | None:
        if value is None:
            return value
        known = [name for name in Dialect.classes if name]
        if value not in known:
            raise refuse(
                INVALID_VALUE,
                f"unknown formula_dialect {value!r}; {did_you_mean(value, known)}",
            )
        return value

    @model_validator(mode="after")
    def _names_do_not_fold_together(self) -> FlowSpec:
        names = [d.name for d in self.datasets]
        names += [out for r in self.recipes for out in r.output_names()]
        for first, second in case_clashes(names):
            raise refuse(DUPLICATE_NAME, fold_message("datasets", first, second))
        clash = output_clash((o.dataset, o.connection, o.table) for o in self.outputs)
        if clash:
            raise refuse(DUPLICATE_NAME, clash)
        return self


def json_schema() -> dict[str, Any]:
    """The JSON Schema of flow files, for editors and validation."""
    schema = FlowSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "pushdown flow"
    return schema
