"""Status report: write this week's project status from the tracker and last week's report."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import WORKPLACE_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, md_table, slug

__all__ = ["StatusReport"]

TITLES = (
    "Draft the {project} timeline",
    "Get a second quote from {vendor}",
    "Update the {department} rota",
    "Review pricing for {product}",
    "Write up the {jargon} checklist",
    "Book the {project} review session",
    "Clean up the {department} shared drive",
    "Chase {vendor} for the signed contract",
    "Prepare the {product} launch notes",
    "Collect feedback on {product}",
    "Reconcile the {department} budget",
    "Test the new {jargon} process",
    "Onboard the temp for {department}",
    "Audit the {jargon} records",
    "Migrate {department} files to the new folder",
    "Train the team on {project}",
    "Order supplies from {vendor}",
    "Sign off the {project} scope",
    "Fix the {jargon} template",
    "Compare {vendor} and {vendor2} offers",
    "Set up the {project} dashboard",
    "Archive last year's {jargon} files",
    "Plan the {department} handover",
    "Schedule the {product} photo shoot",
    "Renew the {vendor2} agreement",
    "Draft the FAQ for {product}",
    "Sort out access rights for {department}",
    "Update the {project} risk log",
    "Send the {jargon} summary to the board",
    "Check stock levels for {product}",
    "Book travel for the {vendor} visit",
    "Tidy the {project} backlog",
    "Write the {department} induction guide",
    "Measure the {jargon} baseline",
)
STATUSES = ("todo", "in progress", "blocked", "done")
MESSY = {
    "todo": ("todo", "To Do", "TODO", "to-do"),
    "in progress": ("in progress", "In Progress", "in-progress", "WIP"),
    "blocked": ("blocked", "Blocked", "BLOCKED"),
    "done": ("done", "Done", "DONE", "done "),
    "cancelled": ("cancelled", "Cancelled", "canceled"),
}


class StatusReport(TaskFamily):
    """Write this week's project status report from the tracker and last week's report.

    **Request**: today's date is given; the user wants
    ``status/<date>.md`` in the layout of last week's report: a "Status
    counts" list (``status: count`` in a fixed order), "Done since last
    report" (items done now that were not done in last week's snapshot,
    in ID order), "Overdue" (not done, due before today, by due date then
    ID, with owner and due date) and "Blockers" (each blocked item, its
    owner, and what blocks it, in ID order).

    **Workspace**: ``tracker/<project>.csv`` (id, task, owner, status, due,
    blocked_by) with 12-16 items, last week's report with a snapshot table
    of every item's status back then, an older report, a tracker README,
    unrelated files.

    **Checks**: the report exists; the counts; the done-since list; the
    overdue list in order, and one check per overdue item for its owner and
    due date; the blockers list, and one check per blocked item naming its
    owner and every blocker; the inputs are unchanged.

    **Hard**: 20-26 items, status labels typed inconsistently (case,
    hyphens, "WIP") as the README warns, a cancelled item (counted, never
    overdue), items added since last week (one already done), items blocked
    by two others, an item due today (not overdue), more distractors.

    **Rubric** (hybrid tasks): a manager gets the state of the project in a
    minute (a short summary up top, scannable lists); the wording is
    neutral and specific.
    """

    name = "status_report"
    scenario = Scenario.MESSAGING_COLLABORATION
    operations = (Operation.COMMUNICATION, Operation.DATA_ANALYSIS)
    rubric_capable = True
    domains = WORKPLACE_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        project = rng.choice(domain.projects)
        prefix = "".join(word[0] for word in re.findall(r"[A-Za-z]+", project)).upper()[:3]
        prefix = prefix if len(prefix) >= 2 else project[:3].upper()
        today = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 21))
        today += dt.timedelta(days=(4 - today.weekday()) % 7)  # a Friday
        last = date_add(today, -7)
        older = date_add(today, -14)
        owners = [b.persona.name, *b.persona.team]
        vendors = rng.sample(domain.vendors, 2)
        fill = {
            "project": project,
            "vendor": vendors[0],
            "vendor2": vendors[1],
            "department": rng.choice(domain.departments),
            "product": rng.choice(domain.products),
            "jargon": rng.choice(domain.jargon),
        }

        # Groups: (how many, status last week, status now).
        plan: list[tuple[str | None, str]] = []
        plan += [("done", "done")] * rng.randint(2, 4)
        plan += [(rng.choice(("todo", "in progress")), "done") for _ in range(rng.randint(2, 4))]
        plan += [(rng.choice(("todo", "in progress", "in progress")), rng.choice(("todo", "in progress")))
                 for _ in range(rng.randint(4, 6) if not hard else rng.randint(8, 11))]  # fmt: skip
        plan += [(rng.choice(("todo", "in progress", "blocked")), "blocked") for _ in range(2 if not hard else 3)]
        plan += [(None, "todo")] * (1 if not hard else 2)
        if hard:
            plan += [(None, "done"), ("todo", "cancelled"), ("done", "done"), ("in progress", "done")]
        order = rng.shuffled(range(len(plan)))
        numbers = sorted(rng.sample(range(101, 200), len(plan)))
        # Items added since last week get the highest numbers.
        added = [i for i, (before, _) in enumerate(plan) if before is None]
        kept = [i for i in order if i not in added]
        titles = rng.sample(TITLES, len(plan))
        items = []
        for position, index in enumerate([*kept, *added]):
            before, now = plan[index]
            items.append({"id": f"{prefix}-{numbers[position]}", "task": titles[position].format(**fill),
                          "owner": rng.choice(owners), "before": before, "now": now, "blocked_by": []})  # fmt: skip
        open_items = [item for item in items if item["now"] in ("todo", "in progress")]
        for item in items:
            if item["now"] == "done":
                item["due"] = date_add(today, rng.randint(-30, 6))
            elif item["now"] == "cancelled":
                item["due"] = date_add(today, -rng.randint(2, 9))
            else:
                item["due"] = date_add(today, rng.randint(-12, 21))
        open_or_blocked = [item for item in items if item["now"] in ("todo", "in progress", "blocked")]
        # At least two overdue items, and (hard) one due exactly today.
        for item in rng.sample(open_or_blocked, 2):
            item["due"] = date_add(today, -rng.randint(1, 10))
        if hard:
            candidates = [item for item in open_or_blocked if item["due"] >= today]
            if candidates:
                rng.choice(candidates)["due"] = today
        blocked = [item for item in items if item["now"] == "blocked"]
        for number, item in enumerate(blocked):
            pool = [other for other in open_items if other is not item and other["before"] is not None]
            item["blocked_by"] = [other["id"] for other in rng.sample(pool, 2 if hard and number == 0 else 1)]
            item["blocked_by"].sort()

        # Ground truth.
        count_order = [*STATUSES, "cancelled"] if hard else list(STATUSES)
        counts = [f"{status}: {sum(1 for item in items if item['now'] == status)}" for status in count_order]
        done_since = sorted((i for i in items if i["now"] == "done" and i["before"] != "done"), key=lambda i: i["id"])
        overdue = sorted(
            (i for i in items if i["now"] in ("todo", "in progress", "blocked") and i["due"] < today),
            key=lambda i: (i["due"], i["id"]),
        )
        blockers = sorted(blocked, key=lambda i: i["id"])

        # Files.
        tracker_path = f"tracker/{slug(project, separator='-')}.csv"
        header = ["id", "task", "owner", "status", "due", "blocked_by"]
        listing = sorted(items, key=lambda i: i["id"])
        if hard:
            listing = rng.shuffled(listing)
        rows = []
        for item in listing:
            label = rng.choice(MESSY[item["now"]]) if hard else item["now"]
            rows.append(
                [item["id"], item["task"], item["owner"], label, iso(item["due"]), "; ".join(item["blocked_by"])]
            )
        tracker = csv_text([header, *rows])
        b.file(tracker_path, tracker)
        readme = (
            f"# {project.title()} tracker\n\n"
            f"Owner of this file: {b.persona.name}. One row per work item; `blocked_by` lists the IDs of the "
            "items that block it (separated by semicolons).\n\n"
            "Status values: todo, in progress, blocked, done" + (", cancelled" if hard else "") + ".\n"
        )
        if hard:
            readme += (
                "\nPeople type the status by hand, so expect variants: any case, 'in-progress' or 'WIP' for "
                "in progress, 'to-do' for todo, 'canceled' for cancelled, stray spaces. Cancelled items are "
                "never overdue.\n"
            )
        b.file("tracker/README.md", readme)
        snapshot_items = [item for item in items if item["before"] is not None]
        for item in snapshot_items:
            item["older"] = "in progress" if item["before"] == "done" and rng.chance(0.5) else item["before"]
        older_items = snapshot_items[:-2]
        last_report = _report(project, last, snapshot_items, "before", hard, {i["id"]: i["older"] for i in older_items})
        last_path = f"status/{iso(last)}.md"
        b.file(last_path, last_report)
        if hard:
            b.file(f"status/{iso(older)}.md", _report(project, older, older_items, "older", hard, None))
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["status/", "tracker/"])

        out = f"status/{iso(today)}.md"
        sections = (
            '"## Status counts" with one `status: count` bullet per status (order: '
            + ", ".join(count_order)
            + '), then "## Done since last report", "## Overdue" and "## Blockers"'
        )
        body = b.pick(
            [
                f"It's Friday {iso(today)} and I owe everyone the weekly {project} status. Could you write it to "
                f"{out}? The tracker is {tracker_path} and last week's report is {last_path}; use the same "
                f"sections: {sections}. Done since last report means done now but not done in last week's "
                "snapshot table (items added since count too), in ID order. Overdue means not done and due before "
                "today, sorted by due date (then ID), each with its owner and due date. Blockers lists every "
                "blocked item, in ID order, with its owner and the IDs of everything blocking it.",
                f"Weekly {project} status, please — today is {iso(today)}.\n"
                f"- Write {out}, laid out like {last_path}: {sections}.\n"
                f"- Work from {tracker_path}.\n"
                "- Done since last report: items that are done now and weren't done in last week's snapshot "
                "(including new items), ordered by ID.\n"
                "- Overdue: anything not done whose due date is before today, earliest due first (ties by ID), "
                "with owner and due date on each line.\n"
                "- Blockers: one line per blocked item in ID order, naming its owner and every item blocking it.",
                f"can you put together this week's status report for {project}? today's {iso(today)}. data's in "
                f"{tracker_path}, and {last_path} is last week's — copy its structure into {out}: {sections}. "
                "'done since last report' = done now, not done in last week's snapshot, by ID. 'overdue' = not "
                "done and due before today, by due date then ID, show owner + due date. 'blockers' = each blocked "
                "item (by ID) with its owner and the IDs blocking it.",
            ]
        )
        body += "\n\nEvery list item should start with the item's ID."
        if hard:
            body += (
                "\n\nA few things to watch: the status column is typed by hand (see tracker/README.md), cancelled "
                "items count in the totals but are never overdue, and something due today isn't overdue yet."
            )
        if b.hybrid:
            body += " Start with a two- or three-sentence summary my manager can read in a minute."
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 6)

        c = b.checks
        has = c.file_exists("report_written", out)
        c.md_items("status_counts", out, "Status counts", counts, requires=[has])
        c.md_items("done_since_last_report", out, "Done since last report", [i["id"] for i in done_since],
                   match="contains", requires=[has])  # fmt: skip
        c.md_items("overdue_in_order", out, "Overdue", [i["id"] for i in overdue], match="contains", requires=[has])
        for item in overdue:
            c.text_regex(
                f"overdue_{slug(item['id'])}_owner_and_due",
                out,
                _line_with([item["id"], item["owner"], iso(item["due"])]),
                requires=[has],
            )
        c.md_items("blockers_listed", out, "Blockers", [i["id"] for i in blockers], match="contains", requires=[has])
        for item in blockers:
            c.text_regex(
                f"blocker_{slug(item['id'])}_details",
                out,
                _line_with([item["id"], item["owner"], *item["blocked_by"]]),
                requires=[has],
            )
        c.files_unchanged("inputs_unchanged", {tracker_path: tracker, last_path: last_report}, requires=[has])

        # Reference solution.
        names = {item["id"]: item for item in items}
        lines = [f"# {project.title()} status — {iso(today)}", ""]
        if b.hybrid or rng.chance(0.5):
            lines += [
                f"{len(done_since)} item{'s' if len(done_since) != 1 else ''} finished this week; "
                f"{len(overdue)} overdue and {len(blockers)} blocked.",
                "",
            ]
        lines += ["## Status counts", "", *[f"- {line}" for line in counts], ""]
        lines += ["## Done since last report", "", *[f"- {i['id']} {i['task']}" for i in done_since], ""]
        lines += ["## Overdue", ""]
        lines += [f"- {i['id']} {i['task']} — {i['owner']}, due {iso(i['due'])}" for i in overdue]
        lines += ["", "## Blockers", ""]
        for item in blockers:
            by = ", ".join(f"{other} ({names[other]['owner']})" for other in item["blocked_by"])
            lines.append(f"- {item['id']} {item['task']} ({item['owner']}) is blocked by {by}")
        report = "\n".join(lines) + "\n"
        s = b.solution
        s.exec(f"ls status tracker && cat tracker/README.md && cat {tracker_path}")
        s.read(last_path)
        s.write(out, report)

        # Near miss: "done since" lists every done item (last week's snapshot not consulted).
        all_done = sorted((i for i in items if i["now"] == "done"), key=lambda i: i["id"])
        wrong = report.replace(
            "## Done since last report\n\n" + "".join(f"- {i['id']} {i['task']}\n" for i in done_since),
            "## Done since last report\n\n" + "".join(f"- {i['id']} {i['task']}\n" for i in all_done),
        )
        b.near_miss([s.steps[0], s.steps[1], {"name": "write", "arguments": {"path": out, "content": wrong}}])

        if b.hybrid:
            b.rubric(
                "manager_reads_it_in_a_minute",
                "A manager who reads only this report understands within a minute where the project stands: a "
                "short summary up top says how the week went and what needs attention, and the lists are easy to "
                "scan.",
                {
                    "0": "No summary and hard-to-read lists; the state of the project is unclear.",
                    "0.25": "Some summary, but it is vague or contradicts the lists.",
                    "0.5": "A summary exists but buries what needs attention, or the lists are cluttered.",
                    "0.75": "Clear summary and lists, with minor clutter or wordiness.",
                    "1.0": "Crisp summary naming what finished, what is late and what is stuck; lists scannable.",
                },
                weight=2.0,
            )
            b.rubric(
                "neutral_specific_wording",
                "The wording is neutral and specific: it names items and people factually, without blame, "
                "filler or hedging.",
                {
                    "0": "Blaming, vague or padded throughout.",
                    "0.25": "Mostly vague or padded.",
                    "0.5": "Factual but with noticeable filler or loaded wording.",
                    "0.75": "Neutral and specific with small lapses.",
                    "1.0": "Consistently neutral, specific and concise.",
                },
            )


def _line_with(needles: list[str]) -> str:
    """A regex matching one line that contains every needle (in any order)."""
    return "(?im)^" + "".join(rf"(?=[^\n]*{re.escape(needle)})" for needle in needles) + r"[^\n]*$"


def _report(
    project: str, day: dt.date, items: list[dict], key: str, hard: bool, previous: dict[str, str] | None
) -> str:
    """Last week's (or an older) report: counts, lists and the snapshot of every item's status on ``day``."""
    statuses = [*STATUSES, "cancelled"] if hard else list(STATUSES)
    state = {item["id"]: item[key] for item in items}
    lines = [f"# {project.title()} status — {iso(day)}", "", "## Status counts", ""]
    lines += [f"- {status}: {sum(1 for s in state.values() if s == status)}" for status in statuses]
    done = [item for item in items if state[item["id"]] == "done"]
    lines += ["", "## Done since last report", ""]
    if previous is not None:
        done = [item for item in done if previous.get(item["id"]) != "done"]
    else:
        done = sorted(done, key=lambda i: i["id"])[: max(1, len(done) // 2)]
    lines += [f"- {item['id']} {item['task']}" for item in sorted(done, key=lambda i: i["id"])] or ["- none"]
    late = sorted(
        (i for i in items if state[i["id"]] in ("todo", "in progress", "blocked") and i["due"] < day),
        key=lambda i: (i["due"], i["id"]),
    )
    lines += ["", "## Overdue", ""]
    lines += [f"- {i['id']} {i['task']} — {i['owner']}, due {iso(i['due'])}" for i in late] or ["- none"]
    stuck = [i for i in items if state[i["id"]] == "blocked"]
    lines += ["", "## Blockers", ""]
    lines += [f"- {i['id']} ({i['owner']}) is blocked by {', '.join(i['blocked_by'])}" for i in stuck] or ["- none"]
    lines += ["", "## Snapshot", "", f"Status of every item on {iso(day)}:", ""]
    lines.append(md_table(["id", "status"], [[i["id"], state[i["id"]]] for i in sorted(items, key=lambda i: i["id"])]))
    return "\n".join(lines)
