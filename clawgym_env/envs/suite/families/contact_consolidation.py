"""Contact consolidation: merge contacts from vCards, a phone export and email signatures into one CSV."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, slug

__all__ = ["ContactConsolidation"]

TITLES = ("Account Manager", "Operations Lead", "Project Coordinator", "Office Manager", "Sales Director",
          "Procurement Officer", "Head of Partnerships", "Site Supervisor", "Senior Consultant")  # fmt: skip
SUBJECTS = ("Re: next week", "Re: quote", "Following up", "Re: invoice query", "Intro", "Re: Thursday's call",
            "Catching up", "Re: samples")  # fmt: skip
BODIES = (
    "Thanks, that works for us. Talk soon.",
    "Great to meet you yesterday. Sending the details we discussed.",
    "Quick one: can we move our call to Friday morning?",
    "Attached the revised numbers. Let me know if anything looks off.",
    "Happy to help. I'll loop in the team.",
)
FREE_MAIL = ("gmail.com", "outlook.com", "proton.me", "icloud.com")


def digits_of(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def restyle(phone: str, style: int) -> str:
    """``phone`` (``+<digits>`` with spaces/dashes) written another way, same digits."""
    digits = digits_of(phone)
    if style == 0:
        return phone
    if style == 1:
        return "+" + digits
    if style == 2:
        return phone.replace(" ", ".").replace("-", ".")
    return phone.replace("-", " ")


def recase(email: str, rng) -> str:
    local, domain = email.split("@")
    style = rng.below(3)
    if style == 0:
        return email
    if style == 1:
        return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain
    return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()


class ContactConsolidation(TaskFamily):
    """Merge contacts scattered over vCards, a phone's CSV export and email signatures into one clean CSV.

    **Request**: build ``address_book/contacts.csv`` with
    ``first_name,last_name,email,phone,company``: one row per email address
    (case-insensitive, written in lower case), phone and company merged from
    whichever source has them, phones as ``+`` and digits only, sorted by last
    name then first name.

    **Workspace**: ``contacts/vcards/*.vcf`` (some files hold several cards,
    with ``REV`` dates), ``contacts/phone_export_<date>.csv`` (Name, Mobile,
    E-mail, Company), ``contacts/signatures/*.txt`` (emails with a Date and
    a signature block), unrelated files. The same person shows up in several
    sources with differently cased emails and differently punctuated phones.

    **Checks**: the CSV exists with the header; one exact row per contact;
    the email column in the right order (deduplicated and sorted); the
    sources unchanged.

    **Hard**: more contacts; phone numbers that conflict between sources
    (the most recent source wins: vCard REV, the export's date, the email's
    Date); a person who changed jobs, linked to their old address by a
    note, who must appear once with the new email, phone and company.
    """

    name = "contact_consolidation"
    scenario = Scenario.INFORMATION_RETRIEVAL
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        firsts = [name for name in b.pools.first_names if name.isascii() and name.isalpha()]
        lasts = [name for name in b.pools.last_names if name.isascii() and name.isalpha()]
        count = rng.randint(9, 11) if b.hard else rng.randint(6, 8)
        surnames = rng.sample(lasts, count)
        surnames[-1] = surnames[0]  # two people share a last name: the first name breaks the tie
        given = rng.sample(firsts, count)
        base_day = dt.date(rng.choice((2025, 2026)), rng.randint(1, 6), 1)

        people = []
        for index in range(count):
            company = b.pools.company(rng) if rng.chance(0.85) else ""
            mail_domain = (slug(company, separator="") + ".com") if company else rng.choice(FREE_MAIL)
            email = b.pools.email(f"{given[index]} {surnames[index]}", mail_domain)
            phone = b.pools.phone(rng) if rng.chance(0.85) else ""
            people.append({"first": given[index], "last": surnames[index], "email": email, "phone": phone,
                           "company": company, "title": rng.choice(TITLES)})  # fmt: skip

        # Which sources mention whom (every source has at least two people; someone is everywhere).
        kinds = ("vcf", "csv", "sig")
        mentions: list[list[str]] = []
        for index in range(count):
            chosen = [kind for kind in kinds if rng.chance(0.45)] or [rng.choice(kinds)]
            mentions.append(list(kinds) if index == 1 else chosen)
        for kind in kinds:
            while sum(kind in m for m in mentions) < 2:
                mentions[rng.below(count)].append(kind)
                mentions = [list(dict.fromkeys(m)) for m in mentions]

        # Every mention gets a date and the fields it shows (a field a source leaves out is blank there).
        csv_day = base_day + dt.timedelta(days=rng.randint(20, 60))
        records: list[dict] = []
        for index, person in enumerate(people):
            for kind in mentions[index]:
                if kind == "csv":
                    day = csv_day
                elif kind == "vcf":
                    day = base_day + dt.timedelta(days=rng.randint(-200, 10))
                else:
                    day = base_day + dt.timedelta(days=rng.randint(61, 150))
                shows_phone = rng.chance(0.8)
                shows_company = rng.chance(0.9 if kind != "csv" else 0.6)
                records.append(
                    {
                        "person": index,
                        "kind": kind,
                        "day": day,
                        "email": person["email"],
                        "phone": person["phone"] if shows_phone else "",
                        "company": person["company"] if shows_company else "",
                    }
                )
        # Make sure a phone or company that exists is shown somewhere.
        for index, person in enumerate(people):
            mine = [r for r in records if r["person"] == index]
            for field in ("phone", "company"):
                if person[field] and not any(r[field] for r in mine):
                    rng.choice(mine)[field] = person[field]

        linked_note = ""
        if b.hard:
            # Conflicting phones: an older mention carries an old number.
            multi = [i for i in range(count) if len(mentions[i]) >= 2 and people[i]["phone"]]
            for index in rng.sample(multi, min(2, len(multi))):
                mine = sorted((r for r in records if r["person"] == index), key=lambda r: r["day"])
                mine[0]["phone"] = b.pools.phone(rng)
                mine[-1]["phone"] = people[index]["phone"]
            # A job change: an old email and company in an older vCard, linked by a note.
            mover = 2
            person = people[mover]
            old_company = b.pools.company(rng)
            while old_company == person["company"]:
                old_company = b.pools.company(rng)
            old_email = b.pools.email(f"{person['first']} {person['last']}", slug(old_company, separator="") + ".com")
            newest = max(r["day"] for r in records if r["person"] == mover)
            records.append(
                {
                    "person": mover,
                    "kind": "vcf",
                    "day": newest - dt.timedelta(days=rng.randint(300, 500)),
                    "email": old_email,
                    "phone": b.pools.phone(rng),
                    "company": old_company,
                }
            )
            for record in records:
                if record["person"] == mover and record["email"] == person["email"] and not record["phone"]:
                    record["phone"] = person["phone"]
            if not person["company"]:
                person["company"] = b.pools.company(rng)
                for record in records:
                    if record["person"] == mover and record["email"] == person["email"]:
                        record["company"] = person["company"]
            linked_note = (
                f"- {person['first']} {person['last']} moved from {old_company} to {person['company']}. Old address "
                f"{old_email} is dead; same person as {person['email']}. Keep only the new details.\n"
            )

        # -- ground truth: newest mention first per person ---------------------------------------------------
        rows = []
        for index, person in enumerate(people):
            mine = sorted((r for r in records if r["person"] == index and r["email"] == person["email"]),
                          key=lambda r: r["day"], reverse=True)  # fmt: skip
            phone = next((r["phone"] for r in mine if r["phone"]), "")
            company = next((r["company"] for r in mine if r["company"]), "")
            rows.append([person["first"], person["last"], person["email"], "+" + digits_of(phone) if phone else "",
                         company])  # fmt: skip
        rows.sort(key=lambda row: (row[1].lower(), row[0].lower()))

        # -- files ----------------------------------------------------------------------------------------------
        files: dict[str, str] = {}
        vcards = rng.shuffled([r for r in records if r["kind"] == "vcf"])
        groups = []
        while vcards:
            size = rng.randint(1, 3)
            groups.append(vcards[:size])
            vcards = vcards[size:]
        for number, group in enumerate(groups, start=1):
            if len(group) == 1:
                who = people[group[0]["person"]]
                path = f"contacts/vcards/{slug(who['first'] + ' ' + who['last'], separator='_')}.vcf"
            else:
                path = f"contacts/vcards/export_{number}.vcf"
            if path in files:
                path = path.replace(".vcf", f"_{number}.vcf")
            files[path] = "".join(vcard(people[r["person"]], r, rng) for r in group)
        csv_records = sorted((r for r in records if r["kind"] == "csv"), key=lambda r: people[r["person"]]["first"])
        export_path = f"contacts/phone_export_{iso(csv_day)}.csv"
        files[export_path] = csv_text(
            [["Name", "Mobile", "E-mail", "Company"]]
            + [
                [
                    f"{people[r['person']]['first']} {people[r['person']]['last']}",
                    restyle(r["phone"], rng.below(4)) if r["phone"] else "",
                    recase(r["email"], rng),
                    r["company"],
                ]
                for r in csv_records
            ]
        )
        for r in (r for r in records if r["kind"] == "sig"):
            who = people[r["person"]]
            lines = [
                f"From: {who['first']} {who['last']} <{recase(r['email'], rng)}>",
                f"To: {b.pools.email(persona.name, persona.email_domain)}",
                f"Date: {iso(r['day'])}",
                f"Subject: {rng.choice(SUBJECTS)}",
                "",
                rng.choice(BODIES),
                "",
                "--",
                f"{who['first']} {who['last']}",
                f"{who['title']} | {r['company']}" if r["company"] else who["title"],
            ]
            if r["phone"]:
                lines.append(f"{rng.choice(('M', 'Mobile', 'T', 'Tel'))}: {restyle(r['phone'], rng.below(4))}")
            path = f"contacts/signatures/{iso(r['day'])}_{slug(who['last'])}.txt"
            if path in files:
                path = path.replace(".txt", "_2.txt")
            files[path] = "\n".join(lines) + "\n"
        notes = (
            "# Contacts cleanup\n\nNew phone, new CRM. Everything I have is in vcards/, the phone export and the "
            "signatures I copied out of emails.\n"
        )
        if b.hard:
            notes += "\nThings I know:\n" + linked_note
        files["contacts/NOTES.md"] = notes
        for path in sorted(files):
            b.file(path, files[path])
        b.add_distractors(
            rng.randint(3, 6) if b.hard else rng.randint(1, 3),
            avoid=["contacts/", "address_book/"],
            exclude_kinds=("contacts_json",),
        )

        # -- request ---------------------------------------------------------------------------------------------------
        out = "address_book/contacts.csv"
        spec = (
            "columns first_name,last_name,email,phone,company; one row per person, deduplicated by email address "
            "(case-insensitive) and with the email written in lower case; phone and company filled in from "
            "whichever source has them (blank if none does); phone numbers as + followed by digits only (e.g. "
            "+14155550100); rows sorted by last name, then first name"
        )
        body = b.pick(
            [
                f"My contacts are all over the place: vCards in contacts/vcards/, an export from my old phone "
                f"({export_path}) and a few email signatures I pasted into contacts/signatures/. Could you "
                f"consolidate them into {out}? {spec[0].upper() + spec[1:]}.",
                f"Contact cleanup:\n- sources: contacts/vcards/*.vcf, {export_path}, contacts/signatures/*.txt\n"
                f"- output: {out} with {spec}\n- leave the source files alone",
                f"need one clean contact list for the new CRM. everything's under contacts/ (vcards, the phone "
                f"export, signatures). write {out}: {spec}.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: where sources disagree on a phone number or company, the most recent "
                "source wins (a vCard's REV date, the export's date in its file name, an email's Date line). And "
                "check contacts/NOTES.md: one person has two addresses that are really the same contact, keep "
                "only the current one."
            )
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(7 if b.hard else 6)

        # -- checks ---------------------------------------------------------------------------------------------
        c = b.checks
        has = c.file_exists("contacts_written", out)
        c.csv_header("header_correct", out, ["first_name", "last_name", "email", "phone", "company"],
                     ignore_case=True, requires=[has])  # fmt: skip
        for row in rows:
            cells = [rf"\s*\"?{re.escape(cell)}\"?\s*" for cell in row]
            c.text_regex(f"contact_{slug(row[0] + ' ' + row[1])}", out, "^" + ",".join(cells) + "$", flags="im",
                         requires=[has])  # fmt: skip
        c.csv_column("emails_deduplicated_and_sorted", out, "email", [row[2] for row in rows], requires=[has])
        c.files_unchanged("sources_unchanged", files, requires=[has])

        # -- reference solution ----------------------------------------------------------------------------------
        s = b.solution
        s.exec("ls -R contacts && cat contacts/NOTES.md")
        s.exec("cat contacts/vcards/*.vcf")
        s.read(export_path)
        s.exec("head -n 20 contacts/signatures/*.txt")
        header = ["first_name", "last_name", "email", "phone", "company"]
        s.write(out, csv_text([header, *rows]))

        # Near miss: one person listed twice because their email was cased differently in another source.
        repeat = rows[1]
        twice = [*rows[:2], [repeat[0], repeat[1], recase_upper(repeat[2]), repeat[3], repeat[4]], *rows[2:]]
        b.near_miss(
            [*s.steps[:-1], {"name": "write", "arguments": {"path": out, "content": csv_text([header, *twice])}}]
        )


def recase_upper(email: str) -> str:
    local, domain = email.split("@")
    return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain


def vcard(person: dict, record: dict, rng) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{person['last']};{person['first']};;;",
        f"FN:{person['first']} {person['last']}",
    ]
    if record["company"]:
        lines.append(f"ORG:{record['company']}")
    if record["phone"]:
        lines.append(f"TEL;TYPE={rng.choice(('CELL', 'WORK', 'CELL,VOICE'))}:{restyle(record['phone'], rng.below(4))}")
    lines.append(f"EMAIL;TYPE=INTERNET:{recase(record['email'], rng)}")
    lines.append(f"REV:{iso(record['day'])}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
