"""The two built-in suites: which family, seed and knobs each task id stands for.

* ``train`` (gymnasium namespace ``ClawGym``): ``ROUNDS_TRAIN`` rounds over
  every family, ``task-NNNN`` with index ``i`` -> family ``FAMILIES[i % F]``,
  round ``i // F``; every fourth round is ``hard``.
* ``bench`` (namespace ``ClawGym-Bench``): exactly 200 tasks, 20 per
  scenario, interleaved (``task-0000`` is the first scenario's first task,
  ``task-0001`` the second scenario's, ...), cycling through each
  scenario's families; all ``hard``; about a fifth hybrid-verified, spread
  evenly over the tasks of rubric-capable families.

The suites are disjoint by construction: seeds are derived from the suite's
name, the personas of one suite never appear in the other, and the name and
place pools are disjoint halves (:mod:`.pools`). A task is generated on first
use and cached; the same id gives a byte-identical task everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from clawgym_env.envs.suite.builder import GeneratedTask, TaskBuilder
from clawgym_env.envs.suite.families import FAMILIES
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.personas import Persona, personas_for
from clawgym_env.envs.suite.pools import pools_for
from clawgym_env.envs.suite.rng import StableRandom, stable_seed
from clawgym_env.envs.suite.taxonomy import Scenario
from clawgym_env.errors import RegistrationError

__all__ = [
    "BENCH_SIZE",
    "HYBRID_SHARE",
    "NAMESPACES",
    "ROUNDS_TRAIN",
    "SUITES",
    "TaskRef",
    "build_task",
    "generate",
    "suite_refs",
]

ROUNDS_TRAIN = 80
"""Training tasks per family."""
BENCH_SIZE = 200
BENCH_PER_SCENARIO = BENCH_SIZE // len(Scenario)
HYBRID_SHARE = 0.2
"""Share of bench tasks that are hybrid-verified."""

SUITES: tuple[str, ...] = ("train", "bench")
NAMESPACES: dict[str, str] = {"train": "ClawGym", "bench": "ClawGym-Bench"}
"""Suite -> gymnasium namespace."""


@dataclass(frozen=True)
class TaskRef:
    """What one built-in task id stands for (known without generating it)."""

    suite: str
    index: int
    family: TaskFamily
    round: int
    hard: bool
    hybrid: bool

    @property
    def task_id(self) -> str:
        return f"task-{self.index:04d}"

    @property
    def env_id(self) -> str:
        return f"{NAMESPACES[self.suite]}/{self.task_id}"

    @property
    def seed(self) -> int:
        return stable_seed(self.suite, self.family.name, self.round)


def _train_refs(families: Sequence[TaskFamily]) -> tuple[TaskRef, ...]:
    count = len(families)
    return tuple(
        TaskRef("train", i, families[i % count], i // count, hard=(i // count) % 4 == 3, hybrid=False)
        for i in range(ROUNDS_TRAIN * count)
    )


def _bench_refs(families: Sequence[TaskFamily]) -> tuple[TaskRef, ...]:
    slots: list[tuple[TaskFamily, int]] = []  # (family, round) per bench index
    by_scenario = {s: [f for f in families if f.scenario is s] for s in Scenario}
    scenarios = [s for s in Scenario if by_scenario[s]]  # all ten in the shipped suite (tested)
    for j in range(BENCH_PER_SCENARIO):
        for scenario in scenarios:
            members = by_scenario[scenario]
            slots.append((members[j % len(members)], j // len(members)))
    capable = [i for i, (family, _) in enumerate(slots) if family.rubric_capable]
    wanted = round(len(slots) * HYBRID_SHARE)
    if len(capable) < wanted:
        raise RuntimeError(f"only {len(capable)} bench slots are rubric-capable, {wanted} hybrid tasks are needed")
    hybrid = {capable[(k * len(capable)) // wanted] for k in range(wanted)}
    return tuple(
        TaskRef("bench", i, family, round_, hard=True, hybrid=i in hybrid) for i, (family, round_) in enumerate(slots)
    )


@functools.cache
def suite_refs(suite: str) -> tuple[TaskRef, ...]:
    """Every task of ``suite`` in id order."""
    if suite == "train":
        return _train_refs(FAMILIES)
    if suite == "bench":
        return _bench_refs(FAMILIES)
    raise RegistrationError(f"unknown suite {suite!r}; suites: {', '.join(SUITES)}")


def ref(suite: str, task_id: str) -> TaskRef:
    """The :class:`TaskRef` of ``task_id`` (``"task-0042"``) in ``suite``."""
    refs = suite_refs(suite)
    index = _index(task_id)
    if index is None or index >= len(refs):
        raise RegistrationError(
            f"{NAMESPACES[suite]}/{task_id} does not exist; the suite has task-0000 ... task-{len(refs) - 1:04d}"
        )
    return refs[index]


def _index(task_id: str) -> int | None:
    prefix, _, digits = task_id.partition("-")
    if prefix != "task" or not digits.isdigit():
        return None
    return int(digits)


@functools.lru_cache(maxsize=8192)
def generate(suite: str, task_id: str) -> GeneratedTask:
    """Generate (once per process) the built-in task ``task_id`` of ``suite``."""
    task_ref = ref(suite, task_id)
    return build_task(
        task_ref.family,
        suite=suite,
        task_id=task_ref.task_id,
        round_=task_ref.round,
        hard=task_ref.hard,
        hybrid=task_ref.hybrid,
    )


def _personas(suite: str, domains: tuple[str, ...]) -> tuple[Persona, ...]:
    everyone = personas_for(suite)
    fitting = tuple(p for p in everyone if p.domain in domains) if domains else everyone
    return fitting or everyone


def build_task(family: TaskFamily, *, suite: str, task_id: str, round_: int, hard: bool, hybrid: bool) -> GeneratedTask:
    """Build round ``round_`` of ``family`` for ``suite`` (used by :func:`generate`, and to preview a family)."""
    if suite not in SUITES:
        raise RegistrationError(f"unknown suite {suite!r}; suites: {', '.join(SUITES)}")
    chooser = StableRandom(stable_seed(suite, family.name, round_, "persona"))
    builder = TaskBuilder(
        task_id=task_id,
        suite=suite,
        family=family.name,
        seed=stable_seed(suite, family.name, round_),
        persona=chooser.choice(_personas(suite, family.domains)),
        pools=pools_for(suite),
        hard=hard,
        hybrid=hybrid,
    )
    return family.generate(builder)
