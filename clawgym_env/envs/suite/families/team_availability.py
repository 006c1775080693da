"""Team availability: find every common free slot in a week of calendars kept in different time zones."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text, slug

__all__ = ["TeamAvailability"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = (("08:00", "16:00"), ("08:30", "17:00"), ("09:00", "17:00"), ("09:00", "17:30"), ("09:30", "18:00"),
         ("10:00", "18:00"), ("07:30", "15:30"))  # fmt: skip
EVENTS = ("Standup", "1:1", "Focus time", "Client call", "{project} review", "Lunch", "Interview", "Dentist",
          "{department} sync", "Vendor call: {vendor}", "Planning", "Training", "School pickup",
          "Workshop")  # fmt: skip
REAL_OFFSETS = (-480, -420, -360, -300, -240, -180, 0, 60, 120, 180, 240, 330, 480, 540, 600)
SPAN = 8 * 24 * 60
"""Minutes in the UTC window we track: Sunday 00:00 UTC before the week to the Monday after."""


def _hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _utc(origin: dt.datetime, minute: int) -> str:
    return f"{origin + dt.timedelta(minutes=minute):%Y-%m-%dT%H:%M}Z"


class TeamAvailability(TaskFamily):
    """Find every common free slot of at least N minutes in a week of teammates' calendars and propose the first.

    **Request**: the user needs a meeting of N minutes with the team; every
    person's calendar export sits in ``availability/`` with their own UTC
    offset and working hours. They want ``slots.json`` (every maximal
    stretch of time, within everyone's working hours, when nobody is busy,
    at least N minutes long, as UTC ``start``/``end`` strings, in order) and
    ``proposal.txt`` (the meeting at the start of the earliest slot, in UTC,
    plus each person's local start time).

    **Workspace**: one JSON file per person (name, UTC offset, working
    hours, busy blocks in local time), a README on the export, unrelated
    files.

    **Checks**: ``slots.json`` parses; the number of slots; the first and the
    last slot; the whole list; the proposal names the right UTC start and
    end; one check per person that the proposal gives their local start
    time; the exports are unchanged.

    **Hard**: 5-6 people spread over several UTC offsets (local dates and
    times differ), some calendars in an ICS-like text format instead of
    JSON, someone out of office for a whole day, more busy blocks, more
    distractors.
    """

    name = "team_availability"
    scenario = Scenario.MESSAGING_COLLABORATION
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        for attempt in range(40):
            plan = _plan(b, rng.child("plan", attempt))
            if 2 <= len(plan["slots"]) <= 14:
                break
        else:  # pragma: no cover - the attempts above always find a week with a few slots
            raise AssertionError("team_availability: no week with 2-14 common slots")
        people, slots, minutes, monday, origin = (plan[k] for k in ("people", "slots", "minutes", "monday", "origin"))
        domain = DOMAINS[b.persona.domain]
        project = rng.choice(domain.projects)

        inputs: dict[str, str] = {}
        for person in people:
            path, content = _export(person, hard)
            inputs[path] = content
            b.file(path, content)
        readme = (
            "# Calendar exports\n\n"
            f"Everyone exported their calendar for the week of {monday.isoformat()} (Monday to Friday).\n\n"
            "- All times in a file are local to that person; `utc_offset` (or X-UTC-OFFSET) says how far their "
            "clock is ahead of UTC.\n"
            "- Working hours are the same every working day, Monday to Friday in the person's own time zone.\n"
            "- Busy blocks may start before or run past working hours; the end time is exclusive.\n"
        )
        if hard:
            readme += (
                "- Some people exported .ics-style text instead of JSON: DTSTART/DTEND are local times, and an "
                "all-day event (DTSTART;VALUE=DATE) marks the whole day as unavailable.\n"
                "- `out_of_office` in a JSON export lists whole days the person is away.\n"
            )
        b.file("availability/README.md", readme)
        inputs["availability/README.md"] = readme
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["availability/"])

        slot_data = [{"start": _utc(origin, start), "end": _utc(origin, end)} for start, end in slots]
        first_start = slots[0][0]
        meeting = (_utc(origin, first_start), _utc(origin, first_start + minutes))
        local_starts = {}
        for person in people:
            local = origin + dt.timedelta(minutes=first_start + person["offset"])
            local_starts[person["name"]] = f"{local:%H:%M}"

        hours_text = (
            f"{minutes // 60} hour{'s' if minutes >= 120 else ''}" if minutes % 60 == 0 else f"{minutes} minutes"
        )
        names = ", ".join(p["name"].split()[0] for p in people if p["name"] != b.persona.name)
        body = b.pick(
            [
                f"I need to get {names} and myself into one room (well, one call) for the {project} kickoff some time "
                f"in the week of Monday {monday.isoformat()}. It needs {hours_text}. Everyone's calendar is exported "
                "in availability/. Could you find every slot where all of us are inside our working hours and "
                f"nobody is busy, at least {minutes} minutes long, and save them to slots.json? Then write the one "
                "I should book — the earliest slot, with the meeting starting right at its beginning — to "
                "proposal.txt.",
                f"Scheduling headache for the {project} kickoff ({hours_text}, week of {monday.isoformat()}):\n"
                "1. Work out, from the calendars in availability/, every stretch of time when everyone is within "
                f"their working hours and free, keeping only stretches of at least {minutes} minutes.\n"
                "2. Save them as slots.json.\n"
                "3. Put my proposal in proposal.txt: the meeting at the very start of the earliest slot.",
                f"can you find when the whole team is free for a {minutes}-minute {project} kickoff in the week of "
                f"{monday.isoformat()}? calendars are in availability/ — careful, everyone's times are in their own "
                "time zone. i want all the common free slots in slots.json and the first one as my proposal in "
                "proposal.txt.",
            ]
        )
        body += (
            "\n\nFormat: slots.json is a JSON list of objects with exactly two keys, start and end, both in UTC "
            f"written like {monday.isoformat()}T14:30Z, in chronological order; a slot is a whole stretch of "
            "common free time (don't chop it into meeting-sized pieces). In proposal.txt put the meeting's UTC "
            "start and end in the same format on the first line, then one line per person with their first name "
            "and the local start time as HH:MM."
        )
        if hard:
            body += (
                "\n\nA few things to watch: people are in different time zones, some calendars are .ics-style text "
                "rather than JSON, and one person is away for a whole day — the README in availability/ explains "
                "the formats."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(6 if hard else 5)

        c = b.checks
        ok = c.json_valid("slots_json_valid", "slots.json")
        c.json_length("slot_count", "slots.json", "", len(slot_data), requires=[ok])
        c.json_equals("first_slot", "slots.json", "/0", slot_data[0], requires=[ok])
        c.json_equals("last_slot", "slots.json", f"/{len(slot_data) - 1}", slot_data[-1], requires=[ok])
        c.json_equals("all_slots_exact", "slots.json", "", slot_data, requires=[ok])
        has_proposal = c.file_exists("proposal_written", "proposal.txt")
        c.text_contains("proposal_utc_times", "proposal.txt", list(meeting), requires=[has_proposal])
        for person in people:
            first = person["name"].split()[0]
            c.text_regex(
                f"local_time_{slug(first)}",
                "proposal.txt",
                rf"(?im)^[^\n]*\b{re.escape(first)}\b[^\n]*\b{local_starts[person['name']]}\b",
                requires=[has_proposal],
            )
        c.files_unchanged("calendars_unchanged", inputs, requires=[ok])

        proposal = f"{meeting[0]} to {meeting[1]} ({project} kickoff, {minutes} min)\n" + "".join(
            f"{p['name'].split()[0]}: {local_starts[p['name']]} local\n" for p in people
        )
        s = b.solution
        s.exec("ls availability && cat availability/README.md")
        s.exec("cat availability/*.json" + (" availability/*.ics 2>/dev/null" if hard else ""))
        s.write("slots.json", json_text(slot_data))
        s.write("proposal.txt", proposal)

        # Near miss: the last slot forgotten (a busy block misread), the proposal right.
        b.near_miss([s.steps[0], s.steps[1], {"name": "write", "arguments": {"path": "slots.json",
                     "content": json_text(slot_data[:-1])}}, s.steps[3]])  # fmt: skip


def _plan(b: TaskBuilder, rng: StableRandom) -> dict:
    """People, their calendars and the common slots for one attempt."""
    hard = b.hard
    domain = DOMAINS[b.persona.domain]
    monday = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), 1)
    monday += dt.timedelta(days=(7 - monday.weekday()) % 7 + 7 * rng.randint(0, 2))
    origin = dt.datetime(monday.year, monday.month, monday.day) - dt.timedelta(days=1)
    minutes = rng.choice((30, 45, 60, 60, 90))
    team = [b.persona.name, *rng.sample(b.persona.team, min(len(b.persona.team), rng.randint(4, 5) if hard else 3))]
    if hard:
        base = rng.choice((-300, -240, 0, 60, 120, 330))
        nearby = [offset for offset in REAL_OFFSETS if abs(offset - base) <= 180]
        offsets = [rng.choice(nearby) for _ in team]
    else:
        offsets = [rng.choice((-300, -240, 0, 60, 120, 330, 480))] * len(team)
    fill = {"project": rng.choice(domain.projects), "department": rng.choice(domain.departments),
            "vendor": rng.choice(domain.vendors)}  # fmt: skip
    people = []
    away_person = rng.below(len(team)) if hard else -1
    common = bytearray(b"\x01") * SPAN
    for index, name in enumerate(team):
        start, end = rng.choice(HOURS)
        offset = offsets[index]
        person = {"name": name, "offset": offset, "hours": (start, end), "busy": [], "away": [],
                  "ics": hard and index % 2 == 1}  # fmt: skip
        free = bytearray(SPAN)
        for day in range(5):
            local_day = 24 * 60 * (day + 1)  # origin is the Sunday before
            if index == away_person and day == 1 + rng.below(3):
                person["away"].append(monday + dt.timedelta(days=day))
                continue
            lo, hi = local_day + _hm(start) - offset, local_day + _hm(end) - offset
            free[lo:hi] = b"\x01" * (hi - lo)
            taken: list[tuple[int, int]] = []
            for _ in range(rng.randint(2, 4) if hard else rng.randint(1, 3)):
                length = rng.choice((30, 30, 45, 60, 60, 90, 120))
                begin = _hm(start) - 60 + 15 * rng.randint(0, (_hm(end) - _hm(start)) // 15)
                if any(begin < other_end and other_begin < begin + length for other_begin, other_end in taken):
                    continue
                taken.append((begin, begin + length))
                what = rng.choice(EVENTS).format(**fill)
                what = what[:1].upper() + what[1:]
                person["busy"].append((monday + dt.timedelta(days=day), begin, begin + length, what))
                lo, hi = local_day + begin - offset, local_day + begin + length - offset
                free[lo:hi] = bytes(hi - lo)
        person["busy"].sort()
        common = bytearray(a & f for a, f in zip(common, free, strict=True))
        people.append(person)
    slots = []
    minute = 0
    while minute < SPAN:
        if common[minute]:
            begin = minute
            while minute < SPAN and common[minute]:
                minute += 1
            if minute - begin >= minutes:
                slots.append((begin, minute))
        else:
            minute += 1
    return {"people": people, "slots": slots, "minutes": minutes, "monday": monday, "origin": origin}


def _local(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minute)


def _export(person: dict, hard: bool) -> tuple[str, str]:
    first = slug(person["name"].split()[0])
    start, end = person["hours"]
    if person["ics"]:
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"X-WR-CALNAME:{person['name']}",
            f"X-UTC-OFFSET:{_offset_text(person['offset'])}",
            f"X-WORKING-HOURS:{start}-{end} Mon-Fri",
        ]
        events = [(_local(day, lo), _local(day, hi), what) for day, lo, hi, what in person["busy"]]
        for begin, finish, what in events:
            lines += ["BEGIN:VEVENT", f"SUMMARY:{what}", f"DTSTART:{begin:%Y%m%dT%H%M%S}",
                      f"DTEND:{finish:%Y%m%dT%H%M%S}", "END:VEVENT"]  # fmt: skip
        for day in person["away"]:
            lines += ["BEGIN:VEVENT", "SUMMARY:Out of office", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}", "END:VEVENT"]  # fmt: skip
        lines.append("END:VCALENDAR")
        return f"availability/{first}.ics", "\n".join(lines) + "\n"
    data: dict = {
        "name": person["name"],
        "utc_offset": _offset_text(person["offset"]),
        "working_hours": {"start": start, "end": end, "days": "Mon-Fri"},
    }
    if hard:
        data["out_of_office"] = [day.isoformat() for day in person["away"]]
    data["busy"] = [
        {"start": f"{_local(day, lo):%Y-%m-%d %H:%M}", "end": f"{_local(day, hi):%Y-%m-%d %H:%M}", "title": what}
        for day, lo, hi, what in person["busy"]
    ]
    return f"availability/{first}.json", json_text(data)
