"""Loan schedule: build an amortisation table from a loan's terms, with extra payments, and summarise it."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, json_text, money_display

__all__ = ["LoanSchedule"]

LENDERS = ("Harbour Credit Union", "Northgate Bank", "Fairway Finance", "Summit Business Lending",
           "Oakridge Savings", "Bluewater Community Bank", "Kestrel Capital")  # fmt: skip
PURPOSES = {
    "household": ("car loan", "home renovation loan", "solar panel loan"),
    "restaurant": ("kitchen equipment loan", "fit-out loan"),
    "construction": ("excavator finance", "site van finance"),
    "logistics": ("van finance", "forklift finance"),
    "manufacturing": ("CNC machine loan", "equipment loan"),
    "healthcare": ("imaging equipment loan", "practice fit-out loan"),
    "retail": ("shop fit-out loan", "stock loan"),
    "hospitality": ("refurbishment loan", "laundry equipment loan"),
    "events": ("staging equipment loan", "van finance"),
}
DEFAULT_PURPOSES = ("equipment loan", "business loan", "car loan")
COLUMNS = ["month", "date", "payment", "interest", "principal", "balance"]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, day.day)


def _cents(value: int) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


def _schedule(
    principal: int, rate_bp: int, months: int, payment: int, extra: dict[int, int]
) -> list[tuple[int, int, int, int, int]] | None:
    """(month, payment, interest, principal, balance) in cents; None if an interest amount is a rounding tie."""
    rows = []
    balance = principal
    month = 0
    while balance > 0:
        month += 1
        scaled = balance * rate_bp  # interest in cents = scaled / 120000
        whole, rest = divmod(scaled, 120000)
        if rest == 60000:
            return None
        interest = whole + (1 if rest > 60000 else 0)
        due = payment + extra.get(month, 0)
        if month >= months or balance + interest <= due:
            due = balance + interest
        paid_down = due - interest
        balance -= paid_down
        rows.append((month, due, interest, paid_down, balance))
        if month > 1000:
            return None
    return rows


class LoanSchedule(TaskFamily):
    """Build a loan's month-by-month amortisation schedule from its terms, then summarise the payoff.

    **Request**: the user pastes nothing; the loan terms (principal, annual
    rate, term, first payment date, an optional extra-payment plan) are in
    a note. They want ``schedule.csv`` (month, date, payment, interest,
    principal, balance; cents, with interest rounded half up each month and
    the last payment clearing the balance) and ``summary.json``
    (payments, total_interest, total_paid, payoff_date).

    **Workspace**: the terms note with the rounding and payment rules, the
    lender's offer letter (the monthly payment formula), unrelated files.

    **Checks**: the header; the number of payments; every date, payment,
    interest, principal and balance column; the summary's totals and payoff
    date; the inputs are unchanged.

    **Hard**: a longer loan, a recurring extra payment plus a one-off lump
    sum announced in a separate email, and two more summary fields
    (months_saved, interest_saved against the schedule without extras).
    """

    name = "loan_schedule"
    scenario = Scenario.REASONING_TECHNICAL
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        purpose = rng.choice(PURPOSES.get(b.persona.domain, DEFAULT_PURPOSES))
        lender = rng.choice(LENDERS)
        with_extra = b.hard or rng.chance(0.5)
        while True:
            principal = rng.randint(40, 600) * 10000 if b.hard else rng.randint(50, 400) * 10000  # cents
            rate_bp = rng.randint(390, 1190)
            months = rng.choice((48, 60, 72, 84)) if b.hard else rng.choice((12, 18, 24, 36, 48))
            r = rate_bp / 120000
            exact = principal * r / (1 - (1 + r) ** -months)
            if abs(exact - int(exact) - 0.5) < 1e-3:
                continue
            payment = int(exact + 0.5)
            extra: dict[int, int] = {}
            extra_start = extra_amount = lump_month = lump_amount = 0
            if with_extra:
                extra_start = rng.randint(3, max(4, months // 3))
                extra_amount = rng.choice((50, 75, 100, 150, 200, 250)) * 100
                for m in range(extra_start, months + 1):
                    extra[m] = extra_amount
            if b.hard:
                lump_month = rng.randint(extra_start + 1, extra_start + 12)
                # 5-15% of the amount borrowed, in whole hundreds of dollars.
                lump_amount = max(1, principal * rng.randint(5, 15) // 1000000) * 10000
                extra[lump_month] = extra.get(lump_month, 0) + lump_amount
            rows = _schedule(principal, rate_bp, months, payment, extra)
            baseline = _schedule(principal, rate_bp, months, payment, {}) if b.hard else rows
            if rows is None or baseline is None or (lump_month and lump_month >= len(rows)):
                continue
            if rows[-1][1] == payment + extra.get(rows[-1][0], 0):
                continue  # the last payment must differ from the scheduled one, so absorbing it matters
            break

        first_payment = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        dates = [_add_months(first_payment, m - 1) for m, *_ in rows]
        total_interest = sum(row[2] for row in rows)
        total_paid = sum(row[1] for row in rows)
        summary: dict = {
            "payments": len(rows),
            "total_interest": round(total_interest / 100, 2),
            "total_paid": round(total_paid / 100, 2),
            "payoff_date": dates[-1].isoformat(),
        }
        if b.hard:
            summary["months_saved"] = months - len(rows)
            summary["interest_saved"] = round((sum(row[2] for row in baseline) - total_interest) / 100, 2)

        # Workspace.
        rate_text = f"{rate_bp / 100:.2f}%"
        terms_lines = [
            f"# {purpose.capitalize()}: {lender}",
            "",
            f"- Amount borrowed: {money_display(principal / 100)}",
            f"- Annual interest rate: {rate_text} (fixed), charged monthly at a twelfth of the annual rate",
            f"- Term: {months} monthly payments",
            f"- First payment: {first_payment.isoformat()}, then the same day every month",
            f"- Regular monthly payment: {money_display(payment / 100)} (from the offer letter)",
            "",
            "## How the lender works it out",
            "",
            "- Each month's interest = balance before the payment x annual rate / 12, rounded to the cent "
            "(half a cent rounds up).",
            "- Principal paid = payment - interest; new balance = old balance - principal paid.",
            "- The last payment is whatever clears the loan (remaining balance + that month's interest), so it "
            "absorbs the rounding. That is the payment in month "
            f"{months} at the latest, or earlier once a month's payment would be enough to clear the balance.",
        ]
        if with_extra:
            terms_lines += [
                "",
                "## My overpayment plan",
                "",
                f"- From payment {extra_start} on, I pay an extra {money_display(extra_amount / 100)} every month "
                "on top of the regular payment; all of it reduces the balance.",
            ]
        terms = "\n".join(terms_lines) + "\n"
        folder = "finance/loan"
        terms_path = b.file(f"{folder}/loan_terms.md", terms)
        offer = (
            f"{lender}\nLoan offer (summary)\n\n"
            f"Borrower: {b.persona.name}\nProduct: {purpose}\nAmount: {money_display(principal / 100)}\n"
            f"Rate: {rate_text} p.a. fixed\nTerm: {months} months\n"
            f"Monthly payment: {money_display(payment / 100)}\n\n"
            "The monthly payment is P x r / (1 - (1 + r)^-n) with r the monthly rate and n the number of payments, "
            "rounded to the cent. Early repayment is allowed without fees.\n"
        )
        offer_path = b.file(f"{folder}/offer_letter.txt", offer)
        inputs = {terms_path: terms, offer_path: offer}
        email_path = None
        if b.hard:
            email = (
                f"From: {b.persona.name}\nTo: me\nSubject: bonus -> loan\n\n"
                f"Note to self: the annual bonus lands before payment {lump_month}, so with that payment I'm putting "
                f"a one-off {money_display(lump_amount / 100)} towards the {purpose} on top of everything else.\n"
            )
            email_path = b.file(f"{folder}/note_to_self_bonus.txt", email)
            inputs[email_path] = email
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=[f"{folder}/", "finance/"])

        schedule_path = f"{folder}/schedule.csv"
        summary_path = f"{folder}/summary.json"
        keys = ["payments", "total_interest", "total_paid", "payoff_date"] + (
            ["months_saved", "interest_saved"] if b.hard else []
        )
        body = b.pick(
            [
                f"Can you build the repayment schedule for my {purpose}? The terms are in {terms_path} (and the "
                f"lender's letter is in {offer_path}). I'd like {schedule_path} with columns "
                f"{', '.join(COLUMNS)}: one row per payment, month numbered from 1, date as YYYY-MM-DD, amounts in "
                "dollars with two decimals (no $ sign), following the lender's rounding rules"
                + (" and my overpayment plan" if with_extra else "")
                + f". Then {summary_path} with keys {', '.join(keys)} (payments = number of payments, payoff_date "
                "= date of the last one, money as numbers rounded to cents).",
                f"I want to see how my {purpose} pays down.\n\n"
                f"1. {schedule_path}: {', '.join(COLUMNS)}; a row per monthly payment starting at month 1; "
                "YYYY-MM-DD dates; plain numbers with 2 decimals; the last payment clears the balance exactly.\n"
                f"2. {summary_path}: {', '.join(keys)}.\n\n"
                f"Everything you need is in {terms_path}"
                + (" (including my overpayments)" if with_extra else "")
                + f" and {offer_path}.",
                f"quick favour: amortisation table for the {purpose} please. terms + rounding rules in {terms_path}. "
                f"output {schedule_path} ({', '.join(COLUMNS)}; month from 1, dates YYYY-MM-DD, 2-decimal amounts "
                f"without currency signs) and {summary_path} ({', '.join(keys)}; payoff_date is the last payment's "
                "date, payments is how many there are).",
            ]
        )
        if b.hard:
            body += (
                f"\n\nA few things to watch: there's also a one-off lump sum in {email_path}, paid together with "
                "that month's payment (so that row's payment includes it). months_saved is how many fewer payments "
                f"than the {months}-month term I make, and interest_saved is the total interest of the plain "
                "schedule (regular payments only, same rules) minus the total interest with my extra payments."
            )
        body += " Leave the terms files alone."
        b.instruct(body)
        b.steps(5 if b.hard else 3)
        b.constraints(8 if b.hard else 6)

        # Checks (amounts are whole cents, so a tolerance under one cent).
        c = b.checks
        has_schedule = c.csv_header("schedule_header", schedule_path, COLUMNS, ignore_case=True)
        c.csv_column("payment_count_correct", schedule_path, "month", [row[0] for row in rows],
                     requires=[has_schedule])  # fmt: skip
        c.csv_column("dates_correct", schedule_path, "date", [d.isoformat() for d in dates], requires=[has_schedule])
        for index, column in enumerate(COLUMNS[2:], start=1):
            c.csv_column(f"{column}_column_correct", schedule_path, column, [row[index] / 100 for row in rows],
                         tolerance=0.004, requires=[has_schedule])  # fmt: skip
        has_summary = c.json_valid("summary_written", summary_path)
        for key in keys:
            tolerance = 0.004 if isinstance(summary[key], float) else 0.0
            c.json_equals(f"summary_{key}_correct", summary_path, f"/{key}", summary[key], tolerance=tolerance,
                          requires=[has_summary])  # fmt: skip
        c.files_unchanged("terms_unchanged", inputs, requires=[has_schedule])

        def schedule_text(table: list[tuple[int, int, int, int, int]]) -> str:
            out: list[list[object]] = [COLUMNS]
            for (month, paid, interest, down, balance), day in zip(table, dates, strict=True):
                out.append([month, day.isoformat(), _cents(paid), _cents(interest), _cents(down), _cents(balance)])
            return csv_text(out)

        s = b.solution
        s.exec(f"ls {folder} && cat {terms_path}")
        s.read(offer_path)
        if email_path:
            s.read(email_path)
        s.write(schedule_path, schedule_text(rows))
        s.write(summary_path, json_text(summary))

        # Near miss: the last payment not adjusted (regular amount paid, balance left off zero).
        month, _, interest, _, _ = rows[-1]
        regular = payment + extra.get(month, 0)
        before = rows[-2][4] if len(rows) > 1 else principal
        unadjusted = [*rows[:-1], (month, regular, interest, regular - interest, before - (regular - interest))]
        steps = list(s.steps)
        steps[-2] = {"name": "write", "arguments": {"path": schedule_path, "content": schedule_text(unadjusted)}}
        b.near_miss(steps)
