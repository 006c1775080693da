"""RandomAgent: garbage turns are observations, never exceptions, on every backend."""

from __future__ import annotations

import gymnasium as gym

import clawgym_env  # noqa: F401 - registers the ids
from clawgym_env.agents import RandomAgent, run_episode


def test_random_turns_never_break_an_episode(backend: str) -> None:
    env = gym.make("ClawGym/task-0003", sandbox=backend).unwrapped
    errors = 0
    try:
        for seed in range(6):
            result = run_episode(env, RandomAgent(seed, final_after=6), seed=0)
            assert result.terminated and 0.0 <= result.reward <= 1.0
            assert result.verification["exit_code"] == 0, result.verification
            errors += sum(1 for m in result.messages if m["role"] == "tool" and "error" in m["content"].lower())
    finally:
        env.close()
    assert errors > 0, "the random agent should provoke tool errors"


def test_random_agent_is_reproducible() -> None:
    env = gym.make("ClawGym/task-0003").unwrapped
    try:
        first = run_episode(env, RandomAgent(7, final_after=4), seed=0).messages
        second = run_episode(env, RandomAgent(7, final_after=4), seed=0).messages
    finally:
        env.close()
    assert [m.get("tool_calls") for m in first] == [m.get("tool_calls") for m in second]
