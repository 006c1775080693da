"""Sandbox performance, measured side by side in one run.

Run it with::

    python -m clawgym_env.benchmarks.sandbox --out docs/benchmarks

For every backend that can run here it measures:

* ``reset()`` of a 10-file task, as a training loop sees it: each reset
  follows an episode that ran a command, so it includes closing that
  episode's sandbox and workspace;
* time to first command: ``reset()`` and then one ``exec`` of ``true``, i.e.
  until the agent's sandbox has actually run something (the ``bwrap`` sandbox
  starts in the background during ``reset()``);
* one ``exec`` of ``true`` through the sandbox, back to back and spaced
  100 ms apart (as when a model generates between tool calls: some kernel
  costs, such as moving a process into a cgroup, only show when spaced);
* 64 envs alive at once: all reset, one command each, all closed;
* the built-in suite's tasks (a benchmark task of every family): generating
  one on first use, and ``reset()`` of it with bwrap.

Alternatives measured in the same run, for the ratios: ``bash -c true``
spawned on the host with no sandbox (the floor), and ``bwrap`` started afresh
for every command (fresh namespaces per command, the obvious way to use
bubblewrap). It reports p50/p95 and ratios (this machine is noisy: compare
medians and ratios, not single numbers) and writes ``sandbox.json`` and
``sandbox.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from clawgym_env._progress import ProgressBar
from clawgym_env.benchmarks._stats import percentiles
from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.envs.task import Task, Verifier
from clawgym_env.sandbox import Sandbox, available_backends

__all__ = ["main", "run_benchmark"]

TEN_FILE_TASK = Task(
    id="bench-10-files",
    instruction="Benchmark task with ten small files.",
    verifier=Verifier(files={"reward.sh": "echo 1.0\n"}),
    files={f"docs/note_{i:02d}.md": f"# Note {i}\n" + "lorem ipsum dolor sit amet\n" * 20 for i in range(10)},
)


def _time_many(label: str, n: int, action: Callable[[], None]) -> list[float]:
    samples = []
    bar = ProgressBar(label, n)
    for i in range(n):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
        bar.update(i + 1)
    return samples


def _bench_reset(backend: str, n: int, task: Task = TEN_FILE_TASK) -> tuple[list[float], list[float]]:
    """``reset()`` times and reset-to-first-command times, over ``n`` episodes of one command each."""
    env = ClawEnv(task, sandbox=backend)
    resets: list[float] = []
    firsts: list[float] = []
    try:
        env.reset()  # warm-up: first import of the backend, image lookup, ...
        _sandbox_of(env).run("true")
        bar = ProgressBar(f"reset [{backend}]", n)
        for i in range(n):
            started = time.perf_counter()
            env.reset()
            resets.append(time.perf_counter() - started)
            _sandbox_of(env).run("true")
            firsts.append(time.perf_counter() - started)
            bar.update(i + 1)
    finally:
        env.close()
    return resets, firsts


def _sandbox_of(env: ClawEnv) -> Sandbox:
    if env.sandbox is None:
        raise RuntimeError("no sandbox after reset")
    return env.sandbox


def _bench_generated(rounds: int) -> dict[str, Any]:
    """The built-in benchmark suite's tasks (one per family): generation on first use, and ``reset()`` on bwrap."""
    from clawgym_env.envs.suite import FAMILIES, suites

    refs = [ref for ref in suites.suite_refs("bench")][: len(FAMILIES)]
    generation: list[float] = []
    resets: list[float] = []
    files: list[int] = []
    bar = ProgressBar("generated tasks [bwrap]", len(refs))
    for done, ref in enumerate(refs, start=1):
        started = time.perf_counter()
        task = suites.generate.__wrapped__("bench", ref.task_id).task  # uncached: the first-use cost
        generation.append(time.perf_counter() - started)
        files.append(len(task.files))
        resets += _bench_reset("bwrap", rounds, task)[0]
        bar.update(done)
    return {
        "tasks": len(refs),
        "files_per_task_median": statistics.median(files),
        "files_per_task_max": max(files),
        "generation": percentiles(generation),
        "reset": percentiles(resets),
    }


def _bench_exec_true(backend: str, n: int, *, spacing_s: float = 0.0) -> list[float]:
    env = ClawEnv(TEN_FILE_TASK, sandbox=backend)
    try:
        env.reset()
        sandbox = _sandbox_of(env)
        sandbox.run("true")
        label = f"exec true [{backend}" + (f", {spacing_s * 1000:.0f} ms apart]" if spacing_s else "]")

        def one() -> None:
            if spacing_s:
                time.sleep(spacing_s)
            started = time.perf_counter()
            sandbox.run("true")
            samples.append(time.perf_counter() - started)

        samples: list[float] = []
        bar = ProgressBar(label, n)
        for i in range(n):
            one()
            bar.update(i + 1)
        return samples
    finally:
        env.close()


def _bench_host_true(n: int) -> list[float]:
    return _time_many("exec true [host, no sandbox]", n, lambda: subprocess.run(["bash", "-c", "true"], check=True))


def _bench_bwrap_per_command(n: int) -> list[float]:
    """``bash -c true`` in a fresh ``bwrap`` (same mounts and namespaces) per command."""
    from clawgym_env.sandbox.bwrap import BwrapSandbox

    with tempfile.TemporaryDirectory(prefix="clawgym-bench-") as workspace:
        box = BwrapSandbox(Path(workspace))
        try:
            argv = [a for a in box.bwrap_argv if a != "--as-pid-1"]
            argv = [*argv[:-2], "--chdir", str(box.mount_path), "--die-with-parent", "bash", "-c", "true"]
            subprocess.run(argv, check=True)
            return _time_many("exec true [fresh bwrap per command]", n, lambda: subprocess.run(argv, check=True))
        finally:
            box.close()


def _bench_many_alive(backend: str, count: int) -> dict[str, Any]:
    envs = [ClawEnv(TEN_FILE_TASK, sandbox=backend) for _ in range(count)]
    started = time.perf_counter()
    ok = 0
    try:
        bar = ProgressBar(f"{count} envs alive [{backend}]", count)
        for i, env in enumerate(envs):
            env.reset()
            bar.update(i + 1)
        for env in envs:
            obs, *_ = env.step({"name": "exec", "arguments": {"command": "ls docs | wc -l"}})
            ok += obs.strip().startswith("10")
    finally:
        for env in envs:
            env.close()
    return {"envs": count, "commands_ok": ok, "seconds": time.perf_counter() - started}


def run_benchmark(*, backends: list[str], n_fast: int, n_docker: int, n_spaced: int, alive: int) -> dict[str, Any]:
    """Run every measurement for ``backends``; unavailable ones are recorded with their reason."""
    status = available_backends()
    results: dict[str, Any] = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpu_count()},
        "host_bash_true": percentiles(_bench_host_true(n_fast)),
        "backends": {},
    }
    if "bwrap" in backends and status.get("bwrap") is None:
        results["bwrap_fresh_per_command_true"] = percentiles(_bench_bwrap_per_command(n_fast))
    for backend in backends:
        if status.get(backend) is not None:
            results["backends"][backend] = {"skipped": status[backend]}
            continue
        n = n_docker if backend == "docker" else n_fast
        resets, firsts = _bench_reset(backend, n)
        results["backends"][backend] = {
            "reset_10_files": percentiles(resets),
            "reset_to_first_command": percentiles(firsts),
            "exec_true": percentiles(_bench_exec_true(backend, n)),
            "exec_true_spaced_100ms": percentiles(_bench_exec_true(backend, min(n, n_spaced), spacing_s=0.1)),
            "many_alive": _bench_many_alive(backend, alive),
        }
    if "bwrap" in backends and status.get("bwrap") is None:
        results["generated_tasks"] = _bench_generated(rounds=max(1, n_fast // 40))
    results["ratios"] = _ratios(results)
    return results


def _ratios(results: dict[str, Any]) -> dict[str, float]:
    measured = {b: r for b, r in results["backends"].items() if "skipped" not in r}
    ratios: dict[str, float] = {}

    def p50(backend: str, key: str) -> float:
        return float(measured[backend][key]["p50_ms"])

    if "bwrap" in measured and "docker" in measured:
        for key in ("reset_10_files", "reset_to_first_command", "exec_true", "exec_true_spaced_100ms"):
            ratios[f"{key}_docker_over_bwrap_p50"] = p50("docker", key) / p50("bwrap", key)
    if "bwrap" in measured and "bwrap_fresh_per_command_true" in results:
        fresh = results["bwrap_fresh_per_command_true"]["p50_ms"]
        ratios["exec_true_fresh_bwrap_over_bwrap_p50"] = fresh / p50("bwrap", "exec_true")
    return ratios


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0


def render_markdown(results: dict[str, Any]) -> str:
    """A Markdown report of :func:`run_benchmark` output."""
    host = results["host_bash_true"]
    lines = [
        "# Sandbox benchmark",
        "",
        f"Measured {results['when']} on {results['machine']['platform']}, "
        f"{results['machine']['cpus']} CPUs, Python {results['machine']['python']}.",
        "Command: `python -m clawgym_env.benchmarks.sandbox --out docs/benchmarks`. Times in ms, p50 / p95.",
        "",
        "| backend | `reset()`, 10-file task | `reset()` + first command | exec `true` | "
        "exec `true`, 100 ms apart | envs alive at once |",
        "|---|---|---|---|---|---|",
    ]

    def cell(stats: dict[str, float]) -> str:
        return f"{stats['p50_ms']:.2f} / {stats['p95_ms']:.2f}"

    for backend, data in results["backends"].items():
        if "skipped" in data:
            lines.append(f"| {backend} | skipped: {data['skipped']} | | | | |")
            continue
        alive = data["many_alive"]
        lines.append(
            f"| {backend} | {cell(data['reset_10_files'])} | {cell(data['reset_to_first_command'])} "
            f"| {cell(data['exec_true'])} | {cell(data['exec_true_spaced_100ms'])} "
            f"| {alive['commands_ok']}/{alive['envs']} ok in {alive['seconds']:.1f} s |"
        )
    lines += ["", "Alternatives, same run:", "", f"* host `bash -c true`, no sandbox: {cell(host)}"]
    if "bwrap_fresh_per_command_true" in results:
        lines.append(
            f"* `bash -c true` in a fresh `bwrap` per command (same mounts and namespaces): "
            f"{cell(results['bwrap_fresh_per_command_true'])}"
        )
    generated = results.get("generated_tasks")
    if generated:
        lines += [
            "",
            f"Built-in tasks ({generated['tasks']} benchmark tasks, one per family; median "
            f"{generated['files_per_task_median']:g} files, at most {generated['files_per_task_max']}): "
            f"generation on first use {cell(generated['generation'])}, `reset()` on bwrap {cell(generated['reset'])}.",
        ]
    if results.get("ratios"):
        lines += ["", "Ratios of p50s (same run):", ""]
        names = {
            "reset_10_files_docker_over_bwrap_p50": "`reset()`, docker / bwrap",
            "reset_to_first_command_docker_over_bwrap_p50": "`reset()` + first command, docker / bwrap",
            "exec_true_docker_over_bwrap_p50": "exec `true`, docker / bwrap",
            "exec_true_spaced_100ms_docker_over_bwrap_p50": "exec `true` 100 ms apart, docker / bwrap",
            "exec_true_fresh_bwrap_over_bwrap_p50": "exec `true`, fresh bwrap per command / bwrap sandbox",
        }
        for key, value in results["ratios"].items():
            lines.append(f"* {names.get(key, key)}: **{value:.1f}x**")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="directory for sandbox.json and sandbox.md")
    parser.add_argument("--backends", default="bwrap,docker,local", help="comma-separated (default: %(default)s)")
    parser.add_argument("-n", type=int, default=200, help="samples for bwrap and local (default: %(default)s)")
    parser.add_argument("--n-docker", type=int, default=40, help="samples for docker (default: %(default)s)")
    parser.add_argument(
        "--n-spaced", type=int, default=50, help="samples of commands 100 ms apart (default: %(default)s)"
    )
    parser.add_argument("--alive", type=int, default=64, help="envs alive at once (default: %(default)s)")
    args = parser.parse_args(argv)
    results = run_benchmark(
        backends=[b.strip() for b in args.backends.split(",") if b.strip()],
        n_fast=args.n,
        n_docker=args.n_docker,
        n_spaced=args.n_spaced,
        alive=args.alive,
    )
    report = render_markdown(results)
    print(report)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "sandbox.json").write_text(json.dumps(results, indent=2) + "\n")
        (args.out / "sandbox.md").write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
