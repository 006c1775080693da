"""One ClawGym env driven from an asyncio event loop, and the per-worker limits on them.

verl runs every trajectory of an ``AgentLoopWorker`` as a coroutine on one
event loop. ClawGym envs block (sandboxes, subprocesses, the verifier), so an
:class:`EnvSession` runs every env call in a worker thread and never on the
loop. Per process there is one thread pool (:func:`env_executor`) and, per
event loop, one semaphore capping how many sandboxes are alive at once
(:func:`live_env_slots`)::

    AgentLoopWorker (Ray actor, one process, one event loop)
    ├── coroutine: trajectory 0 ──┐  async with live_env_slots(N):  # at most N sandboxes
    ├── coroutine: trajectory 1 ──┤      EnvSession: make, reset, step, ..., close
    └── ...                       └─────── each call runs in env_executor(threads)

Calls on one session run one at a time (a lock), so :meth:`EnvSession.close`
waits for a step still running in its thread instead of racing it, and it
runs even when the coroutine is cancelled: nothing outlives the trajectory.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.rl.episode import make_env

__all__ = ["EnvSession", "env_executor", "live_env_slots"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def env_executor(threads: int) -> ThreadPoolExecutor:
    """This process's thread pool for env calls, created with ``threads`` workers on first use.

    Later calls return the same pool whatever ``threads`` they pass (the first
    agent loop of a worker sizes it; every loop of a worker is built from the
    same YAML entry).
    """
    global _executor, _executor_pid
    if threads < 1:
        raise ValueError(f"env_threads must be >= 1, got {threads}")
    with _lock:
        if _executor is None or _executor_pid != os.getpid():  # a forked child gets its own pool
            _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="clawgym-env")
            _executor_pid = os.getpid()
        return _executor


def live_env_slots(limit: int) -> asyncio.Semaphore:
    """The semaphore capping live envs on the running event loop (created with ``limit`` on first use)."""
    if limit < 1:
        raise ValueError(f"max_live_envs must be >= 1, got {limit}")
    loop = asyncio.get_running_loop()
    with _lock:
        slots = _slots.get(loop)
        if slots is None:
            slots = _slots[loop] = asyncio.Semaphore(limit)
        return slots


class EnvSession:
    """One env of a registered id, every call of which runs in ``executor``, one at a time.

    :meth:`start` makes and resets the env; :meth:`step` and :meth:`truncate`
    play it; :meth:`close` destroys it (idempotent, safe under cancellation).
    Exceptions of the env propagate unchanged to the awaiting coroutine.
    """

    def __init__(self, env_id: str, env_kwargs: Mapping[str, Any], executor: ThreadPoolExecutor) -> None:
        self.env_id = env_id
        self.env_kwargs = dict(env_kwargs)
        self._executor = executor
        self._lock = threading.Lock()
        self._made: ClawEnv | None = None
        self._closed = False

    @property
    def env(self) -> ClawEnv:
        """The unwrapped :class:`ClawEnv` (after :meth:`start`)."""
        if self._made is None:
            raise RuntimeError("EnvSession.start() has not made the env yet")
        return self._made

    async def start(self, seed: int | None) -> tuple[str, dict[str, Any]]:
        """``gym.make`` the id and ``reset(seed=seed)``; returns reset's ``(instruction, info)``."""
        return await self._call(lambda: self._start(seed))

    async def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """``env.step(action)``."""
        return await self._call(lambda: self.env.step(action))

    async def truncate(self) -> tuple[float, dict[str, Any]]:
        """``env.truncate()``: end the episode now and run the verifier."""
        return await self._call(lambda: self.env.truncate())

    async def close(self) -> None:
        """Destroy the env (sandbox, workspace). Idempotent; finishes even if the caller is cancelled."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        # Shielded: if the caller is cancelled while waiting, the close still finishes in its thread.
        await asyncio.shield(loop.run_in_executor(self._executor, self._close))

    # -- internals ---------------------------------------------------------------

    async def _call(self, fn: Callable[[], T]) -> T:
        if self._closed:
            raise RuntimeError(f"the env session of {self.env_id} is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._locked, fn)

    def _locked(self, fn: Callable[[], T]) -> T:
        with self._lock:
            return fn()

    def _start(self, seed: int | None) -> tuple[str, dict[str, Any]]:
        self._made = make_env(self.env_id, self.env_kwargs)
        return self._made.reset(seed=seed)

    def _close(self) -> None:
        with self._lock:
            made, self._made = self._made, None
            if made is not None:
                made.close()
