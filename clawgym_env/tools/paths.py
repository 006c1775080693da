"""Workspace path resolution, done in the sandbox's namespace.

The file tools act on the host directory behind the sandbox's workspace
(``sandbox.workspace``), but the agent names files as it sees them inside the
sandbox: relative to the workspace, or absolute under ``sandbox.mount_path``
(``/root/.openclaw/workspace`` by default; ``~/.openclaw/workspace/...``
expands with ``HOME=/root``). Symbolic links are therefore resolved by hand,
component by component with ``lstat``, interpreting an absolute link target as
a *sandbox* path: a target under the mount path maps back into the workspace,
and anything else is outside. Resolving with the host's ``realpath`` would be
wrong twice over: ``ln -s /etc/shadow x`` planted by ``exec`` would then read
the host's file. (With the ``local`` backend, whose processes see the host's
filesystem, a target under the host workspace directory is inside too.)

Security contract:

* :func:`resolve_relative` never returns a path outside the workspace; every
  escape (absolute elsewhere, ``..`` above the root, a link leaving the
  workspace, more than :data:`MAX_SYMLINKS` links) raises :class:`ToolError`.
* The ``*_in_workspace`` helpers re-walk the resolved components from an open
  descriptor of the workspace with ``O_NOFOLLOW`` on every component, so a
  link swapped in after resolution (a background process racing the tool)
  fails with ``ELOOP``/``ENOTDIR`` instead of being followed.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path, PurePosixPath

from clawgym_env.sandbox.base import BASE_ENV, Sandbox
from clawgym_env.tools.base import ToolArgumentError, ToolError

__all__ = [
    "MAX_SYMLINKS",
    "display_path",
    "open_dir_in_workspace",
    "open_in_workspace",
    "rename_in_workspace",
    "resolve_path",
    "resolve_relative",
    "scrub_host_paths",
    "to_sandbox_path",
    "unlink_in_workspace",
]

MAX_SYMLINKS = 40
"""Symbolic links followed while resolving one path before giving up (as Linux does)."""

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _outside(sandbox: Sandbox, user_path: str, link: tuple[str, str] | None = None) -> ToolError:
    via = f" (through the symbolic link {link[0]} -> {link[1]})" if link else ""
    return ToolError(
        f"path {user_path!r} is outside the workspace ({sandbox.mount_path}){via}; use a path relative to it"
    )


def _expand_home(user_path: str) -> str:
    if user_path == "~" or user_path.startswith("~/"):
        return BASE_ENV["HOME"] + user_path[1:]
    return user_path


def _strip_mount(sandbox: Sandbox, path: PurePosixPath) -> tuple[str, ...] | None:
    """The components of absolute ``path`` below the mount path, or ``None`` if it is not under it."""
    mount = sandbox.mount_path.parts
    if path.parts[: len(mount)] != mount:
        return None
    return path.parts[len(mount) :]


def _strip_host(sandbox: Sandbox, path: PurePosixPath) -> tuple[str, ...] | None:
    """Like :func:`_strip_mount` for the host workspace path (what ``local`` sandbox processes see)."""
    host = PurePosixPath(sandbox.workspace).parts
    return path.parts[len(host) :] if path.parts[: len(host)] == host else None


def resolve_relative(sandbox: Sandbox, user_path: str) -> PurePosixPath:
    """The workspace-relative path ``user_path`` names, with every symbolic link resolved.

    Returns ``PurePosixPath(".")`` for the workspace itself. Components that do
    not exist yet are kept as given (so ``write`` can create them). Raises
    :class:`ToolError` for any path that leaves the workspace and
    :class:`ToolArgumentError` for an empty path or one with a NUL byte.
    """
    if not isinstance(user_path, str) or not user_path.strip():
        raise ToolArgumentError("argument 'path' must be a non-empty string")
    if "\0" in user_path:
        raise ToolArgumentError(f"path {user_path!r} contains a NUL byte")
    expanded = PurePosixPath(_expand_home(user_path))
    if expanded.is_absolute():
        below = _strip_mount(sandbox, expanded)
        if below is None:
            raise _outside(sandbox, user_path)
        pending = list(reversed(below))
    else:
        pending = list(reversed(expanded.parts))

    stack: list[str] = []
    links = 0
    last_link: tuple[str, str] | None = None
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                raise _outside(sandbox, user_path, last_link)
            stack.pop()
            continue
        stack.append(part)
        host = sandbox.workspace.joinpath(*stack)
        try:
            info = os.lstat(host)
        except (FileNotFoundError, NotADirectoryError):
            continue  # not there (yet): the rest is taken literally
        if not stat.S_ISLNK(info.st_mode):
            continue
        links += 1
        if links > MAX_SYMLINKS:
            raise ToolError(
                f"path {user_path!r}: too many levels of symbolic links (more than {MAX_SYMLINKS}); "
                "there is probably a link loop"
            )
        target = os.readlink(host)
        last_link = (str(to_sandbox_path(sandbox, PurePosixPath(*stack))), target)
        stack.pop()
        target_path = PurePosixPath(target)
        if target_path.is_absolute():
            below = _strip_mount(sandbox, target_path)
            if below is None and sandbox.backend == "local":
                below = _strip_host(sandbox, target_path)
            if below is None:
                raise _outside(sandbox, user_path, last_link)
            stack = []
            pending.extend(reversed(below))
        else:
            pending.extend(reversed(target_path.parts))
    return PurePosixPath(*stack) if stack else PurePosixPath(".")


def resolve_path(sandbox: Sandbox, user_path: str) -> Path:
    """The host path behind ``user_path`` (see :func:`resolve_relative` for the rules)."""
    relative = resolve_relative(sandbox, user_path)
    return sandbox.workspace if relative == PurePosixPath(".") else sandbox.workspace / relative


def to_sandbox_path(sandbox: Sandbox, relative: PurePosixPath) -> PurePosixPath:
    """The absolute path a workspace-relative path has inside the sandbox."""
    return sandbox.mount_path if relative == PurePosixPath(".") else sandbox.mount_path / relative


def display_path(relative: PurePosixPath) -> str:
    """How a workspace-relative path is shown to the agent (``.`` for the root)."""
    return relative.as_posix()


def scrub_host_paths(sandbox: Sandbox, text: str) -> str:
    """Replace the host workspace directory in ``text`` by the mount path the agent knows."""
    return text.replace(str(sandbox.workspace), str(sandbox.mount_path))


def open_dir_in_workspace(sandbox: Sandbox, relative: PurePosixPath, *, create: bool = False) -> int:
    """Open directory ``relative`` (``.`` for the root) without following any link; return its fd.

    With ``create`` missing directories are made. The caller closes the fd.
    """
    fd = os.open(sandbox.workspace, _DIR_FLAGS)
    try:
        for part in relative.parts:
            if part == ".":
                continue
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _split(relative: PurePosixPath) -> tuple[PurePosixPath, str]:
    if relative == PurePosixPath("."):
        raise ToolError("this operation needs a file path, not the workspace directory itself")
    return relative.parent, relative.name


def open_in_workspace(
    sandbox: Sandbox, relative: PurePosixPath, flags: int, mode: int = 0o644, *, create_parents: bool = False
) -> int:
    """``open(2)`` the file at ``relative`` with ``O_NOFOLLOW`` on every component; return the fd."""
    parent, name = _split(relative)
    dir_fd = open_dir_in_workspace(sandbox, parent, create=create_parents)
    try:
        return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def unlink_in_workspace(sandbox: Sandbox, relative: PurePosixPath) -> None:
    """Remove the file (or link) at ``relative`` without following links in its parents."""
    parent, name = _split(relative)
    dir_fd = open_dir_in_workspace(sandbox, parent)
    try:
        os.unlink(name, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def rename_in_workspace(
    sandbox: Sandbox, source: PurePosixPath, target: PurePosixPath, *, create_parents: bool = False
) -> None:
    """Rename ``source`` to ``target`` (both workspace-relative) without following links in their parents."""
    src_parent, src_name = _split(source)
    dst_parent, dst_name = _split(target)
    src_fd = open_dir_in_workspace(sandbox, src_parent)
    try:
        dst_fd = open_dir_in_workspace(sandbox, dst_parent, create=create_parents)
        try:
            os.rename(src_name, dst_name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
        finally:
            os.close(dst_fd)
    finally:
        os.close(src_fd)
