"""Agents: policies that produce assistant turns for a :class:`~clawgym_env.ClawEnv`.

For now the reference-solution ``OracleAgent`` and the do-nothing
``NoopAgent``, plus :func:`run_episode` to drive one episode.
"""

from clawgym_env.agents.base import Agent, EpisodeResult, run_episode
from clawgym_env.agents.scripted import NoopAgent, OracleAgent

__all__ = ["Agent", "EpisodeResult", "NoopAgent", "OracleAgent", "run_episode"]
