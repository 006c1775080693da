"""The built-in task suites: procedurally generated, oracle-verified Claw tasks.

A task is ``(family, seed)``: a :class:`TaskFamily` (a small generator, one
per kind of task) fills a :class:`TaskBuilder` with realistic mock files, a
request in the voice of a :class:`~clawgym_env.envs.suite.personas.Persona`,
named code checks computed from the generated ground truth, and a reference
solution. :mod:`.suites` maps the ids of the two registered suites,
``ClawGym/task-NNNN`` (training) and ``ClawGym-Bench/task-NNNN`` (the
200-task benchmark), to families and seeds; :func:`generate` builds one.

Every task is proven by :func:`clawgym_env.envs.checking.check_task`
(``clawgym check``): the reference solution scores 1.0, a no-op 0.0, a near
miss strictly in between.
"""

from clawgym_env.envs.suite.builder import GeneratedTask, Solution, TaskBuilder, difficulty_estimate
from clawgym_env.envs.suite.checks import CheckList, render_check_py
from clawgym_env.envs.suite.families import FAMILIES, family_named
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.suites import NAMESPACES, SUITES, TaskRef, generate, suite_refs
from clawgym_env.envs.suite.taxonomy import Operation, Scenario

__all__ = [
    "FAMILIES",
    "NAMESPACES",
    "SUITES",
    "CheckList",
    "GeneratedTask",
    "Operation",
    "Scenario",
    "Solution",
    "TaskBuilder",
    "TaskFamily",
    "TaskRef",
    "difficulty_estimate",
    "family_named",
    "generate",
    "render_check_py",
    "suite_refs",
]
