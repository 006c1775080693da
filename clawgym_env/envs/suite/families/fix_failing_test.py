"""Fix failing test: find the real bug behind a red ``unittest`` run, fix the code, keep the tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import DEVELOPER_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario

__all__ = ["FixFailingTest"]


@dataclass
class _Project:
    """One generated package with exactly one planted bug (``fixed`` -> ``buggy`` in ``bug_path``)."""

    package: str
    title: str
    modules: dict[str, str]
    tests: dict[str, str]
    bug_path: str
    fixed: str
    buggy: str
    function: str
    behaviour: str
    """Python statements (asserts) that hold only once the bug is fixed."""
    intact: str
    """Python statements (asserts) about code the fix must not break (they hold before and after)."""
    symptom: str
    """What a colleague or user noticed, in their words."""
    cause: str
    extra: dict[str, str] = field(default_factory=dict)


def _fill(template: str, **values: object) -> str:
    text = template
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    if "@" in text.replace("@staticmethod", "").replace("@property", ""):
        raise ValueError(f"unfilled placeholder in template: {text[:200]!r}")
    return text.lstrip("\n")


def _script(code: str) -> str:
    """A bash command running ``code`` with python3 from a quoted heredoc (no shell expansion)."""
    return f"python3 - <<'PYCHECK'\n{code.strip()}\nPYCHECK"


# -- project templates ---------------------------------------------------------------------------------------


def _date_range(rng: StableRandom, hard: bool) -> _Project:
    package, title, noun, who_label = rng.choice(
        (
            ("roombook", "the meeting-room booking tool", "booking", "booked_by"),
            ("leavecal", "the team leave calendar", "leave request", "employee"),
            ("kitrent", "the equipment rental tracker", "rental", "renter"),
            ("shiftplan", "the on-call shift planner", "shift block", "engineer"),
        )
    )
    year = rng.choice((2025, 2026))
    month = rng.randint(1, 11)
    start_day = rng.randint(2, 14)
    length = rng.randint(2, 6)
    names = ["Ines", "Marek", "Tobi", "Yara", "Colm", "Hana"]
    people = rng.sample(names, 3)
    rows = []
    for person in people:
        s = rng.randint(1, 18)
        rows.append((person, dt.date(year, month, s), dt.date(year, month, s + rng.randint(0, 5))))
    target = people[0]
    total = sum((e - s).days + 1 for p, s, e in rows if p == target)
    b_start = dt.date(year, month + 1, rng.randint(3, 12))
    b_end = b_start + dt.timedelta(days=rng.randint(3, 9))
    daterange = _fill(
        '''
"""Date helpers for @TITLE@."""

import datetime as dt


def parse_day(text):
    """Parse an ISO date such as '2026-03-14'; surrounding spaces are ignored."""
    return dt.date.fromisoformat(text.strip())


def days_between(start, end):
    """Every date from ``start`` to ``end``, both ends included.

    A one-day @NOUN@ (start == end) covers exactly one date.
    """
    if end < start:
        raise ValueError("end is before start")
    span = (end - start).days + 1
    return [start + dt.timedelta(days=offset) for offset in range(span)]
''',
        TITLE=title,
        NOUN=noun,
    )
    summary = _fill(
        '''
"""Summaries over @NOUN@ records."""

from @PKG@.daterange import days_between, parse_day


def load(rows):
    """Turn ``(@WHO@, start, end)`` string rows into dicts with real dates."""
    records = []
    for who, start, end in rows:
        records.append({"@WHO@": who.strip(), "start": parse_day(start), "end": parse_day(end)})
    return records


def total_days(records, who):
    """How many calendar days ``who`` has across all their @NOUN@s."""
    return sum(len(days_between(r["start"], r["end"])) for r in records if r["@WHO@"] == who)


def busiest_day(records):
    """The date covered by the most @NOUN@s (the earliest one on a tie)."""
    counts = {}
    for record in records:
        for day in days_between(record["start"], record["end"]):
            counts[day] = counts.get(day, 0) + 1
    return min(counts, key=lambda day: (-counts[day], day))
''',
        PKG=package,
        WHO=who_label,
        NOUN=noun,
    )
    one = dt.date(year, month, start_day)
    test_range = _fill(
        """
import datetime as dt
import unittest

from @PKG@.daterange import days_between, parse_day


class DateRangeTest(unittest.TestCase):
    def test_parse_day_strips_spaces(self):
        self.assertEqual(parse_day(" @ONE@ "), dt.date(@Y@, @M@, @D@))

    def test_range_includes_both_ends(self):
        days = days_between(dt.date(@Y@, @M@, @D@), dt.date(@Y@, @M@, @D2@))
        self.assertEqual(len(days), @LEN1@)
        self.assertEqual(days[0], dt.date(@Y@, @M@, @D@))
        self.assertEqual(days[-1], dt.date(@Y@, @M@, @D2@))

    def test_end_before_start_is_rejected(self):
        with self.assertRaises(ValueError):
            days_between(dt.date(@Y@, @M@, @D2@), dt.date(@Y@, @M@, @D@))


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        ONE=one.isoformat(),
        Y=year,
        M=month,
        D=start_day,
        D2=start_day + length,
        LEN1=length + 1,
    )
    rows_code = ",\n    ".join(f'("{p}", "{s.isoformat()}", "{e.isoformat()}")' for p, s, e in rows)
    test_summary = _fill(
        """
import unittest

from @PKG@.summary import load, total_days

ROWS = [
    @ROWS@,
]


class SummaryTest(unittest.TestCase):
    def test_load_parses_dates(self):
        records = load(ROWS)
        self.assertEqual(len(records), @N@)
        self.assertEqual(records[0]["@WHO@"], "@P0@")

    def test_total_days_counts_every_calendar_day(self):
        self.assertEqual(total_days(load(ROWS), "@P0@"), @TOTAL@)


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        ROWS=rows_code,
        N=len(rows),
        WHO=who_label,
        P0=target,
        TOTAL=total,
    )
    span = (b_end - b_start).days + 1
    behaviour = (
        f"import datetime as dt\nfrom {package}.daterange import days_between\n"
        f"days = days_between(dt.date({b_start.year}, {b_start.month}, {b_start.day}), "
        f"dt.date({b_end.year}, {b_end.month}, {b_end.day}))\n"
        f"assert len(days) == {span}, days\nassert days[-1] == dt.date({b_end.year}, {b_end.month}, {b_end.day})\n"
        f"assert len(days_between(dt.date({b_start.year}, {b_start.month}, {b_start.day}), "
        f"dt.date({b_start.year}, {b_start.month}, {b_start.day}))) == 1"
    )
    intact = (
        f"import datetime as dt\nfrom {package}.daterange import parse_day\nfrom {package}.summary import load\n"
        f"assert parse_day('{b_start.isoformat()} ') == dt.date({b_start.year}, {b_start.month}, {b_start.day})\n"
        f"assert load([(' X ', '{b_start.isoformat()}', '{b_end.isoformat()}')])[0]['{who_label}'] == 'X'"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/daterange.py": daterange, f"{package}/summary.py": summary},
        tests={"tests/test_daterange.py": test_range, "tests/test_summary.py": test_summary},
        bug_path=f"{package}/daterange.py",
        fixed="    span = (end - start).days + 1\n",
        buggy="    span = (end - start).days\n",
        function="days_between",
        behaviour=behaviour,
        intact=intact,
        symptom=f"{target}'s {noun}s show one day fewer than the calendar, and single-day {noun}s vanish entirely.",
        cause="the range dropped its last day (off by one)",
    )


def _rounding(rng: StableRandom, hard: bool) -> _Project:
    package, title = rng.choice(
        (
            ("invoicer", "the invoice generator"),
            ("quotekit", "the quote calculator"),
            ("tabsplit", "the bill-splitting helper"),
            ("payslip", "the payslip builder"),
        )
    )
    # A unit price with a half cent whose cent digit is even, so half-even and half-up disagree.
    whole = rng.randint(1, 80)
    cent = rng.choice((0, 2, 4, 6, 8)) + 10 * rng.randint(0, 9)
    price = f"{whole}.{cent:02d}5"
    up = f"{whole}.{cent + 1:02d}" if cent + 1 < 100 else f"{whole + 1}.00"
    qty = rng.randint(2, 9)
    unit = f"{rng.randint(3, 40)}.{rng.randint(0, 99):02d}"
    b_whole = rng.randint(100, 900)
    b_cent = rng.choice((0, 2, 4, 6, 8)) + 10 * rng.randint(0, 8)
    b_price = f"{b_whole}.{b_cent:02d}5"
    b_up = f"{b_whole}.{b_cent + 1:02d}"
    rate = rng.choice((5, 7, 8, 10, 12, 15, 20))
    money = _fill(
        '''
"""Money helpers for @TITLE@: amounts are Decimals, never floats."""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount):
    """Round ``amount`` to whole cents; a half cent always rounds up (2.345 -> 2.35).

    Our accountant's rule, not banker's rounding.
    """
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def split_evenly(amount, parts):
    """Split ``amount`` into ``parts`` shares that add back up exactly (extra cents go first)."""
    total = int(to_cents(amount) * 100)
    base, extra = divmod(total, parts)
    return [Decimal(base + (1 if index < extra else 0)) / 100 for index in range(parts)]


# Kept for the legacy export, which still rounds the old way.
def to_cents_legacy(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)
''',
        TITLE=title,
    )
    lines = _fill(
        '''
"""Invoice lines and totals."""

from decimal import Decimal

from @PKG@.money import to_cents


def line_total(quantity, unit_price):
    """``quantity`` x ``unit_price`` (a string or Decimal), rounded to cents."""
    return to_cents(Decimal(quantity) * Decimal(unit_price))


def with_tax(amount, rate_percent):
    """``amount`` plus ``rate_percent`` percent tax, rounded to cents."""
    return to_cents(Decimal(amount) * (100 + Decimal(rate_percent)) / 100)
''',
        PKG=package,
    )
    test_money = _fill(
        """
import unittest
from decimal import Decimal

from @PKG@.money import split_evenly, to_cents


class MoneyTest(unittest.TestCase):
    def test_plain_amount_is_unchanged(self):
        self.assertEqual(to_cents("@UNIT@"), Decimal("@UNIT@"))

    def test_half_cent_rounds_up(self):
        self.assertEqual(to_cents("@PRICE@"), Decimal("@UP@"))

    def test_split_adds_back_up(self):
        shares = split_evenly("100.00", 3)
        self.assertEqual(sum(shares), Decimal("100.00"))
        self.assertEqual(shares[0], Decimal("33.34"))


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        UNIT=unit,
        PRICE=price,
        UP=up,
    )
    expected_line = round(float(unit) * 100) * qty / 100
    test_lines = _fill(
        """
import unittest
from decimal import Decimal

from @PKG@.lines import line_total, with_tax


class LinesTest(unittest.TestCase):
    def test_line_total(self):
        self.assertEqual(line_total(@QTY@, "@UNIT@"), Decimal("@LINE@"))

    def test_tax_on_round_amount(self):
        self.assertEqual(with_tax("100.00", @RATE@), Decimal("@TAXED@"))


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        QTY=qty,
        UNIT=unit,
        LINE=f"{expected_line:.2f}",
        RATE=rate,
        TAXED=f"{100 + rate}.00",
    )
    behaviour = (
        f"from decimal import Decimal\nfrom {package}.money import to_cents\nfrom {package}.lines import line_total\n"
        f"assert to_cents('{b_price}') == Decimal('{b_up}'), to_cents('{b_price}')\n"
        f"assert line_total(1, '{b_price}') == Decimal('{b_up}')"
    )
    intact = (
        f"from decimal import Decimal\nfrom {package}.money import split_evenly, to_cents_legacy\n"
        "assert to_cents_legacy('0.125') == Decimal('0.12')\n"
        "assert sum(split_evenly('10.00', 3)) == Decimal('10.00')"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/money.py": money, f"{package}/lines.py": lines},
        tests={"tests/test_money.py": test_money, "tests/test_lines.py": test_lines},
        bug_path=f"{package}/money.py",
        fixed="    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)\n\n\ndef split",
        buggy="    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_EVEN)\n\n\ndef split",
        function="to_cents",
        behaviour=behaviour,
        intact=intact,
        symptom=f"A line priced at {price} came out a cent short on a customer's document.",
        cause="to_cents used banker's rounding (half-even) instead of rounding halves up",
    )


def _empty_input(rng: StableRandom, hard: bool) -> _Project:
    package, title, thing, unit = rng.choice(
        (
            ("sensorlog", "the cold-room sensor dashboard", "sensor", "degC"),
            ("latency", "the endpoint latency report", "endpoint", "ms"),
            ("surveys", "the feedback survey scorer", "question", "points"),
            ("meterread", "the utility meter summary", "meter", "kWh"),
        )
    )
    names = rng.sample(("north", "south", "east", "west", "lab", "dock", "annex", "roof"), 3)
    values = {name: [rng.randint(10, 90) for _ in range(rng.randint(2, 4))] for name in names[:2]}
    values[names[2]] = []
    first = names[0]
    mean_first = sum(values[first]) / len(values[first])
    stats = _fill(
        '''
"""Statistics for @TITLE@."""


def average(values):
    """The mean of ``values``; an empty list (no readings yet) gives 0.0."""
    if not values:
        return 0.0
    return sum(values) / len(values)


def spread(values):
    """Largest minus smallest value; 0 for fewer than two values."""
    if len(values) < 2:
        return 0
    return max(values) - min(values)
''',
        TITLE=title,
    )
    report = _fill(
        '''
"""Per-@THING@ summary lines."""

from @PKG@.stats import average, spread


def summarize(readings):
    """``{@THING@: [values]}`` -> ``{@THING@: {"mean": ..., "spread": ...}}``, every @THING@ included."""
    return {
        name: {"mean": round(average(values), 2), "spread": spread(values)}
        for name, values in sorted(readings.items())
    }


def format_line(name, summary):
    return f"{name:<10} mean {summary['mean']:>8.2f} @UNIT@  spread {summary['spread']}"
''',
        PKG=package,
        THING=thing,
        UNIT=unit,
    )
    readings_code = ", ".join(f'"{name}": {values[name]}' for name in names)
    test_stats = _fill(
        """
import unittest

from @PKG@.stats import average, spread


class StatsTest(unittest.TestCase):
    def test_average(self):
        self.assertAlmostEqual(average(@FIRSTVALS@), @MEAN@)

    def test_average_of_nothing_is_zero(self):
        self.assertEqual(average([]), 0.0)

    def test_spread(self):
        self.assertEqual(spread(@FIRSTVALS@), @SPREAD@)
        self.assertEqual(spread([5]), 0)


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        FIRSTVALS=values[first],
        MEAN=repr(mean_first),
        SPREAD=max(values[first]) - min(values[first]),
    )
    test_report = _fill(
        """
import unittest

from @PKG@.report import summarize

READINGS = {@READINGS@}


class ReportTest(unittest.TestCase):
    def test_every_@THING@_is_listed(self):
        self.assertEqual(sorted(summarize(READINGS)), @SORTED@)

    def test_@THING@_without_readings(self):
        self.assertEqual(summarize(READINGS)["@EMPTY@"], {"mean": 0.0, "spread": 0})


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        READINGS=readings_code,
        THING=thing,
        SORTED=sorted(names),
        EMPTY=names[2],
    )
    probe = [rng.randint(1, 50) for _ in range(3)]
    behaviour = (
        f"from {package}.stats import average\nfrom {package}.report import summarize\n"
        "assert average([]) == 0.0\n"
        f"assert abs(average({probe}) - {sum(probe) / 3!r}) < 1e-9\n"
        f"assert summarize({{'x': [], 'y': [4]}})['x']['mean'] == 0.0"
    )
    intact = (
        f"from {package}.stats import spread\nfrom {package}.report import format_line\n"
        f"assert spread({probe}) == {max(probe) - min(probe)}\n"
        f"assert '{unit}' in format_line('a', {{'mean': 1.0, 'spread': 0}})"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/stats.py": stats, f"{package}/report.py": report},
        tests={"tests/test_stats.py": test_stats, "tests/test_report.py": test_report},
        bug_path=f"{package}/stats.py",
        fixed="    if not values:\n        return 0.0\n    return sum(values) / len(values)\n",
        buggy="    return sum(values) / len(values)\n",
        function="average",
        behaviour=behaviour,
        intact=intact,
        symptom=f"The whole report crashes with ZeroDivisionError as soon as one {thing} has no readings yet.",
        cause="average() divided by zero on an empty list instead of returning 0.0",
    )


def _sort_key(rng: StableRandom, hard: bool) -> _Project:
    package, title, score = rng.choice(
        (
            ("leaderboard", "the office step-challenge leaderboard", "points"),
            ("triage", "the support-ticket triage queue", "priority"),
            ("salesrank", "the monthly sales ranking", "revenue"),
            ("quizscore", "the pub-quiz scoreboard", "points"),
        )
    )
    pool = ["Abebe", "Bruna", "Chen", "Dagny", "Emeka", "Farah", "Goran", "Hiro", "Ilse", "Jonas", "Kemi", "Luca"]
    names = rng.sample(pool, 5)
    tie = rng.randint(40, 90)
    entries = [
        (names[0], tie + rng.randint(5, 20)),
        (names[1], tie),
        (names[2], tie),
        (names[3], tie - rng.randint(1, 15)),
        (names[4], tie - rng.randint(16, 30)),
    ]
    shuffled = rng.shuffled(entries)
    expected = [n for n, _ in sorted(entries, key=lambda e: (-e[1], e[0]))]
    ranking = _fill(
        '''
"""Ordering rules for @TITLE@."""


def ranked(entries):
    """Entries sorted by ``@SCORE@``, highest first; equal @SCORE@ are ordered by name, A to Z."""
    return sorted(entries, key=lambda entry: (-entry["@SCORE@"], entry["name"]))


def top(entries, n):
    """The first ``n`` entries of :func:`ranked`."""
    return ranked(entries)[:n]
''',
        TITLE=title,
        SCORE=score,
    )
    render = _fill(
        '''
"""Plain-text rendering of a ranking."""

from @PKG@.ranking import ranked


def table(entries):
    lines = []
    for position, entry in enumerate(ranked(entries), start=1):
        lines.append(f"{position:>2}. {entry['name']:<12}{entry['@SCORE@']:>6}")
    return "\\n".join(lines)
''',
        PKG=package,
        SCORE=score,
    )
    data = ",\n    ".join(f'{{"name": "{n}", "@SCORE@": {s}}}' for n, s in shuffled).replace("@SCORE@", score)
    test_ranking = _fill(
        """
import unittest

from @PKG@.ranking import ranked, top

ENTRIES = [
    @DATA@,
]


class RankingTest(unittest.TestCase):
    def test_highest_first(self):
        self.assertEqual(ranked(ENTRIES)[0]["name"], "@FIRST@")

    def test_ties_are_alphabetical(self):
        self.assertEqual([e["name"] for e in ranked(ENTRIES)], @EXPECTED@)

    def test_top_two(self):
        self.assertEqual(len(top(ENTRIES, 2)), 2)


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        DATA=data,
        FIRST=expected[0],
        EXPECTED=expected,
    )
    test_render = _fill(
        """
import unittest

from @PKG@.render import table


class RenderTest(unittest.TestCase):
    def test_positions_are_numbered(self):
        text = table([{"name": "Zed", "@SCORE@": 3}, {"name": "Amy", "@SCORE@": 9}])
        self.assertTrue(text.startswith(" 1. Amy"))
        self.assertIn(" 2. Zed", text)


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        SCORE=score,
    )
    a, b_, c = rng.sample(["Quinn", "Ravi", "Sade", "Tomas", "Uma", "Vera"], 3)
    probe_expected = sorted([a, b_, c])
    behaviour = (
        f"from {package}.ranking import ranked, top\n"
        f"rows = [{{'name': '{probe_expected[2]}', '{score}': 7}}, {{'name': '{probe_expected[0]}', '{score}': 7}}, "
        f"{{'name': '{probe_expected[1]}', '{score}': 7}}, {{'name': 'Zoe', '{score}': 8}}]\n"
        f"assert [r['name'] for r in ranked(rows)] == {['Zoe', *probe_expected]!r}, ranked(rows)\n"
        f"assert [r['name'] for r in top(rows, 2)] == ['Zoe', '{probe_expected[0]}']"
    )
    intact = (
        f"from {package}.render import table\nassert table([{{'name': 'Solo', '{score}': 1}}]).startswith(' 1. Solo')"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/ranking.py": ranking, f"{package}/render.py": render},
        tests={"tests/test_ranking.py": test_ranking, "tests/test_render.py": test_render},
        bug_path=f"{package}/ranking.py",
        fixed='    return sorted(entries, key=lambda entry: (-entry["@S@"], entry["name"]))\n'.replace("@S@", score),
        buggy='    return sorted(entries, key=lambda entry: (entry["@S@"], entry["name"]), reverse=True)\n'.replace(
            "@S@", score
        ),
        function="ranked",
        behaviour=behaviour,
        intact=intact,
        symptom=f"When two people have the same {score}, {expected[2]} is listed above {expected[1]}.",
        cause="the sort used reverse=True, which also reversed the alphabetical tie-break",
    )


def _threshold(rng: StableRandom, hard: bool) -> _Project:
    package, title, item_kind = rng.choice(
        (
            ("stockwatch", "the stockroom reorder list", "SKU"),
            ("pantry", "the kitchen pantry tracker", "ingredient"),
            ("clinicsupply", "the supply cupboard checker", "supply item"),
            ("sparesbin", "the spare-parts bin monitor", "part"),
        )
    )
    point = rng.randint(8, 40)
    case = rng.choice((6, 10, 12, 24))
    target = point + rng.randint(20, 60)
    b_point = rng.randint(50, 90)
    reorder = _fill(
        '''
"""Reorder rules for @TITLE@."""

import math


def needs_reorder(item):
    """True when ``on_hand`` is at or below the item's ``reorder_point``."""
    return item["on_hand"] <= item["reorder_point"]


def order_quantity(item, case_size):
    """Units to order to get back to ``target``, rounded up to whole cases (0 if nothing is needed)."""
    missing = item["target"] - item["on_hand"]
    if missing <= 0:
        return 0
    return math.ceil(missing / case_size) * case_size
''',
        TITLE=title,
    )
    listing = _fill(
        '''
"""The reorder list sent to purchasing."""

from @PKG@.reorder import needs_reorder, order_quantity


def reorder_list(items, case_size):
    """``(name, quantity)`` for every @KIND@ that needs reordering, in name order."""
    return [
        (item["name"], order_quantity(item, case_size))
        for item in sorted(items, key=lambda item: item["name"])
        if needs_reorder(item)
    ]
''',
        PKG=package,
        KIND=item_kind,
    )
    missing = target - point
    test_reorder = _fill(
        """
import unittest

from @PKG@.reorder import needs_reorder, order_quantity


def item(on_hand):
    return {"name": "x", "on_hand": on_hand, "reorder_point": @POINT@, "target": @TARGET@}


class ReorderTest(unittest.TestCase):
    def test_below_point(self):
        self.assertTrue(needs_reorder(item(@BELOW@)))

    def test_exactly_at_point(self):
        self.assertTrue(needs_reorder(item(@POINT@)))

    def test_above_point(self):
        self.assertFalse(needs_reorder(item(@ABOVE@)))

    def test_rounds_up_to_cases(self):
        self.assertEqual(order_quantity(item(@POINT@), @CASE@), @QTY@)


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        POINT=point,
        TARGET=target,
        BELOW=point - rng.randint(1, 5),
        ABOVE=point + rng.randint(1, 5),
        CASE=case,
        QTY=-(-missing // case) * case,
    )
    test_listing = _fill(
        """
import unittest

from @PKG@.listing import reorder_list


class ListingTest(unittest.TestCase):
    def test_only_low_items_in_name_order(self):
        items = [
            {"name": "b", "on_hand": 1, "reorder_point": 5, "target": 11},
            {"name": "a", "on_hand": 0, "reorder_point": 5, "target": 10},
            {"name": "c", "on_hand": 9, "reorder_point": 5, "target": 10},
        ]
        self.assertEqual(reorder_list(items, 5), [("a", 10), ("b", 10)])


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
    )
    behaviour = (
        f"from {package}.reorder import needs_reorder\nfrom {package}.listing import reorder_list\n"
        f"assert needs_reorder({{'on_hand': {b_point}, 'reorder_point': {b_point}, 'target': 100}})\n"
        f"assert not needs_reorder({{'on_hand': {b_point + 1}, 'reorder_point': {b_point}, 'target': 100}})\n"
        f"assert reorder_list([{{'name': 'q', 'on_hand': 4, 'reorder_point': 4, 'target': 8}}], 2) == [('q', 4)]"
    )
    intact = (
        f"from {package}.reorder import order_quantity\n"
        "assert order_quantity({'on_hand': 30, 'target': 20}, 6) == 0\n"
        "assert order_quantity({'on_hand': 1, 'target': 20}, 6) == 24"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/reorder.py": reorder, f"{package}/listing.py": listing},
        tests={"tests/test_reorder.py": test_reorder, "tests/test_listing.py": test_listing},
        bug_path=f"{package}/reorder.py",
        fixed='    return item["on_hand"] <= item["reorder_point"]\n',
        buggy='    return item["on_hand"] < item["reorder_point"]\n',
        function="needs_reorder",
        behaviour=behaviour,
        intact=intact,
        symptom=f"A {item_kind} sitting exactly at its reorder point never shows up on the reorder list.",
        cause="needs_reorder compared with < instead of <=",
    )


def _pagination(rng: StableRandom, hard: bool) -> _Project:
    package, title, things = rng.choice(
        (
            ("catalogue", "the online catalogue pages", "products"),
            ("inboxview", "the shared inbox viewer", "messages"),
            ("archivelist", "the document archive browser", "documents"),
            ("patientlist", "the waiting-list screen", "patients"),
        )
    )
    per_page = rng.choice((10, 12, 20, 25))
    total = per_page * rng.randint(2, 6) + rng.randint(1, per_page - 1)
    pages = -(-total // per_page)
    b_per = rng.choice((7, 9, 15))
    b_total = b_per * rng.randint(3, 8) + rng.randint(1, b_per - 1)
    paging = _fill(
        '''
"""Paging for @TITLE@ (pages are numbered from 1)."""


def page_count(total, per_page):
    """How many pages ``total`` @THINGS@ need; a partly filled last page still counts. 0 @THINGS@ -> 0 pages."""
    return (total + per_page - 1) // per_page


def page(items, number, per_page):
    """The @THINGS@ on page ``number`` (1-based); an empty list past the end."""
    start = (number - 1) * per_page
    return items[start:start + per_page]
''',
        TITLE=title,
        THINGS=things,
    )
    footer = _fill(
        '''
"""The "page X of Y" footer."""

from @PKG@.paging import page_count


def footer(number, total, per_page):
    pages = max(page_count(total, per_page), 1)
    return f"Page {number} of {pages}"
''',
        PKG=package,
    )
    test_paging = _fill(
        """
import unittest

from @PKG@.paging import page, page_count


class PagingTest(unittest.TestCase):
    def test_exact_multiple(self):
        self.assertEqual(page_count(@EXACT@, @PER@), @EXACTPAGES@)

    def test_partial_last_page(self):
        self.assertEqual(page_count(@TOTAL@, @PER@), @PAGES@)

    def test_no_items(self):
        self.assertEqual(page_count(0, @PER@), 0)

    def test_last_page_holds_the_rest(self):
        items = list(range(@TOTAL@))
        self.assertEqual(len(page(items, @PAGES@, @PER@)), @REST@)


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        EXACT=per_page * 3,
        PER=per_page,
        EXACTPAGES=3,
        TOTAL=total,
        PAGES=pages,
        REST=total - (pages - 1) * per_page,
    )
    test_footer = _fill(
        """
import unittest

from @PKG@.footer import footer


class FooterTest(unittest.TestCase):
    def test_footer_text(self):
        self.assertEqual(footer(2, @PER2@, @PER@), "Page 2 of 2")

    def test_empty_listing_still_has_one_page(self):
        self.assertEqual(footer(1, 0, @PER@), "Page 1 of 1")


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        PER=per_page,
        PER2=per_page * 2,
    )
    behaviour = (
        f"from {package}.paging import page_count\nfrom {package}.footer import footer\n"
        f"assert page_count({b_total}, {b_per}) == {-(-b_total // b_per)}, page_count({b_total}, {b_per})\n"
        f"assert page_count(1, {b_per}) == 1\n"
        f"assert footer(1, {b_total}, {b_per}) == 'Page 1 of {-(-b_total // b_per)}'"
    )
    intact = (
        f"from {package}.paging import page, page_count\n"
        f"assert page(list(range(10)), 2, 4) == [4, 5, 6, 7]\nassert page(list(range(3)), 5, 4) == []\n"
        f"assert page_count(0, 5) == 0\nassert page_count(10, 5) == 2"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/paging.py": paging, f"{package}/footer.py": footer},
        tests={"tests/test_paging.py": test_paging, "tests/test_footer.py": test_footer},
        bug_path=f"{package}/paging.py",
        fixed="    return (total + per_page - 1) // per_page\n",
        buggy="    return total // per_page\n",
        function="page_count",
        behaviour=behaviour,
        intact=intact,
        symptom=f"With {total} {things} the pager says {total // per_page} pages and the last few {things} can't "
        "be reached.",
        cause="page_count used floor division, so a partly filled last page was dropped",
    )


def _truncate(rng: StableRandom, hard: bool) -> _Project:
    package, title, where = rng.choice(
        (
            ("notify", "the SMS reminder sender", "SMS preview"),
            ("cardtitles", "the kanban card renderer", "card title"),
            ("pushmsg", "the push-notification formatter", "notification"),
            ("labelprint", "the shelf-label printer", "label line"),
        )
    )
    width = rng.randint(12, 30)
    text = "Reminder: " + rng.choice(
        (
            "your appointment is tomorrow at nine",
            "the delivery window moved to Thursday afternoon",
            "please confirm the booking before Friday noon",
            "the invoice for last month is now overdue",
        )
    )
    expected = text[: width - 1] + "\u2026"
    b_width = rng.randint(8, 11)
    shorten = _fill(
        '''
"""Text fitting for @TITLE@."""

ELLIPSIS = "\\u2026"


def shorten(text, width):
    """``text`` if it fits in ``width`` characters, else cut so that the result, ellipsis included,
    is exactly ``width`` characters long."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[:width - 1] + ELLIPSIS
''',
        TITLE=title,
    )
    compose = _fill(
        '''
"""Compose a @WHERE@ from a template."""

from @PKG@.shorten import shorten


def compose(template, width, **values):
    """Fill ``template`` and fit it to ``width``."""
    return shorten(template.format(**values), width)
''',
        PKG=package,
        WHERE=where,
    )
    test_shorten = _fill(
        """
import unittest

from @PKG@.shorten import shorten


class ShortenTest(unittest.TestCase):
    def test_short_text_untouched(self):
        self.assertEqual(shorten("On time", @WIDTH@), "On time")

    def test_long_text_is_cut_to_width(self):
        result = shorten("@TEXT@", @WIDTH@)
        self.assertEqual(len(result), @WIDTH@)
        self.assertEqual(result, "@EXPECTED@")

    def test_whitespace_is_collapsed(self):
        self.assertEqual(shorten("a   b", @WIDTH@), "a b")


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        WIDTH=width,
        TEXT=text,
        EXPECTED=expected,
    )
    test_compose = _fill(
        """
import unittest

from @PKG@.compose import compose


class ComposeTest(unittest.TestCase):
    def test_fills_template(self):
        self.assertEqual(compose("Hi {name}", 40, name="Ana"), "Hi Ana")


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
    )
    behaviour = (
        f"from {package}.shorten import shorten\n"
        f"out = shorten('abcdefghijklmnopqrstuvwxyz', {b_width})\n"
        f"assert len(out) == {b_width}, out\nassert out == 'abcdefghijklmnopqrstuvwxyz'[:{b_width - 1}] + '\\u2026'"
    )
    intact = (
        f"from {package}.shorten import shorten\nfrom {package}.compose import compose\n"
        "assert shorten('fits', 10) == 'fits'\nassert compose('{a}-{b}', 10, a='x', b='y') == 'x-y'"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/shorten.py": shorten, f"{package}/compose.py": compose},
        tests={"tests/test_shorten.py": test_shorten, "tests/test_compose.py": test_compose},
        bug_path=f"{package}/shorten.py",
        fixed="    return text[:width - 1] + ELLIPSIS\n",
        buggy="    return text[:width] + ELLIPSIS\n",
        function="shorten",
        behaviour=behaviour,
        intact=intact,
        symptom=f"Every shortened {where} is one character too long and gets cut off by the provider.",
        cause="shorten kept width characters and then added the ellipsis (one too many)",
    )


def _weighted(rng: StableRandom, hard: bool) -> _Project:
    package, title, what = rng.choice(
        (
            ("gradebook", "the course grade calculator", "assignment"),
            ("vendorscore", "the vendor scorecard", "criterion"),
            ("okrtrack", "the OKR progress tracker", "key result"),
            ("hireeval", "the interview scorecard", "interview round"),
        )
    )
    scores = [rng.randint(50, 100) for _ in range(3)]
    weights = [rng.randint(1, 5) for _ in range(3)]
    while len(set(weights)) == 1:
        weights[0] = rng.randint(1, 5)
    expected = sum(s * w for s, w in zip(scores, weights, strict=True)) / sum(weights)
    b_scores = [rng.randint(40, 100) for _ in range(4)]
    b_weights = [rng.randint(1, 6) for _ in range(4)]
    b_weights[0] = b_weights[1] + 2
    b_expected = sum(s * w for s, w in zip(b_scores, b_weights, strict=True)) / sum(b_weights)
    scoring = _fill(
        '''
"""Scoring for @TITLE@."""


def weighted_score(scores, weights):
    """Weighted mean of ``scores``: each @WHAT@ counts in proportion to its weight."""
    if len(scores) != len(weights):
        raise ValueError("one weight per score")
    return sum(s * w for s, w in zip(scores, weights)) / sum(weights)


def letter(score):
    """A/B/C/D from a 0-100 score (90, 80, 70 are the cut-offs)."""
    for cutoff, grade in ((90, "A"), (80, "B"), (70, "C")):
        if score >= cutoff:
            return grade
    return "D"
''',
        TITLE=title,
        WHAT=what,
    )
    card = _fill(
        '''
"""One person's (or vendor's) result card."""

from @PKG@.scoring import letter, weighted_score


def result(name, scores, weights):
    score = round(weighted_score(scores, weights), 1)
    return {"name": name, "score": score, "grade": letter(score)}
''',
        PKG=package,
    )
    test_scoring = _fill(
        """
import unittest

from @PKG@.scoring import letter, weighted_score


class ScoringTest(unittest.TestCase):
    def test_equal_weights_is_plain_mean(self):
        self.assertAlmostEqual(weighted_score([60, 80], [1, 1]), 70.0)

    def test_weights_matter(self):
        self.assertAlmostEqual(weighted_score(@SCORES@, @WEIGHTS@), @EXPECTED@)

    def test_mismatched_lengths(self):
        with self.assertRaises(ValueError):
            weighted_score([1, 2], [1])

    def test_letters(self):
        self.assertEqual([letter(95), letter(80), letter(12)], ["A", "B", "D"])


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
        SCORES=scores,
        WEIGHTS=weights,
        EXPECTED=repr(expected),
    )
    test_card = _fill(
        """
import unittest

from @PKG@.card import result


class CardTest(unittest.TestCase):
    def test_result_has_grade(self):
        self.assertEqual(result("Kim", [90, 90], [1, 1]), {"name": "Kim", "score": 90.0, "grade": "A"})


if __name__ == "__main__":
    unittest.main()
""",
        PKG=package,
    )
    behaviour = (
        f"from {package}.scoring import weighted_score\n"
        f"got = weighted_score({b_scores}, {b_weights})\nassert abs(got - {b_expected!r}) < 1e-9, got"
    )
    intact = (
        f"from {package}.scoring import letter, weighted_score\n"
        "assert letter(70) == 'C' and letter(69.9) == 'D'\nassert weighted_score([50, 50], [3, 3]) == 50"
    )
    return _Project(
        package=package,
        title=title,
        modules={f"{package}/scoring.py": scoring, f"{package}/card.py": card},
        tests={"tests/test_scoring.py": test_scoring, "tests/test_card.py": test_card},
        bug_path=f"{package}/scoring.py",
        fixed="    return sum(s * w for s, w in zip(scores, weights)) / sum(weights)\n",
        buggy="    return sum(s * w for s, w in zip(scores, weights)) / len(scores)\n",
        function="weighted_score",
        behaviour=behaviour,
        intact=intact,
        symptom="Results come out far too high whenever the weights aren't all 1.",
        cause="the weighted mean divided by the number of scores instead of the sum of the weights",
    )


_TEMPLATES: tuple[Callable[[StableRandom, bool], _Project], ...] = (
    _date_range,
    _rounding,
    _empty_input,
    _sort_key,
    _threshold,
    _pagination,
    _truncate,
    _weighted,
)


def _helpers_module(rng: StableRandom, package: str) -> tuple[str, str, str]:
    """An extra, correct module for hard tasks, its tests, and an assertion about it."""
    kind = rng.choice(("slug", "chunks", "clamp"))
    if kind == "slug":
        source = (
            '"""Small text helpers."""\n\nimport re\n\n\ndef slugify(text):\n'
            '    """Lowercase words joined by hyphens: \'Q3 Plan (draft)\' -> \'q3-plan-draft\'."""\n'
            '    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))\n'
        )
        test = (
            f"import unittest\n\nfrom {package}.helpers import slugify\n\n\nclass HelpersTest(unittest.TestCase):\n"
            "    def test_slugify(self):\n        self.assertEqual(slugify('Q3 Plan (draft)'), 'q3-plan-draft')\n\n"
            "    def test_slugify_empty(self):\n        self.assertEqual(slugify('  '), '')\n\n\n"
            'if __name__ == "__main__":\n    unittest.main()\n'
        )
        probe = f"from {package}.helpers import slugify\nassert slugify('A  b') == 'a-b'"
    elif kind == "chunks":
        source = (
            '"""Small list helpers."""\n\n\ndef chunks(items, size):\n'
            '    """Consecutive slices of ``size`` items; the last one may be shorter."""\n'
            "    return [items[i:i + size] for i in range(0, len(items), size)]\n"
        )
        test = (
            f"import unittest\n\nfrom {package}.helpers import chunks\n\n\nclass HelpersTest(unittest.TestCase):\n"
            "    def test_chunks(self):\n        self.assertEqual(chunks([1, 2, 3], 2), [[1, 2], [3]])\n\n"
            "    def test_chunks_empty(self):\n        self.assertEqual(chunks([], 4), [])\n\n\n"
            'if __name__ == "__main__":\n    unittest.main()\n'
        )
        probe = f"from {package}.helpers import chunks\nassert chunks(list(range(5)), 5) == [[0, 1, 2, 3, 4]]"
    else:
        source = (
            '"""Small numeric helpers."""\n\n\ndef clamp(value, low, high):\n'
            '    """``value`` limited to ``[low, high]``."""\n    return max(low, min(high, value))\n'
        )
        test = (
            f"import unittest\n\nfrom {package}.helpers import clamp\n\n\nclass HelpersTest(unittest.TestCase):\n"
            "    def test_clamp(self):\n        self.assertEqual([clamp(-1, 0, 9), clamp(5, 0, 9), clamp(12, 0, 9)], "
            "[0, 5, 9])\n\n\n"
            'if __name__ == "__main__":\n    unittest.main()\n'
        )
        probe = f"from {package}.helpers import clamp\nassert clamp(3, 4, 8) == 4"
    return source, test, probe


class FixFailingTest(TaskFamily):
    """Fix the bug that makes a small Python package's unit tests fail, without touching the tests.

    **Request**: the user's small stdlib package has a red ``python3 -m
    unittest`` run; they want the bug fixed in the package code (the tests
    are right and must stay as they are) and the output of a passing run
    saved to a given file.

    **Workspace**: a package of two or three modules drawn from eight
    different projects (inclusive date ranges, half-up money rounding,
    empty-input statistics, ranking tie-breaks, reorder thresholds, page
    counts, text shortening, weighted means), each with one planted bug, a
    ``tests/`` package whose tests describe the intended behaviour, a README
    and a note with the symptom someone reported; unrelated files.

    **Checks**: the whole suite passes; a fresh probe of the buggy function
    (values not in the tests) behaves as documented; untouched behaviour
    still works; the test files are byte-identical; the saved output shows
    the right number of tests and ``OK``.

    **Hard**: an extra helper module and its tests, a stale copy of the
    package under ``legacy/`` that is not what the tests import, a vaguer
    report (symptom only), the other modules must stay unchanged, and a
    ``FIX_NOTES.md`` naming the file and function that were fixed.
    """

    name = "fix_failing_test"
    scenario = Scenario.SOFTWARE_DEVELOPMENT
    operations = (Operation.DEVELOPMENT,)
    domains = DEVELOPER_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        project = rng.choice(_TEMPLATES)(rng.child("project"), b.hard)
        package = project.package
        colleague = rng.choice(b.persona.team) if b.persona.team else b.pools.person(rng)

        # Plant the bug.
        modules = dict(project.modules)
        fixed_source = modules[project.bug_path]
        if fixed_source.count(project.fixed) != 1:
            raise ValueError(f"{package}: the fixed snippet must occur once in {project.bug_path}")
        buggy_source = fixed_source.replace(project.fixed, project.buggy)
        modules[project.bug_path] = buggy_source
        tests = dict(project.tests)
        probes = [project.intact]
        if b.hard:
            helper, helper_test, probe = _helpers_module(rng.child("helpers"), package)
            modules[f"{package}/helpers.py"] = helper
            tests["tests/test_helpers.py"] = helper_test
            probes.append(probe)
        test_count = sum(source.count("    def test_") for source in tests.values())

        init = f'"""{package}: {project.title}."""\n\n__version__ = "0.{rng.randint(2, 9)}.{rng.randint(0, 12)}"\n'
        b.file(f"{package}/__init__.py", init)
        for path, source in modules.items():
            b.file(path, source)
        b.file("tests/__init__.py", "")
        for path, source in tests.items():
            b.file(path, source)
        readme = (
            f"# {package}\n\n{project.title[0].upper() + project.title[1:]}, maintained by {b.persona.name} "
            f"at {b.persona.org}.\n\nNo third-party dependencies: plain Python 3.\n\n## Running the tests\n\n"
            "```\npython3 -m unittest\n```\n\nRun from the repository root. The tests are the spec: if code and "
            "tests disagree, the code is wrong.\n"
        )
        b.file("README.md", readme)
        report_name = rng.choice(("BUG.md", "notes/bug_report.md", "ISSUE.md"))
        if b.hard:
            report = (
                f"# Reported by {colleague}\n\n{project.symptom}\n\nNo idea where it comes from; it worked "
                "last month as far as I know.\n"
            )
        else:
            report = (
                f"# Bug: {project.function} misbehaves\n\nReported by {colleague}.\n\n{project.symptom}\n\n"
                f"The test suite catches it too (see `python3 -m unittest`).\n"
            )
        b.file(report_name, report)
        legacy = []
        if b.hard:
            legacy_path = f"legacy/{package}_v0/{project.bug_path.split('/', 1)[1]}"
            b.file(legacy_path, buggy_source.replace('"""', '"""[v0, unmaintained] ', 1))
            b.file("legacy/README.txt", "Old copy kept for reference only. Nothing imports it.\n")
            legacy.append("legacy/")

        out = rng.choice(("test_output.txt", "reports/test_run.txt", "ci/unittest.log"))
        notes_path = "FIX_NOTES.md"
        b.add_distractors(
            rng.randint(3, 6) if b.hard else rng.randint(1, 3),
            avoid=[f"{package}/", "tests/", out.split("/")[0] + "/" if "/" in out else out, *legacy],
        )

        body = b.pick(
            [
                f"The tests for {package} ({project.title}) are failing: `python3 -m unittest` from the repo "
                f"root shows it, and {colleague} wrote up what they saw in {report_name}. Can you track down the "
                "bug and fix it in the package code? The tests are correct, so please leave everything under "
                f"tests/ exactly as it is. Once the whole suite passes, save the complete output of "
                f"`python3 -m unittest` to {out}.",
                f"Something broke in {package}. Could you:\n"
                "1. run the test suite (`python3 -m unittest` in the repository root) and look at what fails,\n"
                f"2. fix the underlying bug in the {package}/ code (don't edit the tests, they describe the "
                "intended behaviour),\n"
                f"3. run the suite again and save its full output in {out}.\n"
                f"There's a bug report from {colleague} in {report_name} if it helps.",
                f"ci is red on {package}. pretty sure the tests are right and the code is wrong, see "
                f"{report_name}. fix the code (not the tests, leave tests/ alone), then put the output of a "
                f"passing `python3 -m unittest` run in {out} so I can paste it in the PR.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch:\n"
                f"- legacy/ is an old copy nobody imports; the real package is {package}/.\n"
                "- Keep the fix to the one buggy function; the other modules shouldn't change.\n"
                f"- Add a short {notes_path} saying which file and which function you fixed and why "
                "(use the file's path from the repo root and the function's name)."
            )
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(4 if b.hard else 2)

        # Checks.
        c = b.checks
        passing = c.command("test_suite_passes", "python3 -m unittest", timeout=120)
        c.command("bug_fixed_in_code", _script(project.behaviour), timeout=60)
        c.command("other_behaviour_intact", _script("\n".join(probes)), timeout=60, requires=[passing])
        c.files_unchanged("tests_unchanged", tests, requires=[passing])
        saved = c.file_exists("test_output_saved", out)
        c.text_regex("output_counts_all_tests", out, rf"^Ran {test_count} tests? in ", flags="m", requires=[saved])
        c.text_regex("output_says_ok", out, r"^OK\b", flags="m", requires=[saved])
        c.text_absent("output_has_no_failures", out, ["FAILED", "Traceback"], requires=[saved])
        if b.hard:
            others = {path: source for path, source in modules.items() if path != project.bug_path}
            c.files_unchanged("other_modules_unchanged", others, requires=[passing])
            notes = c.file_exists("fix_notes_written", notes_path)
            c.text_contains(
                "fix_notes_name_the_fix", notes_path, [project.bug_path, project.function], requires=[notes]
            )

        # Reference solution: run, read, fix, re-run and save.
        s = b.solution
        s.exec("ls -R . | head -40 && python3 -m unittest 2>&1 | tail -30")
        s.read(report_name)
        s.read(project.bug_path)
        s.edit(project.bug_path, project.buggy, project.fixed)
        directory = out.rsplit("/", 1)[0] if "/" in out else ""
        mkdir = f"mkdir -p {directory} && " if directory else ""
        s.exec(f"{mkdir}python3 -m unittest > {out} 2>&1; cat {out}")
        if b.hard:
            s.write(
                notes_path,
                f"# Fix notes\n\n- File: `{project.bug_path}`\n- Function: `{project.function}`\n"
                f"- Cause: {project.cause}.\n- Tests untouched; full suite passes ({test_count} tests).\n",
            )

        # Near miss: the output saved from a run before the fix (stale), then the right fix.
        stale = f"{mkdir}python3 -m unittest > {out} 2>&1; tail -3 {out}"
        b.near_miss([s.steps[0], {"name": "exec", "arguments": {"command": stale}}, *s.steps[2:4]])
        # Near miss: the right fix, but the output never saved.
        b.near_miss(s.steps[:4])
