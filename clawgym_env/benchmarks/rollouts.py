"""Rollout throughput: the Ray pool with 1 and 2 actors against the same episodes in-process.

Run it with::

    python -m clawgym_env.benchmarks.rollouts --out docs/benchmarks

Two policies, on the first ``--tasks`` tasks of the training suite with a
group size of ``--n`` (real bwrap sandboxes and verifiers):

* **oracle**: the reference solution, one tool call per turn (sandbox- and
  verifier-bound: the CPU work is all ClawGym's);
* **multi-turn**: explores first (``ls``, ``wc``, a ``read``), then plays the
  reference solution, and waits ``--latency-ms`` before every turn as a model
  server would (generation runs elsewhere; the env worker only waits).

For each: episodes per second in-process (one after the other) and with pools
of 1 actor x 1 live env, 2 actors x 1 live env and 2 actors x ``--live`` live
envs. Each actor reserves one CPU of Ray's, so the scaling efficiency is
measured between the first two, with the same work per actor:
``throughput(2 x 1) / (2 x throughput(1 x 1))``. The 1 x 1 pool plays the
episodes one after the other, exactly as in-process, so ``(pool time -
in-process time) / episodes`` is the pool's overhead per episode. Every figure
is the median of ``--repeats`` runs; p50/p95 of the episodes' own wall time
are reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from clawgym_env._progress import ProgressBar
from clawgym_env.agents import OracleAgent
from clawgym_env.benchmarks._stats import percentiles
from clawgym_env.envs.task import Task
from clawgym_env.rl.batch import RolloutBatch, rollout_in_process

__all__ = ["ExploringAgent", "main", "run_benchmark"]


class ExploringAgent:
    """Looks around the workspace for three turns, then plays the reference solution; waits before every turn."""

    EXPLORE = (
        {"name": "exec", "arguments": {"command": "ls -R"}},
        {"name": "exec", "arguments": {"command": "find . -type f | head -20 | xargs wc -c"}},
        {"name": "exec", "arguments": {"command": "find . -type f -name '*.md' | head -3 | xargs -r cat | head -50"}},
    )

    def __init__(self, latency_s: float = 0.05) -> None:
        self.latency_s = latency_s

    def start(self, task: Task) -> None:
        self.oracle = OracleAgent()
        self.oracle.start(task)
        self.turn = 0

    def act(self, messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]) -> Any:
        time.sleep(self.latency_s)
        self.turn += 1
        if self.turn <= len(self.EXPLORE):
            return dict(self.EXPLORE[self.turn - 1])
        return self.oracle.act(messages, tools)


def _check(batch: RolloutBatch, label: str) -> None:
    failed = batch.failures
    if failed:
        raise RuntimeError(f"{label}: {len(failed)} episodes failed, e.g. {failed[0].failure}")
    unsolved = [t.env_id for t in batch.trajectories if t.reward < 1.0]
    if unsolved:
        raise RuntimeError(f"{label}: the reference solution did not score 1.0 on {unsolved[:3]}")


def _measure(ids: list[str], policy: Any, n: int, repeats: int, live: int, label: str) -> dict[str, Any]:
    from clawgym_env.rl.pool import RolloutPool

    episodes = len(ids) * n
    runs: dict[str, list[float]] = {"in_process": [], "pool_1x1": [], "pool_2x1": [], "pool_2xlive": []}
    episode_times: dict[str, list[float]] = {key: [] for key in runs}
    bar = ProgressBar(f"{label:>10}", repeats * len(runs))

    inside: dict[str, list[float]] = {key: [] for key in runs}

    def record(key: str, batch: RolloutBatch) -> None:
        _check(batch, label)
        runs[key].append(batch.wall_time_s)
        episode_times[key].extend(t.wall_time_s for t in batch.trajectories)
        inside[key].append(sum(t.wall_time_s for t in batch.trajectories))
        bar.advance()

    # In-process and the 1x1 pool alternate, so that drift on a noisy machine hits both alike.
    with RolloutPool(1, max_live_envs=1) as pool:
        _check(pool.rollout(ids[:2], policy, n=1), label)  # warm up: imports, first sandboxes
        for _ in range(repeats):
            record("in_process", rollout_in_process(ids, policy, n=n))
            record("pool_1x1", pool.rollout(ids, policy, n=n))
    # One pool at a time: each actor holds a CPU of the local Ray instance.
    for key, actors, pool_live in (("pool_2x1", 2, 1), ("pool_2xlive", 2, live)):
        with RolloutPool(actors, max_live_envs=pool_live) as pool:
            _check(pool.rollout(ids[:2], policy, n=1), label)
            for _ in range(repeats):
                record(key, pool.rollout(ids, policy, n=n))
    median = {key: statistics.median(values) for key, values in runs.items()}
    throughput = {key: episodes / value for key, value in median.items()}
    overheads = [(p - i) / episodes for p, i in zip(runs["pool_1x1"], runs["in_process"], strict=True)]
    # Time the 1x1 pool spent outside the episodes themselves: dispatch, transfer, result handling.
    dispatch = [(w - e) / episodes for w, e in zip(runs["pool_1x1"], inside["pool_1x1"], strict=True)]
    return {
        "episodes": episodes,
        "wall_s": median,
        "episodes_per_s": throughput,
        "scaling_efficiency_1_to_2": throughput["pool_2x1"] / (2 * throughput["pool_1x1"]),
        "speedup_best_vs_in_process": max(throughput.values()) / throughput["in_process"],
        "pool_overhead_ms_per_episode": statistics.median(overheads) * 1000,
        "pool_overhead_ms_per_episode_runs": [o * 1000 for o in overheads],
        "pool_dispatch_ms_per_episode": statistics.median(dispatch) * 1000,
        "episode_wall": {key: percentiles(values) for key, values in episode_times.items()},
    }


def run_benchmark(*, tasks: int, n: int, repeats: int, live: int, latency_ms: float) -> dict[str, Any]:
    import ray

    ids = [f"ClawGym/task-{i:04d}" for i in range(tasks)]
    ray.init(num_cpus=os.cpu_count() or 2, include_dashboard=False, log_to_driver=False)
    try:
        results = {
            "oracle": _measure(ids, OracleAgent(), n, repeats, live, "oracle"),
            "multi_turn": _measure(ids, ExploringAgent(latency_ms / 1000), n, repeats, live, "multi-turn"),
        }
    finally:
        ray.shutdown()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "settings": {"tasks": tasks, "n": n, "repeats": repeats, "live_envs_per_actor": live, "latency_ms": latency_ms},
        "results": results,
    }


def render_markdown(report: dict[str, Any]) -> str:
    settings = report["settings"]
    lines = [
        "# Rollout throughput: Ray pool vs in-process",
        "",
        f"Measured {report['date']} on {report['machine']} with `python -m clawgym_env.benchmarks.rollouts`.",
        f"{settings['tasks']} training tasks x n={settings['n']} per run, real bwrap sandboxes and verifiers; "
        f"every figure is the median of {settings['repeats']} runs. Pools are `actors x live envs per actor`; "
        "`1x1` plays one episode at a time like in-process, so their difference is the pool's overhead, and "
        "scaling 1→2 compares `2x1` with `1x1` (the same work per actor, one CPU each). The multi-turn policy "
        f"waits {settings['latency_ms']:g} ms before every turn, as a model server would.",
        "",
        "| policy | episodes | in-process ep/s | pool 1x1 ep/s | pool 2x1 ep/s "
        f"| pool 2x{settings['live_envs_per_actor']} ep/s | scaling 1→2 | best vs in-process "
        "| pool overhead / episode | 1x1 pool time outside episodes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["results"].items():
        t = r["episodes_per_s"]
        lines.append(
            f"| {name} | {r['episodes']} | {t['in_process']:.2f} | {t['pool_1x1']:.2f} | {t['pool_2x1']:.2f} "
            f"| {t['pool_2xlive']:.2f} | {r['scaling_efficiency_1_to_2']:.0%} | {r['speedup_best_vs_in_process']:.2f}x "
            f"| {r['pool_overhead_ms_per_episode']:.1f} ms | {r['pool_dispatch_ms_per_episode']:.1f} ms |"
        )
    lines += [
        "",
        "Episode wall time (reset to reward, inside the worker), p50 / p95 in ms:",
        "",
        f"| policy | in-process | pool 1x1 | pool 2x1 | pool 2x{settings['live_envs_per_actor']} |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in report["results"].items():
        w = r["episode_wall"]
        cells = " | ".join(
            f"{w[k]['p50_ms']:.0f} / {w[k]['p95_ms']:.0f}"
            for k in ("in_process", "pool_1x1", "pool_2x1", "pool_2xlive")
        )
        lines.append(f"| {name} | {cells} |")
    lines += [
        "",
        "*Pool overhead / episode*: (1x1 pool time - in-process time) / episodes, the runs alternating; "
        "a single run's value swings by tens of ms on this machine (see below), so read the median. "
        "*1x1 pool time outside episodes*: the 1x1 pool's time minus the episodes' own wall time, per "
        "episode: what Ray dispatch, transfer and result handling cost, measured within each run.",
        "",
        "Pool overhead per run (ms per episode): "
        + "; ".join(
            f"{name}: " + ", ".join(f"{o:.1f}" for o in r["pool_overhead_ms_per_episode_runs"])
            for name, r in report["results"].items()
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="directory for rollouts.json and rollouts.md")
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--n", type=int, default=2, help="group size")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--live", type=int, default=4, help="live envs per actor")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the multi-turn policy's wait per turn")
    args = parser.parse_args(argv)
    report = run_benchmark(tasks=args.tasks, n=args.n, repeats=args.repeats, live=args.live, latency_ms=args.latency_ms)
    markdown = render_markdown(report)
    print(markdown)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "rollouts.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (args.out / "rollouts.md").write_text(markdown, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
