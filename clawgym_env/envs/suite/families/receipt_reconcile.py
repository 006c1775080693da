"""Receipt reconcile: match a folder of shop receipts against a month's card statement."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text, money, slug

__all__ = ["ReceiptReconcile"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip

# (store name, kind): generic shops anybody's card ends up at.
STORES = (
    ("Bluebird Coffee Co.", "cafe"),
    ("Hillcrest Pharmacy", "pharmacy"),
    ("Granary Market", "grocery"),
    ("Ironbridge Hardware", "hardware"),
    ("Paper Trail Stationers", "office"),
    ("Lantern Books", "books"),
    ("Greenway Garden Centre", "garden"),
    ("Copper Pot Bistro", "restaurant"),
    ("QuickPrint Copy Shop", "print"),
    ("Voltline Electronics", "electronics"),
    ("Sunrise Bakery", "bakery"),
    ("Pinecrest Outfitters", "outdoor"),
    ("Corner Fuel and Go", "fuel"),
    ("Tidewater Fish Market", "grocery"),
    ("Mosaic Noodle Bar", "restaurant"),
    ("Keystone Office Depot", "office"),
    ("Little Fern Florist", "florist"),
    ("Beacon Street Deli", "cafe"),
)
ITEMS = {
    "cafe": (("Flat white", 4.2, 5.4), ("Oat latte", 4.6, 5.9), ("Almond croissant", 3.2, 4.6),
             ("Bagel w/ cream cheese", 3.9, 6.5), ("Drip coffee 12oz", 2.5, 3.6), ("Lemon loaf slice", 3.1, 4.4)),
    "pharmacy": (("Ibuprofen 200mg x24", 5.9, 9.9), ("Plasters assorted", 3.5, 6.9), ("Hand sanitiser 500ml", 4.5, 8.5),
                 ("Vitamin D3 90ct", 8.9, 15.9), ("Cough drops", 2.9, 4.9), ("Sunscreen SPF50", 9.9, 18.5)),
    "grocery": (("Bananas 1kg", 1.4, 2.6), ("Sourdough loaf", 4.5, 7.2), ("Olive oil 1L", 8.5, 14.9),
                ("Coffee beans 500g", 9.9, 16.5), ("Free-range eggs x12", 4.2, 6.9), ("Cheddar 400g", 5.5, 8.9),
                ("Salmon fillet", 9.5, 18.0)),
    "hardware": (("Wood screws 4x40 (200)", 6.9, 11.9), ("Masking tape 2-pack", 4.5, 7.9), ("LED bulb E27", 3.9, 8.5),
                 ("Extension lead 5m", 14.9, 24.9), ("Paint roller set", 9.9, 17.5), ("Cable ties (100)", 3.2, 6.5)),
    "office": (("A4 copy paper 500", 5.9, 9.5), ("Gel pens 10-pack", 6.5, 11.0), ("Lever arch file", 3.5, 5.9),
               ("Sticky notes 12-pack", 7.9, 12.9), ("Printer toner", 39.0, 89.0), ("Desk organiser", 12.0, 24.0)),
    "books": (("Paperback novel", 9.9, 18.9), ("Notebook A5", 7.5, 14.0), ("Atlas (hardcover)", 24.0, 39.0),
              ("Cookbook", 19.0, 34.0), ("Greeting card", 3.5, 5.5)),
    "garden": (("Potting compost 40L", 7.9, 12.9), ("Tomato plants (3)", 6.0, 9.0), ("Terracotta pot 30cm", 9.5, 19.0),
               ("Secateurs", 14.9, 29.9), ("Bird seed 2kg", 6.5, 11.5)),
    "restaurant": (("Lunch special", 11.5, 16.5), ("Soup of the day", 6.5, 8.9), ("Sparkling water", 2.5, 3.9),
                   ("Pad see ew", 12.5, 16.9), ("House salad", 8.5, 12.5), ("Tiramisu", 6.5, 8.5)),
    "print": (("Colour prints A4 (x40)", 12.0, 24.0), ("Poster A2", 14.0, 28.0), ("Binding (3 docs)", 9.0, 15.0),
              ("Business cards (250)", 29.0, 49.0), ("Lamination A4 (x10)", 8.0, 14.0)),
    "electronics": (("USB-C cable 2m", 9.9, 19.9), ("Wireless mouse", 19.9, 39.9), ("HDMI adapter", 14.9, 29.9),
                    ("Power bank 10000mAh", 24.9, 44.9), ("AA batteries 8-pack", 6.9, 11.9)),
    "bakery": (("Rye loaf", 4.2, 6.5), ("Cinnamon bun", 3.2, 4.5), ("Birthday cake (8in)", 28.0, 42.0),
               ("Baguette", 2.4, 3.5), ("Box of macarons", 12.0, 18.0)),
    "outdoor": (("Hiking socks", 12.0, 19.0), ("Rain jacket", 79.0, 149.0), ("Head torch", 24.0, 45.0),
                ("Water bottle 1L", 14.0, 26.0), ("Camping mug", 9.0, 15.0)),
    "fuel": (("Unleaded fuel", 38.0, 72.0), ("Screen wash 5L", 5.5, 8.9), ("Car wash basic", 8.0, 12.0),
             ("Coffee to go", 2.2, 3.5)),
    "florist": (("Seasonal bouquet", 28.0, 55.0), ("Potted orchid", 22.0, 38.0), ("Delivery", 6.0, 12.0),
                ("Gift card", 3.0, 4.5)),
    "supplier": (("Service call-out", 65.0, 140.0), ("Parts and materials", 40.0, 180.0), ("Monthly service fee", 45.0,
                 120.0), ("Consumables", 18.0, 60.0)),
}  # fmt: skip
BIG_ITEMS = {
    "electronics": ("27in monitor (x2)", "Laptop, 14in", "Conference speakerphone kit"),
    "outdoor": ("Expedition tent, 4-person", "Touring bike"),
    "supplier": ("Annual service contract", "Equipment order", "Bulk materials order"),
}
BANKS = ("Northgate Bank", "Unity Credit Union", "Harbour Savings", "Meridian First", "Copperfield Bank")
CARD_TYPES = ("VISA", "MASTERCARD", "DEBIT MC")
TAX_RATES = (0.0, 0.05, 0.07, 0.0825, 0.1)


class ReceiptReconcile(TaskFamily):
    """Reconcile a folder of receipts against a month's card statement and list what does not match.

    **Request**: the user has a month's card statement (CSV) and a
    ``receipts/`` folder of text and HTML receipts; they want
    ``reconciliation/<yyyy-mm>_unmatched.csv`` (columns ``source, date,
    merchant, amount``: statement purchases without a receipt first, then
    receipts that are not on the statement, each group by date then amount)
    and ``reconciliation/<yyyy-mm>_summary.json`` with the matched count and
    the count and total of each unmatched group. The matching rule (same
    amount, posted on the receipt date or up to three days later, one
    receipt per line) is stated in the request.

    **Workspace**: ``statements/<bank>_<yyyy-mm>.csv`` (posted date,
    description in bank capitals, signed amount, running balance, with a
    card-payment credit to ignore), 8-20 receipts in mixed layouts (till
    slips, order-confirmation HTML) with line items, tax and totals, an
    older statement, and unrelated files.

    **Checks**: the CSV's header, its exact rows in order, its amounts and
    dates as sets, the source column order; every summary figure; the
    statement and receipts unchanged.

    **Hard**: more receipts; a duplicated charge (only the first copy
    matches the one receipt); amounts with currency symbols and thousands
    separators; a purchase refunded on the statement (charge, refund and
    receipt all to be left out, not counted as matched); receipts from the
    previous month lying in the same folder, to be ignored.
    """

    name = "receipt_reconcile"
    scenario = Scenario.OFFICE_DAILY
    operations = (Operation.DATA_ANALYSIS, Operation.SYSTEM_ENVIRONMENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        year = rng.choice((2025, 2026))
        month = rng.randint(1, 12)
        days_in_month = calendar.monthrange(year, month)[1]
        start = dt.date(year, month, 1)
        end = dt.date(year, month, days_in_month)
        tag = f"{year}-{month:02d}"
        month_name = f"{MONTHS[month - 1]} {year}"
        city = b.pools.city(rng).split(",")[0]
        city_code = city.upper().replace(" ", "")[:10]
        bank = rng.choice(BANKS)
        card_type = rng.choice(CARD_TYPES)
        last4 = f"{rng.randint(1000, 9999)}"

        suppliers = [(vendor.replace(" & ", " and "), "supplier") for vendor in rng.sample(domain.vendors, 3)]
        shops = list(STORES) + suppliers
        big_shops = [shop for shop in shops if shop[1] in BIG_ITEMS]
        used_totals: set[int] = set()

        def purchase(day: dt.date, big: bool = False) -> dict:
            while True:
                store, kind = rng.choice(big_shops if big else shops)
                lines = []
                for name, low, high in rng.sample(ITEMS[kind], min(len(ITEMS[kind]), rng.randint(1, 3))):
                    qty = rng.choice((1, 1, 1, 2)) if high < 20 else 1
                    lines.append((name, qty, rng.money(low, high)))
                if big:
                    lines.append((rng.choice(BIG_ITEMS[kind]), 1, rng.money(950, 2400)))
                subtotal = round(sum(qty * price for _, qty, price in lines), 2)
                rate = rng.choice(TAX_RATES)
                tax = round(subtotal * rate, 2)
                total = round(subtotal + tax, 2)
                cents = round(total * 100)
                if cents not in used_totals:
                    used_totals.add(cents)
                    break
            return {"store": store, "kind": kind, "day": day, "lines": lines, "subtotal": subtotal, "rate": rate,
                    "tax": tax, "total": total}  # fmt: skip

        last_receipt_day = days_in_month - 4
        n_matched = rng.randint(9, 13) if hard else rng.randint(6, 9)
        n_statement_only = rng.randint(2, 4) if hard else rng.randint(2, 3)
        n_receipt_only = rng.randint(2, 3) if hard else rng.randint(1, 2)

        def some_day() -> dt.date:
            return dt.date(year, month, rng.randint(1, last_receipt_day))

        matched = [purchase(some_day()) for _ in range(n_matched)]
        if hard:
            matched[rng.below(len(matched))] = purchase(some_day(), big=True)
        statement_only = [purchase(some_day()) for _ in range(n_statement_only)]
        receipt_only = [purchase(some_day()) for _ in range(n_receipt_only)]
        for item in matched + statement_only:
            item["posted"] = date_add(item["day"], rng.choice((0, 1, 1, 2, 3)))
        refunded = duplicate = None
        stale: list[dict] = []
        if hard:
            refunded = purchase(some_day())
            refunded["posted"] = date_add(refunded["day"], 1)
            refunded["refund_posted"] = min(end, date_add(refunded["posted"], rng.randint(2, 6)))
            duplicate = rng.choice(matched)
            duplicate["dup_posted"] = date_add(duplicate["posted"], rng.choice((0, 1)))
            prev_end = date_add(start, -1)
            for _ in range(2):
                item = purchase(dt.date(prev_end.year, prev_end.month, rng.randint(1, prev_end.day - 5)))
                stale.append(item)

        prefix = rng.choice(("POS ", "CARD PURCHASE ", "", "DEBIT ", "PURCHASE "))

        def description(item: dict) -> str:
            name = item["store"].upper().replace("&", "AND")[:22].strip()
            return f"{prefix}{name} {city_code}"

        for item in matched + statement_only + ([refunded] if refunded else []):
            item["desc"] = description(item)

        # The statement: purchases (negative), one card payment and, in hard mode, a refund; running balance.
        entries: list[tuple[dt.date, int, str, float]] = []
        for index, item in enumerate(matched + statement_only + ([refunded] if refunded else [])):
            entries.append((item["posted"], index, item["desc"], -item["total"]))
        if duplicate is not None:
            entries.append((duplicate["dup_posted"], 500, duplicate["desc"], -duplicate["total"]))
        if refunded is not None:
            entries.append((refunded["refund_posted"], 600, "REFUND " + refunded["desc"], refunded["total"]))
        payment_day = dt.date(year, month, rng.randint(8, 20))
        payment = rng.money(400, 1500)
        entries.append((payment_day, 700, "PAYMENT - THANK YOU", payment))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        balance = rng.money(300, 2500)
        header = ["Posted Date", "Description", "Amount", "Balance"]
        if hard:
            header = ["Posted Date", " Description", " Amount ", "Balance"]
        statement_rows: list[list[str]] = [header]
        for day, _, desc, amount in entries:
            balance = round(balance - amount, 2)  # a card statement: purchases raise what is owed
            shown = f"{amount:,.2f}" if hard else money(amount)
            statement_rows.append([iso(day), desc, shown, f"{balance:,.2f}" if hard else money(balance)])
        statement_path = f"statements/{slug(bank)}_{tag}.csv"
        statement = csv_text(statement_rows)
        b.file(statement_path, statement)
        prev = date_add(start, -1)
        old_rows = [["Posted Date", "Description", "Amount", "Balance"]]
        old_balance = rng.money(200, 900)
        for k in range(rng.randint(4, 7)):
            item = STORES[rng.below(len(STORES))]
            amount = rng.money(4, 90)
            old_balance = round(old_balance + amount, 2)
            old_rows.append([iso(dt.date(prev.year, prev.month, 3 + 3 * k)), f"POS {item[0].upper()[:22]} {city_code}",
                             money(-amount), money(old_balance)])  # fmt: skip
        old_statement_path = f"statements/{slug(bank)}_{prev.year}-{prev.month:02d}.csv"
        old_statement = csv_text(old_rows)
        b.file(old_statement_path, old_statement)

        # Receipts, in two layouts and several date styles.
        receipts: dict[str, str] = {}
        all_receipts = matched + receipt_only + ([refunded] if refunded else []) + stale
        order = rng.shuffled(list(range(len(all_receipts))))
        for number, index in enumerate(order):
            item = all_receipts[index]
            html = rng.chance(0.25) or item["kind"] == "supplier"
            path = self._receipt_path(rng, item, number, html)
            while path in receipts:
                path = path.replace(".", f"_{number}.", 1)
            item["path"] = path
            receipts[path] = (self._html_receipt if html else self._text_receipt)(
                rng, item, b, city, card_type, last4, hard
            )
        for path in sorted(receipts):
            b.file(path, receipts[path])
        readme = (
            f"Receipts for the {card_type} card ending {last4}.\n"
            "Scans and e-mailed receipts get dumped here; rename when you have time (ha).\n"
        )
        b.file("receipts/README.txt", readme)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["receipts/", "statements/", "reconciliation/"],
            exclude_kinds=("receipt", "invoice_html"),
        )

        # Ground truth.
        def by_date_amount(item: dict, key: str) -> tuple:
            return (item[key], item["total"])

        flagged_statement = [(item["posted"], item["desc"], item["total"]) for item in statement_only]
        if duplicate is not None:
            flagged_statement.append((duplicate["dup_posted"], duplicate["desc"], duplicate["total"]))
        flagged_statement.sort(key=lambda row: (row[0], row[2]))
        flagged_receipts = sorted(receipt_only, key=lambda item: by_date_amount(item, "day"))
        rows = [["statement", iso(day), desc, money(total)] for day, desc, total in flagged_statement]
        rows += [["receipt", iso(item["day"]), item["store"], money(item["total"])] for item in flagged_receipts]
        summary = {
            "matched_count": len(matched),
            "statement_only_count": len(flagged_statement),
            "statement_only_total": round(sum(row[2] for row in flagged_statement), 2),
            "receipt_only_count": len(flagged_receipts),
            "receipt_only_total": round(sum(item["total"] for item in flagged_receipts), 2),
        }
        out_csv = f"reconciliation/{tag}_unmatched.csv"
        out_json = f"reconciliation/{tag}_summary.json"
        columns = ["source", "date", "merchant", "amount"]

        # Request.
        rule = (
            "A receipt matches a purchase on the statement when the amounts are identical to the cent and the "
            "purchase posted on the receipt's date or up to 3 days after it; each receipt can match only one line."
        )
        body = b.pick(
            [
                f"I'm trying to close out {month_name} for the card ending {last4}. The statement is in "
                f"{statement_path} and the receipts I kept are in receipts/ (some are till slips, some are e-mailed "
                f"HTML). {rule} Can you write {out_csv} with columns {', '.join(columns)}: first every purchase on "
                "the statement that has no receipt (source `statement`, the posted date, the description exactly as "
                "the statement shows it), then every receipt that isn't on the statement (source `receipt`, the "
                "receipt's date, the shop name as printed at the top of the receipt); each group sorted by date, "
                "then amount. Also put the numbers in "
                f"{out_json} with keys matched_count, statement_only_count, statement_only_total, receipt_only_count "
                "and receipt_only_total.",
                f"Receipt reconciliation for {month_name}, please. Inputs: {statement_path} (card statement) and "
                "the receipts/ folder. Matching rule: "
                f"{rule[0].lower()}{rule[1:]}\n\n"
                f"1. {out_csv}, columns {', '.join(columns)}. Statement purchases with no receipt come first "
                "(source = statement, date = posted date, merchant = the statement description verbatim), then "
                "receipts with no statement line (source = receipt, date = receipt date, merchant = shop name from "
                "the top of the receipt). Within each group: by date, then amount.\n"
                f"2. {out_json}: matched_count, statement_only_count, statement_only_total, receipt_only_count, "
                "receipt_only_total.",
                f"can you check my receipts/ folder against the {month_name} statement ({statement_path})? I want to "
                f"know what's missing in either direction. {rule} Put the leftovers in {out_csv} "
                f"({','.join(columns)}; statement-side ones first with the statement's description and posted date, "
                "then receipt-side ones with the shop name as it's printed on the receipt and the receipt date; "
                f"sorted by date then amount inside each group) and a little summary in {out_json}: matched_count, "
                "statement_only_count, statement_only_total, receipt_only_count, receipt_only_total.",
            ]
        )
        notes = [
            "Only purchases need receipts: ignore credits such as my card payment.",
            "Dates as YYYY-MM-DD; amounts as positive plain numbers with two decimals (totals too).",
        ]
        if hard:
            notes += [
                "One charge seems to have gone through twice; if two identical lines could match the same receipt, "
                "the earlier one is the match and the other one has no receipt.",
                "I returned one purchase and it was refunded to the card: leave the charge, the refund and its "
                "receipt out of everything (not listed, not counted as matched).",
                "A couple of receipts in the folder are from the previous month; only receipts dated in "
                f"{month_name} count.",
                "Receipt totals are written in different styles (currency symbols, thousands separators).",
            ]
        body += "\n\nA few things to watch:\n" + "\n".join(f"- {note}" for note in notes)
        body += "\nPlease leave the statement and the receipts as they are."
        b.instruct(body[:1].upper() + body[1:])
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 4)

        # Checks.
        c = b.checks
        has_csv = c.csv_header("unmatched_csv_header", out_csv, columns, ignore_case=True)
        c.csv_rows("unmatched_rows_exact", out_csv, rows, tolerance=0.005, ignore_case=True, requires=[has_csv])
        c.csv_column("unmatched_amounts", out_csv, "amount", [row[3] for row in rows], ordered=False,
                     tolerance=0.005, requires=[has_csv])  # fmt: skip
        c.csv_column("unmatched_dates", out_csv, "date", [row[1] for row in rows], ordered=False, requires=[has_csv])
        c.csv_column("statement_rows_first", out_csv, "source", [row[0] for row in rows], ignore_case=True,
                     requires=[has_csv])  # fmt: skip
        if refunded is not None:
            amount = re.escape(money(refunded["total"]))
            c.text_regex("refund_left_out", out_csv, rf"(?<![\d.]){amount}(?!\d)", min_count=0, max_count=0,
                         requires=[has_csv])  # fmt: skip
        has_json = c.json_valid("summary_json_written", out_json)
        for key, value in summary.items():
            tolerance = 0.005 if key.endswith("_total") else 0.0
            c.json_equals(f"summary_{key}", out_json, f"/{key}", value, tolerance=tolerance, requires=[has_json])
        inputs = {statement_path: statement, old_statement_path: old_statement, **receipts}
        c.files_unchanged("inputs_unchanged", inputs, requires=[has_csv])

        # Reference solution.
        s = b.solution
        s.exec("ls -l statements receipts")
        s.exec(f"cat {statement_path}")
        s.exec('for f in receipts/*; do echo "=== $f"; cat "$f"; echo; done')
        s.write(out_csv, csv_text([columns, *rows]))
        s.write(out_json, json_text(summary))

        # Near miss: one receipt-side row forgotten (the summary is right).
        short = [columns, *rows[:-1]]
        b.near_miss([*s.steps[:3], {"name": "write", "arguments": {"path": out_csv, "content": csv_text(short)}},
                     s.steps[4]])  # fmt: skip

    @staticmethod
    def _receipt_path(rng, item: dict, number: int, html: bool) -> str:
        day = item["day"]
        style = rng.below(4)
        ext = "html" if html else "txt"
        if html:
            return f"receipts/order-confirmation-{rng.randint(10000, 99999)}.html"
        if style == 0:
            return f"receipts/{iso(day)}_{slug(item['store'])}.{ext}"
        if style == 1:
            return f"receipts/scan_{number + 1:04d}.{ext}"
        if style == 2:
            return f"receipts/{slug(item['store'], separator='-')}-{day.month:02d}{day.day:02d}.{ext}"
        return f"receipts/IMG_{rng.randint(1000, 9999)}_receipt.{ext}"

    @staticmethod
    def _date_text(rng, day: dt.date, hard: bool) -> str:
        styles = [iso(day), f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"]
        if hard:
            styles += [f"{day.day} {MONTHS[day.month - 1]} {day.year}", f"{day.day:02d}-{MONTHS[day.month - 1][:3]}-"
                       f"{day.year}"]  # fmt: skip
        return rng.choice(styles)

    def _amount_text(self, rng, amount: float, hard: bool) -> str:
        if not hard:
            return money(amount)
        return rng.choice((f"${amount:,.2f}", f"{amount:,.2f}", f"USD {amount:,.2f}", f"$ {amount:,.2f}"))

    def _text_receipt(self, rng, item, b, city, card_type, last4, hard) -> str:
        width = 40
        lines = [
            item["store"].upper().center(width).rstrip(),
            f"{b.pools.street_address(rng)}, {city}".center(width).rstrip(),
            f"Tel {b.pools.phone(rng)}".center(width).rstrip(),
            "-" * width,
            f"Date: {self._date_text(rng, item['day'], hard)}   Time: {rng.randint(8, 19):02d}:{rng.below(60):02d}",
            f"Receipt #: {rng.randint(1000, 999999):06d}",
            "-" * width,
        ]
        for name, qty, price in item["lines"]:
            label = f"{name} x{qty}" if qty > 1 else name
            lines.append(f"{label[:28]:<28}{money(qty * price):>12}")
        lines.append("-" * width)
        lines.append(f"{'Subtotal':<28}{money(item['subtotal']):>12}")
        if item["rate"]:
            lines.append(f"{'Tax ' + format(item['rate'] * 100, 'g') + '%':<28}{money(item['tax']):>12}")
        total = self._amount_text(rng, item["total"], hard)
        lines.append(f"{'TOTAL':<24}{total:>16}")
        lines.append(f"{card_type} ****{last4}".ljust(28) + f"{money(item['total']):>12}")
        lines += ["", rng.choice(("Thank you for shopping with us!", "Keep this receipt for returns (30 days).",
                                  "Thanks! See you soon.", "No refund without receipt."))]  # fmt: skip
        return "\n".join(lines) + "\n"

    def _html_receipt(self, rng, item, b, city, card_type, last4, hard) -> str:
        rows = "\n".join(
            f"    <tr><td>{name}</td><td>{qty}</td><td>{money(price)}</td><td>{money(qty * price)}</td></tr>"
            for name, qty, price in item["lines"]
        )
        order = f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.randint(100000, 999999)}"
        tax_row = f'    <tr><td colspan="3">Tax</td><td>{money(item["tax"])}</td></tr>\n' if item["rate"] else ""
        return (
            '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>Your receipt from '
            f"{item['store']}</title></head>\n<body>\n<h1>{item['store']}</h1>\n"
            f"<p>Thanks for your order, {b.persona.name.split()[0]}!</p>\n"
            f"<p>Order {order} &middot; placed {self._date_text(rng, item['day'], hard)}</p>\n"
            "<table>\n    <tr><th>Item</th><th>Qty</th><th>Unit</th><th>Line total</th></tr>\n"
            f'{rows}\n    <tr><td colspan="3">Subtotal</td><td>{money(item["subtotal"])}</td></tr>\n'
            f"{tax_row}"
            f'    <tr><td colspan="3"><b>Total charged</b></td><td><b>{self._amount_text(rng, item["total"], hard)}'
            "</b></td></tr>\n</table>\n"
            f"<p>Paid with {card_type} ending in {last4}.</p>\n"
            f'<p style="font-size:small">Questions? Reply to this e-mail. {item["store"]}, {city}.</p>\n'
            "</body>\n</html>\n"
        )
