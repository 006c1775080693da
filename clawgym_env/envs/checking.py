"""``check_task``: prove a task's properties by playing it, like ``gymnasium``'s ``check_env``.

For one task, through a real :class:`~clawgym_env.envs.ClawEnv`:

* **deterministic**: building the task again gives the same content hash
  (when a way to rebuild it is known: built-in suites);
* **solvable**: the reference solution, replayed one tool call per turn,
  scores exactly 1.0;
* **no free reward**: a no-op episode scores exactly 0.0;
* **discriminative**: some near miss scores strictly between 0 and 1: the
  task's own near misses first, else the reference solution with one step
  dropped (the last step first);
* **clean**: ``close()`` twice is a no-op.

:func:`check_many` runs it over many env ids in worker processes, with
progress; ``clawgym check`` is its command line.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.envs.task import Task

__all__ = ["TaskProof", "check_env_id", "check_many", "check_task", "render_proof_summary"]

Steps = Sequence[Mapping[str, Any]]


@dataclass
class TaskProof:
    """The outcome of :func:`check_task` for one task."""

    task_id: str
    oracle: float | None = None
    """Reward of the reference solution (must be 1.0)."""
    noop: float | None = None
    """Reward of an episode that does nothing (must be 0.0)."""
    near_miss: float | None = None
    """Reward of the first near miss that scored strictly between 0 and 1 (else the last one tried)."""
    near_miss_how: str = ""
    deterministic: bool | None = None
    """``None`` when the task cannot be rebuilt here."""
    closes_twice: bool = False
    problems: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _play(task: Task, steps: Steps, *, backend: str, final: str = "Done.") -> tuple[float, dict[str, Any]]:
    """Reward of replaying ``steps`` (one tool call per turn) and then a final message."""
    env = ClawEnv(task, sandbox=backend, max_steps=len(steps) + 1)
    try:
        env.reset(seed=0)
        for step in steps:
            _, _, terminated, truncated, info = env.step({"name": step["name"], "arguments": dict(step["arguments"])})
            if terminated or truncated:
                raise RuntimeError("the episode ended before the solution was replayed")
        _, reward, _, _, info = env.step(final)
        return float(reward), info
    finally:
        env.close()


def check_task(
    task: Task,
    *,
    near_misses: Iterable[Steps] = (),
    rebuild: Callable[[], Task] | None = None,
    backend: str = "bwrap",
) -> TaskProof:
    """Play ``task`` (see the module docstring); every violated property is listed in ``problems``."""
    started = time.monotonic()
    proof = TaskProof(task_id=task.id)
    if rebuild is not None:
        proof.deterministic = rebuild().content_hash == task.content_hash
        if not proof.deterministic:
            proof.problems.append("building the task twice gave different content")
    if task.reference_solution is None:
        proof.problems.append("the task has no reference solution")
    else:
        proof.oracle, info = _play(task, task.reference_solution, backend=backend)
        if proof.oracle != 1.0:
            failed = sorted(name for name, value in info.get("reward_breakdown", {}).items() if value != 1.0)
            error = info.get("verification", {}).get("error")
            proof.problems.append(
                f"the reference solution scores {proof.oracle!r}, not 1.0"
                + (f" (failing checks: {', '.join(failed)})" if failed else "")
                + (f" ({error})" if error else "")
            )
    proof.noop, info = _play(task, (), backend=backend, final="I made no changes.")
    if proof.noop != 0.0:
        passed = sorted(name for name, value in info.get("reward_breakdown", {}).items() if value != 0.0)
        proof.problems.append(f"a no-op episode scores {proof.noop!r}, not 0.0 (passing checks: {', '.join(passed)})")
    if task.reference_solution is not None:
        _near_miss(task, list(near_misses), backend, proof)
    env = ClawEnv(task, sandbox=backend)
    env.close()
    env.close()
    proof.closes_twice = True
    proof.duration_s = time.monotonic() - started
    return proof


def _near_miss(task: Task, declared: list[Steps], backend: str, proof: TaskProof) -> None:
    solution = list(task.reference_solution or ())
    candidates: list[tuple[str, Steps]] = [(f"declared near miss {i + 1}", steps) for i, steps in enumerate(declared)]
    candidates += [
        (f"reference solution without step {k + 1} ({solution[k]['name']})", solution[:k] + solution[k + 1 :])
        for k in reversed(range(len(solution)))
    ]
    for how, steps in candidates:
        reward, _ = _play(task, steps, backend=backend)
        proof.near_miss, proof.near_miss_how = reward, how
        if 0.0 < reward < 1.0:
            return
    proof.problems.append("no near miss scores strictly between 0 and 1: the verifier does not discriminate")


def check_env_id(env_id: str, *, backend: str = "bwrap") -> TaskProof:
    """:func:`check_task` for a registered env id (built-in ids get their near misses and a rebuild)."""
    from clawgym_env.envs.registration import spec_source

    source, task_id = spec_source(env_id)
    return _check_source(env_id, source, task_id, backend)


def _check_source(env_id: str, source: str, task_id: str, backend: str) -> TaskProof:
    from clawgym_env.envs.registration import resolve

    task, near_misses, rebuild = resolve(source, task_id)
    proof = check_task(task, near_misses=near_misses, rebuild=rebuild, backend=backend)
    proof.task_id = env_id
    return proof


def _check_one(env_id: str, source: str, task_id: str, backend: str) -> TaskProof:
    try:
        return _check_source(env_id, source, task_id, backend)
    except Exception as exc:  # noqa: BLE001 - one broken task is a finding, not a crash of the sweep
        return TaskProof(task_id=env_id, problems=[f"{type(exc).__name__}: {exc}"])


def check_many(
    env_ids: Sequence[str],
    *,
    backend: str = "bwrap",
    jobs: int = 1,
    on_result: Callable[[TaskProof], None] | None = None,
) -> list[TaskProof]:
    """Prove every id, ``jobs`` at a time in worker processes; results in the order of ``env_ids``.

    Ids are resolved to their task sources here, so workers need no registration of their own.
    """
    from clawgym_env.envs.registration import spec_source

    targets = [(env_id, *spec_source(env_id)) for env_id in env_ids]
    if jobs <= 1:
        results = []
        for env_id, source, task_id in targets:
            results.append(_check_one(env_id, source, task_id, backend))
            if on_result is not None:
                on_result(results[-1])
        return results
    by_id: dict[str, TaskProof] = {}
    context = multiprocessing.get_context("forkserver")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {
            pool.submit(_check_one, env_id, source, task_id, backend): env_id for env_id, source, task_id in targets
        }
        for future in concurrent.futures.as_completed(futures):
            proof = future.result()
            by_id[futures[future]] = proof
            if on_result is not None:
                on_result(proof)
    return [by_id[env_id] for env_id in env_ids]


def render_proof_summary(proofs: Sequence[TaskProof], *, elapsed_s: float, jobs: int, backend: str) -> str:
    """A Markdown report of a sweep: what was proven, how discriminative the near misses are, timings."""
    import platform
    import statistics

    def pct(values: Sequence[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    ok = [p for p in proofs if p.ok]
    misses = [p.near_miss for p in ok if p.near_miss is not None]
    declared = sum(1 for p in ok if p.near_miss_how.startswith("declared"))
    durations = [p.duration_s for p in proofs]
    by_suite: dict[str, int] = {}
    for proof in proofs:
        suite = proof.task_id.split("/")[0]
        by_suite[suite] = by_suite.get(suite, 0) + 1
    lines = [
        "# Task proofs",
        "",
        f"`clawgym check --jobs {jobs} --sandbox {backend}` on {platform.platform()}, "
        f"{multiprocessing.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        f"* **{len(ok)}/{len(proofs)} tasks proven** ("
        + ", ".join(f"{count} {suite}" for suite, count in by_suite.items())
        + "): reference solution exactly 1.0, no-op exactly 0.0, a near miss strictly between, "
        "the same content when built again, `close()` twice.",
        f"* Full sweep: **{elapsed_s / 60:.1f} min** wall clock with {jobs} worker processes "
        f"({elapsed_s / max(len(proofs), 1):.2f} s per task); per task p50 {statistics.median(durations):.2f} s, "
        f"p95 {pct(durations, 0.95):.2f} s (three to four episodes each).",
    ]
    if misses:
        lines.append(
            f"* Near misses: {declared} declared by their family, {len(misses) - declared} the reference solution "
            f"with one step dropped; their reward p5 {pct(misses, 0.05):.2f}, median {statistics.median(misses):.2f}, "
            f"p95 {pct(misses, 0.95):.2f}."
        )
    failed = [p for p in proofs if not p.ok]
    if failed:
        lines += ["", "## Failed", ""]
        lines += [f"* `{p.task_id}`: {'; '.join(p.problems)}" for p in failed]
    return "\n".join(lines) + "\n"
