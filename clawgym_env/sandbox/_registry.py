"""The registry of live sandboxes and the ``atexit`` backstop that closes them.

Every backend registers itself on creation (:func:`register`); the registry
holds weak references only, so it never keeps a sandbox alive. When the
interpreter exits, :func:`close_all` closes whatever is still open, so a
crashed training script does not leak containers, processes or temp dirs.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clawgym_env.sandbox.base import Sandbox

__all__ = ["close_all", "live_sandboxes", "register"]

logger = logging.getLogger(__name__)

_live: weakref.WeakSet[Sandbox] = weakref.WeakSet()
_lock = threading.Lock()


def register(sandbox: Sandbox) -> None:
    """Track ``sandbox`` until it is closed or garbage-collected."""
    with _lock:
        _live.add(sandbox)


def live_sandboxes() -> list[Sandbox]:
    """The registered sandboxes that are still open."""
    with _lock:
        sandboxes = list(_live)
    return [s for s in sandboxes if not s.closed]


def close_all() -> None:
    """Close every live sandbox; failures are logged, never raised."""
    for sandbox in live_sandboxes():
        try:
            sandbox.close()
        except Exception:
            logger.warning("could not close %r at exit", sandbox, exc_info=True)


atexit.register(close_all)
