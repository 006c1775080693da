"""The ``docker`` backend: one long-lived container per sandbox, one ``exec`` per command.

The container's PID 1 is :data:`INIT` (a reaper that ignores every signal
it can, so a command cannot stop the sandbox with ``kill 1``), with the workspace
bind-mounted read-write at ``mount_path``, no network unless ``network=True``,
a memory limit of ``Limits.memory_bytes`` (no swap) and a pids limit, and the
label ``clawgym-env.sandbox=1`` so leftovers can be found and removed::

    docker rm -f $(docker ps -aq --filter label=clawgym-env.sandbox=1)

Each command is ``sh -c WRAPPER`` (see :data:`WRAPPER`): it applies the
per-process limits with ``ulimit``, starts ``bash -c COMMAND`` as the leader of
a new session, records its pid in ``/run/clawgym-TOKEN.pid``, waits for it and
then kills whatever it left in its process group. On a timeout the host runs
a second exec that kills that process group, so grandchildren die too. The
exit status, output cap, ``128 + signal`` and stdin behave as on the other
backends. ``/tmp`` is the container's own, private to the sandbox.

The Docker SDK is imported only when this module is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import selectors
import socket
import struct
import threading
import time
from pathlib import Path, PurePosixPath
from typing import Any

import docker
import docker.errors

from clawgym_env.errors import BackendUnavailableError, SandboxError, SandboxStartError
from clawgym_env.sandbox import _registry
from clawgym_env.sandbox._process import OutputBuffer
from clawgym_env.sandbox.base import (
    BASE_ENV,
    DEFAULT_MOUNT_PATH,
    PIDS_HEADROOM,
    BackgroundProcess,
    CommandResult,
    Limits,
    Sandbox,
)
from clawgym_env.sandbox.image import DEFAULT_IMAGE

__all__ = [
    "INIT",
    "LABEL",
    "WRAPPER",
    "DockerSandbox",
    "connect",
    "docker_unavailable_reason",
    "remove_leftover_containers",
]

logger = logging.getLogger(__name__)

LABEL = "clawgym-env.sandbox"
"""Label set to ``"1"`` on every container this backend creates."""


INIT = (
    "import os, signal, time\n"
    "for name in ('SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE', 'SIGALRM'):\n"
    "    signal.signal(getattr(signal, name), signal.SIG_IGN)\n"
    "while True:\n"
    "    try:\n"
    "        os.wait()\n"
    "    except ChildProcessError:\n"
    "        time.sleep(0.5)\n"
)
"""The container's PID 1: reaps orphans and ignores signals. Docker's own init would forward
``SIGINT``/``SIGTERM`` from a command to its child and end the container; the kernel drops
``SIGKILL`` sent to a namespace's init from inside, and this drops the rest."""

WRAPPER = r"""
token=$1 command=$2 merge=$3
shift 3
cd -- "$CLAWGYM_CWD" || exit 1
unset CLAWGYM_CWD
[ "$merge" = 1 ] && exec 2>&1
for limit in "$@"; do ulimit $limit || exit 125; done
exec 3<&0
setsid bash -c "$command" <&3 3<&- &
pid=$!
exec 3<&-
echo "$pid" > "/run/clawgym-$token.pid"
wait "$pid" 2>/dev/null
status=$?
kill -9 "-$pid" 2>/dev/null
rm -f "/run/clawgym-$token.pid"
exit "$status"
"""
"""The per-command wrapper: ``sh -c WRAPPER clawgym TOKEN COMMAND MERGE ULIMIT_ARGS...``."""

KILL_SCRIPT = 'pid=$(cat "/run/clawgym-$1.pid" 2>/dev/null) && kill -9 "-$pid"'

STREAM_DRAIN_S = 1.0
"""How long a finished background exec's output may take to reach the reader thread."""

START_HELP = "start it with `dockerd &` (as root), or install it with `apt-get install docker.io`"


def connect(base_url: str | None = None, *, timeout: float = 60.0) -> docker.DockerClient:
    """A client for the engine at ``base_url`` (default: ``DOCKER_HOST`` or the local socket), pinged.

    Raises :class:`BackendUnavailableError` saying how to start the engine.
    """
    try:
        client = (
            docker.DockerClient(base_url=base_url, timeout=int(timeout))
            if base_url
            else docker.from_env(timeout=int(timeout))
        )
        client.ping()
    except (docker.errors.DockerException, OSError) as exc:
        where = base_url or os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        raise BackendUnavailableError(f"no Docker engine answers at {where} ({exc}); {START_HELP}") from exc
    return client


def _missing_image(tag: str) -> str:
    return f"the sandbox image {tag} does not exist; build it with `clawgym sandbox build-image`"


def docker_unavailable_reason(image: str = DEFAULT_IMAGE, base_url: str | None = None) -> str | None:
    """``None`` if the engine answers and has ``image``, else why not (not cached: the engine may start later)."""
    try:
        client = connect(base_url, timeout=5)
    except BackendUnavailableError as exc:
        return str(exc)
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return _missing_image(image)
    except docker.errors.DockerException as exc:
        return f"the Docker engine failed to look up {image}: {exc}"
    finally:
        client.close()
    return None


def remove_leftover_containers(client: docker.DockerClient) -> int:
    """Force-remove every container labelled :data:`LABEL` (from crashed runs); return how many."""
    containers = client.containers.list(all=True, filters={"label": f"{LABEL}=1"})
    for container in containers:
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)
    return len(containers)


def _ulimit_args(limits: Limits) -> list[str]:
    """``ulimit`` arguments (dash syntax, one limit each) for the per-process limits."""
    args: list[str] = []
    if limits.cpu_seconds is not None:
        args += [f"-S -t {limits.cpu_seconds}", f"-H -t {limits.cpu_seconds + 1}"]
    if limits.memory_bytes is not None:
        args.append(f"-v {limits.memory_bytes // 1024}")
    if limits.max_file_bytes is not None:
        args.append(f"-f {limits.max_file_bytes // 512}")
    return args


def _read_ahead(raw: Any) -> bytes:
    """Bytes of the exec stream that the HTTP client buffered past the upgrade response's headers.

    docker-py keeps the upgraded response on the returned socket (``_response``); its buffered
    reader may hold stream bytes already. The socket is non-blocking by now, so this never waits.
    """
    response = getattr(raw, "_response", None)
    reader = getattr(getattr(getattr(response, "raw", None), "_fp", None), "fp", None)
    if reader is None or not hasattr(reader, "peek"):
        return b""
    try:
        buffered = reader.peek()
        return reader.read(len(buffered)) if buffered else b""
    except (OSError, ValueError):
        return b""


class _ExecStream:
    """The hijacked socket of one ``exec``: non-blocking frame parsing and stdin writing."""

    def __init__(self, raw: Any) -> None:
        self._holder = raw  # keeps the HTTP response (and so the socket) alive
        sock = getattr(raw, "_sock", raw)
        if not isinstance(sock, socket.socket):
            raise SandboxError(f"unsupported Docker transport for exec streaming: {type(raw).__name__}")
        self.sock = sock
        self.sock.setblocking(False)
        # The HTTP client may have read the first frames together with the upgrade response's
        # headers: they sit in its buffer, not in the socket, and a fast command's whole output
        # can be there.
        self._pending = _read_ahead(raw)
        self.eof = False

    def read_frames(self) -> list[tuple[int, bytes]]:
        """Read what is available and return complete ``(stream, payload)`` frames; sets :attr:`eof`."""
        try:
            data = self.sock.recv(1 << 16)
        except (BlockingIOError, InterruptedError):
            data = None
        except OSError:
            data = b""
        if data == b"":
            self.eof = True
        elif data:
            self._pending += data
        frames: list[tuple[int, bytes]] = []
        while len(self._pending) >= 8:
            stream, size = struct.unpack(">BxxxL", self._pending[:8])
            if len(self._pending) < 8 + size:
                break
            frames.append((stream, self._pending[8 : 8 + size]))
            self._pending = self._pending[8 + size :]
        return frames

    def send(self, data: memoryview) -> memoryview:
        """Send what the socket takes now; return the rest (empty when the peer is gone)."""
        try:
            sent = self.sock.send(data[: 1 << 16])
        except (BlockingIOError, InterruptedError):
            return data
        except OSError:
            return memoryview(b"")
        return data[sent:]

    def close_write(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(Exception):
            self._holder.close()


class DockerSandbox(Sandbox):
    """One container per sandbox; see the module docstring.

    Options: ``image`` (default :data:`~clawgym_env.sandbox.image.DEFAULT_IMAGE`),
    ``network`` (``True`` for Docker's default bridge network; default none),
    ``base_url`` (engine address; default ``DOCKER_HOST`` or the local socket),
    ``client`` (an existing ``docker.DockerClient``, not closed by :meth:`close`).
    """

    backend = "docker"

    def __init__(
        self,
        workspace: Path,
        *,
        mount_path: str = DEFAULT_MOUNT_PATH,
        limits: Limits | None = None,
        image: str = DEFAULT_IMAGE,
        network: bool = False,
        base_url: str | None = None,
        client: docker.DockerClient | None = None,
    ) -> None:
        super().__init__(workspace, mount_path=mount_path, limits=limits)
        self._closed = True  # until the container exists
        self._owns_client = client is None
        self.client = client or connect(base_url)
        self.api = self.client.api
        if not self.workspace.is_dir():
            raise SandboxStartError(f"workspace {self.workspace} is not a directory")
        try:
            self.client.images.get(image)
        except docker.errors.ImageNotFound as exc:
            raise BackendUnavailableError(_missing_image(image)) from exc
        self._ulimits = _ulimit_args(self.limits)
        run_options: dict[str, Any] = {
            "command": ["python3", "-I", "-S", "-c", INIT],
            "detach": True,
            "labels": {LABEL: "1"},
            "network_mode": "bridge" if network else "none",
            "volumes": {str(self.workspace): {"bind": str(self.mount_path), "mode": "rw"}},
            "working_dir": str(self.mount_path),
            "environment": dict(BASE_ENV),
        }
        if self.limits.memory_bytes is not None:
            run_options["mem_limit"] = self.limits.memory_bytes
            run_options["memswap_limit"] = self.limits.memory_bytes
        if self.limits.max_processes is not None:
            run_options["pids_limit"] = self.limits.max_processes + PIDS_HEADROOM
        try:
            self.container = self.client.containers.run(image, **run_options)
        except docker.errors.DockerException as exc:
            raise SandboxStartError(f"could not start a container from {image}: {exc}") from exc
        self.container_id: str = str(self.container.id)
        self._closed = False
        _registry.register(self)

    # -- exec plumbing ---------------------------------------------------------

    def _exec(
        self, command: str, *, cwd: PurePosixPath, env: dict[str, str], merge: bool, stdin: bool
    ) -> tuple[str, str, _ExecStream]:
        """Create and start one wrapped exec; return its token, exec id and stream."""
        token = secrets.token_hex(8)
        argv = ["sh", "-c", WRAPPER, "clawgym", token, command, "1" if merge else "0", *self._ulimits]
        try:
            exec_id = self.api.exec_create(
                self.container_id,
                argv,
                stdin=stdin,
                environment={**env, "CLAWGYM_CWD": str(cwd)},
            )["Id"]
            raw = self.api.exec_start(exec_id, socket=True)
        except docker.errors.DockerException as exc:
            raise SandboxError(f"docker exec failed in container {self.container_id[:12]}: {exc}") from exc
        return token, exec_id, _ExecStream(raw)

    def _kill_group(self, token: str) -> None:
        """Kill the process group of the exec identified by ``token`` (a second exec)."""
        try:
            self.container.exec_run(["sh", "-c", KILL_SCRIPT, "kill", token])
        except docker.errors.DockerException:
            logger.warning("could not kill command %s in %s", token, self.container_id[:12], exc_info=True)

    def _exit_code(self, exec_id: str, wait_s: float = 2.0) -> int | None:
        deadline = time.monotonic() + wait_s
        while True:
            info = self.api.exec_inspect(exec_id)
            if not info.get("Running") or time.monotonic() > deadline:
                code = info.get("ExitCode")
                return None if code is None else int(code)
            time.sleep(0.005)

    # -- hooks -------------------------------------------------------------------

    def _run(
        self,
        command: str,
        *,
        cwd: PurePosixPath,
        env: dict[str, str],
        timeout: float,
        merge_stderr: bool,
        stdin: bytes | None,
    ) -> CommandResult:
        started = time.monotonic()
        deadline = started + timeout
        token, exec_id, stream = self._exec(command, cwd=cwd, env=env, merge=merge_stderr, stdin=bool(stdin))
        out = OutputBuffer(self.limits.max_output_bytes)
        err = OutputBuffer(self.limits.max_output_bytes)
        buffers = {1: out, 2: err}
        pending = memoryview(stdin or b"")
        timed_out = False
        selector = selectors.DefaultSelector()
        try:
            selector.register(stream.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if pending else 0))
            if stdin is not None and not pending:
                stream.close_write()
            while not stream.eof:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                for _key, events in selector.select(remaining):
                    if events & selectors.EVENT_WRITE and pending:
                        pending = stream.send(pending)
                        if not pending:
                            stream.close_write()
                            selector.modify(stream.sock, selectors.EVENT_READ)
                    if events & selectors.EVENT_READ:
                        for number, payload in stream.read_frames():
                            buffers.get(number, out).add(payload)
            if timed_out:
                self._kill_group(token)
                drain_until = time.monotonic() + 1.0
                selector.modify(stream.sock, selectors.EVENT_READ)
                while not stream.eof and time.monotonic() < drain_until:
                    if selector.select(drain_until - time.monotonic()):
                        for number, payload in stream.read_frames():
                            buffers.get(number, out).add(payload)
        finally:
            selector.close()
            stream.close()
        exit_code = None if timed_out else self._exit_code(exec_id)
        return CommandResult(
            exit_code=exit_code,
            stdout=out.value(),
            stderr=err.value(),
            timed_out=timed_out,
            truncated=out.truncated or err.truncated,
            duration_s=time.monotonic() - started,
        )

    def _start(self, command: str, *, cwd: PurePosixPath, env: dict[str, str]) -> BackgroundProcess:
        token, exec_id, stream = self._exec(command, cwd=cwd, env=env, merge=True, stdin=True)
        return DockerBackgroundProcess(self, token, exec_id, stream)

    def _close(self) -> None:
        try:
            self.container.remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.DockerException:
            logger.warning("could not remove container %s", self.container_id[:12], exc_info=True)
        finally:
            if self._owns_client:
                with contextlib.suppress(Exception):
                    self.client.close()

    def __del__(self) -> None:
        try:
            if not self._closed:
                self.close()
        except Exception:  # noqa: BLE001 - a finalizer must never raise
            pass


class DockerBackgroundProcess(BackgroundProcess):
    """A background exec: a daemon thread collects its merged output from the exec socket."""

    def __init__(self, sandbox: DockerSandbox, token: str, exec_id: str, stream: _ExecStream) -> None:
        self._sandbox = sandbox
        self._token = token
        self._exec_id = exec_id
        self._stream = stream
        self._buffer = OutputBuffer(sandbox.limits.max_output_bytes)
        self._read_pos = 0
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._stdin_closed = False
        self._killed = False
        self._exit: int | None = None
        self._reader = threading.Thread(target=self._collect, name=f"clawgym-docker-{token}", daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._stream.sock, selectors.EVENT_READ)
            while not self._stream.eof:
                try:
                    ready = selector.select(0.5)
                except (OSError, ValueError):
                    return
                if self._killed and not ready:
                    return
                for number, payload in self._stream.read_frames():
                    del number  # merged: stderr was redirected into stdout by the wrapper
                    with self._lock:
                        self._buffer.add(payload)

    def poll(self) -> int | None:
        if self._exit is not None:
            return self._exit
        try:
            info = self._sandbox.api.exec_inspect(self._exec_id)
        except docker.errors.DockerException:
            return None
        if info.get("Running"):
            return None
        code = info.get("ExitCode")
        self._exit = None if code is None else int(code)
        if self._exit is not None:
            # Output written just before the exit must be readable once the exit is reported.
            self._reader.join(timeout=STREAM_DRAIN_S)
        return self._exit

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            code = self.poll()
            if code is not None:
                return code
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

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
        if self._stdin_closed or self._killed:
            raise BrokenPipeError("the background process's standard input is closed")
        with self._send_lock:
            view = memoryview(data)
            while view:
                before = len(view)
                view = self._stream.send(view)
                if view and len(view) == before:
                    with selectors.DefaultSelector() as selector:
                        selector.register(self._stream.sock, selectors.EVENT_WRITE)
                        selector.select(1.0)
            # send() returns empty on a dead peer too; a later poll() shows the exit

    def close_stdin(self) -> None:
        if not self._stdin_closed:
            self._stdin_closed = True
            self._stream.close_write()

    def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        if self.poll() is None and not self._sandbox.closed:
            self._sandbox._kill_group(self._token)
        self._reader.join(timeout=2.0)
        self._stream.close()
