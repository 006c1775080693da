"""Survey summary: score a staff pulse survey export (means, NPS, per-team view) and count comment themes."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, json_text

__all__ = ["SurveySummary"]

QUESTIONS = (
    "I have the tools and equipment I need to do my job well.",
    "I know what is expected of me at work.",
    "My workload is manageable most weeks.",
    "I get useful feedback from my manager.",
    "I would recommend working here to a friend.",
    "Decisions that affect my work are explained to me.",
    "I feel my work is recognised.",
    "I have the training I need.",
)
THEMES = {
    "workload": (
        "The workload has been unsustainable since {project} started.",
        "Workload is fine most weeks, but month-end is brutal.",
        "Please look at workload in {dept} before hiring freezes bite.",
    ),
    "training": (
        "More training on {product} would really help.",
        "The training sessions last quarter were genuinely useful.",
        "New people get almost no training before they're on their own.",
    ),
    "communication": (
        "Communication between {dept} and the rest of us could be a lot better.",
        "Leadership communication has improved, thank you.",
        "I find out about changes from the group chat; communication is patchy.",
    ),
    "schedule": (
        "The schedule changes too late in the week to plan anything.",
        "I like the new schedule, it's much fairer.",
        "Could the schedule be posted two weeks ahead?",
    ),
    "recognition": (
        "Recognition for the extra hours on {project} would mean a lot.",
        "There's very little recognition when things go well.",
    ),
    "equipment": (
        "Half the equipment in {dept} is past its best.",
        "Equipment requests take weeks to get approved.",
    ),
    "meeting": (
        "Too many meetings, not enough time to actually do the work.",
        "The Monday meeting is the most useful hour of my week.",
        "Could we cancel the Friday status meeting?",
    ),
    "onboarding": (
        "Onboarding for new starters felt rushed.",
        "Onboarding was excellent, whoever organised it deserves a raise.",
    ),
}
FILLER = (
    "Overall happy here.",
    "Thanks for asking!",
    "Good team, good manager.",
    "Nothing else to add.",
    "Keep doing what you're doing.",
    "It's been a tough few months but we're getting there.",
    "I'd like more flexibility on hours.",
    "The new coffee machine is a big win.",
)


class SurveySummary(TaskFamily):
    """Summarise a staff pulse survey: question means, NPS, one question by team, and comment themes.

    **Request**: from the survey export, write ``results.json`` (response
    count, mean of each 1-5 question rounded to 2 decimals, NPS = % promoters
    − % detractors rounded to 1 decimal, per-team means for one named
    question) and ``themes.csv`` counting the comments that mention each
    keyword of a provided list (case-insensitive substring), sorted by
    count then keyword.

    **Workspace**: ``survey/<name>/responses.csv`` (response id, timestamp,
    respondent email, team, q1-q5, nps, comment), ``questions.md`` with the
    wording and NPS definition, ``theme_keywords.txt``, distractors.

    **Checks**: the JSON parses; response count; each question's mean; the
    NPS; the per-team means (team set and values); the themes header and
    rows in order; the inputs unchanged.

    **Hard**: more responses, blank answers to exclude per question (and
    from NPS), people who submitted twice (keep only their latest
    submission), and a test submission by the survey admin to drop.
    """

    name = "survey_summary"
    scenario = Scenario.ANALYSIS_DECISION
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        questions = rng.sample(QUESTIONS, 5)
        teams = rng.sample(domain.departments, rng.randint(3, 4))
        focus = rng.randint(1, 5)
        year = rng.choice((2025, 2026))
        opened = dt.datetime(year, rng.randint(1, 11), rng.randint(1, 20), 8, 0)
        survey_name = rng.choice(("pulse", "staff_pulse", "engagement_check_in", "team_survey"))
        period = f"{opened.year}-{opened.month:02d}"
        folder = f"survey/{survey_name}_{period}"
        keywords = sorted(rng.sample(sorted(THEMES), rng.randint(5, 6) if not b.hard else rng.randint(6, 8)))
        fill = {"project": rng.choice(domain.projects), "dept": rng.choice(domain.departments),
                "product": rng.choice(domain.products)}  # fmt: skip

        count = rng.randint(45, 60) if b.hard else rng.randint(24, 36)
        people = b.pools.people(rng, count + 2)
        email_domain = b.persona.email_domain
        team_bias = {team: rng.randint(-8, 8) / 10 for team in teams}

        def answers(team: str) -> list[int | None]:
            values: list[int | None] = []
            for _ in range(5):
                centre = 3.4 + team_bias[team] + rng.randint(-15, 15) / 10
                values.append(max(1, min(5, round(centre + rng.randint(-10, 10) / 10))))
            return values

        def comment() -> str:
            roll = rng.random()
            if roll < 0.2:
                return ""
            themes = rng.sample(sorted(THEMES), 1 if roll < 0.7 else 2)
            parts = [rng.choice(THEMES[t]).format(**fill) for t in themes]
            if rng.chance(0.4):
                parts.insert(rng.randint(0, len(parts)), rng.choice(FILLER))
            return " ".join(parts)

        # Submissions: (timestamp, respondent, team, answers, nps, comment, kept)
        subs: list[dict] = []
        moment = opened
        for index in range(count):
            moment += dt.timedelta(minutes=rng.randint(3, 400))
            team = rng.choice(teams) if index >= len(teams) else teams[index]
            nps = max(0, min(10, round(7 + team_bias[team] * 2 + rng.randint(-40, 30) / 10)))
            subs.append({"ts": moment, "who": people[index], "team": team, "answers": answers(team), "nps": nps,
                         "comment": comment(), "kept": True})  # fmt: skip
        if b.hard:
            # the first submission of each team stays complete, so every team keeps a q answer
            for sub in rng.sample(subs[len(teams) :], rng.randint(4, 7)):
                sub["answers"][rng.below(5)] = None
            for sub in rng.sample(subs[len(teams) :], rng.randint(2, 3)):
                sub["nps"] = None
            # resubmissions: a later row from the same person replaces the earlier one
            for sub in rng.sample(subs[len(teams) : count // 2], rng.randint(2, 3)):
                sub["kept"] = False
                again = dict(sub, answers=answers(sub["team"]), comment=comment(), kept=True,
                             nps=max(0, min(10, (sub["nps"] or 7) + rng.randint(-3, 3))))  # fmt: skip
                again["ts"] = sub["ts"] + dt.timedelta(hours=rng.randint(20, 60), minutes=rng.randint(0, 59))
                subs.append(again)
            admin = b.persona.name
            test = {"ts": opened + dt.timedelta(minutes=1), "who": admin, "team": teams[0], "answers": [5] * 5,
                    "nps": 10, "comment": "TEST - please ignore (checking the form works)", "kept": False}  # fmt: skip
            subs.append(test)
        subs.sort(key=lambda sub: sub["ts"])

        header = ["response_id", "submitted_at", "respondent", "team", "q1", "q2", "q3", "q4", "q5", "nps", "comment"]
        rows = [header]
        first_id = rng.randint(1000, 8000)
        for index, sub in enumerate(subs):
            rows.append([
                f"R{first_id + index}",
                sub["ts"].strftime("%Y-%m-%d %H:%M"),
                b.pools.email(sub["who"], email_domain),
                sub["team"],
                *("" if value is None else value for value in sub["answers"]),
                "" if sub["nps"] is None else sub["nps"],
                sub["comment"],
            ])  # fmt: skip
        responses = csv_text(rows)
        b.file(f"{folder}/responses.csv", responses)
        qdoc = [f"# {survey_name.replace('_', ' ').title()} — {period}", "", "Answer scale for q1-q5: 1 = strongly "
                "disagree … 5 = strongly agree.", ""]  # fmt: skip
        qdoc += [f"- q{index}: {text}" for index, text in enumerate(questions, start=1)]
        qdoc += [
            "- nps: How likely are you to recommend us as a place to work? (0-10)",
            "",
            "NPS: promoters answer 9-10, detractors 0-6 (7-8 are passives). NPS = % promoters − % detractors, "
            "out of everyone who answered the nps question.",
        ]
        if b.hard:
            qdoc += [
                "",
                "Notes from setup: the form allowed skipping questions, and people could submit again (their "
                f"latest submission replaces the earlier one). {b.persona.name.split()[0]} sent one test "
                "submission before launch; it isn't a real response.",
            ]
        questions_text = "\n".join(qdoc) + "\n"
        b.file(f"{folder}/questions.md", questions_text)
        keywords_text = "# themes we're tracking this round, one per line\n" + "\n".join(keywords) + "\n"
        b.file(f"{folder}/theme_keywords.txt", keywords_text)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["survey/"])

        # Ground truth.
        kept = [sub for sub in subs if sub["kept"]]
        means = {}
        for q in range(5):
            values = [sub["answers"][q] for sub in kept if sub["answers"][q] is not None]
            means[f"q{q + 1}"] = round(sum(values) / len(values), 2)
        nps_values = [sub["nps"] for sub in kept if sub["nps"] is not None]
        promoters = sum(1 for v in nps_values if v >= 9)
        detractors = sum(1 for v in nps_values if v <= 6)
        nps = round((promoters - detractors) * 100 / len(nps_values), 1)
        team_means = {}
        for team in sorted(teams):
            values = [sub["answers"][focus - 1] for sub in kept if sub["team"] == team]
            values = [v for v in values if v is not None]
            team_means[team] = round(sum(values) / len(values), 2)
        theme_counts = {k: sum(1 for sub in kept if k in sub["comment"].lower()) for k in keywords}
        theme_rows = sorted(theme_counts.items(), key=lambda item: (-item[1], item[0]))
        results = {"responses": len(kept), "question_means": means, "nps": nps, "team_means": team_means}

        json_path, themes_path = f"{folder}/results.json", f"{folder}/themes.csv"
        schema = (f'{{"responses": <count>, "question_means": {{"q1": ..., "q5": ...}}, "nps": <score>, '
                  f'"team_means": {{"<team>": <mean of q{focus}>, ...}}}}')  # fmt: skip
        body = b.pick(
            [
                f"The {period} pulse survey closed and the export is in {folder}/responses.csv (question wording "
                f"in questions.md next to it). Can you write {json_path} shaped like {schema}? Means are per "
                "question over everyone who answered it, rounded to 2 decimals; NPS is % promoters minus % "
                f"detractors as defined in questions.md, rounded to 1 decimal; team_means is the q{focus} mean "
                f"per team. Also make {themes_path} with columns keyword,comments: for each keyword in "
                "theme_keywords.txt, how many comments mention it (case-insensitive, anywhere in the comment, "
                "each comment counted once per keyword), most-mentioned first, ties alphabetical, zeros included.",
                f"Survey results please! Everything's in {folder}/.\n\n"
                f"- {json_path}: {schema}. Question means rounded to 2 decimals (people who skipped a question "
                "don't count for it), NPS = %promoters − %detractors rounded to 1 decimal (see questions.md), "
                f"team_means = average q{focus} answer per team, also 2 decimals.\n"
                f"- {themes_path}: header keyword,comments, one row per keyword in theme_keywords.txt with the "
                "number of comments containing it (ignore case; a keyword matches inside longer words too, so "
                "'meeting' counts 'meetings'), sorted by comments descending then keyword A-Z; keep keywords "
                "with 0.",
                f"Could you summarise {folder}/responses.csv for me? I need two files. First {json_path} with "
                f"this structure: {schema} — means to 2 decimals, NPS (% of 9-10s minus % of 0-6s) to 1 "
                f"decimal, and the team breakdown is for q{focus} only. Second, {themes_path} (columns "
                "keyword,comments) counting how many comments mention each word in theme_keywords.txt, ignoring "
                "case and counting a comment once per keyword (longer forms count too, e.g. 'meetings' for "
                "'meeting'); every keyword gets a row, highest count first "
                "and alphabetical on ties.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: blank answers are skips, not zeros; some people submitted twice, "
                "so keep only their latest submission (and its comment); and there's a test submission in "
                "there that must not count. The response count is the number of real, de-duplicated "
                "submissions."
            )
        body += "\n\nDon't change the files in the survey folder."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(8 if b.hard else 6)

        # Checks.
        c = b.checks
        ok = c.json_valid("results_json_written", json_path)
        c.json_equals("response_count", json_path, "/responses", len(kept), requires=[ok])
        for q in range(1, 6):
            c.json_equals(f"q{q}_mean", json_path, f"/question_means/q{q}", means[f"q{q}"], tolerance=0.01,
                          requires=[ok])  # fmt: skip
        c.json_equals("nps_score", json_path, "/nps", nps, tolerance=0.1, requires=[ok])
        c.json_keys("team_means_teams", json_path, "/team_means", sorted(teams), exact=True, requires=[ok])
        c.json_equals("team_means_values", json_path, "/team_means", team_means, tolerance=0.01, requires=[ok])
        head = c.csv_header("themes_header", themes_path, ["keyword", "comments"], ignore_case=True)
        c.csv_rows("themes_counts_sorted", themes_path, [list(row) for row in theme_rows], ignore_case=True,
                   requires=[head])  # fmt: skip
        c.csv_rows("themes_counts_any_order", themes_path, [list(row) for row in theme_rows], ordered=False,
                   ignore_case=True, requires=[head])  # fmt: skip
        inputs = {f"{folder}/responses.csv": responses, f"{folder}/questions.md": questions_text,
                  f"{folder}/theme_keywords.txt": keywords_text}  # fmt: skip
        c.files_unchanged("inputs_unchanged", inputs, requires=[ok])

        # Reference solution.
        s = b.solution
        s.exec(f"ls {folder} && head -5 {folder}/responses.csv && wc -l {folder}/responses.csv")
        s.read(f"{folder}/questions.md")
        s.exec(f"cat {folder}/theme_keywords.txt")
        if b.hard:
            s.exec(f"cut -d, -f3 {folder}/responses.csv | sort | uniq -d")
        s.write(json_path, json_text(results))
        s.write(themes_path, csv_text([["keyword", "comments"], *theme_rows]))

        # Near miss: 7s counted as detractors.
        wrong_detractors = sum(1 for v in nps_values if v <= 7)
        wrong = dict(results, nps=round((promoters - wrong_detractors) * 100 / len(nps_values), 1))
        if abs(wrong["nps"] - nps) < 0.2:
            wrong["nps"] = round(nps + 5.0, 1)
        b.near_miss([*s.steps[:-2], {"name": "write", "arguments": {"path": json_path, "content": json_text(wrong)}},
                     s.steps[-1]])  # fmt: skip
