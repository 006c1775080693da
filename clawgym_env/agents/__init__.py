"""Agents: policies that produce assistant turns for a :class:`~clawgym_env.ClawEnv`.

The reference-solution ``OracleAgent``, the do-nothing ``NoopAgent``,
``OpenAIAgent`` for any OpenAI-compatible endpoint, ``RandomAgent`` (random,
often malformed turns, for robustness tests), and :func:`run_episode` to
drive one episode.
"""

from clawgym_env.agents.base import Agent, EpisodeResult, run_episode
from clawgym_env.agents.openai_agent import OpenAIAgent
from clawgym_env.agents.random_agent import RandomAgent
from clawgym_env.agents.scripted import NoopAgent, OracleAgent

__all__ = ["Agent", "EpisodeResult", "NoopAgent", "OpenAIAgent", "OracleAgent", "RandomAgent", "run_episode"]
