"""``ClawAgentLoop``: a ClawGym env as a verl 0.9.1 agent loop (one instance per trajectory).

verl's ``AgentLoopWorker`` builds one loop per dataset row with
``hydra.utils.instantiate`` from the entry named by the row's ``agent_name``
(``clawgym``, see ``agent_loop.yaml``) and awaits :meth:`ClawAgentLoop.run`.
One trajectory::

    extra_info["env_id"] ──> gym.make + reset (in a thread) ──> info["messages"], info["tools"]
    prompt_ids = chat template(messages, tools)           (verl's continuous-token builder)
    loop:
        token_ids, log_probs = server_manager.generate(prompt + response so far, max_tokens=budget left)
        response += token_ids                                mask 1, the sampler's log-probs
        env.step(decoded text without end-of-turn tokens)   (in a thread)
        final answer / env max_steps  -> the env ran the verifier: done
        response += template(tool messages) + "assistant\\n"  mask 0
        max_turns or response budget used up -> env.truncate(): the verifier scores it as it stands
    reward_score = the verifier's score

The token stream, as verl receives it::

    prompt_ids:     | system + tools + user + <|im_start|>assistant\\n                |
    response_ids:   | assistant turn 1 <|im_end|> | \\n tool turn + header | turn 2 ... |
    response_mask:  | 1 1 1 ... 1 1 1 1 1 1 1 1 1 | 0 0 0 0 0 0 0 0 0 0  | 1 1 1 ...  |

Generated ids are kept exactly as sampled; model text is decoded only to be
executed. Boundaries (Qwen's ``\\n`` after ``<|im_end|>``) and tool turns come
from verl's own continuous-token builder (``ct_merge_*``), so they match
what verl's ``ToolAgentLoop`` would produce for the same chat.

**Budget.** Each generation asks for at most the response tokens left. A turn
is executed only if it was generated complete (it ended with an end-of-turn
token, or stopped before the budget); a turn cut off by the budget is not
executed, and the episode is scored by ``env.truncate()``. The response is
capped to ``rollout.response_length``.

**Failures.** An exception while the env is made, reset, stepped or verified
(typed :class:`~clawgym_env.errors.SandboxError` / ``VerifierError``, or
anything else), and a verifier that produced no trustworthy score, make the
trajectory a failed one: ``reward_score`` 0.0, the reason in
``extra_fields["clawgym_failure"]``, and a response mask of zeros (an
infrastructure failure teaches the policy nothing). Other rows of the batch
are unaffected. Errors of the LLM server are the trainer's and propagate
(after the env is closed). The env is closed in ``finally`` in every case.

**Output fields.** ``extra_fields`` has the same keys on every trajectory (verl
builds object arrays across the batch from them): ``clawgym_env_id``,
``clawgym_score``, ``clawgym_breakdown`` (the verifier's named checks),
``clawgym_turns`` (assistant turns), ``clawgym_end`` (``answer``,
``max_steps``, ``max_turns``, ``response_length``, ``failure``),
``clawgym_failure_kind``, ``clawgym_failure``, and ``reward_extra_info``
(``score``, ``acc`` = solved, ``env_failed``; numbers only, verl logs their means).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from omegaconf import DictConfig, OmegaConf
from verl.experimental.agent_loop.agent_loop import AgentLoopBase, AgentLoopMetrics, AgentLoopOutput

from clawgym_env.rl.tokens import decode_for_env, end_of_turn_ids
from clawgym_env.rl.trajectory import classify_exception, verifier_failure
from clawgym_env.rl.verl.session import EnvSession, env_executor, live_env_slots

__all__ = ["DEFAULT_MAX_LIVE_ENVS", "EXTRA_FIELD_KEYS", "ClawAgentLoop"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_LIVE_ENVS = 64
"""Sandboxes alive at once per agent-loop worker unless ``max_live_envs`` says otherwise."""

EXTRA_FIELD_KEYS = (
    "clawgym_env_id",
    "clawgym_score",
    "clawgym_breakdown",
    "clawgym_turns",
    "clawgym_end",
    "clawgym_failure_kind",
    "clawgym_failure",
    "reward_extra_info",
)
"""The ``extra_fields`` every trajectory carries (see the module docstring)."""


@dataclass
class _Tokens:
    """The runtime token stream (prompt + response) with the response's mask and log-probs."""

    runtime: list[int]
    prompt_length: int
    mask: list[int] = field(default_factory=list)
    logprobs: list[float] | None = None

    @property
    def response_length(self) -> int:
        return len(self.mask)


@dataclass
class _Result:
    """How the episode ended."""

    score: float = 0.0
    verification: dict[str, Any] = field(default_factory=dict)
    end: str = "failure"
    failure_kind: str | None = None
    failure: str | None = None
    turns: int = 0
    tool_rounds: int = 0
    generate_s: float = 0.0
    env_s: float = 0.0
    num_preempted: int = -1
    server_fields: dict[str, Any] = field(default_factory=dict)
    tokens: _Tokens | None = None
    """The token stream once the prompt is rendered (kept when the env fails later)."""


class _EnvFailure(Exception):
    """An env call (make, reset, step, verifier) raised ``error``; the trajectory fails, the batch does not."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class ClawAgentLoop(AgentLoopBase):
    """Play one ClawGym episode against verl's LLM server; see the module docstring.

    Constructor options come from the ``clawgym`` entry of the agent-loop YAML
    (hydra passes extra keys as keyword arguments):

    * ``sandbox``: ``"bwrap"`` (default), ``"docker"`` or ``"local"``;
    * ``max_steps``: the env's turn limit (default: the env's, 30);
    * ``env_kwargs``: any other ``gym.make`` keyword (``limits``, ``system_prompt``...);
    * ``max_live_envs``: sandboxes alive at once in this worker (default 64);
    * ``env_threads``: threads running env calls in this worker (default ``max_live_envs``);
    * ``seed``: the ``reset`` seed when the row's ``extra_info`` has none (default 0);
    * ``score_in_loop``: ``True`` (default) sets ``reward_score`` to the verifier's
      score, so verl skips its reward loop; ``False`` leaves it unset and verl's
      reward loop scores the trajectory with
      :func:`clawgym_env.rl.verl.reward.compute_score` (which returns this score
      from ``extra_fields`` without re-running anything) or your own function.

    verl's own keyword arguments (``tools``, ``hf_model_type``...) are accepted;
    tools come from the env, not from verl's tool registry.
    """

    def __init__(
        self,
        *args: Any,
        sandbox: str | None = "bwrap",
        max_steps: int | None = None,
        env_kwargs: Mapping[str, Any] | None = None,
        max_live_envs: int = DEFAULT_MAX_LIVE_ENVS,
        env_threads: int | None = None,
        seed: int = 0,
        score_in_loop: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("tools", None)  # verl's tool registry: ClawGym envs bring their own tools
        kwargs.pop("name", None)  # the YAML entry's name, passed along by hydra
        super().__init__(*args, **kwargs)
        options = _plain(env_kwargs) or {}
        if not isinstance(options, dict):
            raise TypeError(f"env_kwargs must be a mapping, got {type(options).__name__}")
        if sandbox is not None:
            options.setdefault("sandbox", sandbox)
        if max_steps is not None:
            options.setdefault("max_steps", int(max_steps))
        self.env_kwargs: dict[str, Any] = options
        self.max_live_envs = int(max_live_envs)
        self.env_threads = int(env_threads) if env_threads is not None else self.max_live_envs
        self.seed = int(seed)
        self.score_in_loop = bool(score_in_loop)
        self.response_length = int(self.rollout_config.response_length)
        max_turns = self.rollout_config.multi_turn.get("max_assistant_turns")
        self.max_turns: int | None = int(max_turns) if max_turns else None
        self.end_of_turn_ids = end_of_turn_ids(self.tokenizer)

    async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> AgentLoopOutput:
        """Play the episode of the row's ``extra_info["env_id"]``; never raises for a broken env."""
        extra_info = _plain(kwargs.get("extra_info")) or {}
        env_id = _env_id(extra_info, kwargs)
        seed = extra_info.get("seed", self.seed)
        result = _Result()
        async with live_env_slots(self.max_live_envs):
            session = EnvSession(env_id or "", self.env_kwargs, env_executor(self.env_threads))
            try:
                if not env_id:
                    raise _EnvFailure(
                        ValueError("the row's extra_info has no env_id (write it with clawgym rl dataset)")
                    )
                started = time.perf_counter()
                try:
                    _, info = await session.start(seed)
                except Exception as error:
                    raise _EnvFailure(error) from error
                result.env_s += time.perf_counter() - started
                await self._play(session, info, sampling_params, result, _request_id(self, kwargs))
            except _EnvFailure as failure:
                result.failure_kind, result.failure = classify_exception(failure.error, during="env")
                logger.warning("ClawGym episode of %s failed: %s", env_id, result.failure)
            finally:
                try:
                    await session.close()
                except Exception:  # a failed cleanup is logged; the row is still returned
                    logger.exception("closing the env of %s failed", env_id)
        if result.failure is None:
            reason = verifier_failure(result.verification)
            if reason is not None:
                result.failure_kind, result.failure = "verifier", reason
        if result.failure is not None:
            result.score, result.end = 0.0, "failure"
        tokens = result.tokens if result.tokens is not None else await self._fallback_tokens(kwargs)
        if sampling_params.get("logprobs") and tokens.logprobs is None:
            tokens.logprobs = [0.0] * tokens.response_length
        return self._output(env_id, tokens, result)

    # -- the episode -------------------------------------------------------------

    async def _play(
        self,
        session: EnvSession,
        info: Mapping[str, Any],
        sampling_params: dict[str, Any],
        result: _Result,
        request_id: str,
    ) -> None:
        messages = [dict(m) for m in info["messages"]]
        tools = [dict(t) for t in info["tools"]]
        prompt_ids = await self.ct_build_initial_tokens(messages, tools=tools)
        tokens = result.tokens = _Tokens(runtime=list(prompt_ids), prompt_length=len(prompt_ids))
        if sampling_params.get("logprobs"):
            tokens.logprobs = []
        while True:
            budget = self.response_length - tokens.response_length
            if budget <= 0:
                await self._truncate(session, result, "response_length")
                return
            ids, complete = await self._generate(tokens, sampling_params, budget, result, request_id)
            result.turns += 1
            if not complete:
                await self._truncate(session, result, "response_length")
                return
            step = await self._env(session.step(decode_for_env(self.tokenizer, ids)), result)
            _, reward, terminated, truncated, step_info = step
            if terminated or truncated:
                self._finish(result, reward, step_info, "answer" if terminated else "max_steps")
                return
            if self.max_turns is not None and result.turns >= self.max_turns:
                await self._truncate(session, result, "max_turns")
                return
            new_messages = step_info["new_messages"]
            messages.append(new_messages[0])
            previous = list(messages)
            messages.extend(new_messages[1:])
            merged, mask, logprobs = await self.ct_merge_context_msg(
                previous, messages, tokens.runtime, tokens.mask, tokens.logprobs, tools=tools
            )
            tokens.runtime, tokens.mask, tokens.logprobs = merged.token_ids, mask, logprobs
            result.tool_rounds += 1

    async def _generate(
        self,
        tokens: _Tokens,
        sampling_params: dict[str, Any],
        budget: int,
        result: _Result,
        request_id: str,
    ) -> tuple[list[int], bool]:
        """Sample one assistant turn and append it (mask 1); return its ids and whether it is complete."""
        started = time.perf_counter()
        output = await self.server_manager.generate(
            request_id=request_id,
            prompt_ids=list(tokens.runtime),
            sampling_params={**sampling_params, "max_tokens": budget},
        )
        result.generate_s += time.perf_counter() - started
        if output.num_preempted is not None:
            result.num_preempted = max(result.num_preempted, 0) + int(output.num_preempted)
        _merge_server_fields(result.server_fields, output.extra_fields or {})
        ids = [int(i) for i in output.token_ids][:budget]
        logprobs: list[float] | None = None
        if tokens.logprobs is not None:  # requested: every trajectory of the batch must carry them
            if output.log_probs is None:
                logger.warning("log-probs were requested but the LLM server returned none; using 0.0")
                logprobs = [0.0] * len(ids)
            else:
                logprobs = [float(x) for x in output.log_probs][: len(ids)]
        merged, mask, aligned = await self.ct_merge_assistant_token(
            tokens.runtime,
            ids,
            tokens.mask,
            tokens.logprobs,
            assistant_logprobs=logprobs,
        )
        tokens.runtime, tokens.mask, tokens.logprobs = merged.token_ids, mask, aligned
        ended = bool(ids) and ids[-1] in self.end_of_turn_ids
        complete = ended or len(ids) < budget
        return ids, complete

    async def _env(self, call: Any, result: _Result) -> Any:
        started = time.perf_counter()
        try:
            return await call
        except Exception as error:
            raise _EnvFailure(error) from error
        finally:
            result.env_s += time.perf_counter() - started

    async def _truncate(self, session: EnvSession, result: _Result, end: str) -> None:
        reward, info = await self._env(session.truncate(), result)
        self._finish(result, reward, info, end)

    @staticmethod
    def _finish(result: _Result, reward: float, info: Mapping[str, Any], end: str) -> None:
        result.score = float(reward)
        result.verification = dict(info.get("verification") or {})
        result.end = end

    # -- output ------------------------------------------------------------------

    async def _fallback_tokens(self, kwargs: Mapping[str, Any]) -> _Tokens:
        """Tokens for a trajectory whose env never started: the dataset's prompt, one masked token."""
        prompt_ids: list[int] = []
        raw_prompt = kwargs.get("raw_prompt")
        if raw_prompt is not None:
            try:
                prompt_ids = await self.ct_build_initial_tokens([dict(m) for m in raw_prompt])
            except Exception:
                logger.debug("could not render the dataset prompt of a failed trajectory", exc_info=True)
        return _Tokens(runtime=list(prompt_ids), prompt_length=len(prompt_ids))

    def _output(self, env_id: str | None, tokens: _Tokens, result: _Result) -> AgentLoopOutput:
        cut = len(tokens.runtime) - tokens.response_length
        prompt_ids = tokens.runtime[:cut]
        response_ids = tokens.runtime[cut:][: self.response_length]
        mask = tokens.mask[: self.response_length]
        logprobs = tokens.logprobs[: self.response_length] if tokens.logprobs is not None else None
        if result.failure is not None:
            mask = [0] * len(mask)
        if not response_ids:  # keep every row well-formed: at least one (masked) response token
            response_ids, mask = [_filler_id(self.tokenizer)], [0]
            logprobs = [0.0] if logprobs is not None else None
        failed = result.failure is not None
        extra_fields: dict[str, Any] = {
            "clawgym_env_id": env_id,
            "clawgym_score": result.score,
            "clawgym_breakdown": dict(result.verification.get("breakdown") or {}),
            "clawgym_turns": result.turns,
            "clawgym_end": result.end,
            "clawgym_failure_kind": result.failure_kind,
            "clawgym_failure": result.failure,
            "reward_extra_info": {
                "score": result.score,
                "acc": float(not failed and result.score >= 1.0),
                "env_failed": float(failed),
            },
            **result.server_fields,
        }
        metrics = AgentLoopMetrics(
            generate_sequences=result.generate_s,
            tool_calls=result.env_s,
            num_preempted=result.num_preempted,
        )
        return AgentLoopOutput(
            prompt_ids=prompt_ids,
            response_ids=response_ids,
            response_mask=mask,
            response_logprobs=logprobs,
            reward_score=result.score if self.score_in_loop else None,
            num_turns=1 + result.turns + result.tool_rounds,
            metrics=metrics,
            extra_fields=extra_fields,
        )


def _plain(value: Any) -> Any:
    """A plain Python container for an OmegaConf node, a numpy 0-d object, or anything else."""
    if isinstance(value, DictConfig) or OmegaConf.is_config(value):
        return OmegaConf.to_container(value, resolve=True)
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return value.item()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _env_id(extra_info: Mapping[str, Any], kwargs: Mapping[str, Any]) -> str | None:
    """The row's env id: ``extra_info["env_id"]``, else ``reward_model["ground_truth"]``."""
    env_id = extra_info.get("env_id")
    if not env_id:
        reward_model = _plain(kwargs.get("reward_model")) or {}
        env_id = reward_model.get("ground_truth") if isinstance(reward_model, Mapping) else None
    return str(env_id) if env_id else None


def _request_id(loop: AgentLoopBase, kwargs: Mapping[str, Any]) -> str:
    """One id per trajectory (sticky routing to one server); stable under ``full_determinism``."""
    if loop.rollout_config.get("full_determinism", False):
        return f"det-{int(_plain(kwargs.get('priority', 0)) or 0)}"
    return uuid4().hex


def _filler_id(tokenizer: Any) -> int:
    for token_id in (tokenizer.pad_token_id, tokenizer.eos_token_id):
        if token_id is not None:
            return int(token_id)
    return 0


def _merge_server_fields(fields: dict[str, Any], new: Mapping[str, Any]) -> None:
    """Keep the weight-version range the server reports (fully async training reads it)."""
    low, high = new.get("min_global_steps"), new.get("max_global_steps")
    if low is not None:
        current = fields.get("min_global_steps")
        fields["min_global_steps"] = low if current is None else min(current, low)
    if high is not None:
        current = fields.get("max_global_steps")
        fields["max_global_steps"] = high if current is None else max(current, high)
