"""Registering tasks as Gymnasium ids (``"{namespace}/{task_id}"``).

Each id's :class:`gymnasium.envs.registration.EnvSpec` carries only JSON
data: the entry point ``clawgym_env.envs.claw_env:ClawEnv`` and the kwargs
``task_source`` (a path, or ``builtin:NAME`` for suites shipped in the
package) and ``task_id``. Any process, a Ray worker included, can therefore
``gym.make`` the id: the task is loaded from its source on first use and
cached per process.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import gymnasium as gym

from clawgym_env.envs.task import Task
from clawgym_env.errors import RegistrationError

__all__ = ["BUILTIN_SOURCES", "ENTRY_POINT", "get_task", "register_builtin_tasks", "register_tasks"]

logger = logging.getLogger(__name__)

ENTRY_POINT = "clawgym_env.envs.claw_env:ClawEnv"

_FIXTURES_DIR = Path(__file__).with_name("fixtures")

BUILTIN_SOURCES: dict[str, tuple[str, Path]] = {
    "builtin:fixtures": ("ClawGym", _FIXTURES_DIR),
}
"""Task sources shipped in the package: source key -> (namespace, directory)."""

_cache: dict[str, dict[str, Task]] = {}
_cache_lock = threading.Lock()


def _source_key(source: str | os.PathLike[str]) -> str:
    text = os.fspath(source)
    return text if text in BUILTIN_SOURCES else str(Path(text).resolve())


def _load_source(key: str, *, strict: bool = True) -> dict[str, Task]:
    from clawgym_env.envs.loaders import load_tasks

    path = BUILTIN_SOURCES[key][1] if key in BUILTIN_SOURCES else Path(key)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = {task.id: task for task in load_tasks(path, strict=strict)}
        return _cache[key]


def get_task(task_source: str, task_id: str) -> Task:
    """The task ``task_id`` of ``task_source`` (loaded once per process)."""
    tasks = _load_source(_source_key(task_source))
    try:
        return tasks[task_id]
    except KeyError:
        raise RegistrationError(f"task {task_id!r} is not in {task_source}; it has {len(tasks)} tasks") from None


def _register(env_id: str, source_key: str, task_id: str, env_kwargs: dict[str, Any]) -> None:
    kwargs = {"task_source": source_key, "task_id": task_id, **env_kwargs}
    existing = gym.registry.get(env_id)
    if existing is not None:
        if existing.entry_point == ENTRY_POINT and existing.kwargs.get("task_source") == source_key:
            existing.kwargs.update(kwargs)  # same task re-registered: refresh options, keep the id
            return
        raise RegistrationError(
            f"{env_id!r} is already registered from {existing.kwargs.get('task_source', existing.entry_point)}; "
            "register this dataset under another namespace"
        )
    gym.register(id=env_id, entry_point=ENTRY_POINT, kwargs=kwargs, disable_env_checker=True)


def register_tasks(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    namespace: str = "ClawGym",
    *,
    strict: bool = True,
    **env_kwargs: Any,
) -> list[str]:
    """Load every task of ``source`` and register it as ``"{namespace}/{task_id}"``.

    ``source`` is what :func:`clawgym_env.load_tasks` accepts (a task directory,
    a directory of them, a JSONL file, or a list of those). ``env_kwargs``
    (``sandbox=``, ``max_steps=``, ...) become the defaults of ``gym.make``.
    Returns the registered ids in order. Registering the same source again is a
    no-op that refreshes the defaults; an id taken by another source raises
    :class:`~clawgym_env.errors.RegistrationError`.
    """
    if not namespace or "/" in namespace:
        raise RegistrationError(f"namespace must be a non-empty name without '/', got {namespace!r}")
    sources = [source] if isinstance(source, str | os.PathLike) else list(source)
    ids: list[str] = []
    for item in sources:
        key = _source_key(item)
        tasks = _load_source(key, strict=strict)
        for task_id in tasks:
            env_id = f"{namespace}/{task_id}"
            _register(env_id, key, task_id, dict(env_kwargs))
            ids.append(env_id)
    return ids


def register_builtin_tasks() -> list[str]:
    """Register the suites shipped in the package without loading them (cheap at import)."""
    ids: list[str] = []
    for key, (namespace, directory) in BUILTIN_SOURCES.items():
        if not directory.is_dir():
            logger.warning("built-in task source %s is missing at %s", key, directory)
            continue
        for child in sorted(directory.iterdir()):
            if child.is_dir() and (child / "data_entry.json").is_file():
                env_id = f"{namespace}/{child.name}"
                _register(env_id, key, child.name, {})
                ids.append(env_id)
    return ids
