"""An agent that emits random, often malformed tool calls: for robustness testing of envs and trainers."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

from clawgym_env.envs.task import Task

__all__ = ["RandomAgent"]

_PATHS = ("notes.md", "data/report.csv", "../etc/passwd", "/etc/hostname", "", "a" * 300, "missing/dir/x.txt")
_COMMANDS = ("ls -R", "cat notes.md", "sleep 0.1", "false", "echo $((1/0))", "head -c 5000 /dev/urandom", "exit 3")
_JUNK = (
    '<tool_call>{"name": "read", "arguments": {"path": </tool_call>',
    "<tool_call>not json at all</tool_call>",
    '<tool_call>{"name": "teleport", "arguments": {}}</tool_call>',
    '<tool_call>{"arguments": {"path": "notes.md"}}</tool_call>',
    '<tool_call>{"name": "exec"}',
    '```json\n{"name": "read"}\n```',
    "\x00\ufffd<tool_call>\udcff</tool_call>",
)


class RandomAgent:
    """Random turns mixing valid calls with wrong arguments, unknown tools and broken syntax.

    ``seed`` makes it reproducible (each episode reseeds from it and the task id);
    ``final_after`` ends the episode after that many turns.
    """

    def __init__(self, seed: int = 0, *, final_after: int = 8) -> None:
        self.seed = seed
        self.final_after = final_after
        self._rng = random.Random(seed)
        self._turn = 0

    def start(self, task: Task) -> None:
        self._rng = random.Random(f"{self.seed}:{task.id}")
        self._turn = 0

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        self._turn += 1
        if self._turn > self.final_after:
            return "Done."
        rng = self._rng
        kind = rng.randrange(4)
        if kind == 0:
            return rng.choice(_JUNK)
        names = [tool["function"]["name"] for tool in tools] or ["read"]
        calls = []
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(names)
            arguments: dict[str, Any] = rng.choice(
                [
                    {"path": rng.choice(_PATHS)},
                    {"command": rng.choice(_COMMANDS)},
                    {"path": rng.choice(_PATHS), "content": "x" * rng.randint(0, 50)},
                    {"path": rng.choice(_PATHS), "oldText": "a", "newText": "b"},
                    {"unexpected": [1, 2, 3]},
                    {},
                ]
            )
            calls.append({"name": name, "arguments": arguments})
        if kind == 1:
            return calls[0]
        if kind == 2:
            return "".join(f"<tool_call>{json.dumps(call)}</tool_call>" for call in calls)
        return calls
