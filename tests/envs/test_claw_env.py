"""ClawEnv: the Gymnasium contract, the episode, rewards and cleanup."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import clawgym_env
from clawgym_env import ClawEnv, Task, Verifier
from clawgym_env.agents import NoopAgent, OracleAgent, run_episode
from clawgym_env.envs.registration import ENTRY_POINT, get_task
from clawgym_env.envs.suite import FAMILIES
from clawgym_env.errors import EnvStateError

FIXTURE_IDS = sorted(
    s.id for s in gym.registry.values() if s.entry_point == ENTRY_POINT and s.id.startswith("Fixture/")
)
W = "/root/.openclaw/workspace"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "released"


def _make(env_id: str, backend: str, **kwargs: object) -> ClawEnv:
    return gym.make(env_id, sandbox=backend, **kwargs).unwrapped  # type: ignore[return-value]


def test_fixture_ids_are_registered() -> None:
    assert "Fixture/task-0042" in FIXTURE_IDS
    assert len(FIXTURE_IDS) == 6


@pytest.mark.parametrize("env_id", FIXTURE_IDS)
def test_reference_solution_scores_one_and_noop_scores_zero(env_id: str, backend: str) -> None:
    env = _make(env_id, backend)
    try:
        solved = run_episode(env, OracleAgent(), seed=0)
        assert solved.reward == 1.0, solved.verification
        assert solved.terminated and not solved.truncated
        assert solved.breakdown and all(v == 1.0 for v in solved.breakdown.values())
        assert len(solved.breakdown) >= 4
        idle = run_episode(env, NoopAgent(), seed=0)
        assert idle.reward == 0.0, idle.verification
    finally:
        env.close()


# Every fixture, and a built-in task of every scenario in each suite (test_suite.py proves the suites).
CHECK_ENV_IDS = [
    *FIXTURE_IDS,
    *(f"ClawGym/task-{i:04d}" for i in range(0, len(FAMILIES), 7)),
    *(f"ClawGym-Bench/task-{i:04d}" for i in range(10)),
]


@pytest.mark.parametrize("env_id", CHECK_ENV_IDS)
def test_check_env_passes(env_id: str) -> None:
    env = gym.make(env_id)
    try:
        check_env(env.unwrapped, skip_render_check=True)
    finally:
        env.close()


def test_reset_returns_instruction_tools_and_messages() -> None:
    env = gym.make("Fixture/task-0042")
    try:
        obs, info = env.reset(seed=0)
        task = get_task(str(FIXTURES), "task-0042")
        assert obs == task.instruction
        assert [m["role"] for m in info["messages"]] == ["system", "user"]
        assert info["messages"][1]["content"] == task.instruction
        assert W in info["messages"][0]["content"]
        assert sorted(t["function"]["name"] for t in info["tools"]) == sorted(
            ["read", "write", "edit", "exec", "process", "apply_patch"]
        )
        workspace = env.unwrapped.workspace
        assert (workspace / "config" / "report.json").read_bytes() == task.files["config/report.json"]
        assert os.access(workspace / "scripts" / "build_report.py", os.X_OK)
        assert not (workspace / "reward").exists(), "the verifier must not be visible during the episode"
    finally:
        env.close()


def test_same_seed_same_observation_and_fresh_workspace_each_reset() -> None:
    env = gym.make("Fixture/task-0040").unwrapped
    try:
        first, _ = env.reset(seed=3)
        env.step({"name": "write", "arguments": {"path": "scratch.txt", "content": "x"}})
        old_workspace = env.workspace
        second, _ = env.reset(seed=3)
        assert first == second
        assert env.workspace != old_workspace and not old_workspace.exists()
        assert not (env.workspace / "scratch.txt").exists()
    finally:
        env.close()


def test_every_action_format_executes(backend: str) -> None:
    env = _make("Fixture/task-0043", backend)
    try:
        env.reset(seed=0)
        text = 'Let me look.\n<tool_call>\n{"name": "exec", "arguments": {"command": "echo hi"}}\n</tool_call>'
        obs, reward, terminated, truncated, info = env.step(text)
        assert "hi" in obs and (reward, terminated, truncated) == (0.0, False, False)
        assert info["tool_results"][0]["name"] == "exec" and not info["tool_results"][0]["is_error"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "read", "arguments": '{"path": "runbook.md"}'}}
            ],
        }
        obs, *_ = env.step(message)
        assert "On-call runbook" in obs
        obs, *_ = env.step({"name": "write", "arguments": {"path": "a.txt", "content": "é ✓"}})
        assert (env.workspace / "a.txt").read_text() == "é ✓"
        obs, _, _, _, info = env.step(
            [{"name": "exec", "arguments": {"command": "cat a.txt"}}, {"name": "read", "arguments": {"path": "a.txt"}}]
        )
        assert [r["name"] for r in info["tool_results"]] == ["exec", "read"]
        assert obs.count("é ✓") == 2
        roles = [m["role"] for m in info["messages"]]
        assert roles == [
            "system",
            "user",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "tool",
        ]
    finally:
        env.close()


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        ('<tool_call>{"name": "exec", "arguments": {"command": </tool_call>', "could not"),
        ({"name": "teleport", "arguments": {}}, "teleport"),
        ({"name": "read", "arguments": {}}, "path"),
        ({"name": "read", "arguments": {"path": "/etc/passwd"}}, "outside the workspace"),
        ({"name": "exec", "arguments": {"command": "sleep 20", "timeout": 1}}, "timed out"),
    ],
)
def test_agent_mistakes_are_observations_not_exceptions(action: object, fragment: str) -> None:
    env = gym.make("Fixture/task-0040").unwrapped
    try:
        env.reset(seed=0)
        obs, _reward, terminated, truncated, info = env.step(action)
        assert (terminated, truncated) == (False, False)
        assert info["tool_results"] and info["tool_results"][0]["is_error"]
        assert fragment.lower() in obs.lower()
        assert info["messages"][-1]["role"] == "tool"
    finally:
        env.close()


def test_truncation_at_max_steps_still_verifies() -> None:
    env = gym.make("Fixture/task-0040", max_steps=2).unwrapped
    try:
        env.reset(seed=0)
        task = env.task
        for step in task.reference_solution[1:]:
            _obs, reward, terminated, truncated, info = env.step(dict(step))
        assert (terminated, truncated) == (False, True)
        assert reward == 1.0 and info["verification"]["score"] == 1.0
        with pytest.raises(EnvStateError, match=re.escape("the episode is over; call env.reset()")):
            env.step("anything")
    finally:
        env.close()


def test_truncate_scores_the_workspace_as_it_is() -> None:
    env = gym.make("Fixture/task-0040").unwrapped
    try:
        env.reset(seed=0)
        for step in env.task.reference_solution:
            env.step(dict(step))
        reward, info = env.truncate()
        assert reward == 1.0 and info["verification"]["score"] == 1.0
        assert info["final_message"] == "" and info["reward_breakdown"]
        with pytest.raises(EnvStateError, match="the episode is over"):
            env.truncate()
        env.reset(seed=0)
        reward, info = env.truncate()
        assert reward == 0.0 and env.sandbox is None
    finally:
        env.close()
    with pytest.raises(EnvStateError, match="closed"):
        env.truncate()


def test_final_info_has_breakdown_and_final_message() -> None:
    env = gym.make("Fixture/task-0041").unwrapped
    try:
        env.reset(seed=0)
        obs, _reward, terminated, _truncated, info = env.step("I could not find anything to do.")
        assert terminated and obs == ""
        assert info["final_message"] == "I could not find anything to do."
        assert set(info["reward_breakdown"]) == {
            "csv_exists",
            "header_correct",
            "all_open_items_present",
            "no_closed_or_template_items",
            "sorted_by_due_date",
        }
        assert info["verification"]["exit_code"] == 0
        assert env.sandbox is None, "the agent's sandbox is closed before the verifier runs"
    finally:
        env.close()


def test_misuse_raises_typed_errors() -> None:
    env = gym.make("Fixture/task-0040").unwrapped
    with pytest.raises(EnvStateError, match=re.escape("step() called before reset(); call env.reset() first")):
        env.step("hi")
    env.close()
    env.close()
    with pytest.raises(EnvStateError, match="this env is closed"):
        env.reset()


def test_close_removes_workspace_and_sandbox(backend: str) -> None:
    env = _make("Fixture/task-0042", backend)
    env.reset(seed=0)
    env.step({"name": "exec", "arguments": {"command": "sleep 300", "background": True}})
    workspace, sandbox = env.workspace, env.sandbox
    with env:
        pass
    assert not workspace.exists()
    assert sandbox.closed


def test_env_from_a_task_object_and_custom_tools(tmp_path: Path) -> None:
    task = Task(
        id="custom",
        instruction="Say hi in hi.txt",
        verifier=Verifier(files={"reward.sh": f"test -f {W}/hi.txt && echo 1.0 || echo 0.0\n"}),
    )
    env = ClawEnv(task, tools=["write"], sandbox="local")
    try:
        _, info = env.reset()
        assert [t["function"]["name"] for t in info["tools"]] == ["write"]
        obs, *_ = env.step({"name": "exec", "arguments": {"command": "true"}})
        assert "exec" in obs
        env.step({"name": "write", "arguments": {"path": "hi.txt", "content": "hi"}})
        _, reward, terminated, _, info = env.step("done")
        assert terminated and reward == 1.0
        transcript_roles = [m["role"] for m in info["messages"]]
        assert transcript_roles[-1] == "assistant"
    finally:
        env.close()


def test_unknown_id_suggests_the_closest() -> None:
    with pytest.raises(gym.error.Error, match="Did you mean: `task-0042`"):
        gym.make("Fixture/task-042")


def test_register_tasks_makes_ids_from_a_directory(tmp_path: Path) -> None:
    task_dir = tmp_path / "ds" / "task_0007"
    (task_dir / "reward").mkdir(parents=True)
    (task_dir / "data_entry.json").write_text(
        json.dumps({"task_id": "task_0007", "user_query": "Create done.txt", "metadata": {"category": ""}})
    )
    (task_dir / "reward" / "reward.sh").write_text(f"test -f {W}/done.txt && echo 1 || echo 0\n")
    ids = clawgym_env.register_tasks(tmp_path / "ds", "MyTasks", sandbox="local")
    assert ids == ["MyTasks/task_0007"]
    assert clawgym_env.register_tasks(tmp_path / "ds", "MyTasks") == ids  # idempotent
    env = gym.make("MyTasks/task_0007").unwrapped
    try:
        env.reset()
        env.step({"name": "write", "arguments": {"path": "done.txt", "content": ""}})
        assert env.step("finished")[1] == 1.0
    finally:
        env.close()


def test_text_spaces_accept_any_string_and_sample_short_ones() -> None:
    env = gym.make("Fixture/task-0040")
    space = env.action_space
    env.close()
    assert space.contains("any text: é ✓ 中 \x00 <tool_call>") and not space.contains(b"bytes")
    space.seed(3)
    samples = [space.sample() for _ in range(20)]
    assert all(isinstance(x, str) and len(x) <= 4096 for x in samples)
    assert len(set(samples)) == 20
    assert len(space.sample(mask=(10, None))) == 10
