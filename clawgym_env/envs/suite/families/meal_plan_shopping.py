"""Meal plan shopping: scale recipes to a week's meal plan, subtract the pantry, group the list by aisle."""

from __future__ import annotations

import math
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, json_text, slug

__all__ = ["MealPlanShopping"]

AISLES = {
    "onion": "Produce",
    "garlic clove": "Produce",
    "carrot": "Produce",
    "tomato": "Produce",
    "spinach": "Produce",
    "lemon": "Produce",
    "bell pepper": "Produce",
    "mushrooms": "Produce",
    "ginger": "Produce",
    "fresh basil": "Produce",
    "milk": "Dairy & Eggs",
    "butter": "Dairy & Eggs",
    "cheddar": "Dairy & Eggs",
    "parmesan": "Dairy & Eggs",
    "yogurt": "Dairy & Eggs",
    "eggs": "Dairy & Eggs",
    "feta": "Dairy & Eggs",
    "rice": "Pantry",
    "pasta": "Pantry",
    "red lentils": "Pantry",
    "flour": "Pantry",
    "sugar": "Pantry",
    "olive oil": "Pantry",
    "canned tomatoes": "Pantry",
    "chickpeas": "Pantry",
    "coconut milk": "Pantry",
    "soy sauce": "Pantry",
    "oats": "Pantry",
    "stock cube": "Pantry",
    "honey": "Pantry",
    "chicken thighs": "Meat & Fish",
    "ground beef": "Meat & Fish",
    "salmon fillet": "Meat & Fish",
    "tofu": "Meat & Fish",
    "tortillas": "Bakery",
    "pita bread": "Bakery",
    "cumin": "Spices",
    "curry powder": "Spices",
    "paprika": "Spices",
}
# name -> (servings, [(item, qty, unit)]) ; units: g, ml, pcs, tbsp, tsp
RECIPES = {
    "Red lentil soup": (
        4,
        [
            ("red lentils", 300, "g"),
            ("onion", 1, "pcs"),
            ("carrot", 2, "pcs"),
            ("canned tomatoes", 400, "g"),
            ("olive oil", 2, "tbsp"),
            ("cumin", 2, "tsp"),
            ("stock cube", 1, "pcs"),
        ],
    ),
    "Chicken curry": (
        4,
        [
            ("chicken thighs", 600, "g"),
            ("onion", 2, "pcs"),
            ("garlic clove", 3, "pcs"),
            ("ginger", 20, "g"),
            ("coconut milk", 400, "ml"),
            ("rice", 320, "g"),
            ("curry powder", 2, "tbsp"),
        ],
    ),
    "Tomato pasta": (
        2,
        [
            ("pasta", 200, "g"),
            ("canned tomatoes", 400, "g"),
            ("garlic clove", 2, "pcs"),
            ("olive oil", 20, "ml"),
            ("parmesan", 40, "g"),
            ("fresh basil", 10, "g"),
        ],
    ),
    "Spinach and feta omelette": (
        2,
        [("eggs", 4, "pcs"), ("milk", 60, "ml"), ("spinach", 60, "g"), ("feta", 60, "g"), ("butter", 10, "g")],
    ),
    "Salmon rice bowl": (
        2,
        [
            ("salmon fillet", 2, "pcs"),
            ("rice", 160, "g"),
            ("lemon", 1, "pcs"),
            ("spinach", 100, "g"),
            ("soy sauce", 2, "tbsp"),
        ],
    ),
    "Chickpea salad": (
        4,
        [
            ("chickpeas", 480, "g"),
            ("tomato", 3, "pcs"),
            ("bell pepper", 1, "pcs"),
            ("feta", 100, "g"),
            ("olive oil", 40, "ml"),
            ("lemon", 1, "pcs"),
        ],
    ),
    "Beef tacos": (
        4,
        [
            ("ground beef", 500, "g"),
            ("tortillas", 8, "pcs"),
            ("tomato", 2, "pcs"),
            ("cheddar", 120, "g"),
            ("onion", 1, "pcs"),
            ("paprika", 1, "tsp"),
        ],
    ),
    "Overnight oats": (2, [("oats", 100, "g"), ("milk", 300, "ml"), ("honey", 20, "g"), ("yogurt", 100, "g")]),
    "Mushroom risotto": (
        4,
        [
            ("rice", 320, "g"),
            ("mushrooms", 400, "g"),
            ("onion", 1, "pcs"),
            ("butter", 40, "g"),
            ("parmesan", 60, "g"),
            ("stock cube", 2, "pcs"),
        ],
    ),
    "Tofu stir-fry": (
        2,
        [
            ("tofu", 400, "g"),
            ("bell pepper", 2, "pcs"),
            ("rice", 160, "g"),
            ("soy sauce", 40, "ml"),
            ("garlic clove", 2, "pcs"),
            ("ginger", 10, "g"),
        ],
    ),
    "Pancakes": (
        4,
        [("flour", 200, "g"), ("milk", 300, "ml"), ("eggs", 2, "pcs"), ("butter", 20, "g"), ("sugar", 20, "g")],
    ),
    "Falafel pita": (
        2,
        [
            ("chickpeas", 240, "g"),
            ("pita bread", 2, "pcs"),
            ("tomato", 1, "pcs"),
            ("yogurt", 80, "g"),
            ("cumin", 1, "tsp"),
            ("lemon", 1, "pcs"),
        ],
    ),
}
TO_BASE = {
    "g": ("g", 1),
    "kg": ("g", 1000),
    "ml": ("ml", 1),
    "l": ("ml", 1000),
    "tbsp": ("ml", 15),
    "tsp": ("ml", 5),
    "pcs": ("pcs", 1),
}
UNIT_OF = {item: unit for _, items in RECIPES.values() for item, _, unit in items}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WALK_ORDER = ("Produce", "Bakery", "Meat & Fish", "Dairy & Eggs", "Pantry", "Spices")


def _fmt(value: float) -> str:
    return f"{round(value, 2):g}"


class MealPlanShopping(TaskFamily):
    """Turn a week's meal plan into a shopping list: scale recipes, sum, subtract the pantry, group by aisle.

    **Request**: the user wants ``shopping_list.csv`` (ingredient, quantity,
    unit, aisle): every recipe scaled from its own servings to the planned
    servings, summed per ingredient and unit, minus what the pantry already
    has (same unit only), ``pcs`` rounded up to whole pieces, items the
    pantry covers left out, sorted by aisle (alphabetically or in the
    store's walking order, as the request says) then ingredient.

    **Workspace**: ``recipes/*.json`` (name, servings, ingredients with
    quantity and unit, steps), ``meal_plan.csv`` (day, meal, recipe,
    servings), ``pantry.csv``, ``aisles.csv`` (ingredient -> aisle), a store
    layout note; distractors.

    **Checks**: the header; the ingredient order; the pantry subtraction on
    partly stocked items; pieces rounded up; fully stocked items absent; the
    exact rows as a set and in order; the inputs unchanged.

    **Hard**: more meals; some recipes in Markdown; a stated conversion
    table (kg, l, tbsp, tsp to g and ml) that must be applied to recipes
    and pantry; plan rows for eating out that add nothing; recipe names in
    the plan in a different case.
    """

    name = "meal_plan_shopping"
    scenario = Scenario.PLANNING_KNOWLEDGE
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        chosen = rng.sample(sorted(RECIPES), rng.randint(6, 8) if hard else rng.randint(4, 6))
        walking = rng.chance(0.5)

        # Recipe files.
        recipe_files: dict[str, str] = {}
        for name in chosen:
            servings, ingredients = RECIPES[name]
            stem = slug(name, separator="-")
            if hard and rng.chance(0.4):
                lines = [f"# {name}", "", f"Serves {servings}", "", "## Ingredients", ""]
                lines += [f"- {_fmt(qty)} {unit} {item}" for item, qty, unit in ingredients]
                lines += ["", "## Method", "", "1. Prep everything.", "2. Cook until done, season to taste.", ""]
                path, text = f"recipes/{stem}.md", "\n".join(lines)
            else:
                data = {
                    "name": name,
                    "servings": servings,
                    "ingredients": [{"item": i, "qty": q, "unit": u} for i, q, u in ingredients],
                    "steps": ["Prep everything.", "Cook until done, season to taste."],
                }
                path, text = f"recipes/{stem}.json", json_text(data)
            recipe_files[path] = text
            b.file(path, text)

        # The plan: every chosen recipe at least once, servings 1-6.
        meals = []
        slots = [(day, meal) for day in DAYS for meal in ("breakfast", "lunch", "dinner")]
        picks = list(chosen) + [rng.choice(chosen) for _ in range(rng.randint(3, 5) if hard else rng.randint(1, 3))]
        for (day, meal), recipe in zip(
            sorted(rng.sample(slots, len(picks)), key=slots.index), rng.shuffled(picks), strict=True
        ):
            meals.append([day, meal, recipe, rng.randint(1, 6)])
        plan_rows = [
            [day, meal, recipe.lower() if hard and rng.chance(0.3) else recipe, servings]
            for day, meal, recipe, servings in meals
        ]
        if hard:
            free = [slot for slot in slots if slot not in [(m[0], m[1]) for m in meals]]
            for day, meal in rng.sample(free, 2):
                plan_rows.append([day, meal, "eating out", rng.randint(2, 4)])
            plan_rows.sort(key=lambda row: slots.index((row[0], row[1])))

        # Needs per (item, unit).
        def base(qty: float, unit: str) -> tuple[float, str]:
            if not hard:
                return qty, unit
            target, factor = TO_BASE[unit]
            return qty * factor, target

        need: dict[tuple[str, str], float] = {}
        for _, _, recipe, servings in meals:
            per, ingredients = RECIPES[recipe]
            for item, qty, unit in ingredients:
                amount, unit2 = base(qty * servings / per, unit)
                need[(item, unit2)] = need.get((item, unit2), 0.0) + amount

        # Pantry: some items fully covered, some partly, one irrelevant, (normal) one in another unit.
        keys = sorted(need)
        pantry_rows: list[list[str]] = []
        stockable = [k for k in keys if AISLES[k[0]] != "Spices"]
        covered = set(rng.sample(stockable, 2))
        partial = set(
            rng.sample(
                [
                    k
                    for k in stockable
                    if k not in covered
                    and ((k[1] in ("g", "ml") and need[k] >= 30) or (k[1] == "pcs" and need[k] >= 3))
                ],
                2,
            )
        )
        pantry: dict[tuple[str, str], float] = {}
        for key in sorted(covered | partial):
            item, unit = key
            if key in covered:
                if unit == "pcs":
                    have = float(math.ceil(need[key]) + rng.randint(0, 2))
                else:
                    have = float(math.ceil(need[key] / 100) * 100 + rng.choice((0, 100, 400)))
            else:
                have = _partial(rng, need[key], unit)
            pantry[key] = have
            shown_qty, shown_unit = have, unit
            if hard and unit in ("g", "ml") and have % 100 == 0 and rng.chance(0.6):
                shown_qty, shown_unit = have / 1000, "kg" if unit == "g" else "l"
            pantry_rows.append([item, _fmt(shown_qty), shown_unit])
        unused = [i for i in AISLES if all(i != k[0] for k in keys)]
        for item in rng.sample(unused, 2):
            amount = rng.randint(1, 6) if UNIT_OF[item] in ("pcs", "tsp", "tbsp") else rng.randint(1, 5) * 100
            pantry_rows.append([item, str(amount), UNIT_OF[item]])
        other_unit = None
        if not hard:
            candidates = [k for k in keys if k not in covered and k not in partial and k[1] in ("g", "ml", "tbsp")]
            if candidates:
                other_unit = rng.choice(candidates)
                alt = {"g": "bag", "ml": "bottle", "tbsp": "bottle"}[other_unit[1]]
                pantry_rows.append([other_unit[0], str(rng.randint(1, 2)), alt])
        pantry_rows = rng.shuffled(pantry_rows)

        # Ground truth rows.
        aisle_rank = (lambda a: WALK_ORDER.index(a)) if walking else (lambda a: a)
        result = []
        rounded_up = []
        for key in keys:
            item, unit = key
            left = need[key] - pantry.get(key, 0.0)
            if left <= 1e-9:
                continue
            if unit == "pcs":
                if abs(left - round(left)) > 1e-9:
                    rounded_up.append(item)
                left = math.ceil(left - 1e-9)
            result.append((AISLES[item], item, round(left, 2), unit))
        result.sort(key=lambda row: (aisle_rank(row[0]), row[1], row[3]))
        rows = [[item, _fmt(qty), unit, aisle] for aisle, item, qty, unit in result]

        # Files.
        plan_text = csv_text([["day", "meal", "recipe", "servings"], *plan_rows])
        pantry_text = csv_text([["item", "qty", "unit"], *pantry_rows])
        aisle_items = sorted({k[0] for k in keys} | {row[0] for row in pantry_rows})
        aisles_text = csv_text([["ingredient", "aisle"], *[[i, AISLES[i]] for i in aisle_items]])
        layout = (
            f"# {rng.choice(('FreshWay', 'Corner Market', 'GreenBasket'))} store layout\n\n"
            "Walking order from the entrance:\n\n" + "".join(f"{k + 1}. {a}\n" for k, a in enumerate(WALK_ORDER))
        )
        b.file("meal_plan.csv", plan_text)
        b.file("pantry.csv", pantry_text)
        b.file("aisles.csv", aisles_text)
        b.file("store_layout.md", layout)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["recipes/", "shopping_list.csv", "personal/recipes/"],
            exclude_kinds=("recipe", "grocery_list"),
        )

        # Request.
        order_text = (
            "grouped by aisle in the store's walking order (store_layout.md), and alphabetically by ingredient within "
            "an aisle"
            if walking
            else "sorted by aisle name alphabetically, then by ingredient name"
        )
        units_text = (
            "Convert with 1 kg = 1000 g, 1 l = 1000 ml, 1 tbsp = 15 ml, 1 tsp = 5 ml, so every line is in g, ml or "
            "pcs (recipes and pantry both)."
            if hard
            else "Don't convert between units: if an ingredient shows up in two different units, it gets one line "
            "per unit (ordered by unit name), and a pantry amount only counts against the same ingredient in the "
            "same unit."
        )
        body = b.pick(
            [
                "Can you write this week's shopping list? meal_plan.csv says what I'm cooking and for how many "
                "servings; the recipes in recipes/ are written for their own number of servings, so scale each one "
                "(quantity × planned servings ÷ recipe servings), add everything up per ingredient and unit, and "
                "subtract what's already in pantry.csv. Save it as shopping_list.csv with columns ingredient, "
                f"quantity, unit, aisle (aisle from aisles.csv), {order_text}. {units_text} Leave out anything the "
                "pantry fully covers; round pcs up to whole pieces (after subtracting the pantry) and everything "
                "else to 2 decimals.",
                "Shopping list time. Steps, please:\n"
                "1. For each row of meal_plan.csv, scale its recipe from recipes/ to the planned servings "
                "(quantity × planned ÷ recipe servings).\n"
                f"2. Sum per ingredient and unit. {units_text}\n"
                "3. Subtract pantry.csv and drop anything with nothing left to buy.\n"
                "4. Round pcs up to whole numbers, other quantities to 2 decimals.\n"
                "5. Write shopping_list.csv: ingredient, quantity, unit, aisle (from aisles.csv), "
                f"{order_text}.",
                "Ugh, groceries. the week is planned in meal_plan.csv (recipe + servings per meal), recipes are in "
                "recipes/ with their own serving counts, and pantry.csv is what I already have. could you make "
                "shopping_list.csv (ingredient,quantity,unit,aisle) with the recipes scaled to my servings, summed, "
                f"minus the pantry, nothing I don't need to buy, {order_text}? {units_text} pcs rounded up to whole "
                "pieces, the rest to 2 decimals, aisle as in aisles.csv.",
            ]
        )
        body += " Please keep ingredient names as the recipes write them, and don't change the input files."
        if hard:
            body += (
                "\n\nA few things to watch: a few recipes are Markdown rather than JSON. Rows that say eating out "
                "aren't cooked at home and add nothing. Recipe names in the plan aren't always capitalised the same "
                "way as in the recipes."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 5)

        # Checks.
        c = b.checks
        out = "shopping_list.csv"
        header = c.csv_header("list_header", out, ["ingredient", "quantity", "unit", "aisle"], ignore_case=True)
        c.csv_column(
            "ingredient_order", out, "ingredient", [row[0] for row in rows], ignore_case=True, requires=[header]
        )
        partial_rows = [row for row in rows if (row[0], row[2]) in partial]
        if partial_rows:
            c.text_regex("pantry_subtracted", out, _rows_pattern(partial_rows), requires=[header])
        pcs_rows = [row for row in rows if row[0] in rounded_up and row[2] == "pcs"]
        if pcs_rows:
            c.text_regex("pieces_rounded_up", out, _rows_pattern(pcs_rows), requires=[header])
        gone = sorted({item for item, unit in covered if not any(r[0] == item for r in rows)})
        if gone:
            c.command("covered_items_left_out", _absent_script(out, gone), requires=[header])
        c.csv_rows("rows_as_a_set", out, rows, ordered=False, tolerance=0.01, ignore_case=True, requires=[header])
        c.csv_rows("rows_exact_and_sorted", out, rows, tolerance=0.01, ignore_case=True, requires=[header])
        c.files_unchanged(
            "inputs_unchanged",
            {"meal_plan.csv": plan_text, "pantry.csv": pantry_text, **recipe_files},
            requires=[header],
        )

        # Reference solution.
        s = b.solution
        s.exec("ls recipes && cat meal_plan.csv pantry.csv store_layout.md")
        s.exec('for f in recipes/*; do echo "== $f"; cat "$f"; done; head -50 aisles.csv')
        s.write(out, csv_text([["ingredient", "quantity", "unit", "aisle"], *rows]))
        s.exec(f"cat {out}")

        # Near miss: the pantry forgotten for one partly stocked item.
        victim = next(iter(sorted(partial)))
        wrong = []
        for row in rows:
            if (row[0], row[2]) == victim:
                full = need[victim]
                row = [row[0], str(math.ceil(full - 1e-9)) if row[2] == "pcs" else _fmt(full), row[2], row[3]]
            wrong.append(row)
        b.near_miss(
            [
                *s.steps[:2],
                {
                    "name": "write",
                    "arguments": {
                        "path": out,
                        "content": csv_text([["ingredient", "quantity", "unit", "aisle"], *wrong]),
                    },
                },
            ]
        )


def _partial(rng: StableRandom, need: float, unit: str) -> float:
    """A pantry amount that covers part of ``need`` (whole pieces, or round amounts)."""
    if unit == "pcs":
        return float(rng.randint(1, math.floor(need) - 1))
    step = 10 if unit in ("g", "ml") else 1
    low = max(step, int(need * 0.2 / step) * step)
    high = max(low, int(need * 0.7 / step) * step)
    return float(rng.randint(low // step, high // step) * step) if high > low else float(low)


def _num(value: str) -> str:
    number = float(value)
    if number == int(number):
        return rf"{int(number)}(?:\.0+)?"
    return re.escape(_fmt(number)) + "0*"


def _rows_pattern(rows: list[list[str]]) -> str:
    looks = []
    for item, qty, unit, aisle in rows:
        cells = [re.escape(item), _num(qty), re.escape(unit), re.escape(aisle)]
        line = ",".join(r"[ \t]*\"?" + cell + r"\"?[ \t]*" for cell in cells)
        looks.append(rf"(?=[\s\S]*^{line}$)")
    return r"(?mi)\A" + "".join(looks)


def _absent_script(path: str, items: list[str]) -> str:
    script = (
        "import csv, sys\n"
        f"rows = [r for r in csv.reader(open({path!r}, encoding='utf-8')) if any(c.strip() for c in r)]\n"
        "col = [h.strip().lower() for h in rows[0]].index('ingredient')\n"
        "names = {r[col].strip().lower() for r in rows[1:] if len(r) > col}\n"
        f"sys.exit(1 if names & set({[i.lower() for i in items]!r}) else 0)\n"
    )
    return "python3 - <<'PYCHECK'\n" + script + "PYCHECK\n"
