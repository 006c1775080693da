"""Record validation: check exported records against written data rules and split out the valid ones."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import Solution, TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, date_add, iso, json_text

__all__ = ["RecordValidation"]

# theme -> id prefix, reference field, reference file, reference noun, reference id prefix, date field, system
THEMES = {
    "customers": ("CUS", "plan_id", "plans.csv", "plan", "PLN", "signup_date", "the billing system"),
    "members": ("MEM", "tier_id", "tiers.csv", "membership tier", "TIER", "joined_on", "the membership database"),
    "students": ("STU", "program_id", "programs.csv", "program", "PRG", "enrolled_on", "the student system"),
    "clients": ("CLI", "service_id", "services.csv", "service", "SVC", "first_visit", "the booking system"),
    "suppliers": ("SUP", "category_id", "categories.csv", "category", "CAT", "onboarded_on", "the purchasing system"),
    "participants": ("PAR", "study_id", "studies.csv", "study", "STD", "consented_on", "the study database"),
}
DOMAIN_THEME = {
    "software": "customers",
    "retail": "customers",
    "finance": "customers",
    "media": "customers",
    "nonprofit": "members",
    "events": "members",
    "hospitality": "members",
    "household": "members",
    "education": "students",
    "healthcare": "clients",
    "legal": "clients",
    "restaurant": "suppliers",
    "construction": "suppliers",
    "manufacturing": "suppliers",
    "logistics": "suppliers",
    "research": "participants",
}
MAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com", "post.example.net")
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
PHONE_PATTERN = r"^\+[0-9]{8,15}$"


class RecordValidation(TaskFamily):
    """Validate exported records against the team's data rules: an error list and the clean records.

    **Request**: the user exported records (customers, members, students,
    clients, suppliers or study participants) as JSON and wants
    ``errors.csv`` (record_id, field, rule; one row per failed rule, sorted
    by record id, field, rule) and ``valid_records.json`` (the records that
    pass every rule, unchanged, in input order).

    **Workspace**: the JSON export, a reference CSV whose ids the records
    must point at, ``data_rules.md`` naming each rule (required fields,
    email and phone patterns, date format and range, reference), an older
    export, unrelated files.

    **Checks**: the error file's header, its rows as a set, in order, and
    the set of failing record ids; the valid records' count and exact
    content; the inputs are unchanged.

    **Hard**: more records in shuffled order, duplicate ids
    (``duplicate_id`` on every later occurrence), references to retired
    reference rows (``inactive_reference``), more kinds of malformed
    values.
    """

    name = "record_validation"
    scenario = Scenario.REASONING_TECHNICAL
    operations = (Operation.DATA_ANALYSIS,)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        entity = DOMAIN_THEME.get(b.persona.domain, "customers")
        prefix, ref_field, ref_file, ref_noun, ref_prefix, date_field, system = THEMES[entity]

        # Reference rows.
        ref_names = _ref_names(entity, domain)
        ref_count = min(len(ref_names), rng.randint(4, 6))
        refs = [(f"{ref_prefix}-{i + 1:02d}", name) for i, name in enumerate(rng.sample(ref_names, ref_count))]
        retired = {refs[-1][0]} if b.hard else set()
        ref_rows = [["id", "name", "status"] if b.hard else ["id", "name"]]
        for ref_id, ref_name in refs:
            ref_rows.append([ref_id, ref_name, "retired" if ref_id in retired else "active"] if b.hard
                            else [ref_id, ref_name])  # fmt: skip
        active_refs = [ref_id for ref_id, _ in refs if ref_id not in retired]

        # Rules.
        export_day = dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        range_start = dt.date(export_day.year - rng.randint(3, 6), 1, 1)
        required = ["id", "name", "email", date_field, ref_field]

        # Records: mostly clean, some with one or two planted defects.
        count = rng.randint(25, 32) if b.hard else rng.randint(14, 20)
        names = b.pools.people(rng, count)
        first_number = rng.randint(100, 800)
        numbers = sorted(rng.sample(range(first_number, first_number + count * 3), count))
        records: list[dict] = []
        expected: list[list[str]] = []  # record_id, field, rule
        defect_kinds = ["required", "email_format", "phone_format", "date_format", "date_range", "unknown_reference"]
        if b.hard:
            defect_kinds += ["inactive_reference"]
        bad_count = max(len(defect_kinds), round(count * 0.4))
        bad_slots = rng.sample(range(count), min(count, bad_count))
        forced = {slot: defect_kinds[i] for i, slot in enumerate(bad_slots[: len(defect_kinds)])}
        for index in range(count):
            name = names[index]
            record: dict = {
                "id": f"{prefix}-{numbers[index]:04d}",
                "name": name,
                "email": b.pools.email(name, rng.choice(MAIL_DOMAINS)),
            }
            if rng.chance(0.75):
                record["phone"] = b.pools.phone(rng)
            elif rng.chance(0.5):
                record["phone"] = ""
            record[date_field] = iso(date_add(range_start, rng.below((export_day - range_start).days + 1)))
            record[ref_field] = rng.choice(active_refs)
            if index in bad_slots:
                kinds = [forced.get(index) or rng.choice(defect_kinds)]
                if rng.chance(0.3):
                    other = rng.choice(defect_kinds)
                    if _compatible(kinds[0], other):
                        kinds.append(other)
                for kind in kinds:
                    field = _plant(rng, kind, record, date_field, ref_field, ref_prefix, refs, retired, range_start,
                                   export_day, required)  # fmt: skip
                    expected.append([record["id"], field, kind])
            records.append(record)

        clean_records = [dict(records[i]) for i in range(count) if i not in bad_slots]

        # Hard: two clean records exported twice (each later copy fails duplicate_id), in shuffled file order.
        if b.hard:
            clean = [i for i in range(count) if i not in bad_slots]
            for source in rng.sample(clean, 2):
                records.append(dict(records[source]))
                expected.append([records[source]["id"], "id", "duplicate_id"])
            records = rng.shuffled(records)
        expected.sort()

        failing = {row[0] for row in expected if row[2] != "duplicate_id"}
        valid: list[dict] = []
        seen_ids: set[str] = set()
        for record in records:
            if record["id"] not in failing and record["id"] not in seen_ids:
                valid.append(record)
            seen_ids.add(record["id"])

        # Workspace.
        export_path = f"exports/{entity}_{iso(export_day)}.json"
        export_json = json_text(records)
        b.file(export_path, export_json)
        ref_path = b.file(f"exports/{ref_file}", csv_text(ref_rows))
        ref_csv = csv_text(ref_rows)
        old_day = date_add(export_day, -rng.randint(30, 90))
        old_records = clean_records[: max(4, count // 3)]
        old_path = b.file(f"exports/old/{entity}_{iso(old_day)}.json", json_text(old_records))
        rules_md = _rules_md(entity, date_field, ref_field, ref_file, ref_noun, range_start, export_day, required,
                             b.hard)  # fmt: skip
        rules_path = b.file("docs/data_rules.md", rules_md)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["exports/", "docs/", "out/"])

        errors_path = "out/errors.csv"
        valid_path = "out/valid_records.json"
        body = b.pick(
            [
                f"Before we import the {entity} export ({export_path}) into {system}, can you check it against "
                f"the rules in {rules_path}? The {ref_noun} ids it refers to are in {ref_path}. Please write "
                f"{errors_path} with columns record_id, field, rule (one row for every rule a record breaks, using "
                "the rule names from the doc, sorted by record_id, then field, then rule) and "
                f"{valid_path}: a JSON array of the records that break no rule at all, exactly as they are in the "
                "export, in the same order.",
                f"I need the {entity} export validated:\n\n"
                f"- data: {export_path} (references into {ref_path})\n"
                f"- rules: {rules_path}\n\n"
                f"Output 1: {errors_path}, header record_id,field,rule, one row per broken rule per record, "
                "sorted by record_id, field, rule; rule names as written in the rules doc.\n"
                f"Output 2: {valid_path}, a JSON array with only the fully valid records, unmodified and in "
                "export order.",
                f"the import into {system} keeps choking on {export_path}. could you run it against "
                f"{rules_path} ({ref_noun} ids live in {ref_path}) and give me {errors_path} (record_id, field, "
                "rule; a row per broken rule, sorted by record_id then field then rule, rule names from the doc) "
                f"plus {valid_path} with the records that pass everything, untouched, same order as the export?",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: the export is not sorted, some ids appear more than once (see the "
                f"duplicate rule in the doc), and a {ref_noun} that has been retired doesn't count as a valid "
                "reference any more."
            )
        # After a list, the closing remark gets its own paragraph.
        body += (
            "\n\n" if body.splitlines()[-1][:2] in ("1.", "2.", "3.", "4.", "- ", "Ou") else " "
        ) + "Please don't modify the export or the reference file."
        b.instruct(body)
        b.steps(4 if b.hard else 3)
        b.constraints(7 if b.hard else 5)

        # Checks.
        c = b.checks
        has_errors = c.csv_header("errors_header", errors_path, ["record_id", "field", "rule"], ignore_case=True)
        c.csv_column("failing_records_found", errors_path, "record_id", [row[0] for row in expected], ordered=False,
                     requires=[has_errors])  # fmt: skip
        c.csv_rows("errors_complete", errors_path, expected, ordered=False, requires=[has_errors])
        c.csv_rows("errors_sorted", errors_path, expected, requires=[has_errors])
        has_valid = c.json_valid("valid_records_written", valid_path)
        c.json_length("valid_record_count", valid_path, "", len(valid), requires=[has_valid])
        c.json_equals("valid_records_exact", valid_path, "", valid, requires=[has_valid])
        c.files_unchanged("inputs_unchanged", {export_path: export_json, ref_path: ref_csv, rules_path: rules_md,
                          old_path: json_text(old_records)}, requires=[has_errors])  # fmt: skip

        # Reference solution.
        s = b.solution
        s.exec(f"ls -R exports docs && cat {ref_path}")
        s.read(rules_path)
        s.exec(f"python3 -c \"import json; d = json.load(open('{export_path}')); print(len(d)); "
               f"[print(r) for r in d]\"")  # fmt: skip
        s.write(errors_path, csv_text([["record_id", "field", "rule"], *expected]))
        s.write(valid_path, json_text(valid))

        # Near miss: the phone rule overlooked (its errors missing, those records counted as valid).
        phone_ids = {row[0] for row in expected if row[2] == "phone_format"}
        other_fail = {row[0] for row in expected if row[2] != "phone_format" and row[2] != "duplicate_id"}
        lax_valid = []
        lax_seen: set[str] = set()
        for record in records:
            if record["id"] not in other_fail and record["id"] not in lax_seen:
                lax_valid.append(record)
            lax_seen.add(record["id"])
        lax_errors = [row for row in expected if row[2] != "phone_format"]
        assert phone_ids
        lax = Solution()
        lax.steps = list(s.steps[:3])
        lax.write(errors_path, csv_text([["record_id", "field", "rule"], *lax_errors]))
        lax.write(valid_path, json_text(lax_valid))
        b.near_miss(lax)


def _ref_names(entity: str, domain) -> list[str]:
    if entity == "members":
        return ["Friend", "Supporter", "Patron", "Student", "Family", "Lifetime", "Corporate"]
    if entity == "customers":
        return ["Starter", "Team", "Business", "Enterprise", "Nonprofit", "Education", "Trial"]
    if entity == "students":
        return [f"{d} track" for d in domain.departments]
    if entity == "participants":
        return [p.capitalize() for p in domain.projects]
    if entity == "suppliers":
        return list(domain.expense_categories)
    return [p[:1].upper() + p[1:] for p in domain.products]


def _compatible(first: str, second: str) -> bool:
    """Two defects can sit in one record when they touch different fields."""
    fields = {
        "email_format": "email",
        "phone_format": "phone",
        "date_format": "date",
        "date_range": "date",
        "unknown_reference": "ref",
        "inactive_reference": "ref",
    }
    return first != "required" and second != "required" and fields[first] != fields[second]


def _plant(
    rng: StableRandom,
    kind: str,
    record: dict,
    date_field: str,
    ref_field: str,
    ref_prefix: str,
    refs: list[tuple[str, str]],
    retired: set[str],
    range_start: dt.date,
    range_end: dt.date,
    required: list[str],
) -> str:
    """Break ``record`` so that it fails rule ``kind``; return the field that fails."""
    if kind == "required":
        field = rng.choice(required[1:])
        mode = rng.choice(("drop", "empty", "null"))
        if mode == "drop":
            del record[field]
        else:
            record[field] = "" if mode == "empty" else None
        return field
    if kind == "email_format":
        local, _, host = record["email"].partition("@")
        record["email"] = rng.choice(
            (
                f"{local}@{host.split('.')[0]}",
                f"{local}.{host}",
                f"{local}@@{host}",
                f"{local.replace('.', ' ')}@{host}",
            )
        )
        assert not re.match(EMAIL_PATTERN, record["email"])
        return "email"
    if kind == "phone_format":
        digits = rng.randint(1000, 9999)
        record["phone"] = rng.choice(
            (f"555-{digits}", f"(212) 555-{digits}", f"+1 212-555-{str(digits)[:2]}x{str(digits)[3]}", "+44 20 79")
        )
        assert not re.match(PHONE_PATTERN, record["phone"].replace(" ", "").replace("-", ""))
        return "phone"
    if kind == "date_format":
        day = dt.date.fromisoformat(record[date_field])
        record[date_field] = rng.choice(
            (
                f"{day.day:02d}/{day.month:02d}/{day.year}",
                f"{day.year}/{day.month:02d}/{day.day:02d}",
                f"{day.year}-{day.month:02d}-{rng.choice((30, 31)) if day.month == 2 else 32}",
                f"{day.year}-{rng.randint(13, 19)}-{day.day:02d}",
            )
        )
        return date_field
    if kind == "date_range":
        if rng.chance(0.5):
            record[date_field] = iso(date_add(range_start, -rng.randint(1, 400)))
        else:
            record[date_field] = iso(date_add(range_end, rng.randint(1, 200)))
        return date_field
    if kind == "unknown_reference":
        record[ref_field] = rng.choice(
            (f"{ref_prefix}-{len(refs) + rng.randint(1, 9):02d}", refs[0][0].lower(), f"{refs[0][0]} ")
        )
        return ref_field
    if kind == "inactive_reference":
        record[ref_field] = sorted(retired)[0]
        return ref_field
    raise ValueError(kind)


def _rules_md(
    entity: str,
    date_field: str,
    ref_field: str,
    ref_file: str,
    ref_noun: str,
    range_start: dt.date,
    range_end: dt.date,
    required: list[str],
    hard: bool,
) -> str:
    lines = [
        f"# Data rules for {entity} records",
        "",
        "Every record is checked against every rule below. A record that breaks at least one rule is not imported.",
        "Values are checked exactly as they are in the export (no trimming, no case folding).",
        "",
        "| rule | field | what must hold |",
        "|---|---|---|",
        f"| required | {', '.join(required)} | present, not null and not an empty string |",
        f"| email_format | email | matches `{EMAIL_PATTERN}` |",
        f"| phone_format | phone | optional; when present and not empty, after removing spaces and hyphens it "
        f"matches `{PHONE_PATTERN}` |",
        f"| date_format | {date_field} | a real calendar date written YYYY-MM-DD |",
        f"| date_range | {date_field} | between {iso(range_start)} and {iso(range_end)}, both included |",
        f"| unknown_reference | {ref_field} | one of the ids in {ref_file} |",
    ]
    if hard:
        lines += [
            f"| inactive_reference | {ref_field} | its row in {ref_file} has status `active` (an id that exists "
            "but is retired breaks this rule instead of unknown_reference) |",
            "| duplicate_id | id | every occurrence of an id after its first one in the file breaks this rule |",
        ]
    lines += [
        "",
        "Notes:",
        "",
        "- A missing, null or empty field only breaks `required`; the format rules are not applied to it.",
        "- A date that fails date_format is not checked for date_range.",
        "- Report each broken rule once per record, under the field named in the table.",
    ]
    if hard:
        lines.append("- A duplicated record is still checked against all the other rules, like any other record.")
    return "\n".join(lines) + "\n"
