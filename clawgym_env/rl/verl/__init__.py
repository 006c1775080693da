"""ClawGym envs in verl 0.9.1: an agent loop, a reward function and the RL dataset writer.

Importing this package needs the ``[verl]`` extra (``pip install 'clawgym-env[verl]'``);
nothing else in ``clawgym_env`` imports it. The pieces:

* :class:`~clawgym_env.rl.verl.agent_loop.ClawAgentLoop`: verl agent loop ``clawgym``
  playing one ClawGym episode per trajectory; the verifier's score is the reward;
* :func:`agent_loop_config_path`: the installed ``agent_loop.yaml`` to pass as
  ``actor_rollout_ref.rollout.agent.agent_loop_config_path``;
* :func:`~clawgym_env.rl.verl.reward.compute_score`: a custom reward function for
  verl's reward loop;
* :func:`~clawgym_env.rl.verl.dataset.write_dataset`: verl's RL parquet for a suite
  (also ``clawgym rl dataset``).

``docs/verl.md`` shows the whole launch. Attributes are imported lazily, so
``clawgym rl dataset`` does not pay for importing verl and torch.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
from importlib import resources
from typing import Any

__all__ = [
    "VERL_VERSION",
    "ClawAgentLoop",
    "agent_loop_config_path",
    "compute_score",
    "dataset_rows",
    "write_dataset",
]

VERL_VERSION = "0.9.1"
"""The verl release this integration is written and tested against."""

INSTALL_HINT = "pip install 'clawgym-env[verl]'"

if importlib.util.find_spec("verl") is None:
    raise ImportError(f"clawgym_env.rl.verl needs verl {VERL_VERSION}, which is not installed: {INSTALL_HINT}")

_LAZY = {
    "ClawAgentLoop": "clawgym_env.rl.verl.agent_loop",
    "compute_score": "clawgym_env.rl.verl.reward",
    "dataset_rows": "clawgym_env.rl.verl.dataset",
    "write_dataset": "clawgym_env.rl.verl.dataset",
}

logger = logging.getLogger(__name__)


def agent_loop_config_path() -> str:
    """The absolute path of the shipped ``agent_loop.yaml`` (agent loop ``clawgym``).

    Pass it as ``actor_rollout_ref.rollout.agent.agent_loop_config_path=...``; copy
    and edit the file to change the sandbox, ``max_steps`` or ``max_live_envs``.
    """
    return str(resources.files(__name__).joinpath("agent_loop.yaml"))


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _check_version()
    return getattr(importlib.import_module(module), name)


@functools.cache
def _check_version() -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("verl")
    except PackageNotFoundError:
        return
    if installed != VERL_VERSION:
        logger.warning("clawgym_env.rl.verl is tested with verl %s, found %s", VERL_VERSION, installed)
