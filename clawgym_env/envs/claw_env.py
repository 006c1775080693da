"""``ClawEnv``: one Claw task as a Gymnasium environment."""

from __future__ import annotations

import atexit
import copy
import logging
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym

from clawgym_env.envs.spaces import UnicodeText
from clawgym_env.envs.task import Task
from clawgym_env.envs.workspace import create_workspace, remove_workspace
from clawgym_env.errors import EnvStateError
from clawgym_env.rewards.code_verifier import CodeVerifier, VerificationResult
from clawgym_env.rewards.judge import DEFAULT_CODE_WEIGHT, RubricJudge, hybrid_score
from clawgym_env.rewards.transcript import openclaw_transcript
from clawgym_env.sandbox import create_sandbox
from clawgym_env.sandbox.base import Limits, Sandbox
from clawgym_env.tools import ToolContext, ToolResult, ToolSet, parse_assistant_turn

__all__ = ["DEFAULT_SYSTEM_PROMPT", "ClawEnv"]

logger = logging.getLogger(__name__)

DEFAULT_SYSTEM_PROMPT = (
    "You are a personal assistant working inside the user's workspace at {workspace}. "
    "Use the tools to read and edit files and to run shell commands there; relative paths are "
    "relative to the workspace. Work step by step and check your results. When the request is "
    "fully done, reply with a short summary and no tool call: that ends the session."
)
"""The default system prompt; ``{workspace}`` is replaced by the task's workspace path."""

MAX_TEXT_LENGTH = 16 * 1024 * 1024
"""Upper bound on observation/action length in characters (the spaces' ``max_length``)."""

_LIVE_ENVS: weakref.WeakSet[ClawEnv] = weakref.WeakSet()


def _close_live_envs() -> None:
    for env in list(_LIVE_ENVS):
        env.close()


atexit.register(_close_live_envs)


class ClawEnv(gym.Env[str, Any]):
    """A Claw task: an instruction, a sandboxed workspace of mock files, tools and a code verifier.

    **Episode.** :meth:`reset` creates a fresh workspace holding the task's files
    and a sandbox that mounts it at ``task.workspace_path``. The observation is
    the user instruction; ``info["messages"]`` holds the chat so far (system
    prompt and user instruction) and ``info["tools"]`` the OpenAI tool schemas,
    so a trainer can render the prompt with its tokenizer's chat template.

    **Action.** One assistant turn: raw text with Hermes/Qwen
    ``<tool_call>{...}</tool_call>`` blocks, an OpenAI assistant message dict
    with ``tool_calls``, one ``{"name", "arguments"}`` dict, or a list of them.
    Every tool call is executed in order; the observation is their results and
    ``info["tool_results"]`` has them structured. Mistakes in a call (unknown
    tool, malformed JSON, bad arguments, a path outside the workspace, a
    timeout) are error results the agent sees, never exceptions.

    **Reward.** A turn with no tool call ends the episode (``terminated=True``);
    after ``max_steps`` turns it is ``truncated=True``. Either way the task's
    verifier runs in a fresh sandbox over the final workspace and its score in
    [0, 1] is the reward; ``info["verification"]`` holds every named sub-check.
    With ``reward="hybrid"`` and a ``judge``, a task with rubric rules gets
    ``code_weight * s_code + (1 - code_weight) * s_rubric`` instead (0.7 by
    default), with ``info["s_code"]`` and ``info["rubric"]``. Intermediate rewards are 0.

    **Resources.** :meth:`close` (also reached from ``with``, garbage collection
    and interpreter exit) destroys the sandbox and the workspace; it is
    idempotent. A new :meth:`reset` first cleans up the previous episode.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"]}

    def __init__(
        self,
        task: Task | Mapping[str, Any] | None = None,
        *,
        task_id: str | None = None,
        task_source: str | None = None,
        sandbox: str = "bwrap",
        sandbox_options: Mapping[str, Any] | None = None,
        limits: Limits | None = None,
        verifier_limits: Limits | None = None,
        tools: ToolSet | Sequence[str] | None = None,
        max_steps: int = 30,
        system_prompt: str | None = None,
        reward: str = "code",
        judge: RubricJudge | None = None,
        code_weight: float = DEFAULT_CODE_WEIGHT,
        render_mode: str | None = None,
    ) -> None:
        """Build the env for ``task`` (or the registered ``task_id`` from ``task_source``).

        Nothing is created until :meth:`reset`. ``sandbox`` is a backend name
        (``"bwrap"``, ``"docker"``, ``"local"``) and ``sandbox_options`` its
        options (e.g. ``{"image": ...}`` for docker). ``tools`` is a
        :class:`~clawgym_env.tools.ToolSet` or a list of tool names (default: the
        OpenClaw coding tools).
        """
        self.task = _resolve_task(task, task_id, task_source)
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        if reward not in ("code", "hybrid"):
            raise ValueError(
                f"reward must be 'code' (the task's verifier) or 'hybrid' (verifier and judge), got {reward!r}"
            )
        if reward == "hybrid" and judge is None:
            raise ValueError(
                "reward='hybrid' needs a rubric judge: "
                "gym.make(id, reward='hybrid', judge=clawgym_env.rewards.RubricJudge(model, base_url=...))"
            )
        if not 0.0 <= code_weight <= 1.0:
            raise ValueError(f"code_weight must be in [0, 1], got {code_weight}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.backend = sandbox
        self.sandbox_options = dict(sandbox_options or {})
        self.limits = limits or Limits()
        self.max_steps = max_steps
        self.render_mode = render_mode
        self.reward_mode = reward
        self.judge = judge
        self.code_weight = code_weight
        if tools is None:
            self.toolset = ToolSet.coding()
        elif isinstance(tools, ToolSet):
            self.toolset = tools
        else:
            self.toolset = ToolSet.from_names(list(tools))
        template = DEFAULT_SYSTEM_PROMPT if system_prompt is None else system_prompt
        self.system_prompt = template.replace("{workspace}", self.task.workspace_path)
        self.observation_space = UnicodeText(MAX_TEXT_LENGTH)
        self.action_space = UnicodeText(MAX_TEXT_LENGTH)
        self._verifier = CodeVerifier(self._make_sandbox, limits=verifier_limits or self.limits)

        self._workspace: Path | None = None
        self._sandbox: Sandbox | None = None
        self._context: ToolContext | None = None
        self._messages: list[dict[str, Any]] = []
        self._tool_errors: dict[str, bool] = {}
        self._steps = 0
        self._done = False
        self._closed = False
        self._last_render = ""
        self._timings: list[dict[str, Any]] = []
        self.last_verification: VerificationResult | None = None
        _LIVE_ENVS.add(self)

    # -- Gymnasium API ---------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode in a fresh sandbox; return ``(instruction, info)``.

        The task is deterministic: every seed gives the same observation and
        workspace. ``seed`` seeds :attr:`np_random` as Gymnasium requires.
        """
        if self._closed:
            raise EnvStateError("this env is closed; create a new one with gym.make(...)")
        super().reset(seed=seed)
        self._teardown_episode()
        self._workspace = create_workspace(self.task.files, self.task.executables)
        try:
            self._sandbox = self._make_sandbox(self._workspace, self.task.workspace_path, self.limits)
        except BaseException:
            self._teardown_episode()
            raise
        self._context = ToolContext(sandbox=self._sandbox)
        self._messages = [
            {"role": "system", "content": self.system_prompt},
            {"role": "user", "content": self.task.instruction},
        ]
        self._tool_errors = {}
        self._timings = []
        self._steps = 0
        self._done = False
        self.last_verification = None
        self._last_render = f"[user]\n{self.task.instruction}\n"
        info = {
            "task_id": self.task.id,
            "tools": self.toolset.schemas(),
            "messages": copy.deepcopy(self._messages),
            "workspace_path": self.task.workspace_path,
            "metadata": dict(self.task.metadata),
            "max_steps": self.max_steps,
        }
        return self.task.instruction, info

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Execute one assistant turn; see the class docstring for the contract."""
        if self._closed:
            raise EnvStateError("this env is closed; create a new one with gym.make(...)")
        if self._context is None:
            raise EnvStateError("step() called before reset(); call env.reset() first")
        if self._done:
            raise EnvStateError("the episode is over; call env.reset() to start a new one")
        turn = parse_assistant_turn(action, call_id_prefix=f"call_{self._steps}")
        assistant_message = turn.to_openai_message()
        self._messages.append(assistant_message)
        new_messages: list[dict[str, Any]] = [assistant_message]
        results: list[ToolResult] = []
        for call in turn.tool_calls:
            result = self.toolset.execute(call, self._context)
            results.append(result)
            tool_message = {"role": "tool", "tool_call_id": call.id, "name": call.name, "content": result.output}
            self._tool_errors[call.id] = result.is_error
            self._messages.append(tool_message)
            new_messages.append(tool_message)
        self._steps += 1
        terminated = not turn.tool_calls
        truncated = not terminated and self._steps >= self.max_steps
        observation = _format_results(results)
        info: dict[str, Any] = {
            "step": self._steps,
            "tool_results": [_result_info(r) for r in results],
            "new_messages": copy.deepcopy(new_messages),
            "messages": copy.deepcopy(self._messages),
        }
        timing: dict[str, Any] = {"step": self._steps, "tools_s": [r.details.get("duration_s", 0.0) for r in results]}
        reward = 0.0
        if terminated or truncated:
            self._done = True
            verification = self._verify(final_message=turn.content)
            reward = self._score(verification, info, final_message=turn.content)
            timing["verifier_s"] = verification.duration_s
            info["verification"] = {k: v for k, v in verification.to_dict().items() if k != "duration_s"}
            info["reward_breakdown"] = dict(verification.breakdown)
            info["final_message"] = turn.content
        self._timings.append(timing)
        self._last_render = _render_turn(turn.content, results, reward if self._done else None)
        return observation, reward, terminated, truncated, info

    def truncate(self) -> tuple[float, dict[str, Any]]:
        """End the current episode now, without another turn, and score it: ``(reward, info)``.

        For trainers whose own budget runs out first (response tokens, wall
        clock): the verifier runs over the workspace as it is, exactly as after a
        ``truncated=True`` step, and ``info`` has the same ``verification``,
        ``reward_breakdown`` and ``final_message`` (empty) keys. The episode is
        then over; :meth:`reset` starts the next one.
        """
        if self._closed:
            raise EnvStateError("this env is closed; create a new one with gym.make(...)")
        if self._context is None:
            raise EnvStateError("truncate() called before reset(); call env.reset() first")
        if self._done:
            raise EnvStateError("the episode is over; call env.reset() to start a new one")
        self._done = True
        verification = self._verify(final_message="")
        self._timings.append({"step": self._steps, "tools_s": [], "verifier_s": verification.duration_s})
        info: dict[str, Any] = {
            "step": self._steps,
            "messages": copy.deepcopy(self._messages),
            "verification": {k: v for k, v in verification.to_dict().items() if k != "duration_s"},
            "reward_breakdown": dict(verification.breakdown),
            "final_message": "",
        }
        reward = self._score(verification, info, final_message="")
        self._last_render = f"[truncated]\n[reward] {reward:.4f}\n"
        return reward, info

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: the last turn as text (tool calls, results, reward)."""
        if self.render_mode == "ansi":
            return self._last_render
        return None

    def close(self) -> None:
        """Destroy the sandbox and the workspace; safe to call any number of times."""
        if getattr(self, "_closed", True):
            return
        self._closed = True
        self._teardown_episode()
        _LIVE_ENVS.discard(self)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            logger.debug("error while closing a ClawEnv from __del__", exc_info=True)

    # -- introspection -----------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """A copy of the chat history of the current episode (OpenAI format)."""
        return copy.deepcopy(self._messages)

    @property
    def step_timings(self) -> list[dict[str, Any]]:
        """Wall-clock seconds per step of the current episode: each tool call and the verifier.

        Kept out of ``info`` so that ``info`` is identical for identical actions.
        """
        return copy.deepcopy(self._timings)

    @property
    def workspace(self) -> Path | None:
        """The host directory of the current episode's workspace (``None`` between episodes)."""
        return self._workspace

    @property
    def sandbox(self) -> Sandbox | None:
        """The agent's sandbox of the current episode (``None`` once the episode is scored)."""
        return self._sandbox

    # -- internals -----------------------------------------------------------------

    def _make_sandbox(self, workspace: Path, mount_path: str, limits: Limits) -> Sandbox:
        return create_sandbox(self.backend, workspace, mount_path=mount_path, limits=limits, **self.sandbox_options)

    def _score(self, verification: VerificationResult, info: dict[str, Any], *, final_message: str) -> float:
        """The episode's reward: the code score, or the hybrid of it and the judge's rubric score.

        In hybrid mode, tasks with rubric rules get ``info["s_code"]`` and ``info["rubric"]``
        (every rule's verdict and the judge's raw answers); tasks without one keep the code score.
        """
        if self.reward_mode != "hybrid" or not self.task.rubric or self.judge is None or self._workspace is None:
            return verification.score
        rubric = self.judge.judge(self.task, self._workspace, final_message=final_message)
        info["s_code"] = verification.score
        info["rubric"] = rubric.to_dict()
        return hybrid_score(verification.score, rubric.s_rubric, code_weight=self.code_weight)

    def _verify(self, *, final_message: str) -> VerificationResult:
        if self._workspace is None:
            raise EnvStateError("no workspace to verify; call env.reset() first")
        # The agent's processes must be gone before the verifier looks at the workspace.
        self._close_agent_sandbox()
        transcript = openclaw_transcript(
            self._messages[1:], tool_errors=self._tool_errors, cwd=self.task.workspace_path
        )
        verification = self._verifier.verify(
            self.task, self._workspace, final_message=final_message, transcript=transcript
        )
        self.last_verification = verification
        return verification

    def _close_agent_sandbox(self) -> None:
        context, sandbox = self._context, self._sandbox
        self._sandbox = None
        try:
            if context is not None:
                context.close()
        finally:
            if sandbox is not None:
                sandbox.close()

    def _teardown_episode(self) -> None:
        try:
            self._close_agent_sandbox()
        finally:
            self._context = None
            if self._workspace is not None:
                workspace, self._workspace = self._workspace, None
                remove_workspace(workspace)


def _resolve_task(task: Task | Mapping[str, Any] | None, task_id: str | None, task_source: str | None) -> Task:
    if isinstance(task, Task):
        return task
    if isinstance(task, Mapping):
        return Task.from_dict(task)
    if task is not None:
        raise TypeError(f"task must be a Task or a Task dict, got {type(task).__name__}")
    if task_id is None or task_source is None:
        raise TypeError("ClawEnv needs a task, or both task_id and task_source")
    from clawgym_env.envs.registration import get_task

    return get_task(task_source, task_id)


def _result_info(result: ToolResult) -> dict[str, Any]:
    return {
        "id": result.call.id,
        "name": result.call.name,
        "arguments": dict(result.call.arguments),
        "output": result.output,
        "is_error": result.is_error,
        "details": {k: v for k, v in result.details.items() if k != "duration_s"},
    }


def _format_results(results: Sequence[ToolResult]) -> str:
    if len(results) == 1:
        return results[0].output
    blocks = []
    for result in results:
        status = " (error)" if result.is_error else ""
        blocks.append(f"[{result.call.name or '?'} {result.call.id}{status}]\n{result.output}")
    return "\n\n".join(blocks)


def _render_turn(content: str, results: Sequence[ToolResult], reward: float | None) -> str:
    lines = []
    if content.strip():
        lines.append(f"[assistant]\n{content.strip()}")
    for result in results:
        arguments = ", ".join(f"{k}={v!r}" for k, v in result.call.arguments.items())
        if len(arguments) > 300:
            arguments = arguments[:300] + "…"
        status = "error" if result.is_error else "ok"
        output = result.output if len(result.output) <= 2000 else result.output[:2000] + "\n…"
        lines.append(f"[tool {result.call.name}({arguments}) -> {status}]\n{output}")
    if reward is not None:
        lines.append(f"[reward] {reward:.4f}")
    return "\n".join(lines) + "\n"
