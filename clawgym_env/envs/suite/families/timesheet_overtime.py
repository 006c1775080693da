"""Timesheet overtime: weekly hours, overtime and missing punches from clock-in/out timesheets."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import WORKPLACE_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, slug

__all__ = ["TimesheetOvertime"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NOTES = ("", "", "", "", "", "covering a colleague", "left early - appointment", "team meeting", "training session",
         "late bus", "swapped shift", "stayed for handover")  # fmt: skip
COLUMNS = ["employee", "week_start", "hours", "regular_hours", "overtime_hours", "missing_punches"]


def _hours(minutes: int) -> float:
    return round(minutes / 60 + 1e-9, 2)


class TimesheetOvertime(TaskFamily):
    """Turn two weeks of clock-in/clock-out timesheets into a payroll summary with overtime and a flags list.

    **Request**: payroll is due; the user wants
    ``payroll/summary_<start>.csv`` (employee, week_start, hours,
    regular_hours, overtime_hours, missing_punches) for the two weeks named
    in the request, sorted the way the request says (one of three orders),
    and ``payroll/flags_<start>.txt`` with one ``YYYY-MM-DD Name: missing
    clock-in|clock-out`` line per incomplete day, sorted by date then name.
    The overtime threshold and how incomplete days count are in the policy.

    **Workspace**: ``timesheets/<monday>/<name>.tsv`` per employee per week
    (date, in, out, note; a header with stray spaces), ``hr/overtime_policy.md``,
    ``hr/staff.csv`` (names, contracts), an old payroll summary, unrelated files.

    **Checks**: header; exact rows in the requested order; the rows as a
    set; the overtime and missing-punch columns; the name order; the flags
    as a set and in order; timesheets unchanged.

    **Hard**: an unpaid break column (minutes) to subtract, a night shift
    crossing midnight, part-time staff (marked in ``hr/staff.csv``) with a
    lower threshold, times written without a leading zero, an older week's
    folder that was already paid and must be left out, more staff.
    """

    name = "timesheet_overtime"
    scenario = Scenario.OFFICE_DAILY
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)
    domains = WORKPLACE_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        count = rng.randint(6, 7) if hard else rng.randint(4, 5)
        staff = list(b.persona.team[:count])
        if len(staff) < count:
            staff += [p for p in b.pools.people(rng, count + 3) if p not in staff][: count - len(staff)]
        staff = sorted(staff)
        threshold = rng.choice((37.5, 38.0, 40.0))
        part_threshold = rng.choice((20.0, 24.0, 25.0))
        part_timers = sorted(rng.sample(staff, 2)) if hard else []
        day0 = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 24))
        week1 = date_add(day0, -day0.weekday())
        weeks = [week1, date_add(week1, 7)]
        site = rng.choice(domain.departments)

        def clock(minutes: int) -> str:
            minutes %= 24 * 60
            hour, minute = divmod(minutes, 60)
            if hard and hour < 10 and rng.chance(0.3):
                return f"{hour}:{minute:02d}"
            return f"{hour:02d}:{minute:02d}"

        # Generate shifts: per (employee, week) a list of day records.
        sheets: dict[tuple[str, dt.date], list[dict]] = {}
        flags: list[tuple[dt.date, str, str]] = []
        missing_budget = rng.randint(3, 4) if hard else rng.randint(2, 3)
        for person in staff:
            part = person in part_timers
            heavy = rng.chance(0.5)
            for week in weeks:
                days = rng.sample(range(7 if not part else 5), rng.randint(3, 4) if part else rng.randint(4, 6))
                records = []
                for wd in sorted(days):
                    day = date_add(week, wd)
                    if part:
                        start = rng.randint(9 * 60, 13 * 60)
                        length = rng.randint(4 * 60, 7 * 60 + 30)
                    else:
                        start = rng.randint(6 * 60 + 30, 9 * 60 + 45)
                        length = rng.randint(8 * 60 + 15, 10 * 60 + 50) if heavy else rng.randint(7 * 60, 9 * 60)
                    brk = 0
                    if hard:
                        brk = rng.choice((30, 30, 45, 60)) if length >= 6 * 60 else rng.choice((0, 15))
                    record = {"day": day, "in": start, "out": start + length, "break": brk, "missing": None,
                              "note": rng.choice(NOTES)}  # fmt: skip
                    records.append(record)
                sheets[(person, week)] = records
        night = None
        if hard:
            person = rng.choice([p for p in staff if p not in part_timers])
            night = sheets[(person, weeks[1])][-1]
            night["in"] = rng.randint(21 * 60, 23 * 60)
            night["out"] = night["in"] + rng.randint(8 * 60, 9 * 60 + 30)
            night["break"] = rng.choice((30, 45))
            night["note"] = "night shift"
        # Missing punches, spread over different sheets (never on the night shift).
        keys = rng.sample(sorted(sheets, key=lambda key: (key[0], key[1])), missing_budget)
        for key in keys:
            record = rng.choice([r for r in sheets[key] if r is not night])
            record["missing"] = rng.choice(("clock-in", "clock-out", "clock-out"))
            record["note"] = "forgot to clock out" if record["missing"] == "clock-out" and rng.chance(0.5) else ""
            flags.append((record["day"], key[0], record["missing"]))
        # Files.
        header = ["date", "in", "out", "break_min", "note"] if hard else ["date", "in", "out", "note"]
        shown_header = [f" {h}" if rng.chance(0.3) else h for h in header]
        files: dict[str, str] = {}
        for (person, week), records in sorted(sheets.items(), key=lambda item: (item[0][1], item[0][0])):
            rows = [shown_header]
            for r in records:
                t_in = "" if r["missing"] == "clock-in" else clock(r["in"])
                t_out = "" if r["missing"] == "clock-out" else clock(r["out"])
                row = [iso(r["day"]), t_in, t_out]
                if hard:
                    row.append(str(r["break"]))
                row.append(r["note"])
                rows.append(row)
            path = f"timesheets/{iso(week)}/{slug(person)}.tsv"
            files[path] = csv_text(rows, delimiter="\t")
        if hard:
            old_week = date_add(week1, -7)
            for person in staff[:3]:
                rows = [header]
                for wd in range(5):
                    start = rng.randint(7 * 60, 9 * 60)
                    rows.append([iso(date_add(old_week, wd)), clock(start), clock(start + 8 * 60), "30", "paid"])
                files[f"timesheets/{iso(old_week)}/{slug(person)}.tsv"] = csv_text(rows, delimiter="\t")
        for path in sorted(files):
            b.file(path, files[path])

        policy_lines = [
            f"# Overtime policy — {b.persona.org}",
            "",
            "- The work week runs Monday to Sunday.",
            f"- Overtime is every hour worked in a week above {threshold:g} hours.",
            "- Hours come from the clock-in and clock-out times on the timesheet.",
            "- A day with a missing clock-in or clock-out counts as 0 hours until the manager fixes it; "
            "those days must be flagged.",
        ]
        if hard:
            policy_lines += [
                "- Breaks are unpaid: subtract the break_min column from the day's time.",
                "- Night shifts: when the clock-out time is earlier than the clock-in time, the shift ended the next "
                "morning; it counts in full on the day it started.",
                f"- Part-time staff (see hr/staff.csv) reach overtime after {part_threshold:g} hours in a week.",
            ]
        policy_lines += ["", "Questions: payroll@" + b.persona.email_domain, ""]
        policy = "\n".join(policy_lines)
        b.file("hr/overtime_policy.md", policy)
        staff_rows = [["name", "contract", "site"]] + [
            [p, "part-time" if p in part_timers else "full-time", site] for p in staff
        ]
        b.file("hr/staff.csv", csv_text(staff_rows))
        old_start = date_add(week1, -14)
        old_rows = [["employee", "week_start", "hours", "overtime_hours"]] + [
            [p, iso(old_start), f"{rng.randint(3000, 4600) / 100:.2f}", "0.00"] for p in staff[:3]
        ]
        b.file(f"payroll/summary_{iso(old_start)}_OLD.csv", csv_text(old_rows))
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["timesheets/", "payroll/", "hr/"])

        # Ground truth.
        summary = []
        for (person, week), records in sheets.items():
            limit = part_threshold if person in part_timers else threshold
            minutes = sum(r["out"] - r["in"] - r["break"] for r in records if r["missing"] is None)
            over = max(0, minutes - round(limit * 60))
            summary.append(
                {
                    "employee": person,
                    "week_start": iso(week),
                    "hours": _hours(minutes),
                    "regular_hours": _hours(minutes - over),
                    "overtime_hours": _hours(over),
                    "missing_punches": sum(1 for r in records if r["missing"]),
                }
            )
        orders = [
            ("by week_start (oldest first), then employee name A-Z",
             lambda row: (row["week_start"], row["employee"])),
            ("by overtime_hours, largest first; ties by employee name A-Z, then week_start",
             lambda row: (-row["overtime_hours"], row["employee"], row["week_start"])),
            ("by employee name A-Z, then week_start", lambda row: (row["employee"], row["week_start"])),
        ]  # fmt: skip
        order_text, order_key = orders[rng.below(len(orders))]
        summary.sort(key=order_key)
        rows = [[row[column] for column in COLUMNS] for row in summary]
        flags.sort(key=lambda flag: (flag[0], flag[1]))
        flag_lines = [f"{iso(day)} {person}: missing {what}" for day, person, what in flags]
        start = iso(week1)
        out_csv = f"payroll/summary_{start}.csv"
        out_flags = f"payroll/flags_{start}.txt"

        body = b.pick(
            [
                f"Payroll closes tomorrow. The timesheets for the two weeks starting {start} and {iso(weeks[1])} are "
                "in timesheets/ (one TSV per person per week) and the rules are in hr/overtime_policy.md. Could you "
                f"work out each person's hours per week and put them in {out_csv} with the columns "
                f"{', '.join(COLUMNS)} (one row per person per week they have a timesheet for), sorted {order_text}? "
                f"Then list every day with a missing punch in {out_flags}, one line each like "
                "`2026-03-04 Jane Doe: missing clock-out` (or clock-in), sorted by date and then name.",
                f"Need the payroll numbers for the weeks of {start} and {iso(weeks[1])}:\n"
                f"1. {out_csv}: columns {', '.join(COLUMNS)}; one row per employee per week; sort {order_text}.\n"
                f"2. {out_flags}: one line per day with a missing clock-in or clock-out, formatted "
                "`YYYY-MM-DD Full Name: missing clock-in` / `...: missing clock-out`, ordered by date, then name.\n"
                "Timesheets are under timesheets/<week>/; the overtime rules are in hr/overtime_policy.md.",
                f"can you run the overtime numbers for the fortnight starting {start}? timesheets/ has a TSV per "
                "person per week, hr/overtime_policy.md has the rules. I want a CSV at "
                f"{out_csv} ({','.join(COLUMNS)}, a row per person per week, {order_text}) and a flags list at "
                f"{out_flags} for days where somebody forgot to punch in or out, lines like `2026-03-04 Jane Doe: "
                "missing clock-out`, in date order (ties by name).",
            ]
        )
        notes = [
            "Hours to two decimals; missing_punches is the number of incomplete days that week.",
            "Write names the way hr/staff.csv has them.",
        ]
        if hard:
            notes += [
                "The folder for the week before is already paid: leave it out.",
                "Breaks, night shifts and part-timers are covered in the policy.",
            ]
        body += "\n\nA few things to watch:\n" + "\n".join(f"- {note}" for note in notes)
        body += "\nDon't change the timesheets."
        b.instruct(body[:1].upper() + body[1:])
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 5)

        c = b.checks
        has_csv = c.csv_header("summary_header", out_csv, COLUMNS, ignore_case=True)
        c.csv_rows("summary_rows_in_order", out_csv, rows, tolerance=0.011, requires=[has_csv])
        c.csv_rows("summary_rows_correct", out_csv, rows, tolerance=0.011, ordered=False, requires=[has_csv])
        c.csv_column("hours_correct", out_csv, "hours", [row[2] for row in rows], ordered=False, tolerance=0.011,
                     requires=[has_csv])  # fmt: skip
        c.csv_column("overtime_correct", out_csv, "overtime_hours", [row[4] for row in rows], ordered=False,
                     tolerance=0.011, requires=[has_csv])  # fmt: skip
        c.csv_column("missing_punch_counts", out_csv, "missing_punches", [row[5] for row in rows], ordered=False,
                     requires=[has_csv])  # fmt: skip
        c.csv_column("sorted_as_requested", out_csv, "employee", [row[0] for row in rows], requires=[has_csv])
        has_flags = c.file_exists("flags_written", out_flags)
        c.lines_equal("flags_complete", out_flags, flag_lines, ordered=False, requires=[has_flags])
        c.lines_equal("flags_in_order", out_flags, flag_lines, requires=[has_flags])
        c.files_unchanged("timesheets_unchanged", files, requires=[has_csv])

        s = b.solution
        s.exec("ls -R timesheets hr payroll && cat hr/overtime_policy.md hr/staff.csv")
        s.exec(f'for f in timesheets/{start}/*.tsv timesheets/{iso(weeks[1])}/*.tsv; do echo "== $f"; cat "$f"; done')
        s.write(out_csv, csv_text([COLUMNS, *rows]))
        s.write(out_flags, "\n".join(flag_lines) + "\n")
        s.exec(f"cat {out_csv} {out_flags}")

        # Near miss: the right numbers in the wrong order.
        wrong = list(reversed(rows)) if len(rows) > 1 else rows
        b.near_miss([s.steps[0], s.steps[1], {"name": "write", "arguments": {"path": out_csv, "content": csv_text(
            [COLUMNS, *wrong])}}, s.steps[3]])  # fmt: skip
