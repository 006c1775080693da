"""verl's RL parquet for ClawGym envs: one row per env id, played by the ``clawgym`` agent loop.

A row, as verl's ``RLHFDataset`` reads it::

    prompt        [{"role": "system", ...}, {"role": "user", ...}]   the env's reset messages
    data_source   "clawgym/<namespace>"                              validation metrics group by it
    agent_name    "clawgym"                                          the agent-loop entry that plays it
    ability       "agent"
    reward_model  {"style": "rule", "ground_truth": <env id>}
    extra_info    {"env_id", "index", "task_id", "namespace", "category", "difficulty"}

The agent loop re-creates the prompt from the env at ``reset`` (with the env's
tool schemas); ``prompt`` here is what verl's prompt-length filter and logs
see, without the tool schemas (see docs/verl.md for the lengths to set).

Suites (:func:`resolve_suite`): ``builtin:train`` (``ClawGym/task-0000`` ...
``task-5119``), ``builtin:bench`` (``ClawGym-Bench/...``), a namespace
(``ClawGym``, ``ClawGym-Bench``, or one registered with
:func:`clawgym_env.register_tasks`), or a glob over ids (``'ClawGym/task-00*'``).
Needs the ``[verl]`` extra installed (pandas, pyarrow); it imports neither verl nor torch.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym

from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.envs.registration import BUILTIN_SUITES, ENTRY_POINT

__all__ = ["AGENT_NAME", "dataset_rows", "resolve_suite", "write_dataset"]

AGENT_NAME = "clawgym"
"""The agent-loop name the rows ask for (the entry in ``agent_loop.yaml``)."""


def resolve_suite(suite: str) -> list[str]:
    """The registered ClawGym ids a suite name stands for, sorted; ``ValueError`` if none."""
    ids = sorted(spec.id for spec in gym.registry.values() if spec.entry_point == ENTRY_POINT)
    if suite in BUILTIN_SUITES:
        return [i for i in ids if gym.registry[i].kwargs.get("task_source") == suite]
    selected = [i for i in ids if i.split("/", 1)[0] == suite] if "/" not in suite else []
    if not selected:
        selected = [i for i in ids if fnmatch.fnmatchcase(i, suite)]
    if not selected:
        namespaces = sorted({i.split("/", 1)[0] for i in ids})
        raise ValueError(
            f"no ClawGym env matches {suite!r}; give {', '.join(BUILTIN_SUITES)}, a namespace "
            f"({', '.join(namespaces)}) or a glob over ids such as 'ClawGym/task-00*'"
        )
    return selected


def dataset_rows(
    env_ids: Sequence[str],
    *,
    env_kwargs: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """One verl row per id (see the module docstring); no sandbox is started.

    ``env_kwargs`` are the ``gym.make`` keywords the agent loop will use (a
    ``system_prompt`` changes the prompt). ``progress(done, total)`` is called
    as rows are made.
    """
    rows = []
    for index, env_id in enumerate(env_ids):
        made = gym.make(env_id, **dict(env_kwargs or {}))
        try:
            env = made.unwrapped
            if not isinstance(env, ClawEnv):
                raise TypeError(f"{env_id!r} is not a ClawGym env (got {type(env).__name__})")
            rows.append(_row(env_id, index, env))
        finally:
            made.close()
        if progress is not None:
            progress(index + 1, len(env_ids))
    return rows


def write_dataset(rows: Iterable[Mapping[str, Any]], path: str | Path) -> int:
    """Write rows to a parquet file (parent directories are created); return how many."""
    import pandas as pd

    frame = pd.DataFrame(list(rows))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return len(frame)


def _row(env_id: str, index: int, env: ClawEnv) -> dict[str, Any]:
    task = env.task
    namespace = env_id.split("/", 1)[0]
    metadata = task.metadata
    return {
        "data_source": f"clawgym/{namespace}",
        "agent_name": AGENT_NAME,
        "prompt": [
            {"role": "system", "content": env.system_prompt},
            {"role": "user", "content": task.instruction},
        ],
        "ability": "agent",
        "reward_model": {"style": "rule", "ground_truth": env_id},
        "extra_info": {
            "env_id": env_id,
            "index": index,
            "task_id": task.id,
            "namespace": namespace,
            "category": task.category,
            "difficulty": str(metadata.get("difficulty", "")),
        },
    }
