"""Gymnasium's own vectorisation over ClawGym envs, for users who do not want Ray."""

from __future__ import annotations

import gymnasium as gym
import pytest
from gymnasium.vector import AsyncVectorEnv

import clawgym_env  # noqa: F401 - registers the ids in this process (subprocesses import it via gym.make)
from clawgym_env.envs.registration import get_task

pytestmark = pytest.mark.bwrap

IDS = ["ClawGym/task-0000", "ClawGym/task-0002"]


def test_async_vector_env_plays_different_tasks_in_subprocesses() -> None:
    solutions = [list(get_task("builtin:train", i.split("/")[1]).reference_solution or []) for i in IDS]
    envs = AsyncVectorEnv([lambda env_id=env_id: gym.make(env_id) for env_id in IDS], shared_memory=False)
    try:
        observations, infos = envs.reset(seed=0)
        assert [o[:40] for o in observations] == [
            get_task("builtin:train", i.split("/")[1]).instruction[:40] for i in IDS
        ]
        final: dict[int, float] = {}
        scores: dict[int, float] = {}
        for turn in range(max(len(s) for s in solutions) + 1):
            actions = tuple(dict(s[turn]) if turn < len(s) else "Done." for s in solutions)
            _, rewards, terminated, truncated, infos = envs.step(actions)
            assert not truncated.any()
            for i, done in enumerate(terminated):
                if done and i not in final:
                    final[i] = float(rewards[i])
                    scores[i] = float(infos["verification"]["score"][i])
        assert final == {0: 1.0, 1: 1.0}
        assert scores == final
    finally:
        envs.close()


def test_shared_memory_is_refused_with_the_fix() -> None:
    with pytest.raises(TypeError, match="shared_memory=False"):
        AsyncVectorEnv([lambda: gym.make(IDS[0])])
    envs = gym.make_vec(IDS[0], num_envs=2, vectorization_mode="async", vector_kwargs={"shared_memory": False})
    try:
        observations, _ = envs.reset(seed=0)
        assert observations[0] == observations[1] and len(observations[0]) > 40
    finally:
        envs.close()
