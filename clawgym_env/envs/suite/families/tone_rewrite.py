"""Tone rewrite: turn an angry draft reply into a constructive one that still says everything it must."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import date_add, iso, json_text, money_display, slug

__all__ = ["ToneRewrite"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Phrases that make a reply sound hostile, each with the sentence an annoyed writer would use it in;
# every draft uses several, and the request bans them.
BLAME = {
    "your fault": "Honestly, half of this is your fault.",
    "obviously": "Obviously we'll deal with {ref}, we always do.",
    "you should have": "You should have {should}.",
    "ridiculous": "This whole back-and-forth is ridiculous.",
    "as I already said": "As I already said, {ref} is on the list.",
    "not our problem": "The timing really is not our problem.",
    "for the last time": "For the last time, {ref} is being handled.",
    "frankly": "Frankly, I have better things to do this week.",
    "unacceptable": "Being chased like this is unacceptable.",
    "useless": "Another email about it is useless.",
    "calm down": "Please calm down.",
    "you people": "You people never read what we send.",
    "I told you": "I told you it would be sorted.",
    "no excuse": "There's no excuse for any of this.",
}

CUSTOMER_ISSUES = (
    ("charged twice", "I was charged twice for the {product}", "you were charged twice for the {product}"),
    ("old price", "I was billed the old price for the {product}", "you were billed the old price for the {product}"),
    (
        "cancelled",
        "I was billed for the {product} after I had cancelled it",
        "you were billed for the {product} after you had cancelled it",
    ),
)


def human_date(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {MONTHS[day.month - 1]} {day.day}"


def date_pattern(day: dt.date) -> str:
    """A regex matching ``day`` written as ISO, "March 14", "Mar 14th", "14 March" or "14th of March"."""
    month, short = MONTHS[day.month - 1], MONTHS[day.month - 1][:3]
    suffix = r"(?:st|nd|rd|th)?"
    names = rf"(?:{month}|{short}\.?|Sept\.?)" if day.month == 9 else rf"(?:{month}|{short}\.?)"
    return (
        rf"(?:{re.escape(iso(day))}|\b{names}\s+{day.day}{suffix}\b|\b{day.day}{suffix}\s+(?:of\s+)?{names}\b"
        rf"|\b{day.month}/{day.day}/{day.year}\b)"
    )


class ToneRewrite(TaskFamily):
    """Rewrite a blunt, angry draft reply into a constructive one that keeps the facts and a dated next step.

    **Request**: the user wrote an angry reply (to a customer about a billing
    mistake, to a supplier about an overcharged invoice, or to a colleague about a
    missed handover) and wants it rewritten into a new file: a greeting with
    the recipient's first name, the exact reference number, a concrete next
    step with its date from the context files, a stated detail (refund
    or credit amount, project name), "thank you" (and an apology, to
    customers), no phrase from the banned list, under a word
    limit; the original draft stays as it is.

    **Workspace**: the angry draft in ``drafts/``, the thread or ticket it
    answers (with dates and the agreed next step), a record with the
    reference number and amounts (invoice JSON, purchase order JSON or ticket
    Markdown), and unrelated files.

    **Checks**: the new reply exists, greets the recipient by first name,
    holds the reference number, the next-step date (any common date
    spelling), the detail, "thank you" (and an apology where asked); none of
    the banned phrases; the word limit; the original draft unchanged.

    **Hard**: the banned list lives in a tone guide file and is longer, the
    thread corrects the next-step date later on (only the new date may
    appear), the draft names a teammate who must not be named in the reply,
    and the word limit is tighter.

    **Rubric** (hybrid tasks): tone, empathy, clarity of the rewritten reply.
    """

    name = "tone_rewrite"
    scenario = Scenario.CONTENT_COMMUNICATION
    operations = (Operation.COMMUNICATION, Operation.FILE_CONTENT)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        domain = DOMAINS[persona.domain]
        me_first = persona.name.split()[0]
        kinds = ("vendor",) if persona.domain == "household" else ("customer", "vendor", "colleague")
        kind = rng.choice(kinds)
        today = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 20))
        teammates = [name for name in persona.team if name != persona.name]
        culprit = rng.choice(teammates)
        ours = {part for name in (*persona.team, persona.name) for part in name.split()}

        def outsider() -> str:
            while True:
                name = b.pools.person(rng)
                if not ours.intersection(name.split()):
                    return name

        banned = rng.sample(list(BLAME), 8 if b.hard else 5)

        def angry(fact: str, blame_teammate: str, should: str) -> str:
            lines = [BLAME[phrase].format(ref=ref, should=should) for phrase in banned[:4]]
            lines.insert(1, blame_teammate)
            return f"{recipient.split()[0]},\n\n{fact} " + " ".join(lines) + f"\n\n{me_first}\n"

        # -- the situation ---------------------------------------------------------------------
        files: dict[str, str] = {}
        if kind == "customer":
            recipient = outsider()
            product = rng.choice(domain.products)
            ref = f"INV-{rng.randint(20000, 89999)}"
            issue_key, their_issue, our_issue = rng.choice(CUSTOMER_ISSUES)
            amount = rng.money(18, 380)
            next_day = date_add(today, rng.randint(3, 8))
            old_day = date_add(today, rng.randint(10, 14))
            issue = our_issue.format(product=product)
            detail_value = money_display(amount)
            detail_pattern = rf"\$?\s?{re.escape(f'{amount:,.2f}')}|\$?\s?{re.escape(f'{amount:.2f}')}"
            detail_text = f"the refund amount ({detail_value} — write it with cents)"
            step_text = f"the refund reaching their card on {human_date(next_day)}"
            record_path = f"billing/invoices/{ref}.json"
            thread_path = f"billing/threads/{ref}_thread.txt"
            files[record_path] = json_text(
                {
                    "invoice": ref,
                    "customer": recipient,
                    "customer_email": b.pools.email(recipient, rng.choice(("gmail.com", "outlook.com", "proton.me"))),
                    "issued": iso(date_add(today, -rng.randint(9, 20))),
                    "lines": [{"description": product, "amount": amount}],
                    "issue": issue_key,
                    "refund": {
                        "amount": amount,
                        "approved_by": culprit,
                        "expected_on_card": iso(old_day if b.hard else next_day),
                    },
                }
            )
            messages = [
                (
                    recipient,
                    date_add(today, -3),
                    f"Hello, I'm writing about invoice {ref}. Looking at my statement, "
                    f"{their_issue.format(product=product)}. That's "
                    f"{money_display(amount)} I shouldn't have paid. Can someone please sort this out?",
                ),
                (
                    recipient,
                    date_add(today, -1),
                    f"Second email about {ref}. Nobody has replied and I'd like to know when I get my "
                    f"{money_display(amount)} back.",
                ),
                (
                    culprit,
                    today,
                    f"(internal note) Refund of {money_display(amount)} for {ref} approved; the bank says it reaches "
                    f"the card on {iso(old_day if b.hard else next_day)}.",
                ),
            ]
            if b.hard:
                messages.append(
                    (
                        culprit,
                        today,
                        f"(internal note) Correction: the bank moved it up, the refund for {ref} now reaches the card "
                        f"on {iso(next_day)}, not {iso(old_day)}.",
                    )
                )
            draft = angry(
                f"We got your emails about {ref}.",
                f"{culprit.split()[0]} pressed the wrong button on the refund screen, that's all.",
                "checked the invoice before paying it",
            )
            situation = f"the customer who complained about invoice {ref}"
            apology = True
        elif kind == "vendor":
            vendor = rng.choice(domain.vendors)
            recipient = outsider()
            ref = f"PO-{today.year}-{rng.randint(100, 999):04d}"
            quoted = rng.money(400, 2600, cents=False)
            amount = rng.money(45, 380)
            billed = round(quoted + amount, 2)
            next_day = date_add(today, rng.randint(4, 9))
            old_day = date_add(today, rng.randint(11, 15))
            detail_value = money_display(amount)
            detail_pattern = rf"\$?\s?{re.escape(f'{amount:,.2f}')}|\$?\s?{re.escape(f'{amount:.2f}')}"
            detail_text = f"the credit amount ({detail_value}, with cents)"
            step_text = f"the credit note arriving on {human_date(next_day)}"
            record_path = f"purchasing/{slug(vendor, separator='-')}/{ref}.json"
            thread_path = f"purchasing/{slug(vendor, separator='-')}/email_thread.txt"
            files[record_path] = json_text(
                {
                    "po": ref,
                    "vendor": vendor,
                    "vendor_contact": recipient,
                    "quoted_total": quoted,
                    "invoiced_total": billed,
                    "difference": amount,
                    "raised_on": iso(date_add(today, -rng.randint(14, 30))),
                    "checked_by": culprit,
                }
            )
            messages = [
                (
                    culprit,
                    date_add(today, -4),
                    f"Hi {recipient.split()[0]}, your invoice for {ref} came to {money_display(billed)}, but the "
                    f"quote we signed was {money_display(quoted)}. Can you check?",
                ),
                (
                    recipient,
                    date_add(today, -2),
                    f"You're right, our system applied last year's rates to {ref}. We'll issue a credit note for "
                    f"{money_display(amount)} on {iso(old_day if b.hard else next_day)}.",
                ),
            ]
            if b.hard:
                messages.append(
                    (
                        recipient,
                        today,
                        f"Quick update: accounts can issue the {money_display(amount)} credit note for {ref} on "
                        f"{iso(next_day)} instead of {iso(old_day)}.",
                    )
                )
            draft = angry(
                f"We signed a quote for {money_display(quoted)} and you billed {money_display(billed)} for {ref}.",
                f"{culprit.split()[0]} had to go through every line by hand because of it.",
                "checked your rates before sending the invoice",
            )
            situation = f"{vendor} about purchase order {ref}"
            apology = False
        else:
            project = rng.choice(domain.projects)
            recipient = rng.choice([n for n in teammates if n.split()[0] != culprit.split()[0]])
            key = "".join(word[0] for word in re.findall(r"[A-Za-z]+", project)).upper()
            key = (key + "OPS")[:4] if len(key) < 2 else key[:4]
            ref = f"{key}-{rng.randint(100, 1999)}"
            next_day = date_add(today, rng.randint(2, 7))
            old_day = date_add(today, rng.randint(9, 13))
            detail_value = project
            detail_pattern = re.escape(project)
            detail_text = f"the project name ({project})"
            step_text = f"the handover review on {human_date(next_day)}"
            record_path = f"tickets/{ref}.md"
            thread_path = f"tickets/{ref}_comments.txt"
            files[record_path] = (
                f"# {ref}: Handover pack for {project}\n\n"
                f"- Assignee: {recipient}\n- Reporter: {persona.name}\n- Status: Overdue\n"
                f"- Original due date: {iso(date_add(today, -3))}\n\n"
                f"## Description\n\nCollect the open items, contacts and decisions for {project} so the next "
                "phase can start without surprises.\n"
            )
            messages = [
                (
                    persona.name,
                    date_add(today, -3),
                    f"{ref} was due today. Is the handover pack for {project} coming?",
                ),
                (
                    recipient,
                    date_add(today, -1),
                    f"Sorry, got pulled into another fire. I can walk everyone through the handover at a review "
                    f"session on {iso(old_day if b.hard else next_day)} if that works.",
                ),
            ]
            if b.hard:
                messages.append(
                    (
                        culprit,
                        today,
                        f"Moved the handover review for {ref} to {iso(next_day)} (the room was double-booked on "
                        f"{iso(old_day)}).",
                    )
                )
            draft = angry(
                f"{ref} was due three days ago and the {project} handover pack still isn't there.",
                f"{culprit.split()[0]} is now blocked as well.",
                "told me you were swamped before the deadline",
            )
            situation = f"{recipient.split()[0]} about the overdue ticket {ref}"
            apology = False

        first = recipient.split()[0]
        draft_path = f"drafts/reply_to_{slug(first)}.txt"
        out_path = f"drafts/reply_to_{slug(first)}_rewrite.txt"
        thread = "\n".join(f"From: {who}\nDate: {iso(day)}\n\n{text}\n\n-----\n" for who, day, text in messages).rstrip(
            "-\n "
        )
        files[thread_path] = thread + "\n"
        files[draft_path] = draft
        guide_path = "comms/tone_guide.md"
        if b.hard:
            files[guide_path] = (
                f"# How we write at {persona.org}\n\n"
                "Short, warm, specific. Own the problem, give a date, say thank you.\n\n"
                "## Never write\n\n" + "".join(f"- {phrase}\n" for phrase in banned) + "\n"
                "## Sign-off\n\nFirst name only.\n"
            )
        for path, content in files.items():
            b.file(path, content)
        b.add_distractors(
            rng.randint(3, 6) if b.hard else rng.randint(1, 3),
            avoid=["drafts/", "comms/"],
            exclude_kinds=("draft_email",),
        )
        limit = rng.choice((110, 130)) if b.hard else rng.choice((140, 160, 180))

        # -- the request -----------------------------------------------------------------------------
        banned_list = ", ".join(f'"{phrase}"' for phrase in banned)
        must = [
            f"start with a greeting that uses {first}'s first name",
            f"include the reference {ref} exactly as written",
            f"give the concrete next step — {step_text.split(' on ')[0]} — with its actual date, as in the "
            f"{'thread' if kind != 'colleague' else 'ticket comments'} (a date like {iso(date_add(today, 40))} or "
            f"{MONTHS[date_add(today, 40).month - 1]} {date_add(today, 40).day}, not just a weekday)",
            f"mention {detail_text}",
            'say "thank you"' + (" and apologise for the mix-up" if apology else ""),
            f"stay under {limit} words",
        ]
        banned_rule = (
            f'nothing from the "Never write" list in {guide_path}'
            if b.hard
            else f"none of these phrases: {banned_list}"
        )
        must.insert(5, banned_rule)
        body = b.pick(
            [
                f"I wrote a reply to {situation} while I was annoyed, and it shows: it's in {draft_path}. Please "
                f"rewrite it into {out_path} so it's calm and constructive. It has to "
                + "; ".join(must[:-1])
                + f"; and {must[-1]}. The context is in {thread_path} and {record_path}. Leave my original "
                "draft as it is.",
                f"Can you turn my angry draft ({draft_path}) into something I can actually send to {situation}? "
                f"Write the new version to {out_path} and keep {draft_path} untouched. Checklist:\n"
                + "\n".join(f"{index + 1}. {item[:1].upper() + item[1:]}." for index, item in enumerate(must))
                + f"\n\nBackground is in {thread_path} and {record_path}.",
                f"ok so I drafted {draft_path} for {situation} and it's way too harsh. new version please, in "
                f"{out_path} (don't overwrite the draft). needs to: "
                + ", ".join(must)
                + f". everything you need is in {thread_path} and {record_path}.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: the thread has a later update that changes the date, so only give "
                f"the current date and don't repeat the old one. And leave {culprit} out of it entirely (neither "
                "first nor last name): this isn't about who made the mistake."
            )
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(9 if b.hard else 7)

        # -- checks ----------------------------------------------------------------------------------
        c = b.checks
        has = c.file_exists("rewrite_written", out_path)
        c.text_regex("greets_recipient_by_name", out_path, rf"\A\s*[^\n]*\b{re.escape(first)}\b", requires=[has])
        c.text_contains("reference_number_included", out_path, [ref], requires=[has])
        c.text_regex("next_step_date_included", out_path, date_pattern(next_day), flags="i", requires=[has])
        c.text_regex("detail_included", out_path, detail_pattern, flags="i", requires=[has])
        c.text_contains("thanks_included", out_path, ["thank you"], ignore_case=True, requires=[has])
        if apology:
            c.text_regex("apology_included", out_path, r"sorry|apologi[sz]", flags="i", requires=[has])
        c.text_absent("no_banned_phrases", out_path, banned, ignore_case=True, requires=[has])
        c.word_count("under_word_limit", out_path, min=25, max=limit - 1, requires=[has])
        if b.hard:
            c.text_regex("stale_date_not_given", out_path, date_pattern(old_day), flags="i", min_count=0,
                         max_count=0, requires=[has])  # fmt: skip
            shared = {*persona.name.split(), *recipient.split()}
            names = "|".join(re.escape(p) for p in culprit.split() if p[:1].isupper() and p not in shared)
            names = names or re.escape(culprit.split()[0])
            c.text_regex("teammate_not_named", out_path, rf"\b(?:{names})\b", min_count=0, max_count=0,
                         requires=[has])  # fmt: skip
        c.files_unchanged("original_draft_kept", {draft_path: draft}, requires=[has])

        # -- reference solution ----------------------------------------------------------------------
        when = f"{human_date(next_day)} ({iso(next_day)})"
        if kind == "customer":
            middle = (
                f"I'm sorry about invoice {ref}: {issue}, and you should not have had to chase us twice. We have "
                f"refunded {detail_value}, and it will be back on your card on {when}. If it hasn't arrived by "
                "then, reply to this email and I'll follow it up with the bank myself."
            )
            opener = f"Hi {first},\n\nThank you for your patience and for flagging this."
        elif kind == "vendor":
            middle = (
                f"Thanks for looking into {ref} and finding the rate problem. We'll expect the credit note for "
                f"{detail_value} on {when}. Could you send it to our accounts inbox and copy me, so we can match it "
                "against the invoice straight away?"
            )
            opener = f"Hi {first},\n\nThank you for getting back to us so quickly."
        else:
            middle = (
                f"I know {ref} slipped because you were pulled onto something urgent. Let's use the handover "
                f"review on {when} to go through the {project} pack together. If anything is blocking you before "
                "then, tell me and I'll help clear it."
            )
            opener = f"Hi {first},\n\nThank you for the update, and for offering to walk us through it."
        reply = f"{opener}\n\n{middle}\n\nThanks again,\n{me_first}\n"

        s = b.solution
        s.exec(f"cat {draft_path} && ls {thread_path.rsplit('/', 1)[0]}")
        s.read(thread_path)
        s.read(record_path)
        if b.hard:
            s.read(guide_path)
        s.write(out_path, reply)

        # Near miss: a reply that keeps one of the banned phrases and forgets the thank-you.
        slip = f"Hi {first},\n\n{banned[-1].capitalize()}, this took too long.\n\n{middle}\n\n{me_first}\n"
        b.near_miss([*s.steps[:-1], {"name": "write", "arguments": {"path": out_path, "content": slip}}])

        if b.hybrid:
            b.rubric(
                "constructive_tone",
                f"The rewrite sounds like {persona.name} at their professional best: calm, courteous and "
                "solution-focused, with no sarcasm, blame or passive aggression left over from the draft.",
                {
                    "0": "Still hostile, sarcastic or blaming.",
                    "0.25": "Less hostile but still curt or passive-aggressive in places.",
                    "0.5": "Neutral and polite but stiff or template-like.",
                    "0.75": "Warm and professional with a small lapse.",
                    "1.0": "Consistently warm, calm and professional; a reader would feel respected.",
                },
                weight=2.0,
            )
            b.rubric(
                "empathy",
                f"The reply acknowledges {first}'s situation and frustration (or effort) sincerely and takes "
                "appropriate ownership, without grovelling.",
                {
                    "0": "No acknowledgement of the other person at all.",
                    "0.25": "A token acknowledgement that feels scripted.",
                    "0.5": "Acknowledges the problem but not the person.",
                    "0.75": "Sincere acknowledgement with minor gaps.",
                    "1.0": "Genuinely empathetic and appropriately accountable.",
                },
            )
            b.rubric(
                "clarity",
                "The reply is easy to act on: the reference, what happens next and when are obvious at a glance, "
                "and there is no filler.",
                {
                    "0": "The next step cannot be found.",
                    "0.25": "The facts are there but buried or contradictory.",
                    "0.5": "Understandable but wordy or disorganised.",
                    "0.75": "Clear with minor friction.",
                    "1.0": "Short, ordered and unambiguous.",
                },
            )
