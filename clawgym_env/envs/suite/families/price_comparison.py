"""Price comparison: pick the cheapest in-stock offer per shopping-list item from saved shop pages."""

from __future__ import annotations

import html
import json
import math
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, money, slug

__all__ = ["PriceComparison"]

# name, unit price range, quantity range, sold in packs (hard)
ITEMS = (
    ("A4 copy paper 500 sheets", 4.0, 9.0, (2, 10), True),
    ("HDMI cable 2m", 6.0, 15.0, (1, 4), False),
    ("AA batteries", 0.6, 1.6, (8, 24), True),
    ("Dry-erase markers", 0.9, 2.2, (6, 12), True),
    ("Nitrile gloves box of 100", 8.0, 15.0, (2, 6), False),
    ("LED desk lamp", 19.0, 45.0, (1, 2), False),
    ("USB-C charger 65W", 24.0, 49.0, (1, 3), False),
    ("Coffee beans 1kg", 14.0, 29.0, (1, 4), False),
    ("Packing tape roll", 1.4, 3.9, (6, 18), True),
    ("Hand sanitiser 500ml", 2.8, 6.5, (4, 10), True),
    ("Extension lead 4-way", 9.0, 21.0, (1, 4), False),
    ("Bin bags roll of 50", 3.0, 7.5, (2, 6), True),
    ("Label tape 12mm", 7.0, 17.0, (2, 5), True),
    ("Wireless mouse", 11.0, 29.0, (1, 3), False),
)
SHOPS = ("Brightcart", "ShelfWise", "Northgate Supply", "Pennywell", "Cartwheel Market", "Orchard Office",
         "Bluebox Direct", "Tillbury Home")  # fmt: skip
OUT_OF_STOCK = ("Out of stock", "Currently unavailable", "Sold out")
BACKORDER = ("Backordered - ships in 3-4 weeks", "Pre-order: expected next month")


def amount_pattern(value: float) -> str:
    """A regex for ``value`` with 2 decimals, also accepting dropped trailing zeros and a ``$``."""
    text = f"{value:.2f}"
    whole, cents = text.split(".")
    options = [text]
    if cents.endswith("0"):
        options.append(f"{whole}.{cents[0]}")
    if cents == "00":
        options.append(whole)
    return r"\$?(?:" + "|".join(re.escape(option) for option in options) + r")"


class PriceComparison(TaskFamily):
    """Choose the cheapest in-stock offer (price plus shipping) for every item on a shopping list.

    **Request**: for each item on ``shopping/list.md`` (with the quantity
    needed) compare the saved product pages of three shops and write
    ``shopping/best_prices.csv`` with ``item,shop,price,shipping,total``
    (price = cost of the quantity needed, total = price + shipping), rows in
    list order, then a ``TOTAL`` row with the basket total; out-of-stock
    offers don't count and each item is ordered separately.

    **Workspace**: ``shopping/list.md``, ``shopping/pages/<shop>/<item>.html``
    (each shop's own markup: a price span, schema.org microdata, or a
    JSON-LD block; stock and shipping text), a note from a colleague,
    unrelated files. On some item the lowest sticker price is out of stock;
    on another the shipping decides.

    **Checks**: the CSV exists with the header; each item's row (shop, price,
    shipping, total); the TOTAL row; the pages unchanged.

    **Hard**: more items; shops that sell multi-packs (buy whole packs to
    cover the quantity); a shop with free shipping from an order value;
    backordered and pre-order offers that count as out of stock.
    """

    name = "price_comparison"
    scenario = Scenario.INFORMATION_RETRIEVAL
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        domain = DOMAINS[persona.domain]
        shops = rng.sample(SHOPS, 3)
        styles = {shop: index for index, shop in enumerate(shops)}  # each shop has its own markup
        free_from = rng.choice((35, 40, 50)) if b.hard else None
        free_shop = shops[2]
        picked = rng.sample(ITEMS, rng.randint(5, 6) if b.hard else rng.randint(3, 4))

        items = []
        for name, low, high, (qmin, qmax), packable in picked:
            quantity = rng.randint(qmin, qmax)
            unit = rng.uniform(low, high)
            offers = {}
            for shop in shops:
                pack = 1
                if b.hard and packable and rng.chance(0.5):
                    pack = rng.choice((2, 4, 6, 10)) if quantity > 2 else 2
                unit_price = round(unit * rng.uniform(0.8, 1.2), 2)
                pack_price = round(unit_price * pack * (0.92 if pack > 1 else 1.0), 2)
                shipping = rng.choice((0.0, 2.99, 3.49, 4.95, 5.99, 6.5))
                offers[shop] = {"pack": pack, "pack_price": max(pack_price, 0.5), "shipping": shipping,
                                "stock": "In stock"}  # fmt: skip
            items.append({"name": name, "quantity": quantity, "offers": offers})

        def line(item: dict, shop: str) -> tuple[float, float, float]:
            offer = item["offers"][shop]
            packs = math.ceil(item["quantity"] / offer["pack"])
            price = round(packs * offer["pack_price"], 2)
            shipping = offer["shipping"]
            if free_from is not None and shop == free_shop and price >= free_from:
                shipping = 0.0
            return price, shipping, round(price + shipping, 2)

        def available(item: dict) -> list[str]:
            return [shop for shop in shops if item["offers"][shop]["stock"] == "In stock"]

        def ranked(item: dict, shops_in: list[str]) -> list[str]:
            return sorted(shops_in, key=lambda shop: (line(item, shop)[2], shop))

        # Traps: the cheapest offer of item 0 is out of stock; item 1's lowest sticker price loses on shipping.
        trap = items[0]
        best = ranked(trap, shops)[0]
        trap["offers"][best]["stock"] = rng.choice(BACKORDER if b.hard else OUT_OF_STOCK)
        if b.hard and len(items) > 3:
            items[3]["offers"][ranked(items[3], shops)[0]]["stock"] = rng.choice(OUT_OF_STOCK)
        ship = items[1]
        cheap = min(shops, key=lambda shop: line(ship, shop)[0])
        ship["offers"][cheap]["shipping"] = 8.99
        for shop in shops:
            if shop != cheap:
                ship["offers"][shop]["shipping"] = rng.choice((0.0, 1.99))
        cheap_price = line(ship, cheap)[0]
        for shop in shops:
            if shop != cheap and line(ship, shop)[0] <= cheap_price:
                ship["offers"][shop]["pack_price"] = round(ship["offers"][shop]["pack_price"] + 0.6, 2)
        # Clear winners everywhere: at least 40 cents between the best and the runner-up.
        for item in items:
            for _ in range(20):
                order = ranked(item, available(item))
                if len(order) < 2 or line(item, order[1])[2] - line(item, order[0])[2] >= 0.4:
                    break
                item["offers"][order[1]]["pack_price"] = round(item["offers"][order[1]]["pack_price"] + 0.45, 2)

        rows = []
        for item in items:
            shop = ranked(item, available(item))[0]
            price, shipping, total = line(item, shop)
            rows.append([item["name"], shop, price, shipping, total])
        basket = round(sum(row[4] for row in rows), 2)
        # The near miss: stock ignored.
        careless = []
        for item in items:
            shop = ranked(item, shops)[0]
            careless.append([item["name"], shop, *line(item, shop)])

        # -- files ----------------------------------------------------------------------------------------
        project = rng.choice(domain.projects)
        list_path = "shopping/list.md"
        list_text = (
            f"# Order list ({project})\n\n"
            + "".join(f"- [ ] {item['name']} — need {item['quantity']}\n" for item in items)
            + "\nBudget is tight, so cheapest wins. Receipts to "
            + f"{rng.choice(persona.team)}.\n"
        )
        b.file(list_path, list_text)
        page_files = {}
        for item in items:
            for shop in shops:
                path = f"shopping/pages/{slug(shop, separator='-')}/{slug(item['name'], separator='-')}.html"
                offer = item["offers"][shop]
                page_files[path] = render(shop, styles[shop], item["name"], offer,
                                          free_from if shop == free_shop else None)  # fmt: skip
                b.file(path, page_files[path])
        b.file(
            "shopping/NOTE_from_" + slug(persona.team[0].split()[0]) + ".txt",
            f"Saved the product pages from {', '.join(shops)} for everything on the list (File > Save page). "
            "Prices were as of this morning. Each item will go as its own order because they ship from "
            "different warehouses.\n",
        )
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["shopping/"])

        # -- request --------------------------------------------------------------------------------------------
        csv_path = "shopping/best_prices.csv"
        spec = (
            "columns item,shop,price,shipping,total — price is what the quantity we need costs at that shop, total "
            "is price plus shipping, amounts as plain numbers with 2 decimals, one row per item in the same order "
            "as the list, and a last row `TOTAL,,,,<sum of the totals>`"
        )
        rules = (
            "Pick the offer with the lowest total for each item. Out-of-stock offers don't count. Every item is a "
            "separate order, so shipping applies per item"
        )
        body = b.pick(
            [
                f"We need to order the things on {list_path}, and {persona.team[0].split()[0]} saved the product "
                f"pages from three shops in shopping/pages/. Can you work out where to buy each item? {rules}. "
                f"Write the result to {csv_path} with {spec}.",
                f"Price check for {list_path}, please.\n1. Compare the saved pages in shopping/pages/ for every item "
                f"and quantity on the list.\n2. {rules}.\n3. Save {csv_path}: {spec}.",
                f"which shop should we buy each thing on {list_path} from? pages are saved under shopping/pages/. "
                f"{rules[:1].lower() + rules[1:]}. put it in {csv_path} — {spec}.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: some shops only sell packs, so buy enough whole packs to cover the "
                f"quantity (price = packs x pack price); {free_shop} has free shipping on orders from "
                f"${free_from} (that's per item order here); and backordered or pre-order offers count as out of "
                "stock."
            )
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(8 if b.hard else 6)

        # -- checks ------------------------------------------------------------------------------------------------
        c = b.checks
        has = c.file_exists("best_prices_written", csv_path)
        c.csv_header("header_correct", csv_path, ["item", "shop", "price", "shipping", "total"], ignore_case=True,
                     requires=[has])  # fmt: skip
        for index, (name, shop, price, shipping, total) in enumerate(rows, start=1):
            pattern = (
                rf"^\s*\"?{re.escape(name)}\"?\s*,\s*\"?{re.escape(shop)}\"?\s*,\s*{amount_pattern(price)}\s*,"
                rf"\s*{amount_pattern(shipping)}\s*,\s*{amount_pattern(total)}\s*$"
            )
            c.text_regex(f"item_{index}_row", csv_path, pattern, flags="im", requires=[has])
        c.text_regex("basket_total_row", csv_path, rf"^\s*TOTAL\s*,\s*,\s*,\s*,\s*{amount_pattern(basket)}\s*$",
                     flags="im", requires=[has])  # fmt: skip
        c.csv_rows("rows_in_list_order", csv_path, [*rows, ["TOTAL", "", "", "", basket]], tolerance=0.005,
                   ignore_case=True, requires=[has])  # fmt: skip
        c.files_unchanged("pages_unchanged", {list_path: list_text, **page_files}, requires=[has])

        # -- reference solution -------------------------------------------------------------------------------------
        def table(lines: list[list]) -> str:
            body_rows = [[n, s_, money(p), money(sh), money(t)] for n, s_, p, sh, t in lines]
            total_all = round(sum(line_[4] for line_ in lines), 2)
            return csv_text(
                [["item", "shop", "price", "shipping", "total"], *body_rows, ["TOTAL", "", "", "", money(total_all)]]
            )

        s = b.solution
        s.exec(f"cat {list_path} && ls -R shopping/pages")
        s.read(next(iter(page_files)))
        s.exec(
            "grep -r -h -o -i -E 'price[^<>]{0,40}[0-9]+\\.[0-9]{2}|in stock|out of stock|unavailable|sold out|"
            "backordered|pre-order|shipping[^<]{0,60}|delivery[^<]{0,60}|pack of [0-9]+' shopping/pages | head -150"
        )
        s.write(csv_path, table(rows))
        b.near_miss([*s.steps[:-1], {"name": "write", "arguments": {"path": csv_path, "content": table(careless)}}])


def render(shop: str, style: int, item: str, offer: dict, free_from: int | None) -> str:
    name = item if offer["pack"] == 1 else f"{item} (pack of {offer['pack']})"
    price = f"{offer['pack_price']:.2f}"
    stock = offer["stock"]
    if offer["shipping"] == 0:
        shipping_text = "Free standard shipping"
    else:
        shipping_text = f"Standard shipping: ${offer['shipping']:.2f}"
    if free_from is not None:
        shipping_text += f" (free on orders of ${free_from} or more)"
    title = f"<title>{html.escape(name)} | {html.escape(shop)}</title>"
    if style == 0:
        main = (
            f'<h1 class="product-title">{html.escape(name)}</h1>\n'
            f'<div class="price-box"><span class="price">${price}</span> <span class="unit">per '
            f"{'pack' if offer['pack'] > 1 else 'item'}</span></div>\n"
            f'<div class="stock">{html.escape(stock)}</div>\n<p class="shipping">{html.escape(shipping_text)}</p>'
        )
    elif style == 1:
        availability = "InStock" if stock == "In stock" else "OutOfStock"
        main = (
            f'<div itemscope itemtype="https://schema.org/Product">\n  <h1 itemprop="name">{html.escape(name)}</h1>\n'
            f'  <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">\n'
            f'    <meta itemprop="priceCurrency" content="USD"><span itemprop="price" content="{price}">${price}'
            f'</span>\n    <link itemprop="availability" href="https://schema.org/{availability}">'
            f"<span>{html.escape(stock)}</span>\n  </div>\n</div>\n"
            f'<ul class="delivery"><li>{html.escape(shipping_text)}</li><li>Returns within 30 days</li></ul>'
        )
    else:
        data = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": name,
            "offers": {"@type": "Offer", "price": price, "priceCurrency": "USD", "availability": stock},
        }
        main = (
            f'<script type="application/ld+json">{json.dumps(data)}</script>\n'
            f'<h1>{html.escape(name)}</h1>\n<p class="now">Now ${price}</p>\n'
            f'<p class="availability">{html.escape(stock)}</p>\n<p>{html.escape(shipping_text)}</p>'
        )
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n{title}\n</head>\n<body>\n'
        f'<header><a href="/">{html.escape(shop)}</a> <input placeholder="Search"> <a href="/basket">Basket (0)'
        f"</a></header>\n<main>\n{main}\n</main>\n<footer>&copy; {html.escape(shop)}</footer>\n</body>\n</html>\n"
    )
