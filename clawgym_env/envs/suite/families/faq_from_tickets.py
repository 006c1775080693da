"""FAQ from tickets: turn a support-ticket export into an FAQ of the most common questions plus stats."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text, jsonl_text

__all__ = ["FaqFromTickets"]

# category -> (question, resolution) templates; {product}, {org}, {department} are filled per task.
CATEGORIES: dict[str, tuple[tuple[str, str], ...]] = {
    "Billing": (
        (
            "Why was my card charged twice for the {product} this month?",
            "The second charge was a pre-authorisation hold; it drops off your statement within 3-5 business days.",
        ),
        (
            "Can I get a VAT invoice for the {product}?",
            "Yes. Download it from Account > Billing > Invoices, or reply with your company details and we'll "
            "reissue it.",
        ),
        (
            "How do I change the card you bill for the {product}?",
            "Go to Account > Billing > Payment method, add the new card and mark it as default; the old card is "
            "removed automatically.",
        ),
        (
            "My invoice shows last year's price for the {product}. Is that right?",
            "No, that was a pricing-table error. We've issued a credit note for the difference to your account.",
        ),
    ),
    "Account access": (
        (
            "I never got the password reset email. What now?",
            "Check the spam folder first; reset links expire after 30 minutes, so request a fresh one and use it "
            "straight away.",
        ),
        (
            "How do I add a colleague from {department} to our account?",
            "An account owner can invite them under Settings > Team > Invite; they get an email to set a password.",
        ),
        (
            "My account is locked after too many login attempts.",
            "Accounts unlock automatically after 15 minutes; if it is still locked, we can unlock it once you "
            "confirm your registered email.",
        ),
        (
            "Can I change the email address I log in with?",
            "Yes, under Profile > Email. We send a confirmation link to the new address before the change applies.",
        ),
    ),
    "Bookings": (
        (
            "How far ahead can I book the {product}?",
            "Bookings open 8 weeks ahead at 9:00 each Monday; earlier requests go on the waiting list.",
        ),
        (
            "Can I move my {product} booking to another day?",
            "Yes, free of charge up to 24 hours before the slot, from the link in your confirmation email.",
        ),
        (
            "I booked the {product} twice by mistake. Can you cancel one?",
            "Yes. Reply with both booking references and we cancel the later one and refund it in full.",
        ),
    ),
    "Delivery": (
        (
            "Where is my order? The tracking page hasn't changed in three days.",
            "The courier scans parcels only at depots, so tracking can pause for up to 4 days; contact us if "
            "nothing changes after that.",
        ),
        (
            "Do you deliver to PO boxes?",
            "Only with the standard postal service; courier deliveries need a street address.",
        ),
        (
            "Can I change the delivery address after ordering?",
            "Yes, until the order is marked as packed. After that, ask the courier to redirect it from the "
            "tracking page.",
        ),
    ),
    "Refunds": (
        (
            "How long does a refund take to reach my card?",
            "Refunds are sent the day we approve them and usually show on your card within 5-10 business days.",
        ),
        (
            "Can I get a refund for the {product} if I cancel today?",
            "Yes, cancellations more than 48 hours ahead are refunded in full; later ones get a credit note.",
        ),
        (
            "I was refunded the wrong amount for the {product}.",
            "We recalculated it and sent the missing difference as a separate refund with the same reference.",
        ),
    ),
    "Technical issue": (
        (
            "The page freezes when I upload a file. How do I fix it?",
            "Uploads over 25 MB time out. Compress the file or split it, then try again in an up-to-date browser.",
        ),
        (
            "The app logs me out every few minutes.",
            "This was caused by a session bug in version 4.2; updating the app to the latest version fixes it.",
        ),
        (
            "I get an error 502 when I open my dashboard.",
            "That was a short outage on our side; it is fixed, and a hard refresh (Ctrl+Shift+R) clears the "
            "cached error page.",
        ),
    ),
    "Privacy & data": (
        (
            "How do I download all the data you hold about me?",
            "Request an export under Settings > Privacy; the download link arrives by email within 48 hours.",
        ),
        (
            "Please delete my account and everything in it.",
            "We delete accounts on request within 30 days; reply to confirm and we start the process.",
        ),
        (
            "Who at {org} can see my details?",
            "Only staff who need them to help you; access is logged and reviewed by our data protection lead.",
        ),
    ),
    "Opening hours": (
        (
            "Are you open on public holidays?",
            "We open 10:00-14:00 on most public holidays; the website banner lists exceptions.",
        ),
        (
            "What time does the {department} desk close on Fridays?",
            "The desk closes at 16:00 on Fridays; the phone line stays open until 17:00.",
        ),
        (
            "Can I come in before 9:00 to collect something?",
            "Early collections from 8:00 can be arranged if you email us the day before.",
        ),
    ),
}

SHIPS = ("retail", "restaurant", "manufacturing", "logistics", "media", "software")
"""Domains whose customers get parcels (the others get no "Delivery" category)."""

VARIANTS = (str.lower, str.upper, lambda text: f" {text}", lambda text: f"{text} ")


class FaqFromTickets(TaskFamily):
    """Turn a support-ticket export into an FAQ of the most common categories plus a stats file.

    **Request**: from a JSONL export of support tickets, write
    ``help_center/FAQ.md`` with one ``## <Category> (<n> tickets)`` section
    for each of the top K categories by ticket count (ties alphabetical),
    holding the question of that category's earliest ticket and its
    resolution as the answer, and ``help_center/faq_stats.json`` with the
    total, per-category counts and the ordered top list; the export stays
    untouched.

    **Workspace**: ``support/tickets_export.jsonl`` (id, created, category,
    channel, question, resolution, status), an export README, the previous
    FAQ (stale), unrelated files.

    **Checks**: both outputs exist; every top category's heading with its
    count, its earliest question and its resolution; the section order; no
    other ``##`` sections; the stats' total, per-category counts and top
    list; the export unchanged.

    **Hard**: tickets exported twice (same id, counted once), tickets closed
    as spam (skipped, some of them the earliest in their category),
    category labels with inconsistent case and spacing (canonical names in
    a list), more categories and tickets, and the duplicate and spam counts
    in the stats.

    **Rubric** (hybrid tasks): the FAQ reads as helpful and concise for customers.
    """

    name = "faq_from_tickets"
    scenario = Scenario.CONTENT_COMMUNICATION
    operations = (Operation.DATA_ANALYSIS, Operation.COMMUNICATION)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        domain = DOMAINS[persona.domain]
        fill = {"org": persona.org, "department": rng.choice(domain.departments)}
        products = rng.sample(domain.products, 3)
        offered = [name for name in CATEGORIES if name != "Delivery" or persona.domain in SHIPS]
        names = rng.sample(offered, rng.randint(6, 7) if b.hard else rng.randint(4, 6))
        top_k = rng.randint(3, 4) if b.hard else 3
        # Distinct counts around the cut so the top list never hinges on a tie, plus some ties elsewhere.
        counts = sorted(rng.sample(range(2, 12 if b.hard else 9), len(names)), reverse=True)
        counts = {name: count for name, count in zip(names, counts, strict=True)}
        if len(names) > top_k + 1 and rng.chance(0.5):
            counts[names[-1]] = counts[names[-2]]  # a tie below the cut, resolved alphabetically
        start = dt.datetime(rng.choice((2025, 2026)), rng.randint(1, 10), 1, 8, 0)
        span_minutes = 60 * 24 * 56
        offsets, minute = [], 0
        for _ in range(sum(counts.values())):
            minute += rng.randint(7, 2 * span_minutes // sum(counts.values()))
            offsets.append(minute)
        stamp_iter = iter(rng.shuffled(offsets))

        tickets = []
        for name in names:
            for _ in range(counts[name]):
                question, resolution = rng.choice(CATEGORIES[name])
                product = rng.choice(products)
                created = start + dt.timedelta(minutes=next(stamp_iter))
                tickets.append(
                    {
                        "category": name,
                        "created": created,
                        "question": question.format(**{**fill, "product": product}),
                        "resolution": resolution.format(**{**fill, "product": product}),
                        "status": "resolved",
                    }
                )
        spam: list[dict] = []
        if b.hard:
            # Spam tickets: several land earliest in a top category, so skipping them changes the FAQ.
            spam_lines = (
                "Cheap followers and likes, best price, visit our site!!!",
                "Congratulations, you have won a gift card. Click the link to claim.",
                "SEO services for {org}: first page of search results guaranteed.",
            )
            for index in range(rng.randint(2, 3)):
                name = names[index % top_k]
                first = min(t["created"] for t in tickets if t["category"] == name)
                spam.append(
                    {
                        "category": name,
                        "created": first - dt.timedelta(minutes=rng.randint(5, 600)),
                        "question": rng.choice(spam_lines).format(**fill),
                        "resolution": "Closed as spam.",
                        "status": "closed_spam",
                    }
                )
        everything = sorted(tickets + spam, key=lambda t: t["created"])
        number = rng.randint(4100, 8800)
        for ticket in everything:
            number += rng.randint(1, 4)  # other teams' tickets take the numbers in between
            ticket["id"] = f"T-{number}"
        channels = ("email", "chat", "web form", "phone")
        records = []
        for ticket in everything:
            label = ticket["category"]
            if b.hard and rng.chance(0.3):
                label = rng.choice(VARIANTS)(label)
            records.append(
                {
                    "id": ticket["id"],
                    "created": ticket["created"].strftime("%Y-%m-%dT%H:%M:00Z"),
                    "category": label,
                    "channel": rng.choice(channels),
                    "question": ticket["question"],
                    "resolution": ticket["resolution"],
                    "status": ticket["status"],
                }
            )
        duplicates = 0
        if b.hard:
            answered = [record for record in records if record["status"] == "resolved"]
            for record in rng.sample(answered, rng.randint(3, 5)):
                records.insert(records.index(record) + rng.randint(1, 4), dict(record))
                duplicates += 1
        export_path = "support/tickets_export.jsonl"
        export = jsonl_text(records)
        b.file(export_path, export)
        b.file(
            "support/README.md",
            f"# Support exports\n\n`tickets_export.jsonl` is the helpdesk export for {persona.org}, one ticket "
            "per line, oldest first. `created` is UTC. `status` is `resolved` for answered tickets"
            + (" and `closed_spam` for spam the helpdesk filtered out" if b.hard else "")
            + ".\n\nExported by the helpdesk's nightly job"
            + (" (it sometimes writes a ticket twice when the job retries)" if b.hard else "")
            + ".\n",
        )
        old_names = rng.sample(names, 2)
        b.file(
            "support/FAQ_2023.md",
            "# FAQ (2023, outdated)\n\n"
            + "".join(
                f"## {name}\n\n**Q:** {CATEGORIES[name][0][0].format(**{**fill, 'product': products[0]})}\n"
                f"**A:** Please call us.\n\n"
                for name in old_names
            ),
        )
        if b.hard:
            b.file(
                "support/categories.md",
                "# Ticket categories\n\nCanonical spellings (the helpdesk form lets agents type free text, so "
                "the export is inconsistent):\n\n" + "".join(f"- {name}\n" for name in sorted(names)),
            )
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["support/", "help_center/"])

        # -- ground truth -------------------------------------------------------------------------
        ranked = sorted(names, key=lambda name: (-counts[name], name))
        top = ranked[:top_k]
        earliest = {
            name: min((t for t in tickets if t["category"] == name), key=lambda t: t["created"]) for name in top
        }
        total = sum(counts.values())
        by_category = {name: counts[name] for name in sorted(names)}
        stats = {"total_tickets": total, "by_category": by_category, "top_categories": top}
        if b.hard:
            stats["duplicates_removed"] = duplicates
            stats["spam_skipped"] = len(spam)

        faq_path = "help_center/FAQ.md"
        stats_path = "help_center/faq_stats.json"
        heading = {name: f"{name} ({counts[name]} tickets)" for name in top}

        # -- request ------------------------------------------------------------------------------
        keys = "total_tickets, by_category (every category -> ticket count), top_categories (the FAQ's categories "
        keys += "in order)"
        if b.hard:
            keys += ", duplicates_removed and spam_skipped"
        format_spec = (
            f"one `## <Category> (<n> tickets)` section per category, for the {top_k} categories with the most "
            "tickets (most first, ties alphabetical), and no other `##` headings. In each section put the question "
            "from that category's earliest ticket as `**Q:** ...` and its resolution, word for word, as "
            "`**A:** ...`"
        )
        body = b.pick(
            [
                f"Our help center needs a proper FAQ and I'd like it to reflect what people actually ask. The "
                f"helpdesk export is {export_path}. Please write {faq_path} with {format_spec}. Also save the "
                f"numbers behind it in {stats_path} with keys {keys}. Don't modify the export.",
                f"Two deliverables from {export_path}, please:\n1. {faq_path}: {format_spec}.\n2. {stats_path} "
                f"with {keys}.\nThe export itself should stay exactly as it is.",
                f"can you build the FAQ from the tickets? source is {export_path}. I want {faq_path} — "
                f"{format_spec} — and a {stats_path} with {keys}. leave the export file alone.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: the export sometimes contains the same ticket twice (same id), which "
                "counts once; tickets with status closed_spam don't count at all; and category labels are typed "
                "inconsistently, so group them under the spellings in support/categories.md and use those "
                "spellings everywhere."
            )
        else:
            body += " Use the category names exactly as they appear in the export."
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(7 if b.hard else 5)

        # -- checks -------------------------------------------------------------------------------
        c = b.checks
        has_faq = c.file_exists("faq_written", faq_path)
        for index, name in enumerate(top, start=1):
            ticket = earliest[name]
            c.md_section(f"section_{index}_question", faq_path, heading[name], [ticket["question"]],
                         requires=[has_faq])  # fmt: skip
            c.md_section(f"section_{index}_answer", faq_path, heading[name], [ticket["resolution"]],
                         requires=[has_faq])  # fmt: skip
        order = r"[\s\S]*".join(rf"^##\s+{re.escape(heading[name])}\s*$" for name in top)
        c.text_regex("sections_in_order", faq_path, order, flags="im", requires=[has_faq])
        c.text_regex("only_top_sections", faq_path, r"^##\s", flags="m", min_count=top_k, max_count=top_k,
                     requires=[has_faq])  # fmt: skip
        has_stats = c.json_valid("stats_written", stats_path)
        c.json_equals("stats_total", stats_path, "/total_tickets", total, requires=[has_stats])
        c.json_equals("stats_by_category", stats_path, "/by_category", by_category, requires=[has_stats])
        c.json_equals("stats_top_categories", stats_path, "/top_categories", top, requires=[has_stats])
        if b.hard:
            c.json_equals("stats_duplicates", stats_path, "/duplicates_removed", duplicates, requires=[has_stats])
            c.json_equals("stats_spam", stats_path, "/spam_skipped", len(spam), requires=[has_stats])
        c.files_unchanged("export_unchanged", {export_path: export}, requires=[has_faq])

        # -- reference solution -------------------------------------------------------------------
        faq = f"# Frequently asked questions — {persona.org}\n\n"
        faq += "The questions our customers ask most, with the answers that solved them.\n\n"
        for name in top:
            faq += f"## {heading[name]}\n\n**Q:** {earliest[name]['question']}\n\n"
            faq += f"**A:** {earliest[name]['resolution']}\n\n"
        s = b.solution
        s.exec(f"ls support && head -3 {export_path} && wc -l {export_path}")
        if b.hard:
            s.read("support/categories.md")
        s.exec(
            "python3 - <<'EOF'\nimport json, collections\nseen = {}\nfor line in open('"
            + export_path
            + "'):\n    t = json.loads(line)\n    seen.setdefault(t['id'], t)\ncounts = collections.Counter()\n"
            "first = {}\nfor t in seen.values():\n    if t['status'] == 'closed_spam':\n        continue\n"
            "    cat = t['category'].strip()\n    counts[cat.lower()] += 1\n"
            "    if cat.lower() not in first or t['created'] < first[cat.lower()]['created']:\n"
            "        first[cat.lower()] = t\nfor cat, n in counts.most_common():\n"
            "    print(n, cat, '|', first[cat]['id'], first[cat]['question'])\nEOF"
        )
        s.write(faq_path, faq)
        s.write(stats_path, json_text(stats))

        # Near miss: the FAQ uses the latest ticket of the top category instead of the earliest.
        latest = max((t for t in tickets if t["category"] == top[0]), key=lambda t: t["created"])
        if latest["question"] == earliest[top[0]]["question"]:
            wrong_faq = faq.replace(f"## {heading[top[0]]}", f"## {top[0]} ({counts[top[0]] + 1} tickets)")
        else:
            wrong_faq = faq.replace(earliest[top[0]]["question"], latest["question"], 1)
        b.near_miss([*s.steps[:-2], {"name": "write", "arguments": {"path": faq_path, "content": wrong_faq}},
                     s.steps[-1]])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "answers_helpful",
                "Read as a customer: each FAQ entry answers the question directly, with the concrete step, place "
                "or time frame the customer needs, and the page is easy to scan.",
                {
                    "0": "Entries are missing, garbled or do not answer their questions.",
                    "0.25": "Some answers match their questions but the page is confusing.",
                    "0.5": "Answers are correct but the page is cluttered or hard to scan.",
                    "0.75": "Helpful and scannable with minor clutter.",
                    "1.0": "Every entry is immediately useful; the page is clean and easy to scan.",
                },
                weight=1.5,
            )
            b.rubric(
                "concise",
                "The FAQ is concise: no internal jargon, ticket ids, agent names or filler beyond a short "
                "introduction.",
                {
                    "0": "Mostly noise (raw ticket dumps, internal notes).",
                    "0.25": "Much unnecessary material.",
                    "0.5": "Some filler or internal detail.",
                    "0.75": "Nearly all content is useful.",
                    "1.0": "Tight and customer-facing throughout.",
                },
            )
