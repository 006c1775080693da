"""The sandbox contract, checked identically on every backend (real bwrap, real dockerd)."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from clawgym_env.errors import SandboxClosedError
from clawgym_env.sandbox import DEFAULT_MOUNT_PATH, Limits, Sandbox, create_sandbox


def host_processes_with(tag: str) -> list[int]:
    """Host pids whose command line contains ``tag`` (sees into bwrap's PID namespaces too)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if tag.encode() in cmdline and b"clawgym-limits" not in cmdline:
            found.append(int(entry))
    return found


def processes_with(sandbox: Sandbox, tag: str) -> list[str]:
    """Processes running ``tag`` as seen where the sandbox runs them (host, or inside the container)."""
    if sandbox.backend == "docker":
        listing = sandbox.run("ps -eo args=").stdout.decode()
        return [line for line in listing.splitlines() if tag in line and "ps -eo" not in line]
    return [str(pid) for pid in host_processes_with(tag)]


def wait_until_gone(sandbox: Sandbox, tag: str, within_s: float = 3.0) -> list[str]:
    deadline = time.monotonic() + within_s
    while True:
        left = processes_with(sandbox, tag)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def unique_sleep() -> str:
    """A ``sleep`` duration nobody else uses, so its processes can be found by command line."""
    return f"{1000 + secrets.randbelow(10**6)}.{secrets.randbelow(10**6)}"


@pytest.fixture
def make_sandbox(backend: str, workspace: Path) -> Iterator[Callable[..., Sandbox]]:
    """A factory of extra sandboxes of ``backend`` (over ``workspace`` by default), all closed afterwards."""
    made: list[Sandbox] = []

    def make(limits: Limits | None = None, ws: Path | None = None) -> Sandbox:
        box = create_sandbox(backend, ws or workspace, limits=limits)
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()


# -- results ------------------------------------------------------------------


def test_stdout_and_exit_code(sandbox: Sandbox) -> None:
    result = sandbox.run("echo hello; exit 3")
    assert result.stdout == b"hello\n"
    assert result.exit_code == 3
    assert not result.timed_out and not result.truncated
    assert result.duration_s > 0


def test_stderr_separate_or_merged(sandbox: Sandbox) -> None:
    separate = sandbox.run("echo out; echo err >&2", merge_stderr=False)
    assert (separate.stdout, separate.stderr) == (b"out\n", b"err\n")
    merged = sandbox.run("echo out; echo err >&2")
    assert merged.stdout == b"out\nerr\n"
    assert merged.stderr == b""


def test_stdin_is_passed(sandbox: Sandbox) -> None:
    assert sandbox.run("cat", stdin=b"some input").stdout == b"some input"
    assert sandbox.run("cat").stdout == b""  # no stdin: EOF at once, never a hang


def test_signal_death_reports_128_plus_signal(sandbox: Sandbox) -> None:
    assert sandbox.run("kill -TERM $$").exit_code == 143
    assert sandbox.run("kill -KILL $$").exit_code == 137


def test_missing_command_is_data_not_an_exception(sandbox: Sandbox) -> None:
    result = sandbox.run("no-such-command-xyz")
    assert result.exit_code == 127
    assert b"not found" in result.stdout


# -- cwd, environment, files -----------------------------------------------------


def test_cwd_defaults_to_mount_path_and_relative_cwd(sandbox: Sandbox, workspace: Path) -> None:
    assert sandbox.run("pwd").stdout.decode().strip() == DEFAULT_MOUNT_PATH
    (workspace / "sub" / "dir").mkdir(parents=True)
    assert sandbox.run("pwd", cwd="sub/dir").stdout.decode().strip() == f"{DEFAULT_MOUNT_PATH}/sub/dir"
    assert sandbox.run("pwd", cwd=f"{DEFAULT_MOUNT_PATH}/sub").stdout.decode().strip() == f"{DEFAULT_MOUNT_PATH}/sub"


def test_missing_cwd_fails_without_raising(sandbox: Sandbox) -> None:
    assert sandbox.run("pwd", cwd="does/not/exist").exit_code != 0


def test_env_is_passed_and_host_env_is_not(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAWGYM_SECRET", "hunter2")
    result = sandbox.run('echo "$GREETING"; echo "[$CLAWGYM_SECRET]"; echo $HOME', env={"GREETING": "hi there"})
    assert result.stdout == b"hi there\n[]\n/root\n"
    assert b"hunter2" not in sandbox.run("env").stdout


def test_files_are_shared_with_the_host_workspace(sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "from_host.txt").write_text("host data")
    result = sandbox.run("cat from_host.txt && echo sandbox data > from_sandbox.txt && mkdir -p d && touch d/x")
    assert result.stdout == b"host data"
    assert (workspace / "from_sandbox.txt").read_text() == "sandbox data\n"
    assert (workspace / "d" / "x").exists()


def test_python_with_yaml_and_pytest_is_available(sandbox: Sandbox) -> None:
    result = sandbox.run("python3 -c 'import sys, yaml, pytest; print(sys.version_info[:2])'")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == b"(3, 11)\n"


def test_private_tmp_persists_and_is_not_shared(backend: str, sandbox: Sandbox, make_sandbox, tmp_path: Path) -> None:
    if backend == "local":
        pytest.skip("the local backend has no private /tmp (only TMPDIR): no isolation by design")
    name = f"/tmp/clawgym-test-{secrets.token_hex(4)}"
    assert sandbox.run(f"echo kept > {name}").exit_code == 0
    assert sandbox.run(f"cat {name}").stdout == b"kept\n"
    other_ws = tmp_path / "other"
    other_ws.mkdir()
    other = make_sandbox(ws=other_ws)
    assert other.run(f"cat {name}").exit_code != 0
    assert not Path(name).exists()  # not the host's /tmp either


# -- timeouts, output cap, process trees -------------------------------------------


def test_timeout_kills_the_whole_process_tree(sandbox: Sandbox) -> None:
    tag = unique_sleep()
    started = time.monotonic()
    result = sandbox.run(f"echo before; sleep {tag} & sleep {tag}; echo never", timeout=1)
    assert time.monotonic() - started < 10
    assert result.timed_out
    assert result.exit_code is None
    assert b"before" in result.stdout and b"never" not in result.stdout
    assert wait_until_gone(sandbox, tag) == []


def test_foreground_stragglers_die_with_the_command(sandbox: Sandbox) -> None:
    tag = unique_sleep()
    result = sandbox.run(f"sleep {tag} & echo started")
    assert result.stdout == b"started\n"
    assert result.exit_code == 0
    assert result.duration_s < 5
    assert wait_until_gone(sandbox, tag) == []


def test_output_is_capped_and_flagged(make_sandbox) -> None:
    box = make_sandbox(Limits(max_output_bytes=1000))
    result = box.run("head -c 5000 /dev/zero | tr '\\0' a; head -c 3000 /dev/zero | tr '\\0' b >&2", merge_stderr=False)
    assert result.stdout == b"a" * 1000
    assert result.stderr == b"b" * 1000
    assert result.truncated
    assert result.exit_code == 0
    small = box.run("echo fits")
    assert not small.truncated


# -- isolation ------------------------------------------------------------------


@pytest.fixture
def tcp_server() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_no_network(backend: str, sandbox: Sandbox, tcp_server: int) -> None:
    if backend == "local":
        pytest.skip("the local backend has the host's network: no isolation by design")
    code = f"import socket; socket.create_connection(('127.0.0.1', {tcp_server}), timeout=3); print('connected')"
    result = sandbox.run(f'python3 -c "{code}"')
    assert result.exit_code != 0
    assert b"connected" not in result.stdout


def test_host_home_directories_are_invisible(backend: str, sandbox: Sandbox) -> None:
    if backend == "local":
        pytest.skip("the local backend sees the whole host: no isolation by design")
    content = secrets.token_hex(8)
    marker = Path("/root") / f".clawgym-marker-{secrets.token_hex(4)}"
    marker.write_text(content)
    try:
        result = sandbox.run(f"ls -A /root /home 2>/dev/null; cat {marker} 2>/dev/null")
        assert content.encode() not in result.stdout
        assert marker.name.encode() not in result.stdout
        assert sandbox.run(f"test -e {marker}").exit_code == 1
    finally:
        marker.unlink()


# -- background processes -------------------------------------------------------


def read_until(process, expected: bytes, within_s: float = 10.0) -> bytes:
    data = b""
    deadline = time.monotonic() + within_s
    while expected not in data and time.monotonic() < deadline:
        data += process.read()
        time.sleep(0.02)
    return data


def test_background_process_read_write_wait(sandbox: Sandbox) -> None:
    process = sandbox.start("echo ready; cat; echo done >&2")
    assert read_until(process, b"ready\n") == b"ready\n"
    assert process.poll() is None
    process.write(b"ping\n")
    assert read_until(process, b"ping\n") == b"ping\n"
    process.close_stdin()
    assert process.wait(10) == 0
    assert read_until(process, b"done\n") == b"done\n"
    assert process.output() == b"ready\nping\ndone\n"


def test_background_process_kill(sandbox: Sandbox) -> None:
    tag = unique_sleep()
    process = sandbox.start(f"sleep {tag} & sleep {tag}")
    time.sleep(0.3)
    assert process.poll() is None
    process.kill()
    process.kill()  # idempotent
    assert process.wait(5) is not None
    assert wait_until_gone(sandbox, tag) == []


def test_background_server_is_reachable_from_later_commands(sandbox: Sandbox) -> None:
    # One sandbox is one machine: a server started in the background answers on loopback.
    server = sandbox.start(
        'python3 -c \'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); '
        'print(s.getsockname()[1], flush=True); c, _ = s.accept(); c.sendall(b"pong"); c.close()\''
    )
    port = read_until(server, b"\n").strip().decode()
    assert port.isdigit(), port
    client = sandbox.run(
        f"python3 -c 'import socket; print(socket.create_connection((\"127.0.0.1\", {port}), timeout=5).recv(4))'"
    )
    assert client.stdout == b"b'pong'\n", client.stdout
    assert server.wait(10) == 0


def test_commands_cannot_kill_the_sandbox_init(backend: str, sandbox: Sandbox) -> None:
    if backend == "local":
        pytest.skip("the local backend shares the host's PID 1: no isolation by design")
    sandbox.run("kill -9 1; kill -TERM 1; kill -INT 1")
    assert sandbox.run("echo alive").stdout == b"alive\n"


def test_a_sandbox_outlives_the_thread_that_made_it(backend: str, workspace: Path) -> None:
    made: list[Sandbox] = []
    worker = threading.Thread(target=lambda: made.append(create_sandbox(backend, workspace)))
    worker.start()
    worker.join()
    box = made[0]
    try:
        time.sleep(0.2)
        assert box.run("echo still here").stdout == b"still here\n"
    finally:
        box.close()


# -- lifecycle -------------------------------------------------------------------


def test_close_is_idempotent_and_blocks_use(make_sandbox) -> None:
    box = make_sandbox()
    box.close()
    box.close()
    assert box.closed
    with pytest.raises(SandboxClosedError):
        box.run("true")
    with pytest.raises(SandboxClosedError):
        box.start("true")


def test_close_leaves_nothing_behind(backend: str, make_sandbox, docker_leftovers) -> None:
    box = make_sandbox()
    tag = unique_sleep()
    box.start(f"sleep {tag}")
    box.run("echo x > /tmp/x")
    time.sleep(0.2)
    private_tmp = getattr(box, "tmp_dir", None)
    container_id = getattr(box, "container_id", None)
    box.close()
    assert host_processes_with(tag) == []
    if private_tmp is not None:
        assert not Path(private_tmp).exists()
    if container_id is not None:
        assert container_id not in docker_leftovers()
    assert box.workspace.is_dir()  # the workspace belongs to the caller


@pytest.fixture
def docker_leftovers(request: pytest.FixtureRequest, backend: str):
    """A function listing the ids of labelled containers (empty for non-docker backends)."""
    if backend != "docker":
        return lambda: []
    client = request.getfixturevalue("docker_engine")
    from clawgym_env.sandbox.docker import LABEL

    return lambda: [c.id for c in client.containers.list(all=True, filters={"label": f"{LABEL}=1"})]


# -- limits ----------------------------------------------------------------------


def test_memory_limit(make_sandbox) -> None:
    box = make_sandbox(Limits(memory_bytes=512 * 1024**2))
    result = box.run("python3 -c 'b = bytearray(8 << 30); print(\"allocated\")'")
    assert result.exit_code != 0
    assert b"allocated" not in result.stdout
    assert box.run("python3 -c 'b = bytearray(64 << 20); print(\"small ok\")'").stdout == b"small ok\n"


def test_process_count_limit(make_sandbox) -> None:
    box = make_sandbox(Limits(max_processes=20))
    script = (
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    while n < 100:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "            os._exit(0)\n"
        "        n += 1\n"
        "except OSError:\n"
        "    pass\n"
        "print(n)\n"
    )
    result = box.run(f"python3 -c '{script}'", timeout=30)
    assert result.exit_code == 0, result.stdout
    assert int(result.stdout) < 100


def test_file_size_limit(make_sandbox, workspace: Path) -> None:
    box = make_sandbox(Limits(max_file_bytes=1024 * 1024))
    result = box.run("head -c 3000000 /dev/zero > big.bin")
    assert result.exit_code != 0
    assert (workspace / "big.bin").stat().st_size <= 1024 * 1024
