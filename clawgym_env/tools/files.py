"""The ``read``, ``write`` and ``edit`` tools (OpenClaw's file tools).

They act on the host directory behind the sandbox's workspace, through
:mod:`clawgym_env.tools.paths`, so they work the same with every sandbox
backend and never follow a link out of the workspace. Text is UTF-8; bytes
that are not valid UTF-8 are shown as U+FFFD by ``read`` (and said so), and
kept byte for byte by ``edit`` outside the replaced text.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from clawgym_env.sandbox.base import Sandbox
from clawgym_env.tools._args import get_int, get_text
from clawgym_env.tools.base import Tool, ToolArgumentError, ToolContext, ToolError
from clawgym_env.tools.paths import display_path, open_in_workspace, resolve_relative

__all__ = ["PATH_ALIASES", "EditTool", "ReadTool", "WriteTool", "read_regular_file"]

PATH_ALIASES = ("file_path", "filePath", "file")
"""Other names the ``path`` parameter is accepted under."""
OLD_TEXT_ALIASES = ("old_string", "old_text", "oldString")
NEW_TEXT_ALIASES = ("new_string", "new_text", "newString")

_PATH_SCHEMA = {
    "type": "string",
    "description": "Path of the file, relative to the workspace (or absolute inside it).",
}
_READ_CHUNK = 64 * 1024


def _open_regular(sandbox: Sandbox, relative: PurePosixPath, user_path: str, flags: int = os.O_RDONLY) -> int:
    """Open an existing regular file; raise :class:`ToolError` if it is missing or not a file."""
    try:
        fd = open_in_workspace(sandbox, relative, flags | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ToolError(f"file not found: {user_path}") from None
    info = os.fstat(fd)
    if stat.S_ISREG(info.st_mode):
        os.set_blocking(fd, True)
        return fd
    os.close(fd)
    if stat.S_ISDIR(info.st_mode):
        raise ToolError(f"{user_path} is a directory, not a file; use exec with `ls` to list it")
    raise ToolError(f"{user_path} is not a regular file (a device, pipe or socket); it cannot be read as text")


def read_regular_file(sandbox: Sandbox, relative: PurePosixPath, user_path: str) -> bytes:
    """The bytes of the regular file at workspace-relative ``relative``; :class:`ToolError` if it is not one."""
    fd = _open_regular(sandbox, relative, user_path)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _iter_lines(handle: BinaryIO, keep: int) -> Iterator[tuple[bytes, int]]:
    """Yield ``(head, length)`` per line: at most ``keep`` bytes of it (newline included) and its full length."""
    head = bytearray()
    length = 0
    while True:
        chunk = handle.readline(_READ_CHUNK)
        if not chunk:
            if length:
                yield bytes(head), length
            return
        if len(head) < keep:
            head += chunk[: keep - len(head)]
        length += len(chunk)
        if chunk.endswith(b"\n"):
            yield bytes(head), length
            head = bytearray()
            length = 0


def _cut_utf8(data: bytes) -> bytes:
    """Drop a multi-byte UTF-8 sequence cut in half at the end of ``data``."""
    end = len(data)
    back = 0
    while back < 3 and end - back - 1 >= 0 and (data[end - back - 1] & 0xC0) == 0x80:
        back += 1
    if end - back - 1 >= 0 and data[end - back - 1] >= 0xC0:
        return data[: end - back - 1]
    return data


def _decode(data: bytes) -> tuple[str, bool]:
    """``(text, had_invalid_bytes)``; invalid bytes become U+FFFD."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


class ReadTool(Tool):
    """``read {path, offset?, limit?}``: a file's text, a window of lines at a time.

    Output is capped at ``max_lines`` lines and ``max_bytes`` bytes; when more
    remains, a note in brackets at the end says which lines were shown and
    which ``offset`` continues. ``offset`` is a 1-indexed line number (0 is
    taken as 1); an offset past the end is an error.
    """

    name = "read"
    description = (
        "Read a text file from the workspace. Returns at most 2000 lines or 50 KB; for longer files "
        "the output ends with a note giving the offset to continue from. Use offset (1-indexed line) "
        "and limit (number of lines) to read a part of a file."
    )
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "path": _PATH_SCHEMA,
            "offset": {"type": "integer", "description": "Line number to start from (1-indexed)."},
            "limit": {"type": "integer", "description": "Maximum number of lines to return."},
        },
        "required": ["path"],
    }

    def __init__(self, *, max_lines: int = 2000, max_bytes: int = 50 * 1024) -> None:
        if max_lines <= 0 or max_bytes <= 0:
            raise ValueError("ReadTool: max_lines and max_bytes must be > 0")
        self.max_lines = max_lines
        self.max_bytes = max_bytes

    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        user_path = get_text(arguments, "path", aliases=PATH_ALIASES, allow_empty=False)
        offset = max(1, get_int(arguments, "offset", default=1, minimum=0) or 1)
        limit = get_int(arguments, "limit", minimum=1)
        relative = resolve_relative(ctx.sandbox, user_path)
        line_cap = min(limit, self.max_lines) if limit is not None else self.max_lines

        selected: list[bytes] = []
        size = 0
        total = 0
        stop: str | None = None
        long_line_length = 0
        fd = _open_regular(ctx.sandbox, relative, user_path)
        with os.fdopen(fd, "rb") as handle:
            for head, length in _iter_lines(handle, self.max_bytes + 1):
                total += 1
                if total < offset or stop is not None:
                    continue
                if len(selected) >= line_cap:
                    stop = "limit" if limit is not None and limit <= self.max_lines else "lines"
                elif size + length > self.max_bytes:
                    if selected:
                        stop = "bytes"
                    else:
                        selected.append(_cut_utf8(head[: self.max_bytes]))
                        long_line_length = length
                        stop = "long_line"
                else:
                    selected.append(head)
                    size += length

        shown = f"{display_path(relative)}"
        if total == 0 and offset == 1:
            return "(empty file)", {"path": shown, "total_lines": 0, "truncated": False, "invalid_utf8": False}
        if offset > total:
            raise ToolError(
                f"offset {offset} is beyond the end of {user_path} ({total} lines); use an offset from 1 to {total}"
            )
        text, invalid = _decode(b"".join(selected))
        if text.endswith("\n"):
            text = text[:-1]
        end = offset + len(selected) - 1
        next_offset: int | None = end + 1 if end < total else None
        notes: list[str] = []
        if stop == "long_line":
            kb = self.max_bytes // 1024
            next_offset = offset + 1 if offset < total else None
            skip = f", or offset={offset + 1} to skip it" if next_offset else ""
            notes.append(
                f"[Line {offset} is {long_line_length} bytes, more than the {kb} KB output limit; showing its "
                f"first {kb} KB. Use exec (e.g. `cut -c` or `head -c`) to see the rest{skip}.]"
            )
        elif stop == "limit":
            notes.append(f"[{total - end} more lines in the file. Use offset={end + 1} to continue.]")
        elif stop == "lines":
            notes.append(f"[Showing lines {offset}-{end} of {total}. Use offset={end + 1} to continue.]")
        elif stop == "bytes":
            notes.append(
                f"[Showing lines {offset}-{end} of {total} ({self.max_bytes // 1024} KB output limit). "
                f"Use offset={end + 1} to continue.]"
            )
        if invalid:
            notes.append("[Note: the file is not valid UTF-8; undecodable bytes are shown as U+FFFD.]")
        output = text + ("\n\n" + "\n".join(notes) if notes else "")
        details: dict[str, Any] = {
            "path": shown,
            "start_line": offset,
            "end_line": end,
            "total_lines": total,
            "truncated": stop is not None,
            "truncated_by": stop,
            "next_offset": next_offset if stop is not None else None,
            "invalid_utf8": invalid,
        }
        return output, details


class WriteTool(Tool):
    """``write {path, content}``: create or overwrite a file, making parent directories."""

    name = "write"
    description = (
        "Write content to a file in the workspace, creating it (and its parent directories) or "
        "overwriting it completely."
    )
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "path": _PATH_SCHEMA,
            "content": {"type": "string", "description": "The complete new content of the file."},
        },
        "required": ["path", "content"],
    }

    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        user_path = get_text(arguments, "path", aliases=PATH_ALIASES, allow_empty=False)
        content = get_text(arguments, "content")
        relative = resolve_relative(ctx.sandbox, user_path)
        host = ctx.sandbox.workspace / relative
        created = True
        try:
            info = os.lstat(host)
        except (FileNotFoundError, NotADirectoryError):
            pass
        else:
            if stat.S_ISDIR(info.st_mode):
                raise ToolError(f"{user_path} is a directory; give the path of a file to write")
            created = False
        data = content.encode("utf-8", errors="replace")
        fd = open_in_workspace(ctx.sandbox, relative, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, create_parents=True)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return (
            f"Successfully wrote {len(data)} bytes to {user_path}",
            {"path": display_path(relative), "bytes": len(data), "created": created},
        )


def _positions(text: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``needle``."""
    found: list[int] = []
    start = text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


class EditTool(Tool):
    """``edit {path, oldText, newText}``: replace one exact, unique occurrence of ``oldText``."""

    name = "edit"
    description = (
        "Edit a file by replacing exact text. oldText must match the file exactly (including whitespace "
        "and line breaks) and occur exactly once; include enough surrounding lines to make it unique."
    )
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "path": _PATH_SCHEMA,
            "oldText": {"type": "string", "description": "Exact text to find (must occur exactly once)."},
            "newText": {"type": "string", "description": "Text to replace it with."},
        },
        "required": ["path", "oldText", "newText"],
    }

    def __init__(self, *, max_diff_chars: int = 20_000) -> None:
        self.max_diff_chars = max_diff_chars

    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        user_path = get_text(arguments, "path", aliases=PATH_ALIASES, allow_empty=False)
        old = get_text(arguments, "oldText", aliases=OLD_TEXT_ALIASES)
        new = get_text(arguments, "newText", aliases=NEW_TEXT_ALIASES)
        if old == "":
            raise ToolArgumentError("argument 'oldText' must not be empty; to create or overwrite a file use write")
        if old == new:
            raise ToolArgumentError("oldText and newText are identical; there is nothing to change")
        relative = resolve_relative(ctx.sandbox, user_path)
        text = read_regular_file(ctx.sandbox, relative, user_path).decode("utf-8", errors="surrogateescape")

        found = _positions(text, old)
        if not found and "\r\n" in text and "\r\n" not in old:
            old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
            found = _positions(text, old)
        if not found:
            hint = ""
            if " ".join(old.split()) and " ".join(old.split()) in " ".join(text.split()):
                hint = " A match exists if whitespace is ignored: check indentation, tabs and line breaks."
            raise ToolError(
                f"oldText was not found in {user_path}. It must match the file exactly, including whitespace "
                f"and line breaks; read the file and copy the text to replace.{hint}"
            )
        if len(found) > 1:
            lines = ", ".join(str(text.count("\n", 0, pos) + 1) for pos in found[:10])
            more = ", ..." if len(found) > 10 else ""
            raise ToolError(
                f"oldText occurs {len(found)} times in {user_path} (starting on lines {lines}{more}); it must occur "
                "exactly once. Include more surrounding lines in oldText (and newText) to make it unique."
            )
        start = found[0]
        updated = text[:start] + new + text[start + len(old) :]
        data = updated.encode("utf-8", errors="surrogateescape")
        fd = open_in_workspace(ctx.sandbox, relative, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        first_line = text.count("\n", 0, start) + 1
        diff = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                updated.splitlines(keepends=True),
                fromfile=f"a/{display_path(relative)}",
                tofile=f"b/{display_path(relative)}",
                n=2,
            )
        )
        if len(diff) > self.max_diff_chars:
            diff = diff[: self.max_diff_chars] + "\n[diff truncated]"
        return (
            f"Successfully replaced text in {user_path}.",
            {"path": display_path(relative), "first_changed_line": first_line, "diff": diff},
        )
