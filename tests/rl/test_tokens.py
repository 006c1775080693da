"""Token-level episodes: the stream lines up token for token with the conversation, on real envs (bwrap)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest

from clawgym_env.rl import EpisodeOptions, EpisodeSpec, TokenGeneration, run_episode_record
from clawgym_env.rl.tokens import render_ids

pytest.importorskip("transformers", reason="token-level tests need transformers: pip install 'clawgym-env[verl]'")
sys.path.insert(0, str(Path(__file__).parent))
from tiny_lm import EOS, build_tiny_lm, load_tokenizer

pytestmark = pytest.mark.bwrap

ENV_ID = "ClawGym/task-0000"
FINAL = "All done: the files are in place."


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_tokenizer(build_tiny_lm(tmp_path_factory.mktemp("tiny-lm")))


def _turn_texts(env_id: str) -> list[str]:
    """The reference solution as Hermes tool-call turns, in the template's own serialisation, then a final answer."""
    env = gym.make(env_id).unwrapped
    steps = env.task.reference_solution
    env.close()
    texts = []
    for step in steps:
        arguments = json.dumps(dict(step["arguments"]), ensure_ascii=False)
        texts.append(f'<tool_call>\n{{"name": "{step["name"]}", "arguments": {arguments}}}\n</tool_call>')
    return [*texts, FINAL]


class ScriptedTokenPolicy:
    """Test double at the model edge: returns the tokenizer's ids of scripted turns, with made-up logprobs.

    Stateless like a real server: the turn to play is read off the context (assistant turns so far).
    """

    def __init__(self, tokenizer: Any, texts: list[str], *, stop_on_eos: bool = True) -> None:
        self.tokenizer = tokenizer
        self.texts = texts
        self.stop_on_eos = stop_on_eos
        self.calls: list[list[int]] = []
        self.generated: list[list[int]] = []

    def generate(self, prompt_ids: list[int]) -> TokenGeneration:
        context = self.tokenizer.decode(prompt_ids, skip_special_tokens=False)
        text = self.texts[context.count("<|im_start|>assistant") - 1]
        self.calls.append(list(prompt_ids))
        ids = self.tokenizer.encode(text, add_special_tokens=False)
        if self.stop_on_eos:
            ids = [*ids, self.tokenizer.convert_tokens_to_ids(EOS)]
        self.generated.append(ids)
        return TokenGeneration(ids, [-0.01 * (i + 1) for i in range(len(ids))])


def _spans(mask: list[int], value: int) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, bit in enumerate([*mask, 1 - value]):
        if bit == value and start is None:
            start = i
        elif bit != value and start is not None:
            spans.append((start, i))
            start = None
    return spans


@pytest.mark.parametrize("stop_on_eos", [True, False], ids=["stops-on-eos", "cut-off"])
def test_masks_line_up_with_the_conversation_and_reward_is_the_verifiers(tokenizer: Any, stop_on_eos: bool) -> None:
    texts = _turn_texts(ENV_ID)
    policy = ScriptedTokenPolicy(tokenizer, texts, stop_on_eos=stop_on_eos)
    trajectory = run_episode_record(EpisodeSpec(ENV_ID), policy)
    assert trajectory.failure is None, trajectory.failure
    trajectory.check_tokens()
    prompt, response, mask = trajectory.prompt_ids, trajectory.response_ids, trajectory.response_mask
    assert prompt is not None and response is not None and mask is not None

    tools = gym.make(ENV_ID).unwrapped.toolset.schemas()
    assert prompt == render_ids(tokenizer, trajectory.messages[:2], tools=tools, add_generation_prompt=True)
    # Every mask-1 span is exactly one generated turn, ids untouched.
    generated = [response[a:b] for a, b in _spans(mask, 1)]
    assert generated == policy.generated
    # Each generation saw exactly the stream so far.
    for call, (start, _end) in zip(policy.calls, _spans(mask, 1), strict=True):
        assert call == prompt + response[:start]
    # The whole stream is the template's rendering of the conversation the env recorded.
    rendered = tokenizer.apply_chat_template(trajectory.messages, tools=tools, tokenize=False)
    assert tokenizer.decode(prompt + response, skip_special_tokens=False) == rendered
    # Mask-0 spans hold what the env and the template added: tool responses carry the observations.
    observations = [t.tool_results[0]["output"] for t in trajectory.turns if t.tool_results]
    inserted = [tokenizer.decode(response[a:b], skip_special_tokens=False) for a, b in _spans(mask, 0)]
    for observation, text in zip(observations, [t for t in inserted if "<tool_response>" in t], strict=True):
        assert f"<tool_response>\n{observation}\n</tool_response>" in text
    # Log-probabilities: the sampler's where the model generated, 0.0 elsewhere.
    logprobs = trajectory.response_logprobs
    assert logprobs is not None
    expected = [lp for ids in policy.generated for lp in [-0.01 * (i + 1) for i in range(len(ids))]]
    assert [lp for lp, bit in zip(logprobs, mask, strict=True) if bit] == expected
    assert all(lp == 0.0 for lp, bit in zip(logprobs, mask, strict=True) if not bit)

    plain = gym.make(ENV_ID).unwrapped
    plain.reset(seed=0)
    for text in texts:
        _, reward, terminated, _, info = plain.step(text)
    plain.close()
    assert terminated and trajectory.reward == reward == 1.0
    assert trajectory.breakdown == info["reward_breakdown"]


def test_a_response_budget_scores_the_workspace_as_it_stands(tokenizer: Any) -> None:
    texts = _turn_texts(ENV_ID)
    first = len(tokenizer.encode(texts[0], add_special_tokens=False))
    budget = first + 3
    policy = ScriptedTokenPolicy(tokenizer, texts)
    trajectory = run_episode_record(EpisodeSpec(ENV_ID), policy, EpisodeOptions(max_response_tokens=budget))
    assert trajectory.failure is None and trajectory.truncated and not trajectory.terminated
    assert len(trajectory.response_ids or []) == budget == len(trajectory.response_mask or [])
    assert trajectory.num_turns == 1

    plain = gym.make(ENV_ID).unwrapped
    plain.reset(seed=0)
    plain.step(texts[0])
    reward, info = plain.truncate()
    plain.close()
    assert trajectory.reward == reward < 1.0
    assert trajectory.breakdown == info["reward_breakdown"]


def test_a_token_policy_runs_in_the_ray_pool(tokenizer: Any) -> None:
    ray = pytest.importorskip("ray", reason="RolloutPool needs Ray: pip install 'clawgym-env[rl]'")
    from clawgym_env.rl import RolloutPool

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    policy = ScriptedTokenPolicy(tokenizer, _turn_texts(ENV_ID))
    with RolloutPool(num_actors=1, max_live_envs=2, ray_init_kwargs={"num_cpus": 1}) as pool:
        batch = pool.rollout([ENV_ID], policy, n=2)
    local = run_episode_record(EpisodeSpec(ENV_ID), ScriptedTokenPolicy(tokenizer, _turn_texts(ENV_ID)))
    for trajectory in batch.groups[0]:
        assert trajectory.failure is None and trajectory.reward == 1.0
        assert trajectory.response_ids == local.response_ids
        assert trajectory.response_mask == local.response_mask
    assert batch.stats().mean_model_tokens == sum(local.response_mask or [])
