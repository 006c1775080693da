"""read, write and edit on real files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clawgym_env.tools import ReadTool, ToolSet

MOUNT = "/root/.openclaw/workspace"


# -- read ---------------------------------------------------------------------


def test_read_whole_file(run, workspace: Path) -> None:
    (workspace / "a.txt").write_text("one\ntwo\nthree\n")
    result = run.ok("read", path="a.txt")
    assert result.output == "one\ntwo\nthree"
    assert result.details["total_lines"] == 3
    assert result.details["truncated"] is False


@pytest.mark.parametrize("alias", ["path", "file_path", "filePath", "file"])
def test_read_path_aliases(run, workspace: Path, alias: str) -> None:
    (workspace / "a.txt").write_text("x\n")
    assert run.ok("read", **{alias: "a.txt"}).output == "x"


def test_read_absolute_mount_path(run, workspace: Path) -> None:
    (workspace / "a.txt").write_text("x\n")
    assert run.ok("read", path=f"{MOUNT}/a.txt").output == "x"


def test_read_offset_and_limit(run, workspace: Path) -> None:
    (workspace / "n.txt").write_text("".join(f"{i}\n" for i in range(1, 11)))
    result = run.ok("read", path="n.txt", offset=3, limit=2)
    assert result.output == "3\n4\n\n[6 more lines in the file. Use offset=5 to continue.]"
    assert result.details["next_offset"] == 5
    assert run.ok("read", path="n.txt", offset="9").output == "9\n10"
    assert run.ok("read", path="n.txt", offset=0, limit=1).output.startswith("1\n\n[9 more lines")


def test_read_truncates_at_2000_lines_and_continues(run, workspace: Path) -> None:
    (workspace / "big.txt").write_text("".join(f"line {i}\n" for i in range(1, 2501)))
    first = run.ok("read", path="big.txt")
    lines = first.output.split("\n")
    assert lines[0] == "line 1" and lines[1999] == "line 2000"
    assert first.output.endswith("\n\n[Showing lines 1-2000 of 2500. Use offset=2001 to continue.]")
    assert first.details["truncated_by"] == "lines"
    rest = run.ok("read", path="big.txt", offset=first.details["next_offset"])
    assert rest.output.startswith("line 2001\n") and rest.output.endswith("line 2500")
    assert rest.details["truncated"] is False


def test_read_truncates_at_50kb(run, workspace: Path) -> None:
    (workspace / "wide.txt").write_text("".join(f"{i:05d}" + "x" * 994 + "\n" for i in range(100)))  # 1000 B/line
    result = run.ok("read", path="wide.txt")
    assert result.details["end_line"] == 51
    assert result.output.endswith("\n\n[Showing lines 1-51 of 100 (50 KB output limit). Use offset=52 to continue.]")
    assert len(result.output.encode()) < 50 * 1024 + 200


def test_read_single_huge_line(run, workspace: Path) -> None:
    (workspace / "one.txt").write_text("é" * 40_000 + "\nsecond\n")  # 80 KB first line
    result = run.ok("read", path="one.txt")
    assert result.details["truncated_by"] == "long_line"
    assert "[Line 1 is 80001 bytes, more than the 50 KB output limit" in result.output
    assert "offset=2 to skip it" in result.output
    assert result.details["invalid_utf8"] is False  # the cut does not split a character


def test_read_custom_limits(local_sandbox, workspace: Path, runner_factory) -> None:
    runner = runner_factory(local_sandbox, ToolSet([ReadTool(max_lines=3)]))
    (workspace / "f").write_text("a\nb\nc\nd\n")
    assert runner.ok("read", path="f").output == "a\nb\nc\n\n[Showing lines 1-3 of 4. Use offset=4 to continue.]"


def test_read_errors(run, workspace: Path) -> None:
    (workspace / "a.txt").write_text("1\n2\n")
    (workspace / "d").mkdir()
    assert run.err("read", path="a.txt", offset=3).output == (
        "offset 3 is beyond the end of a.txt (2 lines); use an offset from 1 to 2"
    )
    assert run.err("read", path="d").output == "d is a directory, not a file; use exec with `ls` to list it"
    assert run.err("read", path="nope.txt").output == "file not found: nope.txt"
    assert (
        run.err("read").output == "read: missing required argument 'path': expected a string "
        "(also accepted as 'file_path', 'filePath', 'file')"
    )
    assert run.err("read", path="a.txt", limit=0).output == "read: argument 'limit' must be >= 1, got 0"
    assert run.err("read", path="a.txt", offset="x").output == "read: argument 'offset' must be an integer, got str 'x'"
    os.mkfifo(workspace / "fifo")
    assert "is not a regular file" in run.err("read", path="fifo").output


def test_read_empty_file(run, workspace: Path) -> None:
    (workspace / "e").write_bytes(b"")
    assert run.ok("read", path="e").output == "(empty file)"


def test_read_non_utf8(run, workspace: Path) -> None:
    (workspace / "bin").write_bytes(b"ok \xff\xfe\n")
    result = run.ok("read", path="bin")
    assert (
        result.output
        == "ok \ufffd\ufffd\n\n[Note: the file is not valid UTF-8; undecodable bytes are shown as U+FFFD.]"
    )
    assert result.details["invalid_utf8"] is True


def test_read_through_planted_symlink_is_refused(run, workspace: Path) -> None:
    (workspace / "x").symlink_to("/etc/passwd")
    result = run.err("read", path="x")
    assert result.output.startswith(f"path 'x' is outside the workspace ({MOUNT})")
    assert "root:" not in result.output


# -- write --------------------------------------------------------------------


def test_write_creates_parents_and_reports_bytes(run, workspace: Path) -> None:
    result = run.ok("write", path="deep/er/f.txt", content="héllo\n")
    assert result.output == "Successfully wrote 7 bytes to deep/er/f.txt"
    assert result.details == {
        "path": "deep/er/f.txt",
        "bytes": 7,
        "created": True,
        "duration_s": result.details["duration_s"],
    }
    assert (workspace / "deep/er/f.txt").read_text() == "héllo\n"
    again = run.ok("write", file_path=f"{MOUNT}/deep/er/f.txt", content="")
    assert again.details["created"] is False
    assert (workspace / "deep/er/f.txt").read_bytes() == b""


def test_write_errors(run, workspace: Path) -> None:
    (workspace / "d").mkdir()
    assert run.err("write", path="d", content="x").output == "d is a directory; give the path of a file to write"
    assert run.err("write", path="/etc/evil", content="x").output.startswith("path '/etc/evil' is outside")
    assert run.err("write", path="f").output.startswith("write: missing required argument 'content'")
    assert run.err("write", path="f", content=5).output == "write: argument 'content' must be a string, got int 5"
    assert not (workspace / "f").exists()


def test_write_does_not_follow_final_symlink_out(run, workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "outside.txt"
    (workspace / "link").symlink_to(target)
    run.err("write", path="link", content="pwned")
    assert not target.exists()


# -- edit ---------------------------------------------------------------------


def test_edit_replaces_unique_text(run, workspace: Path) -> None:
    (workspace / "c.py").write_text("def f():\n    return 1\n")
    result = run.ok("edit", path="c.py", oldText="return 1", newText="return 2")
    assert result.output == "Successfully replaced text in c.py."
    assert (workspace / "c.py").read_text() == "def f():\n    return 2\n"
    assert result.details["first_changed_line"] == 2
    assert "-    return 1\n+    return 2" in result.details["diff"]


@pytest.mark.parametrize(
    ("old_key", "new_key"),
    [("old_string", "new_string"), ("old_text", "new_text"), ("oldString", "newString")],
)
def test_edit_aliases(run, workspace: Path, old_key: str, new_key: str) -> None:
    (workspace / "f").write_text("a b c")
    run.ok("edit", filePath="f", **{old_key: "b", new_key: "B"})
    assert (workspace / "f").read_text() == "a B c"


def test_edit_not_found(run, workspace: Path) -> None:
    (workspace / "f").write_text("alpha\n    beta\n")
    assert run.err("edit", path="f", oldText="gamma", newText="x").output == (
        "oldText was not found in f. It must match the file exactly, including whitespace and line breaks; "
        "read the file and copy the text to replace."
    )
    assert run.err("edit", path="f", oldText="alpha\nbeta", newText="x").output.endswith(
        "A match exists if whitespace is ignored: check indentation, tabs and line breaks."
    )


def test_edit_ambiguous(run, workspace: Path) -> None:
    (workspace / "f").write_text("x = 1\ny = 2\nx = 1\n")
    assert run.err("edit", path="f", oldText="x = 1", newText="x = 3").output == (
        "oldText occurs 2 times in f (starting on lines 1, 3); it must occur exactly once. "
        "Include more surrounding lines in oldText (and newText) to make it unique."
    )
    run.ok("edit", path="f", oldText="y = 2\nx = 1", newText="y = 2\nx = 3")
    assert (workspace / "f").read_text() == "x = 1\ny = 2\nx = 3\n"


def test_edit_overlapping_matches_count(run, workspace: Path) -> None:
    (workspace / "f").write_text("aaa")
    assert "occurs 2 times" in run.err("edit", path="f", oldText="aa", newText="b").output


def test_edit_argument_errors(run, workspace: Path) -> None:
    (workspace / "f").write_text("x")
    assert run.err("edit", path="f", oldText="", newText="y").output == (
        "edit: argument 'oldText' must not be empty; to create or overwrite a file use write"
    )
    assert run.err("edit", path="f", oldText="x", newText="x").output == (
        "edit: oldText and newText are identical; there is nothing to change"
    )
    assert run.err("edit", path="f", oldText="x").output.startswith("edit: missing required argument 'newText'")
    assert run.err("edit", path="missing", oldText="x", newText="y").output == "file not found: missing"


def test_edit_crlf_and_non_utf8_preserved(run, workspace: Path) -> None:
    (workspace / "w").write_bytes(b"one\r\ntwo\r\n\xff tail\r\n")
    run.ok("edit", path="w", oldText="one\ntwo", newText="ONE\nTWO")
    assert (workspace / "w").read_bytes() == b"ONE\r\nTWO\r\n\xff tail\r\n"
