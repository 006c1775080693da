"""Config migration: turn an old INI config into the new JSON format a migration guide describes, then validate."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import DEVELOPER_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text

__all__ = ["ConfigMigration"]

MB = 1024 * 1024


@dataclass(frozen=True)
class _Key:
    old: tuple[str, str]
    new: tuple[str, str]
    kind: str
    make: Callable[[StableRandom], str]
    """The raw INI value."""
    note: str = ""


def _pick(*values: str) -> Callable[[StableRandom], str]:
    return lambda rng: rng.choice(values)


def _int(low: int, high: int, step: int = 1) -> Callable[[StableRandom], str]:
    return lambda rng: str(rng.randint(low // step, high // step) * step)


def _bool(rng: StableRandom) -> str:
    return rng.choice(("yes", "no", "true", "false", "on", "off", "Yes", "No", "1", "0"))


def _convert(kind: str, raw: str) -> Any:
    text = raw.strip()
    if kind == "str":
        return text
    if kind == "lower":
        return text.lower()
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return text.lower() in ("yes", "true", "on", "1")
    if kind == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind == "s_to_ms":
        return round(float(text) * 1000)
    if kind == "min_to_s":
        return int(text) * 60
    if kind == "mb_to_bytes":
        return int(text) * MB
    if kind == "days_to_hours":
        return int(text) * 24
    if kind == "plus_one":
        return int(text) + 1
    raise ValueError(kind)


TYPES = {
    "str": "string",
    "lower": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "list",
    "s_to_ms": "integer",
    "min_to_s": "integer",
    "mb_to_bytes": "integer",
    "days_to_hours": "integer",
    "plus_one": "integer",
}
NOTES = {
    "str": "string, as written",
    "lower": "string, lowercased",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "list of strings",
    "s_to_ms": "seconds -> **milliseconds** (integer)",
    "min_to_s": "minutes -> **seconds** (integer)",
    "mb_to_bytes": "megabytes -> **bytes** (1 MB = 1048576 bytes)",
    "days_to_hours": "days -> **hours** (integer)",
    "plus_one": "now counts attempts, not retries: **retries + 1**",
}
MINIMUMS = {"s_to_ms": 100, "min_to_s": 60, "mb_to_bytes": 1024, "days_to_hours": 24, "plus_one": 1}


@dataclass(frozen=True)
class _Flavour:
    service: str
    ini: str
    keys: tuple[_Key, ...]
    removed: tuple[tuple[str, str, Callable[[StableRandom], str]], ...]
    defaults: tuple[tuple[str, str, Any], ...]
    pattern_key: _Key
    """A string key whose value contains ``%`` (hard tasks add it)."""


WEB = _Flavour(
    service="booking-api",
    ini="app.ini",
    keys=(
        _Key(("server", "host"), ("http", "bind_address"), "str", _pick("0.0.0.0", "127.0.0.1", "10.0.4.12")),
        _Key(("server", "port"), ("http", "port"), "int", _int(8000, 8999)),
        _Key(("server", "timeout"), ("http", "timeout_ms"), "s_to_ms", _pick("15", "30", "45", "60", "2.5")),
        _Key(("server", "debug"), ("http", "debug"), "bool", _bool),
        _Key(
            ("server", "allowed_origins"),
            ("http", "cors_origins"),
            "list",
            _pick(
                "https://app.example.org, https://admin.example.org",
                "https://portal.example.com,",
                "https://a.example.net ,https://b.example.net, https://c.example.net",
            ),
        ),
        _Key(
            ("database", "url"),
            ("database", "url"),
            "str",
            _pick("postgres://app@db.internal:5432/bookings", "postgres://svc@10.0.3.7:5432/main"),
        ),
        _Key(("database", "pool_size"), ("database", "pool_size"), "int", _int(5, 40)),
        _Key(("database", "connect_timeout"), ("database", "connect_timeout_ms"), "s_to_ms", _pick("3", "5", "10")),
        _Key(("database", "ssl"), ("database", "require_tls"), "bool", _bool),
        _Key(("cache", "enabled"), ("cache", "enabled"), "bool", _bool),
        _Key(("cache", "ttl"), ("cache", "ttl_seconds"), "min_to_s", _pick("5", "15", "30", "90")),
        _Key(("cache", "backend"), ("cache", "backend"), "str", _pick("redis", "memory", "memcached")),
        _Key(("logging", "level"), ("logging", "level"), "lower", _pick("INFO", "WARNING", "Debug", "error")),
        _Key(("logging", "file"), ("logging", "path"), "str", _pick("/var/log/booking-api/app.log", "logs/app.log")),
        _Key(("uploads", "max_size_mb"), ("storage", "max_upload_bytes"), "mb_to_bytes", _int(5, 100, 5)),
        _Key(
            ("uploads", "allowed_types"),
            ("storage", "allowed_extensions"),
            "list",
            _pick("pdf, png, jpg", "pdf,docx, xlsx", "csv , pdf"),
        ),
    ),
    removed=(
        ("server", "workers_legacy", _int(2, 8)),
        ("database", "pool_recycle_hack", _pick("yes", "no")),
        ("logging", "syslog_facility", _pick("local0", "local3")),
        ("cache", "warmup_on_boot", _pick("true", "false")),
    ),
    defaults=(
        ("http", "request_id_header", "X-Request-ID"),
        ("database", "statement_timeout_ms", 30000),
        ("logging", "format", "json"),
        ("storage", "scan_uploads", True),
    ),
    pattern_key=_Key(
        ("logging", "line_format"),
        ("logging", "pattern"),
        "str",
        _pick("%(asctime)s %(levelname)s %(message)s", "%(levelname)s [%(name)s] %(message)s"),
    ),
)

WORKER = _Flavour(
    service="report-worker",
    ini="worker.ini",
    keys=(
        _Key(("worker", "concurrency"), ("worker", "concurrency"), "int", _int(2, 16)),
        _Key(("worker", "poll_interval"), ("worker", "poll_interval_ms"), "s_to_ms", _pick("0.5", "1", "2.5", "5")),
        _Key(
            ("worker", "queues"),
            ("worker", "queues"),
            "list",
            _pick("default, reports, emails", "reports,exports ,", "high, default, low"),
        ),
        _Key(("worker", "retry_failed"), ("worker", "retry_failed"), "bool", _bool),
        _Key(("worker", "max_retries"), ("worker", "max_attempts"), "plus_one", _int(0, 6)),
        _Key(("smtp", "host"), ("email", "smtp_host"), "str", _pick("smtp.internal", "mail.example.org")),
        _Key(("smtp", "port"), ("email", "smtp_port"), "int", _pick("25", "465", "587")),
        _Key(("smtp", "use_tls"), ("email", "tls"), "bool", _bool),
        _Key(
            ("smtp", "from_address"), ("email", "sender"), "str", _pick("reports@example.org", "no-reply@example.com")
        ),
        _Key(("reports", "output_dir"), ("reports", "output_dir"), "str", _pick("/srv/reports", "out/reports")),
        _Key(("reports", "keep_days"), ("reports", "retention_hours"), "days_to_hours", _int(7, 90)),
        _Key(
            ("reports", "timezone"),
            ("reports", "timezone"),
            "str",
            _pick("Europe/Berlin", "America/Chicago", "Australia/Perth", "UTC"),
        ),
        _Key(("metrics", "enabled"), ("metrics", "enabled"), "bool", _bool),
        _Key(("metrics", "sample_rate"), ("metrics", "sample_rate"), "float", _pick("0.1", "0.25", "0.5", "1.0")),
        _Key(("metrics", "flush_every"), ("metrics", "flush_interval_ms"), "s_to_ms", _pick("10", "30", "60")),
    ),
    removed=(
        ("metrics", "statsd_host", _pick("statsd.internal", "10.0.9.2")),
        ("worker", "use_threads", _pick("yes", "no")),
        ("smtp", "legacy_auth", _pick("plain", "login")),
        ("reports", "compress_old", _pick("true", "false")),
    ),
    defaults=(
        ("worker", "shutdown_grace_ms", 10000),
        ("email", "timeout_ms", 15000),
        ("metrics", "prefix", "report_worker"),
        ("reports", "format", "csv"),
    ),
    pattern_key=_Key(
        ("reports", "filename_pattern"),
        ("reports", "filename_pattern"),
        "str",
        _pick("report_%Y-%m-%d.csv", "%Y%m%d_summary.csv"),
    ),
)

FLAVOURS = (WEB, WORKER)


def _validator(schema: dict[str, dict[str, dict[str, Any]]]) -> str:
    return (
        '''#!/usr/bin/env python3
"""Validate a v3 config file before deploying it.

Usage: python3 tools/validate_config.py config/FILE.json

Checks the structure (version 3, known sections and keys, nothing missing),
the value types, and sanity minimums for durations and sizes. It cannot tell
whether a value is the *right* one: that's on you.
"""

import json
import sys

SCHEMA = json.loads(r"""
'''
        + json.dumps(schema, indent=1, sort_keys=True)
        + '''
""")

TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list) and all(isinstance(item, str) for item in v),
}


def validate(config):
    problems = []
    if config.get("version") != 3:
        problems.append("version must be 3")
    for section in sorted(set(config) - set(SCHEMA) - {"version"}):
        problems.append(f"unknown section {section!r}")
    for section, keys in sorted(SCHEMA.items()):
        values = config.get(section)
        if not isinstance(values, dict):
            problems.append(f"missing section {section!r}")
            continue
        for key in sorted(set(values) - set(keys)):
            problems.append(f"{section}.{key}: unknown key")
        for key, rule in sorted(keys.items()):
            if key not in values:
                problems.append(f"{section}.{key}: missing")
                continue
            value = values[key]
            if not TYPES[rule["type"]](value):
                problems.append(f"{section}.{key}: expected {rule['type']}, got {value!r}")
            elif "min" in rule and value < rule["min"]:
                problems.append(f"{section}.{key}: {value} is below {rule['min']} (wrong unit?)")
    return problems


def main(argv):
    if len(argv) != 2:
        print("usage: python3 tools/validate_config.py config/FILE.json")
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    problems = validate(config)
    for problem in problems:
        print(f"INVALID: {problem}")
    if problems:
        return 1
    print(f"config OK ({sum(len(keys) for keys in SCHEMA.values())} keys in {len(SCHEMA)} sections)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''
    )


class ConfigMigration(TaskFamily):
    """Migrate a service's old INI config to the new JSON format described in a migration guide, then validate it.

    **Request**: write ``config/<service>.json`` from the INI config
    following ``docs/MIGRATING_TO_V3.md`` (renamed keys, unit changes such as
    seconds to milliseconds, booleans and comma lists converted, removed
    keys dropped, new keys added with their defaults) and run the provided
    validator; leave the INI file alone.

    **Workspace**: one of two services (a web API, a report worker) with an
    INI file of five or six sections in mixed spacing and boolean spellings
    (``yes``/``off``/``1``...), lists with stray spaces and trailing commas,
    the migration guide (mapping table, removed keys, defaults, conversion
    rules), a stdlib validator that checks structure, types and sanity
    minimums (so unconverted units fail), a README; unrelated files.

    **Checks**: the JSON parses; ``version`` is 3; every migrated or
    defaulted key has exactly the right value (one check per key); every
    section has exactly the expected keys; the validator passes; the INI is
    unchanged.

    **Hard**: a ``<service>.local.ini`` whose values override the main file,
    inline ``;`` comments after values, a value with ``%`` signs (which
    trips ``configparser``'s default interpolation), and more keys.
    """

    name = "config_migration"
    scenario = Scenario.SOFTWARE_DEVELOPMENT
    operations = (Operation.FILE_CONTENT, Operation.DEVELOPMENT)
    domains = DEVELOPER_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        flavour = rng.choice(FLAVOURS)
        keys = list(flavour.keys)
        if not hard:
            # Leave a few keys out of the INI file, but never a unit conversion (the task is about them) nor the
            # last key of a v3 section (every section of the guide shows up in the result).
            for key in rng.sample(keys, len(keys)):
                if len(flavour.keys) - len(keys) >= 4:
                    break
                siblings = [other for other in keys if other.new[0] == key.new[0]]
                if key.kind not in MINIMUMS and len(siblings) > 1:
                    keys.remove(key)
        else:
            keys.append(flavour.pattern_key)
        removed = rng.sample(flavour.removed, 3 if hard else 2)
        defaults = rng.sample(flavour.defaults, 3 if hard else 2)
        raw = {key.old: key.make(rng.child("value", *key.old)) for key in keys}
        overrides: dict[tuple[str, str], str] = {}
        if hard:
            candidates = [key for key in keys if key.kind in ("int", "bool", "s_to_ms") and key.old[0] != "logging"]
            for key in rng.sample(candidates, 3):
                value = key.make(rng.child("override", *key.old))
                if _convert(key.kind, value) == _convert(key.kind, raw[key.old]):
                    if key.kind == "bool":
                        value = "off" if _convert("bool", value) else "on"
                    else:
                        value = str(int(float(value)) + 1)
                overrides[key.old] = value

        # Expected JSON.
        expected: dict[str, Any] = {"version": 3}
        for key in keys:
            value = overrides.get(key.old, raw[key.old])
            expected.setdefault(key.new[0], {})[key.new[1]] = _convert(key.kind, value)
        for section, name, value in defaults:
            expected.setdefault(section, {})[name] = value
        schema: dict[str, dict[str, dict[str, Any]]] = {}
        for key in keys:
            rule: dict[str, Any] = {"type": TYPES[key.kind]}
            if key.kind in MINIMUMS:
                rule["min"] = MINIMUMS[key.kind]
            schema.setdefault(key.new[0], {})[key.new[1]] = rule
        for section, name, value in defaults:
            kind = "boolean" if isinstance(value, bool) else "integer" if isinstance(value, int) else "string"
            schema.setdefault(section, {})[name] = {"type": kind}
        # Sections only in the old file (every key removed) do not exist in v3.

        # The INI file(s).
        def ini_text(values: dict[tuple[str, str], str], extra: list[tuple[str, str, str]], header: str) -> str:
            sections: dict[str, list[str]] = {}
            for key in keys:
                if key.old not in values:
                    continue
                section, name = key.old
                value = values[key.old]
                if hard and key.kind in MINIMUMS and rng.chance(0.7):
                    unit = {
                        "s_to_ms": "seconds",
                        "min_to_s": "minutes",
                        "mb_to_bytes": "MB",
                        "days_to_hours": "days",
                        "plus_one": "retries",
                    }[key.kind]
                    value = f"{value}  ; {unit}"
                spacing = rng.choice((" = ", "=", " = ", "   =  "))
                if hard and rng.chance(0.15):
                    name = name.capitalize()
                sections.setdefault(section, []).append(f"{name}{spacing}{value}")
            for section, name, value in extra:
                sections.setdefault(section, []).append(f"{name} = {value}")
            out = [header, ""]
            for section, lines in sections.items():
                out.append(f"[{section}]")
                if rng.chance(0.3):
                    out.append(
                        rng.choice(("# changed by ops in March", "; do not touch without asking", "# see wiki/Config"))
                    )
                out += lines
                out.append("")
            return "\n".join(out)

        removed_values = [(section, name, make(rng.child("removed", name))) for section, name, make in removed]
        ini_path = f"config/{flavour.ini}"
        ini = ini_text(raw, removed_values, f"# {flavour.service} configuration (v2 format)\n# owner: {b.persona.name}")
        files = {ini_path: ini}
        local_path = None
        if hard:
            local_path = f"config/{flavour.ini.replace('.ini', '.local.ini')}"
            local = ini_text(overrides, [], "; local overrides for this host; these win over the main file")
            files[local_path] = local
        for path, text in files.items():
            b.file(path, text)

        json_path = f"config/{flavour.service}.json"
        first = flavour.keys[0]
        table = ["| v2 (INI) | v3 (JSON) | notes |", "|---|---|---|"]
        for key in flavour.keys + ((flavour.pattern_key,) if hard else ()):
            table.append(f"| `[{key.old[0]}] {key.old[1]}` | `{key.new[0]}.{key.new[1]}` | {NOTES[key.kind]} |")
        guide = [
            f"# Migrating {flavour.service} config to v3",
            "",
            f"v3 reads a single JSON file, `{json_path}`, instead of the INI file. It is one object: "
            f'`"version": 3` plus one object per section, e.g. `{{"version": 3, "{first.new[0]}": {{"{first.new[1]}": '
            "...}, ...}`.",
            "",
            "## Key mapping",
            "",
            "Keys that are not in your INI file simply don't appear in the JSON (unless they have a default below).",
            "",
            *table,
            "",
            "## Conversion rules",
            "",
            "- Booleans: `yes`, `true`, `on`, `1` mean true; `no`, `false`, `off`, `0` mean false (any case).",
            "- Lists: comma-separated, each item trimmed, empty items dropped.",
            "- Strings: trimmed, otherwise exactly as written.",
            "- INI key names are case-insensitive.",
            *(
                [
                    "- `;` starts a comment, also after a value on the same line (strip it).",
                    f"- `{flavour.ini.replace('.ini', '.local.ini')}` is layered over `{flavour.ini}`: a key "
                    "set in the local file wins.",
                    "- Values may contain `%`; it has no special meaning.",
                ]
                if hard
                else []
            ),
            "",
            "## Removed in v3 (drop them)",
            "",
            *(f"- `[{section}] {name}`" for section, name, _ in flavour.removed),
            "",
            "## New in v3 (always present, use these defaults)",
            "",
            *(f"- `{section}.{name}`: `{json.dumps(value)}`" for section, name, value in defaults),
            "",
            "Check the result with `python3 tools/validate_config.py " + json_path + "` before deploying.",
        ]
        b.file("docs/MIGRATING_TO_V3.md", "\n".join(guide) + "\n")
        b.file("tools/validate_config.py", _validator(schema), executable=True)
        b.file(
            "README.md",
            f"# {flavour.service}\n\nRuns at {b.persona.org}. Config lives in `config/`; v3 of the service reads "
            f"`{json_path}` (see docs/MIGRATING_TO_V3.md).\n",
        )
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["config/", "docs/", "tools/"])

        body = b.pick(
            [
                f"We're upgrading {flavour.service} to v3 and its config format changes from INI to JSON. Could "
                f"you convert {ini_path} into {json_path} following docs/MIGRATING_TO_V3.md (renamed keys, unit "
                "changes, removed keys, new defaults, all of it) and then run tools/validate_config.py on the "
                f"result? Please leave the old INI file{'s' if hard else ''} in place, untouched.",
                f"Config migration for {flavour.service}, please:\n"
                f"1. Read docs/MIGRATING_TO_V3.md.\n2. Write {json_path} from {ini_path}"
                + (f" (with {local_path} layered on top)" if hard else "")
                + ", converting every key as the guide says.\n"
                f"3. Run `python3 tools/validate_config.py {json_path}` and make sure it says OK.\n"
                "Don't modify the INI files.",
                f"can you do the v3 config for {flavour.service}? old one is {ini_path}, guide is "
                f"docs/MIGRATING_TO_V3.md, new file should be {json_path}. validate it with tools/validate_config.py. "
                "leave the ini as is",
            ]
        )
        if hard:
            body += (
                f"\n\nA few things to watch: {local_path} overrides some values, a few lines have comments after "
                "the value, and one value has % signs in it."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(6 if hard else 4)

        # Checks.
        c = b.checks
        valid = c.json_valid("config_json_written", json_path)
        c.json_equals("version_is_3", json_path, "/version", 3, requires=[valid])
        for section, values in expected.items():
            if section == "version":
                continue
            for name, value in values.items():
                tolerance = 1e-9 if isinstance(value, float) else 0.0
                c.json_equals(
                    f"{section}_{name}_value",
                    json_path,
                    f"/{section}/{name}",
                    value,
                    tolerance=tolerance,
                    requires=[valid],
                )
            c.json_keys(f"{section}_keys_exact", json_path, f"/{section}", list(values), exact=True, requires=[valid])
        c.json_keys("sections_exact", json_path, "", list(expected), exact=True, requires=[valid])
        c.command(
            "validator_passes",
            f"python3 tools/validate_config.py {json_path}",
            stdout_contains=["config OK"],
            requires=[valid],
        )
        c.files_unchanged("ini_unchanged", files, requires=[valid])

        # Reference solution.
        s = b.solution
        s.exec(f"cat docs/MIGRATING_TO_V3.md {' '.join(files)}")
        s.write(json_path, json_text(expected))
        s.exec(f"python3 tools/validate_config.py {json_path}")

        # Near misses: one unit conversion forgotten; a removed key carried over.
        unit_keys = [key for key in keys if key.kind in MINIMUMS]
        if unit_keys:
            key = unit_keys[0]
            wrong = json.loads(json.dumps(expected))
            wrong[key.new[0]][key.new[1]] = int(float(overrides.get(key.old, raw[key.old]).strip()))
            b.near_miss(
                [
                    s.steps[0],
                    {"name": "write", "arguments": {"path": json_path, "content": json_text(wrong)}},
                    s.steps[2],
                ]
            )
        extra = json.loads(json.dumps(expected))
        section, name, value = removed_values[0]
        extra.setdefault(section, {})[name] = value
        b.near_miss([s.steps[0], {"name": "write", "arguments": {"path": json_path, "content": json_text(extra)}}])
