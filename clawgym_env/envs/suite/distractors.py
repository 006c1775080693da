"""Distractor files: unrelated but plausible files that make a generated workspace look lived-in.

Real workspaces hold old drafts, personal notes, a grocery list, a README from
another project, chat exports, text pulled out of a downloaded PDF, receipts,
stale backup copies of spreadsheets and so on. :func:`distractors` returns
``count`` such files themed on the persona's domain, organisation and people.

Contracts:

* Deterministic given the generator: every draw comes from the
  :class:`~clawgym_env.envs.suite.rng.StableRandom` passed in (no clock, no
  ``random`` module, no ``hash()``, no set iteration), so the same generator
  state gives byte-identical files on every machine and Python version.
* Paths are relative POSIX paths without spaces. No path equals an entry of
  ``avoid`` or lies under an ``avoid`` entry that ends with ``/``; no path is
  a parent directory of an ``avoid`` file or has an ``avoid`` file as a parent
  directory; paths are also distinct from each other in the same way.
  Comparisons ignore case, so a workspace copied to a case-insensitive file
  system still has no clashes.
* Every file is UTF-8 text of 3 to 40 lines ending with a newline. Dates are
  ISO strings in 2025-2026.
* People's names come only from ``owner``, ``team`` and ``pools`` (the suite's
  own half of the name pools). Without ``pools``, kinds that need names or
  places from outside the team are not used, so nothing leaks across suites.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import textwrap
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from clawgym_env.envs.suite.pools import DOMAINS, Domain, Pools, _email_address, _fold_ascii
from clawgym_env.envs.suite.rng import StableRandom

__all__ = ["KIND_NAMES", "DistractorFile", "distractors"]


@dataclass(frozen=True)
class DistractorFile:
    """One distractor: a workspace-relative POSIX path and its UTF-8 text (ending with a newline)."""

    path: str
    content: str


# -- helpers ----------------------------------------------------------------------------------------

_FIRST_DAY = dt.date(2025, 1, 1)
_LAST_DAY = dt.date(2026, 12, 31)
_EPOCH = dt.date(1970, 1, 1)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CURRENCIES = ("$", "€", "£")


def _day(rng: StableRandom, first: dt.date = _FIRST_DAY, last: dt.date = _LAST_DAY) -> dt.date:
    """A uniform date in ``[first, last]``."""
    return first + dt.timedelta(days=rng.below((last - first).days + 1))


def _workday(rng: StableRandom, first: dt.date = _FIRST_DAY, last: dt.date = dt.date(2026, 12, 28)) -> dt.date:
    """A uniform date in ``[first, last]`` moved forward to a Monday if it falls on a weekend."""
    day = _day(rng, first, last)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _later(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, clamped to the 2025-2026 window."""
    return min(max(day + dt.timedelta(days=days), _FIRST_DAY), _LAST_DAY)


def _month(day: dt.date) -> str:
    """``"2026-02"``."""
    return day.isoformat()[:7]


def _slug(text: str) -> str:
    """A lowercase ASCII file-name part: ``"Harbor & Pine Wholesale"`` -> ``"harbor_pine_wholesale"``."""
    return re.sub(r"[^a-z0-9]+", "_", _fold_ascii(text).lower()).strip("_") or "file"


def _first(name: str) -> str:
    """The first word of a name."""
    return name.split()[0] if name.split() else name


def _cap(text: str) -> str:
    """``text`` with its first character upper-cased (the rest untouched, so "SKU" stays "SKU")."""
    return text[:1].upper() + text[1:]


def _title(text: str) -> str:
    """Title case that keeps short joining words lowercase and acronyms intact."""
    small = {"and", "or", "of", "the", "for", "in", "on", "to", "a"}
    words = text.split()
    return " ".join(
        word if (index and word in small) or word.isupper() else _cap(word) for index, word in enumerate(words)
    )


def _money(value: float, currency: str) -> str:
    return f"{currency}{value:,.2f}"


def _csv(rows: Sequence[Sequence[object]]) -> list[str]:
    """CSV lines (minimal quoting, ``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().splitlines()


def _timestamp(day: dt.date, seconds: int = 0) -> int:
    """Unix seconds at ``day`` 00:00 UTC plus ``seconds`` (computed, never read from the clock)."""
    return (day - _EPOCH).days * 86400 + seconds


@dataclass(frozen=True)
class _Context:
    """What every kind may draw on: the domain vocabulary, the organisation and its people."""

    domain: Domain
    org: str
    owner: str
    team: tuple[str, ...]
    pools: Pools | None
    mail_domain: str

    @property
    def mates(self) -> tuple[str, ...]:
        """The team without the owner (the owner alone if the team is empty)."""
        others = tuple(name for name in self.team if name != self.owner)
        return others or (self.owner,)

    @property
    def people(self) -> tuple[str, ...]:
        """Owner first, then the rest of the team."""
        return (self.owner, *(name for name in self.team if name != self.owner))

    def mate(self, rng: StableRandom) -> str:
        return rng.choice(self.mates)

    def email(self, name: str) -> str:
        return _email_address(name, self.mail_domain)

    def outsiders(self, rng: StableRandom, n: int) -> list[str]:
        """``n`` names from the suite's pool that are not on the team (needs ``pools``)."""
        if self.pools is None:
            return []
        names: list[str] = []
        while len(names) < n:
            for name in self.pools.people(rng, n - len(names)):
                if name not in self.people and name not in names:
                    names.append(name)
        return names


def _mail_domain(org: str, domain_key: str) -> str:
    tld = "org" if domain_key in ("nonprofit", "education", "research") else "com"
    return f"{_slug(org).replace('_', '')}.{tld}"


_Made = tuple[str, list[str]]


# -- kinds --------------------------------------------------------------------------------------------

_GROCERIES = (
    "eggs",
    "oat milk",
    "sourdough bread",
    "bananas",
    "spinach",
    "basmati rice",
    "chickpeas (2 tins)",
    "cherry tomatoes",
    "red onions",
    "garlic",
    "olive oil",
    "coffee beans",
    "greek yogurt",
    "apples",
    "chicken thighs",
    "penne",
    "parmesan",
    "lemons",
    "dish soap",
    "toilet paper",
    "bin bags",
    "frozen peas",
    "cheddar",
    "avocados",
    "peanut butter",
    "tea bags",
    "butter",
    "granola",
    "carrots",
    "fresh ginger",
    "coriander",
    "tortillas",
    "black beans",
    "salmon fillets",
    "sparkling water",
    "AA batteries",
    "sunscreen",
    "cat food",
    "red lentils",
    "honey",
)


def _grocery_list(rng: StableRandom, ctx: _Context) -> _Made:
    day = _day(rng)
    weekday = _WEEKDAYS[day.weekday()]
    path = rng.choice(
        (
            "personal/grocery_list.txt",
            "grocery_list.txt",
            f"notes/groceries_{day.isoformat()}.txt",
            "personal/shopping_list.txt",
            f"misc/shopping_{weekday.lower()}.txt",
        )
    )
    lines = [rng.choice((f"groceries {day.isoformat()}", "SHOPPING", f"shopping ({weekday.lower()})", "big shop")), ""]
    boxes = rng.chance(0.5)
    for item in rng.sample(_GROCERIES, rng.randint(6, 14)):
        qty = f" x{rng.randint(2, 6)}" if rng.chance(0.2) else ""
        mark = ("[x] " if rng.chance(0.3) else "[ ] ") if boxes else "- "
        lines.append(f"{mark}{item}{qty}")
    extras = [
        f"ask {_first(ctx.mate(rng))} if they need anything from the market",
        f"budget ~{rng.choice(_CURRENCIES)}{rng.randint(6, 18) * 5}",
        "pharmacy closes at 6 on weekends!",
        "check the freezer before buying more peas",
        "return the bottles",
    ]
    lines.append("")
    lines.extend(rng.sample(extras, rng.randint(1, 2)))
    return path, lines


def _todo(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _day(rng)
    path = rng.choice(
        (
            "TODO.txt",
            f"notes/todo_{_month(day)}.txt",
            "todo.md",
            "personal/todo_list.md",
            f"notes/todo_w{rng.randint(1, 52):02d}.txt",
        )
    )
    mate = _first(ctx.mate(rng))
    candidates = [
        f"reply to {mate} about the {rng.choice(d.projects)}",
        f"chase {rng.choice(d.vendors)} about last month's invoice",
        f"update the {rng.choice(d.jargon)} sheet before {_later(day, rng.randint(2, 12)).isoformat()}",
        f"look into {rng.choice(d.products)} pricing",
        f"prep a few slides for the {rng.choice(d.departments)} sync",
        f"read {mate}'s notes on {rng.choice(d.projects)}",
        "book dentist",
        "renew passport (expires soon!)",
        "return library books",
        "fix bike light",
        f"cancel the free trial before {_later(day, rng.randint(3, 20)).isoformat()}",
        "call the landlord about the boiler",
        "back up phone photos",
        f"expense report for {_MONTHS[(day.month + 10) % 12]}",
        "clean up the downloads folder",
        f"birthday card for {_first(ctx.mate(rng))}",
    ]
    items = rng.sample(candidates, rng.randint(5, 10))
    if path.endswith(".md"):
        lines = [rng.choice(("# TODO", "# To do", f"# Week of {day.isoformat()}")), ""]
        lines += [f"- [{'x' if rng.chance(0.3) else ' '}] {item}" for item in items]
    else:
        lines = [rng.choice(("TODO", f"todo {day.isoformat()}", "things to do")), ""]
        lines += [f"{'(done) ' if rng.chance(0.25) else ''}{item}" for item in items]
    return path, lines


def _meeting_notes(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _workday(rng)
    dept = rng.choice(d.departments)
    path = rng.choice(
        (
            f"meetings/{day.isoformat()}_{_slug(dept)}_sync.md",
            f"notes/meeting_{day.isoformat()}.md",
            f"archive/meetings/{day.isoformat()}-notes.md",
            f"old/{_slug(dept)}_sync_{day.isoformat()}.md",
        )
    )
    attendees = rng.sample(ctx.people, min(len(ctx.people), rng.randint(2, 5)))
    currency = rng.choice(_CURRENCIES)
    lines = [
        rng.choice((f"# {dept} sync — {day.isoformat()}", f"# Weekly check-in ({day.isoformat()})")),
        "",
        f"Attendees: {', '.join(attendees)}",
        "",
        "## Updates",
        "",
    ]
    for person in attendees:
        update = rng.choice(
            (
                f"{rng.choice(d.projects)} is about {rng.randint(2, 9) * 10}% done; waiting on {rng.choice(d.vendors)}",
                f"still chasing {rng.choice(d.vendors)} for a quote on {rng.choice(d.expense_categories).lower()} "
                f"({_money(rng.money(200, 9000), currency)})",
                f"looked at the {rng.choice(d.jargon)} numbers for {_MONTHS[(day.month - 2) % 12]}, roughly flat",
                f"out from {_later(day, 3).isoformat()} to {_later(day, rng.randint(5, 12)).isoformat()}",
                f"cleaned up the {rng.choice(d.jargon)} tracker, please stop editing the old copy",
            )
        )
        lines.append(f"- **{_first(person)}**: {update}")
    lines += ["", "## Decisions", ""]
    lines.append(
        rng.choice(
            (
                f"- Push {rng.choice(d.projects)} to {_MONTHS[rng.below(12)]}.",
                f"- Try {rng.choice(d.vendors)} for {rng.choice(d.expense_categories).lower()} if the quote holds.",
                f"- Keep the {rng.choice(d.jargon)} review monthly, not weekly.",
            )
        )
    )
    lines += ["", "## Action items", ""]
    for person in rng.sample(attendees, min(len(attendees), rng.randint(2, 4))):
        action = rng.choice(
            (
                f"send round the notes on {rng.choice(d.projects)}",
                f"book a call with {rng.choice(d.vendors)}",
                f"draft the plan for {rng.choice(d.projects)}",
                "update the shared calendar",
                f"check the {rng.choice(d.expense_categories).lower()} spend",
            )
        )
        lines.append(f"- [ ] {_first(person)}: {action} by {_later(day, rng.randint(2, 14)).isoformat()}")
    return path, lines


def _ideas(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _day(rng)
    path = rng.choice(
        (
            "notes/ideas.md",
            "ideas.md",
            "notes/ideas_backlog.md",
            "personal/side_project_ideas.md",
            f"misc/brainstorm_{_month(day)}.md",
        )
    )
    mate = _first(ctx.mate(rng))
    product_a, product_b = rng.sample(d.products, 2)
    candidates = [
        f"Bundle {product_a} with {product_b}? Ask {mate} what the margins look like.",
        f"Could we automate the {rng.choice(d.jargon)} report instead of copy-pasting every Monday?",
        f"Ask {rng.choice(d.vendors)} whether they do volume discounts.",
        f"Rename the {rng.choice(d.projects)} folder, nobody can find anything in it.",
        f"A one-page cheat sheet on {rng.choice(d.jargon)} for new starters.",
        f"Quarterly lunch with the {rng.choice(d.departments)} team.",
        "Shared calendar for holidays so we stop double-booking.",
        f"Retire the old {rng.choice(d.jargon)} spreadsheet once {mate} confirms nobody uses it.",
        f"{_cap(rng.choice(d.projects))}: smaller pilot first?",
        "Learn a bit of SQL over the summer.",
        "Start a proper filing system for receipts (one folder per month).",
    ]
    lines = [rng.choice(("# Ideas", "# Ideas / someday", "# Brainstorm")), ""]
    picked = rng.sample(candidates, rng.randint(5, 9))
    lines += [f"- {item}" for item in picked[:-1]]
    if rng.chance(0.5):
        lines += ["", "## Parking lot", "", f"- {picked[-1]} (revisit after {_month(_later(day, 60))})"]
    return path, lines


def _scratch(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    path = rng.choice(
        (
            "tmp/scratch.txt",
            "scratch.txt",
            f"tmp/paste_{rng.randint(1, 9)}.txt",
            "misc/untitled.txt",
            "tmp/notes_tmp.txt",
        )
    )
    a, b, c = rng.randint(40, 900), rng.randint(40, 900), rng.randint(5, 300)
    fragments = [
        f"{a} + {b} + {c} = {a + b + c}",
        f"ref #{rng.choice(('A', 'B', 'K', 'Q'))}-{rng.randint(10000, 99999)}",
        f"the thing about {rng.choice(d.jargon)} is",
        f"call back {rng.choice(_WEEKDAYS[:5]).lower()} re {rng.choice(d.vendors)}",
        f"{_first(ctx.mate(rng))} - ext. {rng.randint(200, 499)}",
        "pw reset done, new one in the manager",
        f"{rng.choice(d.products)}???",
        "https://intranet/wiki/Onboarding",
        f"{_day(rng).isoformat()} or {_day(rng).isoformat()}?",
        "ok",
        f"{rng.randint(2, 40)} boxes / {rng.randint(2, 9)} shelves",
        "meeting moved (again)",
    ]
    if ctx.pools is not None:
        fragments.append(ctx.pools.phone(rng))
    return path, rng.sample(fragments, rng.randint(4, 9))


def _old_budget(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    year = rng.choice((2025, 2026))
    path = rng.choice(
        (
            "budget_OLD.csv",
            f"archive/budget_{year}_v{rng.randint(1, 4)}.csv",
            "old/expenses_backup.csv",
            f"{_slug(ctx.org)}_budget_copy.csv",
            "archive/budget_FINAL_final.csv",
            f"old/budget_{year}_draft.csv",
        )
    )
    categories = rng.sample(d.expense_categories, rng.randint(4, len(d.expense_categories)))
    if rng.chance(0.5):
        rows: list[list[object]] = [["category", "planned", "actual", "notes"]]
        for category in categories:
            planned = rng.randint(4, 400) * 25
            actual = round(planned * rng.uniform(0.6, 1.3), 2)
            note = rng.choice(("", "", "", "estimate", "check with " + _first(ctx.mate(rng)), "incl. Q4"))
            rows.append([category, f"{planned:.2f}", f"{actual:.2f}", note])
    else:
        rows = [["month", "category", "amount", "entered_by"]]
        for month in range(1, rng.randint(3, 6) + 1):
            for category in rng.sample(categories, min(len(categories), rng.randint(2, 4))):
                rows.append(
                    [f"{year}-{month:02d}", category, f"{rng.money(20, 4000):.2f}", _first(rng.choice(ctx.people))]
                )
    return path, _csv(rows)


_GITIGNORE_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("# Python", ("__pycache__/", "*.pyc", ".venv/", ".pytest_cache/", "*.egg-info/")),
    ("# Node", ("node_modules/", "dist/", "npm-debug.log*")),
    ("# OS junk", (".DS_Store", "Thumbs.db", "desktop.ini")),
    ("# Editors", (".vscode/", ".idea/", "*.swp")),
    ("# Data", ("data/raw/", "*.sqlite", "exports/*.csv", "!exports/README.md")),
    ("# Secrets", (".env", ".env.local", "credentials.json")),
)


def _gitignore(rng: StableRandom, ctx: _Context) -> _Made:
    path = rng.choice(
        (
            ".gitignore",
            "old/prototype/.gitignore",
            f"archive/{_slug(rng.choice(ctx.domain.projects))}/.gitignore",
            "scripts/.gitignore",
        )
    )
    lines: list[str] = []
    for header, patterns in rng.sample(_GITIGNORE_SECTIONS, rng.randint(2, 4)):
        if lines:
            lines.append("")
        lines.append(header)
        lines.extend(pattern for pattern in patterns if rng.chance(0.8))
    return path, lines


def _other_readme(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    project, later_project = rng.sample(d.projects, 2)
    vendor = rng.choice(d.vendors)
    path = rng.choice(
        (
            f"old/{_slug(project)}/README.md",
            "archive/README_old.md",
            f"misc/{_slug(project)}_README.md",
            f"downloads/{_slug(vendor)}-export-tools/README.md",
        )
    )
    month = _month(_day(rng))
    lines = [
        f"# {_cap(project)}",
        "",
        f"Small helper scripts for the {project} work at {ctx.org}: they pull the {vendor} export,",
        f"clean it up and produce a {rng.choice(d.jargon)} summary per {rng.choice(('week', 'month', 'department'))}.",
        "",
        "## Setup",
        "",
        "1. Copy `config.example.yaml` to `config.yaml` and fill in your details.",
        "2. `python3 -m venv .venv && . .venv/bin/activate`",
        "3. `pip install -r requirements.txt`",
        f"4. `python3 run.py --month {month}`",
        "",
        "## Notes",
        "",
        f"- The {vendor} export is semicolon-separated; don't open and re-save it in a spreadsheet app.",
        f"- Ask {_first(ctx.mate(rng))} for access to the shared folder.",
        "",
        "## Status",
        "",
        f"Paused since {_day(rng).isoformat()}; superseded by the {later_project} work.",
    ]
    return path, lines


def _chat_export(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _workday(rng)
    channel = rng.choice((_slug(rng.choice(d.departments)), "random", _slug(rng.choice(d.projects)), "general"))
    path = rng.choice(
        (
            f"exports/chat_{day.isoformat()}.txt",
            f"downloads/chat_export_{channel}.txt",
            f"archive/chat_{channel}_{_month(day)}.txt",
            "misc/chat_log.txt",
        )
    )
    speakers = rng.sample(ctx.people, min(len(ctx.people), rng.randint(2, 4)))
    messages = [
        f"morning! anyone know where the {rng.choice(d.projects)} doc ended up?",
        f"it's in the shared drive under {rng.choice(d.departments)}, I think",
        f"{rng.choice(d.vendors)} just emailed, they're pushing delivery to "
        f"{_later(day, rng.randint(3, 14)).isoformat()}",
        "ugh. ok, can you update the tracker?",
        "lunch at 12:30?",
        f"the {rng.choice(d.jargon)} numbers look off for last week",
        f"I'll take a look after the {rng.choice(d.departments)} sync",
        f"can someone cover for me on {rng.choice(_WEEKDAYS[:5])}?",
        "thanks!!",
        "sent you the file",
        "who's turn is it to order coffee beans",
        f"reminder: {rng.choice(d.projects)} review tomorrow at {rng.randint(9, 16)}:00",
        "brb",
        "👍",
        "the printer on 2 is jammed again",
        f"does anyone have the login for the {rng.choice(d.vendors)} portal?",
    ]
    minutes = rng.randint(8 * 60, 11 * 60)
    lines = [f"# exported {day.isoformat()}, #{channel}"] if rng.chance(0.5) else []
    for text in rng.sample(messages, rng.randint(6, 12)):
        minutes += rng.randint(0, 25)
        lines.append(f"[{day.isoformat()} {minutes // 60 % 24:02d}:{minutes % 60:02d}] {rng.choice(speakers)}: {text}")
    return path, lines


def _pdf_text(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    vendor = rng.choice(d.vendors)
    year = rng.choice((2025, 2026))
    jargon, other_jargon = rng.sample(d.jargon, 2)
    currency = rng.choice(_CURRENCIES)
    style = rng.below(3)
    if style == 0:
        title = f"{vendor} — {year} Services and Pricing Guide"
        path = f"downloads/{_slug(vendor)}_catalog_{year}.txt"
        paragraphs = [
            f"{vendor} has supported organisations in {d.label} since {rng.randint(1988, 2016)}. This guide "
            f"summarises our {year} services, pricing tiers and support options.",
            f"Standard: from {_money(rng.randint(4, 40) * 10 - 0.01, currency)} per month. Includes next-day "
            "delivery, online ordering and a named account manager.",
            f"Premium: from {_money(rng.randint(40, 120) * 10 - 0.01, currency)} per month. Adds same-day "
            f"support, quarterly reviews and a monthly {jargon} report.",
            f"Prices are quoted exclusive of tax and are valid for {rng.randint(3, 9) * 10} days from the date of "
            "issue. Orders placed before 2 pm on a working day are normally processed the same day.",
            "To open an account, contact your regional sales office or fill in the form on the last page.",
        ]
    elif style == 1:
        title = f"{vendor}: Terms and Conditions of Sale"
        path = rng.choice(("downloads/terms_and_conditions.txt", f"downloads/{_slug(vendor)}_terms.txt"))
        paragraphs = [
            '1. Definitions. "Customer" means the organisation named on the order form; "Services" means '
            "the services described in the order.",
            f"2. Prices are quoted exclusive of tax and are valid for {rng.randint(3, 9) * 10} days from the date "
            "of issue.",
            f"3. Invoices are payable within {rng.choice((14, 30, 45))} days. Late payments may incur interest at "
            f"{rng.randint(2, 8)}% per annum above the base rate.",
            "4. Claims for damaged or missing items must be made in writing within seven days of delivery.",
            f"5. Either party may end the agreement with {rng.choice((30, 60, 90))} days' written notice.",
        ]
    else:
        title = f"Practice Brief: {_cap(jargon)} in {_title(d.label)}"
        path = f"downloads/brief_{_slug(jargon)}_{year}.txt"
        paragraphs = [
            f"Getting {jargon} right is one of the most common challenges reported by teams in {d.label}.",
            f"In our {year} survey of {rng.randint(60, 900)} organisations, {rng.randint(20, 80)}% said they "
            f"review {jargon} {rng.choice(('weekly', 'monthly', 'every quarter'))}; those that did reported "
            "fewer surprises at year end.",
            "Three habits stood out: keep one shared source of truth, agree on definitions before comparing "
            f"numbers, and look at {other_jargon} alongside {jargon}.",
            "Smaller teams often start with a simple spreadsheet. What matters more is a named owner and a "
            "regular slot in the calendar.",
            "This brief is for general information only and is not professional advice.",
        ]
    chosen = paragraphs[:1] + rng.sample(paragraphs[1:], rng.randint(2, 4))
    if style == 1:
        chosen.sort()
    pages = 2 if len(chosen) > 3 else 1
    width = rng.randint(64, 78)
    lines = [f"-- page 1 of {pages} --", "", title.upper(), ""]
    for index, paragraph in enumerate(chosen):
        if pages == 2 and index == 3:
            lines += [f"{vendor} | {year}", "", f"-- page 2 of {pages} --", ""]
        lines += textwrap.wrap(paragraph, width=width)
        lines.append("")
    lines.append(f"© {year} {vendor}. All rights reserved.")
    return path, lines


_SHOPS: dict[str, tuple[str, ...]] = {
    "cafe": ("Corner Café", "Station Coffee", "The Daily Grind", "Bean There"),
    "stationery": ("Paper & Pencil", "Office Corner", "The Stationery Box"),
    "hardware": ("Main Street Hardware", "Fix-It Depot", "The Tool Shed"),
}
_SHOP_ITEMS: dict[str, tuple[tuple[str, float], ...]] = {
    "cafe": (
        ("flat white", 3.6),
        ("oat latte", 4.1),
        ("croissant", 2.9),
        ("banana bread", 3.4),
        ("sparkling water", 2.2),
        ("egg sandwich", 5.8),
        ("soup of the day", 6.5),
        ("cinnamon bun", 3.2),
    ),
    "stationery": (
        ("A4 printer paper (500)", 6.49),
        ("gel pens, pack of 10", 8.99),
        ("box files", 4.25),
        ("sticky notes", 3.15),
        ("envelopes C5 (50)", 5.6),
        ("whiteboard markers", 7.2),
    ),
    "hardware": (
        ("wall plugs (100)", 3.99),
        ("masking tape", 2.75),
        ("LED bulb E27", 4.5),
        ("extension lead 4-way", 12.99),
        ("picture hooks", 2.2),
        ("wood glue", 5.49),
    ),
}


def _receipt(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _day(rng)
    currency = rng.choice(_CURRENCIES)
    shop_kind = rng.weighted(("vendor", "cafe", "stationery", "hardware"), (2, 3, 1, 1))
    if shop_kind == "vendor":
        shop = rng.choice(d.vendors)
        items = [(item.lower(), rng.money(6, 180)) for item in rng.sample(d.expense_categories, rng.randint(1, 3))]
    else:
        shop = rng.choice(_SHOPS[shop_kind])
        items = list(rng.sample(_SHOP_ITEMS[shop_kind], rng.randint(2, 4)))
    number = rng.randint(1000, 99999)
    path = rng.choice(
        (
            f"receipts/{day.isoformat()}_{_slug(shop)}.txt",
            f"personal/receipts/receipt_{number}.txt",
            f"downloads/receipt_{day.isoformat()}.txt",
            f"archive/receipts/{_month(day)}/{_slug(shop)}_{number}.txt",
        )
    )
    lines = [shop.upper()]
    if ctx.pools is not None:
        lines.append(f"{ctx.pools.street_address(rng)}, {ctx.pools.city(rng).split(',')[0]}")
    lines += [f"Receipt #{number}", f"Date: {day.isoformat()} {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}", ""]
    subtotal_cents = 0
    for name, price in items:
        qty = 1 if shop_kind == "vendor" else rng.randint(1, 3)
        cents = round(price * 100) * qty
        subtotal_cents += cents
        lines.append(f"{qty} x {name:<32} {_money(cents / 100, currency):>12}")
    rate = rng.choice((0, 5, 8, 10, 20))
    tax_cents = round(subtotal_cents * rate / 100)
    lines += [
        "",
        f"{'Subtotal':<36} {_money(subtotal_cents / 100, currency):>12}",
        f"{f'Tax ({rate}%)':<36} {_money(tax_cents / 100, currency):>12}",
        f"{'TOTAL':<36} {_money((subtotal_cents + tax_cents) / 100, currency):>12}",
        "",
        f"Paid by card ****{rng.randint(1000, 9999)}",
        rng.choice(("Thank you!", "Thanks for visiting", "Keep this receipt for returns within 30 days")),
    ]
    return path, lines


def _journal(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    start = _day(rng, last=dt.date(2026, 12, 1))
    path = rng.choice(
        (f"personal/journal_{_month(start)}.md", "personal/diary.md", f"notes/daily_{start.isoformat()}.md")
    )
    sentences = [
        f"Long day. The {rng.choice(d.projects)} review ran over again.",
        f"{_first(ctx.mate(rng))} brought cake, which helped.",
        "Walked home instead of taking the bus. Should do that more.",
        f"Finally sorted the {rng.choice(d.jargon)} mess from last week.",
        "Slept badly, too much coffee after 3.",
        f"Spent most of the afternoon on the phone with {rng.choice(d.vendors)}.",
        "Note to self: block out Friday mornings for actual work.",
        "Rain all day. Read for an hour in the evening.",
        f"Good chat with {_first(ctx.mate(rng))} about where the team is heading.",
        "Cooked the lentil soup again, still good.",
        "Forgot the gym bag. Again.",
    ]
    lines = [rng.choice(("# Journal", "# Notes to self", f"# {_MONTHS[start.month - 1]} {start.year}"))]
    day = start
    for _ in range(rng.randint(2, 4)):
        lines += ["", f"## {day.isoformat()}", ""]
        lines += rng.sample(sentences, rng.randint(1, 3))
        day = _later(day, rng.randint(1, 5))
    return path, lines


_RECIPES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Red lentil soup",
        (
            "1 onion, chopped",
            "2 carrots, diced",
            "2 cloves garlic",
            "200 g red lentils",
            "1 l vegetable stock",
            "1 tsp cumin",
            "juice of half a lemon",
        ),
        (
            "Soften onion and carrot in oil, 8 min.",
            "Add garlic and cumin, 1 min.",
            "Add lentils and stock, simmer 20 min.",
            "Blend half, add lemon, season.",
        ),
    ),
    (
        "Banana bread",
        (
            "3 very ripe bananas",
            "75 g melted butter",
            "150 g sugar",
            "1 egg",
            "1 tsp baking soda",
            "190 g flour",
            "pinch of salt",
        ),
        (
            "Mash bananas, stir in butter.",
            "Mix in sugar, egg, soda and salt.",
            "Fold in flour.",
            "Bake at 175 °C for 55-60 min.",
        ),
    ),
    (
        "Shakshuka",
        (
            "2 tbsp olive oil",
            "1 red pepper",
            "1 onion",
            "2 tins chopped tomatoes",
            "1 tsp paprika",
            "1 tsp cumin",
            "4 eggs",
            "feta to serve",
        ),
        (
            "Fry onion and pepper until soft.",
            "Add spices, then tomatoes; simmer 10 min.",
            "Make wells, crack in eggs, cover 6-8 min.",
            "Crumble feta on top.",
        ),
    ),
    (
        "Chicken adobo",
        (
            "1 kg chicken thighs",
            "120 ml soy sauce",
            "120 ml vinegar",
            "1 head garlic, crushed",
            "3 bay leaves",
            "1 tsp black peppercorns",
        ),
        (
            "Marinate everything for 30 min.",
            "Simmer covered for 30 min.",
            "Uncover and reduce the sauce.",
            "Serve with rice.",
        ),
    ),
    (
        "Overnight oats",
        ("50 g oats", "120 ml milk", "2 tbsp yogurt", "1 tsp chia seeds", "berries", "a little honey"),
        (
            "Mix oats, milk, yogurt and chia in a jar.",
            "Fridge overnight.",
            "Top with berries and honey in the morning.",
        ),
    ),
    (
        "Jollof rice",
        (
            "400 g long-grain rice",
            "1 tin tomatoes",
            "2 red peppers",
            "1 scotch bonnet",
            "2 onions",
            "2 tbsp tomato paste",
            "500 ml stock",
            "2 bay leaves",
        ),
        (
            "Blend tomatoes, peppers, chilli and one onion.",
            "Fry the other onion, add paste, then the blend; cook down 15 min.",
            "Add rinsed rice, stock and bay; cover tightly.",
            "Cook on low 30 min without stirring.",
        ),
    ),
)


def _recipe(rng: StableRandom, ctx: _Context) -> _Made:
    title, ingredients, steps = rng.choice(_RECIPES)
    path = rng.choice(
        (f"personal/recipes/{_slug(title)}.md", f"notes/{_slug(title)}_recipe.md", f"downloads/{_slug(title)}.txt")
    )
    source = rng.choice(
        (
            f"from {_first(ctx.mate(rng))}",
            "adapted from an old cookbook",
            "my version, less salt",
            "printed from a blog",
        )
    )
    lines = [f"# {title}", "", f"Serves {rng.randint(2, 6)}. ({source})", "", "## Ingredients", ""]
    lines += [f"- {item}" for item in ingredients]
    lines += ["", "## Method", ""]
    lines += [f"{index}. {step}" for index, step in enumerate(steps, start=1)]
    if rng.chance(0.4):
        lines += [
            "",
            f"Made it on {_day(rng).isoformat()}: {rng.choice(('great', 'a bit bland', 'double it next time'))}.",
        ]
    return path, lines


def _draft_email(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _workday(rng)
    recipient = ctx.mate(rng)
    project = rng.choice(d.projects)
    path = rng.choice(
        (
            f"drafts/email_to_{_slug(_first(recipient))}.txt",
            f"drafts/{day.isoformat()}_draft.txt",
            "notes/unsent_reply.txt",
            f"old/draft_{_slug(project)}.txt",
        )
    )
    questions = [
        f"- Is the {rng.choice(d.jargon)} figure for {_MONTHS[day.month - 1]} final, or still an estimate?",
        f"- Do we still need {rng.choice(d.vendors)} for this, or can we do it in-house?",
        f"- Who signs off on the {rng.choice(d.expense_categories).lower()} budget now?",
        f"- Can we move the {rng.choice(d.departments)} review to the week after?",
    ]
    lines = [
        f"To: {ctx.email(recipient)}",
        f"Subject: Re: {project}",
        "",
        f"Hi {_first(recipient)},",
        "",
        f"Thanks for sending the notes on the {project}. A couple of questions before",
        f"I pass this on to {rng.choice(d.departments)}:",
        "",
        *rng.sample(questions, rng.randint(2, 3)),
        "",
    ]
    if rng.chance(0.5):
        lines += [f"I also spoke to {rng.choice(d.vendors)} and they said they could"]
    else:
        lines += ["Let me know what you think,", _first(ctx.owner), "", "[DRAFT - don't send yet]"]
    return path, lines


def _old_log(rng: StableRandom, ctx: _Context) -> _Made:
    day = _day(rng, last=dt.date(2026, 12, 25))
    user = _slug(_first(ctx.owner))
    tool = rng.choice(("sync", "backup", "photo_import"))
    path = rng.choice(
        (f"logs/{tool}_{day.isoformat()}.log", f"old/{tool}.log", f"logs/{tool}.log.1", "tmp/cron_output.log")
    )
    lines: list[str] = []
    for run in range(rng.randint(2, 4)):
        current = _later(day, run)
        seconds = 2 * 3600 + rng.randint(0, 30)

        def stamp(at: int, on: dt.date = current) -> str:
            return f"{on.isoformat()} {at // 3600:02d}:{at // 60 % 60:02d}:{at % 60:02d}"

        checked, changed = rng.randint(800, 4000), rng.randint(0, 60)
        lines.append(f"{stamp(seconds)} INFO  {tool} started (profile: {user})")
        seconds += rng.randint(1, 5)
        lines.append(f"{stamp(seconds)} INFO  scanning /home/{user}/Documents")
        seconds += rng.randint(30, 120)
        lines.append(f"{stamp(seconds)} INFO  {checked:,} files checked, {changed} changed")
        if rng.chance(0.5):
            seconds += rng.randint(5, 40)
            lines.append(f"{stamp(seconds)} WARN  skipped locked file: ~$budget_{current.year}.xlsx")
        if rng.chance(0.3):
            seconds += rng.randint(5, 90)
            lines.append(f"{stamp(seconds)} ERROR upload failed: connection reset by peer (attempt 1/3)")
            seconds += 15
            lines.append(f"{stamp(seconds)} INFO  retry ok")
        seconds += rng.randint(20, 200)
        lines.append(f"{stamp(seconds)} INFO  {tool} finished ({changed} uploaded)")
    return path, lines


def _bookmarks(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _day(rng)
    path = rng.choice(
        ("downloads/bookmarks.html", f"old/bookmarks_{day.isoformat()}.html", "misc/bookmarks_export.html")
    )
    org = _slug(ctx.org).replace("_", "")
    work = [
        (f"http://intranet/{_slug(rng.choice(d.departments))}", f"{rng.choice(d.departments)} - intranet"),
        (f"https://wiki.{org}.internal/{_slug(rng.choice(d.projects))}", f"{_cap(rng.choice(d.projects))} (wiki)"),
        ("https://docs.python.org/3/library/csv.html", "csv — CSV File Reading and Writing"),
        (f"https://portal.{_slug(rng.choice(d.vendors)).replace('_', '')}.com/login", "Supplier portal"),
    ]
    personal = [
        ("https://www.openstreetmap.org/", "OpenStreetMap"),
        ("https://en.wikipedia.org/wiki/Sourdough", "Sourdough - Wikipedia"),
        ("https://www.timeanddate.com/worldclock/", "World clock"),
        ("https://www.gutenberg.org/", "Project Gutenberg"),
    ]
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        "<!-- This is an automatically generated file. -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
    ]
    for folder, links in (("Work", work), ("Personal", personal)):
        added = _timestamp(_day(rng), rng.randint(0, 86399))
        lines.append(f'    <DT><H3 ADD_DATE="{added}">{folder}</H3>')
        lines.append("    <DL><p>")
        for url, label in rng.sample(links, rng.randint(2, len(links))):
            added += rng.randint(600, 86400 * 20)
            lines.append(f'        <DT><A HREF="{html.escape(url)}" ADD_DATE="{added}">{html.escape(label)}</A>')
        lines.append("    </DL><p>")
    lines.append("</DL><p>")
    return path, lines


_PY_RENAME = '''"""Rename phone photos to their date (IMG_1234.jpg -> 2025-07-14_1234.jpg).

Quick hack from @DATE@; uses the file's mtime, not EXIF.
"""

import datetime
import pathlib
import sys

folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "@FOLDER@")
for photo in sorted(folder.glob("IMG_*.jpg")):
    taken = datetime.date.fromtimestamp(photo.stat().st_mtime)
    target = photo.with_name(f"{taken.isoformat()}_{photo.stem[4:]}.jpg")
    if target.exists():
        print("skip", photo.name)
        continue
    photo.rename(target)
    print(photo.name, "->", target.name)'''

_PY_TOTALS = """# totals per @COLUMN@ from an exported csv -- @OWNER@, @DATE@
import csv
import sys
from collections import defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else "@CSV@"
totals = defaultdict(float)
with open(path, newline="", encoding="utf-8") as handle:
    for row in csv.DictReader(handle):
        totals[row["@COLUMN@"]] += float(row["amount"] or 0)

for key, value in sorted(totals.items(), key=lambda kv: -kv[1]):
    print(f"{key:<30} {value:>10.2f}")"""

_PY_DEDUPE = '''"""Merge two contact exports and drop duplicate emails (keeps the first one seen)."""

import json

seen = set()
merged = []
for name in ("@A@", "@B@"):
    with open(name, encoding="utf-8") as handle:
        for contact in json.load(handle):
            email = contact.get("email", "").strip().lower()
            if email and email not in seen:
                seen.add(email)
                merged.append(contact)

with open("contacts_merged.json", "w", encoding="utf-8") as handle:
    json.dump(merged, handle, indent=2)
print(len(merged), "contacts")
# TODO: phone numbers are formatted differently in the two files'''

_PY_COUNTDOWN = """# working days left until the @PROJECT@ deadline
import datetime

DUE = datetime.date(@Y@, @M@, @D@)
HOLIDAYS = {datetime.date(@HY@, @HM@, @HD@)}

day = datetime.date.today()
count = 0
while day < DUE:
    if day.weekday() < 5 and day not in HOLIDAYS:
        count += 1
    day += datetime.timedelta(days=1)
print(count, "working days left")"""


def _python_script(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _day(rng)
    style = rng.below(4)
    if style == 0:
        name, text = "rename_photos", _PY_RENAME.replace("@FOLDER@", rng.choice(("photos", "Pictures/phone", "camera")))
    elif style == 1:
        column = rng.choice(("category", "vendor", "department"))
        name = f"sum_by_{column}"
        text = _PY_TOTALS.replace("@COLUMN@", column).replace("@OWNER@", _first(ctx.owner).lower())
        text = text.replace("@CSV@", f"export_{_month(day)}.csv")
    elif style == 2:
        name = "merge_contacts"
        text = _PY_DEDUPE.replace("@A@", "contacts_phone.json").replace("@B@", f"contacts_{_slug(ctx.org)}.json")
    else:
        due, holiday = _later(day, rng.randint(20, 120)), _later(day, rng.randint(1, 19))
        name = "days_left"
        text = _PY_COUNTDOWN.replace("@PROJECT@", rng.choice(d.projects))
        for key, value in (("@Y@", due.year), ("@M@", due.month), ("@D@", due.day)):
            text = text.replace(key, str(value))
        for key, value in (("@HY@", holiday.year), ("@HM@", holiday.month), ("@HD@", holiday.day)):
            text = text.replace(key, str(value))
    text = text.replace("@DATE@", day.isoformat())
    path = rng.choice((f"scripts/{name}.py", f"old/{name}_v{rng.randint(1, 3)}.py", f"misc/{name}.py", "tmp/test.py"))
    return path, text.split("\n")


def _yaml_config(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    day = _day(rng)
    style = rng.below(3)
    if style == 0:
        dept = rng.choice(d.departments)
        recipients = rng.sample(ctx.people, min(len(ctx.people), rng.randint(1, 3)))
        lines = [
            f"# settings for the weekly {dept} report (replaced on {day.isoformat()})",
            "report:",
            f'  title: "{ctx.org} weekly {dept.lower()} summary"',
            f"  owner: {ctx.email(ctx.owner)}",
            f'  schedule: "{rng.choice(("mon", "tue", "fri"))} {rng.randint(7, 10):02d}:30"',
            "  sources:",
            f"    - path: exports/{_slug(rng.choice(d.jargon))}.csv",
            "      date_column: date",
            "  recipients:",
            *(f"    - {ctx.email(name)}" for name in recipients),
            f"  include_charts: {rng.choice(('true', 'false'))}",
        ]
        path = rng.choice(("old/config.yaml", f"misc/{_slug(dept)}_report.yml"))
    elif style == 1:
        project = rng.choice(d.projects)
        lines = [
            f"# local dashboard for the {project} -- not used since {_month(day)}",
            "services:",
            "  db:",
            "    image: postgres:15",
            "    environment:",
            f"      POSTGRES_USER: {_slug(_first(ctx.owner))}",
            "      POSTGRES_PASSWORD: changeme",
            f"      POSTGRES_DB: {_slug(project)}",
            "    volumes:",
            "      - ./data:/var/lib/postgresql/data",
            "  dashboard:",
            "    image: grafana/grafana:10.2.0",
            "    ports:",
            f'      - "{rng.choice((3000, 3001, 8080))}:3000"',
        ]
        path = rng.choice(("docker-compose.old.yml", f"archive/{_slug(project)}/docker-compose.yml"))
    else:
        user = _slug(_first(ctx.owner))
        lines = [
            "backup:",
            f"  source: ~/Documents/{_slug(ctx.org)}",
            f"  destination: /mnt/nas/backups/{user}",
            f"  keep_daily: {rng.randint(5, 14)}",
            f"  keep_weekly: {rng.randint(2, 8)}",
            "  exclude:",
            '    - "*.tmp"',
            "    - node_modules/",
            "    - .cache/",
            f"# last edited {day.isoformat()}",
        ]
        path = rng.choice(("misc/backup.yaml", "old/backup_settings.yml"))
    return path, lines


def _ini_config(rng: StableRandom, ctx: _Context) -> _Made:
    day = _day(rng)
    style = rng.below(4)
    if style == 0:
        path = rng.choice(("settings.ini", "tools/sync.ini", "old/sync.ini"))
        lines = [
            "[general]",
            f"user = {ctx.email(ctx.owner)}",
            f"last_run = {day.isoformat()}T02:00:00",
            f"log_level = {rng.choice(('info', 'debug', 'warning'))}",
            "",
            "[remote]",
            f"host = nas{rng.randint(1, 3):02d}.local",
            f"share = {_slug(ctx.org)}",
            "",
            "[exclude]",
            "patterns = *.tmp, ~$*, .DS_Store, Thumbs.db",
        ]
    elif style == 1:
        path = ".editorconfig"
        lines = [
            "root = true",
            "",
            "[*]",
            "charset = utf-8",
            "end_of_line = lf",
            f"indent_size = {rng.choice((2, 4))}",
            "indent_style = space",
            "insert_final_newline = true",
            "",
            "[*.md]",
            "trim_trailing_whitespace = false",
        ]
    elif style == 2:
        path = rng.choice(("misc/scanner.ini", "old/scan_settings.ini"))
        lines = [
            "[scanner]",
            f"format = {rng.choice(('pdf', 'png'))}",
            f"dpi = {rng.choice((150, 300, 600))}",
            f"color = {rng.choice(('grayscale', 'color'))}",
            f"save_to = ~/Scans/{day.year}",
            "filename_pattern = scan_{date}_{n}",
        ]
    else:
        path = rng.choice(("misc/mail_signature.ini", "old/signature.ini"))
        lines = [
            "[signature]",
            f"name = {ctx.owner}",
            f"organisation = {ctx.org}",
            f"department = {rng.choice(ctx.domain.departments)}",
            f"email = {ctx.email(ctx.owner)}",
            f"updated = {day.isoformat()}",
        ]
        if ctx.pools is not None:
            lines.insert(5, f"phone = {ctx.pools.phone(rng)}")
    return path, lines


def _contacts_json(rng: StableRandom, ctx: _Context) -> _Made:
    day = _day(rng)
    path = rng.choice(
        ("exports/contacts_backup.json", f"archive/contacts_{day.isoformat()}.json", "misc/team_directory_old.json")
    )
    names = [*ctx.people, *ctx.outsiders(rng, rng.randint(1, 3))]
    entries = []
    for name in rng.sample(names, min(len(names), rng.randint(3, 5))):
        entry: dict[str, str] = {"name": name, "email": ctx.email(name)}
        if ctx.pools is not None and rng.chance(0.7):
            entry["phone"] = ctx.pools.phone(rng)
        entry["team"] = rng.choice(ctx.domain.departments)
        entry["updated"] = _day(rng, last=day).isoformat()
        entries.append(entry)
    return path, json.dumps(entries, indent=2, ensure_ascii=False).split("\n")


_BOOK_TITLES = (
    "The Quiet Ledger",
    "Maps of Small Rivers",
    "A Year Without Meetings",
    "The Lantern Keeper's Daughter",
    "Slow Work",
    "Salt and Timber",
    "Notes from the Night Shift",
    "The Orchard at World's End",
    "Counting the Tide",
    "Everything Is a Spreadsheet",
    "The Last Ferry Home",
    "How Teams Forget",
    "A Field Guide to Urban Birds",
    "Bread, Mostly",
    "The Cartographer's Apprentice",
    "Small Habits, Long Years",
)


def _reading_list(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    path = rng.choice(("personal/reading_list.md", "notes/to_read.md", f"misc/reading_{rng.choice((2025, 2026))}.md"))
    titles = rng.sample(_BOOK_TITLES, rng.randint(4, 7))
    authors = ctx.outsiders(rng, len(titles))
    lines = [rng.choice(("# Reading list", "# To read", "# Books")), ""]
    for index, title in enumerate(titles):
        by = f" — {authors[index]}" if authors else ""
        status = rng.choice(("", "", " (reading)", " (finished)", f" (recommended by {_first(ctx.mate(rng))})"))
        lines.append(f"- *{title}*{by}{status}")
    lines += ["", "Articles:", ""]
    lines.append(f"- long read on {rng.choice(d.jargon)} that {_first(ctx.mate(rng))} shared")
    lines.append(f"- that interview about {d.label} from the newsletter")
    return path, lines


def _itinerary(rng: StableRandom, ctx: _Context) -> _Made:
    assert ctx.pools is not None  # this kind is only used with pools
    pools = ctx.pools
    city = pools.city(rng)
    town = city.split(",")[0]
    start = _day(rng, last=dt.date(2026, 12, 20))
    nights = rng.randint(2, 5)
    path = rng.choice(
        (
            f"personal/trip_{_slug(town)}_{_month(start)}.md",
            "personal/itinerary.md",
            f"downloads/trip_{start.isoformat()}.md",
        )
    )
    flight = f"{rng.choice(('XR', 'QL', 'VB', 'NK', 'TJ'))} {rng.randint(100, 1999)}"
    hotel = f"{rng.choice(pools.streets).split()[0]} {rng.choice(('House', 'Inn', 'Suites', 'Hotel'))}"
    lines = [
        f"# {town} — {start.isoformat()} to {_later(start, nights).isoformat()}",
        "",
        f"- Flight out: {flight}, {start.isoformat()} "
        f"dep {rng.randint(6, 20):02d}:{rng.choice(('05', '20', '35', '50'))}",
        f"- Hotel: {hotel}, {pools.street_address(rng)} ({nights} nights, conf. {rng.randint(100000, 999999)})",
        f"- Return: {_later(start, nights).isoformat()}",
        "",
        "## Plan",
        "",
    ]
    plans = [
        "old town walking tour",
        "museum (closed Mondays!)",
        f"dinner with {rng.choice(ctx.outsiders(rng, 1) or list(ctx.mates))}",
        "day trip by train",
        "market in the morning",
        "nothing planned, rest",
    ]
    for offset in range(min(nights, 4)):
        lines.append(f"- {_later(start, offset).isoformat()}: {rng.choice(plans)}")
    lines += ["", "Pack: adapter, charger, rain jacket, passport"]
    return path, lines


def _dates_csv(rng: StableRandom, ctx: _Context) -> _Made:
    path = rng.choice(
        ("personal/birthdays.csv", "misc/team_dates.csv", f"archive/dates_{rng.choice((2025, 2026))}.csv")
    )
    names = [*ctx.mates, *ctx.outsiders(rng, rng.randint(0, 3))]
    rows: list[list[object]] = [["name", "date", "occasion", "gift_idea"]]
    for name in names[:8]:
        occasion = rng.weighted(("birthday", "work anniversary", "leaving do"), (6, 3, 1))
        gift = rng.choice(("", "book", "plant", "coffee voucher", "card from everyone", "flowers"))
        rows.append([name, _day(rng).isoformat(), occasion, gift])
    return path, _csv(rows)


def _equipment_csv(rng: StableRandom, ctx: _Context) -> _Made:
    year = rng.choice((2025, 2026))
    path = rng.choice(("misc/equipment_inventory_old.csv", f"archive/assets_{year}.csv", "old/laptops.csv"))
    items = (
        "14in laptop",
        "27in monitor",
        "docking station",
        "headset",
        "label printer",
        "tablet",
        "webcam",
        "scanner",
    )
    rows: list[list[object]] = [["asset_tag", "item", "assigned_to", "purchased", "status"]]
    for tag in rng.sample(range(100, 999), rng.randint(4, 10)):
        status = rng.weighted(("in use", "spare", "broken", "returned"), (6, 2, 1, 1))
        holder = rng.choice(ctx.people) if status == "in use" else ""
        rows.append([f"IT-{tag:04d}", rng.choice(items), holder, _day(rng).isoformat(), status])
    return path, _csv(rows)


def _conference_notes(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    year = rng.choice((2025, 2026))
    event = rng.choice(
        (f"{_title(d.label)} Summit {year}", f"Regional {_title(d.label)} Meetup", f"{_title(d.label)} Forum")
    )
    archived = f"archive/{_slug(event)}_notes.md" if str(year) in event else f"archive/{year}_{_slug(event)}_notes.md"
    path = rng.choice((f"notes/conference_{_slug(event)}.md", archived))
    where = ctx.pools.city(rng) if ctx.pools is not None else "online"
    jargon = rng.sample(d.jargon, 4)
    talks = [
        f"Why your {jargon[0]} numbers lie",
        f"Practical {jargon[1]} for small teams",
        f"Panel: the next five years of {d.label}",
        f"What we learned from a year of {jargon[2]}",
        f"{_cap(jargon[3])}: a case study",
    ]
    lines = [f"# {event} ({where})", "", "## Talks", ""]
    for talk in rng.sample(talks, rng.randint(2, 4)):
        lines.append(f"- **{talk}** — {rng.choice(('good', 'too salesy', 'worth rewatching', 'left early'))}")
    lines += ["", "## Takeaways", ""]
    lines.append(f"- everyone is struggling with {rng.choice(d.jargon)}, not just us")
    lines.append(f"- {rng.choice(d.vendors)} had a stand; brochure is somewhere in downloads")
    contacts = ctx.outsiders(rng, rng.randint(1, 3))
    if contacts:
        lines += ["", "## Follow up", ""]
        lines += [f"- {name} ({rng.choice(ctx.pools.companies if ctx.pools else d.vendors)})" for name in contacts]
    return path, lines


def _running_log(rng: StableRandom, ctx: _Context) -> _Made:
    year = rng.choice((2025, 2026))
    path = rng.choice(("personal/running_log.csv", f"personal/workouts_{year}.csv", "misc/activity.csv"))
    day = _day(rng, dt.date(year, 1, 1), dt.date(year, 11, 30))
    rows: list[list[object]] = [["date", "activity", "distance_km", "duration_min", "notes"]]
    for _ in range(rng.randint(5, 14)):
        activity = rng.weighted(("run", "cycle", "swim", "walk"), (6, 2, 1, 2))
        distance = round(
            rng.uniform(*{"run": (3, 12), "cycle": (10, 45), "swim": (0.8, 2.5), "walk": (2, 9)}[activity]), 1
        )
        pace = {"run": (5.0, 6.8), "cycle": (2.0, 3.2), "swim": (18, 28), "walk": (10, 13)}[activity]
        note = rng.choice(("", "", "", "rain", "knee a bit sore", "with " + _first(ctx.mate(rng)), "felt good"))
        rows.append([day.isoformat(), activity, f"{distance:.1f}", round(distance * rng.uniform(*pace)), note])
        day = _later(day, rng.randint(1, 4))
    return path, _csv(rows)


def _call_notes(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    vendor = rng.choice(d.vendors)
    day = _workday(rng)
    currency = rng.choice(_CURRENCIES)
    path = rng.choice(
        (
            f"notes/call_with_{_slug(vendor)}.txt",
            f"notes/{day.isoformat()}_call.txt",
            f"archive/calls/{_slug(vendor)}_{day.isoformat()}.txt",
        )
    )
    contact = ctx.outsiders(rng, 1)
    category = rng.choice(d.expense_categories).lower()
    lines = [
        f"Call with {vendor} — {day.isoformat()}",
        f"Spoke to: {contact[0] if contact else 'their account manager'}",
        "",
        f"* {category}: {_money(rng.money(40, 2500), currency)} per {rng.choice(('month', 'order', 'delivery'))}, "
        f"{rng.randint(5, 15)}% off if we sign for {rng.choice((12, 24, 36))} months",
        f"* lead time {rng.randint(2, 8)} weeks at the moment",
        f"* they can invoice {rng.choice(('monthly', 'per order', 'quarterly'))}",
        f"* contract renewal due {_later(day, rng.randint(30, 200)).isoformat()}",
        "",
        f"next: send them our {rng.choice(d.jargon)} numbers, loop in {_first(ctx.mate(rng))}",
    ]
    return path, lines


def _invoice_html(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    vendor = rng.choice(d.vendors)
    issued = _workday(rng, last=dt.date(2026, 11, 30))
    number = f"INV-{issued.year}-{rng.randint(1, 9999):04d}"
    currency = rng.choice(_CURRENCIES)
    path = rng.choice((f"downloads/invoice_{number}.html", f"old/{_slug(vendor)}_invoice_{_month(issued)}.html"))
    rows = []
    total = 0
    period = f"{_MONTHS[(issued.month - 2) % 12]} {issued.year if issued.month > 1 else issued.year - 1}"
    for category in rng.sample(d.expense_categories, rng.randint(1, 3)):
        qty, cents = rng.weighted((1, 2, 3, 4), (6, 2, 1, 1)), round(rng.money(15, 900) * 100)
        total += qty * cents
        rows.append(
            f"<tr><td>{html.escape(category)} ({period})</td><td>{qty}</td><td>{_money(cents / 100, currency)}</td>"
            f"<td>{_money(qty * cents / 100, currency)}</td></tr>"
        )
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>Invoice {number} — {html.escape(vendor)}</title></head>',
        "<body>",
        f"<h1>{html.escape(vendor)}</h1>",
        f"<p>Invoice <strong>{number}</strong><br>Issued: {issued.isoformat()}<br>"
        f"Due: {_later(issued, 30).isoformat()}</p>",
        f"<p>Bill to: {html.escape(ctx.org)}, attn. {html.escape(ctx.owner)}</p>",
        "<table>",
        "<tr><th>Description</th><th>Qty</th><th>Unit price</th><th>Amount</th></tr>",
        *rows,
        "</table>",
        f"<p>Total: {_money(total / 100, currency)}</p>",
        f"<p>Status: PAID {_later(issued, rng.randint(3, 28)).isoformat()}</p>",
        "</body>",
        "</html>",
    ]
    return path, lines


def _post_draft(rng: StableRandom, ctx: _Context) -> _Made:
    d = ctx.domain
    project = rng.choice(d.projects)
    day = _day(rng)
    path = rng.choice(
        (
            f"drafts/{_slug(project)}_announcement.md",
            "drafts/newsletter_draft.md",
            f"old/blog_post_{day.isoformat()}.md",
        )
    )
    mate = _first(ctx.mate(rng))
    lines = [
        f"# {rng.choice(('Update', 'News', 'Behind the scenes'))}: {_cap(project)}",
        "",
        f"*Draft, {day.isoformat()}*",
        "",
        f"Over the last few months the team at {ctx.org} has been working on the {project}.",
        f"It started as a small fix for our {rng.choice(d.jargon)} problem and grew from there.",
        "",
        f"[TODO: add numbers — ask {mate}]",
        "",
        f"What changes for you: {rng.choice(('nothing, yet', 'a new form from next month', 'fewer emails, we hope'))}.",
        f"Thanks to {rng.choice(d.vendors)} for their help, and to {mate} for the late nights.",
    ]
    if rng.chance(0.5):
        lines += ["", "(cut this paragraph? too long)"]
    return path, lines


_Kind = Callable[[StableRandom, _Context], _Made]

# (name, generator, needs pools). The order is part of the output: append new kinds at the end.
_KINDS: tuple[tuple[str, _Kind, bool], ...] = (
    ("grocery_list", _grocery_list, False),
    ("todo", _todo, False),
    ("meeting_notes", _meeting_notes, False),
    ("ideas", _ideas, False),
    ("scratch", _scratch, False),
    ("old_budget_csv", _old_budget, False),
    ("gitignore", _gitignore, False),
    ("other_readme", _other_readme, False),
    ("chat_export", _chat_export, False),
    ("pdf_text", _pdf_text, False),
    ("receipt", _receipt, False),
    ("journal", _journal, False),
    ("recipe", _recipe, False),
    ("draft_email", _draft_email, False),
    ("old_log", _old_log, False),
    ("bookmarks_html", _bookmarks, False),
    ("python_script", _python_script, False),
    ("yaml_config", _yaml_config, False),
    ("ini_config", _ini_config, False),
    ("contacts_json", _contacts_json, False),
    ("reading_list", _reading_list, False),
    ("itinerary", _itinerary, True),
    ("dates_csv", _dates_csv, False),
    ("equipment_csv", _equipment_csv, False),
    ("conference_notes", _conference_notes, False),
    ("running_log", _running_log, False),
    ("call_notes", _call_notes, False),
    ("invoice_html", _invoice_html, False),
    ("post_draft", _post_draft, False),
)

KIND_NAMES: tuple[str, ...] = tuple(name for name, _, _ in _KINDS)


# -- path bookkeeping --------------------------------------------------------------------------------


def _normal(path: str) -> str:
    """``path`` without ``.`` or empty parts, lower-cased for comparison."""
    return "/".join(part for part in path.split("/") if part not in ("", ".")).lower()


def _parents(path: str) -> list[str]:
    """``"a/b/c.txt"`` -> ``["a", "a/b"]``."""
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


class _Taken:
    """Paths in use (files and directories) and directory trees that are off limits."""

    def __init__(self, avoid: Collection[str]) -> None:
        self.files: set[str] = set()
        self.dirs: set[str] = set()
        self.trees: list[str] = []
        for entry in avoid:
            normal = _normal(entry)
            if not normal:
                continue
            if entry.endswith("/"):
                self.trees.append(normal + "/")
                self.dirs.add(normal)
            else:
                self.add(normal)

    def clashes(self, path: str) -> bool:
        normal = _normal(path)
        if normal in self.files or normal in self.dirs:
            return True
        if any(normal.startswith(tree) for tree in self.trees):
            return True
        return any(parent in self.files for parent in _parents(normal))

    def add(self, path: str) -> None:
        normal = _normal(path)
        self.files.add(normal)
        self.dirs.update(_parents(normal))


# -- entry point -------------------------------------------------------------------------------------


def distractors(
    rng: StableRandom,
    *,
    count: int,
    domain: str,
    org: str,
    owner: str,
    team: Sequence[str],
    avoid: Collection[str] = (),
    pools: Pools | None = None,
    exclude_kinds: Collection[str] = (),
) -> list[DistractorFile]:
    """`count` distinct distractor files themed on the domain/org/people, with paths not in `avoid`
    and not under any directory listed in `avoid` ending with '/'; deterministic given rng.

    ``exclude_kinds`` (names from :data:`KIND_NAMES`) leaves out kinds that would look like a second,
    conflicting input of the task (a reading list in a reading-list task).

    Kinds are drawn without repetition (in an order shuffled by ``rng``) until all have been used,
    then again with fresh file names. A kind whose path clashes is skipped for the next one; after
    many fruitless attempts :class:`ValueError` is raised. Without ``pools``, kinds that need names
    or places from outside ``owner`` and ``team`` are left out (see the module docstring).
    """
    if count < 0:
        raise ValueError(f"distractors() needs count >= 0, got {count}")
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; expected one of {sorted(DOMAINS)}")
    if not owner.strip():
        raise ValueError("distractors() needs an owner name")
    team_names = tuple(name for name in team if name.strip())
    ctx = _Context(
        domain=DOMAINS[domain],
        org=org,
        owner=owner,
        team=team_names,
        pools=pools,
        mail_domain=_mail_domain(org, domain),
    )
    unknown = sorted(set(exclude_kinds) - set(KIND_NAMES))
    if unknown:
        raise ValueError(f"unknown distractor kinds {unknown}; kinds: {', '.join(KIND_NAMES)}")
    kinds = [
        kind
        for name, kind, needs_pools in _KINDS
        if (pools is not None or not needs_pools) and name not in exclude_kinds
    ]
    taken = _Taken(avoid)
    files: list[DistractorFile] = []
    limit = 40 * count + 200
    attempt = 0
    order: list[_Kind] = []
    while len(files) < count:
        if attempt >= limit:
            raise ValueError(f"could only place {len(files)} of {count} distractor files without clashing with avoid")
        if not order:
            order = rng.shuffled(kinds)
        kind = order.pop()
        attempt += 1
        path, lines = kind(rng, ctx)
        if taken.clashes(path):
            continue
        taken.add(path)
        files.append(DistractorFile(path=path, content="\n".join(lines).rstrip("\n") + "\n"))
    return files
