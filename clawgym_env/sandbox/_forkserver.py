"""The fork server that lives inside a ``bwrap`` sandbox and starts its commands.

:mod:`clawgym_env.sandbox._forkclient` runs this file as PID 1 of the
sandbox's namespaces (``bwrap --as-pid-1 ... python3 -I -S - FD``, the source
fed on standard input). It is stdlib-only and imports C modules alone
(``_socket``, ``_signal``, ``select``, ``resource``): the ``socket``, ``signal``,
``contextlib`` and ``json`` wrappers pull in ``enum``, ``re`` and more, which
would double the server's start-up time.

Protocol. ``FD`` is one end of a ``SOCK_STREAM`` socket pair (the *control*
socket); the host holds the other end.

* Server -> host, once: ``b"H"`` when the server is ready.
* Host -> server, per command: a 4-byte big-endian length and that many bytes
  of body, sent with ``SCM_RIGHTS`` carrying exactly four descriptors:
  ``stdin, stdout, stderr, chan``. The body is NUL-separated bytes:
  ``COMMAND \\0 CWD \\0 RLIMITS [\\0 NAME=VALUE]...`` where ``RLIMITS`` is
  ``NAME:SOFT:HARD`` items joined by ``,`` (``NAME`` as in ``RLIMIT_NAME``).
* ``chan`` is a per-command ``SOCK_SEQPACKET`` socket (the host keeps its
  peer, with ``SO_PASSCRED`` set) carrying, in order:

  - child -> host ``b"R"``: the forked child is ready; the kernel attaches the
    child's credentials, so the host learns its *host* pid and moves it into
    the command's cgroup;
  - host -> child ``b"G"``: go (anything else, e.g. EOF, makes the child exit
    without running anything);
  - server -> host ``b"X"`` + 4-byte big-endian wait status when the child
    exits, or ``b"E"`` + a message when it could not be forked.

The child makes itself a session leader, takes the three descriptors as its
standard streams, waits for ``G``, closes every other descriptor (the control
socket and ``chan`` included), applies the rlimits, changes to ``CWD`` (a
missing directory exits 1 with a message on stderr, as on the other
backends) and execs ``/bin/bash -c COMMAND`` with exactly the given
environment.

When a command's main process exits, the server kills what is left of its
process group before it reports the status: a command's stragglers die with
it, as on the other backends (the host also kills the command's cgroup).

The server never trusts more than it must: a malformed request is logged to
its stderr and dropped; EOF on the control socket (the host closed the
sandbox or died) makes it exit, and since it is PID 1 the kernel then kills
every process of the sandbox. Being PID 1 also means commands inside the
sandbox cannot kill it (init ignores signals it has no handler for, and it
only handles ``SIGCHLD``); it reaps the orphans of every command.
"""

# SIM105: contextlib.suppress would import contextlib and its dependencies, see above.
# ruff: noqa: SIM105

from __future__ import annotations

import _signal
import _socket
import os
import resource
import select
import sys

__all__ = [
    "CHILD_READY",
    "FORK_FAILED",
    "GO",
    "HEADER_BYTES",
    "HELLO",
    "STATUS",
    "encode_request",
    "serve",
]

HELLO = b"H"
CHILD_READY = b"R"
GO = b"G"
STATUS = b"X"
FORK_FAILED = b"E"
HEADER_BYTES = 4
FDS_PER_REQUEST = 4
MAX_BODY_BYTES = 64 << 20
"""A request larger than this is a protocol error (commands and environments are far smaller)."""


def encode_request(command: bytes, cwd: bytes, rlimits: list[tuple[str, int, int]], env: dict[bytes, bytes]) -> bytes:
    """The framed request for one command (header included); see the module docstring.

    Raises ``ValueError`` for an embedded NUL byte, an environment name that
    is empty or holds ``=``, or a request over :data:`MAX_BODY_BYTES`
    (``subprocess`` refuses the same inputs).
    """
    limits = b",".join(f"{name}:{soft}:{hard}".encode() for name, soft, hard in rlimits)
    for key in env:
        if not key or b"=" in key:
            raise ValueError(f"illegal environment variable name {key!r}")
    fields = [command, cwd, limits, *(key + b"=" + value for key, value in env.items())]
    if any(b"\0" in field for field in fields):
        raise ValueError("embedded null byte")
    body = b"\0".join(fields)
    if len(body) > MAX_BODY_BYTES:
        raise ValueError(f"the command and its environment take {len(body)} bytes, over {MAX_BODY_BYTES}")
    return len(body).to_bytes(HEADER_BYTES, "big") + body


def _say(message: str) -> None:
    """Write one line to the server's stderr (bwrap's stderr, kept by the host)."""
    try:
        os.write(2, f"clawgym-forkserver: {message}\n".encode(errors="replace"))
    except OSError:
        pass


def _on_sigchld(signum: int, frame: object) -> None:
    """The C handler already wrote to the wakeup fd; nothing to do at Python level."""


def _recv_exact(control: _socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = control.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _read_request(control: _socket.socket) -> tuple[bytes, list[int]] | None:
    """One request's body and descriptors, ``(b"", [])`` if malformed, ``None`` at EOF."""
    space = _socket.CMSG_SPACE(FDS_PER_REQUEST * 4)
    head, ancillary, _flags, _addr = control.recvmsg(HEADER_BYTES, space, _socket.MSG_CMSG_CLOEXEC)
    fds: list[int] = []
    for level, kind, data in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            usable = len(data) - len(data) % 4
            fds += [int.from_bytes(data[i : i + 4], sys.byteorder, signed=True) for i in range(0, usable, 4)]
    if not head:
        for fd in fds:
            os.close(fd)
        return None
    rest = _recv_exact(control, HEADER_BYTES - len(head))
    if rest is None:
        return None
    size = int.from_bytes(head + rest, "big")
    if size > MAX_BODY_BYTES:
        _say(f"request of {size} bytes refused; closing the control socket")
        return None
    body = _recv_exact(control, size)
    if body is None:
        return None
    if len(fds) != FDS_PER_REQUEST:
        _say(f"request with {len(fds)} descriptors dropped")
        for fd in fds:
            os.close(fd)
        return b"", []
    return body, fds


def _child(body: bytes, fds: list[int]) -> None:
    """Runs in the forked child: set up, wait for the host's go, exec bash. Never returns."""
    code = 126
    try:
        stdin, stdout, stderr, chan = fds
        os.setsid()
        _signal.set_wakeup_fd(-1)
        # Python ignores SIGPIPE and SIGXFSZ; commands expect the defaults (`yes | head` must end).
        for signum in (_signal.SIGCHLD, _signal.SIGPIPE, _signal.SIGXFSZ, _signal.SIGINT):
            _signal.signal(signum, _signal.SIG_DFL)
        os.dup2(stdin, 0)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        os.write(chan, CHILD_READY)
        if os.read(chan, 1) != GO:
            os._exit(code)
        os.closerange(3, max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1024))
        command, cwd, limits, *env_items = body.split(b"\0")
        for item in filter(None, limits.split(b",")):
            name, soft, hard = item.split(b":")
            resource.setrlimit(getattr(resource, "RLIMIT_" + name.decode()), (int(soft), int(hard)))
        env = dict(item.partition(b"=")[::2] for item in env_items)
        try:
            os.chdir(cwd)
        except OSError as exc:
            code = 1
            missing = (FileNotFoundError, NotADirectoryError)  # a tuple: any python3 a rootfs has
            reason = b"no such directory" if isinstance(exc, missing) else (exc.strerror or "error").encode()
            os.write(2, b"clawgym: cannot run in " + cwd + b": " + reason + b"\n")
            os._exit(code)
        code = 127
        os.execve(b"/bin/bash", [b"bash", b"-c", command], env)
    except BaseException as exc:  # noqa: BLE001 - the child must exit, never return to the server loop
        try:
            os.write(2, f"clawgym: could not start the command: {exc}\n".encode(errors="replace"))
        except OSError:
            pass
    finally:
        os._exit(code)


def _spawn(body: bytes, fds: list[int], children: dict[int, int]) -> None:
    """Fork one command; the server keeps ``chan`` to report its exit status."""
    chan = fds[3]
    try:
        pid = os.fork()
    except OSError as exc:
        try:
            os.write(chan, FORK_FAILED + f"fork failed: {exc.strerror}".encode())
        except OSError:
            pass
        for fd in fds:
            os.close(fd)
        return
    if pid == 0:
        _child(body, fds)
    for fd in fds[:3]:
        os.close(fd)
    children[pid] = chan


def _reap(children: dict[int, int]) -> None:
    """Reap every exited child (our commands and adopted orphans); report our commands' statuses."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        chan = children.pop(pid, None)
        if chan is not None:
            # The command's group outlives its leader while stragglers hold the id: no reuse race.
            try:
                os.killpg(pid, _signal.SIGKILL)
            except OSError:
                pass
            try:
                os.write(chan, STATUS + (status & 0xFFFFFFFF).to_bytes(4, "big"))
            except OSError:
                pass
            os.close(chan)


def serve(control_fd: int) -> None:
    """Serve requests on ``control_fd`` until the host closes it, then exit (see the module docstring)."""
    os.set_inheritable(control_fd, False)
    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    _signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    _signal.signal(_signal.SIGCHLD, _on_sigchld)
    control = _socket.socket(fileno=control_fd)
    control.sendall(HELLO)
    poller = select.epoll()
    poller.register(control_fd, select.EPOLLIN)
    poller.register(wake_r, select.EPOLLIN)
    children: dict[int, int] = {}
    while True:
        for fd, _events in poller.poll():
            if fd == wake_r:
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
                _reap(children)
                continue
            try:
                request = _read_request(control)
            except OSError as exc:
                _say(f"control socket failed: {exc}")
                request = None
            if request is None:
                os._exit(0)
            body, fds = request
            if fds:
                _spawn(body, fds, children)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
