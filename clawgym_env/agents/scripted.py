"""Scripted agents: the task's reference solution, and doing nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from clawgym_env.envs.task import Task
from clawgym_env.errors import TaskError

__all__ = ["NoopAgent", "OracleAgent"]


class OracleAgent:
    """Replays ``task.reference_solution``: one tool call per turn, then a final message.

    Raises :class:`~clawgym_env.errors.TaskError` at ``start`` if the task has
    no reference solution.
    """

    final_message = "Done: every step of the reference solution has been applied."

    def __init__(self) -> None:
        self._steps: list[Mapping[str, Any]] = []
        self._next = 0

    def start(self, task: Task) -> None:
        if task.reference_solution is None:
            raise TaskError(f"task {task.id} has no reference solution; the oracle agent cannot play it")
        self._steps = list(task.reference_solution)
        self._next = 0

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        if self._next >= len(self._steps):
            return self.final_message
        step = self._steps[self._next]
        self._next += 1
        call = {
            "id": f"oracle_{self._next}",
            "type": "function",
            "function": {"name": step["name"], "arguments": json.dumps(dict(step["arguments"]), ensure_ascii=False)},
        }
        return {"role": "assistant", "content": "", "tool_calls": [call]}


class NoopAgent:
    """Answers at once without touching the workspace (scores what an untouched workspace scores)."""

    final_message = "I looked at the request but made no changes."

    def start(self, task: Task) -> None:
        return None

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        return self.final_message
