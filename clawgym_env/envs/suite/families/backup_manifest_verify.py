"""Backup manifest verify: compare a backup folder with last week's sha256 manifest and write a fresh one."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, slug

__all__ = ["BackupManifestVerify"]

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _blob(rng: StableRandom, magic: bytes, size: int) -> bytes:
    """``magic`` and ``size`` pseudo-random bytes (a SHA-256 stream seeded by ``rng``: fast and stable)."""
    seed = rng.below(1 << 62).to_bytes(8, "big")
    stream = b"".join(hashlib.sha256(seed + k.to_bytes(4, "big")).digest() for k in range(size // 32 + 1))
    return magic + stream[:size]


class BackupManifestVerify(TaskFamily):
    """Verify a backup folder against last week's ``MANIFEST.sha256`` and write a fresh manifest.

    **Request**: the user wants ``verify_report.csv`` (path, status) listing
    every file that is missing, changed (hash differs) or new compared with
    ``backup/MANIFEST.sha256``, sorted by path, and a fresh
    ``backup/MANIFEST.new.sha256`` in ``sha256sum`` format for the files
    there now, sorted by path, with the backup itself left untouched.

    **Workspace**: ``backup/`` with 10-16 files in subfolders (CSV exports,
    Markdown notes, SQL, small binary PDFs and photos) themed on the
    persona's domain; last week's manifest in ``sha256sum`` format; a
    README from the backup job; distractors elsewhere.

    **Checks**: the report's header; the changed, missing and new files each
    listed (one check per status); the exact report in order; the new
    manifest's entries, order, and that ``sha256sum -c`` accepts it; the
    backup and old manifest unchanged.

    **Hard**: more files; a file that moved (same hash, new path) to report
    once as ``moved`` with its ``previous_path``; last week's manifest mixes
    ``./`` prefixes and ``*`` binary markers; ``.DS_Store`` and
    ``Thumbs.db`` junk that is not part of the backup.
    """

    name = "backup_manifest_verify"
    scenario = Scenario.SYSTEMS_INFRASTRUCTURE
    operations = (Operation.SYSTEM_ENVIRONMENT, Operation.DATA_ANALYSIS)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        year = rng.choice((2025, 2026))
        run_day = dt.date(year, rng.randint(2, 12), rng.randint(1, 28))
        last_week = run_day - dt.timedelta(days=7)

        # Candidate files (path -> generator of old content).
        candidates: list[tuple[str, str]] = []
        for month in rng.sample(range(12), 6):
            candidates.append((f"finance/{year}-{month + 1:02d}-ledger.csv", "ledger"))
        for number in rng.sample(range(100, 999), 5):
            candidates.append((f"invoices/inv-{year}-{number:04d}.pdf", "pdf"))
        for vendor in rng.sample(domain.vendors, 3):
            candidates.append((f"contracts/{slug(vendor, separator='-')}-agreement.pdf", "pdf"))
        for project in rng.sample(domain.projects, 4):
            candidates.append((f"docs/{slug(project, separator='-')}-notes.md", "notes"))
        for number in rng.sample(range(1000, 9999), 6):
            candidates.append((f"photos/img_{number}.jpg", "jpg"))
        candidates += [("db/customers-export.csv", "customers"), ("db/schema.sql", "sql"),
                       ("docs/handbook.md", "notes"), ("db/orders-export.csv", "customers")]  # fmt: skip
        total = rng.randint(16, 22) if hard else rng.randint(10, 15)
        picked = rng.sample(candidates, total)

        def content(kind: str, path: str, version: int) -> bytes:
            crng = rng.child("content", path, version)
            if kind == "pdf":
                return _blob(crng, b"%PDF-1.4\n", crng.randint(200, 600))
            if kind == "jpg":
                return _blob(crng, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", crng.randint(300, 900))
            if kind == "ledger":
                rows = [["date", "account", "description", "amount"]]
                month = int(path.split("-")[1])
                for _ in range(crng.randint(5, 12)):
                    day = iso(dt.date(year, month, crng.randint(1, 28)))
                    account = crng.choice(("4000", "5100", "6200", "1200"))
                    rows.append([day, account, crng.choice(domain.expense_categories), f"{crng.money(20, 900):.2f}"])
                return csv_text(rows).encode()
            if kind == "customers":
                rows = [["id", "name", "email", "city"]]
                for index in range(crng.randint(6, 12)):
                    person = b.pools.person(crng)
                    rows.append([1000 + index, person, b.pools.email(person, "example.com"), b.pools.city(crng)])
                return csv_text(rows).encode()
            if kind == "sql":
                tables = crng.sample(("customers", "orders", "invoices", "contacts", "notes", "audit_log"), 3)
                return "".join(f"CREATE TABLE {t} (\n  id INTEGER PRIMARY KEY,\n  created_at TEXT NOT NULL\n);\n\n"
                               for t in tables).encode()  # fmt: skip
            topic = path.rsplit("/", 1)[1].removesuffix(".md").replace("-", " ")
            lines = [f"# {topic.capitalize()}", ""]
            states = ("done", "in progress", f"blocked on {crng.choice(b.persona.team)}", "revisit next week")
            for term in crng.sample(domain.jargon, crng.randint(2, 5)):
                lines.append(f"- {term[:1].upper()}{term[1:]}: {crng.choice(states)}")
            return ("\n".join(lines) + "\n").encode()

        old = {path: content(kind, path, 0) for path, kind in picked}
        kinds = dict(picked)
        paths = list(old)
        order = rng.shuffled(paths)
        n_changed = rng.randint(2, 3)
        n_missing = rng.randint(1, 2)
        changed = sorted(order[:n_changed])
        missing = sorted(order[n_changed : n_changed + n_missing])
        moved_from = order[n_changed + n_missing] if hard else None
        current = {path: data for path, data in old.items() if path not in missing and path != moved_from}
        for path in changed:
            current[path] = content(kinds[path], path, 1)
        # New files: not in the manifest.
        leftovers = [item for item in candidates if item[0] not in old]
        new_items = rng.sample(leftovers, min(len(leftovers), rng.randint(1, 3)))
        for path, kind in new_items:
            current[path] = content(kind, path, 2)
        new = sorted(path for path, _ in new_items)
        moved_to = None
        if moved_from is not None:
            folder, _, base = moved_from.rpartition("/")
            moved_to = f"archive/{folder}/{base}"
            current[moved_to] = old[moved_from]

        # Last week's manifest (messy in hard mode), in sha256sum's own order: sorted by path.
        manifest_lines = []
        for path in sorted(old):
            mark = rng.choice((" ", " ", "*")) if hard and kinds[path] in ("pdf", "jpg") else " "
            shown = f"./{path}" if hard and rng.chance(0.3) else path
            manifest_lines.append(f"{_sha(old[path])} {mark}{shown}")
        manifest = "\n".join(manifest_lines) + "\n"
        for path, data in sorted(current.items()):
            b.file(f"backup/{path}", data)
        b.file("backup/MANIFEST.sha256", manifest)
        junk = {}
        if hard:
            junk = {f"backup/{rng.choice(('photos', 'docs'))}/.DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(24),
                    "backup/photos/Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(40)}  # fmt: skip
            for path, data in junk.items():
                b.file(path, data)
        readme = (
            f"Nightly backup for {b.persona.org}\n"
            f"Last verified: {iso(last_week)} by {b.persona.team[0]} (manifest written then).\n"
            "Manifest format: sha256sum, paths relative to backup/. Verify with:\n"
            "    cd backup && sha256sum -c MANIFEST.sha256\n"
        )
        b.file("BACKUP_README.txt", readme)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3),
                          avoid=["backup/", "verify_report.csv", "archive/"])  # fmt: skip

        # Ground truth.
        rows: list[list[str]] = [[p, "changed"] for p in changed] + [[p, "missing"] for p in missing]
        rows += [[p, "new"] for p in new]
        if hard:
            rows = [[*row, ""] for row in rows] + [[moved_to, "moved", moved_from]]
        rows.sort(key=lambda row: row[0])
        header = ["path", "status", "previous_path"] if hard else ["path", "status"]
        fresh = [(_sha(data), path) for path, data in sorted(current.items())]

        # Request.
        columns = ", ".join(header)
        body = b.pick(
            [
                f"Can you verify the backup in backup/ against last week's backup/MANIFEST.sha256 ({iso(last_week)})? "
                f"Write verify_report.csv in the workspace root with the columns {columns}: one row for every file "
                "that is missing (listed in the manifest but gone), changed (its sha256 differs from the manifest) "
                "or new (present but not in the manifest), with status exactly missing, changed or new, and path "
                "relative to backup/, sorted by path. Files that still match get no row. Then write a fresh "
                "manifest for what's there now, backup/MANIFEST.new.sha256, in the same sha256sum format (hash, "
                "two spaces, path relative to backup/ without a leading ./), one line per file, sorted by path. "
                "The manifest files themselves aren't part of the backup. Please don't change anything else in "
                "backup/.",
                "Weekly backup check, please:\n"
                f"1. Compare backup/ with backup/MANIFEST.sha256 (written {iso(last_week)}).\n"
                f"2. verify_report.csv (columns: {columns}) with a row per problem file: status missing if it's in "
                "the manifest but not on disk, changed if the hash no longer matches, new if it's on disk but not "
                "in the manifest. Paths relative to backup/, rows sorted by path, nothing for files that are fine.\n"
                "3. backup/MANIFEST.new.sha256 covering every file currently in the backup (not the manifests), "
                "sha256sum style `<hash>  <path>` with paths relative to backup/ and no ./ prefix, sorted by path.\n"
                "Leave the backup files and the old manifest exactly as they are.",
                "I don't trust last night's backup. backup/MANIFEST.sha256 is from last week's check; could you "
                "tell me what's changed since? I need verify_report.csv at the top level — "
                f"{columns} — listing each file that's missing, changed (different sha256) or new, using those "
                "exact status words and paths relative to backup/, sorted by path. And generate a new manifest, "
                "backup/MANIFEST.new.sha256, for the current files in sha256sum format (two spaces between hash "
                "and path, paths relative to backup/, no ./, sorted by path; leave the manifest files out of it). "
                "Don't modify the backup itself.",
            ]
        )
        body += " For sorting, plain byte order (what `LC_ALL=C sort` gives) is what I mean."
        if hard:
            body += (
                "\n\nA few things to watch: last week's manifest isn't perfectly tidy (some paths start with ./ "
                "and some lines use the * binary marker; both still mean a path relative to backup/). "
                ".DS_Store and Thumbs.db files are junk, not part of the backup: leave them out of both outputs. "
                "If a file from the manifest is gone but a file with exactly the same hash turned up somewhere "
                "else, that's a move: report it once with status moved, the new path in path and the old one in "
                "previous_path (leave previous_path empty on the other rows)."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        report = "verify_report.csv"
        has_report = c.csv_header("report_header", report, header, ignore_case=True)
        for status, items in (("changed", changed), ("missing", missing), ("new", new)):
            c.text_regex(
                f"{status}_files_listed", report, _rows_pattern([(p, status) for p in items]), requires=[has_report]
            )
        if hard:
            c.text_regex("moved_file_listed", report, _rows_pattern([(moved_to, "moved", moved_from)]),
                         requires=[has_report])  # fmt: skip
        c.csv_rows("report_exact_and_sorted", report, rows, ignore_case=True, requires=[has_report])
        new_manifest = "backup/MANIFEST.new.sha256"
        has_manifest = c.file_exists("new_manifest_written", new_manifest)
        c.command("new_manifest_entries_correct", _manifest_script(new_manifest, fresh, ordered=False),
                  requires=[has_manifest])  # fmt: skip
        c.command("new_manifest_sorted_by_path", _manifest_script(new_manifest, fresh, ordered=True),
                  requires=[has_manifest])  # fmt: skip
        c.command("new_manifest_verifies", "cd backup && sha256sum --quiet -c MANIFEST.new.sha256",
                  requires=[has_manifest])  # fmt: skip
        originals = {f"backup/{path}": data for path, data in current.items()}
        originals.update(junk)
        originals["backup/MANIFEST.sha256"] = manifest
        c.files_unchanged("backup_untouched", originals, requires=[has_report])

        # Reference solution.
        s = b.solution
        s.exec("cat BACKUP_README.txt && find backup -type f | LC_ALL=C sort && head -3 backup/MANIFEST.sha256")
        s.exec("cd backup && sha256sum -c MANIFEST.sha256 2>&1 | grep -v ': OK$'; true")
        s.exec(
            "cd backup && find . -type f ! -name 'MANIFEST*' ! -name .DS_Store ! -name Thumbs.db | sed 's|^\\./||' "
            "| LC_ALL=C sort | xargs sha256sum > MANIFEST.new.sha256 && cat MANIFEST.new.sha256"
        )
        s.write(report, csv_text([header, *rows]))

        # Near miss: only what `sha256sum -c` shows (the new files are forgotten).
        forgot = [row for row in rows if row[1] != "new"]
        b.near_miss(
            [*s.steps[:3], {"name": "write", "arguments": {"path": report, "content": csv_text([header, *forgot])}}]
        )


def _rows_pattern(rows: list[tuple[str, ...]]) -> str:
    """A regex that matches once when each row's cells start a line of the CSV (optional quotes, spaces)."""
    looks = []
    for row in rows:
        cells = r",".join(r"[ \t]*\"?" + re.escape(cell) + r"\"?[ \t]*" for cell in row)
        looks.append(rf"(?=[\s\S]*^{cells}(?:,[^\n]*)?$)")
    return r"(?mi)\A" + "".join(looks)


def _manifest_script(path: str, expected: list[tuple[str, str]], *, ordered: bool) -> str:
    """A bash command running a stdlib python check of a sha256sum-format manifest."""
    script = (
        "import re, sys\n"
        f"expected = {expected!r}\n"
        "got = []\n"
        f"for line in open({path!r}, encoding='utf-8').read().splitlines():\n"
        "    if not line.strip():\n"
        "        continue\n"
        "    m = re.match(r'^([0-9a-fA-F]{64}) [ *](?:\\./)?(\\S.*?)\\s*$', line)\n"
        "    if not m:\n"
        "        sys.exit(1)\n"
        "    got.append((m.group(1).lower(), m.group(2)))\n"
        + ("got, expected = sorted(got), sorted(expected)\n" if not ordered else "")
        + "sys.exit(0 if got == expected else 1)\n"
    )
    return "python3 - <<'PYCHECK'\n" + script + "PYCHECK\n"
