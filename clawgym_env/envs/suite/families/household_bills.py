"""Household bills: split shared-house utility bills by days lived in, then work out who owes whom."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text, money, slug

__all__ = ["HouseholdBills"]

UTILITIES = (
    # (utility, typical monthly amount range, period length in days (0 = calendar month))
    ("Electricity", (55, 140), 61),
    ("Gas", (30, 120), 91),
    ("Water", (25, 60), 61),
    ("Internet", (38, 65), 0),
    ("Bins and recycling", (12, 20), 91),
)
PROVIDERS = {
    "Electricity": ("Brightline Energy", "Voltway Power", "Greenspark Electric"),
    "Gas": ("Northflame Gas", "Brightline Energy", "Hearth Gas Co."),
    "Water": ("City Water Services", "Clearbrook Water"),
    "Internet": ("Fastfiber Broadband", "Skylink Home", "Nimbus Fibre"),
    "Bins and recycling": ("Council waste services",),
}
SPLIT_COLUMNS = ["bill_id", "housemate", "days", "share"]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class HouseholdBills(TaskFamily):
    """Split a shared house's utility bills between housemates, prorated by days lived in, and settle up.

    **Request**: the user shares a house and keeps the bills in
    ``house/bills.csv`` and who lived there when in ``house/housemates.csv``.
    They want ``house/split.csv`` (``bill_id, housemate, days, share``, one
    row per bill per housemate who lived there at least one day of its
    period, by bill then name) and ``house/balances.json``:
    ``balances`` (paid minus share per housemate) and ``transfers`` (everyone
    settles with the named housemate who manages the bills). The proration
    (inclusive days), rounding (to the cent, halves up, using rounded
    shares) and settle-up rules are stated in the request.

    **Workspace**: the bills (id, utility, provider, period, amount, who
    paid), the housemates (name, room, moved in, moved out), a house-rules
    note, last year's spreadsheet export, unrelated files.

    **Checks**: the split's header, its rows in order and as a set, the day
    counts; every housemate's balance; the exact set of names; the
    transfers (any order); inputs unchanged.

    **Hard**: more housemates and bills, several moves (one room changes
    hands mid-period), dates written day-first in part of the housemates
    file (explained in a note), one-off charges on a single day, and more
    than one housemate paying bills.
    """

    name = "household_bills"
    scenario = Scenario.OFFICE_DAILY
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        me = b.persona.name.split()[0]
        count = rng.randint(5, 6) if hard else rng.randint(3, 4)
        names = [me]
        for person in b.pools.people(rng, count + 4):
            first = person.split()[0]
            if first not in names and len(names) < count:
                names.append(first)
        window_start = dt.date(rng.choice((2025, 2026)), rng.randint(1, 6), 1)
        window_end = date_add(window_start, rng.randint(100, 130))
        long_ago = date_add(window_start, -rng.randint(200, 700))

        # Housemates: most were there all along; some move out or in during the window.
        people: dict[str, dict] = {}
        rooms = ["Room 1", "Room 2", "Room 3", "Attic room", "Garden room", "Box room", "Room 4", "Room 5"]
        movers = rng.sample(names[1:], 2 if hard else 1)
        for index, name in enumerate(names):
            people[name] = {"in": date_add(long_ago, rng.randint(0, 90)), "out": None, "room": rooms[index]}
        # The first mover leaves mid-window; in hard mode someone takes their room.
        leaver = movers[0]
        people[leaver]["out"] = date_add(window_start, rng.randint(25, 70))
        newcomers = []
        extra = [p.split()[0] for p in b.pools.people(rng, 12) if p.split()[0] not in names]
        newcomer = extra[0]
        people[newcomer] = {"in": date_add(people[leaver]["out"], rng.randint(1, 12)) if hard else
                            date_add(window_start, rng.randint(20, 80)), "out": None,
                            "room": people[leaver]["room"] if hard else rooms[len(names)]}  # fmt: skip
        newcomers.append(newcomer)
        if hard:
            second = movers[1]
            people[second]["in"] = date_add(window_start, rng.randint(5, 30))
        everyone = sorted(people)

        # Bills.
        payers = [me] + ([rng.choice([n for n in names if n not in movers and n != me])] if hard else [])
        treasurer = me
        bills: list[dict] = []
        chosen = rng.sample(UTILITIES, 4 if hard else 3)
        for utility, (low, high), length in chosen:
            provider = rng.choice(PROVIDERS[utility])
            start = date_add(window_start, rng.randint(0, 14)) if length else window_start
            while True:
                if length:
                    end = date_add(start, length - 1)
                else:
                    nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
                    end = date_add(nxt, -1)
                if end > window_end:
                    break
                months = ((end - start).days + 1) / 30.4
                amount = round(rng.uniform(low, high) * months, 2)
                bills.append({"utility": utility, "provider": provider, "start": start, "end": end, "amount": amount,
                              "paid_by": rng.choice(payers)})  # fmt: skip
                start = date_add(end, 1)
        if hard:
            one_offs = (("Boiler repair call-out", "Maple Grove Plumbing"), ("Chimney sweep", "Homeguard Services"),
                        ("Broadband installation fee", "Fastfiber Broadband"))  # fmt: skip
            for index, (label, provider) in enumerate(one_offs):
                if index == 0 or rng.chance(0.6):
                    day = date_add(window_start, rng.randint(10, 95))
                    bills.append({"utility": label, "provider": provider, "start": day, "end": day,
                                  "amount": rng.money(60, 240), "paid_by": rng.choice(payers)})  # fmt: skip
        bills.sort(key=lambda bill: (bill["start"], bill["utility"]))
        for index, bill in enumerate(bills):
            bill["id"] = f"B{index + 1:02d}"

        # Ground truth.
        def days_in(name: str, bill: dict) -> int:
            person = people[name]
            first = max(person["in"], bill["start"])
            last = min(person["out"] or bill["end"], bill["end"])
            return max(0, (last - first).days + 1)

        split_rows: list[list] = []
        owed = {name: Decimal("0") for name in everyone}
        paid = {name: Decimal("0") for name in everyone}
        for bill in bills:
            days = {name: days_in(name, bill) for name in everyone}
            total_days = sum(days.values())
            amount = Decimal(money(bill["amount"]))
            paid[bill["paid_by"]] += amount
            for name in everyone:
                if days[name] == 0:
                    continue
                share = _cents(amount * days[name] / total_days)
                owed[name] += share
                split_rows.append([bill["id"], name, days[name], money(float(share))])
        balances = {name: float(paid[name] - owed[name]) for name in everyone}
        transfers = []
        for name in everyone:
            if name == treasurer or abs(balances[name]) < 0.005:
                continue
            if balances[name] < 0:
                transfers.append({"from": name, "to": treasurer, "amount": round(-balances[name], 2)})
            else:
                transfers.append({"from": treasurer, "to": name, "amount": round(balances[name], 2)})
        result = {"balances": {name: round(balances[name], 2) for name in everyone}, "transfers": transfers}

        # Files.
        bill_header = ["bill_id", "utility", "provider", "period_start", "period_end", "amount", "paid_by"]
        bills_text = csv_text([bill_header] + [
            [bill["id"], bill["utility"], bill["provider"], iso(bill["start"]), iso(bill["end"]), money(bill["amount"]),
             bill["paid_by"]] for bill in bills])  # fmt: skip

        def shown(day: dt.date | None) -> str:
            if day is None:
                return ""
            if hard and rng.chance(0.5):
                return f"{day.day:02d}/{day.month:02d}/{day.year}"
            return iso(day)

        mates_rows = [["name", "room", "moved_in", "moved_out"]]
        for name in sorted(everyone, key=lambda n: (people[n]["in"], n)):
            mates_rows.append([name, people[name]["room"], shown(people[name]["in"]), shown(people[name]["out"])])
        mates_text = csv_text(mates_rows)
        rules = (
            "# House rules (the money bits)\n\n"
            f"- {treasurer} has the accounts with the utility companies"
            + (f"; {payers[1]} pays some of them" if len(payers) > 1 else "")
            + ".\n"
            "- Bills are shared by the people living here during the billing period, by the number of days each "
            "of us lived here in it.\n"
            "- Council tax and rent are handled separately (landlord), so they're not in bills.csv.\n"
            "- We settle up after each quarter.\n"
        )
        if hard:
            rules += "- Whoever typed the move dates used DD/MM/YYYY for some of them (sorry).\n"
        b.file("house/bills.csv", bills_text)
        b.file("house/housemates.csv", mates_text)
        b.file("house/RULES.md", rules)
        old_year = window_start.year - 1
        old_text = csv_text([["month", "electricity", "gas", "water", "internet", "per_person"]] + [
            [f"{old_year}-{m:02d}", money(rng.money(40, 90)), money(rng.money(20, 90)), money(rng.money(15, 30)),
             money(rng.money(38, 55)), ""] for m in range(1, 13)])  # fmt: skip
        b.file(f"house/old/bills_{old_year}_export.csv", old_text)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["house/"])

        proration = (
            "each bill is split between the people who lived here during its period in proportion to their days "
            "in that period; someone counts for every day from their moved_in date to their moved_out date, both "
            "included (a blank moved_out means they still live here), and the bill's period_start and period_end "
            "are included too"
        )
        rounding = "round each share to the cent (halves round up) and use the rounded shares for the balances"
        settle = (
            f"balance = what they paid minus the sum of their shares (positive means they're owed money); settle "
            f"everything through {treasurer}: everyone else with a negative balance pays {treasurer} that amount, "
            f"and {treasurer} pays everyone else with a positive balance theirs"
        )
        body = b.pick(
            [
                f"Quarter's over and it's time to settle the house bills. Bills are in house/bills.csv and who lived "
                f"here when is in house/housemates.csv. The rule: {proration}. Please {rounding}. I need "
                "house/split.csv with columns bill_id,housemate,days,share, one row per bill per person who was "
                "here for at least one day of it, ordered by bill_id then housemate name; and house/balances.json "
                'with "balances" (housemate name -> balance) and "transfers" (a list of {"from", "to", "amount"}), '
                f"where {settle}.",
                "Could you split our shared bills? Inputs: house/bills.csv and house/housemates.csv.\n"
                f"- How to split: {proration}.\n- Rounding: {rounding}.\n"
                f"- Output 1: house/split.csv, columns {', '.join(SPLIT_COLUMNS)}; a row for every bill and every "
                "person with at least one day in its period; sorted by bill_id, then housemate.\n"
                '- Output 2: house/balances.json: {"balances": {name: balance, ...}, "transfers": [{"from": ..., '
                f'"to": ..., "amount": ...}}, ...]}}; {settle}.',
                "Ugh, bills again. People moved in and out this quarter so it's not a simple split. "
                f"house/bills.csv + house/housemates.csv are the data; {proration}. {rounding[0].upper()}"
                f"{rounding[1:]}. Write house/split.csv ({','.join(SPLIT_COLUMNS)}; rows by bill_id then name; skip "
                "people with 0 days on a bill) and house/balances.json with a balances object (name -> balance) and "
                f"a transfers list of from/to/amount objects; {settle}.",
            ]
        )
        notes = [
            "Amounts as plain numbers (no currency signs); transfers can be in any order, and nobody with a zero "
            "balance needs one."
        ]
        if hard:
            notes += [
                "Some dates in housemates.csv are DD/MM/YYYY, see house/RULES.md.",
                "One-off charges have the same start and end date: they split between whoever lived here that day.",
            ]
        body += "\n\nA few things to watch:\n" + "\n".join(f"- {note}" for note in notes)
        body += "\nLeave the input files alone."
        b.instruct(body[:1].upper() + body[1:])
        b.steps(4 if hard else 3)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        has_split = c.csv_header("split_header", "house/split.csv", SPLIT_COLUMNS, ignore_case=True)
        c.csv_rows("split_rows_in_order", "house/split.csv", split_rows, tolerance=0.011, requires=[has_split])
        c.csv_rows("split_rows_correct", "house/split.csv", split_rows, tolerance=0.011, ordered=False,
                   requires=[has_split])  # fmt: skip
        c.csv_column("split_days_correct", "house/split.csv", "days", [row[2] for row in split_rows], ordered=False,
                     requires=[has_split])  # fmt: skip
        has_json = c.json_valid("balances_json_written", "house/balances.json")
        c.json_keys("balances_name_everyone", "house/balances.json", "/balances", everyone, exact=True,
                    requires=[has_json])  # fmt: skip
        for name in everyone:
            c.json_equals(f"balance_{slug(name)}", "house/balances.json", f"/balances/{name}",
                          result["balances"][name], tolerance=0.011, requires=[has_json])  # fmt: skip
        c.json_equals("transfers_correct", "house/balances.json", "/transfers", transfers, tolerance=0.011,
                      unordered=True, requires=[has_json])  # fmt: skip
        c.files_unchanged("inputs_unchanged", {"house/bills.csv": bills_text, "house/housemates.csv": mates_text},
                          requires=[has_split])  # fmt: skip

        s = b.solution
        s.exec("ls -R house && cat house/RULES.md house/housemates.csv")
        s.exec("cat house/bills.csv")
        s.write("house/split.csv", csv_text([SPLIT_COLUMNS, *split_rows]))
        s.write("house/balances.json", json_text(result))

        # Near miss: the newcomer is charged for whole periods (days not prorated for them).
        wrong_rows = [list(row) for row in split_rows]
        for row in wrong_rows:
            if row[1] == newcomers[0]:
                bill = next(bill for bill in bills if bill["id"] == row[0])
                row[2] = (bill["end"] - bill["start"]).days + 1
        if wrong_rows == split_rows:
            wrong_rows = wrong_rows[1:]
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": "house/split.csv",
                     "content": csv_text([SPLIT_COLUMNS, *wrong_rows])}}, s.steps[3]])  # fmt: skip
