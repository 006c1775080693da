"""The benchmark runner: an agent over env ids, ``runs`` times each, into a resumable JSONL file.

Every episode becomes one JSON line (:func:`episode_row`): env id, run, score, the code
score, the verifier's breakdown, turns, tool calls and errors, wall time, the failure
reason, and the task's category, difficulty and grading type. Rows are appended as
episodes finish, so a killed run loses at most the episodes in flight, and a re-run with
the same output file skips every ``(env_id, run)`` already there, except episodes that
infrastructure broke (``failure`` set): those are played again and the newer row wins.

:func:`summarize` turns rows into the table people quote: the mean over tasks of each
run, then the mean and (sample) standard deviation of those means over runs, overall and
per category, for the reward (hybrid where the env scored hybrid) and the code part alone.
"""

from __future__ import annotations

import json
import math
import statistics
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clawgym_env.rl.episode import EpisodeOptions, EpisodeSpec, Policy, run_episode_record
from clawgym_env.rl.trajectory import Trajectory

__all__ = ["ScoreSummary", "episode_row", "read_rows", "render_summary", "run_eval", "summarize", "task_metadata"]


def task_metadata(env_id: str) -> dict[str, Any]:
    """The metadata of a registered env's task (nothing is started)."""
    import gymnasium as gym

    env = gym.make(env_id)
    try:
        return dict(env.unwrapped.task.metadata)
    finally:
        env.close()


def episode_row(trajectory: Trajectory, *, run: int, agent: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The JSONL row of one finished episode."""
    verification = trajectory.verification
    return {
        "env_id": trajectory.env_id,
        "task_id": trajectory.task_id,
        "run": run,
        "agent": agent,
        "score": trajectory.reward,
        "s_code": float(verification.get("score", 0.0)) if not trajectory.failed else 0.0,
        "breakdown": trajectory.breakdown,
        "turns": trajectory.num_turns,
        "tool_calls": trajectory.num_tool_calls,
        "tool_errors": trajectory.num_tool_errors,
        "wall_time_s": round(trajectory.wall_time_s, 3),
        "failure": trajectory.failure,
        "failure_kind": trajectory.failure_kind,
        "category": metadata.get("category"),
        "difficulty": metadata.get("difficulty"),
        "grading_type": metadata.get("grading_type"),
    }


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a results file (empty if it does not exist); a torn last line is ignored."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # an episode cut off mid-write: it will be played again
    return rows


def run_eval(
    env_ids: Sequence[str],
    policy: Policy,
    out: str | Path,
    *,
    agent: str,
    runs: int = 1,
    jobs: int = 2,
    options: EpisodeOptions | None = None,
    metadata: Callable[[str], Mapping[str, Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Play every ``(env_id, run)`` not yet in ``out`` with ``jobs`` threads; return all rows of ``out``.

    ``metadata(env_id)`` gives a task's category, difficulty and grading type for the rows.
    Runs use seed ``run`` (ClawGym tasks are deterministic; the seed matters for sampling agents).
    """
    if runs < 1 or jobs < 1:
        raise ValueError(f"runs and jobs must be >= 1, got runs={runs}, jobs={jobs}")
    out = Path(out)
    done = {(row["env_id"], row["run"]) for row in _latest(read_rows(out), agent) if not row.get("failure")}
    todo = [(env_id, run) for run in range(runs) for env_id in env_ids if (env_id, run) not in done]
    lock = threading.Lock()
    finished = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    _end_torn_line(out)

    task_info = {env_id: metadata(env_id) if metadata else {} for env_id in dict.fromkeys(e for e, _ in todo)}

    def play(item: tuple[str, int]) -> None:
        nonlocal finished
        env_id, run = item
        trajectory = run_episode_record(EpisodeSpec(env_id, 0, 0, run), policy, options)
        row = episode_row(trajectory, run=run, agent=agent, metadata=task_info[env_id])
        with lock, out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            finished += 1
            if progress is not None:
                progress(finished, len(todo))

    with ThreadPoolExecutor(jobs, thread_name_prefix="clawgym-eval") as pool:
        list(pool.map(play, todo))
    return _latest(read_rows(out), agent)


def _end_torn_line(path: Path) -> None:
    """Close a line cut off by a killed run, so that the next row starts on a line of its own."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, 2)
        if handle.read(1) != b"\n":
            handle.write(b"\n")


def _latest(rows: Iterable[dict[str, Any]], agent: str) -> list[dict[str, Any]]:
    """``agent``'s rows, the last one of each ``(env_id, run)`` (a replayed failure replaces the first)."""
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        if row.get("agent") == agent:
            latest[(row["env_id"], row["run"])] = row
    return list(latest.values())


@dataclass(frozen=True)
class ScoreSummary:
    """Mean and standard deviation over runs of the per-run mean score."""

    tasks: int
    runs: int
    mean: float
    std: float
    code_mean: float
    code_std: float
    failures: int


def _over_runs(rows: Iterable[Mapping[str, Any]]) -> ScoreSummary:
    by_run: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_run[int(row["run"])].append(row)
    means = [math.fsum(r["score"] for r in rs) / len(rs) for rs in by_run.values()]
    code = [math.fsum(r["s_code"] for r in rs) / len(rs) for rs in by_run.values()]
    tasks = len({r["env_id"] for rs in by_run.values() for r in rs})
    return ScoreSummary(
        tasks=tasks,
        runs=len(means),
        mean=statistics.fmean(means) if means else 0.0,
        std=statistics.stdev(means) if len(means) > 1 else 0.0,
        code_mean=statistics.fmean(code) if code else 0.0,
        code_std=statistics.stdev(code) if len(code) > 1 else 0.0,
        failures=sum(1 for rs in by_run.values() for r in rs if r.get("failure")),
    )


def summarize(rows: Sequence[Mapping[str, Any]]) -> dict[str, ScoreSummary]:
    """``{"overall": ..., <category>: ...}`` (see the module docstring)."""
    summary = {"overall": _over_runs(rows)}
    categories: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        categories[str(row.get("category") or "uncategorized")].append(row)
    for name in sorted(categories):
        summary[name] = _over_runs(categories[name])
    return summary


def render_summary(summary: Mapping[str, ScoreSummary], *, agent: str) -> str:
    """A Markdown table of a summary."""
    lines = [
        f"| {agent} | tasks | runs | score (mean ± std over runs) | code part | failed episodes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in summary.items():
        lines.append(
            f"| {name} | {s.tasks} | {s.runs} | {s.mean:.4f} ± {s.std:.4f} | {s.code_mean:.4f} ± {s.code_std:.4f} "
            f"| {s.failures} |"
        )
    return "\n".join(lines)
