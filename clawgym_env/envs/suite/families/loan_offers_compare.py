"""Loan offers: compare financing offer letters by monthly payment and total cost, and recommend one."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, money_display, slug

__all__ = ["LoanOffersCompare"]

PURPOSES = {
    "healthcare": ("a new digital X-ray unit", 38000, 95000),
    "software": ("laptops and monitors for the new hires", 15000, 48000),
    "retail": ("the shop refit", 22000, 70000),
    "education": ("a 16-seat minibus", 30000, 62000),
    "nonprofit": ("a refrigerated delivery van", 28000, 55000),
    "restaurant": ("a combi oven and a walk-in cooler", 18000, 46000),
    "construction": ("a compact excavator", 45000, 120000),
    "finance": ("the office fit-out", 20000, 65000),
    "media": ("the new camera and lighting kit", 12000, 40000),
    "research": ("an ultra-low freezer and a centrifuge", 16000, 42000),
    "logistics": ("two electric cargo vans", 60000, 140000),
    "household": ("the solar panels and battery", 14000, 32000),
    "legal": ("the case-management system and office refit", 18000, 50000),
    "events": ("a staging and lighting rig", 20000, 60000),
    "manufacturing": ("a second CNC milling machine", 70000, 180000),
    "hospitality": ("commercial laundry machines", 24000, 58000),
}
LENDERS = (
    "Harbor Federal Credit Union",
    "Northstar Business Finance",
    "Keystone Equipment Capital",
    "Bluewater Bank",
    "Summit Lending Co.",
    "Evergreen Community Bank",
    "Ironbridge Leasing",
    "Meadowlark Credit",
    "Pioneer Trust",
    "Cobalt Capital Partners",
)
TERMS = (24, 36, 48, 60, 72)


class LoanOffersCompare(TaskFamily):
    """Compare financing offers from their letters (payment, total paid, total cost) and recommend the cheapest.

    **Request**: read the offer letters (a ``.txt``, a ``.md`` and an
    ``.html``), compute each offer's monthly payment with the standard
    amortisation formula given in the request (rounded to cents), the total
    paid (payments plus upfront fees) and the total cost (total paid minus
    the amount borrowed); write ``comparison.csv`` sorted by total cost and
    ``decision.md`` starting with ``Recommendation: <lender>`` and quoting
    the recommended offer's total cost and its saving over the next best.

    **Workspace**: ``finance/loan_offers/`` with the letters (amount, APR,
    term, fees, validity, plus the usual boilerplate numbers: reference
    numbers, phone numbers, "rates from" marketing), distractors.

    **Checks**: the header; lenders in order; APR, term, monthly payment,
    total paid and total cost columns; the recommendation line, the quoted
    total cost and the saving; the letters unchanged.

    **Hard**: a fourth offer that has expired by the stated date (left out),
    a fee that is financed (added to the loan instead of paid upfront), and
    a term given in years.

    **Rubric**: the recommendation is sound and clearly explained.
    """

    name = "loan_offers_compare"
    scenario = Scenario.ANALYSIS_DECISION
    operations = (Operation.DATA_ANALYSIS, Operation.COMMUNICATION)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        purpose, low, high = PURPOSES.get(b.persona.domain, ("new equipment", 15000, 60000))
        amount = rng.randint(low // 500, high // 500) * 500
        today = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        count = 4 if b.hard else 3
        names = rng.sample(LENDERS, count)

        for attempt in range(100):
            draw = rng.child("offers", attempt)
            offers = []
            for index, name in enumerate(names):
                fee_kind = draw.choice(("flat", "percent"))
                fee = draw.randint(2, 15) * 50 if fee_kind == "flat" else None
                pct = draw.choice((0.5, 1.0, 1.5, 2.0)) if fee is None else None
                if fee is None:
                    fee = round(amount * pct / 100, 2)
                doc_fee = draw.choice((0, 0, 75, 150, 250))
                offers.append({
                    "lender": name,
                    "apr": draw.randint(449, 1399) / 100,
                    "term": draw.choice(TERMS),
                    "fee": fee,
                    "fee_pct": pct,
                    "doc_fee": doc_fee,
                    "financed": b.hard and index == 1,
                    "expired": b.hard and index == 3,
                    "years": b.hard and index == 2,
                })  # fmt: skip
            for offer in offers:
                _compute(offer, amount)
            live = sorted([o for o in offers if not o["expired"]], key=lambda o: o["total_cost"])
            costs = [o["total_cost"] for o in live]
            gaps_ok = all(high - low >= 40 for low, high in itertools.pairwise(costs))
            half_cent_ok = all(abs((o["payment_exact"] * 100) % 1 - 0.5) > 0.05 for o in offers)
            lowest_payment = min(live, key=lambda o: o["payment"])
            interesting = lowest_payment is not live[0]
            years_ok = all(o["term"] % 12 == 0 for o in offers if o["years"])
            if gaps_ok and half_cent_ok and years_ok and (interesting or attempt > 60):
                break
        live = sorted([o for o in offers if not o["expired"]], key=lambda o: o["total_cost"])
        best, second = live[0], live[1]

        # Letters.
        folder = "finance/loan_offers"
        formats = rng.shuffled(["txt", "md", "html", "txt"][:count])
        files: dict[str, str] = {}
        for offer, fmt in zip(offers, formats, strict=True):
            valid = date_add(today, -rng.randint(2, 20)) if offer["expired"] else date_add(today, rng.randint(7, 40))
            issued = date_add(valid, -30)
            offer["valid"], offer["issued"] = valid, issued
            text = _letter(offer, fmt, amount, purpose, b.persona.name, b.persona.org, rng)
            path = f"{folder}/{slug(offer['lender'])}_offer.{fmt}"
            files[path] = text
            b.file(path, text)
        notes = [
            f"# Financing for {purpose}",
            "",
            f"Need {money_display(amount)}. Asked {', '.join(o['lender'] for o in offers)} for quotes.",
            f"{rng.choice(b.persona.team)} thinks we should just take the lowest monthly payment. Not sure.",
            "",
        ]
        b.file(f"{folder}/notes.md", "\n".join(notes))
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=[f"{folder}/"])

        # Request.
        csv_path, md_path = f"{folder}/comparison.csv", f"{folder}/decision.md"
        columns = ["lender", "apr", "term_months", "monthly_payment", "total_paid", "total_cost"]
        formula = "payment = P × r / (1 − (1 + r)^(−n)), with r = APR / 12 / 100 and n = the term in months"
        definitions = (
            "Round the monthly payment to cents and use the rounded payment for the totals: total_paid = payment "
            "× n + any fees paid upfront, and total_cost = total_paid − the amount we actually receive "
            f"({money_display(amount)})."
        )
        body = b.pick(
            [
                f"We're financing {purpose} ({money_display(amount)}) and have offer letters in {folder}/. Can you "
                f"compare them properly? Work out each monthly payment with the standard amortisation formula, "
                f"{formula}. {definitions} Write {csv_path} with columns {', '.join(columns)} (apr as the "
                f"percentage, e.g. 6.49), cheapest total_cost first, and a short {md_path} whose first line is "
                "`Recommendation: <lender>`, giving that offer's total cost and how much cheaper it is than "
                "the next-best offer.",
                f"Three lenders came back about the {money_display(amount)} for {purpose}; the letters are in "
                f"{folder}/. I need:\n\n"
                f"1. {csv_path}: {', '.join(columns)}, one row per offer, sorted by total_cost (lowest first). "
                f"Monthly payment: {formula}. {definitions} apr goes in as a number like 6.49.\n"
                f"2. {md_path}: first line `Recommendation: <lender>`, then a few sentences with the recommended "
                "offer's total cost and the saving versus the next cheapest offer.",
                f"ok so {rng.choice(b.persona.team).split()[0]} wants to go with whichever loan has the lowest "
                f"monthly payment but I want to know which one is actually cheapest overall. Offers are in "
                f"{folder}/ (all for {money_display(amount)}). Use {formula}. {definitions} Put the numbers in "
                f"{csv_path} ({', '.join(columns)}; apr like 6.49; sorted by total_cost, cheapest first) and "
                f"write {md_path} starting with `Recommendation: <lender>` that says what the recommended offer "
                "costs in total and how much it saves over the next cheapest.",
            ]
        )
        if b.hard:
            body = body.replace("Three lenders", "Four lenders")
            body += (
                f"\n\nA few things to watch: today is {iso(today)}, and an offer whose validity date has passed "
                "is off the table (leave it out of the CSV); if a letter says a fee is added to the loan "
                "rather than paid upfront, P is the amount plus that fee and the fee isn't paid separately; "
                "one letter gives the term in years."
            )
        body += "\n\nMoney in the CSV as plain numbers with 2 decimals. Don't edit the letters."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(7 if b.hard else 5)

        # Checks.
        c = b.checks
        head = c.csv_header("comparison_header", csv_path, columns, ignore_case=True)
        c.csv_column("lenders_by_total_cost", csv_path, "lender", [o["lender"] for o in live], ignore_case=True,
                     requires=[head])  # fmt: skip
        c.csv_column("apr_column", csv_path, "apr", [o["apr"] for o in live], tolerance=0.001, requires=[head])
        c.csv_column("term_column", csv_path, "term_months", [o["term"] for o in live], requires=[head])
        c.csv_column("monthly_payment_column", csv_path, "monthly_payment", [o["payment"] for o in live],
                     tolerance=0.01, requires=[head])  # fmt: skip
        c.csv_column("total_paid_column", csv_path, "total_paid", [o["total_paid"] for o in live], tolerance=0.01,
                     requires=[head])  # fmt: skip
        c.csv_column("total_cost_column", csv_path, "total_cost", [o["total_cost"] for o in live], tolerance=0.01,
                     requires=[head])  # fmt: skip
        dec = c.file_exists("decision_written", md_path)
        c.text_regex("recommends_cheapest", md_path, rf"(?im)^\W*Recommendation\W*{re.escape(best['lender'])}",
                     requires=[dec])  # fmt: skip
        c.text_regex("quotes_total_cost", md_path, _amount(best["total_cost"]), requires=[dec])
        saving = round(second["total_cost"] - best["total_cost"], 2)
        c.text_regex("quotes_saving", md_path, _amount(saving), requires=[dec])
        c.files_unchanged("letters_unchanged", files, requires=[head])

        # Reference solution.
        s = b.solution
        s.exec(f"ls -la {folder}")
        for path in sorted(files):
            s.read(path)
        s.write(csv_path, _csv(columns, live))
        s.write(md_path, _decision(live, amount, purpose, offers))

        # Near miss: upfront fees forgotten in the totals.
        wrong = []
        for o in offers:
            w = dict(o, fee=0.0 if not o["financed"] else o["fee"], doc_fee=0)
            _compute(w, amount)
            wrong.append(w)
        wrong_live = sorted([o for o in wrong if not o["expired"]], key=lambda o: o["total_cost"])
        wrong_csv, wrong_md = _csv(columns, wrong_live), _decision(wrong_live, amount, purpose, wrong)
        b.near_miss([*s.steps[:-2], {"name": "write", "arguments": {"path": csv_path, "content": wrong_csv}},
                     {"name": "write", "arguments": {"path": md_path, "content": wrong_md}}])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "recommendation_sound_and_clear",
                "The decision note recommends the cheapest offer for sound reasons and explains the trade-off "
                "plainly (e.g. a lower monthly payment over a longer term costing more overall, fees), so the "
                "reader understands why the obvious choice may not be the cheapest; numbers match the CSV.",
                {
                    "0": "Missing, wrong offer, or reasoning contradicts the numbers.",
                    "0.25": "Right offer but no real explanation.",
                    "0.5": "Right offer with totals but no trade-off discussion.",
                    "0.75": "Clear and correct, with a small gap (e.g. fees or monthly affordability not mentioned).",
                    "1.0": "Clear, correct and complete: totals, saving, trade-offs and any caveat worth knowing.",
                },
                weight=2.0,
            )


def _compute(offer: dict, amount: int) -> None:
    principal = amount + (offer["fee"] if offer["financed"] else 0)
    r = offer["apr"] / 12 / 100
    n = offer["term"]
    exact = principal * r / (1 - (1 + r) ** (-n))
    payment = round(exact + 1e-9, 2)
    upfront = (0 if offer["financed"] else offer["fee"]) + offer["doc_fee"]
    offer["payment_exact"] = exact
    offer["payment"] = payment
    offer["total_paid"] = round(payment * n + upfront, 2)
    offer["total_cost"] = round(offer["total_paid"] - amount, 2)


def _amount(value: float) -> str:
    options = sorted({re.escape(f"{value:.2f}"), re.escape(f"{value:,.2f}")})
    return r"(?<![\d.,])\$?\s?(?:" + "|".join(options) + r")(?!\d)"


def _csv(columns: list[str], live: list[dict]) -> str:
    rows = [columns]
    for o in live:
        rows.append([o["lender"], f"{o['apr']:.2f}", o["term"], f"{o['payment']:.2f}", f"{o['total_paid']:.2f}",
                     f"{o['total_cost']:.2f}"])  # fmt: skip
    return csv_text(rows)


def _decision(live: list[dict], amount: int, purpose: str, offers: list[dict]) -> str:
    best, second = live[0], live[1]
    lowest = min(live, key=lambda o: o["payment"])
    lines = [f"Recommendation: {best['lender']}", ""]
    lines.append(
        f"For the {money_display(amount)} on {purpose}, {best['lender']} ({best['apr']:.2f}% APR over "
        f"{best['term']} months) costs {money_display(best['total_cost'])} in total interest and fees, "
        f"{money_display(second['total_cost'] - best['total_cost'])} less than the next cheapest, "
        f"{second['lender']} ({money_display(second['total_cost'])})."
    )
    if lowest is not best:
        lines.append("")
        lines.append(
            f"{lowest['lender']} has the lowest monthly payment ({money_display(lowest['payment'])}), but over "
            f"{lowest['term']} months it costs {money_display(lowest['total_cost'])} overall."
        )
    expired = [o for o in offers if o["expired"]]
    if expired:
        lines.append("")
        lines.append(f"{expired[0]['lender']}'s offer expired on {iso(expired[0]['valid'])}, so it isn't compared.")
    lines.append("")
    lines.append(f"Monthly payment with {best['lender']}: {money_display(best['payment'])}.")
    return "\n".join(lines) + "\n"


def _letter(offer: dict, fmt: str, amount: int, purpose: str, client: str, org: str, rng) -> str:
    ref = f"{''.join(w[0] for w in offer['lender'].split())}-{rng.randint(10000, 99999)}"
    phone = f"1-800-555-0{rng.randint(100, 199)}"
    term = f"{offer['term'] // 12} years" if offer["years"] else f"{offer['term']} months"
    if offer["fee_pct"] is not None:
        fee_text = f"{offer['fee_pct']:g}% of the loan amount ({money_display(offer['fee'])})"
    else:
        fee_text = money_display(offer["fee"])
    fee_when = ("added to the loan balance (financed), not payable upfront" if offer["financed"]
                else "payable at signing")  # fmt: skip
    teaser = f"Rates from {max(2.99, offer['apr'] - rng.randint(100, 300) / 100):.2f}% APR for qualifying borrowers."
    facts = [
        ("Loan amount", money_display(amount)),
        ("Annual percentage rate (APR)", f"{offer['apr']:.2f}%"),
        ("Term", term),
        ("Origination fee", f"{fee_text}, {fee_when}"),
    ]
    if offer["doc_fee"]:
        facts.append(("Documentation fee", f"{money_display(offer['doc_fee'])}, payable at signing"))
    facts.append(("Offer valid until", iso(offer["valid"])))
    first = client.split()[0]
    if fmt == "html":
        rows = "\n".join(f"    <tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts)
        return (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(offer["lender"])} — '
            f'Offer {ref}</title></head>\n<body>\n<p class="promo">{html.escape(teaser)}</p>\n'
            f"<p>Dear {html.escape(client)},</p>\n<p>Thank you for applying to finance {html.escape(purpose)} for "
            f"{html.escape(org)}. We are pleased to offer the following terms (reference {ref}, issued "
            f"{iso(offer['issued'])}):</p>\n<table>\n{rows}\n</table>\n<p>Questions? Call us on {phone}.</p>\n"
            f"<p>{html.escape(offer['lender'])} lending team</p>\n</body></html>\n"
        )
    if fmt == "md":
        table = "\n".join(f"| {k} | {v} |" for k, v in facts)
        return (
            f"# {offer['lender']} — financing offer\n\nRef: {ref} · Issued {iso(offer['issued'])}\n\n"
            f"Hi {first},\n\nFollowing our call, here is our offer for {purpose}.\n\n| Item | Detail |\n|---|---|\n"
            f"{table}\n\n_{teaser}_ Early repayment is allowed without penalty after month 12.\n\n"
            f"Call {phone} to accept.\n"
        )
    body = "\n".join(f"  {k}: {v}" for k, v in facts)
    return (
        f"{offer['lender'].upper()}\nRef {ref}    Date {iso(offer['issued'])}\n\nDear {client},\n\n"
        f"Re: financing for {purpose}\n\nWe are happy to confirm the following offer for {org}:\n\n{body}\n\n"
        f"{teaser}\nThis offer is subject to final credit approval. Call {phone} with any questions.\n\n"
        f"Yours sincerely,\nLending Team, {offer['lender']}\n"
    )
