"""API schema bump: apply a change request to an OpenAPI-style JSON spec and run the spec checker."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import DEVELOPER_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text

__all__ = ["ApiSchemaBump"]

Field = tuple[str, str, str | None, str, Callable[[StableRandom], Any]]
"""(name, type, format, description, example maker)."""


def _stamp(rng: StableRandom) -> str:
    return (
        f"{rng.choice((2025, 2026))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(6, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z"
    )


def _day(rng: StableRandom) -> str:
    return f"{rng.choice((2025, 2026))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _pick(*values: Any) -> Callable[[StableRandom], Any]:
    return lambda rng: rng.choice(values)


def _code(prefix: str, low: int = 1000, high: int = 99999) -> Callable[[StableRandom], str]:
    return lambda rng: f"{prefix}{rng.randint(low, high)}"


# Each resource: the main schema (it has list and detail endpoints) and two related schemas. The last field of
# every schema is a legacy field that a change request may deprecate.
RESOURCES: dict[str, dict[str, list[Field]]] = {
    "orders": {
        "Order": [
            ("id", "string", None, "Order number.", _code("SO-")),
            ("customer_id", "string", None, "The customer who placed the order.", _code("C-", 100, 999)),
            ("status", "string", None, "One of draft, placed, shipped, cancelled.", _pick("placed", "shipped")),
            ("total", "number", None, "Order total including tax.", lambda r: r.randint(1000, 90000) / 100),
            ("placed_at", "string", "date-time", "When the order was placed (UTC).", _stamp),
            ("fax_number", "string", None, "Fax number for paper confirmations.", _pick("+1 555 0100", "+1 555 0142")),
        ],
        "Customer": [
            ("id", "string", None, "Customer number.", _code("C-", 100, 999)),
            (
                "name",
                "string",
                None,
                "Company or person name.",
                _pick("Alder & Finch", "Northgate Dental", "Kiln Cafe"),
            ),
            ("email", "string", "email", "Billing contact.", _pick("billing@alderfinch.example", "ap@kiln.example")),
            ("country", "string", None, "ISO 3166-1 alpha-2 code.", _pick("GB", "DE", "CA", "NZ")),
            ("legacy_account_code", "string", None, "Account code in the old ERP.", _code("ACC", 10, 999)),
        ],
        "Product": [
            ("sku", "string", None, "Stock keeping unit.", _code("SKU-", 100, 9999)),
            ("title", "string", None, "Name shown in the shop.", _pick("Oak shelf", "Desk lamp", "Linen apron")),
            ("price", "number", None, "Unit price before tax.", lambda r: r.randint(199, 19900) / 100),
            ("in_stock", "boolean", None, "Whether it can be ordered today.", _pick(True, False)),
            ("weight_grams", "integer", None, "Shipping weight.", lambda r: r.randint(50, 9000)),
            ("catalogue_page", "integer", None, "Page in the printed catalogue.", lambda r: r.randint(2, 120)),
        ],
    },
    "bookings": {
        "Booking": [
            ("id", "string", None, "Booking reference.", _code("BK-")),
            ("guest_id", "string", None, "The guest the booking belongs to.", _code("G-", 100, 999)),
            ("check_in", "string", "date", "Arrival date.", _day),
            ("nights", "integer", None, "Number of nights.", lambda r: r.randint(1, 9)),
            ("room_type", "string", None, "Room category booked.", _pick("double", "twin", "suite")),
            ("telex_ref", "string", None, "Reference from the old telex channel manager.", _code("TX", 100, 999)),
        ],
        "Guest": [
            ("id", "string", None, "Guest number.", _code("G-", 100, 999)),
            ("full_name", "string", None, "Name as on the ID document.", _pick("Ines Duarte", "Kofi Mensah")),
            (
                "email",
                "string",
                "email",
                "Where confirmations are sent.",
                _pick("ines@mail.example", "kofi@mail.example"),
            ),
            ("vip", "boolean", None, "Flagged by the front office.", _pick(True, False)),
            ("fax", "string", None, "Fax number (rarely used).", _pick("+44 20 7946 0011", "+44 20 7946 0958")),
        ],
        "Room": [
            ("number", "string", None, "Room number.", _code("", 101, 940)),
            ("floor", "integer", None, "Floor the room is on.", lambda r: r.randint(1, 9)),
            ("beds", "integer", None, "Number of beds.", lambda r: r.randint(1, 3)),
            ("accessible", "boolean", None, "Step-free access.", _pick(True, False)),
            ("minibar_code", "string", None, "Old minibar billing code.", _code("MB", 10, 99)),
        ],
    },
    "tickets": {
        "Ticket": [
            ("id", "string", None, "Ticket number.", _code("TCK-")),
            ("requester_id", "string", None, "Who raised the ticket.", _code("U-", 100, 999)),
            ("subject", "string", None, "One-line summary.", _pick("Cannot log in", "Invoice PDF is blank")),
            ("status", "string", None, "One of open, pending, solved.", _pick("open", "pending")),
            ("opened_at", "string", "date-time", "When the ticket was opened (UTC).", _stamp),
            ("legacy_queue", "string", None, "Queue name in the previous helpdesk.", _pick("Q-GENERAL", "Q-BILLING")),
        ],
        "Requester": [
            ("id", "string", None, "User number.", _code("U-", 100, 999)),
            ("name", "string", None, "Display name.", _pick("Mara Quist", "Dev Anand")),
            ("email", "string", "email", "Contact address.", _pick("mara@client.example", "dev@client.example")),
            ("plan", "string", None, "Subscription plan.", _pick("team", "enterprise")),
            ("pager_number", "string", None, "Pager for urgent callbacks.", _code("PG", 1000, 9999)),
        ],
        "Comment": [
            ("id", "integer", None, "Comment number.", lambda r: r.randint(1000, 99999)),
            ("author_id", "string", None, "Who wrote it.", _code("U-", 100, 999)),
            ("body", "string", None, "Comment text (Markdown).", _pick("Thanks, that fixed it.", "Still failing.")),
            ("public", "boolean", None, "Visible to the requester.", _pick(True, False)),
            ("html_body", "string", None, "Pre-rendered HTML of the body.", _pick("<p>Thanks</p>", "<p>Still</p>")),
        ],
    },
}
TITLES = {"orders": "Orders", "bookings": "Reservations", "tickets": "Helpdesk"}

# New fields a change request may add: (name, type, format, description, example, enum or None).
NEW_FIELDS: tuple[tuple[str, str, str | None, str, Any, list[str] | None], ...] = (
    ("external_ref", "string", None, "Reference of this record in the partner's system, if any.", "PO-77812", None),
    ("updated_at", "string", "date-time", "When the record last changed (UTC).", "2026-02-11T09:30:00Z", None),
    ("contact_email", "string", "email", "Where status updates about this record are sent.", "ops@partner.example",
     None),
    ("priority", "string", None, "How urgently this should be handled.", "normal", ["low", "normal", "high"]),
    ("channel", "string", None, "Where the record was created.", "web", ["web", "phone", "in_person"]),
    ("revision", "integer", None, "Incremented on every change; use it for optimistic locking.", 3, None),
    ("is_test", "boolean", None, "True for records created by the integration test harness.", False, None),
    ("review_due", "string", "date", "Date by which someone must review this record.", "2026-05-01", None),
    ("risk_level", "string", None, "Risk assessed by the partner.", "medium", ["low", "medium", "high"]),
    ("source_system", "string", None, "System that created the record.", "shop", ["erp", "shop", "manual"]),
    ("visibility", "string", None, "Who may see this record.", "partner", ["internal", "partner", "public"]),
)  # fmt: skip

VALUE_MAKERS: dict[str, Callable[[StableRandom], Any]] = {
    "external_ref": _code("PO-", 10000, 99999),
    "updated_at": _stamp,
    "revision": lambda rng: rng.randint(1, 14),
    "review_due": _day,
}

CHECKER = '''#!/usr/bin/env python3
"""Sanity checks for our OpenAPI spec before it goes out to partners.

Usage: python3 tools/check_spec.py api/openapi.json

Checks that info.version is X.Y.Z, every property has a type and a description,
required fields exist, and every example (schema examples and response examples
under paths) has the required fields with values of the right type, format and
enum. Prints OK and exits 0, or lists the problems and exits 1.
"""

import json
import re
import sys

SEMVER = re.compile(r"^\\d+\\.\\d+\\.\\d+$")
FORMATS = {
    "date": re.compile(r"^\\d{4}-\\d{2}-\\d{2}$"),
    "date-time": re.compile(r"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$"),
    "email": re.compile(r"^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"),
    "uri": re.compile(r"^https?://\\S+$"),
}
TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}
PREFIX = "#/components/schemas/"


def type_ok(value, kind):
    if kind not in TYPES:
        return False
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[kind])


def check_schema(name, schema, problems):
    properties = schema.get("properties", {})
    for field in schema.get("required", []):
        if field not in properties:
            problems.append(f"{name}: required field {field!r} is not a property")
    for field, spec in properties.items():
        where = f"{name}.{field}"
        if spec.get("type") not in TYPES:
            problems.append(f"{where}: missing or unknown type")
        if not str(spec.get("description", "")).strip():
            problems.append(f"{where}: no description")
        if "deprecated" in spec and not isinstance(spec["deprecated"], bool):
            problems.append(f"{where}: deprecated must be true or false")
        if "format" in spec and spec["format"] not in FORMATS:
            problems.append(f"{where}: unknown format {spec['format']!r}")
        if "enum" in spec and not all(type_ok(value, spec.get("type")) for value in spec["enum"]):
            problems.append(f"{where}: enum values do not match the type")


def check_instance(label, instance, name, schema, problems):
    if not isinstance(instance, dict):
        problems.append(f"{label}: example is not an object")
        return
    properties = schema.get("properties", {})
    for field in schema.get("required", []):
        if field not in instance:
            problems.append(f"{label}: missing required field {field!r}")
    for field, value in instance.items():
        spec = properties.get(field)
        if spec is None:
            problems.append(f"{label}: {field!r} is not a property of {name}")
        elif not type_ok(value, spec.get("type")):
            problems.append(f"{label}: {field!r} should be of type {spec.get('type')}")
        elif "enum" in spec and value not in spec["enum"]:
            problems.append(f"{label}: {field!r} must be one of {spec['enum']}")
        elif isinstance(value, str) and spec.get("format") in FORMATS and not FORMATS[spec["format"]].match(value):
            problems.append(f"{label}: {field!r} is not a valid {spec['format']}")


def referenced(shape, schemas):
    ref = shape.get("$ref", "")
    name = ref[len(PREFIX):] if ref.startswith(PREFIX) else None
    return name if name in schemas else None


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2])
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    problems = []
    version = str(spec.get("info", {}).get("version", ""))
    if not SEMVER.match(version):
        problems.append(f"info.version {version!r} is not X.Y.Z")
    schemas = spec.get("components", {}).get("schemas", {})
    examples = 0
    for name, schema in schemas.items():
        check_schema(name, schema, problems)
        if "example" in schema:
            examples += 1
            check_instance(f"components.schemas.{name}.example", schema["example"], name, schema, problems)
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                for content in response.get("content", {}).values():
                    if "example" not in content:
                        continue
                    examples += 1
                    shape = content.get("schema", {})
                    label = f"{method.upper()} {path} {status} example"
                    name = referenced(shape, schemas)
                    if name:
                        check_instance(label, content["example"], name, schemas[name], problems)
                        continue
                    name = referenced(shape.get("items", {}), schemas) if shape.get("type") == "array" else None
                    if name and isinstance(content["example"], list):
                        for index, item in enumerate(content["example"]):
                            check_instance(f"{label}[{index}]", item, name, schemas[name], problems)
    if problems:
        for problem in problems:
            print(f"PROBLEM: {problem}")
        print(f"{len(problems)} problem(s) found")
        return 1
    print(f"OK: {len(schemas)} schemas, {examples} examples checked, version {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


def _pointer_escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class ApiSchemaBump(TaskFamily):
    """Apply an API change request to an OpenAPI-style JSON spec: new field, a deprecation, version and examples.

    **Request**: following ``docs/change-requests/CR-<n>.md``, add a field
    (type, format or allowed values, description) to one schema, mark a
    legacy field of a schema deprecated, bump ``info.version``'s minor
    number, show the new field in the example payload(s), and run the
    provided stdlib ``tools/check_spec.py``.

    **Workspace**: ``api/openapi.json`` for one of three APIs (orders,
    reservations, helpdesk) with three flat schemas, list/detail/create
    paths, schema examples and response examples; the change request; the
    checker; an API changelog for context; unrelated files.

    **Checks**: the new field's type, description and format/enum, whether
    it is required, the deprecation flag, the exact new version and the
    example value(s) via ``json_equals`` on exact pointers; everything else
    in the spec unchanged (one strict comparison); the checker passes.

    **Hard**: the new field is required and has allowed values, so every
    example of the schema (including response examples under ``paths``)
    needs it or the checker fails; the deprecated field's description must
    start with a stated sentence; the minor version may roll over from 9 to
    10.
    """

    name = "api_schema_bump"
    scenario = Scenario.SOFTWARE_DEVELOPMENT
    operations = (Operation.FILE_CONTENT, Operation.DEVELOPMENT)
    domains = DEVELOPER_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        resource = rng.choice(sorted(RESOURCES))
        schemas_def = RESOURCES[resource]
        main_name = next(iter(schemas_def))
        path = f"/{resource}"

        # The spec.
        schemas: dict[str, Any] = {}
        for name, fields in schemas_def.items():
            field_rng = rng.child("schema", name)
            properties: dict[str, Any] = {}
            example: dict[str, Any] = {}
            for field, kind, fmt, description, make in fields:
                spec: dict[str, Any] = {"type": kind}
                if fmt:
                    spec["format"] = fmt
                spec["description"] = description
                properties[field] = spec
                example[field] = make(field_rng)
            required = [fields[0][0], fields[1][0], *(f[0] for f in fields[2:-1] if field_rng.chance(0.4))]
            schemas[name] = {"type": "object", "required": required, "properties": properties, "example": example}
        main_fields = schemas_def[main_name]
        list_example = []
        for index in range(2):
            item_rng = rng.child("listing", index)
            list_example.append({field: make(item_rng) for field, _, _, _, make in main_fields})
        detail_example = {field: make(rng.child("detail")) for field, _, _, _, make in main_fields}
        major = rng.randint(1, 4)
        minor = rng.choice((9, rng.randint(0, 8))) if hard else rng.randint(0, 8)
        patch = rng.randint(0, 7)
        old_version = f"{major}.{minor}.{patch}"
        new_version = f"{major}.{minor + 1}.0"
        ref = {"$ref": f"#/components/schemas/{main_name}"}
        id_param = f"{main_name.lower()}Id"
        spec_doc: dict[str, Any] = {
            "openapi": "3.0.3",
            "info": {
                "title": f"{_org(b.persona.org)} {TITLES[resource]} API",
                "version": old_version,
                "description": f"Partner-facing API for {resource}. Contact {b.persona.name} before breaking changes.",
            },
            "paths": {
                path: {
                    "get": {
                        "summary": f"List {resource}",
                        "responses": {
                            "200": {
                                "description": "A page of results.",
                                "content": {
                                    "application/json": {
                                        "schema": {"type": "array", "items": ref},
                                        "example": list_example,
                                    }
                                },
                            }
                        },
                    },
                    "post": {
                        "summary": f"Create a {main_name.lower()}",
                        "requestBody": {"content": {"application/json": {"schema": ref}}},
                        "responses": {"201": {"description": "Created."}},
                    },
                },
                f"{path}/{{{id_param}}}": {
                    "get": {
                        "summary": f"Get one {main_name.lower()}",
                        "responses": {
                            "200": {
                                "description": "Found.",
                                "content": {"application/json": {"schema": ref, "example": detail_example}},
                            },
                            "404": {"description": "No such record."},
                        },
                    }
                },
            },
            "components": {"schemas": schemas},
        }
        original_text = json_text(spec_doc)

        # The change request.
        target = main_name if hard else rng.choice(sorted(schemas_def))
        candidates = [f for f in NEW_FIELDS if f[0] not in schemas[target]["properties"]]
        if hard:
            candidates = [f for f in candidates if f[5]]
        else:
            candidates = [f for f in candidates if not f[5]] + [f for f in candidates if f[5]][:1]
        field, kind, fmt, description, value, enum = rng.choice(candidates)
        value = VALUE_MAKERS[field](rng) if field in VALUE_MAKERS else value
        required_new = hard
        deprecated_schema = rng.choice(sorted(schemas_def))
        deprecated_field = schemas_def[deprecated_schema][-1][0]
        if deprecated_schema == target:
            deprecation_note = f"Deprecated: use {field} instead."
        else:
            deprecation_note = "Deprecated: no longer used, will be removed in the next major version."
        old_description = schemas[deprecated_schema]["properties"][deprecated_field]["description"]

        # Ground truth: the spec after the change.
        after = copy.deepcopy(spec_doc)
        after["info"]["version"] = new_version
        new_prop: dict[str, Any] = {"type": kind}
        if fmt:
            new_prop["format"] = fmt
        if enum:
            new_prop["enum"] = enum
        new_prop["description"] = description
        after["components"]["schemas"][target]["properties"][field] = new_prop
        if required_new:
            after["components"]["schemas"][target]["required"].append(field)
        deprecated_prop = after["components"]["schemas"][deprecated_schema]["properties"][deprecated_field]
        deprecated_prop["deprecated"] = True
        if hard:
            deprecated_prop["description"] = f"{deprecation_note} {old_description}"
        after["components"]["schemas"][target]["example"][field] = value
        example_pointers = [f"/components/schemas/{target}/example/{field}"]
        if target == main_name and hard:
            json_ptr = _pointer_escape("application/json")
            for index in range(len(list_example)):
                after["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"][index][
                    field
                ] = value
                example_pointers.append(
                    f"/paths/{_pointer_escape(path)}/get/responses/200/content/{json_ptr}/example/{index}/{field}"
                )
            detail = f"{path}/{{{id_param}}}"
            after["paths"][detail]["get"]["responses"]["200"]["content"]["application/json"]["example"][field] = value
            example_pointers.append(
                f"/paths/{_pointer_escape(detail)}/get/responses/200/content/{json_ptr}/example/{field}"
            )

        # Workspace.
        number = rng.randint(100, 480)
        cr_path = f"docs/change-requests/CR-{number}.md"
        requester = rng.choice(b.persona.team) if b.persona.team else b.pools.person(rng)
        partner = rng.choice(("Brightpath Logistics", "Copperleaf ERP", "Nimbus POS", "Harbourline CRM"))
        value_text = json.dumps(value)
        type_text = f"`{kind}`" + (f" with format `{fmt}`" if fmt else "")
        lines = [
            f"# CR-{number}: `{field}` on {target}, retire `{deprecated_schema}.{deprecated_field}`",
            "",
            f"Requested by {requester} for the {partner} integration.",
            "",
            f"1. Add a property `{field}` to the `{target}` schema:",
            f"   - type: {type_text}",
            *([f"   - allowed values (`enum`): {', '.join(f'`{v}`' for v in enum)}"] if enum else []),
            f'   - description: "{description}"',
            "   - required: yes (add it to the schema's `required` list)"
            if required_new
            else "   - required: no (optional, not in `required`)",
            f'2. Mark `{deprecated_schema}.{deprecated_field}` as deprecated (`"deprecated": true` on the property).'
            + (
                f' Its description must start with "{deprecation_note}" followed by a space and the current text.'
                if hard
                else " Leave its description as it is."
            ),
            "3. Adding a field is backwards compatible, so bump the MINOR part of `info.version` (and reset PATCH "
            "to 0).",
            f"4. Examples: the `{target}` schema's `example` should show the new field with the value "
            f"`{value_text}`"
            + (
                "; so should every response example of a "
                f"`{target}` under `paths` (list and detail), since the field is required."
                if hard
                else "."
            ),
            "5. Nothing else changes. Run `python3 tools/check_spec.py api/openapi.json` before handing it over.",
        ]
        change_request = "\n".join(lines) + "\n"
        api_changelog = (
            "# API changelog\n\n"
            f"## {old_version}\n\n- Clarified descriptions of {main_name} fields.\n\n"
            f"## {major}.{max(minor - 1, 0)}.0\n\n- Added the {path}/{{{id_param}}} endpoint.\n"
        )
        b.file("api/openapi.json", original_text)
        b.file("tools/check_spec.py", CHECKER, executable=True)
        b.file(cr_path, change_request)
        b.file("docs/API_CHANGELOG.md", api_changelog)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["api/", "tools/", "docs/"])

        body = b.pick(
            [
                f"Could you apply {cr_path} to our API spec (api/openapi.json)? It's a new `{field}` field on "
                f"{target}, a deprecation, the version bump and the examples; the CR spells out the details. Keep "
                "the rest of the spec exactly as it is, and run tools/check_spec.py on it when you're done so we "
                f"know it's clean before it goes to {partner}.",
                f"{partner} is waiting on CR-{number}. Please:\n"
                f"1. Make the schema changes from {cr_path} in api/openapi.json (new field, deprecation).\n"
                "2. Bump info.version as the CR says.\n"
                "3. Update the example payload(s) so they show the new field.\n"
                "4. Run `python3 tools/check_spec.py api/openapi.json` and make sure it says OK.\n"
                "Don't change anything the CR doesn't ask for.",
                f"quick spec change: everything is in {cr_path}. edit api/openapi.json accordingly (field, "
                "deprecation, version, examples), nothing else, and make sure tools/check_spec.py passes.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: the new field is required, so every example of that schema has to "
                "carry it (the checker will complain otherwise), and mind the exact wording for the deprecated "
                "field."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 5)

        # Checks.
        c = b.checks
        spec_path = "api/openapi.json"
        base = f"/components/schemas/{target}/properties/{field}"
        version = c.json_equals("version_bumped", spec_path, "/info/version", new_version)
        c.json_equals("new_field_type", spec_path, f"{base}/type", kind)
        c.json_equals("new_field_description", spec_path, f"{base}/description", description)
        if fmt:
            c.json_equals("new_field_format", spec_path, f"{base}/format", fmt)
        if enum:
            c.json_equals("new_field_allowed_values", spec_path, f"{base}/enum", enum, unordered=True)
        required = after["components"]["schemas"][target]["required"]
        c.json_equals(
            "required_list_correct",
            spec_path,
            f"/components/schemas/{target}/required",
            required,
            unordered=True,
            requires=[version],
        )
        deprecated_base = f"/components/schemas/{deprecated_schema}/properties/{deprecated_field}"
        c.json_equals("legacy_field_deprecated", spec_path, f"{deprecated_base}/deprecated", True)
        if hard:
            c.json_equals(
                "deprecation_description", spec_path, f"{deprecated_base}/description", deprecated_prop["description"]
            )
        for index, pointer in enumerate(example_pointers):
            label = "schema_example_shows_field" if index == 0 else f"response_example_{index}_shows_field"
            c.json_equals(label, spec_path, pointer, value)
        intact = _intact_script(after, target, field, deprecated_schema, deprecated_field, hard, main_name)
        c.command("rest_of_spec_unchanged", intact, requires=[version])
        c.command(
            "spec_checker_passes",
            f"python3 tools/check_spec.py {spec_path}",
            stdout_contains=["OK:"],
            requires=[version],
        )

        # Reference solution: read, patch with a small script, run the checker.
        s = b.solution
        s.exec(f"cat {cr_path} && python3 tools/check_spec.py {spec_path} && head -c 1500 {spec_path}")
        core = [
            "import json",
            f"path = '{spec_path}'",
            "spec = json.load(open(path, encoding='utf-8'))",
            f"spec['info']['version'] = '{new_version}'",
            f"schema = spec['components']['schemas']['{target}']",
            f"schema['properties']['{field}'] = json.loads({json.dumps(json.dumps(new_prop))})",
        ]
        if required_new:
            core.append(f"schema['required'].append('{field}')")
        core.append(
            f"legacy = spec['components']['schemas']['{deprecated_schema}']['properties']['{deprecated_field}']"
        )
        core.append("legacy['deprecated'] = True")
        if hard:
            core.append(f"legacy['description'] = {json.dumps(deprecated_prop['description'])}")
        examples = [f"value = json.loads({json.dumps(value_text)})", f"schema['example']['{field}'] = value"]
        if len(example_pointers) > 1:
            content = "['get']['responses']['200']['content']['application/json']['example']"
            examples.append(f"for item in spec['paths']['{path}']{content}:\n    item['{field}'] = value")
            examples.append(f"spec['paths']['{path}/{{{id_param}}}']{content}['{field}'] = value")
        save = "open(path, 'w', encoding='utf-8').write(json.dumps(spec, indent=2, ensure_ascii=False) + '\\n')"
        script = "\n".join([*core, *examples, save])
        s.exec(_heredoc(script))
        s.exec(f"python3 tools/check_spec.py {spec_path}")

        # Near miss: everything but the examples.
        b.near_miss([s.steps[0], {"name": "exec", "arguments": {"command": _heredoc("\n".join([*core, save]))}}])
        # Near miss: the version bumped the wrong way (patch instead of minor).
        wrong = script.replace(f"'{new_version}'", f"'{major}.{minor}.{patch + 1}'")
        b.near_miss([s.steps[0], {"name": "exec", "arguments": {"command": _heredoc(wrong)}}])


def _org(org: str) -> str:
    return org[4:] if org.lower().startswith("the ") else org


def _heredoc(script: str) -> str:
    return f"python3 - <<'PATCH'\n{script}\nPATCH"


def _intact_script(
    after: dict[str, Any],
    target: str,
    field: str,
    deprecated_schema: str,
    deprecated_field: str,
    hard: bool,
    main_name: str,
) -> str:
    """A command comparing the spec with the expected one after removing exactly what the change request touches.

    The new property, the ``required`` list, the version, the deprecated flag (and, when hard, the deprecated
    field's description) and the new field wherever it appears in an example are set aside; everything else must
    be identical (key order and formatting do not matter).
    """
    code = f"""
import json
import sys

TARGET, FIELD, HARD = {target!r}, {field!r}, {hard!r}
DEP_SCHEMA, DEP_FIELD = {deprecated_schema!r}, {deprecated_field!r}


def strip(spec):
    spec.get("info", {{}}).pop("version", None)
    schemas = spec.get("components", {{}}).get("schemas", {{}})
    target = schemas.get(TARGET, {{}})
    target.get("properties", {{}}).pop(FIELD, None)
    target.pop("required", None)
    if isinstance(target.get("example"), dict):
        target["example"].pop(FIELD, None)
    legacy = schemas.get(DEP_SCHEMA, {{}}).get("properties", {{}}).get(DEP_FIELD, {{}})
    legacy.pop("deprecated", None)
    if HARD:
        legacy.pop("description", None)
    for operations in spec.get("paths", {{}}).values():
        for operation in operations.values():
            for response in operation.get("responses", {{}}).values():
                for content in response.get("content", {{}}).values():
                    example = content.get("example")
                    items = example if isinstance(example, list) else [example]
                    for item in items:
                        if isinstance(item, dict) and {target == main_name!r}:
                            item.pop(FIELD, None)
    return spec


expected = strip(json.loads({json.dumps(json.dumps(after))}))
actual = strip(json.load(open("api/openapi.json", encoding="utf-8")))
if actual != expected:
    sys.exit("the spec differs outside the change request")
print("intact")
"""
    return f"python3 - <<'PYCHECK'\n{code.strip()}\nPYCHECK"
