"""OpenAIAgent with the real ``openai`` client over loopback HTTP, in process and in the Ray pool."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import gymnasium as gym
import pytest
from _chat_server import ScriptedChatServer

from clawgym_env.agents import OpenAIAgent
from clawgym_env.rl import EpisodeSpec, run_episode_record

pytest.importorskip("openai", reason="OpenAIAgent needs the openai client: pip install 'clawgym-env[rl]'")

pytestmark = pytest.mark.bwrap

ENV_ID = "ClawGym/task-0001"


class ReferencePlayer:
    """Answers with the task's reference solution, one tool call per turn (read off the request), then a final
    message; or fails with ``fail_with``."""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        self.steps = steps
        self.fail_with: int | None = None

    def __call__(self, body: dict[str, Any]) -> dict[str, Any] | int:
        if self.fail_with is not None:
            return self.fail_with
        turn = sum(1 for m in body["messages"] if m["role"] == "assistant")
        if turn >= len(self.steps):
            return {"content": "Finished."}
        step = self.steps[turn]
        call = {
            "id": f"call_{turn}",
            "type": "function",
            "function": {"name": step["name"], "arguments": json.dumps(step["arguments"])},
        }
        return {"content": "", "tool_calls": [call]}


@pytest.fixture
def player() -> ReferencePlayer:
    env = gym.make(ENV_ID).unwrapped
    steps = [dict(step) for step in env.task.reference_solution]
    env.close()
    return ReferencePlayer(steps)


@pytest.fixture
def server(player: ReferencePlayer) -> Iterator[ScriptedChatServer]:
    with ScriptedChatServer(player) as httpd:
        yield httpd


def test_openai_agent_solves_a_task_over_loopback(server: ScriptedChatServer, player: ReferencePlayer) -> None:
    agent = OpenAIAgent("scripted-model", base_url=server.base_url, max_retries=0)
    trajectory = run_episode_record(EpisodeSpec(ENV_ID), agent)
    assert trajectory.failure is None and trajectory.reward == 1.0
    assert len(server.requests) == len(player.steps) + 1
    first, last = server.requests[0], server.requests[-1]
    assert first["model"] == "scripted-model" and [m["role"] for m in first["messages"]] == ["system", "user"]
    assert {tool["function"]["name"] for tool in first["tools"]} >= {"read", "write", "exec"}
    tool_messages = [m for m in last["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == [f"call_{i}" for i in range(len(player.steps))]


def test_an_endpoint_outage_is_a_policy_failure(server: ScriptedChatServer, player: ReferencePlayer) -> None:
    player.fail_with = 503
    trajectory = run_episode_record(EpisodeSpec(ENV_ID), OpenAIAgent("m", base_url=server.base_url, max_retries=0))
    assert trajectory.failure_kind == "policy" and "503" in (trajectory.failure or "")
    assert trajectory.reward == 0.0


def test_openai_agent_in_the_ray_pool(server: ScriptedChatServer) -> None:
    ray = pytest.importorskip("ray", reason="RolloutPool needs Ray: pip install 'clawgym-env[rl]'")
    from clawgym_env.rl import RolloutPool

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    agent = OpenAIAgent("scripted-model", base_url=server.base_url, max_retries=0)
    agent.act([{"role": "user", "content": "warm up"}], [])  # a live client must not stop the agent pickling
    with RolloutPool(num_actors=1, max_live_envs=2, ray_init_kwargs={"num_cpus": 1}) as pool:
        batch = pool.rollout([ENV_ID], agent, n=2)
    assert [t.reward for t in batch.groups[0]] == [1.0, 1.0], [t.failure for t in batch.groups[0]]
