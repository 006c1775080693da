"""``TaskBuilder``: what a task family fills in to make one task.

A family's :meth:`~clawgym_env.envs.suite.family.TaskFamily.build` receives
a builder already holding the task's random generator, persona, name pools
and knobs (``hard``, ``hybrid``), and adds to it:

* workspace files (:meth:`TaskBuilder.file`) and distractors
  (:meth:`TaskBuilder.add_distractors`);
* the request (:meth:`TaskBuilder.instruct`): the family writes the body,
  choosing among its phrasings with :meth:`TaskBuilder.pick`; the persona
  frames it in their voice;
* named code checks (:attr:`TaskBuilder.checks`, a
  :class:`~clawgym_env.envs.suite.checks.CheckList`) computed from the
  ground truth the family generated;
* the reference solution (:attr:`TaskBuilder.solution`), a list of OpenClaw
  tool calls, and optionally near misses (:meth:`TaskBuilder.near_miss`):
  solutions that must score strictly between 0 and 1;
* rubric rules for hybrid tasks (:meth:`TaskBuilder.rubric`);
* what the difficulty estimate counts (:meth:`TaskBuilder.steps`,
  :meth:`TaskBuilder.constraints`).

:meth:`TaskBuilder.build` turns that into a frozen :class:`~clawgym_env.envs.task.Task`
whose verifier is the released ClawGym ``reward.sh`` template over a
generated ``check.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clawgym_env.envs.loaders import jsonl_reward_script
from clawgym_env.envs.suite.checks import CheckList, render_check_py
from clawgym_env.envs.suite.distractors import distractors
from clawgym_env.envs.suite.personas import Persona
from clawgym_env.envs.suite.pools import Pools
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.task import DEFAULT_MOUNT_PATH, RubricRule, Task, Verifier, check_relative_path

__all__ = ["MIN_CHECKS", "RUBRIC_LEVELS", "GeneratedTask", "Solution", "TaskBuilder", "difficulty_estimate"]

MIN_CHECKS = 4
"""Every generated task has at least this many named checks."""

RUBRIC_LEVELS: tuple[str, ...] = ("0", "0.25", "0.5", "0.75", "1.0")
"""The judge's scale; a rubric rule describes what earns each level."""


class Solution:
    """A list of OpenClaw tool calls ``{"name": ..., "arguments": {...}}``, built step by step."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.steps)

    def call(self, name: str, **arguments: Any) -> Solution:
        self.steps.append({"name": name, "arguments": dict(arguments)})
        return self

    def read(self, path: str) -> Solution:
        return self.call("read", path=path)

    def write(self, path: str, content: str) -> Solution:
        return self.call("write", path=path, content=content)

    def edit(self, path: str, old: str, new: str) -> Solution:
        return self.call("edit", path=path, oldText=old, newText=new)

    def exec(self, command: str) -> Solution:
        return self.call("exec", command=command)

    def apply_patch(self, patch: str) -> Solution:
        return self.call("apply_patch", input=patch)


@dataclass(frozen=True)
class GeneratedTask:
    """A generated task plus what only its generator knows."""

    task: Task
    near_misses: tuple[tuple[Mapping[str, Any], ...], ...] = ()
    """Solutions that must score strictly between 0 and 1 (the verifier discriminates)."""


def difficulty_estimate(steps: int, distractors: int, constraints: int) -> int:
    """1-5 from the dependent steps, distractor files and explicit output constraints.

    ``points = steps + constraints / 2 + min(distractors, 8) / 4``; level 1
    below 6 points, 2 below 7, 3 below 8, 4 below 9.25, else 5. The bounds
    are calibrated on the built-in suites, whose tasks score 4.75 to 10.5
    points: training tasks spread over all five levels, benchmark tasks sit
    mostly at 4 and 5.
    """
    points = steps + constraints / 2 + min(distractors, 8) / 4
    for level, bound in enumerate((6.0, 7.0, 8.0, 9.25), start=1):
        if points < bound:
            return level
    return 5


class TaskBuilder:
    """Collects one task's parts; see the module docstring. Families never construct it."""

    def __init__(
        self,
        *,
        task_id: str,
        suite: str,
        family: str,
        seed: int,
        persona: Persona,
        pools: Pools,
        hard: bool,
        hybrid: bool,
    ) -> None:
        self.task_id = task_id
        self.suite = suite
        self.family = family
        self.seed = seed
        self.rng = StableRandom(seed)
        """The family's generator; :meth:`pick` and distractors use independent children of it."""
        self.persona = persona
        self.pools = pools
        self.hard = hard
        """Bench tasks and a quarter of training tasks: more data, distractors and constraints."""
        self.hybrid = hybrid
        """The task is hybrid-verified: the family must add rubric rules."""
        self.checks = CheckList()
        self.solution = Solution()
        self._files: dict[str, str | bytes] = {}
        self._executables: set[str] = set()
        self._distractors = 0
        self._instruction: str | None = None
        self._rubric: list[RubricRule] = []
        self._near_misses: list[tuple[dict[str, Any], ...]] = []
        self._steps = 0
        self._constraints = 0
        self._picks = 0

    # -- workspace -----------------------------------------------------------------

    def file(self, path: str, content: str | bytes, *, executable: bool = False) -> str:
        """Add a workspace file; return its normalised path."""
        normal = check_relative_path(path)
        if normal in self._files:
            raise ValueError(f"{self.family}: file {normal!r} added twice")
        self._files[normal] = content
        if executable:
            self._executables.add(normal)
        return normal

    @property
    def paths(self) -> list[str]:
        """The workspace paths added so far."""
        return list(self._files)

    def add_distractors(self, count: int, *, avoid: Sequence[str] = (), exclude_kinds: Sequence[str] = ()) -> None:
        """Add ``count`` unrelated but plausible files (never at a path already used or in ``avoid``).

        ``exclude_kinds`` names distractor kinds (``distractors.KIND_NAMES``) that would read as a second
        input of this task.
        """
        files = distractors(
            self.rng.child("distractors"),
            count=count,
            domain=self.persona.domain,
            org=self.persona.org,
            owner=self.persona.name,
            team=self.persona.team,
            avoid=[*self._files, *avoid],
            pools=self.pools,
            exclude_kinds=exclude_kinds,
        )
        for item in files:
            self.file(item.path, item.content)
        self._distractors += len(files)

    # -- request ---------------------------------------------------------------------

    def pick(self, variants: Sequence[str]) -> str:
        """One of ``variants`` (phrasings of the same request), chosen by the task's seed."""
        self._picks += 1
        return self.rng.child("pick", self._picks).choice(variants)

    def instruct(self, body: str) -> None:
        """Set the request body; the persona frames it in their voice.

        A body written in lower-case texting style gets a capital first word, since it
        follows the persona's opener (a path or a name at the start is left alone).
        """
        text = body.strip()
        first = text.split(maxsplit=1)[0] if text else ""
        if first.isalpha() and first.islower():
            text = text[0].upper() + text[1:]
        self._instruction = self.persona.frame(self.rng.child("voice"), text)

    # -- grading -----------------------------------------------------------------------

    def rubric(self, name: str, description: str, levels: Mapping[str, str], *, weight: float = 1.0) -> None:
        """Add a rubric rule for the LLM judge; ``levels`` says what earns each of :data:`RUBRIC_LEVELS`."""
        if set(levels) != set(RUBRIC_LEVELS):
            raise ValueError(f"rubric rule {name!r} must describe every level {RUBRIC_LEVELS}")
        ordered = {level: levels[level] for level in RUBRIC_LEVELS}
        self._rubric.append(RubricRule(name=name, description=description, weight=weight, levels=ordered))

    def near_miss(self, steps: Sequence[Mapping[str, Any]] | Solution) -> None:
        """A solution that must score strictly between 0 and 1 (e.g. one value perturbed)."""
        raw = steps.steps if isinstance(steps, Solution) else steps
        self._near_misses.append(tuple({"name": s["name"], "arguments": dict(s["arguments"])} for s in raw))

    def steps(self, count: int) -> None:
        """How many dependent steps the task needs (inspect -> compute -> write -> run ...)."""
        self._steps = count

    def constraints(self, count: int) -> None:
        """How many explicit output constraints the request states (formats, orderings, limits)."""
        self._constraints = count

    # -- result -----------------------------------------------------------------------

    def build(self, *, scenario: str, operations: Sequence[str], metadata: Mapping[str, Any]) -> GeneratedTask:
        """The finished task; raises ``ValueError`` naming what the family forgot."""
        problems = []
        if self._instruction is None:
            problems.append("no instruction (call instruct())")
        if len(self.checks) < MIN_CHECKS:
            problems.append(f"{len(self.checks)} checks, at least {MIN_CHECKS} are needed")
        if not self.solution.steps:
            problems.append("no reference solution")
        if self.hybrid and not self._rubric:
            problems.append("a hybrid task needs rubric rules")
        if self._steps < 1:
            problems.append("steps() was not declared")
        if problems:
            raise ValueError(f"family {self.family} built task {self.task_id} badly: {'; '.join(problems)}")
        difficulty = difficulty_estimate(self._steps, self._distractors, self._constraints)
        task = Task(
            id=self.task_id,
            instruction=self._instruction or "",
            verifier=Verifier(
                files={"reward.sh": jsonl_reward_script(None), "check.py": render_check_py(self.task_id, self.checks)}
            ),
            files=dict(self._files),
            executables=frozenset(self._executables),
            metadata={
                "category": scenario,
                "operations": list(operations),
                "family": self.family,
                "suite": self.suite,
                "grading_type": "hybrid" if self._rubric else "automated",
                "difficulty": difficulty,
                "dependent_steps": self._steps,
                "distractors": self._distractors,
                "output_constraints": self._constraints,
                "persona": self.persona.id,
                "checks": len(self.checks),
                **dict(metadata),
            },
            rubric=tuple(self._rubric),
            reference_solution=tuple(self.solution.steps),
            workspace_path=DEFAULT_MOUNT_PATH,
            input_mount_dir=DEFAULT_MOUNT_PATH,
            source=f"builtin:{self.suite}/{self.task_id}",
        )
        return GeneratedTask(task=task, near_misses=tuple(self._near_misses))
