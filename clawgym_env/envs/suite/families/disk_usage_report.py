"""Disk usage report: find the largest files and per-folder totals of a copied drive, and list cleanup candidates."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text

__all__ = ["DiskUsageReport"]

ROOTS = ("old_laptop", "nas_share", "scratch_disk", "team_drive", "backup_2025")
MAGIC = {".jpg": b"\xff\xd8\xff\xe0", ".png": b"\x89PNG\r\n\x1a\n", ".gz": b"\x1f\x8b\x08\x00", ".zip": b"PK\x03\x04",
         ".pdf": b"%PDF-1.7\n", ".mp4": b"\x00\x00\x00\x18ftypmp42", ".pyc": b"\xa7\r\r\n", ".xlsx": b"PK\x03\x04",
         ".docx": b"PK\x03\x04", ".sqlite": b"SQLite format 3\x00", ".bin": b"\x7fELF"}  # fmt: skip
TEXT_LINES = {
    ".py": ("import os", "def main():", "    return 0", "# TODO: clean this up", "print('done')"),
    ".js": ("export function f(a) {", "  return a + 1;", "}", "// generated", "const x = require('x');"),
    ".md": ("# Notes", "", "- follow up with the supplier", "- renew the domain", "Some longer paragraph text."),
    ".txt": ("meeting moved to 3pm", "password hint: the usual", "call back re: quote", "shopping: milk, oats"),
    ".log": ("2025-11-03 02:00:01 INFO backup started", "2025-11-03 02:04:12 WARN slow disk", "2025-11-03 "
             "02:09:40 INFO backup finished", "2025-11-04 02:00:00 ERROR target not mounted"),
    ".csv": ("date,item,amount", "2025-10-01,rent,1200.00", "2025-10-03,groceries,86.40", "2025-10-09,phone,35.00"),
    ".json": ('{"name": "app", "version": "1.2.0"}', '{"retries": 3}', '{"theme": "dark"}'),
}  # fmt: skip


@dataclass(frozen=True)
class _Entry:
    path: str
    """Relative to the analysed root."""
    data: bytes


def _blob(seed: str, size: int, suffix: str) -> bytes:
    """``size`` deterministic bytes: a format's magic number, then hash-expanded noise."""
    head = MAGIC.get(suffix, b"")
    out = bytearray(head[:size])
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def _text(rng: StableRandom, size: int, suffix: str) -> bytes:
    lines = TEXT_LINES.get(suffix, TEXT_LINES[".txt"])
    out: list[str] = []
    length = 0
    while length < size:
        line = rng.choice(lines)
        out.append(line)
        length += len(line) + 1
    text = "\n".join(out) + "\n"
    return text.encode("ascii")[:size]


def _size(rng: StableRandom, low: int, high: int) -> int:
    return rng.randint(low, high)


class DiskUsageReport(TaskFamily):
    """Report what fills a copied drive: the largest files, per-folder totals, and files that are safe to clean up.

    **Request**: for everything under the copied folder (hidden files
    included, apparent sizes in bytes), write ``reports/du_largest.csv``
    (the N largest files, path and bytes, biggest first, ties by path),
    ``reports/du_totals.csv`` (each top-level folder's total bytes and file
    count, biggest first) and ``reports/cleanup_candidates.txt`` (paths
    matching stated rules, sorted), deleting nothing.

    **Workspace**: a folder tree (projects with ``node_modules`` and
    ``__pycache__``, a hidden ``.cache``, logs with rotated ``.log.1`` and
    ``.log.2.gz`` files, media, downloads with ``.tmp``/``.bak`` leftovers,
    documents with ``~`` backups) whose files have exact, varied sizes, a
    README from the person who copied it; unrelated files outside the tree.

    **Checks**: both CSV headers; the largest files' paths and sizes in
    order; the totals' folders, bytes and file counts in order; the cleanup
    list exactly, plus one check per rule; every file still there and
    unchanged.

    **Hard**: more files and deeper nesting, equal sizes that need the
    tie-break, empty files (a fourth cleanup rule), files directly in the
    root that belong to no folder total, and a larger N.
    """

    name = "disk_usage_report"
    scenario = Scenario.SYSTEMS_INFRASTRUCTURE
    operations = (Operation.SYSTEM_ENVIRONMENT, Operation.DATA_ANALYSIS)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        root = rng.choice(ROOTS)
        entries: list[_Entry] = []

        def add(path: str, size: int) -> None:
            suffix = "." + path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
            if path.endswith("~"):
                suffix = ".txt"
            if re.search(r"\.log\.\d+$", path):
                suffix = ".log"
            if path.startswith(".cache/"):
                suffix = ".bin"
            if suffix in TEXT_LINES or suffix in ("", ".tmp", ".bak"):
                data = _text(rng.child("text", path), size, suffix if suffix in TEXT_LINES else ".txt")
            else:
                data = _blob(f"{b.seed}:{path}", size, suffix)
            entries.append(_Entry(path, data))

        # projects/
        projects = rng.sample(
            ("website", "invoice-tool", "thesis-scripts", "shop-bot", "photo-sorter"), 3 if hard else 2
        )
        for project in projects:
            add(f"projects/{project}/README.md", _size(rng, 120, 900))
            for name in rng.sample(("main.py", "utils.py", "models.py", "cli.py"), 2):
                add(f"projects/{project}/src/{name}", _size(rng, 300, 2500))
                if rng.chance(0.7):
                    add(f"projects/{project}/src/__pycache__/{name[:-3]}.cpython-311.pyc", _size(rng, 400, 2200))
            if rng.chance(0.6) or project == projects[0]:
                for package in rng.sample(("left-pad", "lodash", "chalk", "dayjs"), 2):
                    add(f"projects/{project}/node_modules/{package}/index.js", _size(rng, 800, 4000))
            if rng.chance(0.5):
                add(f"projects/{project}/build/app.bundle.js", _size(rng, 2500, 7000))
            if hard and rng.chance(0.5):
                add(f"projects/{project}/src/{rng.choice(('old_main.py', 'settings.py'))}.bak", _size(rng, 200, 900))
        # media/
        for index in range(rng.randint(3, 4) if hard else rng.randint(2, 3)):
            add(f"media/photos/IMG_{rng.randint(1000, 9999)}_{index}.jpg", _size(rng, 3000, 8000))
        add(f"media/video/{rng.choice(('holiday', 'birthday', 'demo'))}_clip.mp4", _size(rng, 6000, 11000))
        add("media/thumbs/cover.png", _size(rng, 700, 2000))
        # logs/
        log = rng.choice(("app", "backup", "sync"))
        add(f"logs/{log}.log", _size(rng, 1500, 5000))
        add(f"logs/{log}.log.1", _size(rng, 2000, 6000))
        add(f"logs/{log}.log.2.gz", _size(rng, 900, 2500))
        if hard:
            add("logs/cron.log", _size(rng, 300, 900))
            add("logs/cron.log.1", _size(rng, 300, 900))
        # downloads/
        add(
            f"downloads/{rng.choice(('installer', 'setup', 'driver'))}_v{rng.randint(2, 9)}.zip",
            _size(rng, 4000, 9000),
        )
        add(f"downloads/statement_{rng.randint(1, 12):02d}.pdf", _size(rng, 1500, 5000))
        add(f"downloads/{rng.choice(('upload', 'export', 'render'))}.tmp", _size(rng, 200, 3000))
        # documents/
        add("documents/budget_2025.xlsx", _size(rng, 2500, 7000))
        add(f"documents/{rng.choice(('letter', 'cv', 'notes'))}.txt", _size(rng, 200, 1200))
        add(f"documents/{rng.choice(('draft', 'plan', 'todo'))}.md~", _size(rng, 150, 800))
        add("documents/contract_signed.pdf", _size(rng, 2000, 6000))
        # .cache/ (hidden)
        for index in range(rng.randint(2, 4)):
            digest = hashlib.sha256(f"{b.seed}:{index}".encode()).hexdigest()[:12]
            add(f".cache/pip/http/{digest[:2]}/{digest}", _size(rng, 600, 5000))
        add(".cache/thumbnails/large/thumb_0001.png", _size(rng, 500, 1500))
        if hard:
            add("media/photos/.DS_Store", _size(rng, 100, 400))
            add(f"documents/{rng.choice(('empty', 'placeholder'))}.txt", 0)
            add("downloads/.partial", 0)
            add(f"{rng.choice(('todo.txt', 'NOTES.md'))}", _size(rng, 100, 600))
            add("documents/archive/2019/old_invoice.pdf.bak", _size(rng, 900, 3000))
            # An equal-size pair among the big files, so the tie-break matters.
            big = max(entries, key=lambda entry: len(entry.data))
            twin = f"media/photos/IMG_{rng.randint(1000, 9999)}_copy.jpg"
            entries.append(_Entry(twin, _blob(f"{b.seed}:{twin}", len(big.data), ".jpg")))

        entries.sort(key=lambda entry: entry.path)
        for entry in entries:
            b.file(f"{root}/{entry.path}", entry.data)
        readme = (
            f"Copied from {rng.choice(('the old laptop', 'the shared NAS', 'the scratch disk', 'the team drive'))} "
            f"by {b.persona.name} before it gets wiped.\nSizes are what they are on disk (apparent size).\n"
        )
        readme_path = f"{root}_README.txt"
        b.file(readme_path, readme)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=[f"{root}/", "reports/"])

        # Ground truth.
        top_n = 10 if hard else rng.randint(5, 7)
        sized = sorted(entries, key=lambda entry: (-len(entry.data), entry.path))
        largest = [(entry.path, len(entry.data)) for entry in sized[:top_n]]
        totals: dict[str, list[int]] = {}
        for entry in entries:
            if "/" not in entry.path:
                continue
            top = entry.path.split("/", 1)[0]
            totals.setdefault(top, [0, 0])
            totals[top][0] += len(entry.data)
            totals[top][1] += 1
        total_rows = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))

        rules: list[tuple[str, str, Callable[[_Entry], bool]]] = [
            (
                "leftovers",
                "files whose name ends in `.tmp`, `.bak` or `~`",
                lambda e: e.path.endswith((".tmp", ".bak", "~")),
            ),
            (
                "cache_dirs",
                "every file anywhere inside a folder named `__pycache__`, `.cache` or `node_modules`",
                lambda e: any(part in ("__pycache__", ".cache", "node_modules") for part in e.path.split("/")[:-1]),
            ),
            (
                "rotated_logs",
                "rotated logs: names like `something.log.1` or `something.log.2.gz` (not the live `.log` files)",
                lambda e: re.search(r"\.log\.\d+(\.gz)?$", e.path) is not None,
            ),
        ]
        if hard:
            rules.append(("empty_files", "empty files (0 bytes)", lambda e: len(e.data) == 0))
        candidates = sorted(entry.path for entry in entries if any(rule(entry) for _, _, rule in rules))

        largest_path, totals_path, cleanup_path = (
            "reports/du_largest.csv",
            "reports/du_totals.csv",
            ("reports/cleanup_candidates.txt"),
        )
        rule_text = "\n".join(f"- {text}" for _, text, _ in rules)
        example = largest[-1][0]
        body = b.pick(
            [
                f"{root}/ is a copy of a drive we're about to wipe, and I need to know what's taking the space "
                f"before deciding what to keep. Could you write {largest_path} with the {top_n} largest files "
                f"(columns path,bytes; path relative to {root}/, e.g. `{example}`; biggest first, equal sizes by "
                f"path A-Z) and {totals_path} with one row per top-level folder of {root}/ (columns "
                "directory,bytes,files: total size and number of files in it, recursively; biggest first, ties "
                f"by name)? Then list the cleanup candidates in {cleanup_path}, one path per line (same relative "
                "form), sorted in plain character order (as `LC_ALL=C sort` does), that is every file matching any "
                f"of these:\n{rule_text}\n"
                "Count hidden files and folders too, use exact apparent sizes in bytes (what `stat -c %s` "
                "shows, not disk blocks), and please don't delete or move anything.",
                f"Space audit of {root}/, please. Three files:\n"
                f"1. {largest_path}: header `path,bytes`, the {top_n} largest files, biggest first (ties: path "
                f"A-Z). Paths relative to {root}/ (like `{example}`).\n"
                f"2. {totals_path}: header `directory,bytes,files`, one row per top-level folder of {root}/ with "
                "the total bytes and file count of everything inside it, biggest first (ties: name A-Z).\n"
                f"3. {cleanup_path}: every file matching one of the rules below, one relative path per line, "
                "sorted in plain character order (`LC_ALL=C sort`).\n"
                f"{rule_text}\n"
                "Sizes are exact apparent sizes in bytes (`stat -c %s`, not `du`'s blocks); hidden files count. "
                "Nothing gets deleted yet, I just want the lists.",
                f"what's eating the space in {root}/? need {largest_path} (top {top_n} files: path,bytes, "
                f"biggest first, ties by path, paths relative to {root}/ like `{example}`), {totals_path} "
                "(directory,bytes,files per top-level folder, recursive, biggest first, ties by name) and "
                f"{cleanup_path} (one relative path per line, in LC_ALL=C sort order) with anything "
                f"matching:\n{rule_text}\n"
                "apparent sizes in bytes, hidden stuff included. don't delete anything!",
            ]
        )
        if hard:
            body += (
                f"\n\nA few things to watch: some files sit directly in {root}/ and belong to no folder, so they "
                "only count for the largest-files list; several files have exactly the same size; and empty "
                "files are candidates too."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(9 if hard else 7)

        # Checks.
        c = b.checks
        has_largest = c.csv_header("largest_header", largest_path, ["path", "bytes"], ignore_case=True)
        c.csv_column("largest_paths_in_order", largest_path, "path", [p for p, _ in largest], requires=[has_largest])
        c.csv_column("largest_sizes_exact", largest_path, "bytes", [n for _, n in largest], requires=[has_largest])
        has_totals = c.csv_header("totals_header", totals_path, ["directory", "bytes", "files"], ignore_case=True)
        c.csv_column(
            "totals_directories_in_order", totals_path, "directory", [d for d, _ in total_rows], requires=[has_totals]
        )
        c.csv_column("totals_bytes_exact", totals_path, "bytes", [v[0] for _, v in total_rows], requires=[has_totals])
        c.csv_column("totals_file_counts", totals_path, "files", [v[1] for _, v in total_rows], requires=[has_totals])
        has_cleanup = c.file_exists("cleanup_list_written", cleanup_path)
        c.lines_equal("cleanup_list_exact", cleanup_path, candidates, requires=[has_cleanup])
        for key, _, rule in rules:
            matched = [entry.path for entry in entries if rule(entry)]
            pattern = r"\A" + "".join(rf"(?=[\s\S]*^\s*{re.escape(path)}\s*$)" for path in matched)
            c.text_regex(f"cleanup_covers_{key}", cleanup_path, pattern, flags="m", requires=[has_cleanup])
        c.files_unchanged(
            "nothing_deleted_or_changed", {f"{root}/{e.path}": e.data for e in entries}, requires=[has_largest]
        )

        # Reference solution.
        s = b.solution
        s.exec(f"cat {readme_path}; cd {root} && find . -type f -printf '%s\\t%P\\n' | sort -k1,1nr -k2,2 | head -40")
        s.exec(
            f'cd {root} && for d in */ .*/; do [ -d "$d" ] && [ "$d" != \'./\' ] && [ "$d" != \'../\' ] && '
            "echo \"$d $(find \"$d\" -type f -printf '%s\\n' | python3 -c 'import sys; "
            "v=[int(x) for x in sys.stdin]; print(sum(v), len(v))')\"; done"
        )
        s.write(largest_path, csv_text([["path", "bytes"], *([p, n] for p, n in largest)]))
        s.write(totals_path, csv_text([["directory", "bytes", "files"], *([d, v[0], v[1]] for d, v in total_rows)]))
        s.write(cleanup_path, "".join(f"{path}\n" for path in candidates))

        # Near miss: hidden files and folders overlooked (as `ls` or a `*` glob would).
        visible = [e for e in entries if not any(part.startswith(".") for part in e.path.split("/"))]
        v_largest = sorted(visible, key=lambda entry: (-len(entry.data), entry.path))[:top_n]
        v_totals: dict[str, list[int]] = {}
        for entry in visible:
            if "/" in entry.path:
                top = entry.path.split("/", 1)[0]
                v_totals.setdefault(top, [0, 0])
                v_totals[top][0] += len(entry.data)
                v_totals[top][1] += 1
        v_rows = sorted(v_totals.items(), key=lambda item: (-item[1][0], item[0]))
        v_candidates = sorted(e.path for e in visible if any(rule(e) for _, _, rule in rules))
        b.near_miss(
            [
                s.steps[0],
                {
                    "name": "write",
                    "arguments": {
                        "path": largest_path,
                        "content": csv_text([["path", "bytes"], *([e.path, len(e.data)] for e in v_largest)]),
                    },
                },
                {
                    "name": "write",
                    "arguments": {
                        "path": totals_path,
                        "content": csv_text([["directory", "bytes", "files"], *([d, v[0], v[1]] for d, v in v_rows)]),
                    },
                },
                {
                    "name": "write",
                    "arguments": {"path": cleanup_path, "content": "".join(f"{p}\n" for p in v_candidates)},
                },
            ]
        )
