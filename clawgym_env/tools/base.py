"""The tool contract: what a tool is, what a call and a result look like.

Tools are plain objects with a name, a description, a JSON-schema of their
parameters and an ``execute`` method. They know nothing of RL: they act on a
:class:`ToolContext` (a sandbox plus per-episode state) and return a
:class:`ToolResult`. A mistake in a call (unknown tool, bad arguments, a path
outside the workspace, a timeout) is returned as a result with
``is_error=True``; only infrastructure failures (:class:`clawgym_env.errors.SandboxError`)
propagate.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clawgym_env.sandbox.base import BackgroundProcess, Sandbox

__all__ = [
    "Tool",
    "ToolArgumentError",
    "ToolCall",
    "ToolContext",
    "ToolError",
    "ToolResult",
]


@dataclass(frozen=True)
class ToolCall:
    """One tool call as the agent emitted it."""

    name: str
    """The tool's name (may be unknown or empty: that is an agent error, not ours)."""
    arguments: Mapping[str, Any] = field(default_factory=dict)
    """Parsed arguments."""
    id: str = ""
    """The call id (OpenAI ``tool_call_id``); generated when the agent gave none."""
    parse_error: str | None = None
    """Why the call could not be parsed (malformed JSON, ...); the call then fails with it."""

    def to_openai(self) -> dict[str, Any]:
        """The call as an OpenAI ``tool_calls`` entry (arguments JSON-encoded)."""
        import json

        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": json.dumps(dict(self.arguments), ensure_ascii=False)},
        }


@dataclass(frozen=True)
class ToolResult:
    """What one tool call produced."""

    call: ToolCall
    """The call this answers."""
    output: str
    """The text the model sees (the tool message's content)."""
    is_error: bool = False
    """True when the call failed (the text then says why and what to do)."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """Structured facts for trainers and logs (exit code, path, truncation, ...)."""


class ToolError(Exception):
    """Raised inside a tool for an agent mistake; becomes an error :class:`ToolResult`.

    Never escapes :meth:`clawgym_env.tools.ToolSet.execute`. ``details``
    (optional, keyword-only) are merged into the result's details, e.g. the
    exit code of a command that timed out.
    """

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details: dict[str, Any] = dict(details or {})


class ToolArgumentError(ToolError):
    """A missing, unknown-typed or invalid argument."""


@dataclass
class ToolContext:
    """Per-episode state the tools act on."""

    sandbox: Sandbox
    """Where commands run; its ``workspace`` is the host directory behind ``mount_path``."""
    sessions: dict[str, BackgroundProcess] = field(default_factory=dict)
    """Background ``exec`` sessions by id, managed by the ``process`` tool."""
    session_commands: dict[str, str] = field(default_factory=dict)
    """The command each background session was started with."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Tool-private per-episode state, keyed by the owning module (e.g. the
    ``exec``/``process`` session bookkeeping). Tools must not read each other's keys."""

    def close(self) -> None:
        """Kill every background session (the sandbox's own ``close`` does too)."""
        for process in self.sessions.values():
            process.kill()


class Tool(abc.ABC):
    """A tool the agent can call.

    Subclasses set :attr:`name`, :attr:`description` and :attr:`parameters`
    (a JSON schema object) and implement :meth:`execute`, raising
    :class:`ToolError` for agent mistakes.
    """

    name: str = ""
    description: str = ""
    parameters: Mapping[str, Any] = {"type": "object", "properties": {}}

    def schema(self) -> dict[str, Any]:
        """The OpenAI function-calling schema of this tool."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": dict(self.parameters)},
        }

    @abc.abstractmethod
    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Run the tool; return ``(output_text, details)`` or raise :class:`ToolError`."""

    def __repr__(self) -> str:
        return f"<Tool {self.name}>"
