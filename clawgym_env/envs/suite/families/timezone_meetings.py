"""Timezone meetings: put meeting requests from several cities on one UTC timeline and flag the clashes."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text

__all__ = ["TimezoneMeetings"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Cities without daylight saving time, with their UTC offset in minutes.
CITIES = (
    ("Tokyo", 540), ("Seoul", 540), ("Singapore", 480), ("Manila", 480), ("Jakarta", 420), ("Bangkok", 420),
    ("Dhaka", 360), ("Kathmandu", 345), ("Mumbai", 330), ("Karachi", 300), ("Dubai", 240), ("Nairobi", 180),
    ("Riyadh", 180), ("Johannesburg", 120), ("Lagos", 60), ("Accra", 0), ("Reykjavik", 0), ("Sao Paulo", -180),
    ("Buenos Aires", -180), ("Bogota", -300), ("Lima", -300), ("Mexico City", -360), ("Phoenix", -420),
    ("Honolulu", -600), ("Brisbane", 600), ("Tehran", 210),
)  # fmt: skip
HOME_OFFSETS = (("London (BST)", 60), ("Lisbon", 0), ("Berlin", 60), ("New York", -300), ("Toronto", -240),
                ("Chicago", -300), ("Sydney", 600), ("Cape Town", 120))  # fmt: skip
TOPICS = (
    "{project} check-in", "intro call", "{vendor} contract questions", "{product} demo", "quarterly numbers",
    "{project} risks", "hiring panel debrief", "{department} handover", "partnership chat", "{product} feedback",
    "budget walkthrough", "{vendor} onboarding", "roadmap review", "{project} retro",
)  # fmt: skip


def _offset_text(minutes: int, style: str = "plain") -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    if style == "utc":
        return f"UTC{sign}{hours:02d}:{mins:02d}"
    if style == "gmt":
        return f"GMT{sign}{hours}" + (f":{mins:02d}" if mins else "")
    if style == "compact":
        return f"{sign}{hours:02d}{mins:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


class TimezoneMeetings(TaskFamily):
    """Convert meeting requests from several time zones to UTC, sort them and list the ones that overlap.

    **Request**: people in other cities asked the user for meetings, each in
    their own local time with an explicit UTC offset; the user wants
    ``schedule_utc.csv`` (id, title, start_utc, end_utc, sorted by UTC start
    then id) and ``conflicts.md`` listing each overlapping pair as
    ``<id> overlaps <id>`` under "## Conflicts".

    **Workspace**: ``requests.csv`` (id, title, requested_by, city,
    local_date, local_time, duration_min, utc_offset), a short note on the
    conventions, unrelated files.

    **Checks**: the schedule's header; ids in UTC order; every UTC start and
    end; the conflict pairs in order; the inputs are unchanged.

    **Hard**: more requests, some arriving as emails in an inbox folder with
    offsets written as ``UTC+05:30``, ``GMT-3`` or ``+0900``, a
    cancellation email, local times that fall on another UTC date, back-to-back
    meetings that touch but do not overlap, and an extra ``my_local_start``
    column in the user's own offset.
    """

    name = "timezone_meetings"
    scenario = Scenario.REASONING_TECHNICAL
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        fill = {
            "project": rng.choice(domain.projects),
            "vendor": rng.choice(domain.vendors),
            "product": rng.choice(domain.products),
            "department": rng.choice(domain.departments),
        }
        home_city, home_offset = rng.choice(HOME_OFFSETS)
        monday = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 21))
        while monday.weekday() != 0:
            monday += dt.timedelta(days=1)
        count = rng.randint(11, 14) if b.hard else rng.randint(7, 9)
        people = b.pools.people(rng, count)
        topics = rng.sample(TOPICS, min(count, len(TOPICS)))
        while len(topics) < count:
            topics.append(rng.choice(TOPICS))

        # Meetings on the UTC timeline, placed in the user's working hours.
        meetings = []
        for index in range(count):
            day = monday + dt.timedelta(days=rng.below(5))
            for _ in range(50):
                # In the user's working hours, and not in the middle of the night for the requester.
                city, offset = rng.choice(CITIES)
                home_start = dt.datetime(day.year, day.month, day.day, rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
                start = home_start - dt.timedelta(minutes=home_offset)
                if 7 <= (start + dt.timedelta(minutes=offset)).hour <= 21:
                    break
            meetings.append({
                "id": f"M{index + 1:02d}",
                "title": _capitalize(topics[index].format(**fill)),
                "person": people[index],
                "city": city,
                "offset": offset,
                "start": start,
                "minutes": rng.choice((30, 30, 45, 60, 60, 90)),
            })  # fmt: skip
        # Plant clashes (and, hard, a back-to-back pair that only touches).
        for _ in range(rng.randint(1, 2) if not b.hard else 2):
            a, c = rng.sample(range(count), 2)
            meetings[c]["start"] = meetings[a]["start"] + dt.timedelta(minutes=rng.choice((0, 15)))
        if b.hard:
            a, c = rng.sample(range(count), 2)
            meetings[c]["start"] = meetings[a]["start"] + dt.timedelta(minutes=meetings[a]["minutes"])
        for meeting in meetings:
            meeting["end"] = meeting["start"] + dt.timedelta(minutes=meeting["minutes"])
            meeting["local"] = meeting["start"] + dt.timedelta(minutes=meeting["offset"])

        # Hard: some requests come by email, one CSV request is cancelled by email.
        emailed: list[int] = sorted(rng.sample(range(count), 3)) if b.hard else []
        cancelled = None
        if b.hard:
            cancelled = rng.choice([i for i in range(count) if i not in emailed])
        kept = [m for i, m in enumerate(meetings) if i != cancelled]
        ordered = sorted(kept, key=lambda m: (m["start"], m["id"]))
        clashes = []
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                if second["start"] < first["end"] and first["start"] < second["end"]:
                    clashes.append((first, second))
        if not clashes:
            # Guarantee at least one clash among the kept meetings.
            first, second = ordered[0], ordered[1]
            second["start"] = first["start"]
            second["end"] = second["start"] + dt.timedelta(minutes=second["minutes"])
            second["local"] = second["start"] + dt.timedelta(minutes=second["offset"])
            ordered = sorted(kept, key=lambda m: (m["start"], m["id"]))
            clashes = [(f, s) for i, f in enumerate(ordered) for s in ordered[i + 1 :]
                       if s["start"] < f["end"] and f["start"] < s["end"]]  # fmt: skip

        # Workspace.
        header = ["id", "title", "requested_by", "city", "local_date", "local_time", "duration_min", "utc_offset"]
        rows = [header]
        for index, m in enumerate(meetings):
            if index in emailed:
                continue
            rows.append([m["id"], m["title"], m["person"], m["city"], m["local"].strftime("%Y-%m-%d"),
                         m["local"].strftime("%H:%M"), m["minutes"], _offset_text(m["offset"])])  # fmt: skip
        requests_csv = csv_text(rows)
        requests_path = b.file("meetings/requests.csv", requests_csv)
        inputs = {requests_path: requests_csv}
        for index in emailed:
            m = meetings[index]
            style = rng.choice(("utc", "gmt", "compact"))
            local = m["local"]
            email = (
                f"From: {m['person']}\nSubject: Meeting request: {m['title']} (ref {m['id']})\n\n"
                f"Hi {b.persona.name.split()[0]},\n\n"
                f"Could we do {WEEKDAYS[local.weekday()]} {local.strftime('%Y-%m-%d')} at {local.strftime('%H:%M')} "
                f"my time? I'm in {m['city']} ({_offset_text(m['offset'], style)}). {m['minutes']} minutes should "
                f"be plenty.\n\nThanks,\n{m['person'].split()[0]}\n"
            )
            path = b.file(f"meetings/inbox/{m['id'].lower()}_{m['person'].split()[0].lower()}.txt", email)
            inputs[path] = email
        if cancelled is not None:
            m = meetings[cancelled]
            email = (
                f"From: {m['person']}\nSubject: Re: {m['title']} ({m['id']})\n\n"
                f"Hi {b.persona.name.split()[0]}, we sorted this out over chat, so please drop {m['id']} from "
                f"your list. Cheers, {m['person'].split()[0]}\n"
            )
            path = b.file(f"meetings/inbox/re_{m['id'].lower()}_cancel.txt", email)
            inputs[path] = email
        note = (
            "Meeting requests for the week of "
            f"{monday.isoformat()}.\n\n"
            "- local_date and local_time are the requester's own local time.\n"
            "- utc_offset is their offset from UTC that week (local = UTC + offset).\n"
            "- duration_min is the length in minutes.\n"
        )
        note_path = b.file("meetings/README.txt", note)
        inputs[note_path] = note
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["meetings/", "schedule/"])

        schedule_path = "schedule/schedule_utc.csv"
        conflicts_path = "schedule/conflicts.md"
        columns = ["id", "title", "start_utc", "end_utc"] + (["my_local_start"] if b.hard else [])
        body = b.pick(
            [
                f"I've got a pile of meeting requests from people in different time zones in {requests_path}. Can "
                f"you put them all on one UTC timeline? Write {schedule_path} with columns {', '.join(columns)} "
                "(times as YYYY-MM-DD HH:MM in UTC), one row per meeting, sorted by UTC start and then by id. Then "
                f"write {conflicts_path} with a '## Conflicts' heading and one bullet per pair of meetings that "
                "overlap, written as `- M03 overlaps M07` (earlier-starting meeting first, ties by id), pairs in "
                "order of the first meeting's start and then the second's. Back-to-back meetings (one ends exactly "
                "when the other starts) don't count as overlapping.",
                f"Scheduling headache. The requests are in {requests_path} (see {note_path} for what the columns "
                "mean). I need:\n\n"
                f"1. {schedule_path}: columns {', '.join(columns)}; times in UTC as YYYY-MM-DD HH:MM; sorted by "
                "start_utc, ties by id.\n"
                f"2. {conflicts_path}: under '## Conflicts', a bullet `- <id> overlaps <id>` for every overlapping "
                "pair (the one that starts earlier first, ties by id), ordered by the first meeting's start, then "
                "the second's. Touching end-to-start is fine, not a conflict.",
                f"can you sort out my week? {requests_path} has everyone's requests in their local time with their "
                f"UTC offset. i want {schedule_path} ({', '.join(columns)}; UTC, YYYY-MM-DD HH:MM; earliest first, "
                f"ties by id) and {conflicts_path} with a '## Conflicts' section listing each clash as "
                "`- M01 overlaps M04` (earlier start first, ties by id; list ordered by that meeting's start, then "
                "the other's). meetings that just touch are ok.",
            ]
        )
        if b.hard:
            body += (
                f"\n\nA few things to watch: a few requests only came by email (meetings/inbox/; each has a ref id "
                "and writes its offset its own way), and one person cancelled, so leave that meeting out of both "
                f"files. I'm in {home_city} this week (UTC{_offset_text(home_offset)}), so also fill my_local_start: "
                "the start in my time, same format."
            )
        # After a list, the closing remark gets its own paragraph.
        body += (
            "\n\n" if body.splitlines()[-1][:2] in ("1.", "2.", "3.", "4.", "- ", "Ou") else " "
        ) + "Please don't edit the request files."
        b.instruct(body)
        b.steps(5 if b.hard else 3)
        b.constraints(8 if b.hard else 6)

        # Ground truth rows.
        def schedule_rows(items: list[dict]) -> list[list[str]]:
            out = []
            for m in sorted(items, key=lambda m: (m["start"], m["id"])):
                row = [m["id"], m["title"], _stamp(m["start"]), _stamp(m["end"])]
                if b.hard:
                    row.append(_stamp(m["start"] + dt.timedelta(minutes=home_offset)))
                out.append(row)
            return out

        rows_out = schedule_rows(kept)
        pairs = [f"{first['id']} overlaps {second['id']}" for first, second in clashes]

        c = b.checks
        has_schedule = c.csv_header("schedule_header", schedule_path, columns, ignore_case=True)
        c.csv_column("meetings_in_utc_order", schedule_path, "id", [r[0] for r in rows_out], ignore_case=True,
                     requires=[has_schedule])  # fmt: skip
        c.csv_column("utc_starts_correct", schedule_path, "start_utc", [r[2] for r in rows_out],
                     requires=[has_schedule])  # fmt: skip
        c.csv_column("utc_ends_correct", schedule_path, "end_utc", [r[3] for r in rows_out], requires=[has_schedule])
        if b.hard:
            c.csv_column("my_local_starts_correct", schedule_path, "my_local_start", [r[4] for r in rows_out],
                         requires=[has_schedule])  # fmt: skip
        has_conflicts = c.file_exists("conflicts_written", conflicts_path)
        c.md_items("conflict_pairs_correct", conflicts_path, "Conflicts", pairs, match="contains",
                   requires=[has_conflicts])  # fmt: skip
        c.files_unchanged("requests_unchanged", inputs, requires=[has_schedule])

        conflicts_md = (
            f"# Conflicts, week of {monday.isoformat()}\n\n## Conflicts\n\n"
            + "\n".join(f"- {pair} ({_stamp(f['start'])} UTC)" for pair, (f, _) in zip(pairs, clashes, strict=True))
            + "\n"
        )
        s = b.solution
        s.exec("ls -R meetings && cat " + requests_path + (" meetings/inbox/*" if b.hard else ""))
        s.read(note_path)
        s.write(schedule_path, csv_text([columns, *schedule_rows(kept)]))
        s.write(conflicts_path, conflicts_md)

        # Near miss: the offset applied the wrong way round for one meeting (schedule wrong, conflicts right).
        victim = next(m for m in kept if m["offset"] != 0)
        flipped = dict(victim)
        flipped["start"] = victim["start"] + dt.timedelta(minutes=2 * victim["offset"])
        flipped["end"] = flipped["start"] + dt.timedelta(minutes=victim["minutes"])
        wrong = [flipped if m is victim else m for m in kept]
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": schedule_path,
                     "content": csv_text([columns, *schedule_rows(wrong)])}}, s.steps[3]])  # fmt: skip
