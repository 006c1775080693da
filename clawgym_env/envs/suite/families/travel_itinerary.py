"""Travel itinerary: turn a folder of booking confirmation emails into a day-by-day itinerary."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import iso, json_text, slug

__all__ = ["TravelItinerary"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# (city, airport code, airport name, main station, UTC offset in winter)
PAIRS = (
    (("Paris", "CDG", "Paris Charles de Gaulle", "Paris Gare de Lyon", 1),
     ("Lyon", "LYS", "Lyon Saint-Exupéry", "Lyon Part-Dieu", 1)),
    (("Amsterdam", "AMS", "Amsterdam Schiphol", "Amsterdam Centraal", 1),
     ("Brussels", "BRU", "Brussels Airport", "Bruxelles-Midi", 1)),
    (("Berlin", "BER", "Berlin Brandenburg", "Berlin Hbf", 1),
     ("Munich", "MUC", "Munich Airport", "München Hbf", 1)),
    (("Milan", "LIN", "Milan Linate", "Milano Centrale", 1),
     ("Rome", "FCO", "Rome Fiumicino", "Roma Termini", 1)),
    (("Madrid", "MAD", "Madrid-Barajas", "Madrid Atocha", 1),
     ("Barcelona", "BCN", "Barcelona El Prat", "Barcelona Sants", 1)),
    (("Vienna", "VIE", "Vienna International", "Wien Hbf", 1),
     ("Budapest", "BUD", "Budapest Ferenc Liszt", "Budapest-Keleti", 1)),
    (("Zurich", "ZRH", "Zurich Airport", "Zürich HB", 1),
     ("Geneva", "GVA", "Geneva Airport", "Genève-Cornavin", 1)),
    (("New York", "JFK", "New York JFK", "New York Penn Station", -5),
     ("Washington", "DCA", "Washington Reagan National", "Washington Union Station", -5)),
    (("Seattle", "SEA", "Seattle-Tacoma International", "Seattle King Street Station", -8),
     ("Portland", "PDX", "Portland International", "Portland Union Station", -8)),
    (("Toronto", "YYZ", "Toronto Pearson", "Toronto Union Station", -5),
     ("Montreal", "YUL", "Montréal-Trudeau", "Montréal Gare Centrale", -5)),
    (("Tokyo", "HND", "Tokyo Haneda", "Tokyo Station", 9),
     ("Osaka", "KIX", "Kansai International", "Shin-Osaka", 9)),
)  # fmt: skip
HOMES = (
    ("London", "LHR", "London Heathrow", 0),
    ("Dublin", "DUB", "Dublin Airport", 0),
    ("Lisbon", "LIS", "Lisbon Humberto Delgado", 0),
    ("Chicago", "ORD", "Chicago O'Hare", -6),
    ("Denver", "DEN", "Denver International", -7),
    ("Singapore", "SIN", "Singapore Changi", 8),
    ("Athens", "ATH", "Athens International", 2),
    ("Helsinki", "HEL", "Helsinki-Vantaa", 2),
)
AIRLINES = (("Skyhaven Airways", "SH"), ("Northwind Air", "NW"), ("Bluecrest Airlines", "BC"), ("Aerolume", "AL"),
            ("Meridian Air", "MR"))  # fmt: skip
RAIL = ("RailConnect", "Coastline Rail", "Corridor Express", "Intercity Direct")
HOTELS = ("Hotel Lumen", "The Harbour Rooms", "Maison Verte", "Granite House Hotel", "Hotel Cassia", "The Linden Inn",
          "Station Lodge", "Hotel Aurelia", "The Copper Key", "Parkside Suites")  # fmt: skip
CARS = ("Roadway Rentals", "Kestrel Car Hire", "Milestone Cars", "GreenLane Rent-a-Car")
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _utc(day: dt.date, minutes: int, offset: int) -> dt.datetime:
    """Local ``day`` + ``minutes`` past midnight at UTC ``offset`` hours, as naive UTC."""
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minutes - offset * 60)


def _local(moment: dt.datetime, offset: int) -> dt.datetime:
    return moment + dt.timedelta(hours=offset)


def _offset_text(offset: int) -> str:
    return f"UTC{'+' if offset >= 0 else '-'}{abs(offset):02d}:00"


class TravelItinerary(TaskFamily):
    """Build a day-by-day itinerary (Markdown and JSON) from exported booking confirmation emails.

    **Request**: the user exported the confirmation emails for an upcoming
    trip (flights, hotels, a train, a rental car) into a folder and wants
    ``<trip>/itinerary.md`` with one ``## YYYY-MM-DD`` section per day that
    has something on it (in date order, one bullet per leg, check-in or
    check-out, each with its booking reference) and ``<trip>/itinerary.json``:
    the transport legs in chronological order, each with exactly the keys
    ``type, ref, from, to, depart, arrive`` in a stated format.

    **Workspace**: 5-7 emails as ``.txt`` and ``.html`` exports (headers,
    marketing filler, the booking details in different layouts), a packing
    list, unrelated files.

    **Checks**: the JSON's length, each leg's reference in position and its
    full record; the Markdown's day headings (count and order) and each
    day's references.

    **Hard**: times carry explicit UTC offsets and the JSON must give them
    in UTC; a later email cancels one booking and a replacement booking
    arrives, and the cancelled reference must appear nowhere.
    """

    name = "travel_itinerary"
    scenario = Scenario.OFFICE_DAILY
    operations = (Operation.FILE_CONTENT, Operation.DATA_ANALYSIS)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        pair = rng.choice(PAIRS)
        first, second = (pair[0], pair[1]) if rng.chance(0.5) else (pair[1], pair[0])
        home = rng.choice([h for h in HOMES if h[0] not in (first[0], second[0])])
        year = rng.choice((2025, 2026))
        month = rng.choice((1, 2, 3, 11, 12))
        start = dt.date(year, month, rng.randint(1, 20))
        nights_a = rng.randint(2, 3)
        nights_b = rng.randint(2, 3)
        day_train = start + dt.timedelta(days=nights_a)
        day_end = day_train + dt.timedelta(days=nights_b)
        with_car = rng.chance(0.7) or hard
        reason = rng.choice((f"the {rng.choice(domain.projects)} workshop", "a partner visit", "a conference",
                             "a family visit", "a site visit"))  # fmt: skip
        used_refs: set[str] = set()

        def ref(kind: str) -> str:
            while True:
                if kind == "flight":
                    code = "".join(rng.choice(LETTERS + "23456789") for _ in range(6))
                elif kind == "train":
                    code = f"TR{rng.randint(100000, 999999)}"
                elif kind == "hotel":
                    code = f"{rng.randint(10, 99)}{rng.randint(100000, 999999)}"
                else:
                    code = f"RA-{rng.randint(1000, 9999)}{rng.choice(LETTERS)}"
                if code not in used_refs:
                    used_refs.add(code)
                    return code

        def flight(day: dt.date, origin: tuple, dest: tuple, o_off: int, d_off: int, earliest: int) -> dict:
            airline, code = rng.choice(AIRLINES)
            depart = rng.randint(earliest, earliest + 4 * 60) // 5 * 5
            gap = min(abs(o_off - d_off), 24 - abs(o_off - d_off))
            duration = (85 + 75 * gap + rng.randint(0, 50)) // 5 * 5
            dep_utc = _utc(day, depart, o_off)
            arr_utc = dep_utc + dt.timedelta(minutes=duration)
            return {"type": "flight", "ref": ref("flight"), "carrier": airline,
                    "number": f"{code} {rng.randint(100, 1999)}", "from": origin[1], "from_name": origin[2],
                    "to": dest[1], "to_name": dest[2], "dep_utc": dep_utc, "arr_utc": arr_utc, "dep_off": o_off,
                    "arr_off": d_off}  # fmt: skip

        out = flight(start, (home[0], home[1], home[2]), first, home[3], first[4], 7 * 60)
        train_dep = rng.randint(9 * 60, 14 * 60) // 5 * 5
        train_len = rng.randint(95, 290) // 5 * 5

        def train(depart: int) -> dict:
            dep_utc = _utc(day_train, depart, first[4])
            return {"type": "train", "ref": ref("train"), "carrier": rng.choice(RAIL),
                    "number": f"{rng.choice(('IC', 'EX', 'RC'))} {rng.randint(100, 999)}", "from": first[3],
                    "to": second[3], "dep_utc": dep_utc, "arr_utc": dep_utc + dt.timedelta(minutes=train_len),
                    "dep_off": first[4], "arr_off": second[4], "coach": rng.randint(1, 14),
                    "seat": f"{rng.randint(11, 98)}{rng.choice('ABCD')}"}  # fmt: skip

        rail = train(train_dep)
        home_flight = flight(day_end, second, (home[0], home[1], home[2]), second[4], home[3], 13 * 60)
        hotel_names = rng.sample(HOTELS, 3)

        def hotel(name: str, city: str, check_in: dt.date, check_out: dt.date) -> dict:
            street = b.pools.street_address(rng).split(" ", 1)[1]
            return {"type": "hotel", "ref": ref("hotel"), "name": name, "city": city, "in": check_in,
                    "out": check_out, "address": f"{rng.randint(2, 180)} {street}"}  # fmt: skip

        hotel_a = hotel(hotel_names[0], first[0], start, day_train)
        hotel_b = hotel(hotel_names[1], second[0], day_train, day_end)
        car = None
        if with_car:
            pickup_day = day_train + dt.timedelta(days=1)
            pickup = rng.randint(8 * 60, 10 * 60) // 15 * 15
            home_dep_local = _local(home_flight["dep_utc"], second[4])
            drop = (home_dep_local.hour * 60 + home_dep_local.minute) - rng.choice((120, 150, 180))
            car = {"type": "car", "ref": ref("car"), "carrier": rng.choice(CARS),
                   "from": f"{second[3]} desk", "to": f"{second[2]} desk",
                   "dep_utc": _utc(pickup_day, pickup, second[4]), "arr_utc": _utc(day_end, drop, second[4]),
                   "dep_off": second[4], "arr_off": second[4],
                   "model": rng.choice(("VW Golf or similar", "Toyota Corolla or similar", "Skoda Octavia estate",
                                        "Kia Niro hybrid"))}  # fmt: skip

        cancelled = None
        replacement = None
        if hard:
            if rng.chance(0.5):
                cancelled = rail
                later = train_dep + rng.choice((-90, -60, 60, 120))
                replacement = train(later)
                rail = replacement
            else:
                cancelled = hotel_b
                replacement = hotel(hotel_names[2], second[0], day_train, day_end)
                hotel_b = replacement

        # Emails.
        to_addr = b.pools.email(b.persona.name, b.persona.email_domain)
        traveller = b.persona.name
        booked = start - dt.timedelta(days=rng.randint(20, 60))
        emails: list[tuple[dt.date, str, str, str]] = []  # (sent, sender slug, ext, text)

        def when(moment_utc: dt.datetime, offset: int, style: int) -> str:
            local = _local(moment_utc, offset)
            clock = f"{local.hour:02d}:{local.minute:02d}"
            suffix = f" ({_offset_text(offset)})" if hard else ""
            if style == 0:
                short = f"{DAYS[local.weekday()][:3]} {local.day} {MONTHS[local.month - 1][:3]} {local.year}"
                return f"{short}, {clock}{suffix}"
            if style == 1:
                if hard:
                    sign = "+" if offset >= 0 else "-"
                    return f"{local.date().isoformat()}T{clock}{sign}{abs(offset):02d}:00"
                return f"{local.date().isoformat()} {clock}"
            return f"{DAYS[local.weekday()]}, {MONTHS[local.month - 1]} {local.day}, {local.year} at {clock}{suffix}"

        for leg in (out, home_flight):
            style = rng.below(3)
            sent = booked + dt.timedelta(days=rng.randint(0, 3))
            text = (
                f"Booking reference: {leg['ref']}\nPassenger: {traveller.upper()}\n\n"
                f"Flight {leg['number']} operated by {leg['carrier']}\n"
                f"  Depart  {leg['from_name']} ({leg['from']})  {when(leg['dep_utc'], leg['dep_off'], style)}\n"
                f"  Arrive  {leg['to_name']} ({leg['to']})  {when(leg['arr_utc'], leg['arr_off'], style)}\n\n"
                f"Fare: Economy Light, 1 x cabin bag. Seat {rng.randint(8, 34)}{rng.choice('ACDF')}.\n"
                "Online check-in opens 24 hours before departure.\n"
            )
            header = (f"From: {leg['carrier']} <noreply@{slug(leg['carrier'], separator='')}.example>\nTo: {to_addr}\n"
                      f"Date: {iso(sent)}\nSubject: Your e-ticket receipt - {leg['ref']}\n\n")  # fmt: skip
            emails.append((sent, slug(leg["carrier"], separator="-"), "txt", header + text))

        def train_email(leg: dict, sent: dt.date) -> str:
            style = rng.below(3)
            dep = when(leg["dep_utc"], leg["dep_off"], style)
            arr = when(leg["arr_utc"], leg["arr_off"], style)
            rows = (
                f"<tr><td>Departure</td><td>{leg['from']}</td><td>{dep}</td></tr>\n"
                f"<tr><td>Arrival</td><td>{leg['to']}</td><td>{arr}</td></tr>\n"
            )
            return (
                f"From: {leg['carrier']} <tickets@{slug(leg['carrier'], separator='')}.example>\nTo: {to_addr}\n"
                f"Date: {iso(sent)}\nSubject: Your {leg['carrier']} tickets (booking {leg['ref']})\n\n"
                "<html><body>\n"
                f"<h2>Have a great journey, {traveller.split()[0]}!</h2>\n"
                f"<p>Booking code: <strong>{leg['ref']}</strong></p>\n"
                f"<table>\n<tr><th></th><th>Station</th><th>Time</th></tr>\n{rows}</table>\n"
                f"<p>Train {leg['number']}, coach {leg['coach']}, seat {leg['seat']}. Show the QR code on board.</p>\n"
                "<p style='color:#888'>Add a bike, a pet or extra luggage in the app.</p>\n</body></html>\n"
            )

        def hotel_email(stay: dict, sent: dt.date) -> tuple[str, str]:
            ins = f"{DAYS[stay['in'].weekday()]} {stay['in'].day} {MONTHS[stay['in'].month - 1]} {stay['in'].year}"
            outs = f"{DAYS[stay['out'].weekday()]} {stay['out'].day} {MONTHS[stay['out'].month - 1]} {stay['out'].year}"
            nights = (stay["out"] - stay["in"]).days
            text = (
                f"From: {stay['name']} <reservations@{slug(stay['name'], separator='')}.example>\nTo: {to_addr}\n"
                f"Date: {iso(sent)}\nSubject: Reservation confirmed - {stay['name']}, {stay['city']}\n\n"
                f"Dear {traveller},\n\nThank you for choosing {stay['name']}. Your reservation is confirmed.\n\n"
                f"Confirmation number: {stay['ref']}\nAddress: {stay['address']}, {stay['city']}\n"
                f"Check-in:  {ins} (from 15:00)\nCheck-out: {outs} (until 11:00)\n"
                f"Room: Standard double, {nights} night{'s' if nights > 1 else ''}, breakfast included\n\n"
                "Free cancellation until 48 hours before arrival.\nWe look forward to welcoming you!\n"
            )
            return slug(stay["name"], separator="-"), text

        emails.append((booked + dt.timedelta(days=rng.randint(1, 5)), "", "", ""))  # placeholder for train
        train_sent = booked + dt.timedelta(days=rng.randint(1, 5))
        first_train = cancelled if cancelled is not None and cancelled["type"] == "train" else rail
        emails[-1] = (train_sent, slug(first_train["carrier"], separator="-"), "html", train_email(first_train,
                      train_sent))  # fmt: skip
        first_hotel_b = cancelled if cancelled is not None and cancelled["type"] == "hotel" else hotel_b
        for stay in (hotel_a, first_hotel_b):
            sent = booked + dt.timedelta(days=rng.randint(0, 6))
            sender, text = hotel_email(stay, sent)
            emails.append((sent, sender, "txt", text))
        if car is not None:
            sent = booked + dt.timedelta(days=rng.randint(2, 8))
            style = rng.below(3)
            text = (
                f"From: {car['carrier']} <bookings@{slug(car['carrier'], separator='')}.example>\nTo: {to_addr}\n"
                f"Date: {iso(sent)}\nSubject: Your car is reserved ({car['ref']})\n\n"
                "<html><body>\n<h1>You're all set</h1>\n"
                f"<p>Reservation number <b>{car['ref']}</b> &ndash; {car['model']}</p>\n<ul>\n"
                f"<li>Pick-up: {car['from']}, {when(car['dep_utc'], car['dep_off'], style)}</li>\n"
                f"<li>Drop-off: {car['to']}, {when(car['arr_utc'], car['arr_off'], style)}</li>\n</ul>\n"
                "<p>Bring your driving licence and the card used for booking. Fuel policy: full to full.</p>\n"
                "</body></html>\n"
            )
            emails.append((sent, slug(car["carrier"], separator="-"), "html", text))
        if cancelled is not None and replacement is not None:
            sent = booked + dt.timedelta(days=rng.randint(10, 15))
            if cancelled["type"] == "train":
                sender = cancelled["carrier"]
                subject = f"Cancellation of booking {cancelled['ref']}"
                what = f"your train booking {cancelled['ref']}"
            else:
                sender = cancelled["name"]
                subject = f"Cancellation confirmed - {cancelled['ref']}"
                what = f"your reservation {cancelled['ref']} at {cancelled['name']}"
            text = (
                f"From: {sender} <noreply@{slug(sender, separator='')}.example>\nTo: {to_addr}\nDate: {iso(sent)}\n"
                f"Subject: {subject}\n\nHello {traveller.split()[0]},\n\nAs requested, {what} has been cancelled. "
                "A refund, where applicable, will reach your card within 5-10 working days.\n"
            )
            emails.append((sent, slug(sender, separator="-") + "-cancellation", "txt", text))
            sent2 = sent + dt.timedelta(days=rng.randint(0, 2))
            if replacement["type"] == "train":
                emails.append((sent2, slug(replacement["carrier"], separator="-"), "html",
                               train_email(replacement, sent2)))  # fmt: skip
            else:
                sender2, text2 = hotel_email(replacement, sent2)
                emails.append((sent2, sender2, "txt", text2))
        trip = f"travel/{slug(second[0] if rng.chance(0.5) else first[0], separator='-')}-{year}-{month:02d}"
        folder = f"{trip}/confirmations"
        names: list[str] = []
        for sent, sender, ext, text in emails:
            base = f"{iso(sent)}_{sender}"
            name = f"{base}.{ext}"
            k = 2
            while name in names:
                name = f"{base}_{k}.{ext}"
                k += 1
            names.append(name)
            b.file(f"{folder}/{name}", text)
        packing = "Packing\n- adapter plug\n- passport\n- charger\n- umbrella\n- printed agenda for " + reason + "\n"
        b.file(f"{trip}/packing.txt", packing)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["travel/"], exclude_kinds=("itinerary",)
        )

        # Ground truth.
        legs = [out, rail] + ([car] if car else []) + [home_flight]
        legs.sort(key=lambda leg: leg["dep_utc"])

        def stamp(moment: dt.datetime, offset: int) -> str:
            if hard:
                return f"{moment.date().isoformat()}T{moment.hour:02d}:{moment.minute:02d}Z"
            local = _local(moment, offset)
            return f"{local.date().isoformat()} {local.hour:02d}:{local.minute:02d}"

        records = [{"type": leg["type"], "ref": leg["ref"], "from": leg["from"], "to": leg["to"],
                    "depart": stamp(leg["dep_utc"], leg["dep_off"]), "arrive": stamp(leg["arr_utc"], leg["arr_off"])}
                   for leg in legs]  # fmt: skip
        days: dict[dt.date, list[tuple[str, str]]] = {}
        for leg in legs:
            local = _local(leg["dep_utc"], leg["dep_off"])
            label = {"flight": "Flight", "train": "Train", "car": "Car pick-up"}[leg["type"]]
            clock = f"{local.hour:02d}:{local.minute:02d}"
            days.setdefault(local.date(), []).append(
                (clock, f"{clock} {label} {leg['from']} → {leg['to']} (ref {leg['ref']})")
            )
            if leg["type"] == "car":
                drop = _local(leg["arr_utc"], leg["arr_off"])
                dclock = f"{drop.hour:02d}:{drop.minute:02d}"
                days.setdefault(drop.date(), []).append(
                    (dclock, f"{dclock} Car drop-off at {leg['to']} (ref {leg['ref']})")
                )
        for stay in (hotel_a, hotel_b):
            days.setdefault(stay["in"], []).append(("15:00", f"15:00 Check in: {stay['name']} (ref {stay['ref']})"))
            days.setdefault(stay["out"], []).append(("11:00", f"11:00 Check out: {stay['name']} (ref {stay['ref']})"))
        ordered_days = sorted(days)
        day_refs: dict[dt.date, list[str]] = {}
        for day in ordered_days:
            refs = []
            for _, line in days[day]:
                found = re.search(r"\(ref ([^)]+)\)", line)
                if found and found.group(1) not in refs:
                    refs.append(found.group(1))
            day_refs[day] = refs
        md_path = f"{trip}/itinerary.md"
        json_path = f"{trip}/itinerary.json"
        time_rule = (
            "depart and arrive in UTC, written like 2026-01-12T06:45Z (the confirmations give each time's UTC offset)"
            if hard
            else "depart and arrive in local time as the confirmations give them, written like 2026-01-12 07:45"
        )
        body = b.pick(
            [
                f"I'm off to {first[0]} and {second[0]} for {reason} and I've exported all the booking emails into "
                f"{folder}/. Could you turn them into an itinerary? Two files: {md_path} with a `## YYYY-MM-DD` "
                "heading for every day that has something happening (in date order), and under each one a bullet "
                "per flight, train, car pick-up/drop-off, hotel check-in or check-out, each with its booking "
                f"reference; and {json_path}, a JSON list of the transport legs (flights, trains, the rental car "
                "from pick-up to drop-off) in chronological order, each an object with exactly the keys type "
                "(flight/train/car), ref, from, to, depart, arrive. For from/to use the airport code for flights, "
                "the station name for trains and the pick-up/drop-off desk for the car, as the emails write them; "
                f"{time_rule}.",
                f"Trip prep ({first[0]} → {second[0]}): the confirmations are in {folder}/.\n"
                f"1. {md_path}: one section per day that has anything on it, heading `## YYYY-MM-DD`, days in "
                "order; a bullet for each leg, car pick-up/drop-off and hotel check-in/check-out on that day, "
                "always with the booking reference.\n"
                f"2. {json_path}: a list of the transport legs (flights, trains, rental car) sorted by departure, "
                "each {type, ref, from, to, depart, arrive} and nothing else; type is flight, train or car; "
                "from/to are airport codes for flights, station names for trains, pick-up/drop-off desks for the "
                f"car (spelled as in the emails); {time_rule}.",
                f"help me not miss anything on the {first[0]}/{second[0]} trip? The booking emails are all in "
                f"{folder}/. I'd like a day-by-day {md_path} (a `## YYYY-MM-DD` heading per day with plans, in "
                "order, bullets for each flight/train/car pick-up or drop-off/hotel check-in or check-out with the "
                f"booking ref) and a {json_path} for my calendar app: a list of transport legs in the order they "
                "happen, keys exactly type, ref, from, to, depart, arrive (type = flight/train/car; airport codes "
                "for flights, station names for trains, the rental desks for the car, as in the emails). "
                f"Times: {time_rule}.",
            ]
        )
        body += (
            "\n\nIn the Markdown, days are local dates where each thing happens; a flight or train goes under the "
            "day it departs."
        )
        if hard:
            body += (
                " One more thing: I changed one booking after making it, so check for cancellation emails; anything "
                "cancelled shouldn't show up anywhere."
            )
        b.instruct(body[:1].upper() + body[1:])
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 5)

        # Checks.
        c = b.checks
        has_json = c.json_valid("itinerary_json_written", json_path)
        c.json_length("json_leg_count", json_path, "", len(records), requires=[has_json])
        for index, record in enumerate(records):
            c.json_equals(f"leg_{index + 1}_ref_in_order", json_path, f"/{index}/ref", record["ref"],
                          ignore_case=True, requires=[has_json])  # fmt: skip
            c.json_equals(
                f"leg_{index + 1}_details", json_path, f"/{index}", record, ignore_case=True, requires=[has_json]
            )
        has_md = c.file_exists("itinerary_md_written", md_path)
        c.text_regex("md_one_heading_per_day", md_path, r"(?m)^##\s+\d{4}-\d{2}-\d{2}\s*$",
                     min_count=len(ordered_days), max_count=len(ordered_days), requires=[has_md])  # fmt: skip
        order_pattern = ".*".join(rf"^##\s+{iso(day)}\s*$" for day in ordered_days)
        c.text_regex("md_days_in_order", md_path, order_pattern, flags="ms", requires=[has_md])
        for day in ordered_days:
            c.md_section(f"md_day_{iso(day).replace('-', '_')}", md_path, iso(day), day_refs[day], requires=[has_md])
        if cancelled is not None:
            c.text_absent("cancelled_booking_left_out", md_path, [cancelled["ref"]], requires=[has_md])
            c.text_absent("cancelled_booking_not_in_json", json_path, [cancelled["ref"]], requires=[has_json])

        md_lines = [f"# Itinerary: {first[0]} and {second[0]} ({MONTHS[month - 1]} {year})", ""]
        for day in ordered_days:
            md_lines += [f"## {iso(day)}", ""]
            md_lines += [f"- {line}" for _, line in sorted(days[day], key=lambda item: item[0])]
            md_lines.append("")
        md_text = "\n".join(md_lines)

        s = b.solution
        s.exec(f"ls -la {folder}")
        s.exec(f'for f in {folder}/*; do echo "=== $f"; cat "$f"; done')
        s.write(json_path, json_text(records))
        s.write(md_path, md_text)

        # Near miss: the JSON legs with local times where UTC was asked (hard) or one leg's times swapped.
        wrong = [dict(record) for record in records]
        if hard:
            for record, leg in zip(wrong, legs, strict=True):
                local = _local(leg["dep_utc"], leg["dep_off"])
                record["depart"] = f"{local.date().isoformat()}T{local.hour:02d}:{local.minute:02d}Z"
        else:
            wrong[0]["depart"], wrong[0]["arrive"] = wrong[0]["arrive"], wrong[0]["depart"]
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": json_path, "content": json_text(wrong)}},
                     s.steps[3]])  # fmt: skip
