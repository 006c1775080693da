"""The ``exec`` and ``process`` tools: shell commands and background sessions.

``exec`` runs ``bash -c COMMAND`` in the sandbox, in the workspace unless
``workdir`` says otherwise, with standard error merged into standard output.
By default it waits for the command (up to ``timeout`` seconds, else the
sandbox's default) and returns its output. ``background: true`` starts a
*session* and returns its id at once; ``yieldMs: N`` waits up to N ms and, if
the command is still running, leaves it running as a session. ``process``
manages sessions: ``list``, ``poll`` (new output and status), ``log`` (all
output, by lines), ``write`` (to standard input) and ``kill``.

Observation conventions (the text the model sees):

* success: the output, or ``(no output)``;
* non-zero exit: the output, a blank line, then ``(Command exited with code N)``
  -- not an error, as in OpenClaw;
* timeout: an error whose text is the output so far, a blank line, then
  ``Command timed out after T seconds; it was killed with all its child processes.``;
* long output keeps its head and tail around ``[... N characters omitted ...]``.

Sessions live in :attr:`ToolContext.sessions` (the processes),
:attr:`ToolContext.session_commands` and this module's bookkeeping under
``ctx.extras["exec"]``; :meth:`ToolContext.close` (and the sandbox's own
``close``) kill them.
"""

from __future__ import annotations

import posixpath
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from clawgym_env.sandbox.base import BackgroundProcess, Sandbox
from clawgym_env.tools._args import get_bool, get_int, get_number, get_str, get_str_map, get_text
from clawgym_env.tools.base import Tool, ToolArgumentError, ToolContext, ToolError
from clawgym_env.tools.paths import resolve_relative, to_sandbox_path

__all__ = ["ExecSession", "ExecTool", "ProcessTool", "cap_output", "decode_output"]

DEFAULT_MAX_OUTPUT_CHARS = 50_000
PROCESS_ACTIONS = ("list", "poll", "log", "write", "kill")
DEFAULT_LOG_TAIL_LINES = 200
MAX_TIMEOUT_S = 86_400
"""Largest ``timeout`` (seconds) ``exec`` accepts."""
MAX_YIELD_MS = 600_000
"""``yieldMs`` is clamped to this (10 minutes)."""


def decode_output(data: bytes) -> tuple[str, bool]:
    """``(text, had_invalid_utf8)``: command output decoded, bad bytes as U+FFFD."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def cap_output(text: str, max_chars: int) -> tuple[str, int]:
    """Keep the first fifth and last four fifths of ``max_chars``; return ``(text, omitted_chars)``."""
    if len(text) <= max_chars:
        return text, 0
    head = max_chars // 5
    tail = max_chars - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n\n[... {omitted} characters omitted ...]\n\n{text[-tail:]}", omitted


def _tidy(text: str) -> str:
    return text.lstrip("\n").rstrip()


@dataclass
class ExecSession:
    """Bookkeeping for one background ``exec`` session."""

    id: str
    command: str
    process: BackgroundProcess
    cwd: str
    started: float = field(default_factory=time.monotonic)
    timeout_s: float | None = None
    timed_out: bool = False
    killed: bool = False
    timer: threading.Timer | None = None

    def expire(self) -> None:
        """Timer callback: the session ran past its timeout; kill its process tree."""
        if self.process.poll() is None:
            self.timed_out = True
            self.process.kill()

    def stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def status(self) -> str:
        """``running``, ``timed out``, ``killed`` or ``exited (code N)``."""
        code = self.process.poll()
        if code is None:
            return "running"
        if self.timed_out:
            return "timed out"
        if self.killed:
            return "killed"
        return f"exited (code {code})"

    def end_note(self) -> str:
        code = self.process.poll()
        if code is None:
            return "Process still running."
        if self.timed_out:
            return f"Process was killed after its {self.timeout_s:g}-second timeout."
        if self.killed:
            return "Process was killed."
        return f"Process exited with code {code}."


@dataclass
class _State:
    sessions: dict[str, ExecSession] = field(default_factory=dict)
    counter: int = 0


def _state(ctx: ToolContext) -> _State:
    state = ctx.extras.get("exec")
    if not isinstance(state, _State):
        state = _State()
        ctx.extras["exec"] = state
    return state


def _resolve_workdir(sandbox: Sandbox, workdir: str | None) -> str | None:
    """The sandbox path to run in; paths in the workspace must name an existing directory."""
    if workdir is None or workdir.strip() == "":
        return None
    if "\0" in workdir:
        raise ToolArgumentError("argument 'workdir' contains a NUL byte")
    expanded = workdir
    if expanded == "~" or expanded.startswith("~/"):
        expanded = "/root" + expanded[1:]
    absolute = PurePosixPath(posixpath.normpath(posixpath.join(str(sandbox.mount_path), expanded)))
    mount = sandbox.mount_path.parts
    if absolute.parts[: len(mount)] != mount:
        return str(absolute)  # elsewhere in the sandbox (e.g. /tmp): the sandbox's business
    relative = resolve_relative(sandbox, str(absolute))
    if not (sandbox.workspace / relative).is_dir():
        raise ToolError(f"workdir {workdir!r} is not an existing directory in the workspace")
    return str(to_sandbox_path(sandbox, relative))


class ExecTool(Tool):
    """``exec {command, workdir?, env?, timeout?, background?, yieldMs?}``; see the module docstring."""

    name = "exec"
    description = (
        "Run a shell command (bash -c) in the workspace and return its combined stdout/stderr. "
        "Use timeout (seconds) to limit it. For long-running commands use background: true (returns a "
        "sessionId at once) or yieldMs (wait that many milliseconds, then continue in the background); "
        "follow up with the process tool."
    )
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "command": {"type": "string", "description": "Shell command to run with bash -c."},
            "workdir": {"type": "string", "description": "Working directory (default: the workspace)."},
            "env": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Extra environment variables.",
            },
            "timeout": {"type": "number", "description": "Timeout in seconds; the command is killed on expiry."},
            "background": {"type": "boolean", "description": "Start in the background and return a sessionId."},
            "yieldMs": {
                "type": "integer",
                "description": "Wait this many milliseconds; if still running, continue in the background.",
            },
        },
        "required": ["command"],
    }

    def __init__(self, *, max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS) -> None:
        if max_output_chars < 100:
            raise ValueError("ExecTool: max_output_chars must be >= 100")
        self.max_output_chars = max_output_chars

    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        command = get_text(arguments, "command", aliases=("cmd",), allow_empty=False)
        workdir = get_str(arguments, "workdir", aliases=("cwd",), required=False)
        env = get_str_map(arguments, "env")
        timeout = get_number(arguments, "timeout", aliases=("timeoutSeconds",), positive=True)
        if timeout is not None and timeout > MAX_TIMEOUT_S:
            raise ToolArgumentError(f"argument 'timeout' must be at most {MAX_TIMEOUT_S} seconds, got {timeout:g}")
        background = get_bool(arguments, "background")
        yield_ms = get_int(arguments, "yieldMs", aliases=("yield_ms",), minimum=0)
        if yield_ms is not None:
            yield_ms = min(yield_ms, MAX_YIELD_MS)
        sandbox = ctx.sandbox
        cwd = _resolve_workdir(sandbox, workdir)
        shown_cwd = cwd or str(sandbox.mount_path)

        if not background and yield_ms is None:
            limit = timeout if timeout is not None else sandbox.limits.timeout_s
            result = sandbox.run(command, cwd=cwd, env=env, timeout=limit, merge_stderr=True)
            return self._finished(
                result.stdout,
                exit_code=result.exit_code,
                timed_out=result.timed_out,
                timeout_s=limit,
                sandbox_truncated=result.truncated,
                cwd=shown_cwd,
            )

        session = self._start(ctx, command, cwd, env, timeout, shown_cwd)
        if background:
            return (
                f"Command started in the background as session {session.id}. Use the process tool "
                f'(action poll, log, write or kill, sessionId "{session.id}") to follow up.',
                {"status": "running", "sessionId": session.id, "cwd": shown_cwd},
            )
        code = session.process.wait((yield_ms or 0) / 1000.0)
        if code is not None:
            self._forget(ctx, session)
            return self._finished(
                session.process.output(),
                exit_code=None if session.timed_out else code,
                timed_out=session.timed_out,
                timeout_s=timeout,
                sandbox_truncated=False,
                cwd=shown_cwd,
            )
        so_far, invalid = decode_output(session.process.read())
        so_far, omitted = cap_output(_tidy(so_far), self.max_output_chars)
        note = (
            f"Command still running after {yield_ms} ms; it continues in the background as session "
            f'{session.id}. Use the process tool (action poll, log, write or kill, sessionId "{session.id}") '
            "to follow up."
        )
        return (
            f"{so_far}\n\n{note}" if so_far else note,
            {
                "status": "running",
                "sessionId": session.id,
                "cwd": shown_cwd,
                "invalid_utf8": invalid,
                "omitted_chars": omitted,
            },
        )

    def _start(
        self,
        ctx: ToolContext,
        command: str,
        cwd: str | None,
        env: dict[str, str],
        timeout: float | None,
        shown_cwd: str,
    ) -> ExecSession:
        state = _state(ctx)
        state.counter += 1
        session_id = f"proc_{state.counter}"
        process = ctx.sandbox.start(command, cwd=cwd, env=env)
        session = ExecSession(session_id, command, process, shown_cwd, timeout_s=timeout)
        if timeout is not None:
            session.timer = threading.Timer(timeout, session.expire)
            session.timer.daemon = True
            session.timer.start()
        state.sessions[session_id] = session
        ctx.sessions[session_id] = process
        ctx.session_commands[session_id] = command
        return session

    @staticmethod
    def _forget(ctx: ToolContext, session: ExecSession) -> None:
        session.stop_timer()
        session.process.kill()  # reaps it and frees its pipes; it has already exited
        _state(ctx).sessions.pop(session.id, None)
        ctx.sessions.pop(session.id, None)
        ctx.session_commands.pop(session.id, None)

    def _finished(
        self,
        raw: bytes,
        *,
        exit_code: int | None,
        timed_out: bool,
        timeout_s: float | None,
        sandbox_truncated: bool,
        cwd: str,
    ) -> tuple[str, dict[str, Any]]:
        text, invalid = decode_output(raw)
        text, omitted = cap_output(_tidy(text), self.max_output_chars)
        if sandbox_truncated:
            text += "\n\n[output exceeded the sandbox's capture limit; the rest was dropped]"
        details: dict[str, Any] = {
            "status": "failed" if timed_out else "completed",
            "exit_code": exit_code,
            "timed_out": timed_out,
            "cwd": cwd,
            "invalid_utf8": invalid,
            "omitted_chars": omitted,
            "sandbox_truncated": sandbox_truncated,
        }
        if timed_out:
            message = f"Command timed out after {timeout_s or 0:g} seconds; it was killed with all its child processes."
            raise ToolError(f"{text}\n\n{message}" if text else message, details=details)
        if exit_code not in (0, None):
            return f"{text or '(no output)'}\n\n(Command exited with code {exit_code})", details
        return text or "(no output)", details


class ProcessTool(Tool):
    """``process {action, sessionId?, data?, eof?, offset?, limit?, timeout?}``: manage ``exec`` sessions."""

    name = "process"
    description = (
        "Manage background exec sessions. Actions: list (all sessions), poll (new output and status; "
        "optional timeout in milliseconds to wait for the process to finish), log (all output; offset and "
        "limit in lines), write (send data to standard input; eof: true closes it), kill."
    )
    parameters: Mapping[str, Any] = {
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": list(PROCESS_ACTIONS), "description": "What to do."},
            "sessionId": {"type": "string", "description": "Session id (every action except list)."},
            "data": {"type": "string", "description": "Text to write to standard input (write)."},
            "eof": {"type": "boolean", "description": "Close standard input after writing (write)."},
            "offset": {"type": "integer", "description": "First line of the log, 0-based (log)."},
            "limit": {"type": "integer", "description": "Number of log lines (log)."},
            "timeout": {"type": "number", "description": "Milliseconds to wait for the process to exit (poll)."},
        },
        "required": ["action"],
    }

    def __init__(self, *, max_output_chars: int = DEFAULT_MAX_OUTPUT_CHARS) -> None:
        self.max_output_chars = max_output_chars

    def execute(self, ctx: ToolContext, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        action = get_text(arguments, "action", allow_empty=False).strip().lower()
        if action not in PROCESS_ACTIONS:
            raise ToolArgumentError(f"unknown action {action!r}; valid actions: {', '.join(PROCESS_ACTIONS)}")
        state = _state(ctx)
        if action == "list":
            return self._list(state)
        session_id = get_text(arguments, "sessionId", aliases=("session_id", "id"), allow_empty=False).strip()
        session = state.sessions.get(session_id)
        if session is None:
            if state.sessions:
                hint = f"known sessions: {', '.join(state.sessions)}"
            else:
                hint = "there are no sessions; start one with exec (background: true)"
            raise ToolError(f"no session {session_id!r}; {hint}")
        if action == "poll":
            wait_ms = get_number(arguments, "timeout", default=0.0) or 0.0
            if wait_ms > 0:
                session.process.wait(min(wait_ms, 600_000.0) / 1000.0)
            return self._poll(session)
        if action == "log":
            return self._log(session, arguments)
        if action == "write":
            return self._write(session, arguments)
        return self._kill(session)

    def _list(self, state: _State) -> tuple[str, dict[str, Any]]:
        if not state.sessions:
            return "No background sessions. Start one with exec (background: true or yieldMs).", {"sessions": []}
        now = time.monotonic()
        rows = []
        entries = []
        for session in state.sessions.values():
            status = session.status()
            label = session.command if len(session.command) <= 120 else session.command[:117] + "..."
            rows.append(f"{session.id}  {status}  {now - session.started:.1f}s  :: {label}")
            entries.append({"sessionId": session.id, "status": status, "command": session.command})
        return "\n".join(rows), {"sessions": entries}

    def _poll(self, session: ExecSession) -> tuple[str, dict[str, Any]]:
        text, invalid = decode_output(session.process.read())
        text, omitted = cap_output(_tidy(text), self.max_output_chars)
        code = session.process.poll()
        if code is not None:
            session.stop_timer()
        details = {
            "sessionId": session.id,
            "status": session.status(),
            "exit_code": None if session.timed_out else code,
            "timed_out": session.timed_out,
            "invalid_utf8": invalid,
            "omitted_chars": omitted,
        }
        return f"{text or '(no new output)'}\n\n{session.end_note()}", details

    def _log(self, session: ExecSession, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        offset = get_int(arguments, "offset", minimum=0)
        limit = get_int(arguments, "limit", minimum=1)
        text, invalid = decode_output(session.process.output())
        lines = text.splitlines()
        total = len(lines)
        note = ""
        if offset is None and limit is None:
            start = max(0, total - DEFAULT_LOG_TAIL_LINES)
            chosen = lines[start:]
            if start > 0:
                note = f"\n\n[showing the last {DEFAULT_LOG_TAIL_LINES} of {total} lines; use offset/limit to page]"
        else:
            start = offset or 0
            chosen = lines[start : start + limit] if limit is not None else lines[start:]
        body, omitted = cap_output("\n".join(chosen), self.max_output_chars)
        details = {
            "sessionId": session.id,
            "status": session.status(),
            "total_lines": total,
            "invalid_utf8": invalid,
            "omitted_chars": omitted,
        }
        return (body or "(no output yet)") + note, details

    def _write(self, session: ExecSession, arguments: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        eof = get_bool(arguments, "eof")
        data = get_str(arguments, "data", aliases=("input", "text"), required=not eof, default="") or ""
        code = session.process.poll()
        if code is not None:
            raise ToolError(f"session {session.id} has already finished ({session.status()}); it reads no more input")
        payload = data.encode("utf-8", errors="replace")
        try:
            if payload:
                session.process.write(payload)
            if eof:
                session.process.close_stdin()
        except (BrokenPipeError, ValueError, OSError):
            raise ToolError(f"the standard input of session {session.id} is closed") from None
        closed = " and closed its standard input" if eof else ""
        return (
            f"Wrote {len(payload)} bytes to session {session.id}{closed}.",
            {"sessionId": session.id, "bytes": len(payload), "eof": eof},
        )

    def _kill(self, session: ExecSession) -> tuple[str, dict[str, Any]]:
        session.stop_timer()
        code = session.process.poll()
        if code is not None:
            return (
                f"Session {session.id} had already finished ({session.status()}).",
                {"sessionId": session.id, "status": session.status()},
            )
        session.killed = True
        session.process.kill()
        return f"Killed session {session.id}.", {"sessionId": session.id, "status": "killed"}
