"""Product copy glossary: apply a style glossary to a product catalog's descriptions and log the changes."""

from __future__ import annotations

import datetime as dt
import json
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, json_text

__all__ = ["ProductCopyGlossary"]

# US spelling -> house (UK) spelling; sentences that use the term; sentences with a longer word that contains it.
SPELLINGS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("color", "colour", ("Pick a color that suits your kit.", "The color stays bright wash after wash."),
     ("Each colorway is dyed in small batches.",)),
    ("meter", "metre", ("The cord is a full 2 meter long.", "Rated for a 10 meter drop test."),
     ("An adjustable perimeter strap keeps it snug.", "A built-in thermometer shows the temperature.")),
    ("liter", "litre", ("It holds one liter without leaking.", "Fits a 1.5 liter bottle in the side pocket."),
     ("It literally folds down to pocket size.",)),
    ("tire", "tyre", ("Works with any bike tire up to 2.4 inches.", "A spare tire lever clips to the side."),
     ("Covers the entire frame in one go.", "Built for tired legs after a long day.")),
    ("gray", "grey", ("Finished in a soft heather gray.", "The gray trim hides scuffs."),
     ("The grayscale print is made to last.",)),
    ("program", "programme", ("Part of our repair and reuse program.", "Eligible for the loyalty program."),
     ("A programmable timer switches it off.",)),
    ("aluminum", "aluminium", ("The frame is brushed aluminum.", "The hinges are solid aluminum."), ()),
    ("favorite", "favourite", ("A long-time customer favorite.", "Our team's favorite for weekend trips."), ()),
    ("cozy", "cosy", ("Keeps you cozy on cold evenings.", "A cozy fleece lining throughout."), ()),
    ("jewelry", "jewellery", ("A soft pouch keeps jewelry from scratching.", "Room for jewelry and small keepsakes."),
     ()),
)  # fmt: skip

# Retired range name -> new range name.
RANGES = (
    ("Trailmate", "Ridgeline"),
    ("AquaLite", "Tidewater"),
    ("Nimbus", "Cirrus"),
    ("EcoLine", "Evergreen"),
    ("Voyager", "Wayfarer"),
    ("Glowbeam", "Lumen"),
    ("Basecamp", "Homestead"),
    ("Sprinter", "Tempo"),
)

# Trademark / house forms matched in any case: term, replacement, sentences with a {form} slot, case forms used.
FORMS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("wifi", "Wi-Fi", ("Pairs over {form} in under a minute.", "Set it up from the app over home {form}."),
     ("wifi", "WiFi", "WIFI", "Wifi")),
    ("bluetooth", "Bluetooth", ("Connects by {form} to any phone.", "Stays paired over {form} across the room."),
     ("bluetooth", "BlueTooth", "BLUETOOTH")),
    ("e-mail", "email", ("Register it by {form} for the longer warranty.", "We'll send care tips by {form}."),
     ("e-mail", "E-mail", "E-Mail")),
    ("velcro", "hook-and-loop", ("A {form} strap keeps it closed.", "The {form} tab adjusts in seconds."),
     ("velcro", "Velcro", "VELCRO")),
    ("styrofoam", "polystyrene", ("Shipped without any {form} packing.", "No {form} in the box, only card."),
     ("styrofoam", "Styrofoam")),
)  # fmt: skip

ITEMS = (
    ("Daypack 20L", "Bags"),
    ("Roll-top Pannier", "Bags"),
    ("Insulated Bottle", "Drinkware"),
    ("Camp Mug", "Drinkware"),
    ("Rain Shell Jacket", "Clothing"),
    ("Fleece Throw", "Home"),
    ("Desk Lamp", "Home"),
    ("Bike Light Set", "Cycling"),
    ("Mini Pump", "Cycling"),
    ("Travel Speaker", "Electronics"),
    ("Charging Dock", "Electronics"),
    ("Keepsake Box", "Home"),
    ("Picnic Blanket", "Outdoor"),
    ("Trekking Poles", "Outdoor"),
    ("Lunch Box", "Kitchen"),
    ("Pour-over Kettle", "Kitchen"),
)

FILLER = (
    "Made from recycled materials wherever we can.",
    "Backed by our two-year warranty.",
    "Light enough to carry all day.",
    "Wipe clean with a damp cloth.",
    "Designed and tested by our own team.",
    "Ships in plastic-free packaging.",
    "Replacement parts are available for years.",
    "Comes with a simple quick-start card.",
    "Tough stitching at every stress point.",
    "Great as a gift, too.",
)


def apply_glossary(text: str, rows: list[dict[str, str]]) -> tuple[str, list[int]]:
    """``text`` with every row applied in order (whole words; ``any case`` rows ignore case) and each row's count."""
    counts = []
    for row in rows:
        flags = re.IGNORECASE if row["match"] == "any case" else 0
        text, count = re.subn(rf"\b{re.escape(row['term'])}\b", lambda _, r=row["replacement"]: r, text, flags=flags)
        counts.append(count)
    return text, counts


SCRIPT = r"""import csv, json, re
rows = list(csv.DictReader(open('{glossary}', encoding='utf-8')))
doc = json.load(open('{catalog}', encoding='utf-8'))
changes = []
for product in doc['products']:
    text = product['description']
    for row in rows:
        flags = re.IGNORECASE if row['match'].strip() == 'any case' else 0
        text, n = re.subn(r'\b' + re.escape(row['term']) + r'\b', lambda m: row['replacement'], text, flags=flags)
        if n:
            changes.append([product['id'], row['term'], n])
    product['description'] = text
with open('{output}', 'w', encoding='utf-8') as out:
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write('\n')
with open('{changes}', 'w', newline='', encoding='utf-8') as out:
    writer = csv.writer(out)
    writer.writerow(['product_id', 'term', 'count'])
    writer.writerows(changes)
print(len(changes), 'changes')
"""


class ProductCopyGlossary(TaskFamily):
    """Apply the house style glossary to a product catalog's descriptions and log every replacement.

    **Request**: the shop's catalog JSON needs its descriptions brought in
    line with a glossary CSV (retired range names, UK spellings, and in hard
    tasks trademark/house forms): write the updated catalog to a new path
    (names, ids and everything else unchanged) and ``changes.csv`` with one
    ``product_id,term,count`` row per product and glossary term that
    changed, in catalog order then glossary order.

    **Workspace**: ``catalog/products.json`` (id, name, category, price,
    description), ``catalog/style_glossary.csv`` (term, replacement, match,
    note), a README on the rebrand, unrelated files. Products of a retired
    range still carry the old name in their ``name`` field.

    **Checks**: the updated catalog is exactly right; each changed
    description; names that contain a glossary term left alone; the changes
    log's header and rows; the inputs unchanged.

    **Hard**: more products; rows matched in any case (``WiFi``, ``E-mail``)
    whose replacement is used as written; longer words that contain a term
    (``parameter``, ``entire``, ``colorway``) and must not change, because
    matching is by whole word.
    """

    name = "product_copy_glossary"
    scenario = Scenario.CONTENT_COMMUNICATION
    operations = (Operation.FILE_CONTENT,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        old_range, new_range = rng.choice(RANGES)
        other_ranges = [pair[1] for pair in RANGES if pair[0] != old_range]
        spellings = rng.sample(SPELLINGS, rng.randint(5, 6) if b.hard else rng.randint(3, 4))
        forms = rng.sample(FORMS, rng.randint(2, 3)) if b.hard else []

        glossary: list[dict[str, str]] = [
            {"term": old_range, "replacement": new_range, "match": "exact",
             "note": f"{old_range} range renamed {new_range}"},
        ]  # fmt: skip
        for us, uk, _, _ in spellings:
            glossary.append({"term": us, "replacement": uk, "match": "exact", "note": "UK spelling"})
        for term, replacement, _, _ in forms:
            glossary.append({"term": term, "replacement": replacement, "match": "any case", "note": "house form"})
        order = [glossary[0], *rng.shuffled(glossary[1:])]
        glossary = order

        # Sentences that use a term, and (hard) traps that only look like one.
        uses: list[str] = []
        for _, _, sentences, _ in spellings:
            uses += rng.sample(sentences, rng.randint(1, 2))
        for _, _, sentences, case_forms in forms:
            for sentence in rng.sample(sentences, 2):
                uses.append(sentence.format(form=rng.choice(case_forms)))
        traps: list[str] = []
        if b.hard:
            for _, _, _, trap_sentences in spellings:
                traps += trap_sentences
            traps = rng.sample(traps, min(len(traps), rng.randint(3, 4)))
        count = rng.randint(10, 14) if b.hard else rng.randint(6, 9)
        items = rng.sample(ITEMS, count)
        retired = set(rng.sample(range(count), rng.randint(2, 3)))
        pending = rng.shuffled(uses + traps)
        per_product: list[list[str]] = [[] for _ in range(count)]
        for index, sentence in enumerate(pending):
            per_product[index % count if index < count else rng.below(count)].append(sentence)

        first_id = rng.randint(100, 700)
        products = []
        for index, (item, category) in enumerate(items):
            line = old_range if index in retired else rng.choice(other_ranges)
            sentences = rng.sample(FILLER, 2) + per_product[index]
            if index in retired:
                sentences.insert(1, rng.choice((
                    f"The {old_range} version of our best-selling {item}.",
                    f"Part of the {old_range} range.",
                    f"Every {old_range} piece is built to be repaired.",
                )))  # fmt: skip
            body = rng.shuffled(sentences[1:])
            products.append(
                {
                    "id": f"SKU-{first_id + index * 7:04d}",
                    "name": f"{line} {item}",
                    "category": category,
                    "price": rng.money(9, 180),
                    "description": " ".join([sentences[0], *body]),
                }
            )
        exported = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        catalog = {"store": persona.org, "exported": iso(exported), "currency": "GBP", "products": products}
        catalog_path = "catalog/products.json"
        glossary_path = "catalog/style_glossary.csv"
        output_path = "catalog/products_updated.json"
        changes_path = "catalog/changes.csv"
        catalog_text = json_text(catalog)
        glossary_text = csv_text(
            [["term", "replacement", "match", "note"]]
            + [[row["term"], row["replacement"], row["match"], row["note"]] for row in glossary]
        )
        b.file(catalog_path, catalog_text)
        b.file(glossary_path, glossary_text)
        b.file(
            "catalog/README.md",
            f"# Catalog copy\n\nThe {old_range} range was renamed {new_range} this season, and the UK shop "
            "launch means house style is UK English from now on. The product `name` field belongs to the "
            "PIM team, who rename products in their own system, so copy edits only ever touch descriptions.\n\n"
            "`style_glossary.csv`: `match` is `exact` (case-sensitive) or `any case`. Terms only match whole "
            "words.\n",
        )
        b.file(
            "catalog/products_2024_backup.json",
            json_text({"store": persona.org, "exported": "2024-11-30", "products": products[: max(2, count // 3)]}),
        )
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["catalog/"])

        # -- ground truth -----------------------------------------------------------------------
        updated = json.loads(json.dumps(catalog))
        changes: list[list[object]] = []
        changed_index: list[int] = []
        for index, product in enumerate(updated["products"]):
            text, counts = apply_glossary(product["description"], glossary)
            for row, hits in zip(glossary, counts, strict=True):
                if hits:
                    changes.append([product["id"], row["term"], hits])
            if text != product["description"]:
                changed_index.append(index)
            product["description"] = text

        # -- request ------------------------------------------------------------------------------
        rules = (
            "Terms match whole words only (so 'parameter' is not 'meter'), and `any case` rows match however the "
            "word is capitalised but are replaced with the replacement exactly as written."
            if b.hard
            else "Terms match whole words, case-sensitive, exactly as written in the glossary."
        )
        body = b.pick(
            [
                f"We're relaunching the shop copy: please apply {glossary_path} to the product descriptions in "
                f"{catalog_path}. Only the descriptions change: ids, names, prices and everything else stay as "
                f"they are (the PIM team handles names). Save the result as {output_path}, same structure and "
                f"product order, and log what you changed in {changes_path} with columns product_id, term, count "
                "(one row per product and glossary term that actually changed something; count = number of "
                "replacements; rows in catalog order, then glossary order). "
                + rules
                + f" Keep {catalog_path} itself unchanged.",
                f"Glossary pass on the catalog, please.\n\n1. Apply every row of {glossary_path} to the "
                f"`description` of each product in {catalog_path} — descriptions only, not names or ids.\n"
                f"2. Write the updated catalog to {output_path} (same structure, same order).\n"
                f"3. Write {changes_path}: product_id,term,count, one row per product/term pair with at least one "
                "replacement, in catalog order and then glossary order.\n\n"
                + rules
                + " Don't edit the original catalog or the glossary.",
                f"the descriptions in {catalog_path} still use old names and US spellings. can you run "
                f"{glossary_path} over them? descriptions only, names stay (PIM owns those). new file "
                f"{output_path} with everything else identical, plus {changes_path} (product_id, term, count — "
                "count is how many times that term was replaced in that product; only pairs that changed, catalog "
                "order then glossary order). " + rules + " originals stay untouched pls.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: some descriptions contain longer words that merely contain a term; "
                "leave those alone. The replacement text is final, don't re-apply rows to it."
            )
        b.instruct(body)
        b.steps(4)
        b.constraints(7 if b.hard else 6)

        # -- checks ------------------------------------------------------------------------------------
        c = b.checks
        has = c.json_valid("updated_catalog_written", output_path)
        first_change = None
        for index in changed_index:
            product = updated["products"][index]
            name = c.json_equals(f"description_{product['id'].lower().replace('-', '_')}", output_path,
                                 f"/products/{index}/description", product["description"], requires=[has])  # fmt: skip
            first_change = first_change or name
        gate = [has, first_change] if first_change else [has]
        retired_names = sorted(retired)
        c.json_equals(
            "retired_names_untouched",
            output_path,
            f"/products/{retired_names[0]}/name",
            products[retired_names[0]]["name"],
            requires=gate,
        )
        c.json_equals("catalog_exact", output_path, "", updated, requires=gate)
        has_log = c.file_exists("changes_log_written", changes_path)
        c.csv_header("changes_log_header", changes_path, ["product_id", "term", "count"], ignore_case=True,
                     requires=[has_log])  # fmt: skip
        c.csv_rows("changes_log_rows", changes_path, changes, requires=[has_log])
        c.files_unchanged("inputs_unchanged", {catalog_path: catalog_text, glossary_path: glossary_text},
                          requires=gate)  # fmt: skip

        # -- reference solution ---------------------------------------------------------------------------
        script = SCRIPT.format(glossary=glossary_path, catalog=catalog_path, output=output_path, changes=changes_path)
        s = b.solution
        s.exec("ls catalog && cat catalog/README.md")
        s.read(glossary_path)
        s.exec(f"head -c 1500 {catalog_path}")
        s.exec(f"python3 - <<'EOF'\n{script}EOF")
        s.exec(f"cat {changes_path}")

        # Near miss: the same pass, but also over product names (the retired range renamed there too).
        sloppy = script.replace(
            "    product['description'] = text\n",
            "    product['description'] = text\n    product['name'] = product['name'].replace("
            f"{old_range!r}, {new_range!r})\n",
        )
        b.near_miss([*s.steps[:3], {"name": "exec", "arguments": {"command": f"python3 - <<'EOF'\n{sloppy}EOF"}}])
