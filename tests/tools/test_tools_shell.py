"""exec and process against real sandboxes (local and bwrap)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

MOUNT = "/root/.openclaw/workspace"


def test_exec_success_and_cwd(srun, workspace: Path) -> None:
    result = srun.ok("exec", command="echo hello; pwd")
    assert result.output == f"hello\n{MOUNT}"
    assert result.details["exit_code"] == 0 and result.details["status"] == "completed"
    assert srun.ok("exec", command="true").output == "(no output)"


def test_exec_nonzero_exit_follows_openclaw(srun) -> None:
    result = srun.ok("exec", command="echo oops >&2; exit 3")
    assert result.output == "oops\n\n(Command exited with code 3)"
    assert result.details["exit_code"] == 3
    assert srun.ok("exec", command="exit 1").output == "(no output)\n\n(Command exited with code 1)"


def test_exec_workdir_env_and_files(srun, workspace: Path) -> None:
    (workspace / "sub").mkdir()
    result = srun.ok("exec", command='pwd; echo "$GREETING"; echo made > f.txt', workdir="sub", env={"GREETING": "hi"})
    assert result.output == f"{MOUNT}/sub\nhi"
    assert (workspace / "sub/f.txt").read_text() == "made\n"
    assert srun.ok("exec", command="pwd", workdir=f"{MOUNT}/sub").output == f"{MOUNT}/sub"
    assert srun.err("exec", command="pwd", workdir="nope").output == (
        "workdir 'nope' is not an existing directory in the workspace"
    )


def test_exec_timeout_kills_tree(srun, workspace: Path) -> None:
    started = time.monotonic()
    result = srun.err("exec", command="(sleep 10.0417; touch late) & echo started; sleep 10.0417", timeout=1)
    elapsed = time.monotonic() - started
    assert elapsed < 5
    assert result.output == (
        "started\n\nCommand timed out after 1 seconds; it was killed with all its child processes."
    )
    assert result.details["timed_out"] is True and result.details["exit_code"] is None
    time.sleep(0.2)
    assert srun.ok("exec", command="pgrep -f 'sleep 1[0].0417' || echo none").output.endswith("none")


def test_exec_non_utf8_and_truncation(srun, runner_factory, any_sandbox) -> None:
    result = srun.ok("exec", command=r"printf 'a\xffb'")
    assert result.output == "a\ufffdb" and result.details["invalid_utf8"] is True
    from clawgym_env.tools import ExecTool, ToolSet

    small = runner_factory(any_sandbox, ToolSet([ExecTool(max_output_chars=1000)]))
    out = small.ok("exec", command="seq 1 5000").output
    assert out.startswith("1\n2\n") and out.endswith("4999\n5000")
    assert "characters omitted ...]" in out


def test_exec_argument_errors(srun) -> None:
    assert (
        srun.err("exec").output
        == "exec: missing required argument 'command': expected a string (also accepted as 'cmd')"
    )
    assert srun.err("exec", command="ls", timeout=-1).output == "exec: argument 'timeout' must be > 0, got -1"
    assert srun.err("exec", command="ls", env=["A"]).output.startswith(
        "exec: argument 'env' must be an object of strings"
    )
    assert srun.err("exec", command="ls", background="maybe").output.startswith(
        "exec: argument 'background' must be a boolean"
    )


def test_background_poll_write_kill(srun) -> None:
    started = srun.ok("exec", command="while read line; do echo got:$line; done", background=True)
    sid = started.details["sessionId"]
    assert started.output.startswith(f"Command started in the background as session {sid}.")
    assert sid in srun.ctx.sessions
    assert srun.ok("process", action="write", sessionId=sid, data="one\n").output == f"Wrote 4 bytes to session {sid}."
    deadline = time.monotonic() + 5
    polled = ""
    while "got:one" not in polled and time.monotonic() < deadline:
        polled += srun.ok("process", action="poll", sessionId=sid).output
        time.sleep(0.05)
    assert "got:one" in polled and polled.endswith("Process still running.")
    listed = srun.ok("process", action="list").output
    assert listed.startswith(f"{sid}  running  ")
    assert srun.ok("process", action="kill", sessionId=sid).output == f"Killed session {sid}."
    assert srun.ok("process", action="poll", sessionId=sid).output == "(no new output)\n\nProcess was killed."
    assert srun.ok("process", action="log", sessionId=sid).output == "got:one"
    assert srun.err("process", action="write", sessionId=sid, data="x").output == (
        f"session {sid} has already finished (killed); it reads no more input"
    )


def test_background_eof_and_exit_code(srun) -> None:
    sid = srun.ok("exec", command="cat; exit 4", background=True).details["sessionId"]
    srun.ok("process", action="write", sessionId=sid, data="bye\n", eof=True)
    result = srun.ok("process", action="poll", sessionId=sid, timeout=5000)
    assert result.output == "bye\n\nProcess exited with code 4."
    assert result.details["exit_code"] == 4


def test_background_timeout(srun) -> None:
    sid = srun.ok("exec", command="sleep 30", background=True, timeout=0.5).details["sessionId"]
    result = srun.ok("process", action="poll", sessionId=sid, timeout=5000)
    assert result.output == "(no new output)\n\nProcess was killed after its 0.5-second timeout."
    assert result.details["timed_out"] is True


def test_yield_ms(srun) -> None:
    quick = srun.ok("exec", command="echo fast", yieldMs=5000)
    assert quick.output == "fast" and quick.details["exit_code"] == 0
    assert "sessionId" not in quick.details and not srun.ctx.sessions
    slow = srun.ok("exec", command="echo first; sleep 1; echo second", yieldMs=300)
    sid = slow.details["sessionId"]
    assert slow.output.startswith(
        "first\n\nCommand still running after 300 ms; it continues in the background as session"
    )
    done = srun.ok("process", action="poll", sessionId=sid, timeout=5000)
    assert done.output == "second\n\nProcess exited with code 0."


def test_log_paging(srun) -> None:
    sid = srun.ok("exec", command="seq 1 300", background=True).details["sessionId"]
    srun.ok("process", action="poll", sessionId=sid, timeout=5000)
    tail = srun.ok("process", action="log", sessionId=sid).output
    assert tail.startswith("101\n") and tail.endswith(
        "300\n\n[showing the last 200 of 300 lines; use offset/limit to page]"
    )
    assert srun.ok("process", action="log", sessionId=sid, offset=10, limit=3).output == "11\n12\n13"


def test_process_errors(srun) -> None:
    assert srun.err("process", action="poll", sessionId="nope").output == (
        "no session 'nope'; there are no sessions; start one with exec (background: true)"
    )
    sid = srun.ok("exec", command="sleep 5", background=True).details["sessionId"]
    assert srun.err("process", action="poll", sessionId="nope").output == f"no session 'nope'; known sessions: {sid}"
    assert srun.err("process", action="dance").output == (
        "process: unknown action 'dance'; valid actions: list, poll, log, write, kill"
    )
    assert srun.err("process", action="poll").output.startswith("process: missing required argument 'sessionId'")
    assert srun.ok("process", action="list").details["sessions"][0]["sessionId"] == sid
    srun.ctx.close()
    assert srun.ok("process", action="poll", sessionId=sid).output.endswith("Process exited with code 137.")


def test_no_sessions_listing(srun) -> None:
    assert srun.ok("process", action="list").output == (
        "No background sessions. Start one with exec (background: true or yieldMs)."
    )


@pytest.mark.parametrize("command", ["ln -s /etc/passwd leak", "ln -s /root/.openclaw/workspace/../../etc/passwd leak"])
def test_symlink_planted_by_exec_cannot_be_read(srun, command: str) -> None:
    srun.ok("exec", command=command)
    result = srun.err("read", path="leak")
    assert "is outside the workspace" in result.output and "root:" not in result.output
