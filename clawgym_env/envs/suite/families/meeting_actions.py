"""Meeting actions: pull the action items out of meeting notes and draft the follow-up email."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import date_add, iso, slug

__all__ = ["MeetingActions"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

ACTION_TEMPLATES = (
    "{verb} {thing}",
    "{verb} {thing} before the next check-in",
    "{verb} {thing} and share it in the channel",
)
VERBS_AND_THINGS = (
    ("Send", "the updated {vendor} quote"),
    ("Draft", "the {project} timeline"),
    ("Book", "the room for the {project} review"),
    ("Collect", "feedback on {product}"),
    ("Update", "the {department} budget sheet"),
    ("Call", "{vendor} about the delayed delivery"),
    ("Write up", "the notes on {product} pricing"),
    ("Check", "the contract terms with {vendor}"),
    ("Prepare", "slides on {project}"),
    ("Confirm", "headcount for the {project} kickoff"),
)
PHRASINGS = (
    "ACTION: {owner} to {action} by {due}.",
    "{owner} will {action_lower} (due {due}).",
    "- [ ] {owner}: {action} — {due}",
    "Agreed that {owner} takes care of this: {action_lower}, deadline {due}.",
)
CHATTER = (
    "We went back and forth on whether {product} needs a second round of testing; no decision yet.",
    "{person} mentioned the {department} team is short-staffed until the end of the month.",
    "Quick recap of last week's numbers: mostly on track, {project} slightly behind.",
    "Someone asked about the parking situation again. Parked (ha) for another meeting.",
    "{person} shared a screenshot of the {vendor} portal; the new login flow is confusing.",
    "General agreement that the {project} scope should not grow this quarter.",
    "Coffee machine on floor 2 is fixed, apparently.",
    "{person} will be out Thursday afternoon (dentist).",
)


class MeetingActions(TaskFamily):
    """Turn a meeting's notes into a dated action list and a follow-up email to the attendees.

    **Request**: the user pastes nothing; the notes are in ``meetings/``.
    They want ``actions/<date>-<topic>.md`` with an "Action items" list, one
    ``- [ ] Owner: action (due YYYY-MM-DD)`` line per item sorted by due date
    then owner, and a short follow-up email in ``drafts/followup-<topic>.txt``
    (subject line, every owner named, under a word limit).

    **Workspace**: the meeting's notes (attendees, discussion, action items
    written four different ways, relative due dates such as "Friday"), older
    meeting notes that must not be mixed in, unrelated files.

    **Checks**: the list exists with exactly the right items in order, each
    with its owner and ISO due date; the email exists, has the subject line,
    names every owner and stays under the word limit; the notes are
    unchanged.

    **Hard**: more items, due dates given as weekdays relative to the meeting
    date, and a withdrawn item ("scratch that") that must be left out.

    **Rubric** (hybrid tasks): the email is clear, friendly and actionable.
    """

    name = "meeting_actions"
    scenario = Scenario.MESSAGING_COLLABORATION
    operations = (Operation.COMMUNICATION, Operation.DATA_ANALYSIS)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        people = list(b.persona.team[:4]) if len(b.persona.team) >= 4 else b.pools.people(rng, 4)
        attendees = [b.persona.name, *people]
        project = rng.choice(domain.projects)
        topic = rng.choice((f"{project} sync", f"{project} planning", "weekly ops", "quarterly review prep"))
        day = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 26))
        meeting = f"meetings/{iso(day)}-{slug(topic, separator='-')}.md"

        fill = {
            "vendor": rng.choice(domain.vendors),
            "project": project,
            "product": rng.choice(domain.products),
            "department": rng.choice(domain.departments),
        }
        count = rng.randint(5, 7) if b.hard else rng.randint(3, 5)
        things = rng.sample(VERBS_AND_THINGS, count)
        items = []
        for verb, thing in things:
            owner = rng.choice(people)
            offset = rng.randint(1, 12)
            due = date_add(day, offset)
            text = rng.choice(ACTION_TEMPLATES).format(verb=verb, thing=thing.format(**fill))
            items.append({"owner": owner, "action": text, "due": due})
        withdrawn = None
        if b.hard:
            verb, thing = rng.choice([vt for vt in VERBS_AND_THINGS if vt not in things])
            withdrawn = {"owner": rng.choice(people), "action": f"{verb} {thing.format(**fill)}"}

        def due_text(due: dt.date) -> str:
            if b.hard and (due - day).days <= 6 and rng.chance(0.6):
                return f"{WEEKDAYS[due.weekday()]}"
            return iso(due)

        lines = [
            f"# {topic.title()} — {iso(day)} ({WEEKDAYS[day.weekday()]})",
            "",
            f"Attendees: {', '.join(attendees)}",
            f"Notes: {b.persona.name}",
            "",
            "## Discussion",
            "",
        ]
        chatter = rng.sample(CHATTER, 4)
        mixed: list[str] = []
        for index, item in enumerate(items):
            if index < len(chatter):
                mixed.append(chatter[index].format(person=rng.choice(attendees), **fill))
            phrasing = rng.choice(PHRASINGS)
            action = item["action"]
            mixed.append(
                phrasing.format(
                    owner=item["owner"],
                    action=action,
                    action_lower=_lower_first(action),
                    due=due_text(item["due"]),
                )
            )
        if withdrawn is not None:
            position = rng.below(len(mixed) - 1)
            mixed.insert(
                position,
                f"ACTION: {withdrawn['owner']} to {withdrawn['action']} by Friday. "
                "(Update: scratch that, no longer needed.)",
            )
        lines += [line if line.startswith("- [ ]") else f"- {line}" for line in mixed]
        lines += ["", "Next meeting: same time next week.", ""]
        notes = "\n".join(lines)
        b.file(meeting, notes)
        old_day = date_add(day, -7)
        old_notes = (
            f"# {topic.title()} — {iso(old_day)}\n\nAttendees: {', '.join(attendees[:3])}\n\n## Discussion\n\n"
            f"- ACTION: {people[0]} to circulate the agenda by {iso(date_add(old_day, 2))}. (done)\n"
            f"- {people[1]} will check the {fill['vendor']} invoice (due {iso(date_add(old_day, 3))}). (done)\n"
        )
        old_path = f"meetings/{iso(old_day)}-{slug(topic, separator='-')}.md"
        b.file(old_path, old_notes)
        b.add_distractors(
            rng.randint(3, 5) if b.hard else rng.randint(1, 3),
            avoid=["actions/", "drafts/", "meetings/"],
            exclude_kinds=("meeting_notes", "call_notes"),
        )

        ordered = sorted(items, key=lambda item: (item["due"], item["owner"]))
        action_lines = [f"{item['owner']}: {item['action']} (due {iso(item['due'])})" for item in ordered]
        owners = sorted({item["owner"] for item in items})
        actions_path = f"actions/{iso(day)}-{slug(topic, separator='-')}.md"
        email_path = f"drafts/followup-{slug(topic, separator='-')}.txt"
        subject = f"Subject: Follow-up: {topic.title()} ({iso(day)})"
        limit = rng.choice((150, 180, 200))

        body = b.pick(
            [
                f"The notes from today's {topic} are in {meeting}. Can you pull out every action item into "
                f'{actions_path}? Under an "## Action items" heading, one line each, formatted '
                "`- [ ] Owner: action (due YYYY-MM-DD)`, sorted by due date and then by owner name. Then draft "
                f"the follow-up email to the attendees in {email_path}: first line `{subject}`, mention each "
                f"owner and what they're on the hook for, and keep it under {limit} words.",
                f"I took notes in {meeting} but the action items are scattered all over. Please collect them "
                f'in {actions_path} (a section "## Action items" with `- [ ] Owner: action (due YYYY-MM-DD)` '
                "lines, earliest due date first, ties by owner) and write a follow-up email I can send: "
                f"{email_path}, starting with the line `{subject}`, naming every owner, max {limit} words.",
                f'From {meeting}: I need (1) {actions_path} listing the action items under "## Action items" '
                "as `- [ ] Owner: action (due YYYY-MM-DD)`, ordered by due date then owner; (2) a draft email "
                f"to everyone who attended in {email_path}, subject line `{subject}` first, under {limit} "
                "words, making sure each owner sees their items.",
            ]
        )
        if b.hard:
            body += (
                "\n\nSome due dates in the notes are weekdays; they mean the first such day after the meeting. "
                "Anything we withdrew during the meeting should not be on the list."
            )
        body += " Please don't edit the notes themselves."
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(6 if b.hard else 5)

        c = b.checks
        has_list = c.file_exists("action_list_written", actions_path)
        c.md_items("action_items_exact", actions_path, "Action items", [f"[ ] {line}" for line in action_lines],
                   requires=[has_list])  # fmt: skip
        c.md_section("due_dates_iso", actions_path, "Action items", [iso(item["due"]) for item in items],
                     requires=[has_list])  # fmt: skip
        has_email = c.file_exists("email_written", email_path)
        c.text_regex("email_subject_first", email_path, rf"\A\s*{re.escape(subject)}\s*$", flags="im",
                     requires=[has_email])  # fmt: skip
        c.text_contains("email_names_owners", email_path, owners, requires=[has_email])
        c.word_count("email_under_limit", email_path, min=20, max=limit, requires=[has_email])
        c.files_unchanged("notes_unchanged", {meeting: notes, old_path: old_notes}, requires=[has_list])

        first_names = {owner: owner.split()[0] for owner in owners}
        email_lines = [subject, "", f"Hi {', '.join(first_names[o] for o in owners)},", ""]
        email_lines.append(f"Thanks for today's {topic}. Here is who is doing what:")
        email_lines.append("")
        for owner in owners:
            mine = [item for item in ordered if item["owner"] == owner]
            listed = "; ".join(f"{_lower_first(item['action'])} by {iso(item['due'])}" for item in mine)
            email_lines.append(f"- {owner}: {listed}")
        email_lines += ["", "Shout if anything is off or a date doesn't work.", "", b.persona.name.split()[0]]
        email = "\n".join(email_lines) + "\n"
        listing = "## Action items\n\n" + "\n".join(f"- [ ] {line}" for line in action_lines) + "\n"

        s = b.solution
        s.exec("ls meetings && cat " + meeting)
        s.write(actions_path, f"# Action items from {topic.title()} ({iso(day)})\n\n" + listing)
        s.write(email_path, email)

        # Near miss: the first two items swapped in the list (order wrong), everything else right.
        swapped = list(action_lines)
        if len(swapped) >= 2:
            swapped[0], swapped[1] = swapped[1], swapped[0]
        wrong_listing = "## Action items\n\n" + "\n".join(f"- [ ] {line}" for line in swapped) + "\n"
        b.near_miss([s.steps[0], {"name": "write", "arguments": {"path": actions_path, "content": wrong_listing}},
                     s.steps[2]])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "email_clear_and_actionable",
                "The follow-up email is clear and easy to act on: each owner can find their items and dates "
                "at a glance, nothing is ambiguous.",
                {
                    "0": "Confusing or missing most items.",
                    "0.25": "Items present but hard to find or mixed up.",
                    "0.5": "Understandable but wordy or disorganised.",
                    "0.75": "Clear, with minor friction.",
                    "1.0": "Immediately clear who does what by when.",
                },
                weight=2.0,
            )
            b.rubric(
                "email_tone",
                f"The email sounds like {b.persona.name} writing to colleagues: friendly, appreciative, not "
                "stiff or robotic, no blame.",
                {
                    "0": "Rude, robotic or inappropriate.",
                    "0.25": "Mostly stiff or cold.",
                    "0.5": "Neutral but impersonal.",
                    "0.75": "Friendly with small lapses.",
                    "1.0": "Warm, collegial and natural.",
                },
            )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
