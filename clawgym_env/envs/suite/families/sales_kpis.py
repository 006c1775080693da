"""Sales KPIs: turn two months of order exports into a KPI file and a one-paragraph summary."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso, json_text, money_display

__all__ = ["SalesKpis"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
REGIONS = ("North", "South", "East", "West", "Central", "Coastal", "Metro", "Online")


class SalesKpis(TaskFamily):
    """Compute a month's sales KPIs from an orders export and write them up for a manager.

    **Request**: the user has an orders export covering two months and wants
    ``<out>/kpis.json`` for the later month (revenue per region, total,
    previous month's total, month-over-month growth in %, top product by
    revenue, order count, average order value; rounding stated) and a
    one-paragraph ``<out>/kpis.md`` quoting the headline numbers.

    **Workspace**: ``sales/orders_export_<m1>_<m2>.csv`` (order id, date,
    region, product, qty, unit price, discount in currency), a README that
    defines revenue, a stale ``_OLD`` export of earlier months, distractors.

    **Checks**: the JSON parses; region set and each region's revenue; total,
    previous total, growth, top product, order count and AOV; the paragraph
    exists, quotes the total to the cent, the growth to one decimal and the
    top product, and stays under the word limit; the export is unchanged.

    **Hard**: more orders and a ``status``/``refund`` pair of columns:
    cancelled orders to exclude, partial refunds to net out, an export glitch
    that duplicated a few rows verbatim, and padded header names.

    **Rubric**: the paragraph is accurate and useful to a manager.
    """

    name = "sales_kpis"
    scenario = Scenario.ANALYSIS_DECISION
    operations = (Operation.DATA_ANALYSIS,)
    rubric_capable = True
    domains = ("retail", "restaurant", "manufacturing", "software", "hospitality", "finance", "logistics")

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        year = rng.choice((2025, 2026))
        month = rng.randint(3, 12)
        cur_first = dt.date(year, month, 1)
        prev_first = dt.date(year, month - 1, 1)
        cur_tag, prev_tag = f"{year}-{month:02d}", f"{year}-{month - 1:02d}"
        month_name = f"{MONTHS[month - 1]} {year}"
        prev_name = MONTHS[month - 2]

        regions = rng.sample(REGIONS, rng.randint(4, 5) if b.hard else rng.randint(3, 4))
        products = rng.sample(domain.products, rng.randint(6, 8) if b.hard else rng.randint(5, 6))
        prices = {p: rng.randint(800, 32000) for p in products}  # cents
        weights = {p: rng.randint(1, 5) for p in products}

        next_id = rng.randint(10000, 60000)
        orders: list[dict] = []  # one per order: the ground truth

        def make_month(first: dt.date, count: int) -> None:
            nonlocal next_id
            days = (dt.date(first.year + first.month // 12, first.month % 12 + 1, 1) - first).days
            dates = sorted(first + dt.timedelta(days=rng.below(days)) for _ in range(count))
            for index, day in enumerate(dates):
                # every region gets at least one order each month
                region = regions[index] if index < len(regions) else rng.choice(regions)
                product = rng.weighted(products, [weights[p] for p in products])
                qty = rng.randint(1, 12)
                gross = qty * prices[product]
                discount = 0
                if rng.chance(0.3):
                    discount = rng.choice((500, 1000, 2500)) if rng.chance(0.4) else gross * rng.randint(5, 20) // 100
                    discount = min(discount, gross // 4)
                status, refund = "complete", 0
                if b.hard and rng.chance(0.08):
                    status = "cancelled"
                elif b.hard and rng.chance(0.09):
                    refund = max(100, (gross - discount) * rng.randint(10, 100) // 100)
                    status = "partially refunded" if refund < gross - discount else "refunded"
                next_id += rng.randint(1, 4)
                orders.append({"id": f"SO-{next_id}", "date": day, "region": region, "product": product,
                               "qty": qty, "price": prices[product], "discount": discount,
                               "status": status, "refund": refund})  # fmt: skip

        counts = (rng.randint(40, 55), rng.randint(40, 55)) if b.hard else (rng.randint(22, 32), rng.randint(22, 32))
        make_month(prev_first, counts[0])
        make_month(cur_first, counts[1])

        def net(order: dict) -> int:
            if order["status"] == "cancelled":
                return 0
            return order["qty"] * order["price"] - order["discount"] - order["refund"]

        def kpis(orders_in: list[dict], with_discount: bool = True) -> dict:
            def value(order: dict) -> int:
                return net(order) + (0 if with_discount else order["discount"])

            live = [o for o in orders_in if o["status"] != "cancelled"]
            cur = [o for o in live if o["date"] >= cur_first]
            prev = [o for o in live if o["date"] < cur_first]
            by_region = {r: sum(value(o) for o in cur if o["region"] == r) for r in sorted(regions)}
            by_product: dict[str, int] = {}
            for o in cur:
                by_product[o["product"]] = by_product.get(o["product"], 0) + value(o)
            total = sum(by_region.values())
            prev_total = sum(value(o) for o in prev)
            ranked = sorted(by_product.items(), key=lambda item: (-item[1], item[0]))
            return {
                "month": cur_tag,
                "revenue_by_region": {r: c / 100 for r, c in by_region.items()},
                "total_revenue": total / 100,
                "previous_month_revenue": prev_total / 100,
                "mom_growth_pct": round((total - prev_total) * 100 / prev_total, 1),
                "top_product": ranked[0][0],
                "orders": len(cur),
                "average_order_value": round(total / len(cur) / 100, 2),
                "_growth_exact": (total - prev_total) * 100 / prev_total,
                "_ranked": ranked,
            }

        truth = kpis(orders)
        # Keep the top product unambiguous: give the leader one more order if there is a tie.
        ranked = truth["_ranked"]
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            orders.append(dict(orders[-1], id=f"SO-{next_id + 1}", product=ranked[0][0], qty=1, discount=0,
                               price=prices[ranked[0][0]], status="complete", refund=0))  # fmt: skip
            truth = kpis(orders)
        exact_growth = truth.pop("_growth_exact")
        truth.pop("_ranked")

        # The export: rows, optional status/refund columns, duplicated rows in hard mode.
        header = ["order_id", "order_date", "region", "product", "qty", "unit_price", "discount"]
        if b.hard:
            header += ["status", "refund"]
        rows = []
        for o in orders:
            row = [o["id"], iso(o["date"]), o["region"], o["product"], o["qty"], f"{o['price'] / 100:.2f}",
                   f"{o['discount'] / 100:.2f}"]  # fmt: skip
            if b.hard:
                row += [o["status"], f"{o['refund'] / 100:.2f}" if o["refund"] else ""]
            rows.append(row)
        duplicates = 0
        if b.hard:
            for _ in range(rng.randint(2, 3)):
                index = rng.below(len(rows))
                rows.insert(index + 1, list(rows[index]))
                duplicates += 1
            header = [f" {name}" if rng.chance(0.4) else name for name in header]
        export_path = f"sales/orders_export_{prev_tag}_{cur_tag}.csv"
        export = csv_text([header, *rows])
        b.file(export_path, export)

        # A stale export of the two months before (not to be used).
        old_first = dt.date(year, month - 2, 1)
        old_rows = [["order_id", "order_date", "region", "product", "qty", "unit_price", "discount"]]
        old_id = next_id - 4000
        for _ in range(rng.randint(8, 14)):
            old_id += rng.randint(1, 5)
            product = rng.choice(products)
            old_rows.append([f"SO-{old_id}", iso(old_first + dt.timedelta(days=rng.below(28))), rng.choice(regions),
                             product, rng.randint(1, 8), f"{prices[product] / 100:.2f}", "0.00"])  # fmt: skip
        old_path = f"sales/orders_export_{old_first.year}-{old_first.month:02d}_OLD.csv"
        b.file(old_path, csv_text(old_rows))

        readme_lines = [
            f"# Sales exports — {b.persona.org}",
            "",
            "Exported from the order system by "
            + rng.choice(b.persona.team)
            + ". One row per order (each order is a single product line).",
            "",
            "- `qty` × `unit_price` is the gross amount of the order.",
            "- `discount` is an amount in dollars taken off the whole order (not a percentage).",
            "- Revenue of an order = qty × unit_price − discount.",
        ]
        if b.hard:
            readme_lines += [
                "- `status`: complete, partially refunded, refunded or cancelled. Cancelled orders never shipped.",
                "- `refund`: dollars given back to the customer; it comes off that order's revenue.",
                "- Known issue: the exporter sometimes writes the same order twice (identical rows).",
            ]
        readme_lines += ["", "Files named `_OLD` are superseded exports kept for reference.", ""]
        b.file("sales/README.md", "\n".join(readme_lines))

        out = rng.choice(("reports", "kpi", "monthly_review"))
        json_path, md_path = f"{out}/kpis.json", f"{out}/kpis.md"
        word_limit = rng.choice((120, 150, 180))
        audience = rng.choice(("my manager", "the leadership huddle", "our weekly team update", "the owners"))
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["sales/", f"{out}/"])

        keys = ("month, revenue_by_region (region -> revenue), total_revenue, previous_month_revenue, "
                "mom_growth_pct, top_product, orders, average_order_value")  # fmt: skip
        body = b.pick(
            [
                f"The order export in {export_path} covers {prev_name} and {month_name}. Could you work out the "
                f"{month_name} KPIs and save them to {json_path} with the keys {keys}? Revenue per order is qty × "
                "unit price minus the discount (see sales/README.md); mom_growth_pct compares the month's total "
                f"revenue with {prev_name}'s, and average_order_value is total revenue divided by the number of "
                f"orders. Then write a single paragraph for {audience} in {md_path} (at most {word_limit} words) "
                "that quotes the month's total revenue to the cent, the growth percentage and the top product.",
                f"Monthly numbers time. From {export_path}, I need:\n\n"
                f"1. {json_path} for {month_name} with these keys: {keys}. Use revenue = qty × unit_price − "
                "discount, top_product = the product with the most revenue in the month, "
                "average_order_value = total revenue / orders.\n"
                f"2. {md_path}: one paragraph, {word_limit} words max, that {audience} can read in ten seconds; "
                "include the total revenue (to the cent), the month-over-month growth % and the top product.",
                f"can you crunch {month_name} vs {prev_name} from {export_path}? json goes in {json_path} "
                f"(keys: {keys}) and a short one-paragraph write-up for {audience} in {md_path}, no more than "
                f"{word_limit} words, mentioning total revenue to the cent, growth % vs last month and the best "
                "product by revenue. revenue is qty*unit_price minus discount, AOV = revenue / number of orders.",
            ]
        )
        watch = []
        if b.hard:
            watch = [
                "cancelled orders don't count at all (no revenue, not in the order count)",
                "refunds come off the order's revenue; a refunded order still counts as an order",
                "the exporter duplicated a few rows, so count each order id once",
                "some header names have stray spaces",
            ]
            body += "\n\nA few things to watch: " + "; ".join(watch) + "."
        body += (
            "\n\nMoney rounded to cents, mom_growth_pct as a percentage rounded to one decimal (e.g. 4.2 for +4.2%), "
            "everything as plain numbers. Please leave the export itself alone."
        )
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(7 if b.hard else 5)

        # Checks.
        c = b.checks
        ok = c.json_valid("kpis_json_written", json_path)
        c.json_keys("regions_exact", json_path, "/revenue_by_region", sorted(regions), exact=True, requires=[ok])
        for region in sorted(regions):
            c.json_equals(f"revenue_{region.lower()}_correct", json_path, f"/revenue_by_region/{region}",
                          truth["revenue_by_region"][region], tolerance=0.01, requires=[ok])  # fmt: skip
        c.json_equals("total_revenue_correct", json_path, "/total_revenue", truth["total_revenue"], tolerance=0.01,
                      requires=[ok])  # fmt: skip
        c.json_equals("previous_month_revenue_correct", json_path, "/previous_month_revenue",
                      truth["previous_month_revenue"], tolerance=0.01, requires=[ok])  # fmt: skip
        c.json_equals("mom_growth_correct", json_path, "/mom_growth_pct", truth["mom_growth_pct"], tolerance=0.1,
                      requires=[ok])  # fmt: skip
        c.json_equals("top_product_correct", json_path, "/top_product", truth["top_product"], ignore_case=True,
                      requires=[ok])  # fmt: skip
        c.json_equals("order_count_correct", json_path, "/orders", truth["orders"], requires=[ok])
        c.json_equals("average_order_value_correct", json_path, "/average_order_value",
                      truth["average_order_value"], tolerance=0.01, requires=[ok])  # fmt: skip
        md = c.file_exists("summary_paragraph_written", md_path)
        c.text_regex("paragraph_quotes_total", md_path, _amount_pattern(truth["total_revenue"]), requires=[md])
        c.text_regex("paragraph_quotes_growth", md_path, _percent_pattern(exact_growth), requires=[md])
        c.text_contains("paragraph_names_top_product", md_path, [truth["top_product"]], ignore_case=True,
                        requires=[md])  # fmt: skip
        c.word_count("paragraph_within_limit", md_path, max=word_limit, requires=[md])
        c.files_unchanged("export_unchanged", {export_path: export}, requires=[ok])

        # Reference solution.
        paragraph = _paragraph(truth, month_name, prev_name, regions)
        s = b.solution
        s.exec(f"ls -la sales && head -6 {export_path} && wc -l {export_path}")
        s.read("sales/README.md")
        if b.hard:
            s.exec(f"cut -d, -f1 {export_path} | sort | uniq -d")
        s.write(json_path, json_text(truth))
        s.write(md_path, paragraph + "\n")

        # Near miss: the discounts were forgotten (revenue = qty × unit price).
        wrong = kpis(orders, with_discount=False)
        wrong.pop("_growth_exact")
        wrong.pop("_ranked")
        miss = [*s.steps[:-2]]
        miss.append({"name": "write", "arguments": {"path": json_path, "content": json_text(wrong)}})
        miss.append(
            {
                "name": "write",
                "arguments": {"path": md_path, "content": _paragraph(wrong, month_name, prev_name, regions) + "\n"},
            }
        )
        b.near_miss(miss)

        if b.hybrid:
            b.rubric(
                "paragraph_accurate_and_useful",
                "The paragraph in the Markdown file gives a manager an accurate, useful picture of the month: "
                "the headline revenue and growth, what drove it (top product, strongest or weakest region), with "
                "no numbers that contradict the JSON and no filler.",
                {
                    "0": "Missing, wrong or misleading.",
                    "0.25": "Some correct numbers but mostly unhelpful or partly contradicts the data.",
                    "0.5": "Accurate but a bare list of numbers with no takeaway.",
                    "0.75": "Accurate with a clear takeaway, minor verbosity or a missed obvious point.",
                    "1.0": "Accurate, concise and immediately useful: headline, driver and context.",
                },
                weight=2.0,
            )


def _paragraph(truth: dict, month_name: str, prev_name: str, regions: list[str]) -> str:
    by_region = truth["revenue_by_region"]
    best = max(sorted(by_region), key=lambda r: by_region[r])
    worst = min(sorted(by_region), key=lambda r: by_region[r])
    growth = truth["mom_growth_pct"]
    top = truth["top_product"]
    direction = "up" if growth >= 0 else "down"
    return (
        f"{month_name} revenue came in at {money_display(truth['total_revenue'])} across {truth['orders']} orders, "
        f"{direction} {abs(growth):.1f}% on {prev_name} ({money_display(truth['previous_month_revenue'])}). "
        f"{top[:1].upper()}{top[1:]} was the top product by revenue, and {best} was the strongest region "
        f"({money_display(by_region[best])}) while {worst} trailed ({money_display(by_region[worst])}). "
        f"The average order value was {money_display(truth['average_order_value'])}."
    )


def _amount_pattern(amount: float) -> str:
    """A regex for ``amount`` to the cent, with or without ``$`` and thousands separators."""
    options = sorted({re.escape(f"{amount:.2f}"), re.escape(f"{amount:,.2f}")})
    return r"(?<![\d.,])\$?\s?(?:" + "|".join(options) + r")(?!\d)"


def _percent_pattern(exact: float) -> str:
    """A regex for the absolute growth to one decimal followed by ``%`` (both roundings near a half)."""
    value = abs(exact)
    options = {f"{value:.1f}"}
    tenths = value * 10
    if abs(tenths - int(tenths) - 0.5) < 0.02:
        options |= {f"{int(tenths) / 10:.1f}", f"{(int(tenths) + 1) / 10:.1f}"}
    return r"(?<![\d.])(?:" + "|".join(re.escape(o) for o in sorted(options)) + r")\s?%"
