"""``pids`` cgroups: the process-count limit that also binds root.

``RLIMIT_NPROC`` counts every process of a *user* and is ignored for root, so
when this library runs as root a sandbox (``bwrap``) or a command (``local``)
gets its own cgroup whose ``pids.max`` caps its processes. The cgroup also
lets the kill path find every process, even one that left its process group.

Moving a process into a cgroup waits for an RCU grace period when no other
move happened recently (milliseconds to tens of milliseconds): the ``bwrap``
backend therefore makes one cgroup per sandbox, joined once by ``bwrap``
itself, rather than one per command.

Supported layouts: cgroup v2 mounted at ``/sys/fs/cgroup`` (``cgroup2``) with
the ``pids`` controller available, and cgroup v1's ``pids`` hierarchy at
``/sys/fs/cgroup/pids`` (hybrid hosts). :func:`cgroup_root` returns ``None``
when neither is usable (not root, read-only ``/sys/fs/cgroup``, no ``pids``
controller); callers then fall back to ``RLIMIT_NPROC``.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import signal
import time
from pathlib import Path

__all__ = ["PidsCgroup", "cgroup_root"]

logger = logging.getLogger(__name__)

CGROUP_FS = Path("/sys/fs/cgroup")
GROUP_NAME = "clawgym-env"

_counter = itertools.count()


def _is_cgroup2(path: Path) -> bool:
    try:
        with open("/proc/self/mounts", encoding="utf-8") as mounts:
            return any(line.split()[1] == str(path) and line.split()[2] == "cgroup2" for line in mounts if line.strip())
    except OSError:
        return False


@functools.lru_cache(maxsize=1)
def cgroup_root() -> Path | None:
    """The directory under which per-command cgroups are made, or ``None`` if cgroups cannot be used.

    Probed once per process: it creates ``clawgym-env/`` and a throwaway child
    to prove that ``pids.max`` can be set.
    """
    if os.geteuid() != 0:
        return None
    try:
        if _is_cgroup2(CGROUP_FS):
            base = CGROUP_FS / GROUP_NAME
            if "pids" not in (CGROUP_FS / "cgroup.controllers").read_text().split():
                return None
            _enable_pids(CGROUP_FS)
            base.mkdir(exist_ok=True)
            _enable_pids(base)
        elif (CGROUP_FS / "pids" / "cgroup.procs").exists():
            base = CGROUP_FS / "pids" / GROUP_NAME
            base.mkdir(exist_ok=True)
        else:
            return None
        probe = base / f"probe-{os.getpid()}"
        probe.mkdir(exist_ok=True)
        (probe / "pids.max").write_text("8")
        probe.rmdir()
    except OSError as exc:
        logger.debug("pids cgroups unusable: %s", exc)
        return None
    return base


def _enable_pids(directory: Path) -> None:
    control = directory / "cgroup.subtree_control"
    if "pids" not in control.read_text().split():
        control.write_text("+pids")


class PidsCgroup:
    """One ``pids`` cgroup: created by the constructor, removed by :meth:`remove`.

    Its first process joins it before it runs anything of its own: the host
    child writes ``0`` to :attr:`procs_path` before ``exec`` (see
    :func:`clawgym_env.sandbox._process.popen_limited`). Every process it
    forks is counted.
    """

    def __init__(self, root: Path, max_pids: int, *, kind: str = "cmd") -> None:
        self.path = root / f"{kind}-{os.getpid()}-{next(_counter)}"
        self.path.mkdir()
        try:
            (self.path / "pids.max").write_text(str(max_pids))
        except OSError:
            self.path.rmdir()
            raise
        self.procs_path = str(self.path / "cgroup.procs")

    def pids(self) -> list[int]:
        """The processes in the cgroup now (empty once removed)."""
        try:
            text = Path(self.procs_path).read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill(self) -> None:
        """SIGKILL every process in the cgroup, repeating until none is left (at most ~1 s)."""
        kill_file = self.path / "cgroup.kill"  # cgroup v2 on Linux 5.14+: one atomic kill
        with contextlib.suppress(OSError):
            kill_file.write_text("1")
        deadline = time.monotonic() + 1.0
        while True:
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                logger.warning("processes %s in %s survived SIGKILL for 1 s", pids, self.path)
                return
            time.sleep(0.0005)

    def remove(self) -> None:
        """Kill what is left and delete the cgroup; never raises."""
        try:
            self.kill()
            deadline = time.monotonic() + 1.0
            while True:
                try:
                    self.path.rmdir()
                    return
                except FileNotFoundError:
                    return
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.0005)
        except Exception:
            logger.warning("could not remove cgroup %s", self.path, exc_info=True)
