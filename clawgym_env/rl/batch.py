"""Batches of grouped trajectories, and the in-process way to produce one.

A batch is ``groups[g][m]``: group ``g`` is one task, member ``m`` one of its
``n`` episodes, every member starting from the identical initial state (same
task, same seed: ClawGym tasks are deterministic). :func:`rollout_in_process`
plays the episodes one after the other in this process; :class:`RolloutPool`
(Ray) produces the same batch in parallel.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from clawgym_env.envs.task import Task
from clawgym_env.rl.episode import EpisodeOptions, EpisodeSpec, Policy, run_episode_record
from clawgym_env.rl.grpo import BatchStats, batch_stats, group_advantages
from clawgym_env.rl.trajectory import Trajectory, write_jsonl

__all__ = ["FailurePolicy", "ProgressCallback", "RolloutBatch", "episode_specs", "rollout_in_process"]

FailurePolicy = Literal["keep", "drop_group"]
"""What a failed trajectory does to its group: ``keep`` it with reward 0, or drop the whole group."""

ProgressCallback = Callable[[int, int], None]
"""Called with ``(episodes done, episodes in all)`` as episodes finish."""


@dataclass
class RolloutBatch:
    """The trajectories of one rollout call, grouped per task."""

    groups: list[list[Trajectory]]
    """The groups kept, in the order of the env ids given; ``groups[g][m].member == m``."""
    dropped: list[list[Trajectory]] = field(default_factory=list)
    """Groups dropped because a member failed (``on_failure="drop_group"``)."""
    wall_time_s: float = 0.0

    @property
    def trajectories(self) -> list[Trajectory]:
        """The kept trajectories, group after group."""
        return [t for group in self.groups for t in group]

    @property
    def failures(self) -> list[Trajectory]:
        """Every failed trajectory, kept or dropped."""
        return [t for group in (*self.groups, *self.dropped) for t in group if t.failed]

    def advantages(self, *, normalize_std: bool = True) -> list[list[float]]:
        """GRPO advantages of the kept groups (see :func:`clawgym_env.rl.grpo.group_advantages`)."""
        return group_advantages(self.groups, normalize_std=normalize_std)

    def stats(self) -> BatchStats:
        return batch_stats(self.groups)

    def write_jsonl(self, path: str | Path) -> int:
        """Write the kept trajectories, one JSON object per line."""
        return write_jsonl(self.trajectories, path)


def episode_specs(envs: Sequence[str | Task], n: int, seed: int | None) -> list[EpisodeSpec]:
    """``n`` episodes per env, group-major; every member of a group has the same seed."""
    if n < 1:
        raise ValueError(f"the group size n must be >= 1, got {n}")
    if isinstance(envs, (str, Task)):
        raise TypeError("envs must be a sequence of env ids or tasks, not a single one; wrap it in a list")
    return [EpisodeSpec(env, group, member, seed) for group, env in enumerate(envs) for member in range(n)]


def assemble(
    specs: Sequence[EpisodeSpec],
    results: Sequence[Trajectory],
    *,
    on_failure: FailurePolicy,
    wall_time_s: float,
) -> RolloutBatch:
    """Group ``results`` (aligned with ``specs``) and apply the failure policy."""
    if on_failure not in ("keep", "drop_group"):
        raise ValueError(f"on_failure must be 'keep' or 'drop_group', got {on_failure!r}")
    count = max((spec.group for spec in specs), default=-1) + 1
    grouped: list[list[Trajectory]] = [[] for _ in range(count)]
    for spec, trajectory in sorted(zip(specs, results, strict=True), key=lambda p: (p[0].group, p[0].member)):
        grouped[spec.group].append(trajectory)
    batch = RolloutBatch(groups=[], wall_time_s=wall_time_s)
    for group in grouped:
        if on_failure == "drop_group" and any(t.failed for t in group):
            batch.dropped.append(group)
        else:
            batch.groups.append(group)
    return batch


def rollout_in_process(
    envs: Sequence[str | Task],
    policy: Policy,
    n: int = 1,
    *,
    seed: int | None = 0,
    options: EpisodeOptions | None = None,
    on_failure: FailurePolicy = "keep",
    progress: ProgressCallback | None = None,
) -> RolloutBatch:
    """Play every episode here, one after the other: the baseline the Ray pool is measured against."""
    specs = episode_specs(envs, n, seed)
    started = time.monotonic()
    results = []
    for done, spec in enumerate(specs, start=1):
        results.append(run_episode_record(spec, policy, options))
        if progress is not None:
            progress(done, len(specs))
    return assemble(specs, results, on_failure=on_failure, wall_time_s=time.monotonic() - started)
