"""Packing list: apply the user's packing rules to a trip plan and a daily forecast."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, json_text

__all__ = ["PackingList"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BEACHES = ("Gull Point", "Sandy Cove", "Palm Row", "Lighthouse", "Long Strand")
PEAKS = ("Eagle Rock", "Old Fort", "Crow's Nest", "Signal Hill", "Twin Lakes")
ACTIVITIES = {
    "beach": ("Afternoon at {beach} Beach", "Snorkelling trip from the harbour beach", "Sunset swim at {beach} Beach"),
    "pool": ("Lazy afternoon at the hotel pool", "Aqua park with the kids (pool day)"),
    "hike": ("Hike to the {peak} viewpoint", "Coastal trail walk, about 14 km", "Guided hike up {peak}"),
    "formal": ("{person}'s wedding reception (formal)", "Client dinner, smart dress", "Awards gala (black tie)"),
    "work": ("Workshop at the {city} office", "Meetings all day with the local team"),
    "casual": (
        "Old town walking tour",
        "Museum day",
        "Food market and cooking class",
        "Free day, nothing planned",
        "Day trip by train",
        "Bike tour of the harbour",
        "Shopping and a long lunch",
    ),
}
CONDITIONS = {"rain": ("Showers", "Rain", "Thunderstorms"), "dry": ("Sunny", "Partly cloudy", "Cloudy", "Clear")}


class PackingList(TaskFamily):
    """Work out exact packing quantities for a trip from the plan, the forecast and the user's own rules.

    **Request**: the user wants ``packing_list.md`` (one ``- item: quantity``
    bullet per item that applies) and ``packing_list.json`` (item name ->
    quantity), following ``trip/packing_rules.md`` for the trip in
    ``trip/plan.md`` and the forecast in ``trip/forecast.csv``; items whose
    rule does not apply are left out.

    **Workspace**: the plan (destination, departure and return dates, what
    happens each day), a daily forecast (high, low, rain chance,
    conditions), the packing rules (counts per night or day, caps,
    weather thresholds, activity-triggered gear), distractors.

    **Checks**: the JSON parses and is exactly the expected mapping; socks,
    underwear and t-shirt counts; each conditional item that applies has
    the right quantity; items that do not apply are absent; the Markdown
    has each ``item: quantity`` line and no extra bullets; the trip files
    unchanged.

    **Hard**: longer trips; the forecast window runs past the trip on both
    sides (with weather that would trigger rules); some forecast rows in
    Fahrenheit; a cancelled activity that must not count; more rules.
    """

    name = "packing_list"
    scenario = Scenario.PLANNING_KNOWLEDGE
    operations = (Operation.FILE_CONTENT, Operation.DATA_ANALYSIS)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        city = b.pools.city(rng)
        town = city.split(",")[0]
        nights = rng.randint(5, 9) if hard else rng.randint(3, 6)
        depart = dt.date(rng.choice((2025, 2026)), rng.randint(3, 10), rng.randint(1, 20))
        ret = depart + dt.timedelta(days=nights)
        days = [depart + dt.timedelta(days=k) for k in range(nights + 1)]

        # Thresholds and caps of the user's rules.
        rain_at = rng.choice((40, 50, 60))
        cold_below = rng.choice((8, 10, 12))
        sun_from = rng.choice((24, 25, 27))
        shorts_from = sun_from - rng.choice((2, 3))
        shirt_cap = rng.randint(4, 6)
        shorts_cap = rng.choice((2, 3))

        # Which conditions hold (mixed so that some rules apply and some do not).
        flags = {
            "rain": rng.chance(0.5),
            "cold": rng.chance(0.5),
            "sun": rng.chance(0.5),
            "swim": rng.chance(0.5),
            "hike": rng.chance(0.5),
            "formal": rng.chance(0.5),
        }
        if hard:
            flags["work"] = rng.chance(0.5)
        if all(flags.values()):
            flags[rng.choice(sorted(flags))] = False
        if sum(flags.values()) < 2:
            for key in rng.sample([k for k, v in flags.items() if not v], 2):
                flags[key] = True
        if flags["cold"] and flags["sun"] and rng.chance(0.5):
            flags["cold"] = False

        # Weather per trip day, never within 1 degree of a threshold, honouring the flags.
        weather: dict[dt.date, list[int]] = {}
        hot_day = rng.choice(days)
        cold_day = rng.choice([day for day in days if day != hot_day])
        wet_day = rng.choice(days)
        for day in days:
            while True:
                high = rng.randint(13, 31)
                low = high - rng.randint(6, 11)
                rain = 5 * rng.randint(0, 18)
                if not flags["sun"] and high >= sun_from - 1:
                    continue
                if flags["sun"] and day == hot_day and high < sun_from + 1:
                    continue
                if not flags["cold"] and low <= cold_below:
                    continue
                if flags["cold"] and day == cold_day and low >= cold_below - 1:
                    continue
                if not flags["rain"] and rain >= rain_at:
                    continue
                if flags["rain"] and day == wet_day and rain < rain_at:
                    continue
                if abs(high - sun_from) < 1 or abs(high - shorts_from) < 1 or abs(low - cold_below) < 1:
                    continue
                break
            weather[day] = [high, low, rain]

        # Activities per day.
        team = list(b.persona.team)
        fill = {"beach": rng.choice(BEACHES), "peak": rng.choice(PEAKS), "city": town, "person": rng.choice(team)}
        tags_by_day: dict[dt.date, list[str]] = {day: [] for day in days}
        plan: dict[dt.date, list[str]] = {day: [] for day in days}
        wanted = []
        if flags["swim"]:
            wanted += [rng.choice(("beach", "pool"))] * rng.randint(1, 2)
        if flags["hike"]:
            wanted += ["hike"] * rng.randint(1, 2 if nights < 6 else 3)
        if flags["formal"]:
            wanted += ["formal"] * rng.randint(1, 2)
        if flags.get("work"):
            wanted += ["work"] * rng.randint(1, 2)
        middle = days[1:-1] if len(days) > 2 else days
        slots = rng.sample(middle, min(len(middle), len(wanted)))
        for tag, day in zip(wanted, slots, strict=False):
            tags_by_day[day].append(tag)
            plan[day].append(rng.choice(ACTIVITIES[tag]).format(**fill))
        casual: list[str] = []
        for day in days:
            if not plan[day]:
                casual = casual or rng.shuffled(ACTIVITIES["casual"])
                plan[day].append(casual.pop().format(**fill))
        plan[days[0]].insert(0, f"Travel day: {rng.choice(('flight', 'train', 'drive'))} to {town}, check in")
        plan[days[-1]].append(f"Travel home ({rng.choice(('morning', 'afternoon', 'evening'))})")
        if hard:
            trigger = "beach" if not flags["swim"] else ("hike" if not flags["hike"] else "formal")
            if trigger == "formal" and flags["formal"]:
                trigger = None
            if trigger is not None:
                day = rng.choice(middle)
                cancelled = rng.choice(ACTIVITIES[trigger]).format(**fill)
                plan[day].append(f"~~{cancelled}~~ (cancelled, operator closed for the season)")

        # Ground truth.
        n_days = len(days)
        hiking_days = sum(1 for day in days if "hike" in tags_by_day[day])
        formal_events = sum(tag == "formal" for day in days for tag in tags_by_day[day])
        hot_days = sum(1 for day in days if weather[day][0] >= shorts_from)
        items: list[tuple[str, int]] = [
            ("socks", nights + 1),
            ("underwear", nights + 1),
            ("t-shirts", min(n_days, shirt_cap)),
            ("toothbrush", 1),
            ("phone charger", 1),
        ]
        conditional: list[tuple[str, int]] = [
            ("rain jacket", 1 if flags["rain"] else 0),
            ("warm fleece", 1 if flags["cold"] else 0),
            ("sunscreen", 1 if flags["sun"] else 0),
            ("shorts", min(hot_days, shorts_cap)),
            ("swimsuit", 1 if flags["swim"] else 0),
            ("beach towel", 1 if flags["swim"] else 0),
            ("hiking boots", 1 if hiking_days else 0),
            ("hiking socks", hiking_days),
            ("dress outfit", formal_events),
        ]
        if hard:
            conditional.append(("laptop", 1 if flags.get("work") else 0))
        items += [(name, qty) for name, qty in conditional if qty > 0]
        absent = [name for name, qty in conditional if qty == 0]
        packing = dict(items)

        # Files.
        rules = [
            "# Packing rules (the ones I always forget)",
            "",
            "Nights = number of nights away; days = every date from departure to return, both included.",
            "Only the days I'm actually there count for weather.",
            "",
            "- socks: nights + 1",
            "- underwear: nights + 1",
            f"- t-shirts: one per day, but never more than {shirt_cap} (I can do laundry)",
            "- toothbrush: 1",
            "- phone charger: 1",
            f"- rain jacket: 1 if any day has a rain chance of {rain_at}% or more",
            f"- warm fleece: 1 if any night's low is below {cold_below} °C",
            f"- sunscreen: 1 if any day's high is {sun_from} °C or more",
            f"- shorts: one pair per day with a high of {shorts_from} °C or more, at most {shorts_cap}",
            "- swimsuit: 1 if anything is at a beach or a pool",
            "- beach towel: 1, same condition as the swimsuit",
            "- hiking boots: 1 if there's at least one hike (trail walks count as hikes)",
            "- hiking socks: one pair per hiking day, on top of the normal socks",
            "- dress outfit: one per formal or smart-dress event",
        ]
        if hard:
            rules.append("- laptop: 1 if any day has work (meetings, workshops)")
        rules += ["", "Anything whose rule doesn't apply stays at home (don't list it with 0)."]
        rules_text = "\n".join(rules) + "\n"
        plan_lines = [
            f"# Trip to {city}",
            "",
            f"- Leaving: {iso(depart)} ({WEEKDAYS[depart.weekday()]})",
            f"- Back: {iso(ret)} ({WEEKDAYS[ret.weekday()]})",
            f"- Staying at: {rng.choice(('Hotel Marisol', 'the Harbour Inn', 'an Airbnb near the station'))}",
            "",
            "## Days",
            "",
        ]
        for day in days:
            plan_lines.append(f"### {iso(day)} ({WEEKDAYS[day.weekday()]})")
            plan_lines += [f"- {item}" for item in plan[day]]
            plan_lines.append("")
        plan_text = "\n".join(plan_lines)

        window = list(days)
        if hard:
            window = [depart - dt.timedelta(days=2), depart - dt.timedelta(days=1), *days, ret + dt.timedelta(days=1)]
            outside = [d for d in window if d not in weather]
            for index, day in enumerate(outside):
                high, low, rain = rng.randint(14, 22), rng.randint(9, 13), 5 * rng.randint(0, 6)
                # Weather outside the trip that would trip a rule that does not apply inside it.
                if index == 0 and not flags["rain"]:
                    rain = 85
                if index == 1 and not flags["sun"]:
                    high = sun_from + 3
                if index == 2 and not flags["cold"]:
                    low = cold_below - 4
                weather[day] = [high, min(low, high - 5), rain]
        fahrenheit = set(rng.sample(days, 2)) if hard else set()
        header = ["date", "high", "low", "rain_chance", "conditions"] + (["unit"] if hard else [])
        forecast_rows = []
        for day in window:
            high, low, rain = weather[day]
            cond = rng.choice(CONDITIONS["rain" if rain >= 50 else "dry"])
            if day in fahrenheit:
                row = [iso(day), round(high * 9 / 5 + 32), round(low * 9 / 5 + 32), rain, cond, "F"]
            else:
                row = [iso(day), high, low, rain, cond] + (["C"] if hard else [])
            forecast_rows.append(row)
        forecast_text = csv_text([header, *forecast_rows])
        b.file("trip/plan.md", plan_text)
        b.file("trip/forecast.csv", forecast_text)
        b.file("trip/packing_rules.md", rules_text)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["trip/", "personal/", "packing_list.md", "packing_list.json"],
            exclude_kinds=("itinerary", "grocery_list"),
        )

        # Request.
        body = b.pick(
            [
                f"I'm off to {town} on {iso(depart)} and back {iso(ret)}. Could you work out exactly what to pack? "
                "Everything is in trip/: the plan (plan.md), the forecast (forecast.csv) and my rules "
                "(packing_rules.md). I want packing_list.md with one bullet per item, written '- item: quantity', "
                "and packing_list.json, a single object mapping each item name to its quantity as a number. Use "
                "the item names exactly as my rules spell them and leave out anything whose rule doesn't apply.",
                f"Packing for {town}, please. Two files:\n"
                "1. packing_list.json: one JSON object, item name (as written in trip/packing_rules.md) -> quantity "
                "(a number).\n"
                "2. packing_list.md: the same list as bullets, '- item: quantity'.\n"
                "Apply the rules to trip/plan.md and the daily forecast in trip/forecast.csv; items that don't "
                "apply shouldn't appear at all.",
                f"Trip to {town} is coming up ({iso(depart)} to {iso(ret)}) and I always overpack. can you go through "
                "trip/plan.md and trip/forecast.csv with my rules in trip/packing_rules.md and give me exact numbers? "
                "packing_list.md as '- item: quantity' bullets plus packing_list.json (object of item -> number), "
                "item names exactly like in the rules, nothing that doesn't apply.",
            ]
        )
        body += (
            " In the Markdown, only the items should be bullet points (so I can tick them off), and please don't edit "
            "the trip files."
        )
        if hard:
            body += (
                "\n\nA few things to watch: the forecast export covers a few days before and after the trip, which "
                "don't count. Some rows came out in Fahrenheit (see the unit column), while my thresholds are in "
                "Celsius. Anything crossed out in the plan was cancelled and doesn't count."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(6 if hard else 4)

        # Checks.
        c = b.checks
        has_json = c.json_valid("json_written", "packing_list.json")
        for name in ("socks", "underwear", "t-shirts"):
            c.json_equals(
                f"{name.replace('-', '_')}_count", "packing_list.json", f"/{name}", packing[name], requires=[has_json]
            )
        for name, qty in items[5:]:
            c.json_equals(f"{_key(name)}_quantity", "packing_list.json", f"/{name}", qty, requires=[has_json])
        if absent:
            c.text_absent(
                "inapplicable_items_left_out", "packing_list.json", absent, ignore_case=True, requires=[has_json]
            )
        c.json_equals("json_exact", "packing_list.json", "", packing, requires=[has_json])
        has_md = c.file_exists("md_written", "packing_list.md")
        looks = "".join(
            rf"(?=[\s\S]*^[ \t]*[-*][ \t]+{re.escape(name)}[ \t]*:[ \t]*{qty}[ \t]*$)" for name, qty in items
        )
        c.text_regex("md_quantities_listed", "packing_list.md", r"(?mi)\A" + looks, requires=[has_md])
        c.text_regex(
            "md_has_no_extra_items",
            "packing_list.md",
            r"(?m)^[ \t]*[-*][ \t]+\S",
            min_count=len(items),
            max_count=len(items),
            requires=[has_md],
        )
        c.files_unchanged(
            "trip_files_unchanged",
            {"trip/plan.md": plan_text, "trip/forecast.csv": forecast_text, "trip/packing_rules.md": rules_text},
            requires=[has_json],
        )

        # Reference solution.
        md = f"# Packing list: {town}, {iso(depart)} to {iso(ret)}\n\n" + "".join(f"- {n}: {q}\n" for n, q in items)
        s = b.solution
        s.exec("ls trip && cat trip/packing_rules.md trip/plan.md")
        s.exec("cat trip/forecast.csv")
        s.write("packing_list.json", json_text(packing))
        s.write("packing_list.md", md)

        # Near miss: socks counted per night (the +1 forgotten), in both files.
        wrong = {**packing, "socks": nights}
        wrong_md = md.replace(f"- socks: {nights + 1}\n", f"- socks: {nights}\n")
        b.near_miss(
            [
                *s.steps[:2],
                {"name": "write", "arguments": {"path": "packing_list.json", "content": json_text(wrong)}},
                {"name": "write", "arguments": {"path": "packing_list.md", "content": wrong_md}},
            ]
        )


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
