"""The ``apply_patch`` tool: multi-file edits in the ``*** Begin Patch`` format.

Grammar (one patch, any number of file sections)::

    *** Begin Patch
    *** Add File: <path>          every following line starts with '+'
    +<line>
    *** Update File: <path>
    *** Move to: <path>           optional: rename after updating
    @@ <optional anchor line>     starts a hunk; the anchor is searched first
     <context line>
    -<removed line>
    +<added line>
    *** End of File               optional: the hunk must match at the end
    *** Delete File: <path>
    *** End Patch

Hunks of one file apply in order; a hunk's context and removed lines must
match consecutive lines of the file, exactly first and then ignoring trailing
whitespace. The whole patch is parsed and every file's new content computed
before anything is written: a patch that fails anywhere changes nothing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from clawgym_env.sandbox.base import Sandbox
from clawgym_env.tools._args import get_text
from clawgym_env.tools.base import Tool, ToolContext, ToolError
from clawgym_env.tools.files import read_regular_file
from clawgym_env.tools.paths import (
    display_path,
    open_in_workspace,
    rename_in_workspace,
    resolve_relative,
    unlink_in_workspace,
)

__all__ = ["ApplyPatchTool", "FileOp", "Hunk", "parse_patch"]

BEGIN = "*** Begin Patch"
END = "*** End Patch"
ADD = "*** Add File: "
UPDATE = "*** Update File: "
DELETE = "*** Delete File: "
MOVE = "*** Move to: "
END_OF_FILE = "*** End of File"


@dataclass
class Hunk:
    """One ``@@`` section of an update: lines tagged ``' '`` (context), ``'-'`` or ``'+'``."""

    number: int
    """1-based position among the file's hunks (for error messages)."""
    anchor: str | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)
    end_of_file: bool = False

    @property
    def old(self) -> list[str]:
        """The lines the hunk expects in the file."""
        return [text for kind, text in self.lines if kind in " -"]

    @property
    def new(self) -> list[str]:
        """The lines that replace them."""
        return [text for kind, text in self.lines if kind in " +"]

    def label(self) -> str:
        return f"hunk {self.number}" + (f" (@@ {self.anchor})" if self.anchor else "")


@dataclass
class FileOp:
    """One file section of a patch."""

    kind: str
    """``"add"``, ``"update"`` or ``"delete"``."""
    path: str
    move_to: str | None = None
    content_lines: list[str] = field(default_factory=list)
    hunks: list[Hunk] = field(default_factory=list)


def _header_error(number: int, line: str) -> ToolError:
    return ToolError(
        f"apply_patch: unexpected line {number}: {line!r}; expected '*** Add File: <path>', "
        f"'*** Update File: <path>', '*** Delete File: <path>' or '*** End Patch'"
    )


def parse_patch(text: str) -> list[FileOp]:
    """Parse patch text into file operations; raise :class:`ToolError` naming the bad line.

    Text before ``*** Begin Patch`` (e.g. a shell heredoc line) and after
    ``*** End Patch`` is ignored.
    """
    lines = text.splitlines()
    try:
        begin = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    except StopIteration:
        raise ToolError(f"apply_patch: the patch must start with a line '{BEGIN}'") from None
    ends = [i for i, line in enumerate(lines) if line.strip() == END and i > begin]
    if not ends:
        raise ToolError(f"apply_patch: the patch must end with a line '{END}'")
    body = lines[begin + 1 : ends[-1]]

    ops: list[FileOp] = []
    i = 0
    while i < len(body):
        line = body[i]
        number = begin + 2 + i
        if line.startswith(ADD):
            op = FileOp("add", line[len(ADD) :].strip())
            i += 1
            while i < len(body) and not body[i].startswith("*** "):
                if body[i].startswith("+"):
                    op.content_lines.append(body[i][1:])
                elif body[i] == "":
                    op.content_lines.append("")
                else:
                    raise ToolError(
                        f"apply_patch: Add File {op.path}: line {begin + 2 + i} must start with '+': {body[i]!r}"
                    )
                i += 1
        elif line.startswith(DELETE):
            op = FileOp("delete", line[len(DELETE) :].strip())
            i += 1
        elif line.startswith(UPDATE):
            op = FileOp("update", line[len(UPDATE) :].strip())
            i += 1
            if i < len(body) and body[i].startswith(MOVE):
                op.move_to = body[i][len(MOVE) :].strip()
                i += 1
            hunk: Hunk | None = None
            while i < len(body) and not (body[i].startswith("*** ") and body[i].strip() != END_OF_FILE):
                current = body[i]
                if current.startswith("@@"):
                    hunk = Hunk(len(op.hunks) + 1, current[2:].strip() or None)
                    op.hunks.append(hunk)
                elif current.strip() == END_OF_FILE:
                    if hunk is None:
                        raise ToolError(f"apply_patch: Update File {op.path}: '{END_OF_FILE}' before any hunk")
                    hunk.end_of_file = True
                elif current == "" or current[0] in " -+":
                    if hunk is None:
                        hunk = Hunk(1)
                        op.hunks.append(hunk)
                    kind, content = (" ", "") if current == "" else (current[0], current[1:])
                    hunk.lines.append((kind, content))
                else:
                    raise ToolError(
                        f"apply_patch: Update File {op.path}: unexpected line {begin + 2 + i}: {current!r}; "
                        "hunk lines start with ' ' (context), '-' (remove), '+' (add) or '@@'"
                    )
                i += 1
            if not op.hunks and op.move_to is None:
                raise ToolError(f"apply_patch: Update File {op.path}: the section has no hunks")
            for h in op.hunks:
                if not h.lines:
                    raise ToolError(f"apply_patch: Update File {op.path}: {h.label()} is empty")
        elif line.strip() == "":
            i += 1
            continue
        else:
            raise _header_error(number, line)
        if not op.path:
            raise ToolError(f"apply_patch: line {number}: the file path is empty")
        ops.append(op)
    if not ops:
        raise ToolError("apply_patch: the patch contains no file sections")
    return ops


def _find(lines: list[str], needle: list[str], start: int, end_of_file: bool) -> int | None:
    """Index where ``needle`` matches ``lines`` at or after ``start``: exact first, then ignoring trailing blanks."""
    candidates = range(start, len(lines) - len(needle) + 1)
    if end_of_file:
        tail = len(lines) - len(needle)
        candidates = range(tail, tail + 1) if tail >= start else range(0)
    for normalise in (lambda s: s, str.rstrip):
        want = [normalise(x) for x in needle]
        for index in candidates:
            if all(normalise(lines[index + k]) == want[k] for k in range(len(needle))):
                return index
    return None


def _find_anchor(lines: list[str], anchor: str, start: int) -> int | None:
    for normalise in (lambda s: s, str.strip):
        want = normalise(anchor)
        for index in range(start, len(lines)):
            if normalise(lines[index]) == want:
                return index
    return None


def apply_hunks(path: str, text: str, hunks: list[Hunk]) -> str:
    """Return ``text`` with ``hunks`` applied in order; :class:`ToolError` names the hunk that does not match."""
    newline = "\r\n" if "\r\n" in text and text.count("\r\n") == text.count("\n") else "\n"
    lines = text.split(newline)
    trailing = text == "" or text.endswith(newline)
    if text.endswith(newline):
        lines.pop()
    elif text == "":
        lines = []
    cursor = 0
    for hunk in hunks:
        if hunk.anchor is not None:
            found = _find_anchor(lines, hunk.anchor, cursor)
            if found is None:
                raise ToolError(
                    f"apply_patch: {path}: {hunk.label()}: the @@ line {hunk.anchor!r} was not found "
                    f"(after line {cursor}); it must repeat a line of the file exactly"
                )
            cursor = found + 1
        old = hunk.old
        if not old:
            at = len(lines) if hunk.end_of_file or hunk.anchor is None else cursor
        else:
            found = _find(lines, old, cursor, hunk.end_of_file)
            if found is None:
                shown = "\n".join(old[:20]) + ("\n..." if len(old) > 20 else "")
                where = " at the end of the file" if hunk.end_of_file else ""
                raise ToolError(
                    f"apply_patch: {path}: {hunk.label()} does not match the file: these context/removed lines "
                    f"were not found{where}:\n{shown}\nRead the file and copy the lines exactly."
                )
            at = found
        replacement: list[str] = []
        matched = at
        for kind, content in hunk.lines:
            if kind == " ":
                replacement.append(lines[matched] if old else content)  # keep the file's own spelling
                matched += 1
            elif kind == "-":
                matched += 1
            else:
                replacement.append(content)
        lines[at : at + len(old)] = replacement
        cursor = at + len(replacement)
    if not lines:
        return ""
    return newline.join(lines) + (newline if trailing else "")


def _lexists(sandbox: Sandbox, relative: PurePosixPath) -> os.stat_result | None:
    try:
        return os.lstat(sandbox.workspace / relative)
    except (FileNotFoundError, NotADirectoryError):
        return None


class ApplyPatchTool(Tool):
    """``apply_patch {input}``: add, update, move and delete files in one all-or-nothing patch."""

    name = "apply_patch"
    description = (
        "Apply a patch that adds, updates, moves or deletes files. The input starts with '*** Begin Patch' "
        "and ends with '*** End Patch'. Sections: '*** Add File: <path>' followed by lines starting with '+'; "
        "'*** Update File: <path>' (optionally '*** Move to: <path>') followed by hunks that start with "
        "'@@' and contain context lines (' '), removed lines ('-') and added lines ('+'); "
        "'*** Delete File: <path>'. Nothing is changed unless the whole patch applies."
    )
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "input": {
                "type": "string",
                "description": "The full patch text, from '*** Begin Patch' to '*** End Patch'.",
            }
        },
        "required": ["input"],
    }

    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        patch = get_text(arguments, "input", aliases=("patch",), allow_empty=False)
        ops = parse_patch(patch)
        sandbox = ctx.sandbox
        seen: dict[PurePosixPath, str] = {}

        def claim(user_path: str) -> PurePosixPath:
            relative = resolve_relative(sandbox, user_path)
            if relative == PurePosixPath("."):
                raise ToolError(f"apply_patch: {user_path}: is the workspace itself, not a file")
            if relative in seen:
                raise ToolError(
                    f"apply_patch: {user_path} appears in more than one section of the patch; "
                    "combine its changes into one section"
                )
            seen[relative] = user_path
            return relative

        # Phase 1: validate everything and compute new contents; nothing is written.
        plan: list[tuple[str, PurePosixPath, PurePosixPath | None, bytes | None]] = []
        for op in ops:
            relative = claim(op.path)
            info = _lexists(sandbox, relative)
            if op.kind == "add":
                if info is not None and stat.S_ISDIR(info.st_mode):
                    raise ToolError(f"apply_patch: Add File {op.path}: a directory with that name exists")
                content = "\n".join(op.content_lines) + ("\n" if op.content_lines else "")
                plan.append(("add", relative, None, content.encode("utf-8", errors="replace")))
            elif op.kind == "delete":
                read_regular_file(sandbox, relative, op.path)  # must be an existing regular file
                plan.append(("delete", relative, None, None))
            else:
                text = read_regular_file(sandbox, relative, op.path).decode("utf-8", errors="surrogateescape")
                updated = apply_hunks(op.path, text, op.hunks)
                target: PurePosixPath | None = None
                if op.move_to is not None:
                    target = claim(op.move_to)
                    if _lexists(sandbox, target) is not None:
                        raise ToolError(f"apply_patch: Move to {op.move_to}: the file already exists; delete it first")
                plan.append(("update", relative, target, updated.encode("utf-8", errors="surrogateescape")))

        # Phase 2: write.
        summary: list[str] = []
        changed: list[dict[str, str]] = []
        for kind, relative, target, data in plan:
            shown = display_path(relative)
            if kind == "delete":
                unlink_in_workspace(sandbox, relative)
                summary.append(f"D {shown}")
                changed.append({"action": "delete", "path": shown})
                continue
            flags = os.O_WRONLY | os.O_TRUNC | (os.O_CREAT if kind == "add" else 0)
            fd = open_in_workspace(sandbox, relative, flags, create_parents=kind == "add")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data or b"")
            if kind == "add":
                summary.append(f"A {shown}")
                changed.append({"action": "add", "path": shown})
            elif target is not None:
                rename_in_workspace(sandbox, relative, target, create_parents=True)
                summary.append(f"M {display_path(target)} (moved from {shown})")
                changed.append({"action": "move", "path": display_path(target), "from": shown})
            else:
                summary.append(f"M {shown}")
                changed.append({"action": "update", "path": shown})
        return "Patch applied. Files changed:\n" + "\n".join(summary), {"files": changed}
