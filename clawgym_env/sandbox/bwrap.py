"""The ``bwrap`` backend (default): one bubblewrap sandbox per episode, no daemon.

Creating a sandbox makes a private host directory that commands see as
``/tmp`` and starts ``bwrap`` once; inside it, a small fork server
(:mod:`._forkserver`, PID 1 of the sandbox) starts every command. The
sandbox's namespaces are made once, so a command costs a ``fork`` and an
``exec`` rather than a new set of namespaces (see ``docs/benchmarks``):

* **filesystem**: a tmpfs root holding read-only binds of each top-level entry
  of the root filesystem (``/`` or the ``rootfs=`` directory), except
  :data:`HIDDEN_TOP_LEVEL` (host home directories, ``/root``, mounts, ``/run``);
  top-level symlinks (``/bin -> usr/bin`` on merged-usr Debian) are re-created;
  a fresh ``/proc`` and a minimal ``/dev``; an empty writable ``/root`` (tmpfs)
  so ``HOME=/root`` works; the private ``/tmp``; the workspace read-write at
  ``mount_path`` (its parents are created on the tmpfs root);
* **isolation**: ``--unshare-all`` (no network but a private loopback, own PID,
  IPC and UTS namespaces), ``--new-session`` (no TTY injection), ``--cap-drop
  ALL`` when running as root; the fork server is PID 1, so commands cannot
  signal it and when it exits the kernel kills everything in the sandbox;
* **environment**: exactly the command's environment (the host's is never
  passed);
* **limits**: the per-process ones (CPU time, address space, file size) on
  every command; the process count on the whole sandbox, through one ``pids``
  cgroup that ``bwrap`` joins before it starts (``Limits.max_processes`` plus
  :data:`~clawgym_env.sandbox.base.PIDS_HEADROOM`, as for a Docker container).

Commands of one sandbox share its network namespace and ``/tmp`` (a server
started in the background is reachable from later commands on loopback, as
in a Docker container); a command's leftover processes are killed when its
main process exits. Starting is asynchronous (see :mod:`._forkclient`): the
first command waits for the sandbox to be up, and reports a failure to start
as :class:`~clawgym_env.errors.SandboxStartError` with bwrap's own message.
The sandbox needs a ``python3`` in its root filesystem (the fork server's
interpreter; any Python 3.7+).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path, PurePosixPath

from clawgym_env.errors import BackendUnavailableError, SandboxStartError
from clawgym_env.sandbox import _registry
from clawgym_env.sandbox._forkclient import ForkServer
from clawgym_env.sandbox._process import HandleBackgroundProcess, drive_foreground, new_cgroup
from clawgym_env.sandbox.base import (
    BASE_ENV,
    DEFAULT_MOUNT_PATH,
    PIDS_HEADROOM,
    BackgroundProcess,
    CommandResult,
    Limits,
    Sandbox,
)

__all__ = ["HIDDEN_TOP_LEVEL", "PYTHON_CANDIDATES", "BwrapSandbox", "bwrap_unavailable_reason"]

logger = logging.getLogger(__name__)

HIDDEN_TOP_LEVEL: frozenset[str] = frozenset(
    {"proc", "dev", "sys", "tmp", "run", "root", "home", "mnt", "media", "boot", "lost+found"}
)
"""Top-level entries of the root filesystem that are not bound into the sandbox."""

FORBIDDEN_MOUNT_PARENTS: frozenset[str] = frozenset({"proc", "dev", "sys"})
"""Top-level directories under which the workspace cannot be mounted (kernel filesystems)."""


def _bwrap_path() -> str | None:
    return shutil.which("bwrap") or shutil.which("bwrap", path="/usr/bin:/usr/local/bin")


@functools.lru_cache(maxsize=1)
def bwrap_unavailable_reason() -> str | None:
    """``None`` if bubblewrap works here, else why not and what to do (probed once per process)."""
    binary = _bwrap_path()
    if binary is None:
        return "bubblewrap is not installed: run `apt-get install bubblewrap`"
    probe = [binary, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        completed = subprocess.run(probe, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not be run ({exc})"
    if completed.returncode != 0:
        detail = completed.stderr.decode(errors="replace").strip()
        return (
            f"bubblewrap cannot create namespaces here ({detail or f'exit status {completed.returncode}'}); "
            "inside a container, allow user namespaces (e.g. docker run --privileged or a seccomp profile "
            "permitting clone/unshare), or use the 'docker' or 'local' backend"
        )
    return None


def _rootfs_binds(rootfs: Path) -> tuple[list[str], set[str]]:
    """bwrap arguments binding the top-level entries of ``rootfs``, and the names bound read-only."""
    args: list[str] = []
    bound: set[str] = set()
    for entry in sorted(os.scandir(rootfs), key=lambda e: e.name):
        if entry.name in HIDDEN_TOP_LEVEL:
            continue
        target = "/" + entry.name
        if entry.is_symlink():
            args += ["--symlink", os.readlink(entry.path), target]
        else:
            args += ["--ro-bind", entry.path, target]
        bound.add(entry.name)
    return args, bound


PYTHON_CANDIDATES: tuple[str, ...] = ("/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3")
"""Where the fork server's interpreter is looked for in the root filesystem, in order."""


def _find_python(root: Path) -> str | None:
    for candidate in PYTHON_CANDIDATES:
        if os.access(root / candidate.lstrip("/"), os.X_OK):
            return candidate
    return None


class BwrapSandbox(Sandbox):
    """Runs commands in one bubblewrap sandbox through its fork server; see the module docstring.

    Options: ``rootfs`` (a directory used as the root filesystem instead of
    ``/``) and ``bwrap`` (the bubblewrap binary).
    """

    backend = "bwrap"

    def __init__(
        self,
        workspace: Path,
        *,
        mount_path: str = DEFAULT_MOUNT_PATH,
        limits: Limits | None = None,
        rootfs: str | os.PathLike[str] = "/",
        bwrap: str | None = None,
    ) -> None:
        super().__init__(workspace, mount_path=mount_path, limits=limits)
        self._closed = True  # until fully built: __del__ and close() must not touch half-made state
        reason = bwrap_unavailable_reason() if bwrap is None else None
        if reason is not None:
            raise BackendUnavailableError(reason)
        binary = bwrap or _bwrap_path() or "bwrap"
        root = Path(rootfs)
        if not root.is_dir():
            raise SandboxStartError(f"rootfs {rootfs!s} is not a directory")
        if not self.workspace.is_dir():
            raise SandboxStartError(f"workspace {self.workspace} is not a directory")
        python = _find_python(root)
        if python is None:
            raise SandboxStartError(
                f"no python3 in the root filesystem {root} (looked for {', '.join(PYTHON_CANDIDATES)}); "
                "the bwrap sandbox runs its fork server with it: install python3 there"
            )
        binds, bound = _rootfs_binds(root)
        top = self.mount_path.parts[1]
        if top in bound:
            raise SandboxStartError(
                f"mount_path {self.mount_path} lies inside /{top}, which the bwrap sandbox binds read-only "
                f"from {root}; bubblewrap cannot create the mount point there. Choose a mount path under "
                f"/root, /home, /mnt, /tmp or a new top-level directory"
            )
        if top in FORBIDDEN_MOUNT_PARENTS:
            raise SandboxStartError(f"mount_path {self.mount_path} lies inside /{top}, a kernel filesystem")
        self.tmp_dir = Path(tempfile.mkdtemp(prefix="clawgym-bwrap-tmp-"))
        argv = [binary, "--unshare-all", "--new-session", "--as-pid-1"]
        if os.geteuid() == 0:
            argv += ["--cap-drop", "ALL"]
        argv += ["--tmpfs", "/", *binds, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/root"]
        argv += ["--bind", str(self.tmp_dir), "/tmp", "--bind", str(self.workspace), str(self.mount_path)]
        argv += ["--chdir", "/"]
        self.bwrap_argv: tuple[str, ...] = tuple(argv)
        """The ``bwrap`` command line up to the sandboxed program."""
        cgroup = new_cgroup(self.limits, headroom=PIDS_HEADROOM, kind="bwrap")
        try:
            self._server = ForkServer(argv, python=python, env=BASE_ENV, cgroup=cgroup)
        except BaseException as exc:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            if cgroup is not None:
                cgroup.remove()
            if isinstance(exc, OSError):
                raise SandboxStartError(f"could not run {binary}: {exc}") from exc
            raise
        self._closed = False
        _registry.register(self)

    @property
    def pid(self) -> int:
        """The host pid of this sandbox's ``bwrap`` process."""
        return self._server.pid

    def wait_ready(self) -> None:
        """Block until the sandbox is up (the first command does this itself)."""
        self._check_open()
        self._server.wait_ready()

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
        started = time.monotonic()
        handle = self._server.spawn(
            command, cwd=str(cwd), env=env, limits=self.limits, stdin=bool(stdin), merge_stderr=merge_stderr
        )
        return drive_foreground(handle, stdin=stdin, limits=self.limits, timeout=timeout, started=started)

    def _start(self, command: str, *, cwd: PurePosixPath, env: dict[str, str]) -> BackgroundProcess:
        handle = self._server.spawn(command, cwd=str(cwd), env=env, limits=self.limits, stdin=True, merge_stderr=True)
        return HandleBackgroundProcess(handle, limits=self.limits)

    def _close(self) -> None:
        try:
            self._server.close()
        finally:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def __del__(self) -> None:
        try:
            if not self._closed:
                self.close()
        except Exception:  # noqa: BLE001 - a finalizer must never raise
            pass
