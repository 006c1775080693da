"""Env file merge: build the real ``.env`` from the example, the team defaults and local overrides."""

from __future__ import annotations

import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import slug

__all__ = ["EnvFileMerge"]

# (key, section, (example value, defaults value, local value)); "" in the example means "fill me in".
KEYS = (
    ("APP_NAME", "App", ("{short}", "{short}-portal", "{short}-dev")),
    ("APP_ENV", "App", ("development", "staging", "local")),
    ("APP_PORT", "App", ("3000", "8080", "3001")),
    ("APP_URL", "App", ("http://localhost:3000", "https://staging.{domain}", "http://localhost:3001")),
    ("LOG_LEVEL", "App", ("info", "warn", "debug")),
    ("TIMEZONE", "App", ("UTC", "Europe/London", "America/Chicago")),
    (
        "DATABASE_URL",
        "Database",
        (
            "postgres://app@localhost:5432/app",
            "postgres://app@db.internal/{short}",
            "postgres://{user}@localhost:5433/{short}_dev",
        ),
    ),
    ("DB_POOL_SIZE", "Database", ("5", "10", "3")),
    ("DB_PASSWORD", "Database", ("", "", "")),
    ("REDIS_URL", "Cache", ("redis://localhost:6379/0", "redis://cache.internal:6379/1", "redis://localhost:6380/0")),
    ("CACHE_TTL_SECONDS", "Cache", ("300", "600", "60")),
    ("SMTP_HOST", "Mail", ("localhost", "smtp.{domain}", "127.0.0.1")),
    ("SMTP_PORT", "Mail", ("1025", "587", "2525")),
    ("SMTP_PASSWORD", "Mail", ("", "", "")),
    ("MAIL_FROM", "Mail", ("noreply@example.com", "noreply@{domain}", "{user}@{domain}")),
    ("JWT_SECRET", "Auth", ("", "", "")),
    ("SESSION_SECRET", "Auth", ("", "", "")),
    ("STRIPE_API_KEY", "Integrations", ("", "", "")),
    ("MAPS_API_KEY", "Integrations", ("", "", "")),
    ("GITHUB_TOKEN", "Integrations", ("", "", "")),
    ("S3_BUCKET", "Storage", ("my-bucket", "{short}-uploads-staging", "{short}-uploads-{user}")),
    ("S3_REGION", "Storage", ("us-east-1", "eu-west-1", "eu-central-1")),
    ("MAX_UPLOAD_MB", "Storage", ("10", "25", "50")),
    ("CHECKOUT_VARIANT", "Features", ("classic", "v2", "v2-beta")),
    ("WORKER_CONCURRENCY", "Features", ("2", "4", "1")),
)
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "API_KEY")
SECRET_PREFIX = {"DB_PASSWORD": "pg_", "SMTP_PASSWORD": "smtp_", "JWT_SECRET": "jwt_", "SESSION_SECRET": "sess_",
                 "STRIPE_API_KEY": "sk_test_", "MAPS_API_KEY": "AIza", "GITHUB_TOKEN": "ghp_"}  # fmt: skip
STRAY_KEYS = (("DEBUG_SQL", "true"), ("OLD_API_URL", "http://localhost:4000"), ("PGSSLMODE", "disable"),
              ("NODE_OPTIONS", "--max-old-space-size=4096"), ("LEGACY_CDN_HOST", "cdn-old.internal"))  # fmt: skip


def _is_secret(key: str) -> bool:
    return any(word in key for word in SECRET_WORDS)


class EnvFileMerge(TaskFamily):
    """Merge ``.env.example``, ``.env.defaults`` and ``.env.local`` into the real ``.env`` plus a redacted report.

    **Request**: the user wants ``.env`` with every key of ``.env.example``
    (values by the stated precedence ``.env.local`` > ``.env.defaults`` >
    ``.env.example``, keys without a value anywhere written ``KEY=``,
    comments dropped, in example order or alphabetically as the request
    says) and ``env_report.md`` with a "Missing" list and a "Values" list in
    which secret values are shown as ``***``.

    **Workspace**: the three env files (the example commented and grouped by
    section, the defaults committed by the team, the user's local
    overrides), a README saying how the app loads them, distractors.

    **Checks**: ``.env`` exists; local overrides, team defaults, example
    fallbacks and missing keys each land as stated (one check per kind);
    the exact file (order, no comments); the report's Missing and Values
    lists; no secret value leaks into the report; the sources unchanged.

    **Hard**: more keys; ``export`` prefixes and quoted values to clean up;
    a key repeated in ``.env.local`` (the later line wins); ``KEY=`` in
    ``.env.local`` that means "not set here"; keys that are not in the
    example, to be left out of ``.env`` and listed under "Ignored".
    """

    name = "env_file_merge"
    scenario = Scenario.SYSTEMS_INFRASTRUCTURE
    operations = (Operation.FILE_CONTENT, Operation.SYSTEM_ENVIRONMENT)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        short = slug(b.persona.org, separator="-").split("-")[0]
        user = slug(b.persona.name.split()[0], separator="")
        fill = {"short": short, "domain": b.persona.email_domain, "user": user}

        count = rng.randint(15, 19) if hard else rng.randint(10, 13)
        secrets = [k for k in KEYS if _is_secret(k[0])]
        plain = [k for k in KEYS if not _is_secret(k[0])]
        chosen_keys = {k[0] for k in rng.sample(secrets, rng.randint(3, 4))}
        chosen_keys |= {k[0] for k in rng.sample(plain, count - len(chosen_keys))}
        chosen = [k for k in KEYS if k[0] in chosen_keys]  # example order: the pool's section order

        # Who wins each key; guarantee every kind appears.
        plain_keys = [k[0] for k in chosen if not _is_secret(k[0])]
        secret_keys = [k[0] for k in chosen if _is_secret(k[0])]
        winner: dict[str, str] = {}
        order = rng.shuffled(plain_keys)
        forced = ["local", "local", "defaults", "defaults", "example", "missing"] + (["missing"] if hard else [])
        for key, kind in zip(order, forced, strict=False):
            winner[key] = kind
        for key in order[len(forced) :]:
            winner[key] = rng.weighted(("local", "defaults", "example"), (3, 3, 2))
        for index, key in enumerate(rng.shuffled(secret_keys)):
            winner[key] = ("local", "defaults", "missing")[index] if index < 3 else rng.choice(("local", "defaults"))

        def secret_value(key: str) -> str:
            alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
            return SECRET_PREFIX[key] + "".join(alphabet[rng.below(len(alphabet))] for _ in range(rng.randint(16, 24)))

        example: dict[str, str] = {}
        defaults: dict[str, str] = {}
        local: dict[str, str] = {}
        for key, _, values in chosen:
            ex, de, lo = (v.format(**fill) for v in values)
            kind = winner[key]
            if _is_secret(key):
                de, lo = secret_value(key), secret_value(key)
            if hard and key == "APP_NAME":
                de = b.persona.org
            example[key] = "" if kind == "missing" or _is_secret(key) else ex
            if kind == "local":
                local[key] = lo
                if rng.chance(0.5):
                    defaults[key] = de
            elif kind == "defaults":
                defaults[key] = de
        # Resolve.
        merged: dict[str, str] = {}
        source: dict[str, str] = {}
        for key, _, _ in chosen:
            for name, values in ((".env.local", local), (".env.defaults", defaults), (".env.example", example)):
                if values.get(key):
                    merged[key], source[key] = values[key], name
                    break
            else:
                merged[key], source[key] = "", ""
        missing = sorted(key for key in merged if not merged[key])

        # Hard-mode mess: a stale earlier assignment, blanks in local, stray keys, export prefixes and quotes.
        local_lines = [_messy(rng, key, local[key], hard) for key in rng.shuffled(list(local))]
        strays = rng.sample(STRAY_KEYS, 2) if hard else []
        if hard:
            blank_key = rng.choice([k for k in merged if winner[k] == "defaults"])
            local_lines.insert(rng.below(len(local_lines) + 1), f"{blank_key}=")
            local_lines.append(_messy(rng, strays[0][0], strays[0][1], hard))
            stale_key = rng.choice([k for k in local if not _is_secret(k)])
            stale_value = next(values[1] for key, _, values in KEYS if key == stale_key).format(**fill)
            local_lines.insert(0, f"{stale_key}={stale_value}")
        local_text = (
            f"# {b.persona.name}'s machine - not committed\n"
            + "\n".join(local_lines[: len(local_lines) // 2])
            + "\n\n# trying things out\n"
            + "\n".join(local_lines[len(local_lines) // 2 :])
            + "\n"
        )

        default_lines = [_messy(rng, key, defaults[key], hard) for key in rng.shuffled(list(defaults))]
        if strays:
            default_lines.insert(rng.below(len(default_lines) + 1), f"{strays[1][0]}={strays[1][1]}")
        defaults_text = (
            f"# {b.persona.org} shared defaults - committed to the repo.\n"
            "# Personal values go in .env.local, never here.\n\n" + "\n".join(default_lines) + "\n"
        )
        ex_lines = ["# Copy to .env and fill in the blanks. Empty = you need a value from somewhere else.", ""]
        section = None
        for key, sec, _ in chosen:
            if sec != section:
                if section is not None:
                    ex_lines.append("")
                ex_lines.append(f"# --- {sec} ---")
                section = sec
            ex_lines.append(f"{key}={example[key]}")
        example_text = "\n".join(ex_lines) + "\n"
        b.file(".env.example", example_text)
        b.file(".env.defaults", defaults_text)
        b.file(".env.local", local_text)
        readme = (
            f"# {short} app\n\n"
            "## Configuration\n\n"
            "The app reads a single `.env` at startup (it does not merge files itself).\n"
            "Build it from `.env.example` (the list of keys), `.env.defaults` (team defaults) and\n"
            "`.env.local` (your overrides). Secrets are keys whose name contains PASSWORD, SECRET,\n"
            "TOKEN or API_KEY; never paste their values into tickets or chat.\n"
        )
        b.file("README.md", readme)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=[".env", "env_report.md"],
            exclude_kinds=("ini_config",),
        )

        alphabetical = rng.chance(0.5)
        env_keys = sorted(merged) if alphabetical else list(merged)
        env_lines = [f"{key}={merged[key]}" for key in env_keys]
        env_text = "\n".join(env_lines) + "\n"
        value_items = [f"{key}={'***' if _is_secret(key) else merged[key]}" for key in env_keys if merged[key]]
        ignored = sorted(key for key, _ in strays)

        # Request.
        order_text = "sorted alphabetically by key" if alphabetical else "in the same order as .env.example"
        report_text = (
            "env_report.md with a '## Missing' section listing (as bullets, alphabetically) the keys that have "
            "no value in any file, and a '## Values' section with one bullet per key that did get a value, "
            "written KEY=value (no backticks), in the same order as .env, but with every secret's value "
            "replaced by *** (secrets are the keys whose name contains PASSWORD, SECRET, TOKEN or API_KEY)"
        )
        body = b.pick(
            [
                "I need a working .env for the app. Please merge .env.example, .env.defaults and .env.local: "
                ".env gets every key listed in .env.example and nothing else, one KEY=value per line, no "
                f"comments, {order_text}. Precedence: .env.local wins over .env.defaults, which wins over "
                ".env.example. If no file has a value for a key, still write it as KEY= with nothing after it. "
                f"Then write {report_text}. I'm going to paste that report into our onboarding ticket. Don't "
                "change the three source files.",
                "Could you put together the .env from the three env files?\n\n"
                "1. .env: exactly the keys of .env.example, each as KEY=value, comments left out, "
                f"{order_text}.\n"
                "2. Values come from .env.local first, then .env.defaults, then .env.example; a key nobody "
                "sets stays as KEY= (empty).\n"
                f"3. The report: {report_text}.\n\n"
                "Leave .env.example, .env.defaults and .env.local as they are.",
                "Setting up the app locally and I'm tired of juggling env files. merge them into .env for me? "
                "local overrides defaults, defaults override the example. every key from .env.example and "
                f"only those, KEY=value lines, {order_text}, no comments, empty ones as KEY=. and a "
                f"{report_text} — it goes in a ticket so no real secrets in there. don't edit the source files.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: some lines have an `export ` prefix or quotes around the value; "
                "drop both (write the bare value). If .env.local sets the same key twice, the later line wins, "
                "like in a shell. A `KEY=` with nothing after it in .env.local means I haven't set it there, so "
                "fall through to the next file. Keys that aren't in .env.example don't go into .env; list them "
                "alphabetically in a third section, '## Ignored', of the report."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        has_env = c.file_exists("env_written", ".env")
        for kind, name in (("local", "local_overrides_applied"), ("defaults", "team_defaults_applied"),
                           ("example", "example_fallbacks_applied")):  # fmt: skip
            keys = [k for k in env_keys if winner[k] == kind]
            c.text_regex(name, ".env", _lines_pattern([f"{k}={merged[k]}" for k in keys]), requires=[has_env])
        c.text_regex("missing_keys_left_empty", ".env", _lines_pattern([f"{k}=" for k in missing]), requires=[has_env])
        c.lines_equal("env_exact_and_ordered", ".env", env_lines, requires=[has_env])
        c.text_absent("env_has_no_comments", ".env", ["#"], requires=[has_env])
        has_report = c.file_exists("report_written", "env_report.md")
        c.md_items("report_missing_keys", "env_report.md", "Missing", missing, requires=[has_report])
        c.md_items("report_values_redacted", "env_report.md", "Values", value_items, requires=[has_report])
        leaked = [merged[k] for k in env_keys if _is_secret(k) and merged[k]]
        c.text_absent("report_leaks_no_secret", "env_report.md", leaked, requires=[has_report])
        if hard:
            c.md_items("report_ignored_keys", "env_report.md", "Ignored", ignored, requires=[has_report])
        c.files_unchanged("sources_unchanged", {".env.example": example_text, ".env.defaults": defaults_text,
                                                ".env.local": local_text}, requires=[has_env])  # fmt: skip

        # Reference solution.
        report = f"# Env report ({short})\n\n## Missing\n\n" + "".join(f"- {k}\n" for k in missing)
        report += "\n## Values\n\n" + "".join(f"- {item}\n" for item in value_items)
        if hard:
            report += "\n## Ignored\n\n" + "".join(f"- {k}\n" for k in ignored)
        s = b.solution
        s.exec("ls -la && cat README.md")
        s.exec('for f in .env.example .env.defaults .env.local; do echo "== $f"; cat "$f"; done')
        s.write(".env", env_text)
        s.write("env_report.md", report)
        s.exec("wc -l .env && grep -c '=' .env.example")

        # Near miss: one local override ignored (the defaults or example value used instead).
        victim = next(k for k in env_keys if winner[k] == "local" and not _is_secret(k))
        fallback = defaults.get(victim) or example.get(victim) or ""
        bad = {**merged, victim: fallback}
        bad_env = "".join(f"{key}={bad[key]}\n" for key in env_keys)
        bad_report = report.replace(f"- {victim}={merged[victim]}\n", f"- {victim}={fallback}\n")
        b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": ".env", "content": bad_env}},
                     {"name": "write", "arguments": {"path": "env_report.md", "content": bad_report}}])  # fmt: skip


def _messy(rng: StableRandom, key: str, value: str, hard: bool) -> str:
    """``KEY=value``, in hard mode sometimes with ``export`` and quotes (values with spaces always quoted)."""
    if " " in value:
        return f'{key}="{value}"'
    if not hard:
        return f"{key}={value}"
    line = f"{key}={value}"
    roll = rng.below(5)
    if roll == 0:
        line = f'{key}="{value}"'
    elif roll == 1:
        line = f"export {key}={value}"
    elif roll == 2:
        line = f"{key}='{value}'"
    return line


def _lines_pattern(lines: list[str]) -> str:
    """A regex matching once (at the start) when every one of ``lines`` is a whole line of the file."""
    looks = "".join(rf"(?=[\s\S]*^[ \t]*{re.escape(line)}[ \t]*$)" for line in lines)
    return r"(?m)\A" + looks
