"""Argument readers shared by the tools.

Models are sloppy with JSON types (``"10"`` for ``10``, ``"true"`` for
``true``), so the readers accept the obvious spellings and raise
:class:`~clawgym_env.tools.base.ToolArgumentError` with the argument's name and
expected type for anything else. Aliases let one tool accept the parameter
names other agent harnesses use (``file_path`` for ``path``, ...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from clawgym_env.tools.base import ToolArgumentError

__all__ = ["get_bool", "get_int", "get_number", "get_str", "get_str_map", "get_text", "pick"]

_MISSING = object()


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def pick(arguments: Mapping[str, Any], name: str, aliases: Sequence[str] = ()) -> tuple[str, Any]:
    """Return ``(key, value)`` for the first of ``name``/``aliases`` present (``None`` counts as absent).

    When none is present the value is a private sentinel; callers use the
    ``get_*`` helpers instead of this directly.
    """
    for key in (name, *aliases):
        if key in arguments and arguments[key] is not None:
            return key, arguments[key]
    return name, _MISSING


def _missing(name: str, kind: str, aliases: Sequence[str]) -> ToolArgumentError:
    also = f" (also accepted as {', '.join(repr(a) for a in aliases)})" if aliases else ""
    return ToolArgumentError(f"missing required argument {name!r}: expected {kind}{also}")


def get_str(
    arguments: Mapping[str, Any],
    name: str,
    *,
    aliases: Sequence[str] = (),
    required: bool = True,
    default: str | None = None,
    allow_empty: bool = True,
) -> str | None:
    """A string argument; numbers are not silently turned into strings."""
    key, value = pick(arguments, name, aliases)
    if value is _MISSING:
        if required:
            raise _missing(name, "a string", aliases)
        return default
    if not isinstance(value, str):
        raise ToolArgumentError(f"argument {key!r} must be a string, got {_describe(value)}")
    if not allow_empty and not value.strip():
        raise ToolArgumentError(f"argument {key!r} must be a non-empty string")
    return value


def get_text(arguments: Mapping[str, Any], name: str, *, aliases: Sequence[str] = (), allow_empty: bool = True) -> str:
    """A required string argument (see :func:`get_str`)."""
    value = get_str(arguments, name, aliases=aliases, required=True, allow_empty=allow_empty)
    if value is None:  # unreachable: get_str raises when a required argument is missing
        raise _missing(name, "a string", aliases)
    return value


def get_int(
    arguments: Mapping[str, Any],
    name: str,
    *,
    aliases: Sequence[str] = (),
    default: int | None = None,
    minimum: int | None = None,
) -> int | None:
    """An optional integer argument; accepts ``3``, ``3.0`` and ``"3"``."""
    key, value = pick(arguments, name, aliases)
    if value is _MISSING:
        return default
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None:
        raise ToolArgumentError(f"argument {key!r} must be an integer, got {_describe(value)}")
    if minimum is not None and number < minimum:
        raise ToolArgumentError(f"argument {key!r} must be >= {minimum}, got {number}")
    return number


def get_number(
    arguments: Mapping[str, Any],
    name: str,
    *,
    aliases: Sequence[str] = (),
    default: float | None = None,
    positive: bool = False,
) -> float | None:
    """An optional finite number; accepts ints, floats and numeric strings."""
    key, value = pick(arguments, name, aliases)
    if value is _MISSING:
        return default
    number: float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            number = None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise ToolArgumentError(f"argument {key!r} must be a number, got {_describe(value)}")
    if positive and number <= 0:
        raise ToolArgumentError(f"argument {key!r} must be > 0, got {value!r}")
    return number


def get_bool(arguments: Mapping[str, Any], name: str, *, aliases: Sequence[str] = (), default: bool = False) -> bool:
    """An optional boolean; accepts ``true``/``false`` and their string spellings."""
    key, value = pick(arguments, name, aliases)
    if value is _MISSING:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ToolArgumentError(f"argument {key!r} must be a boolean (true or false), got {_describe(value)}")


def get_str_map(arguments: Mapping[str, Any], name: str, *, aliases: Sequence[str] = ()) -> dict[str, str]:
    """An optional object of string values (numbers and booleans are stringified)."""
    key, value = pick(arguments, name, aliases)
    if value is _MISSING:
        return {}
    if not isinstance(value, Mapping):
        raise ToolArgumentError(f"argument {key!r} must be an object of strings, got {_describe(value)}")
    result: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(k, str) or not k or "=" in k or "\0" in k:
            raise ToolArgumentError(f"argument {key!r} has an invalid variable name {k!r}")
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, int | float):
            v = str(v)
        if not isinstance(v, str):
            raise ToolArgumentError(f"argument {key!r}: the value of {k!r} must be a string, got {_describe(v)}")
        if "\0" in v:
            raise ToolArgumentError(f"argument {key!r}: the value of {k!r} contains a NUL byte")
        result[k] = v
    return result
