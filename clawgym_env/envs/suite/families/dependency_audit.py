"""Dependency audit: check requirements against a local package index and a policy, then fix the pins."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import DEVELOPER_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, json_text

__all__ = ["DependencyAudit"]

NAMES = (
    "tidyframe", "quickroute", "yamlette", "cronkit", "pixelpress", "ledgerlite", "jsonstream", "retrykit",
    "colorlogger", "tinyorm", "httpwrap", "dateparse-ng", "slugmaker", "csvkitten", "templato", "authlette",
    "cachebox", "queuely", "mailsend", "pdfsmith", "imgresize", "geofence-lite", "ratelimiter", "configlet",
    "schemacheck", "metrics-client", "s3mini", "taskflow", "barcode-forge", "sqlbuilder", "wsgi-tools",
    "feedparse-plus", "phonefmt", "currency-codes", "icalendar-lite", "xlsx-reader", "zipstream", "markup-safe-ish",
)  # fmt: skip
ALLOWED = ("MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "ISC")
DISALLOWED = ("GPL-3.0-only", "AGPL-3.0-only", "SSPL-1.0", "LicenseRef-Proprietary")
TRANSITIVE = ("six-compat", "typing-shims", "certbundle", "idna-lite", "charset-guess")
SUMMARIES = (
    "Path traversal when extracting archives",
    "Regular expression denial of service in the parser",
    "Header injection via crafted input",
    "Unsafe deserialisation of cached objects",
    "Open redirect in URL helper",
    "Credentials written to debug log",
    "Signature check can be bypassed",
)

Version = tuple[int, int, int]


def _v(version: Version) -> str:
    return ".".join(str(part) for part in version)


@dataclass
class _Package:
    name: str
    """Normalised name."""
    written: str
    """How requirements.txt spells it."""
    spec: str
    """What follows the name in requirements.txt ("==1.2.3", ">=1.2", "")."""
    license: str
    releases: list[Version]
    prerelease: str | None
    yanked: set[Version]
    affected: set[Version]
    advisories: list[dict[str, object]]
    installed: Version
    issue: str = ""
    action: str = ""
    target: str = ""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _releases(rng: StableRandom, count: int) -> list[Version]:
    major, minor, patch = rng.randint(0, 4), rng.randint(0, 12), rng.randint(0, 5)
    if major == 0 and minor == 0:
        minor = 1
    versions = [(major, minor, patch)]
    for _ in range(count - 1):
        roll = rng.random()
        if roll < 0.55:
            patch += 1
        elif roll < 0.9:
            minor, patch = minor + 1, 0
        else:
            major, minor, patch = major + 1, 0, 0
        versions.append((major, minor, patch))
    return versions


def _range_text(low: Version | None, high: Version) -> str:
    return f">={_v(low)},<{_v(high)}" if low is not None else f"<{_v(high)}"


class DependencyAudit(TaskFamily):
    """Audit a Python project's requirements against a local package index and the team's policy, and fix the pins.

    **Request**: write ``audit.csv`` (package, current, issue, action,
    target; one row per requirement, sorted by name) and rewrite
    ``requirements.txt`` as exact pins following the policy: disallowed
    licences are removed, vulnerable installed versions are upgraded to the
    newest safe release, loose requirements are pinned to what is installed.

    **Workspace**: ``requirements.txt`` with a mix of exact pins, ranges and
    bare names (with comments), ``env/pip_freeze.txt`` (installed versions,
    including transitive packages that are not requirements), the local
    index ``vendor/package_index.json`` (licence, releases, advisories) with a
    README describing its fields, ``docs/DEPENDENCY_POLICY.md``; unrelated
    files.

    **Checks**: the CSV's header and each column (packages in order,
    current versions, issues, actions, targets); upgraded and newly pinned
    lines present; unchanged pins kept; removed packages gone; the
    requirement lines are exactly the expected sorted pins; the index and
    freeze file untouched.

    **Hard**: more packages; advisories given as version ranges (numeric
    comparison: 1.10 > 1.9), pre-releases and yanked releases that never
    count as the newest safe release, an affected newest release, a package
    that is both disallowed and vulnerable (licence wins), and names spelled
    with mixed case and underscores that must be normalised.
    """

    name = "dependency_audit"
    scenario = Scenario.SOFTWARE_DEVELOPMENT
    operations = (Operation.DATA_ANALYSIS, Operation.DEVELOPMENT)
    domains = DEVELOPER_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        count = rng.randint(13, 16) if hard else rng.randint(8, 11)
        names = sorted(rng.sample(NAMES, count))
        # Roles: at least one of each outcome; the rest mostly fine.
        roles = ["license", "vulnerable", "vulnerable", "unpinned", "unpinned", "ok"]
        if hard:
            roles += ["license_and_vulnerable", "vulnerable_unpinned", "vulnerable"]
        while len(roles) < count:
            roles.append(rng.weighted(("ok", "unpinned", "vulnerable"), (5, 3, 1)))
        roles = rng.shuffled(roles)
        packages: list[_Package] = []
        advisory_number = rng.randint(1000, 8000)
        for name, role in zip(names, roles, strict=True):
            pkg_rng = rng.child("package", name)
            releases = _releases(pkg_rng, pkg_rng.randint(6, 9))
            vulnerable = "vulnerable" in role
            license_bad = "license" in role
            license_name = pkg_rng.choice(DISALLOWED) if license_bad else pkg_rng.choice(ALLOWED)
            yanked: set[Version] = set()
            prerelease = None
            affected: set[Version] = set()
            advisories: list[dict[str, object]] = []
            if vulnerable:
                # Installed version in the older half; the advisory covers a run of versions up to some fix.
                fix_index = pkg_rng.randint(len(releases) // 2, len(releases) - 2)
                low_index = pkg_rng.randint(0, max(0, fix_index - 3))
                affected = set(releases[low_index:fix_index])
                installed = releases[pkg_rng.randint(low_index, fix_index - 1)]
                advisory_number += pkg_rng.randint(3, 90)
                low = releases[low_index] if low_index > 0 else None
                advisory: dict[str, object] = {
                    "id": f"PYSEC-2025-{advisory_number}",
                    "summary": pkg_rng.choice(SUMMARIES),
                }
                if hard:
                    advisory["affected"] = _range_text(low, releases[fix_index])
                else:
                    advisory["affected_versions"] = [_v(v) for v in releases[low_index:fix_index]]
                advisories.append(advisory)
                if hard and pkg_rng.chance(0.6):
                    # The newest release regressed (affected again), or is yanked: neither counts.
                    newest = releases[-1]
                    if pkg_rng.chance(0.5):
                        affected.add(newest)
                        advisory_number += pkg_rng.randint(3, 90)
                        second: dict[str, object] = {
                            "id": f"PYSEC-2026-{advisory_number}",
                            "summary": pkg_rng.choice(SUMMARIES),
                            "affected": f"=={_v(newest)}",
                        }
                        advisories.append(second)
                    else:
                        yanked.add(newest)
                if hard and pkg_rng.chance(0.5):
                    last = releases[-1]
                    prerelease = f"{last[0] + 1}.0.0rc{pkg_rng.randint(1, 3)}"
            else:
                installed_index = pkg_rng.randint(len(releases) // 2, len(releases) - 1)
                installed = releases[installed_index]
                if pkg_rng.chance(0.35):
                    # An old advisory that the installed version is already past.
                    fixed_at = pkg_rng.randint(1, installed_index)
                    advisory_number += pkg_rng.randint(3, 90)
                    old_advisory: dict[str, object] = {
                        "id": f"PYSEC-2024-{advisory_number}",
                        "summary": pkg_rng.choice(SUMMARIES),
                    }
                    if hard:
                        old_advisory["affected"] = _range_text(None, releases[fixed_at])
                    else:
                        old_advisory["affected_versions"] = [_v(v) for v in releases[max(0, fixed_at - 2) : fixed_at]]
                    advisories.append(old_advisory)
                    affected |= set(releases[:fixed_at] if hard else releases[max(0, fixed_at - 2) : fixed_at])
                if hard and pkg_rng.chance(0.3):
                    prerelease = f"{releases[-1][0]}.{releases[-1][1] + 1}.0b{pkg_rng.randint(1, 2)}"
            unpinned = role in ("unpinned", "vulnerable_unpinned") or (role == "license" and pkg_rng.chance(0.5))
            if unpinned:
                style = pkg_rng.choice((">=", "bare", "~="))
                floor = releases[pkg_rng.randint(0, releases.index(installed))]
                spec = {">=": f">={_v(floor)}", "bare": "", "~=": f"~={floor[0]}.{floor[1]}"}[style]
            else:
                spec = f"=={_v(installed)}"
            written = name
            if hard and pkg_rng.chance(0.35):
                parts = re.split(r"-", name)
                written = "_".join(part.capitalize() for part in parts) if len(parts) > 1 else name.capitalize()
            packages.append(
                _Package(
                    name=name,
                    written=written,
                    spec=spec,
                    license=license_name,
                    releases=releases,
                    prerelease=prerelease,
                    yanked=yanked,
                    affected=affected,
                    advisories=advisories,
                    installed=installed,
                )
            )

        # Ground truth, in the policy's order of precedence.
        for pkg in packages:
            if pkg.license not in ALLOWED:
                pkg.issue, pkg.action, pkg.target = "license", "remove", ""
            elif pkg.installed in pkg.affected:
                safe = [v for v in pkg.releases if v not in pkg.affected and v not in pkg.yanked]
                pkg.issue, pkg.action, pkg.target = "vulnerable", "upgrade", _v(max(safe))
            elif not pkg.spec.startswith("=="):
                pkg.issue, pkg.action, pkg.target = "unpinned", "pin", _v(pkg.installed)
            else:
                pkg.issue, pkg.action, pkg.target = "ok", "keep", _v(pkg.installed)

        # Workspace files.
        groups = ("# web", "# data", "# ops", "# misc")
        req_lines = [f"# requirements for {b.persona.org} tooling", "# keep this file short; see docs/", ""]
        order = rng.shuffled(packages)
        for index, pkg in enumerate(order):
            if index % 4 == 0:
                if index:
                    req_lines.append("")
                req_lines.append(groups[(index // 4) % len(groups)])
            line = f"{pkg.written}{pkg.spec}"
            if rng.chance(0.2):
                line += f"  # {rng.choice(('pinned by Sam', 'needed for exports', 'see ticket', 'used by cron'))}"
            req_lines.append(line)
        requirements = "\n".join(req_lines) + "\n"
        freeze_rows = [(pkg.name, _v(pkg.installed)) for pkg in packages]
        for extra in rng.sample(TRANSITIVE, 3):
            freeze_rows.append((extra, f"{rng.randint(0, 3)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"))
        freeze = "".join(f"{name}=={version}\n" for name, version in sorted(freeze_rows))
        index_data = {
            "generated": f"2026-0{rng.randint(1, 9)}-{rng.randint(1, 28):02d}",
            "source": f"internal mirror of {b.persona.org}",
            "packages": {},
        }
        for pkg in sorted(packages, key=lambda p: p.name):
            releases = [_v(v) for v in pkg.releases] + ([pkg.prerelease] if pkg.prerelease else [])
            index_data["packages"][pkg.name] = {
                "license": pkg.license,
                "summary": f"{pkg.name.replace('-', ' ')} helpers",
                "releases": releases,
                "yanked": [_v(v) for v in pkg.releases if v in pkg.yanked],
                "advisories": pkg.advisories,
            }
        index_text = _compact_json(index_data)
        index_readme = (
            "# vendor/package_index.json\n\nExported nightly from our package mirror. Per package:\n\n"
            "- `license`: SPDX identifier.\n- `releases`: every published version, oldest first.\n"
            "- `yanked`: versions withdrawn by their author (never install them).\n"
            "- `advisories`: known vulnerabilities. "
            + (
                "`affected` is a version range: `<2.3.1`, `>=1.2.0,<1.4.0` or `==3.0.0` (compare versions "
                "numerically, part by part: 1.10.0 is newer than 1.9.3).\n"
                "- Versions with a suffix such as `rc1` or `b2` are pre-releases.\n"
                if hard
                else "`affected_versions` lists the exact versions that are vulnerable.\n"
            )
        )
        policy = (
            "# Dependency policy\n\n"
            f"Allowed licences: {', '.join(ALLOWED)}. Anything else needs legal sign-off, so it comes out of "
            "requirements.txt until we have it.\n\n"
            "For every line of requirements.txt, in this order of precedence (the first rule that applies wins):\n\n"
            "1. Licence not allowed -> issue `license`, action `remove` (drop it from requirements.txt; target "
            "left empty).\n"
            "2. The installed version (env/pip_freeze.txt) is affected by an advisory -> issue `vulnerable`, "
            "action `upgrade`, target = the newest release in the index that no advisory affects"
            + (" (never a pre-release or a yanked release)" if hard else "")
            + ".\n"
            "3. Not pinned with `==` -> issue `unpinned`, action `pin`, target = the installed version.\n"
            "4. Otherwise -> issue `ok`, action `keep`, target = the installed version.\n\n"
            "requirements.txt must contain only exact pins: one `name==version` line per remaining package "
            "(the target version), sorted by name. Comments are optional.\n"
            + (
                "Package names are always written normalised: lowercase, with runs of `_`, `.` and `-` "
                "replaced by a single `-`.\n"
                if hard
                else ""
            )
            + "Only packages listed in requirements.txt are audited (pip_freeze.txt also shows transitive ones).\n"
        )
        b.file("requirements.txt", requirements)
        b.file("env/pip_freeze.txt", freeze)
        b.file("vendor/package_index.json", index_text)
        b.file("vendor/README.md", index_readme)
        b.file("docs/DEPENDENCY_POLICY.md", policy)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=["env/", "vendor/", "docs/", "reports/", "security/"],
        )

        audit_path = rng.choice(("audit.csv", "reports/audit.csv", "security/audit.csv"))
        body = b.pick(
            [
                "Security review is coming up and our requirements.txt is a mess. Could you audit it against "
                "docs/DEPENDENCY_POLICY.md, using the local package index in vendor/package_index.json and "
                f"what's actually installed (env/pip_freeze.txt)? Write the result to {audit_path} with "
                "columns package, current, issue, action, target (one row per requirement, sorted by package "
                "name; current is the installed version; issue/action/target as the policy defines them), then "
                "rewrite requirements.txt the way the policy says.",
                "Two deliverables for the dependency clean-up, please:\n"
                f"1. {audit_path}: header `package,current,issue,action,target`, one row per line of "
                "requirements.txt, sorted by package name. `current` = installed version from "
                "env/pip_freeze.txt; issue, action and target follow docs/DEPENDENCY_POLICY.md.\n"
                "2. An updated requirements.txt following the same policy.\n"
                "The licence and advisory data is in vendor/package_index.json (no network, that's our "
                "mirror export). Leave the index and the freeze file alone.",
                "can you go through requirements.txt with our dependency policy (docs/DEPENDENCY_POLICY.md)? "
                f"index is vendor/package_index.json, installed versions in env/pip_freeze.txt. I need "
                f"{audit_path} (package,current,issue,action,target - a row per requirement, sorted by name, "
                "current = what's installed) and requirements.txt fixed up per the policy.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: the advisories use version ranges, so compare versions properly; "
                "pre-releases and yanked releases don't count; and package names go in normalised form in both "
                "files."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 5)

        ordered = sorted(packages, key=lambda p: p.name)
        kept = [p for p in ordered if p.action != "remove"]
        removed = [p for p in ordered if p.action == "remove"]
        header = ["package", "current", "issue", "action", "target"]
        rows = [[p.name, _v(p.installed), p.issue, p.action, p.target] for p in ordered]
        new_requirements = "".join(f"{p.name}=={p.target}\n" for p in kept)

        c = b.checks
        audit = c.csv_header("audit_header", audit_path, header, ignore_case=True)
        for column, index in (("package", 0), ("current", 1), ("issue", 2), ("action", 3), ("target", 4)):
            c.csv_column(
                f"audit_{column}_column",
                audit_path,
                column,
                [str(row[index]) for row in rows],
                ignore_case=True,
                requires=[audit],
            )

        def pins(group: list[_Package]) -> str:
            return r"\A" + "".join(
                rf"(?=[\s\S]*^\s*{re.escape(p.name)}\s*==\s*{re.escape(p.target)}\s*(#.*)?$)" for p in group
            )

        upgrades = [p for p in kept if p.action == "upgrade"]
        newly_pinned = [p for p in kept if p.action == "pin"]
        unchanged = [p for p in kept if p.action == "keep"]
        upgraded = c.text_regex("vulnerable_upgraded", "requirements.txt", pins(upgrades), flags="im")
        c.text_regex("loose_requirements_pinned", "requirements.txt", pins(newly_pinned), flags="im")
        c.text_regex("ok_pins_kept", "requirements.txt", pins(unchanged), flags="im", requires=[upgraded])
        removed_names = "|".join(re.escape(p.name) for p in removed)
        c.text_regex(
            "disallowed_removed",
            "requirements.txt",
            rf"^\s*({removed_names})\b",
            flags="im",
            min_count=0,
            max_count=0,
            requires=[upgraded],
        )
        expected_lines = [f"{p.name}=={p.target}" for p in kept]
        exact = (
            "import re, sys\nlines = []\nfor raw in open('requirements.txt', encoding='utf-8'):\n"
            "    line = raw.split('#', 1)[0].strip()\n    if line:\n        lines.append(re.sub(r'\\s+', '', line))\n"
            f"expected = {json.dumps(expected_lines)}\n"
            "if [line.lower() for line in lines] != expected:\n    sys.exit('got %r' % lines)\n"
        )
        c.command("requirements_exact_sorted", f"python3 - <<'PYCHECK'\n{exact}PYCHECK", requires=[upgraded])
        c.files_unchanged(
            "index_and_freeze_unchanged",
            {"vendor/package_index.json": index_text, "env/pip_freeze.txt": freeze},
            requires=[audit],
        )

        # Reference solution.
        s = b.solution
        s.exec("cat requirements.txt env/pip_freeze.txt docs/DEPENDENCY_POLICY.md vendor/README.md")
        s.exec(
            "python3 -c \"import json; d = json.load(open('vendor/package_index.json'))['packages']; "
            "[print(n, p['license'], [r['version'] for r in p['releases']], p['advisories']) for n, p in d.items()]\""
        )
        audit_text = csv_text([header, *rows])
        s.write(audit_path, audit_text)
        s.write("requirements.txt", new_requirements)

        # Near miss: the audit is right, but the disallowed package was pinned instead of removed.
        leftover = "".join(f"{p.name}=={p.target or _v(p.installed)}\n" for p in ordered)
        b.near_miss([*s.steps[:3], {"name": "write", "arguments": {"path": "requirements.txt", "content": leftover}}])
        # Near miss: upgrades go to the first unaffected release after the installed one, not the newest safe one.
        minimal_rows = []
        for p in ordered:
            target = p.target
            if p.action == "upgrade":
                later = [v for v in p.releases if v > p.installed and v not in p.affected]
                target = _v(later[0])
            minimal_rows.append([p.name, _v(p.installed), p.issue, p.action, target])
        if minimal_rows != rows:
            minimal = csv_text([header, *minimal_rows])
            b.near_miss([*s.steps[:2], {"name": "write", "arguments": {"path": audit_path, "content": minimal}}])


def _compact_json(data: dict[str, object]) -> str:
    """Indented JSON with short lists kept on one line (as the mirror export writes it)."""
    text = json_text(data)
    return re.sub(
        r"\[\s*\n\s*((?:\"[^\"\n]*\",?\s*)+)\]",
        lambda m: "[" + ", ".join(part.strip().rstrip(",") for part in m.group(1).strip().split("\n")) + "]",
        text,
    )
