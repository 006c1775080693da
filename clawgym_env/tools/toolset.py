"""``ToolSet``: an ordered, immutable collection of tools that executes calls safely.

:meth:`ToolSet.execute` is the one place where agent mistakes turn into
error results: an unknown tool, a call that could not be parsed, arguments
that are not an object, a missing or mistyped argument, a :class:`ToolError`
raised by the tool, or an ``OSError`` from a file operation all come back as
``ToolResult(is_error=True)`` with a message that says what to do. Only
:class:`~clawgym_env.errors.SandboxError` (the infrastructure failed)
propagates. An unexpected exception (a bug in a tool) is logged with its
traceback and also returned as an error result, flagged with
``details["internal_error"] = True``, so one bad call cannot crash a rollout.
"""

from __future__ import annotations

import difflib
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from clawgym_env.errors import SandboxError
from clawgym_env.tools.apply_patch import ApplyPatchTool
from clawgym_env.tools.base import Tool, ToolArgumentError, ToolCall, ToolContext, ToolError, ToolResult
from clawgym_env.tools.files import EditTool, ReadTool, WriteTool
from clawgym_env.tools.paths import scrub_host_paths
from clawgym_env.tools.shell import ExecTool, ProcessTool

__all__ = ["CODING_TOOL_NAMES", "ToolSet", "builtin_tools"]

logger = logging.getLogger(__name__)

CODING_TOOL_NAMES: tuple[str, ...] = ("read", "write", "edit", "exec", "process", "apply_patch")
"""The tools of OpenClaw's ``coding`` profile that this library implements, in schema order."""


def builtin_tools() -> dict[str, Tool]:
    """Fresh instances of every built-in tool, by name."""
    tools: list[Tool] = [ReadTool(), WriteTool(), EditTool(), ExecTool(), ProcessTool(), ApplyPatchTool()]
    return {tool.name: tool for tool in tools}


def _os_error_message(error: OSError) -> str:
    reason = error.strerror or str(error) or type(error).__name__
    name = f": {os.fsdecode(error.filename)}" if error.filename is not None else ""
    return f"{reason}{name}"


class ToolSet:
    """An ordered, immutable set of uniquely named tools."""

    __slots__ = ("_tools",)

    def __init__(self, tools: Iterable[Tool]) -> None:
        ordered: dict[str, Tool] = {}
        for tool in tools:
            if not isinstance(tool, Tool):
                raise TypeError(f"ToolSet holds Tool instances, got {type(tool).__name__}")
            if not tool.name:
                raise ValueError(f"{tool!r} has an empty name")
            if tool.name in ordered:
                raise ValueError(f"two tools are named {tool.name!r}; tool names must be unique")
            ordered[tool.name] = tool
        self._tools: Mapping[str, Tool] = ordered

    # -- construction ---------------------------------------------------------

    @classmethod
    def coding(cls) -> ToolSet:
        """OpenClaw's coding tools: read, write, edit, exec, process, apply_patch."""
        return cls.from_names(CODING_TOOL_NAMES)

    @classmethod
    def from_names(cls, names: Iterable[str]) -> ToolSet:
        """The built-in tools named ``names``, in that order; ``ValueError`` lists valid names."""
        available = builtin_tools()
        chosen: list[Tool] = []
        for name in names:
            if name not in available:
                raise ValueError(f"unknown tool {name!r}; valid tools: {', '.join(available)}")
            chosen.append(available[name])
        return cls(chosen)

    def with_tools(self, *extra: Tool) -> ToolSet:
        """A new set with ``extra`` appended (a duplicate name is a ``ValueError``)."""
        return ToolSet([*self._tools.values(), *extra])

    def subset(self, names: Iterable[str]) -> ToolSet:
        """A new set with only ``names``, in the given order; ``ValueError`` for a name not in this set."""
        chosen: list[Tool] = []
        for name in names:
            if name not in self._tools:
                raise ValueError(f"tool {name!r} is not in this set; it has: {', '.join(self._tools)}")
            chosen.append(self._tools[name])
        return ToolSet(chosen)

    # -- inspection -----------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The tool names, in order."""
        return tuple(self._tools)

    def schemas(self) -> list[dict[str, Any]]:
        """The OpenAI function-calling schemas, in order."""
        return [tool.schema() for tool in self._tools.values()]

    def get(self, name: str) -> Tool | None:
        """The tool called ``name``, or ``None``."""
        return self._tools.get(name)

    def __getitem__(self, name: str) -> Tool:
        return self._tools[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __repr__(self) -> str:
        return f"ToolSet({', '.join(self._tools)})"

    # -- execution ------------------------------------------------------------

    def execute(self, call: ToolCall, ctx: ToolContext) -> ToolResult:
        """Run ``call``; never raises for an agent mistake (see the module docstring).

        ``details`` always holds ``duration_s`` (wall-clock seconds of the call);
        error results also hold ``error_type``.
        """
        started = time.monotonic()
        output, is_error, details = self._dispatch(call, ctx)
        output = scrub_host_paths(ctx.sandbox, output)
        details["duration_s"] = round(time.monotonic() - started, 6)
        return ToolResult(call=call, output=output, is_error=is_error, details=details)

    def _unknown(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self._tools), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        shown = name if name else "(empty)"
        return f"Unknown tool {shown!r}.{hint} Available tools: {', '.join(self._tools)}"

    def _dispatch(self, call: ToolCall, ctx: ToolContext) -> tuple[str, bool, dict[str, Any]]:
        if call.parse_error is not None:
            return f"Could not parse the tool call: {call.parse_error}", True, {"error_type": "parse_error"}
        tool = self._tools.get(call.name) if isinstance(call.name, str) else None
        if tool is None:
            return self._unknown(str(call.name)), True, {"error_type": "unknown_tool"}
        if not isinstance(call.arguments, Mapping):
            kind = type(call.arguments).__name__
            message = f"The arguments of {tool.name} must be a JSON object, got {kind}."
            return message, True, {"error_type": "invalid_arguments"}
        try:
            output, details = tool.execute(ctx, call.arguments)
        except SandboxError:
            raise
        except ToolError as error:
            kind = "invalid_arguments" if isinstance(error, ToolArgumentError) else "tool_error"
            details = {**error.details, "error_type": kind}
            return f"{tool.name}: {error}" if kind == "invalid_arguments" else str(error), True, details
        except OSError as error:
            return f"{tool.name} failed: {_os_error_message(error)}", True, {"error_type": "os_error"}
        except Exception as error:  # a tool bug must not crash the rollout; it is logged
            logger.exception("tool %s raised on call %r", tool.name, call)
            message = f"{tool.name} failed with an internal error ({type(error).__name__}: {error})"
            return message, True, {"error_type": "internal_error", "internal_error": True}
        if not isinstance(output, str) or not isinstance(details, dict):
            logger.error("tool %s returned %r instead of (str, dict)", tool.name, (output, details))
            return f"{tool.name} returned an invalid result", True, {"error_type": "internal_error"}
        return output, False, dict(details)
