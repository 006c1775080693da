"""Local wiki answers: answer concrete questions from an offline mirror of an internal wiki, citing pages."""

from __future__ import annotations

import datetime as dt
import html
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import iso, json_text, slug

__all__ = ["LocalWikiAnswers"]

SYSTEMS = ("Atlas", "Beacon", "Cobalt", "Driftwood", "Ember", "Falcon", "Garnet", "Heron", "Iris", "Juniper",
           "Kestrel", "Lodestar")  # fmt: skip
ROLES = ("coordinator", "analyst", "specialist", "administrator", "assistant", "officer", "technician")
ROOMS = ("Birch", "Cedar", "Linden", "Maple", "Rowan", "Willow", "Hazel", "Alder", "Aspen", "Elm")
EXPENSES = (
    ("Hotel, per night", 140, 220),
    ("Meals, per day", 35, 75),
    ("Taxi or rideshare, per trip", 25, 60),
    ("Client entertainment, per person", 40, 90),
    ("Conference fee, per event", 300, 900),
)
STEP_TEXTS = (
    "Announce the maintenance in the #ops channel.",
    "Check the dashboard for errors in the last hour.",
    "Stop the background workers.",
    "Restart the application service.",
    "Confirm the health check page is green.",
    "Clear the export queue.",
    "Post a short summary in the incident log.",
)


class LocalWikiAnswers(TaskFamily):
    """Answer concrete questions from an offline copy of the internal wiki, citing the page for each answer.

    **Request**: 4-6 questions (who leads a team, a person's phone
    extension, which team owns a system, the extension of whoever leads the
    team that owns a system, a limit from the expense policy, the biggest
    room on a floor, a waiting time in a runbook) answered in
    ``answers.json`` as ``{"q1": {"answer": ..., "source": "wiki/..."}}``.

    **Workspace**: ``wiki/`` with 11-20 HTML pages (index with navigation,
    team pages with member tables and extensions, system pages naming their
    owning team, runbooks with numbered steps, an expense policy table, an
    office page with a room table, archived pages with an ARCHIVED banner),
    unrelated files.

    **Checks**: the file exists with exactly the question ids; each answer
    (names case-insensitive, numbers numerically); each source page.

    **Hard**: more pages; archived copies of a team page and the expense
    policy that contradict the current ones sit next to them (not in
    ``archive/``) and are asked about; a question needs two hops (system ->
    owning team -> its lead's extension).
    """

    name = "local_wiki_answers"
    scenario = Scenario.INFORMATION_RETRIEVAL
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        domain = DOMAINS[persona.domain]
        org = persona.org
        today = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        pages: dict[str, str] = {}
        nav: list[tuple[str, str]] = []  # (path, title) of current pages, for the index

        # -- people and teams ------------------------------------------------------------------------
        depts = rng.sample(domain.departments, min(len(domain.departments), 5 if b.hard else 3))
        people = b.pools.people(rng, 4 * len(depts) + 4)
        extensions: list[int] = []
        while len(extensions) < len(people) + 8:
            extension = rng.randint(2100, 7999)
            if extension not in extensions:
                extensions.append(extension)
        teams: dict[str, dict] = {}
        cursor = 0
        for dept in depts:
            members = []
            for position in range(rng.randint(3, 4)):
                role = "team lead" if position == 0 else rng.choice(ROLES)
                members.append({"name": people[cursor], "role": role, "ext": extensions[cursor]})
                cursor += 1
            teams[dept] = {"path": f"wiki/teams/{slug(dept, separator='-')}.html", "members": members}
        spare = people[cursor:]

        for dept, team in teams.items():
            rows = "".join(
                f"<tr><td>{html.escape(m['name'])}</td><td>{m['role']}</td><td>x{m['ext']}</td></tr>"
                for m in team["members"]
            )
            content = (
                f"<h1>{html.escape(dept)}</h1>\n<p>The {html.escape(dept)} team at {html.escape(org)}. Team lead: "
                f"<strong>{html.escape(team['members'][0]['name'])}</strong>.</p>\n"
                '<h2>Who\'s who</h2>\n<table class="directory">\n<tr><th>Name</th><th>Role</th><th>Phone</th></tr>\n'
                f"{rows}\n</table>\n<p>Desk phones: dial the four digits after the x from any office phone.</p>"
            )
            pages[team["path"]] = content
            nav.append((team["path"], dept))

        # -- systems and runbooks ------------------------------------------------------------------------
        systems = {}
        for name in rng.sample(SYSTEMS, 4 if b.hard else 3):
            owner = rng.choice(depts)
            purpose = rng.choice(domain.projects)
            path = f"wiki/systems/{slug(name)}.html"
            systems[name] = {"owner": owner, "path": path}
            hours = rng.choice(("08:00-18:00", "07:00-19:00", "09:00-17:30"))
            pages[path] = (
                f"<h1>{name}</h1>\n<p>{name} is the internal tool we set up for the {html.escape(purpose)} work.</p>\n"
                f'<dl>\n<dt>Owning team</dt><dd><a href="../teams/{slug(owner, separator="-")}.html">'
                f"{html.escape(owner)}</a></dd>\n<dt>Support hours</dt><dd>{hours}, weekdays</dd>\n"
                "<dt>Escalation</dt><dd>The owning team's lead</dd>\n</dl>"
            )
            nav.append((path, f"{name} (system)"))
        runbooks = {}
        for name in rng.sample(list(systems), 2):
            steps = rng.sample(STEP_TEXTS, 5)
            wait = rng.choice((5, 10, 15, 20, 30))
            position = rng.randint(2, 4)
            steps.insert(position, f"Wait {wait} minutes before going on, so the caches can warm up.")
            path = f"wiki/runbooks/restart-{slug(name)}.html"
            runbooks[name] = {"path": path, "wait": wait}
            pages[path] = (
                f'<h1>Runbook: restarting {name}</h1>\n<p class="meta">Owner: {html.escape(systems[name]["owner"])}'
                "</p>\n<ol>\n" + "".join(f"<li>{html.escape(step)}</li>\n" for step in steps) + "</ol>"
            )
            nav.append((path, f"Restart {name}"))

        # -- policy and office -------------------------------------------------------------------------------
        limits = {label: rng.randint(low // 5, high // 5) * 5 for label, low, high in rng.sample(EXPENSES, 4)}
        policy_path = "wiki/policies/travel-and-expenses.html"
        pages[policy_path] = _policy(limits, today - dt.timedelta(days=rng.randint(210, 300)))
        nav.append((policy_path, "Travel & expenses policy"))
        floors = {floor: rng.sample(ROOMS, 3) for floor in (1, 2)}
        capacities = {room: cap for floor in floors for room, cap in zip(floors[floor], rng.sample(range(4, 30), 3),
                                                                          strict=True)}  # fmt: skip
        office_path = "wiki/office/meeting-rooms.html"
        room_rows = "".join(
            f"<tr><td>{room}</td><td>{floor}</td><td>{capacities[room]}</td><td>"
            f"{rng.choice(('screen', 'whiteboard', 'screen, whiteboard', 'video bar'))}</td></tr>\n"
            for floor in floors
            for room in floors[floor]
        )
        pages[office_path] = (
            "<h1>Meeting rooms</h1>\n<p>Book rooms in the calendar; capacity is seated.</p>\n<table>\n"
            f"<tr><th>Room</th><th>Floor</th><th>Capacity</th><th>Equipment</th></tr>\n{room_rows}</table>"
        )
        nav.append((office_path, "Meeting rooms"))
        b_rows = "".join(f"<li>{html.escape(p)}</li>" for p in rng.sample(list(domain.jargon), 3))
        pages["wiki/office/welcome.html"] = (
            f"<h1>Welcome to {html.escape(org)}</h1>\n<p>Start here if you're new. Words you'll hear a lot:</p>\n"
            f"<ul>{b_rows}</ul>\n<p>Questions? Ask your team lead.</p>"
        )
        nav.append(("wiki/office/welcome.html", "Welcome"))

        # -- archived pages ------------------------------------------------------------------------------------
        contested = depts[0]
        old_lead = spare[0]
        old_ext = extensions[-1]
        old_limits = {label: value + rng.choice((-15, -10, 10, 20)) for label, value in limits.items()}
        if b.hard:
            archived_team_path = f"wiki/teams/{slug(contested, separator='-')}-2023.html"
            archived_policy_path = "wiki/policies/travel-and-expenses-v1.html"
        else:
            gone = rng.choice([d for d in domain.departments if d not in depts])
            contested = gone
            archived_team_path = f"wiki/archive/{slug(gone, separator='-')}.html"
            archived_policy_path = "wiki/archive/travel-policy-2022.html"
        archived_members = [{"name": old_lead, "role": "team lead", "ext": old_ext}] + [
            {"name": name, "role": rng.choice(ROLES), "ext": extensions[-2 - index]}
            for index, name in enumerate(spare[1:3])
        ]
        rows = "".join(
            f"<tr><td>{html.escape(m['name'])}</td><td>{m['role']}</td><td>x{m['ext']}</td></tr>"
            for m in archived_members
        )
        banner = (
            '<div class="banner archived">ARCHIVED: this page is no longer maintained and may be out of date. '
            "Do not rely on it.</div>\n"
        )
        pages[archived_team_path] = (
            banner + f"<h1>{html.escape(contested)}</h1>\n<p>Team lead: <strong>{html.escape(old_lead)}</strong>."
            '</p>\n<table class="directory">\n<tr><th>Name</th><th>Role</th><th>Phone</th></tr>\n'
            f"{rows}\n</table>"
        )
        pages[archived_policy_path] = banner + _policy(old_limits, dt.date(today.year - 2, 3, 1))

        # -- questions -------------------------------------------------------------------------------------------
        questions: list[tuple[str, object, str]] = []  # (text, answer, source)
        lead_dept = depts[0] if b.hard else rng.choice(depts)
        lead = teams[lead_dept]["members"][0]
        questions.append((f"Who currently leads the {lead_dept} team? (full name)", lead["name"],
                          teams[lead_dept]["path"]))  # fmt: skip
        other_dept = rng.choice([d for d in depts if d != lead_dept])
        member = rng.choice(teams[other_dept]["members"][1:])
        questions.append((f"What is {member['name']}'s phone extension?", member["ext"], teams[other_dept]["path"]))
        system = rng.choice(list(systems))
        questions.append((f"Which team owns {system}?", systems[system]["owner"], systems[system]["path"]))
        label = rng.choice(list(limits))
        questions.append((f'What is the expense limit for "{label}" under the travel policy? (number only)',
                          limits[label], policy_path))  # fmt: skip
        extra = []
        book = rng.choice(list(runbooks))
        extra.append((f"In the runbook for restarting {book}, how many minutes do you wait before going on?",
                      runbooks[book]["wait"], runbooks[book]["path"]))  # fmt: skip
        floor = rng.choice((1, 2))
        biggest = max(floors[floor], key=lambda room: capacities[room])
        extra.append((f"Which meeting room on floor {floor} seats the most people?", biggest, office_path))
        if b.hard:
            hop = rng.choice([name for name in systems if systems[name]["owner"] != lead_dept] or list(systems))
            owner_lead = teams[systems[hop]["owner"]]["members"][0]
            questions.append((f"{hop} is down: what is the phone extension of the lead of the team that owns it?",
                              owner_lead["ext"], teams[systems[hop]["owner"]]["path"]))  # fmt: skip
            questions += rng.sample(extra, 1)
        else:
            questions += rng.sample(extra, rng.randint(0, 2))
        order = [questions[0], *rng.shuffled(questions[1:])]
        ids = [f"q{index + 1}" for index in range(len(order))]

        # -- write the wiki ----------------------------------------------------------------------------------------
        editors = [persona.name, *persona.team]
        index_items = "".join(
            f'<li><a href="{path.removeprefix("wiki/")}">{html.escape(title)}</a></li>\n' for path, title in nav
        )
        b.file(
            "wiki/index.html",
            _layout(org, "Home", f"<h1>{html.escape(org)} wiki</h1>\n<ul class=\"toc\">\n{index_items}</ul>\n"
                    "<p>Old pages live under archive/ or carry an ARCHIVED banner.</p>", "", today, persona.name),
        )  # fmt: skip
        for path, content in pages.items():
            depth = path.count("/") - 1
            root = "../" * depth
            edited = today - dt.timedelta(days=rng.randint(3, 200))
            if "ARCHIVED" in content:
                edited = dt.date(today.year - 2, rng.randint(1, 12), rng.randint(1, 28))
            title = html.unescape(re.search(r"<h1>(.*?)</h1>", content).group(1))  # type: ignore[union-attr]
            b.file(path, _layout(org, title, content, root, edited, rng.choice(editors)))
        b.file(
            "wiki/README.txt",
            f"Offline mirror of the {org} intranet wiki, exported {iso(today)} with wget --mirror.\n"
            "Links are relative; open index.html in a browser.\n",
        )
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["wiki/"])

        answers_path = "answers.json"
        listing = "\n".join(f"{qid}. {text}" for qid, (text, _, _) in zip(ids, order, strict=True))
        fmt = (
            f'Put the answers in {answers_path}, keyed by question id: {{"q1": {{"answer": ..., "source": '
            '"wiki/<path>.html"}, ...}, where source is the workspace path of the page where you found the '
            "answer. Names exactly as the wiki writes them, numbers as plain numbers (no x, no currency)."
        )
        body = b.pick(
            [
                f"I'm offline with only the wiki mirror in wiki/. Can you look these up for me?\n\n{listing}\n\n{fmt}",
                f"Quick lookups from our wiki (local copy in wiki/, start at wiki/index.html):\n{listing}\n{fmt} "
                "Only go by what's current on the wiki.",
                f"need a few answers from the intranet wiki, the mirror is in wiki/. {fmt}\n\n{listing}",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: some pages are outdated copies marked ARCHIVED, sometimes sitting right "
                "next to the current page; always answer from the current one and cite it."
            )
        b.instruct(body)
        b.steps(5 if b.hard else 3)
        b.constraints(4)

        # -- checks ---------------------------------------------------------------------------------------------------
        c = b.checks
        has = c.json_valid("answers_written", answers_path)
        c.json_keys("question_ids", answers_path, "", ids, exact=True, requires=[has])
        for qid, (_, answer, source) in zip(ids, order, strict=True):
            c.json_equals(f"{qid}_answer", answers_path, f"/{qid}/answer", answer, ignore_case=True, requires=[has])
            c.json_equals(f"{qid}_source", answers_path, f"/{qid}/source", source, requires=[has])

        # -- reference solution ----------------------------------------------------------------------------------------
        s = b.solution
        s.exec("ls -R wiki && cat wiki/README.txt")
        s.read("wiki/index.html")
        s.exec("grep -ril 'archived' wiki; grep -rn -i -E 'team lead|owning team|wait [0-9]+' wiki | head -40")
        for source in dict.fromkeys(source for _, _, source in order):
            s.read(source)
        document = {
            qid: {"answer": answer, "source": source} for qid, (_, answer, source) in zip(ids, order, strict=True)
        }
        s.write(answers_path, json_text(document))

        # Near miss: the first answer taken from the archived page.
        wrong = json_text({**document, "q1": {"answer": old_lead, "source": archived_team_path}})
        b.near_miss([*s.steps[:-1], {"name": "write", "arguments": {"path": answers_path, "content": wrong}}])


def _policy(limits: dict[str, int], updated: dt.date) -> str:
    rows = "".join(f"<tr><td>{html.escape(label)}</td><td>${value}</td></tr>\n" for label, value in limits.items())
    return (
        f"<h1>Travel &amp; expenses policy</h1>\n<p>Effective {iso(updated)}. Spend above these limits needs "
        'written approval from your team lead before you book.</p>\n<table class="limits">\n'
        f"<tr><th>Item</th><th>Limit</th></tr>\n{rows}</table>\n<p>Keep receipts for everything over $25.</p>"
    )


def _layout(org: str, title: str, content: str, root: str, edited: dt.date, editor: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>{html.escape(title)} - {html.escape(org)} '
        "wiki</title></head>\n<body>\n"
        f'<nav class="top"><a href="{root}index.html">Home</a> | <a href="{root}office/welcome.html">New here?</a>'
        f' | <a href="{root}policies/travel-and-expenses.html">Policies</a></nav>\n'
        f'<div class="content">\n{content}\n</div>\n'
        f"<footer>Last edited {iso(edited)} by {html.escape(editor)}.</footer>\n</body>\n</html>\n"
    )
