"""Service config audit: check a folder of service configs against a policy, list findings, fix one kind."""

from __future__ import annotations

import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, slug

__all__ = ["ServiceConfigAudit"]

SUFFIXES = ("api", "worker", "web", "sync", "scheduler", "gateway", "notifier", "reports")
SECRET_SLOTS = (
    ("database", "password", "DB_PASSWORD"),
    ("smtp", "password", "SMTP_PASSWORD"),
    ("payments", "api_key", "PAYMENTS_API_KEY"),
    ("auth", "secret_key", "AUTH_SECRET_KEY"),
    ("cache", "token", "CACHE_TOKEN"),
)
SECRET_EXTRAS = {
    "database": (("host", "db.internal"), ("user", "{short}")),
    "smtp": (("host", "smtp.internal"), ("from", "noreply@{mail}")),
    "payments": (("provider", "paywell"), ("timeout_s", "20")),
    "auth": (("issuer", "https://auth.{mail}"), ("ttl_minutes", "60")),
    "cache": (("url", "redis://cache.internal:6379/0"), ("ttl_s", "300")),
}
PLAINTEXT = ("hunter2-prod", "Winter2025!", "sk_live_4f9a1c2e", "changeme123", "p@ssw0rd-ops", "tok_8812aa31b")
# (rule key, setting, expected text in the policy table)
RULES = (
    ("tls", "server.tls_enabled", "true"),
    ("debug", "logging.debug", "false"),
    ("replicas", "deploy.replicas", ">= 2"),
    ("memory", "resources.memory_limit", "set"),
)
TRUE_WORDS = ("true", "yes", "on")
FALSE_WORDS = ("false", "no", "off")
FIXES = {
    "tls": ("turn TLS on (tls_enabled true) in every config where it's off", "TLS"),
    "debug": ("switch debug off in every prod service that has it on", "debug"),
    "replicas": ("raise every prod service that runs fewer than 2 replicas to exactly 2", "replica"),
}


class ServiceConfigAudit(TaskFamily):
    """Audit a folder of YAML and INI service configs against the ops policy, then fix one kind of finding.

    **Request**: the user wants ``findings.csv`` (service, file, setting,
    found, expected) listing every policy violation in ``services/``, sorted
    by service then setting, and one category of findings (TLS off, debug on
    in prod, or too few prod replicas) fixed in place in the config files.

    **Workspace**: 4-6 service configs (``services/*.yaml`` and
    ``services/*.ini``) with an environment, server, logging, deploy,
    resources and secret sections; ``ops/config_policy.md`` with the policy
    table (setting, applies to, expected) and the conventions for the found
    column; a services README; distractors.

    **Checks**: the CSV header; each category's findings listed (one check
    per category); the exact set of findings and their order; each file of
    the fixed category now holds the fixed value; fixed files keep every
    other line; every other config is untouched.

    **Hard**: 6-8 services, some in a nested folder; INI booleans written
    yes/no/on/off; a service whose file name differs from its declared
    name; an empty ``memory_limit`` (counts as missing); a stale ``.bak``
    copy of a config that must be ignored and left alone.
    """

    name = "service_config_audit"
    scenario = Scenario.SYSTEMS_INFRASTRUCTURE
    operations = (Operation.SYSTEM_ENVIRONMENT, Operation.DATA_ANALYSIS)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        hard = b.hard
        mail = b.persona.email_domain

        count = rng.randint(6, 8) if hard else rng.randint(4, 6)
        departments = [d for d in domain.departments if "&" not in d]
        names: list[str] = []
        while len(names) < count:
            candidate = f"{slug(rng.choice(departments), separator='-')}-{rng.choice(SUFFIXES)}"
            if candidate not in names:
                names.append(candidate)
        fix = rng.choice(tuple(FIXES))

        services = []
        for index, name in enumerate(names):
            env = ("prod", "prod", "staging", "dev")[index % 4] if index < 4 else rng.choice(("prod", "staging", "dev"))
            fmt = "yaml" if index % 2 == 0 else "ini"
            if rng.chance(0.3):
                fmt = "ini" if fmt == "yaml" else "yaml"
            secrets = rng.sample(SECRET_SLOTS, rng.randint(1, 2))
            svc = {
                "name": name,
                "env": env,
                "fmt": fmt,
                "port": rng.choice((8000, 8080, 8443, 9000, 9090, 5000, 3000)) + index,
                "tls": not rng.chance(0.35),
                "debug": rng.chance(0.4 if env == "prod" else 0.6),
                "replicas": rng.randint(1, 4) if env == "prod" else rng.randint(1, 2),
                "memory": None if rng.chance(0.25) else rng.choice(("256Mi", "512Mi", "1Gi", "2Gi")),
                "cpu": rng.choice(("250m", "500m", "1000m")),
                "level": rng.choice(("info", "warn") if env == "prod" else ("info", "warn", "debug")),
                "secrets": [(sec, key, env_var, not rng.chance(0.35)) for sec, key, env_var in secrets],
            }
            services.append(svc)

        # Make sure the category to fix has at least two findings.
        prod = [s for s in services if s["env"] == "prod"]
        pool = services if fix == "tls" else prod
        targets = rng.sample(pool, min(2, len(pool)))
        for svc in targets:
            if fix == "tls":
                svc["tls"] = False
            elif fix == "debug":
                svc["debug"] = True
            else:
                svc["replicas"] = 1
        # And at least one plaintext secret somewhere.
        if all(ok for svc in services for *_, ok in svc["secrets"]):
            victim = rng.choice(services)
            sec, key, env_var, _ = victim["secrets"][0]
            victim["secrets"][0] = (sec, key, env_var, False)

        nested = rng.choice(services) if hard else None
        renamed = rng.choice([s for s in services if s is not nested]) if hard else None
        empty_memory = None
        if hard:
            missing = [s for s in services if s["memory"] is None]
            empty_memory = rng.choice(missing) if missing else None

        # Render each config.
        owners = list(b.persona.team)
        for svc in services:
            ext = "yaml" if svc["fmt"] == "yaml" else "ini"
            stem = svc["name"]
            if svc is renamed:
                stem = f"{svc['name'].split('-')[0]}-{rng.choice(('legacy', 'v1', 'old-host'))}"
            folder = "services/internal/" if svc is nested else "services/"
            svc["path"] = f"{folder}{stem}.{ext}"
            owner = rng.choice(owners)
            plain = not hard or svc["fmt"] == "yaml"
            svc["words"] = {}

            def word(value: bool, setting: str, svc=svc, plain=plain) -> str:
                if plain:
                    text = "true" if value else "false"
                else:
                    text = rng.choice(TRUE_WORDS if value else FALSE_WORDS)
                    if rng.chance(0.3):
                        text = text.capitalize()
                svc["words"][setting] = text
                return text

            sections: list[tuple[str, list[tuple[str, str]]]] = [
                ("server", [("host", "0.0.0.0"), ("port", str(svc["port"])), ("tls_enabled", word(svc["tls"], "tls"))]),
                ("logging", [("level", svc["level"]), ("debug", word(svc["debug"], "debug"))]),
                ("deploy", [("replicas", str(svc["replicas"])), ("region", rng.choice(("eu-west-1", "us-east-2")))]),
            ]
            resources = [("cpu_limit", svc["cpu"])]
            if svc["memory"] is not None:
                resources.append(("memory_limit", svc["memory"]))
            elif svc is empty_memory:
                resources.append(("memory_limit", ""))
            sections.append(("resources", resources))
            short = svc["name"].split("-")[0]
            leaked = rng.sample(PLAINTEXT, 2)
            for sec, key, env_var, ok in svc["secrets"]:
                extras = [(k, v.format(short=short, mail=mail)) for k, v in SECRET_EXTRAS[sec]]
                value = "${" + short.upper() + "_" + env_var + "}" if ok else leaked.pop()
                sections.append((sec, [*extras, (key, value)]))
            svc["content"] = _render(svc, sections, owner)
            b.file(svc["path"], svc["content"])

        bak = None
        if hard:
            source = rng.choice(services)
            bak_path = source["path"] + ".bak"
            old_port = f"port{': ' if source['fmt'] == 'yaml' else ' = '}"
            stale = source["content"].replace(old_port + str(source["port"]), old_port + str(source["port"] - 1000))
            bak = (bak_path, "# copied by migrate.sh - do not edit\n" + stale)
            b.file(bak_path, bak[1])

        readme = (
            f"# Service configs ({b.persona.org})\n\n"
            "One file per service. YAML and INI both load through the same config loader,\n"
            "which flattens keys to `section.key` (e.g. `server.port`).\n\n"
            "- `environment` decides which rules apply (see ops/config_policy.md).\n"
            "- Secrets must come from the vault via environment variables (`${NAME}`).\n"
            f"- Questions: ask {owners[0]}.\n"
        )
        if hard:
            readme += "- `.bak` files are old copies left by the migration script; the loader ignores them.\n"
        b.file("services/README.md", readme)
        policy = (
            "# Config policy (v3)\n\n"
            "Every service config must satisfy these rules. Settings are named `section.key`.\n\n"
            "| Rule | Setting | Applies to | Expected |\n"
            "|---|---|---|---|\n"
            "| TLS required | `server.tls_enabled` | all environments | `true` |\n"
            "| No debug logging in production | `logging.debug` | prod only | `false` |\n"
            "| Redundancy | `deploy.replicas` | prod only | `>= 2` |\n"
            "| Memory limit set | `resources.memory_limit` | all environments | `set` |\n"
            "| No plaintext secrets | any `password`, `api_key`, `secret_key` or `token` | all environments "
            "| `${ENV_VAR}` |\n\n"
            "Secrets must be an environment reference written `${NAME}`; anything else is plaintext.\n\n"
            "## Reporting findings\n\n"
            "- `found` is the value exactly as written in the file.\n"
            "- If a required setting is absent (or present with an empty value), write `missing`.\n"
            "- For secrets, never copy the value: write `plaintext`.\n"
            "- `expected` is copied from the Expected column above.\n"
            "- Booleans may be spelled true/false, yes/no or on/off (any case).\n"
        )
        b.file("ops/config_policy.md", policy)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["services/", "ops/", "findings.csv"])

        # Ground truth.
        findings = []
        for svc in services:
            rows = []
            if not svc["tls"]:
                rows.append(("tls", "server.tls_enabled", svc["words"]["tls"], "true"))
            if svc["env"] == "prod" and svc["debug"]:
                rows.append(("debug", "logging.debug", svc["words"]["debug"], "false"))
            if svc["env"] == "prod" and svc["replicas"] < 2:
                rows.append(("replicas", "deploy.replicas", str(svc["replicas"]), ">= 2"))
            if svc["memory"] is None:
                rows.append(("memory", "resources.memory_limit", "missing", "set"))
            for sec, key, _, ok in svc["secrets"]:
                if not ok:
                    rows.append(("secret", f"{sec}.{key}", "plaintext", "${ENV_VAR}"))
            for category, setting, found, expected in rows:
                findings.append((category, svc["name"], svc["path"], setting, found, expected))
        findings.sort(key=lambda f: (f[1], f[3]))
        table = [list(f[1:]) for f in findings]
        fixed = [svc for svc in services if any(f[0] == fix and f[1] == svc["name"] for f in findings)]

        # Request.
        fix_text, fix_word = FIXES[fix]
        columns = "service, file, setting, found, expected"
        body = b.pick(
            [
                "Before the security review I need an audit of our service configs in services/ against "
                f"ops/config_policy.md. Please write findings.csv at the top of the workspace with the columns "
                f"{columns} — one row per violation, service being the name declared inside the config, file "
                "the path relative to the workspace, setting as section.key, and found/expected following the "
                "conventions at the bottom of the policy. Sort by service, then setting. Describe the configs as "
                f"they are now, before any fixes. Then, in place, {fix_text}; leave everything else in the "
                "files alone.",
                "Two things for the config cleanup:\n"
                f"1. findings.csv (header: {columns}) listing every setting in services/ that breaks "
                "ops/config_policy.md: service = the service's declared name, file = its path from the "
                "workspace root, setting = section.key, found/expected as the policy says. Rows sorted by "
                "service and then setting. It should reflect the files as they are right now.\n"
                f"2. After that, {fix_text}. Edit the config files directly and don't touch other settings.",
                f"Can you go over services/ against our policy (ops/config_policy.md)? I want every violation "
                f"in findings.csv, columns {columns}, sorted by service then setting (the declared service "
                "name, the path from the workspace root, setting as section.key, found/expected per the "
                f"policy's conventions; audit the current state). The {fix_word} ones I want fixed today, so "
                f"please also {fix_text}, editing the files in place without changing anything else.",
            ]
        )
        notes = []
        if hard:
            notes.append("Some configs sit in a subfolder of services/, so look everywhere under it.")
            notes.append("The file name isn't always the service name; use the name declared in the file.")
            notes.append("Ignore the .bak copies (don't edit them either); only .yaml and .ini files are live.")
        if notes:
            body += "\n\nA few things to watch:\n" + "\n".join(f"- {note}" for note in notes)
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 5)

        # Checks.
        c = b.checks
        header = c.csv_header("findings_header", "findings.csv", ["service", "file", "setting", "found", "expected"],
                              ignore_case=True)  # fmt: skip
        labels = {"tls": "tls", "debug": "debug", "replicas": "replica", "memory": "memory_limit", "secret": "secret"}
        for category in ("tls", "debug", "replicas", "memory", "secret"):
            rows = [f[1:] for f in findings if f[0] == category]
            if rows:
                c.text_regex(f"{labels[category]}_findings_listed", "findings.csv", _all_rows_pattern(rows),
                             flags="", requires=[header])  # fmt: skip
        c.csv_rows("findings_exact_set", "findings.csv", table, ordered=False, ignore_case=True, requires=[header])
        c.csv_rows("findings_sorted", "findings.csv", table, ignore_case=True, requires=[header])
        key = {"tls": "tls_enabled", "debug": "debug", "replicas": "replicas"}[fix]
        good = {"tls": "(?:true|yes|on|1)", "debug": "(?:false|no|off|0)", "replicas": "2"}[fix]
        first_fix = None
        for svc in fixed:
            stem = svc["name"].replace("-", "_")
            check = c.text_regex(
                f"{stem}_{key}_fixed",
                svc["path"],
                rf"(?mi)^[ \t]*{key}[ \t]*[:=][ \t]*[\"']?{good}[\"']?[ \t]*(?:[#;].*)?$",
            )
            first_fix = first_fix or check
            untouched_lines = [line.strip() for line in svc["content"].split("\n") if line.strip()]
            untouched_lines = [line for line in untouched_lines if not re.match(rf"{key}\s*[:=]", line)]
            c.text_contains(f"{stem}_other_settings_kept", svc["path"], untouched_lines, requires=[check])
        others = {svc["path"]: svc["content"] for svc in services if svc not in fixed}
        if bak is not None:
            others[bak[0]] = bak[1]
        c.files_unchanged("other_configs_untouched", {**others, "ops/config_policy.md": policy},
                          requires=[first_fix or header])  # fmt: skip

        # Reference solution.
        s = b.solution
        s.exec("find services ops -type f | sort && cat ops/config_policy.md")
        s.exec("for f in $(find services -name '*.yaml' -o -name '*.ini' | sort); do echo \"== $f\"; cat \"$f\"; done")
        s.write("findings.csv", csv_text([["service", "file", "setting", "found", "expected"], *table]))
        fixes = []
        for svc in fixed:
            old_word = svc["words"][fix] if fix != "replicas" else str(svc["replicas"])
            new_word = {"tls": "true", "debug": "false", "replicas": "2"}[fix]
            sep = ": " if svc["fmt"] == "yaml" else " = "
            fixes.append((svc["path"], f"{key}{sep}{old_word}\n", f"{key}{sep}{new_word}\n"))
        for path, old, new in fixes:
            s.edit(path, old, new)
        s.exec(f"grep -rn '{key}' services/")

        # Near miss: one finding forgotten (the last secret, or the last row), the fix done right.
        secret_rows = [i for i, f in enumerate(findings) if f[0] == "secret"]
        drop = secret_rows[-1] if secret_rows else len(findings) - 1
        partial = [row for i, row in enumerate(table) if i != drop]
        wrong = [*s.steps[:2], {"name": "write", "arguments": {"path": "findings.csv", "content": csv_text(
            [["service", "file", "setting", "found", "expected"], *partial])}}, *s.steps[3:]]  # fmt: skip
        b.near_miss(wrong)


def _render(svc: dict, sections: list[tuple[str, list[tuple[str, str]]]], owner: str) -> str:
    """The config file text in its format (YAML or INI)."""
    if svc["fmt"] == "yaml":
        lines = [f"# {svc['name']} - owner: {owner}", f"name: {svc['name']}", f"environment: {svc['env']}"]
        for section, items in sections:
            lines.append(f"{section}:")
            for key, value in items:
                shown = value if value != "" else '""'
                lines.append(f"  {key}: {shown}")
        return "\n".join(lines) + "\n"
    lines = [f"; {svc['name']} - owner: {owner}", "[service]", f"name = {svc['name']}", f"environment = {svc['env']}"]
    for section, items in sections:
        lines += ["", f"[{section}]"]
        lines += [f"{key} = {value}".rstrip() for key, value in items]
    return "\n".join(lines) + "\n"


def _cell_pattern(value: str) -> str:
    return r"[ \t]*\"?" + re.escape(value) + r"\"?[ \t]*"


def _all_rows_pattern(rows: list[tuple[str, ...]]) -> str:
    """A regex matching once at the start when every CSV row in ``rows`` is a line of the file."""
    looks = []
    for row in rows:
        line = ",".join(_cell_pattern(cell) for cell in row)
        looks.append(rf"(?=[\s\S]*^{line}$)")
    return r"(?mi)\A" + "".join(looks)
