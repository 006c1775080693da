"""Expense report: total a month of card transactions by category."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text, md_table, money, money_display

__all__ = ["ExpenseReport"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


class ExpenseReport(TaskFamily):
    """Total a month of exported card transactions by category, as JSON and as a Markdown summary.

    **Request**: the user exported last month's card transactions and wants
    ``reports/<yyyy-mm>_summary.json`` (total, count, per-category totals,
    largest expense) and a short ``reports/<yyyy-mm>_summary.md`` with a
    category table, leaving the export untouched.

    **Workspace**: ``expenses/<yyyy-mm>.csv`` (date, merchant, category,
    amount, note) with 14-30 rows themed on the persona's domain, the
    previous month's export (a distractor that must not be counted), a
    short policy note, and unrelated files.

    **Checks**: both outputs exist; the JSON's total, count, per-category
    totals and largest merchant; the Markdown table lists every category
    with its total; the exports are unchanged.

    **Hard**: refunds (negative amounts) to net out, rows marked personal in
    the note column that the policy says to leave out, category labels with
    inconsistent case and spacing that must be merged.
    """

    name = "expense_report"
    scenario = Scenario.OFFICE_DAILY
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        categories = rng.sample(domain.expense_categories, min(len(domain.expense_categories), rng.randint(4, 6)))
        year = rng.choice((2025, 2026))
        month = rng.randint(1, 12)
        first = dt.date(year, month, 1)
        tag = f"{year}-{month:02d}"
        previous = date_add(first, -1)
        prev_tag = f"{previous.year}-{previous.month:02d}"
        merchants = {category: [b.pools.company(rng) for _ in range(3)] for category in categories}

        def transactions(start: dt.date, count: int, messy: bool) -> list[list[str]]:
            rows = []
            for _ in range(count):
                category = rng.choice(categories)
                amount = rng.money(4, 420)
                note = rng.choice(("", "", "", "team lunch", "receipt in drive", "client visit", "reimbursable"))
                if messy and rng.chance(0.12):
                    amount = -rng.money(5, 60)
                    note = "refund"
                elif messy and rng.chance(0.1):
                    note = "personal - do not claim"
                label = category
                if messy and rng.chance(0.2):
                    label = rng.choice((category.lower(), category.upper(), f" {category}", f"{category} "))
                day = date_add(start, rng.below(28))
                rows.append([iso(day), rng.choice(merchants[category]), label, money(amount), note, category])
            rows.sort(key=lambda row: row[0])
            return rows

        messy = b.hard
        rows = transactions(first, rng.randint(14, 30 if b.hard else 20), messy)
        old_rows = transactions(dt.date(previous.year, previous.month, 1), rng.randint(8, 14), False)
        header = ["date", "merchant", "category", "amount", "note"]
        export_path = f"expenses/{tag}.csv"
        export = csv_text([header, *(row[:5] for row in rows)])
        old_export = csv_text([header, *(row[:5] for row in old_rows)])
        b.file(export_path, export)
        b.file(f"expenses/{prev_tag}.csv", old_export)
        policy = (
            "# Expense policy (short version)\n\n"
            "- Claims are per calendar month; report amounts in the card's currency.\n"
            "- Refunds reduce the category they belong to.\n"
            "- Anything marked personal in the note column is never claimed.\n"
            f"- Claimable categories, spelled like this: {', '.join(sorted(categories))}.\n"
        )
        b.file("expenses/POLICY.md", policy)

        # Ground truth.
        counted = [row for row in rows if not row[4].startswith("personal")]
        totals: dict[str, float] = {}
        for row in counted:
            totals[row[5]] = round(totals.get(row[5], 0.0) + float(row[3]), 2)
        totals = {key: totals[key] for key in sorted(totals)}
        total = round(sum(totals.values()), 2)
        largest = max(counted, key=lambda row: (float(row[3]), row[0]))
        summary = {
            "month": tag,
            "total": total,
            "count": len(counted),
            "by_category": totals,
            "largest_expense": {"merchant": largest[1], "amount": float(largest[3]), "date": largest[0]},
        }
        json_path = f"reports/{tag}_summary.json"
        md_path = f"reports/{tag}_summary.md"
        month_name = f"{MONTHS[month - 1]} {year}"

        b.add_distractors(
            rng.randint(3, 6) if b.hard else rng.randint(1, 3),
            avoid=["reports/"],
            exclude_kinds=("old_budget_csv", "receipt"),
        )

        rules = []
        if messy:
            rules.append("Some rows are refunds (negative amounts): net them against their category.")
            rules.append("Leave out anything marked personal in the note column, as the policy says.")
            rules.append(
                "Category labels in the export are inconsistent (case and stray spaces); merge them under the "
                "spellings listed in expenses/POLICY.md."
            )
        body = b.pick(
            [
                f"I exported my card transactions for {month_name} to {export_path}. Can you total them up for my "
                f"expense claim? Put the numbers in {json_path} with keys month, total, count, by_category "
                "(category -> total) and largest_expense (merchant, amount, date), and write a short "
                f"{md_path} with a table of the category totals for my manager. Don't touch the exports.",
                f"Month-end again. {export_path} has {month_name}'s card spend. I need two things: {json_path} "
                "(fields: month, total, count, by_category mapping each category to its total, and largest_expense "
                f"with merchant/amount/date) and {md_path}, a one-page summary with a category | total table. "
                "Leave the CSVs as they are.",
                f"Could you go through {export_path} ({month_name}) and produce {json_path} — month, total, count, "
                f"by_category, largest_expense {{merchant, amount, date}} — plus a readable {md_path} "
                "with the per-category totals in a table? The raw exports must stay unchanged.",
            ]
        )
        if rules:
            body += "\n\nA few things to watch:\n" + "\n".join(f"- {rule}" for rule in rules)
        body += "\nAmounts in the JSON as plain numbers rounded to cents."
        b.instruct(body)
        b.steps(4 if messy else 3)
        b.constraints(5 if messy else 3)

        # Checks.
        c = b.checks
        has_json = c.json_valid("summary_json_written", json_path)
        c.json_equals("total_correct", json_path, "/total", total, tolerance=0.01, requires=[has_json])
        c.json_equals("count_correct", json_path, "/count", len(counted), requires=[has_json])
        c.json_equals("category_totals_correct", json_path, "/by_category", totals, tolerance=0.01, requires=[has_json])
        c.json_equals(
            "largest_expense_correct",
            json_path,
            "/largest_expense/merchant",
            largest[1],
            requires=[has_json],
        )
        has_md = c.file_exists("summary_md_written", md_path)
        for index, (category, amount) in enumerate(totals.items()):
            c.text_regex(
                f"md_row_{index + 1}",
                md_path,
                rf"\|\s*{re.escape(category)}\s*\|\s*\$?{_amount_pattern(amount)}\s*\|",
                flags="i",
                requires=[has_md],
            )
        c.files_unchanged(
            "exports_unchanged", {export_path: export, f"expenses/{prev_tag}.csv": old_export}, requires=[has_json]
        )

        # Reference solution: look, compute, write both files.
        md = (
            f"# Expenses — {month_name}\n\n"
            f"Total: {money_display(total)} over {len(counted)} transactions.\n\n"
            + md_table(["Category", "Total"], [[category, money(amount)] for category, amount in totals.items()])
            + f"\nLargest expense: {largest[1]}, {money_display(float(largest[3]))} on {largest[0]}.\n"
        )
        s = b.solution
        s.exec("ls -R expenses && head -5 " + export_path)
        s.read("expenses/POLICY.md")
        s.write(json_path, json_text(summary))
        s.write(md_path, md)

        # Near miss: one category total off by a few dollars in the JSON.
        wrong = dict(summary, by_category=dict(totals))
        first_category = next(iter(totals))
        wrong["by_category"][first_category] = round(totals[first_category] + 3.0, 2)
        b.near_miss(
            [*s.steps[:2], {"name": "write", "arguments": {"path": json_path, "content": json_text(wrong)}}, s.steps[3]]
        )


def _amount_pattern(amount: float) -> str:
    """A regex matching ``amount`` written with or without thousands separators, with cents."""
    plain = f"{amount:.2f}"
    grouped = f"{amount:,.2f}"
    options = {re.escape(plain), re.escape(grouped)}
    return "(?:" + "|".join(sorted(options)) + ")"
