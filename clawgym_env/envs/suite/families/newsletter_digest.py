"""Newsletter digest: feature a month's most-read blog posts in a Markdown newsletter."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import date_add, iso, slug, yaml_text

__all__ = ["NewsletterDigest"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
TITLES = (
    "How we rethought our {jargon} routine",
    "Five lessons from the {project}",
    "What {product} taught us about {jargon}",
    "Inside the {project}",
    "A week with the {department} team",
    "Why we changed how we handle {jargon}",
    "The {project}, six months in",
    "Small fixes that made {jargon} easier",
    "Notes from our first {project} retro",
    "Behind the scenes of {product}",
    "Our honest take on {jargon}",
    "Three myths about {product}",
    "Meet the people behind the {project}",
    "What we got wrong about {jargon}",
)
OPENERS = (
    "When we started the {project}, nobody expected {jargon} to be the hard part.",
    "Every {department} team has a story about {jargon}, and this one is ours.",
    "Last month {person} asked a simple question about {product} that none of us could answer.",
    "If you have ever struggled with {jargon}, you are in good company.",
    "We spent most of the spring arguing about {product}, and it was worth it.",
    "The {project} began with a whiteboard, a deadline and a lot of optimism.",
    "Some changes are loud, but the one we want to talk about today was almost invisible.",
    "It took us three attempts to get {jargon} right, and we learned something each time.",
    "There is a spreadsheet on our shared drive that explains a lot about {jargon}.",
    "Here is a confession from the {department} desk: we used to dread {jargon}.",
    "Nobody on the team volunteered to write about {product}, so {person} drew the short straw.",
    "Our first attempt at the {project} lasted exactly two weeks.",
    "This post started as a long message from {person} to the rest of the team.",
    "Ask anyone in {department} what changed this year and they will mention {jargon}.",
)
SECOND = (
    "Here is what happened, what we would keep and what we would do differently.",
    "In this post we walk through the numbers and the decisions behind them.",
    "Below are the notes we wish we had read a year ago.",
    "It is a longer read, so grab a coffee first.",
    "We asked a few colleagues to chip in with their own view.",
)
BODY = (
    "The short version: start smaller than you think, write things down and check in often.",
    "We measured everything for four weeks before changing anything at all.",
    "Most of the work was talking to people, not building tools.",
    "The results were not dramatic, but they were steady, and steady is what we needed.",
    "We are still tweaking the process and will report back in a few months.",
)


class NewsletterDigest(TaskFamily):
    """Write a month's newsletter featuring the most-read published blog posts, with links, authors and teasers.

    **Request**: the user wants ``newsletter/<yyyy-mm>.md``: a ``# <blog
    title> — <Month YYYY>`` heading (the title from ``blog/config.yaml``), a
    short intro paragraph, a ``## Top posts`` numbered list of the N most
    viewed published posts of that month (``[Title](../blog/posts/<file>)
    by Author — teaser``, the teaser being the post's first sentence) and a
    ``## More from the blog`` list linking the month's other published
    posts, newest first. Ranking and tie-break rules are stated.

    **Workspace**: ``blog/posts/*.md`` with YAML front matter (title, date,
    author, views, tags, draft) and a body, posts from neighbouring months,
    ``blog/config.yaml``, an old newsletter as a style example, unrelated
    files.

    **Checks**: the heading; an intro paragraph; the top list's links in
    rank order, its authors and teasers in order; the "more" list's links
    in date order; no posts from other months (or drafts) linked.

    **Hard**: more posts, a draft with the most views, posts in the
    neighbouring months with high views, view ties broken by date then
    title, dates with a time of day, a larger N.

    **Rubric** (hybrid tasks): the intro is engaging and on-brand.
    """

    name = "newsletter_digest"
    scenario = Scenario.CONTENT_COMMUNICATION
    operations = (Operation.FILE_CONTENT, Operation.COMMUNICATION)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        year = rng.choice((2025, 2026))
        month = rng.randint(2, 11)
        tag = f"{year}-{month:02d}"
        month_name = f"{MONTHS[month - 1]} {year}"
        top_n = rng.choice((4, 5)) if hard else 3
        in_month = rng.randint(top_n + 3, top_n + 5) if hard else rng.randint(top_n + 2, top_n + 4)
        outside = rng.randint(4, 6) if hard else rng.randint(2, 4)
        authors = [b.persona.name, *b.persona.team[:3]]
        org = b.persona.org
        bare = org[4:] if org.lower().startswith("the ") else org
        blog_title = rng.choice((f"The {bare} Blog", f"Notes from {org}", f"{bare[0].upper()}{bare[1:]} Journal"))

        fill_pool = {
            "jargon": list(domain.jargon),
            "project": list(domain.projects),
            "product": list(domain.products),
            "department": list(domain.departments),
        }
        used_titles: set[str] = set()
        used_openers: set[str] = set()

        def fill(template: str) -> str:
            values = {key: rng.choice(options) for key, options in fill_pool.items()}
            values["person"] = rng.choice(b.persona.team).split()[0]
            return template.format(**values)

        def new_post(day: dt.date, draft: bool = False) -> dict:
            while True:
                title = fill(rng.choice(TITLES))
                title = title[0].upper() + title[1:]
                if title.lower() not in used_titles:
                    used_titles.add(title.lower())
                    break
            while True:
                opener = fill(rng.choice(OPENERS))
                opener = opener[0].upper() + opener[1:]
                if opener not in used_openers and not re.search(r"\d\.\d|\be\.g\.|\bi\.e\.|\bDr\.|\bSt\.", opener):
                    used_openers.add(opener)
                    break
            return {"title": title, "date": day, "author": rng.choice(authors), "views": rng.randint(120, 4800),
                    "tags": rng.sample(domain.jargon, 2), "draft": draft, "opener": opener,
                    "time": f"{rng.randint(7, 18):02d}:{rng.choice((0, 15, 30, 45)):02d}"}  # fmt: skip

        first = dt.date(year, month, 1)
        last = date_add(dt.date(year + (month == 12), month % 12 + 1, 1), -1)
        days = sorted(rng.sample(range(last.day), in_month))
        posts = [new_post(date_add(first, day)) for day in days]
        seen_views: set[int] = set()
        for post in posts:
            while post["views"] in seen_views:
                post["views"] = rng.randint(120, 4800)
            seen_views.add(post["views"])
        others = []
        for _ in range(outside):
            before = rng.chance(0.5)
            others.append(
                new_post(date_add(first, -rng.randint(1, 25)) if before else date_add(last, rng.randint(1, 25)))
            )
        drafts = []
        if hard:
            ranked = sorted(posts, key=lambda p: -p["views"])
            drafts.append(new_post(date_add(first, rng.below(last.day)), draft=True))
            drafts[0]["views"] = ranked[0]["views"] + rng.randint(50, 900)
            for post in others[:2]:
                post["views"] = ranked[0]["views"] + rng.randint(10, 700)
            # A tie across the top-N boundary or inside the top list.
            a, bb = ranked[top_n - 1], ranked[top_n]
            bb["views"] = a["views"]

        def rank_key(post: dict) -> tuple:
            return (-post["views"], -post["date"].toordinal(), post["title"].lower())

        published = sorted(posts, key=rank_key)
        top = published[:top_n]
        rest = sorted(published[top_n:], key=lambda p: (-p["date"].toordinal(), p["title"].lower()))

        files: dict[str, str] = {}
        for post in posts + others + drafts:
            name = f"{iso(post['date'])}-{slug(post['title'], separator='-')}.md"
            post["file"] = name
            date_value = f"{iso(post['date'])}T{post['time']}:00" if hard and rng.chance(0.4) else iso(post["date"])
            front = {"title": post["title"], "date": date_value, "author": post["author"], "views": post["views"],
                     "tags": post["tags"], "draft": post["draft"]}  # fmt: skip
            first_heading = rng.choice(("Where we started", "The problem", "Background", "What changed"))
            second_heading = rng.choice(("What we learned", "Next steps", "Takeaways"))
            fillers = rng.sample(BODY, 3)
            body = [
                post["opener"] + " " + rng.choice(SECOND),
                "",
                f"## {first_heading}",
                "",
                fillers[0] + " " + fillers[1],
                "",
                f"## {second_heading}",
                "",
                fillers[2],
                "",
            ]
            files[f"blog/posts/{name}"] = "---\n" + yaml_text(front) + "---\n\n" + "\n".join(body)
        for path in sorted(files):
            b.file(path, files[path])
        config = yaml_text({"title": blog_title, "base_url": f"https://{b.persona.email_domain}/blog",
                            "language": "en", "posts_dir": "posts", "newsletter_dir": "../newsletter"})  # fmt: skip
        b.file("blog/config.yaml", config)
        prev = date_add(first, -1)
        old = (
            f"# {blog_title} — {MONTHS[prev.month - 1]} {prev.year}\n\n"
            "Hello again! A quick round-up of what we published last month.\n\n"
            "## Top posts\n\n1. (see the blog)\n\n## More from the blog\n\n- (see the blog)\n"
        )
        b.file(f"newsletter/{prev.year}-{prev.month:02d}.md", old)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["blog/", "newsletter/"],
            exclude_kinds=("post_draft",),
        )

        out = f"newsletter/{tag}.md"
        item_format = "`[Title](../blog/posts/<file name>) by Author — teaser`"
        rank_rule = "ranked by views"
        if hard:
            rank_rule += ", ties going to the more recent post and then by title A-Z"
        body = b.pick(
            [
                f"Could you put together the {month_name} newsletter? It goes in {out}. Start with the heading "
                f"`# <blog title> — {month_name}` (the blog title is in blog/config.yaml), then a short, friendly "
                f"intro paragraph, then `## Top posts`: a numbered list of the {top_n} most-read posts published "
                f"in {month_name}, {rank_rule}, each written as {item_format}, where the teaser is the post's first "
                "sentence, word for word. Finish with `## More from the blog`: a bullet list linking every other "
                f"post from {month_name} the same way ([Title](../blog/posts/<file name>)), newest first.",
                f"Newsletter time! For {month_name}, please write {out}:\n"
                f"1. Heading `# <blog title> — {month_name}`, using the title from blog/config.yaml.\n"
                "2. A 2-4 sentence intro right under it.\n"
                f"3. `## Top posts`: numbered, the top {top_n} posts of {month_name} {rank_rule}; each item "
                f"{item_format} (teaser = the first sentence of the post, exactly as written).\n"
                f"4. `## More from the blog`: bullets linking the remaining {month_name} posts "
                "([Title](../blog/posts/<file name>)), most recent first.\n"
                "Posts are in blog/posts/ with their stats in the front matter.",
                f"the monthly newsletter is due. blog/posts/ has everything we've published (views are in each "
                f"post's front matter). I need {out} with a `# <blog title> — {month_name}` heading (title from "
                "blog/config.yaml), a quick intro, a `## Top posts` numbered list with the "
                f"{top_n} most viewed {month_name} posts ({rank_rule}) as {item_format} (teaser = first sentence "
                "of the post, copied exactly), and a `## More from the blog` bullet list with links to the rest of "
                f"that month's posts, newest first.",
            ]
        )
        notes = ["Only posts dated in that month count."]
        if hard:
            notes.append("Drafts (draft: true) aren't published yet: leave them out completely.")
        body += "\n\n" + " ".join(notes) + " The old newsletter in newsletter/ shows roughly how it looks."
        b.instruct(body[:1].upper() + body[1:])
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 6)

        # Checks.
        def link(post: dict) -> str:
            return f"[{post['title']}](../blog/posts/{post['file']})"

        c = b.checks
        has = c.file_exists("newsletter_written", out)
        c.text_regex("heading_with_blog_title", out,
                     rf"\A\s*#\s+{re.escape(blog_title)}\s+[—–-]+\s+{re.escape(month_name)}\s*$", flags="im",
                     requires=[has])  # fmt: skip
        c.text_regex("intro_paragraph", out, r"\A\s*#[^\n]*\n\s*(?!#|[-*+] |\d+[.)] )[^\n]{15,}", requires=[has])
        c.md_items("top_posts_chosen", out, "Top posts", [link(p) for p in top], ordered=False, match="contains",
                   requires=[has])  # fmt: skip
        c.md_items("top_posts_ranked", out, "Top posts", [link(p) for p in top], match="contains", requires=[has])
        c.md_items("top_posts_authors", out, "Top posts", [f"by {p['author']}" for p in top], match="contains",
                   requires=[has])  # fmt: skip
        c.md_items("top_posts_teasers", out, "Top posts", [p["opener"] for p in top], match="contains",
                   requires=[has])  # fmt: skip
        c.md_items("more_posts_all_listed", out, "More from the blog", [link(p) for p in rest], ordered=False,
                   match="contains", requires=[has])  # fmt: skip
        c.md_items("more_posts_newest_first", out, "More from the blog", [link(p) for p in rest], match="contains",
                   requires=[has])  # fmt: skip
        c.text_absent("other_months_left_out", out, [f"posts/{p['file']}" for p in others], requires=[has])
        if drafts:
            c.text_absent("drafts_left_out", out, [f"posts/{p['file']}" for p in drafts], requires=[has])

        intro = (
            f"Welcome to the {month_name} round-up! It was a busy month on the blog, and you clearly noticed: "
            f"here are the {top_n} posts you read most, plus everything else we published. Pour a coffee and "
            "catch up."
        )
        lines = [f"# {blog_title} — {month_name}", "", intro, "", "## Top posts", ""]
        for index, post in enumerate(top):
            lines.append(f"{index + 1}. {link(post)} by {post['author']} — {post['opener']}")
        lines += ["", "## More from the blog", ""]
        lines += [f"- {link(post)}" for post in rest]
        newsletter = "\n".join(lines) + "\n"

        s = b.solution
        s.exec("cat blog/config.yaml && ls blog/posts newsletter")
        s.exec('cd blog/posts && for f in *.md; do echo "== $f"; sed -n \'1,12p\' "$f"; done')
        s.write(out, newsletter)

        swapped = list(top)
        swapped[0], swapped[1] = swapped[1], swapped[0]
        wrong_lines = [f"# {blog_title} — {month_name}", "", intro, "", "## Top posts", ""]
        wrong_lines += [f"{i + 1}. {link(p)} by {p['author']} — {p['opener']}" for i, p in enumerate(swapped)]
        wrong_lines += ["", "## More from the blog", ""] + [f"- {link(post)}" for post in rest]
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": out, "content": "\n".join(wrong_lines)
                     + "\n"}}])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "intro_engaging",
                f"The intro paragraph makes a reader of {blog_title} want to keep reading: it is warm, specific to "
                "this month's posts (mentions a theme or a highlight), and short.",
                {
                    "0": "No intro, or boilerplate unrelated to the content.",
                    "0.25": "Generic filler that could open any newsletter.",
                    "0.5": "Pleasant but bland; barely touches this month's posts.",
                    "0.75": "Engaging and relevant with minor wordiness.",
                    "1.0": "Inviting, concise and clearly tied to this month's highlights.",
                },
                weight=2.0,
            )
            b.rubric(
                "newsletter_on_brand",
                f"The newsletter reads like it comes from {b.persona.org}: consistent voice, no hype or clickbait, "
                "clean formatting that works in an email client.",
                {
                    "0": "Off-brand, sloppy or broken formatting.",
                    "0.25": "Several lapses in tone or formatting.",
                    "0.5": "Acceptable but inconsistent.",
                    "0.75": "On-brand with small lapses.",
                    "1.0": "Polished and consistently on-brand.",
                },
            )
