"""The Python builder's arguments: lists and mappings as the flow format wants them.

A string where a list belongs is an error rather than a list of its characters
(``pivot(values="open")`` would pivot on ``o``, ``p``, ``e``, ``n``): write ``["open"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pushdown.errors import InvalidValueError


def listed(value: object, option: str, recipe: str) -> list[Any]:
    """``value`` as a list; a string, a mapping or a non-iterable is an InvalidValueError."""
    if isinstance(value, str | bytes):
        raise InvalidValueError(
            f"{option!r} takes a list, not the string {value!r}; write [{value!r}]", recipe=recipe
        )
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise InvalidValueError(
            f"{option!r} takes a list, not {type(value).__name__}", recipe=recipe
        )
    return list(value)


def mapped(
    value: object, option: str, recipe: str | None = None, *, dataset: str | None = None
) -> dict[Any, Any]:
    """``value`` as a dict; anything but a mapping is an InvalidValueError naming the recipe
    (or the source ``dataset``)."""
    if not isinstance(value, Mapping):
        raise InvalidValueError(
            f"{option!r} takes a mapping (name -> value), not {type(value).__name__}",
            recipe=recipe,
            dataset=dataset,
        )
    return dict(value)


def listed_or_none(value: object, option: str, recipe: str) -> list[Any] | None:
    """Like :func:`listed`, keeping ``None``."""
    return None if value is None else listed(value, option, recipe)
