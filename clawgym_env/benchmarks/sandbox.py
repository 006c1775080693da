"""Sandbox performance, measured side by side in one run.

Run it with::

    python -m clawgym_env.benchmarks.sandbox --out docs/benchmarks

It measures, for every backend that can run here:

* ``reset()`` of a 10-file task (a fresh workspace and sandbox per episode),
* the cost of one ``exec`` of ``true`` through the sandbox, next to the same
  ``bash -c true`` spawned directly on the host (the floor), and
* 64 envs alive at once: all reset, one command each, all closed, and nothing left.

It reports p50/p95 and ratios (this machine is noisy: compare medians and
ratios, not single numbers) and writes ``sandbox.json`` and ``sandbox.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from clawgym_env.envs.claw_env import ClawEnv
from clawgym_env.envs.task import Task, Verifier
from clawgym_env.sandbox import available_backends

__all__ = ["main", "run_benchmark"]

TEN_FILE_TASK = Task(
    id="bench-10-files",
    instruction="Benchmark task with ten small files.",
    verifier=Verifier(files={"reward.sh": "echo 1.0\n"}),
    files={f"docs/note_{i:02d}.md": f"# Note {i}\n" + "lorem ipsum dolor sit amet\n" * 20 for i in range(10)},
)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95_index = min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    return {
        "n": len(ordered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[p95_index] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def _progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _time_many(label: str, n: int, action: Callable[[], None]) -> list[float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
        _progress(label, i + 1, n)
    return samples


def _bench_reset(backend: str, n: int) -> list[float]:
    env = ClawEnv(TEN_FILE_TASK, sandbox=backend)
    try:
        env.reset()  # warm-up: first import of the backend, image lookup, ...
        return _time_many(f"reset [{backend}]", n, lambda: env.reset())
    finally:
        env.close()


def _bench_exec_true(backend: str, n: int) -> list[float]:
    env = ClawEnv(TEN_FILE_TASK, sandbox=backend)
    try:
        env.reset()
        sandbox = env.sandbox
        if sandbox is None:
            raise RuntimeError("no sandbox after reset")
        sandbox.run("true")
        return _time_many(f"exec true [{backend}]", n, lambda: sandbox.run("true"))
    finally:
        env.close()


def _bench_host_true(n: int) -> list[float]:
    return _time_many("exec true [host, no sandbox]", n, lambda: subprocess.run(["bash", "-c", "true"], check=True))


def _bench_many_alive(backend: str, count: int) -> dict[str, Any]:
    envs = [ClawEnv(TEN_FILE_TASK, sandbox=backend) for _ in range(count)]
    started = time.perf_counter()
    ok = 0
    try:
        for i, env in enumerate(envs):
            env.reset()
            _progress(f"{count} envs alive [{backend}]", i + 1, count)
        for env in envs:
            obs, *_ = env.step({"name": "exec", "arguments": {"command": "ls docs | wc -l"}})
            ok += obs.strip().startswith("10")
    finally:
        for env in envs:
            env.close()
    return {"envs": count, "commands_ok": ok, "seconds": time.perf_counter() - started}


def run_benchmark(*, backends: list[str], n_fast: int, n_docker: int, alive: int) -> dict[str, Any]:
    """Run every measurement for ``backends``; unavailable ones are recorded with their reason."""
    status = available_backends()
    results: dict[str, Any] = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpu_count()},
        "host_bash_true": _percentiles(_bench_host_true(n_fast)),
        "backends": {},
    }
    for backend in backends:
        if status.get(backend) is not None:
            results["backends"][backend] = {"skipped": status[backend]}
            continue
        n = n_docker if backend == "docker" else n_fast
        results["backends"][backend] = {
            "reset_10_files": _percentiles(_bench_reset(backend, n)),
            "exec_true": _percentiles(_bench_exec_true(backend, n)),
            "many_alive": _bench_many_alive(backend, alive),
        }
    measured = {b: r for b, r in results["backends"].items() if "skipped" not in r}
    if "bwrap" in measured and "docker" in measured:
        results["ratios"] = {
            "reset_docker_over_bwrap_p50": measured["docker"]["reset_10_files"]["p50_ms"]
            / measured["bwrap"]["reset_10_files"]["p50_ms"],
            "exec_docker_over_bwrap_p50": measured["docker"]["exec_true"]["p50_ms"]
            / measured["bwrap"]["exec_true"]["p50_ms"],
        }
    return results


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
        "Command: `python -m clawgym_env.benchmarks.sandbox --out docs/benchmarks`.",
        "",
        "| backend | reset() of a 10-file task p50 / p95 (ms) | exec `true` p50 / p95 (ms) | "
        "exec overhead over host `bash -c true` p50 (ms) | 64 envs alive |",
        "|---|---|---|---|---|",
    ]
    for backend, data in results["backends"].items():
        if "skipped" in data:
            lines.append(f"| {backend} | skipped: {data['skipped']} | | | |")
            continue
        reset, run, alive = data["reset_10_files"], data["exec_true"], data["many_alive"]
        overhead = run["p50_ms"] - host["p50_ms"]
        lines.append(
            f"| {backend} | {reset['p50_ms']:.2f} / {reset['p95_ms']:.2f} | {run['p50_ms']:.2f} / {run['p95_ms']:.2f} "
            f"| {overhead:+.2f} | {alive['commands_ok']}/{alive['envs']} ok in {alive['seconds']:.1f} s |"
        )
    lines += [
        "",
        f"Host `bash -c true` without a sandbox: p50 {host['p50_ms']:.2f} ms, p95 {host['p95_ms']:.2f} ms.",
        "",
    ]
    if "ratios" in results:
        ratios = results["ratios"]
        lines.append(
            f"Ratios (same run): docker/bwrap reset p50 = **{ratios['reset_docker_over_bwrap_p50']:.1f}x**, "
            f"docker/bwrap exec p50 = **{ratios['exec_docker_over_bwrap_p50']:.1f}x**."
        )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="directory for sandbox.json and sandbox.md")
    parser.add_argument("--backends", default="bwrap,docker,local", help="comma-separated (default: %(default)s)")
    parser.add_argument("-n", type=int, default=200, help="samples for bwrap and local (default: %(default)s)")
    parser.add_argument("--n-docker", type=int, default=40, help="samples for docker (default: %(default)s)")
    parser.add_argument("--alive", type=int, default=64, help="envs alive at once (default: %(default)s)")
    args = parser.parse_args(argv)
    results = run_benchmark(
        backends=[b.strip() for b in args.backends.split(",") if b.strip()],
        n_fast=args.n,
        n_docker=args.n_docker,
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
