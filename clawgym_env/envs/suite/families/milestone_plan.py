"""Milestone plan: schedule a project's tasks over working days and find the critical path."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, md_table

__all__ = ["MilestonePlan"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Phases in a loose chronological order; a task samples a sorted subset.
PHASES = (
    "Kickoff and scoping",
    "Stakeholder interviews",
    "Requirements sign-off",
    "Budget approval with {department}",
    "Vendor shortlist",
    "Contract with {vendor}",
    "Site walkthrough",
    "Design draft",
    "Design review",
    "Order {product} stock",
    "Build and configure",
    "Data migration",
    "Write staff guide",
    "Staff training for {department}",
    "Pilot with {department}",
    "Pilot review",
    "Final checks",
    "Go-live",
    "Post-launch review",
)
CANCELLED_PHASES = (
    "Translate brochure",
    "Second vendor demo",
    "Print launch posters",
    "Customer survey round 2",
)
HOLIDAY_NAMES = (
    "Public holiday",
    "Office closed (team offsite)",
    "Bank holiday",
    "Staff development day",
    "Office closed (move to new floor)",
    "Regional holiday",
)


class MilestonePlan(TaskFamily):
    """Schedule a project's tasks over working days and report the finish date and critical path.

    **Request**: the user has a task list with durations in working days and
    dependencies, a kickoff date and a list of office holidays; they want
    ``<project dir>/schedule.csv`` (id, task, start, end, critical; sorted
    by start date then id) and ``<project dir>/plan.md`` with the finish
    date under "## Finish date" and the critical path as a numbered list
    under "## Critical path".

    **Workspace**: ``tasks.csv`` (id, task, owner, duration_days,
    depends_on, status), a README with the kickoff date, the scheduling
    rules and the holidays, a stale draft schedule from an earlier kickoff
    date, unrelated files.

    **Checks**: the schedule's header; its rows in the right order; every
    start date and every end date; the critical flags; the finish date and
    the critical path in the plan; the inputs are unchanged.

    **Hard**: more tasks and holidays, a cancelled task that other rows
    still list as a dependency, dependency lists with mixed separators and
    a padded header, and an extra ``slack_days`` column (total float in
    working days).

    **Rubric** (hybrid tasks): plan.md is a clear summary a stakeholder can
    read in a minute.
    """

    name = "milestone_plan"
    scenario = Scenario.PLANNING_KNOWLEDGE
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        project = rng.choice(domain.projects)
        folder = f"projects/{_slug(project)}"
        fill = {
            "department": rng.choice(domain.departments),
            "vendor": rng.choice(domain.vendors),
            "product": rng.choice(domain.products),
        }
        count = rng.randint(10, 13) if b.hard else rng.randint(6, 8)
        names, deps, durations, es, ef = _draw_plan(rng, count, fill)
        owners = list(b.persona.team) or b.pools.people(rng, 4)

        # Calendar: kickoff on a weekday, holidays inside the project span.
        kickoff = dt.date(rng.choice((2025, 2026)), rng.randint(1, 11), rng.randint(1, 28))
        while kickoff.weekday() >= 5:
            kickoff = date_add(kickoff, 1)
        finish_index = max(ef)
        plain_days = _working_days(kickoff, set(), finish_index)
        candidates = [d for d in plain_days[1:] if d.weekday() < 5]
        holiday_count = min(len(candidates), rng.randint(2, 4) if b.hard else rng.randint(1, 2))
        holidays = sorted(rng.sample(candidates, holiday_count))
        holiday_rows = [(day, rng.choice(HOLIDAY_NAMES)) for day in holidays]
        if b.hard:
            saturday = date_add(holidays[0], 5 - holidays[0].weekday())
            holiday_rows.append((saturday, "Community fair (Saturday, office closed anyway)"))
            holiday_rows.sort()
        calendar = _working_days(kickoff, set(holidays), finish_index)

        # Ground truth.
        slack = _slack(deps, durations, es, ef)
        critical = _critical_path(deps, es, ef)
        start = [calendar[es[t]] for t in range(count)]
        end = [calendar[ef[t] - 1] for t in range(count)]
        finish = max(end)

        # Workspace: the task list (hard: a cancelled task, messy separators, padded header).
        rows: list[list[str]] = []
        cancelled_row = None
        if b.hard:
            position = rng.randint(2, count - 1)
            dependents = [t for t in range(position, count) if deps[t]]
            target = rng.choice(dependents) if dependents else None
            cancelled_row = {"name": rng.choice(CANCELLED_PHASES), "position": position, "target": target,
                             "after": rng.randint(0, position - 1)}  # fmt: skip
        # Ids as written in the file: the cancelled task takes a number in the sequence.
        entries: list[int | None] = list(range(count))
        if cancelled_row:
            entries.insert(cancelled_row["position"], None)
        labels = [f"T{number:02d}" for number in range(1, len(entries) + 1)]
        ids = [labels[entries.index(t)] for t in range(count)]
        cancelled_id = labels[entries.index(None)] if cancelled_row else None
        order = sorted(range(count), key=lambda t: (start[t], ids[t]))
        for label, entry in zip(labels, entries, strict=True):
            if entry is None:
                assert cancelled_row is not None
                rows.append([label, cancelled_row["name"], rng.choice(owners), str(rng.randint(2, 5)),
                             ids[cancelled_row["after"]], "cancelled"])  # fmt: skip
                continue
            t = entry
            dep_ids = [ids[d] for d in deps[t]]
            if cancelled_row and cancelled_row["target"] == t and cancelled_id:
                dep_ids = sorted([*dep_ids, cancelled_id])
            separator = ";"
            if b.hard and len(dep_ids) > 1:
                separator = rng.choice(("; ", ",", " "))
            rows.append([label, names[t], rng.choice(owners), str(durations[t]), separator.join(dep_ids),
                         "not started"])  # fmt: skip
        header = ["id", "task", "owner", "duration_days", "depends_on", "status"]
        if b.hard:
            header = ["id", " task", " owner", " duration_days ", "depends_on", " status"]
        tasks_csv = csv_text([header, *rows])
        tasks_path = b.file(f"{folder}/tasks.csv", tasks_csv)

        holiday_lines = "\n".join(f"- {iso(day)} ({WEEKDAYS[day.weekday()]}): {name}" for day, name in holiday_rows)
        cancelled_rule = (
            "- Cancelled tasks are out of the plan: ignore them, also where another task lists one as a dependency.\n"
            if b.hard
            else ""
        )
        readme = (
            f"# {project.title()}\n\n"
            f"Sponsor: {b.persona.name} ({b.persona.role}, {b.persona.org})\n\n"
            f"Kickoff: {iso(kickoff)} ({WEEKDAYS[kickoff.weekday()]})\n\n"
            "## How we schedule\n\n"
            "- We work Monday to Friday. Weekends and the office holidays below are not working days.\n"
            "- `duration_days` is in working days; a task's start day and end day both count.\n"
            "- A task with no dependencies starts on the kickoff date.\n"
            "- Otherwise it starts on the first working day after the last of its dependencies ends.\n"
            + cancelled_rule
            + "\n## Office holidays\n\n"
            + holiday_lines
            + "\n"
        )
        readme_path = b.file(f"{folder}/README.md", readme)
        # A stale draft from an earlier kickoff date (wrong dates, no holidays).
        old_kickoff = date_add(kickoff, -rng.randint(10, 25))
        while old_kickoff.weekday() >= 5:
            old_kickoff = date_add(old_kickoff, -1)
        old_days = _working_days(old_kickoff, set(), finish_index)
        old_rows = [["id", "task", "start", "end"]]
        old_rows += [[ids[t], names[t], iso(old_days[es[t]]), iso(old_days[ef[t] - 1])] for t in order]
        old_csv = csv_text(old_rows)
        old_path = b.file(f"{folder}/schedule_draft_OLD.csv", old_csv)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=[f"{folder}/", "projects/"])

        schedule_path = f"{folder}/schedule.csv"
        plan_path = f"{folder}/plan.md"
        columns = ["id", "task", "start", "end", "critical"] + (["slack_days"] if b.hard else [])

        body = b.pick(
            [
                f"Can you work out the schedule for the {project} project? The tasks, durations and dependencies "
                f"are in {tasks_path}, and {readme_path} has the kickoff date, how we count working days and the "
                f"office holidays. Please write {schedule_path} with the columns {', '.join(columns)}: dates as "
                "YYYY-MM-DD, critical as yes or no, one row per task, sorted by start date and then by id. Then "
                f"write {plan_path} for the steering group: put the project finish date (YYYY-MM-DD) under a "
                "'## Finish date' heading and the critical path under '## Critical path' as a numbered list in "
                "order, each item starting with the task id.",
                f"I need a proper plan for the {project} project before Monday's steering meeting.\n\n"
                f"1. {schedule_path}: columns {', '.join(columns)}; one row per task; dates YYYY-MM-DD; critical = "
                "yes/no; rows sorted by start date, ties by id.\n"
                f"2. {plan_path}: a short summary with a '## Finish date' section (the date the last task ends, "
                "YYYY-MM-DD) and a '## Critical path' section listing the critical tasks in order as a numbered "
                "list, each item beginning with the task id.\n\n"
                f"Inputs: {tasks_path} and the scheduling rules and holidays in {readme_path}.",
                f"quick one (well, not that quick): when does {project} actually finish? Everything's in "
                f"{folder}/ ({tasks_path} for the tasks, README for kickoff, working-day rules and holidays; ignore "
                f"the old draft). I'd like {schedule_path} ({', '.join(columns)}, dates as YYYY-MM-DD, critical "
                f"yes/no, sorted by start then id) and a {plan_path} I can forward, with '## Finish date' giving the "
                "finish date as YYYY-MM-DD and '## Critical path' as a numbered list of the critical tasks in "
                "order (task id first in each item).",
            ]
        )
        body += (
            " The critical path is the chain of tasks from kickoff to the last task where each task starts the "
            "working day right after the one before it ends, so any delay on it moves the finish date."
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: one task has been cancelled (see the status column) but is still listed "
                "as a dependency somewhere; the depends_on lists aren't consistently separated; and the header has "
                "stray spaces. Also add slack_days: how many working days a task could slip without moving the "
                "finish date (0 on the critical path)."
            )
        body += " Please leave the input files as they are."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(8 if b.hard else 6)

        # Checks.
        c = b.checks
        has_schedule = c.csv_header("schedule_header", schedule_path, columns, ignore_case=True)
        c.csv_column("schedule_rows_in_order", schedule_path, "id", [ids[t] for t in order], ignore_case=True,
                     requires=[has_schedule])  # fmt: skip
        c.csv_column("start_dates_correct", schedule_path, "start", [iso(start[t]) for t in order],
                     requires=[has_schedule])  # fmt: skip
        c.csv_column("end_dates_correct", schedule_path, "end", [iso(end[t]) for t in order],
                     requires=[has_schedule])  # fmt: skip
        flags = ["yes" if t in critical else "no" for t in order]
        c.csv_column("critical_flags_correct", schedule_path, "critical", flags, ignore_case=True,
                     requires=[has_schedule])  # fmt: skip
        if b.hard:
            c.csv_column("slack_days_correct", schedule_path, "slack_days", [slack[t] for t in order],
                         requires=[has_schedule])  # fmt: skip
        has_plan = c.file_exists("plan_written", plan_path)
        c.md_section("finish_date_stated", plan_path, "Finish date", [iso(finish)], requires=[has_plan])
        c.md_items("critical_path_listed", plan_path, "Critical path", [ids[t] for t in critical], match="contains",
                   requires=[has_plan])  # fmt: skip
        c.files_unchanged("inputs_unchanged", {tasks_path: tasks_csv, readme_path: readme, old_path: old_csv},
                          requires=[has_schedule])  # fmt: skip

        # Reference solution.
        def schedule_csv(days: list[dt.date]) -> str:
            out = [columns]
            for t in sorted(range(count), key=lambda t: (days[es[t]], ids[t])):
                row = [ids[t], names[t], iso(days[es[t]]), iso(days[ef[t] - 1]), "yes" if t in critical else "no"]
                out.append(row + ([slack[t]] if b.hard else []))
            return csv_text(out)

        def plan_md(days: list[dt.date]) -> str:
            last = max(days[ef[t] - 1] for t in range(count))
            lines = [
                f"# {project.title()}: schedule summary",
                "",
                f"Kickoff {iso(kickoff)}, {count} tasks, {finish_index} working days end to end. "
                f"Office holidays inside the window: {', '.join(iso(day) for day in holidays)}.",
                "",
                "## Finish date",
                "",
                f"{iso(last)} ({WEEKDAYS[last.weekday()]})",
                "",
                "## Critical path",
                "",
            ]
            lines += [
                f"{n}. {ids[t]} {names[t]} ({iso(days[es[t]])} to {iso(days[ef[t] - 1])}, "
                f"{durations[t]} working day{'s' if durations[t] > 1 else ''})"
                for n, t in enumerate(critical, start=1)
            ]
            lines += ["", "Any slip on these tasks moves the finish date one for one.", "", "## Schedule", ""]
            lines.append(md_table(["Task", "Start", "End"], [[f"{ids[t]} {names[t]}", iso(days[es[t]]),
                                                               iso(days[ef[t] - 1])] for t in order]))  # fmt: skip
            return "\n".join(lines)

        s = b.solution
        s.exec(f"ls {folder} && cat {tasks_path}")
        s.read(readme_path)
        s.write(schedule_path, schedule_csv(calendar))
        s.write(plan_path, plan_md(calendar))

        # Near miss: the holidays forgotten (every date after the first holiday slips back).
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": schedule_path,
                     "content": schedule_csv(plain_days)}}, {"name": "write", "arguments": {"path": plan_path,
                     "content": plan_md(plain_days)}}])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "plan_readable_for_stakeholders",
                "plan.md is a clear summary a busy stakeholder can read in a minute: the finish date and what "
                "drives it are obvious, the critical tasks are named in plain words, and holidays or risks that "
                "affect the date are mentioned.",
                {
                    "0": "Missing, or a dump of numbers with no explanation.",
                    "0.25": "Has the facts but is hard to follow or mostly raw data.",
                    "0.5": "Understandable but the key message (finish date, what drives it) is buried.",
                    "0.75": "Clear and well organised, minor gaps (e.g. holidays not mentioned).",
                    "1.0": "Immediately clear: finish date, critical chain and what would move it, concisely.",
                },
                weight=2.0,
            )


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _working_days(start: dt.date, holidays: set[dt.date], count: int) -> list[dt.date]:
    days = []
    day = start
    while len(days) < count:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day = date_add(day, 1)
    return days


def _draw_plan(
    rng: StableRandom, count: int, fill: dict[str, str]
) -> tuple[list[str], list[list[int]], list[int], list[int], list[int]]:
    """Task names, dependencies and durations with a unique critical path (indices into a working-day list)."""
    picked = sorted(rng.sample(range(len(PHASES)), count))
    names = [PHASES[i].format(**fill) for i in picked]
    while True:
        deps: list[list[int]] = [[]]
        for t in range(1, count):
            if t == 1 and rng.chance(0.3):
                deps.append([])
                continue
            window = list(range(max(0, t - 4), t))
            deps.append(sorted(rng.sample(window, min(len(window), rng.randint(1, 2)))))
        for _ in range(40):
            durations = [rng.randint(1, 9) for _ in range(count)]
            es, ef = [0] * count, [0] * count
            for t in range(count):
                es[t] = max((ef[d] for d in deps[t]), default=0)
                ef[t] = es[t] + durations[t]
            if _critical_path(deps, es, ef):
                return names, deps, durations, es, ef


def _critical_path(deps: list[list[int]], es: list[int], ef: list[int]) -> list[int]:
    """The critical chain, first task first; empty if it is not unique."""
    finish = max(ef)
    ends = [t for t in range(len(ef)) if ef[t] == finish]
    if len(ends) != 1:
        return []
    chain = [ends[0]]
    while deps[chain[-1]]:
        binding = [d for d in deps[chain[-1]] if ef[d] == es[chain[-1]]]
        if len(binding) != 1:
            return []
        chain.append(binding[0])
    return chain[::-1]


def _slack(deps: list[list[int]], durations: list[int], es: list[int], ef: list[int]) -> list[int]:
    count = len(deps)
    finish = max(ef)
    late_finish = [finish] * count
    for t in reversed(range(count)):
        successors = [s for s in range(count) if t in deps[s]]
        if successors:
            late_finish[t] = min(late_finish[s] - durations[s] for s in successors)
    return [late_finish[t] - ef[t] for t in range(count)]
