"""Backend-independent parts of the sandbox package: factory, errors, registry, image helpers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import clawgym_env.sandbox as sandbox_pkg
from clawgym_env.errors import SandboxStartError
from clawgym_env.sandbox import BACKENDS, available_backends, create_sandbox, live_sandboxes
from clawgym_env.sandbox.image import apt_mirror


def test_every_public_name_imports() -> None:
    for name in sandbox_pkg.__all__:
        assert hasattr(sandbox_pkg, name), name


def test_importing_the_package_does_not_import_the_docker_sdk() -> None:
    code = "import sys, clawgym_env.sandbox; print('docker' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_unknown_backend_lists_valid_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="valid backends: bwrap, docker, local"):
        create_sandbox("firecracker", tmp_path)


def test_available_backends_names_every_backend() -> None:
    reasons = available_backends()
    assert set(reasons) == set(BACKENDS)
    assert reasons["local"] is None
    for reason in reasons.values():
        assert reason is None or (isinstance(reason, str) and reason)


def test_registry_tracks_open_sandboxes(tmp_path: Path) -> None:
    box = create_sandbox("local", tmp_path)
    assert box in live_sandboxes()
    box.close()
    assert box not in live_sandboxes()


def test_local_backend_translates_paths_both_ways(tmp_path: Path) -> None:
    with create_sandbox("local", tmp_path) as box:
        result = box.run("echo $W; ls -d /root/.openclaw/workspace; pwd", env={"W": "/root/.openclaw/workspace/x"})
        assert result.stdout == b"/root/.openclaw/workspace/x\n/root/.openclaw/workspace\n/root/.openclaw/workspace\n"
        assert box.run("cat /root/.openclaw/workspace/f 2>/dev/null || echo absent").stdout == b"absent\n"


@pytest.mark.bwrap
def test_bwrap_rejects_a_mount_path_in_a_read_only_directory(tmp_path: Path) -> None:
    reason = available_backends()["bwrap"]
    if reason is not None:
        pytest.skip(reason)
    with pytest.raises(SandboxStartError, match="read-only"):
        create_sandbox("bwrap", tmp_path, mount_path="/usr/workspace")


def test_mount_path_must_be_absolute(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="absolute"):
        create_sandbox("local", tmp_path, mount_path="relative/ws")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("sources.list", "deb http://mirror.example/debian bookworm main\n", "http://mirror.example/debian"),
        (
            "sources.list.d/debian.sources",
            "Types: deb\nURIs: http://m.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n",
            "http://m.example/debian",
        ),
        ("sources.list", "deb http://security.debian.org/debian-security bookworm-security main\n", None),
    ],
)
def test_apt_mirror_reads_this_machines_sources(tmp_path: Path, name: str, text: str, expected: str | None) -> None:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    assert apt_mirror(tmp_path) == (expected or "http://deb.debian.org/debian")
