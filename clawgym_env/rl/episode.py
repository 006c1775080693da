"""Play one episode of a policy on a task and record it as a :class:`Trajectory`.

This is the unit of work of every rollout path (in-process, Ray actors): it
never raises for a broken episode. An infrastructure failure (sandbox, verifier,
a policy that raised, the wall-clock limit, a cancellation) ends the episode as
a failed trajectory with its reason and reward 0.0; the env is closed in every
case before the function returns.

Policies:

* an **agent** (an object with ``start(task)`` and ``act(messages, tools)``,
  such as :class:`~clawgym_env.agents.OracleAgent` or an OpenAI-endpoint
  agent): it is shallow-copied per episode, so state set in ``start`` belongs
  to that episode even when episodes run concurrently;
* a **callable** ``messages -> assistant turn`` (text with ``<tool_call>``
  blocks, an OpenAI assistant message, ...);
* a :class:`~clawgym_env.rl.tokens.TokenPolicy`: the trajectory then carries
  ``prompt_ids``, ``response_ids``, ``response_mask`` and ``response_logprobs``.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from clawgym_env.agents.base import Agent
from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.envs.task import Task
from clawgym_env.rl.tokens import TokenPolicy, TokenTranscript
from clawgym_env.rl.trajectory import Trajectory, TurnRecord, classify_exception, verifier_failure

__all__ = ["EpisodeOptions", "EpisodeSpec", "Policy", "make_env", "run_episode_record"]

Policy = Agent | TokenPolicy | Callable[[list[dict[str, Any]]], Any]
"""What a rollout accepts as a policy; see the module docstring."""


@dataclass(frozen=True)
class EpisodeSpec:
    """Which episode to play: the task, and its place in the batch."""

    env: str | Task
    """A registered env id, or a :class:`~clawgym_env.Task` (shipped to workers as data)."""
    group: int = 0
    member: int = 0
    seed: int | None = 0


@dataclass(frozen=True)
class EpisodeOptions:
    """How to play it."""

    env_kwargs: Mapping[str, Any] = field(default_factory=dict)
    """Passed to ``gym.make`` / :class:`ClawEnv` (``sandbox``, ``max_steps``, ``limits``...)."""
    timeout_s: float | None = None
    """Wall-clock limit of the episode; checked between turns (each tool call has its own limit)."""
    max_response_tokens: int | None = None
    """Token-level policies: the response budget; when it is used up the episode is scored as it stands."""


class _Interrupted(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def make_env(env: str | Task, env_kwargs: Mapping[str, Any]) -> ClawEnv:
    """The :class:`ClawEnv` for a registered id or a task."""
    if isinstance(env, Task):
        return ClawEnv(env, **dict(env_kwargs))
    made = gym.make(env, **dict(env_kwargs))
    unwrapped = made.unwrapped
    if not isinstance(unwrapped, ClawEnv):
        made.close()
        raise TypeError(f"{env!r} is not a ClawGym env (got {type(unwrapped).__name__})")
    return unwrapped


def run_episode_record(
    spec: EpisodeSpec,
    policy: Policy,
    options: EpisodeOptions | None = None,
    *,
    cancel: threading.Event | None = None,
    on_env: Callable[[ClawEnv | None], None] | None = None,
) -> Trajectory:
    """Play ``spec`` with ``policy``; never raises for a broken episode (see the module docstring).

    ``cancel``, when set by another thread, ends the episode before its next
    turn as a ``cancelled`` failure. ``on_env`` is told the live env once it
    exists and ``None`` once it is closed (workers use it to count live sandboxes).
    """
    options = options or EpisodeOptions()
    started = time.monotonic()
    deadline = started + options.timeout_s if options.timeout_s is not None else None
    env_id = spec.env.id if isinstance(spec.env, Task) else spec.env
    trajectory = Trajectory(env_id=env_id, task_id=env_id, group=spec.group, member=spec.member, seed=spec.seed)
    env: ClawEnv | None = None
    stage = "env"
    try:
        env = make_env(spec.env, options.env_kwargs)
        if on_env is not None:
            on_env(env)
        trajectory.task_id = env.task.id
        _, info = env.reset(seed=spec.seed)
        trajectory.messages = info["messages"]
        if isinstance(policy, TokenPolicy):
            stage = _play_tokens(env, info, policy, options, trajectory, cancel, deadline)
        else:
            stage = _play_messages(env, info, policy, options, trajectory, cancel, deadline)
    except _Interrupted as interrupted:
        trajectory.failure_kind, trajectory.failure = interrupted.kind, interrupted.reason
    except Exception as error:  # noqa: BLE001 - every failure becomes data, attributed to its boundary
        trajectory.failure_kind, trajectory.failure = classify_exception(error, during=stage)
    finally:
        if env is not None:
            env.close()
            if on_env is not None:
                on_env(None)
    if trajectory.failure is None and trajectory.verification:
        reason = verifier_failure(trajectory.verification)
        if reason is not None:
            trajectory.failure_kind, trajectory.failure = "verifier", reason
    if trajectory.failure is not None:
        trajectory.reward = 0.0
    trajectory.wall_time_s = time.monotonic() - started
    return trajectory


def _check(cancel: threading.Event | None, deadline: float | None, timeout_s: float | None) -> None:
    if cancel is not None and cancel.is_set():
        raise _Interrupted("cancelled", "the rollout was cancelled")
    if deadline is not None and time.monotonic() > deadline:
        raise _Interrupted("timeout", f"the episode ran past its wall-clock limit of {timeout_s:g} s")


def _finish(trajectory: Trajectory, reward: float, terminated: bool, truncated: bool, info: Mapping[str, Any]) -> None:
    trajectory.reward = float(reward)
    trajectory.terminated, trajectory.truncated = terminated, truncated
    trajectory.verification = dict(info.get("verification") or {})
    trajectory.messages = list(info.get("messages") or trajectory.messages)


def _step(
    env: ClawEnv, action: Any, policy_started: float, trajectory: Trajectory
) -> tuple[float, bool, bool, dict[str, Any]]:
    """Execute one turn and record it; ``(reward, terminated, truncated, info)``."""
    env_started = time.monotonic()
    _, reward, terminated, truncated, info = env.step(action)
    trajectory.turns.append(
        TurnRecord(
            assistant=info["new_messages"][0],
            tool_results=info["tool_results"],
            policy_s=env_started - policy_started,
            env_s=time.monotonic() - env_started,
        )
    )
    trajectory.messages = info["messages"]
    return float(reward), terminated, truncated, info


def _play_messages(
    env: ClawEnv,
    info: Mapping[str, Any],
    policy: Policy,
    options: EpisodeOptions,
    trajectory: Trajectory,
    cancel: threading.Event | None,
    deadline: float | None,
) -> str:
    agent = _as_agent(policy)
    agent.start(env.task)
    messages, tools = info["messages"], info["tools"]
    while True:
        _check(cancel, deadline, options.timeout_s)
        policy_started = time.monotonic()
        try:
            action = agent.act(messages, tools)
        except Exception as error:
            raise _Interrupted(*classify_exception(error, during="policy")) from error
        reward, terminated, truncated, step_info = _step(env, action, policy_started, trajectory)
        messages = step_info["messages"]
        if terminated or truncated:
            _finish(trajectory, reward, terminated, truncated, step_info)
            return "env"


def _play_tokens(
    env: ClawEnv,
    info: Mapping[str, Any],
    policy: TokenPolicy,
    options: EpisodeOptions,
    trajectory: Trajectory,
    cancel: threading.Event | None,
    deadline: float | None,
) -> str:
    transcript = TokenTranscript(policy.tokenizer, info["messages"], info["tools"])
    budget = options.max_response_tokens
    try:
        while True:
            _check(cancel, deadline, options.timeout_s)
            policy_started = time.monotonic()
            try:
                generation = policy.generate(transcript.context_ids)
            except Exception as error:
                raise _Interrupted(*classify_exception(error, during="policy")) from error
            text = transcript.add_generation(generation)
            transcript.close_turn()
            reward, terminated, truncated, step_info = _step(env, text, policy_started, trajectory)
            new_messages = step_info["new_messages"]
            if terminated or truncated:
                _finish(trajectory, reward, terminated, truncated, step_info)
                return "env"
            transcript.add_tool_messages(new_messages[1:])
            if budget is not None and len(transcript.response_ids) >= budget:
                reward, final_info = env.truncate()
                _finish(trajectory, reward, False, True, final_info)
                return "env"
    finally:
        if budget is not None:
            transcript.truncate(budget)
        trajectory.prompt_ids = transcript.prompt_ids
        trajectory.response_ids = transcript.response_ids
        trajectory.response_mask = transcript.response_mask
        trajectory.response_logprobs = transcript.response_logprobs


class _CallableAgent:
    def __init__(self, fn: Callable[[list[dict[str, Any]]], Any]) -> None:
        self._fn = fn

    def start(self, task: Task) -> None:
        return None

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        return self._fn([dict(m) for m in messages])


def _as_agent(policy: Policy) -> Agent:
    if isinstance(policy, Agent):
        return copy.copy(policy)
    if callable(policy):
        return _CallableAgent(policy)
    raise TypeError(
        f"a policy must be an agent (start/act), a callable messages -> turn or a TokenPolicy, "
        f"got {type(policy).__name__}"
    )
