"""A/B test readout: count users and conversions per variant from an event log and apply the decision rule."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text, jsonl_text

__all__ = ["AbTestReadout"]

EXPERIMENTS = (
    ("shorter_signup_form", "a shorter sign-up form (3 fields instead of 7)"),
    ("hero_banner_copy", "new homepage banner copy"),
    ("reminder_email_subject", "a friendlier reminder email subject line"),
    ("sticky_cta_button", "a sticky call-to-action button on mobile"),
    ("social_proof_badge", "a 'trusted by 2,000 customers' badge on the landing page"),
    ("one_page_checkout", "a one-page checkout instead of three steps"),
    ("pricing_table_layout", "a simpler pricing table"),
    ("faq_above_fold", "moving the FAQ above the fold"),
)
CONVERSION_EVENT = {
    "retail": "purchase",
    "nonprofit": "donation",
    "hospitality": "booking",
    "restaurant": "reservation",
    "education": "enrolment",
    "events": "ticket_purchase",
    "healthcare": "appointment_booked",
    "finance": "application_submitted",
    "legal": "consultation_booked",
    "media": "subscription",
    "software": "trial_signup",
}
NOISE_EVENTS = ("page_view", "scroll_50", "click_faq", "add_to_cart", "page_view")


class AbTestReadout(TaskFamily):
    """Read out an A/B test from its raw event log: users, conversions, rates, lift, and the decision.

    **Request**: from ``events.jsonl`` and the experiment README (test
    window, conversion event, decision rule with a minimum sample per
    variant and a minimum relative lift), write ``readout.json`` (per
    variant users, conversions, conversion rate %, lift % vs control for
    the others, and the decision) and ``readout.md`` for a non-technical
    audience starting with a ``Decision:`` line.

    **Workspace**: ``experiments/<name>/README.md`` and ``events.jsonl``
    (user, variant, event, ISO timestamp; exposures, noise events,
    conversions, some users converting twice), distractors.

    **Checks**: the JSON parses; each variant's users, conversions and rate;
    each challenger's lift; the decision; the Markdown's decision line and
    each variant's conversion rate; the log is unchanged.

    **Hard**: three variants; users exposed to two variants (excluded
    entirely); QA exposures before the window and conversions after it
    (ignored); outcomes include "inconclusive" when a variant is under the
    minimum sample.

    **Rubric**: the readout is clear for a non-technical reader.
    """

    name = "ab_test_readout"
    scenario = Scenario.ANALYSIS_DECISION
    operations = (Operation.DATA_ANALYSIS, Operation.COMMUNICATION)
    rubric_capable = True
    domains = ("software", "retail", "media", "finance", "education", "nonprofit", "hospitality")

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        exp_slug, exp_desc = rng.choice(EXPERIMENTS)
        conversion = CONVERSION_EVENT.get(b.persona.domain, "signup")
        start = dt.datetime(rng.choice((2025, 2026)), rng.randint(1, 11), rng.randint(1, 14))
        days = rng.choice((7, 10, 14))
        end = start + dt.timedelta(days=days) - dt.timedelta(seconds=1)
        min_users = rng.choice((80, 100, 120))
        min_lift = rng.choice((5, 8, 10, 15))
        variants = ["control", "variant_b", "variant_c"] if b.hard else ["control", "treatment"]
        outcome = rng.weighted(("winner", "no_lift", "inconclusive"), (5, 3, 2 if b.hard else 1))
        lead = rng.choice(variants[1:])

        # Exact per-variant counts chosen to give a clear outcome (no borderline lifts or sample sizes).
        for attempt in range(200):
            draw = rng.child("counts", attempt)
            base_rate = draw.randint(60, 300) / 1000
            counts = {}
            for v in variants:
                users = (
                    draw.randint(min_users + 10, min_users + 90)
                    if not b.hard
                    else draw.randint(min_users + 8, min_users + 60)
                )
                counts[v] = {"users": users}
            if outcome == "inconclusive":
                small = draw.choice(variants)
                counts[small]["users"] = min_users - draw.randint(8, 35)
            counts["control"]["conv"] = max(3, round(counts["control"]["users"] * base_rate))
            for v in variants[1:]:
                if outcome == "winner" and v == lead:
                    lift = draw.randint(min_lift + 3, min_lift + 45)
                else:
                    lift = draw.randint(-25, min_lift - 3)
                counts[v]["conv"] = max(1, round(counts[v]["users"] * base_rate * (1 + lift / 100)))
            if all(c["conv"] < c["users"] for c in counts.values()):
                stats = _stats(counts, variants)
                lifts = [stats[v]["lift_pct_exact"] for v in variants[1:]]
                clear = all(abs(lift - min_lift) >= 1.0 for lift in lifts)
                if clear and _decide(stats, variants, min_users, min_lift) == _expected(outcome, lead):
                    break
        stats = _stats(counts, variants)
        winner = _decide(stats, variants, min_users, min_lift)

        # Events.
        used_ids: set[str] = set()

        def user_id() -> str:
            while True:
                uid = f"u{rng.randint(0x100000, 0xFFFFFF):06x}"
                if uid not in used_ids:
                    used_ids.add(uid)
                    return uid

        span = int((end - start).total_seconds())

        def moment(after: dt.datetime | None = None) -> dt.datetime:
            if after is None:
                return start + dt.timedelta(seconds=rng.randint(0, span - 7200))
            room = int((end - after).total_seconds())
            return after + dt.timedelta(seconds=rng.randint(30, max(31, min(room, 3 * 86400))))

        events: list[tuple[dt.datetime, str, str, str]] = []
        for v in variants:
            converters = set(rng.sample(range(counts[v]["users"]), counts[v]["conv"]))
            for index in range(counts[v]["users"]):
                uid = user_id()
                seen = moment()
                events.append((seen, uid, v, "exposure"))
                if rng.chance(0.5):
                    events.append((moment(seen), uid, v, rng.choice(NOISE_EVENTS)))
                if index in converters:
                    done = moment(seen)
                    events.append((done, uid, v, conversion))
                    if rng.chance(0.12):
                        events.append((moment(done), uid, v, conversion))
                elif b.hard and rng.chance(0.04):
                    # converted, but only after the test window closed
                    events.append((end + dt.timedelta(hours=rng.randint(2, 60)), uid, v, conversion))
        if b.hard:
            for _ in range(rng.randint(3, 6)):
                uid = user_id()
                first, second = rng.sample(variants, 2)
                seen = moment()
                events.append((seen, uid, first, "exposure"))
                events.append((moment(seen), uid, second, "exposure"))
                if rng.chance(0.6):
                    events.append((moment(seen), uid, rng.choice((first, second)), conversion))
            for _ in range(rng.randint(4, 8)):
                uid = user_id()
                qa = start - dt.timedelta(hours=rng.randint(2, 40), minutes=rng.randint(0, 59))
                v = rng.choice(variants)
                events.append((qa, uid, v, "exposure"))
                if rng.chance(0.5):
                    events.append((qa + dt.timedelta(minutes=rng.randint(1, 20)), uid, v, conversion))
        events.sort()
        records = [{"user": uid, "variant": v, "event": name, "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ")}
                   for ts, uid, v, name in events]  # fmt: skip
        folder = f"experiments/{start.year}-{start.month:02d}_{exp_slug}"
        log = jsonl_text(records)
        b.file(f"{folder}/events.jsonl", log)

        owner = rng.choice(b.persona.team)
        readme = [
            f"# Experiment: {exp_slug.replace('_', ' ')}",
            "",
            f"Owner: {owner}. Hypothesis: {exp_desc} increases the share of visitors who complete a `{conversion}`.",
            "",
            f"- Variants: {', '.join(f'`{v}`' for v in variants)} (`control` is the current version).",
            f"- Test window: {start.strftime('%Y-%m-%dT%H:%M:%SZ')} to {end.strftime('%Y-%m-%dT%H:%M:%SZ')} "
            "(inclusive). Only events inside the window count.",
            "- A user is in the test once they have an `exposure` event; they count for the variant they were "
            "exposed to.",
            f"- A user converts if they have at least one `{conversion}` event (repeat events count once).",
            "- Conversion rate = converting users / exposed users × 100.",
            "- Lift of a variant = (its rate − control rate) / control rate × 100.",
            "",
            "## Decision rule (agreed before launch)",
            "",
            f"1. If any variant (control included) has fewer than {min_users} users, the result is `inconclusive`.",
            f"2. Otherwise, a non-control variant wins if its lift is at least {min_lift}%; if more than one "
            "does, the highest lift wins.",
            "3. Otherwise the result is `control` (keep the current version).",
        ]
        if b.hard:
            readme += [
                "",
                "## Data notes",
                "",
                "- QA clicked through the variants before launch; those events are before the window.",
                "- A bug in the bucketing service exposed a few users to more than one variant. Exclude those "
                "users from every count.",
            ]
        readme_text = "\n".join(readme) + "\n"
        b.file(f"{folder}/README.md", readme_text)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["experiments/"])

        # Request.
        json_path, md_path = f"{folder}/readout.json", f"{folder}/readout.md"
        example = {"variants": {"control": {"users": 0, "conversions": 0, "conversion_rate": 0.0},
                                variants[1]: {"users": 0, "conversions": 0, "conversion_rate": 0.0,
                                              "lift_pct": 0.0}},
                   "winner": "..."}  # fmt: skip
        shape = json_text(example, indent=None).strip()
        body = b.pick(
            [
                f"The {exp_slug.replace('_', ' ')} test has finished. Could you read it out from "
                f"{folder}/events.jsonl, following the definitions and decision rule in {folder}/README.md? "
                f"Put the numbers in {json_path}, structured like this (one entry per variant, lift_pct only for "
                f"the non-control ones, winner = the variant name, control or inconclusive):\n\n{shape}\n\n"
                f"Then write {md_path} for people who don't do stats: first line `Decision: <winner>`, then a "
                "short plain-English explanation with each variant's conversion rate.",
                f"Can you do the readout for our {exp_slug.replace('_', ' ')} experiment?\n\n"
                f"1. Count exposed users and converting users per variant in {folder}/events.jsonl, using the "
                "rules in the README.\n"
                f"2. Save {json_path} in this shape (lift_pct for every variant except control; winner is a "
                f"variant name, `control` or `inconclusive` per the decision rule):\n\n{shape}\n\n"
                f"3. Write {md_path}, starting with `Decision: <winner>`, explaining the result to the team in "
                "plain words and quoting each variant's conversion rate.",
                f"quick one — the experiment in {folder} ({exp_desc}) is done and I need a readout for "
                f"tomorrow's team meeting. README has the window, what counts as a conversion and the decision "
                f"rule. I'd like {json_path} like\n\n{shape}\n\n(every variant gets an entry; lift_pct only "
                "for the non-control ones; winner is the variant name, control, or inconclusive) and a "
                f"non-technical {md_path} whose first line is `Decision: <winner>`, giving every variant's "
                "conversion rate.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: the log has events from before and after the test window, and some "
                "users were exposed to more than one variant (the README says what to do with them)."
            )
        body += (
            "\n\nConversion rates as percentages rounded to 2 decimals, lift_pct rounded to 1 decimal (computed "
            "from the unrounded rates). Please don't modify the event log."
        )
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(7 if b.hard else 5)

        # Checks.
        c = b.checks
        ok = c.json_valid("readout_json_written", json_path)
        c.json_keys("variants_listed", json_path, "/variants", variants, exact=True, requires=[ok])
        for v in variants:
            st = stats[v]
            c.json_equals(f"{v}_users", json_path, f"/variants/{v}/users", st["users"], requires=[ok])
            c.json_equals(f"{v}_conversions", json_path, f"/variants/{v}/conversions", st["conversions"],
                          requires=[ok])  # fmt: skip
            c.json_equals(f"{v}_rate", json_path, f"/variants/{v}/conversion_rate", st["rate"], tolerance=0.01,
                          requires=[ok])  # fmt: skip
            if v != "control":
                c.json_equals(f"{v}_lift", json_path, f"/variants/{v}/lift_pct", st["lift_pct"], tolerance=0.1,
                              requires=[ok])  # fmt: skip
        c.json_equals("winner_correct", json_path, "/winner", winner, ignore_case=True, requires=[ok])
        md = c.file_exists("readout_md_written", md_path)
        c.text_regex("decision_line", md_path, rf"(?im)^\W*Decision\W*{re.escape(winner)}\b", requires=[md])
        for v in variants:
            c.text_regex(f"md_quotes_{v}_rate", md_path, _rate_pattern(stats[v]["rate_exact"]), requires=[md])
        c.files_unchanged("event_log_unchanged", {f"{folder}/events.jsonl": log}, requires=[ok])

        # Reference solution.
        s = b.solution
        s.read(f"{folder}/README.md")
        s.exec(f"head -5 {folder}/events.jsonl && wc -l {folder}/events.jsonl && grep -c '\"exposure\"' "
               f"{folder}/events.jsonl")  # fmt: skip
        s.write(json_path, json_text(_readout(stats, variants, winner)))
        md_text = _markdown(stats, variants, winner, exp_desc, conversion, min_users, min_lift)
        s.write(md_path, md_text)

        # Near miss: conversion events counted instead of converting users.
        wrong_counts = {v: dict(counts[v]) for v in variants}
        for v in variants:
            repeats = sum(1 for ts, _, var, name in events if var == v and name == conversion and start <= ts <= end)
            wrong_counts[v]["conv"] = repeats
        wrong_stats = _stats(wrong_counts, variants)
        wrong_winner = _decide(wrong_stats, variants, min_users, min_lift)
        if all(wrong_stats[v]["conversions"] == stats[v]["conversions"] for v in variants):
            wrong_stats["control"]["conversions"] += 1
        b.near_miss([*s.steps[:2],
                     {"name": "write", "arguments": {"path": json_path,
                                                     "content": json_text(_readout(wrong_stats, variants,
                                                                                   wrong_winner))}},
                     s.steps[3]])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "readout_clear_for_non_technical_reader",
                "The Markdown readout explains what was tested, what happened and what the team should do "
                "next in plain language a non-technical colleague understands (no unexplained jargon such as "
                "'lift' or 'sample size' without a gloss), and is consistent with the JSON.",
                {
                    "0": "Missing, wrong, or unreadable for a non-specialist.",
                    "0.25": "Numbers dumped with jargon and no explanation.",
                    "0.5": "Correct but dry or jargon-heavy; the takeaway takes effort to find.",
                    "0.75": "Clear takeaway in plain words, minor jargon or verbosity.",
                    "1.0": "Immediately clear what was tested, what happened and what to do next.",
                },
                weight=2.0,
            )


def _stats(counts: dict, variants: list[str]) -> dict:
    control_rate = counts["control"]["conv"] / counts["control"]["users"]
    stats = {}
    for v in variants:
        users, conv = counts[v]["users"], counts[v]["conv"]
        rate = conv / users
        entry = {"users": users, "conversions": conv, "rate": round(rate * 100, 2), "rate_exact": rate * 100}
        if v != "control":
            lift = (rate - control_rate) / control_rate * 100
            entry["lift_pct"] = round(lift, 1)
            entry["lift_pct_exact"] = lift
        stats[v] = entry
    return stats


def _decide(stats: dict, variants: list[str], min_users: int, min_lift: int) -> str:
    if any(stats[v]["users"] < min_users for v in variants):
        return "inconclusive"
    qualifying = [v for v in variants[1:] if stats[v]["lift_pct_exact"] >= min_lift]
    if not qualifying:
        return "control"
    return max(qualifying, key=lambda v: stats[v]["lift_pct_exact"])


def _expected(outcome: str, lead: str) -> str:
    return {"winner": lead, "no_lift": "control", "inconclusive": "inconclusive"}[outcome]


def _readout(stats: dict, variants: list[str], winner: str) -> dict:
    out: dict = {"variants": {}, "winner": winner}
    for v in variants:
        st = stats[v]
        entry = {"users": st["users"], "conversions": st["conversions"], "conversion_rate": st["rate"]}
        if v != "control":
            entry["lift_pct"] = st["lift_pct"]
        out["variants"][v] = entry
    return out


def _markdown(stats, variants, winner, exp_desc, conversion, min_users, min_lift) -> str:
    lines = [f"Decision: {winner}", "", f"# What we tested: {exp_desc}", ""]
    for v in variants:
        st = stats[v]
        lines.append(f"- **{v}**: {st['conversions']} of {st['users']} visitors completed a {conversion} "
                     f"({st['rate']:.2f}%).")  # fmt: skip
    lines.append("")
    if winner == "inconclusive":
        small = [v for v in variants if stats[v]["users"] < min_users]
        lines.append(f"We can't call this one yet: {', '.join(small)} reached fewer than {min_users} people, the "
                     "minimum we agreed on before launch. The test needs to run longer before we decide.")  # fmt: skip
    elif winner == "control":
        lines.append(f"None of the new versions beat the current one by the {min_lift}% we agreed was worth "
                     "switching for, so we keep the current version.")  # fmt: skip
    else:
        lines.append(f"{winner} did better: {stats[winner]['lift_pct']:.1f}% more visitors converted than with the "
                     f"current version, above the {min_lift}% bar we set, so we recommend rolling it out.")  # fmt: skip
    return "\n".join(lines) + "\n"


def _rate_pattern(exact: float) -> str:
    """The rate with two decimals or one (either rounding near a half), followed by a percent sign."""
    options = {f"{exact:.2f}", f"{exact:.1f}"}
    for digits in (1, 2):
        scaled = exact * 10**digits
        if abs(scaled - int(scaled) - 0.5) < 0.02:
            options |= {f"{int(scaled) / 10**digits:.{digits}f}", f"{(int(scaled) + 1) / 10**digits:.{digits}f}"}
    return r"(?<![\d.])(?:" + "|".join(re.escape(o) for o in sorted(options)) + r")\s?%"
