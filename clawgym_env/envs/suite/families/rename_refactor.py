"""Rename refactor: rename a badly named function (and, when hard, its module) across a small Python project."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import DEVELOPER_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import date_add, iso

__all__ = ["RenameRefactor"]


@dataclass
class _Project:
    """Source templates with @FN@ (the function), @LOOK@ (a look-alike that keeps its name), @MOD@ (its module)."""

    packages: tuple[str, ...]
    purpose: str
    names: tuple[tuple[str, str, str], ...]
    """(old name, new name, look-alike name)."""
    modules: tuple[str, str]
    """(module now, module it moves to when hard)."""
    files: dict[str, str]
    """Relative to the package, except ``tests/`` and ``docs/`` files."""
    callers: tuple[str, ...]
    """Files (as keys of ``files``) that call the function."""
    probe: Callable[[StableRandom], tuple[str, str]]
    """(python statements using NEW, the same for LOOK) that pin behaviour down."""


def _fill(template: str, **values: str) -> str:
    text = template
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if re.search(r"@[A-Z]+@", text):
        raise ValueError(f"unfilled placeholder in {text[:120]!r}")
    return text.lstrip("\n")


# -- projects ------------------------------------------------------------------------------------------------


def _billing_probe(rng: StableRandom) -> tuple[str, str]:
    lines = [(rng.randint(1, 5), f"{rng.randint(1, 80)}.{rng.randint(0, 99):02d}") for _ in range(2)]
    rate = rng.choice((5, 7, 10, 19, 20))
    net = sum(Decimal(q) * Decimal(p) for q, p in lines)
    total = (net * (100 + rate) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    cents = int((net * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return (
        f"from decimal import Decimal\nassert NEW({lines!r}, {rate}) == Decimal('{total}'), NEW({lines!r}, {rate})",
        f"assert LOOK({lines!r}) == {cents}",
    )


BILLING = _Project(
    packages=("tillsplit", "invoicely", "quotebook"),
    purpose="invoices and quotes",
    names=(
        ("get_total", "invoice_total", "get_total_cents"),
        ("calc", "compute_invoice_total", "calc_net_cents"),
        ("do_sum", "invoice_total", "do_sum_cents"),
    ),
    modules=("utils", "pricing"),
    files={
        "@MOD@.py": '''
"""Money helpers: amounts are Decimals, never floats."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def @FN@(lines, tax_rate):
    """Total of ``(quantity, unit_price)`` lines plus ``tax_rate`` percent tax, rounded to cents."""
    net = sum((Decimal(quantity) * Decimal(price) for quantity, price in lines), Decimal("0"))
    return (net * (100 + Decimal(tax_rate)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def @LOOK@(lines):
    """Net total (no tax) in whole cents, as an int."""
    net = sum((Decimal(quantity) * Decimal(price) for quantity, price in lines), Decimal("0"))
    return int((net * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
''',
        "invoice.py": '''
"""Invoice documents."""

from @PKG@.@MOD@ import @FN@


def render(number, customer, lines, tax_rate):
    """One-line invoice summary."""
    total = @FN@(lines, tax_rate)
    return f"Invoice {number} for {customer}: {total} (incl. {tax_rate}% tax)"
''',
        "report.py": '''
"""Month-end summary across invoices."""

from decimal import Decimal

from @PKG@ import @MOD@


def month_total(invoices, tax_rate):
    """Sum of every invoice's total, each rounded on its own like the documents."""
    return sum((@MOD@.@FN@(lines, tax_rate) for lines in invoices), Decimal("0"))
''',
        "tests/test_money.py": """
import unittest
from decimal import Decimal

from @PKG@.@MOD@ import @FN@, @LOOK@


class MoneyTest(unittest.TestCase):
    def test_total_with_tax(self):
        self.assertEqual(@FN@([(2, "10.00")], 20), Decimal("24.00"))

    def test_total_rounds_half_up(self):
        self.assertEqual(@FN@([(1, "0.125")], 0), Decimal("0.13"))

    def test_net_cents(self):
        self.assertEqual(@LOOK@([(3, "1.10")]), 330)


if __name__ == "__main__":
    unittest.main()
""",
        "tests/test_documents.py": """
import unittest
from decimal import Decimal

from @PKG@.invoice import render
from @PKG@.report import month_total


class DocumentsTest(unittest.TestCase):
    def test_render(self):
        self.assertEqual(render("A-1", "Kai", [(1, "5.00")], 10), "Invoice A-1 for Kai: 5.50 (incl. 10% tax)")

    def test_month_total(self):
        self.assertEqual(month_total([[(1, "1.00")], [(2, "2.00")]], 0), Decimal("5.00"))


if __name__ == "__main__":
    unittest.main()
""",
    },
    callers=("invoice.py", "report.py"),
    probe=_billing_probe,
)


def _dates_probe(rng: StableRandom) -> tuple[str, str]:
    day = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(10, 28))
    other = date_add(day, rng.randint(2, 30))
    return (
        "import datetime as dt\n"
        f"assert NEW(' {day.day:02d}/{day.month:02d}/{day.year} ') == dt.date({day.year}, {day.month}, {day.day})\n"
        f"assert NEW('{other.day:02d}.{other.month:02d}.{other.year}') == "
        f"dt.date({other.year}, {other.month}, {other.day})",
        f"assert LOOK(['{iso(day)}', '  ', '{iso(other)}'])[-1].day == {other.day}",
    )


DATES = _Project(
    packages=("staybook", "roomrota", "visitplan"),
    purpose="bookings and reminders",
    names=(
        ("parse_date", "parse_booking_date", "parse_dates"),
        ("pd", "parse_day", "pd_many"),
        ("to_dt", "parse_day", "to_dt_list"),
    ),
    modules=("helpers", "dates"),
    files={
        "@MOD@.py": '''
"""Date parsing for the booking sheets (people type dates three different ways)."""

import datetime as dt

FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")


def @FN@(text):
    """A date from 'YYYY-MM-DD', 'DD/MM/YYYY' or 'DD.MM.YYYY' (surrounding spaces ignored)."""
    text = text.strip()
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date: {text!r}")


def @LOOK@(texts):
    """Parse many dates; blank entries are skipped."""
    return [@FN@(text) for text in texts if text.strip()]
''',
        "bookings.py": '''
"""Booking arithmetic."""

from @PKG@.@MOD@ import @FN@


def nights(check_in, check_out):
    """Nights between two dates as typed on the sheet."""
    return (@FN@(check_out) - @FN@(check_in)).days
''',
        "reminders.py": '''
"""Which bookings need a reminder."""

import datetime as dt

from @PKG@ import @MOD@


def due_soon(rows, today, days=2):
    """Guests whose check-in is within ``days`` days from ``today`` (inclusive), in sheet order."""
    limit = today + dt.timedelta(days=days)
    return [row["guest"] for row in rows if today <= @MOD@.@FN@(row["check_in"]) <= limit]
''',
        "tests/test_parsing.py": """
import datetime as dt
import unittest

from @PKG@.@MOD@ import @FN@, @LOOK@


class ParsingTest(unittest.TestCase):
    def test_three_formats(self):
        expected = dt.date(2026, 3, 7)
        for text in ("2026-03-07", "07/03/2026", " 07.03.2026 "):
            self.assertEqual(@FN@(text), expected)

    def test_garbage(self):
        with self.assertRaises(ValueError):
            @FN@("next tuesday")

    def test_many_skips_blanks(self):
        self.assertEqual(len(@LOOK@(["2026-01-01", "", "02/01/2026"])), 2)


if __name__ == "__main__":
    unittest.main()
""",
        "tests/test_bookings.py": """
import datetime as dt
import unittest

from @PKG@.bookings import nights
from @PKG@.reminders import due_soon


class BookingsTest(unittest.TestCase):
    def test_nights(self):
        self.assertEqual(nights("2026-05-01", "04/05/2026"), 3)

    def test_due_soon(self):
        rows = [{"guest": "Ada", "check_in": "2026-05-02"}, {"guest": "Bo", "check_in": "2026-05-09"}]
        self.assertEqual(due_soon(rows, dt.date(2026, 5, 1)), ["Ada"])


if __name__ == "__main__":
    unittest.main()
""",
    },
    callers=("bookings.py", "reminders.py"),
    probe=_dates_probe,
)


def _email_probe(rng: StableRandom) -> tuple[str, str]:
    user = rng.choice(("Ana.Silva", "J.Okafor", "Mei.Lin", "Tom.Berg"))
    host = rng.choice(("Example.ORG", "Mail.Example.com", "EXAMPLE.net"))
    return (
        f"assert NEW('  {user}@{host} ') == '{user.lower()}@{host.lower()}'\nassert NEW('') == ''",
        f"assert LOOK(['{user}@{host}', '{user.lower()}@{host.lower()}', '']) == ['{user.lower()}@{host.lower()}']",
    )


EMAIL = _Project(
    packages=("mailmerge", "contactbook", "newsletter"),
    purpose="the mailing list and contact records",
    names=(
        ("clean", "normalize_email", "clean_all"),
        ("norm", "normalize_email", "norm_list"),
        ("fix_addr", "canonical_email", "fix_addr_list"),
    ),
    modules=("util", "addresses"),
    files={
        "@MOD@.py": '''
"""Email address helpers."""


def @FN@(address):
    """The address with surrounding spaces removed, lowercased; an empty string stays empty."""
    return address.strip().lower()


def @LOOK@(addresses):
    """Normalised, de-duplicated addresses in first-seen order; blanks dropped."""
    seen = []
    for address in addresses:
        value = @FN@(address)
        if value and value not in seen:
            seen.append(value)
    return seen
''',
        "mailing.py": '''
"""Build the recipient list for a send."""

from @PKG@.@MOD@ import @FN@


def recipients(rows, unsubscribed):
    """Sorted addresses of everyone not unsubscribed (comparison ignores case and spaces)."""
    blocked = {@FN@(address) for address in unsubscribed}
    wanted = {@FN@(row["email"]) for row in rows if row["email"].strip()}
    return sorted(wanted - blocked)
''',
        "crm.py": '''
"""Contact record matching."""

from @PKG@ import @MOD@


def same_person(a, b):
    """Two contact records are the same person when their email addresses match."""
    return @MOD@.@FN@(a["email"]) == @MOD@.@FN@(b["email"])
''',
        "tests/test_addresses.py": """
import unittest

from @PKG@.@MOD@ import @FN@, @LOOK@


class AddressTest(unittest.TestCase):
    def test_lowercase_and_strip(self):
        self.assertEqual(@FN@("  Kim@Example.COM "), "kim@example.com")

    def test_dedupe(self):
        self.assertEqual(@LOOK@(["a@x.org", "A@X.org", ""]), ["a@x.org"])


if __name__ == "__main__":
    unittest.main()
""",
        "tests/test_mailing.py": """
import unittest

from @PKG@.crm import same_person
from @PKG@.mailing import recipients


class MailingTest(unittest.TestCase):
    def test_unsubscribed_removed(self):
        rows = [{"email": "b@x.org"}, {"email": "A@x.org"}, {"email": " "}]
        self.assertEqual(recipients(rows, ["B@X.org"]), ["a@x.org"])

    def test_same_person(self):
        self.assertTrue(same_person({"email": "Jo@x.org"}, {"email": "jo@x.org "}))


if __name__ == "__main__":
    unittest.main()
""",
    },
    callers=("mailing.py", "crm.py"),
    probe=_email_probe,
)


def _stock_probe(rng: StableRandom) -> tuple[str, str]:
    point = rng.randint(5, 40)
    return (
        f"assert NEW({{'name': 'x', 'on_hand': {point}, 'reorder_point': {point}}})\n"
        f"assert not NEW({{'name': 'x', 'on_hand': {point + 1}, 'reorder_point': {point}}})",
        f"assert LOOK([{{'name': 'b', 'on_hand': 0, 'reorder_point': 1}}, "
        f"{{'name': 'a', 'on_hand': {point}, 'reorder_point': {point}}}]) == ['a', 'b']",
    )


STOCK = _Project(
    packages=("stockroom", "pantrytrack", "partsbin"),
    purpose="stock levels and purchasing",
    names=(
        ("chk", "needs_restock", "chk_all"),
        ("check_item", "needs_restock", "check_items"),
        ("is_low", "below_reorder_point", "is_low_any"),
    ),
    modules=("logic", "restock"),
    files={
        "@MOD@.py": '''
"""Restocking rules."""


def @FN@(item):
    """True when ``on_hand`` is at or below the item's ``reorder_point``."""
    return item["on_hand"] <= item["reorder_point"]


def @LOOK@(items):
    """Names of the items that need restocking, sorted."""
    return sorted(item["name"] for item in items if @FN@(item))
''',
        "purchasing.py": '''
"""Purchase order lines."""

from @PKG@.@MOD@ import @FN@


def order_lines(items, case_size):
    """``(name, units)`` to order for each low item, topping up to ``target`` in whole cases."""
    lines = []
    for item in items:
        if @FN@(item):
            missing = item["target"] - item["on_hand"]
            cases = -(-missing // case_size)
            lines.append((item["name"], cases * case_size))
    return lines
''',
        "dashboard.py": '''
"""The little status line on the shared screen."""

from @PKG@ import @MOD@


def status(items):
    low = [item for item in items if @MOD@.@FN@(item)]
    return f"{len(low)} of {len(items)} items need restocking"
''',
        "tests/test_restock.py": """
import unittest

from @PKG@.@MOD@ import @FN@, @LOOK@


class RestockTest(unittest.TestCase):
    def test_at_point(self):
        self.assertTrue(@FN@({"name": "a", "on_hand": 3, "reorder_point": 3}))

    def test_above_point(self):
        self.assertFalse(@FN@({"name": "a", "on_hand": 4, "reorder_point": 3}))

    def test_all(self):
        items = [{"name": "z", "on_hand": 0, "reorder_point": 1}, {"name": "y", "on_hand": 9, "reorder_point": 1}]
        self.assertEqual(@LOOK@(items), ["z"])


if __name__ == "__main__":
    unittest.main()
""",
        "tests/test_purchasing.py": """
import unittest

from @PKG@.dashboard import status
from @PKG@.purchasing import order_lines

ITEMS = [
    {"name": "gloves", "on_hand": 2, "reorder_point": 5, "target": 20},
    {"name": "masks", "on_hand": 40, "reorder_point": 10, "target": 50},
]


class PurchasingTest(unittest.TestCase):
    def test_order_lines(self):
        self.assertEqual(order_lines(ITEMS, 12), [("gloves", 24)])

    def test_status(self):
        self.assertEqual(status(ITEMS), "1 of 2 items need restocking")


if __name__ == "__main__":
    unittest.main()
""",
    },
    callers=("purchasing.py", "dashboard.py"),
    probe=_stock_probe,
)


def _stats_probe(rng: StableRandom) -> tuple[str, str]:
    values = [rng.randint(10, 900) for _ in range(rng.randint(3, 6))]
    mean = sum(values) / len(values)
    return (
        f"assert abs(NEW({values}) - {mean!r}) < 1e-9\nassert NEW([]) == 0.0",
        f"assert LOOK([{{'k': 'a', 'v': 2}}, {{'k': 'a', 'v': 4}}, {{'k': 'b', 'v': {values[0]}}}], 'k', 'v') == "
        f"{{'a': 3.0, 'b': {float(values[0])!r}}}",
    )


STATS = _Project(
    packages=("latencywatch", "sensorhub", "scorekeeper"),
    purpose="the readings dashboard",
    names=(
        ("avg", "mean_value", "avg_by"),
        ("get_avg", "mean_reading", "get_avg_grouped"),
        ("calc_mean", "mean_value", "calc_mean_by_key"),
    ),
    modules=("misc", "stats"),
    files={
        "@MOD@.py": '''
"""Small statistics helpers (no numpy here on purpose)."""


def @FN@(values):
    """Arithmetic mean; 0.0 for an empty list."""
    if not values:
        return 0.0
    return sum(values) / len(values)


def @LOOK@(rows, key, field):
    """``{key value: mean of field}`` over ``rows``, keys sorted."""
    groups = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row[field])
    return {name: @FN@(groups[name]) for name in sorted(groups)}
''',
        "summary.py": '''
"""Daily summary lines."""

from @PKG@.@MOD@ import @FN@


def summary_line(name, values):
    return f"{name}: mean {@FN@(values):.1f} over {len(values)} readings"
''',
        "alerts.py": '''
"""Threshold alerts."""

from @PKG@ import @MOD@


def over_threshold(readings, threshold):
    """Names whose mean reading is above ``threshold``, sorted."""
    return sorted(name for name, values in readings.items() if @MOD@.@FN@(values) > threshold)
''',
        "tests/test_stats.py": """
import unittest

from @PKG@.@MOD@ import @FN@, @LOOK@


class StatsTest(unittest.TestCase):
    def test_mean(self):
        self.assertEqual(@FN@([2, 4, 9]), 5.0)

    def test_empty(self):
        self.assertEqual(@FN@([]), 0.0)

    def test_grouped(self):
        rows = [{"s": "a", "v": 1}, {"s": "a", "v": 3}, {"s": "b", "v": 5}]
        self.assertEqual(@LOOK@(rows, "s", "v"), {"a": 2.0, "b": 5.0})


if __name__ == "__main__":
    unittest.main()
""",
        "tests/test_reports.py": """
import unittest

from @PKG@.alerts import over_threshold
from @PKG@.summary import summary_line


class ReportsTest(unittest.TestCase):
    def test_summary_line(self):
        self.assertEqual(summary_line("north", [1, 2]), "north: mean 1.5 over 2 readings")

    def test_alerts(self):
        self.assertEqual(over_threshold({"a": [10, 30], "b": [1]}, 5), ["a"])


if __name__ == "__main__":
    unittest.main()
""",
    },
    callers=("summary.py", "alerts.py"),
    probe=_stats_probe,
)

PROJECTS = (BILLING, DATES, EMAIL, STOCK, STATS)


class RenameRefactor(TaskFamily):
    """Rename a badly named function everywhere in a small Python project, keeping behaviour and tests green.

    **Request**: rename one function (definition, imports, call sites,
    re-exports, tests, docs) to a given new name, without renaming anything
    else, so the old name no longer appears anywhere but in the changelog;
    add a note under ``## Unreleased`` in ``CHANGELOG.md``; the tests must
    still pass.

    **Workspace**: a stdlib package drawn from five projects (billing,
    date parsing, email addresses, restocking, statistics), where the
    function is called through ``from pkg.mod import fn`` and ``mod.fn``,
    re-exported in ``__init__.py`` (``__all__`` strings too), documented in
    the README, next to a look-alike function whose name contains the old
    name; a ``unittest`` suite, a changelog; unrelated files.

    **Checks**: the new name is importable and behaves as before (fresh
    probe values); every caller uses it; the package re-exports it; the old
    name is gone from code and docs; the look-alike kept its name and
    behaviour; the whole suite passes with the same number of tests; the
    changelog note names both names.

    **Hard**: the module moves too (old module file gone, new one
    imported everywhere), plus a script and a docs page that also use the
    function.
    """

    name = "rename_refactor"
    scenario = Scenario.SOFTWARE_DEVELOPMENT
    operations = (Operation.DEVELOPMENT,)
    domains = DEVELOPER_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        project = rng.choice(PROJECTS)
        package = rng.choice(project.packages)
        old, new, look = rng.choice(project.names)
        module, new_module = project.modules
        target_module = new_module if hard else module

        def render(template: str, fn: str, mod: str) -> str:
            return _fill(template, PKG=package, FN=fn, LOOK=look, MOD=mod)

        def path_of(key: str, mod: str) -> str:
            name = key.replace("@MOD@", mod)
            return name if name.startswith(("tests/", "docs/", "scripts/", "README")) else f"{package}/{name}"

        templates = dict(project.files)
        templates["__init__.py"] = (
            f'"""{package}: {project.purpose}."""\n\nfrom @PKG@.@MOD@ import @FN@, @LOOK@\n\n'
            '__all__ = ["@FN@", "@LOOK@"]\n'
        )
        templates["README.md"] = (
            f"# {package}\n\nHelpers for {project.purpose} at {b.persona.org}. Plain Python 3, no dependencies.\n\n"
            "## Usage\n\n```python\nfrom @PKG@ import @FN@\n```\n\n"
            "`@FN@` is the main entry point; `@LOOK@` builds on it.\n\n"
            "## Tests\n\n```\npython3 -m unittest\n```\n"
        )
        if hard:
            templates["scripts/run_report.py"] = (
                '#!/usr/bin/env python3\n"""Nightly report entry point (run from the repository root)."""\n\n'
                "import sys\n\nsys.path.insert(0, '.')\n\nfrom @PKG@.@MOD@ import @FN@  # noqa: E402\n\n\n"
                'def main():\n    print("report helper:", @FN@.__name__)\n\n\nif __name__ == "__main__":\n    main()\n'
            )
            templates["docs/usage.md"] = (
                "# Using @PKG@\n\nImport what you need from `@PKG@.@MOD@`:\n\n```python\n"
                "from @PKG@.@MOD@ import @FN@\n```\n\nSee the tests for examples of `@FN@`.\n"
            )
        before = {path_of(key, module): render(text, old, module) for key, text in templates.items()}
        test_count = sum(text.count("    def test_") for path, text in before.items() if path.startswith("tests/"))

        for path, text in before.items():
            b.file(path, text, executable=path.startswith("scripts/"))
        b.file("tests/__init__.py", "")
        release_day = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        changelog = (
            "# Changelog\n\n## Unreleased\n\n"
            f"- {rng.choice(('Faster test run', 'README tidy-up', 'Type hints in a few places'))}.\n\n"
            f"## 0.{rng.randint(3, 9)}.0 - {iso(release_day)}\n\n"
            f"- Added `{old}` and `{look}`.\n- First version in use at {b.persona.org}.\n"
        )
        b.file("CHANGELOG.md", changelog)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=[f"{package}/", "tests/", "docs/", "scripts/"]
        )

        where = f"{package}/{module}.py"
        body = b.pick(
            [
                f"`{old}` in {where} is a terrible name. Please rename it to `{new}` everywhere in the project: "
                "the definition, every import and call site, the package's re-exports, the tests and the docs. "
                f"Only that function; `{look}` and everything else keep their names, and behaviour must not "
                f"change. When you're done the old name shouldn't appear anywhere except CHANGELOG.md, where I'd "
                f"like a line under `## Unreleased` saying `{old}` was renamed to `{new}`. "
                "`python3 -m unittest` has to pass.",
                f"Refactor request for {package}:\n"
                f"1. Rename the function `{old}` ({where}) to `{new}`, including imports, calls, `__all__`, tests "
                "and README/docs.\n"
                f"2. Leave every other name alone (yes, `{look}` too) and don't change any behaviour.\n"
                f"3. Add a bullet under `## Unreleased` in CHANGELOG.md mentioning both `{old}` and `{new}`.\n"
                "4. Make sure `python3 -m unittest` still passes with all the tests.\n"
                "Afterwards the old name should only show up in CHANGELOG.md.",
                f"can you rename `{old}` to `{new}` across {package}? defs, imports, calls, re-exports, tests, "
                f"docs, all of it, but nothing else (`{look}` stays as is). old name should be gone except in the "
                "changelog, where a note under Unreleased should mention the rename. tests must still pass.",
            ]
        )
        if hard:
            body += (
                f"\n\nWhile you're at it, move the module too: {where} becomes {package}/{new_module}.py (the old "
                f"file should be gone, and nothing should import `{package}.{module}` any more). There's also a "
                "script in scripts/ and a page in docs/ that use it."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(6 if hard else 4)

        # Checks.
        c = b.checks
        new_path = f"{package}/{target_module}.py"
        importable = c.command("new_name_importable", f"python3 -c 'from {package}.{target_module} import {new}'")
        probe_new, probe_look = project.probe(rng.child("probe"))
        c.command(
            "behaviour_unchanged",
            _script(f"from {package}.{target_module} import {new} as NEW\n{probe_new}"),
        )
        c.command(
            "package_reexports_new_name",
            _script(
                f"import {package}\nassert '{new}' in {package}.__all__ and hasattr({package}, '{new}')\n"
                f"assert '{old}' not in {package}.__all__"
            ),
        )
        for caller in project.callers:
            c.text_regex(f"{caller[:-3]}_calls_new_name", f"{package}/{caller}", rf"\b{re.escape(new)}\b")
        scope = " ".join([package, "tests", "README.md", *(["docs", "scripts"] if hard else [])])
        grep = f"! grep -rnw --include='*.py' --include='*.md' -e '{old}' {scope}"
        c.command("old_name_gone", grep, requires=[importable])
        c.command(
            "lookalike_kept",
            _script(f"from {package}.{target_module} import {look} as LOOK\n{probe_look}"),
            requires=[importable],
        )
        c.command("test_suite_passes", "python3 -m unittest", requires=[importable], timeout=120)
        c.command(
            "no_tests_lost",
            "python3 -m unittest 2>&1",
            stdout_contains=[f"Ran {test_count} tests"],
            requires=[importable],
            timeout=120,
        )
        c.md_section("changelog_notes_rename", "CHANGELOG.md", "Unreleased", [old, new], ignore_case=False)
        if hard:
            c.file_absent("old_module_removed", where, requires=[importable])
            c.command(
                "script_still_runs", "python3 scripts/run_report.py", stdout_contains=[new], requires=[importable]
            )
            c.text_contains("docs_use_new_names", "docs/usage.md", [f"{package}.{target_module}", new])

        # Reference solution: find, rewrite with word boundaries, note, test.
        s = b.solution
        s.exec(f"grep -rnw -e '{old}' . ; grep -rn '{module}' --include='*.py' --include='*.md' .")
        files = sorted(path for path, text in before.items() if re.search(rf"\b{re.escape(old)}\b", text))
        s.exec(f"sed -i 's/\\b{old}\\b/{new}/g' {' '.join(files)}")
        if hard:
            mod_files = sorted(path for path, text in before.items() if re.search(rf"\b{module}\b", text))
            s.exec(
                f"mv {where} {new_path} && sed -i "
                f"-e 's/\\b{package}\\.{module}\\b/{package}.{new_module}/g' "
                f"-e 's/from {package} import {module}$/from {package} import {new_module}/' "
                f"-e 's/\\b{module}\\.{new}\\b/{new_module}.{new}/g' "
                f"{' '.join(p for p in mod_files if p != where)}"
            )
        s.edit(
            "CHANGELOG.md",
            "## Unreleased\n\n",
            f"## Unreleased\n\n- Renamed `{old}` to `{new}` (same behaviour; update your imports).\n",
        )
        s.exec("python3 -m unittest 2>&1 | tail -3 && git status 2>/dev/null; grep -rnw -e '" + old + "' . || true")

        # Near miss: everything renamed except the tests, and no changelog note.
        non_test = [path for path in files if not path.startswith("tests/")]
        miss = [
            s.steps[0],
            {"name": "exec", "arguments": {"command": f"sed -i 's/\\b{old}\\b/{new}/g' {' '.join(non_test)}"}},
        ]
        if hard:
            miss.append(s.steps[2])
        b.near_miss(miss)


def _script(code: str) -> str:
    return f"python3 - <<'PYCHECK'\n{code.strip()}\nPYCHECK"
