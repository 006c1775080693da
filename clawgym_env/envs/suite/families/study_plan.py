"""Study plan: schedule a syllabus with prerequisites into daily study slots by a stated greedy rule."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, json_text

__all__ = ["StudyPlan"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COURSES = {
    "Statistics for Data Analysis": (
        "Descriptive statistics",
        "Probability basics",
        "Random variables",
        "Distributions",
        "Sampling",
        "Confidence intervals",
        "Hypothesis testing",
        "Linear regression",
        "ANOVA",
        "Nonparametric tests",
        "Experimental design",
        "Time series basics",
        "Bayesian basics",
    ),
    "Financial Accounting": (
        "Accounting equation",
        "Journal entries",
        "Ledgers",
        "Trial balance",
        "Adjusting entries",
        "Financial statements",
        "Inventory costing",
        "Depreciation",
        "Payroll accounting",
        "Cash flow statement",
        "Ratio analysis",
        "Budgeting",
        "Internal controls",
    ),
    "Project Management Certification": (
        "Project lifecycle",
        "Scope management",
        "Schedule management",
        "Cost management",
        "Quality management",
        "Resource management",
        "Communications",
        "Risk management",
        "Procurement",
        "Stakeholder engagement",
        "Agile basics",
        "Integration management",
        "Professional ethics",
    ),
    "Networking Fundamentals": (
        "OSI model",
        "IP addressing",
        "Subnetting",
        "Switching",
        "VLANs",
        "Routing",
        "DNS",
        "DHCP",
        "NAT",
        "Firewalls",
        "Wireless networks",
        "VPNs",
        "Troubleshooting",
    ),
    "Food Safety Manager": (
        "Foodborne illness",
        "Personal hygiene",
        "Time and temperature control",
        "Cross-contamination",
        "Receiving and storage",
        "Food preparation",
        "Cooling and reheating",
        "Cleaning and sanitizing",
        "Pest control",
        "Allergen management",
        "HACCP plans",
        "Facility design",
        "Regulations and inspections",
    ),
    "Spanish B1": (
        "Present tense review",
        "Preterite",
        "Imperfect",
        "Preterite vs imperfect",
        "Future tense",
        "Conditional",
        "Present subjunctive",
        "Commands",
        "Object pronouns",
        "Listening practice",
        "Reading comprehension",
        "Writing a formal letter",
        "Speaking practice",
    ),
}
HOUR_CHOICES = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
DAY_CHOICES = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)


def _hours(value: float) -> str:
    return f"{value:g}"


class StudyPlan(TaskFamily):
    """Schedule a syllabus into daily study slots before an exam, by a precisely stated greedy rule.

    **Request**: the user wants ``study_plan.csv`` (date, topic, hours) and
    ``study_summary.json`` (finish_date, total_hours, study_days). The rule:
    topics in prerequisite order, always the available topic with the
    smallest id next; days from the start date, each filled up to its
    weekly availability, topics split across days when they do not fit.

    **Workspace**: ``course/syllabus.csv`` (id, topic, hours,
    prerequisites), ``course/availability.md`` (hours per weekday, start
    date, exam date), a course blurb; distractors.

    **Checks**: the CSV header; each topic's hours add up to its estimate;
    each date's hours add up to that day's availability (and no hours on
    the wrong days); the topic order; the exact rows; the summary's three
    values; the inputs unchanged.

    **Hard**: more topics; some already done (skipped but counting as
    prerequisites); blocked dates; the day before the exam kept free for
    hours written as "90 min" or "1h30".
    """

    name = "study_plan"
    scenario = Scenario.PLANNING_KNOWLEDGE
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        course = rng.choice(sorted(COURSES))
        count = rng.randint(10, 13) if hard else rng.randint(6, 9)
        names = list(COURSES[course][:count])
        ids = [f"T{index + 1:02d}" for index in range(count)]

        # Dependency order: the listed order with a few neighbours swapped, so some prerequisites point forward.
        position = list(range(count))  # topic index -> its place in the dependency order
        inverted: list[int] = []
        while not inverted:
            for _ in range(3 if hard else 2):
                i = rng.randint(0, count - 2)
                position[i], position[i + 1] = position[i + 1], position[i]
            inverted = [i for i in range(count - 1) if position[i + 1] < position[i]]
        prereqs: dict[int, list[int]] = {}
        for topic in range(count):
            earlier = [other for other in range(count) if position[other] < position[topic]]
            k = 0 if not earlier else rng.weighted((0, 1, 2), (2, 4, 2))
            prereqs[topic] = sorted(rng.sample(earlier, min(k, len(earlier))))
        forward = rng.choice(inverted)
        prereqs[forward] = sorted({*prereqs[forward], forward + 1})
        hours = [rng.choice(HOUR_CHOICES) for _ in range(count)]
        early = [t for t in range(count) if position[t] < count // 2 and t not in (forward, forward + 1)]
        done = set(rng.sample(early, 2)) if hard else set()

        # Availability.
        weekly = [rng.choice(DAY_CHOICES) for _ in range(7)]
        while sum(1 for h in weekly if h > 0) < 4:
            weekly[rng.below(7)] = rng.choice(DAY_CHOICES[2:])
        start = dt.date(rng.choice((2025, 2026)), rng.randint(1, 10), rng.randint(1, 25))
        blocked: list[dt.date] = []
        if hard:
            candidates = [start + dt.timedelta(days=k) for k in range(3, 20)]
            blocked = sorted(rng.sample([d for d in candidates if weekly[d.weekday()] > 0], 2))

        # Ground truth: topic order, then the greedy fill.
        order: list[int] = []
        finished = set(done)
        while len(finished) < count:
            ready = [t for t in range(count) if t not in finished and all(p in finished for p in prereqs[t])]
            nxt = min(ready)
            finished.add(nxt)
            order.append(nxt)
        id_order = [t for t in range(count) if t not in done]

        def schedule(sequence: list[int]) -> list[tuple[dt.date, int, float]]:
            rows: list[tuple[dt.date, int, float]] = []
            queue = [[t, hours[t]] for t in sequence]
            day = start
            while queue:
                room = 0.0 if day in blocked else weekly[day.weekday()]
                while room > 0 and queue:
                    take = min(room, queue[0][1])
                    rows.append((day, queue[0][0], take))
                    room -= take
                    queue[0][1] -= take
                    if queue[0][1] <= 0:
                        queue.pop(0)
                day += dt.timedelta(days=1)
            return rows

        plan = schedule(order)
        finish = plan[-1][0]
        exam = finish + dt.timedelta(days=rng.randint(4, 10))
        total = sum(hours[t] for t in order)
        study_days = len({row[0] for row in plan})

        # Files.
        def shown_hours(value: float) -> str:
            if hard and rng.chance(0.3):
                if value < 3 and rng.chance(0.5):
                    return f"{round(value * 60)} min"
                whole = int(value)
                return f"{whole}h{'30' if value - whole else ''}"
            return _hours(value)

        header = ["id", "topic", "hours", "prerequisites"] + (["status"] if hard else [])
        syllabus_rows = []
        for t in range(count):
            row = [ids[t], names[t], shown_hours(hours[t]), ";".join(ids[p] for p in prereqs[t])]
            if hard:
                row.append("done" if t in done else "")
            syllabus_rows.append(row)
        syllabus = csv_text([header, *syllabus_rows])
        avail_lines = [
            f"# {course}: my study time",
            "",
            f"Start: {iso(start)} ({WEEKDAYS[start.weekday()]})",
            f"Exam: {iso(exam)} ({WEEKDAYS[exam.weekday()]})",
            "",
            "| Day | Hours |",
            "|---|---|",
        ]
        avail_lines += [f"| {WEEKDAYS[k]} | {_hours(weekly[k])} |" for k in range(7)]
        if blocked:
            avail_lines += ["", "Blocked (no studying at all):"]
            avail_lines += [f"- {iso(day)} ({WEEKDAYS[day.weekday()]})" for day in blocked]
        availability = "\n".join(avail_lines) + "\n"
        b.file("course/syllabus.csv", syllabus)
        b.file("course/availability.md", availability)
        b.file(
            "course/README.txt",
            f"{course}\nSelf-paced. Hours in the syllabus are the instructor's estimates.\n"
            "Prerequisites list the ids of topics to finish first.\n",
        )
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["course/", "study_plan.csv", "study_summary.json"]
        )

        # Request.
        rule = (
            "Order: a topic can start once all its prerequisites are finished; whenever several topics are "
            "available, take the one with the smallest id. Days: begin on the start date and go day by day; each "
            "day gets exactly the hours listed for its weekday (fewer only when everything is done), filled with the "
            "current topic; if the topic needs more than what's left of the day, do what fits and carry the rest "
            "to the next study day; if it finishes early, start the next topic the same day"
        )
        outputs = (
            "study_plan.csv with columns date, topic, hours: one row per topic per day (date as YYYY-MM-DD, topic "
            "by its name, hours as a number), in date order and, within a day, in study order; and "
            "study_summary.json with finish_date (the last day with any study), total_hours and study_days (the "
            "number of dates in the plan)"
        )
        bullets = rule.replace(". Days:", ".\n- Days:")
        body = b.pick(
            [
                f"My {course} exam is coming and I want a day-by-day plan. The syllabus is course/syllabus.csv and "
                f"my weekly study time plus the dates are in course/availability.md. Please schedule it like this. "
                f"{rule}. I need {outputs}.",
                f"Could you plan my study schedule for {course}?\n\n"
                "Inputs: course/syllabus.csv (topics, hour estimates, prerequisites) and course/availability.md "
                "(hours per weekday, start and exam dates).\n\n"
                f"Rules:\n- {bullets}.\n\n"
                f"Outputs: {outputs}.",
                f"Need a study plan for {course} so I stop panicking. everything's in course/. "
                f"scheduling rule, please follow it exactly: {rule[0].lower()}{rule[1:]}. "
                f"what I want back: {outputs}.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: topics marked done in the syllabus are already covered, so skip them "
                "(they still count as finished for prerequisites). No studying at all on the blocked dates listed in "
                "availability.md (they get zero hours). Some hour estimates are "
                "written in minutes or like 1h30."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        rows = [[iso(day), names[t], amount] for day, t, amount in plan]
        header_ok = c.csv_header("plan_header", "study_plan.csv", ["date", "topic", "hours"], ignore_case=True)
        per_topic = {names[t]: hours[t] for t in order}
        per_day: dict[str, float] = {}
        for day, _, amount in plan:
            per_day[iso(day)] = per_day.get(iso(day), 0.0) + amount
        topic_sequence = []
        for _, t, _ in plan:
            if not topic_sequence or topic_sequence[-1] != names[t]:
                topic_sequence.append(names[t])
        c.command("hours_per_topic_match", _plan_script("topic", per_topic), requires=[header_ok])
        c.command("hours_per_day_match", _plan_script("date", per_day), requires=[header_ok])
        c.command("topic_order_correct", _order_script(topic_sequence), requires=[header_ok])
        c.csv_rows("plan_rows_exact", "study_plan.csv", rows, tolerance=0.01, ignore_case=True, requires=[header_ok])
        has_summary = c.json_valid("summary_written", "study_summary.json")
        c.json_equals("finish_date_correct", "study_summary.json", "/finish_date", iso(finish), requires=[has_summary])
        c.json_equals(
            "total_hours_correct", "study_summary.json", "/total_hours", total, tolerance=0.01, requires=[has_summary]
        )
        c.json_equals("study_days_correct", "study_summary.json", "/study_days", study_days, requires=[has_summary])
        c.files_unchanged(
            "inputs_unchanged",
            {"course/syllabus.csv": syllabus, "course/availability.md": availability},
            requires=[header_ok],
        )

        # Reference solution.
        summary = {"finish_date": iso(finish), "total_hours": total, "study_days": study_days}
        s = b.solution
        s.exec("ls course && cat course/availability.md course/syllabus.csv")
        s.write("study_plan.csv", csv_text([["date", "topic", "hours"], *[[r[0], r[1], _hours(r[2])] for r in rows]]))
        s.write("study_summary.json", json_text(summary))
        s.exec(
            "python3 -c \"import csv; print(sum(float(r['hours']) for r in csv.DictReader(open('study_plan.csv'))))\""
        )

        # Near miss: topics taken in id order, ignoring the prerequisites (same days and totals, wrong order).
        wrong = schedule(id_order)
        if [t for _, t, _ in wrong] == [t for _, t, _ in plan]:
            wrong = schedule([*order[1:2], order[0], *order[2:]])
        wrong_rows = [[iso(day), names[t], _hours(amount)] for day, t, amount in wrong]
        b.near_miss(
            [
                s.steps[0],
                {
                    "name": "write",
                    "arguments": {
                        "path": "study_plan.csv",
                        "content": csv_text([["date", "topic", "hours"], *wrong_rows]),
                    },
                },
                s.steps[2],
            ]
        )


def _reader() -> str:
    return (
        "import csv, sys\n"
        "rows = list(csv.reader(open('study_plan.csv', encoding='utf-8')))\n"
        "rows = [r for r in rows if any(cell.strip() for cell in r)]\n"
        "head = [h.strip().lower() for h in rows[0]]\n"
        "data = [dict(zip(head, (cell.strip() for cell in r))) for r in rows[1:]]\n"
    )


def _plan_script(column: str, expected: dict[str, float]) -> str:
    """Sum the hours per ``column`` (case-insensitive keys) and compare with ``expected``."""
    script = _reader() + (
        f"expected = {{k.lower(): v for k, v in {expected!r}.items()}}\n"
        "got = {}\n"
        "for r in data:\n"
        f"    key = r[{column!r}].lower()\n"
        "    got[key] = got.get(key, 0.0) + float(r['hours'])\n"
        "ok = set(got) == set(expected) and all(abs(got[k] - expected[k]) < 0.01 for k in expected)\n"
        "sys.exit(0 if ok else 1)\n"
    )
    return "python3 - <<'PYCHECK'\n" + script + "PYCHECK\n"


def _order_script(sequence: list[str]) -> str:
    """The topics, in row order with consecutive repeats merged, are ``sequence``."""
    script = _reader() + (
        f"expected = [t.lower() for t in {sequence!r}]\n"
        "seen = []\n"
        "for r in data:\n"
        "    topic = r['topic'].lower()\n"
        "    if not seen or seen[-1] != topic:\n"
        "        seen.append(topic)\n"
        "sys.exit(0 if seen == expected else 1)\n"
    )
    return "python3 - <<'PYCHECK'\n" + script + "PYCHECK\n"
