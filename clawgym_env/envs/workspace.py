"""Per-episode workspaces: a private host directory holding a task's files.

The workspace is what the sandbox mounts at the task's ``workspace_path``.
It is created by :func:`create_workspace` and removed by
:func:`remove_workspace`; whoever creates one owns it.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["create_workspace", "remove_workspace", "write_files"]

logger = logging.getLogger(__name__)

WORKSPACE_PREFIX = "clawgym-ws-"
"""Prefix of every workspace directory under the system temp dir (``clawgym doctor`` looks for it)."""


def write_files(root: Path, files: Mapping[str, bytes], executables: Iterable[str] = ()) -> None:
    """Write ``files`` (relative POSIX paths, already validated) below ``root``.

    A path whose parent is not a real directory below ``root`` (e.g. a symlink
    an agent planted) is replaced, never followed.
    """
    executable = set(executables)
    for relative, content in files.items():
        target = root.joinpath(*relative.split("/"))
        _ensure_real_dirs(root, target.parent)
        if target.is_symlink() or target.is_dir():
            _remove_path(target)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(target, 0o755 if relative in executable else 0o644)


def create_workspace(files: Mapping[str, bytes], executables: Iterable[str] = (), *, parent: str | None = None) -> Path:
    """Make a fresh private directory holding ``files``; the caller must :func:`remove_workspace` it."""
    root = Path(tempfile.mkdtemp(prefix=WORKSPACE_PREFIX, dir=parent))
    try:
        os.chmod(root, 0o755)
        write_files(root, files, executables)
    except BaseException:
        remove_workspace(root)
        raise
    return root


def remove_workspace(root: Path) -> None:
    """Delete a workspace and everything in it; missing directories are fine."""
    if not os.path.lexists(root):
        return

    def _make_writable_and_retry(function, path, _exc_info):  # type: ignore[no-untyped-def]
        # An agent may leave read-only directories behind; make them writable and retry once.
        try:
            os.chmod(os.path.dirname(path), stat.S_IRWXU)
            os.chmod(path, stat.S_IRWXU) if not os.path.islink(path) else None
            function(path)
        except OSError:
            logger.warning("could not remove %s from workspace %s", path, root)

    shutil.rmtree(root, onerror=_make_writable_and_retry)


def _ensure_real_dirs(root: Path, directory: Path) -> None:
    relative = directory.relative_to(root)
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            _remove_path(current)
        if not current.exists():
            current.mkdir(mode=0o755)


def _remove_path(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink()
    else:
        remove_workspace(path)
