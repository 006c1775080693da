"""The rubric judge through the real ``openai`` client over loopback, and the env's hybrid reward."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym
import pytest
from _chat_server import ScriptedChatServer

import clawgym_env  # noqa: F401 - registers the ids
from clawgym_env.agents import NoopAgent, OracleAgent, run_episode
from clawgym_env.errors import VerifierError
from clawgym_env.rewards import LEVELS, RubricJudge, RuleJudgment, hybrid_score, rubric_score
from clawgym_env.rewards.judge import parse_answer

pytest.importorskip("openai", reason="the rubric judge needs the openai client: pip install 'clawgym-env[rl]'")

HYBRID_ID = "ClawGym-Bench/task-0001"  # a hybrid benchmark task: code checks and rubric rules


class JudgeScript:
    """What the scripted judge answers: queued replies first, then ``default``; or an HTTP ``status``."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.default = '{"score": 0.75, "reason": "good, a little wordy"}'
        self.status = 200

    def __call__(self, body: dict[str, Any]) -> dict[str, Any] | int:
        if self.status != 200:
            return self.status
        return {"content": self.replies.pop(0) if self.replies else self.default}


@pytest.fixture
def script() -> JudgeScript:
    return JudgeScript()


@pytest.fixture
def server(script: JudgeScript) -> Iterator[ScriptedChatServer]:
    with ScriptedChatServer(script) as httpd:
        yield httpd


def _judge(server: ScriptedChatServer, cache: Path | None, **kwargs: Any) -> RubricJudge:
    return RubricJudge("judge-model", base_url=server.base_url, cache_dir=cache, **kwargs)


def test_score_arithmetic() -> None:
    judgments = [RuleJudgment("a", 2.0, 1.0, ""), RuleJudgment("b", 1.0, 0.25, "")]
    assert rubric_score(judgments) == pytest.approx(2.25 / 3)
    assert rubric_score([]) == 0.0
    assert hybrid_score(1.0, 0.5) == pytest.approx(0.85)
    assert hybrid_score(0.4, 1.0, code_weight=0.5) == pytest.approx(0.7)
    with pytest.raises(ValueError, match="code_weight"):
        hybrid_score(1.0, 1.0, code_weight=1.5)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"score": 0.5, "reason": "half"}', (0.5, "half")),
        ('Verdict:\n```json\n{"score": 1, "reason": "all there"}\n```', (1.0, "all there")),
        ('{"score": 0.6, "reason": "not a level"}', None),
        ('{"grade": 1}', None),
        ("excellent work", None),
    ],
)
def test_parse_answer(answer: str, expected: tuple[float, str] | None) -> None:
    assert parse_answer(answer) == expected


def test_hybrid_env_reward_combines_code_and_rubric(
    server: ScriptedChatServer, script: JudgeScript, tmp_path: Path
) -> None:
    judge = _judge(server, tmp_path / "cache")
    env = gym.make(HYBRID_ID, reward="hybrid", judge=judge).unwrapped
    try:
        rules = env.task.rubric
        assert rules, "the hybrid benchmark task has rubric rules"
        script.replies = ["I think it is fine.", '{"score": 1.0, "reason": "clear"}']  # first rule: retried once
        result = run_episode(env, OracleAgent(), seed=0)
        assert env.last_verification is not None and env.last_verification.score == 1.0  # the code part
        levels = [1.0] + [0.75] * (len(rules) - 1)
        weights = [rule.weight for rule in rules]
        s_rubric = sum(w * q for w, q in zip(weights, levels, strict=True)) / sum(weights)
        assert result.reward == pytest.approx(0.7 * 1.0 + 0.3 * s_rubric)
        assert len(server.requests) == len(rules) + 1
        prompt = server.requests[0]["messages"][1]["content"]
        assert env.task.instruction in prompt and rules[0].description in prompt
        assert "## Files the assistant created or changed" in prompt and "(no file was created" not in prompt

        # The same outcome again: every verdict comes from the cache, no request is made.
        requests = len(server.requests)
        again = run_episode(env, OracleAgent(), seed=0)
        assert again.reward == pytest.approx(result.reward) and len(server.requests) == requests
    finally:
        env.close()


def test_unparseable_answers_score_zero_with_the_raw_answers_kept(
    server: ScriptedChatServer, script: JudgeScript
) -> None:
    script.default = "A fine piece of work overall."
    env = gym.make(HYBRID_ID, reward="hybrid", judge=_judge(server, None, max_attempts=2)).unwrapped
    try:
        env.reset(seed=0)
        _, reward, terminated, _, info = env.step("Nothing to do.")
        assert terminated
        judgments = info["rubric"]["judgments"]
        assert all(j["score"] == 0.0 and j["error"] and len(j["raw"]) == 2 for j in judgments)
        assert info["rubric"]["s_rubric"] == 0.0
        assert reward == pytest.approx(0.7 * info["s_code"])
    finally:
        env.close()


def test_a_judge_outage_is_a_typed_error_and_code_tasks_never_call_it(
    server: ScriptedChatServer, script: JudgeScript
) -> None:
    script.status = 503
    env = gym.make(HYBRID_ID, reward="hybrid", judge=_judge(server, None)).unwrapped
    try:
        env.reset(seed=0)
        with pytest.raises(VerifierError, match="rubric judge"):
            env.step("Nothing to do.")
    finally:
        env.close()
    plain = gym.make("ClawGym/task-0000", reward="hybrid", judge=_judge(server, None)).unwrapped
    try:
        assert not plain.task.rubric
        result = run_episode(plain, NoopAgent(), seed=0)
        assert result.reward == 0.0 and "rubric" not in result.verification
    finally:
        plain.close()
    with pytest.raises(ValueError, match="needs a rubric judge"):
        gym.make(HYBRID_ID, reward="hybrid")
    assert set(LEVELS) == {0.0, 0.25, 0.5, 0.75, 1.0}
