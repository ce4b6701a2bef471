"""Read flow files (YAML or JSON) into a :class:`FlowSpec`, with errors that name the recipe."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pushdown.errors import (
    DuplicateNameError,
    FlowError,
    FlowFileError,
    InvalidNameError,
    InvalidValueError,
    UnknownOptionError,
    did_you_mean,
)
from pushdown.recipe.spec import (
    DUPLICATE_NAME,
    INVALID_NAME,
    INVALID_VALUE,
    RECIPE_TYPES,
    DatasetSpec,
    FlowSpec,
    OutputSpec,
)


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so the join option ``on:`` stays a string key."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_flow_file(path: str | Path) -> dict[str, Any]:
    """Parse a ``.yaml``/``.yml``/``.json`` flow file into plain data."""
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as err:
        raise FlowFileError(f"cannot read flow file {str(p)!r}: {err.strerror}") from None
    try:
        data = json.loads(text) if p.suffix == ".json" else yaml.load(text, Loader=_Yaml12Loader)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        kind = "JSON" if p.suffix == ".json" else "YAML"
        detail = " ".join(str(err).split())
        raise FlowFileError(f"{p.name} is not valid {kind}: {detail}") from None
    if not isinstance(data, dict):
        raise FlowFileError(f"{p.name}: a flow file holds a mapping at the top level")
    return data


def _recipe_label(data: dict[str, Any], index: int) -> str:
    recipes = data.get("recipes") or []
    if isinstance(recipes, list) and index < len(recipes) and isinstance(recipes[index], dict):
        r = recipes[index]
        for key in ("name", "output"):
            if isinstance(r.get(key), str) and r[key]:
                return str(r[key])
        if isinstance(r.get("outputs"), dict) and r["outputs"]:
            return str(next(iter(r["outputs"])))
    return f"#{index + 1}"


def _item_name(data: dict[str, Any], section: str, index: int, key: str) -> str:
    """The name of the ``index``-th entry of ``datasets`` or ``outputs`` (``#n`` if none)."""
    items = data.get(section)
    if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
        value = items[index].get(key)
        if isinstance(value, str) and value:
            return value
    return f"#{index + 1}"


def _allowed_keys(data: dict[str, Any], loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed where an unknown key was found (for did-you-mean)."""
    if loc and loc[0] == "recipes" and len(loc) >= 3:
        cls = RECIPE_TYPES.get(str(loc[2]))
        if cls is not None:
            return [f.alias or n for n, f in cls.model_fields.items()]
    if loc and loc[0] in ("datasets", "outputs") and len(loc) == 2:
        model = DatasetSpec if loc[0] == "datasets" else OutputSpec
        return [f.alias or n for n, f in model.model_fields.items()]
    if not loc:
        return [f.alias or n for n, f in FlowSpec.model_fields.items()]
    return []


_OWN_ERRORS: dict[str, type[FlowError]] = {
    INVALID_NAME: InvalidNameError,
    INVALID_VALUE: InvalidValueError,
    DUPLICATE_NAME: DuplicateNameError,
}


def _owner(data: dict[str, Any], loc: tuple[Any, ...]) -> tuple[dict[str, str], tuple[Any, ...]]:
    """Who an error at ``loc`` belongs to (``recipe=`` or ``dataset=``), and the rest of
    ``loc`` inside it."""
    if len(loc) > 1 and isinstance(loc[1], int):
        if loc[0] == "recipes":
            return {"recipe": _recipe_label(data, loc[1])}, loc[3:]
        if loc[0] == "datasets":
            return {"dataset": _item_name(data, "datasets", loc[1], "name")}, loc[2:]
        if loc[0] == "outputs":
            return {"dataset": _item_name(data, "outputs", loc[1], "dataset")}, loc[2:]
    return {}, loc


def _where(rest: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in rest)


def spec_from_data(data: dict[str, Any], *, source: str = "flow") -> FlowSpec:
    """Validate plain data as a flow; the first problem becomes a typed, named error."""
    recipes = data.get("recipes")
    if isinstance(recipes, list):
        for i, r in enumerate(recipes):
            if isinstance(r, dict) and r.get("type") not in RECIPE_TYPES:
                kind = r.get("type")
                raise UnknownOptionError(
                    f"unknown recipe type {kind!r}; {did_you_mean(str(kind), RECIPE_TYPES)}",
                    recipe=_recipe_label(data, i),
                )
    try:
        return FlowSpec.model_validate(data)
    except ValidationError as err:
        problems = err.errors()
        first = next((p for p in problems if p["type"] in _OWN_ERRORS), None)
        first = first or next((p for p in problems if p["type"] == "extra_forbidden"), problems[0])
        loc = tuple(first["loc"])
        owner, rest = _owner(data, loc)
        if first["type"] in _OWN_ERRORS:
            raise _OWN_ERRORS[first["type"]](first["msg"], **owner) from None
        if first["type"] == "extra_forbidden":
            key = str(loc[-1])
            hint = did_you_mean(key, _allowed_keys(data, loc[:-1]))
            raise UnknownOptionError(f"unknown option {key!r}; {hint}", **owner) from None
        message = first["msg"]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        where = _where(rest if owner else loc)
        where = f"{where}: " if where else ""
        raise FlowFileError(f"{source}: {where}{message}{more}", **owner) from None
