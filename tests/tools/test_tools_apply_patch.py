"""apply_patch: add, update, move, delete, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest


def patch(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"]) + "\n"


def test_add_update_delete(run, workspace: Path) -> None:
    (workspace / "m.py").write_text("import os\n\ndef f():\n    return 1\n\nprint(f())\n")
    (workspace / "old.txt").write_text("bye\n")
    result = run.ok(
        "apply_patch",
        input=patch(
            "*** Add File: pkg/new.py",
            "+x = 1",
            "+y = 2",
            "*** Update File: m.py",
            "@@ def f():",
            "-    return 1",
            "+    return 2",
            "*** Delete File: old.txt",
        ),
    )
    assert result.output == "Patch applied. Files changed:\nA pkg/new.py\nM m.py\nD old.txt"
    assert (workspace / "pkg/new.py").read_text() == "x = 1\ny = 2\n"
    assert (workspace / "m.py").read_text() == "import os\n\ndef f():\n    return 2\n\nprint(f())\n"
    assert not (workspace / "old.txt").exists()


def test_update_with_context_and_move(run, workspace: Path) -> None:
    (workspace / "a.txt").write_text("1\n2\n3\n4\n")
    result = run.ok(
        "apply_patch",
        input=patch("*** Update File: a.txt", "*** Move to: sub/b.txt", "@@", " 2", "-3", "+three", " 4"),
    )
    assert result.output == "Patch applied. Files changed:\nM sub/b.txt (moved from a.txt)"
    assert not (workspace / "a.txt").exists()
    assert (workspace / "sub/b.txt").read_text() == "1\n2\nthree\n4\n"


def test_trailing_whitespace_tolerance_and_end_of_file(run, workspace: Path) -> None:
    (workspace / "t").write_text("a  \nb\nend\n")
    run.ok(
        "apply_patch",
        input=patch("*** Update File: t", "@@", " a", "-b", "+B", "@@", "-end", "+END", "*** End of File"),
    )
    assert (workspace / "t").read_text() == "a  \nB\nEND\n"


def test_multiple_hunks_in_order(run, workspace: Path) -> None:
    (workspace / "f").write_text("x\ny\nx\ny\n")
    run.ok("apply_patch", input=patch("*** Update File: f", "@@", "-x", "+X1", "@@", "-x", "+X2"))
    assert (workspace / "f").read_text() == "X1\ny\nX2\ny\n"


def test_mismatch_is_all_or_nothing(run, workspace: Path) -> None:
    (workspace / "good").write_text("keep\n")
    (workspace / "bad").write_text("real\n")
    result = run.err(
        "apply_patch",
        input=patch(
            "*** Add File: created.txt",
            "+new",
            "*** Update File: good",
            "-keep",
            "+changed",
            "*** Update File: bad",
            "@@",
            "-imagined",
            "+x",
            "*** Delete File: good2",
        ),
    )
    assert result.output.startswith(
        "apply_patch: bad: hunk 1 does not match the file: these context/removed lines were not found:\nimagined"
    )
    assert not (workspace / "created.txt").exists()
    assert (workspace / "good").read_text() == "keep\n"


def test_errors_name_file_and_hunk(run, workspace: Path) -> None:
    (workspace / "f").write_text("a\nb\n")
    assert run.err("apply_patch", input=patch("*** Update File: f", "@@ nothere", "-a", "+b")).output.startswith(
        "apply_patch: f: hunk 1 (@@ nothere): the @@ line 'nothere' was not found"
    )
    assert run.err("apply_patch", input=patch("*** Delete File: missing")).output == "file not found: missing"
    assert run.err("apply_patch", input="just text").output == (
        "apply_patch: the patch must start with a line '*** Begin Patch'"
    )
    assert run.err("apply_patch", input="*** Begin Patch\n*** Add File: x\n+1\n").output == (
        "apply_patch: the patch must end with a line '*** End Patch'"
    )
    assert run.err("apply_patch", input=patch("*** Add File: x", "no plus")).output == (
        "apply_patch: Add File x: line 3 must start with '+': 'no plus'"
    )
    assert run.err("apply_patch", input=patch("*** Frobnicate: x")).output.startswith(
        "apply_patch: unexpected line 2: '*** Frobnicate: x'"
    )
    assert run.err("apply_patch", input=patch()).output == "apply_patch: the patch contains no file sections"
    assert run.err("apply_patch", input=patch("*** Update File: f", "*** Update File: f", "-a", "+c")).output == (
        "apply_patch: Update File f: the section has no hunks"
    )


def test_paths_are_checked_before_writing(run, workspace: Path) -> None:
    result = run.err("apply_patch", input=patch("*** Add File: ok.txt", "+1", "*** Add File: ../escape.txt", "+2"))
    assert result.output.startswith("path '../escape.txt' is outside the workspace")
    assert not (workspace / "ok.txt").exists()
    (workspace / "link").symlink_to("/etc/hostname")
    assert "outside the workspace" in run.err("apply_patch", input=patch("*** Delete File: link")).output


def test_move_onto_existing_and_duplicates(run, workspace: Path) -> None:
    (workspace / "a").write_text("1\n")
    (workspace / "b").write_text("2\n")
    assert run.err("apply_patch", input=patch("*** Update File: a", "*** Move to: b", "-1", "+x")).output == (
        "apply_patch: Move to b: the file already exists; delete it first"
    )
    assert (
        "appears in more than one section"
        in run.err("apply_patch", input=patch("*** Delete File: a", "*** Add File: a", "+z")).output
    )
    assert (workspace / "a").read_text() == "1\n"


def test_heredoc_wrapper_and_patch_alias(run, workspace: Path) -> None:
    text = "apply_patch <<'EOF'\n" + patch("*** Add File: h.txt", "+hi") + "EOF\n"
    run.ok("apply_patch", patch=text)
    assert (workspace / "h.txt").read_text() == "hi\n"


@pytest.mark.parametrize("content", ["a\r\nb\r\n", "a\nb"])
def test_line_endings_preserved(run, workspace: Path, content: str) -> None:
    (workspace / "f").write_bytes(content.encode())
    run.ok("apply_patch", input=patch("*** Update File: f", "-a", "+A"))
    assert (workspace / "f").read_bytes() == content.replace("a", "A").encode()
