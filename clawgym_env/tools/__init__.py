"""OpenClaw-compatible tools: ``read``, ``write``, ``edit``, ``exec``, ``process``, ``apply_patch``.

>>> from clawgym_env.tools import ToolContext, ToolSet, parse_assistant_turn
>>> tools = ToolSet.coding()
>>> turn = parse_assistant_turn('<tool_call>{"name": "exec", "arguments": {"command": "ls"}}</tool_call>')
>>> results = [tools.execute(call, ToolContext(sandbox)) for call in turn.tool_calls]  # doctest: +SKIP

The tools know nothing of RL: they act on a :class:`ToolContext` (a sandbox
plus per-episode state) and return :class:`ToolResult` objects; agent
mistakes come back as error results (see :mod:`clawgym_env.tools.toolset`).
"""

from __future__ import annotations

from clawgym_env.tools.apply_patch import ApplyPatchTool
from clawgym_env.tools.base import Tool, ToolArgumentError, ToolCall, ToolContext, ToolError, ToolResult
from clawgym_env.tools.files import EditTool, ReadTool, WriteTool
from clawgym_env.tools.parsing import AssistantTurn, parse_assistant_turn
from clawgym_env.tools.paths import resolve_path, resolve_relative
from clawgym_env.tools.shell import ExecTool, ProcessTool
from clawgym_env.tools.toolset import CODING_TOOL_NAMES, ToolSet

__all__ = [
    "CODING_TOOL_NAMES",
    "ApplyPatchTool",
    "AssistantTurn",
    "EditTool",
    "ExecTool",
    "ProcessTool",
    "ReadTool",
    "Tool",
    "ToolArgumentError",
    "ToolCall",
    "ToolContext",
    "ToolError",
    "ToolResult",
    "ToolSet",
    "WriteTool",
    "parse_assistant_turn",
    "resolve_path",
    "resolve_relative",
]
