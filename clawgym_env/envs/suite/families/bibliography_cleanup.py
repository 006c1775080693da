"""Bibliography cleanup: merge two reference exports, deduplicate by DOI and format a sorted reference list."""

from __future__ import annotations

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, json_text

__all__ = ["BibliographyCleanup"]

FIELDS = {
    "healthcare": ("Clinical Practice", "Primary Care", "Health Services Research"),
    "software": ("Software Engineering", "Human-Computer Interaction", "Distributed Systems"),
    "retail": ("Retail Management", "Consumer Behaviour", "Supply Chain Studies"),
    "education": ("Educational Research", "Learning Sciences", "Teacher Education"),
    "nonprofit": ("Nonprofit Management", "Community Development", "Philanthropy Studies"),
    "restaurant": ("Hospitality Management", "Food Service Research", "Culinary Science"),
    "construction": ("Construction Management", "Building Engineering", "Project Delivery"),
    "finance": ("Financial Economics", "Accounting Research", "Risk Management"),
    "media": ("Media Studies", "Journalism Practice", "Audience Research"),
    "research": ("Ecology", "Research Methods", "Environmental Science"),
    "logistics": ("Logistics Research", "Transport Studies", "Operations Management"),
    "household": ("Household Economics", "Family Studies", "Consumer Finance"),
    "legal": ("Law and Society", "Legal Practice", "Access to Justice"),
    "events": ("Event Management", "Tourism Research", "Leisure Studies"),
    "manufacturing": ("Manufacturing Systems", "Quality Engineering", "Industrial Engineering"),
    "hospitality": ("Hospitality Management", "Tourism Research", "Service Industries"),
}
VENUES = ("Journal of {f}", "{f} Review", "International Journal of {f}", "Annals of {f}", "{f} Quarterly")
TITLES = (
    "{J} and outcomes: evidence from {n} sites",
    "Rethinking {j} in small organisations",
    "A longitudinal study of {j}",
    "What drives {j}? A mixed-methods analysis",
    "Measuring {j}: a systematic review",
    "The effect of {j} on staff workload",
    "{J} under pressure: lessons from a regional study",
    "Costs and benefits of {j}",
    "Predicting {j} with routine data",
    "Why {j} fails: a qualitative study",
)


def initials(given: str) -> str:
    return given[:1] + "."


def author_list(authors: list[tuple[str, str]]) -> str:
    """APA-style: ``Last, F.`` joined by ``, `` with ``& `` before the last author."""
    parts = [f"{last}, {initials(first)}" for first, last in authors]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + ", & " + parts[-1]


class BibliographyCleanup(TaskFamily):
    """Merge a BibTeX file and a JSON export into one deduplicated, formatted, sorted reference list.

    **Request**: two reference exports (``refs/library.bib`` and a CSL-style
    JSON from another tool) overlap; the user wants ``references.md`` with a
    "References" heading and one bullet per unique DOI in a citation format
    spelled out in the request (``Last, F., & Last, F. (Year). Title. Venue.
    doi:...``), sorted by first author's last name, then year (undated
    last), then title, and ``missing_fields.csv`` (doi, field) for
    references still lacking a year or venue after merging.

    **Workspace**: the .bib (authors as ``Last, First and ...``), the JSON
    (``author`` objects with family/given, ``issued`` date-parts,
    ``container-title``, ``DOI``), a notes file, unrelated files. Some
    entries lack a year in one export but not the other.

    **Checks**: the list exists; every formatted reference; the DOIs in the
    right order with nothing duplicated; the missing-fields CSV header and
    rows; the exports unchanged.

    **Hard**: more references and duplicates; authors written ``First Last``
    in some .bib entries and as ``literal`` names in some JSON entries; DOIs
    in the JSON with a ``https://doi.org/`` prefix or in upper case.
    """

    name = "bibliography_cleanup"
    scenario = Scenario.INFORMATION_RETRIEVAL
    operations = (Operation.DATA_ANALYSIS, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        persona = b.persona
        domain = DOMAINS[persona.domain]
        fields = FIELDS[persona.domain]
        venues = [template.format(f=field) for field in fields for template in VENUES]
        jargon = [term for term in domain.jargon if term.isascii()]

        firsts = [name for name in b.pools.first_names if name.isascii() and name.isalpha()]
        lasts = [name for name in b.pools.last_names if name.isascii() and name.isalpha()]
        count = rng.randint(9, 12) if b.hard else rng.randint(6, 8)
        surnames = rng.sample(lasts, count + 24)
        people = [(rng.choice(firsts), last) for last in surnames]
        title_pool = rng.shuffled(
            [
                template.replace("{J}", term[:1].upper() + term[1:]).replace("{j}", term).replace("{n}", str(n))
                for template in TITLES
                for term in jargon
                for n in (3, 12)
                if "{n}" in template or n == 3
            ]
        )

        refs = []
        for index in range(count):
            lead = people[index] if index != count - 1 else people[0]  # one author leads two papers
            coauthors = rng.sample(people[count:], rng.randint(0, 3))
            year = rng.randint(2008, 2025)
            if index == count - 1:
                while year == refs[0]["year"]:
                    year = rng.randint(2008, 2025)
            prefix = rng.choice(("10.1016", "10.1177", "10.1080", "10.3389", "10.1111", "10.4821"))
            venue = rng.choice(venues)
            code = "".join(word[0] for word in venue.split() if word[0].isupper()).lower()
            doi = f"{prefix}/{code}.{rng.randint(10000, 99999)}"
            refs.append(
                {
                    "authors": [lead, *coauthors],
                    "title": title_pool.pop(),
                    "venue": venue,
                    "year": year,
                    "doi": doi,
                }
            )
        # Where each reference lives: .bib only, JSON only, or both (a duplicate).
        places = ["both"] * (rng.randint(3, 4) if b.hard else 2)
        places += [rng.choice(("bib", "json")) for _ in range(count - len(places))]
        places = rng.shuffled(places)
        dup_index = [i for i, place in enumerate(places) if place == "both"]
        single_index = [i for i, place in enumerate(places) if place != "both"]
        # Gaps: a year missing in the .bib but present in the JSON (merge fills it), a year missing everywhere,
        # a venue missing everywhere.
        filled_gap = dup_index[0]
        no_year = single_index[0]
        no_venue = single_index[1]
        refs[no_year]["year"] = None
        refs[no_venue]["venue"] = None

        bib_entries = []
        json_entries = []
        for index, (ref, place) in enumerate(zip(refs, places, strict=True)):
            key = f"{ref['authors'][0][1].lower()}{ref['year'] or 'nd'}{ref['title'].split()[0].lower()}"
            if place in ("bib", "both"):
                first_last = b.hard and rng.chance(0.4)
                authors = " and ".join(
                    f"{first} {last}" if first_last else f"{last}, {first}" for first, last in ref["authors"]
                )
                lines = [f"@article{{{key},", f"  author = {{{authors}}},", f"  title = {{{{{ref['title']}}}}},"]
                if ref["venue"]:
                    lines.append(f"  journal = {{{ref['venue']}}},")
                if ref["year"] and index != filled_gap:
                    lines.append(f"  year = {{{ref['year']}}},")
                lines.append(f"  doi = {{{ref['doi']}}}")
                lines.append("}")
                bib_entries.append((index, "\n".join(lines)))
            if place in ("json", "both"):
                item: dict = {"id": f"item-{rng.randint(100, 999)}-{index}", "type": "article-journal"}
                item["title"] = ref["title"]
                authors_json = []
                for first, last in ref["authors"]:
                    if b.hard and rng.chance(0.3):
                        authors_json.append({"literal": f"{first} {last}"})
                    else:
                        authors_json.append({"family": last, "given": first})
                item["author"] = authors_json
                if ref["venue"]:
                    item["container-title"] = ref["venue"]
                if ref["year"]:
                    item["issued"] = {"date-parts": [[ref["year"], rng.randint(1, 12)]]}
                doi = ref["doi"]
                if b.hard and place == "both":
                    doi = rng.choice((f"https://doi.org/{doi}", doi.upper(), f"https://doi.org/{doi.upper()}"))
                item["DOI"] = doi
                json_entries.append((index, item))

        bib_text = (
            f"% Exported from {persona.name.split()[0]}'s reference manager\n\n"
            + "\n\n".join(entry for _, entry in rng.shuffled(bib_entries))
            + "\n"
        )
        json_export = json_text([item for _, item in rng.shuffled(json_entries)])
        bib_path = "refs/library.bib"
        json_path = "refs/zotero_export.json"
        b.file(bib_path, bib_text)
        b.file(json_path, json_export)
        b.file(
            "refs/NOTES.md",
            f"# Lit review notes\n\nFor the {rng.choice(domain.projects)} write-up. Half the references are in the "
            "old .bib, half in the other app's export, and some are in both. Tidy list goes in "
            "references.md at the top level.\n",
        )
        b.add_distractors(
            rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["refs/"], exclude_kinds=("reading_list",)
        )

        # -- ground truth ----------------------------------------------------------------------------------
        def sort_key(ref: dict) -> tuple:
            return (ref["authors"][0][1].lower(), ref["year"] is None, ref["year"] or 0, ref["title"].lower())

        ordered = sorted(refs, key=sort_key)

        def line(ref: dict) -> str:
            parts = [f"{author_list(ref['authors'])} ({ref['year'] or 'n.d.'}).", f"{ref['title']}."]
            if ref["venue"]:
                parts.append(f"{ref['venue']}.")
            parts.append(f"doi:{ref['doi']}")
            return " ".join(parts)

        lines = [line(ref) for ref in ordered]
        missing = sorted(
            [[ref["doi"], "year"] for ref in refs if ref["year"] is None]
            + [[ref["doi"], "venue"] for ref in refs if ref["venue"] is None]
        )
        md_path = "references.md"
        csv_path = "missing_fields.csv"

        # -- request ------------------------------------------------------------------------------------------
        example = "Okafor, C., Lindqvist, M., & Brandt, A. (2019). Title of the paper. Journal Name. doi:10.1234/abc.5"
        spec = (
            f"one bullet (`- `) per reference under a `# References` heading, formatted exactly like `{example}` "
            "(every author as last name, comma, first initial with a full stop; authors separated by commas, with "
            "`& ` before the last one, so two authors are `Okafor, C., & Lindqvist, M.` and a single author is just "
            "`Okafor, C.`). Write `n.d.` "
            "when there is no year, and leave out the venue part when there is none. DOIs in lower case, without "
            "any https://doi.org/ prefix"
        )
        sort_rule = "Sort by the first author's last name, then year (undated ones after dated ones), then title"
        dedupe = (
            "Some papers are in both exports: they have the same DOI (DOIs are case-insensitive). List each once, "
            "taking the .bib fields and filling anything missing there from the JSON"
        )
        body = b.pick(
            [
                f"My references are split between {bib_path} and {json_path} (exported from another app). Could "
                f"you merge them into {md_path}: {spec}. {sort_rule}. {dedupe}. Then list what's still missing "
                f"after merging in {csv_path} with columns doi,field (field is year or venue), one row per gap, "
                "sorted by doi then field.",
                f"Reference cleanup, please:\n1. Merge {bib_path} and {json_path}. {dedupe}.\n2. Write {md_path}: "
                f"{spec}.\n3. {sort_rule}.\n4. Write {csv_path} (columns doi,field; field is year or venue) for "
                "every reference still missing a year or a venue after the merge, sorted by doi then field.\n"
                "Leave the two exports as they are.",
                f"can you sort out my bibliography? two exports, {bib_path} and {json_path}, with overlap. "
                f"{dedupe[:1].lower() + dedupe[1:]}. I need {md_path} — {spec}. "
                f"{sort_rule[:1].lower() + sort_rule[1:]}. plus {csv_path} (doi,field) listing "
                "every year or venue that's still missing, sorted by doi then field.",
            ]
        )
        body = body[:1].upper() + body[1:]
        if b.hard:
            body += (
                "\n\nA few things to watch: author names aren't written the same way everywhere (some are "
                '"First Last", some JSON authors only have a "literal" name), and some DOIs in the JSON are upper '
                "case or carry a https://doi.org/ prefix; they're still the same DOI."
            )
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(8 if b.hard else 7)

        # -- checks ----------------------------------------------------------------------------------------------
        c = b.checks
        has = c.file_exists("references_written", md_path)
        for index, text in enumerate(lines, start=1):
            c.text_contains(f"reference_{index}_formatted", md_path, [text], requires=[has])
        c.md_items("references_deduplicated_and_sorted", md_path, "References", [ref["doi"] for ref in ordered],
                   match="contains", requires=[has])  # fmt: skip
        has_csv = c.file_exists("missing_fields_written", csv_path)
        c.csv_header("missing_fields_header", csv_path, ["doi", "field"], ignore_case=True, requires=[has_csv])
        c.csv_rows("missing_fields_rows", csv_path, missing, ignore_case=True, requires=[has_csv])
        c.files_unchanged("exports_unchanged", {bib_path: bib_text, json_path: json_export}, requires=[has])

        # -- reference solution --------------------------------------------------------------------------------------
        md = "# References\n\n" + "".join(f"- {text}\n" for text in lines)
        s = b.solution
        s.exec(f"ls refs && cat refs/NOTES.md && grep -c '@article' {bib_path}")
        s.read(bib_path)
        s.read(json_path)
        s.exec(
            "python3 -c \"import json,re; j=json.load(open('" + json_path + "')); "
            "b=open('" + bib_path + "').read(); "
            "d=[x['DOI'].lower().replace('https://doi.org/','') for x in j]+re.findall(r'doi = \\{(.*?)\\}', b); "
            'print(len(d), len(set(d)))"'
        )
        s.write(md_path, md)
        s.write(csv_path, csv_text([["doi", "field"], *missing]))

        # Near miss: a duplicate left in (the JSON copy of a paper that is also in the .bib).
        twice = ordered.index(refs[dup_index[-1]])
        dup_md = "# References\n\n" + "".join(
            f"- {text}\n" + (f"- {text}\n" if position == twice else "") for position, text in enumerate(lines)
        )
        b.near_miss([*s.steps[:-2], {"name": "write", "arguments": {"path": md_path, "content": dup_md}},
                     s.steps[-1]])  # fmt: skip
