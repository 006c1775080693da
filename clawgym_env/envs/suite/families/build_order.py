"""Build order: work out the order to build a project's targets from their dependencies, and find cycles."""

from __future__ import annotations

import heapq

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text, slug

__all__ = ["BuildOrder"]

SOFTWARE_TARGETS = (
    "libcore", "libnet", "proto", "codegen", "assets", "css", "js-bundle", "docs", "api", "worker", "cli", "web",
    "migrations", "fixtures", "test-unit", "test-integration", "package", "lint", "typecheck", "config", "schema",
    "i18n", "icons", "sdk", "auth", "search-index", "admin-ui", "metrics",
)  # fmt: skip
PIPELINE_TARGETS = (
    "extract-pos", "extract-crm", "extract-stock", "clean-sales", "clean-stock", "clean-contacts", "join-orders",
    "daily-totals", "weekly-report", "dashboard", "forecast", "export-csv", "email-digest", "archive", "lookup-tables",
    "currency-rates", "budget-vs-actual", "kpi-sheet", "map-tiles", "audit-log", "dedupe-customers", "board-pack",
    "staff-hours", "supplier-scores",
)  # fmt: skip
SOFTWARE_DOMAINS = ("software", "media")


class BuildOrder(TaskFamily):
    """Work out the order to build a project's targets from their declared dependencies, then dry-run it.

    **Request**: the user's build file (a Makefile or a ``targets.json``)
    lists targets and their prerequisites; they want ``build_order.txt``,
    one target per line, dependencies first, ties broken alphabetically
    (always the alphabetically first target that is ready), then the
    provided ``tools/dry_run.py`` run on it with its output saved to
    ``dry_run.log``.

    **Workspace**: the build file (recipes, variables, source-file
    prerequisites that are not targets), a README, the stdlib dry-run tool,
    a stale order file from before the last refactor, unrelated files.

    **Checks**: the order file holds exactly the buildable targets; the
    dry-run tool accepts it (every dependency before its dependant); the
    exact order; the saved log; the build file and tool are unchanged.

    **Hard**: more targets, Makefile quirks (``:=`` variables, line
    continuations, a target whose prerequisites are split over two rules),
    and one or two dependency cycles: cycle members and everything that
    depends on them are left out of the order and each cycle is written to
    ``cycles.txt`` as ``a -> b -> c -> a``.
    """

    name = "build_order"
    scenario = Scenario.REASONING_TECHNICAL
    operations = (Operation.DEVELOPMENT, Operation.DATA_ANALYSIS)
    domains = ("software", "research", "finance", "manufacturing")

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        software = b.persona.domain in SOFTWARE_DOMAINS
        pool = SOFTWARE_TARGETS if software else PIPELINE_TARGETS
        project = rng.choice(domain.projects)
        label = project if software else f"the {project} reporting pipeline"
        cycle_count = rng.randint(1, 2) if b.hard else 0
        cycle_sizes = [rng.randint(2, 3) for _ in range(cycle_count)]
        count = rng.randint(14, 18) if b.hard else rng.randint(8, 12)
        names = rng.sample(pool, count + sum(cycle_sizes))
        acyclic = sorted(names[:count], key=pool.index)  # the pools list stages roughly in pipeline order
        deps: dict[str, list[str]] = {}
        for index, target in enumerate(acyclic):
            earlier = acyclic[:index]
            k = 0 if index == 0 else min(len(earlier), rng.choice((0, 1, 1, 2, 2, 3)))
            deps[target] = sorted(rng.sample(earlier, k))
        cycles: list[list[str]] = []
        position = count
        for size in cycle_sizes:
            members = names[position : position + size]
            position += size
            for i, member in enumerate(members):
                outside = rng.sample(acyclic[: count // 2], rng.randint(0, 1))
                deps[member] = sorted([members[(i + 1) % size], *outside])
            cycles.append(members)
            # Something ordinary that now depends on the cycle (blocked, left out too).
            victim = rng.choice(acyclic[count // 2 :])
            deps[victim] = sorted({*deps[victim], rng.choice(members)})
        sinks = [t for t in deps if not any(t in d for d in deps.values())]
        use_make = rng.chance(0.6) or b.hard
        if use_make:
            deps["all"] = sorted(sinks)

        # Ground truth: blocked targets, Kahn's order with an alphabetical heap, cycle lines.
        in_cycle = {t for members in cycles for t in members}
        blocked = set(in_cycle)
        changed = True
        while changed:
            changed = False
            for target, needs in deps.items():
                if target not in blocked and any(n in blocked for n in needs):
                    blocked.add(target)
                    changed = True
        buildable = [t for t in deps if t not in blocked]
        order = _kahn(buildable, deps, reverse=False)
        cycle_lines = sorted(_cycle_line(members, deps) for members in cycles)

        # Workspace: the build file.
        sources = {t: _sources(rng, t, software) for t in deps}
        if use_make:
            spec_path = "build/Makefile"
            spec = _makefile(rng, project, deps, sources, b.hard, b.persona.name)
        else:
            spec_path = "build/targets.json"
            spec = json_text(
                {
                    "project": project,
                    "targets": {
                        t: {"deps": [*deps[t], *sources[t]], "cmd": _recipe(t, software)} for t in rng.shuffled(deps)
                    },
                }
            )
        b.file(spec_path, spec)
        tool = _dry_run_source(spec_path)
        tool_path = b.file("tools/dry_run.py", tool)
        readme = (
            f"# {project} build\n\n"
            f"Targets and their prerequisites live in `{spec_path}`. Prerequisites that are not targets themselves "
            "are source files that already exist; they do not need building.\n\n"
            "We build in one fixed order so logs are comparable between machines: dependencies first, and "
            "whenever several targets are ready, the alphabetically first one goes next.\n\n"
            f"`python3 {tool_path} <order file>` replays an order without building anything and complains if a "
            "target comes before one of its prerequisites.\n"
        )
        readme_path = b.file("build/README.md", readme)
        stale = _kahn([t for t in deps if t not in blocked], deps, reverse=True)[: max(3, len(order) - 3)]
        b.file("build/build_order_before_refactor.txt", "\n".join(stale) + "\n")
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["build/", "tools/"])

        order_path = "build/build_order.txt"
        log_path = "build/dry_run.log"
        cycles_path = "build/cycles.txt"
        kind = "Makefile" if use_make else "targets file"
        body = b.pick(
            [
                f"Can you work out the build order for {label} from {spec_path}? Write it to {order_path}, one "
                "target per line: every target after all of its prerequisites, and whenever more than one target "
                "is ready, take the alphabetically first (plain string order). Prerequisites that aren't targets "
                "are source files, skip them. Then run "
                f"`python3 {tool_path} {order_path}` and save what it prints to {log_path}.",
                f"I need a deterministic build order for {label}.\n\n"
                f"1. Read the {kind} ({spec_path}); {readme_path} explains the conventions.\n"
                f"2. Write {order_path}: one target per line, prerequisites before dependants, ties broken by "
                "always picking the alphabetically first ready target. Only targets go in (no source files).\n"
                f"3. Dry-run it with `python3 {tool_path} {order_path}` and keep the output in {log_path}.",
                f"our build script needs a fixed target order for {label}. could you derive it from {spec_path} "
                f"and put it in {order_path} (one target per line, deps first; when several are buildable pick "
                "the alphabetically smallest name; source files aren't targets)? afterwards run the dry-run tool "
                f"(`python3 {tool_path} {order_path}`) and save its output as {log_path}.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: I think someone introduced circular dependencies. Leave every target "
                "that is part of a cycle, or depends on one directly or indirectly, out of the build order, and "
                f"write each cycle to {cycles_path}, one per line, as `a -> b -> c -> a` (each target depends on "
                "the next one), starting from the alphabetically first target in that cycle, lines sorted. Also, "
                "the Makefile has grown some quirks (`:=` variables, continuation lines, a target whose "
                "prerequisites are spread over two rules, which make merges)."
            )
        # After a list, the closing remark gets its own paragraph.
        body += (
            "\n\n" if body.splitlines()[-1][:2] in ("1.", "2.", "3.", "4.", "- ", "Ou") else " "
        ) + "Don't change the build file or the tool."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(6 if b.hard else 4)

        # Checks.
        c = b.checks
        has_order = c.file_exists("order_written", order_path)
        c.lines_equal("order_has_buildable_targets", order_path, order, ordered=False, requires=[has_order])
        c.command("order_passes_dry_run", f"python3 {tool_path} {order_path}", stdout_contains=["dry run OK"],
                  requires=[has_order])  # fmt: skip
        c.lines_equal("order_exact", order_path, order, requires=[has_order])
        has_log = c.file_exists("dry_run_log_saved", log_path)
        c.text_contains("dry_run_log_ok", log_path, [f"dry run OK: {len(order)} targets"], requires=[has_log])
        if b.hard:
            has_cycles = c.file_exists("cycles_written", cycles_path)
            c.lines_equal("cycles_correct", cycles_path, cycle_lines, requires=[has_cycles])
        c.files_unchanged("build_file_and_tool_unchanged", {spec_path: spec, tool_path: tool, readme_path: readme},
                          requires=[has_order])  # fmt: skip

        s = b.solution
        s.exec(f"ls build tools && cat {spec_path}")
        s.read(readme_path)
        s.write(order_path, "\n".join(order) + "\n")
        if b.hard:
            s.write(cycles_path, "\n".join(cycle_lines) + "\n")
        s.exec(f"python3 {tool_path} {order_path} > {log_path} && cat {log_path}")

        # Near misses: ties broken the wrong way (a valid order, not the requested one); one target forgotten.
        wrong = _kahn(buildable, deps, reverse=True)
        steps = list(s.steps)
        steps[2] = {"name": "write", "arguments": {"path": order_path, "content": "\n".join(wrong) + "\n"}}
        b.near_miss(steps)
        steps = list(s.steps)
        steps[2] = {"name": "write", "arguments": {"path": order_path, "content": "\n".join(order[:-1]) + "\n"}}
        b.near_miss(steps)


def _kahn(targets: list[str], deps: dict[str, list[str]], *, reverse: bool) -> list[str]:
    """Topological order of ``targets``; ready targets in alphabetical order (or the reverse)."""
    wanted = set(targets)
    pending = {t: {d for d in deps[t] if d in wanted} for t in targets}
    heap = [(_key(t, reverse), t) for t in targets if not pending[t]]
    heapq.heapify(heap)
    order = []
    while heap:
        _, target = heapq.heappop(heap)
        order.append(target)
        for other in targets:
            if target in pending[other]:
                pending[other].discard(target)
                if not pending[other]:
                    heapq.heappush(heap, (_key(other, reverse), other))
    return order


def _key(name: str, reverse: bool) -> tuple[int, ...] | str:
    return (*(-ord(ch) for ch in name), 1) if reverse else name


def _cycle_line(members: list[str], deps: dict[str, list[str]]) -> str:
    start = min(members)
    chain = [start]
    while True:
        following = next(m for m in deps[chain[-1]] if m in members)
        if following == start:
            break
        chain.append(following)
    return " -> ".join([*chain, start])


def _sources(rng: StableRandom, target: str, software: bool) -> list[str]:
    if target == "all" or rng.chance(0.4):
        return []
    if software:
        return [rng.choice((f"src/{target}/main.c", f"src/{target}/index.ts", f"{target}/Cargo.toml",
                            f"src/{slug(target)}.py"))]  # fmt: skip
    return [rng.choice((f"sql/{slug(target)}.sql", f"queries/{slug(target)}.sql", f"config/{slug(target)}.yml"))]


def _recipe(target: str, software: bool) -> str:
    if software:
        return f"./scripts/build.sh {target}"
    return f"python3 pipeline/run.py --step {target}"


def _makefile(
    rng: StableRandom,
    project: str,
    deps: dict[str, list[str]],
    sources: dict[str, list[str]],
    hard: bool,
    owner: str,
) -> str:
    lines = [
        f"# Build for {project}",
        f"# maintained by {owner}; see README.md",
        "",
        "PYTHON = python3" if not hard else "PYTHON := python3",
        "OUT = out" if not hard else "OUT := out",
        "",
        ".PHONY: all",
        "",
    ]
    targets = ["all", *rng.shuffled([t for t in deps if t != "all"])] if "all" in deps else rng.shuffled(list(deps))
    split = None
    if hard:
        candidates = [t for t in targets if len(deps[t]) >= 2 and t != "all"]
        split = rng.choice(candidates) if candidates else None
    for target in targets:
        prerequisites = [*deps[target], *sources[target]]
        if target == split:
            first, second = prerequisites[:1], prerequisites[1:]
            lines.append(f"{target}: {' '.join(first)}")
            lines.append(f"\t$(PYTHON) pipeline/run.py --step {target} --out $(OUT)")
            lines.append("")
            lines.append(f"# {target} also needs these (added later)")
            lines.append(f"{target}: {' '.join(second)}")
            lines.append("")
            continue
        if hard and len(prerequisites) >= 3 and rng.chance(0.6):
            lines.append(f"{target}: {' '.join(prerequisites[:2])} \\")
            lines.append(f"    {' '.join(prerequisites[2:])}")
        else:
            lines.append(f"{target}: {' '.join(prerequisites)}".rstrip())
        if target != "all":
            lines.append(f"\t$(PYTHON) pipeline/run.py --step {target} --out $(OUT)")
        lines.append("")
    return "\n".join(lines)


def _dry_run_source(spec_path: str) -> str:
    return (
        '''#!/usr/bin/env python3
"""Replay a build order without building: every target must come after its prerequisites.

Usage: python3 tools/dry_run.py ORDER_FILE   (run from the workspace root)
"""
import json
import sys

SPEC = "'''
        + spec_path
        + '''"


def load_targets():
    """target -> set of prerequisites (including source files), merging repeated rules."""
    with open(SPEC, encoding="utf-8") as handle:
        text = handle.read()
    if SPEC.endswith(".json"):
        return {name: set(body.get("deps", [])) for name, body in json.loads(text)["targets"].items()}
    targets = {}
    logical = []
    pending = ""
    for raw in text.split("\\n"):
        if raw.startswith("\\t"):
            continue
        line = pending + raw.split("#", 1)[0]
        if line.rstrip().endswith("\\\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        logical.append(line)
    for line in logical:
        if ":" not in line or ":=" in line or "=" in line.split(":", 1)[0] or line.startswith("."):
            continue
        name, _, rest = line.partition(":")
        targets.setdefault(name.strip(), set()).update(rest.split())
    return targets


def main(order_file):
    targets = load_targets()
    with open(order_file, encoding="utf-8") as handle:
        order = [line.strip() for line in handle if line.strip()]
    done = set()
    problems = []
    for position, name in enumerate(order, start=1):
        if name not in targets:
            problems.append("line %d: %r is not a target" % (position, name))
            continue
        if name in done:
            problems.append("line %d: %s is listed twice" % (position, name))
        missing = sorted(p for p in targets[name] if p in targets and p not in done)
        if missing:
            problems.append("line %d: %s needs %s first" % (position, name, ", ".join(missing)))
        done.add(name)
    if problems:
        print("dry run FAILED:")
        for problem in problems:
            print("  " + problem)
        return 1
    print("dry run OK: %d targets" % len(order))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/build_order.txt"))
'''
    )
