"""The trajectory record: one episode of one policy on one task, as a trainer sees it.

A :class:`Trajectory` is what a rollout hands to a trainer and what is written
to disk (one JSON object per line, :func:`write_jsonl` / :func:`read_jsonl`).
It always has the chat (``messages``), a :class:`TurnRecord` per assistant turn
(the tool calls, their observations and timings), the reward with the
verifier's breakdown, and ``failure`` when infrastructure broke the episode.

When the policy is token-level, the four token fields are filled with the
exact ids that were generated and the ids the chat template added around
them; nothing is decoded and re-encoded::

    prompt_ids:     | system + user + generation prompt                        |
    response_ids:   | assistant turn 1 | tool turn  | assistant turn 2 | ...    |
    response_mask:  | 1 1 1 ... 1 1 1  | 0 0 ... 0  | 1 1 1 ... 1 1 1  | ...    |
    response_logprobs: the sampler's log-probability where the mask is 1, 0.0 elsewhere

The mask is 1 exactly on tokens the model produced and 0 on tokens the
environment or the chat template inserted (tool results, role headers, a
closing ``<|im_end|>`` the model did not generate).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from clawgym_env.errors import SandboxError, VerifierError

__all__ = [
    "FAILURE_KINDS",
    "FailureKind",
    "Trajectory",
    "TurnRecord",
    "classify_exception",
    "read_jsonl",
    "verifier_failure",
    "write_jsonl",
]

FailureKind = Literal["sandbox", "verifier", "policy", "timeout", "cancelled", "env", "worker"]
FAILURE_KINDS: tuple[str, ...] = ("sandbox", "verifier", "policy", "timeout", "cancelled", "env", "worker")
"""Who broke an episode: the sandbox, the verifier, the policy (it raised), the
wall-clock limit, a cancellation, the environment itself (a bad id, a bug), or
the rollout worker process (it died)."""


def classify_exception(error: BaseException, *, during: str) -> tuple[str, str]:
    """``(kind, reason)`` for an exception raised while ``during`` ("policy", "env", ...) ran.

    Typed sandbox and verifier errors are attributed to their boundary whatever
    was running; anything else is attributed to ``during``.
    """
    if isinstance(error, SandboxError):
        kind = "sandbox"
    elif isinstance(error, VerifierError):
        kind = "verifier"
    else:
        kind = during
    message = str(error).strip() or type(error).__name__
    return kind, f"{type(error).__name__}: {message}"


def verifier_failure(verification: Mapping[str, Any]) -> str | None:
    """Why a verification did not produce a trustworthy score, or ``None`` when it did.

    A verifier that timed out, exited with an error or printed no score failed;
    a clamped score is reported by the verifier but is still a score.
    """
    if verification.get("timed_out"):
        return str(verification.get("error") or "the verifier timed out")
    exit_code = verification.get("exit_code")
    if exit_code not in (0, None):
        return str(verification.get("error") or f"the verifier exited with {exit_code}")
    error = verification.get("error")
    if error and "was clamped" not in str(error):
        return str(error)
    return None


@dataclass
class TurnRecord:
    """One assistant turn and what the environment answered."""

    assistant: dict[str, Any]
    """The assistant message as the env parsed it (OpenAI format, with ``tool_calls``)."""
    tool_results: list[dict[str, Any]] = field(default_factory=list)
    """One entry per tool call: ``id``, ``name``, ``arguments``, ``output``, ``is_error``, ``details``."""
    policy_s: float = 0.0
    """Wall-clock seconds the policy took to produce this turn."""
    env_s: float = 0.0
    """Wall-clock seconds the env took to execute it (tools, and the verifier on the last turn)."""

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """The turn's tool calls (OpenAI format); empty for a final answer."""
        return list(self.assistant.get("tool_calls") or [])


@dataclass
class Trajectory:
    """One episode, with everything a trainer or an analysis needs; see the module docstring."""

    env_id: str
    """The env id (or task id of a :class:`~clawgym_env.Task` given directly)."""
    task_id: str
    """The task's own id."""
    group: int = 0
    """Index of the group (the task) in the batch."""
    member: int = 0
    """Index of this episode in its group, ``0 .. n-1``; every member starts from the same state."""
    seed: int | None = None
    """The seed given to ``reset``."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """The whole chat in OpenAI format: system, user, assistant and tool messages."""
    turns: list[TurnRecord] = field(default_factory=list)
    """One record per assistant turn."""
    reward: float = 0.0
    """The verifier's score in [0, 1]; 0.0 for a failed episode."""
    verification: dict[str, Any] = field(default_factory=dict)
    """The verifier's result: ``score``, ``breakdown``, ``s_code``, ``error``, ``exit_code``, output."""
    terminated: bool = False
    """The policy gave a final answer (a turn without tool calls)."""
    truncated: bool = False
    """The episode hit ``max_steps`` or a token budget and was scored as it stood."""
    failure: str | None = None
    """Why infrastructure broke the episode (``None`` for a normal one); never an agent mistake."""
    failure_kind: str | None = None
    """One of :data:`FAILURE_KINDS` when ``failure`` is set."""
    wall_time_s: float = 0.0
    """Seconds from reset to the reward (or to the failure)."""
    prompt_ids: list[int] | None = None
    """Token-level policies: the rendered prompt (system, user, generation prompt)."""
    response_ids: list[int] | None = None
    """Token-level policies: every token after the prompt, generated or inserted."""
    response_mask: list[int] | None = None
    """Token-level policies: 1 where the model generated the token, 0 elsewhere."""
    response_logprobs: list[float] | None = None
    """Token-level policies: the sampler's log-probabilities (0.0 where the mask is 0)."""

    # -- derived -----------------------------------------------------------------

    @property
    def failed(self) -> bool:
        return self.failure is not None

    @property
    def solved(self) -> bool:
        """Full marks from the verifier."""
        return not self.failed and self.reward >= 1.0

    @property
    def breakdown(self) -> dict[str, float]:
        """The verifier's named sub-checks."""
        return dict(self.verification.get("breakdown") or {})

    @property
    def num_turns(self) -> int:
        return len(self.turns)

    @property
    def num_tool_calls(self) -> int:
        return sum(len(turn.tool_results) for turn in self.turns)

    @property
    def num_tool_errors(self) -> int:
        return sum(1 for turn in self.turns for result in turn.tool_results if result.get("is_error"))

    @property
    def is_token_level(self) -> bool:
        return self.response_ids is not None

    def check_tokens(self) -> None:
        """Raise ``ValueError`` unless the token fields are absent or mutually consistent."""
        fields = (self.prompt_ids, self.response_ids, self.response_mask, self.response_logprobs)
        if all(value is None for value in fields):
            return
        response, mask = self.response_ids, self.response_mask
        if self.prompt_ids is None or response is None or mask is None:
            raise ValueError("prompt_ids, response_ids and response_mask must be set together")
        if len(mask) != len(response):
            raise ValueError(f"response_mask has {len(mask)} entries for {len(response)} response tokens")
        if any(bit not in (0, 1) for bit in mask):
            raise ValueError("response_mask may only hold 0 and 1")
        if self.response_logprobs is not None and len(self.response_logprobs) != len(response):
            raise ValueError(f"response_logprobs has {len(self.response_logprobs)} entries for {len(response)} tokens")

    # -- serialization -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` inverts it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trajectory:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown trajectory fields: {unknown}")
        values = dict(data)
        values["turns"] = [TurnRecord(**turn) for turn in values.get("turns", [])]
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def write_jsonl(trajectories: Iterable[Trajectory], path: str | Path) -> int:
    """Write one trajectory per line to ``path`` (UTF-8); return how many were written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for trajectory in trajectories:
            handle.write(trajectory.to_json())
            handle.write("\n")
            count += 1
    return count


def read_jsonl(path: str | Path) -> Iterator[Trajectory]:
    """The trajectories of a file written by :func:`write_jsonl`, in order."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield Trajectory.from_dict(json.loads(line))
            except (json.JSONDecodeError, TypeError, ValueError) as error:
                raise ValueError(f"{path}:{number}: not a trajectory: {error}") from error
