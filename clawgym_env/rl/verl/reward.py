"""``compute_score``: ClawGym's verifier as a verl custom reward function.

verl's reward loop (``NaiveRewardManager``) calls, for each finished trajectory::

    compute_score(data_source=..., solution_str=<decoded response>, ground_truth=<reward_model.ground_truth>,
                  extra_info=<row's extra_info + the agent loop's extra_fields>, **reward_kwargs)

Configure it with ``reward.custom_reward_function.path=<this file>`` and
``reward.custom_reward_function.name=compute_score`` (``clawgym_env.rl.verl.reward.__file__``).
The contract, in order:

1. **Score already computed.** When ``extra_info`` holds ``clawgym_score`` (the
   :class:`~clawgym_env.rl.verl.agent_loop.ClawAgentLoop` played the episode
   with ``score_in_loop: false`` and verl merged its ``extra_fields`` into
   ``extra_info``), that verifier score is returned as is: nothing is re-run.
2. **Replay.** Otherwise (another agent loop produced the response, e.g.
   ``tool_agent`` or a single-turn model) the env ``extra_info["env_id"]``
   (else ``ground_truth``) is made fresh, every ``<tool_call>`` block of
   ``solution_str`` outside ``<tool_response>`` blocks is executed in order,
   one per turn, the text after the last call is the final answer, and the
   verifier's score is returned.

The result is always ``{"score", "acc", "env_failed"}`` (numbers; verl logs
every key and needs the same keys on every row): ``acc`` is 1.0 for full
marks, ``env_failed`` 1.0 when the env or verifier broke (then ``score`` is
0.0). It never raises for a broken episode. ``reward_kwargs`` may set
``sandbox`` (default ``"bwrap"``) and ``env_kwargs`` (more ``gym.make`` keywords).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import gymnasium as gym

from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.rl.trajectory import classify_exception, verifier_failure
from clawgym_env.tools.parsing import OPEN_TAG, parse_assistant_turn

__all__ = ["compute_score", "replay_score", "split_response"]

logger = logging.getLogger(__name__)

_TOOL_RESPONSE = re.compile(r"<tool_response>.*?(?:</tool_response>|\Z)", re.DOTALL)
_CLOSE_TAG = "</tool_call>"


def compute_score(
    data_source: str | None,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    *,
    sandbox: str = "bwrap",
    env_kwargs: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """The verifier's score of a trajectory; see the module docstring for the contract."""
    info = dict(extra_info or {})
    known = info.get("clawgym_score")
    if known is not None:
        failed = info.get("clawgym_failure") is not None
        return _result(0.0 if failed else float(known), failed)
    env_id = info.get("env_id") or ground_truth
    if not env_id:
        logger.warning("compute_score: no env_id in extra_info and no ground_truth (data source %r)", data_source)
        return _result(0.0, True)
    options = {"sandbox": sandbox, **dict(env_kwargs or {})}
    score, failure = replay_score(str(env_id), solution_str, env_kwargs=options, seed=info.get("seed", 0))
    if failure is not None:
        logger.warning("compute_score: replaying %s failed: %s", env_id, failure)
    return _result(score, failure is not None)


def split_response(text: str) -> tuple[list[Any], str]:
    """``(tool calls, final answer)`` of a decoded response.

    ``<tool_response>`` blocks (environment text in a multi-turn response) are
    removed first; the calls are every ``<tool_call>`` block in order (as
    :func:`~clawgym_env.tools.parsing.parse_assistant_turn` reads them,
    malformed ones included: they replay as tool errors) and the final answer
    is the text after the last closed block.
    """
    cleaned = _TOOL_RESPONSE.sub("", text)
    turn = parse_assistant_turn(cleaned, call_id_prefix="replay")
    last = cleaned.rfind(_CLOSE_TAG)
    final = cleaned[last + len(_CLOSE_TAG) :] if last >= 0 else ("" if turn.tool_calls else cleaned)
    if OPEN_TAG in final:  # an unclosed block at the end is a call, not an answer
        final = ""
    return list(turn.tool_calls), final.strip()


def replay_score(
    env_id: str, response: str, *, env_kwargs: Mapping[str, Any] | None = None, seed: int | None = 0
) -> tuple[float, str | None]:
    """Replay ``response``'s tool calls in a fresh ``env_id`` and verify: ``(score, failure or None)``."""
    calls, final = split_response(response)
    options = dict(env_kwargs or {})
    options["max_steps"] = max(int(options.get("max_steps", 1)), len(calls) + 1)
    made: gym.Env[Any, Any] | None = None
    try:
        made = gym.make(env_id, **options)
        env = made.unwrapped
        if not isinstance(env, ClawEnv):
            raise TypeError(f"{env_id!r} is not a ClawGym env (got {type(env).__name__})")
        env.reset(seed=seed)
        for call in calls:
            env.step(call)
        if final:
            _, score, terminated, truncated, info = env.step(final)
            if not (terminated or truncated):  # cannot happen: the final text has no call
                score, info = env.truncate()
        else:
            score, info = env.truncate()
    except Exception as error:  # noqa: BLE001 - a broken episode scores 0 with its reason, never raises
        return 0.0, classify_exception(error, during="env")[1]
    finally:
        if made is not None:
            made.close()
    reason = verifier_failure(info.get("verification") or {})
    return (0.0, reason) if reason is not None else (float(score), None)


def _result(score: float, failed: bool) -> dict[str, float]:
    return {"score": score, "acc": float(not failed and score >= 1.0), "env_failed": float(failed)}
