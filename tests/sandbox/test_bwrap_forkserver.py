"""The bwrap backend's own machinery: its fork server, start-up failures, a sandbox that dies."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from _procs import children

from clawgym_env.errors import SandboxError, SandboxStartError
from clawgym_env.sandbox import create_sandbox
from clawgym_env.sandbox._forkserver import MAX_BODY_BYTES, encode_request
from clawgym_env.sandbox.bwrap import BwrapSandbox, bwrap_unavailable_reason

pytestmark = pytest.mark.bwrap


@pytest.fixture(autouse=True)
def _needs_bwrap() -> None:
    reason = bwrap_unavailable_reason()
    if reason is not None:
        pytest.skip(f"bwrap backend unavailable: {reason}")


def test_the_fork_server_is_pid_1_and_commands_are_itschildren(workspace: Path) -> None:
    with create_sandbox("bwrap", workspace) as box:
        listing = box.run("ps -eo pid=,ppid=,args=").stdout.decode()
    rows = [line.split(None, 2) for line in listing.splitlines()]
    init = [row for row in rows if row[0] == "1"]
    assert init and "python3 -I -S -" in init[0][2]
    assert any(row[1] == "1" and row[2].startswith("ps -eo") for row in rows)


def test_a_bwrap_that_fails_to_start_is_a_typed_error_with_its_message(workspace: Path) -> None:
    box = BwrapSandbox(workspace, bwrap="/bin/false")
    try:
        with pytest.raises(SandboxStartError, match="the bwrap sandbox did not start; bwrap exited with status 1"):
            box.run("true")
    finally:
        box.close()


def test_a_rootfs_without_python_is_refused_with_the_fix(tmp_path: Path, workspace: Path) -> None:
    rootfs = tmp_path / "rootfs"
    (rootfs / "usr" / "bin").mkdir(parents=True)
    with pytest.raises(SandboxStartError, match=r"no python3 in the root filesystem .* install python3 there"):
        BwrapSandbox(workspace, rootfs=rootfs)


def test_a_sandbox_killed_from_outside_fails_its_command_with_a_typed_error(workspace: Path) -> None:
    box = BwrapSandbox(workspace)
    try:
        box.wait_ready()
        (server,) = children(box.pid)  # bwrap's only child: the fork server, PID 1 inside
        process = box.start("sleep 300")
        os.kill(server, signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(SandboxError):
            process.wait(10)
        with pytest.raises(SandboxError):
            box.run("true")
        assert time.monotonic() - started < 10
    finally:
        box.close()
    assert children(box.pid) == []


def test_close_stops_bwrap_and_its_processes(workspace: Path) -> None:
    box = BwrapSandbox(workspace)
    box.start("sleep 300")
    box.run("sleep 300 > /dev/null 2>&1 &")
    pid = box.pid
    box.close()
    assert not Path(f"/proc/{pid}").exists()


def test_inputs_subprocess_refuses_are_refused_before_anything_starts(workspace: Path) -> None:
    with create_sandbox("bwrap", workspace) as box:
        with pytest.raises(ValueError, match="embedded null byte"):
            box.run("echo a\0b")
        with pytest.raises(ValueError, match="illegal environment variable name"):
            box.run("true", env={"A=B": "x"})
        assert box.run("echo fine").stdout == b"fine\n"


def test_request_size_is_bounded() -> None:
    with pytest.raises(ValueError, match="over"):
        encode_request(b"x" * (MAX_BODY_BYTES + 1), b"/", [], {})
