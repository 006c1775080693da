"""The error model of ClawGym-Env.

An agent's mistake is data, not an exception: an unknown tool, malformed JSON,
a missing argument, a path outside the workspace or a command that times out
becomes an error message in the observation, and the episode goes on. Only
failures of the infrastructure (the sandbox, the verifier's machinery, a bad
task definition, a misused API) raise, and every one of them is a subclass of
:class:`ClawGymError`::

    ClawGymError
    ├── TaskError                  a task definition is malformed
    │   └── TaskLoadError          one or more tasks failed to load (lists them all)
    ├── RegistrationError          a gymnasium id is unknown or registered twice
    ├── SandboxError               the sandbox machinery failed
    │   ├── BackendUnavailableError   a backend cannot run here (says what to install)
    │   ├── SandboxClosedError        the sandbox was used after close()
    │   └── SandboxStartError         a sandbox could not be created
    ├── VerifierError              the verifier could not be run at all
    └── EnvStateError              the env was used out of order (step before reset, ...)

Messages diagnose and prescribe: they name the file, id or setting that is
wrong and, where there is one, what to do next.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "ClawGymError",
    "EnvStateError",
    "RegistrationError",
    "SandboxClosedError",
    "SandboxError",
    "SandboxStartError",
    "TaskError",
    "TaskLoadError",
    "VerifierError",
]


class ClawGymError(Exception):
    """Base class of every error this library raises on purpose."""


class TaskError(ClawGymError, ValueError):
    """A task definition is malformed: the message names the file and what is wrong."""


class TaskLoadError(TaskError):
    """Loading a dataset found bad tasks; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        noun = "task" if count == 1 else "tasks"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{count} malformed {noun}:\n{body}\nFix them, or pass strict=False to skip them with a warning."
        )


class RegistrationError(ClawGymError):
    """A gymnasium id is unknown, or a task id would be registered twice."""


class SandboxError(ClawGymError, RuntimeError):
    """The sandbox machinery failed (not the agent's command)."""


class BackendUnavailableError(SandboxError):
    """A sandbox backend cannot run on this machine; the message says what to install."""


class SandboxClosedError(SandboxError):
    """A sandbox was used after ``close()``."""


class SandboxStartError(SandboxError):
    """A sandbox could not be created."""


class VerifierError(ClawGymError, RuntimeError):
    """The verifier could not be run at all (a failing ``reward.sh`` is not this: it scores 0)."""


class EnvStateError(ClawGymError, RuntimeError):
    """The environment was used out of order, e.g. ``step()`` before ``reset()`` or after ``close()``."""
