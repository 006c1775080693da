"""The ``local`` backend: commands run directly on the host, with no isolation.

For development machines where neither namespaces (``bwrap``) nor Docker are
available. Commands run as ``bash -c COMMAND`` with the resource limits of
:class:`~clawgym_env.sandbox.base.Limits`, a clean environment and the same
timeout, output-cap and process-tree semantics as the other backends, but
they see the host's whole filesystem, network and users. Never use it for
untrusted agents; a warning is logged once per process.

**Path translation.** The workspace really lives in a host directory, not at
``mount_path``, so this backend rewrites paths to keep commands portable:

* occurrences of the mount path in the command string, in ``cwd`` and in
  environment values are replaced by the host workspace path;
* in captured output the host workspace path is replaced back by the mount
  path, so ``pwd`` prints ``/root/.openclaw/workspace`` as on every backend.

This is textual: a mount path built at run time (``cd /root; cd .openclaw``),
read from a file, or written *into* a file is not translated, and output of a
background process is translated chunk by chunk (a path split across two
reads is missed). ``/tmp`` is the host's; ``TMPDIR`` points to a private
directory removed by :meth:`close`.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from clawgym_env.sandbox import _registry
from clawgym_env.sandbox._process import PopenBackgroundProcess, run_foreground
from clawgym_env.sandbox.base import DEFAULT_MOUNT_PATH, BackgroundProcess, CommandResult, Limits, Sandbox

__all__ = ["LocalSandbox"]

logger = logging.getLogger(__name__)

_warned = False


def _warn_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        logger.warning(
            "the 'local' sandbox backend runs commands on the host without isolation; "
            "use 'bwrap' (apt-get install bubblewrap) or 'docker' for untrusted agents"
        )


class LocalSandbox(Sandbox):
    """Runs commands on the host in the workspace directory; see the module docstring."""

    backend = "local"

    def __init__(self, workspace: Path, *, mount_path: str = DEFAULT_MOUNT_PATH, limits: Limits | None = None) -> None:
        super().__init__(workspace, mount_path=mount_path, limits=limits)
        _warn_once()
        self._mount = str(self.mount_path)
        self._host = str(self.workspace)
        self._mount_b = self._mount.encode()
        self._host_b = self._host.encode()
        self.tmp_dir = Path(tempfile.mkdtemp(prefix="clawgym-local-tmp-"))
        _registry.register(self)

    # -- path translation ----------------------------------------------------

    def to_host(self, text: str) -> str:
        """``text`` with the mount path replaced by the host workspace path."""
        return text.replace(self._mount, self._host)

    def script_text(self, text: str) -> str:
        return self.to_host(text)

    def to_sandbox(self, data: bytes) -> bytes:
        """Output with the host workspace path replaced by the mount path."""
        return data.replace(self._host_b, self._mount_b)

    def _host_env(self, env: dict[str, str]) -> dict[str, str]:
        translated = {key: self.to_host(value) for key, value in env.items()}
        translated.setdefault("TMPDIR", str(self.tmp_dir))
        return translated

    # -- hooks ---------------------------------------------------------------

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
        host_cwd = self.to_host(str(cwd))
        if not os.path.isdir(host_cwd):
            message = f"clawgym: cannot run in {cwd}: no such directory\n".encode()
            return CommandResult(
                exit_code=1, stdout=b"" if not merge_stderr else message, stderr=b"" if merge_stderr else message
            )
        result = run_foreground(
            ["bash", "-c", self.to_host(command)],
            cwd=host_cwd,
            env=self._host_env(env),
            limits=self.limits,
            timeout=timeout,
            merge_stderr=merge_stderr,
            stdin=stdin,
        )
        return replace(result, stdout=self.to_sandbox(result.stdout), stderr=self.to_sandbox(result.stderr))

    def _start(self, command: str, *, cwd: PurePosixPath, env: dict[str, str]) -> BackgroundProcess:
        host_cwd = self.to_host(str(cwd))
        return PopenBackgroundProcess(
            ["bash", "-c", self.to_host(command)],
            cwd=host_cwd if os.path.isdir(host_cwd) else self._host,
            env=self._host_env(env),
            limits=self.limits,
            translate=self.to_sandbox,
        )

    def _close(self) -> None:
        shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def __del__(self) -> None:
        try:
            if not self._closed:
                self.close()
        except Exception:  # noqa: BLE001 - a finalizer must never raise
            pass
