"""The rubric judge: an LLM scores each rubric rule of a task, and the hybrid reward combines it with the code score.

Each rule is judged on its own, on the five levels ``0, 0.25, 0.5, 0.75, 1.0``
(the rule's ``levels`` say what earns each), from the user's instruction, the
rule, the files the agent created or changed (text, capped) and its final
message. Then::

    s_rubric = sum(weight * level) / sum(weight)
    s        = code_weight * s_code + (1 - code_weight) * s_rubric      (code_weight = 0.7)

The judge must answer with a JSON object ``{"score": <level>, "reason": ...}``;
an answer that is not one is asked again (``max_attempts`` in all), then the
rule scores 0 with the reason. Every raw answer is kept. Judgments are cached
on disk by a hash of the model and the exact prompt, so re-scoring the same
outcome costs no request. Endpoint errors (network, HTTP) propagate as
:class:`~clawgym_env.errors.VerifierError`: the judge could not run.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from clawgym_env._openai import make_client
from clawgym_env.envs.task import RubricRule, Task
from clawgym_env.errors import VerifierError

__all__ = [
    "DEFAULT_CODE_WEIGHT",
    "LEVELS",
    "RubricJudge",
    "RubricResult",
    "RuleJudgment",
    "changed_files",
    "hybrid_score",
    "rubric_score",
]

LEVELS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
"""The only scores a rule can get."""

DEFAULT_CODE_WEIGHT = 0.7
"""Weight of the code checks in the hybrid score (the rubric gets the rest)."""

MAX_FILE_CHARS = 12_000
MAX_EVIDENCE_CHARS = 48_000

SYSTEM_PROMPT = (
    "You grade the work of an assistant that edited files in a user's workspace. You judge one "
    "criterion at a time, strictly, from the evidence given. Answer with a JSON object and nothing "
    'else: {"score": S, "reason": "<one sentence>"} where S is one of 0, 0.25, 0.5, 0.75, 1.0.'
)


@dataclass(frozen=True)
class RuleJudgment:
    """The judge's verdict on one rule."""

    name: str
    weight: float
    score: float
    """One of :data:`LEVELS`; 0.0 when no parseable answer came."""
    reason: str
    raw: tuple[str, ...] = ()
    """Every answer the judge gave for this rule, in order."""
    error: str | None = None
    """Why the score is 0.0 by default (no parseable answer), if it is."""
    cached: bool = False


@dataclass(frozen=True)
class RubricResult:
    """All rules of a task, and their weighted mean."""

    s_rubric: float
    judgments: tuple[RuleJudgment, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"s_rubric": self.s_rubric, "judgments": [asdict(j) for j in self.judgments]}


def rubric_score(judgments: Sequence[RuleJudgment]) -> float:
    """``sum(weight * score) / sum(weight)``; 0.0 for no rules or no weight."""
    total = math.fsum(j.weight for j in judgments)
    if total <= 0:
        return 0.0
    return math.fsum(j.weight * j.score for j in judgments) / total


def hybrid_score(s_code: float, s_rubric: float, *, code_weight: float = DEFAULT_CODE_WEIGHT) -> float:
    """``code_weight * s_code + (1 - code_weight) * s_rubric``."""
    if not 0.0 <= code_weight <= 1.0:
        raise ValueError(f"code_weight must be in [0, 1], got {code_weight}")
    return code_weight * s_code + (1.0 - code_weight) * s_rubric


def changed_files(task: Task, workspace: Path) -> dict[str, str]:
    """Text files of ``workspace`` that the task did not start with, or whose bytes changed (capped)."""
    found: dict[str, str] = {}
    budget = MAX_EVIDENCE_CHARS
    for path in sorted(p for p in workspace.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = path.relative_to(workspace).as_posix()
        if relative.startswith("reward/") or relative.startswith("."):
            continue
        data = path.read_bytes()
        if task.files.get(relative) == data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = f"<binary file, {len(data)} bytes>"
        if len(text) > MAX_FILE_CHARS:
            text = text[:MAX_FILE_CHARS] + f"\n… ({len(text) - MAX_FILE_CHARS} more characters)"
        if budget <= 0:
            found[relative] = "<not shown: the evidence budget is used up>"
            continue
        found[relative] = text[:budget]
        budget -= len(found[relative])
    return found


_JSON_OBJECT = re.compile(r"\{.*?\}", re.DOTALL)


def parse_answer(text: str) -> tuple[float, str] | None:
    """``(score, reason)`` from a judge's answer, or ``None`` if it is not a valid verdict."""
    for match in _JSON_OBJECT.finditer(text or ""):
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict) or "score" not in data:
            continue
        try:
            score = float(data["score"])
        except (TypeError, ValueError):
            return None
        if score not in LEVELS:
            return None
        return score, str(data.get("reason", ""))
    return None


class RubricJudge:
    """Scores rubric rules with a model behind an OpenAI-compatible endpoint; see the module docstring.

    ``cache_dir=None`` disables the cache. The client is created on first use
    and dropped when the judge is pickled.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        max_attempts: int = 3,
        temperature: float = 0.0,
        timeout_s: float = 120.0,
        cache_dir: str | Path | None = "~/.cache/clawgym/judge",
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self.max_attempts = max_attempts
        self.temperature = temperature
        self.timeout_s = timeout_s
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else None
        self._client: Any = None

    def judge(self, task: Task, workspace: Path, *, final_message: str = "") -> RubricResult:
        """Judge every rule of ``task.rubric`` over the final ``workspace``."""
        evidence = changed_files(task, workspace)
        judgments = tuple(self.judge_rule(task, rule, evidence, final_message) for rule in task.rubric)
        return RubricResult(s_rubric=rubric_score(judgments), judgments=judgments)

    def judge_rule(self, task: Task, rule: RubricRule, evidence: Mapping[str, str], final_message: str) -> RuleJudgment:
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": _rule_prompt(task, rule, evidence, final_message)},
        ]
        key = hashlib.sha256(json.dumps([self.model, messages], sort_keys=True).encode()).hexdigest()
        cached = self._cache_get(key)
        if cached is not None:
            return RuleJudgment(**{**cached, "raw": tuple(cached["raw"]), "cached": True})
        raw: list[str] = []
        judgment: RuleJudgment | None = None
        for _ in range(self.max_attempts):
            answer = self._ask(messages)
            raw.append(answer)
            parsed = parse_answer(answer)
            if parsed is not None:
                judgment = RuleJudgment(rule.name, rule.weight, parsed[0], parsed[1], tuple(raw))
                break
        if judgment is None:
            judgment = RuleJudgment(
                rule.name,
                rule.weight,
                0.0,
                "",
                tuple(raw),
                error=f"no valid verdict in {len(raw)} answers (expected a JSON object with a score in {LEVELS})",
            )
        self._cache_put(key, judgment)
        return judgment

    # -- internals -------------------------------------------------------------

    def _ask(self, messages: list[dict[str, str]]) -> str:
        if self._client is None:
            self._client = make_client(
                base_url=self.base_url,
                api_key=self.api_key,
                timeout_s=self.timeout_s,
                max_retries=2,
                user="RubricJudge",
            )
        try:
            response = self._client.chat.completions.create(
                model=self.model, messages=messages, temperature=self.temperature
            )
        except Exception as error:
            raise VerifierError(
                f"the rubric judge at {self.base_url or 'api.openai.com'} failed: {type(error).__name__}: {error}"
            ) from error
        if not response.choices:
            return ""
        return response.choices[0].message.content or ""

    def _cache_get(self, key: str) -> dict[str, Any] | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def _cache_put(self, key: str, judgment: RuleJudgment) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        data = asdict(judgment)
        data.pop("cached")
        temporary = self.cache_dir / f"{key}.json.tmp"
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.cache_dir / f"{key}.json")

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_client"] = None
        return state


def _rule_prompt(task: Task, rule: RubricRule, evidence: Mapping[str, str], final_message: str) -> str:
    levels = "\n".join(f"- {level}: {text}" for level, text in sorted(rule.levels.items(), key=lambda kv: float(kv[0])))
    files = "\n\n".join(f"### {path}\n{text}" for path, text in evidence.items()) or "(no file was created or changed)"
    return (
        f"## The user's request\n{task.instruction}\n\n"
        f"## Criterion: {rule.name}\n{rule.description}\n\n"
        f"## What earns each score\n{levels or '(no level descriptions: use your judgement)'}\n\n"
        f"## Files the assistant created or changed\n{files}\n\n"
        f"## The assistant's final message\n{final_message or '(none)'}\n\n"
        'Answer with {"score": S, "reason": "..."} only.'
    )
