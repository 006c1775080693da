"""Nothing outlives close(): 1,000 reset/close cycles per backend leave no trace.

Each cycle makes an env, resets it, starts a background process that would
run for minutes, runs a foreground command, and closes the env. Before and
after, the test counts this process's descendants, the library's temp
directories, its cgroups and its labelled containers.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from clawgym_env import ClawEnv, Task, Verifier
from clawgym_env.sandbox import live_sandboxes
from clawgym_env.sandbox._cgroup import cgroup_root

CYCLES = 1000
TASK = Task(
    id="leak-check",
    instruction="Touch nothing.",
    verifier=Verifier(files={"reward.sh": "echo 0.0\n"}),
    files={f"notes/{i}.txt": f"note {i}\n" for i in range(10)},
)


def _descendants() -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found: set[int] = set()
    stack = [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _temp_dirs() -> set[str]:
    return set(os.listdir(tempfile.gettempdir()))


def _cgroups() -> set[str]:
    root = cgroup_root()
    if root is None or not root.is_dir():
        return set()
    return {str(p) for p in Path(root).rglob("*") if p.is_dir() and "clawgym" in p.name}


def _containers(client: Any | None) -> set[str]:
    if client is None:
        return set()
    from clawgym_env.sandbox.docker import LABEL

    return {c.id for c in client.containers.list(all=True, filters={"label": f"{LABEL}=1"})}


def _snapshot(client: Any | None) -> dict[str, set[Any]]:
    return {
        "processes": _descendants(),
        "temp_dirs": _temp_dirs(),
        "cgroups": _cgroups(),
        "containers": _containers(client),
    }


def _cycle(backend: str) -> None:
    env = ClawEnv(TASK, sandbox=backend)
    try:
        env.reset()
        env.step({"name": "exec", "arguments": {"command": "sleep 600", "background": True}})
        observation, *_ = env.step({"name": "exec", "arguments": {"command": "ls notes | wc -l"}})
        if observation.strip() != "10":
            raise AssertionError(f"unexpected output {observation!r}")
    finally:
        env.close()


@pytest.mark.slow
def test_thousand_reset_close_cycles_leak_nothing(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every temp dir the library makes goes to a private directory, so others' files do not count.
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    client = request.getfixturevalue("docker_engine") if backend == "docker" else None
    before = _snapshot(client)
    # Docker cycles are dominated by the engine's container start; a few run at once.
    workers = 4 if backend == "docker" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda _: _cycle(backend), range(CYCLES)))
    after = _snapshot(client)
    leaked = {kind: sorted(after[kind] - before[kind]) for kind in after if after[kind] - before[kind]}
    assert leaked == {}, f"left behind after {CYCLES} cycles on {backend}: {leaked}"
    assert [s for s in live_sandboxes() if not s.closed] == []
