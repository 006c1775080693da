"""Press release style: bring a draft press release in line with the house style guide and log the changes."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import Solution, TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario

__all__ = ["PressReleaseStyle"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
PREFIXES = ("Clear", "Bright", "Swift", "True", "North", "Kind", "Open", "Fern", "Tide", "Quill", "Harbor", "Maple")
SUFFIXES = ("Track", "Desk", "Loop", "Path", "Note", "Board", "Flow", "Nest", "Beam", "Sync", "Link", "Hub")

# banned phrase -> (replacement, sentence templates using the phrase so the replacement still reads well)
BANNED = {
    "world-class": ("highly regarded", ("{org} has built a world-class team of {dept} specialists to support it.",)),
    "cutting-edge": ("modern", ("{product} combines cutting-edge {jargon} tools with a simple interface.",)),
    "best-in-class": ("top-rated", ("Every customer gets best-in-class support from the first day.",)),
    "game-changing": ("significant", ("The team sees the launch as a game-changing step for {audience}.",)),
    "leverage": ("make use of", ("{product} lets {audience} leverage the records they already keep.",)),
    "seamless": ("smooth", ("Setup is seamless and usually takes less than an hour.",)),
    "robust": ("dependable", ("The platform is robust enough for the busiest {dept} teams.",)),
    "next-generation": ("new", ("The release marks the start of a next-generation {jargon} experience.",)),
    "empower": ("help", ("Our goal is to empower {dept} staff to spend more time with people and less on forms.",)),
    "going forward": ("from now on", ("Going forward, improvements will ship every month.",)),
    "at the end of the day": ("ultimately", ("At the end of the day, {audience} want fewer surprises.",)),
    "state-of-the-art": ("up-to-date", ("Data is protected by state-of-the-art encryption at rest and in transit.",)),
}
AUDIENCES = ("small teams", "busy managers", "front-line staff", "volunteers", "customers", "coordinators")


def _replace(text: str, phrase: str, replacement: str) -> str:
    """``text`` with every case-insensitive ``phrase`` replaced, keeping a leading capital."""

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        return replacement[0].upper() + replacement[1:] if found[0].isupper() else replacement

    return re.sub(re.escape(phrase), swap, text, flags=re.IGNORECASE)


def _long(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class PressReleaseStyle(TaskFamily):
    """Edit a draft press release in place to follow the house style guide, and log every change.

    **Request**: the user's draft release (``press/draft_release.md``)
    breaks the style guide (``press/style_guide.md``): banned buzzwords with
    prescribed replacements, dates not in ``Month D, YYYY`` form, misspelt
    organisation and product names, an over-long headline. They want the
    draft fixed in place (nothing else rewritten) and every change listed in
    ``press/style_changes.md`` as ``- "old" → "new"`` lines.

    **Workspace**: the draft (headline, dateline, lead, quote, availability,
    an untouched customer paragraph, "About" boilerplate, media contact),
    the style guide, last quarter's published release as an example,
    unrelated files.

    **Checks**: banned phrases gone; replacements present; dates converted
    and the old forms gone; no misspelt names; headline within the limit
    and still naming the product; untouched paragraphs intact; the log
    names every banned phrase, date and misspelling it fixed.

    **Hard**: more banned phrases (one inside the boilerplate), a misspelt
    name in the headline, more dates, and two extra rules: no exclamation
    marks, and ``%`` instead of "percent".

    **Rubric** (hybrid tasks): the release reads as polished and
    professional.
    """

    name = "press_release_style"
    scenario = Scenario.CONTENT_COMMUNICATION
    operations = (Operation.FILE_CONTENT, Operation.COMMUNICATION)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        org = b.persona.org
        if b.persona.domain == "household" or org.startswith("the "):
            street = b.pools.street_address(rng).split(" ", 1)[1]
            org = f"{street} Residents' Association" if b.persona.domain == "household" else org[4:]
            org = org[0].upper() + org[1:]
        product = rng.choice(PREFIXES) + rng.choice(SUFFIXES)
        jargon = rng.choice(domain.jargon)
        dept = rng.choice(domain.departments)
        audience = rng.choice(AUDIENCES)
        city = b.pools.city(rng).split(",")[0]
        ceo = b.persona.team[0] if b.persona.team else b.pools.person(rng)
        limit = rng.choice((70, 80, 90))
        fill = {"org": org, "product": product, "jargon": jargon, "dept": dept, "audience": audience}

        phrases = rng.sample(sorted(BANNED), rng.randint(5, 6) if hard else rng.randint(3, 4))
        sentences = {phrase: BANNED[phrase][1][0].format(**fill) for phrase in phrases}
        sentences = {p: s[0].upper() + s[1:] for p, s in sentences.items()}

        # Name misspellings.
        org_words = org.split()
        if len(org_words) > 1:
            k = next((i for i in range(1, len(org_words)) if org_words[i][:1].isupper()), 1)
            org_bad = " ".join(w.lower() if i == k else w for i, w in enumerate(org_words))
            if org_bad == org:
                org_bad = org.replace(" ", "", 1)
        else:
            org_bad = org.upper()
        split = next(i for i in range(1, len(product)) if product[i].isupper())
        product_bad = rng.choice((product.capitalize(), product[:split] + " " + product[split:]))

        # Dates, each in a wrong format.
        year = rng.choice((2025, 2026))
        release_day = dt.date(year, rng.randint(1, 9), rng.randint(13, 28))
        avail_day = release_day + dt.timedelta(days=rng.randint(14, 40))
        webinar_day = release_day + dt.timedelta(days=rng.randint(5, 12))
        styles = rng.shuffled(["iso", "dmy_slash", "d_month", "ordinal"])

        def wrong(day: dt.date, style: str) -> str:
            if style == "iso":
                return day.isoformat()
            if style == "dmy_slash" and day.day > 12:
                return f"{day.day:02d}/{day.month:02d}/{day.year}"
            if style in ("dmy_slash", "d_month"):
                return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
            return f"{MONTHS[day.month - 1]} {_ordinal(day.day)}, {day.year}"

        dates = [(release_day, wrong(release_day, styles[0])), (avail_day, wrong(avail_day, styles[1]))]
        if hard:
            dates.append((webinar_day, wrong(webinar_day, styles[2])))

        # The draft, paragraph by paragraph; each phrase sentence goes into one paragraph.
        headline = (
            f"{org} Announces the Launch of {product_bad if hard else product}, a Cutting-Edge "
            f"{jargon.title()} Platform Designed to Transform How {audience.title()} Work Every Single Day"
        )
        lead = [
            f"**{city}, {dates[0][1]}** — {org} today announced {product}, a new tool that helps {audience} "
            f"handle {jargon} without the usual back-and-forth."
        ]
        details = [f"{product_bad} brings scheduling, notes and reminders into one place."]
        quote_text = f"We built {product} because our own {dept} team needed it"
        if hard:
            quote_text += ", and we can't wait to see what others do with it!"
            quote = [f'"{quote_text}" said {ceo}, who led the project at {org}.']
        else:
            quote = [f'"{quote_text}," said {ceo}, who led the project at {org}.']
        pilot = rng.randint(20, 45)
        avail = [f"{product} will be available from {dates[1][1]}."]
        if hard:
            avail.append(f"A launch webinar takes place on {dates[2][1]}.")
            details.append(f"In a pilot with three partner teams, time spent on {jargon} fell by {pilot} percent.")
            avail.append("Sign up early to get the launch discount!")
        mid = ["details", "quote", "avail"]
        placed: dict[str, list[str]] = {"lead": lead, "details": details, "quote": quote, "avail": avail}
        boiler = [
            f"{org} serves {audience} across {city} and the surrounding region.",
            "Its {} team has worked on {} and {}.".format(dept, *rng.sample(domain.projects, 2)),
        ]
        for index, phrase in enumerate(phrases):
            if hard and index == 0:
                boiler.insert(1, sentences[phrase])
            else:
                placed[mid[index % len(mid)]].insert(1, sentences[phrase])
        if hard:
            boiler.append(f"More about {org_bad} at {b.persona.email_domain}.")
        else:
            placed["avail"].append(f"Existing {org_bad} customers can switch it on from their account settings.")
        customer = b.pools.person(rng)
        untouched = (
            f"{customer}, who tested {product} during the pilot, said the biggest difference was being able to see "
            f"the whole week at a glance. Pricing starts at ${rng.randint(4, 19)} per user per month, with a free "
            "plan for teams of up to three."
        )
        contact_name = b.persona.name
        contact = (
            f"{contact_name}\n{b.persona.role[:1].upper()}{b.persona.role[1:]}, {org}\n"
            f"{b.pools.email(contact_name, b.persona.email_domain)} · {b.pools.phone(rng)}"
        )
        paragraphs = [
            " ".join(placed["lead"]),
            " ".join(placed["details"]),
            " ".join(placed["quote"]),
            " ".join(placed["avail"]),
            untouched,
        ]
        # An organisation name ending in "." (Co.) must not end a sentence with "..".
        paragraphs = [paragraph.replace("..", ".") for paragraph in paragraphs]
        boiler = [sentence.replace("..", ".") for sentence in boiler]
        draft = (
            f"# {headline}\n\n" + "\n\n".join(paragraphs) + f"\n\n## About {org}\n\n" + " ".join(boiler)
            + "\n\n## Media contact\n\n" + contact + "\n"
        )  # fmt: skip

        # Style guide.
        rows = "\n".join(f"| {phrase} | {BANNED[phrase][0]} |" for phrase in sorted(BANNED))
        guide = (
            f"# {org} house style for press releases\n\n"
            "## Words we don't use\n\nReplace these wherever they appear (any capitalisation) with the "
            "alternative given:\n\n| Don't write | Write instead |\n|---|---|\n" + rows + "\n\n"
            "## Dates\n\nAlways write dates as Month D, YYYY: March 3, 2026 (no ordinals, no numeric dates).\n\n"
            f"## Names\n\nOur name is always written {org}. The product is always written {product}: one word, "
            f"capital {product[0]} and capital {product[split]}.\n\n"
            f"## Headlines\n\nAt most {limit} characters, not counting the leading '# '. Sentence case is fine. "
            "Name the product.\n"
        )
        if hard:
            guide += (
                "\n## Punctuation and numbers\n\n- No exclamation marks, anywhere.\n"
                "- Percentages take the % sign after the numeral: 40%, never 40 percent.\n"
            )
        b.file("press/draft_release.md", draft)
        b.file("press/style_guide.md", guide)
        old_day = release_day - dt.timedelta(days=rng.randint(80, 120))
        old_release = (
            f"# {org} opens new {dept} office in {city}\n\n**{city}, {_long(old_day)}** — {org} has opened a new "
            f"{dept} office to support its growing work on {rng.choice(domain.projects)}.\n\n"
            f"## About {org}\n\n{org} serves {audience} across {city} and the surrounding region.\n"
        )
        b.file(f"press/published/{old_day.isoformat()}-{dept.lower().replace(' ', '-')}-office.md", old_release)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["press/"])

        # The fixed release.
        def fix(text: str) -> str:
            for phrase in sorted(BANNED, key=len, reverse=True):
                text = _replace(text, phrase, BANNED[phrase][0])
            for day, shown in dates:
                text = text.replace(shown, _long(day))
            text = text.replace(org_bad, org).replace(product_bad, product)
            if hard:
                text = text.replace(f"{pilot} percent", f"{pilot}%").replace('!" said', '," said').replace("!", ".")
            return text

        short = f"{org} launches {product} to simplify {jargon}"
        if len(short) > limit:
            short = f"{org} launches {product}"
        if len(short) > limit:
            short = f"{product} launches for {audience}"
        fixed_paragraphs = [fix(p) for p in paragraphs]
        fixed_boiler = fix(" ".join(boiler))
        log = ["# Style changes to press/draft_release.md", ""]
        log.append(f'- Headline shortened to {len(short)} characters: "{short}"')
        for phrase in phrases:
            log.append(f'- "{phrase}" → "{BANNED[phrase][0]}"')
        for day, shown in dates:
            log.append(f'- "{shown}" → "{_long(day)}"')
        log.append(f'- "{org_bad}" → "{org}"')
        log.append(f'- "{product_bad}" → "{product}"')
        if hard:
            log.append(f'- "{pilot} percent" → "{pilot}%"')
            log.append('- Exclamation marks removed ("it!" said → "it," said; "discount!" → "discount.")')
        log_text = "\n".join(log) + "\n"

        body = b.pick(
            [
                "The draft press release for the "
                f"{product} launch (press/draft_release.md) doesn't follow our style guide (press/style_guide.md) "
                "yet. Could you fix it in place? Banned words swapped for the replacements the guide gives, dates "
                "in the guide's format, our name and the product name spelled the official way, and a headline "
                "within the length limit. Don't rewrite anything else. Then list every change you made in "
                'press/style_changes.md, one bullet per change written as `- "old" → "new"` (for the headline, just '
                "say you shortened it).",
                f"Before the {product} release goes to the wire service it needs a style pass:\n"
                "1. Edit press/draft_release.md in place so it follows press/style_guide.md: replace the banned "
                "phrases with the listed alternatives, convert the dates, fix the spelling of the organisation and "
                "product names, and cut the headline down to the limit.\n"
                "2. Leave everything the guide doesn't touch as it is.\n"
                '3. Log each change in press/style_changes.md as a bullet `- "old" → "new"` (a line saying the '
                "headline was shortened is enough for that one).",
                "could you run the style guide over my press release? press/style_guide.md has the rules, "
                "press/draft_release.md is the draft. Fix the draft itself (buzzwords → the guide's replacements, "
                "dates, how we spell our names, headline length) but please don't reword anything else, and keep a "
                'changelog in press/style_changes.md: a bullet per fix like `- "old" → "new"`, plus a line about '
                "the headline.",
            ]
        )
        if hard:
            body += "\n\nA few things to watch: the guide has a section on punctuation and numbers too."
        b.instruct(body[:1].upper() + body[1:])
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 5)

        # Checks.
        path = "press/draft_release.md"
        c = b.checks
        gone = c.text_absent("banned_phrases_gone", path, sorted({*phrases, "cutting-edge"}), ignore_case=True)
        wanted = [BANNED[p][0] for p in phrases if len(BANNED[p][0]) > 4 and BANNED[p][0].lower() not in draft.lower()]
        if wanted:
            c.text_contains("replacements_used", path, wanted, ignore_case=True, requires=[gone])
        c.text_contains("dates_in_house_format", path, [_long(day) for day, _ in dates])
        c.text_absent("old_date_formats_gone", path, [shown for _, shown in dates], requires=[gone])
        c.text_absent("names_spelled_officially", path, [org_bad, product_bad])
        c.text_regex("headline_within_limit", path, rf"\A\s*#[ \t]+[^\n]{{10,{limit}}}$", flags="m")
        c.text_regex("headline_names_product", path, rf"\A\s*#[^\n]*{re.escape(product)}", requires=[gone])
        c.text_contains("untouched_paragraphs_intact", path, [untouched, contact], requires=[gone])
        c.text_contains("about_section_kept", path, [f"## About {org}", "## Media contact"], requires=[gone])
        if hard:
            c.text_absent("no_exclamation_marks", path, ["!"], requires=[gone])
            c.text_contains("percent_sign_used", path, [f"{pilot}%"])
        has_log = c.file_exists("change_log_written", "press/style_changes.md")
        c.text_contains("log_lists_banned_phrases", "press/style_changes.md", phrases, ignore_case=True,
                        requires=[has_log])  # fmt: skip
        c.text_contains("log_lists_dates", "press/style_changes.md", [shown for _, shown in dates],
                        requires=[has_log])  # fmt: skip
        c.text_contains("log_lists_name_fixes", "press/style_changes.md", [org_bad, product_bad],
                        requires=[has_log])  # fmt: skip
        c.files_unchanged("style_guide_unchanged", {"press/style_guide.md": guide}, requires=[gone])

        # Reference solution: read, then edit paragraph by paragraph.
        s = b.solution
        s.read("press/style_guide.md")
        s.read(path)
        s.edit(path, f"# {headline}\n", f"# {short}\n")
        for old, new in zip(paragraphs, fixed_paragraphs, strict=True):
            if old != new:
                s.edit(path, old, new)
        s.edit(path, " ".join(boiler), fixed_boiler)
        s.exec(f"grep -n -i -E '{'|'.join(phrases)}' {path} || echo 'no banned phrases left'")
        s.write("press/style_changes.md", log_text)

        # Near miss: everything but the dates.
        nm = Solution()
        nm.read("press/style_guide.md")
        nm.edit(path, f"# {headline}\n", f"# {short}\n")
        for old, new in zip(paragraphs, fixed_paragraphs, strict=True):
            partial = new
            for day, shown in dates:
                partial = partial.replace(_long(day), shown)
            if old != partial:
                nm.edit(path, old, partial)
        nm.edit(path, " ".join(boiler), fixed_boiler)
        nm.write("press/style_changes.md", log_text)
        b.near_miss(nm)

        if b.hybrid:
            b.rubric(
                "release_polished",
                "Read as a journalist receiving it: the release is polished and professional, free of hype, with a "
                "crisp headline that says what is new, and nothing garbled by the edits (grammar still correct "
                "where words were replaced).",
                {
                    "0": "Garbled, hype-laden or broken by the edits.",
                    "0.25": "Several awkward or ungrammatical spots, weak headline.",
                    "0.5": "Acceptable but with noticeable awkwardness.",
                    "0.75": "Professional with a minor awkward phrase.",
                    "1.0": "Clean, crisp and ready to send.",
                },
                weight=2.0,
            )
