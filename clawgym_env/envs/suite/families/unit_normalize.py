"""Unit normalize: convert a mixed-unit measurements log to target units and set aside the bad rows."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text

__all__ = ["UnitNormalize"]

# unit -> (kind, factor to the base unit g / ml; temperatures are handled apart)
KITCHEN_UNITS = {
    "g": ("mass", 1.0),
    "kg": ("mass", 1000.0),
    "lb": ("mass", 453.592),
    "oz": ("mass", 28.3495),
    "ml": ("volume", 1.0),
    "L": ("volume", 1000.0),
    "cup": ("volume", 240.0),
    "fl oz": ("volume", 29.5735),
    "tbsp": ("volume", 15.0),
    "C": ("temperature", 0.0),
    "F": ("temperature", 0.0),
}
LAB_UNITS = {
    "mg": ("mass", 0.001),
    "g": ("mass", 1.0),
    "kg": ("mass", 1000.0),
    "ul": ("volume", 0.001),
    "ml": ("volume", 1.0),
    "L": ("volume", 1000.0),
    "C": ("temperature", 0.0),
    "F": ("temperature", 0.0),
    "K": ("temperature", 0.0),
}
ALIASES = {
    "g": ("g", "grams", "gr"),
    "kg": ("kg", "kgs", "kilo"),
    "lb": ("lb", "lbs"),
    "oz": ("oz",),
    "mg": ("mg",),
    "ml": ("ml", "mL"),
    "L": ("L", "l", "litre", "liter"),
    "ul": ("ul", "uL", "µl", "µL"),
    "cup": ("cup", "cups"),
    "fl oz": ("fl oz", "floz"),
    "tbsp": ("tbsp",),
    "C": ("C", "°C", "degC"),
    "F": ("F", "°F", "degF"),
    "K": ("K",),
}
# item -> (kind, low, high in base units: g, ml or degrees C)
KITCHEN_ITEMS = {
    "bread flour": ("mass", 4000, 25000),
    "caster sugar": ("mass", 1000, 10000),
    "unsalted butter": ("mass", 500, 5000),
    "arborio rice": ("mass", 2000, 12000),
    "chicken thighs": ("mass", 2000, 15000),
    "coffee beans": ("mass", 500, 5000),
    "parmesan": ("mass", 200, 3000),
    "whole milk": ("volume", 2000, 20000),
    "double cream": ("volume", 500, 5000),
    "olive oil": ("volume", 500, 5000),
    "chicken stock": ("volume", 2000, 20000),
    "red wine vinegar": ("volume", 250, 2000),
    "walk-in fridge": ("temperature", 1, 5),
    "freezer": ("temperature", -22, -16),
    "hot-holding cabinet": ("temperature", 63, 75),
    "combi oven": ("temperature", 160, 230),
    "dishwasher rinse": ("temperature", 80, 88),
}
LAB_ITEMS = {
    "sodium chloride": ("mass", 5, 500),
    "agarose": ("mass", 2, 60),
    "tris base": ("mass", 10, 250),
    "soil sample dry mass": ("mass", 1, 80),
    "PBS buffer": ("volume", 100, 2000),
    "ethanol 70%": ("volume", 200, 4000),
    "DI water": ("volume", 500, 10000),
    "primer stock": ("volume", 0.05, 0.5),
    "incubator": ("temperature", 36, 38),
    "cold room": ("temperature", 3, 6),
    "-80 freezer": ("temperature", -82, -76),
    "water bath": ("temperature", 36, 65),
}
UNKNOWN_UNITS = {"kitchen": ("pinch", "handful", "tray", "bunch", "scoop"), "lab": ("drops", "vial", "scoop", "tube")}
BAD_QUANTITIES = ("approx 3", "n/a", "2-3", "?", "see note", "TBC", "12..5")
KITCHEN_DOMAINS = ("restaurant", "hospitality", "household", "events", "retail", "nonprofit", "logistics")
LAB_DOMAINS = ("research", "healthcare", "manufacturing", "education", "construction")
# The largest number a person would plausibly log in a unit (nobody writes 1096 tbsp).
UNIT_MAX = {"tbsp": 30, "cup": 40, "fl oz": 160, "oz": 160, "ul": 1000, "mg": 5000, "g": 30000, "ml": 30000}
PRECISION = {"g": 1, "kg": 3, "mg": 0, "ml": 1, "L": 3, "ul": 0, "C": 1, "F": 1}


class UnitNormalize(TaskFamily):
    """Convert a measurements log with mixed units into target units and list the rows that cannot be used.

    **Request**: the user's sites log stock weights, volumes and equipment
    temperatures in whatever units they like; they want
    ``normalized.csv`` (id, site, item, value, unit) in the target units
    they name with the stated rounding per unit, and ``rejected.csv`` (id,
    reason) for rows that cannot be converted, with reasons from a fixed
    list, both in the input order.

    **Workspace**: ``measurements.csv`` (id, site, recorded_on, item,
    quantity, unit) from a few kitchens or labs, ``conversions.md`` with the
    factors, formulas and accepted spellings of each unit, a note from a
    colleague, unrelated files.

    **Checks**: both headers; the normalized ids, values (within one unit
    of the last kept decimal) and units in order; the rejected ids and
    reasons in order; the inputs are unchanged.

    **Hard**: more rows, one site exporting decimal commas, unit spellings
    with odd case and padding, rows double-posted by the logger (kept
    once), negative amounts to reject, and a ``summary.json`` with counts.
    """

    name = "unit_normalize"
    scenario = Scenario.REASONING_TECHNICAL
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        if b.persona.domain in KITCHEN_DOMAINS:
            theme = "kitchen"
        elif b.persona.domain in LAB_DOMAINS:
            theme = "lab"
        else:
            theme = rng.choice(("kitchen", "lab"))
        units = KITCHEN_UNITS if theme == "kitchen" else LAB_UNITS
        items = KITCHEN_ITEMS if theme == "kitchen" else LAB_ITEMS
        mass_target = rng.choice(("g", "kg") if theme == "kitchen" else ("g",))
        volume_target = rng.choice(("ml", "L") if theme == "kitchen" else ("ml",))
        temp_target = rng.choice(("C", "C", "F"))
        targets = {"mass": mass_target, "volume": volume_target, "temperature": temp_target}

        site_count = 3 if b.hard else rng.randint(2, 3)
        if theme == "kitchen":
            sites = [f"{street.split(' ', 1)[1]} kitchen" for street in _distinct(rng, b.pools.street_address, 3)]
        else:
            sites = [f"{city.split(',')[0]} lab" for city in _distinct(rng, b.pools.city, 3)]
        sites = sites[:site_count]
        comma_site = sites[-1] if b.hard else None

        count = rng.randint(22, 30) if b.hard else rng.randint(12, 18)
        first_day = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 20))
        next_id = rng.randint(1000, 8000)
        item_names = sorted(items)
        kinds_needed = ["mass", "volume", "temperature"]

        # Each record: id, site, day, item, raw quantity text, raw unit text, and either a value or a reason.
        records: list[dict] = []
        bad_slots = set(rng.sample(range(3, count), 5 if b.hard else rng.randint(2, 3)))
        for index in range(count):
            next_id += rng.randint(1, 3)
            site = rng.choice(sites)
            day = date_add(first_day, rng.below(9))
            if index < 3:
                item = rng.choice([name for name in item_names if items[name][0] == kinds_needed[index]])
            else:
                item = rng.choice(item_names)
            kind, low, high = items[item]
            record = {"id": f"M-{next_id}", "site": site, "day": iso(day), "item": item}
            if index in bad_slots:
                record.update(_bad_row(rng, theme, units, kind, b.hard))
            else:
                record.update(_good_row(rng, units, kind, low, high, targets[kind], force_convert=index < 3))
            records.append(record)

        # Raw text as exported.
        def raw_cells(record: dict) -> tuple[str, str]:
            quantity = record["quantity_text"]
            unit = record["unit_text"]
            if record["site"] == comma_site and _is_number(quantity):
                quantity = quantity.replace(".", ",")
            if b.hard and "value" in record and rng.chance(0.25):
                # Case changes only on ASCII spellings ("µl".upper() is a Greek capital mu, not a variant of µl).
                cased = (unit.upper(), unit.capitalize()) if unit.isascii() else (unit,)
                unit = rng.choice((*cased, f" {unit}", f"{unit} "))
            return quantity, unit

        lines = [["id", "site", "recorded_on", "item", "quantity", "unit"]]
        duplicates = set(rng.sample(range(len(records)), 2)) if b.hard else set()
        for index, record in enumerate(records):
            quantity, unit = raw_cells(record)
            row = [record["id"], record["site"], record["day"], record["item"], quantity, unit]
            lines.append(row)
            if index in duplicates:
                lines.append(list(row))
        data_csv = csv_text(lines)
        data_path = b.file("measurements/measurements.csv", data_csv)

        conversions = _conversions_md(units)
        conv_path = b.file("measurements/conversions.md", conversions)
        colleague = rng.choice(list(b.persona.team) or b.pools.people(rng, 1))
        note_lines = [
            f"From: {colleague}",
            f"Re: the {'stock and temperature' if theme == 'kitchen' else 'bench'} log",
            "",
            f"Each {'kitchen' if theme == 'kitchen' else 'lab'} logs in whatever units they have to hand, so the "
            "export is a mix. The conversion factors we agreed on are in conversions.md; please use those and not "
            "whatever a search engine says.",
        ]
        if b.hard:
            note_lines += [
                "",
                f"Heads-up: the {comma_site} machine exports decimal commas (2,5 means 2.5). The logger also "
                "double-posted a couple of readings last week: the same id twice is the same reading.",
            ]
        note = "\n".join(note_lines) + "\n"
        note_path = b.file("measurements/NOTE_from_" + colleague.split()[0].lower() + ".txt", note)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["measurements/", "output/"])

        # Ground truth.
        good = [r for r in records if "value" in r]
        bad = [r for r in records if "reason" in r]
        out_rows = [[r["id"], r["site"], r["item"], _fmt(r["value"], PRECISION[r["target"]]), r["target"]]
                    for r in good]  # fmt: skip
        rej_rows = [[r["id"], r["reason"]] for r in bad]
        reasons = ["missing_quantity", "bad_quantity", "unknown_unit"] + (["negative_quantity"] if b.hard else [])
        norm_path = "output/normalized.csv"
        rej_path = "output/rejected.csv"
        summary_path = "output/summary.json"
        summary = {
            "normalized": len(good),
            "rejected": len(bad),
            "by_reason": {reason: sum(1 for r in bad if r["reason"] == reason) for reason in reasons},
        }

        target_text = (
            f"masses in {mass_target}, volumes in {volume_target} and temperatures in {temp_target} "
            f"(degrees {'Celsius' if temp_target == 'C' else 'Fahrenheit'})"
        )
        rounding_text = "; ".join(f"{unit} {_places_text(PRECISION[unit])}" for unit in targets.values())
        reason_text = (
            "missing_quantity (quantity blank), bad_quantity (not a number), unknown_unit (unit not in "
            "conversions.md)" + (", negative_quantity (a mass or volume below zero)" if b.hard else "")
        )
        body = b.pick(
            [
                f"Our {theme} log in {data_path} mixes every unit under the sun. Could you convert it to {target_text}"
                f" using the factors in {conv_path}? Write {norm_path} with columns id, site, item, value, unit "
                f"(value rounded per unit: {rounding_text}; unit written exactly as {mass_target}, "
                f"{volume_target} or {temp_target}), and put every row you can't convert in {rej_path} with "
                f"columns id, reason, where reason is one of {reason_text}. Keep both files in the same order as "
                "the log.",
                f"Head office wants one consistent {theme} log. From {data_path}, please produce:\n\n"
                f"1. {norm_path}: columns id, site, item, value, unit, with {target_text}; unit column exactly "
                f"{mass_target} / {volume_target} / {temp_target}; rounding {rounding_text}.\n"
                f"2. {rej_path}: columns id, reason for the rows that can't be converted; reason is one of "
                f"{reason_text}.\n\n"
                f"Same row order as the log in both. Conversion factors and unit spellings are in {conv_path}.",
                f"can you clean up {data_path} for me? everything should end up as {target_text}, converted with "
                f"the table in {conv_path}. good rows go to {norm_path} (id, site, item, value, unit; rounding "
                f"{rounding_text}; unit as {mass_target}, {volume_target} or {temp_target}), the ones that can't "
                f"be converted go to {rej_path} (id, reason) with reason one of {reason_text}. keep the log's order.",
            ]
        )
        if b.hard:
            body += (
                f"\n\nA few things to watch: see {note_path} about decimal commas and double-posted readings "
                "(each id should appear once in the outputs); unit spellings in the log vary in case and padding; "
                f"and I'd also like {summary_path} with keys normalized (row count), rejected (row count) and "
                f"by_reason (each of the reasons above -> count, zeros included)."
            )
        body += " Don't change the log itself."
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(8 if b.hard else 6)

        # Checks.
        c = b.checks
        has_norm = c.csv_header("normalized_header", norm_path, ["id", "site", "item", "value", "unit"],
                                ignore_case=True)  # fmt: skip
        c.csv_column("normalized_ids_correct", norm_path, "id", [r["id"] for r in good], requires=[has_norm])
        tolerance = 0.4 * 10 ** -max(PRECISION[t] for t in targets.values())
        c.csv_column("normalized_values_correct", norm_path, "value", [r["value"] for r in good],
                     tolerance=tolerance, requires=[has_norm])  # fmt: skip
        c.csv_column("normalized_units_correct", norm_path, "unit", [r["target"] for r in good],
                     requires=[has_norm])  # fmt: skip
        has_rej = c.csv_header("rejected_header", rej_path, ["id", "reason"], ignore_case=True)
        c.csv_column("rejected_ids_correct", rej_path, "id", [r["id"] for r in bad], requires=[has_rej])
        c.csv_column("rejected_reasons_correct", rej_path, "reason", [r["reason"] for r in bad], ignore_case=True,
                     requires=[has_rej])  # fmt: skip
        if b.hard:
            has_summary = c.json_valid("summary_written", summary_path)
            c.json_equals("summary_counts_correct", summary_path, "", summary, requires=[has_summary])
        c.files_unchanged("inputs_unchanged", {data_path: data_csv, conv_path: conversions, note_path: note},
                          requires=[has_norm])  # fmt: skip

        # Reference solution.
        s = b.solution
        s.exec(f"ls measurements && head -20 {data_path}")
        s.read(conv_path)
        if b.hard:
            s.read(note_path)
        s.write(norm_path, csv_text([["id", "site", "item", "value", "unit"], *out_rows]))
        s.write(rej_path, csv_text([["id", "reason"], *rej_rows]))
        if b.hard:
            s.write(summary_path, json_text(summary))

        # Near miss: one converted row copied across without converting its number.
        wrong_rows = [list(row) for row in out_rows]
        slip = next(i for i, r in enumerate(good) if r.get("converted"))
        wrong_rows[slip][3] = good[slip]["quantity_text"]
        steps = list(s.steps)
        norm_step = next(i for i, step in enumerate(steps) if step["arguments"].get("path") == norm_path)
        steps[norm_step] = {"name": "write", "arguments": {"path": norm_path, "content": csv_text(
            [["id", "site", "item", "value", "unit"], *wrong_rows])}}  # fmt: skip
        b.near_miss(steps)


def _distinct(rng: StableRandom, draw, n: int) -> list[str]:
    found: list[str] = []
    for _ in range(200):
        item = draw(rng)
        if item not in found:
            found.append(item)
        if len(found) == n:
            break
    return found


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _places_text(places: int) -> str:
    if places == 0:
        return "to whole numbers"
    return f"to {places} decimal{'s' if places > 1 else ''}"


def _fmt(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def _to_celsius(value: float, unit: str) -> float:
    if unit == "F":
        return (value - 32) * 5 / 9
    if unit == "K":
        return value - 273.15
    return value


def _from_celsius(value: float, unit: str) -> float:
    return value * 9 / 5 + 32 if unit == "F" else value


def _raw_text(value: float) -> str:
    size = abs(value)
    places = 0 if size >= 100 else 1 if size >= 10 else 2
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _good_row(
    rng: StableRandom,
    units: dict[str, tuple[str, float]],
    kind: str,
    low: float,
    high: float,
    target: str,
    *,
    force_convert: bool,
) -> dict:
    """A convertible reading: its text as logged and its value in ``target`` (rounded, never a rounding tie)."""
    choices = [unit for unit, (k, _) in units.items() if k == kind and not (force_convert and unit == target)]
    attempts = 0
    while True:
        attempts += 1
        unit = rng.choice(choices)
        base = rng.uniform(low, high)
        if kind == "temperature":
            raw = base * 9 / 5 + 32 if unit == "F" else base + 273.15 if unit == "K" else base
            text = _raw_text(round(raw, 1))
            value = _from_celsius(_to_celsius(float(text), unit), target)
        else:
            text = _raw_text(base / units[unit][1])
            value = float(text) * units[unit][1] / units[target][1]
        if float(text) == 0 or (attempts < 100 and float(text) > UNIT_MAX.get(unit, float("inf"))):
            continue
        places = PRECISION[target]
        scaled = abs(value) * 10**places
        if abs(scaled - int(scaled) - 0.5) < 1e-4:
            continue
        spelling = rng.choice(ALIASES[unit])
        return {
            "quantity_text": text,
            "unit_text": spelling,
            "value": round(value, places),
            "target": target,
            "converted": unit != target,
        }


def _bad_row(rng: StableRandom, theme: str, units: dict[str, tuple[str, float]], kind: str, hard: bool) -> dict:
    """A reading that cannot be converted, with the reason code it must be rejected with."""
    unit = rng.choice([u for u, (k, _) in units.items() if k == kind])
    spelling = rng.choice(ALIASES[unit])
    options = ["missing_quantity", "bad_quantity", "unknown_unit"]
    if hard and kind != "temperature":
        options += ["negative_quantity", "negative_quantity"]
    reason = rng.choice(options)
    if reason == "missing_quantity":
        return {"quantity_text": "", "unit_text": spelling, "reason": reason}
    if reason == "bad_quantity":
        return {"quantity_text": rng.choice(BAD_QUANTITIES), "unit_text": spelling, "reason": reason}
    if reason == "unknown_unit":
        return {"quantity_text": str(rng.randint(1, 6)), "unit_text": rng.choice(UNKNOWN_UNITS[theme]),
                "reason": reason}  # fmt: skip
    return {"quantity_text": f"-{rng.randint(1, 40) / 2:g}", "unit_text": spelling, "reason": reason}


def _conversions_md(units: dict[str, tuple[str, float]]) -> str:
    lines = ["# Unit conversions (agreed list)", "", "## Mass", ""]
    for kind, base, heading in (("mass", "g", None), ("volume", "ml", "## Volume")):
        if heading:
            lines += ["", heading, ""]
        for unit, (k, factor) in units.items():
            if k == kind and unit != base:
                lines.append(f"- 1 {unit} = {factor:g} {base}")
    lines += ["", "## Temperature", ""]
    lines.append("- F to C: C = (F - 32) * 5 / 9")
    lines.append("- C to F: F = C * 9 / 5 + 32")
    if "K" in units:
        lines.append("- K to C: C = K - 273.15")
    lines += ["", "## Accepted spellings", ""]
    for unit in units:
        lines.append(f"- {unit}: " + ", ".join(ALIASES[unit]))
    lines += [
        "",
        "Spellings are matched ignoring case and surrounding spaces. Anything else (pinch, tray, scoop, ...) is "
        "not a unit we can convert.",
        "",
        "Convert with the exact factors above and round only at the end.",
    ]
    return "\n".join(lines) + "\n"
