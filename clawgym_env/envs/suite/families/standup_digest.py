"""Standup digest: boil a week of loosely written #standup messages down to plans and open blockers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import WORKPLACE_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, json_text, jsonl_text

__all__ = ["StandupDigest"]

TASKS = (
    "finish the {project} timeline",
    "review the {project} brief with {person}",
    "call {vendor} about the renewal",
    "update the {dept} budget sheet",
    "prep slides for the {project} review",
    "write up notes on {product}",
    "test the new {product} flow",
    "clean up the {project} task list",
    "pair with {person} on the {project} handover",
    "chase {vendor} for last month's invoice",
    "draft the {project} status email",
    "go through the {dept} feedback",
    "plan next week's {product} rollout",
    "fix the {dept} rota for next month",
    "tidy the shared drive for {project}",
    "run the {product} numbers for {person}",
)
BLOCKERS = (
    "the signed {vendor} contract",
    "access to the {project} shared drive",
    "sign-off from {person} on the {project} scope",
    "the updated {dept} headcount numbers",
    "a working login for the {vendor} portal",
    "final pricing for {product}",
    "the {project} test data",
    "budget approval for the {product} order",
    "the {vendor} delivery date",
    "feedback from {person} on the {product} draft",
)
RAISE = ("waiting on {key}", "blocked on {key}", "still need {key}", "need {key} before I can go further")
CHATTER = (
    "anyone seen the latest {product} numbers?",
    "lunch at 12:30 today?",
    "reminder: the {project} review moved to Thursday",
    "who has the key to the supply cupboard",
    "fyi {vendor} called, they'll ring back after 3",
    "nice work on {project} everyone 🎉",
)


class StandupDigest(TaskFamily):
    """Turn a week of #standup messages into a per-person digest and a list of blockers still open.

    **Request**: from the channel export and the members list, write
    ``digest.md`` with one ``## <Full Name>`` section per person who posted
    a standup (sorted by name) giving their most recent "today" plan and
    their open blockers, and ``blockers.csv`` (person, raised, blocker) of
    blockers nobody marked resolved, sorted by date raised then person.

    **Workspace**: ``chat/standup_<week>.jsonl`` (ts, user handle, text:
    standups in four loose formats, repeated "still waiting on" blockers,
    ``resolved:`` messages, chatter, bot reminders) and
    ``chat/members.json`` (handle -> full name), distractors.

    **Checks**: the digest's sections in name order, none for members who
    did not post; each person's latest plan in their section and no older
    plan anywhere; open blockers in their owners' sections; resolved blockers absent; the CSV
    header, persons and dates in order, every open blocker present and no
    resolved one; the export unchanged.

    **Hard**: more people and messages, lines out of chronological order
    (threads merged into the export), standups posted as thread replies to
    the bot, resolutions posted by teammates, and one person whose last
    standup was days before the others' (on leave).

    **Rubric**: the digest is concise and skimmable.
    """

    name = "standup_digest"
    scenario = Scenario.MESSAGING_COLLABORATION
    operations = (Operation.COMMUNICATION, Operation.DATA_ANALYSIS)
    rubric_capable = True
    domains = WORKPLACE_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        team = list(b.persona.team)
        people = sorted(rng.sample(team, min(len(team), rng.randint(4, 5) if b.hard else rng.randint(3, 4))))
        monday = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), 1)
        monday += dt.timedelta(days=(7 - monday.weekday()) % 7 + 7 * rng.randint(0, 2))
        days = [monday + dt.timedelta(days=i) for i in range(5)]
        handles = {name: _handle(name) for name in people}
        if len(set(handles.values())) < len(handles):
            handles = {name: _handle(name, full=True) for name in people}
        fill_people = [p for p in team if p not in people] or team

        def fill(template: str) -> str:
            return template.format(
                project=rng.choice(domain.projects),
                vendor=rng.choice(domain.vendors),
                dept=rng.choice(domain.departments),
                product=rng.choice(domain.products),
                person=rng.choice(fill_people).split()[0],
            )

        # Plans: distinct texts per task.
        used: set[str] = set()

        def fresh(templates: tuple[str, ...]) -> str:
            for _ in range(50):
                text = fill(rng.choice(templates))
                if text not in used:
                    used.add(text)
                    return text
            raise RuntimeError("ran out of distinct texts")

        # Who posts which day (everyone posts Monday and on their last day; someone is away in hard mode).
        away = rng.choice(people) if b.hard else None
        last_day = {p: (rng.randint(1, 2) if p == away else 4) for p in people}
        post_days = {
            p: [d for d in range(last_day[p] + 1) if d in (0, last_day[p]) or not rng.chance(0.15)] for p in people
        }
        plans = {p: {d: fresh(TASKS) for d in post_days[p]} for p in people}

        # Blockers: raised in one of the owner's standups, repeated until resolved (or the week ends).
        blocker_count = rng.randint(4, 6) if b.hard else rng.randint(3, 4)
        blockers = []
        for index in range(blocker_count):
            owner = people[index] if index < len(people) else rng.choice(people)
            options = [d for d in post_days[owner] if d <= 3] or post_days[owner][:1]
            blockers.append({"owner": owner, "key": fresh(BLOCKERS), "raised": rng.choice(options), "resolved": None})
        for index in rng.sample(range(blocker_count), rng.randint(1, blocker_count - 2)):
            blockers[index]["resolved"] = rng.randint(blockers[index]["raised"] + 1, 4)

        # Messages.
        messages: list[dict] = []
        for day_index, day in enumerate(days):
            reminder = dt.datetime.combine(day, dt.time(9, 0))
            messages.append({"ts": reminder, "user": "standupbot", "text": "Reminder: post your standup 🙂"})
            for person in people:
                if day_index not in plans[person]:
                    continue
                earlier = [d for d in post_days[person] if d < day_index]
                yesterday = plans[person][earlier[-1]] if earlier else fill(rng.choice(TASKS))
                parts = []
                for x in blockers:
                    still_open = x["resolved"] is None or x["resolved"] > day_index
                    if x["owner"] == person and x["raised"] <= day_index and still_open:
                        phrase = rng.choice(RAISE) if x["raised"] == day_index else "still waiting on {key}"
                        parts.append(phrase.format(key=x["key"]))
                when = reminder + dt.timedelta(minutes=rng.randint(2, 140))
                text = _standup(rng, yesterday, plans[person][day_index], "; ".join(parts))
                message = {"ts": when, "user": handles[person], "text": text}
                if b.hard and rng.chance(0.4):
                    message["thread_ts"] = reminder
                messages.append(message)
            for chatter in rng.sample(CHATTER, rng.randint(0, 2)):
                chat_at = dt.datetime.combine(day, dt.time(rng.randint(10, 16), rng.randint(0, 59)))
                messages.append({"ts": chat_at, "user": handles[rng.choice(people)], "text": fill(chatter)})
        for blocker in blockers:
            if blocker["resolved"] is None:
                continue
            by = blocker["owner"] if not b.hard or rng.chance(0.5) else rng.choice(people)
            at = dt.datetime.combine(days[blocker["resolved"]], dt.time(rng.randint(11, 17), rng.randint(0, 59)))
            thanks = rng.choice([p for p in team if p != by]).split()[0]
            text = rng.choice(("✅ resolved: {key} — thanks {who}!", "resolved: {key} ({who} sorted it)",
                               "✅ resolved: {key}"))  # fmt: skip
            messages.append({"ts": at, "user": handles[by], "text": text.format(key=blocker["key"], who=thanks)})

        messages.sort(key=lambda m: (m["ts"], m["user"]))
        if b.hard:
            # threads were appended after the channel's top-level messages in the export
            top = [m for m in messages if "thread_ts" not in m]
            threaded = [m for m in messages if "thread_ts" in m]
            messages = top + threaded
        records = []
        for m in messages:
            record = {"ts": m["ts"].strftime("%Y-%m-%dT%H:%M:%SZ"), "user": m["user"], "text": m["text"]}
            if "thread_ts" in m:
                record["thread_ts"] = m["thread_ts"].strftime("%Y-%m-%dT%H:%M:%SZ")
            records.append(record)
        week = f"{iso(days[0])}_to_{iso(days[-1])}"
        export_path = f"chat/standup_{week}.jsonl"
        export = jsonl_text(records)
        b.file(export_path, export)
        members = {handles[p]: {"name": p, "active": True} for p in people}
        members["standupbot"] = {"name": "Standup Bot", "bot": True}
        for other in team:
            if other not in people and _handle(other) not in members:
                members[_handle(other)] = {"name": other, "active": True}
                break
        members_text = json_text(dict(sorted(members.items())))
        b.file("chat/members.json", members_text)
        b.add_distractors(
            rng.randint(3, 6) if b.hard else rng.randint(1, 3),
            avoid=["chat/", "standup/"],
            exclude_kinds=("chat_export",),
        )

        # Ground truth.
        latest = {p: plans[p][post_days[p][-1]] for p in people}
        keep = [*latest.values(), *(x["key"] for x in blockers if x["resolved"] is None)]
        older = [t for p in people for d, t in plans[p].items() if t != latest[p]]
        older = [t for t in older if not any(t.lower() in k.lower() for k in keep)]
        open_blockers = sorted([x for x in blockers if x["resolved"] is None], key=lambda x: (x["raised"], x["owner"]))
        resolved = [x for x in blockers if x["resolved"] is not None]
        resolved = [x for x in resolved if not any(x["key"].lower() in k.lower() for k in keep)]

        # Request.
        digest_path, csv_path = "standup/digest.md", "standup/blockers.csv"
        section = "## <Full Name>\nToday: <their latest 'today'>\nOpen blockers: none, or one bullet each"
        body = b.pick(
            [
                f"I missed most of this week's standups. The #standup export is in {export_path} and "
                "chat/members.json maps handles to names. Could you write me a digest in "
                f"{digest_path}: one section per person who posted a standup, sorted by full name, headed "
                "`## <Full Name>`, with their most recent 'today' plan (as they wrote it) and any blockers that "
                f"are still open? Also put the open blockers in {csv_path} with columns person,raised,blocker "
                "(full name, the date it was first mentioned as YYYY-MM-DD, the blocker as they wrote it), "
                "sorted by raised date and then person. A blocker counts as closed once someone posts a "
                "`resolved:` message about it.",
                f"Two things from the standup channel ({export_path}; names for the handles are in "
                "chat/members.json):\n\n"
                f"1. {digest_path} — for each person who posted a standup, alphabetically by full name:\n\n"
                f"```\n{section}\n```\n\n"
                f"2. {csv_path} — columns person,raised,blocker: every blocker still open at the end of the week "
                "(nobody posted `resolved: ...` for it), with the day it was first raised (YYYY-MM-DD) and the "
                "blocker text as written; sorted by raised, then person.",
                f"can you skim {export_path} for me? people write their standups however they like, sorry. I "
                f"want {digest_path} with a `## Full Name` section per person who posted (A-Z by name, names "
                "from chat/members.json), showing what they said they're doing today in their last standup, "
                "plus their open blockers. and a "
                f"{csv_path} (person,raised,blocker) listing blockers nobody has marked `resolved:` yet, oldest "
                "first (raised = date first mentioned, YYYY-MM-DD), ties by person, blocker text as they wrote it.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: replies in threads are at the end of the export, so don't trust "
                "the line order; some standups are thread replies to the bot's reminder; anyone can post the "
                "`resolved:` message, not just the person who was blocked; and one person was out for the end of "
                "the week, so their latest standup is older than everyone else's."
            )
        body += (
            "\n\nOnly each person's latest plan goes in the digest (no earlier days' plans or 'yesterday' items), "
            "resolved blockers stay out of both files, and please don't touch the export."
        )
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(7 if b.hard else 6)

        # Checks.
        c = b.checks
        dg = c.file_exists("digest_written", digest_path)
        order = r"(?ms)" + r".*?".join(rf"^##[ \t]+{re.escape(p)}[ \t]*$" for p in people)
        c.text_regex("sections_sorted_by_name", digest_path, order, requires=[dg])
        outsiders = [f"## {m['name']}" for handle, m in members.items() if handle not in handles.values()]
        c.text_absent("no_section_for_non_posters", digest_path, outsiders, ignore_case=True, requires=[dg])
        for index, person in enumerate(people, start=1):
            needles = [latest[person]] + [x["key"] for x in open_blockers if x["owner"] == person]
            c.md_section(f"section_{index}_{_slug(person)}", digest_path, person, needles, requires=[dg])
        if older:
            c.text_absent("only_latest_plans", digest_path, older, ignore_case=True, requires=[dg])
        c.text_absent("digest_omits_resolved", digest_path, [x["key"] for x in resolved], ignore_case=True,
                      requires=[dg])  # fmt: skip
        head = c.csv_header("blockers_header", csv_path, ["person", "raised", "blocker"], ignore_case=True)
        c.csv_column("blocker_owners_in_order", csv_path, "person", [x["owner"] for x in open_blockers],
                     requires=[head])  # fmt: skip
        c.csv_column("blocker_dates_in_order", csv_path, "raised", [iso(days[x["raised"]]) for x in open_blockers],
                     requires=[head])  # fmt: skip
        c.text_contains("open_blockers_listed", csv_path, [x["key"] for x in open_blockers], ignore_case=True,
                        requires=[head])  # fmt: skip
        c.text_absent("csv_omits_resolved", csv_path, [x["key"] for x in resolved], ignore_case=True,
                      requires=[head])  # fmt: skip
        c.files_unchanged("export_unchanged", {export_path: export, "chat/members.json": members_text},
                          requires=[dg])  # fmt: skip

        # Reference solution.
        s = b.solution
        s.read("chat/members.json")
        s.exec(f"wc -l {export_path} && head -20 {export_path}")
        s.exec(f"grep -i 'resolved' {export_path}")
        s.write(digest_path, _digest(people, latest, open_blockers, days))
        s.write(csv_path, _blockers_csv(open_blockers, days))

        # Near miss: resolutions ignored (every blocker ever raised is listed as open).
        everyone = sorted(blockers, key=lambda x: (x["raised"], x["owner"]))
        wrong_digest, wrong_csv = _digest(people, latest, everyone, days), _blockers_csv(everyone, days)
        b.near_miss([*s.steps[:3], {"name": "write", "arguments": {"path": digest_path, "content": wrong_digest}},
                     {"name": "write", "arguments": {"path": csv_path, "content": wrong_csv}}])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "digest_concise_and_skimmable",
                "The digest can be skimmed in under a minute: consistent per-person layout, each plan and "
                "blocker in a short line, no chatter or week-long history copied in, blockers easy to spot.",
                {
                    "0": "Missing or a raw dump of the channel.",
                    "0.25": "Hard to skim: long paragraphs or lots of irrelevant detail.",
                    "0.5": "Usable but inconsistent layout or padded with extra text.",
                    "0.75": "Clean and consistent with minor noise.",
                    "1.0": "Crisp, uniform and immediately skimmable; blockers stand out.",
                },
                weight=2.0,
            )


def _handle(name: str, full: bool = False) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    parts = re.findall(r"[a-z]+", ascii_name)
    if len(parts) < 2:
        return parts[0]
    return f"{parts[0]}.{parts[-1] if full else parts[-1][0]}"


def _slug(name: str) -> str:
    return _handle(name).replace(".", "_")


def _standup(rng, yesterday: str, today: str, blocker: str) -> str:
    style = rng.randint(0, 3)
    if style == 2 and "." in yesterday + today + blocker:
        style = 0  # sentence style would be ambiguous around names such as "Greenleaf Produce Co."
    if style == 0:
        return f"Yesterday: {yesterday}\nToday: {today}\nBlockers: {blocker or 'none'}"
    if style == 1:
        return f"y: {yesterday} | t: {today} | blockers: {blocker or '-'}"
    if style == 2:
        tail = blocker if blocker else "no blockers"
        return f"yday: {yesterday}. today: {today}. {tail[:1].upper() + tail[1:]}"
    return f"*Y* {yesterday}\n*T* {today}\n*B* {blocker or 'nothing'}"


def _blockers_csv(blockers: list[dict], days: list[dt.date]) -> str:
    return csv_text(
        [["person", "raised", "blocker"], *[[x["owner"], iso(days[x["raised"]]), x["key"]] for x in blockers]]
    )


def _digest(people, latest, open_blockers, days) -> str:
    lines = [f"# Standup digest — week of {iso(days[0])}", ""]
    for person in people:
        lines.append(f"## {person}")
        lines.append(f"Today: {latest[person]}")
        mine = [x for x in open_blockers if x["owner"] == person]
        if mine:
            lines.append("Open blockers:")
            lines += [f"- {x['key']} (since {iso(days[x['raised']])})" for x in mine]
        else:
            lines.append("Open blockers: none")
        lines.append("")
    return "\n".join(lines)
