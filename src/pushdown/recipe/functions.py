"""Python functions of python recipes: the references a flow stores for them, and the
callables behind references read from a flow file.

A function given as a callable is stored as ``module:qualname`` (``#2``, ``#3``... for another
function of the same name, such as a second lambda or a second closure of one factory, so no
function replaces another); a reference from a file is imported, first as ``module.py`` next
to the flow file.  A module that does not load is a :class:`FlowError` naming the recipe.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from pushdown.errors import FlowError, InvalidValueError

PythonFunction = Callable[[pa.RecordBatch], pa.RecordBatch]


def register_function(functions: dict[str, PythonFunction], function: PythonFunction | str) -> str:
    """The reference a python recipe stores for ``function`` (added to ``functions``)."""

    if isinstance(function, str):
        return function
    if not callable(function):
        raise InvalidValueError(
            f"a python recipe takes a function or 'module:function', not {type(function).__name__}"
        )
    module = getattr(function, "__module__", None) or "__main__"
    qualname = getattr(function, "__qualname__", None) or type(function).__qualname__
    base = ref = f"{module}:{qualname}"
    number = 1
    while ref in functions and functions[ref] != function:
        number += 1
        ref = f"{base}#{number}"
    functions[ref] = function
    return ref


def _import(base_dir: Path | None, module_name: str) -> Any:
    """Import ``module_name``; a flow file's folder is searched for ``module_name.py``."""
    local = base_dir / (module_name.replace(".", "/") + ".py") if base_dir else None
    if local is not None and local.is_file():
        key = f"_pushdown_flow_{abs(hash(str(local)))}_{module_name}"
        if key in sys.modules:
            return sys.modules[key]
        spec = importlib.util.spec_from_file_location(key, local)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[key]  # a module that failed to load is not kept half-made
            raise
        return module
    return importlib.import_module(module_name)


def resolve_function(
    functions: dict[str, PythonFunction], base_dir: Path | None, ref: str, recipe: str
) -> PythonFunction:
    """The callable behind a python recipe's ``function`` reference."""

    if ref in functions:
        return functions[ref]
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise FlowError(f"function {ref!r} is not 'module:function'", recipe=recipe)
    if "#" in attr or "<" in attr:
        raise FlowError(
            f"function {ref!r} was an in-memory function (a lambda, a closure or a second "
            f"function of that name) of a flow built in Python; a flow file names a "
            f"module-level function, 'module:function'",
            recipe=recipe,
        )
    try:
        obj: Any = _import(base_dir, module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as err:
        raise FlowError(f"cannot import python function {ref!r}: {err}", recipe=recipe) from None
    except SyntaxError as err:
        raise FlowError(
            f"cannot import python function {ref!r}: module {module_name!r} has a syntax "
            f"error on line {err.lineno}: {err.msg}",
            recipe=recipe,
        ) from None
    except SystemExit as err:
        raise FlowError(
            f"cannot import python function {ref!r}: importing module {module_name!r} "
            f"called sys.exit({err.code!r})",
            recipe=recipe,
        ) from None
    except Exception as err:
        raise FlowError(
            f"cannot import python function {ref!r}: importing module {module_name!r} "
            f"raised {type(err).__name__}: {err}",
            recipe=recipe,
        ) from err
    if not callable(obj):
        raise FlowError(f"{ref!r} is not callable", recipe=recipe)
    return obj  # type: ignore[no-any-return]
