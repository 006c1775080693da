"""``TaskFamily``: a small generator that makes one kind of task from a seed.

A family subclasses :class:`TaskFamily`, sets its class attributes and
implements one hook, :meth:`TaskFamily.build`, which fills a
:class:`~clawgym_env.envs.suite.builder.TaskBuilder`: the files, the request,
the checks, the reference solution. Everything else (seeding, persona,
verifier files, metadata, difficulty) is shared.

A family's class docstring is its task card, with these sections:
**Request** (what the user asks), **Workspace** (what the files hold),
**Checks** (what is verified), **Hard** (what ``hard`` adds), **Rubric**
(for rubric-capable families).

Contract for ``build`` (the suite's proofs check it for every task):

* deterministic: only ``b.rng`` (and ``b.pick``) for randomness;
* the reference solution, replayed through the env, scores exactly 1.0;
* an untouched workspace scores exactly 0.0: every check fails until the
  agent acted (gate "inputs unchanged" checks with ``requires=``);
* some near miss (one step dropped, or one value perturbed: declare it with
  ``b.near_miss``) scores strictly between 0 and 1;
* at least four checks; checks and solution use only what a plain Debian
  ``python3`` has;
* with ``b.hybrid``, at least one rubric rule.
"""

from __future__ import annotations

import abc
from typing import ClassVar

from clawgym_env.envs.suite.builder import GeneratedTask, TaskBuilder
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario

__all__ = ["DEVELOPER_DOMAINS", "OPERATIONS_DOMAINS", "WORKPLACE_DOMAINS", "TaskFamily"]

WORKPLACE_DOMAINS: tuple[str, ...] = tuple(domain for domain in DOMAINS if domain != "household")
"""People with employers or employees (everyone but households)."""
DEVELOPER_DOMAINS: tuple[str, ...] = ("software", "research", "finance")
"""People who plausibly maintain code: engineers, researchers, quantitative finance."""
OPERATIONS_DOMAINS: tuple[str, ...] = ("software", "research", "media", "logistics", "manufacturing", "finance")
"""People who plausibly run servers, configs and scheduled jobs."""


class TaskFamily(abc.ABC):
    """One kind of task; see the module docstring."""

    name: ClassVar[str]
    """Unique snake_case name; part of every task's seed, so renaming one changes its tasks."""
    scenario: ClassVar[Scenario]
    operations: ClassVar[tuple[Operation, ...]]
    rubric_capable: ClassVar[bool] = False
    """The family can add rubric rules (it writes prose a judge can assess); bench picks hybrid tasks among these."""
    domains: ClassVar[tuple[str, ...]] = ()
    """The persona domains whose people plausibly ask this (empty: anyone); personas are drawn from these."""

    @abc.abstractmethod
    def build(self, b: TaskBuilder) -> None:
        """Fill ``b`` with one task (see the module docstring for the contract)."""

    def generate(self, b: TaskBuilder) -> GeneratedTask:
        """Run :meth:`build` and finish the task."""
        self.build(b)
        return b.build(
            scenario=self.scenario.value,
            operations=[operation.value for operation in self.operations],
            metadata={"hard": b.hard},
        )

    def __repr__(self) -> str:
        return f"<TaskFamily {self.name} ({self.scenario.value})>"
