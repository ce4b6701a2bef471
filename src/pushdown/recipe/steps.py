"""Prepare steps: the operations of a prepare recipe, one key each, as a tagged union (the
key names the step, so a mistake is reported against that step's model)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

_STRICT = ConfigDict(extra="forbid", populate_by_name=True)

Scalar = str | int | float | bool | None


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


STEP_KINDS: dict[str, type[BaseModel]] = {
    "compute": ComputeStep,
    "rename": RenameStep,
    "drop": DropStep,
    "keep": KeepStep,
    "cast": CastStep,
    "fill_nulls": FillNullsStep,
    "if": IfStep,
}


def _step_kind(value: Any) -> str | None:
    """Which prepare step a mapping is, from its keys (so errors speak of that step)."""
    if isinstance(value, dict):
        kinds = [k for k in value if k in STEP_KINDS]
        return kinds[0] if len(kinds) == 1 else None
    for kind, model in STEP_KINDS.items():
        if isinstance(value, model):
            return kind
    return None


PrepareStep = Annotated[
    Annotated[ComputeStep, Tag("compute")]
    | Annotated[RenameStep, Tag("rename")]
    | Annotated[DropStep, Tag("drop")]
    | Annotated[KeepStep, Tag("keep")]
    | Annotated[CastStep, Tag("cast")]
    | Annotated[FillNullsStep, Tag("fill_nulls")]
    | Annotated[IfStep, Tag("if")],
    Discriminator(
        _step_kind,
        custom_error_type="pushdown_unknown_step",
        custom_error_message="not a prepare step",
    ),
]
