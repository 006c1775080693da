"""Inbox triage: classify a folder of exported e-mails by the user's own rules and file the low-priority ones."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, slug

__all__ = ["InboxTriage"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")  # fmt: skip

URGENT_WORDS = ("urgent", "outage", "asap")
FINANCE_WORDS = ("invoice", "payment", "receipt")
SCHEDULING_WORDS = ("meeting", "reschedule", "agenda")
ALL_WORDS = URGENT_WORDS + FINANCE_WORDS + SCHEDULING_WORDS
PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}

NEWSLETTER_SUBJECTS = (
    "Your weekly {jargon} roundup",
    "{vendor} product news for {month}",
    "5 things we learned about {jargon} this month",
    "{month} digest: {product} tips and stories",
    "New in our catalogue: {product}",
)
VIP_SUBJECTS = (
    "Numbers for the {project} review",
    "Quick favour before Thursday",
    "Can you look over the {project} summary?",
    "Thoughts on {product} for next quarter",
    "Notes from my call with {vendor}",
)
URGENT_SUBJECTS = (
    "URGENT: {product} orders failing since this morning",
    "{project} outage — need someone on it",
    "Need the {department} figures ASAP",
    "Urgent: wrong price on {product}",
)
FINANCE_SUBJECTS = (
    "Invoice {number} for {month}",
    "Payment reminder: invoice {number}",
    "Receipt for order {number}",
    "Your {vendor} invoice is ready",
)
SCHEDULING_SUBJECTS = (
    "Can we reschedule Thursday?",
    "Agenda for the {department} sync",
    "Meeting room for the {project} kickoff",
    "Moving our 1:1 — reschedule to next week?",
)
GENERAL_SUBJECTS = (
    "Photos from Friday",
    "Question about {product}",
    "Re: {project} draft",
    "Lunch order for tomorrow",
    "Parking permits are back",
    "Cover for {department} on the 14th",
    "{jargon} checklist, second pass",
    "Welcome our new starter!",
)
BODIES = {
    "newsletter": (
        "Hello!\n\nHere is what's new this month: {product} got a refresh, and our team wrote up three quick wins "
        "on {jargon}.\n\nRead more on our blog.\n\n--\nYou are receiving this because you signed up at {site}.\n"
        "Unsubscribe: https://{site}/unsubscribe?u={token}\n",
        "This month at {vendor}\n=====================\n\n* Customer story: how one team cut {jargon} time in "
        "half\n* Webinar on {product}, Thursday 4pm\n* Price list for next quarter\n\nManage your preferences or "
        "unsubscribe here: https://{site}/prefs/{token}\n",
    ),
    "vip": (
        "Hi {first},\n\nCould you take a look at this when you get a moment? I'd like to have it settled before the "
        "end of the week.\n\nThanks,\n{sender_first}\n",
        "{first} —\n\nQuick one: I need your view on the {project} numbers before I reply to the board. Ten "
        "minutes on the phone would do.\n\n{sender_first}\n",
        "Hello {first},\n\nFollowing up on our conversation last week about {product}. I've attached my notes; "
        "let me know what you think.\n\nBest,\n{sender_name}\n",
    ),
    "urgent": (
        "Hi {first},\n\nThis is blocking us right now. Can you or someone from your side jump on it?\n\n"
        "{sender_first}\n",
        "{first}, we've had three calls about this in the last hour. Who can look at it today?\n\n— {sender_first}\n",
    ),
    "finance": (
        "Dear customer,\n\nPlease find the details of document {number} below. Amount: {amount}.\nTerms: 30 "
        "days.\n\nKind regards,\n{sender_name}\n",
        "Hello,\n\nThis is an automatic message from {sender_name}. Document {number} ({amount}) is available in "
        "your account.\n\nThank you for your business.\n",
    ),
    "scheduling": (
        "Hi {first},\n\nDoes this still work for you? Let me know and I'll update the calendar invite.\n\n"
        "Cheers,\n{sender_first}\n",
        "Hey {first},\n\nSomething came up on my side. Could we find another slot, ideally early next week?\n\n"
        "{sender_first}\n",
    ),
    "general": (
        "Hey {first},\n\nJust a quick note on this, nothing pressing. Happy to chat whenever.\n\n{sender_first}\n",
        "Hi {first},\n\nSharing this in case it's useful — no action needed from you.\n\n{sender_first}\n",
        "Morning {first}!\n\nSee subject :) Let me know if you have thoughts, otherwise I'll go ahead.\n\n"
        "{sender_first}\n",
    ),
}


@dataclass
class Message:
    file: str
    sender_name: str
    sender: str
    subject: str
    sent: dt.datetime
    offset_minutes: int
    body: str
    original_sender: str = ""
    category: str = ""
    priority: str = ""


def _has_word(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"\b{word}\b", text, re.IGNORECASE) for word in words)


def _ambiguous(text: str) -> bool:
    """A keyword appears inside a longer word ("payments"): substring and whole-word matching would disagree."""
    lowered = text.lower()
    return any((word in lowered) != bool(re.search(rf"\b{word}\b", lowered)) for word in (*ALL_WORDS, "unsubscribe"))


def _date_header(moment: dt.datetime, offset_minutes: int) -> str:
    local = moment + dt.timedelta(minutes=offset_minutes)
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return (
        f"{DAYS[local.weekday()]}, {local.day:02d} {MONTHS[local.month - 1]} {local.year} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


class InboxTriage(TaskFamily):
    """Triage a folder of exported e-mails with the user's rules: a sorted triage sheet, low priority filed away.

    **Request**: the user exported their inbox to ``inbox/*.eml`` and wrote
    their triage rules in ``triage_rules.md``; they want ``triage.csv``
    (file, from, subject, category, priority) sorted by priority (high,
    normal, low) and then by when the message was sent (oldest first), and
    every low-priority message moved to ``inbox/later/``.

    **Workspace**: 9-12 ``.eml`` files (From, To, Subject, Date headers and a
    body) from VIPs, teammates, vendors' billing desks and newsletters;
    the rules (newsletter senders or an unsubscribe link -> newsletter/low,
    VIP senders -> vip/high, subject keywords -> urgent/high, finance/normal,
    scheduling/normal, else general/normal; first match wins); unrelated
    files.

    **Checks**: the CSV header; one check per message that its row has the
    right category and priority; the row order; every row exact (bare
    sender address, subject); ``inbox/later/`` holds exactly the
    low-priority messages, byte for byte; ``inbox/`` keeps exactly the rest;
    the rules file is unchanged.

    **Hard**: 15-20 messages whose senders and subjects match several rules
    (precedence matters), forwarded messages that must be judged by the
    original sender inside the forwarded block, Date headers in several
    time zones (sort by the actual instant), newsletters from senders not on
    the list, a stale copy of the rules with a different VIP list, more
    distractors.
    """

    name = "inbox_triage"
    scenario = Scenario.MESSAGING_COLLABORATION
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        me = b.pools.email(b.persona.name, b.persona.email_domain)
        first = b.persona.name.split()[0]
        team = list(b.persona.team)
        boss = team[0]
        client_name = b.pools.person(rng)
        client_company = b.pools.company(rng)
        client_domain = slug(client_company, separator="") + ".com"
        vips = [
            (boss, b.pools.email(boss, b.persona.email_domain)),
            (client_name, b.pools.email(client_name, client_domain)),
        ]
        colleagues = [(name, b.pools.email(name, b.persona.email_domain)) for name in team[1:]]
        vendors = rng.sample(domain.vendors, 4)
        vendor_sites = {vendor: slug(vendor, separator="") + ".com" for vendor in vendors}
        listed_news = [
            (vendors[0], f"news@{vendor_sites[vendors[0]]}"),
            (vendors[1], f"hello@{vendor_sites[vendors[1]]}"),
        ]
        unlisted_news = (vendors[2], f"digest@{vendor_sites[vendors[2]]}")
        billing = (f"{vendors[3]} Billing", f"billing@{vendor_sites[vendors[3]]}")
        outsider_name = b.pools.person(rng)
        outsider = (outsider_name, b.pools.email(outsider_name, slug(b.pools.company(rng), separator="") + ".org"))

        start = dt.datetime(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 24), 7, 0)
        month_name = LONG_MONTHS[start.month - 1]
        fill = {
            "jargon": rng.choice(domain.jargon),
            "vendor": rng.choice(vendors),
            "month": month_name,
            "product": rng.choice(domain.products),
            "project": rng.choice(domain.projects),
            "department": rng.choice(domain.departments),
        }
        hard = b.hard
        base_offset = rng.choice((-300, -240, 0, 60, 120, 330))
        offsets = (-420, -300, -240, 0, 60, 120, 330, 540)

        # Which kinds of message, and their senders.
        count = rng.randint(15, 20) if hard else rng.randint(9, 12)
        kinds = ["newsletter", "newsletter", "vip", "urgent", "finance", "scheduling", "general", "general"]
        extra = ("newsletter", "vip", "urgent", "finance", "scheduling", "general", "general")
        if hard:
            kinds += ["fwd_vip", "fwd_news", "vip_keyword", "news_keyword", "urgent_finance"]
        while len(kinds) < count:
            kinds.append(rng.choice(extra))
        kinds = rng.shuffled(kinds)

        ids = rng.sample(range(1040, 9990), count)
        used_minutes: set[int] = set()
        messages: list[Message] = []
        for index, kind in enumerate(kinds):
            while True:
                minute = rng.randint(0, 4 * 24 * 60 - 1)
                if minute not in used_minutes:
                    used_minutes.add(minute)
                    break
            sent = start + dt.timedelta(minutes=minute, seconds=rng.randint(0, 59))
            offset = rng.choice(offsets) if hard else base_offset
            message = self._message(b, kind, index, ids[index], sent, offset, fill, vips=vips, colleagues=colleagues,
                                    listed_news=listed_news, unlisted_news=unlisted_news, billing=billing,
                                    outsider=outsider, first=first)  # fmt: skip
            messages.append(message)

        vip_addresses = [address for _, address in vips]
        news_addresses = [address for _, address in listed_news]
        for message in messages:
            message.category, message.priority = _classify(message, vip_addresses, news_addresses)
        if sum(1 for message in messages if message.priority == "low") < 2:
            raise AssertionError("inbox_triage: fewer than two low-priority messages")

        # Files.
        contents: dict[str, str] = {}
        for message in messages:
            headers = [
                f"From: {message.sender_name} <{message.sender}>",
                f"To: {b.persona.name} <{me}>",
                f"Subject: {message.subject}",
                f"Date: {_date_header(message.sent, message.offset_minutes)}",
                f"Message-ID: <{message.file.split('.')[0]}.{slug(message.sender.split('@')[1], separator='')}@mail>",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
            ]
            text = "\n".join(headers) + "\n\n" + message.body
            contents[message.file] = text
            b.file(f"inbox/{message.file}", text)

        rules = _rules_text(vips, listed_news, hard)
        b.file("triage_rules.md", rules)
        if hard:
            stale_vips = [vips[0], (outsider[0], outsider[1])]
            b.file("old/triage_rules_2024.md", _rules_text(stale_vips, listed_news[:1], False))
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["inbox/"], exclude_kinds=("draft_email",)
        )

        # Ground truth.
        ordered = sorted(messages, key=lambda m: (PRIORITY_RANK[m.priority], m.sent))
        header = ["file", "from", "subject", "category", "priority"]
        rows = [[m.file, m.sender, m.subject, m.category, m.priority] for m in ordered]
        low = sorted(m.file for m in messages if m.priority == "low")
        kept = sorted(m.file for m in messages if m.priority != "low")

        body = b.pick(
            [
                "I exported my inbox to inbox/ (one .eml file per message) and it's getting out of hand. Can you "
                "triage it using the rules I wrote down in triage_rules.md? Put the result in triage.csv with the "
                "columns file, from, subject, category, priority — sorted by priority (high, then normal, then "
                "low) and, within the same priority, oldest message first. Then move every low-priority message "
                "into inbox/later/ so the inbox only shows what matters.",
                "Inbox triage time. What I need:\n"
                "1. Go through every message in inbox/ and apply my rules from triage_rules.md.\n"
                "2. Write triage.csv with columns file, from, subject, category, priority; high priority first, "
                "then normal, then low, and oldest first within each priority.\n"
                "3. Move the low-priority messages into inbox/later/ (create it), leaving everything else where "
                "it is.",
                "could you sort out my inbox? the messages are the .eml files in inbox/, my rules are in "
                "triage_rules.md. i'd like a triage.csv (file, from, subject, category, priority), high first, "
                "then normal, then low, oldest first inside each group — and please shove the low-priority ones "
                "into inbox/later/.",
            ]
        )
        body += (
            "\n\nFor the columns: file is the file name without the folder (e.g. "
            f"{messages[0].file}), from is the bare e-mail address from the message's own From header, subject is "
            "the Subject header exactly as written, and category/priority are the lowercase labels from the rules. "
            "Don't change the messages themselves."
        )
        if hard:
            body += (
                "\n\nA few things to watch: several messages match more than one rule, so go strictly top to "
                "bottom as the rules say; forwarded messages count as coming from the original sender for the "
                "sender rules (the from column still shows who forwarded it); and the Date headers are in "
                "different time zones, so compare the actual times. The rules file in old/ is out of date — use "
                "triage_rules.md."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 5)

        # Checks.
        c = b.checks
        has_csv = c.csv_header("triage_header", "triage.csv", header, ignore_case=True)
        for m in sorted(messages, key=lambda m: m.file):
            c.text_regex(
                f"triaged_{m.file.split('.')[0].replace('-', '_')}",
                "triage.csv",
                rf'(?im)^\s*"?{re.escape(m.file)}"?\s*,.*,\s*"?{m.category}"?\s*,\s*"?{m.priority}"?\s*$',
                max_count=1,
                requires=[has_csv],
            )
        c.csv_column("rows_sorted", "triage.csv", "file", [m.file for m in ordered], requires=[has_csv])
        c.csv_rows("rows_exact", "triage.csv", rows, ignore_case=False, requires=[has_csv])
        later = c.dir_files("later_holds_low_priority", "inbox/later", low)
        c.files_unchanged(
            "moved_messages_intact", {f"inbox/later/{name}": contents[name] for name in low}, requires=[later]
        )
        rest = c.dir_files("inbox_keeps_the_rest", "inbox", [*kept, "later"])
        c.files_unchanged("kept_messages_intact", {f"inbox/{name}": contents[name] for name in kept}, requires=[rest])
        c.files_unchanged("rules_unchanged", {"triage_rules.md": rules}, requires=[has_csv])

        # Reference solution.
        s = b.solution
        s.exec("ls -la inbox && grep -H -E '^(From|Subject|Date):' inbox/*.eml")
        s.read("triage_rules.md")
        if hard:
            s.exec("grep -n -A3 'Forwarded message' inbox/*.eml")
        s.write("triage.csv", csv_text([header, *rows]))
        s.exec("mkdir -p inbox/later && mv " + " ".join(f"inbox/{name}" for name in low) + " inbox/later/ && ls inbox")

        # Near miss: the sheet sorted by file name instead of priority/date; everything else right.
        by_file = sorted(rows, key=lambda row: row[0])
        if by_file == rows:
            by_file = list(reversed(rows))
        wrong = list(s.steps)
        wrong[-2] = {"name": "write", "arguments": {"path": "triage.csv", "content": csv_text([header, *by_file])}}
        b.near_miss(wrong)

    def _message(
        self,
        b: TaskBuilder,
        kind: str,
        index: int,
        number: int,
        sent: dt.datetime,
        offset: int,
        fill: dict[str, str],
        *,
        vips: list[tuple[str, str]],
        colleagues: list[tuple[str, str]],
        listed_news: list[tuple[str, str]],
        unlisted_news: tuple[str, str],
        billing: tuple[str, str],
        outsider: tuple[str, str],
        first: str,
    ) -> Message:
        rng = b.rng.child("message", index)
        doc = f"{rng.choice(('INV', 'SO', 'R'))}-{sent.year}-{rng.randint(100, 9999):04d}"
        values = dict(fill, number=doc)
        normal_people = [*colleagues, outsider]

        def subject_from(templates: tuple[str, ...], exclude: tuple[str, ...] = ()) -> str:
            options = [t.format(**values) for t in templates]
            options = [o for o in options if not _ambiguous(o) and not (exclude and _has_word(o, exclude))]
            chosen = rng.choice(options) if options else "A quick note"
            return chosen[:1].upper() + chosen[1:]

        if kind == "newsletter":
            sender = rng.choice([*listed_news, unlisted_news] if b.hard else listed_news)
            subject, body_kind = subject_from(NEWSLETTER_SUBJECTS, ALL_WORDS), "newsletter"
        elif kind == "news_keyword":
            sender = rng.choice(listed_news)
            subject = rng.choice(
                (f"{fill['month']} digest: faster payment options", f"Meeting planner templates for {fill['month']}")
            )
            body_kind = "newsletter"
        elif kind == "vip":
            sender = rng.choice(vips)
            subject, body_kind = subject_from(VIP_SUBJECTS, ALL_WORDS), "vip"
        elif kind == "vip_keyword":
            sender = rng.choice(vips)
            subject = rng.choice((f"Invoice {doc} — can you approve?", "Agenda for Monday, please add your bit"))
            body_kind = "vip"
        elif kind == "urgent":
            sender = rng.choice(normal_people)
            subject, body_kind = subject_from(URGENT_SUBJECTS), "urgent"
        elif kind == "urgent_finance":
            sender = rng.choice(colleagues)
            subject, body_kind = f"URGENT: invoice {doc} bounced", "urgent"
        elif kind == "finance":
            sender = billing
            subject, body_kind = subject_from(FINANCE_SUBJECTS, URGENT_WORDS + SCHEDULING_WORDS), "finance"
        elif kind == "scheduling":
            sender = rng.choice(normal_people)
            subject, body_kind = subject_from(SCHEDULING_SUBJECTS, URGENT_WORDS + FINANCE_WORDS), "scheduling"
        elif kind == "general":
            sender = rng.choice(normal_people)
            subject, body_kind = subject_from(GENERAL_SUBJECTS, ALL_WORDS), "general"
        elif kind in ("fwd_vip", "fwd_news"):
            forwarder = rng.choice(colleagues)
            original_from = rng.choice(vips) if kind == "fwd_vip" else listed_news[0]
            inner_kind = "vip" if kind == "fwd_vip" else "newsletter"
            inner_subject = subject_from(VIP_SUBJECTS if kind == "fwd_vip" else NEWSLETTER_SUBJECTS, ALL_WORDS)
            inner_sent = sent - dt.timedelta(hours=rng.randint(2, 30))
            inner = _body(inner_kind, original_from, first, values, rng)
            body = (
                f"{rng.choice(('FYI, see below.', 'Passing this on — thought you should see it.', 'Forwarding.'))}"
                f"\n\n{forwarder[0].split()[0]}\n\n---------- Forwarded message ---------\n"
                f"From: {original_from[0]} <{original_from[1]}>\n"
                f"Date: {_date_header(inner_sent, offset)}\n"
                f"Subject: {inner_subject}\n\n{inner}"
            )
            return Message(
                file=f"msg-{number}.eml",
                sender_name=forwarder[0],
                sender=forwarder[1],
                subject=f"Fwd: {inner_subject}",
                sent=sent,
                offset_minutes=offset,
                body=body,
                original_sender=original_from[1],
            )
        else:  # pragma: no cover - every kind is listed above
            raise ValueError(kind)
        return Message(
            file=f"msg-{number}.eml",
            sender_name=sender[0],
            sender=sender[1],
            subject=subject,
            sent=sent,
            offset_minutes=offset,
            body=_body(body_kind, sender, first, values, rng),
        )


def _body(kind: str, sender: tuple[str, str], first: str, values: dict[str, str], rng: StableRandom) -> str:
    site = sender[1].split("@")[1]
    return rng.choice(BODIES[kind]).format(
        first=first,
        sender_first=sender[0].split()[0],
        sender_name=sender[0],
        site=site,
        amount=f"${rng.randint(40, 4800)}.{rng.randint(0, 99):02d}",
        token=f"{rng.randint(10**7, 10**8 - 1):x}",
        **values,
    )


def _classify(message: Message, vips: list[str], newsletters: list[str]) -> tuple[str, str]:
    """The rules of ``triage_rules.md``, top to bottom, first match wins."""
    sender = message.original_sender or message.sender
    if sender in newsletters or "unsubscribe" in message.body.lower():
        return "newsletter", "low"
    if sender in vips:
        return "vip", "high"
    if _has_word(message.subject, URGENT_WORDS):
        return "urgent", "high"
    if _has_word(message.subject, FINANCE_WORDS):
        return "finance", "normal"
    if _has_word(message.subject, SCHEDULING_WORDS):
        return "scheduling", "normal"
    return "general", "normal"


def _rules_text(vips: list[tuple[str, str]], newsletters: list[tuple[str, str]], hard: bool) -> str:
    lines = [
        "# My inbox triage rules",
        "",
        "Go through these top to bottom; the first rule that matches a message decides its category and priority.",
        "Keyword rules look at the Subject line only and match whole words in any case.",
        "",
        "| # | Rule | category | priority |",
        "|---|------|----------|----------|",
        "| 1 | Sender is one of the newsletter senders below, or the body has an unsubscribe link | newsletter | low |",
        "| 2 | Sender is one of my VIPs below | vip | high |",
        f"| 3 | Subject mentions {', '.join(repr(w) for w in URGENT_WORDS)} | urgent | high |",
        f"| 4 | Subject mentions {', '.join(repr(w) for w in FINANCE_WORDS)} | finance | normal |",
        f"| 5 | Subject mentions {', '.join(repr(w) for w in SCHEDULING_WORDS)} | scheduling | normal |",
        "| 6 | Anything else | general | normal |",
        "",
        "## VIPs",
        "",
        *[f"- {name} <{address}>" for name, address in vips],
        "",
        "## Newsletter senders",
        "",
        *[f"- {name} <{address}>" for name, address in newsletters],
        "",
    ]
    if hard:
        lines += [
            "## Forwards",
            "",
            'When someone forwards me a message (subject starts with "Fwd:"), rules 1 and 2 look at the original '
            "sender in the forwarded block, not at whoever forwarded it.",
            "",
        ]
    return "\n".join(lines)
