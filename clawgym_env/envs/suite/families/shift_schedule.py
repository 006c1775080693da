"""Shift schedule: build a staff rota by the team's fill-in procedure and validate it with the team's checker."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text

__all__ = ["ShiftSchedule"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHIFTS = ("morning", "evening", "night")
SHIFT_TIMES = {"morning": ("07:00", "15:00"), "evening": ("15:00", "23:00"), "night": ("23:00", "07:00")}
# domain -> (lead role, main role, support role, what the place is)
ROLES = {
    "healthcare": ("charge nurse", "nurse", "healthcare assistant", "ward"),
    "restaurant": ("shift lead", "line cook", "dishwasher", "kitchen"),
    "hospitality": ("duty manager", "receptionist", "porter", "front office"),
    "retail": ("supervisor", "cashier", "stock assistant", "store"),
    "logistics": ("team leader", "picker", "forklift driver", "depot"),
    "manufacturing": ("shift supervisor", "line operator", "quality tech", "plant"),
    "software": ("incident lead", "on-call engineer", "support agent", "support desk"),
    "events": ("floor manager", "steward", "runner", "venue"),
    "nonprofit": ("shift lead", "volunteer", "driver", "shelter"),
    "media": ("duty editor", "reporter", "producer", "newsroom"),
    "research": ("lab manager", "technician", "student helper", "lab"),
    "education": ("duty lead", "supervisor", "helper", "after-school club"),
    "legal": ("duty solicitor", "adviser", "receptionist", "advice line"),
    "finance": ("desk lead", "analyst", "ops assistant", "operations desk"),
    "construction": ("site supervisor", "operative", "gate marshal", "site"),
    "household": ("lead carer", "carer", "driver", "family care"),
}
DEFAULT_ROLES = ("team lead", "attendant", "runner", "front desk")
OFF_NOTES = ("dentist", "family wedding", "course", "moving house", "school play", "exam", "", "")
DECLINED_NOTES = ("asked too late", "clashes with stocktake", "needs cover first")


class ShiftSchedule(TaskFamily):
    """Build next period's shift rota by the team's fill-in procedure, then run the team's rota checker.

    **Request**: the user wants ``rota/roster.csv`` (date, shift, role,
    name; sorted by date, shift, role order, name), ``rota/gaps.csv``
    (slots nobody could fill) and ``rota/summary.json`` (shifts per person,
    unfilled slots), filled by the deterministic procedure in the rota
    README (fewest shifts so far, then alphabetical), and
    ``tools/check_roster.py`` run on the result.

    **Workspace**: ``staff.csv`` (name, roles, max_shifts) in no particular
    order, ``shifts.csv`` (which roles each shift needs), ``time_off.csv``,
    the README with the procedure and constraints (one shift a day, max
    shifts, no morning after a night), the stdlib checker, last period's
    rota, unrelated files.

    **Checks**: the roster's header, its assignments as a set and in order,
    the checker accepts it; the gaps file; the summary's counts; the
    checker and inputs are unchanged.

    **Hard**: a full week, more staff and multi-role people, time-off
    requests that were declined or withdrawn (which do not count), and a
    limit of three days in a row.
    """

    name = "shift_schedule"
    scenario = Scenario.REASONING_TECHNICAL
    operations = (Operation.DATA_ANALYSIS,)
    domains = ("healthcare", "restaurant", "retail", "logistics", "hospitality", "manufacturing", "events", "nonprofit")

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        lead, main, support, place = ROLES.get(b.persona.domain, DEFAULT_ROLES)
        days_count = 7 if b.hard else rng.randint(3, 4)
        first = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 21))
        while first.weekday() != 0:
            first = date_add(first, 1)
        days = [date_add(first, i) for i in range(days_count)]

        # What each shift needs, roles in fill order.
        needs = {
            "morning": [(lead, 1), (main, rng.randint(1, 2)), (support, 1)],
            "evening": [(lead, 1), (main, rng.randint(1, 2)), (support, rng.randint(0, 1))],
            "night": [(lead, rng.randint(0, 1)), (main, 1)],
        }
        needs = {shift: [(role, n) for role, n in pairs if n] for shift, pairs in needs.items()}
        slots_per_day = sum(n for pairs in needs.values() for _, n in pairs)

        # Staff: the persona's team plus pool names.
        size = rng.randint(11, 14) if b.hard else rng.randint(8, 10)
        names = list(b.persona.team)
        for extra in b.pools.people(rng, size + 4):
            if len(names) >= size:
                break
            # Distinct first names, plain ASCII initials: "alphabetical" then means the same to everyone.
            if extra[0].isascii() and extra.split()[0] not in {n.split()[0] for n in names}:
                names.append(extra)
        names = rng.shuffled(names[:size])
        roles: dict[str, list[str]] = {}
        leads = max(3, size // 4)
        supports = max(2, size // 4)
        for index, person in enumerate(names):
            if index < leads:
                roles[person] = [lead, main] if rng.chance(0.6) else [lead]
            elif index < leads + supports:
                roles[person] = [support, main] if (b.hard and rng.chance(0.5)) else [support]
            else:
                roles[person] = [main, support] if (b.hard and rng.chance(0.3)) else [main]
        capacity = slots_per_day * days_count
        base_max = max(2, round(capacity * 1.2 / size))
        max_shifts = {p: max(1, base_max + rng.choice((-1, 0, 0, 1))) for p in names}
        max_shifts = {p: min(m, days_count) for p, m in max_shifts.items()}

        # Time off: approved requests bind; declined or withdrawn ones (hard) do not.
        time_off: list[list[str]] = []
        off: dict[str, set[dt.date]] = {p: set() for p in names}
        for person in rng.sample(names, min(len(names), rng.randint(3, 5) if b.hard else rng.randint(2, 3))):
            for day in rng.sample(days, rng.randint(1, 2)):
                time_off.append([person, iso(day), "approved", rng.choice(OFF_NOTES)])
                off[person].add(day)
        if b.hard:
            for person in rng.sample(names, 3):
                day = rng.choice(days)
                if day in off[person]:
                    continue
                status = rng.choice(("declined", "withdrawn"))
                note = rng.choice(DECLINED_NOTES) if status == "declined" else "swapped with a colleague instead"
                time_off.append([person, iso(day), status, note])
        time_off.sort(key=lambda row: (row[1], row[0]))
        streak_limit = 3 if b.hard else None

        # Ground truth: the README's procedure.
        count = dict.fromkeys(names, 0)
        worked: dict[tuple[str, dt.date], str] = {}
        assignments: list[tuple[dt.date, str, str, str]] = []
        gaps: list[tuple[dt.date, str, str, int]] = []
        for d_index, day in enumerate(days):
            for shift in SHIFTS:
                for role, need in needs[shift]:
                    missing = 0
                    for _ in range(need):
                        candidates = [
                            p
                            for p in names
                            if role in roles[p]
                            and day not in off[p]
                            and (p, day) not in worked
                            and count[p] < max_shifts[p]
                            and not (shift == "morning" and d_index and worked.get((p, days[d_index - 1])) == "night")
                            and not (
                                streak_limit
                                and d_index >= streak_limit
                                and all((p, days[d_index - k]) in worked for k in range(1, streak_limit + 1))
                            )
                        ]
                        if not candidates:
                            missing += 1
                            continue
                        pick = min(candidates, key=lambda p: (count[p], p))
                        count[pick] += 1
                        worked[(pick, day)] = shift
                        assignments.append((day, shift, role, pick))
                    if missing:
                        gaps.append((day, shift, role, missing))
        role_rank = {shift: {role: i for i, (role, _) in enumerate(needs[shift])} for shift in SHIFTS}
        assignments.sort(key=lambda a: (a[0], SHIFTS.index(a[1]), role_rank[a[1]][a[2]], a[3]))
        roster_rows = [[iso(day), shift, role, person] for day, shift, role, person in assignments]
        gap_rows = [[iso(day), shift, role, n] for day, shift, role, n in gaps]
        summary = {"shifts_per_person": {p: count[p] for p in sorted(names)}, "unfilled_slots": sum(g[3] for g in gaps)}

        # Workspace.
        staff_csv = csv_text(
            [["name", "roles", "max_shifts"], *([p, ";".join(roles[p]), max_shifts[p]] for p in names)]
        )
        shift_rows = [["shift", "start", "end", "role", "needed"]]
        for shift in SHIFTS:
            for role, n in needs[shift]:
                shift_rows.append([shift, *SHIFT_TIMES[shift], role, n])
        shifts_csv = csv_text(shift_rows)
        off_csv = csv_text([["name", "date", "status", "note"], *time_off])
        staff_path = b.file("rota/staff.csv", staff_csv)
        shifts_path = b.file("rota/shifts.csv", shifts_csv)
        off_path = b.file("rota/time_off.csv", off_csv)
        period = f"{iso(days[0])} to {iso(days[-1])}"
        rules = [
            f"# {place.title()} rota: how we fill it",
            "",
            f"Period to fill: {period} ({WEEKDAYS[days[0].weekday()]} to {WEEKDAYS[days[-1].weekday()]}).",
            "",
            "## Constraints",
            "",
            "- Only people who hold a role (staff.csv `roles`) can fill a slot for that role.",
            "- Nobody works on a day they have approved time off (time_off.csv).",
            "- At most one shift per person per day.",
            "- Nobody goes over their `max_shifts` for the period.",
            "- Nobody works a morning shift the day after a night shift (a night shift belongs to the date it starts).",
        ]
        if streak_limit:
            rules.append(f"- Nobody works more than {streak_limit} days in a row.")
        rules += [
            "",
            "## Procedure (so the rota is fair and anyone can reproduce it)",
            "",
            "1. Go through the days in order; within a day, morning, then evening, then night.",
            "2. Within a shift, fill the roles in the order shifts.csv lists them, one slot at a time.",
            "3. For each slot, the candidates are everyone who could take it without breaking a constraint above.",
            "4. Give the slot to the candidate with the fewest shifts assigned so far in this period; if several "
            "are tied, the one whose name comes first alphabetically (full name as written in staff.csv).",
            "5. If nobody can take it, the slot stays open.",
            "",
            "Run `python3 tools/check_roster.py rota/roster.csv` before publishing; it checks the constraints.",
        ]
        readme = "\n".join(rules) + "\n"
        readme_path = b.file("rota/README.md", readme)
        checker = _checker_source(streak_limit)
        checker_path = b.file("tools/check_roster.py", checker)
        last_week = [date_add(day, -7) for day in days]
        old_rows = [["date", "shift", "role", "name"]]
        for day in last_week:
            for shift in SHIFTS:
                for role, n in needs[shift]:
                    pool = sorted(p for p in names if role in roles[p])
                    for person in rng.sample(pool, min(n, len(pool))):
                        old_rows.append([iso(day), shift, role, person])
        b.file(f"rota/archive/roster_{iso(last_week[0])}.csv", csv_text(old_rows))
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["rota/", "tools/"])

        roster_path = "rota/roster.csv"
        gaps_path = "rota/gaps.csv"
        summary_path = "rota/summary.json"
        body = b.pick(
            [
                f"Can you do the {place} rota for {period}? Staff, roles and limits are in {staff_path}, what each "
                f"shift needs is in {shifts_path}, time off is in {off_path}, and {readme_path} has the constraints "
                f"and the fill-in procedure we always use: please follow it exactly. Write {roster_path} with "
                "columns date, shift, role, name (dates YYYY-MM-DD, shift as morning/evening/night, one row per "
                "person per shift), sorted by date, then shift (morning, evening, night), then role in the order "
                f"shifts.csv lists them, then name. List the slots nobody could take in {gaps_path} (columns date, "
                "shift, role, missing, same order; just the header if there are none), and write "
                f"{summary_path} with shifts_per_person (every staff member, zeros included) and unfilled_slots "
                f"(total). Then run tools/check_roster.py on the roster and make sure it passes.",
                f"Rota time again ({period}). What I need:\n\n"
                f"1. {roster_path}: date, shift, role, name; one row per assignment; sorted by date, then "
                "morning/evening/night, then role in shifts.csv order, then name. Fill it using the procedure in "
                f"{readme_path} (fewest shifts so far wins, ties alphabetical), with {staff_path}, {shifts_path} "
                f"and {off_path}.\n"
                f"2. {gaps_path}: date, shift, role, missing for every slot left open (header only if none).\n"
                f"3. {summary_path}: shifts_per_person (everyone on staff, including zeros) and unfilled_slots.\n"
                "4. Run tools/check_roster.py on the roster; it has to come back clean.",
                f"hey, could you build next period's rota ({period})? same as always: {readme_path} explains the "
                f"rules and the fill order, the data is in {staff_path}, {shifts_path} and {off_path}. I need "
                f"{roster_path} (date, shift, role, name, sorted by date, shift morning to night, role as ordered in "
                f"shifts.csv, then name), {gaps_path} (date, shift, role, missing; header only if nothing is open) "
                f"and {summary_path} (shifts_per_person for every staff member incl. zeros, unfilled_slots). "
                "check it with tools/check_roster.py before you hand it back pls.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: only approved time off counts (some requests were declined or "
                "withdrawn), some people hold more than one role, and this time the three-days-in-a-row limit "
                "applies."
            )
        # After a list, the closing remark gets its own paragraph.
        body += (
            "\n\n" if body.splitlines()[-1][:2] in ("1.", "2.", "3.", "4.", "- ", "Ou") else " "
        ) + "Don't edit the inputs or the checker."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(8 if b.hard else 7)

        # Checks.
        c = b.checks
        has_roster = c.csv_header("roster_header", roster_path, ["date", "shift", "role", "name"], ignore_case=True)
        c.csv_rows("roster_assignments_correct", roster_path, roster_rows, ordered=False, ignore_case=True,
                   requires=[has_roster])  # fmt: skip
        c.csv_rows("roster_sorted", roster_path, roster_rows, ignore_case=True, requires=[has_roster])
        c.command("roster_passes_checker", f"python3 tools/check_roster.py {roster_path}",
                  stdout_contains=["roster OK"], requires=[has_roster])  # fmt: skip
        has_gaps = c.csv_header("gaps_header", gaps_path, ["date", "shift", "role", "missing"], ignore_case=True)
        c.csv_rows("gaps_correct", gaps_path, gap_rows, ignore_case=True, requires=[has_gaps])
        has_summary = c.json_valid("summary_written", summary_path)
        c.json_equals("shifts_per_person_correct", summary_path, "/shifts_per_person", summary["shifts_per_person"],
                      requires=[has_summary])  # fmt: skip
        c.json_equals("unfilled_slots_correct", summary_path, "/unfilled_slots", summary["unfilled_slots"],
                      requires=[has_summary])  # fmt: skip
        c.files_unchanged("checker_and_inputs_unchanged", {checker_path: checker, staff_path: staff_csv,
                          shifts_path: shifts_csv, off_path: off_csv, readme_path: readme},
                          requires=[has_roster])  # fmt: skip

        # Reference solution.
        s = b.solution
        s.exec(f"ls -R rota tools && cat {staff_path} {shifts_path} {off_path}")
        s.read(readme_path)
        s.write(roster_path, csv_text([["date", "shift", "role", "name"], *roster_rows]))
        s.write(gaps_path, csv_text([["date", "shift", "role", "missing"], *gap_rows]))
        s.write(summary_path, json_text(summary))
        s.exec(f"python3 tools/check_roster.py {roster_path}")

        # Near miss: one assignment left off the roster (the checker still passes, the roster is incomplete).
        short = csv_text([["date", "shift", "role", "name"], *roster_rows[:-1]])
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": roster_path, "content": short}},
                     *s.steps[3:]])  # fmt: skip


def _checker_source(streak_limit: int | None) -> str:
    """The team's stdlib rota checker (constraints only; it does not know the fill procedure)."""
    return (
        '''#!/usr/bin/env python3
"""Check a rota against staff.csv, shifts.csv and time_off.csv (run from the workspace root).

Usage: python3 tools/check_roster.py rota/roster.csv
"""
import csv
import datetime
import sys

STREAK_LIMIT = '''
        + repr(streak_limit)
        + """
ORDER = ["morning", "evening", "night"]


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def main(path):
    staff = {r["name"]: r for r in rows("rota/staff.csv")}
    needed = {}
    for r in rows("rota/shifts.csv"):
        needed[(r["shift"], r["role"])] = int(r["needed"])
    off = {(r["name"], r["date"]) for r in rows("rota/time_off.csv") if r["status"] == "approved"}
    problems = []
    seen_day = {}
    total = {}
    filled = {}
    roster = rows(path)
    if not roster or list(roster[0]) != ["date", "shift", "role", "name"]:
        problems.append("header must be: date,shift,role,name")
    for n, r in enumerate(roster, start=2):
        name, day, shift, role = r.get("name"), r.get("date"), r.get("shift"), r.get("role")
        if name not in staff:
            problems.append("line %d: unknown person %r" % (n, name))
            continue
        if (shift, role) not in needed:
            problems.append("line %d: no %r slot on the %r shift" % (n, role, shift))
            continue
        if role not in [x.strip() for x in staff[name]["roles"].split(";")]:
            problems.append("line %d: %s does not hold the role %r" % (n, name, role))
        if (name, day) in off:
            problems.append("line %d: %s has approved time off on %s" % (n, name, day))
        if (name, day) in seen_day:
            problems.append("line %d: %s already works on %s" % (n, name, day))
        seen_day[(name, day)] = shift
        total[name] = total.get(name, 0) + 1
        key = (day, shift, role)
        filled[key] = filled.get(key, 0) + 1
    for name, count in sorted(total.items()):
        if count > int(staff[name]["max_shifts"]):
            problems.append("%s has %d shifts, max is %s" % (name, count, staff[name]["max_shifts"]))
    for (name, day), shift in sorted(seen_day.items()):
        if shift == "night":
            nxt = (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()
            if seen_day.get((name, nxt)) == "morning":
                problems.append("%s works a morning on %s right after a night" % (name, nxt))
        if STREAK_LIMIT:
            start = datetime.date.fromisoformat(day)
            run = [(start + datetime.timedelta(days=k)).isoformat() for k in range(STREAK_LIMIT + 1)]
            if all((name, d) in seen_day for d in run):
                problems.append("%s works more than %d days in a row from %s" % (name, STREAK_LIMIT, day))
    for (day, shift, role), count in sorted(filled.items()):
        if count > needed[(shift, role)]:
            problems.append("%s %s: %d %s assigned, only %d needed" % (day, shift, count, role, needed[(shift, role)]))
    if problems:
        print("roster has problems:")
        for problem in problems:
            print("  - " + problem)
        return 1
    print("roster OK: %d assignments checked" % len(roster))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "rota/roster.csv"))
"""
    )
