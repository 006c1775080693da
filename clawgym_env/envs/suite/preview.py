"""Preview and prove one task family while writing it, before it joins the suites.

::

    python -m clawgym_env.envs.suite.preview clawgym_env.envs.suite.families.expense_report:ExpenseReport
    python -m clawgym_env.envs.suite.preview expense_report --rounds 8 --prove --show 2

``FAMILY`` is ``module:Class`` (a family not yet listed in ``FAMILIES``) or the
name of a listed family. It builds rounds ``0..N-1`` for the training suite
(every fourth one hard) and the same number for the benchmark (all hard, every
other one hybrid when the family is rubric-capable), prints ``--show`` of them
as a user would see them, and with ``--prove`` plays every one through
:func:`~clawgym_env.envs.checking.check_task`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from clawgym_env._progress import ProgressBar
from clawgym_env.envs.checking import check_task
from clawgym_env.envs.suite.builder import GeneratedTask
from clawgym_env.envs.suite.families import family_named
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.suites import build_task
from clawgym_env.envs.task import Task

__all__ = ["checks_of", "load_family", "preview_tasks"]


def load_family(spec: str) -> TaskFamily:
    """``module:Class`` or a listed family's name."""
    if ":" in spec:
        module_name, _, class_name = spec.partition(":")
        family = getattr(importlib.import_module(module_name), class_name)()
        if not isinstance(family, TaskFamily):
            raise TypeError(f"{spec} is not a TaskFamily")
        return family
    return family_named(spec)


def preview_tasks(family: TaskFamily, rounds: int) -> list[tuple[str, GeneratedTask]]:
    """``(label, task)`` for ``rounds`` training and ``rounds`` benchmark builds of ``family``."""
    built = []
    for round_ in range(rounds):
        hard = round_ % 4 == 3
        label = f"train round {round_}{' (hard)' if hard else ''}"
        built.append((label, build_task(family, suite="train", task_id=f"preview-train-{round_}", round_=round_,
                                         hard=hard, hybrid=False)))  # fmt: skip
    for round_ in range(rounds):
        hybrid = family.rubric_capable and round_ % 2 == 0
        label = f"bench round {round_} (hard{', hybrid' if hybrid else ''})"
        built.append((label, build_task(family, suite="bench", task_id=f"preview-bench-{round_}", round_=round_,
                                         hard=True, hybrid=hybrid)))  # fmt: skip
    return built


def checks_of(task: Task) -> list[dict[str, Any]]:
    """The check list embedded in a generated task's ``check.py``."""
    source = task.verifier.files["check.py"].decode("utf-8")
    start = source.index('CHECKS = json.loads(\n    r"""\n') + len('CHECKS = json.loads(\n    r"""\n')
    return list(json.loads(source[start : source.index('\n"""', start)]))


def _show(label: str, generated: GeneratedTask) -> None:
    task = generated.task
    print(f"\n===== {label}: {task.id}  difficulty {task.metadata['difficulty']}  persona {task.metadata['persona']}")
    print(textwrap.indent(task.instruction, "  | "))
    print("  files: " + ", ".join(f"{path} ({len(content)} B)" for path, content in task.files.items()))
    names = [check["name"] for check in checks_of(task)]
    print(f"  checks ({len(names)}): {', '.join(names)}")
    print(f"  solution: {' -> '.join(step['name'] for step in task.reference_solution or ())}")
    if task.rubric:
        print(f"  rubric: {', '.join(rule.name for rule in task.rubric)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("family", help="module:Class, or the name of a listed family")
    parser.add_argument("--rounds", type=int, default=4, help="rounds per suite (default: %(default)s)")
    parser.add_argument("--show", type=int, default=2, help="how many tasks to print in full (default: %(default)s)")
    parser.add_argument("--prove", action="store_true", help="play every task through check_task")
    parser.add_argument("--sandbox", default="bwrap")
    args = parser.parse_args(argv)
    family = load_family(args.family)
    built = preview_tasks(family, args.rounds)
    for label, generated in built[: args.show]:
        _show(label, generated)
    if args.show < len(built) and args.show:
        _show(*built[-1])
    if not args.prove:
        return 0
    failures = 0
    bar = ProgressBar(f"proving {family.name}", len(built))
    results = []
    for label, generated in built:
        proof = check_task(
            generated.task,
            near_misses=generated.near_misses,
            rebuild=lambda g=generated: _rebuild(family, g),
            backend=args.sandbox,
        )
        results.append((label, proof))
        bar.advance()
    for label, proof in results:
        status = "ok" if proof.ok else "FAIL"
        failures += not proof.ok
        print(f"{status:4}  {label:32}  oracle={proof.oracle}  noop={proof.noop}  near_miss={proof.near_miss} "
              f"({proof.near_miss_how})")  # fmt: skip
        for problem in proof.problems:
            print(f"      - {problem}")
    print(f"\n{len(results) - failures}/{len(results)} proven")
    return 1 if failures else 0


def _rebuild(family: TaskFamily, generated: GeneratedTask) -> Task:
    meta = generated.task.metadata
    task_id = generated.task.id
    round_ = int(task_id.rsplit("-", 1)[1])
    return build_task(
        family,
        suite=str(meta["suite"]),
        task_id=task_id,
        round_=round_,
        hard=bool(meta["hard"]),
        hybrid=generated.task.metadata["grading_type"] == "hybrid",
    ).task


if __name__ == "__main__":
    sys.exit(main())
