"""CSV merge pipeline: merge monthly exports whose headers drifted, dedupe by id, and run the load check."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, md_table, money, slug

__all__ = ["CsvMergePipeline"]

PLANS = ("Starter", "Basic", "Standard", "Plus", "Pro", "Premium", "Team", "Business", "Enterprise", "Community")
CANONICAL = ("id", "name", "email", "city", "plan", "monthly_fee")
HEADER_STYLES = (
    {"id": "customer_id", "name": "full_name", "email": "email", "city": "city", "plan": "plan",
     "monthly_fee": "monthly_fee"},
    {"id": "id", "name": "name", "email": "e-mail", "city": "city", "plan": "tier", "monthly_fee": "fee"},
    {"id": " ID", "name": " Name ", "email": "Email", "city": "Town", "plan": "Plan",
     "monthly_fee": "Monthly Fee (USD)"},
    {"id": "Account", "name": "Customer name", "email": "Contact email", "city": "Location", "plan": "Package",
     "monthly_fee": "MRR"},
)  # fmt: skip
ORDERS = (
    ("id", "name", "email", "city", "plan", "monthly_fee"),
    ("id", "name", "email", "plan", "city", "monthly_fee"),
    ("name", "id", "plan", "monthly_fee", "email", "city"),
    ("id", "plan", "monthly_fee", "name", "city", "email"),
)

LOAD_CHECK = '''#!/usr/bin/env python3
"""Pre-load check for the merged customer table.

Usage: python3 scripts/load_check.py merged.csv

Prints one summary line ("load_check OK: ...") and exits 0 when the file can be
loaded, otherwise "load_check FAIL: ..." lines and exit code 1.
"""

import csv
import re
import sys

COLUMNS = ["id", "name", "email", "city", "plan", "monthly_fee"]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2])
        return 2
    with open(argv[1], newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    problems = []
    if not rows or [cell.strip() for cell in rows[0]] != COLUMNS:
        problems.append("header must be exactly " + ",".join(COLUMNS))
        rows = rows[:1] + rows[1:]
    data = rows[1:]
    ids = []
    total = 0.0
    for number, row in enumerate(data, 2):
        if len(row) != len(COLUMNS):
            problems.append("line %d: expected %d fields, got %d" % (number, len(COLUMNS), len(row)))
            continue
        record = dict(zip(COLUMNS, (cell.strip() for cell in row)))
        if not re.match(r"^C-\\d{4}$", record["id"]):
            problems.append("line %d: bad id %r" % (number, record["id"]))
        if "@" not in record["email"] or record["email"] != record["email"].lower():
            problems.append("line %d: email must be lowercase: %r" % (number, record["email"]))
        try:
            total += float(record["monthly_fee"])
        except ValueError:
            problems.append("line %d: monthly_fee is not a plain number: %r" % (number, record["monthly_fee"]))
        ids.append(record["id"])
    if len(set(ids)) != len(ids):
        problems.append("duplicate ids")
    if ids != sorted(ids):
        problems.append("rows are not sorted by id")
    if problems:
        for problem in problems:
            print("load_check FAIL: " + problem)
        return 1
    print("load_check OK: %d rows, %d unique ids, monthly_fee total %.2f" % (len(data), len(set(ids)), total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


class CsvMergePipeline(TaskFamily):
    """Merge monthly CSV exports with drifting headers into one deduplicated table, then run the load check.

    **Request**: several monthly exports of the customer list sit in
    ``exports/``; their column names and order drifted over time and the
    README maps them to the unified columns. The user wants ``merged.csv``
    (id, name, email, city, plan, monthly_fee), one row per id with the
    latest month's values, sorted by id, then ``scripts/load_check.py
    merged.csv`` run and its summary line saved to ``load_check.txt``.

    **Workspace**: three monthly exports (15-25 customers, some changing plan,
    fee, e-mail or city between months, some appearing later), a README with
    the column mapping, the stdlib load-check script, unrelated files.

    **Checks**: the header; the id column (deduplicated, sorted); one check
    per other column (latest values, in id order); every row exact; the
    load check (run by the verifier) passes with the right row count and is
    unchanged; the saved summary line; the exports unchanged.

    **Hard**: four months and 25-35 customers, a semicolon-delimited month,
    a month with fees written like ``$1,234.50``, e-mails in mixed case and
    ids without zero padding (the README says how to normalise them), a
    customer listed twice in one month (the later row wins), a stale
    ``merged_OLD.csv``, more distractors.
    """

    name = "csv_merge_pipeline"
    scenario = Scenario.AUTOMATION_WORKFLOWS
    operations = (Operation.DATA_ANALYSIS, Operation.DEVELOPMENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        billing = rng.choice(("Tallybook", "Billstream", "Ledgerline", "Payhaven", "Subscribly"))
        plans = rng.sample(PLANS, 4)
        prices = {plan: rng.money(12, 380) for plan in plans}
        months_count = 4 if hard else 3
        first = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12 - months_count + 1), 1)
        months = [f"{first.year}-{first.month + i:02d}" for i in range(months_count)]
        total = rng.randint(25, 35) if hard else rng.randint(15, 25)
        numbers = rng.sample(range(10, 1000), total)
        names = b.pools.people(rng, total)

        # Customers and their state month by month.
        customers = []
        for index, (number, name) in enumerate(zip(numbers, names, strict=True)):
            company = slug(b.pools.company(rng), separator="")
            plan = rng.choice(plans)
            state = {"id": f"C-{number:04d}", "name": name, "email": b.pools.email(name, company + ".com"),
                     "city": b.pools.city(rng).split(",")[0], "plan": plan, "monthly_fee": prices[plan]}  # fmt: skip
            start = 0 if index < total * 0.6 else rng.randint(1, months_count - 1)
            end = months_count - 1
            if start <= months_count - 2 and rng.chance(0.2):
                end = rng.randint(start, months_count - 2)  # cancelled: missing from the later exports
            history = {}
            for month in range(start, end + 1):
                if month > start and rng.chance(0.25):
                    change = rng.choice(("plan", "email", "city", "fee"))
                    state = dict(state)
                    if change == "plan":
                        state["plan"] = rng.choice([p for p in plans if p != state["plan"]])
                        state["monthly_fee"] = prices[state["plan"]]
                    elif change == "email":
                        state["email"] = b.pools.email(name, slug(b.pools.company(rng), separator="") + ".com")
                    elif change == "city":
                        state["city"] = b.pools.city(rng).split(",")[0]
                    else:
                        state["monthly_fee"] = round(state["monthly_fee"] * rng.choice((0.8, 0.9, 1.1)), 2)
                if start < month < end and rng.chance(0.08):
                    continue  # missing from one export (paused), back later
                history[month] = state
            customers.append(history)
        # Make sure at least one customer changes between months (the dedupe has to pick the latest).
        changed = [h for h in customers if len({tuple(sorted(v.items())) for v in h.values()}) > 1]
        if not changed:
            history = next(h for h in customers if len(h) > 1)
            last_month = max(history)
            latest = dict(history[last_month])
            latest["plan"] = next(p for p in plans if p != latest["plan"])
            latest["monthly_fee"] = prices[latest["plan"]]
            history[last_month] = latest

        # Exports.
        styles = [HEADER_STYLES[i % len(HEADER_STYLES)] for i in range(months_count)]
        styles = [styles[0], *rng.shuffled(styles[1:])]
        orders = [ORDERS[0], *rng.shuffled(list(ORDERS[1:]))][:months_count]
        semicolon_month = months_count - 2 if hard else -1
        dollar_month = months_count - 1 if hard else -1
        messy_month = 1 if hard else -1
        inputs: dict[str, str] = {}
        paths = []
        duplicate_done = False
        for month_index, month in enumerate(months):
            style, order = styles[month_index], orders[month_index]
            rows = []
            for history in customers:
                state = history.get(month_index)
                if state is None:
                    continue
                rows.append(self._cells(state, order, month_index, messy_month, dollar_month))
            rows = rng.shuffled(rows)
            if hard and not duplicate_done and month_index == months_count - 1:
                # One customer appears twice in the last month; the second row is the newer one.
                history = next(h for h in customers if month_index in h)
                stale = dict(history[month_index], city=b.pools.city(rng).split(",")[0])
                rows.insert(rng.below(len(rows)), self._cells(stale, order, month_index, messy_month, dollar_month))
                target = self._cells(history[month_index], order, month_index, messy_month, dollar_month)
                rows.remove(target)
                rows.append(target)
                duplicate_done = True
            header = [style[column] for column in order]
            text = csv_text([header, *rows], delimiter=";" if month_index == semicolon_month else ",")
            path = f"exports/customers_{month}.csv"
            inputs[path] = text
            paths.append(path)

        # Ground truth: latest month wins.
        merged = []
        for history in customers:
            latest = history[max(history)]
            merged.append(latest)
        merged.sort(key=lambda state: state["id"])
        out_rows = [[s["id"], s["name"], s["email"], s["city"], s["plan"], money(s["monthly_fee"])] for s in merged]
        fee_total = round(sum(s["monthly_fee"] for s in merged), 2)
        summary = f"load_check OK: {len(merged)} rows, {len(merged)} unique ids, monthly_fee total {fee_total:.2f}"

        mapping_rows = [[column, *[f"`{style[column].strip()}`" for style in styles]] for column in CANONICAL]
        readme = (
            "# Customer exports\n\n"
            f"Monthly exports of {b.persona.org}'s customer list from the billing system ({billing}), "
            f"{months[0]} to {months[-1]}. The "
            "column names changed with every system update; this is how they map:\n\n"
            + md_table(["unified column", *months], mapping_rows)
            + "\nEach export is a snapshot of the customers active that month: customers who cancel drop out of "
            "later exports (a few skip a month while paused), new ones appear.\n"
            "monthly_fee is in USD.\n"
        )
        if hard:
            readme += (
                "\nKnown quirks: the "
                f"{months[semicolon_month]} export is semicolon-separated; the {months[dollar_month]} export "
                "writes fees like $1,234.50; the "
                f"{months[messy_month]} export has e-mails in mixed case and ids without the zero padding "
                "(C-42 is C-0042). In the unified table ids are C- plus four digits, e-mails are lowercase and "
                "fees are plain numbers. If an id appears twice in one export, the later row is the newer one.\n"
            )
        inputs["exports/README.md"] = readme
        for path, content in inputs.items():
            b.file(path, content)
        b.file("scripts/load_check.py", LOAD_CHECK, executable=True)
        if hard:
            stale = out_rows[: max(3, len(out_rows) // 2)]
            b.file("merged_OLD.csv", csv_text([list(CANONICAL), *stale]))
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["exports/", "scripts/"])

        columns = ", ".join(CANONICAL)
        body = b.pick(
            [
                f"I've got {months_count} monthly customer exports in exports/ and the column names keep changing "
                "between them (exports/README.md has the mapping). Could you merge them into merged.csv with the "
                f"columns {columns}, in that order? One row per id for every customer that appears in any export "
                "— if a customer shows up in several months, the latest month's row wins — sorted by id. Then run "
                "`python3 scripts/load_check.py merged.csv` "
                "and save the line it prints to load_check.txt.",
                "Merge job for the customer exports:\n"
                f"1. Combine every exports/customers_*.csv into merged.csv with the header {columns} (the README "
                "in exports/ maps the old column names).\n"
                "2. Keep one row per id (every customer that appears in any month), taking the most recent month's "
                "values, and sort the rows by id.\n"
                "3. Run scripts/load_check.py on merged.csv and save its output to load_check.txt.",
                "can you merge the customer exports in exports/ into one merged.csv? columns "
                f"{columns}. headers differ per month, see exports/README.md. dedupe by id (latest month wins), "
                "keep everyone who appears in any month, sort by id, then run scripts/load_check.py merged.csv and "
                "stick its output in load_check.txt.",
            ]
        )
        body += "\n\nWrite monthly_fee as a plain number with two decimals, and don't change the exports or the script."
        if hard:
            body += (
                "\n\nA few things to watch: the exports have quirks (delimiters, fee formatting, e-mail case, id "
                "padding, a duplicate) that the README spells out, and merged_OLD.csv is a stale attempt — ignore it."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 5)

        c = b.checks
        header = c.csv_header("merged_header", "merged.csv", list(CANONICAL))
        c.csv_column("ids_deduplicated_and_sorted", "merged.csv", "id", [row[0] for row in out_rows])
        for index, column in enumerate(CANONICAL[1:], start=1):
            c.csv_column(f"latest_{column}_values", "merged.csv", column, [row[index] for row in out_rows],
                         tolerance=0.005, requires=[header])  # fmt: skip
        c.csv_rows("merged_rows_exact", "merged.csv", out_rows, tolerance=0.005, requires=[header])
        script_same = c.files_unchanged("load_check_unchanged", {"scripts/load_check.py": LOAD_CHECK},
                                        requires=[header])  # fmt: skip
        c.command("load_check_passes", "python3 scripts/load_check.py merged.csv",
                  stdout_contains=[f"load_check OK: {len(merged)} rows"], requires=[header, script_same])  # fmt: skip
        c.text_contains("load_check_saved", "load_check.txt", [summary])
        c.files_unchanged("exports_unchanged", inputs, requires=[header])

        merged_text = csv_text([list(CANONICAL), *out_rows])
        s = b.solution
        s.exec("ls exports && cat exports/README.md && head -n 4 exports/*.csv")
        s.write("merged.csv", merged_text)
        s.exec("python3 scripts/load_check.py merged.csv | tee load_check.txt")

        # Near miss: dedupe kept the first (oldest) occurrence instead of the latest.
        oldest = sorted((h[min(h)] for h in customers), key=lambda state: state["id"])
        wrong_rows = [[s_["id"], s_["name"], s_["email"], s_["city"], s_["plan"], money(s_["monthly_fee"])]
                      for s_ in oldest]  # fmt: skip
        b.near_miss(
            [
                s.steps[0],
                {"name": "write", "arguments": {"path": "merged.csv",
                                                "content": csv_text([list(CANONICAL), *wrong_rows])}},
                s.steps[2],
            ]
        )  # fmt: skip

    @staticmethod
    def _cells(state: dict, order: tuple[str, ...], month: int, messy: int, dollar: int) -> list[str]:
        cells = []
        for column in order:
            value = state[column]
            if column == "monthly_fee":
                value = f"${value:,.2f}" if month == dollar else money(value)
            elif column == "id" and month == messy:
                value = "C-" + str(int(value[2:]))
            elif column == "email" and month == messy:
                local, _, host = value.partition("@")
                value = ".".join(part.capitalize() for part in local.split(".")) + "@" + host
            cells.append(value)
        return cells
