"""The committed catalog of the built-in suites: each task's content hash and category.

``catalog.tsv`` (shipped beside this module) has one row per built-in task:
env id, family, category (scenario), operations, difficulty, grading type,
hard, and the SHA-256 content hash of the generated task. A test regenerates
every task and compares, so any change to what an id stands for is
deliberate and visible in review. The catalog also answers
``clawgym list --stats`` without generating anything, and ``docs/tasks.md``
is rendered from it.

Regenerate both after changing a family on purpose::

    python -m clawgym_env.envs.suite.catalog --write --docs docs/tasks.md
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import io
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from clawgym_env._progress import ProgressBar
from clawgym_env.envs.suite.suites import SUITES, generate, suite_refs
from clawgym_env.envs.suite.taxonomy import Operation, Scenario

__all__ = [
    "CATALOG_PATH",
    "COLUMNS",
    "build_catalog",
    "read_catalog",
    "render_stats",
    "render_tasks_md",
    "write_catalog",
]

CATALOG_PATH = Path(__file__).with_name("catalog.tsv")
COLUMNS: tuple[str, ...] = (
    "env_id",
    "family",
    "category",
    "operations",
    "difficulty",
    "grading_type",
    "hard",
    "content_hash",
)

Row = dict[str, str]


def _row(suite: str, task_id: str) -> Row:
    task = generate(suite, task_id).task
    meta = task.metadata
    return {
        "env_id": f"{suite_refs(suite)[int(task_id.split('-')[1])].env_id}",
        "family": str(meta["family"]),
        "category": str(meta["category"]),
        "operations": "+".join(meta["operations"]),
        "difficulty": str(meta["difficulty"]),
        "grading_type": str(meta["grading_type"]),
        "hard": "1" if meta.get("hard") else "0",
        "content_hash": task.content_hash,
    }


def _rows_for(items: Sequence[tuple[str, str]]) -> list[Row]:
    return [_row(suite, task_id) for suite, task_id in items]


def build_catalog(*, jobs: int = 1, progress: Callable[[int, int], None] | None = None) -> list[Row]:
    """Generate every built-in task and return its catalog row, in suite then id order."""
    items = [(suite, ref.task_id) for suite in SUITES for ref in suite_refs(suite)]
    chunks = [items[i : i + 64] for i in range(0, len(items), 64)]
    rows: list[Row] = []
    if jobs <= 1:
        for chunk in chunks:
            rows += _rows_for(chunk)
            if progress is not None:
                progress(len(rows), len(items))
        return rows
    context = multiprocessing.get_context("forkserver")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for chunk_rows in pool.map(_rows_for, chunks):
            rows += chunk_rows
            if progress is not None:
                progress(len(rows), len(items))
    return rows


def write_catalog(rows: Iterable[Row], path: Path = CATALOG_PATH) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def read_catalog(path: Path = CATALOG_PATH) -> list[Row]:
    """The committed rows (an empty list if the file is missing)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    lines = [title, "  " + "  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return [*lines, ""]


def _by_suite(
    rows: Iterable[Row], key: Callable[[Row], Iterable[str]], order: Sequence[str]
) -> tuple[list[list[Any]], list[str]]:
    """Per value of ``key`` (in ``order``, then any others), its count in each suite; and the suites."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in order}
    suites: list[str] = []
    for row in rows:
        suite = row["env_id"].split("/")[0]
        if suite not in suites:
            suites.append(suite)
        for value in key(row):
            counts.setdefault(value, Counter())[suite] += 1
    table = [[name, *(counts[name][suite] for suite in suites)] for name in counts if counts[name]]
    return table, suites


def render_stats(rows: Sequence[Row]) -> str:
    """``clawgym list --stats``: counts per scenario, operation, difficulty and verification type."""
    lines: list[str] = []
    scenario_rows, suites = _by_suite(rows, lambda r: [r["category"]], [s.value for s in Scenario])
    lines += _table("Scenarios", ["scenario", *suites], scenario_rows)
    op_rows, _ = _by_suite(rows, lambda r: r["operations"].split("+"), [o.value for o in Operation])
    lines += _table("Operation categories (a task counts once per category it needs)", ["operation", *suites], op_rows)
    diff_rows, _ = _by_suite(rows, lambda r: [r["difficulty"]], ["1", "2", "3", "4", "5"])
    lines += _table("Difficulty (1-5)", ["difficulty", *suites], diff_rows)
    ver_rows, _ = _by_suite(rows, lambda r: [r["grading_type"]], ["automated", "hybrid"])
    lines += _table("Verification", ["type", *suites], ver_rows)
    families = Counter(row["family"] for row in rows)
    lines.append(f"{len(families)} task families, {len(rows)} tasks in all.")
    return "\n".join(lines) + "\n"


def render_tasks_md(rows: Sequence[Row]) -> str:
    """``docs/tasks.md``: the suites at a glance."""
    from clawgym_env.envs.suite.families import FAMILIES

    def md(title: str, header: Sequence[str], body: Sequence[Sequence[Any]]) -> list[str]:
        out = [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
        return [*out, ""]

    scenario_rows, suites = _by_suite(rows, lambda r: [r["category"]], [s.value for s in Scenario])
    op_rows, _ = _by_suite(rows, lambda r: r["operations"].split("+"), [o.value for o in Operation])
    diff_rows, _ = _by_suite(rows, lambda r: [r["difficulty"]], ["1", "2", "3", "4", "5"])
    ver_rows, _ = _by_suite(rows, lambda r: [r["grading_type"]], ["automated", "hybrid"])
    lines = [
        "# The built-in task suites",
        "",
        "Generated from the committed catalog (`clawgym_env/envs/suite/catalog.tsv`) by",
        "`python -m clawgym_env.envs.suite.catalog --docs docs/tasks.md`; `clawgym list --stats` prints the same.",
        "",
        "* `ClawGym/task-NNNN`: the training suite; `ClawGym-Bench/task-NNNN`: the 200-task benchmark.",
        "* Every task is proven by `clawgym check`: its reference solution scores 1.0, a no-op 0.0,",
        "  and a near miss strictly in between; the last full sweep is in",
        "  [benchmarks/suite_check.md](benchmarks/suite_check.md).",
        "",
    ]
    lines += md("Scenarios", ["scenario", *suites], scenario_rows)
    lines += md("Operation categories", ["operation", *suites], op_rows)
    lines += md("Difficulty (1-5)", ["difficulty", *suites], diff_rows)
    lines += md("Verification", ["type", *suites], ver_rows)
    per_family = Counter(row["family"] for row in rows)
    family_rows = [
        [f"`{f.name}`", f.scenario.value, ", ".join(o.value for o in f.operations), per_family[f.name],
         (f.__doc__ or "").strip().splitlines()[0]]
        for f in FAMILIES
    ]  # fmt: skip
    lines += md("Families", ["family", "scenario", "operations", "tasks", "what the user asks"], family_rows)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"regenerate {CATALOG_PATH.name}")
    parser.add_argument(
        "--verify", action="store_true", help=f"regenerate every task and compare with {CATALOG_PATH.name}"
    )
    parser.add_argument("--docs", type=Path, default=None, help="also write the Markdown overview here")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if args.verify:
        committed = read_catalog()
        fresh = build_catalog(jobs=args.jobs)
        differ = [new["env_id"] for old, new in zip(committed, fresh, strict=False) if old != new]
        if len(fresh) != len(committed) or differ:
            print(f"{len(differ)} of {len(fresh)} tasks differ from the catalog ({len(committed)} rows): {differ[:10]}")
            return 1
        print(f"all {len(fresh)} tasks match the catalog")
        return 0
    if args.write:
        rows = build_catalog(jobs=args.jobs, progress=ProgressBar("generating tasks", 1).update)
        write_catalog(rows)
        print(f"wrote {len(rows)} rows to {CATALOG_PATH}")
    else:
        rows = read_catalog()
    if args.docs is not None:
        args.docs.write_text(render_tasks_md(rows), encoding="utf-8")
        print(f"wrote {args.docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
