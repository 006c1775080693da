"""The ``clawgym`` command line.

Commands import what they need when they run, so ``clawgym --help`` is fast.
Library errors print their message (no traceback) and exit with status 2.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["main"]

AGENTS = ("oracle", "noop")
BACKENDS = ("bwrap", "docker", "local")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clawgym",
        description="Claw-style personal-agent tasks as Gymnasium environments.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    parser.add_argument(
        "--tasks",
        action="append",
        default=[],
        metavar="PATH",
        help="also register the tasks in PATH (a ClawGym task directory, a directory of them, or a JSONL file)",
    )
    parser.add_argument("--namespace", default="Local", help="namespace for the ids of --tasks (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    list_cmd = commands.add_parser("list", help="list registered env ids")
    list_cmd.add_argument("pattern", nargs="?", default="*", help="glob over ids, e.g. 'ClawGym/task-004*'")
    list_cmd.add_argument(
        "--stats", action="store_true", help="counts per scenario, operation, difficulty and verification type"
    )

    info_cmd = commands.add_parser("info", help="show one task: instruction, files, verifier, tools")
    info_cmd.add_argument("env_id")

    run_cmd = commands.add_parser("run", help="play one episode and print the transcript and the reward")
    run_cmd.add_argument("env_id")
    run_cmd.add_argument("--agent", choices=AGENTS, default="oracle", help="who plays (default: %(default)s)")
    run_cmd.add_argument(
        "--sandbox", choices=BACKENDS, default=None, help="sandbox backend (default: the env's, bwrap)"
    )
    run_cmd.add_argument("--max-steps", type=int, default=None, help="turn limit (default: the env's)")
    run_cmd.add_argument("--seed", type=int, default=0)
    run_cmd.add_argument("--json", action="store_true", help="print the episode as one JSON object instead")

    check_cmd = commands.add_parser(
        "check", help="prove tasks: reference solution scores 1.0, no-op 0.0, a near miss in between"
    )
    check_cmd.add_argument(
        "targets",
        nargs="*",
        default=["ClawGym/*", "ClawGym-Bench/*"],
        help="env ids or globs (default: both built-in suites)",
    )
    check_cmd.add_argument("--sample", type=int, default=None, help="check N ids spread evenly over the targets")
    check_cmd.add_argument("--jobs", type=int, default=2, help="worker processes (default: %(default)s)")
    check_cmd.add_argument("--sandbox", choices=BACKENDS, default="bwrap")
    check_cmd.add_argument("--json", type=str, default=None, metavar="PATH", help="write every proof as JSONL here")
    check_cmd.add_argument("--summary", type=str, default=None, metavar="PATH", help="write a Markdown summary here")

    eval_cmd = commands.add_parser(
        "eval", help="score an agent over env ids or a suite, K runs each, into a resumable JSONL file"
    )
    eval_cmd.add_argument("targets", nargs="*", default=[], help="env ids or globs (or use --suite)")
    eval_cmd.add_argument("--suite", default=None, help="a namespace, e.g. ClawGym-Bench (all its ids)")
    eval_cmd.add_argument("--agent", choices=(*AGENTS, "random", "openai"), default="oracle")
    eval_cmd.add_argument("--model", default=None, help="--agent openai: the model name")
    eval_cmd.add_argument(
        "--base-url", default=None, help="--agent openai: the endpoint, e.g. http://localhost:8000/v1"
    )
    eval_cmd.add_argument("--runs", type=int, default=1, help="repetitions per task (default: %(default)s)")
    eval_cmd.add_argument("--jobs", type=int, default=2, help="episodes at once (default: %(default)s)")
    eval_cmd.add_argument("--sandbox", choices=BACKENDS, default="bwrap")
    eval_cmd.add_argument(
        "--out", default=None, help="results JSONL (default: clawgym-eval-AGENT.jsonl); re-runs resume"
    )

    bench_cmd = commands.add_parser("bench", help="benchmark construction")
    bench_sub = bench_cmd.add_subparsers(dest="bench_command", required=True, metavar="ACTION")
    filter_cmd = bench_sub.add_parser(
        "filter",
        help="keep tasks a strong model can do and a small one cannot (from two clawgym eval results)",
        description="Keep task t iff s_strong(t) >= --min-strong, s_small(t) <= --max-small and "
        "s_strong(t) > s_small(t); scores are means over runs.",
    )
    filter_cmd.add_argument("strong", help="clawgym eval results (JSONL) of the strong model")
    filter_cmd.add_argument("small", help="clawgym eval results (JSONL) of the small model")
    filter_cmd.add_argument("--min-strong", type=float, default=0.2)
    filter_cmd.add_argument("--max-small", type=float, default=0.6)
    filter_cmd.add_argument("--out", default=None, help="write the kept ids here, one per line")

    export_cmd = commands.add_parser(
        "export", help="write tasks in the released ClawGym directory format (runs in the reference harness)"
    )
    export_cmd.add_argument("target", help="an env id or a glob, e.g. 'ClawGym-Bench/*'")
    export_cmd.add_argument("dest", help="directory to write task directories into")

    sandbox_cmd = commands.add_parser("sandbox", help="sandbox backends: status, docker image")
    sandbox_sub = sandbox_cmd.add_subparsers(dest="sandbox_command", required=True, metavar="ACTION")
    sandbox_sub.add_parser("status", help="which backends can run here, and what to install for the others")
    build = sandbox_sub.add_parser(
        "build-image", help="build the docker sandbox image locally (debootstrap, no registry)"
    )
    build.add_argument("--tag", default=None, help="image tag (default: the docker backend's default image)")

    rl_cmd = commands.add_parser("rl", help="reinforcement learning: datasets for trainers (verl)")
    rl_sub = rl_cmd.add_subparsers(dest="rl_command", required=True, metavar="ACTION")
    dataset = rl_sub.add_parser(
        "dataset",
        help="write verl's RL parquet for a suite (rows played by the 'clawgym' agent loop)",
        description="Write one verl RL row per env id: prompt, data_source, agent_name=clawgym, "
        "reward_model, extra_info.env_id. Needs the [verl] extra.",
    )
    dataset.add_argument(
        "suite",
        help="builtin:train, builtin:bench, a namespace (ClawGym, ClawGym-Bench, or one given with --tasks) "
        "or a glob over ids ('ClawGym/task-00*')",
    )
    dataset.add_argument("--out", required=True, metavar="PATH", help="the parquet file to write")
    dataset.add_argument("--limit", type=int, default=None, help="only the first N ids (in id order)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clawgym`` console script; returns the exit status."""
    args = _build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from gymnasium.error import Error as GymnasiumError

    from clawgym_env.errors import ClawGymError

    try:
        if args.tasks:
            import clawgym_env

            clawgym_env.register_tasks(args.tasks, args.namespace)
        handler = {
            "list": _cmd_list,
            "info": _cmd_info,
            "run": _cmd_run,
            "check": _cmd_check,
            "eval": _cmd_eval,
            "bench": _cmd_bench,
            "export": _cmd_export,
            "sandbox": _cmd_sandbox,
            "rl": _cmd_rl,
        }[args.command]
        return handler(args, sys.stdout)
    except ClawGymError as exc:
        print(f"clawgym: error: {exc}", file=sys.stderr)
        return 2
    except GymnasiumError as exc:
        print(f"clawgym: error: {exc}\n(run 'clawgym list' to see the registered ids)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("clawgym: interrupted", file=sys.stderr)
        return 130


# -- commands ---------------------------------------------------------------------


def _clawgym_specs() -> list[Any]:
    import gymnasium as gym

    import clawgym_env  # noqa: F401 - registers the built-in ids
    from clawgym_env.envs.registration import ENTRY_POINT

    return sorted((s for s in gym.registry.values() if s.entry_point == ENTRY_POINT), key=lambda s: s.id)


def _task_of(env_id: str) -> Any:
    import gymnasium as gym

    import clawgym_env  # noqa: F401
    from clawgym_env.envs.registration import ENTRY_POINT, get_task
    from clawgym_env.errors import RegistrationError

    spec = gym.spec(env_id)  # unknown ids raise gymnasium's error with a "Did you mean" hint
    if spec.entry_point != ENTRY_POINT:
        raise RegistrationError(f"{env_id} is not a ClawGym env (entry point {spec.entry_point})")
    return spec, get_task(spec.kwargs["task_source"], spec.kwargs["task_id"])


MAX_LISTED_INSTRUCTIONS = 200
"""``clawgym list`` shows instructions when it lists at most this many ids (built-in ones are generated)."""


def _matching(patterns: Sequence[str]) -> list[Any]:
    specs = _clawgym_specs()
    return [s for s in specs if any(fnmatch.fnmatchcase(s.id, p) or s.id == p for p in patterns)]


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    from clawgym_env.envs.registration import BUILTIN_SUITES, get_task
    from clawgym_env.envs.suite.catalog import read_catalog, render_stats

    specs = _matching([args.pattern])
    if not specs:
        print(f"no env id matches {args.pattern!r}; try 'clawgym list' for all of them", file=out)
        return 1
    catalog = {row["env_id"]: row for row in read_catalog()}
    if args.stats:
        rows = [catalog[s.id] for s in specs if s.id in catalog]
        if not rows:
            print("--stats covers the built-in suites; no built-in id matches", file=out)
            return 1
        out.write(render_stats(rows))
        return 0
    show_text = len(specs) <= MAX_LISTED_INSTRUCTIONS
    rows = []
    for spec in specs:
        entry = catalog.get(spec.id)
        builtin = spec.kwargs["task_source"] in BUILTIN_SUITES
        if entry is not None and not show_text:
            rows.append([spec.id, entry["category"], entry["difficulty"], entry["grading_type"]])
            continue
        if builtin and not show_text:
            rows.append([spec.id, "-", "-", "-"])
            continue
        task = get_task(spec.kwargs["task_source"], spec.kwargs["task_id"])
        meta = task.metadata
        row = [spec.id, task.category or "-", str(meta.get("difficulty", "-")), str(meta.get("grading_type", "-"))]
        if show_text:
            row.append(_shorten(task.instruction, 70))
        rows.append(row)
    header = ["id", "category", "difficulty", "verification"] + (["instruction"] if show_text else [])
    _print_table(header, rows, out)
    print(f"\n{len(rows)} env ids", file=out)
    return 0


def _cmd_info(args: argparse.Namespace, out: TextIO) -> int:
    from clawgym_env.tools import ToolSet

    spec, task = _task_of(args.env_id)
    print(f"{spec.id}  (task {task.id}, from {task.source or spec.kwargs['task_source']})", file=out)
    print(f"metadata: {json.dumps(dict(task.metadata), ensure_ascii=False)}", file=out)
    print(f"workspace: {task.workspace_path}\n", file=out)
    print("instruction:", file=out)
    print(textwrap.indent(textwrap.fill(task.instruction, 100, replace_whitespace=False), "  "), file=out)
    print(f"\ninitial files ({len(task.files)}):", file=out)
    _print_table(["path", "bytes"], [[p, str(len(c))] for p, c in task.files.items()], out, indent="  ")
    print(f"\nverifier: bash reward/{task.verifier.entrypoint} (timeout {task.verifier.timeout_s:g} s)", file=out)
    print("  files: " + ", ".join(task.verifier.files), file=out)
    if task.rubric:
        print(f"\nrubric ({len(task.rubric)} rules):", file=out)
        for rule in task.rubric:
            print(f"  - [{rule.weight:g}] {rule.name}: {_shorten(rule.description, 90)}", file=out)
    steps = "none" if task.reference_solution is None else f"{len(task.reference_solution)} tool calls"
    print(f"\nreference solution: {steps}", file=out)
    tools = spec.kwargs.get("tools")
    names = tools if tools else ToolSet.coding().names
    print(f"tools: {', '.join(names)}", file=out)
    return 0


def _cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    import gymnasium as gym

    from clawgym_env.agents import NoopAgent, OracleAgent, run_episode

    _task_of(args.env_id)  # clear error for unknown ids before any sandbox starts
    kwargs: dict[str, Any] = {}
    if args.sandbox:
        kwargs["sandbox"] = args.sandbox
    if args.max_steps:
        kwargs["max_steps"] = args.max_steps
    agent = OracleAgent() if args.agent == "oracle" else NoopAgent()
    env = gym.make(args.env_id, render_mode="ansi", **kwargs)
    try:
        claw = env.unwrapped
        if not args.json:
            print(f"== {args.env_id}  agent={args.agent}  sandbox={claw.backend}", file=out)
            print(f"\n[user]\n{claw.task.instruction}\n", file=out)

        def show(turn: int, action: Any, observation: str, reward: float, info: dict[str, Any]) -> None:
            if not args.json:
                print(f"-- turn {turn}", file=out)
                print(claw.render(), file=out)

        result = run_episode(claw, agent, seed=args.seed, on_step=show)
    finally:
        env.close()
    if args.json:
        print(json.dumps(result.__dict__, ensure_ascii=False, default=str), file=out)
        return 0
    verification = result.verification
    print("== verification", file=out)
    rows = [[name, f"{value:g}"] for name, value in result.breakdown.items()]
    if rows:
        _print_table(["check", "score"], rows, out, indent="  ")
    if verification.get("error"):
        print(f"  note: {verification['error']}", file=out)
    ending = "terminated" if result.terminated else "truncated"
    print(f"\nreward: {result.reward:.4f}  ({ending} after {result.turns} turns, {result.wall_time_s:.2f} s)", file=out)
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from clawgym_env._progress import ProgressBar
    from clawgym_env.envs.checking import TaskProof, check_many, render_proof_summary

    ids = [spec.id for spec in _matching(args.targets)]
    if not ids:
        print(f"no env id matches {' '.join(args.targets)}", file=out)
        return 1
    if args.sample is not None and args.sample < len(ids):
        step = len(ids) / args.sample
        ids = [ids[int(i * step)] for i in range(args.sample)]
    print(f"checking {len(ids)} tasks with {args.jobs} worker(s) on {args.sandbox}...", file=out)
    bar = ProgressBar("check", len(ids))
    sink = open(args.json, "w", encoding="utf-8") if args.json else None  # noqa: SIM115 - closed below

    def record(proof: TaskProof) -> None:
        bar.advance()
        if sink is not None:
            sink.write(json.dumps(proof.to_dict(), ensure_ascii=False) + "\n")

    started = time.monotonic()
    try:
        proofs = check_many(ids, backend=args.sandbox, jobs=args.jobs, on_result=record)
    finally:
        if sink is not None:
            sink.close()
    failed = [p for p in proofs if not p.ok]
    elapsed = time.monotonic() - started
    if args.summary:
        Path(args.summary).write_text(
            render_proof_summary(proofs, elapsed_s=elapsed, jobs=args.jobs, backend=args.sandbox), encoding="utf-8"
        )
    print(
        f"\n{len(proofs) - len(failed)}/{len(proofs)} tasks proven in {elapsed:.0f} s "
        f"(reference 1.0, no-op 0.0, near miss strictly between).",
        file=out,
    )
    if failed:
        print(f"\n{len(failed)} failed:", file=out)
        for proof in failed:
            print(f"  {proof.task_id}: {'; '.join(proof.problems)}", file=out)
        return 1
    return 0


def _cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from clawgym_env._progress import ProgressBar
    from clawgym_env.benchmarks.runner import render_summary, run_eval, summarize, task_metadata
    from clawgym_env.rl.episode import EpisodeOptions

    targets = list(args.targets) + ([f"{args.suite}/*"] if args.suite else [])
    if not targets:
        print("clawgym: error: give env ids, globs or --suite NAME (e.g. --suite ClawGym-Bench)", file=sys.stderr)
        return 2
    ids = [spec.id for spec in _matching(targets)]
    if not ids:
        print(f"no env id matches {' '.join(targets)}; see clawgym list", file=out)
        return 1
    if args.agent == "openai":
        if not args.model:
            print("clawgym: error: --agent openai needs --model (and --base-url for a local server)", file=sys.stderr)
            return 2
        from clawgym_env.agents import OpenAIAgent

        policy: object = OpenAIAgent(args.model, base_url=args.base_url)
        label = f"openai:{args.model}"
    elif args.agent == "random":
        from clawgym_env.agents import RandomAgent

        policy, label = RandomAgent(0), "random"
    else:
        from clawgym_env.agents import NoopAgent, OracleAgent

        policy, label = (OracleAgent() if args.agent == "oracle" else NoopAgent()), args.agent
    path = Path(args.out or f"clawgym-eval-{args.agent}.jsonl")
    print(f"evaluating {label} on {len(ids)} tasks x {args.runs} run(s), {args.jobs} at once -> {path}", file=out)
    bar = ProgressBar("eval", len(ids) * args.runs)
    rows = run_eval(
        ids,
        policy,  # type: ignore[arg-type]
        path,
        agent=label,
        runs=args.runs,
        jobs=args.jobs,
        options=EpisodeOptions(env_kwargs={"sandbox": args.sandbox}),
        metadata=task_metadata,
        progress=bar.update,
    )
    wanted = set(ids)
    rows = [row for row in rows if row["env_id"] in wanted and row["run"] < args.runs]
    print("\n" + render_summary(summarize(rows), agent=label), file=out)
    return 0


def _cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    from clawgym_env.benchmarks.filtering import mean_scores, select_tasks
    from clawgym_env.benchmarks.runner import read_rows

    tables = []
    for path in (args.strong, args.small):
        rows = read_rows(path)
        if not rows:
            print(f"clawgym: error: {path} holds no results; write it with clawgym eval --out {path}", file=sys.stderr)
            return 2
        tables.append(mean_scores(rows))
    try:
        kept = select_tasks(*tables, min_strong=args.min_strong, max_small=args.max_small)
    except ValueError as exc:
        print(f"clawgym: error: {exc}", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_text("".join(f"{env_id}\n" for env_id in kept), encoding="utf-8")
    print(
        f"kept {len(kept)} of {len(tables[0])} tasks (s_strong >= {args.min_strong:g}, "
        f"s_small <= {args.max_small:g}, s_strong > s_small)",
        file=out,
    )
    if not args.out:
        for env_id in kept:
            print(env_id, file=out)
    return 0


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from clawgym_env._progress import ProgressBar
    from clawgym_env.envs.loaders import write_task_dir
    from clawgym_env.envs.registration import get_task

    specs = _matching([args.target])
    if not specs:
        print(f"no env id matches {args.target!r}", file=out)
        return 1
    dest = Path(args.dest)
    namespaces = {spec.id.split("/")[0] for spec in specs}
    bar = ProgressBar("export", len(specs))
    for done, spec in enumerate(specs, start=1):
        task = get_task(spec.kwargs["task_source"], spec.kwargs["task_id"])
        parent = dest / spec.id.split("/")[0] if len(namespaces) > 1 else dest
        write_task_dir(task, parent / task.id)
        bar.update(done)
    where = f"{dest}/<namespace>/<task id>" if len(namespaces) > 1 else f"{dest}/<task id>"
    print(f"wrote {len(specs)} tasks to {where} (ClawGym directory format)", file=out)
    return 0


def _cmd_sandbox(args: argparse.Namespace, out: TextIO) -> int:
    from clawgym_env import sandbox

    if args.sandbox_command == "status":
        rows = [[name, "ok" if reason is None else reason] for name, reason in sandbox.available_backends().items()]
        _print_table(["backend", "status"], rows, out)
        return 0
    from clawgym_env.sandbox import image

    tag = args.tag or image.DEFAULT_IMAGE
    print(f"building {tag} (debootstrap + docker import; takes a few minutes the first time)...", file=out)
    built = image.build_image(tag, progress=lambda line: print(f"  {line}", file=out))
    print(f"built {built}", file=out)
    return 0


def _cmd_rl(args: argparse.Namespace, out: TextIO) -> int:
    import importlib.util

    missing = [name for name in ("verl", "pandas", "pyarrow") if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"clawgym: error: 'clawgym rl dataset' needs {', '.join(missing)}: pip install 'clawgym-env[verl]'",
            file=sys.stderr,
        )
        return 2
    from clawgym_env._progress import ProgressBar
    from clawgym_env.rl.verl.dataset import dataset_rows, resolve_suite, write_dataset

    try:
        ids = resolve_suite(args.suite)
    except ValueError as exc:
        print(f"clawgym: error: {exc}", file=sys.stderr)
        return 2
    if args.limit is not None:
        if args.limit < 1:
            print(f"clawgym: error: --limit must be >= 1, got {args.limit}", file=sys.stderr)
            return 2
        ids = ids[: args.limit]
    bar = ProgressBar("rows", len(ids))
    rows = dataset_rows(ids, progress=bar.update)
    count = write_dataset(rows, args.out)
    print(f"wrote {count} rows ({ids[0]} ... {ids[-1]}) to {args.out}", file=out)
    return 0


# -- output helpers -------------------------------------------------------------------


def _shorten(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO, *, indent: str = "") -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(indent + line.rstrip(), file=out)
    print(indent + "  ".join("-" * w for w in widths), file=out)
    for row in rows:
        print(indent + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)


if __name__ == "__main__":
    raise SystemExit(main())
