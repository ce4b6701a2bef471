"""Read flow files (YAML or JSON) into a :class:`FlowSpec`, with errors that name the recipe."""

from __future__ import annotations

import codecs
import io
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
    STEP_KINDS,
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


def _construct_unique_mapping(loader: _Yaml12Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    """A YAML mapping whose keys are all different: a repeated key is an error, not "the
    last one wins"."""
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            continue  # the constructor reports an unhashable key itself
        if key in seen:
            first = seen[key].start_mark.line + 1
            raise FlowFileError(
                f"{Path(key_node.start_mark.name).name}: key {key!r} appears twice in one "
                f"mapping (lines {first} and {key_node.start_mark.line + 1}); YAML keeps only "
                f"the last, so remove or rename one"
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=True)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:map", _construct_unique_mapping)


def _unique_json_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (``json.loads``' object_pairs_hook)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise FlowFileError(
                f"key {key!r} appears twice in one JSON object; JSON readers keep only the "
                f"last, so remove or rename one"
            )
        result[key] = value
    return result


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(raw: bytes, name: str) -> str:
    """The text of a flow file: UTF-8, or UTF-8/16/32 with a byte-order mark (as YAML and
    JSON allow); anything else is a :class:`FlowFileError` saying where it stops being text."""
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        byte = raw[err.start : err.start + 1].hex()
        raise FlowFileError(
            f"{name} is not {encoding.upper().replace('-SIG', '')} text: byte 0x{byte} on line "
            f"{line} cannot be decoded; save the file as UTF-8"
        ) from None


def _named(text: str, name: str) -> io.StringIO:
    """``text`` as a stream YAML's error marks name ``name``."""
    stream = io.StringIO(text)
    stream.name = name
    return stream


def read_flow_file(path: str | Path) -> dict[str, Any]:
    """Parse a ``.yaml``/``.yml``/``.json`` flow file into plain data."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise FlowFileError(f"cannot read flow file {str(p)!r}: {reason}") from None
    text = _decode(raw, p.name)
    kind = "JSON" if p.suffix == ".json" else "YAML"
    try:
        if p.suffix == ".json":
            try:
                data = json.loads(text, object_pairs_hook=_unique_json_keys)
            except FlowFileError as err:
                raise FlowFileError(f"{p.name}: {err}") from None
        else:
            data = yaml.load(_named(text, p.name), Loader=_Yaml12Loader)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        detail = " ".join(str(err).split())
        raise FlowFileError(f"{p.name} is not valid {kind}: {detail}") from None
    except RecursionError:
        raise FlowFileError(f"{p.name}: the {kind} is nested too deeply to be a flow") from None
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
    if len(loc) >= 3 and loc[-3] == "steps" and loc[-1] in STEP_KINDS:
        step = STEP_KINDS[str(loc[-1])]
        return [f.alias or n for n, f in step.model_fields.items()]
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


_UNION_MEMBERS = {"str", "int", "float", "bool", "list", "dict", "none", "WindowColumn"}


def _where(rest: tuple[Any, ...]) -> str:
    # pydantic names the member of a union it tried (columns.s.WindowColumn.frame): drop it
    parts = [str(p) for p in rest if str(p) not in _UNION_MEMBERS and "[" not in str(p)]
    # A tagged union repeats its tag (steps.0.compute.compute.k): say it once.
    kept = [p for i, p in enumerate(parts) if i + 1 >= len(parts) or parts[i + 1] != p]
    return ".".join(kept)


def _step_problem(step: object) -> str:
    """Why ``step`` is not one prepare step."""
    kinds = list(STEP_KINDS)
    if not isinstance(step, dict):
        return (
            f"a prepare step is a mapping such as {{compute: {{col: formula}}}}, not "
            f"{type(step).__name__}"
        )
    known = [k for k in step if k in STEP_KINDS]
    if len(known) > 1:
        return (
            f"one prepare step does one thing, this one has {' and '.join(map(repr, known))}; "
            f"make them separate steps"
        )
    key = str(next(iter(step), ""))
    return f"unknown prepare step {key!r}; {did_you_mean(key, kinds)}"


def spec_from_data(data: dict[str, Any], *, source: str | None = None) -> FlowSpec:
    """Validate plain data as a flow; the first problem becomes a typed, named error.
    ``source`` (a file name) starts the messages of format errors."""
    prefix = f"{source}: " if source else ""
    recipes = data.get("recipes")
    if isinstance(recipes, list):
        for i, r in enumerate(recipes):
            if not isinstance(r, dict):
                continue
            kind = r.get("type")
            types = ", ".join(repr(t) for t in RECIPE_TYPES)
            if kind is None:
                raise FlowFileError(
                    f"{prefix}a recipe needs a 'type', one of {types}",
                    recipe=_recipe_label(data, i),
                )
            if not isinstance(kind, str):
                raise FlowFileError(
                    f"{prefix}'type' is a {type(kind).__name__}, not a string; write one "
                    f"of {types}",
                    recipe=_recipe_label(data, i),
                )
            if kind not in RECIPE_TYPES:
                raise UnknownOptionError(
                    f"unknown recipe type {kind!r}; {did_you_mean(kind, RECIPE_TYPES)}",
                    recipe=_recipe_label(data, i),
                )
    try:
        return FlowSpec.model_validate(data)
    except ValidationError as err:
        problems = err.errors()
        first = next((p for p in problems if p["type"] in _OWN_ERRORS), None)
        first = first or next((p for p in problems if p["type"] == "extra_forbidden"), None)
        # else the most specific problem: a union's member that went deepest into the input
        first = first or max(problems, key=lambda p: len(p["loc"]))
        loc = tuple(first["loc"])
        owner, rest = _owner(data, loc)
        if first["type"] in _OWN_ERRORS:
            raise _OWN_ERRORS[first["type"]](first["msg"], **owner) from None
        if first["type"] == "pushdown_unknown_step":
            raise UnknownOptionError(
                f"{_where(rest)}: {_step_problem(first['input'])}", **owner
            ) from None
        if first["type"] == "extra_forbidden":
            key = str(loc[-1])
            hint = did_you_mean(key, _allowed_keys(data, loc[:-1]))
            inside = _where(rest[:-1])
            inside = f"{inside}: " if inside else ""
            raise UnknownOptionError(f"{inside}unknown option {key!r}; {hint}", **owner) from None
        message = first["msg"]
        if first["type"] == "string_type":
            message += f" (got {first['input']!r}; formulas and names are text: quote them)"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        where = _where(rest if owner else loc)
        where = f"{where}: " if where else ""
        raise FlowFileError(f"{prefix}{where}{message}{more}", **owner) from None
