"""Build the Docker sandbox image without any container registry.

The image is a minimal Debian bookworm root filesystem made by
``debootstrap --variant=minbase`` from the apt mirror this machine already
uses, with Python 3 (plus ``yaml`` and ``pytest``), ``procps`` and CA
certificates, imported into the local engine with ``docker import``. It
matches what the ``bwrap`` backend sees on a Debian 12 host (``/usr/bin/python3``
3.11 with the apt ``python3-yaml`` and ``python3-pytest``), so both backends run
tasks in the same userland.

Needs root, ``debootstrap`` (``apt-get install debootstrap``), network access to
the Debian mirror and a running Docker engine. Takes a few minutes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clawgym_env.errors import BackendUnavailableError, SandboxError

if TYPE_CHECKING:
    import docker

__all__ = ["DEFAULT_IMAGE", "DEFAULT_MIRROR", "IMAGE_PACKAGES", "apt_mirror", "build_image", "image_exists"]

logger = logging.getLogger(__name__)

DEFAULT_IMAGE = "clawgym-sandbox:bookworm"
"""The tag the docker backend runs by default."""

DEFAULT_MIRROR = "http://deb.debian.org/debian"
"""Used when no bookworm mirror is found in this machine's apt sources."""

SUITE = "bookworm"

IMAGE_PACKAGES: tuple[str, ...] = (
    "python3",
    "python3-yaml",
    "python3-pytest",
    "python-is-python3",
    "procps",
    "ca-certificates",
)
"""Packages added to debootstrap's ``minbase`` set."""

IMAGE_CHANGES: tuple[str, ...] = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    "ENV LC_ALL=C.UTF-8",
    "WORKDIR /root",
    'CMD ["sleep", "infinity"]',
)
"""Dockerfile instructions applied by ``docker import`` (an imported tarball has no config)."""

Progress = Callable[[str], None]


def apt_mirror(apt_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror this machine's apt sources use for ``bookworm``, or :data:`DEFAULT_MIRROR`.

    Reads one-line ``sources.list`` files and deb822 ``*.sources`` files; a
    ``-security`` or ``-updates`` suite does not count, nor do non-Debian repositories.
    """
    candidates: list[Path] = [apt_dir / "sources.list"]
    parts = apt_dir / "sources.list.d"
    if parts.is_dir():
        candidates += sorted(p for p in parts.iterdir() if p.suffix in (".list", ".sources"))
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        mirror = _deb822_mirror(text) if path.suffix == ".sources" else _one_line_mirror(text)
        if mirror:
            return mirror
    return DEFAULT_MIRROR


def _one_line_mirror(text: str) -> str | None:
    for line in text.splitlines():
        # deb [options] URI SUITE COMPONENTS...
        match = re.match(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
        if match and match.group(2) == SUITE and "debian" in match.group(1):
            return match.group(1).rstrip("/")
    return None


def _deb822_mirror(text: str) -> str | None:
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if SUITE not in fields.get("suites", "").split():
            continue
        for uri in fields.get("uris", "").split():
            if "debian" in uri:
                return uri.rstrip("/")
    return None


def _client(client: docker.DockerClient | None) -> docker.DockerClient:
    if client is not None:
        return client
    from clawgym_env.sandbox.docker import connect

    return connect()


def image_exists(tag: str = DEFAULT_IMAGE, *, client: docker.DockerClient | None = None) -> bool:
    """Whether the engine has an image called ``tag``."""
    import docker.errors

    try:
        _client(client).images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def build_image(
    tag: str = DEFAULT_IMAGE,
    *,
    client: docker.DockerClient | None = None,
    progress: Progress | None = None,
    mirror: str | None = None,
) -> str:
    """Build the sandbox image with debootstrap and import it as ``tag``; return the image id.

    Raises :class:`BackendUnavailableError` when not root or ``debootstrap`` is
    missing, and :class:`SandboxError` when debootstrap or the import fails. The
    temporary root filesystem is always deleted.
    """
    say: Progress = progress or (lambda message: logger.info("%s", message))
    if os.geteuid() != 0:
        raise BackendUnavailableError("building the sandbox image needs root (debootstrap creates device files)")
    debootstrap = shutil.which("debootstrap") or (
        "/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None
    )
    if debootstrap is None:
        raise BackendUnavailableError("debootstrap is not installed: run `apt-get install debootstrap`")
    docker_client = _client(client)
    source = mirror or apt_mirror()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="clawgym-image-"))
    try:
        rootfs = workdir / "rootfs"
        command = [
            debootstrap,
            "--variant=minbase",
            "--include=" + ",".join(IMAGE_PACKAGES),
            SUITE,
            str(rootfs),
            source,
        ]
        say(f"debootstrap {SUITE} from {source} (a few minutes)")
        _check_call(command, "debootstrap")
        _trim(rootfs)
        tarball = workdir / "rootfs.tar"
        say("packing the root filesystem")
        _check_call(["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-cf", str(tarball), "."], "tar")
        say(f"importing {tag} into the Docker engine")
        image_id = _import(docker_client, tarball, tag)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    say(f"built {tag} ({image_id}) in {time.monotonic() - started:.0f} s")
    return image_id


def _check_call(command: list[str], what: str) -> None:
    completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if completed.returncode != 0:
        tail = completed.stdout.decode(errors="replace")[-3000:]
        raise SandboxError(f"{what} failed with exit status {completed.returncode}:\n{tail}")


def _trim(rootfs: Path) -> None:
    """Drop apt's package lists and caches: they are large and useless without network."""
    for sub in ("var/cache/apt/archives", "var/lib/apt/lists"):
        directory = rootfs / sub
        if not directory.is_dir():
            continue
        for entry in directory.iterdir():
            if entry.is_file():
                entry.unlink()


def _import(client: docker.DockerClient, tarball: Path, tag: str) -> str:
    repository, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
    reply: Any = client.api.import_image_from_file(
        str(tarball), repository=repository, tag=version, changes=list(IMAGE_CHANGES)
    )
    logger.debug("docker import replied %r", reply)
    try:
        return str(client.images.get(tag).id)
    except Exception as exc:
        raise SandboxError(f"docker import did not create {tag}: {reply!r}") from exc
