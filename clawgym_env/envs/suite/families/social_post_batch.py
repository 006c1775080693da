"""Social post batch: write a week of social posts from a content calendar, following the brand guide."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, slug

__all__ = ["SocialPostBatch"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
PLATFORMS = {  # display name, file key, default limit
    "x": ("X", 280),
    "linkedin": ("LinkedIn", 700),
    "instagram": ("Instagram", 500),
    "mastodon": ("Mastodon", 500),
    "facebook": ("Facebook", 450),
}
CAMPAIGNS = (
    ("launch-week", ("{Product}Launch", "NewOn{Org}")),
    ("customer-stories", ("CustomerStories", "{Org}Stories")),
    ("hiring", ("WeAreHiring", "Join{Org}")),
    ("webinar-series", ("{Org}Live", "LearnWith{Org}")),
    ("tips-tuesday", ("TipsTuesday", "{Org}Tips")),
)
TOPICS = {
    "launch-week": ("Sneak peek at {product}", "{product} is live: what's new", "Why we built {product}"),
    "customer-stories": ("How the {department} team tackled {project}", "Customer story: {project}",
                         "Behind the {project}: a customer's view"),
    "hiring": ("We're hiring in {department}", "A day in {department}", "Meet the {department} team"),
    "webinar-series": ("Webinar: {jargon} Q&A", "Live session on {project}", "Replay: {jargon} basics"),
    "tips-tuesday": ("3 quick tips on {jargon}", "Common {jargon} mistakes", "{jargon} checklist"),
}  # fmt: skip
EMOJI = ("🚀", "✨", "👉", "🎉", "💡", "📣")
EMOJI_PATTERN = "[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b06\u2194-\u21aa\ufe0f]"


def _camel(text: str, words: int = 2) -> str:
    """The first ``words`` significant words of ``text`` in CamelCase, for a hashtag."""
    kept = [w for w in slug(text).split("_") if len(w) > 1 and w not in ("the", "of", "and", "for")]
    return "".join(word[:1].upper() + word[1:] for word in kept[:words])


class SocialPostBatch(TaskFamily):
    """Draft one social post per content-calendar row for a given week, within each platform's brand rules.

    **Request**: the user names a week; for every row of
    ``marketing/content_calendar.csv`` dated in it they want
    ``posts/<date>-<platform>.txt`` (platform in lowercase) that stays
    within the platform's character limit, includes the row's link exactly
    and the campaign's required hashtags plus the brand hashtag, and uses no
    emoji on LinkedIn; plus ``posts/index.csv`` (``date, platform, file,
    characters``, by date then platform).

    **Workspace**: the calendar (three weeks of rows: date, platform,
    topic, link with UTM tags, campaign, notes), ``marketing/brand_guide.md``
    (voice, per-platform limits, hashtags per campaign), last month's
    posts, unrelated files.

    **Checks**: ``posts/`` holds exactly the expected files; per post: the
    link, the hashtags, the length limit (and no emoji on LinkedIn); the
    index's date, platform and file columns in order, and each
    ``characters`` value matching its file.

    **Hard**: more rows; a cancelled row to skip; rows that still say
    "Twitter" (meaning X); Instagram posts say "link in bio" instead of
    carrying the URL; tighter limits.

    **Rubric** (hybrid tasks): posts are on-brand and engaging.
    """

    name = "social_post_batch"
    scenario = Scenario.CONTENT_COMMUNICATION
    operations = (Operation.COMMUNICATION, Operation.FILE_CONTENT)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        org = b.persona.org[4:] if b.persona.org.startswith("the ") else b.persona.org
        org_tag = _camel(org)
        product = rng.choice(domain.products)
        fill = {"Product": _camel(product), "Org": org_tag}
        campaigns = rng.sample(CAMPAIGNS, 3 if hard else 2)
        tags = {name: ["#" + tag.format(**fill) for tag in pair] for name, pair in campaigns}
        brand_tag = "#" + org_tag
        platforms = rng.sample(sorted(PLATFORMS), 4 if hard else 3)
        limits = {p: PLATFORMS[p][1] for p in platforms}
        if hard:
            for p in platforms:
                if p != "x":
                    limits[p] = rng.choice((300, 350, 400))
        start = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        week = date_add(start, -start.weekday())
        site = b.persona.email_domain

        rows: list[dict] = []
        for offset_week in (-7, 0, 7):
            base = date_add(week, offset_week)
            count = (rng.randint(6, 7) if hard else rng.randint(4, 5)) if offset_week == 0 else rng.randint(2, 4)
            seen: set[tuple[dt.date, str]] = set()
            rotation = rng.shuffled(platforms) * 3
            while len([r for r in rows if r["week"] == offset_week]) < count:
                day = date_add(base, rng.randint(0, 6))
                platform = rotation[len([r for r in rows if r["week"] == offset_week]) % len(rotation)]
                if (day, platform) in seen:
                    continue
                seen.add((day, platform))
                campaign = rng.choice([name for name, _ in campaigns])
                topic = rng.choice(TOPICS[campaign]).format(
                    product=product, project=rng.choice(domain.projects), department=rng.choice(domain.departments),
                    jargon=rng.choice(domain.jargon))  # fmt: skip
                topic = topic[0].upper() + topic[1:]
                link = (f"https://{site}/{campaign.split('-')[0]}/{slug(topic, separator='-')[:40]}"
                        f"?utm_source={platform}&utm_campaign={campaign}")  # fmt: skip
                rows.append({"date": day, "platform": platform, "topic": topic, "link": link, "campaign": campaign,
                             "notes": "", "week": offset_week, "cancelled": False})  # fmt: skip
        in_week = [r for r in rows if r["week"] == 0]
        if hard:
            victim = rng.choice(in_week)
            victim["cancelled"] = True
            victim["notes"] = "CANCELLED - moved to next month"
            for row in in_week:
                if row["platform"] == "x" and not row["cancelled"]:
                    row["shown_platform"] = "Twitter"
                    break
        for row in rows:
            if not row["notes"] and rng.chance(0.25):
                row["notes"] = rng.choice(("check image rights", "pin for 24h", "boost if it does well",
                                           "ask Design for a card"))  # fmt: skip
        rows.sort(key=lambda r: (r["date"], r["platform"]))
        cal_rows = [["date", "platform", "topic", "link", "campaign", "notes"]]
        for row in rows:
            shown = row.get("shown_platform", PLATFORMS[row["platform"]][0])
            cal_rows.append([iso(row["date"]), shown, row["topic"], row["link"], row["campaign"], row["notes"]])
        calendar = csv_text(cal_rows)

        limit_rows = "\n".join(
            f"| {PLATFORMS[p][0]} | `{p}` | {limits[p]} |" for p in sorted(platforms, key=lambda p: PLATFORMS[p][0])
        )
        tag_rows = "\n".join(f"| {name} | {' '.join(tags[name])} |" for name, _ in campaigns)
        guide = (
            f"# {org} social media guide\n\n"
            "## Voice\n\nFriendly, plain English, specific. One idea per post. No ALL CAPS, no clickbait.\n\n"
            "## Platforms\n\nLimits count every character of the post, including the link and the hashtags.\n\n"
            f"| Platform | File key | Max characters |\n|---|---|---|\n{limit_rows}\n\n"
            "- No emoji on LinkedIn. Elsewhere, one or two are fine.\n"
            "- Every post includes the calendar row's link exactly as written (UTM tags and all).\n"
        )
        if hard:
            guide += (
                '- Instagram captions can\'t hold links: write "Link in bio" instead and leave the URL out.\n'
                "- Older calendar rows may say Twitter; that's X now.\n"
            )
        guide += (
            "\n## Hashtags\n\n"
            f"Every post ends with the campaign's hashtags followed by our brand tag {brand_tag}.\n\n"
            f"| Campaign | Required hashtags |\n|---|---|\n{tag_rows}\n"
        )
        b.file("marketing/content_calendar.csv", calendar)
        b.file("marketing/brand_guide.md", guide)
        prev = date_add(week, -28)
        old_post = (
            f"{rng.choice(EMOJI)} Quick one from the {org} team: thanks to everyone who joined us last month.\n\n"
            f"https://{site}/news\n\n{brand_tag}\n"
        )
        b.file(f"marketing/archive/{iso(prev)}-mastodon.txt", old_post)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["posts/", "marketing/"],
            exclude_kinds=("post_draft",),
        )

        # Reference posts.
        todo = [r for r in in_week if not r["cancelled"]]
        todo.sort(key=lambda r: (r["date"], r["platform"]))
        posts: dict[str, str] = {}
        index_rows: list[list] = []
        for row in todo:
            platform = row["platform"]
            hashtags = " ".join([*tags[row["campaign"]], brand_tag])
            link_line = "Link in bio." if hard and platform == "instagram" else row["link"]
            if platform == "linkedin":
                text = (
                    f"{row['topic']}.\n\nAt {org}, we want every post to be useful. This week we're sharing what we "
                    f"learned, in plain language, so you can put it to work straight away.\n\nRead more: {link_line}"
                    f"\n\n{hashtags}"
                )
            else:
                emoji = rng.choice(EMOJI)
                text = (
                    f"{emoji} {row['topic']}! Here's the short version from the {org} team.\n\n{link_line}\n\n"
                    f"{hashtags}"
                )
            if len(text) > limits[platform]:
                text = f"{row['topic']}\n\n{link_line}\n\n{hashtags}"
            name = f"{iso(row['date'])}-{platform}.txt"
            posts[f"posts/{name}"] = text + "\n"
            index_rows.append([iso(row["date"]), platform, name, len(text)])
        index_header = ["date", "platform", "file", "characters"]

        month_day = f"{MONTHS[week.month - 1]} {week.day}"
        body = b.pick(
            [
                f"Can you draft next week's social posts? The week starts Monday {month_day} ({iso(week)}). For every "
                "row in marketing/content_calendar.csv dated that week (Monday to Sunday), write the post to "
                "posts/<date>-<platform>.txt, e.g. posts/2026-03-02-linkedin.txt (platform in lowercase, the file "
                "keys from marketing/brand_guide.md). Follow the brand guide: character limits, the link, the "
                "hashtags and the emoji rule. Then make posts/index.csv with columns date,platform,file,characters "
                "(one row per post, sorted by date then platform; characters is the length of the post without the "
                "final newline).",
                f"Social batch for the week of {iso(week)} (Mon-Sun):\n"
                "1. Read marketing/brand_guide.md and the rows of marketing/content_calendar.csv for that week.\n"
                "2. Write each post to posts/<YYYY-MM-DD>-<platform key>.txt, platform key lowercase as in the "
                "guide.\n3. Stick to the guide: limit per platform, link exactly as in the calendar, required "
                "hashtags, no emoji on LinkedIn.\n4. posts/index.csv: date,platform,file,characters, by date then "
                "platform; characters = length of the post text, not counting the trailing newline.\n"
                "Only that week's posts in posts/, please.",
                f"I'm behind on socials. Could you write the posts for the week of {month_day} (Mon {iso(week)} to "
                f"Sun {iso(date_add(week, 6))})? The calendar is marketing/content_calendar.csv and the rules are in "
                "marketing/brand_guide.md. One file per calendar row: posts/<date>-<platform>.txt (lowercase "
                "platform key), and an index at posts/index.csv (date,platform,file,characters; sorted by date, "
                "then platform; characters = post length without the last newline).",
            ]
        )
        body += (
            "\n\nIn the index, platform is the lowercase key and file is just the file name (like "
            "2026-03-02-linkedin.txt)."
        )
        if hard:
            body += " A few things to watch: skip anything marked cancelled, and read the guide's notes on platforms."
        b.instruct(body[:1].upper() + body[1:])
        b.steps(4 if hard else 3)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        files = sorted([*(p.split("/", 1)[1] for p in posts), "index.csv"])
        c.dir_files("posts_folder_exact", "posts", files)
        for row, (path, _text) in zip(todo, posts.items(), strict=True):
            key = f"{iso(row['date']).replace('-', '_')}_{row['platform']}"
            platform = row["platform"]
            has = c.file_exists(f"post_{key}_written", path)
            needles = [*tags[row["campaign"]], brand_tag]
            if hard and platform == "instagram":
                c.text_contains(f"post_{key}_link_in_bio", path, ["link in bio"], ignore_case=True, requires=[has])
                c.text_absent(f"post_{key}_no_url", path, ["http://", "https://"], requires=[has])
            else:
                needles.append(row["link"])
            c.text_contains(f"post_{key}_link_and_hashtags", path, needles, normalize_space=False, requires=[has])
            script = (
                "import sys; t = open(sys.argv[1], encoding='utf-8').read().strip(); "
                f"sys.exit(0 if 40 <= len(t) <= {limits[platform]} else 1)"
            )
            c.command(f"post_{key}_within_limit", f'python3 -c "{script}" {path}', requires=[has])
            if platform == "linkedin":
                c.text_regex(f"post_{key}_no_emoji", path, EMOJI_PATTERN, min_count=0, max_count=0, requires=[has])
        has_index = c.csv_header("index_header", "posts/index.csv", index_header, ignore_case=True)
        for column, position in (("date", 0), ("platform", 1), ("file", 2)):
            c.csv_column(f"index_{column}_column", "posts/index.csv", column, [r[position] for r in index_rows],
                         ignore_case=True, requires=[has_index])  # fmt: skip
        counter = (
            "import csv, sys; rows = list(csv.DictReader(open('posts/index.csv', encoding='utf-8'))); "
            "ok = all(abs(int(r['characters']) - len(open('posts/' + r['file'].strip().split('/')[-1], "
            "encoding='utf-8').read().strip())) <= 1 for r in rows); "
            f"sys.exit(0 if ok and len(rows) == {len(index_rows)} else 1)"
        )
        c.command("index_character_counts_match", f'python3 -c "{counter}"', requires=[has_index])
        c.files_unchanged("calendar_unchanged", {"marketing/content_calendar.csv": calendar}, requires=[has_index])

        s = b.solution
        s.read("marketing/brand_guide.md")
        s.exec("cat marketing/content_calendar.csv")
        for path, text in posts.items():
            s.write(path, text)
        s.write("posts/index.csv", csv_text([index_header, *index_rows]))
        s.exec("wc -m posts/*.txt && cat posts/index.csv")

        # Near miss: the first post forgot its hashtags (index adjusted to match).
        first_path, first_text = next(iter(posts.items()))
        stripped = first_text.rsplit("\n\n", 1)[0] + "\n"
        wrong_first = {"name": "write", "arguments": {"path": first_path, "content": stripped}}
        near = [step if step["arguments"].get("path") != first_path else wrong_first for step in s.steps]
        wrong_index = [list(r) for r in index_rows]
        wrong_index[0][3] = len(stripped.rstrip("\n"))
        near = [step if step["arguments"].get("path") != "posts/index.csv" else
                {"name": "write", "arguments": {"path": "posts/index.csv",
                                                "content": csv_text([index_header, *wrong_index])}}
                for step in near]  # fmt: skip
        b.near_miss(near)

        if b.hybrid:
            b.rubric(
                "posts_on_brand",
                f"The posts sound like {org}'s guide asks: friendly, plain English, specific to each topic, no "
                "clickbait or ALL CAPS, and each adapted to its platform (LinkedIn more professional, X punchy).",
                {
                    "0": "Off-brand, spammy or generic copy-paste across platforms.",
                    "0.25": "Mostly generic; little adaptation to topic or platform.",
                    "0.5": "On-brand but bland or repetitive.",
                    "0.75": "On-brand and adapted, with small lapses.",
                    "1.0": "Consistently on-brand, specific and well adapted to each platform.",
                },
                weight=2.0,
            )
            b.rubric(
                "posts_engaging",
                "Each post gives a reader a reason to click or reply: a clear hook in the first line and a clear "
                "call to action.",
                {
                    "0": "No hook, no call to action.",
                    "0.25": "Weak hooks, unclear what to do.",
                    "0.5": "Some posts engaging, others flat.",
                    "0.75": "Engaging overall with minor weak spots.",
                    "1.0": "Every post has a strong hook and a clear call to action.",
                },
            )
