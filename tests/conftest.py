"""Shared fixtures: real sandbox backends (no mocks) over temporary workspaces.

* ``docker_engine`` (session): a client for the local engine; starts ``dockerd``
  when none answers and we are root, stops it at the end only if it started it,
  otherwise skips with the reason.
* ``docker_image`` (session): makes sure the sandbox image exists, building it
  with :func:`clawgym_env.sandbox.image.build_image` (minutes, the first time).
* ``backend``: parametrized over every backend; skips one that cannot run here.
* ``sandbox``: a sandbox of ``backend`` over ``workspace``, closed afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import clawgym_env
from clawgym_env.sandbox import Sandbox, create_sandbox

logger = logging.getLogger(__name__)

FIXTURES = Path(__file__).parent / "fixtures" / "released"
"""Hand-written tasks in the released ClawGym directory format, with reference solutions."""

FIXTURE_IDS = clawgym_env.register_tasks(FIXTURES, namespace="Fixture")
"""Their gymnasium ids, ``Fixture/task-0040`` ... (registered for every test module)."""

DOCKERD_START_TIMEOUT_S = 60.0


def _ping(client_factory: Any) -> Any | None:
    try:
        client = client_factory()
        client.ping()
    except Exception:  # noqa: BLE001 - any failure means "no engine yet"
        return None
    return client


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[Any]:
    """A ``docker.DockerClient`` for a running engine, started here if needed and possible."""
    docker = pytest.importorskip("docker")

    def factory() -> Any:
        return docker.from_env(timeout=600)

    client = _ping(factory)
    process: subprocess.Popen[bytes] | None = None
    log_path: str | None = None
    if client is None:
        dockerd = shutil.which("dockerd") or shutil.which("dockerd", path="/usr/sbin:/usr/bin")
        if os.geteuid() != 0 or dockerd is None:
            pytest.skip("no Docker engine answers and dockerd cannot be started here (needs root and docker.io)")
        fd, log_path = tempfile.mkstemp(prefix="clawgym-dockerd-", suffix=".log")
        with os.fdopen(fd, "wb") as log:
            process = subprocess.Popen([dockerd], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + DOCKERD_START_TIMEOUT_S
        while client is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
            client = _ping(factory)
        if client is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            tail = Path(log_path).read_text(errors="replace")[-2000:]
            pytest.skip(f"dockerd did not answer within {DOCKERD_START_TIMEOUT_S:.0f} s; log tail:\n{tail}")
    try:
        yield client
    finally:
        client.close()
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(log_path)


@pytest.fixture(scope="session")
def docker_image(docker_engine: Any) -> str:
    """The default sandbox image tag, built first if the engine does not have it."""
    from clawgym_env.sandbox.image import DEFAULT_IMAGE, build_image, image_exists

    if not image_exists(DEFAULT_IMAGE, client=docker_engine):
        if os.geteuid() != 0 or shutil.which("debootstrap", path=os.environ.get("PATH", "") + ":/usr/sbin") is None:
            pytest.skip("the sandbox image is missing and cannot be built here (needs root and debootstrap)")
        build_image(DEFAULT_IMAGE, client=docker_engine)
    return DEFAULT_IMAGE


@pytest.fixture(
    params=[
        "local",
        pytest.param("bwrap", marks=pytest.mark.bwrap),
        pytest.param("docker", marks=pytest.mark.docker),
    ]
)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend name in turn; skipped where it cannot run (docker: see ``docker_image``)."""
    name: str = request.param
    if name == "docker":
        request.getfixturevalue("docker_image")
        return name
    reason = available_backends_cached().get(name)
    if reason is not None:
        pytest.skip(f"{name} backend unavailable: {reason}")
    return name


_backend_reasons: dict[str, str | None] = {}


def available_backends_cached() -> dict[str, str | None]:
    """:func:`available_backends` for the non-docker backends, computed once per session."""
    if not _backend_reasons:
        from clawgym_env.sandbox.bwrap import bwrap_unavailable_reason

        _backend_reasons.update({"bwrap": bwrap_unavailable_reason(), "local": None})
    return _backend_reasons


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty host directory used as the sandbox workspace."""
    path = tmp_path / "workspace"
    path.mkdir()
    return path


@pytest.fixture
def sandbox(backend: str, workspace: Path) -> Iterator[Sandbox]:
    """A sandbox of ``backend`` over ``workspace``; closed after the test."""
    box = create_sandbox(backend, workspace)
    try:
        yield box
    finally:
        box.close()
