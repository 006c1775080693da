"""Invoice follow-up: find overdue invoices as of a date and draft one reminder per client."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text, money, money_display, slug

__all__ = ["InvoiceFollowup"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
COLUMNS = ["invoice_id", "client", "due_date", "amount_due", "days_overdue"]
METHODS = ("ACH", "wire", "card", "check")


def _long_date(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _issuer(b: TaskBuilder) -> str:
    """Who sends the invoices: the persona's organisation, or their freelance work for a household persona."""
    return f"{b.persona.name} (freelance)" if b.persona.domain == "household" else b.persona.org


def _signature(b: TaskBuilder) -> str:
    if b.persona.domain == "household":
        return "Freelance projects & consulting"
    return f"{b.persona.role[:1].upper()}{b.persona.role[1:]}, {b.persona.org}"


class InvoiceFollowup(TaskFamily):
    """List the invoices overdue as of a given date and draft a reminder email to each client that owes money.

    **Request**: as of a date stated in the request, the user wants
    ``billing/overdue_<date>.csv`` (invoice_id, client, due_date,
    amount_due, days_overdue) sorted by days overdue (most first, ties by
    invoice id) and one draft per client with overdue invoices,
    ``drafts/reminder-<client-slug>.txt``, starting with a ``To:`` line for
    the client's billing contact, naming each overdue invoice id and a
    ``Total due:`` line; no drafts for other clients.

    **Workspace**: ``billing/invoices.json`` (id, client, issued, due,
    amount, description), ``billing/payments.csv`` (full, partial and
    split payments), ``billing/clients.csv`` (contact and email), a
    README on payment terms, unrelated files.

    **Checks**: the CSV header, exact rows in order, the set of overdue ids,
    the amounts due; the drafts folder holds exactly the right files; each
    draft's recipient, invoice ids, total, and that it names no other
    client's invoices; inputs unchanged.

    **Hard**: more clients and invoices; payments identify invoices only in
    a free-text memo written in several styles; a payment dated after the
    as-of date (does not count); a disputed invoice to leave out; an
    invoice paid in two instalments.

    **Rubric** (hybrid tasks): each reminder is polite, firm and clear.
    """

    name = "invoice_followup"
    scenario = Scenario.OFFICE_DAILY
    operations = (Operation.DATA_ANALYSIS, Operation.COMMUNICATION)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        as_of = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        n_clients = rng.randint(5, 6) if hard else rng.randint(4, 5)
        clients: list[str] = []
        while len(clients) < n_clients:
            name = b.pools.company(rng)
            # Names with "&" would make the draft file name ambiguous (and/-), so they are not clients here.
            if name not in clients and name != b.persona.org and "&" not in name:
                clients.append(name)
        n_overdue_clients = rng.randint(3, 4) if hard else rng.randint(2, 3)
        overdue_clients = clients[:n_overdue_clients]
        contacts = {client: b.pools.person(rng) for client in clients}
        emails = {}
        for client in clients:
            web = f"{slug(client, separator='')}.com"
            emails[client] = rng.choice((b.pools.email(contacts[client], web), f"ap@{web}", f"accounts@{web}"))

        next_id = rng.randint(1100, 8800)
        invoices: list[dict] = []
        payments: list[dict] = []

        def invoice(client: str, kind: str) -> dict:
            nonlocal next_id
            next_id += rng.randint(1, 4)
            terms = rng.choice((14, 30, 30, 45))
            if kind in ("unpaid", "partial", "late_payment", "disputed"):
                due = date_add(as_of, -rng.randint(3, 95))
            elif kind == "paid":
                due = date_add(as_of, rng.randint(-80, min(10, terms - 5)))
            else:  # not yet due
                due = date_add(as_of, rng.randint(0, terms - 5))
            issued = date_add(due, -terms)
            amount = rng.money(180, 4800) if rng.chance(0.8) else float(rng.randint(4, 60) * 50)
            record = {
                "id": f"INV-{next_id}",
                "client": client,
                "issued": iso(issued),
                "due": iso(due),
                "amount": amount,
                "description": f"{rng.choice(domain.products).capitalize()} — {rng.choice(domain.projects)}",
                "kind": kind,
                "paid": 0.0,
            }
            invoices.append(record)
            return record

        def pay(record: dict, amount: float, day: dt.date) -> None:
            payments.append({"date": day, "invoice": record["id"], "client": record["client"], "amount": amount})
            record["paid"] = round(record["paid"] + amount, 2)

        for client in clients:
            kinds: list[str] = []
            if client in overdue_clients:
                kinds += [rng.choice(("unpaid", "unpaid", "partial"))]
                if rng.chance(0.45):
                    kinds.append(rng.choice(("unpaid", "partial")))
            kinds += [rng.choice(("paid", "paid", "not_due")) for _ in range(rng.randint(1, 2))]
            if client not in overdue_clients and "not_due" not in kinds and rng.chance(0.5):
                kinds.append("not_due")
            for kind in kinds:
                record = invoice(client, kind)
                due = dt.date.fromisoformat(record["due"])
                if kind == "partial":
                    part = round(record["amount"] * rng.choice((0.25, 0.4, 0.5, 0.6)), 2)
                    pay(record, part, min(date_add(due, rng.randint(-5, 2)), date_add(as_of, -1)))
                elif kind == "paid":
                    issued = dt.date.fromisoformat(record["issued"])
                    day = min(date_add(due, rng.randint(-10, 6)), date_add(as_of, -1))
                    pay(record, record["amount"], max(day, date_add(issued, 1)))
                elif kind == "not_due" and rng.chance(0.3):
                    pay(record, round(record["amount"] / 2, 2), date_add(as_of, -rng.randint(1, 5)))
        if hard:
            # A disputed overdue invoice, a payment that arrives after the as-of date, a split payment.
            invoice(overdue_clients[-1], "disputed")
            late = invoice(rng.choice(overdue_clients), "late_payment")
            pay(late, late["amount"], date_add(as_of, rng.randint(1, 4)))
            late["paid"] = 0.0
            split = invoice(rng.choice(clients[n_overdue_clients:]), "paid")
            first = round(split["amount"] * 0.5, 2)
            due = dt.date.fromisoformat(split["due"])
            pay(split, first, max(min(date_add(due, -3), date_add(as_of, -2)), date_add(due, -10)))
            pay(split, round(split["amount"] - first, 2), date_add(as_of, -1))
            split["kind"] = "split"
        invoices.sort(key=lambda record: record["id"])
        payments.sort(key=lambda p: (p["date"], p["invoice"]))

        # Files.
        invoice_json = [
            {k: record[k] for k in ("id", "client", "issued", "due", "amount", "description")}
            | ({"status": "disputed"} if record["kind"] == "disputed" else {})
            for record in invoices
        ]
        invoices_text = json_text({"currency": "USD", "invoices": invoice_json})
        if hard:
            pay_rows = [["date", "payer", "amount", "method", "memo"]]
            for p in payments:
                number = p["invoice"].split("-")[1]
                memo = rng.choice((f"{p['invoice']}", f"inv{number}", f"Invoice {number}", f"#{number} thanks",
                                   f"payment ref {p['invoice'].lower()}"))  # fmt: skip
                pay_rows.append([iso(p["date"]), p["client"], money(p["amount"]), rng.choice(METHODS), memo])
        else:
            pay_rows = [["date", "invoice_id", "amount", "method"]]
            for p in payments:
                pay_rows.append([iso(p["date"]), p["invoice"], money(p["amount"]), rng.choice(METHODS)])
        payments_text = csv_text(pay_rows)
        clients_text = csv_text([["client", "billing_contact", "email"]] + [
            [client, contacts[client], emails[client]] for client in sorted(clients)])  # fmt: skip
        readme = (
            f"# Billing — {_issuer(b)}\n\n"
            "invoices.json is exported from the invoicing tool; payments.csv from the bank feed.\n"
            "An invoice is settled when its payments add up to its amount. Partial payments happen.\n"
            f"Reminders go to the billing contact in clients.csv and are signed by {b.persona.name}.\n"
        )
        b.file("billing/invoices.json", invoices_text)
        b.file("billing/payments.csv", payments_text)
        b.file("billing/clients.csv", clients_text)
        b.file("billing/README.md", readme)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["billing/", "drafts/"],
            exclude_kinds=("invoice_html",),
        )

        # Ground truth.
        overdue = []
        for record in invoices:
            due = dt.date.fromisoformat(record["due"])
            remaining = round(record["amount"] - record["paid"], 2)
            if record["kind"] == "disputed" or due >= as_of or remaining <= 0.004:
                continue
            overdue.append({**record, "remaining": remaining, "days": (as_of - due).days})
        overdue.sort(key=lambda record: (-record["days"], record["id"]))
        rows = [[r["id"], r["client"], r["due"], money(r["remaining"]), r["days"]] for r in overdue]
        owing = sorted({r["client"] for r in overdue})
        out_csv = f"billing/overdue_{iso(as_of)}.csv"

        body = b.pick(
            [
                f"Can you chase our late payers? As of {_long_date(as_of)}, I need every overdue invoice (due date "
                "before that day and not fully paid) in "
                f"{out_csv} with the columns {', '.join(COLUMNS)}, where amount_due is what's still unpaid and "
                "days_overdue counts days since the due date; most overdue first, ties by invoice id. Then draft one "
                "reminder per client who owes us, drafts/reminder-<client>.txt with the client name in lowercase "
                "and hyphens (e.g. drafts/reminder-example-co.txt for Example Co.). Each draft starts with a `To:` "
                "line with their billing contact's email from billing/clients.csv, names each overdue invoice id, "
                "and has a line `Total due: $X` with the total they owe on those invoices. No drafts for clients "
                "who are up to date.",
                f"Overdue run for {iso(as_of)}, please:\n"
                f"1. {out_csv}: {', '.join(COLUMNS)} — one row per invoice whose due date is before "
                f"{iso(as_of)} and that isn't fully paid (amount_due = amount minus payments). Sort by days_overdue, "
                "highest first; ties by invoice_id.\n"
                "2. One reminder email per client with overdue invoices, saved as drafts/reminder-<client name "
                "lowercased, words joined with hyphens>.txt (Example Co. -> drafts/reminder-example-co.txt). First "
                "line `To: <billing contact email>` (see billing/clients.csv); mention every overdue invoice id of "
                "theirs and include a line `Total due: $X`. Clients who don't owe anything get nothing.",
                "Money's tight this month and some clients are late. Everything is in billing/ (invoices.json, "
                f"payments.csv, clients.csv). Taking {_long_date(as_of)} as today, could you put the overdue invoices "
                f"in {out_csv} ({','.join(COLUMNS)}; overdue = due before today and not fully paid; amount_due is "
                "the unpaid part; worst first by days_overdue, then invoice id), and write me a reminder for each "
                "client that owes us something? One file each, drafts/reminder-<client slug>.txt (lowercase, "
                "hyphens: Example Co. becomes reminder-example-co.txt), first line `To: <their billing email>`, "
                "listing their overdue invoice ids, with a `Total due: $X` line. Don't write to anyone who's paid up.",
            ]
        )
        notes = [f"Sign the emails as me ({b.persona.name}); amounts in the CSV as plain numbers with two decimals."]
        if hard:
            notes += [
                f"Only payments received on or before {iso(as_of)} count; anything later hasn't cleared yet.",
                "The bank feed only has a free-text memo; the invoice number is in there in various styles.",
                "Leave disputed invoices out of the list and the emails; I'm handling those by phone.",
            ]
        body += "\n\nA few things to watch:\n" + "\n".join(f"- {note}" for note in notes)
        if b.persona.domain == "household":
            body = "This is for my freelance side work, not the house stuff. " + body
        b.instruct(body[:1].upper() + body[1:])
        b.steps(5 if hard else 4)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        has_csv = c.csv_header("overdue_header", out_csv, COLUMNS, ignore_case=True)
        c.csv_rows("overdue_rows_exact", out_csv, rows, tolerance=0.005, requires=[has_csv])
        c.csv_column("overdue_ids_correct", out_csv, "invoice_id", [r[0] for r in rows], ordered=False,
                     ignore_case=True, requires=[has_csv])  # fmt: skip
        c.csv_column("amounts_due_correct", out_csv, "amount_due", [r[3] for r in rows], ordered=False,
                     tolerance=0.005, requires=[has_csv])  # fmt: skip
        c.csv_column("days_overdue_correct", out_csv, "days_overdue", [r[4] for r in rows], ordered=False,
                     requires=[has_csv])  # fmt: skip
        draft_names = [f"reminder-{slug(client, separator='-')}.txt" for client in owing]
        c.dir_files("drafts_for_exactly_the_late_clients", "drafts", draft_names)
        drafts: dict[str, str] = {}
        for client, file_name in zip(owing, draft_names, strict=True):
            path = f"drafts/{file_name}"
            key = slug(client)
            mine = [r for r in overdue if r["client"] == client]
            others = [r["id"] for r in invoices if r["client"] != client]
            total = round(sum(r["remaining"] for r in mine), 2)
            has = c.file_exists(f"draft_{key}_written", path)
            c.text_regex(f"draft_{key}_to_contact", path, rf"\A\s*To:[^\n]*{re.escape(emails[client])}",
                         flags="im", requires=[has])  # fmt: skip
            c.text_contains(f"draft_{key}_names_invoices", path, [r["id"] for r in mine], ignore_case=True,
                            requires=[has])  # fmt: skip
            c.number_near(f"draft_{key}_total_due", path, r"total due:\s*(?:USD\s*)?\$?\s*([\d,]+(?:\.\d+)?)", total,
                          tolerance=0.005, requires=[has])  # fmt: skip
            c.text_absent(f"draft_{key}_only_their_invoices", path, others, ignore_case=True, requires=[has])
            drafts[path] = self._email(b, client, contacts[client], emails[client], mine, total, as_of)
        c.files_unchanged("billing_inputs_unchanged", {"billing/invoices.json": invoices_text,
                          "billing/payments.csv": payments_text, "billing/clients.csv": clients_text},
                          requires=[has_csv])  # fmt: skip

        # Reference solution.
        s = b.solution
        s.exec("ls billing && cat billing/README.md billing/clients.csv")
        s.read("billing/invoices.json")
        s.exec("cat billing/payments.csv")
        s.write(out_csv, csv_text([COLUMNS, *rows]))
        for path, text in drafts.items():
            s.write(path, text)

        # Near miss: the partial payments were ignored (full invoice amounts shown as due).
        wrong_rows = [[r["id"], r["client"], r["due"], money(r["amount"]), r["days"]] for r in overdue]
        if wrong_rows == rows:
            wrong_rows = rows[1:]
        b.near_miss([*s.steps[:3], {"name": "write", "arguments": {"path": out_csv,
                     "content": csv_text([COLUMNS, *wrong_rows])}}, *s.steps[4:]])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "reminder_polite_and_firm",
                "Each reminder is courteous and professional while being unambiguous that payment is overdue and "
                "expected: it asks for payment by a clear time or a reply, without threats, guilt or grovelling.",
                {
                    "0": "Rude, threatening, or does not actually ask for payment.",
                    "0.25": "Either aggressive or so apologetic that the request gets lost.",
                    "0.5": "Polite but vague about what is expected, or firm but cold.",
                    "0.75": "Polite and firm with minor lapses in tone.",
                    "1.0": "Warm, respectful and clearly firm about payment and next steps.",
                },
                weight=2.0,
            )
            b.rubric(
                "reminder_clear",
                "A busy accounts-payable contact can see at a glance which invoices are late, how much is owed and "
                "what to do next (how to pay or whom to contact).",
                {
                    "0": "Confusing or missing the essentials.",
                    "0.25": "Essentials present but buried or inconsistent.",
                    "0.5": "Understandable but cluttered or wordy.",
                    "0.75": "Clear, with small friction.",
                    "1.0": "Immediately clear, well structured and concise.",
                },
            )

    @staticmethod
    def _email(b: TaskBuilder, client: str, contact: str, email: str, mine: list[dict], total: float,
               as_of: dt.date) -> str:  # fmt: skip
        first = contact.split()[0]
        plural = len(mine) > 1
        lines = [
            f"To: {email}",
            f"Subject: Overdue invoice{'s' if plural else ''} from {_issuer(b)} — {money_display(total)} outstanding",
            "",
            f"Dear {first},",
            "",
            f"I hope all is well at {client}. According to our records, the following "
            f"invoice{'s are' if plural else ' is'} past due as of {_long_date(as_of)}:",
            "",
        ]
        for record in mine:
            extra = ""
            if record["paid"] > 0:
                extra = f", after your partial payment of {money_display(record['paid'])}"
            lines.append(
                f"- {record['id']} (due {record['due']}): {money_display(record['remaining'])} outstanding{extra}"
            )
        lines += [
            "",
            f"Total due: {money_display(total)}",
            "",
            "Could you arrange payment within the next 7 days, or let me know if there is anything on your side "
            "that is holding it up? If the payment is already on its way, please disregard this note, and thank "
            "you.",
            "",
            "Kind regards,",
            b.persona.name,
            _signature(b),
        ]
        return "\n".join(lines) + "\n"
