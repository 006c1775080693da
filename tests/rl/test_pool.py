"""RolloutPool on a real local Ray cluster with real bwrap sandboxes: grouping, failures, cleanup."""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import _procs
import numpy as np
import pytest
from _procs import children

from clawgym_env import Task, Verifier
from clawgym_env.agents import NoopAgent, OracleAgent
from clawgym_env.envs.registration import get_task
from clawgym_env.rl import RolloutPool, Trajectory, group_advantages, rollout_in_process

ray = pytest.importorskip("ray", reason="RolloutPool needs Ray: pip install 'clawgym-env[rl]'")

pytestmark = pytest.mark.bwrap

IDS = ["ClawGym/task-0000", "ClawGym/task-0001", "ClawGym-Bench/task-0003"]
DIGEST = "find . -type f | sort | xargs md5sum"


@pytest.fixture(scope="module", autouse=True)
def ray_cluster() -> Any:
    # The policies below live in this test module, which Ray's workers cannot import: ship them by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.cloudpickle.register_pickle_by_value(_procs)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _sandbox_traces() -> tuple[set[str], set[int]]:
    """The library's temp directories, and every bwrap process serving one of them."""
    dirs = {d for d in os.listdir(tempfile.gettempdir()) if d.startswith("clawgym-")}
    procs = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"bwrap") and any(b"clawgym-ws-" in a for a in argv):
            procs.add(int(entry))
    return dirs, procs


class DigestThenOracle:
    """Lists the workspace's checksums first, then plays the reference solution."""

    def start(self, task: Task) -> None:
        self.oracle = OracleAgent()
        self.oracle.start(task)
        self.turn = 0

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        self.turn += 1
        if self.turn == 1:
            return {"name": "exec", "arguments": {"command": DIGEST}}
        return self.oracle.act(messages, tools)


class CoinFlip:
    """Plays the oracle or gives up at once, by a coin flip per episode (mixed GRPO groups)."""

    def start(self, task: Task) -> None:
        self.agent = OracleAgent() if random.random() < 0.5 else NoopAgent()
        self.agent.start(task)

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        return self.agent.act(messages, tools)


def test_groups_start_from_identical_states_and_match_in_process_rewards() -> None:
    before = _sandbox_traces()
    with RolloutPool(num_actors=2, max_live_envs=2) as pool:
        batch = pool.rollout(IDS, DigestThenOracle(), n=3, seed=0)
        assert pool.num_actors == 2
        peaks = [s["peak"] for s in pool.worker_stats()]
    assert all(1 <= peak <= 2 for peak in peaks), peaks
    assert [len(g) for g in batch.groups] == [3, 3, 3] and not batch.dropped
    digests = []
    for env_id, group in zip(IDS, batch.groups, strict=True):
        assert [t.member for t in group] == [0, 1, 2]
        assert {t.env_id for t in group} == {env_id}
        first = {t.turns[0].tool_results[0]["output"] for t in group}
        assert len(first) == 1, f"members of {env_id} saw different initial workspaces"
        digests.append(first.pop())
        assert [t.reward for t in group] == [1.0, 1.0, 1.0], [t.failure for t in group]
    assert len(set(digests)) == len(IDS)
    local = rollout_in_process(IDS, DigestThenOracle(), n=1, seed=0)
    assert [g[0].reward for g in local.groups] == [g[0].reward for g in batch.groups]
    assert [len(g[0].turns) for g in local.groups] == [len(g[0].turns) for g in batch.groups]
    assert _sandbox_traces() == before


def test_advantages_match_verls_grpo_estimator() -> None:
    torch = pytest.importorskip("torch", reason="verl's estimator needs torch: pip install 'clawgym-env[verl]'")
    core_algos = pytest.importorskip(
        "verl.trainer.ppo.core_algos", reason="needs verl: pip install 'clawgym-env[verl]'"
    )
    with RolloutPool(num_actors=2, max_live_envs=2) as pool:
        batch = pool.rollout(IDS, CoinFlip(), n=4, seed=0)
    synthetic = [[_with_reward(t, r) for t, r in zip(batch.groups[0], (1.0, 0.0, 0.5, 0.0), strict=True)]]
    for groups in (batch.groups, synthetic):
        rewards = torch.tensor([[t.reward] for g in groups for t in g], dtype=torch.float32)
        index = np.array([gi for gi, g in enumerate(groups) for _ in g])
        for normalize in (True, False):
            expected, _ = core_algos.compute_grpo_outcome_advantage(
                rewards, torch.ones_like(rewards), index, norm_adv_by_std_in_grpo=normalize
            )
            ours = [a for g in group_advantages(groups, normalize_std=normalize) for a in g]
            np.testing.assert_allclose(ours, expected[:, 0].numpy(), rtol=1e-5, atol=1e-5)


def _with_reward(trajectory: Trajectory, reward: float) -> Trajectory:
    return dataclasses.replace(trajectory, reward=reward)


class KillOwnSandbox:
    """On its second turn, kills the fork server of the sandbox it is playing in (from the host)."""

    def start(self, task: Task) -> None:
        self.turn = 0

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        self.turn += 1
        if self.turn == 2:
            for bwrap in children(os.getpid()):
                for server in children(bwrap):
                    os.kill(server, signal.SIGKILL)
        if self.turn > 5:
            return "done"
        return {"name": "exec", "arguments": {"command": "true"}}


def test_a_killed_sandbox_and_a_crashing_verifier_fail_alone() -> None:
    before = _sandbox_traces()
    crashing = dataclasses.replace(
        get_task("builtin:train", "task-0000"),
        id="crashing-verifier",
        verifier=Verifier(files={"reward.sh": "echo 'Traceback: boom' >&2\nexit 3\n"}),
    )
    with RolloutPool(num_actors=1, max_live_envs=1) as pool:
        killed = pool.rollout(["ClawGym/task-0001"], KillOwnSandbox(), n=1)
        batch = pool.rollout([IDS[0], crashing, IDS[1]], OracleAgent(), n=2)
    (victim,) = killed.groups[0]
    assert victim.failure_kind == "sandbox" and "fork server" in (victim.failure or ""), victim.failure
    assert victim.reward == 0.0
    assert [t.reward for t in batch.groups[0] + batch.groups[2]] == [1.0] * 4
    for t in batch.groups[1]:
        assert t.failure_kind == "verifier" and "exited with 3" in (t.failure or ""), t.failure
        assert t.reward == 0.0 and t.verification["exit_code"] == 3
    assert len(batch.failures) == 2
    assert _sandbox_traces() == before


def test_drop_group_policy_moves_the_failed_group_aside() -> None:
    with RolloutPool(num_actors=1, max_live_envs=2, on_failure="drop_group") as pool:
        batch = pool.rollout([IDS[0], "ClawGym/task-99999"], OracleAgent(), n=2)
    assert [g[0].env_id for g in batch.groups] == [IDS[0]]
    assert [g[0].env_id for g in batch.dropped] == ["ClawGym/task-99999"]
    assert all(t.failure_kind == "env" for t in batch.dropped[0])
    assert batch.stats().episodes == 2 and batch.stats().solve_rate == 1.0


class Dawdler:
    """Runs ``sleep 0.3`` turn after turn and never answers."""

    def start(self, task: Task) -> None:
        return None

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        return {"name": "exec", "arguments": {"command": "sleep 0.3"}}


def test_episode_timeout_and_cancellation_leave_nothing_behind() -> None:
    before = _sandbox_traces()
    with RolloutPool(num_actors=2, max_live_envs=1, episode_timeout_s=1.5, env_kwargs={"max_steps": 200}) as pool:
        timed = pool.rollout([IDS[0]], Dawdler(), n=2)
        assert [t.failure_kind for t in timed.groups[0]] == ["timeout", "timeout"]
        assert all(t.reward == 0.0 and t.num_turns >= 1 for t in timed.groups[0])

        result: dict[str, Any] = {}
        runner = threading.Thread(target=lambda: result.update(batch=pool.rollout(IDS, Dawdler(), n=2)))
        started = time.monotonic()
        runner.start()
        time.sleep(1.0)
        pool.cancel()
        runner.join(timeout=30)
        assert not runner.is_alive()
        assert time.monotonic() - started < 10
    kinds = [t.failure_kind for t in result["batch"].trajectories]
    assert len(kinds) == 6 and set(kinds) == {"cancelled"}, kinds
    assert _sandbox_traces() == before


def test_token_level_fields_are_absent_for_message_policies_and_jsonl_round_trips(tmp_path: Any) -> None:
    with RolloutPool(num_actors=1, max_live_envs=2) as pool:
        batch = pool.rollout(IDS[:2], OracleAgent(), n=2)
    path = tmp_path / "rollouts.jsonl"
    assert batch.write_jsonl(path) == 4
    from clawgym_env.rl import read_jsonl

    loaded = list(read_jsonl(path))
    assert [t.to_dict() for t in loaded] == [t.to_dict() for t in batch.trajectories]
    assert all(t.response_ids is None and t.num_tool_calls >= 1 for t in loaded)
    stats = batch.stats()
    assert stats.episodes == 4 and stats.mean_reward == 1.0 and stats.tool_call_error_rate == 0.0
