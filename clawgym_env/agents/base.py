"""The agent protocol and a loop that runs one episode."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.envs.task import Task

__all__ = ["Agent", "EpisodeResult", "run_episode"]


@runtime_checkable
class Agent(Protocol):
    """Produces one assistant turn at a time.

    ``start`` is called once per episode with the task (agents that do not need
    it ignore it); ``act`` gets the chat so far and the tool schemas and returns
    an action :meth:`ClawEnv.step` accepts (text, an OpenAI message dict, ...).
    """

    def start(self, task: Task) -> None: ...

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any: ...


@dataclass
class EpisodeResult:
    """What one episode produced."""

    task_id: str
    reward: float
    terminated: bool
    truncated: bool
    turns: int
    breakdown: dict[str, float] = field(default_factory=dict)
    verification: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    wall_time_s: float = 0.0


StepCallback = Callable[[int, Any, str, float, dict[str, Any]], None]
"""Called after each step with ``(turn, action, observation, reward, info)``."""


def run_episode(
    env: ClawEnv, agent: Agent, *, seed: int | None = None, on_step: StepCallback | None = None
) -> EpisodeResult:
    """Reset ``env``, let ``agent`` act until the episode ends, and return the outcome."""
    started = time.monotonic()
    _, info = env.reset(seed=seed)
    agent.start(env.task)
    messages, tools = info["messages"], info["tools"]
    turn, reward, terminated, truncated = 0, 0.0, False, False
    while not (terminated or truncated):
        action = agent.act(messages, tools)
        observation, reward, terminated, truncated, info = env.step(action)
        turn += 1
        messages = info["messages"]
        if on_step is not None:
            on_step(turn, action, observation, reward, info)
    verification = info.get("verification", {})
    return EpisodeResult(
        task_id=env.task.id,
        reward=reward,
        terminated=terminated,
        truncated=truncated,
        turns=turn,
        breakdown=dict(verification.get("breakdown", {})),
        verification=verification,
        messages=messages,
        wall_time_s=time.monotonic() - started,
    )
