"""The code verifier: run a task's ``reward.sh`` over the final workspace.

This reproduces the reference ClawGym harness step by step, because the
score must equal what that harness gives to the same tool calls:

1. the agent's processes are gone (the caller closed its sandbox);
2. the task's ``reward/`` files are copied to ``<workspace>/reward/``,
   replacing whatever the agent left at that path;
3. ``<workspace>/.openclaw_reward_payload.json`` receives
   ``{task_id, user_query, metadata, final_message, transcript}`` (the
   harness's ``final_message``, ``metadata`` and ``transcript`` plus the two
   task fields, in ``json.dump``'s default format) and
   ``OPENCLAW_REWARD_PAYLOAD`` points at it;
4. ``bash <workspace>/reward/reward.sh`` runs in a **fresh** sandbox over the
   workspace, with ``PATH``, ``HOME=/root`` and ``LC_ALL=C.UTF-8``;
5. the last non-empty stdout line, stripped, parsed as a float, is the score;
   a non-zero exit, no output, an unparseable line or a timeout (120 s by
   default) scores 0.0 and the reason is recorded.

Named sub-scores. The released ``reward.sh`` files are one template:
``HOOK | python3 -c '<average the JSON dict HOOK printed>'`` under
``set -euo pipefail``. For that exact template the verifier runs the same two
commands with the hook's output kept in the sandbox's private ``/tmp`` instead
of a pipe, which is equivalent for the score (same interpreter, same code,
the same failure of either stage fails the script) and exposes the dict of
named checks as the breakdown. Any other ``reward.sh`` runs verbatim; if its
last line is itself a JSON dict of sub-scores, their mean is the score.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from clawgym_env.envs.task import Task
from clawgym_env.envs.workspace import remove_workspace, write_files
from clawgym_env.sandbox.base import CommandResult, Limits, Sandbox

__all__ = [
    "PAYLOAD_FILENAME",
    "REWARD_TEMPLATE_CODE",
    "CodeVerifier",
    "SandboxFactory",
    "VerificationResult",
    "parse_score",
]

logger = logging.getLogger(__name__)

PAYLOAD_FILENAME = ".openclaw_reward_payload.json"
"""Where the payload is written, relative to the workspace (as the reference harness does)."""

REWARD_TEMPLATE_CODE = (
    "import json, sys; raw = sys.stdin.read().strip(); data = json.loads(raw); "
    "print(sum(float(v) for v in data.values()) / len(data) if isinstance(data, dict) and data "
    "else float(data) if isinstance(data, (int, float)) else 0.0)"
)
"""The averaging one-liner of the released ``reward.sh`` template."""

_TEMPLATE = re.compile(
    r"#!/usr/bin/env bash\nset -euo pipefail\n\n(?P<hook>[^\n]+?) \| python3 -c "
    + re.escape(shlex.quote(REWARD_TEMPLATE_CODE))
    + r"\n?"
)
_CHECKS_MARKER = "__CLAWGYM_CHECKS_OUTPUT__"

SandboxFactory = Callable[[Path, str, Limits], Sandbox]
"""Builds a fresh sandbox over ``(workspace, mount_path, limits)``."""


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of one verifier run."""

    score: float
    """The reward in [0, 1]: the verifier's last stdout line, or 0.0 on failure."""
    breakdown: Mapping[str, float] = field(default_factory=dict)
    """Named sub-scores (the JSON dict a ``check.py`` prints), empty if there are none."""
    s_code: float = 0.0
    """Mean of :attr:`breakdown` when it is non-empty, else :attr:`score`."""
    error: str | None = None
    """Why the score is 0.0 (or was clamped), when something went wrong."""
    exit_code: int | None = None
    """``reward.sh``'s exit status (``None`` if it timed out)."""
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["breakdown"] = dict(self.breakdown)
        return data


def parse_score(stdout: str) -> tuple[float, str | None]:
    """Parse the reference harness's way: last non-empty stripped line as a float.

    Returns ``(score, error)``; on any problem the score is 0.0 and ``error`` says why.
    A finite score outside [0, 1] is clamped and the clamp reported.
    """
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not lines:
        return 0.0, "reward script produced no stdout"
    try:
        value = float(lines[-1])
    except ValueError:
        return 0.0, f"reward script output is not a number: {lines[-1][:200]!r}"
    if not math.isfinite(value):
        return 0.0, f"reward script printed a non-finite score {lines[-1]!r}"
    if value < 0.0 or value > 1.0:
        clamped = min(1.0, max(0.0, value))
        return clamped, f"score {value!r} outside [0, 1] was clamped to {clamped}"
    return value, None


def _named_checks(text: str) -> dict[str, float]:
    """The dict of sub-scores in ``text`` (a JSON object of numbers), or ``{}``."""
    try:
        data = json.loads(text.strip())
    except (json.JSONDecodeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    checks: dict[str, float] = {}
    for name, value in data.items():
        try:
            checks[str(name)] = float(value)
        except (TypeError, ValueError):
            return {}
    return checks


class CodeVerifier:
    """Runs a task's ``reward/`` verifier over a final workspace.

    ``sandbox_factory`` builds the fresh sandbox the script runs in; the
    verifier closes it before returning, whatever happens.
    """

    def __init__(self, sandbox_factory: SandboxFactory, *, limits: Limits | None = None) -> None:
        self._sandbox_factory = sandbox_factory
        self._limits = limits or Limits()

    def verify(
        self,
        task: Task,
        workspace: Path,
        *,
        final_message: str = "",
        transcript: Sequence[Mapping[str, Any]] = (),
        timeout_s: float | None = None,
    ) -> VerificationResult:
        """Score ``workspace`` (a host directory the agent has finished with) for ``task``."""
        started = time.monotonic()
        mount = task.workspace_path.rstrip("/")
        env = {"OPENCLAW_REWARD_PAYLOAD": f"{mount}/{PAYLOAD_FILENAME}"}
        script = task.verifier.files[task.verifier.entrypoint].decode("utf-8", errors="replace")
        template = _TEMPLATE.fullmatch(script) if task.verifier.entrypoint == "reward.sh" else None
        if template is not None:
            command = self._split_template_command(template.group("hook"))
        else:
            command = f"bash {shlex.quote(f'{mount}/reward/{task.verifier.entrypoint}')}"
        timeout = task.verifier.timeout_s if timeout_s is None else timeout_s
        sandbox = self._sandbox_factory(workspace, task.workspace_path, self._limits)
        try:
            self._install_verifier(task, workspace, sandbox)
            self._write_payload(task, workspace, final_message, transcript)
            result = sandbox.run(command, env=env, timeout=timeout, merge_stderr=False)
        finally:
            sandbox.close()
        return self._interpret(result, split=template is not None, started=started, timeout=timeout)

    # -- steps ----------------------------------------------------------------

    @staticmethod
    def _install_verifier(task: Task, workspace: Path, sandbox: Sandbox) -> None:
        reward_dir = workspace / "reward"
        if os.path.lexists(reward_dir):
            if reward_dir.is_symlink() or not reward_dir.is_dir():
                reward_dir.unlink()
            else:
                remove_workspace(reward_dir)
        files = {f"reward/{path}": _script_bytes(sandbox, content) for path, content in task.verifier.files.items()}
        executables = {f"reward/{path}" for path in task.verifier.executables}
        write_files(workspace, files, executables)

    @staticmethod
    def _write_payload(
        task: Task, workspace: Path, final_message: str, transcript: Sequence[Mapping[str, Any]]
    ) -> None:
        payload = {
            "task_id": task.id,
            "user_query": task.instruction,
            "metadata": dict(task.metadata),
            "final_message": final_message,
            "transcript": list(transcript),
        }
        # json.dump's defaults (ASCII escapes), as the reference harness writes it: a check
        # that reads the raw text sees the same bytes.
        write_files(workspace, {PAYLOAD_FILENAME: json.dumps(payload).encode("ascii")})

    @staticmethod
    def _split_template_command(hook: str) -> str:
        """The template's two stages with the hook's stdout kept in a file (see module docstring)."""
        return "\n".join(
            [
                "set -euo pipefail",
                "__clawgym_checks=$(mktemp)",
                f'{hook} > "$__clawgym_checks"',
                f'python3 -c {shlex.quote(REWARD_TEMPLATE_CODE)} < "$__clawgym_checks"',
                f"printf '\\n%s\\n' {_CHECKS_MARKER} >&2",
                'cat "$__clawgym_checks" >&2',
            ]
        )

    @staticmethod
    def _interpret(result: CommandResult, *, split: bool, started: float, timeout: float) -> VerificationResult:
        stdout = result.stdout.decode("utf-8", errors="replace")
        stderr = result.stderr.decode("utf-8", errors="replace")
        checks: dict[str, float] = {}
        marker = f"\n{_CHECKS_MARKER}\n"
        if split and marker in stderr:
            stderr, _, checks_text = stderr.rpartition(marker)
            checks = _named_checks(checks_text)
        elapsed = time.monotonic() - started
        common: dict[str, Any] = {
            "exit_code": result.exit_code,
            "timed_out": result.timed_out,
            "stdout": stdout,
            "stderr": stderr,
            "duration_s": elapsed,
        }
        if result.timed_out:
            return VerificationResult(0.0, checks, 0.0, error=f"reward script timed out after {timeout:g} s", **common)
        if result.exit_code != 0:
            tail = stderr.strip()[-500:]
            return VerificationResult(
                0.0, checks, _mean(checks), error=f"reward script exited with {result.exit_code}: {tail}", **common
            )
        lines = [line.strip() for line in stdout.splitlines() if line.strip()]
        if not split and lines:
            checks = _named_checks(lines[-1])
            if checks:
                mean = _mean(checks)
                return VerificationResult(min(1.0, max(0.0, mean)), checks, mean, **common)
        score, error = parse_score(stdout)
        return VerificationResult(score, checks, _mean(checks) if checks else score, error=error, **common)


def _script_bytes(sandbox: Sandbox, content: bytes) -> bytes:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return content
    return sandbox.script_text(text).encode("utf-8")


def _mean(checks: Mapping[str, float]) -> float:
    return sum(checks.values()) / len(checks) if checks else 0.0
