"""Path resolution: every way out of the workspace is refused."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

import pytest

from clawgym_env.sandbox import create_sandbox
from clawgym_env.sandbox.base import Sandbox
from clawgym_env.tools import ToolArgumentError, ToolError, resolve_path, resolve_relative

MOUNT = "/root/.openclaw/workspace"


def outside(path: str) -> str:
    return "^" + re.escape(f"path {path!r} is outside the workspace ({MOUNT})")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a.txt", "a.txt"),
        ("./a/b/../c.txt", "a/c.txt"),
        (f"{MOUNT}/a.txt", "a.txt"),
        (f"{MOUNT}//x/./y", "x/y"),
        ("~/.openclaw/workspace/notes.md", "notes.md"),
        (MOUNT, "."),
        (".", "."),
    ],
)
def test_inside_paths(local_sandbox: Sandbox, workspace: Path, given: str, expected: str) -> None:
    assert resolve_relative(local_sandbox, given) == PurePosixPath(expected)
    want = workspace if expected == "." else workspace / expected
    assert resolve_path(local_sandbox, given) == want


@pytest.mark.parametrize("given", ["/etc/passwd", "../x", "a/../../x", f"{MOUNT}/../x", "~/secret", "/root/.openclaw"])
def test_escapes_are_refused(local_sandbox: Sandbox, given: str) -> None:
    with pytest.raises(ToolError, match=outside(given) + re.escape("; use a path relative to it") + "$"):
        resolve_path(local_sandbox, given)


def test_empty_and_nul_paths(local_sandbox: Sandbox) -> None:
    with pytest.raises(ToolArgumentError, match="non-empty string"):
        resolve_path(local_sandbox, "  ")
    with pytest.raises(ToolArgumentError, match="NUL byte"):
        resolve_path(local_sandbox, "a\0b")


def test_symlink_to_etc_is_outside(local_sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "x").symlink_to("/etc/shadow")
    (workspace / "etc").symlink_to("/etc")
    with pytest.raises(
        ToolError, match=outside("x") + re.escape(f" (through the symbolic link {MOUNT}/x -> /etc/shadow)")
    ):
        resolve_path(local_sandbox, "x")
    with pytest.raises(ToolError, match=outside("etc/passwd")):
        resolve_path(local_sandbox, "etc/passwd")


def test_symlink_via_mount_dotdot_is_outside(local_sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "sneaky").symlink_to(f"{MOUNT}/../x")
    with pytest.raises(ToolError, match=outside("sneaky")):
        resolve_path(local_sandbox, "sneaky")


def test_relative_symlink_escaping_is_outside(local_sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "d").mkdir()
    (workspace / "d" / "up").symlink_to("../../outside.txt")
    with pytest.raises(ToolError, match=outside("d/up")):
        resolve_path(local_sandbox, "d/up")


def test_symlinks_inside_resolve_in_sandbox_namespace(local_sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "real").mkdir()
    (workspace / "abs").symlink_to(f"{MOUNT}/real")  # absolute, as the agent would create it in the sandbox
    (workspace / "rel").symlink_to("real")
    (workspace / "real" / "back").symlink_to("..")
    assert resolve_relative(local_sandbox, "abs/f.txt") == PurePosixPath("real/f.txt")
    assert resolve_relative(local_sandbox, "rel/f.txt") == PurePosixPath("real/f.txt")
    assert resolve_relative(local_sandbox, "real/back/rel") == PurePosixPath("real")
    with pytest.raises(ToolError, match=outside("real/back/..")):
        resolve_relative(local_sandbox, "real/back/..")


def test_symlink_loop(local_sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "a").symlink_to("b")
    (workspace / "b").symlink_to("a")
    with pytest.raises(ToolError, match=r"^path 'a': too many levels of symbolic links \(more than 40\)"):
        resolve_path(local_sandbox, "a")


def test_host_absolute_target_is_outside_for_isolated_backends(workspace: Path) -> None:
    """Only the local backend's processes see the host path of the workspace."""
    from clawgym_env.sandbox.bwrap import BwrapSandbox, bwrap_unavailable_reason

    if bwrap_unavailable_reason():
        pytest.skip(f"bwrap unavailable: {bwrap_unavailable_reason()}")
    (workspace / "f").write_text("x")
    (workspace / "hostlink").symlink_to(workspace.resolve() / "f")
    with BwrapSandbox(workspace) as sandbox, pytest.raises(ToolError, match=outside("hostlink")):
        resolve_path(sandbox, "hostlink")
    with create_sandbox("local", workspace) as sandbox:
        assert resolve_relative(sandbox, "hostlink") == PurePosixPath("f")


def test_custom_mount_path(workspace: Path) -> None:
    with create_sandbox("local", workspace, mount_path="/work") as sandbox:
        assert resolve_relative(sandbox, "/work/a") == PurePosixPath("a")
        with pytest.raises(ToolError, match=re.escape("is outside the workspace (/work)")):
            resolve_relative(sandbox, MOUNT + "/a")


def test_nonexistent_components_are_kept(local_sandbox: Sandbox, workspace: Path) -> None:
    assert resolve_relative(local_sandbox, "new/dir/../file") == PurePosixPath("new/file")
    assert not os.path.exists(workspace / "new")
