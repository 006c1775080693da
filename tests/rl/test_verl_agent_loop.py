"""ClawAgentLoop.run on real envs (bwrap), a real tokenizer and verl's real continuous-token builder.

The LLM server is the scripted test double of ``tiny_lm``; everything else is
the production path: verl's trainer config, ``AgentLoopBase`` helpers, ClawGym
envs in bwrap sandboxes and their verifiers.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import os
import signal
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest

pytest.importorskip("verl", reason="the verl integration needs verl 0.9.1: pip install 'clawgym-env[verl]'")

from tiny_lm import (
    EOS,
    ScriptedLLMServer,
    build_tiny_lm,
    compose_verl_config,
    load_tokenizer,
    scripted_logprob,
    task_of,
    tool_call_turn,
)

import clawgym_env  # noqa: F401 - registers the ids
from clawgym_env.sandbox import live_sandboxes

pytestmark = pytest.mark.bwrap

TASKS = ("ClawGym/task-0000", "ClawGym/task-0001")
FINAL = "All done: the files are written."
IDLE = "I looked at the request but changed nothing."


def reference_script(env_id: str) -> list[str]:
    """The task's reference solution, one tool call per turn, then a final answer."""
    return [tool_call_turn(call) for call in task_of(env_id).reference_solution] + [FINAL]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [task_of(env_id).instruction for env_id in TASKS]
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"), extra_text=texts)


@pytest.fixture(scope="module")
def tokenizer(model_dir: Path) -> Any:
    return load_tokenizer(model_dir)


@pytest.fixture(scope="module")
def base_config(model_dir: Path) -> Any:
    return compose_verl_config(
        [
            f"actor_rollout_ref.model.path={model_dir}",
            "actor_rollout_ref.rollout.name=vllm",
            "actor_rollout_ref.rollout.prompt_length=8192",
            "actor_rollout_ref.rollout.response_length=16384",
        ]
    )


def run_loops(
    config: Any,
    tokenizer: Any,
    server: ScriptedLLMServer,
    env_ids: Sequence[str],
    *,
    logprobs: bool = True,
    **options: Any,
) -> list[Any]:
    """One ClawAgentLoop per env id, built the way AgentLoopWorker builds them, run concurrently."""
    from verl.experimental.agent_loop.agent_loop import DictConfigWrap, ToolListWrap

    from clawgym_env.rl.verl.agent_loop import ClawAgentLoop

    async def play(index: int, env_id: str) -> Any:
        loop = ClawAgentLoop(
            trainer_config=DictConfigWrap(config),
            server_manager=server,
            tokenizer=tokenizer,
            processor=None,
            dataset_cls=None,
            data_config=DictConfigWrap(config.data),
            hf_model_type="qwen3",
            tools=ToolListWrap([]),
            name="clawgym",
            **{"sandbox": "bwrap", **options},
        )
        row = {"extra_info": {"env_id": env_id, "index": index}, "raw_prompt": [{"role": "user", "content": "hi"}]}
        return await loop.run({"temperature": 1.0, "logprobs": logprobs}, **row)

    async def main() -> list[Any]:
        return list(await asyncio.gather(*(play(i, env_id) for i, env_id in enumerate(env_ids))))

    return asyncio.run(main())


def play_plain(env_id: str, turns: Sequence[str], *, truncate_after: int | None = None) -> tuple[float, list]:
    """The same actions through a plain env: ``(reward, messages)``."""
    env = gym.make(env_id, sandbox="bwrap")
    try:
        env.reset(seed=0)
        for number, turn in enumerate(turns, start=1):
            _, reward, terminated, truncated, info = env.step(turn)
            if terminated or truncated:
                return reward, info["messages"]
            if truncate_after is not None and number >= truncate_after:
                reward, info = env.unwrapped.truncate()
                return reward, info["messages"]
        reward, info = env.unwrapped.truncate()
        return reward, info["messages"]
    finally:
        env.close()


def spans(mask: Sequence[int]) -> list[tuple[int, int, int]]:
    """``(bit, start, end)`` runs of equal mask bits."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(mask) + 1):
        if i == len(mask) or mask[i] != mask[start]:
            runs.append((mask[start], start, i))
            start = i
    return runs


def tool_turn_text(tool_messages: Sequence[dict[str, Any]]) -> str:
    """How the chat template renders a group of tool messages, with the Qwen turn boundary before it."""
    body = "".join(f"\n<tool_response>\n{m['content']}\n</tool_response>" for m in tool_messages)
    return f"\n<|im_start|>user{body}{EOS}\n<|im_start|>assistant\n"


@pytest.mark.parametrize("env_id", TASKS)
def test_reference_episode_tokens_masks_logprobs_and_reward(
    env_id: str, base_config: Any, tokenizer: Any, model_dir: Path
) -> None:
    script = reference_script(env_id)
    server = ScriptedLLMServer(model_dir, {task_of(env_id).instruction: script})
    (out,) = run_loops(base_config, tokenizer, server, [env_id])
    expected_reward, messages = play_plain(env_id, script)

    assert expected_reward == 1.0
    assert out.reward_score == expected_reward
    assert out.extra_fields["clawgym_score"] == expected_reward
    assert out.extra_fields["clawgym_end"] == "answer"
    assert out.extra_fields["clawgym_failure"] is None
    assert out.extra_fields["clawgym_turns"] == len(script)
    assert out.num_turns == 1 + len(script) + (len(script) - 1)

    # The prompt is the chat template's rendering of the env's messages and tools.
    env = gym.make(env_id, sandbox="bwrap")
    try:
        _, info = env.reset(seed=0)
    finally:
        env.close()
    rendered = tokenizer.apply_chat_template(info["messages"], tools=info["tools"], add_generation_prompt=True)
    assert out.prompt_ids == list(rendered["input_ids"] if hasattr(rendered, "keys") else rendered)

    # Mask-1 runs are exactly the scripted turns (as sampled, with the end-of-turn token); mask-0 runs are
    # exactly the template's rendering of the env's tool messages between them.
    runs = spans(out.response_mask)
    model_runs = [r for r in runs if r[0] == 1]
    env_runs = [r for r in runs if r[0] == 0]
    assert [tokenizer.decode(out.response_ids[s:e]) for _, s, e in model_runs] == [t + EOS for t in script]
    tool_groups: list[list[dict[str, Any]]] = []
    for previous, message in itertools.pairwise(messages[1:]):
        if message["role"] == "tool":
            if previous["role"] != "tool":
                tool_groups.append([])
            tool_groups[-1].append(message)
    assert [tokenizer.decode(out.response_ids[s:e]) for _, s, e in env_runs] == [tool_turn_text(g) for g in tool_groups]
    assert len(env_runs) == len(script) - 1

    # Generated ids are kept exactly as the server sampled them, with their log-probs; 0.0 elsewhere.
    assert out.response_logprobs is not None and len(out.response_logprobs) == len(out.response_ids)
    for turn, (_, start, end) in enumerate(model_runs):
        sampled = [*tokenizer.encode(script[turn], add_special_tokens=False), tokenizer.convert_tokens_to_ids(EOS)]
        assert out.response_ids[start:end] == sampled
        assert out.response_logprobs[start:end] == [scripted_logprob(turn, i) for i in range(end - start)]
    assert all(out.response_logprobs[i] == 0.0 for _, s, e in env_runs for i in range(s, e))


def test_idle_script_gets_the_lower_score(base_config: Any, tokenizer: Any, model_dir: Path) -> None:
    env_id = TASKS[0]
    server = ScriptedLLMServer(model_dir, {task_of(env_id).instruction: [IDLE]})
    (out,) = run_loops(base_config, tokenizer, server, [env_id], logprobs=False)
    expected, _ = play_plain(env_id, [IDLE])
    assert out.reward_score == expected == 0.0
    assert out.response_mask == [1] * len(out.response_ids)
    assert tokenizer.decode(out.response_ids) == IDLE + EOS
    assert out.response_logprobs is None
    assert out.extra_fields["reward_extra_info"] == {"score": 0.0, "acc": 0.0, "env_failed": 0.0}


def test_response_budget_truncates_and_scores_the_workspace(base_config: Any, tokenizer: Any, model_dir: Path) -> None:
    env_id = TASKS[0]
    script = reference_script(env_id)
    server = ScriptedLLMServer(model_dir, {task_of(env_id).instruction: script})
    (full,) = run_loops(base_config, tokenizer, server, [env_id])
    model_runs = [r for r in spans(full.response_mask) if r[0] == 1]
    # A budget that ends inside the 4th turn: three turns are executed, the 4th is cut and never run.
    budget = model_runs[3][1] + 5
    config = copy.deepcopy(base_config)
    config.actor_rollout_ref.rollout.response_length = budget
    (out,) = run_loops(config, tokenizer, server, [env_id])
    expected, _ = play_plain(env_id, script[:3], truncate_after=3)

    assert out.extra_fields["clawgym_end"] == "response_length"
    assert out.extra_fields["clawgym_failure"] is None
    assert out.reward_score == expected
    assert 0.0 < expected < 1.0
    assert len(out.response_ids) == len(out.response_mask) == len(out.response_logprobs) == budget
    assert out.response_ids == full.response_ids[:budget]
    assert out.response_mask == full.response_mask[:budget]


def test_max_assistant_turns_ends_the_episode(base_config: Any, tokenizer: Any, model_dir: Path) -> None:
    env_id = TASKS[0]
    script = reference_script(env_id)
    config = copy.deepcopy(base_config)
    config.actor_rollout_ref.rollout.multi_turn.max_assistant_turns = 2
    server = ScriptedLLMServer(model_dir, {task_of(env_id).instruction: script})
    (out,) = run_loops(config, tokenizer, server, [env_id])
    expected, _ = play_plain(env_id, script[:2], truncate_after=2)
    assert out.extra_fields["clawgym_end"] == "max_turns"
    assert out.extra_fields["clawgym_turns"] == 2
    assert out.reward_score == expected


def _bwrap_descendants() -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"bwrap"):
            found.add(int(entry))
    return found


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, parents first."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        stack.extend(int(child) for child in children)
    return found


def _clawgym_temp_dirs() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("clawgym")}


def test_env_failures_are_isolated_zero_reward_rows_and_leave_nothing(
    base_config: Any, tokenizer: Any, model_dir: Path
) -> None:
    good, victim = TASKS
    before_bwrap, before_dirs = _bwrap_descendants(), _clawgym_temp_dirs()
    victim_marker = task_of(victim).instruction
    killed: list[int] = []

    def kill_victim_sandbox(marker: str, turn: int) -> None:
        if marker == victim_marker and turn == 2 and not killed:
            for sandbox in live_sandboxes():
                if (sandbox.workspace / "statements").is_dir():  # task-0001's workspace
                    for pid in _tree(sandbox.pid):  # bwrap and the sandbox's PID 1 (its fork server)
                        os.kill(pid, signal.SIGKILL)
                    killed.append(sandbox.pid)

    server = ScriptedLLMServer(
        model_dir,
        {task_of(good).instruction: reference_script(good), victim_marker: reference_script(victim)},
        on_generate=kill_victim_sandbox,
    )
    ok, missing, broken = run_loops(base_config, tokenizer, server, [good, "ClawGym/task-9999", victim])

    assert ok.reward_score == 1.0 and ok.extra_fields["clawgym_failure"] is None

    assert missing.reward_score == 0.0
    assert missing.extra_fields["clawgym_failure_kind"] == "env"
    assert "task-9999" in missing.extra_fields["clawgym_failure"]
    assert missing.response_mask == [0] * len(missing.response_ids) and len(missing.response_ids) == 1
    assert missing.extra_fields["reward_extra_info"]["env_failed"] == 1.0

    assert killed, "the victim's sandbox was not found"
    assert broken.reward_score == 0.0
    assert broken.extra_fields["clawgym_failure_kind"] == "sandbox"
    assert broken.extra_fields["clawgym_end"] == "failure"
    assert len(broken.response_ids) > 0 and set(broken.response_mask) == {0}
    # every trajectory carries the same extra_fields keys (verl builds arrays across the batch)
    assert ok.extra_fields.keys() == missing.extra_fields.keys() == broken.extra_fields.keys()

    assert live_sandboxes() == []
    assert _bwrap_descendants() - before_bwrap == set()
    assert _clawgym_temp_dirs() - before_dirs == set()


def test_max_live_envs_caps_concurrent_sandboxes(base_config: Any, tokenizer: Any, model_dir: Path) -> None:
    seen: list[int] = []
    record: Callable[[str, int], None] = lambda marker, turn: seen.append(len(live_sandboxes()))  # noqa: E731
    scripts = {task_of(env_id).instruction: [*reference_script(env_id)[:2], FINAL] for env_id in TASKS}
    server = ScriptedLLMServer(model_dir, scripts, on_generate=record)
    outs = run_loops(base_config, tokenizer, server, list(TASKS) * 2, max_live_envs=1, env_threads=2)
    # the cap is per event loop; a fresh asyncio.run gets a fresh semaphore
    assert len(outs) == 4 and all(o.extra_fields["clawgym_failure"] is None for o in outs)
    assert seen and max(seen) == 1
    assert live_sandboxes() == []
