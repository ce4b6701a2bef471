"""The flow format: pydantic models shared by the Python builder and YAML/JSON flow files.

Both ways of describing a flow produce a :class:`FlowSpec`; ``pushdown schema`` prints its
JSON Schema.  Formulas are SQL expression strings in the flow's ``formula_dialect``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlglot
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

_STRICT = ConfigDict(extra="forbid", populate_by_name=True)

Scalar = str | int | float | bool | None


class DatasetSpec(BaseModel):
    """A source dataset: a table on a named connection, or a local file."""

    model_config = _STRICT
    name: str = Field(description="Name recipes use to read this dataset")
    connection: str | None = Field(None, description="Connection holding the table")
    table: str | None = Field(None, description="Table name (optionally schema-qualified)")
    path: str | None = Field(None, description="Local Parquet, CSV or Arrow IPC file")
    columns: dict[str, str] | None = Field(
        None, description="Declared schema (column -> type); read from the engine when omitted"
    )

    @model_validator(mode="after")
    def _one_location(self) -> DatasetSpec:
        if (self.table is None) == (self.path is None):
            raise ValueError("give exactly one of 'table' (with 'connection') or 'path'")
        if self.table is not None and self.connection is None:
            raise ValueError("a 'table' dataset needs a 'connection'")
        return self


class OutputSpec(BaseModel):
    """A dataset written to a table when the flow runs (atomically replaced)."""

    model_config = _STRICT
    dataset: str
    connection: str
    table: str
    mode: Literal["replace"] = "replace"


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


class ComputeStep(BaseModel):
    """Add or replace columns from formulas."""

    model_config = _STRICT
    compute: dict[str, str]


class RenameStep(BaseModel):
    """Rename columns (old -> new)."""

    model_config = _STRICT
    rename: dict[str, str]


class DropStep(BaseModel):
    """Remove columns."""

    model_config = _STRICT
    drop: list[str]


class KeepStep(BaseModel):
    """Keep only these columns, in this order."""

    model_config = _STRICT
    keep: list[str]


class CastStep(BaseModel):
    """Change column types (column -> type name)."""

    model_config = _STRICT
    cast: dict[str, str]


class FillNullsStep(BaseModel):
    """Replace NULLs with a constant (column -> value)."""

    model_config = _STRICT
    fill_nulls: dict[str, Scalar]


class IfStep(BaseModel):
    """``as_ = if cond then a else b`` (``else`` may be omitted: NULL)."""

    model_config = _STRICT
    if_: str = Field(alias="if")
    then: str
    else_: str | None = Field(None, alias="else")
    as_: str = Field(alias="as")


PrepareStep = ComputeStep | RenameStep | DropStep | KeepStep | CastStep | FillNullsStep | IfStep


class PrepareRecipe(_Recipe):
    """Compute, rename, drop, keep, cast, fill nulls and if/then/else, in order."""

    type: Literal["prepare"] = "prepare"
    input: str
    output: str
    steps: list[PrepareStep]


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


class GroupRecipe(_Recipe):
    """Group by keys and compute aggregate formulas."""

    type: Literal["group"] = "group"
    input: str
    output: str
    by: list[str] = Field(default_factory=list)
    aggregates: dict[str, str]


class WindowColumn(BaseModel):
    """A windowed formula with an explicit frame (row offsets; None is unbounded)."""

    model_config = _STRICT
    formula: str
    frame: tuple[int | None, int | None] | None = Field(
        None, description="[start, end] in rows relative to the current row: [-2, 0], [null, 0]"
    )


class WindowRecipe(_Recipe):
    """Add window-function columns computed per partition."""

    type: Literal["window"] = "window"
    input: str
    output: str
    partition_by: list[str] = Field(default_factory=list)
    order_by: list[str] = Field(default_factory=list)
    columns: dict[str, str | WindowColumn]


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
    n: int = Field(gt=0)
    order_by: list[str]
    partition_by: list[str] = Field(default_factory=list)


class DistinctRecipe(_Recipe):
    """Distinct rows over all columns or a subset (the output keeps that subset)."""

    type: Literal["distinct"] = "distinct"
    input: str
    output: str
    columns: list[str] | None = None


class StackRecipe(_Recipe):
    """Union datasets by column name; missing columns are NULL."""

    type: Literal["stack"] = "stack"
    inputs: list[str] = Field(min_length=2)
    output: str
    distinct: bool = False

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


class SqlRecipe(_Recipe):
    """A SQL query over the flow's datasets (its FROM names them), in any dialect sqlglot
    reads; lowered into plan steps, each placed like a hand-built recipe's."""

    type: Literal["sql"] = "sql"
    query: str = Field(description="One SELECT (CTEs, joins, subqueries, set operations...)")
    output: str
    dialect: str | None = Field(
        None, description="sqlglot dialect of the query (default: the flow's formula_dialect)"
    )

    def input_names(self) -> list[str]:
        """The datasets the query reads, as it spells them (CTEs aside); empty when it does
        not parse (the lowering then says why)."""
        try:
            tree = sqlglot.parse_one(self.query, read=self.dialect or None)
        except (ParseError, TokenError, ValueError):
            return []
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        names: list[str] = []
        for table in tree.find_all(exp.Table):
            if not isinstance(table.this, exp.Identifier):
                continue
            name = ".".join(part.name for part in table.parts)
            if (table.db or name.lower() not in ctes) and name not in names:
                names.append(name)
        return names


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
    | PythonRecipe
    | SqlRecipe,
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
        SqlRecipe,
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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of flow files, for editors and validation."""
    schema = FlowSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "pushdown flow"
    return schema
