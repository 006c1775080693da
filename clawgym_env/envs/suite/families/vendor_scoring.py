"""Vendor scoring: score supplier quotes with a weighted sheet, rank them and recommend one."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text, md_table, money_display, slug, yaml_text

__all__ = ["VendorScoring"]

CRITERIA = ("price", "lead_time", "warranty", "support")
WEIGHT_SETS = (
    (40, 20, 20, 20),
    (50, 20, 15, 15),
    (35, 25, 20, 20),
    (45, 15, 25, 15),
    (40, 30, 15, 15),
    (30, 20, 25, 25),
)
CERTIFICATIONS = ("ISO 9001", "ISO 14001", "ISO 27001", "SOC 2 Type II", "Cyber Essentials", "B Corp")
PAYMENT_TERMS = ("Net 30", "Net 45", "50% upfront, 50% on delivery", "Net 15")


class VendorScoring(TaskFamily):
    """Score vendor quotes against a weighted scoring sheet, rank them, and recommend a winner.

    **Request**: the user collected quotes for a contract and wants
    ``scoring.csv`` (rank, vendor, one normalised 0-100 score per criterion,
    weighted total; best first) and ``recommendation.md`` whose first lines
    name the recommended vendor and the runner-up with their totals.

    **Workspace**: ``procurement/<rfq>/``: the quotes (one JSON per vendor,
    or one ``quotes.yaml``) with price, lead time as text ("18 days"),
    warranty and certifications; ``references.csv`` with reference-call
    ratings (support = their mean); ``scoring_sheet.md`` with the weights and
    the min-max normalisation formula; distractors.

    **Checks**: the CSV header; the vendor ranking; the rank column; each
    criterion's scores and the totals (within rounding); the recommendation's
    winner, runner-up and their totals; the inputs are unchanged.

    **Hard**: one more vendor who fails a must-have in the sheet (a missing
    certification or a too-long lead time) and must be left out of the
    table and of the min/max, and is named in the recommendation as
    excluded; some lead times quoted in weeks.

    **Rubric**: the recommendation is justified by the scores and trade-offs.
    """

    name = "vendor_scoring"
    scenario = Scenario.ANALYSIS_DECISION
    operations = (Operation.DATA_ANALYSIS, Operation.COMMUNICATION)
    rubric_capable = True

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        project = rng.choice(domain.projects)
        rfq = f"rfq_{slug(project)}"
        base = f"procurement/{rfq}"
        eligible_count = rng.randint(4, 5) if b.hard else rng.randint(3, 5)
        names = rng.sample(domain.vendors, eligible_count + (1 if b.hard else 0))
        weights = dict(zip(CRITERIA, rng.choice(WEIGHT_SETS), strict=True))
        budget = rng.randint(12, 180) * 1000
        required_cert = rng.choice(CERTIFICATIONS[:4])
        max_lead = rng.choice((30, 35, 42, 45))
        must_kind = rng.choice(("cert", "lead")) if b.hard else None

        # Draw quotes until the ranking has clear gaps (no near-ties in the totals).
        for attempt in range(50):
            draw = rng.child("quotes", attempt)
            vendors = []
            for name in names[:eligible_count]:
                certs = [
                    required_cert,
                    *draw.sample([c for c in CERTIFICATIONS if c != required_cert], draw.randint(0, 2)),
                ]
                vendors.append({
                    "vendor": name,
                    "price": draw.randint(budget * 8 // 1000, budget * 125 // 10000) * 100,
                    "lead_days": draw.randint(7, max_lead - 2) if len(vendors) >= 2 or not b.hard
                    else 7 * draw.randint(1, max_lead // 7),
                    "warranty": draw.choice((6, 12, 12, 18, 24, 24, 36, 48, 60)),
                    "ratings": [draw.randint(2, 5) for _ in range(draw.randint(2, 4))],
                    "certs": sorted(certs),
                })  # fmt: skip
            scored = _score(vendors, weights)
            totals = sorted(v["total"] for v in scored)
            columns_vary = all(len({_raw(v, k) for v in vendors}) > 1 for k in CRITERIA)
            if columns_vary and all(high - low >= 0.6 for low, high in itertools.pairwise(totals)):
                break
        excluded = None
        if b.hard:
            # An attractive quote that fails the must-have.
            cheapest = min(v["price"] for v in vendors)
            excluded = {
                "vendor": names[-1],
                "price": cheapest - draw.randint(5, 40) * 100,
                "lead_days": draw.randint(8, 20),
                "warranty": draw.choice((24, 36, 48)),
                "ratings": [draw.randint(4, 5) for _ in range(3)],
                "certs": sorted(draw.sample([c for c in CERTIFICATIONS if c != required_cert], 2)),
            }
            if must_kind == "lead":
                excluded["certs"] = sorted([required_cert, excluded["certs"][0]])
                excluded["lead_days"] = max_lead + draw.randint(5, 20)
        ranked = sorted(scored, key=lambda v: -v["total"])
        winner, runner = ranked[0], ranked[1]

        # Workspace: quotes, references, scoring sheet.
        all_vendors = [*vendors, *([excluded] if excluded else [])]
        order = rng.shuffled(all_vendors)
        weeks_for = {v["vendor"] for v in vendors[:2]} if b.hard else set()
        issued = dt.date(rng.choice((2025, 2026)), rng.randint(1, 11), rng.randint(1, 20))
        contacts = b.pools.people(rng, len(order))
        quote_docs = []
        for index, v in enumerate(order):
            lead = v["lead_days"]
            site = f"{slug(v['vendor'], separator='')}.com"
            lead_text = f"{lead // 7} weeks" if v["vendor"] in weeks_for else f"{lead} days"
            quote_docs.append({
                "vendor": v["vendor"],
                "quote_ref": f"Q-{issued.year}-{rng.randint(100, 999)}{index}",
                "valid_until": iso(date_add(issued, rng.choice((30, 45, 60)))),
                "contact": {"name": contacts[index], "email": b.pools.email(contacts[index], site)},
                "pricing": {"total": v["price"], "currency": "USD", "payment_terms": rng.choice(PAYMENT_TERMS)},
                "lead_time": lead_text,
                "warranty_months": v["warranty"],
                "certifications": v["certs"],
            })  # fmt: skip
        quote_files: dict[str, str] = {}
        if rng.chance(0.5):
            for doc in quote_docs:
                path = f"{base}/quotes/{slug(doc['vendor'])}.json"
                quote_files[path] = json_text(doc)
            quotes_where = f"{base}/quotes/ (one JSON per vendor)"
        else:
            path = f"{base}/quotes.yaml"
            quote_files[path] = f"# Quotes received for the {project} RFQ, issued {iso(issued)}\n" + yaml_text(
                {"quotes": quote_docs}
            )
            quotes_where = f"{base}/quotes.yaml"
        for path, content in quote_files.items():
            b.file(path, content)

        ref_rows = [["vendor", "reference", "called_by", "date", "rating_1_to_5", "comment"]]
        comments = ("responsive", "slow to reply at first", "good onboarding", "billing was messy", "no complaints",
                    "would hire again", "missed one deadline", "great account manager")  # fmt: skip
        for v in order:
            for rating in v["ratings"]:
                ref_rows.append([v["vendor"], b.pools.company(rng), rng.choice(b.persona.team),
                                 iso(date_add(issued, rng.randint(3, 20))), rating, rng.choice(comments)])  # fmt: skip
        references = csv_text(ref_rows)
        b.file(f"{base}/references.csv", references)

        labels = {"price": "Price", "lead_time": "Lead time", "warranty": "Warranty", "support": "Support"}
        sources = {
            "price": "quote total (`pricing.total`)",
            "lead_time": "quoted lead time, in days",
            "warranty": "`warranty_months`",
            "support": "mean of the vendor's reference ratings in references.csv",
        }
        directions = {"price": "lower is better", "lead_time": "lower is better", "warranty": "higher is better",
                      "support": "higher is better"}  # fmt: skip
        sheet = [
            f"# Scoring sheet — {project} RFQ",
            "",
            f"Owner: {b.persona.name}. Agreed with {rng.choice(b.persona.team)} on {iso(date_add(issued, -3))}.",
            "",
            md_table(
                ["Criterion", "Source", "Weight", "Direction"],
                [[labels[k], sources[k], f"{weights[k]}%", directions[k]] for k in CRITERIA],
            ).rstrip(),
            "",
            "## Normalisation",
            "",
            "Each criterion is scaled to 0-100 across the vendors being scored (min and max taken over those",
            "vendors only):",
            "",
            "- higher is better: score = 100 × (value − min) / (max − min)",
            "- lower is better: score = 100 × (max − value) / (max − min)",
            "",
            "Total = sum of weight × score (weights as fractions, so the total is also 0-100), computed from the",
            "unrounded scores.",
        ]
        if b.hard:
            rule = (f"must hold {required_cert} certification" if must_kind == "cert"
                    else f"lead time must be {max_lead} days or less")  # fmt: skip
            sheet += [
                "",
                "## Must-haves",
                "",
                f"- Vendor {rule}. A vendor failing a must-have is not scored at all (leave it out of the",
                "  table and of the min/max).",
                "- Lead times quoted in weeks count as 7 days per week.",
            ]
        sheet_text = "\n".join(sheet) + "\n"
        b.file(f"{base}/scoring_sheet.md", sheet_text)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["procurement/"])

        # Request.
        csv_path, rec_path = f"{base}/scoring.csv", f"{base}/recommendation.md"
        columns = ["rank", "vendor", "price_score", "lead_time_score", "warranty_score", "support_score", "total"]
        cols = ", ".join(columns)
        quotes_rel = quotes_where.removeprefix(f"{base}/")
        body = b.pick(
            [
                f"We've got all the quotes in for the {project} contract; everything is in {base}/: the quotes "
                f"({quotes_rel}), reference-call ratings in references.csv and our scoring_sheet.md. Can you "
                f"score the vendors and save scoring.csv in that folder with columns {cols}, best total first "
                "(rank 1 = best)? Then write recommendation.md next to it: first line "
                "`Recommended: <vendor> (<total>)`, second line `Runner-up: <vendor> (<total>)`, then a few "
                "sentences on why.",
                f"Scoring time for the {project} RFQ (files in {base}/). What I need:\n\n"
                f"1. {csv_path} — columns {cols}; one row per vendor, sorted by total, highest first, rank "
                "starting at 1. Weights and the normalisation formula are in scoring_sheet.md; the quotes are "
                f"in {quotes_rel} and support comes from references.csv.\n"
                f"2. {rec_path} — starting with the lines `Recommended: <vendor> (<total>)` and "
                "`Runner-up: <vendor> (<total>)`, followed by a short justification I can forward.",
                f"could you run the numbers on the {project} quotes? everything's under {base}/ — quotes in "
                f"{quotes_rel}, references.csv for support, and scoring_sheet.md with weights and how to "
                f"normalise. I want a scoring.csv in the same folder ({cols}; ranked, best first, rank 1 at the "
                "top) and a recommendation.md there too whose first two lines are "
                "`Recommended: <vendor> (<total>)` and `Runner-up: <vendor> (<total>)`, then your reasoning in a "
                "short paragraph.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: the sheet has a must-have, and a vendor that fails it isn't scored "
                "at all (add a line `Excluded: <vendor> — <reason>` to the recommendation); some lead times "
                "are in weeks."
            )
        body += "\n\nScores and totals rounded to one decimal. Please don't modify the quotes or the sheet."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(7 if b.hard else 5)

        # Checks.
        c = b.checks
        has_csv = c.csv_header("scoring_header", csv_path, columns, ignore_case=True)
        c.csv_column("vendors_ranked", csv_path, "vendor", [v["vendor"] for v in ranked], ignore_case=True,
                     requires=[has_csv])  # fmt: skip
        c.csv_column("rank_column", csv_path, "rank", list(range(1, len(ranked) + 1)), requires=[has_csv])
        for key in CRITERIA:
            c.csv_column(f"{key}_scores", csv_path, f"{key}_score", [round(v["scores"][key], 1) for v in ranked],
                         tolerance=0.1, requires=[has_csv])  # fmt: skip
        c.csv_column("totals", csv_path, "total", [round(v["total"], 1) for v in ranked], tolerance=0.15,
                     requires=[has_csv])  # fmt: skip
        has_rec = c.file_exists("recommendation_written", rec_path)
        c.text_regex("winner_recommended", rec_path, rf"(?im)^\W*Recommended\W*{re.escape(winner['vendor'])}",
                     requires=[has_rec])  # fmt: skip
        c.number_near("winner_total_quoted", rec_path, rf"(?m)^\W*Recommended\W*[^\n]*?{_num_after}", winner["total"],
                      tolerance=0.15, requires=[has_rec])  # fmt: skip
        c.text_regex("runner_up_named", rec_path, rf"(?im)^\W*Runner-up\W*{re.escape(runner['vendor'])}",
                     requires=[has_rec])  # fmt: skip
        c.number_near("runner_up_total_quoted", rec_path, rf"(?m)^\W*Runner-up\W*[^\n]*?{_num_after}",
                      runner["total"], tolerance=0.15, requires=[has_rec])  # fmt: skip
        if excluded:
            c.text_regex("excluded_vendor_named", rec_path, rf"(?im)^\W*Excluded\W*{re.escape(excluded['vendor'])}",
                         requires=[has_rec])  # fmt: skip
        inputs = {**quote_files, f"{base}/references.csv": references, f"{base}/scoring_sheet.md": sheet_text}
        c.files_unchanged("inputs_unchanged", inputs, requires=[has_csv])

        # Reference solution.
        s = b.solution
        s.exec(f"find {base} -type f | sort && cat {base}/scoring_sheet.md")
        s.exec(f"cat {' '.join(sorted(quote_files))}")
        s.read(f"{base}/references.csv")
        s.write(csv_path, _csv(ranked))
        s.write(rec_path, _recommendation(ranked, weights, excluded, must_kind, required_cert, max_lead))

        # Near miss: lead time treated as "higher is better".
        flipped = sorted(_score(vendors, weights, flip="lead_time"), key=lambda v: -v["total"])
        b.near_miss([*s.steps[:3], {"name": "write", "arguments": {"path": csv_path, "content": _csv(flipped)}},
                     {"name": "write", "arguments": {"path": rec_path, "content": _recommendation(
                         flipped, weights, excluded, must_kind, required_cert, max_lead)}}])  # fmt: skip

        if b.hybrid:
            b.rubric(
                "recommendation_justified",
                "The recommendation explains why the winner wins in terms of the scoring sheet (which weighted "
                "criteria it leads or trails on, how far ahead it is of the runner-up) and flags any real "
                "trade-off or risk, without contradicting the table.",
                {
                    "0": "No justification, or it contradicts the scores.",
                    "0.25": "Generic praise with no reference to the criteria.",
                    "0.5": "Mentions the totals but not what drives them.",
                    "0.75": "Explains the main drivers; misses a trade-off or the margin.",
                    "1.0": "Clear drivers, margin and trade-offs; a decision-maker could sign off on it.",
                },
                weight=2.0,
            )


_num_after = r"(\d+(?:\.\d+)?)"


def _raw(vendor: dict, key: str) -> float:
    if key == "price":
        return vendor["price"]
    if key == "lead_time":
        return vendor["lead_days"]
    if key == "warranty":
        return vendor["warranty"]
    return sum(vendor["ratings"]) / len(vendor["ratings"])


def _score(vendors: list[dict], weights: dict[str, int], flip: str | None = None) -> list[dict]:
    """Each vendor with its 0-100 ``scores`` per criterion and weighted ``total`` (unrounded)."""
    higher_better = {"price": False, "lead_time": False, "warranty": True, "support": True}
    if flip:
        higher_better[flip] = not higher_better[flip]
    result = []
    for vendor in vendors:
        scores = {}
        for key in CRITERIA:
            values = [_raw(v, key) for v in vendors]
            low, high = min(values), max(values)
            value = _raw(vendor, key)
            if high == low:
                scores[key] = 100.0
            elif higher_better[key]:
                scores[key] = 100 * (value - low) / (high - low)
            else:
                scores[key] = 100 * (high - value) / (high - low)
        total = math.fsum(
            weights[k] / 100 * scores[k] for k in CRITERIA
        )  # same bits on every Python (3.12 changed sum)
        result.append({**vendor, "scores": scores, "total": total})
    return result


def _csv(ranked: list[dict]) -> str:
    rows = [["rank", "vendor", "price_score", "lead_time_score", "warranty_score", "support_score", "total"]]
    for index, v in enumerate(ranked, start=1):
        rows.append([index, v["vendor"], *(f"{v['scores'][k]:.1f}" for k in CRITERIA), f"{v['total']:.1f}"])
    return csv_text(rows)


def _recommendation(ranked, weights, excluded, must_kind, required_cert, max_lead) -> str:
    winner, runner = ranked[0], ranked[1]
    leads = [k for k in CRITERIA if winner["scores"][k] >= runner["scores"][k]]
    trails = [k for k in CRITERIA if winner["scores"][k] < runner["scores"][k]]
    names = {"price": "price", "lead_time": "lead time", "warranty": "warranty", "support": "support"}
    lines = [
        f"Recommended: {winner['vendor']} ({winner['total']:.1f})",
        f"Runner-up: {runner['vendor']} ({runner['total']:.1f})",
    ]
    if excluded:
        reason = (f"does not hold {required_cert}" if must_kind == "cert"
                  else f"lead time over {max_lead} days")  # fmt: skip
        lines.append(f"Excluded: {excluded['vendor']} — {reason} (must-have)")
    lines.append("")
    text = (
        f"{winner['vendor']} scores {winner['total']:.1f} against {runner['total']:.1f} for {runner['vendor']}, "
        f"a lead of {winner['total'] - runner['total']:.1f} points. It leads or ties on "
        f"{' and '.join(names[k] for k in leads)}"
        + (f", and trails on {' and '.join(names[k] for k in trails)}" if trails else "")
        + f". The quote is {money_display(winner['price'])}, with a lead time of {winner['lead_days']} days and "
        f"{winner['warranty']} months of warranty; price carries {weights['price']}% of the weight."
    )
    lines.append(text)
    return "\n".join(lines) + "\n"
