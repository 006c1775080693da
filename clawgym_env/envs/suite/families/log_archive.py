"""Log archive: gzip logs past their retention into monthly archive folders, with an index."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib

from clawgym_env.envs.suite.builder import Solution, TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, slug

__all__ = ["LogArchive"]

SERVICES = ("app", "worker", "api", "scheduler", "billing", "sync", "mailer", "nginx-access", "importer", "auth")
LEVELS = ("INFO", "INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
MESSAGES = (
    "processed batch {n} ({m} items) in {s}s",
    "request GET /api/{thing}/{n} 200 {ms}ms",
    "request POST /api/{thing} 201 {ms}ms",
    "cache miss for {thing}:{n}, refreshing",
    "retrying {thing} export (attempt {k}/3)",
    "job {thing}-sync finished, {m} rows",
    "slow query on {thing} ({ms}ms)",
    "user session expired (id {n})",
    "heartbeat ok",
    "queue depth {m}",
)


def gzip_stored(data: bytes) -> bytes:
    """A gzip file holding ``data`` in stored (uncompressed) deflate blocks: byte-identical everywhere."""
    out = bytearray(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
    chunks = [data[i : i + 65535] for i in range(0, len(data), 65535)] or [b""]
    for index, chunk in enumerate(chunks):
        final = 1 if index == len(chunks) - 1 else 0
        out += bytes([final]) + struct.pack("<HH", len(chunk), 0xFFFF ^ len(chunk)) + chunk
    out += struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return bytes(out)


class LogArchive(TaskFamily):
    """Archive logs older than the retention period into ``archive/YYYY-MM/`` as gzip files, with an index.

    **Request**: as of a given date, every dated log in ``logs/`` older than N
    days (a log exactly N days old stays) is gzip-compressed into
    ``archive/<YYYY-MM of the log's date>/<original name>.gz`` and removed
    from ``logs/``; recent and undated logs stay. ``archive/index.csv`` lists
    every archived file (file path, original bytes, line count), sorted by
    path.

    **Workspace**: 12-18 daily log files of a few services
    (``<service>-YYYY-MM-DD.log``) spanning the retention boundary, the
    current undated logs, a README in ``logs/``, unrelated files.

    **Checks**: each archive month folder holds exactly the right files;
    ``logs/`` keeps exactly the recent and undated files; per month, every
    archive decompresses to the original bytes (a python3 gzip command);
    the index rows; the kept logs are unchanged.

    **Hard**: 20-28 logs in three naming styles (``name-YYYY-MM-DD.log``,
    ``name.log.YYYY-MM-DD``, ``name_YYYYMMDD.log``), some already gzipped by
    logrotate (moved as they are, not compressed twice; the index counts
    their uncompressed bytes and lines), an existing archive month and index
    whose rows must be kept, more distractors.
    """

    name = "log_archive"
    scenario = Scenario.AUTOMATION_WORKFLOWS
    operations = (Operation.SYSTEM_ENVIRONMENT,)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        today = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        keep_days = rng.choice((7, 10, 14, 30))
        boundary = date_add(today, -keep_days)  # dated on or after this: keep
        services = rng.sample(SERVICES, 4 if hard else 3)
        things = [slug(word, separator="-") for word in rng.sample(domain.jargon, 3)]
        count = rng.randint(20, 28) if hard else rng.randint(12, 18)

        # Dates: always one exactly at the boundary, one the day before, the rest spread around.
        first_day = date_add(boundary, -rng.randint(15, 40))
        span = (today - first_day).days
        chosen: set[tuple[str, dt.date]] = {(services[0], boundary), (services[1], date_add(boundary, -1))}
        while len(chosen) < count:
            chosen.add((rng.choice(services), date_add(first_day, rng.randint(0, span - 1))))
        entries = sorted(chosen, key=lambda pair: (pair[1], pair[0]))

        logs = []
        for service, day in entries:
            style = rng.choice(("dash", "suffix", "compact")) if hard else "dash"
            name = {"dash": f"{service}-{iso(day)}.log", "suffix": f"{service}.log.{iso(day)}",
                    "compact": f"{service}_{day:%Y%m%d}.log"}[style]  # fmt: skip
            text = _log_text(rng, service, day, things)
            zipped = hard and day < boundary and rng.chance(0.3)
            logs.append({"name": name + (".gz" if zipped else ""), "day": day, "text": text, "zipped": zipped})
        current = {f"logs/{service}.log": _log_text(rng, service, today, things) for service in services[:2]}
        readme = (
            "Service logs. The services write <name>.log and the nightly rotation renames it with the date.\n"
            "Ops policy: keep dated logs in logs/ for the retention period, then archive them.\n"
        )

        inputs: dict[str, str | bytes] = {}
        for log in logs:
            data = log["text"].encode("utf-8")
            inputs[f"logs/{log['name']}"] = gzip_stored(data) if log["zipped"] else log["text"]
        inputs.update(current)
        inputs["logs/README.txt"] = readme
        for path in sorted(inputs):
            b.file(path, inputs[path])

        # An earlier archive run (hard): its month folder and index rows must survive.
        old_rows: list[list[object]] = []
        old_files: dict[str, bytes] = {}
        if hard:
            old_month = date_add(first_day.replace(day=1), -1).replace(day=1)
            for service in services[:2]:
                day = old_month.replace(day=rng.randint(1, 28))
                text = _log_text(rng, service, day, things)
                path = f"archive/{old_month:%Y-%m}/{service}-{iso(day)}.log.gz"
                old_files[path] = gzip_stored(text.encode("utf-8"))
                old_rows.append([path, len(text.encode("utf-8")), text.count("\n")])
            for path, data in old_files.items():
                b.file(path, data)
            old_rows.sort(key=lambda row: str(row[0]))
            old_index = csv_text([["file", "bytes", "lines"], *old_rows])
            b.file("archive/index.csv", old_index)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["logs/", "archive/"], exclude_kinds=("old_log",)
        )

        # Ground truth.
        archived = [log for log in logs if log["day"] < boundary]
        kept = [log for log in logs if log["day"] >= boundary]
        moves = []
        rows = list(old_rows)
        months: dict[str, dict[str, str]] = {}
        for log in archived:
            month = f"{log['day']:%Y-%m}"
            target = f"archive/{month}/{log['name']}" + ("" if log["zipped"] else ".gz")
            moves.append((f"logs/{log['name']}", target, log["zipped"]))
            data = log["text"].encode("utf-8")
            rows.append([target, len(data), log["text"].count("\n")])
            months.setdefault(month, {})[target.rsplit("/", 1)[1]] = hashlib.sha256(data).hexdigest()
        rows.sort(key=lambda row: str(row[0]))

        body = b.pick(
            [
                f"logs/ is filling up the disk. As of today, {iso(today)}, please archive every dated log that is "
                f"more than {keep_days} days old: gzip it into archive/YYYY-MM/ (the year and month of the log's "
                "own date), keeping the original file name plus .gz, and remove it from logs/. Anything newer, "
                "and the current undated logs, stay where they are. Then write archive/index.csv with columns "
                "file, bytes, lines: one row per archived file, file being its path (e.g. archive/2025-01/x.log.gz),"
                " bytes the uncompressed size and lines the line count as wc -l counts it, sorted by file.",
                f"Log housekeeping, as of {iso(today)} (retention is {keep_days} days):\n"
                f"1. Every dated log in logs/ older than {keep_days} days gets gzip-compressed into "
                "archive/<YYYY-MM of the log's date>/<original name>.gz and removed from logs/.\n"
                "2. Newer logs and the undated current ones stay put, untouched.\n"
                "3. archive/index.csv: columns file, bytes, lines — the archived file's path, its uncompressed "
                "size in bytes and its number of lines (like wc -l) — sorted by file.",
                f"can you archive the old logs? today's {iso(today)}, we keep {keep_days} days in logs/. anything "
                "older goes gzipped into archive/YYYY-MM/ (month of the log's date, same file name + .gz) and out "
                "of logs/. then an archive/index.csv with file,bytes,lines (path of the .gz, uncompressed bytes, "
                "line count like wc -l), sorted by file.",
            ]
        )
        body += (
            f"\n\nA log dated exactly {keep_days} days ago is not older than {keep_days} days, so it stays. The "
            "archived files must decompress to exactly the original contents."
        )
        if hard:
            body += (
                "\n\nA few things to watch: the rotation used three different file-name styles over time, some old "
                "logs are already gzipped (move those as they are, name included, don't compress them twice; "
                "their index row still gives the uncompressed bytes and lines), and there is already an "
                "archive/index.csv from the last run — keep its rows and add the new ones."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(6 if hard else 5)

        # Checks.
        c = b.checks
        month_checks = []
        for month in sorted(months):
            month_checks.append(c.dir_files(f"archive_{month.replace('-', '_')}_listing", f"archive/{month}",
                                            sorted(months[month])))  # fmt: skip
        remaining = [log["name"] for log in kept] + [p.split("/", 1)[1] for p in current] + ["README.txt"]
        logs_left = c.dir_files("logs_keeps_recent_only", "logs", remaining)
        for month in sorted(months):
            expected = {name: digest for name, digest in sorted(months[month].items())}
            script = (
                "import gzip,hashlib,sys; e=" + repr(expected) + "; sys.exit(0 if all(hashlib.sha256(gzip.open("
                f"'archive/{month}/'+n).read()).hexdigest()==h for n,h in e.items()) else 1)"
            )
            c.command(f"archive_{month.replace('-', '_')}_contents_intact", f'python3 -c "{script}"')
        for _, target, _ in moves:
            c.file_exists(f"archived_{slug(target.rsplit('/', 1)[1])}", target)
        c.csv_column("index_files_listed", "archive/index.csv", "file", [row[0] for row in rows])
        rows_ok = c.csv_rows("index_rows", "archive/index.csv", rows)
        c.csv_header("index_header", "archive/index.csv", ["file", "bytes", "lines"], ignore_case=True,
                     requires=[month_checks[0]])  # fmt: skip
        kept_inputs = {f"logs/{log['name']}": inputs[f"logs/{log['name']}"] for log in kept}
        kept_inputs.update(current)
        c.files_unchanged("kept_logs_unchanged", kept_inputs, requires=[logs_left])
        if hard:
            c.files_unchanged("earlier_archive_untouched", old_files, requires=[rows_ok])

        # Reference solution.
        s = b.solution
        s.exec("ls -la logs && ls -R archive 2>/dev/null; cat logs/README.txt")
        _archive(s, moves, rows)

        # Near miss: the log dated exactly on the boundary archived too (off by one day).
        edge = [log for log in logs if log["day"] == boundary]
        wrong_moves = list(moves)
        wrong_rows = list(rows)
        for log in edge:
            target = f"archive/{log['day']:%Y-%m}/{log['name']}" + ("" if log["zipped"] else ".gz")
            wrong_moves.append((f"logs/{log['name']}", target, log["zipped"]))
            wrong_rows.append([target, len(log["text"].encode("utf-8")), log["text"].count("\n")])
        wrong_rows.sort(key=lambda row: str(row[0]))
        wrong = Solution()
        wrong.steps.append(s.steps[0])
        _archive(wrong, wrong_moves, wrong_rows)
        b.near_miss(wrong)


def _archive(s: Solution, moves: list[tuple[str, str, bool]], rows: list[list[object]]) -> None:
    """Steps that move and gzip ``moves`` with a small python3 script, then write the index."""
    plan = ",\n".join(f"    ({src!r}, {dst!r}, {zipped})" for src, dst, zipped in moves)
    script = (
        "python3 - <<'EOF'\n"
        "import gzip, os, shutil\n"
        f"moves = [\n{plan},\n]\n"
        "for src, dst, already in moves:\n"
        "    os.makedirs(os.path.dirname(dst), exist_ok=True)\n"
        "    if already:\n"
        "        shutil.move(src, dst)\n"
        "        continue\n"
        "    with open(src, 'rb') as raw, gzip.open(dst, 'wb') as packed:\n"
        "        packed.write(raw.read())\n"
        "    os.remove(src)\n"
        "EOF\n"
        "ls -R archive logs"
    )
    s.exec(script)
    s.write("archive/index.csv", csv_text([["file", "bytes", "lines"], *rows]))


def _log_text(rng: StableRandom, service: str, day: dt.date, things: list[str]) -> str:
    lines = []
    moment = dt.datetime(day.year, day.month, day.day, rng.randint(0, 2), rng.randint(0, 59), rng.randint(0, 59))
    pid = rng.randint(1000, 39999)
    for _ in range(rng.randint(6, 24)):
        moment += dt.timedelta(seconds=rng.randint(20, 3000))
        if moment.date() != day:
            break
        message = rng.choice(MESSAGES).format(
            n=rng.randint(1, 9999), m=rng.randint(1, 800), s=round(rng.uniform(0.1, 9.9), 1),
            ms=rng.randint(3, 2400), k=rng.randint(1, 3), thing=rng.choice(things),
        )  # fmt: skip
        lines.append(f"{moment:%Y-%m-%dT%H:%M:%S}Z {rng.choice(LEVELS):5} {service}[{pid}]: {message}")
    return "\n".join(lines) + "\n"
