"""Port conflict fix: find services that publish the same host port and move the later ones to free ports."""

from __future__ import annotations

import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import OPERATIONS_DOMAINS, TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import slug

__all__ = ["PortConflictFix"]

INFRA = (
    ("postgres", "postgres:16-alpine", (5432,)),
    ("redis", "redis:7-alpine", (6379,)),
    ("grafana", "grafana/grafana:11.1.0", (3000,)),
    ("mailpit", "axllent/mailpit:v1.18", (8025, 1025)),
    ("minio", "minio/minio:RELEASE.2025-01-20", (9000, 9001)),
    ("prometheus", "prom/prometheus:v2.53.0", (9090,)),
)
APP_SUFFIXES = ("api", "web", "worker", "admin", "sync", "portal")
HOST_POOL = (3000, 3001, 4000, 4200, 5000, 5001, 5050, 5173, 7000, 8000, 8001, 8080, 8081, 8082, 8090, 8181, 8443,
             8888, 9229, 9443)  # fmt: skip
RANGES = (8100, 8200, 8300, 9100, 9300, 7100)


class PortConflictFix(TaskFamily):
    """Resolve host-port clashes between compose files by a stated rule, edit them in place, log the changes.

    **Request**: the user's local stack (``stack/*.yml``, one compose-style
    file per service) will not start because some services publish the
    same host port. Among services sharing a port, the alphabetically first
    keeps it; every other one, in alphabetical order and port by port
    (lowest conflicting port first), moves to the lowest port of a stated
    range that no service publishes yet. Edit the files in place (host port
    only) and write ``port_changes.md`` with a "Changes" list
    ``service: old -> new`` in the order applied.

    **Workspace**: 5-7 compose files (apps from the persona's domain plus
    postgres/redis/grafana-style infra), some already using ports inside
    the free range; ``stack/README.md`` with the range and how to start
    the stack; distractors.

    **Checks**: every moved mapping now uses the right new host port and the
    old one is gone (one check per move), the rest of each edited file is
    intact, no host port is published twice, untouched services' files are
    unchanged, the Changes list exact and in order.

    **Hard**: 8-10 services; three services on one port; mappings bound to
    ``127.0.0.1:`` (keep the address); ``expose:`` entries that are not
    host ports; a ``.yml.disabled`` file whose ports do not count.
    """

    name = "port_conflict_fix"
    scenario = Scenario.SYSTEMS_INFRASTRUCTURE
    operations = (Operation.SYSTEM_ENVIRONMENT, Operation.FILE_CONTENT)
    domains = OPERATIONS_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        registry = f"ghcr.io/{slug(b.persona.org.removeprefix('the '), separator='-')}"
        lo = rng.choice(RANGES)
        hi = lo + 99

        total = rng.randint(8, 10) if hard else rng.randint(5, 7)
        infra = rng.sample(INFRA, rng.randint(2, 3))
        departments = [slug(d, separator="-") for d in domain.departments if "&" not in d]
        names: list[str] = [name for name, _, _ in infra]
        while len(names) < total:
            candidate = f"{rng.choice(departments)}-{rng.choice(APP_SUFFIXES)}"
            if candidate not in names:
                names.append(candidate)

        # Each service: mappings [host_ip, host, container]; unique host ports to start with.
        free_pool = rng.shuffled([p for p in HOST_POOL if not lo <= p <= hi])
        infra_ports = [port for _, _, ports in INFRA for port in ports]
        services: dict[str, dict] = {}
        for name in names:
            spec = next((item for item in infra if item[0] == name), None)
            if spec is not None:
                image = spec[1]
                containers = list(spec[2])
            else:
                image = f"{registry}/{name}:{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
                containers = [rng.choice((80, 8080, 3000))]
                if rng.chance(0.3):
                    containers.append(9229)
            mappings = []
            for container in containers:
                if spec is not None and container in infra_ports:
                    host = container
                    infra_ports.remove(container)
                else:
                    host = free_pool.pop()
                mappings.append(["", host, container])
            services[name] = {"image": image, "ports": mappings}

        # Some services already live inside the free range.
        in_range = rng.sample(names[len(infra) :], 2)
        services[in_range[0]]["ports"].append(["", lo, rng.choice((9100, 8081, 4000))])
        services[in_range[1]]["ports"].append(["", lo + 2, rng.choice((9200, 8082, 4001))])

        # Force conflicts: a later service takes an earlier one's port.
        pairs = 3 if hard else 2
        conflict_ports: list[int] = []
        order = rng.shuffled(names)
        for index in range(pairs):
            owner, taker = order[2 * index], order[2 * index + 1]
            port = services[owner]["ports"][0][1]
            if port in conflict_ports or lo <= port <= hi:
                continue
            services[taker]["ports"][0][1] = port
            conflict_ports.append(port)
        if hard and conflict_ports:
            third = order[2 * pairs]
            services[third]["ports"][0][1] = conflict_ports[0]
        # Hard mode: localhost-bound infra ports.
        if hard:
            for name, _, _ in infra:
                if rng.chance(0.6):
                    for mapping in services[name]["ports"]:
                        mapping[0] = "127.0.0.1"

        # Rendering.
        owners = list(b.persona.team)
        files: dict[str, str] = {}
        lines_of: dict[str, list[str]] = {}
        for name in names:
            svc = services[name]
            lines = [f"# {name} - owner: {rng.choice(owners)}", "services:", f"  {name}:", f"    image: {svc['image']}"]
            lines.append(f"    restart: {rng.choice(('unless-stopped', 'always', 'on-failure'))}")
            lines.append("    ports:")
            for ip, host, container in svc["ports"]:
                lines.append(f'      - "{_mapping(ip, host, container)}"')
            if hard and rng.chance(0.4):
                lines += ["    expose:", f'      - "{rng.choice((9000, 8080, 5000, 7000))}"']
            lines.append("    environment:")
            lines.append(f"      - LOG_LEVEL={rng.choice(('info', 'debug', 'warn'))}")
            if name not in [i[0] for i in infra]:
                lines.append(f"      - SERVICE_NAME={name}")
            lines_of[name] = lines
            path = f"stack/{name}.yml"
            files[name] = "\n".join(lines) + "\n"
            b.file(path, files[name])
        disabled = None
        if hard:
            disabled_name = f"{rng.choice(departments)}-legacy"
            disabled_text = (
                f"# {disabled_name} - retired, kept for reference\nservices:\n  {disabled_name}:\n"
                f'    image: {registry}/{disabled_name}:0.9.1\n    ports:\n      - "{lo + 1}:80"\n'
                f'      - "{conflict_ports[0] if conflict_ports else 8080}:8080"\n'
            )
            disabled = (f"stack/{disabled_name}.yml.disabled", disabled_text)
            b.file(*disabled)
        readme = (
            f"# Local stack ({b.persona.org})\n\n"
            "Each service has its own compose file in this folder; `./up.sh` runs\n"
            "`docker compose -f stack/a.yml -f stack/b.yml ... up` with all of them.\n\n"
            f"Host ports for new or moved services come from the free range {lo}-{hi}.\n"
            f"Ask {owners[0]} before changing container ports (the apps hard-code them).\n"
        )
        if hard:
            readme += "Files ending in `.disabled` are skipped by up.sh.\n"
        b.file("stack/README.md", readme)
        b.file("up.sh", "#!/usr/bin/env bash\nset -euo pipefail\nargs=()\nfor f in stack/*.yml; do args+=(-f \"$f\"); "
               "done\ndocker compose \"${args[@]}\" up -d\n", executable=True)  # fmt: skip
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["stack/", "port_changes.md"],
            exclude_kinds=("yaml_config",),
        )

        # Ground truth: the stated rule.
        used = {m[1] for svc in services.values() for m in svc["ports"]}
        holders: dict[int, list[str]] = {}
        for name in names:
            for mapping in services[name]["ports"]:
                holders.setdefault(mapping[1], [])
                if name not in holders[mapping[1]]:
                    holders[mapping[1]].append(name)
        moves = []  # (service, ip, old, new, container)
        for port in sorted(p for p, who in holders.items() if len(who) > 1):
            for name in sorted(holders[port])[1:]:
                new = next(p for p in range(lo, hi + 1) if p not in used)
                used.add(new)
                mapping = next(m for m in services[name]["ports"] if m[1] == port)
                moves.append((name, mapping[0], port, new, mapping[2]))
        moved_names = sorted({move[0] for move in moves})

        # Request.
        rule = (
            f"When several services publish the same host port, the one whose name comes first alphabetically keeps "
            f"it, and each of the others (in alphabetical order) moves to the lowest port in {lo}-{hi} that no "
            "service publishes yet, counting ports you've already handed out. Go through the clashing ports from "
            "lowest to highest. Only change the host side of a mapping, never the container port"
        )
        log = (
            "port_changes.md with a '## Changes' section: one bullet per moved mapping, written "
            "`service: old -> new` (e.g. `api: 8080 -> 8101`), in the order you applied them"
        )
        body = b.pick(
            [
                "`./up.sh` keeps failing with 'port is already allocated' because some of the compose files in "
                f"stack/ publish the same host port. Could you sort it out? {rule}. Edit the files in place and "
                f"write {log}.",
                "Our local stack won't come up: a few services in stack/ grab the same host port. Please:\n"
                "1. Find every host port that more than one service publishes.\n"
                f"2. Reassign by this rule: {rule[0].lower()}{rule[1:]}.\n"
                "3. Make the changes directly in the stack/*.yml files.\n"
                f"4. Write {log}.",
                f"Port clashes again in stack/ :( rule for fixing them: {rule[0].lower()}{rule[1:]}. fix the yml "
                f"files in place and leave me {log}. don't touch files that don't need a change.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: some mappings are bound to 127.0.0.1 (that's `ip:host:container`); "
                "keep the address and change only the host port (a port counts as taken whatever address it's "
                "bound to). `expose:` entries aren't published on the host, "
                "so they never clash. The .yml.disabled file isn't started, so its ports don't count as taken; "
                "leave it alone."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 5)

        # Checks.
        c = b.checks
        first = None
        for index, (name, ip, old, new, container) in enumerate(moves):
            path = f"stack/{name}.yml"
            new_line = _line_pattern(ip, new, container)
            old_line = _line_pattern(ip, old, container)
            check = c.text_regex(
                f"move_{index + 1}_{name.replace('-', '_')}_{old}_to_{new}",
                path,
                rf"(?m)\A(?=[\s\S]*^{new_line}$)(?![\s\S]*^{old_line}$)",
            )
            first = first or check
        for name in moved_names:
            moved_lines = {f'- "{_mapping(m[1], m[2], m[4])}"' for m in moves if m[0] == name}
            kept = [line.strip() for line in lines_of[name] if line.strip() not in moved_lines]
            c.text_contains(f"{name.replace('-', '_')}_rest_intact", f"stack/{name}.yml", kept,
                            requires=[first])  # fmt: skip
        c.command("no_host_port_published_twice", _unique_ports_script(), requires=[first])
        untouched = {f"stack/{name}.yml": files[name] for name in names if name not in moved_names}
        if disabled is not None:
            untouched[disabled[0]] = disabled[1]
        c.files_unchanged("other_files_untouched", untouched, requires=[first])
        has_log = c.file_exists("changes_log_written", "port_changes.md")
        items = [f"{name}: {old} -> {new}" for name, _, old, new, _ in moves]
        c.md_items("changes_listed_in_order", "port_changes.md", "Changes", items, requires=[has_log])

        # Reference solution.
        s = b.solution
        s.exec("cat stack/README.md && ls stack")
        s.exec("grep -n -A4 'ports:' stack/*.yml")
        for name, ip, old, new, container in moves:
            s.edit(f"stack/{name}.yml", f'- "{_mapping(ip, old, container)}"', f'- "{_mapping(ip, new, container)}"')
        s.write("port_changes.md", "# Port changes\n\n## Changes\n\n" + "".join(f"- {item}\n" for item in items))
        s.exec("grep -ho '\"[0-9.:]*\"' stack/*.yml | sort | uniq -d")

        # Near miss: the last move skipped (and left out of the log).
        steps = s.steps
        edits = len(moves)
        short_log = "# Port changes\n\n## Changes\n\n" + "".join(f"- {item}\n" for item in items[:-1])
        b.near_miss(
            [*steps[: 2 + edits - 1], {"name": "write", "arguments": {"path": "port_changes.md", "content": short_log}}]
        )


def _mapping(ip: str, host: int, container: int) -> str:
    return f"{ip}:{host}:{container}" if ip else f"{host}:{container}"


def _line_pattern(ip: str, host: int, container: int) -> str:
    return r"[ \t]*-[ \t]*[\"']?" + re.escape(_mapping(ip, host, container)) + r"[\"']?[ \t]*"


def _unique_ports_script() -> str:
    script = (
        "import glob, re, sys\n"
        "seen = {}\n"
        "for path in sorted(glob.glob('stack/*.yml')):\n"
        "    section = None\n"
        "    for line in open(path, encoding='utf-8'):\n"
        "        key = re.match(r'^\\s*([a-z_]+):\\s*$', line)\n"
        "        if key:\n"
        "            section = key.group(1)\n"
        "            continue\n"
        "        item = re.match(r'^\\s*-\\s*[\"\\']?(?:[0-9.]+:)?(\\d+):(\\d+)[\"\\']?\\s*$', line)\n"
        "        if item and section == 'ports':\n"
        "            host = item.group(1)\n"
        "            if host in seen and seen[host] != path:\n"
        "                sys.exit(1)\n"
        "            seen[host] = path\n"
    )
    return "python3 - <<'PYCHECK'\n" + script + "PYCHECK\n"
