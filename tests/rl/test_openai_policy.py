"""OpenAIAgent with the real ``openai`` client over loopback HTTP, in process and in the Ray pool."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import gymnasium as gym
import pytest

from clawgym_env.agents import OpenAIAgent
from clawgym_env.rl import EpisodeSpec, run_episode_record

pytest.importorskip("openai", reason="OpenAIAgent needs the openai client: pip install 'clawgym-env[rl]'")

pytestmark = pytest.mark.bwrap

ENV_ID = "ClawGym/task-0001"


class ScriptedChatServer(ThreadingHTTPServer):
    """Test double at the network edge: a chat-completions endpoint that plays a task's reference solution.

    The turn is read off the request (assistant messages so far); every request body is kept.
    """

    daemon_threads = True

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.steps = steps
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedChatServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        if self.server.fail_with is not None:
            self._send(self.server.fail_with, {"error": {"message": "scripted outage", "type": "server_error"}})
            return
        turn = sum(1 for m in body["messages"] if m["role"] == "assistant")
        message: dict[str, Any] = {"role": "assistant", "content": ""}
        if turn < len(self.server.steps):
            step = self.server.steps[turn]
            message["tool_calls"] = [
                {
                    "id": f"call_{turn}",
                    "type": "function",
                    "function": {"name": step["name"], "arguments": json.dumps(step["arguments"])},
                }
            ]
        else:
            message["content"] = "Finished."
        self._send(
            200,
            {
                "id": f"chatcmpl-{turn}",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[ScriptedChatServer]:
    env = gym.make(ENV_ID).unwrapped
    steps = [dict(step) for step in env.task.reference_solution]
    env.close()
    httpd = ScriptedChatServer(steps)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_openai_agent_solves_a_task_over_loopback(server: ScriptedChatServer) -> None:
    agent = OpenAIAgent("scripted-model", base_url=server.base_url, max_retries=0)
    trajectory = run_episode_record(EpisodeSpec(ENV_ID), agent)
    assert trajectory.failure is None and trajectory.reward == 1.0
    assert len(server.requests) == len(server.steps) + 1
    first, last = server.requests[0], server.requests[-1]
    assert first["model"] == "scripted-model" and [m["role"] for m in first["messages"]] == ["system", "user"]
    assert {tool["function"]["name"] for tool in first["tools"]} >= {"read", "write", "exec"}
    tool_messages = [m for m in last["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == [f"call_{i}" for i in range(len(server.steps))]


def test_an_endpoint_outage_is_a_policy_failure(server: ScriptedChatServer) -> None:
    server.fail_with = 503
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
