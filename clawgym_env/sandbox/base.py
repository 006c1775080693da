"""The sandbox contract shared by every backend.

A sandbox runs shell commands over one **workspace**: a directory on the host
that the sandbox shows to its processes at ``mount_path`` (by default
``/root/.openclaw/workspace``, the path the released ClawGym tasks use). The
workspace belongs to whoever created it (the env): closing a sandbox kills
its processes and frees what the backend made (containers, private ``/tmp``
directories) but never deletes the workspace. This lets the verifier run in
a *fresh* sandbox over the agent's final workspace.

Every backend gives the same results for the same commands:

* commands run as ``bash -c COMMAND`` with ``cwd`` defaulting to the mount path
  (a relative ``cwd`` is taken relative to it);
* the environment is :data:`BASE_ENV` plus what the caller passes, never the
  host's environment;
* a command that outlives its timeout is killed with its whole process tree
  and reported with ``timed_out=True`` and ``exit_code=None``;
* captured output is capped at ``Limits.max_output_bytes`` per stream
  (``truncated=True`` says so);
* ``close()`` is idempotent and leaves no process, container or temp directory.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType

from clawgym_env.errors import SandboxClosedError

__all__ = [
    "BASE_ENV",
    "DEFAULT_MOUNT_PATH",
    "PIDS_HEADROOM",
    "BackgroundProcess",
    "CommandResult",
    "Limits",
    "Sandbox",
]

logger = logging.getLogger(__name__)

DEFAULT_MOUNT_PATH = "/root/.openclaw/workspace"

BASE_ENV: Mapping[str, str] = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TERM": "dumb",
    "PYTHONDONTWRITEBYTECODE": "1",
}
"""The environment every sandboxed command starts from (the host's is never inherited)."""

GiB = 1024**3

PIDS_HEADROOM = 16
"""Processes a sandbox may run beyond ``Limits.max_processes`` for its own machinery (init, wrappers)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to every command a sandbox runs.

    ``None`` disables a limit. Exceeding one never hangs the host: the command
    fails (killed, or its system call refused) and the agent sees the error.
    """

    timeout_s: float = 120.0
    """Wall-clock seconds a foreground command may run when the caller gives no timeout."""
    cpu_seconds: int | None = 600
    """CPU seconds per command (``RLIMIT_CPU``)."""
    memory_bytes: int | None = 4 * GiB
    """Address space per process (``RLIMIT_AS``), or the container's memory limit."""
    max_processes: int | None = 512
    """Processes alive at once: in the whole sandbox for ``bwrap`` and ``docker`` (a pids cgroup,
    plus :data:`PIDS_HEADROOM` for the sandbox's own processes), per command for ``local``."""
    max_output_bytes: int = 1_000_000
    """Bytes of stdout (and of stderr) kept per command; the rest is dropped."""
    max_file_bytes: int | None = 1 * GiB
    """Largest file a command may write (``RLIMIT_FSIZE``)."""

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise ValueError(f"Limits.timeout_s must be > 0, got {self.timeout_s}")
        if self.max_output_bytes <= 0:
            raise ValueError(f"Limits.max_output_bytes must be > 0, got {self.max_output_bytes}")
        for name in ("cpu_seconds", "memory_bytes", "max_processes", "max_file_bytes"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"Limits.{name} must be > 0 or None, got {value}")


@dataclass(frozen=True)
class CommandResult:
    """The outcome of one foreground command."""

    exit_code: int | None
    """The command's exit status; ``None`` when it was killed for its timeout. A
    command killed by a signal reports ``128 + signal`` like bash does."""
    stdout: bytes
    """Captured standard output (with standard error interleaved when merged)."""
    stderr: bytes = b""
    """Captured standard error; empty when it was merged into ``stdout``."""
    timed_out: bool = False
    """The command ran past its timeout and its process tree was killed."""
    truncated: bool = False
    """More output was produced than ``Limits.max_output_bytes``; the head is kept."""
    duration_s: float = 0.0
    """Wall-clock seconds from start to exit (or kill)."""
    extra: dict[str, object] = field(default_factory=dict)
    """Backend-specific details, e.g. which limit was hit."""


class BackgroundProcess(abc.ABC):
    """A command started in the background (OpenClaw's ``exec`` with ``background``).

    Standard output and error are merged. Output is buffered up to the
    sandbox's ``max_output_bytes``; :meth:`read` returns what arrived since the
    last call.
    """

    @abc.abstractmethod
    def poll(self) -> int | None:
        """The exit status, or ``None`` while it is still running."""

    @abc.abstractmethod
    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to ``timeout`` seconds; return the exit status or ``None`` if still running."""

    @abc.abstractmethod
    def read(self) -> bytes:
        """Output produced since the previous :meth:`read` (never blocks)."""

    @abc.abstractmethod
    def output(self) -> bytes:
        """All output kept so far."""

    @abc.abstractmethod
    def write(self, data: bytes) -> None:
        """Write to the process's standard input; raises ``BrokenPipeError`` if it is closed."""

    @abc.abstractmethod
    def close_stdin(self) -> None:
        """Close the process's standard input (EOF)."""

    @abc.abstractmethod
    def kill(self) -> None:
        """Kill the whole process tree; idempotent."""


class Sandbox(abc.ABC):
    """An isolated place to run commands over a host workspace directory.

    Subclasses implement :meth:`_run`, :meth:`_start` and :meth:`_close`; this
    base class checks arguments, tracks background processes and makes
    ``close()`` idempotent.
    """

    backend: str = "abstract"
    """The backend's name, as given to :func:`clawgym_env.sandbox.create_sandbox`."""

    def __init__(self, workspace: Path, *, mount_path: str = DEFAULT_MOUNT_PATH, limits: Limits | None = None) -> None:
        mount = PurePosixPath(mount_path)
        if not mount.is_absolute() or ".." in mount.parts or mount == PurePosixPath("/"):
            raise ValueError(f"mount_path must be an absolute path below '/', without '..': {mount_path!r}")
        self.workspace = Path(workspace).resolve()
        self.mount_path = mount
        self.limits = limits or Limits()
        self._processes: list[BackgroundProcess] = []
        self._closed = False

    # -- public API ---------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def run(
        self,
        command: str,
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        merge_stderr: bool = True,
        stdin: bytes | None = None,
    ) -> CommandResult:
        """Run ``bash -c command`` in the foreground and wait for it (or its timeout)."""
        self._check_open()
        return self._run(
            command,
            cwd=self.resolve_cwd(cwd),
            env=self.command_env(env),
            timeout=self.limits.timeout_s if timeout is None else float(timeout),
            merge_stderr=merge_stderr,
            stdin=stdin,
        )

    def start(self, command: str, *, cwd: str | None = None, env: Mapping[str, str] | None = None) -> BackgroundProcess:
        """Start ``bash -c command`` in the background; :meth:`close` kills it."""
        self._check_open()
        process = self._start(command, cwd=self.resolve_cwd(cwd), env=self.command_env(env))
        self._processes.append(process)
        return process

    def kill_all(self) -> None:
        """Kill every background process this sandbox started (the sandbox stays usable)."""
        for process in self._processes:
            try:
                process.kill()
            except Exception:
                logger.warning("could not kill a background process of %s", self, exc_info=True)
        self._processes.clear()

    def close(self) -> None:
        """Kill every process and free the backend's resources; idempotent.

        The workspace directory is left in place: it belongs to the caller.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self.kill_all()
        finally:
            self._close()

    def resolve_cwd(self, cwd: str | None) -> PurePosixPath:
        """The sandbox path a command runs in: the mount path, or ``cwd`` relative to it."""
        if cwd is None or cwd == "":
            return self.mount_path
        path = PurePosixPath(cwd)
        return path if path.is_absolute() else self.mount_path / path

    def script_text(self, text: str) -> str:
        """``text`` as a script must read to reach sandbox paths on this backend.

        The identity everywhere except the ``local`` backend, whose workspace is
        not really at ``mount_path``: it rewrites the mount path to the host
        directory. Used for verifier scripts copied into the workspace.
        """
        return text

    def command_env(self, env: Mapping[str, str] | None) -> dict[str, str]:
        """:data:`BASE_ENV` updated with ``env`` (values coerced to ``str``)."""
        merged = dict(BASE_ENV)
        if env:
            merged.update({str(k): str(v) for k, v in env.items()})
        return merged

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<{type(self).__name__} {self.workspace} at {self.mount_path} ({state})>"

    # -- backend hooks ------------------------------------------------------

    @abc.abstractmethod
    def _run(
        self,
        command: str,
        *,
        cwd: PurePosixPath,
        env: dict[str, str],
        timeout: float,
        merge_stderr: bool,
        stdin: bytes | None,
    ) -> CommandResult:
        """Run one foreground command; arguments are already validated."""

    @abc.abstractmethod
    def _start(self, command: str, *, cwd: PurePosixPath, env: dict[str, str]) -> BackgroundProcess:
        """Start one background command; arguments are already validated."""

    @abc.abstractmethod
    def _close(self) -> None:
        """Free the backend's resources; called once."""

    def _check_open(self) -> None:
        if self._closed:
            raise SandboxClosedError(f"{self!r} is closed; create a new sandbox (env.reset()) to run commands")
