"""Reinforcement learning on ClawGym envs: trajectories, GRPO utilities, Ray rollouts, verl.

* :class:`Trajectory` — the record of one episode (chat, tool calls, timings,
  reward and breakdown, failure; token ids and masks for token-level policies);
* :func:`rollout_in_process` and :class:`RolloutPool` (Ray) — grouped episodes
  for GRPO, as a :class:`RolloutBatch`;
* :mod:`clawgym_env.rl.grpo` — group-normalised advantages, group filtering, batch statistics;
* :mod:`clawgym_env.rl.verl` — verl's agent loop (``pip install 'clawgym-env[verl]'``).

Importing ``clawgym_env.rl`` needs only NumPy; :class:`RolloutPool` imports Ray
when it is created (``pip install 'clawgym-env[rl]'``).
"""

from __future__ import annotations

from clawgym_env.rl.batch import RolloutBatch, rollout_in_process
from clawgym_env.rl.episode import EpisodeOptions, EpisodeSpec, run_episode_record
from clawgym_env.rl.grpo import BatchStats, batch_stats, drop_uniform_groups, group_advantages
from clawgym_env.rl.pool import RolloutPool
from clawgym_env.rl.tokens import TokenGeneration, TokenPolicy, TokenTranscript
from clawgym_env.rl.trajectory import FAILURE_KINDS, Trajectory, TurnRecord, read_jsonl, write_jsonl

__all__ = [
    "FAILURE_KINDS",
    "BatchStats",
    "EpisodeOptions",
    "EpisodeSpec",
    "RolloutBatch",
    "RolloutPool",
    "TokenGeneration",
    "TokenPolicy",
    "TokenTranscript",
    "Trajectory",
    "TurnRecord",
    "batch_stats",
    "drop_uniform_groups",
    "group_advantages",
    "read_jsonl",
    "rollout_in_process",
    "run_episode_record",
    "write_jsonl",
]
