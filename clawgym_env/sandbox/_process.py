"""Host-process machinery shared by the ``local`` and ``bwrap`` backends.

:class:`ProcessTree` starts one command (``subprocess.Popen`` in a new
session) with the sandbox's resource limits applied before the command's first
instruction:

* ``RLIMIT_CPU``, ``RLIMIT_AS`` and ``RLIMIT_FSIZE`` from :class:`Limits`;
* the process count: a per-command ``pids`` cgroup when running as root and
  cgroups are usable (see :mod:`._cgroup`), else ``RLIMIT_NPROC`` (which root
  ignores: a warning says so once).

:func:`run_foreground` runs a command to completion in the calling thread (no
helper threads: one ``epoll`` loop over the pipes and a ``pidfd``), capping
captured output and enforcing the wall-clock timeout. When the command's main
process exits, whatever it left running in its process tree is killed, so a
foreground command never leaves stragglers (``bwrap`` behaves the same way:
its PID namespace dies with the command). :class:`PopenBackgroundProcess`
runs one command in the background with a reader thread.

The limits are applied by a tiny ``dash`` prefix (see :func:`_wrapper`);
without dash, ``preexec_fn`` does it, making only system calls on values
computed before ``fork`` (safe with other threads running, but slower).
"""

from __future__ import annotations

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

from clawgym_env.sandbox._cgroup import CommandCgroup, cgroup_root
from clawgym_env.sandbox.base import BackgroundProcess, CommandResult, Limits

__all__ = ["OutputBuffer", "PopenBackgroundProcess", "ProcessTree", "exit_status", "run_foreground"]

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


def _rlimits(limits: Limits, use_nproc: bool) -> list[tuple[int, tuple[int, int]]]:
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


def _warn_nproc_once(limits: Limits) -> None:
    global _nproc_warned
    if _nproc_warned or limits.max_processes is None or os.geteuid() != 0:
        return
    _nproc_warned = True
    logger.warning(
        "pids cgroups are unavailable, so Limits.max_processes falls back to RLIMIT_NPROC, "
        "which the kernel does not enforce for root: process counts are not limited"
    )


class ProcessTree:
    """One started command: its ``Popen`` (leader of a new session) and its cgroup, if any."""

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
        root = cgroup_root() if limits.max_processes is not None else None
        self.cgroup: CommandCgroup | None = None
        if root is not None:
            try:
                self.cgroup = CommandCgroup(root, limits.max_processes or 0)
            except OSError as exc:
                logger.warning("could not create a pids cgroup under %s: %s", root, exc)
        if self.cgroup is None:
            _warn_nproc_once(limits)
        rlimits = _rlimits(limits, use_nproc=self.cgroup is None)
        procs_path = self.cgroup.procs_path if self.cgroup else None
        wrapper = _wrapper(rlimits, procs_path) if (rlimits or procs_path) else []
        setup = _child_setup(rlimits, procs_path) if wrapper is None else None
        try:
            self.popen = subprocess.Popen(
                [*(wrapper or []), *argv],
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=cwd,
                env=dict(env),
                start_new_session=True,
                preexec_fn=setup,  # only without dash; system calls only, see the module docstring
                close_fds=True,
            )
        except BaseException:
            if self.cgroup is not None:
                self.cgroup.remove()
            raise
        self.pid = self.popen.pid

    def has_exited(self) -> bool:
        """Whether the main process has exited, without reaping it (its pid stays reserved)."""
        if self.popen.returncode is not None:
            return True
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def kill_tree(self) -> None:
        """SIGKILL the process group and everything in the cgroup; idempotent, never raises."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill()

    def release(self) -> None:
        """Kill what is left, reap the main process and remove the cgroup."""
        self.kill_tree()
        with contextlib.suppress(ChildProcessError):
            self.popen.wait()
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None


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
    """Run ``argv`` to completion (or its timeout) in the calling thread; see the module docstring."""
    started = time.monotonic()
    deadline = started + timeout
    tree = ProcessTree(
        argv,
        cwd=cwd,
        env=env,
        limits=limits,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
    )
    popen = tree.popen
    out = OutputBuffer(limits.max_output_bytes)
    err = OutputBuffer(limits.max_output_bytes)
    selector = selectors.DefaultSelector()
    pidfd = _pidfd(tree.pid)
    timed_out = False
    try:
        streams = {popen.stdout.fileno(): out} if popen.stdout else {}
        if popen.stderr is not None:
            streams[popen.stderr.fileno()] = err
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        pending = memoryview(stdin or b"")
        stdin_fd = popen.stdin.fileno() if popen.stdin else None
        if stdin_fd is not None:
            os.set_blocking(stdin_fd, False)
            selector.register(stdin_fd, selectors.EVENT_WRITE)
        if pidfd is not None:
            selector.register(pidfd, selectors.EVENT_READ)
        exited = False
        while streams or not exited:
            now = time.monotonic()
            if now >= deadline:
                timed_out = not exited
                break
            wait = deadline - now
            if not exited and pidfd is None:
                wait = min(wait, POLL_INTERVAL_S)
            for key, _ in selector.select(wait):
                fd = key.fd
                if fd == pidfd:
                    continue
                if fd == stdin_fd:
                    pending = _feed(fd, pending)
                    if not pending:
                        selector.unregister(fd)
                        popen.stdin.close()  # type: ignore[union-attr]
                        stdin_fd = None
                    continue
                data = os.read(fd, READ_CHUNK)
                if data:
                    streams[fd].add(data)
                else:
                    selector.unregister(fd)
                    del streams[fd]
            if not exited and tree.has_exited():
                exited = True
                # Stragglers may hold the pipes open: kill them, then drain briefly.
                tree.kill_tree()
                deadline = min(deadline, time.monotonic() + STRAGGLER_DRAIN_S)
                if pidfd is not None:
                    selector.unregister(pidfd)
        if timed_out:
            tree.kill_tree()
            _drain(streams, deadline=time.monotonic() + 0.2)
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)
        tree.release()
        for pipe in (popen.stdin, popen.stdout, popen.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
    return CommandResult(
        exit_code=None if timed_out else exit_status(popen.returncode),
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


class PopenBackgroundProcess(BackgroundProcess):
    """A background :class:`ProcessTree` whose merged output a daemon thread collects.

    ``translate`` (the local backend's path rewriting) is applied to each
    chunk as it arrives.
    """

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
        self._translate = translate
        self._buffer = OutputBuffer(limits.max_output_bytes)
        self._read_pos = 0
        self._lock = threading.Lock()
        self._killed = False
        self._reader = threading.Thread(target=self._collect, name=f"clawgym-bg-{self._tree.pid}", daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        stdout = self._tree.popen.stdout
        if stdout is None:
            return
        fd = stdout.fileno()
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

    @property
    def pid(self) -> int:
        """The host pid of the started process (``bwrap`` itself for that backend)."""
        return self._tree.pid

    def poll(self) -> int | None:
        code = self._tree.popen.poll()
        return None if code is None else exit_status(code)

    def wait(self, timeout: float | None = None) -> int | None:
        try:
            code = self._tree.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return exit_status(code)

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
        stdin = self._tree.popen.stdin
        if stdin is None or stdin.closed:
            raise BrokenPipeError("the background process's standard input is closed")
        stdin.write(data)
        stdin.flush()

    def close_stdin(self) -> None:
        stdin = self._tree.popen.stdin
        if stdin is not None and not stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                stdin.close()

    def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        self._tree.release()
        self._reader.join(timeout=2.0)
        for pipe in (self._tree.popen.stdin, self._tree.popen.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
