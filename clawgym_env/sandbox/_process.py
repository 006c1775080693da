"""Running commands and collecting their output, shared by the ``local`` and ``bwrap`` backends.

A started command is a :class:`CommandHandle`: the host ends of its pipes,
a way to learn that its main process exited and a way to kill its whole
process tree. Two kinds exist: :class:`ProcessTree` (``subprocess.Popen`` on
the host, the ``local`` backend) and the ``bwrap`` backend's command started by
the fork server inside the sandbox (:mod:`._forkclient`). Over either:

* :func:`drive_foreground` runs a command to completion in the calling thread
  (no helper threads: one ``epoll`` loop over the pipes and the exit
  descriptor), capping captured output and enforcing the wall-clock timeout.
  When the main process exits, whatever it left running in its tree is
  killed, so a foreground command never leaves stragglers;
* :class:`HandleBackgroundProcess` runs one in the background, a daemon
  thread collecting its merged output.

Limits: ``RLIMIT_CPU``, ``RLIMIT_AS`` and ``RLIMIT_FSIZE`` from
:class:`Limits` (:func:`rlimit_pairs`); the process count through a
per-command ``pids`` cgroup when running as root and cgroups are usable (see
:mod:`._cgroup`), else ``RLIMIT_NPROC`` (which root ignores: a warning says so
once). :class:`ProcessTree` applies them with a tiny ``dash`` prefix (see
:func:`_wrapper`); without dash, ``preexec_fn`` does it, making only system
calls on values computed before ``fork`` (safe with other threads running,
but slower).
"""

from __future__ import annotations

import abc
import contextlib
import errno
import functools
import logging
import os
import resource
import selectors
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from clawgym_env.sandbox._cgroup import PidsCgroup, cgroup_root
from clawgym_env.sandbox.base import BackgroundProcess, CommandResult, Limits

__all__ = [
    "CommandHandle",
    "HandleBackgroundProcess",
    "OutputBuffer",
    "PopenBackgroundProcess",
    "ProcessTree",
    "drive_foreground",
    "exit_status",
    "new_cgroup",
    "popen_limited",
    "rlimit_pairs",
    "run_foreground",
]

logger = logging.getLogger(__name__)

READ_CHUNK = 1 << 16
STRAGGLER_DRAIN_S = 0.5
"""How long to keep reading pipes after the command exited and its tree was killed."""
POLL_INTERVAL_S = 0.02
"""Exit-check period when ``pidfd_open`` is unavailable."""

_nproc_warned = False

Translate = Callable[[bytes], bytes]


def exit_status(returncode: int) -> int:
    """``Popen.returncode`` as bash reports it: ``128 + signal`` for a death by signal."""
    return 128 - returncode if returncode < 0 else returncode


class OutputBuffer:
    """Keeps the first ``cap`` bytes written to it and counts the rest as dropped."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._chunks: list[bytes] = []
        self._size = 0
        self.truncated = False

    def add(self, data: bytes) -> None:
        room = self.cap - self._size
        if len(data) > room:
            self.truncated = True
            data = data[: max(room, 0)]
        if data:
            self._chunks.append(data)
            self._size += len(data)

    def value(self) -> bytes:
        return b"".join(self._chunks)


def _clamp(limit: int, current_hard: int) -> int:
    if current_hard == resource.RLIM_INFINITY:
        return limit
    return min(limit, current_hard)


def rlimit_pairs(limits: Limits, use_nproc: bool) -> list[tuple[int, tuple[int, int]]]:
    """(resource, (soft, hard)) pairs to set in the child, clamped to the current hard limits."""
    wanted: list[tuple[int, int, int]] = []  # resource, soft, hard
    if limits.cpu_seconds is not None:
        wanted.append((resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1))
    if limits.memory_bytes is not None:
        wanted.append((resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes))
    if limits.max_file_bytes is not None:
        wanted.append((resource.RLIMIT_FSIZE, limits.max_file_bytes, limits.max_file_bytes))
    if use_nproc and limits.max_processes is not None:
        wanted.append((resource.RLIMIT_NPROC, limits.max_processes, limits.max_processes))
    pairs = []
    for res, soft, hard in wanted:
        current_hard = resource.getrlimit(res)[1]
        hard = _clamp(hard, current_hard)
        pairs.append((res, (min(soft, hard), hard)))
    return pairs


DASH_ULIMIT: dict[int, tuple[str, int]] = {
    resource.RLIMIT_CPU: ("t", 1),
    resource.RLIMIT_AS: ("v", 1024),
    resource.RLIMIT_FSIZE: ("f", 512),
    resource.RLIMIT_NPROC: ("p", 1),
}
"""dash's ``ulimit`` flag and unit (bytes per unit) for each resource."""


@functools.lru_cache(maxsize=1)
def _dash() -> str | None:
    return shutil.which("dash") or shutil.which("dash", path="/usr/bin:/bin")


def _wrapper(rlimits: Sequence[tuple[int, tuple[int, int]]], cgroup_procs: str | None) -> list[str] | None:
    """A ``dash -c`` prefix that joins the cgroup, lowers the limits and execs the command.

    One extra ``exec`` of dash (~0.2 ms) instead of ``preexec_fn``, which
    forces a full ``fork()`` of this interpreter (milliseconds, growing with its
    memory size: a trainer holding gigabytes would pay tens of ms per command).
    ``None`` when dash is not installed.
    """
    dash = _dash()
    if dash is None:
        return None
    steps: list[str] = []
    if cgroup_procs is not None:
        steps.append(f"echo 0 > {shlex.quote(cgroup_procs)}")
    for res, (soft, hard) in rlimits:
        flag, unit = DASH_ULIMIT[res]
        steps.append(f"ulimit -S -{flag} {soft // unit}")
        steps.append(f"ulimit -H -{flag} {hard // unit}")
    steps.append('exec "$@"')
    script = " && ".join(steps) + "; echo 'clawgym: could not apply the sandbox resource limits' >&2; exit 125"
    return [dash, "-c", script, "clawgym-limits"]


def _child_setup(rlimits: Sequence[tuple[int, tuple[int, int]]], cgroup_procs: str | None) -> Callable[[], None]:
    """The ``preexec_fn`` fallback (no dash): join the cgroup, then lower the limits (system calls only)."""

    def setup() -> None:
        if cgroup_procs is not None:
            fd = os.open(cgroup_procs, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)
        for res, pair in rlimits:
            resource.setrlimit(res, pair)

    return setup


def popen_limited(
    argv: Sequence[str],
    *,
    rlimits: Sequence[tuple[int, tuple[int, int]]],
    cgroup: PidsCgroup | None,
    **popen_options: Any,
) -> subprocess.Popen[bytes]:
    """``Popen(argv)`` as the leader of a new session, in ``cgroup`` and under ``rlimits`` from its first instruction.

    ``popen_options`` go to ``Popen`` (``close_fds`` is always true).
    """
    procs_path = cgroup.procs_path if cgroup else None
    wrapper = _wrapper(rlimits, procs_path) if (rlimits or procs_path) else []
    setup = _child_setup(rlimits, procs_path) if wrapper is None else None
    return subprocess.Popen(
        [*(wrapper or []), *argv],
        start_new_session=True,
        preexec_fn=setup,  # only without dash; system calls only, see the module docstring
        close_fds=True,
        **popen_options,
    )


def _warn_nproc_once(limits: Limits) -> None:
    global _nproc_warned
    if _nproc_warned or limits.max_processes is None or os.geteuid() != 0:
        return
    _nproc_warned = True
    logger.warning(
        "pids cgroups are unavailable, so Limits.max_processes falls back to RLIMIT_NPROC, "
        "which the kernel does not enforce for root: process counts are not limited"
    )


class CommandHandle(abc.ABC):
    """A started command as :func:`drive_foreground` and :class:`HandleBackgroundProcess` see it.

    The handle owns the host ends of the command's pipes (:attr:`stdin_fd`,
    :attr:`stdout_fd`, :attr:`stderr_fd`; ``None`` where there is none) and
    knows how to learn that the command's main process exited and how to kill
    the command's whole process tree. Statuses are reported as bash does
    (``128 + signal`` for a death by signal).
    """

    stdin_fd: int | None
    stdout_fd: int
    stderr_fd: int | None

    @abc.abstractmethod
    def exit_fd(self) -> int | None:
        """A descriptor that becomes readable when the main process exits, or ``None`` (then poll)."""

    @abc.abstractmethod
    def has_exited(self) -> bool:
        """Whether the main process has exited (never blocks)."""

    @abc.abstractmethod
    def exit_code(self) -> int:
        """The main process's status; only valid once it has exited."""

    @abc.abstractmethod
    def wait(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds (``None``: forever) for the exit; return :meth:`has_exited`."""

    @abc.abstractmethod
    def kill_tree(self) -> None:
        """SIGKILL every process of the command; idempotent, never raises."""

    @abc.abstractmethod
    def release(self) -> None:
        """Kill what is left, reap the main process and free the command's cgroup; idempotent."""

    def poll(self) -> int | None:
        """The status once exited, else ``None`` (never blocks)."""
        return self.exit_code() if self.has_exited() else None

    def close_pipes(self) -> None:
        """Close the host ends of the pipes; call after :meth:`release` and after readers stopped."""
        for attr in ("stdin_fd", "stdout_fd", "stderr_fd"):
            fd = getattr(self, attr)
            if fd is not None:
                setattr(self, attr, None)
                with contextlib.suppress(OSError):
                    os.close(fd)


class ProcessTree(CommandHandle):
    """One command started on the host with ``Popen`` (leader of a new session) and its cgroup, if any."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        env: Mapping[str, str],
        limits: Limits,
        stdin: int,
        stderr: int,
    ) -> None:
        self.cgroup = new_cgroup(limits)
        rlimits = rlimit_pairs(limits, use_nproc=self.cgroup is None)
        try:
            self.popen = popen_limited(
                argv,
                rlimits=rlimits,
                cgroup=self.cgroup,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=cwd,
                env=dict(env),
            )
        except BaseException:
            if self.cgroup is not None:
                self.cgroup.remove()
            raise
        self.pid = self.popen.pid
        self.stdin_fd = _detach(self.popen.stdin)
        self.stdout_fd = _detach(self.popen.stdout)  # type: ignore[assignment]
        self.stderr_fd = _detach(self.popen.stderr)
        self._pidfd = _pidfd(self.pid)

    def exit_fd(self) -> int | None:
        return self._pidfd

    def has_exited(self) -> bool:
        """Whether the main process has exited, without reaping it (its pid stays reserved)."""
        if self.popen.returncode is not None:
            return True
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def exit_code(self) -> int:
        if self.popen.returncode is None:
            self.popen.wait()
        return exit_status(self.popen.returncode)

    def poll(self) -> int | None:
        code = self.popen.poll()
        return None if code is None else exit_status(code)

    def wait(self, timeout: float | None) -> bool:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill_tree(self) -> None:
        """SIGKILL the process group and everything in the cgroup; idempotent, never raises."""
        if self.popen.returncode is None:  # once reaped, the group id may belong to someone else
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill()

    def release(self) -> None:
        self.kill_tree()
        with contextlib.suppress(ChildProcessError):
            self.popen.wait()
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._pidfd)
            self._pidfd = None


def new_cgroup(limits: Limits, *, headroom: int = 0, kind: str = "cmd") -> PidsCgroup | None:
    """A fresh pids cgroup allowing ``limits.max_processes + headroom`` processes.

    ``None`` when there is no limit or cgroups are unusable here (then a
    warning is logged once). ``kind`` prefixes the cgroup's name.
    """
    root = cgroup_root() if limits.max_processes is not None else None
    if root is not None:
        try:
            return PidsCgroup(root, (limits.max_processes or 0) + headroom, kind=kind)
        except OSError as exc:
            logger.warning("could not create a pids cgroup under %s: %s", root, exc)
    _warn_nproc_once(limits)
    return None


def _detach(pipe: Any) -> int | None:
    """Take the descriptor out of a ``Popen`` pipe object, which then no longer closes it."""
    if pipe is None:
        return None
    fd: int = os.dup(pipe.fileno())
    pipe.close()
    return fd


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def run_foreground(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    limits: Limits,
    timeout: float,
    merge_stderr: bool,
    stdin: bytes | None,
) -> CommandResult:
    """Run ``argv`` on the host to completion (or its timeout) in the calling thread."""
    started = time.monotonic()
    tree = ProcessTree(
        argv,
        cwd=cwd,
        env=env,
        limits=limits,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
    )
    return drive_foreground(tree, stdin=stdin, limits=limits, timeout=timeout, started=started)


def drive_foreground(
    handle: CommandHandle, *, stdin: bytes | None, limits: Limits, timeout: float, started: float
) -> CommandResult:
    """Feed ``stdin``, collect capped output and wait for ``handle`` (or its timeout); then release it.

    One ``epoll`` loop over the pipes and the handle's exit descriptor, no
    helper threads. When the main process exits, whatever it left running is
    killed and the pipes are drained for at most :data:`STRAGGLER_DRAIN_S`.
    """
    deadline = started + timeout
    out = OutputBuffer(limits.max_output_bytes)
    err = OutputBuffer(limits.max_output_bytes)
    selector = selectors.DefaultSelector()
    exit_fd = handle.exit_fd()
    timed_out = False
    try:
        streams = {handle.stdout_fd: out}
        if handle.stderr_fd is not None:
            streams[handle.stderr_fd] = err
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        pending = memoryview(stdin or b"")
        stdin_fd = handle.stdin_fd
        if stdin_fd is not None:
            os.set_blocking(stdin_fd, False)
            selector.register(stdin_fd, selectors.EVENT_WRITE)
        if exit_fd is not None:
            selector.register(exit_fd, selectors.EVENT_READ)
        exited = False
        while streams or not exited:
            now = time.monotonic()
            if now >= deadline:
                timed_out = not exited
                break
            wait = deadline - now
            if not exited and exit_fd is None:
                wait = min(wait, POLL_INTERVAL_S)
            for key, _ in selector.select(wait):
                fd = key.fd
                if fd == exit_fd:
                    continue
                if fd == stdin_fd:
                    pending = _feed(fd, pending)
                    if not pending:
                        selector.unregister(fd)
                        os.close(fd)
                        handle.stdin_fd = stdin_fd = None
                    continue
                data = os.read(fd, READ_CHUNK)
                if data:
                    streams[fd].add(data)
                else:
                    selector.unregister(fd)
                    del streams[fd]
            if not exited and handle.has_exited():
                exited = True
                # Stragglers may hold the pipes open: kill them, then drain briefly.
                handle.kill_tree()
                deadline = min(deadline, time.monotonic() + STRAGGLER_DRAIN_S)
                if exit_fd is not None:
                    selector.unregister(exit_fd)
        if timed_out:
            handle.kill_tree()
            _drain(streams, deadline=time.monotonic() + 0.2)
    finally:
        selector.close()
        try:
            handle.release()
        finally:
            handle.close_pipes()
    return CommandResult(
        exit_code=None if timed_out else handle.exit_code(),
        stdout=out.value(),
        stderr=err.value(),
        timed_out=timed_out,
        truncated=out.truncated or err.truncated,
        duration_s=time.monotonic() - started,
    )


def _feed(fd: int, pending: memoryview) -> memoryview:
    """Write what the pipe takes now; an empty view means done (or the reader is gone)."""
    try:
        written = os.write(fd, pending[: 1 << 16])
    except BrokenPipeError:
        return memoryview(b"")
    except OSError as exc:
        if exc.errno == errno.EAGAIN:
            return pending
        raise
    return pending[written:]


def _drain(streams: dict[int, OutputBuffer], *, deadline: float) -> None:
    """Read what killed processes left in the pipes, until EOF or ``deadline``."""
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        while streams:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            for key, _ in selector.select(remaining):
                data = os.read(key.fd, READ_CHUNK)
                if data:
                    streams[key.fd].add(data)
                else:
                    selector.unregister(key.fd)
                    del streams[key.fd]


class HandleBackgroundProcess(BackgroundProcess):
    """A background command whose merged output a daemon thread collects.

    ``translate`` (the local backend's path rewriting) is applied to each
    chunk as it arrives.
    """

    def __init__(self, handle: CommandHandle, *, limits: Limits, translate: Translate | None = None) -> None:
        self._handle = handle
        self._translate = translate
        self._buffer = OutputBuffer(limits.max_output_bytes)
        self._read_pos = 0
        self._lock = threading.Lock()
        self._stdin_lock = threading.Lock()
        self._killed = False
        self._drained = False
        self._reader = threading.Thread(target=self._collect, name="clawgym-bg-output", daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        fd = self._handle.stdout_fd
        while True:
            try:
                data = os.read(fd, READ_CHUNK)
            except OSError:
                return
            if not data:
                return
            if self._translate is not None:
                data = self._translate(data)
            with self._lock:
                self._buffer.add(data)

    def poll(self) -> int | None:
        code = self._handle.poll()
        if code is not None:
            self._collect_rest()
        return code

    def wait(self, timeout: float | None = None) -> int | None:
        if not self._handle.wait(timeout):
            return None
        self._collect_rest()
        return self._handle.exit_code()

    def _collect_rest(self) -> None:
        """Once the process exited, let the reader take what is still in the pipe (once, bounded).

        Output written just before the exit must be readable as soon as the exit is
        reported; a straggler holding the pipe open costs at most one drain period.
        """
        if not self._drained:
            self._drained = True
            self._reader.join(timeout=STRAGGLER_DRAIN_S)

    def read(self) -> bytes:
        with self._lock:
            data = self._buffer.value()
            new = data[self._read_pos :]
            self._read_pos = len(data)
        return new

    def output(self) -> bytes:
        with self._lock:
            return self._buffer.value()

    def write(self, data: bytes) -> None:
        with self._stdin_lock:
            fd = self._handle.stdin_fd
            if fd is None:
                raise BrokenPipeError("the background process's standard input is closed")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]

    def close_stdin(self) -> None:
        with self._stdin_lock:
            fd, self._handle.stdin_fd = self._handle.stdin_fd, None
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        self.close_stdin()
        try:
            self._handle.release()
        finally:
            self._reader.join(timeout=2.0)
            self._handle.close_pipes()


class PopenBackgroundProcess(HandleBackgroundProcess):
    """A background :class:`ProcessTree` on the host (the ``local`` backend)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        env: Mapping[str, str],
        limits: Limits,
        translate: Translate | None = None,
    ) -> None:
        self._tree = ProcessTree(argv, cwd=cwd, env=env, limits=limits, stdin=subprocess.PIPE, stderr=subprocess.STDOUT)
        super().__init__(self._tree, limits=limits, translate=translate)

    @property
    def pid(self) -> int:
        """The host pid of the started process."""
        return self._tree.pid
