"""The host side of the ``bwrap`` sandbox's fork server (the protocol is in :mod:`._forkserver`).

:class:`ForkServer` starts ``bwrap ... python3 -I -S - FD`` once per sandbox
and hands it one request per command; :meth:`ForkServer.spawn` returns a
:class:`ForkedCommand`, a :class:`~._process.CommandHandle` that
:func:`~._process.drive_foreground` and
:class:`~._process.HandleBackgroundProcess` drive like a host process.

Starting is asynchronous: the constructor only spawns ``bwrap`` (about a
millisecond) and the first command waits for the server's hello, so
``env.reset()`` does not pay the namespace set-up and interpreter start while
the agent's first turn is being generated.

The lifeline is the control socket, not ``--die-with-parent``: the kernel
ties that option to the *thread* that started ``bwrap``, and a sandbox made in
a worker thread must outlive the thread. When the host process dies or closes
the sandbox, the control socket reaches EOF, the server (PID 1) exits and the
kernel kills every process of the sandbox.
"""

from __future__ import annotations

import array
import contextlib
import functools
import logging
import os
import select
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from clawgym_env.errors import SandboxError, SandboxStartError
from clawgym_env.sandbox import _forkserver as protocol
from clawgym_env.sandbox._cgroup import PidsCgroup
from clawgym_env.sandbox._process import CommandHandle, exit_status, popen_limited, rlimit_pairs
from clawgym_env.sandbox.base import Limits

__all__ = ["ForkServer", "ForkedCommand"]

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 30.0
"""How long the first command waits for the server's hello before the sandbox counts as failed."""
CHILD_READY_TIMEOUT_S = 10.0
"""How long a spawn waits for the forked child's ready message."""
EXIT_TIMEOUT_S = 5.0
"""How long :meth:`ForkServer.close` waits for ``bwrap`` to exit before killing it."""
STATUS_AFTER_KILL_S = 2.0
"""How long a killed command's status may take to arrive."""
FAILURE_EXIT_WAIT_S = 1.0
"""How long a failure report waits for bwrap to exit, so that it can quote its status and stderr."""

_UCRED = struct.Struct("3i")
_RLIMIT_NAMES = {getattr(__import__("resource"), f"RLIMIT_{name}"): name for name in ("CPU", "AS", "FSIZE", "NPROC")}


@functools.lru_cache(maxsize=1)
def _server_source() -> bytes:
    return Path(protocol.__file__).read_bytes()


def _readable(fd: int, timeout: float | None) -> bool:
    """Wait until ``fd`` is readable (or hung up) or ``timeout`` seconds pass (``poll``: any fd number)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else timeout * 1000))


class ForkServer:
    """One running fork server: ``bwrap_argv`` followed by the server's interpreter command.

    ``bwrap_argv`` ends where the sandboxed program would start (it must
    include ``--as-pid-1`` and PID/network namespaces); ``python`` is the
    interpreter's path inside the sandbox.
    """

    def __init__(
        self, bwrap_argv: Sequence[str], *, python: str, env: Mapping[str, str], cgroup: PidsCgroup | None
    ) -> None:
        host_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # An anonymous file: it lives exactly as long as this object (closed by close()).
        self._stderr = tempfile.TemporaryFile(prefix="clawgym-forkserver-")  # noqa: SIM115
        self.cgroup = cgroup
        try:
            fd = server_end.fileno()
            os.set_inheritable(fd, True)
            self.process = popen_limited(
                [*bwrap_argv, python, "-I", "-S", "-", str(fd)],
                rlimits=[],
                cgroup=cgroup,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                env=dict(env),
                cwd="/",
                pass_fds=(fd,),
            )
        except BaseException:
            host_end.close()
            self._stderr.close()
            raise
        finally:
            server_end.close()
        self._control = host_end
        self._lock = threading.Lock()
        self._ready = False
        self._closed = False
        source_pipe = self.process.stdin
        if source_pipe is not None:
            try:
                source_pipe.write(_server_source())
                source_pipe.close()
            except OSError:
                pass  # bwrap failed before reading: the first command reports why

    @property
    def pid(self) -> int:
        """The host pid of ``bwrap``."""
        return self.process.pid

    def diagnostics(self) -> str:
        """What ``bwrap`` and the server wrote to their standard error, for error messages."""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf-8", errors="replace").strip()
            return text[-2000:] or "(nothing on stderr)"
        return "(stderr unavailable)"

    def _failure(self, what: str) -> SandboxError:
        # The socket's EOF can come before the exit is reapable: give bwrap a moment to finish.
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(FAILURE_EXIT_WAIT_S)
        code = self.process.poll()
        state = "still running" if code is None else f"exited with status {code}"
        return SandboxStartError(f"{what}; bwrap {state}: {self.diagnostics()}")

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Block until the server has said hello; raise :class:`SandboxStartError` if it never does."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if self._closed:
                raise SandboxError("the sandbox's fork server is closed")
            ready = _readable(self._control.fileno(), timeout)
            hello = self._control.recv(len(protocol.HELLO)) if ready else b""
            if hello != protocol.HELLO:
                raise self._failure("the bwrap sandbox did not start" if ready else "the bwrap sandbox timed out")
            self._ready = True

    def spawn(
        self, command: str, *, cwd: str, env: Mapping[str, str], limits: Limits, stdin: bool, merge_stderr: bool
    ) -> ForkedCommand:
        """Start ``bash -c command`` in the sandbox under ``limits``; return its handle once it is running.

        ``stdin=False`` gives the command an empty standard input. Raises
        ``ValueError`` for inputs ``subprocess`` also refuses (NUL bytes, bad
        environment names) and :class:`SandboxError` when the server fails.
        """
        self.wait_ready()
        pairs = rlimit_pairs(limits, use_nproc=self.cgroup is None)
        rlimits = [(_RLIMIT_NAMES[r], soft, hard) for r, (soft, hard) in pairs]
        ours: list[int] = []  # host ends, kept on success
        theirs: list[int] = []  # the child's ends, closed here once sent
        chan: socket.socket | None = None
        try:
            request = protocol.encode_request(
                os.fsencode(command),
                os.fsencode(cwd),
                rlimits,
                {os.fsencode(k): os.fsencode(v) for k, v in env.items()},
            )
            if stdin:
                child_in, host_in = os.pipe2(os.O_CLOEXEC)
                ours.append(host_in)
            else:
                child_in, host_in = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC), None
            theirs.append(child_in)
            host_out, child_out = os.pipe2(os.O_CLOEXEC)
            ours.append(host_out)
            theirs.append(child_out)
            host_err: int | None = None
            child_err = child_out
            if not merge_stderr:
                host_err, child_err = os.pipe2(os.O_CLOEXEC)
                ours.append(host_err)
                theirs.append(child_err)
            chan, server_chan = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            theirs.append(server_chan.detach())
            chan.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            self._send(request, [child_in, child_out, child_err, theirs[-1]])
            for fd in theirs:
                os.close(fd)
            theirs.clear()
            host_pid = self._child_ready(chan)
            chan.send(protocol.GO)
        except BaseException:
            for fd in ours + theirs:
                with contextlib.suppress(OSError):
                    os.close(fd)
            if chan is not None:
                chan.close()
            raise
        return ForkedCommand(chan, host_pid, stdin_fd=host_in, stdout_fd=host_out, stderr_fd=host_err)

    def _send(self, request: bytes, fds: list[int]) -> None:
        rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox's fork server is closed")
            try:
                sent = self._control.sendmsg([request], rights)
                if sent < len(request):
                    self._control.sendall(request[sent:])
            except OSError as exc:
                raise self._failure(f"the sandbox's fork server stopped taking commands ({exc})") from exc

    def _child_ready(self, chan: socket.socket) -> int:
        """Wait for the child's ready message; return its host pid from the attached credentials."""
        chan.settimeout(CHILD_READY_TIMEOUT_S)
        try:
            message, ancillary, _flags, _addr = chan.recvmsg(4096, socket.CMSG_SPACE(_UCRED.size))
        except (TimeoutError, OSError) as exc:
            raise self._failure(f"the sandbox's fork server did not start the command ({exc})") from exc
        finally:
            chan.setblocking(False)
        if message[:1] == protocol.FORK_FAILED:
            raise SandboxError(f"the sandbox could not start a command: {message[1:].decode(errors='replace')}")
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and message == protocol.CHILD_READY:
                return int(_UCRED.unpack(data[: _UCRED.size])[0])
        raise self._failure(f"the sandbox's fork server answered {message[:40]!r} instead of a ready child")

    def close(self) -> None:
        """Stop the server: every process of the sandbox dies. Idempotent; waits for ``bwrap`` to exit."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(OSError):
                self._control.close()
        try:
            self.process.wait(EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            logger.warning("bwrap (pid %d) did not exit %g s after its sandbox closed; killing it", self.pid, 5)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            if self.cgroup is not None:
                self.cgroup.kill()
            self.process.wait()
        finally:
            self._stderr.close()
            if self.cgroup is not None:
                self.cgroup.remove()


class ForkedCommand(CommandHandle):
    """A command started by the fork server: its pipes and its status channel.

    Killing the tree signals the command's process group by the host pid of
    its leader, and only while the leader has not been reported exited
    (afterwards the server has reaped it, killed what was left of its group,
    and the number may be reused). A process that left the group with
    ``setsid`` lives until the sandbox closes.
    """

    def __init__(
        self,
        chan: socket.socket,
        host_pid: int,
        *,
        stdin_fd: int | None,
        stdout_fd: int,
        stderr_fd: int | None,
    ) -> None:
        self.chan = chan
        self.host_pid = host_pid
        self.stdin_fd = stdin_fd
        self.stdout_fd = stdout_fd
        self.stderr_fd = stderr_fd
        self._status: int | None = None
        self._lost = False
        self._released = False
        self._lock = threading.Lock()

    def exit_fd(self) -> int | None:
        return None if self.chan.fileno() < 0 else self.chan.fileno()

    def has_exited(self) -> bool:
        with self._lock:
            if self._status is not None or self._lost:
                return True
            try:
                message = self.chan.recv(16)
            except (BlockingIOError, InterruptedError):
                return False
            except OSError:
                message = b""
            if message[:1] == protocol.STATUS and len(message) == 5:
                self._status = exit_status(os.waitstatus_to_exitcode(int.from_bytes(message[1:], "big")))
            else:
                self._lost = True  # EOF without a status: the server (the whole sandbox) is gone
            return True

    def exit_code(self) -> int:
        if not self.has_exited():
            raise RuntimeError("exit_code() before the command exited")
        if self._status is None:
            raise SandboxError("the sandbox died while a command was running; its exit status is lost")
        return self._status

    def wait(self, timeout: float | None) -> bool:
        if self.has_exited():
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            fd = self.exit_fd()
            if fd is None:  # closed by release() in another thread
                return self.has_exited()
            _readable(fd, remaining)
            if self.has_exited():
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def kill_tree(self) -> None:
        if not self.has_exited():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.host_pid, signal.SIGKILL)

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self.kill_tree()
        self.wait(STATUS_AFTER_KILL_S)
        with self._lock:
            self.chan.close()
