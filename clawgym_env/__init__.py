"""ClawGym-Env: Claw-style personal-agent tasks as Gymnasium environments.

``import clawgym_env`` registers the built-in task ids, so that::

    import gymnasium as gym, clawgym_env
    env = gym.make("ClawGym/task-0042")
    obs, info = env.reset(seed=0)

works. See :class:`clawgym_env.ClawEnv` for the episode contract.
"""

from clawgym_env import errors
from clawgym_env.envs import (
    ClawEnv,
    RubricRule,
    Task,
    Verifier,
    load_tasks,
    register_builtin_tasks,
    register_tasks,
)
from clawgym_env.sandbox.base import Limits

__version__ = "0.1.0"

__all__ = [
    "ClawEnv",
    "Limits",
    "RubricRule",
    "Task",
    "Verifier",
    "__version__",
    "errors",
    "load_tasks",
    "register_tasks",
]

register_builtin_tasks()
