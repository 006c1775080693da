"""Sandboxes: one interface, three backends (bwrap, docker, local).

>>> from clawgym_env.sandbox import create_sandbox
>>> with create_sandbox("bwrap", workspace) as sandbox:    # doctest: +SKIP
...     sandbox.run("ls").stdout

* ``bwrap`` (default): bubblewrap namespaces per command, no daemon, read-only
  host userland; needs ``apt-get install bubblewrap`` and namespaces.
* ``docker``: one container per sandbox from the ``clawgym-sandbox:bookworm``
  image (``clawgym sandbox build-image``); needs a Docker engine.
* ``local``: no isolation, for development machines only.

:func:`available_backends` tells which work here and, for the others, what to
install. Backend modules are imported only when used (the Docker SDK is never
imported by ``import clawgym_env``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clawgym_env.sandbox._registry import live_sandboxes
from clawgym_env.sandbox.base import (
    BASE_ENV,
    DEFAULT_MOUNT_PATH,
    BackgroundProcess,
    CommandResult,
    Limits,
    Sandbox,
)

__all__ = [
    "BACKENDS",
    "BASE_ENV",
    "DEFAULT_BACKEND",
    "DEFAULT_MOUNT_PATH",
    "BackgroundProcess",
    "CommandResult",
    "Limits",
    "Sandbox",
    "available_backends",
    "create_sandbox",
    "live_sandboxes",
]

BACKENDS: tuple[str, ...] = ("bwrap", "docker", "local")
"""The backend names :func:`create_sandbox` accepts."""

DEFAULT_BACKEND = "bwrap"


def create_sandbox(
    backend: str,
    workspace: Path,
    *,
    mount_path: str = DEFAULT_MOUNT_PATH,
    limits: Limits | None = None,
    **options: Any,
) -> Sandbox:
    """Create a sandbox of ``backend`` over the host directory ``workspace``.

    ``options`` are backend-specific: ``rootfs``/``bwrap`` for bwrap;
    ``image``, ``network``, ``base_url``, ``client`` for docker (see each
    backend's class). Raises ``ValueError`` for an unknown backend,
    :class:`~clawgym_env.errors.BackendUnavailableError` when the backend cannot
    run here (the message says what to install or start) and
    :class:`~clawgym_env.errors.SandboxStartError` when creation fails.
    """
    if backend == "bwrap":
        from clawgym_env.sandbox.bwrap import BwrapSandbox

        return BwrapSandbox(workspace, mount_path=mount_path, limits=limits, **options)
    if backend == "docker":
        from clawgym_env.sandbox.docker import DockerSandbox

        return DockerSandbox(workspace, mount_path=mount_path, limits=limits, **options)
    if backend == "local":
        from clawgym_env.sandbox.local import LocalSandbox

        if options:
            raise TypeError(f"the local backend takes no options, got {sorted(options)}")
        return LocalSandbox(workspace, mount_path=mount_path, limits=limits)
    raise ValueError(f"unknown sandbox backend {backend!r}; valid backends: {', '.join(BACKENDS)}")


def available_backends() -> dict[str, str | None]:
    """Each backend name mapped to ``None`` if it can run here, else the reason and what to install.

    Probes are cached per process; the docker probe pings the default engine
    and checks that the default image exists.
    """
    from clawgym_env.sandbox.bwrap import bwrap_unavailable_reason
    from clawgym_env.sandbox.docker import docker_unavailable_reason

    return {"bwrap": bwrap_unavailable_reason(), "docker": docker_unavailable_reason(), "local": None}
