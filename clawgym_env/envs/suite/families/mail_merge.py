"""Mail merge: fill a letter template for every recipient who has not opted out, and list who was skipped."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, slug

__all__ = ["MailMerge"]

LETTERS = (
    (
        "renewal",
        "Your {year} renewal",
        "Thank you for another year with {org}. Your renewal for {year} comes to ${{{{amount}}}}, due by {due}. "
        "Nothing changes on your side: we will keep everything running as it is now.\n\n"
        "If anything has changed, or you would rather talk it through, just reply to this letter or call us.",
    ),
    (
        "thank_you",
        "Thank you",
        "On behalf of everyone at {org}, thank you for your contribution of ${{{{amount}}}} this year. It went "
        "straight into {project}, and we will send a short update on how it is going by {due}.\n\n"
        "We could not do this without people like you.",
    ),
    (
        "balance_reminder",
        "A friendly reminder",
        "Our records show an open balance of ${{{{amount}}}} on your account with {org}. If you have already "
        "paid, please ignore this letter. Otherwise we would be grateful for payment by {due}.\n\n"
        "If the amount looks wrong to you, get in touch and we will sort it out together.",
    ),
)
KIND_NAMES = {"renewal": "renewal letters", "thank_you": "thank-you letters",
              "balance_reminder": "balance reminder letters"}  # fmt: skip
TITLES = ("Ms.", "Mr.", "Dr.", "Mx.")


def _plain(text: str) -> bool:
    return "'" not in text and all(ord(ch) < 128 or unicodedata.normalize("NFKD", ch)[0].isascii() for ch in text)


class MailMerge(TaskFamily):
    """Fill a ``{{field}}`` letter template for each recipient who has not opted out; list the skipped ones.

    **Request**: the user has a letter template and a recipients CSV (name,
    salutation, address, amount, opted_out); they want one letter per
    recipient who has not opted out in ``letters/<last-name>.txt`` (last
    name slugged: lowercase ASCII, accents dropped, other characters to
    hyphens) and ``skipped.txt`` with the opted-out names, one per line in
    CSV order.

    **Workspace**: the template (recipient block, date, greeting, body,
    sign-off from the persona) under ``templates/``, ``data/recipients.csv``
    with 6-9 people, a notes file, unrelated files.

    **Checks**: the ``letters/`` listing; one check per letter that it is
    exactly the filled template; ``skipped.txt``; the template and CSV are
    unchanged.

    **Hard**: 10-14 people, opted_out written many ways (yes/Y/TRUE/x, no/N/
    blank), blank salutations that fall back to the first name, amounts that
    must be written with two decimals, the same person listed twice (one
    letter), an old draft template that must not be used, more distractors.
    """

    name = "mail_merge"
    scenario = Scenario.AUTOMATION_WORKFLOWS
    operations = (Operation.FILE_CONTENT, Operation.COMMUNICATION)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        kind, subject, paragraph = rng.choice(LETTERS)
        today = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 20))
        due = today + dt.timedelta(days=rng.choice((14, 21, 30)))
        count = rng.randint(10, 14) if hard else rng.randint(6, 9)

        people: list[dict] = []
        lasts: set[str] = set()
        while len(people) < count:
            name = b.pools.person(rng)
            last = name.split()[-1]
            if not _plain(name) or slug(last, separator="-") in lasts:
                continue
            lasts.add(slug(last, separator="-"))
            casual = rng.chance(0.3)
            salutation = name.split()[0] if casual else f"{rng.choice(TITLES)} {last}"
            amount = rng.money(25, 900)
            people.append({"name": name, "first": name.split()[0], "last": last, "salutation": salutation,
                           "address": f"{b.pools.street_address(rng)}, {b.pools.city(rng).split(',')[0]}",
                           "amount": amount, "opted_out": False})  # fmt: skip
        for person in rng.sample(people, 3 if hard else 2):
            person["opted_out"] = True
        if hard:
            for person in rng.sample([p for p in people if not p["opted_out"]], 2):
                person["salutation"] = ""
        yes_words = ("yes", "Y", "TRUE", "x") if hard else ("yes",)
        no_words = ("no", "N", "", "false") if hard else ("no",)

        # The CSV (hard: one person listed twice, amounts in loose formats).
        rows = []
        for person in people:
            amount = f"{person['amount']:.2f}"
            if hard and rng.chance(0.4):
                amount = (
                    f"{person['amount']:g}" if person["amount"] != int(person["amount"]) else str(int(person["amount"]))
                )
            flag = rng.choice(yes_words) if person["opted_out"] else rng.choice(no_words)
            rows.append([person["name"], person["salutation"], person["address"], amount, flag])
        if hard:
            twin = rng.choice([index for index, p in enumerate(people) if not p["opted_out"]])
            rows.insert(rng.randint(twin + 1, len(rows)), list(rows[twin]))
        header = ["name", "salutation", "address", "amount", "opted_out"]
        recipients = csv_text([header, *rows])

        org = b.persona.org
        fill = {"org": org, "year": today.year + (1 if kind == "renewal" and today.month >= 10 else 0),
                "due": f"{due:%B} {due.day}, {due.year}", "project": rng.choice(domain.projects)}  # fmt: skip
        template = (
            "{{name}}\n{{address}}\n\n"
            f"{today:%B} {today.day}, {today.year}\n\n"
            f"Re: {subject.format(**fill)}\n\n"
            "Dear {{salutation}},\n\n" + paragraph.format(**fill) + "\n\n"
            f"{rng.choice(('Warm regards', 'Kind regards', 'With thanks', 'Best wishes'))},\n"
            f"{b.persona.name}\n{b.persona.role[:1].upper() + b.persona.role[1:]}, {org}\n"
        )
        template_path = f"templates/{kind}_letter.txt"
        notes = (
            "# Mail merge notes\n\n"
            f"- Template: {template_path}. Placeholders look like {{{{field}}}} and match the CSV columns.\n"
            "- opted_out: anyone who has opted out must not get a letter.\n"
        )
        if hard:
            notes += (
                "- The opted_out column was filled in by hand: yes, Y, TRUE or x mean opted out; no, N, false or "
                "an empty cell mean they still get mail.\n"
                "- If the salutation is empty, greet them by first name (Dear Amara,).\n"
                "- Amounts go in the letter with two decimals (85.5 -> 85.50, 120 -> 120.00).\n"
                "- The CSV was merged from two lists, so someone may appear twice; they still get one letter.\n"
            )
        b.file(template_path, template)
        b.file("data/recipients.csv", recipients)
        b.file("templates/NOTES.md", notes)
        if hard:
            b.file(f"templates/{kind}_letter_DRAFT_old.txt", template.replace("Dear {{salutation}},", "Hi {{name}}!"))
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["letters/", "templates/", "data/"])

        # Ground truth.
        letters = {}
        facts: dict[str, list[str]] = {}
        for person in people:
            if person["opted_out"]:
                continue
            values = {
                "name": person["name"],
                "address": person["address"],
                "salutation": person["salutation"] or person["first"],
                "amount": f"{person['amount']:.2f}",
            }
            text = re.sub(r"\{\{(\w+)\}\}", lambda m, v=values: v[m.group(1)], template)
            letters[slug(person["last"], separator="-") + ".txt"] = text
            facts[slug(person["last"], separator="-") + ".txt"] = [
                f"Dear {values['salutation']},",
                f"${values['amount']}",
                person["address"],
            ]
        skipped = [person["name"] for person in people if person["opted_out"]]

        body = b.pick(
            [
                f"Time for the {KIND_NAMES[kind]}. The template is {template_path} and the "
                "list is data/recipients.csv. Could you fill in the template for everyone who hasn't opted out and "
                "save each letter as letters/<last name>.txt? Then put the names of the people you skipped in "
                "skipped.txt, one per line, in the order they appear in the CSV.",
                "Mail merge, please:\n"
                f"1. Fill {template_path} for every row of data/recipients.csv that hasn't opted out.\n"
                "2. Save each one as letters/<last name>.txt.\n"
                "3. List the opted-out people's names in skipped.txt (one per line, CSV order).",
                f"can you do the mail merge for the {KIND_NAMES[kind]}? template: {template_path}, "
                "people: data/recipients.csv. one file per person in letters/ named after their last name, "
                "nobody who opted out, and a skipped.txt with the names of who you left out (csv order).",
            ]
        )
        body += (
            "\n\nThe file name is the last word of the name in lowercase ASCII, accents dropped, anything else turned "
            "into hyphens (García -> garcia.txt). Replace every {{field}} with that person's value and leave the "
            "rest of the template exactly as it is; nothing else goes in letters/."
        )
        if hard:
            body += "\n\nA few things to watch: templates/NOTES.md has the rules for the messier parts of the list."
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 4)

        c = b.checks
        listing = c.dir_files("letters_folder_listing", "letters", sorted(letters))
        for name, text in letters.items():
            c.text_contains(f"letter_{slug(name[:-4])}_details", f"letters/{name}", facts[name])
            c.text_equals(f"letter_{slug(name[:-4])}_exact", f"letters/{name}", text)
        c.lines_equal("skipped_listed", "skipped.txt", skipped)
        c.files_unchanged("inputs_unchanged", {template_path: template, "data/recipients.csv": recipients},
                          requires=[listing])  # fmt: skip

        s = b.solution
        s.exec(f"cat {template_path} templates/NOTES.md && cat data/recipients.csv")
        for name, text in letters.items():
            s.write(f"letters/{name}", text)
        s.write("skipped.txt", "\n".join(skipped) + "\n")

        # Near miss: the first opted-out person got a letter anyway and is missing from skipped.txt.
        victim = next(person for person in people if person["opted_out"])
        extra_values = {
            "name": victim["name"],
            "address": victim["address"],
            "salutation": victim["salutation"] or victim["first"],
            "amount": f"{victim['amount']:.2f}",
        }
        extra = re.sub(r"\{\{(\w+)\}\}", lambda m: extra_values[m.group(1)], template)
        wrong = [*s.steps[:-1]]
        wrong.append({"name": "write", "arguments": {"path": f"letters/{slug(victim['last'], separator='-')}.txt",
                                                     "content": extra}})  # fmt: skip
        wrong.append({"name": "write", "arguments": {"path": "skipped.txt",
                                                     "content": "\n".join(skipped[1:]) + "\n"}})  # fmt: skip
        b.near_miss(wrong)
