"""Config render: fill a config template for each environment and run the validator on every result."""

from __future__ import annotations

import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import json_text, slug

__all__ = ["ConfigRender"]

SERVICES = ("booking-api", "inventory-sync", "member-portal", "reports-api", "notifier", "scheduler",
            "order-service", "intake-forms", "stock-feed", "billing-worker")  # fmt: skip
ENVS = ("dev", "staging", "prod")
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)(?::-([^}]*))?\}")

VALIDATOR = '''#!/usr/bin/env python3
"""Validate a rendered app.conf before it ships.

Usage: python3 tools/validate_config.py PATH

Prints "OK PATH: N settings checked" and exits 0, or "FAIL PATH" and one line per
problem and exits 1. Keep this in sync with templates/app.conf.tmpl.
"""

import configparser
import re
import sys

REQUIRED = {
    "service": ["name", "environment", "listen_port", "workers", "public_url"],
    "database": ["host", "port", "name", "pool_size"],
    "logging": ["level", "file"],
}
INTEGERS = {("service", "workers"), ("database", "pool_size"), ("features", "cache_ttl_seconds")}
PORTS = {("service", "listen_port"), ("database", "port")}
BOOLEANS = {("features", "beta_banner"), ("features", "maintenance_mode")}
LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR"}
ENVIRONMENTS = {"dev", "staging", "prod"}


def problems_in(text):
    problems = []
    left = re.findall(r"\\$\\{[^}]*\\}", text)
    if left:
        problems.append("unrendered placeholders: " + ", ".join(sorted(set(left))))
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as error:
        return problems + ["not a valid config file: %s" % error.__class__.__name__], parser
    for section, keys in REQUIRED.items():
        if not parser.has_section(section):
            problems.append("missing section [%s]" % section)
            continue
        for key in keys:
            if not parser.get(section, key, fallback="").strip():
                problems.append("missing or empty %s.%s" % (section, key))
    for section in parser.sections():
        for key, value in parser.items(section):
            where = (section, key)
            value = value.strip()
            if where in PORTS and not (value.isdigit() and 1 <= int(value) <= 65535):
                problems.append("%s.%s is not a port: %r" % (section, key, value))
            if where in INTEGERS and not (value.isdigit() and int(value) >= 1):
                problems.append("%s.%s must be a positive integer: %r" % (section, key, value))
            if where in BOOLEANS and value not in ("true", "false"):
                problems.append("%s.%s must be true or false: %r" % (section, key, value))
            if key.endswith("_url") and not re.match(r"^https?://[^\\s/]+", value):
                problems.append("%s.%s is not a URL: %r" % (section, key, value))
    if parser.has_section("logging") and parser.get("logging", "level", fallback="") not in LEVELS:
        problems.append("logging.level must be one of %s" % ", ".join(sorted(LEVELS)))
    if parser.has_section("service") and parser.get("service", "environment", fallback="") not in ENVIRONMENTS:
        problems.append("service.environment must be one of %s" % ", ".join(sorted(ENVIRONMENTS)))
    return problems, parser


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2])
        return 2
    path = argv[1]
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    problems, parser = problems_in(text)
    if problems:
        print("FAIL %s" % path)
        for problem in problems:
            print("  - " + problem)
        return 1
    count = sum(len(parser.items(section)) for section in parser.sections())
    print("OK %s: %d settings checked" % (path, count))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


class ConfigRender(TaskFamily):
    """Render ``configs/<env>/app.conf`` for dev, staging and prod from a template, then validate each one.

    **Request**: a service's config template has ``${VAR}`` placeholders;
    ``envs/defaults.json`` holds defaults and ``envs/<env>.json`` the
    per-environment overrides. The user wants ``configs/<env>/app.conf``
    rendered for every environment (template layout and comments kept,
    only placeholders replaced) and the provided ``tools/validate_config.py``
    run on each, its output saved to ``configs/<env>/validation.txt``.

    **Workspace**: the template (15-20 settings in INI sections), the
    defaults and three environment files, a README on the rendering rules,
    the stdlib validator, unrelated files.

    **Checks**: per environment, the rendered file matches exactly, a few
    environment-specific values are on their lines, no placeholder is left,
    the validator passes on it (run by the verifier) and its saved output
    says OK with the right number of settings; the validator, template and
    value files are unchanged.

    **Hard**: values that refer to other variables (``https://${SUBDOMAIN}...``)
    and must be resolved recursively, ``${VAR:-fallback}`` placeholders for
    variables some environments do not define, a retired ``qa`` environment
    file that must not be rendered, more distractors.
    """

    name = "config_render"
    scenario = Scenario.AUTOMATION_WORKFLOWS
    operations = (Operation.FILE_CONTENT, Operation.DEVELOPMENT)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        service = rng.choice(SERVICES)
        svc = service.replace("-", "_")
        site = slug(b.persona.org, separator="") + rng.choice((".com", ".org", ".io", ".net"))
        port = rng.choice((8000, 8080, 8443, 9000, 5000, 3000))

        defaults: dict[str, object] = {
            "PORT": port,
            "WORKERS": rng.choice((2, 4)),
            "DB_PORT": rng.choice((5432, 3306)),
            "DB_POOL_SIZE": rng.choice((5, 10)),
            "LOG_LEVEL": "INFO",
            "FEATURE_BETA_BANNER": "false",
            "SMTP_HOST": f"smtp.{site}",
            "MAIL_FROM": f"no-reply@{site}",
        }
        if not hard:
            defaults["CACHE_TTL"] = rng.choice((60, 120, 300))
        envs: dict[str, dict[str, object]] = {
            "dev": {
                "ENV_NAME": "dev",
                "PUBLIC_URL": f"http://localhost:{port}",
                "DB_HOST": "localhost",
                "DB_NAME": f"{svc}_dev",
                "LOG_LEVEL": "DEBUG",
                "FEATURE_BETA_BANNER": "true",
                "SMTP_HOST": "localhost",
            },
            "staging": {
                "ENV_NAME": "staging",
                "PUBLIC_URL": f"https://staging.{site}",
                "DB_HOST": f"db-staging.internal.{site}",
                "DB_NAME": f"{svc}_staging",
                "FEATURE_BETA_BANNER": rng.choice(("true", "false")),
            },
            "prod": {
                "ENV_NAME": "prod",
                "PUBLIC_URL": f"https://{rng.choice(('www', 'app', 'portal'))}.{site}",
                "DB_HOST": f"db-{rng.choice(('primary', 'main', 'prod-1'))}.internal.{site}",
                "DB_NAME": svc,
                "WORKERS": rng.choice((8, 12, 16)),
                "DB_POOL_SIZE": rng.choice((20, 30, 40)),
                "LOG_LEVEL": rng.choice(("WARNING", "INFO")),
            },
        }
        if rng.chance(0.5):
            envs["staging"]["WORKERS"] = rng.choice((3, 4, 6))
        if rng.chance(0.5):
            envs["dev"]["PORT"] = port + rng.choice((1, 10, 80))
            envs["dev"]["PUBLIC_URL"] = f"http://localhost:{envs['dev']['PORT']}"
        if hard:
            # Values refer to other variables; CACHE_TTL only exists in prod (template gives a fallback).
            subdomains = {"dev": "dev", "staging": "staging", "prod": rng.choice(("www", "app", "portal"))}
            defaults["PUBLIC_URL"] = f"https://${{SUBDOMAIN}}.{site}"
            defaults["DB_NAME"] = f"{svc}_${{ENV_NAME}}"
            defaults["MAIL_FROM"] = f"{service}-${{ENV_NAME}}@{site}"
            for env in ENVS:
                envs[env]["SUBDOMAIN"] = subdomains[env]
                envs[env].pop("DB_NAME", None)
                if env != "dev":
                    envs[env].pop("PUBLIC_URL", None)
            envs["prod"]["DB_NAME"] = svc
            envs["prod"]["MAIL_FROM"] = f"no-reply@{site}"
            envs["prod"]["CACHE_TTL"] = rng.choice((600, 900, 1800))
        fallback_ttl = rng.choice((60, 120, 300))

        maintenance = rng.chance(0.5)
        if maintenance:
            defaults["MAINTENANCE_MODE"] = "false"
        template_lines = [
            f"# {service} configuration",
            "# Rendered per environment from templates/app.conf.tmpl; do not edit rendered files by hand.",
            "",
            "[service]",
            f"name = {service}",
            "environment = ${ENV_NAME}",
            "listen_port = ${PORT}",
            "workers = ${WORKERS}",
            "public_url = ${PUBLIC_URL}",
            "",
            "[database]",
            "host = ${DB_HOST}",
            "port = ${DB_PORT}",
            "name = ${DB_NAME}",
            "pool_size = ${DB_POOL_SIZE}",
            "",
            "[logging]",
            "level = ${LOG_LEVEL}",
            f"file = /var/log/{service}/${{ENV_NAME}}.log",
            "",
            "[features]",
            "beta_banner = ${FEATURE_BETA_BANNER}",
            f"cache_ttl_seconds = ${{CACHE_TTL:-{fallback_ttl}}}" if hard else "cache_ttl_seconds = ${CACHE_TTL}",
        ]
        if maintenance:
            template_lines.append("maintenance_mode = ${MAINTENANCE_MODE}")
        template_lines += [
            "",
            "[mail]",
            "smtp_host = ${SMTP_HOST}",
            "from_address = ${MAIL_FROM}",
            "",
        ]
        template = "\n".join(template_lines)
        settings = sum(1 for line in template_lines if " = " in line and not line.startswith("#"))

        rendered: dict[str, str] = {}
        values: dict[str, dict[str, str]] = {}
        for env in ENVS:
            merged = {key: str(value) for key, value in {**defaults, **envs[env]}.items()}
            resolved = {key: _resolve(value, merged) for key, value in merged.items()}
            values[env] = resolved
            rendered[env] = PLACEHOLDER.sub(lambda m, r=resolved: r.get(m.group(1), m.group(2) or ""), template)
            if "${" in rendered[env]:
                raise AssertionError(f"config_render: unresolved placeholder in {env}")

        # Files.
        inputs = {
            "templates/app.conf.tmpl": template,
            "envs/defaults.json": json_text(defaults),
            **{f"envs/{env}.json": json_text(envs[env]) for env in ENVS},
        }
        readme = (
            f"# {service} deploy config\n\n"
            "`templates/app.conf.tmpl` is rendered once per environment into `configs/<env>/app.conf`.\n\n"
            "- Every `${NAME}` is replaced by the value of NAME: the environment's file "
            "(`envs/<env>.json`) wins over `envs/defaults.json`.\n"
            "- Values are substituted verbatim (numbers as written, `true`/`false` lowercase).\n"
            "- Everything else in the template (comments, blank lines, order) is kept as is.\n"
            "- Check each rendered file with `python3 tools/validate_config.py configs/<env>/app.conf`.\n"
        )
        if hard:
            readme += (
                "- A value may itself contain `${OTHER}`: resolve it with the same environment's values "
                "(recursively).\n"
                "- `${NAME:-fallback}` in the template means: the value of NAME if the environment or the defaults "
                "define it, otherwise the text after `:-`.\n"
                "- `qa` was retired in the spring; its file is only kept for reference.\n"
            )
            inputs["envs/qa.json"] = json_text({"ENV_NAME": "qa", "PUBLIC_URL": f"https://qa.{site}",
                                                "DB_HOST": f"db-qa.internal.{site}", "SUBDOMAIN": "qa"})  # fmt: skip
        inputs["README.md"] = readme
        for path, content in inputs.items():
            b.file(path, content)
        b.file("tools/validate_config.py", VALIDATOR, executable=True)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["configs/", "envs/", "tools/"],
            exclude_kinds=("ini_config", "yaml_config"),
        )

        body = b.pick(
            [
                f"We're setting up {service} in three environments. The template is templates/app.conf.tmpl, the "
                "defaults are in envs/defaults.json and each environment's overrides in envs/dev.json, "
                "envs/staging.json and envs/prod.json. Could you render configs/<env>/app.conf for dev, staging "
                "and prod (the README explains the rules), then run tools/validate_config.py on each rendered file "
                "and save what it prints to configs/<env>/validation.txt?",
                f"Deploy prep for {service}:\n"
                "1. Render templates/app.conf.tmpl into configs/dev/app.conf, configs/staging/app.conf and "
                "configs/prod/app.conf, using envs/defaults.json plus each environment's own envs/<env>.json (see "
                "README.md).\n"
                "2. Run python3 tools/validate_config.py on each of the three files.\n"
                "3. Save each run's output next to the config as configs/<env>/validation.txt.",
                f"can you render the {service} config for dev, staging and prod? template in templates/, values in "
                "envs/ (defaults.json + one file per env, env wins), rules in README.md. outputs go to "
                "configs/<env>/app.conf. then run tools/validate_config.py on each and keep its output in "
                "configs/<env>/validation.txt.",
            ]
        )
        body += (
            "\n\nKeep the template's comments and layout, only fill in the placeholders, and please don't edit the "
            "template, the value files or the validator."
        )
        if hard:
            body += (
                "\n\nA few things to watch: some values point at other variables, the template uses the "
                "${NAME:-fallback} form in one place, and qa is retired, so only those three environments."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(6 if hard else 4)

        # Checks.
        c = b.checks
        exists = {env: c.file_exists(f"{env}_config_written", f"configs/{env}/app.conf") for env in ENVS}
        validator_ok = c.files_unchanged(
            "validator_unchanged", {"tools/validate_config.py": VALIDATOR}, requires=[exists["dev"]]
        )
        keys = {"environment": "ENV_NAME", "public_url": "PUBLIC_URL", "host": "DB_HOST", "name": "DB_NAME",
                "workers": "WORKERS", "level": "LOG_LEVEL", "cache_ttl_seconds": "CACHE_TTL",
                "from_address": "MAIL_FROM"}  # fmt: skip
        for env in ENVS:
            path = f"configs/{env}/app.conf"
            c.text_equals(f"{env}_rendered_exactly", path, rendered[env], requires=[exists[env]])
            for key in ("public_url", "name", "level", "cache_ttl_seconds", "from_address"):
                value = values[env].get(keys[key], str(fallback_ttl) if key == "cache_ttl_seconds" else "")
                c.text_regex(
                    f"{env}_{key}_value", path, rf"(?m)^{key}\s*=\s*{re.escape(value)}\s*$", requires=[exists[env]]
                )
            c.text_absent(f"{env}_no_placeholders", path, ["${"], requires=[exists[env]])
            c.command(
                f"{env}_validator_passes",
                f"python3 tools/validate_config.py {path}",
                stdout_contains=[f"{settings} settings checked"],
                requires=[exists[env], validator_ok],
            )
            c.text_contains(
                f"{env}_validation_saved",
                f"configs/{env}/validation.txt",
                ["OK", f"{settings} settings checked"],
            )
        c.files_unchanged("inputs_unchanged", inputs, requires=[exists["dev"]])

        s = b.solution
        s.exec("cat README.md templates/app.conf.tmpl && head -50 envs/*.json")
        for env in ENVS:
            s.write(f"configs/{env}/app.conf", rendered[env])
        s.exec(
            "for e in dev staging prod; do python3 tools/validate_config.py configs/$e/app.conf "
            "> configs/$e/validation.txt; cat configs/$e/validation.txt; done"
        )

        # Near miss: staging rendered without its overrides for the database host (the default file has none,
        # so the agent left the dev host in), everything else right.
        wrong = rendered["staging"].replace(
            f"host = {values['staging']['DB_HOST']}", f"host = {values['dev']['DB_HOST']}"
        )
        b.near_miss(
            [
                s.steps[0],
                s.steps[1],
                {"name": "write", "arguments": {"path": "configs/staging/app.conf", "content": wrong}},
                *s.steps[3:],
            ]
        )


def _resolve(value: str, values: dict[str, str], depth: int = 0) -> str:
    """``value`` with ``${NAME}`` references replaced from ``values``, recursively."""
    if depth > 5:
        raise AssertionError("config_render: reference cycle")
    replaced = PLACEHOLDER.sub(lambda m: _resolve(values[m.group(1)], values, depth + 1), value)
    return replaced
