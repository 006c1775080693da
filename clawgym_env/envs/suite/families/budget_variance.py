"""Budget variance: compare a quarter's budget with the ledger and flag the lines that ran over."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, money_display

__all__ = ["BudgetVariance"]

MEMOS = ("", "", "", "monthly", "annual renewal", "per invoice", "PO attached", "card", "split with ops", "rush order")


class BudgetVariance(TaskFamily):
    """Compare a quarter's budget with the transaction ledger and list the lines that ran over.

    **Request**: the user wants ``variance.csv`` (department, line item,
    budget, actual, variance, variance %; in the budget file's order) and
    ``over_budget.md`` listing the lines whose overspend exceeds a stated
    percentage, largest overspend first, in a stated bullet format.

    **Workspace**: ``finance/<quarter>/budget.csv`` (one row per department
    and line item) and ``actuals.csv`` (one row per transaction with vendor
    and memo), a README from the finance lead, distractors.

    **Checks**: the header; the lines in order; the budget, actual, variance
    and variance % columns (rounding tolerated); the over-budget list (exact
    lines, in order) and each line's overspend amount; the inputs unchanged.

    **Hard**: more lines; rows imported from the old ledger carry GL account
    codes instead of line-item names (mapping in a note); credit notes
    (negative amounts); a few transactions dated outside the quarter; a line
    budgeted at zero that still has spend (variance % ``n/a``, counts as
    over budget).
    """

    name = "budget_variance"
    scenario = Scenario.ANALYSIS_DECISION
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        year = rng.choice((2025, 2026))
        quarter = rng.randint(1, 4)
        q_start = dt.date(year, 3 * quarter - 2, 1)
        q_end = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
        label = f"Q{quarter} {year}"
        folder = f"finance/{year}_q{quarter}"
        threshold = rng.choice((5, 10, 15))

        departments = rng.sample(domain.departments, rng.randint(3, 4) if b.hard else rng.randint(2, 3))
        lines: list[dict] = []
        for dept in departments:
            for item in rng.sample(domain.expense_categories, rng.randint(3, 4)):
                lines.append({"dept": dept, "item": item, "budget": rng.randint(8, 400) * 100})
        # Outcomes: some lines well over the threshold, at least one over budget but under it, the rest under.
        kinds = ["over"] * (rng.randint(3, 4) if b.hard else rng.randint(2, 3)) + ["slightly_over"]
        kinds += ["under"] * (len(lines) - len(kinds))
        kinds = rng.shuffled(kinds)
        for line, kind in zip(lines, kinds, strict=True):
            line["kind"] = kind
            if kind == "over":
                ratio = rng.randint(threshold * 10 + 15, threshold * 10 + 450) / 1000
            elif kind == "slightly_over":
                ratio = rng.randint(5, threshold * 10 - 15) / 1000
            else:
                ratio = -rng.randint(5, 400) / 1000
            line["target"] = round(line["budget"] * 100 * (1 + ratio))  # cents
        zero_line = None
        if b.hard:
            used = {(line["dept"], line["item"]) for line in lines}
            spare = [i for i in domain.expense_categories if (departments[0], i) not in used]
            zero_line = {
                "dept": departments[0],
                "item": spare[0] if spare else "Unplanned",
                "budget": 0,
                "kind": "zero",
                "target": rng.randint(300, 4000) * 100 + rng.randint(0, 99),
            }
            lines.insert(rng.randint(0, len([x for x in lines if x["dept"] == departments[0]])), zero_line)
        if rng.chance(0.5) or b.hard:
            # one budgeted line with no spend at all
            quiet = rng.choice([x for x in lines if x["kind"] == "under"])
            quiet["target"] = 0

        # Transactions: split each line's target into a few payments (hard: credit notes, stray dates).
        days = (q_end - q_start).days + 1
        vendors = list(domain.vendors)
        txns: list[dict] = []
        for line in lines:
            remaining = line["target"]
            if remaining == 0:
                continue
            if b.hard and rng.chance(0.35):
                # a credit note; the payments are larger by the same amount, so the net stays on target
                credit = rng.randint(2000, max(2001, line["target"] // 8))
                remaining += credit
                txns.append({"line": line, "amount": -credit, "date": q_start + dt.timedelta(days=rng.below(days)),
                             "counted": True, "memo": "credit note"})  # fmt: skip
            parts = rng.randint(2, 6)
            for index in range(parts):
                amount = (
                    remaining if index == parts - 1 else rng.randint(remaining // (parts * 2) + 1, remaining // parts)
                )
                remaining -= amount
                txns.append({"line": line, "amount": amount, "date": q_start + dt.timedelta(days=rng.below(days)),
                             "counted": True})  # fmt: skip
        if b.hard:
            for _ in range(rng.randint(2, 3)):
                line = rng.choice([x for x in lines if x["target"]])
                stray = (q_end + dt.timedelta(days=rng.randint(1, 12))) if rng.chance(0.5) else (
                    q_start - dt.timedelta(days=rng.randint(1, 12)))  # fmt: skip
                txns.append({"line": line, "amount": rng.randint(5000, 90000), "date": stray, "counted": False})
        txns.sort(key=lambda t: (t["date"], t["line"]["dept"], t["amount"]))

        codes = {}
        if b.hard:
            items = sorted({x["item"] for x in lines})
            start = rng.randint(51, 68) * 100
            codes = {item: f"{start + 10 * index}" for index, item in enumerate(items)}
        actual_rows = [["txn_id", "date", "department", "line_item", "vendor", "amount", "memo"]]
        first_txn = rng.randint(3000, 9000)
        for index, t in enumerate(txns):
            item = t["line"]["item"]
            shown = item
            if codes and rng.chance(0.45):
                shown = f"GL {codes[item]}"
            memo = t.get("memo") or rng.choice(MEMOS)
            actual_rows.append([f"T{first_txn + index}", iso(t["date"]), t["line"]["dept"], shown,
                                rng.choice(vendors), f"{t['amount'] / 100:.2f}", memo])  # fmt: skip
        actuals = csv_text(actual_rows)
        budget_rows = [["department", "line_item", "budget"]] + [[x["dept"], x["item"], x["budget"]] for x in lines]
        budget = csv_text(budget_rows)
        b.file(f"{folder}/budget.csv", budget)
        b.file(f"{folder}/actuals.csv", actuals)
        readme = [
            f"# {label} budget review — {b.persona.org}",
            "",
            f"budget.csv is the approved {label} budget (whole dollars, one row per department and line item).",
            f"actuals.csv is the ledger export for the quarter, one row per transaction, pulled by "
            f"{rng.choice(b.persona.team)}.",
        ]
        if b.hard:
            readme += [
                "",
                "## Ledger quirks",
                "",
                "- Rows migrated from the old ledger show the GL account instead of the line item. Mapping:",
                *[f"  - GL {code} = {item}" for item, code in codes.items()],
                "- Negative amounts are credit notes; they reduce the line's spend.",
                f"- The export window was a bit wide: only transactions dated {iso(q_start)} to {iso(q_end)} "
                "belong to the quarter.",
                f"- {zero_line['dept']} / {zero_line['item']} had no budget this quarter (0); any spend there is "
                "over budget.",
            ]
        readme_text = "\n".join(readme) + "\n"
        b.file(f"{folder}/README.md", readme_text)
        b.add_distractors(
            rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["finance/"], exclude_kinds=("old_budget_csv",)
        )

        # Ground truth.
        for line in lines:
            line["actual"] = sum(t["amount"] for t in txns if t["line"] is line and t["counted"])
            line["variance"] = line["actual"] - line["budget"] * 100
            line["pct"] = None if line["budget"] == 0 else line["variance"] / line["budget"]  # already x100
        over = [x for x in lines if x["variance"] > 0 and (x["budget"] == 0 or x["pct"] > threshold)]
        over.sort(key=lambda x: (-x["variance"], x["dept"], x["item"]))

        var_path, md_path = f"{folder}/variance.csv", f"{folder}/over_budget.md"
        columns = ["department", "line_item", "budget", "actual", "variance", "variance_pct"]
        bullet = "- <Department> / <Line item>: <overspend> over budget (<variance %>)"
        body = b.pick(
            [
                f"Can you do the {label} budget vs actuals for me? Budget is in {folder}/budget.csv and the "
                f"ledger export is {folder}/actuals.csv (one row per transaction). I need {var_path} with columns "
                f"{', '.join(columns)}, one row per budget line in the same order as budget.csv, where variance = "
                "actual − budget and variance_pct = variance / budget × 100. Then in "
                f'{md_path} put an "## Over budget" section listing every line more than {threshold}% over '
                f"budget, biggest overspend in dollars first, one bullet each like `{bullet}`.",
                f"Quarter-end review for {label}. From {folder}/budget.csv and {folder}/actuals.csv, please make:\n\n"
                f"1. {var_path}: {', '.join(columns)}. One row per line in budget.csv, same order. actual is the "
                "sum of that line's transactions; variance = actual − budget (positive means overspent); "
                "variance_pct = variance / budget × 100.\n"
                f'2. {md_path}: a section "## Over budget" with one bullet per line that is over budget by more '
                f"than {threshold}%, sorted by the overspend amount (largest first), formatted `{bullet}`.",
                f"I have to explain the overspends at Monday's leadership meeting, so I need the {label} numbers "
                f"straight. Sum the transactions in {folder}/actuals.csv per department and line item, compare "
                f"with {folder}/budget.csv, and write {var_path} ({', '.join(columns)}; same row order as the "
                "budget; variance is actual minus budget, variance_pct is that as a % of budget). Anything more "
                f'than {threshold}% over goes into {md_path} under "## Over budget", largest overspend first, '
                f"as `{bullet}`.",
            ]
        )
        if b.hard:
            body += (
                f"\n\nA few things to watch (details in {folder}/README.md): some ledger rows use GL codes instead "
                "of line-item names, credit notes are negative, the export includes a few transactions outside "
                f"the quarter, and one line had a zero budget (write n/a as its variance_pct; it counts as over "
                "budget if anything was spent)."
            )
        body += (
            "\n\nMoney to the cent, percentages to one decimal, no currency symbols in the CSV. Don't edit the inputs."
        )
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(7 if b.hard else 5)

        # Checks.
        c = b.checks
        head = c.csv_header("variance_header", var_path, columns, ignore_case=True)
        c.csv_column("lines_in_budget_order", var_path, "line_item", [x["item"] for x in lines], ignore_case=True,
                     requires=[head])  # fmt: skip
        c.csv_column("departments_in_order", var_path, "department", [x["dept"] for x in lines], ignore_case=True,
                     requires=[head])  # fmt: skip
        c.csv_column("budget_column", var_path, "budget", [x["budget"] for x in lines], tolerance=0.01,
                     requires=[head])  # fmt: skip
        c.csv_column("actual_column", var_path, "actual", [x["actual"] / 100 for x in lines], tolerance=0.01,
                     requires=[head])  # fmt: skip
        c.csv_column("variance_column", var_path, "variance", [x["variance"] / 100 for x in lines], tolerance=0.01,
                     requires=[head])  # fmt: skip
        pcts = ["n/a" if x["pct"] is None else round(x["pct"], 1) for x in lines]
        c.csv_column("variance_pct_column", var_path, "variance_pct", pcts, tolerance=0.1, ignore_case=True,
                     requires=[head])  # fmt: skip
        md = c.file_exists("over_budget_written", md_path)
        c.md_items("over_budget_lines", md_path, "Over budget", [f"{x['dept']} / {x['item']}" for x in over],
                   match="contains", requires=[md])  # fmt: skip
        for index, x in enumerate(over, start=1):
            c.text_regex(f"overspend_{index}_amount", md_path,
                         rf"(?i){re.escape(x['dept'])} / {re.escape(x['item'])}[^\n]*?{_amount(x['variance'])}",
                         requires=[md])  # fmt: skip
        c.files_unchanged("inputs_unchanged", {f"{folder}/budget.csv": budget, f"{folder}/actuals.csv": actuals},
                          requires=[head])  # fmt: skip

        # Reference solution.
        s = b.solution
        s.exec(f"ls {folder} && cat {folder}/budget.csv && head -8 {folder}/actuals.csv && wc -l {folder}/actuals.csv")
        s.read(f"{folder}/README.md")
        s.write(var_path, _variance_csv(columns, lines))
        s.write(md_path, _over_md(label, threshold, over))
        s.exec(f"cat {var_path} {md_path}")

        # Near miss: every overspent line listed, ignoring the threshold.
        everything = sorted([x for x in lines if x["variance"] > 0], key=lambda x: (-x["variance"], x["dept"]))
        wrong_md = _over_md(label, threshold, everything)
        b.near_miss([*s.steps[:3], {"name": "write", "arguments": {"path": md_path, "content": wrong_md}}])


def _amount(cents: int) -> str:
    value = cents / 100
    options = sorted({re.escape(f"{value:.2f}"), re.escape(f"{value:,.2f}")})
    return r"\$?\s?(?:" + "|".join(options) + r")(?!\d)"


def _variance_csv(columns: list[str], lines: list[dict]) -> str:
    rows = [columns]
    for x in lines:
        pct = "n/a" if x["pct"] is None else f"{x['pct']:.1f}"
        rows.append([x["dept"], x["item"], f"{x['budget']:.2f}", f"{x['actual'] / 100:.2f}",
                     f"{x['variance'] / 100:.2f}", pct])  # fmt: skip
    return csv_text(rows)


def _over_md(label: str, threshold: int, over: list[dict]) -> str:
    lines = [
        f"# Over-budget lines — {label}",
        "",
        f"Lines more than {threshold}% over budget.",
        "",
        "## Over budget",
        "",
    ]
    for x in over:
        pct = "n/a, no budget" if x["pct"] is None else f"{x['pct']:.1f}%"
        lines.append(f"- {x['dept']} / {x['item']}: {money_display(x['variance'] / 100)} over budget ({pct})")
    return "\n".join(lines) + "\n"
