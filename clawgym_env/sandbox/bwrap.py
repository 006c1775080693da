"""The ``bwrap`` backend (default): one bubblewrap namespace per command, no daemon.

Creating a sandbox spawns nothing: it only makes a private host directory
that every command sees as ``/tmp`` (so ``/tmp`` persists across the commands
of one sandbox and is never shared between sandboxes). Each command then runs
as ``bwrap ... bash -c COMMAND`` in a fresh set of namespaces:

* **filesystem**: a tmpfs root holding read-only binds of each top-level entry
  of the root filesystem (``/`` or the ``rootfs=`` directory), except
  :data:`HIDDEN_TOP_LEVEL` (host home directories, ``/root``, mounts, ``/run``);
  top-level symlinks (``/bin -> usr/bin`` on merged-usr Debian) are re-created;
  a fresh ``/proc`` and a minimal ``/dev``; an empty writable ``/root`` (tmpfs)
  so ``HOME=/root`` works; the private ``/tmp``; the workspace read-write at
  ``mount_path`` (its parents are created on the tmpfs root);
* **isolation**: ``--unshare-all`` (no network but a private loopback, own PID,
  IPC and UTS namespaces), ``--die-with-parent``, ``--new-session`` (no TTY
  injection), ``--cap-drop ALL`` when running as root;
* **environment**: exactly the command's environment (the host's is never
  passed: ``Popen`` gets only ``BASE_ENV`` plus the caller's variables).

Because every command has its own network namespace, a server started in the
background cannot be reached from a later command, and a foreground command's
leftover processes die with it (its PID namespace ends when it exits).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from clawgym_env.errors import BackendUnavailableError, SandboxStartError
from clawgym_env.sandbox import _registry
from clawgym_env.sandbox._process import PopenBackgroundProcess, run_foreground
from clawgym_env.sandbox.base import DEFAULT_MOUNT_PATH, BackgroundProcess, CommandResult, Limits, Sandbox

__all__ = ["HIDDEN_TOP_LEVEL", "BwrapSandbox", "bwrap_unavailable_reason"]

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


class BwrapSandbox(Sandbox):
    """Runs each command in its own bubblewrap namespaces; see the module docstring.

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
        prefix = [binary, "--unshare-all", "--die-with-parent", "--new-session"]
        if os.geteuid() == 0:
            prefix += ["--cap-drop", "ALL"]
        prefix += ["--tmpfs", "/", *binds, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/root"]
        prefix += ["--bind", str(self.tmp_dir), "/tmp", "--bind", str(self.workspace), str(self.mount_path)]
        self._prefix = prefix
        self._closed = False
        _registry.register(self)

    def argv(self, command: str, cwd: PurePosixPath) -> list[str]:
        """The full ``bwrap`` command line that runs ``command`` in ``cwd``."""
        return [*self._prefix, "--chdir", str(cwd), "bash", "-c", command]

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
        return run_foreground(
            self.argv(command, cwd),
            cwd="/",
            env=env,
            limits=self.limits,
            timeout=timeout,
            merge_stderr=merge_stderr,
            stdin=stdin,
        )

    def _start(self, command: str, *, cwd: PurePosixPath, env: dict[str, str]) -> BackgroundProcess:
        return PopenBackgroundProcess(self.argv(command, cwd), cwd="/", env=env, limits=self.limits)

    def _close(self) -> None:
        shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def __del__(self) -> None:
        try:
            if not self._closed:
                self.close()
        except Exception:  # noqa: BLE001 - a finalizer must never raise
            pass
