"""Job shortlist: filter job postings against the user's criteria and rank them by salary."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, jsonl_text

__all__ = ["JobShortlist"]

# role family -> (title keywords the user wants, titles in that family)
ROLES = {
    "analytics": (("Analyst", "Analytics"), ("Data Analyst", "Senior Data Analyst", "Analytics Engineer",
                                             "Analytics Lead", "Business Analyst", "Pricing Analyst")),
    "operations": (("Operations", "Program Manager"), ("Operations Manager", "Operations Coordinator",
                                                       "Program Manager", "Senior Program Manager",
                                                       "Head of Operations", "Business Operations Lead")),
    "design": (("Designer", "UX"), ("Product Designer", "UX Designer", "UX Researcher", "Senior Product Designer",
                                    "Visual Designer", "Content Designer")),
    "customer": (("Customer Success", "Account Manager"), ("Customer Success Manager", "Account Manager",
                                                            "Senior Account Manager", "Customer Success Lead",
                                                            "Key Account Manager", "Customer Success Associate")),
}  # fmt: skip
OTHER_TITLES = ("Software Engineer", "Marketing Coordinator", "HR Generalist", "Sales Development Rep",
                "Office Administrator", "QA Engineer", "Recruiter", "Finance Assistant")  # fmt: skip
SKILLS = ("SQL", "Python", "Excel", "Tableau", "Salesforce", "Jira", "Figma", "stakeholder management",
          "public speaking", "Looker", "HubSpot", "Spanish")  # fmt: skip
DEALBREAKERS = ("SAP", "security clearance", "driving licence", "Mandarin", "CPA certification")
EMPLOYERS = ("Northwind Labs", "Cobalt & Pine", "Harbourline", "Tessellate", "Quayside Group", "Brightfold",
             "Meridian Works", "Lanternfish", "Oakmere Health", "Copperleaf", "Stratus Retail", "Kindling Media",
             "Foxglove Software", "Pebblebrook", "Waymark Logistics", "Saltbox Studio")  # fmt: skip


class JobShortlist(TaskFamily):
    """Shortlist job postings that meet the user's criteria and rank them by salary midpoint.

    **Request**: from ``job_hunt/postings.jsonl`` and the criteria in
    ``job_hunt/criteria.md`` (title keywords, where, minimum salary
    midpoint, dealbreaker requirements, posted since), write
    ``job_hunt/shortlist.csv`` (rank, id, title, company, location,
    salary_midpoint, posted) ranked by annual salary midpoint, highest
    first, ties by newer posting then id, and ``job_hunt/shortlist.md`` with
    a ``## Shortlist`` numbered list, one line per job with its title and id.

    **Workspace**: the postings (id, title, company, location, remote,
    salary {min, max, currency, period}, posted, expires, requirements,
    url), the criteria note, an old shortlist from a previous search,
    unrelated files. A tie in midpoint exercises the tie-break.

    **Checks**: both files exist; the CSV header; ids in ranked order; the
    midpoints in order; the full rows; the Markdown list's ids and titles
    in order; the postings unchanged.

    **Hard**: more postings; hourly and monthly salaries to normalise
    (2080 hours, 12 months a year); postings that expired before today;
    more criteria traps.
    """

    name = "job_shortlist"
    scenario = Scenario.INFORMATION_RETRIEVAL
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        family = rng.choice(list(ROLES))
        keywords, titles = ROLES[family]
        home = b.pools.city(rng).split(",")[0]
        elsewhere = [city.split(",")[0] for city in b.pools.cities if not city.startswith(home)]
        today = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        since = date_add(today, -rng.choice((21, 30, 45)))
        floor = rng.choice((60000, 70000, 80000, 90000))
        banned = rng.sample(DEALBREAKERS, 2)
        employers = rng.shuffled(EMPLOYERS)

        def make(kind: str) -> dict:
            """A posting; ``kind`` says which criterion it fails (``ok`` for none)."""
            title = rng.choice(titles) if kind != "title" else rng.choice(OTHER_TITLES)
            mode = rng.choice(("remote", "hybrid", "on-site"))
            city = home if mode != "remote" else "Remote"
            if kind == "place":
                mode, city = rng.choice(("hybrid", "on-site")), rng.choice(elsewhere)
            mid = floor + rng.randint(1, 12) * 2500 if kind != "pay" else floor - rng.randint(1, 8) * 2500
            spread = rng.choice((5000, 10000, 15000, 20000))
            low, high = mid - spread, mid + spread
            period = "year"
            if b.hard and rng.chance(0.4):
                period = rng.choice(("hour", "month"))
            if period == "hour":
                # Half-dollar rates whose yearly midpoint is close to the intended one.
                center = round(mid / 2080 * 2) / 2
                half = rng.choice((2.5, 5.0, 7.5))
                low, high = center - half, center + half
            elif period == "month":
                center = round(mid / 12 / 50) * 50
                half = rng.choice((250, 500, 750))
                low, high = center - half, center + half
            posted = date_add(today, -rng.randint(1, (today - since).days))
            if kind == "old":
                posted = date_add(since, -rng.randint(3, 40))
            expires = date_add(posted, rng.choice((30, 45, 60, 90)))
            if expires <= today:
                expires = date_add(today, rng.randint(5, 40))
            if kind == "expired":
                expires = date_add(today, -rng.randint(1, 10))
                posted = min(posted, date_add(expires, -30))
                if posted < since:
                    posted = since
            requirements = rng.sample(SKILLS, rng.randint(2, 4))
            if kind == "skill":
                requirements.insert(rng.below(len(requirements) + 1), rng.choice(banned))
            return {
                "title": title,
                "company": "",
                "location": city,
                "remote": mode,
                "salary": {"min": low, "max": high, "currency": "USD", "period": period},
                "posted": posted,
                "expires": expires,
                "requirements": requirements,
            }

        kinds = ["ok"] * (rng.randint(6, 8) if b.hard else rng.randint(4, 6))
        kinds += ["title", "place", "pay", "skill", "old"]
        if b.hard:
            kinds += ["expired", "expired", "skill", "place", "pay"]
        kinds += [rng.choice(("title", "place", "pay", "ok")) for _ in range(rng.randint(1, 3))]
        postings = [make(kind) for kind in rng.shuffled(kinds)]
        for index, posting in enumerate(postings):
            posting["company"] = employers[index % len(employers)]

        def yearly(posting: dict) -> float:
            salary = posting["salary"]
            factor = {"year": 1, "hour": 2080, "month": 12}[salary["period"]]
            return (salary["min"] + salary["max"]) / 2 * factor

        def keep(posting: dict, check_skills: bool = True) -> bool:
            return (
                any(word.lower() in posting["title"].lower() for word in keywords)
                and (posting["remote"] == "remote" or posting["location"] == home)
                and yearly(posting) >= floor
                and (not check_skills or not any(skill in posting["requirements"] for skill in banned))
                and posting["posted"] >= since
                and posting["expires"] >= today
            )

        # A tie on the midpoint between two kept postings (different posting dates), for the tie-break.
        kept = [p for p in postings if keep(p)]
        if len(kept) >= 2:
            first, second = kept[0], kept[1]
            second["salary"] = dict(first["salary"])
            if second["posted"] == first["posted"]:
                second["posted"] = (
                    date_add(first["posted"], -1) if first["posted"] > since else date_add(first["posted"], 1)
                )
        start = rng.randint(2100, 8800)
        for index, posting in enumerate(postings):
            posting["id"] = f"JOB-{start + index * 13}"

        def ranked(check_skills: bool = True) -> list[dict]:
            chosen = [p for p in postings if keep(p, check_skills)]
            chosen.sort(key=lambda p: p["id"])
            chosen.sort(key=lambda p: p["posted"], reverse=True)
            chosen.sort(key=lambda p: yearly(p), reverse=True)
            return chosen

        shortlist = ranked()

        # -- files ------------------------------------------------------------------------------------------
        records = []
        for posting in postings:
            records.append(
                {
                    "id": posting["id"],
                    "title": posting["title"],
                    "company": posting["company"],
                    "location": posting["location"],
                    "remote": posting["remote"],
                    "salary": posting["salary"],
                    "posted": iso(posting["posted"]),
                    "expires": iso(posting["expires"]),
                    "requirements": posting["requirements"],
                    "url": f"https://jobs.example.com/{posting['id'].lower()}",
                }
            )
        postings_path = "job_hunt/postings.jsonl"
        postings_text = jsonl_text(records)
        b.file(postings_path, postings_text)
        criteria_lines = [
            "# What I'm looking for",
            "",
            f'- Role: the job title contains "{keywords[0]}" or "{keywords[1]}".',
            f"- Where: fully remote, or hybrid/on-site in {home}.",
            f"- Pay: salary midpoint (halfway between min and max) of at least ${floor:,} a year.",
            f"- Dealbreakers: skip anything that lists {banned[0]} or {banned[1]} in its requirements.",
            f"- Fresh only: posted on or after {iso(since)}.",
        ]
        if b.hard:
            criteria_lines += [
                f"- Still open: skip postings whose expires date is before today ({iso(today)}).",
                "- Some salaries are hourly or monthly: a year is 2080 hours or 12 months.",
            ]
        criteria_lines += ["", f"Last updated {iso(today)}."]
        criteria_path = "job_hunt/criteria.md"
        criteria = "\n".join(criteria_lines) + "\n"
        b.file(criteria_path, criteria)
        old_day = date_add(today, -rng.randint(150, 300))
        b.file(
            f"job_hunt/shortlist_{iso(old_day)}.md",
            f"## Shortlist ({iso(old_day)})\n\n1. {rng.choice(titles)} at {employers[-1]} — applied, no reply\n"
            f"2. {rng.choice(titles)} at {employers[-2]} — withdrew\n",
        )
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["job_hunt/"])

        # -- request -------------------------------------------------------------------------------------------
        csv_path = "job_hunt/shortlist.csv"
        md_path = "job_hunt/shortlist.md"
        spec_csv = (
            f"{csv_path} with columns rank,id,title,company,location,salary_midpoint,posted — salary_midpoint is "
            "the yearly midpoint in whole dollars, ranked highest first; ties go to the more recently posted job, "
            "then the lower id"
        )
        spec_md = (
            f"{md_path} with a `## Shortlist` heading and a numbered list in the same order, one line per job "
            "with at least the title, company, midpoint and id"
        )
        body = b.pick(
            [
                f"I'm quietly looking around. The postings I've collected are in {postings_path} and my criteria are "
                f"in {criteria_path}. Could you shortlist the jobs that meet all of the criteria? I'd like "
                f"{spec_csv}; and {spec_md}.",
                f"Job hunt admin, please:\n1. Read {criteria_path}.\n2. Filter {postings_path} to the postings "
                f"that meet every criterion.\n3. Write {spec_csv}.\n4. Write {spec_md}.",
                f"can you go through {postings_path} against my list in {criteria_path} and tell me what's worth "
                f"applying for? need {spec_csv}. also {spec_md}. don't touch the postings file.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: salaries don't all use the same period, so convert to yearly before "
                "comparing; and some postings have already expired."
            )
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(8 if b.hard else 6)

        # -- checks -------------------------------------------------------------------------------------------------
        rows = [
            [rank, p["id"], p["title"], p["company"], p["location"], round(yearly(p)), iso(p["posted"])]
            for rank, p in enumerate(shortlist, start=1)
        ]
        c = b.checks
        has = c.file_exists("shortlist_csv_written", csv_path)
        header = ["rank", "id", "title", "company", "location", "salary_midpoint", "posted"]
        c.csv_header("csv_header", csv_path, header, ignore_case=True, requires=[has])
        c.csv_column("ids_ranked", csv_path, "id", [row[1] for row in rows], requires=[has])
        c.csv_column("midpoints_correct", csv_path, "salary_midpoint", [row[5] for row in rows], tolerance=0.5,
                     requires=[has])  # fmt: skip
        for row in rows:
            pattern = (
                rf"^\s*\d+\s*,\s*\"?{re.escape(row[1])}\"?\s*,.*,\s*\"?{row[5]}(?:\.0+)?\"?\s*,"
                rf"\s*\"?{iso_pattern(row[6])}\"?\s*$"
            )
            c.text_regex(f"listed_{row[1].lower().replace('-', '_')}", csv_path, pattern, flags="m", requires=[has])
        c.csv_rows("rows_exact", csv_path, rows, tolerance=0.5, requires=[has])
        has_md = c.file_exists("shortlist_md_written", md_path)
        c.md_items("md_ids_in_order", md_path, "Shortlist", [row[1] for row in rows], match="contains",
                   requires=[has_md])  # fmt: skip
        c.md_items("md_titles_in_order", md_path, "Shortlist", [row[2] for row in rows], match="contains",
                   requires=[has_md])  # fmt: skip
        c.files_unchanged("postings_unchanged", {postings_path: postings_text, criteria_path: criteria},
                          requires=[has])  # fmt: skip

        # -- reference solution -----------------------------------------------------------------------------------
        def outputs(chosen: list[dict]) -> tuple[str, str]:
            lines = [
                [rank, p["id"], p["title"], p["company"], p["location"], round(yearly(p)), iso(p["posted"])]
                for rank, p in enumerate(chosen, start=1)
            ]
            md = "## Shortlist\n\n" + "".join(
                f"{row[0]}. {row[2]} — {row[3]} ({row[4]}), ${row[5]:,}/yr — {row[1]}\n" for row in lines
            )
            return csv_text([header, *lines]), md

        table, md = outputs(shortlist)
        s = b.solution
        s.exec(f"ls job_hunt && cat {criteria_path} && wc -l {postings_path}")
        s.read(postings_path)
        s.write(csv_path, table)
        s.write(md_path, md)

        # Near miss: the dealbreaker requirements were not checked.
        loose_table, loose_md = outputs(ranked(check_skills=False))
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": csv_path, "content": loose_table}},
                     {"name": "write", "arguments": {"path": md_path, "content": loose_md}}])  # fmt: skip


def iso_pattern(day: str) -> str:
    return re.escape(day)
