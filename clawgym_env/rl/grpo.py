"""GRPO utilities over grouped trajectories: advantages, group filtering, batch statistics.

Group-relative policy optimisation scores each episode against the other
episodes of the same task: with rewards ``r_1 .. r_n`` of one group,

    A_i = (r_i - mean(r)) / (std(r) + eps)      (or r_i - mean(r) without std normalisation)

where ``std`` is the unbiased (n - 1) standard deviation, as verl's GRPO
estimator computes it, and a group of one gets ``mean = 0, std = 1``.
A group whose rewards are all equal carries no learning signal;
:func:`drop_uniform_groups` removes such groups.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clawgym_env.rl.trajectory import Trajectory

__all__ = [
    "BatchStats",
    "batch_stats",
    "drop_uniform_groups",
    "group_advantages",
]


def group_advantages(
    groups: Sequence[Sequence[Trajectory]], *, normalize_std: bool = True, eps: float = 1e-6
) -> list[list[float]]:
    """One advantage per trajectory, shaped like ``groups``; see the module docstring."""
    advantages: list[list[float]] = []
    for group in groups:
        rewards = np.array([t.reward for t in group], dtype=np.float64)
        if len(rewards) == 0:
            advantages.append([])
            continue
        if len(rewards) == 1:
            mean, std = 0.0, 1.0
        else:
            mean, std = float(rewards.mean()), float(rewards.std(ddof=1))
        centred = rewards - mean
        values = centred / (std + eps) if normalize_std else centred
        advantages.append([float(v) for v in values])
    return advantages


def drop_uniform_groups(groups: Sequence[Sequence[Trajectory]], *, tolerance: float = 1e-9) -> list[list[Trajectory]]:
    """The groups whose rewards are not all equal (within ``tolerance``); order is kept."""
    kept: list[list[Trajectory]] = []
    for group in groups:
        rewards = [t.reward for t in group]
        if rewards and max(rewards) - min(rewards) > tolerance:
            kept.append(list(group))
    return kept


@dataclass(frozen=True)
class BatchStats:
    """Statistics of one batch of trajectories (failed ones included unless said otherwise)."""

    episodes: int
    groups: int
    mean_reward: float
    solve_rate: float
    """Share of episodes with full marks."""
    failure_rate: float
    """Share of episodes broken by infrastructure (see ``Trajectory.failure``)."""
    tool_call_error_rate: float
    """Share of tool calls whose result was an error (0.0 when there were none)."""
    mean_turns: float
    mean_tool_calls: float
    mean_response_tokens: float | None
    """Mean response length in tokens (token-level trajectories only)."""
    mean_model_tokens: float | None
    """Mean number of generated tokens (mask 1) per episode (token-level trajectories only)."""
    uniform_group_rate: float
    """Share of groups whose rewards are all equal (no GRPO signal)."""
    mean_wall_time_s: float

    def as_dict(self) -> dict[str, float | int | None]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def batch_stats(groups: Sequence[Sequence[Trajectory]]) -> BatchStats:
    """Summarise grouped trajectories for logging."""
    episodes = [t for group in groups for t in group]
    count = len(episodes)
    tool_calls = sum(t.num_tool_calls for t in episodes)
    tool_errors = sum(t.num_tool_errors for t in episodes)
    token_level = [t for t in episodes if t.response_ids is not None]
    non_empty = [g for g in groups if g]
    uniform = len(non_empty) - len(drop_uniform_groups(non_empty))
    return BatchStats(
        episodes=count,
        groups=len(non_empty),
        mean_reward=_mean([t.reward for t in episodes]),
        solve_rate=_mean([1.0 if t.solved else 0.0 for t in episodes]),
        failure_rate=_mean([1.0 if t.failed else 0.0 for t in episodes]),
        tool_call_error_rate=tool_errors / tool_calls if tool_calls else 0.0,
        mean_turns=_mean([float(t.num_turns) for t in episodes]),
        mean_tool_calls=_mean([float(t.num_tool_calls) for t in episodes]),
        mean_response_tokens=_mean([float(len(t.response_ids or [])) for t in token_level]) if token_level else None,
        mean_model_tokens=_mean([float(sum(t.response_mask or [])) for t in token_level]) if token_level else None,
        uniform_group_rate=uniform / len(non_empty) if non_empty else 0.0,
        mean_wall_time_s=_mean([t.wall_time_s for t in episodes]),
    )


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0
