"""Environments: the task model, task loaders, registration and ``ClawEnv``."""

from clawgym_env.envs.claw_env import DEFAULT_SYSTEM_PROMPT, ClawEnv
from clawgym_env.envs.loaders import load_task, load_tasks, write_task_dir
from clawgym_env.envs.registration import get_task, register_builtin_tasks, register_tasks
from clawgym_env.envs.spaces import UnicodeText
from clawgym_env.envs.task import DEFAULT_MOUNT_PATH, RubricRule, Task, Verifier

__all__ = [
    "DEFAULT_MOUNT_PATH",
    "DEFAULT_SYSTEM_PROMPT",
    "ClawEnv",
    "RubricRule",
    "Task",
    "UnicodeText",
    "Verifier",
    "get_task",
    "load_task",
    "load_tasks",
    "register_builtin_tasks",
    "register_tasks",
    "write_task_dir",
]
