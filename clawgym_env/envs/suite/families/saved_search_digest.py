"""Saved search digest: filter saved search-result pages into a deduplicated, dated digest."""

from __future__ import annotations

import datetime as dt
import html
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import date_add, iso, json_text, slug

__all__ = ["SavedSearchDigest"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MATCH_TITLES = (
    "{Kw}: a practical guide for small teams",
    "What we learned from a year of {kw}",
    "Getting {kw} right in 2025",
    "Five mistakes people make with {kw}",
    "Is {kw} worth the effort? A field report",
    "{Kw} checklist: what to review every quarter",
    "A beginner's guide to {kw}",
    "How one team rebuilt its {kw} process",
    "The hidden costs of ignoring {kw}",
    "Case study: {kw} at a mid-sized firm",
    "{Kw} benchmarks for this year",
    "Why {kw} keeps coming up in board meetings",
)
OTHER_TITLES = (
    "Ten quick wins for {other}",
    "{Other} explained in plain English",
    "Our {other} toolkit, updated",
    "Ask the expert: {other}",
    "The state of {other} in 2025",
    "Webinar recap: {other}",
)
SNIPPETS = (
    "A look at what actually changed this year, with examples from teams who tried it.",
    "We compare the common approaches and where each one breaks down.",
    "Short read. Includes a downloadable template and a checklist.",
    "Interviews with practitioners plus the numbers behind the headlines.",
    "Everything you need before your next planning meeting.",
)
SITE_WORDS = ("brief", "ledger", "signal", "compass", "harbor", "field", "lantern", "beacon", "anchor", "prism",
              "summit", "orbit", "meadow", "ridge", "pilot", "quill")  # fmt: skip
SITE_SUFFIX = ("weekly", "notes", "insider", "review", "journal", "hub", "daily", "digest")
FARMS = ("topclicksnews.com", "listicle-central.net", "buzzreadz.com", "seo-articles-now.com", "contentmill.io",
         "viralpages.net")  # fmt: skip
SECTIONS = ("articles", "blog", "insights", "news", "guides")


class SavedSearchDigest(TaskFamily):
    """Turn saved search-result pages into a deduplicated digest of recent, relevant, trustworthy results.

    **Request**: the user saved a few pages of search results while offline
    and wants ``research/digest.json``: every unique result (by URL, across
    all pages) whose title contains a keyword (any case), published on or
    after a date, from a domain not on their blocklist, with title, url,
    domain and date (ISO), newest first (ties by URL).

    **Workspace**: ``research/saved_searches/*.html`` (result blocks with a
    linked title, a domain, a ``<time>`` and a snippet), the blocklist with
    comments, a notes file on what the research is for, unrelated files.
    Some snippets mention the keyword although the title does not.

    **Checks**: the digest exists; the number of results; each position's
    URL; the full result list (titles, domains, dates); no blocked domain;
    the saved pages unchanged.

    **Hard**: two queries' pages with overlap; sponsored results to skip;
    copies of a URL with ``utm_`` tracking parameters (the same result, kept
    without them); subdomains of blocked domains; dates written as plain
    text instead of ``<time>``; results with no date (left out).
    """

    name = "saved_search_digest"
    scenario = Scenario.INFORMATION_RETRIEVAL
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        domain = DOMAINS[persona.domain]
        jargon = rng.shuffled(domain.jargon)
        keyword = jargon[0]
        others = [term for term in jargon[1:] if keyword.lower() not in term.lower()][:4]
        since = dt.date(rng.choice((2025, 2026)), rng.randint(2, 11), rng.choice((1, 15)))
        blocked = rng.sample(FARMS, 2 if not b.hard else 3)
        sites = []
        while len(sites) < 8:
            site = f"{rng.choice(SITE_WORDS)}{rng.choice(SITE_SUFFIX)}.{rng.choice(('com', 'org', 'net', 'io'))}"
            if site not in sites:
                sites.append(site)

        qualifiers = ("", " (updated)", " - lessons from the field", ": what the numbers say")
        match_pool = rng.shuffled(
            [
                template.replace("{Kw}", keyword[:1].upper() + keyword[1:]).replace("{kw}", keyword) + qualifier
                for template in MATCH_TITLES
                for qualifier in dict.fromkeys(qualifiers)
            ]
        )
        other_pool = rng.shuffled(
            [
                template.replace("{Other}", other[:1].upper() + other[1:]).replace("{other}", other) + qualifier
                for template in OTHER_TITLES
                for other in others
                for qualifier in dict.fromkeys(qualifiers)
                if keyword.lower() not in (template + other + qualifier).lower()
            ]
        )

        def title_for(matching: bool) -> str:
            return (match_pool if matching else other_pool).pop()

        # -- the results ----------------------------------------------------------------------------
        count = rng.randint(16, 22) if b.hard else rng.randint(10, 14)
        results = []
        for index in range(count):
            # Roles: 0-1 blocked but otherwise relevant, 2-4 certainly kept, the rest anything.
            matching = index < 5 or (index % 5 != 4 and rng.chance(0.7))
            title = title_for(matching)
            host = rng.choice(blocked) if index < 2 or (index >= 5 and rng.chance(0.12)) else rng.choice(sites)
            if b.hard and host in blocked and rng.chance(0.5):
                host = f"{rng.choice(('m', 'blog', 'news'))}.{host}"
            elif host in sites and rng.chance(0.3):
                host = f"www.{host}"
            published = date_add(since, rng.randint(-90, 80))
            if index < 5:
                published = date_add(since, rng.randint(0, 40))
            url = f"https://{host}/{rng.choice(SECTIONS)}/{slug(title, separator='-')}"
            snippet = rng.choice(SNIPPETS)
            if not matching and rng.chance(0.5):
                snippet = f"Touches on {keyword} along the way. " + snippet
            results.append(
                {
                    "title": title,
                    "url": url,
                    "host": host,
                    "date": published,
                    "snippet": snippet,
                    "ad": False,
                    "text_date": b.hard and rng.chance(0.35),
                    "no_date": False,
                }
            )
        if b.hard:
            for result in rng.sample(results[5:], 2):
                result["no_date"] = True
            for _ in range(2):
                results.append(
                    {
                        "title": title_for(True),
                        "url": f"https://ads.seekwell.example/click?id={rng.randint(10000, 99999)}",
                        "host": rng.choice(sites),
                        "date": date_add(since, rng.randint(1, 30)),
                        "snippet": f"Try our {keyword} platform free for 30 days.",
                        "ad": True,
                        "text_date": False,
                        "no_date": False,
                    }
                )
        # A "www." prefix or a tracking copy must not make two results out of one.
        query_words = rng.choice(("best practices", "guide", "2025", "examples", "tips"))
        queries = [f"{keyword} {query_words}"]
        if b.hard:
            queries.append(f"{keyword} {rng.choice(('case study', 'costs', 'checklist', 'trends'))}")

        pages: list[tuple[str, str, list[dict]]] = []
        order = rng.shuffled(results)
        per_page = 6 if b.hard else 5
        chunks = [order[i : i + per_page] for i in range(0, len(order), per_page)]
        for number, chunk in enumerate(chunks):
            query = queries[number % len(queries)]
            page_no = number // len(queries) + 1
            pages.append((query, f"research/saved_searches/{slug(query, separator='-')}_p{page_no}.html", chunk))
        # Overlap: some results also show up on another page (in hard tasks with tracking parameters).
        real = [r for r in results if not r["ad"]]
        for result in rng.sample(real, 3 if b.hard else 2):
            query, path, chunk = rng.choice([page for page in pages if result not in page[2]])
            copy = dict(result)
            if b.hard and rng.chance(0.7):
                copy["url"] = (
                    result["url"] + f"?utm_source={rng.choice(('newsletter', 'social', 'feed'))}&utm_medium=email"
                )
            chunk.insert(rng.below(len(chunk) + 1), copy)

        page_files = {}
        for query, path, chunk in pages:
            page_files[path] = render_page(query, path, chunk, len([p for p in pages if p[0] == query]))
            b.file(path, page_files[path])
        blocklist = (
            "# Sites I don't trust for research (content farms, AI-spun listicles)\n"
            + "".join(f"{host}\n" for host in blocked)
            + "# (blocking a domain blocks its subdomains too)\n"
        )
        b.file("research/blocklist.txt", blocklist)
        b.file(
            "research/NOTES.md",
            f"# Research notes\n\nReading up on {keyword} for the {rng.choice(domain.projects)} work at "
            f"{persona.org}. Saved the search pages on the train, no Wi-Fi. Only care about stuff from "
            f"{iso(since)} onward.\n",
        )
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["research/"])

        # -- ground truth ---------------------------------------------------------------------------------
        def keep(result: dict, blocklist_on: bool = True) -> bool:
            host = result["host"].removeprefix("www.")
            if result["ad"] or result["no_date"] or keyword.lower() not in result["title"].lower():
                return False
            if result["date"] < since:
                return False
            return not (blocklist_on and any(host == bad or host.endswith("." + bad) for bad in blocked))

        def digest(blocklist_on: bool = True) -> list[dict]:
            chosen = [r for r in results if keep(r, blocklist_on)]
            chosen.sort(key=lambda r: r["url"])
            chosen.sort(key=lambda r: r["date"], reverse=True)
            return [
                {"title": r["title"], "url": r["url"], "domain": r["host"].removeprefix("www."), "date": iso(r["date"])}
                for r in chosen
            ]

        expected = digest()
        digest_path = "research/digest.json"

        # -- request ---------------------------------------------------------------------------------------
        spec = (
            'a JSON object with "keyword" (the keyword), "since" (the date, YYYY-MM-DD) and "results", where results '
            "is a list of objects with "
            'exactly the keys title, url, domain (the URL\'s host name without a leading "www.") and date '
            "(YYYY-MM-DD), newest first, ties broken by URL alphabetically"
        )
        criteria = (
            f'the title contains "{keyword}" (any capitalisation; the snippet doesn\'t count), it was published '
            f"on or after {iso(since)}, and its domain isn't in research/blocklist.txt"
        )
        body = b.pick(
            [
                f"I saved some search result pages while I was offline; they're in research/saved_searches/. "
                f"Could you go through all of them and pull out the results worth reading into {digest_path}? A "
                f"result is worth reading if {criteria}. The same result can appear on more than one page, so "
                f"list each URL once. Format: {spec}.",
                f"Digest please, from the saved pages in research/saved_searches/:\n"
                f"- keep a result only if {criteria};\n- each URL once, even if it's on several pages;\n"
                f"- write {digest_path} as {spec}.\nDon't change the saved pages.",
                f"went down a rabbit hole on {keyword} with no internet and saved the result pages "
                f"(research/saved_searches/). can you make me {digest_path}? keep results where {criteria}. "
                f"dedupe by URL across pages. {spec}.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: skip sponsored results; URLs that differ only by utm_ tracking "
                "parameters are the same result (give the URL without them); a blocked domain's subdomains are "
                "blocked too; some dates are written out in text rather than in a <time> tag; and results with no "
                "date at all should be left out."
            )
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(8 if b.hard else 6)

        # -- checks ----------------------------------------------------------------------------------------
        c = b.checks
        has = c.json_valid("digest_written", digest_path)
        c.json_equals("keyword_recorded", digest_path, "/keyword", keyword, ignore_case=True, requires=[has])
        c.json_equals("since_recorded", digest_path, "/since", iso(since), requires=[has])
        c.json_length("result_count", digest_path, "/results", len(expected), requires=[has])
        for index, item in enumerate(expected):
            c.json_equals(f"result_{index + 1}_url", digest_path, f"/results/{index}/url", item["url"], requires=[has])
        c.json_equals("results_exact", digest_path, "/results", expected, requires=[has])
        c.text_absent("no_blocked_domains", digest_path, blocked, ignore_case=True, requires=[has])
        c.files_unchanged("pages_unchanged", page_files, requires=[has])

        # -- reference solution ---------------------------------------------------------------------------
        s = b.solution
        s.exec("ls research research/saved_searches && cat research/blocklist.txt research/NOTES.md")
        s.read(pages[0][1])
        s.exec(
            'grep -h -o -E \'href="https?://[^"]+"|datetime="[0-9-]+"|result-date">[^<]+\' '
            "research/saved_searches/*.html | head -80"
        )
        document = {"keyword": keyword, "since": iso(since), "results": expected}
        s.write(digest_path, json_text(document))

        # Near miss: the blocklist was forgotten.
        loose = {"keyword": keyword, "since": iso(since), "results": digest(blocklist_on=False)}
        b.near_miss([*s.steps[:-1], {"name": "write", "arguments": {"path": digest_path, "content": json_text(loose)}}])


def render_page(query: str, path: str, results: list[dict], page_count: int) -> str:
    page_no = int(re.search(r"_p(\d+)\.html$", path).group(1))  # type: ignore[union-attr]
    blocks = []
    for result in results:
        if result["ad"]:
            date_html = f'<time datetime="{iso(result["date"])}">{_text_date(result["date"], 0)}</time>'
        elif result["no_date"]:
            date_html = ""
        elif result["text_date"]:
            date_html = f'<span class="result-date">{_text_date(result["date"], 1)}</span>'
        else:
            date_html = f'<time datetime="{iso(result["date"])}">{_text_date(result["date"], 0)}</time>'
        meta = f'<span class="result-domain">{html.escape(result["host"])}</span>'
        if date_html:
            meta += f" &middot; {date_html}"
        css = "result result--ad" if result["ad"] else "result"
        label = '\n      <span class="ad-label">Sponsored</span>' if result["ad"] else ""
        blocks.append(
            f'    <div class="{css}">{label}\n'
            f'      <h3 class="result-title"><a href="{html.escape(result["url"])}">'
            f"{html.escape(result['title'], quote=False)}</a></h3>\n"
            f'      <div class="result-meta">{meta}</div>\n'
            f'      <p class="result-snippet">{html.escape(result["snippet"], quote=False)}</p>\n'
            "    </div>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
        f"  <title>{html.escape(query)} - Seekwell Search</title>\n</head>\n<body>\n"
        f'  <header class="search-bar"><form action="/search"><input name="q" value="{html.escape(query)}">'
        "</form></header>\n"
        f'  <main id="results">\n' + "\n".join(blocks) + "\n  </main>\n"
        f'  <nav class="pager">Page {page_no} of {page_count}</nav>\n'
        "  <footer>Saved page. Seekwell Search &copy; 2026</footer>\n</body>\n</html>\n"
    )


def _text_date(day: dt.date, style: int) -> str:
    if style == 0:
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
