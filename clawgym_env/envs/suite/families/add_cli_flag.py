"""Add CLI flag: implement an option described in an issue in a small argparse tool, then run it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import DEVELOPER_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, jsonl_text

__all__ = ["AddCliFlag"]

Options = dict[str, Any]


@dataclass
class _Flag:
    """One option an issue asks for."""

    name: str
    """The flag as typed, e.g. ``--since``."""
    issue_title: str
    issue_body: str
    edits: list[tuple[str, str]]
    """``(old, new)`` replacements that implement it (applied in family order)."""
    value: str
    """The value the user wants the saved run made with."""
    probe: str
    """A second value the checks also try."""
    invalid: str | None
    """A value that must be rejected with a usage error (hard tasks), or ``None``."""
    order: int
    """Where its edits go relative to other flags' (lower first)."""
    wrong_edits: list[tuple[str, str]] | None = None
    """A plausible but wrong implementation (for a near miss), or ``None``."""


@dataclass
class _Tool:
    """A generated CLI script over a generated data file."""

    script_path: str
    source: str
    data_path: str
    data: str
    title: str
    """What the tool does, for the request."""
    existing: tuple[str, str]
    """An option the tool already has and a value for it."""
    run: Callable[[Options], list[str]]
    """The tool's expected stdout lines for some options (keys: flag names without dashes, and the existing one)."""
    flags: dict[str, _Flag]
    tests: str
    csv_output: bool = False
    extra_files: dict[str, str] = field(default_factory=dict)


DAY_HELPER = '''def _day(text):
    """An ISO date (YYYY-MM-DD) for argparse; anything else is a usage error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


'''
COUNT_HELPER = '''def _positive(text):
    """A whole number of at least 1 for argparse; anything else is a usage error."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


'''


_PHRASES = {
    "order_totals": "totals order value per customer from the shop's order export",
    "hours_by_person": "totals the hours each person logged in the timesheet export",
    "donor_totals": "totals what each donor gave, from the donations export",
    "carrier_weight": "totals shipped weight (kg) per carrier from the shipments export",
    "open_tickets": "lists open support tickets, oldest first",
    "unpaid_invoices": "lists unpaid invoices by due date",
    "open_repairs": "lists maintenance requests that aren't done yet, oldest first",
    "loans_out": "lists library loans that are still out, by due date",
    "daily_counts": "counts log lines per day",
    "component_counts": "counts log lines per component",
    "backup_days": "counts backup-job log lines per day",
}
"""What each tool does, as the user describes it."""


def _fill(template: str, **values: object) -> str:
    text = template
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    if "@" in text:
        raise ValueError(f"unfilled placeholder: {text[text.index('@') - 40 : text.index('@') + 40]!r}")
    return text.lstrip("\n")


def _csv_lines(rows: list[list[str]]) -> list[str]:
    return csv_text(rows).splitlines()


# -- tool 1: totals per key over a CSV export ---------------------------------------------------------------

_TOTALS = '''#!/usr/bin/env python3
"""@DOC@

Usage: python3 @SCRIPT@ @DATA@ [--@EXISTING@ VALUE]
"""

import argparse
import csv
import datetime as dt
import sys


def load(path):
    """The export's rows as dicts; rows with an empty @VALUE@ are skipped."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["@VALUE@"].strip()]


def totals(rows):
    """``{@KEY@: total @VALUE@}`` over ``rows``."""
    result = {}
    for row in rows:
        key = row["@KEY@"].strip()
        result[key] = result.get(key, 0.0) + float(row["@VALUE@"])
    return result


def ordered(result):
    """Largest total first; equal totals by name."""
    return sorted(result.items(), key=lambda item: (-item[1], item[0]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the CSV export")
    parser.add_argument("--@EXISTING@", help="only rows whose @EXISTING@ is exactly this value")
    args = parser.parse_args(argv)

    rows = load(args.path)
    if args.@EXISTING@:
        rows = [row for row in rows if row["@EXISTING@"] == args.@EXISTING@]
    ranking = ordered(totals(rows))
    for key, total in ranking:
        print(f"{key:<28}{total:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

_TOTALS_SKINS = (
    # (tool, doc, data file, date col, key col, value col, existing col, existing values, key label, value label)
    ("order_totals", "Total order value per customer from the shop's order export.", "orders.csv", "order_date",
     "customer", "total", "status", ("paid", "paid", "paid", "pending", "refunded"), "customer", "order value"),
    ("hours_by_person", "Total hours logged per person from the timesheet export.", "timesheet.csv", "date",
     "person", "hours", "project", (), "person", "hours"),
    ("donor_totals", "Total donated per donor from the donations export.", "donations.csv", "received",
     "donor", "amount", "campaign", (), "donor", "amount donated"),
    ("carrier_weight", "Total shipped weight (kg) per carrier from the shipments export.", "shipments.csv",
     "ship_date", "carrier", "weight_kg", "status", ("delivered", "delivered", "in_transit", "returned"), "carrier",
     "weight"),
)  # fmt: skip


def _totals_tool(rng: StableRandom, b: TaskBuilder, rows_wanted: int) -> _Tool:
    tool, doc, data_name, date_col, key_col, value_col, existing, existing_values, key_label, _ = rng.choice(
        _TOTALS_SKINS
    )
    domain = DOMAINS[b.persona.domain]
    if key_col == "person":
        keys = [*b.persona.team[:4], b.persona.name]
    elif key_col == "carrier":
        keys = rng.sample(("Northline Freight", "Kestrel Express", "Parcelwise", "BlueRoute", "Harbor Couriers"), 4)
    else:
        keys = []
        while len(keys) < rng.randint(5, 6):
            candidate = b.pools.person(rng) if key_col == "donor" else b.pools.company(rng)
            if candidate not in keys and "," not in candidate:
                keys.append(candidate)
    if not existing_values:
        pool = domain.projects if existing == "project" else ("spring appeal", "gala", "monthly giving", "matching")
        existing_values = tuple(rng.sample(pool, 3))
    start = dt.date(rng.choice((2025, 2026)), rng.randint(1, 10), 1)
    rows = []
    for _ in range(rows_wanted):
        day = date_add(start, rng.below(60))
        if value_col == "hours":
            value = f"{rng.randint(1, 16) / 2:.1f}"
        elif value_col == "weight_kg":
            value = f"{rng.randint(5, 4000) / 10:.1f}"
        else:
            value = f"{rng.randint(1500, 90000) / 100:.2f}"
        rows.append({date_col: iso(day), key_col: rng.choice(keys), value_col: value,
                     existing: rng.choice(existing_values)})  # fmt: skip
    rows.sort(key=lambda row: row[date_col])
    # One row with an empty value, which the tool already skips.
    blank = dict(rows[len(rows) // 2], **{value_col: ""})
    rows.insert(len(rows) // 2, blank)
    header = [date_col, key_col, value_col, existing]
    data = csv_text([header, *([row[col] for col in header] for row in rows)])
    script = f"tools/{tool}.py"
    data_path = f"data/{data_name}"
    source = _fill(_TOTALS, DOC=doc, SCRIPT=script, DATA=data_path, EXISTING=existing, VALUE=value_col, KEY=key_col)
    counted = [row for row in rows if row[value_col]]

    def run(options: Options) -> list[str]:
        selected = counted
        if options.get(existing):
            selected = [row for row in selected if row[existing] == options[existing]]
        if options.get("since"):
            selected = [row for row in selected if row[date_col] >= options["since"]]
        sums: dict[str, float] = {}
        for row in selected:
            sums[row[key_col]] = sums.get(row[key_col], 0.0) + float(row[value_col])
        ranking = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
        if options.get("min") is not None:
            ranking = [item for item in ranking if item[1] >= float(options["min"])]
        if options.get("top") is not None:
            ranking = ranking[: int(options["top"])]
        if options.get("format") == "csv":
            return _csv_lines([[key_col, "total"], *([key, f"{total:.2f}"] for key, total in ranking)])
        return [f"{key:<28}{total:>12.2f}" for key, total in ranking]

    days = sorted({row[date_col] for row in counted})
    since_value = days[len(days) // 2]
    since_probe = days[len(days) // 4]
    since_probe = _distinct(since_value, since_probe, days)
    sums_now: dict[str, float] = {}
    for row in counted:
        sums_now[row[key_col]] = sums_now.get(row[key_col], 0.0) + float(row[value_col])
    values_sorted = sorted(sums_now.values())
    min_value = _threshold_between(values_sorted, len(values_sorted) // 2)
    min_probe = _distinct(min_value, _threshold_between(values_sorted, 1), ["0", f"{values_sorted[-1] + 1:.2f}"])
    filter_anchor = "    ranking = ordered(totals(rows))\n"
    loop = '    for key, total in ranking:\n        print(f"{key:<28}{total:>12.2f}")\n'
    parse_anchor = "    args = parser.parse_args(argv)\n"
    load_anchor = "def load(path):\n"
    flags = {
        "since": _Flag(
            name="--since",
            issue_title=f"Add --since to {tool}.py",
            issue_body=(
                f"Month-end we only care about recent rows. Please add `--since YYYY-MM-DD`: when given, only "
                f"rows whose `{date_col}` is on or after that day count towards the totals (the day itself is "
                "included). Everything else (sorting, formatting, the other option) stays as it is. A value that "
                "isn't a valid YYYY-MM-DD date should be a usage error (argparse's exit status 2)."
            ),
            edits=[
                (load_anchor, DAY_HELPER + load_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", '
                    'help="only rows dated on or after this day")\n' + parse_anchor,
                ),
                (
                    filter_anchor,
                    f'    if args.since:\n        rows = [row for row in rows if row["{date_col}"] >= '
                    "args.since.isoformat()]\n" + filter_anchor,
                ),
            ],
            value=since_value,
            probe=since_probe,
            invalid="2026-13-40",
            order=0,
            wrong_edits=[
                (load_anchor, DAY_HELPER + load_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD")\n' + parse_anchor,
                ),
                (
                    filter_anchor,
                    f'    if args.since:\n        rows = [row for row in rows if row["{date_col}"] > '
                    "args.since.isoformat()]\n" + filter_anchor,
                ),
            ],
        ),
        "min": _Flag(
            name="--min",
            issue_title=f"{tool}.py: hide small totals with --min",
            issue_body=(
                f"The list is getting long. Please add `--min AMOUNT` (a number): when given, only {key_label}s "
                f"whose total is at least AMOUNT are printed (a total exactly equal to AMOUNT stays). The totals "
                "are computed exactly as now (after the other option's filtering); the flag only hides lines. "
                "Order and formatting unchanged."
            ),
            edits=[
                (
                    parse_anchor,
                    '    parser.add_argument("--min", type=float, metavar="AMOUNT", '
                    'help="only print totals of at least AMOUNT")\n' + parse_anchor,
                ),
                (
                    filter_anchor,
                    filter_anchor + "    if args.min is not None:\n"
                    "        ranking = [item for item in ranking if item[1] >= args.min]\n",
                ),
            ],
            value=min_value,
            probe=min_probe,
            invalid="lots",
            order=1,
        ),
        "top": _Flag(
            name="--top",
            issue_title=f"{tool}.py --top N",
            issue_body=(
                "Could we get `--top N`? It should print only the first N lines of the usual output (the N "
                "largest totals, same order and tie-break as now), after any other filtering. If there are "
                "fewer than N lines, print them all. N must be a whole number of at least 1; anything else is a "
                "usage error (argparse's exit status 2)."
            ),
            edits=[
                (load_anchor, COUNT_HELPER + load_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--top", type=_positive, metavar="N", '
                    'help="only the N largest totals")\n' + parse_anchor,
                ),
                (loop, "    if args.top is not None:\n        ranking = ranking[: args.top]\n" + loop),
            ],
            value=str(rng.randint(2, 3)),
            probe="1",
            invalid="0",
            order=2,
        ),
        "format": _Flag(
            name="--format",
            issue_title=f"CSV output for {tool}.py",
            issue_body=(
                f"I want to paste the totals into a spreadsheet. Please add `--format {{text,csv}}` (default "
                f"`text`, which is today's output, unchanged). With `--format csv` print a CSV instead: a header "
                f"line `{key_col},total`, then one row per {key_label} in the same order as the text output, the "
                "total with exactly two decimals and no padding. Any other format name is a usage error "
                "(argparse's exit status 2)."
            ),
            edits=[
                (
                    parse_anchor,
                    '    parser.add_argument("--format", choices=("text", "csv"), default="text", '
                    'help="output format")\n' + parse_anchor,
                ),
                (
                    loop,
                    '    if args.format == "csv":\n        writer = csv.writer(sys.stdout, lineterminator="\\n")\n'
                    f'        writer.writerow(["{key_col}", "total"])\n'
                    "        for key, total in ranking:\n"
                    '            writer.writerow([key, f"{total:.2f}"])\n        return 0\n' + loop,
                ),
            ],
            value="csv",
            probe="text",
            invalid="xml",
            order=3,
        ),
    }
    tests = _tests(
        tool, data_path, existing, existing_values[0], len(run({})), len(run({existing: existing_values[0]}))
    )
    return _Tool(
        script_path=script,
        source=source,
        data_path=data_path,
        data=data,
        title=_PHRASES[tool],
        existing=(existing, existing_values[0]),
        run=run,
        flags=flags,
        tests=tests,
    )


def _threshold_between(values: list[float], index: int) -> str:
    """A threshold that keeps exactly the totals ``values[index:]`` (sorted), never equal to any total."""
    for position in [index, *range(1, len(values)), *range(len(values) - 1, 0, -1)]:
        low, high = values[position - 1], values[position]
        whole = float(int(high))
        if low < whole < high:
            return f"{int(whole)}"
        middle = round((low + high) / 2, 2)
        if low < middle < high:
            return f"{middle:.2f}"
    return f"{values[-1] + 1:.2f}"


def _distinct(value: str, probe: str, candidates: list[str]) -> str:
    """``probe``, or another candidate when it equals ``value``."""
    if probe != value:
        return probe
    return next(candidate for candidate in candidates if candidate != value)


# -- tool 2: open items listing over JSONL ------------------------------------------------------------------

_LISTING = '''#!/usr/bin/env python3
"""@DOC@

Usage: python3 @SCRIPT@ @DATA@ [--owner NAME]
"""

import argparse
import csv
import datetime as dt
import json
import sys

OPEN_STATES = (@STATES@)


def load(path):
    """One dict per non-blank line of the JSON Lines file."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    return records


def is_open(record):
    return record["status"] in OPEN_STATES


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the JSON Lines export")
    parser.add_argument("--owner", help="only items whose owner is exactly this name")
    args = parser.parse_args(argv)

    items = [record for record in load(args.path) if is_open(record)]
    if args.owner:
        items = [record for record in items if record["owner"] == args.owner]
    items.sort(key=lambda record: (record["@DATE@"], record["id"]))
    for record in items:
        print(f"{record['@DATE@']}  {record['id']:<12}{record['title']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

_LISTING_SKINS = (
    ("open_tickets", "List open support tickets, oldest first.", "tickets.jsonl", "opened", "TCK-{n}",
     ("open", "pending"), ("closed",)),
    ("unpaid_invoices", "List unpaid invoices by due date.", "invoices.jsonl", "due", "INV-2026-{n:03d}",
     ("unpaid", "partial"), ("paid",)),
    ("open_repairs", "List maintenance requests that are not done yet, oldest first.", "repairs.jsonl",
     "reported", "MR-{n}", ("new", "in_progress"), ("done",)),
    ("loans_out", "List library loans still out, by due date.", "loans.jsonl", "due", "BK-{n}",
     ("out", "overdue"), ("returned",)),
)  # fmt: skip

_TITLES = {
    "open_tickets": ("Cannot reset password", "Export to CSV times out", "Invoice shows wrong VAT",
                     "Login loop on mobile", "Duplicate email notifications", "Report filters ignored",
                     "Attachment upload fails, over 10 MB", "Calendar sync stopped", "Typo on pricing page",
                     "Search returns nothing for quotes"),
    "unpaid_invoices": ("Quarterly retainer", "Consulting, March", "Hardware refresh", "Annual licence",
                        "Workshop facilitation", "Catering, staff day", "Print run, brochures",
                        "Travel costs, site visit", "Support hours, overage", "Translation, 12 pages"),
    "open_repairs": ("Leaking tap in kitchen 2", "Broken blind, room 14", "Door closer too strong",
                     "Flickering light, stairwell B", "Radiator cold, office 3", "Loose handrail, entrance",
                     "Fridge not cooling", "Window won't lock, room 7", "Toilet running, level 1",
                     "Fire exit sign out"),
    "loans_out": ("The Overstory", "Braiding Sweetgrass", "Piranesi", "The Dispossessed", "Educated",
                  "A Gentleman in Moscow", "Klara and the Sun", "The Ministry for the Future", "Circe",
                  "Sapiens, illustrated edition"),
}  # fmt: skip


def _listing_tool(rng: StableRandom, b: TaskBuilder, rows_wanted: int) -> _Tool:
    tool, doc, data_name, date_key, id_format, open_states, closed_states = rng.choice(_LISTING_SKINS)
    owners = [*b.persona.team[:3], b.persona.name]
    start = dt.date(rng.choice((2025, 2026)), rng.randint(1, 10), 1)
    number = rng.randint(100, 900)
    titles = _TITLES[tool]
    records = []
    for _ in range(rows_wanted):
        number += rng.randint(1, 9)
        status = rng.choice(open_states + open_states + closed_states)
        records.append(
            {
                "id": id_format.format(n=number),
                date_key: iso(date_add(start, rng.below(50))),
                "title": rng.choice(titles),
                "owner": rng.choice(owners),
                "status": status,
            }
        )
    # Make sure some open items share a date (the boundary and the tie-break matter).
    opens = [record for record in records if record["status"] in open_states]
    if len(opens) >= 4:
        opens[1][date_key] = opens[2][date_key]
    data = jsonl_text(rng.shuffled(records))
    script = f"tools/{tool}.py"
    data_path = f"data/{data_name}"
    source = _fill(
        _LISTING,
        DOC=doc,
        SCRIPT=script,
        DATA=data_path,
        STATES=", ".join(f'"{state}"' for state in open_states),
        DATE=date_key,
    )

    def run(options: Options) -> list[str]:
        items = [record for record in records if record["status"] in open_states]
        if options.get("owner"):
            items = [record for record in items if record["owner"] == options["owner"]]
        if options.get("since"):
            items = [record for record in items if record[date_key] >= options["since"]]
        items.sort(key=lambda record: (record[date_key], record["id"]))
        if options.get("limit") is not None:
            items = items[: int(options["limit"])]
        if options.get("format") == "csv":
            return _csv_lines([["id", date_key, "title"], *([r["id"], r[date_key], r["title"]] for r in items)])
        return [f"{r[date_key]}  {r['id']:<12}{r['title']}" for r in items]

    open_days = sorted({record[date_key] for record in records if record["status"] in open_states})
    line = "{record['@D@']}  {record['id']:<12}{record['title']}".replace("@D@", date_key)
    loop = f'    for record in items:\n        print(f"{line}")\n'
    sort_anchor = f'    items.sort(key=lambda record: (record["{date_key}"], record["id"]))\n'
    parse_anchor = "    args = parser.parse_args(argv)\n"
    load_anchor = "def load(path):\n"
    flags = {
        "since": _Flag(
            name="--since",
            issue_title=f"{tool}.py: --since filter",
            issue_body=(
                f"Please add `--since YYYY-MM-DD` so I can see only the recent ones: when given, only items whose "
                f"`{date_key}` date is on or after that day are listed (that day included). Ordering and the "
                "line format stay the same. An invalid date should be a usage error (argparse's exit status 2)."
            ),
            edits=[
                (load_anchor, DAY_HELPER + load_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", '
                    'help="only items dated on or after this day")\n' + parse_anchor,
                ),
                (
                    sort_anchor,
                    f'    if args.since:\n        items = [record for record in items if record["{date_key}"] >= '
                    "args.since.isoformat()]\n" + sort_anchor,
                ),
            ],
            value=open_days[len(open_days) // 2],
            probe=_distinct(open_days[len(open_days) // 2], open_days[len(open_days) // 3], open_days),
            invalid="03/14/2026",
            order=0,
            wrong_edits=[
                (load_anchor, DAY_HELPER + load_anchor),
                (parse_anchor, '    parser.add_argument("--since", type=_day)\n' + parse_anchor),
                (
                    sort_anchor,
                    f'    if args.since:\n        items = [record for record in items if record["{date_key}"] > '
                    "args.since.isoformat()]\n" + sort_anchor,
                ),
            ],
        ),
        "limit": _Flag(
            name="--limit",
            issue_title=f"{tool}.py: --limit N",
            issue_body=(
                "The list scrolls off my screen. Please add `--limit N`: print only the first N lines of the "
                "usual output (same order, after any other filtering); with fewer than N items print them all. N "
                "must be a whole number of at least 1, anything else is a usage error (argparse's exit status 2)."
            ),
            edits=[
                (load_anchor, COUNT_HELPER + load_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--limit", type=_positive, metavar="N", help="only the first N items")\n'
                    + parse_anchor,
                ),
                (loop, "    if args.limit is not None:\n        items = items[: args.limit]\n" + loop),
            ],
            value=str(rng.randint(3, 4)),
            probe="2",
            invalid="-3",
            order=2,
        ),
        "format": _Flag(
            name="--format",
            issue_title=f"{tool}.py: CSV output",
            issue_body=(
                "Please add `--format {text,csv}` (default `text`, today's output unchanged). With `--format "
                f"csv` print a CSV: header `id,{date_key},title`, then one row per item in the usual order, "
                "quoted the standard CSV way where a title contains a comma. Any other format name is a usage "
                "error (argparse's exit status 2)."
            ),
            edits=[
                (
                    parse_anchor,
                    '    parser.add_argument("--format", choices=("text", "csv"), default="text", '
                    'help="output format")\n' + parse_anchor,
                ),
                (
                    loop,
                    '    if args.format == "csv":\n        writer = csv.writer(sys.stdout, lineterminator="\\n")\n'
                    f'        writer.writerow(["id", "{date_key}", "title"])\n'
                    "        for record in items:\n"
                    f'            writer.writerow([record["id"], record["{date_key}"], record["title"]])\n'
                    "        return 0\n" + loop,
                ),
            ],
            value="csv",
            probe="text",
            invalid="json",
            order=3,
        ),
    }
    owner = owners[0]
    tests = _tests(tool, data_path, "owner", owner, len(run({})), len(run({"owner": owner})))
    return _Tool(
        script_path=script,
        source=source,
        data_path=data_path,
        data=data,
        title=_PHRASES[tool],
        existing=("owner", owner),
        run=run,
        flags=flags,
        tests=tests,
    )


# -- tool 3: log line counter --------------------------------------------------------------------------------

_COUNTER = '''#!/usr/bin/env python3
"""@DOC@

Usage: python3 @SCRIPT@ @DATA@ [--level LEVEL]
"""

import argparse
import csv
import datetime as dt
import re
import sys

LINE = re.compile(r"^(\\d{4}-\\d{2}-\\d{2})T(\\d{2}:\\d{2}:\\d{2}) +([A-Z]+) +([\\w.-]+): (.*)$")


def parse(path):
    """The log's well-formed lines as dicts (day, time, level, component, message)."""
    entries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = LINE.match(line.rstrip("\\n"))
            if match:
                day, time, level, component, message = match.groups()
                entries.append(
                    {"day": day, "time": time, "level": level, "component": component, "message": message}
                )
    return entries


def count_by(entries, field):
    counts = {}
    for entry in entries:
        counts[entry[field]] = counts.get(entry[field], 0) + 1
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the log file")
    parser.add_argument("--level", help="only count lines of this level, e.g. ERROR")
    args = parser.parse_args(argv)

    entries = parse(args.path)
    if args.level:
        entries = [entry for entry in entries if entry["level"] == args.level.upper()]
    counts = count_by(entries, "@GROUP@")
    rows = sorted(counts.items())
    for key, count in rows:
        print(f"{key:<16}{count:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

_COUNTER_SKINS = (
    ("daily_counts", "Count log lines per day.", "app.log", "day",
     ("api", "worker", "scheduler", "db")),
    ("component_counts", "Count log lines per component.", "sync.log", "component",
     ("fetcher", "parser", "uploader", "cleanup", "notifier")),
    ("backup_days", "Count backup-job log lines per day.", "backup.log", "day",
     ("snapshot", "upload", "prune", "verify")),
)  # fmt: skip

_MESSAGES = {
    "INFO": ("job {n} finished", "cache warmed ({n} keys)", "request served in {n} ms", "checkpoint {n} written"),
    "WARN": ("retrying job {n}", "slow response ({n} ms)", "queue depth {n}", "disk at {n}%"),
    "ERROR": ("job {n} failed", "connection reset (attempt {n})", "timeout after {n} s", "checksum mismatch #{n}"),
    "DEBUG": ("tick {n}", "heartbeat {n}", "poll cycle {n}"),
}


def _counter_tool(rng: StableRandom, b: TaskBuilder, rows_wanted: int) -> _Tool:
    tool, doc, log_name, group, components = rng.choice(_COUNTER_SKINS)
    start = dt.date(rng.choice((2025, 2026)), rng.randint(1, 11), rng.randint(1, 20))
    span = rng.randint(6, 9)
    lines = []
    entries = []
    for _ in range(rows_wanted * 2):
        day = date_add(start, rng.below(span))
        seconds = rng.below(86400)
        level = rng.weighted(("INFO", "WARN", "ERROR", "DEBUG"), (6, 2, 1, 2))
        component = rng.choice(components)
        message = rng.choice(_MESSAGES[level]).format(n=rng.randint(2, 999))
        stamp = f"{iso(day)}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        entries.append({"day": iso(day), "stamp": stamp, "level": level, "component": component})
        lines.append((stamp, f"{stamp} {level:<5} {component}: {message}"))
    lines.sort()
    text_lines = [line for _, line in lines]
    # A wrapped stack-trace line, which the tool already ignores.
    text_lines.insert(len(text_lines) // 3, "    at worker.run (worker.py:88)")
    data = "\n".join(text_lines) + "\n"
    script = f"tools/{tool}.py"
    data_path = f"logs/{log_name}"
    source = _fill(_COUNTER, DOC=doc, SCRIPT=script, DATA=data_path, GROUP=group)

    def run(options: Options) -> list[str]:
        selected = entries
        if options.get("level"):
            selected = [e for e in selected if e["level"] == options["level"].upper()]
        if options.get("since"):
            selected = [e for e in selected if e["day"] >= options["since"]]
        if options.get("until"):
            selected = [e for e in selected if e["day"] <= options["until"]]
        counts: dict[str, int] = {}
        for entry in selected:
            counts[entry[group]] = counts.get(entry[group], 0) + 1
        rows = sorted(counts.items())
        if options.get("top") is not None:
            rows = sorted(rows, key=lambda item: (-item[1], item[0]))[: int(options["top"])]
        if options.get("format") == "csv":
            return _csv_lines([[group, "count"], *([key, str(count)] for key, count in rows)])
        return [f"{key:<16}{count:>6}" for key, count in rows]

    days = sorted({entry["day"] for entry in entries})
    loop = '    for key, count in rows:\n        print(f"{key:<16}{count:>6}")\n'
    count_anchor = f'    counts = count_by(entries, "{group}")\n'
    parse_anchor = "    args = parser.parse_args(argv)\n"
    helper_anchor = "def parse(path):\n"
    flags = {
        "since": _Flag(
            name="--since",
            issue_title=f"{tool}.py: --since",
            issue_body=(
                "Please add `--since YYYY-MM-DD`: when given, only lines logged on or after that day are counted "
                "(the day itself included). Output format and order unchanged. An invalid date is a usage error "
                "(argparse's exit status 2)."
            ),
            edits=[
                (helper_anchor, DAY_HELPER + helper_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", '
                    'help="only count lines from this day on")\n' + parse_anchor,
                ),
                (
                    count_anchor,
                    '    if args.since:\n        entries = [entry for entry in entries if entry["day"] >= '
                    "args.since.isoformat()]\n" + count_anchor,
                ),
            ],
            value=days[len(days) // 2],
            probe=_distinct(days[len(days) // 2], days[1], days),
            invalid="yesterday",
            order=0,
            wrong_edits=[
                (helper_anchor, DAY_HELPER + helper_anchor),
                (parse_anchor, '    parser.add_argument("--since", type=_day)\n' + parse_anchor),
                (
                    count_anchor,
                    '    if args.since:\n        entries = [entry for entry in entries if entry["day"] > '
                    "args.since.isoformat()]\n" + count_anchor,
                ),
            ],
        ),
        "until": _Flag(
            name="--until",
            issue_title=f"{tool}.py: --until",
            issue_body=(
                "Please add `--until YYYY-MM-DD`: when given, only lines logged on or before that day are "
                "counted (the day itself included). Output format and order unchanged. An invalid date is a "
                "usage error (argparse's exit status 2)."
            ),
            edits=[
                (helper_anchor, DAY_HELPER + helper_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--until", type=_day, metavar="YYYY-MM-DD", '
                    'help="only count lines up to this day")\n' + parse_anchor,
                ),
                (
                    count_anchor,
                    '    if args.until:\n        entries = [entry for entry in entries if entry["day"] <= '
                    "args.until.isoformat()]\n" + count_anchor,
                ),
            ],
            value=days[len(days) // 2 + 1],
            probe=_distinct(days[len(days) // 2 + 1], days[-2], days),
            invalid="2026-02-30",
            order=1,
            wrong_edits=[
                (helper_anchor, DAY_HELPER + helper_anchor),
                (parse_anchor, '    parser.add_argument("--until", type=_day)\n' + parse_anchor),
                (
                    count_anchor,
                    '    if args.until:\n        entries = [entry for entry in entries if entry["day"] < '
                    "args.until.isoformat()]\n" + count_anchor,
                ),
            ],
        ),
        "top": _Flag(
            name="--top",
            issue_title=f"{tool}.py: --top N",
            issue_body=(
                f"Please add `--top N`: print only the N {group}s with the most lines, most first, ties broken "
                f"by {group} in ascending order (after any other filtering; fewer than N means print them all). "
                "Without the flag the output stays exactly as today. N must be a whole number of at least 1, "
                "anything else is a usage error (argparse's exit status 2)."
            ),
            edits=[
                (helper_anchor, COUNT_HELPER + helper_anchor),
                (
                    parse_anchor,
                    '    parser.add_argument("--top", type=_positive, metavar="N", '
                    f'help="only the N busiest {group}s")\n' + parse_anchor,
                ),
                (
                    loop,
                    "    if args.top is not None:\n"
                    "        rows = sorted(rows, key=lambda item: (-item[1], item[0]))[: args.top]\n" + loop,
                ),
            ],
            value="3",
            probe="1",
            invalid="three",
            order=2,
        ),
        "format": _Flag(
            name="--format",
            issue_title=f"{tool}.py: CSV output",
            issue_body=(
                "Please add `--format {text,csv}` (default `text`, today's output unchanged). With `--format "
                f"csv` print a CSV: header `{group},count`, then one `{group},count` row per line of the usual "
                "output, same order, no padding. Any other format name is a usage error (argparse's exit "
                "status 2)."
            ),
            edits=[
                (
                    parse_anchor,
                    '    parser.add_argument("--format", choices=("text", "csv"), default="text", '
                    'help="output format")\n' + parse_anchor,
                ),
                (
                    loop,
                    '    if args.format == "csv":\n        writer = csv.writer(sys.stdout, lineterminator="\\n")\n'
                    f'        writer.writerow(["{group}", "count"])\n'
                    "        writer.writerows(rows)\n        return 0\n" + loop,
                ),
            ],
            value="csv",
            probe="text",
            invalid="tsv",
            order=3,
        ),
    }
    level = "ERROR" if any(e["level"] == "ERROR" for e in entries) else "WARN"
    tests = _tests(tool, data_path, "level", level, len(run({})), len(run({"level": level})))
    return _Tool(
        script_path=script,
        source=source,
        data_path=data_path,
        data=data,
        title=_PHRASES[tool],
        existing=("level", level),
        run=run,
        flags=flags,
        tests=tests,
    )


def _tests(tool: str, data_path: str, option: str, value: str, all_lines: int, filtered_lines: int) -> str:
    return _fill(
        """
import contextlib
import io
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import @TOOL@  # noqa: E402

DATA = os.path.join(ROOT, "@DATA@")


def run_cli(*argv):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = @TOOL@.main(list(argv))
    return code, [line for line in buffer.getvalue().splitlines() if line.strip()]


class CliTest(unittest.TestCase):
    def test_default_output(self):
        code, lines = run_cli(DATA)
        self.assertEqual(code, 0)
        self.assertEqual(len(lines), @ALL@)

    def test_@OPTION@_filter(self):
        code, lines = run_cli(DATA, "--@OPTION@", "@VALUE@")
        self.assertEqual(code, 0)
        self.assertEqual(len(lines), @FILTERED@)


if __name__ == "__main__":
    unittest.main()
""",
        TOOL=tool,
        DATA=data_path,
        OPTION=option,
        VALUE=value,
        ALL=all_lines,
        FILTERED=filtered_lines,
    )


_KINDS: tuple[Callable[[StableRandom, TaskBuilder, int], _Tool], ...] = (_totals_tool, _listing_tool, _counter_tool)


def _compare_script(argv: list[str], expected: list[str], *, as_csv: bool) -> str:
    """A bash command running the tool with ``argv`` and comparing its stdout with ``expected`` lines.

    Text output is compared line by line with trailing spaces ignored; CSV output is parsed and compared
    cell by cell (numbers by value), so quoting style does not matter.
    """
    code = f"""
import csv
import subprocess
import sys

argv = {json.dumps(argv)}
expected = {json.dumps(expected)}
done = subprocess.run([sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
actual = [line.rstrip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
if done.returncode != 0:
    sys.exit("exit status %d: %s" % (done.returncode, done.stderr.decode()[-300:]))
if {as_csv!r}:
    def cells(lines):
        return [[cell.strip() for cell in row] for row in csv.reader(lines)]
    def same(a, b):
        try:
            return abs(float(a) - float(b)) < 1e-9
        except ValueError:
            return a == b
    a_rows, e_rows = cells(actual), cells(expected)
    ok = len(a_rows) == len(e_rows) and all(
        len(x) == len(y) and all(same(p, q) for p, q in zip(x, y)) for x, y in zip(a_rows, e_rows)
    )
else:
    ok = actual == [line.rstrip() for line in expected]
if not ok:
    sys.exit("output differs:\\n" + "\\n".join(actual[:20]))
print("same")
"""
    return f"python3 - <<'PYCHECK'\n{code.strip()}\nPYCHECK"


def _apply(source: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        if source.count(old) != 1:
            raise ValueError(f"edit anchor not unique: {old!r}")
        source = source.replace(old, new)
    return source


class AddCliFlag(TaskFamily):
    """Add the command-line option an issue asks for to a small argparse tool, then run it and save the output.

    **Request**: implement the flag described in ``issues/<n>-*.md`` in
    ``tools/<tool>.py`` without changing the tool's existing behaviour, then
    run the tool with the flag on the given data and save what it prints to
    a given file.

    **Workspace**: one of three structurally different stdlib tools (totals
    per key over a CSV export, a listing of open items over JSON Lines, a log
    line counter), each in several skins, with its data file (including a
    row or line the tool already skips), the issue, a small ``unittest``
    suite for the current behaviour and a README; unrelated files.

    **Checks**: the flag shows up in ``--help``; runs with the requested
    value and with a second value print exactly the expected lines (CSV
    compared cell by cell); the default output and the existing option are
    unchanged; the existing tests still pass; the saved output file holds
    exactly the expected lines; the data is untouched.

    **Hard**: two issues (two flags) that must also work together, more
    data, invalid flag values must be usage errors (exit status 2), and the
    saved run uses both flags.
    """

    name = "add_cli_flag"
    scenario = Scenario.SOFTWARE_DEVELOPMENT
    operations = (Operation.DEVELOPMENT,)
    domains = DEVELOPER_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        kind = rng.choice(_KINDS)
        tool = kind(rng.child("tool"), b, rng.randint(30, 42) if b.hard else rng.randint(14, 22))
        flag_names = rng.sample(sorted(tool.flags), 2 if b.hard else 1)
        flags = sorted((tool.flags[name] for name in flag_names), key=lambda flag: flag.order)
        primary = flags[0]
        key_of = {flag.name: flag.name.lstrip("-") for flag in flags}

        # Workspace.
        b.file(tool.script_path, tool.source, executable=True)
        b.file(tool.data_path, tool.data)
        b.file(f"tests/test_{tool.script_path.split('/')[-1][:-3]}.py", tool.tests)
        b.file("tests/__init__.py", "")
        existing_name, existing_value = tool.existing
        script_name = tool.script_path.split("/")[-1]
        readme = (
            f"# tools\n\nLittle helpers for {b.persona.org}.\n\n## {script_name}\n\n{tool.title[0].upper()}"
            f"{tool.title[1:]}.\n\n```\npython3 {tool.script_path} {tool.data_path}\n"
            f"python3 {tool.script_path} {tool.data_path} --{existing_name} {_quote(existing_value)}\n```\n\n"
            "Tests: `python3 -m unittest` from the repository root. Standard library only, please.\n"
        )
        b.file("README.md", readme)
        number = rng.randint(12, 140)
        reporter = rng.choice(b.persona.team) if b.persona.team else b.pools.person(rng)
        issues = []
        for offset, flag in enumerate(flags):
            path = f"issues/{number + offset * rng.randint(1, 6)}-{flag.name.lstrip('-')}.md"
            b.file(path, f"# {flag.issue_title}\n\nOpened by {reporter}.\n\n{flag.issue_body}\n")
            issues.append(path)
        invocation = [tool.script_path, tool.data_path]
        for flag in flags:
            invocation += [flag.name, flag.value]
        as_csv = any(flag.name == "--format" for flag in flags)
        out = f"out/{script_name[:-3]}_{'_'.join(key_of[f.name] for f in flags)}.{'csv' if as_csv else 'txt'}"
        options = {key_of[flag.name]: flag.value for flag in flags}
        expected = tool.run(options)
        avoid = ["tools/", "out/", "issues/", "tests/", "data/", "logs/"]
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=avoid)

        command = "python3 " + " ".join(invocation)
        issue_list = " and ".join(issues)
        flag_list = " and ".join(f"`{flag.name}`" for flag in flags)
        body = b.pick(
            [
                f"Could you implement {issue_list} in {tool.script_path}? It's our little script that "
                f"{tool.title}. Everything it does today has to keep working exactly the same (the "
                "existing tests in tests/ should still pass). When it's in, run "
                f"`{command}` and save what it prints to {out}.",
                f"Small change to {tool.script_path}, please:\n"
                f"1. Add {flag_list} as described in {issue_list}.\n"
                "2. Don't change the current behaviour: same output without the new option, "
                f"`--{existing_name}` still works, `python3 -m unittest` still passes.\n"
                f"3. Run `{command}` and save its output to {out}.",
                f"{issue_list} {'have' if len(issues) > 1 else 'has'} been sitting there forever. can you add "
                f"{flag_list} to {tool.script_path} "
                "(standard library only, don't break what's there) and then save the output of "
                f"`{command}` in {out}? thanks",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch:\n- Both options have to work on their own and together.\n"
                "- Bad values for them must be usage errors (exit status 2), as the issues say.\n"
                "- Keep the data file as it is."
            )
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(5 if b.hard else 3)

        # Checks.
        c = b.checks
        base = [tool.script_path, tool.data_path]
        helped = []
        for flag in flags:
            helped.append(
                c.command(
                    f"help_lists_{key_of[flag.name]}",
                    f"python3 {tool.script_path} --help",
                    stdout_contains=[flag.name],
                )
            )
        for flag in flags:
            key = key_of[flag.name]
            csv_mode = flag.name == "--format"
            c.command(
                f"{key}_{_slug(flag.value)}_output_correct",
                _compare_script([*base, flag.name, flag.value], tool.run({key: flag.value}), as_csv=csv_mode),
            )
            c.command(
                f"{key}_{_slug(flag.probe)}_output_correct",
                _compare_script([*base, flag.name, flag.probe], tool.run({key: flag.probe}), as_csv=False),
            )
            c.command(
                f"{key}_with_{existing_name}_correct",
                _compare_script(
                    [*base, flag.name, flag.value, f"--{existing_name}", existing_value],
                    tool.run({key: flag.value, existing_name: existing_value}),
                    as_csv=csv_mode,
                ),
            )
            if b.hard and flag.invalid is not None:
                c.command(
                    f"{key}_rejects_bad_value",
                    f"python3 {tool.script_path} {tool.data_path} {flag.name} '{flag.invalid}' >/dev/null 2>&1; "
                    'test "$?" -eq 2',
                    requires=[helped[flags.index(flag)]],
                )
        if len(flags) > 1:
            c.command("flags_combine_correctly", _compare_script(invocation, expected, as_csv=as_csv))
        c.command(
            "default_output_unchanged",
            _compare_script(base, tool.run({}), as_csv=False),
            requires=helped[:1],
        )
        c.command(
            f"{existing_name}_option_unchanged",
            _compare_script([*base, f"--{existing_name}", existing_value], tool.run({existing_name: existing_value}),
                            as_csv=False),
            requires=helped[:1],
        )  # fmt: skip
        c.command("existing_tests_pass", "python3 -m unittest", requires=helped[:1], timeout=120)
        saved = c.file_exists("output_saved", out)
        if as_csv:
            c.csv_rows(
                "saved_output_matches",
                out,
                [row for row in csv.reader(io.StringIO("\n".join(expected[1:])))],
                requires=[saved],
            )
            c.csv_header("saved_output_header", out, next(csv.reader([expected[0]])), requires=[saved])
        else:
            c.lines_equal("saved_output_matches", out, [line.strip() for line in expected], requires=[saved])
        c.files_unchanged("data_unchanged", {tool.data_path: tool.data}, requires=[saved])

        # Reference solution.
        s = b.solution
        s.exec(f"cat {' '.join(issues)} && ls tools data logs 2>/dev/null; head -5 {tool.data_path}")
        s.read(tool.script_path)
        edits: list[tuple[str, str]] = []
        current = tool.source
        for flag in flags:
            for old, new in flag.edits:
                if new.replace(old, "", 1) in current:
                    continue  # a helper that both flags need is added once
                if current.count(old) != 1:
                    raise ValueError(f"{self.name}: anchor {old!r} not unique for {flag.name}")
                edits.append((old, new))
                current = current.replace(old, new)
        for old, new in edits:
            s.edit(tool.script_path, old, new)
        s.exec(f"python3 {tool.script_path} --help && python3 -m unittest 2>&1 | tail -3")
        s.exec(f"mkdir -p out && {command} > {out} && cat {out}")

        # Near misses: the flags implemented, but the run saved without them; a boundary off by one.
        plain = f"mkdir -p out && python3 {' '.join(base)} > {out}"
        b.near_miss([*s.steps[:-1], {"name": "exec", "arguments": {"command": plain}}])
        if primary.wrong_edits is not None:
            wrong_source = _apply(tool.source, primary.wrong_edits)
            wrong_steps = [s.steps[0], {"name": "write", "arguments": {"path": tool.script_path, "content":
                                                                        wrong_source}}]  # fmt: skip
            b.near_miss(wrong_steps)


def _quote(value: str) -> str:
    return f'"{value}"' if " " in value else value


def _slug(value: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in value.lower()).strip("_")
