"""Inventory reorder: work out sales velocity and what to order, in whole cases, from stock and sales files."""

from __future__ import annotations

import datetime as dt
import math

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, json_text

__all__ = ["InventoryReorder"]


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(";"))


# Things each kind of organisation actually keeps on a shelf.
STOCK = {
    "healthcare": _items(
        "nitrile exam gloves (M, box); nitrile exam gloves (L, box); 5 ml syringes; gauze pads 4x4; alcohol "
        "prep pads; specimen cups; disposable gowns; surgical masks (box); hand sanitiser 500 ml; tongue "
        "depressors; bandage rolls; sharps containers"
    ),
    "software": _items(
        "USB-C chargers; laptop stands; HDMI adapters; wireless mice; keyboard (US layout); webcam covers; "
        "ethernet cables 2 m; headsets; monitor arms; YubiKeys; notebooks (A5); whiteboard markers"
    ),
    "retail": _items(
        "linen tote bags; ceramic mugs; scented candles; gift wrap rolls; beeswax wraps; enamel pins; "
        "greeting cards; notebooks (dotted); bamboo cutlery sets; wool socks; tea tins; paper gift bags"
    ),
    "education": _items(
        "exercise books; HB pencils (box); glue sticks; whiteboard markers; A4 copy paper (ream); rulers 30 "
        "cm; scientific calculators; coloured card packs; lab goggles; erasers; USB sticks 32 GB; art smocks"
    ),
    "nonprofit": _items(
        "food box kits; tinned tomatoes; rice 5 kg bags; hygiene kits; baby wipes; volunteer t-shirts; "
        "donation envelopes; reusable bags; pasta 1 kg; tinned beans; toothbrush packs; blankets"
    ),
    "restaurant": _items(
        "San Marzano tomatoes (tin); 00 flour 25 kg; mozzarella 1 kg; olive oil 5 l; basmati rice 10 kg; "
        "takeaway boxes; napkins (pack); panko 1 kg; coconut milk (tin); soy sauce 1.8 l; paper cups 12 oz; "
        "chickpeas 2.5 kg"
    ),
    "construction": _items(
        "drywall screws (box); wood screws 4x40 (box); masking tape; cable ties (bag); silicone sealant; dust "
        "masks FFP2; work gloves; PVA glue 5 l; sandpaper P120 (pack); wall plugs (box); safety glasses; "
        "spray foam"
    ),
    "finance": _items(
        "A4 copy paper (ream); toner cartridges; envelopes C4; ring binders; archive boxes; sticky notes; "
        "ballpoint pens (box); staples (box); document wallets; label rolls; USB sticks 32 GB; desk calendars"
    ),
    "media": _items(
        "SD cards 128 GB; AA batteries (pack); gaffer tape; lav mic foam covers; XLR cables 5 m; lens wipes; "
        "hard drives 4 TB; sandbags; clapperboard markers; LED panel batteries; cable ties (bag); printer "
        "paper (ream)"
    ),
    "research": _items(
        "pipette tips 200 µl (rack); nitrile gloves (box); 15 ml centrifuge tubes; petri dishes; ethanol 70% "
        "1 l; cryovials; parafilm rolls; weigh boats; lab notebooks; microscope slides; filter paper; PCR "
        "plates"
    ),
    "logistics": _items(
        "stretch wrap rolls; packing tape; shipping labels (roll); cardboard boxes M; cardboard boxes L; "
        "pallet corner boards; bubble wrap rolls; strapping kits; hi-vis vests; void fill bags; mailing bags; "
        "thermal printer rolls"
    ),
    "household": _items(
        "toilet paper (12 pack); dishwasher tablets; laundry pods; kitchen roll; bin bags; coffee beans 1 kg; "
        "oat milk 1 l; pasta 500 g; tinned tomatoes; hand soap refills; cat litter 10 l; light bulbs E27"
    ),
    "legal": _items(
        "A4 copy paper (ream); lever arch files; ink cartridges; envelopes DL; binding combs; sticky tabs; "
        "archive boxes; notarial seals; ballpoint pens (box); legal pads; document wallets; client folders"
    ),
    "events": _items(
        "lanyards; badge holders; wristbands (pack); table cloths; bottled water (case); name tags (roll); "
        "gaffer tape; cable ties (bag); signage boards; tote bags; branded pens; AA batteries (pack)"
    ),
    "manufacturing": _items(
        "stainless hinges; M6 bolts (box); aluminum brackets; nylon washers (bag); cutting discs; welding "
        "rods 2.5 mm; cutting fluid 5 l; nitrile gloves (box); pallet wrap; shrink sleeves; threadlocker; "
        "grease cartridges"
    ),
    "hospitality": _items(
        "bath towels; hand towels; shampoo minis; conditioner minis; soap bars; coffee pods; tea bags (box); "
        "toilet rolls; bed sheets (king); pillowcases; slippers; laundry detergent 10 l"
    ),
}
CASE_SIZES = (6, 10, 12, 20, 24, 48, 50)


class InventoryReorder(TaskFamily):
    """Work out which stock items to reorder, and how many whole cases, from stock levels and 30 days of sales.

    **Request**: compute each item's daily sales velocity (net units / 30),
    days of stock left (on hand / velocity), and for items at or below
    their reorder point an order quantity = velocity × (lead time + cover
    days) − available stock, rounded up to whole cases; write
    ``reorder.csv`` (sorted by days of stock left) and a small
    ``reorder_summary.json`` (item count, total units, total cases).

    **Workspace**: ``inventory/stock_<date>.csv`` (sku, name, on hand,
    reorder point, lead time days, case size), ``sales_<start>_<end>.csv``
    (one row per SKU and day with sales), a README, distractors.

    **Checks**: the header; the SKUs to order in order; their velocity,
    days of stock, order quantity and case columns; the summary's count,
    units and cases; the inputs unchanged.

    **Hard**: more items; a ``status`` column with discontinued SKUs (never
    reordered); ``open_pos.csv`` with stock in transit (open POs count as
    available, received ones are already in on-hand); returns as negative
    quantities in the sales file.
    """

    name = "inventory_reorder"
    scenario = Scenario.ANALYSIS_DECISION
    operations = (Operation.DATA_ANALYSIS,)
    domains = ("retail", "restaurant", "manufacturing", "logistics", "healthcare", "hospitality")

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        names = STOCK.get(b.persona.domain, STOCK["finance"])
        count = rng.randint(11, 12) if b.hard else rng.randint(8, 10)
        items = rng.sample(names, count)
        prefix = "".join(word[0] for word in b.persona.org.split()[:3]).upper()[:3] or "SKU"
        end = dt.date(rng.choice((2025, 2026)), rng.randint(2, 12), rng.randint(1, 28))
        start = end - dt.timedelta(days=29)
        cover = rng.choice((14, 21, 28))

        skus: list[dict] = []
        numbers = rng.sample(range(1000, 9999), count)
        for index, name in enumerate(items):
            sku = {
                "sku": f"{prefix}-{numbers[index]}",
                "name": name,
                "rate": rng.randint(5, 200) / 10,  # expected units per day
                "lead": rng.choice((3, 5, 7, 10, 14, 21)),
                "case": rng.choice(CASE_SIZES),
                "status": "active",
                "in_transit": 0,
                "received_po": 0,
            }
            skus.append(sku)

        # Sales: one row per SKU and day with sales; hard mode adds returns (negative rows).
        sales_rows: list[tuple[dt.date, str, int]] = []
        for sku in skus:
            units = 0
            for day in range(30):
                if rng.random() < min(0.95, 0.35 + sku["rate"] / 10):
                    qty = max(1, round(sku["rate"] * rng.randint(50, 160) / 100 / min(0.95, 0.35 + sku["rate"] / 10)))
                    sales_rows.append((start + dt.timedelta(days=day), sku["sku"], qty))
                    units += qty
            if units == 0:
                sales_rows.append((start + dt.timedelta(days=rng.below(30)), sku["sku"], 2))
                units = 2
            if b.hard and units >= 10 and rng.chance(0.25):
                back = rng.randint(1, max(1, units // 10))
                sales_rows.append((start + dt.timedelta(days=rng.below(30)), sku["sku"], -back))
                units -= back
            sku["units"] = units
            sku["velocity"] = units / 30

        # Stock levels: decide which items need ordering, then place on-hand around the reorder point.
        roles = ["order"] * max(3, count // 2) + ["fine"] * (count - max(3, count // 2))
        roles = rng.shuffled(roles)
        if b.hard:
            extra = rng.sample([i for i, r in enumerate(roles) if r == "order"], 3)
            roles[extra[0]] = "discontinued"
            roles[extra[1]] = "covered_by_po"
            roles[extra[2]] = "partly_covered"
        for sku, role in zip(skus, roles, strict=True):
            v = sku["velocity"]
            sku["rp"] = max(2, math.ceil(v * sku["lead"] * rng.randint(90, 140) / 100))
            sku["role"] = role
            if role == "fine":
                sku["on_hand"] = rng.randint(sku["rp"] + 1, sku["rp"] * 3 + 2)
            else:
                sku["on_hand"] = rng.randint(sku["rp"] * 2 // 10, sku["rp"])
            if role == "discontinued":
                sku["status"] = "discontinued"
            elif role == "covered_by_po":
                sku["in_transit"] = sku["rp"] - sku["on_hand"] + rng.randint(1, max(1, sku["rp"] // 2) + 1)
            elif role == "partly_covered":
                sku["in_transit"] = rng.randint(0, sku["rp"] - sku["on_hand"]) if sku["rp"] > sku["on_hand"] else 0
                sku["in_transit"] = max(1, sku["in_transit"]) if sku["on_hand"] + 1 <= sku["rp"] else 0
            _settle(sku, cover)

        # Make days-of-stock distinct (at one decimal) among the items to order, so the order is unambiguous.
        for _ in range(40):
            ordered = [s for s in skus if s["order_qty"] > 0]
            seen: dict[str, dict] = {}
            clash = None
            for s in ordered:
                key = f"{s['on_hand'] / s['velocity']:.1f}"
                if key in seen:
                    clash = s
                    break
                seen[key] = s
            if clash is None:
                break
            clash["on_hand"] = max(0, clash["on_hand"] - 1)
            _settle(clash, cover)
        order = sorted([s for s in skus if s["order_qty"] > 0], key=lambda s: (s["on_hand"] / s["velocity"], s["sku"]))

        # Files.
        folder = "inventory"
        header = ["sku", "name", "on_hand", "reorder_point", "lead_time_days", "case_size"]
        if b.hard:
            header.append("status")
        stock_rows = [header]
        for sku in rng.shuffled(skus) if b.hard else sorted(skus, key=lambda s: s["sku"]):
            row = [sku["sku"], sku["name"], sku["on_hand"], sku["rp"], sku["lead"], sku["case"]]
            if b.hard:
                row.append(sku["status"])
            stock_rows.append(row)
        stock_path = f"{folder}/stock_{iso(end)}.csv"
        stock = csv_text(stock_rows)
        b.file(stock_path, stock)
        sales_rows.sort()
        sales_path = f"{folder}/sales_{iso(start)}_{iso(end)}.csv"
        sales = csv_text([["date", "sku", "qty"], *[[iso(d), s, q] for d, s, q in sales_rows]])
        b.file(sales_path, sales)
        inputs = {stock_path: stock, sales_path: sales}
        if b.hard:
            po_rows = [["po_number", "sku", "qty", "status", "expected"]]
            po_no = rng.randint(2100, 4800)
            received = rng.choice([s for s in skus if s["role"] == "fine"])
            pos = [(s, s["in_transit"], "open") for s in skus if s["in_transit"] > 0]
            pos.append((received, received["case"] * rng.randint(1, 4), "received"))
            for s, qty, status in rng.shuffled(pos):
                po_no += rng.randint(1, 9)
                eta = end + dt.timedelta(days=rng.randint(1, s["lead"])) if status == "open" else end - dt.timedelta(
                    days=rng.randint(1, 6))  # fmt: skip
                po_rows.append([f"PO-{po_no}", s["sku"], qty, status, iso(eta)])
            pos_text = csv_text(po_rows)
            b.file(f"{folder}/open_pos.csv", pos_text)
            inputs[f"{folder}/open_pos.csv"] = pos_text
        readme = [
            f"# Stockroom — {b.persona.org}",
            "",
            f"- `{stock_path.split('/')[-1]}`: count taken at close on {iso(end)}.",
            f"- `{sales_path.split('/')[-1]}`: units sold per SKU per day, {iso(start)} to {iso(end)} (30 days). "
            "Days without sales have no row.",
            "- Reorder point and lead time come from the supplier agreements; we only order whole cases.",
        ]
        if b.hard:
            readme += [
                "- Negative qty rows in the sales file are customer returns back into stock.",
                "- `open_pos.csv`: purchase orders. `open` = on its way (not in on-hand yet); `received` = already "
                "counted in on-hand.",
                "- Discontinued items are being run down; never reorder them.",
            ]
        readme_text = "\n".join(readme) + "\n"
        b.file(f"{folder}/README.md", readme_text)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=[f"{folder}/", "orders/"])

        # Request.
        out_csv, out_json = f"orders/reorder_{iso(end)}.csv", f"orders/reorder_summary_{iso(end)}.json"
        columns = ["sku", "name", "daily_velocity", "days_of_stock", "order_qty", "cases"]
        available = "on_hand + quantity on open POs" if b.hard else "on_hand"
        formula = (
            f"daily_velocity = net units sold in the 30 days / 30; days_of_stock = on_hand / daily_velocity; an "
            f"item needs ordering when its available stock ({available}) is at or below its reorder_point; "
            f"order_qty = daily_velocity × (lead_time_days + {cover}) − available stock, rounded up to a whole "
            "number of cases (cases = order_qty / case_size)"
        )
        body = b.pick(
            [
                f"Can you work out this week's reorder from {stock_path} and {sales_path}? The rules: {formula}. "
                f"Write {out_csv} with columns {', '.join(columns)}, one row per item that needs ordering, fewest "
                f"days of stock first (ties by sku). Also save {out_json} with skus_to_order, total_units and "
                "total_cases so I can check the supplier's confirmation against it.",
                f"Reorder time. Inputs: {stock_path} (stock count) and {sales_path} (last 30 days of sales).\n\n"
                f"How to calculate: {formula}.\n\n"
                f"Outputs:\n- {out_csv}: {', '.join(columns)}; only items that need ordering; sorted by "
                "days_of_stock ascending, then sku.\n"
                f'- {out_json}: {{"skus_to_order": <rows in the csv>, "total_units": <sum of order_qty>, '
                '"total_cases": <sum of cases>}.',
                f"we're running low on a few things. using {stock_path} and the sales in {sales_path}, figure out "
                f"what to order — {formula}. put it in {out_csv} ({', '.join(columns)}; just the items to order, "
                f"lowest days_of_stock first, sku breaks ties) plus a {out_json} with skus_to_order, total_units "
                "and total_cases.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: discontinued items are never reordered; only POs with status open "
                "count as stock on the way (received ones are already in on_hand); negative sales rows are "
                "returns and reduce the units sold."
            )
        body += (
            "\n\nUse the unrounded velocity in the formulas; in the CSV round daily_velocity to 2 decimals and "
            "days_of_stock to 1. Leave the files in inventory/ as they are."
        )
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(7 if b.hard else 5)

        # Checks.
        c = b.checks
        head = c.csv_header("reorder_header", out_csv, columns, ignore_case=True)
        c.csv_column("skus_to_order_sorted", out_csv, "sku", [s["sku"] for s in order], requires=[head])
        c.csv_column("skus_to_order_any_order", out_csv, "sku", [s["sku"] for s in order], ordered=False,
                     requires=[head])  # fmt: skip
        c.csv_column("velocity_column", out_csv, "daily_velocity", [round(s["velocity"], 2) for s in order],
                     tolerance=0.01, requires=[head])  # fmt: skip
        days_left = [round(s["on_hand"] / s["velocity"], 1) for s in order]
        c.csv_column("days_of_stock_column", out_csv, "days_of_stock", days_left, tolerance=0.1, requires=[head])
        c.csv_column("order_qty_column", out_csv, "order_qty", [s["order_qty"] for s in order], requires=[head])
        c.csv_column("cases_column", out_csv, "cases", [s["order_qty"] // s["case"] for s in order], requires=[head])
        summary = {
            "skus_to_order": len(order),
            "total_units": sum(s["order_qty"] for s in order),
            "total_cases": sum(s["order_qty"] // s["case"] for s in order),
        }
        ok = c.json_valid("summary_written", out_json)
        for key, value in summary.items():
            c.json_equals(f"summary_{key}", out_json, f"/{key}", value, requires=[ok])
        c.files_unchanged("inputs_unchanged", inputs, requires=[head])

        # Reference solution.
        s = b.solution
        s.read(f"{folder}/README.md")
        s.exec(f"ls {folder} && cat {stock_path} && head -5 {sales_path} && wc -l {sales_path}")
        if b.hard:
            s.exec(f"cat {folder}/open_pos.csv && grep -e ',-' {sales_path}")
        s.exec(f"mkdir -p orders && cut -d, -f2 {sales_path} | sort | uniq -c")
        s.write(out_csv, _reorder_csv(columns, order))
        s.write(out_json, json_text(summary))

        # Near miss: order quantities not rounded up to whole cases (raw units).
        raw = [dict(x, order_qty=math.ceil(x["need"])) for x in order]
        if all(x["order_qty"] == y["order_qty"] for x, y in zip(raw, order, strict=True)):
            raw[0]["order_qty"] += 1
        b.near_miss([*s.steps[:-2], {"name": "write", "arguments": {"path": out_csv,
                                                                    "content": _reorder_csv(columns, raw)}},
                     s.steps[-1]])  # fmt: skip


def _settle(sku: dict, cover: int) -> None:
    """Compute ``order_qty`` (0 when not needed), nudging on-hand until rounding cannot change the answer."""
    for _ in range(30):
        v = sku["velocity"]
        available = sku["on_hand"] + sku["in_transit"]
        if sku["status"] == "discontinued" or available > sku["rp"]:
            sku["need"], sku["order_qty"] = 0.0, 0
            return
        need = v * (sku["lead"] + cover) - available
        need_rounded = round(v, 2) * (sku["lead"] + cover) - available
        cases = math.ceil(need / sku["case"] - 1e-9)
        fragile = math.ceil(need_rounded / sku["case"] - 1e-9) != cases
        near_whole = abs(need / sku["case"] - round(need / sku["case"])) < 0.02
        if need > 0 and not fragile and not near_whole:
            sku["need"], sku["order_qty"] = need, cases * sku["case"]
            return
        sku["on_hand"] = max(0, sku["on_hand"] - 1) if sku["on_hand"] > 0 else sku["on_hand"]
        if sku["on_hand"] == 0:
            sku["lead"] += 1
    sku["need"] = sku["velocity"] * (sku["lead"] + cover) - sku["on_hand"] - sku["in_transit"]
    sku["order_qty"] = math.ceil(sku["need"] / sku["case"] - 1e-9) * sku["case"]


def _reorder_csv(columns: list[str], order: list[dict]) -> str:
    rows = [columns]
    for s in order:
        rows.append([s["sku"], s["name"], f"{s['velocity']:.2f}", f"{s['on_hand'] / s['velocity']:.1f}",
                     s["order_qty"], s["order_qty"] // s["case"]])  # fmt: skip
    return csv_text(rows)
