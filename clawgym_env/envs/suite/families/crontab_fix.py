"""Crontab fix: apply an ops ticket's changes to a crontab in place and lint it."""

from __future__ import annotations

import hashlib
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import slug

__all__ = ["CrontabFix"]

JOBS = (
    ("backup_db.sh", "Database backup", "database backup", ("daily",)),
    ("rotate_logs.sh", "Log rotation", "log rotation", ("daily",)),
    ("send_daily_digest.py", "Daily digest e-mail to the team", "daily digest", ("daily", "weekdays")),
    ("cleanup_tmp.sh", "Clear out old temp files", "temp cleanup", ("hourly", "daily", "six_hours")),
    ("refresh_cache.sh", "Warm the product cache", "cache warm-up", ("quarter_hour", "hourly")),
    ("export_reports.py", "Export reports for finance", "finance export", ("monthly", "weekdays")),
    ("check_disk.sh", "Disk space check (alerts on-call above 85%)", "disk check", ("quarter_hour", "hourly")),
    ("renew_certs.sh", "TLS certificate renewal check", "certificate renewal", ("daily", "monday")),
    ("weekly_report.py", "Weekly KPI report", "weekly KPI report", ("monday", "sunday", "saturday")),
    ("purge_sessions.py", "Purge expired sessions", "session purge", ("hourly", "six_hours")),
    ("import_bank_feed.py", "Import the bank feed", "bank feed import", ("weekdays", "daily")),
    ("reindex_search.sh", "Rebuild the search index", "search reindex", ("daily", "sunday", "saturday")),
    ("sync_calendar.py", "Sync the shared calendar", "calendar sync", ("quarter_hour", "hourly")),
    ("archive_uploads.sh", "Move old uploads to cold storage", "upload archiving", ("sunday", "saturday", "monthly")),
)
NEW_JOBS = (
    ("sync_inventory.py", "Inventory sync from the warehouse system", "inventory sync",
     ("quarter_hour", "hourly", "weekdays")),
    ("send_invoice_reminders.py", "Invoice reminder e-mails", "invoice reminders", ("weekdays", "monday")),
    ("snapshot_volumes.sh", "Volume snapshots", "volume snapshots", ("daily", "six_hours")),
    ("pull_timesheets.py", "Pull timesheets into payroll", "timesheet pull", ("monday", "weekdays", "daily")),
)  # fmt: skip
LEGACY = (
    ("ftp_upload_legacy.sh", "Upload the nightly export to the old FTP server", "legacy FTP upload", ("daily",)),
    ("sync_old_crm.py", "Sync contacts to the old CRM", "old CRM sync", ("six_hours", "hourly")),
    ("fax_gateway_poll.sh", "Poll the fax gateway", "fax gateway poll", ("quarter_hour", "hourly")),
)
SUBDIRS = {".sh": "maintenance", ".py": "jobs"}


def _num(value: int) -> str:
    return rf"0*{value}" if value else r"0+"


def _schedule(kind: str, minute: int, hour: int) -> tuple[str, str, str]:
    """(natural language, cron fields as written, regex accepting every usual spelling)."""
    m, h = _num(minute), _num(hour)
    at = f"{hour:02d}:{minute:02d}"
    if kind == "daily":
        return f"every day at {at}", f"{minute} {hour} * * *", rf"{m}\s+{h}\s+\*\s+\*\s+\*"
    if kind == "weekdays":
        return (f"every weekday (Monday to Friday) at {at}", f"{minute} {hour} * * 1-5",
                rf"{m}\s+{h}\s+\*\s+\*\s+(?:1-5|mon-fri|1,2,3,4,5)")  # fmt: skip
    if kind == "sunday":
        return f"every Sunday at {at}", f"{minute} {hour} * * 0", rf"{m}\s+{h}\s+\*\s+\*\s+(?:0|7|sun)"
    if kind == "monday":
        return f"every Monday at {at}", f"{minute} {hour} * * 1", rf"{m}\s+{h}\s+\*\s+\*\s+(?:1|mon)"
    if kind == "saturday":
        return f"every Saturday at {at}", f"{minute} {hour} * * 6", rf"{m}\s+{h}\s+\*\s+\*\s+(?:6|sat)"
    if kind == "monthly":
        return (f"on the 1st of every month at {at}", f"{minute} {hour} 1 * *",
                rf"{m}\s+{h}\s+0*1\s+\*\s+\*")  # fmt: skip
    if kind == "quarter_hour":
        return "every 15 minutes", "*/15 * * * *", r"(?:\*/15|0,15,30,45|0-59/15)\s+\*\s+\*\s+\*\s+\*"
    if kind == "hourly":
        return f"every hour at {minute} minutes past", f"{minute} * * * *", rf"{m}\s+\*\s+\*\s+\*\s+\*"
    if kind == "six_hours":
        return ("every 6 hours on the hour (00:00, 06:00, 12:00, 18:00)", "0 */6 * * *",
                r"0+\s+(?:\*/6|0,6,12,18|0-23/6)\s+\*\s+\*\s+\*")  # fmt: skip
    raise ValueError(kind)


MINUTES = (0, 5, 10, 15, 20, 30, 35, 40, 45, 50)
HOURS = (0, 1, 2, 3, 4, 5, 6, 7, 18, 19, 20, 21, 22, 23)

CRONLINT = r'''#!/usr/bin/env python3
"""Lint a crontab before installing it.

Usage: python3 tools/cronlint.py CRONTAB

Checks every job line: five valid schedule fields (or an @keyword), and every
path under DEPLOY_ROOT points at a file that exists in this repository and is
not a retired script (scripts/archive/). Prints "cronlint: N jobs, 0 problems"
and exits 0 when clean, otherwise one line per problem and exits 1.
"""

import os
import re
import sys

DEPLOY_ROOT = "__ROOT__"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
NAMES = [
    {},
    {},
    {},
    {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())},
]
KEYWORDS = {"@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")


def value(text, index):
    text = text.lower()
    if text in NAMES[index]:
        return NAMES[index][text]
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def field_ok(field, index):
    low, high = RANGES[index]
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        try:
            if base == "*":
                continue
            if "-" in base:
                first, last = (value(x, index) for x in base.split("-", 1))
                if not (low <= first <= last <= high):
                    return False
            elif not low <= value(base, index) <= high:
                return False
        except ValueError:
            return False
    return True


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2])
        return 2
    problems = []
    jobs = 0
    seen = {}
    with open(argv[1], encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#") or ENV.match(text):
            continue
        parts = text.split()
        if parts[0] in KEYWORDS:
            command = parts[1:]
        else:
            fields, command = parts[:5], parts[5:]
            if len(fields) < 5 or not command:
                problems.append("line %d: expected five schedule fields and a command" % number)
                continue
            for index, field in enumerate(fields):
                if not field_ok(field, index):
                    problems.append("line %d: bad schedule field %r" % (number, field))
        jobs += 1
        joined = " ".join(command)
        if joined in seen:
            problems.append("line %d: same command as line %d" % (number, seen[joined]))
        seen[joined] = number
        for token in command:
            if token.startswith(DEPLOY_ROOT + "/"):
                relative = token[len(DEPLOY_ROOT) + 1 :]
                if relative.startswith("scripts/archive/"):
                    problems.append("line %d: %s is a retired script" % (number, token))
                elif not os.path.isfile(os.path.join(REPO, relative)):
                    problems.append("line %d: %s does not exist" % (number, token))
    for problem in problems:
        print(problem)
    print("cronlint: %d jobs, %d problems" % (jobs, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


class CrontabFix(TaskFamily):
    """Apply an ops ticket to a crontab in place (add, reschedule, remove, fix a path) and lint the result.

    **Request**: an ops ticket in ``tickets/`` asks for changes to
    ``crontab.txt``: schedule a new script at a time given in words, move an
    existing job to a new schedule, remove a decommissioned job, and repair
    a job whose script path is wrong (the right file is found by looking in
    ``scripts/``). The user wants the crontab edited in place with comments
    and the other jobs kept, ``tools/cronlint.py crontab.txt`` run and its
    output saved to ``cronlint_report.txt``.

    **Workspace**: the crontab (header, SHELL/MAILTO/PATH lines, 6-8
    commented jobs pointing into the deploy root), the ticket, a README
    mapping the deploy root to this repository, the scripts, the stdlib
    linter, unrelated files.

    **Checks**: the crontab changed; the new job's schedule (any usual
    spelling) and path; the moved job appears once with its new schedule;
    the decommissioned job is gone; the repaired job points at the right
    script and the broken path is gone; every other job line, comment and
    environment line is still there; the linter (run by the verifier)
    passes and is unchanged; the saved report is clean with the right job
    count.

    **Hard**: 9-11 jobs, scripts organised in sub-folders with a retired copy
    in ``scripts/archive/`` that must not be used, an extra request to pause
    a job by commenting it out (not deleting it), a stale ``crontab.txt.bak``,
    more distractors.
    """

    name = "crontab_fix"
    scenario = Scenario.AUTOMATION_WORKFLOWS
    operations = (Operation.FILE_CONTENT, Operation.SYSTEM_ENVIRONMENT)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        org = slug(b.persona.org, separator="-")
        root = f"/srv/{org}-ops"
        logdir = f"/var/log/{org}"
        host = f"{org.split('-')[0]}-{rng.choice(('app01', 'ops1', 'batch02', 'srv3', 'cron01'))}"
        mail = f"ops@{b.persona.email_domain}"

        count = rng.randint(9, 11) if hard else rng.randint(6, 8)
        picked = rng.sample(JOBS, count - 1)
        legacy = rng.choice(LEGACY)
        new_script, new_comment, new_label, new_kinds = rng.choice(NEW_JOBS)
        jobs = []
        for script, comment, label, kinds in [*picked, legacy]:
            ext = "." + script.rsplit(".", 1)[1]
            rel = f"scripts/{SUBDIRS[ext]}/{script}" if hard else f"scripts/{script}"
            words, fields, pattern = _schedule(rng.choice(kinds), rng.choice(MINUTES), rng.choice(HOURS))
            jobs.append({"script": script, "rel": rel, "comment": comment, "label": label, "kinds": kinds,
                         "fields": fields, "pattern": pattern, "words": words, "ext": ext})  # fmt: skip
        jobs = rng.shuffled(jobs)
        for job in jobs:
            job["line"] = _line(job, root, logdir)
        legacy_job = next(job for job in jobs if job["script"] == legacy[0])
        others = [job for job in jobs if job is not legacy_job]
        moved, broken = others[0], others[1]
        paused = others[2] if hard else None

        # The broken job points at a script name that does not exist.
        wrong_rel = f"scripts/{broken['script']}" if hard else _misspell(broken["rel"], rng.below(3))
        broken_wrong_line = _line(dict(broken, rel=wrong_rel), root, logdir)

        # The reschedule.
        while True:
            new_words, new_fields, new_pattern = _schedule(
                rng.choice(moved["kinds"] + ("daily",)), rng.choice(MINUTES), rng.choice(HOURS)
            )
            if new_fields != moved["fields"]:
                break
        moved_new_line = _line(dict(moved, fields=new_fields), root, logdir)

        # The addition.
        add_ext = "." + new_script.rsplit(".", 1)[1]
        add_rel = f"scripts/{SUBDIRS[add_ext]}/{new_script}" if hard else f"scripts/{new_script}"
        add_words, add_fields, add_pattern = _schedule(rng.choice(new_kinds), rng.choice(MINUTES), rng.choice(HOURS))
        add_job = {"script": new_script, "rel": add_rel, "comment": new_comment, "fields": add_fields, "ext": add_ext,
                   "label": new_label}  # fmt: skip
        add_line = _line(add_job, root, logdir)

        # Files: the crontab as it is today.
        header = [
            f"# crontab for ops@{host} — kept in git; install with: crontab crontab.txt",
            f"# Scripts live in {root} (this repository). Logs go to {logdir}/.",
            "SHELL=/bin/bash",
            f"MAILTO={mail}",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "",
        ]
        blocks = []
        for job in jobs:
            line = broken_wrong_line if job is broken else job["line"]
            blocks.append(f"# {job['comment']}\n{line}\n")
        crontab = "\n".join(header) + "\n" + "\n".join(blocks)
        b.file("crontab.txt", crontab)
        if hard:
            b.file("crontab.txt.bak", "\n".join(header) + "\n" + "\n".join(blocks[:-2]))

        scripts = {}
        for job in [*jobs, add_job]:
            scripts[job["rel"]] = _script(job)
        if hard:
            scripts[f"scripts/archive/{broken['script']}"] = _script(broken, retired=True)
        for path in sorted(scripts):
            b.file(path, scripts[path], executable=True)
        lint = CRONLINT.replace("__ROOT__", root)
        b.file("tools/cronlint.py", lint, executable=True)
        readme = (
            f"# {b.persona.org} ops scripts\n\n"
            f"This repository is deployed to `{root}` on {host}, so a crontab path like "
            f"`{root}/scripts/...` is `scripts/...` here.\n\n"
            "- `crontab.txt` is the source of truth for the host's crontab; keep a comment line above every job.\n"
            "- Python jobs run as `/usr/bin/python3 <script>`, shell jobs directly; every job appends stdout and "
            f"stderr to `{logdir}/<script name without extension>.log`.\n"
            "- Before committing, run `python3 tools/cronlint.py crontab.txt`.\n"
        )
        if hard:
            readme += "- `scripts/archive/` holds retired versions; never schedule anything from there.\n"
        b.file("README.md", readme)

        ticket_id = f"OPS-{rng.randint(1200, 4800)}"
        reporter = rng.choice(b.persona.team)
        items = [
            f"Please schedule `{add_rel}` (the new {new_label}) to run {add_words}. Same style as the other "
            "jobs, with a comment line above it.",
            f"Move the {moved['label']} job (`{moved['script']}`) from {moved['words']} to {new_words}.",
            f"The {legacy[2]} job (`{legacy[0]}`) is decommissioned — remove it from the crontab.",
            f'The {broken["label"]} job has been failing with "No such file or directory" since '
            + ("we moved the scripts into sub-folders" if hard else "the scripts were tidied up and renamed")
            + ". Point it at the right script (it's somewhere in scripts/); keep its schedule.",
        ]
        if paused is not None:
            items.append(
                f"Pause the {paused['label']} job (`{paused['script']}`) for now: comment its line out "
                "with a leading `# ` rather than deleting it, so we can turn it back on later."
            )
        items = [items[0], *rng.shuffled(items[1:])]
        ticket = (
            f"# {ticket_id}: crontab changes on {host}\n\n"
            f"Reporter: {reporter}\nAssignee: {b.persona.name}\nPriority: normal\n\n"
            f"Hi! A few changes for the {host} crontab (crontab.txt in the ops repo):\n\n"
            + "".join(f"{i}. {item}\n" for i, item in enumerate(items, 1))
            + f"\nThanks,\n{reporter.split()[0]}\n"
        )
        ticket_path = f"tickets/{ticket_id}.md"
        b.file(ticket_path, ticket)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["scripts/", "tools/", "tickets/"])

        body = b.pick(
            [
                f"Could you work through {ticket_path}? It's a handful of changes to crontab.txt. Edit the file in "
                "place — keep the header, the environment lines and the comments — then run "
                "`python3 tools/cronlint.py crontab.txt` and save its output to cronlint_report.txt. It should "
                "come back clean.",
                f"Ops ticket {ticket_id} (in tickets/) needs doing:\n"
                "1. Make the requested changes directly in crontab.txt, keeping the existing comments and "
                "environment lines.\n"
                "2. Run tools/cronlint.py on it until it reports 0 problems.\n"
                "3. Save the linter's final output as cronlint_report.txt.",
                f"can you sort out {ticket_id}? the ticket's in tickets/, the crontab is crontab.txt — change it in "
                "place, don't lose the comments. then lint it with tools/cronlint.py and put the output in "
                "cronlint_report.txt, should be 0 problems.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: the scripts now live in sub-folders of scripts/, and scripts/archive/ only "
                "has retired copies; one job should be paused (commented out), not deleted; crontab.txt.bak is an "
                "old copy, leave it alone."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(5 if hard else 4)

        # Ground truth: the crontab after the ticket.
        final_jobs = [job for job in jobs if job is not legacy_job and job is not paused]
        job_total = len(final_jobs) + 1
        kept_lines = [job["line"] for job in jobs if job not in (legacy_job, moved, broken, paused)]
        comments = [line for line in header if line.startswith("#")]
        comments += [f"# {job['comment']}" for job in jobs if job is not legacy_job]
        env_lines = [line for line in header if "=" in line and not line.startswith("#")]

        c = b.checks
        original_sha = _sha(crontab)
        changed = c.command(
            "crontab_changed",
            "python3 -c \"import hashlib,sys; sys.exit(hashlib.sha256(open('crontab.txt','rb').read()).hexdigest()"
            f"=='{original_sha}')\"",
        )
        c.text_regex("new_job_added", "crontab.txt", _job_regex(add_pattern, root, add_rel), min_count=1, max_count=1)
        c.text_regex("moved_job_new_schedule", "crontab.txt", _job_regex(new_pattern, root, moved["rel"]), max_count=1)
        c.text_regex("moved_job_listed_once", "crontab.txt", _active(root, moved["rel"]), max_count=1,
                     requires=[changed])  # fmt: skip
        c.text_regex("legacy_job_removed", "crontab.txt", _active(root, legacy_job["rel"]), min_count=0, max_count=0,
                     requires=[changed])  # fmt: skip
        c.text_regex("broken_job_points_at_real_script", "crontab.txt",
                     _job_regex(re.escape(broken["fields"]).replace(r"\ ", r"\s+"), root, broken["rel"]),
                     max_count=1)  # fmt: skip
        c.text_absent("broken_path_gone", "crontab.txt", [f"{root}/{wrong_rel}"], requires=[changed])
        if paused is not None:
            c.text_regex("paused_job_commented_out", "crontab.txt",
                         r"(?m)^\s*#+\s*" + re.escape(paused["line"]).replace(r"\ ", r"\s+") + r"\s*$")  # fmt: skip
            c.text_regex("paused_job_not_active", "crontab.txt", _active(root, paused["rel"]), min_count=0,
                         max_count=0, requires=[changed])  # fmt: skip
        c.text_contains("other_jobs_kept", "crontab.txt", kept_lines, requires=[changed])
        c.text_contains("comments_kept", "crontab.txt", comments, requires=[changed])
        c.text_contains("environment_lines_kept", "crontab.txt", env_lines, requires=[changed])
        lint_same = c.files_unchanged("cronlint_unchanged", {"tools/cronlint.py": lint}, requires=[changed])
        c.command("cronlint_passes", "python3 tools/cronlint.py crontab.txt", requires=[changed, lint_same],
                  stdout_contains=[f"{job_total} jobs, 0 problems"])  # fmt: skip
        c.text_contains("lint_report_saved", "cronlint_report.txt", [f"cronlint: {job_total} jobs, 0 problems"])
        c.files_unchanged("ticket_and_scripts_unchanged", {ticket_path: ticket, **scripts}, requires=[changed])

        # Reference solution: look, edit line by line, lint.
        s = b.solution
        s.exec(f"cat {ticket_path} && cat crontab.txt && " + ("find scripts -type f | sort" if hard else "ls scripts"))
        s.edit("crontab.txt", broken_wrong_line, broken["line"])
        s.edit("crontab.txt", moved["line"], moved_new_line)
        s.edit("crontab.txt", f"\n# {legacy_job['comment']}\n{legacy_job['line']}\n", "\n")
        if paused is not None:
            s.edit("crontab.txt", paused["line"], "# " + paused["line"])
        last_line = jobs[-1]["line"] if jobs[-1] is not legacy_job else jobs[-2]["line"]
        if last_line == moved["line"]:
            last_line = moved_new_line
        elif last_line == broken["line"]:
            last_line = broken["line"]
        elif paused is not None and last_line == paused["line"]:
            last_line = "# " + paused["line"]
        s.edit("crontab.txt", last_line + "\n", f"{last_line}\n\n# {new_comment}\n{add_line}\n")
        s.exec("python3 tools/cronlint.py crontab.txt > cronlint_report.txt; cat cronlint_report.txt")

        # Near miss: everything but the removal of the decommissioned job.
        b.near_miss([step for step in s.steps if step["arguments"].get("oldText", "").find(legacy_job["line"]) < 0])


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _line(job: dict, root: str, logdir: str) -> str:
    name = job["script"].rsplit(".", 1)[0]
    runner = "/usr/bin/python3 " if job["ext"] == ".py" else ""
    return f"{job['fields']} {runner}{root}/{job['rel']} >> {logdir}/{name}.log 2>&1"


def _job_regex(schedule: str, root: str, rel: str) -> str:
    """An active job line with ``schedule`` running ``root/rel`` (interpreter and redirections free)."""
    return rf"(?im)^[ \t]*{schedule}[ \t]+(?:\S*python3?[ \t]+)?{re.escape(root + '/' + rel)}(?:[ \t][^\n]*)?$"


def _active(root: str, rel: str) -> str:
    """Any active (uncommented) line that runs ``root/rel``."""
    return rf"(?m)^[ \t]*[^#\s][^\n]*{re.escape(root + '/' + rel)}(?![\w.-])"


def _misspell(rel: str, how: int) -> str:
    folder, name = rel.rsplit("/", 1)
    stem, ext = name.rsplit(".", 1)
    if how == 0 and "_" in stem:
        wrong = stem.replace("_", "-", 1) + "." + ext
    elif how == 1 and stem.endswith("s"):
        wrong = stem[:-1] + "." + ext
    else:
        wrong = stem + "_v1." + ext
    return f"{folder}/{wrong}"


def _script(job: dict, *, retired: bool = False) -> str:
    note = "RETIRED: kept for reference only, do not schedule.\n" if retired else ""
    if job["ext"] == ".py":
        return (
            "#!/usr/bin/env python3\n"
            f'"""{job["comment"]}.\n\n{note}"""\n\n'
            "import sys\n\n\n"
            "def main():\n"
            f'    print("{job["script"]}: done")\n'
            "    return 0\n\n\n"
            'if __name__ == "__main__":\n'
            "    sys.exit(main())\n"
        )
    retired_line = "# " + note if note else ""
    return f'#!/bin/bash\n# {job["comment"]}\n{retired_line}set -euo pipefail\necho "{job["script"]}: done"\n'
