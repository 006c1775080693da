"""Changelog release: turn conventional commits since the last tag into a changelog section and a version bump."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.checks import CheckList
from clawgym_env.envs.suite.family import DEVELOPER_DOMAINS, TaskFamily
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import date_add, iso

__all__ = ["ChangelogRelease"]

PROJECTS = ("ledgerline", "mapleform", "roster-sync", "pantry-api", "fieldnotes", "invoicely", "shiftboard",
            "trailhead-sdk", "clinic-slots", "parcel-track", "gradebook-web", "venue-planner")  # fmt: skip
THINGS = (("invoice", "invoices"), ("booking", "bookings"), ("order", "orders"), ("shift", "shifts"),
          ("appointment", "appointments"), ("task", "tasks"), ("ticket", "tickets"),
          ("shipment", "shipments"))  # fmt: skip

# (type, scope, subject as committed, entry as users should read it)
FEATURES = (
    ("export", "add csv export for {things}", "{Things} can now be exported as CSV"),
    ("search", "support filtering {things} by date range", "You can filter {things} by date range"),
    ("ui", "dark mode toggle in settings", "Dark mode, switchable in Settings"),
    ("api", "add bulk endpoint for {things}", "New bulk endpoint to create many {things} in one request"),
    ("notify", "email digest of overdue {things}", "Optional daily email digest of overdue {things}"),
    ("i18n", "add german and polish translations", "German and Polish translations"),
    ("import", "import {things} from xlsx", "{Things} can be imported from Excel (.xlsx) files"),
    ("auth", "remember me on login", 'A "remember me" option on the login screen'),
    ("print", "printable {thing} summary", "A printable one-page summary for each {thing}"),
    ("calendar", "ics feed for upcoming {things}", "Subscribe to upcoming {things} from your calendar app (ICS feed)"),
)
FIXES = (
    ("dates", "off-by-one in weekly report range", "Weekly reports no longer miss the last day of the week"),
    ("export", "escape commas in csv cells", "CSV exports no longer break when a field contains a comma"),
    ("auth", "session expired too early on mobile", "Mobile sessions no longer expire after a few minutes"),
    ("ui", "totals row misaligned in safari", "The totals row lines up correctly in Safari"),
    ("api", "return 404 not 500 for unknown {thing} id",
     "Looking up an unknown {thing} returns 404 instead of a server error"),
    ("pdf", "long names overflow the header", "Long names no longer overflow the PDF header"),
    ("search", "accents ignored in search", "Search now matches names with accents (e.g. José)"),
    ("tz", "reminders an hour early after dst change",
     "Reminders are no longer sent an hour early after a daylight-saving change"),
    ("import", "crash on empty rows", "Importing a file with empty rows no longer fails"),
    ("email", "duplicate notifications on retry", "No more duplicate notification emails when sending is retried"),
)  # fmt: skip
OTHER = (
    ("perf", "list", "paginate {things} query", "Long {thing} lists load noticeably faster"),
    ("perf", "db", "add index on created_at", "Faster date-range filtering"),
    ("docs", "", "document the import format", "Documented the import file format"),
    ("docs", "readme", "update install steps", "Updated the installation instructions"),
    ("refactor", "core", "split billing module", "Internal clean-up of the billing code (no change in behaviour)"),
    ("perf", "export", "stream large exports", "Large exports use far less memory"),
)
EXCLUDED = (
    "chore(deps): bump requests-lite from 2.4.1 to 2.4.3",
    "ci: cache pip downloads",
    "test: cover empty {thing} list",
    "chore: tidy .gitignore",
    "build: pin setuptools below 70",
    "style: run formatter",
    "chore(deps): bump dateparse-ng from 1.9.0 to 1.10.0",
    "test(api): flaky timeout in bulk test",
    "ci: run tests on python 3.12",
)
BREAKING = (
    ("api", "drop support for v1 tokens",
     "**BREAKING:** API v1 tokens are no longer accepted; create a v2 token in Settings"),
    ("", "require python 3.10 or newer", "**BREAKING:** Python 3.10 or newer is now required"),
    ("config", "rename timeout setting to timeout_s",
     "**BREAKING:** The `timeout` setting is now called `timeout_s`; update your config file"),
)  # fmt: skip
GROUPS = ("Features", "Fixes", "Other")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


@dataclass
class _Commit:
    sha: str
    subject: str
    group: str | None
    """Features/Fixes/Other, or ``None`` when it stays out of the changelog."""
    entry: str
    breaking: bool = False


def _sha(rng: StableRandom, used: set[str]) -> str:
    while True:
        sha = "".join(rng.choice("0123456789abcdef") for _ in range(7))
        if sha not in used and not sha.isdigit():
            used.add(sha)
            return sha


def _subject(kind: str, scope: str, text: str, bang: bool = False) -> str:
    return f"{kind}{f'({scope})' if scope else ''}{'!' if bang else ''}: {text}"


class ChangelogRelease(TaskFamily):
    """Prepare a release: add a changelog section from the commits since the last tag and bump the version.

    **Request**: write the new version's section at the top of
    ``CHANGELOG.md`` (dated as the user says, grouped into Features, Fixes
    and Other in the existing style, one entry per relevant commit with its
    short hash) and bump the version file by the semver rule in
    ``RELEASING.md``.

    **Workspace**: a ``git log --oneline`` export since the last tag with
    conventional-commit subjects (features, fixes, perf/docs/refactor,
    chores, CI, tests, merge commits), the existing ``CHANGELOG.md`` with two
    earlier releases in the house style, ``RELEASING.md`` with the rules, and
    the version file (``VERSION``, ``pyproject.toml`` or ``package.json``);
    unrelated files.

    **Checks**: the version file holds the bumped version; the new heading
    is the first release heading; each group lists exactly the right commits
    (by hash) newest first; excluded commits are absent; no raw
    ``feat:``-style prefixes; breaking entries are marked; the earlier
    releases are intact.

    **Hard**: a breaking change (major bump) or a two-digit minor, a feature
    reverted before the release (it and its revert stay out), the export
    includes the tag line and older commits that must be ignored, and the
    version also lives in the package's ``__init__.py``.

    **Rubric** (hybrid tasks): the entries are rewritten for users (what
    changed for them, plain language), consistent with the existing style.
    """

    name = "changelog_release"
    scenario = Scenario.SOFTWARE_DEVELOPMENT
    operations = (Operation.FILE_CONTENT, Operation.COMMUNICATION)
    rubric_capable = True
    domains = DEVELOPER_DOMAINS

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        project = rng.choice(PROJECTS)
        thing, things = rng.choice(THINGS)
        used: set[str] = set()

        def fill(text: str) -> str:
            return text.format(thing=thing, things=things, Things=things.capitalize())

        major = rng.randint(1, 4)
        minor = rng.randint(0, 8) if not hard else rng.choice((rng.randint(0, 8), 9))
        patch = rng.randint(0, 6)
        current = (major, minor, patch)
        release_day = dt.date(rng.choice((2025, 2026)), rng.randint(2, 12), rng.randint(1, 28))
        last_day = date_add(release_day, -rng.randint(18, 40))
        older_day = date_add(last_day, -rng.randint(20, 50))

        # The new commits.
        n_feat = rng.randint(0, 3) if not hard else rng.randint(1, 3)
        if not hard and rng.chance(0.6):
            n_feat = max(n_feat, 1)
        n_fix = rng.randint(2, 4)
        n_other = rng.randint(1, 2)
        n_excluded = rng.randint(3, 5) if hard else rng.randint(2, 3)
        features = rng.sample(FEATURES, n_feat + 1)
        old_features = features[n_feat:]
        features = features[:n_feat]
        fixes = rng.sample(FIXES, n_fix + 2)
        old_fixes = fixes[n_fix:]
        fixes = fixes[:n_fix]
        others = rng.sample(OTHER, n_other + 1)
        old_other = others[n_other:]
        others = others[:n_other]
        commits: list[_Commit] = []
        for scope, subject, entry in features:
            commits.append(_Commit(_sha(rng, used), _subject("feat", scope, fill(subject)), "Features", fill(entry)))
        for scope, subject, entry in fixes:
            commits.append(_Commit(_sha(rng, used), _subject("fix", scope, fill(subject)), "Fixes", fill(entry)))
        for kind, scope, subject, entry in others:
            commits.append(_Commit(_sha(rng, used), _subject(kind, scope, fill(subject)), "Other", fill(entry)))
        for subject in rng.sample(EXCLUDED, n_excluded):
            commits.append(_Commit(_sha(rng, used), fill(subject), None, ""))
        breaking = hard and rng.chance(0.5)
        if breaking:
            scope, subject, entry = rng.choice(BREAKING)
            commits.append(
                _Commit(_sha(rng, used), _subject("feat", scope, subject, bang=True), "Features", entry, breaking=True)
            )
        commits = rng.shuffled(commits)
        # Merge commits sprinkled in.
        branches = ("fix/export-commas", "feature/dark-mode", "dependabot/pip/requests-lite", "chore/ci-cache")
        for index in range(rng.randint(1, 2)):
            pr = rng.randint(120, 480)
            merge = _Commit(
                _sha(rng, used),
                f"Merge pull request #{pr} from {b.persona.team[0].split()[0].lower()}/{branches[index]}",
                None,
                "",
            )
            commits.insert(rng.randint(0, len(commits)), merge)
        if hard:
            scope, subject, _ = rng.choice([f for f in FEATURES if f not in features and f not in old_features])
            original = _Commit(_sha(rng, used), _subject("feat", scope, fill(subject)), None, "")
            revert = _Commit(_sha(rng, used), f'Revert "{original.subject}"', None, "")
            position = rng.randint(1, len(commits) - 1)
            commits.insert(position, original)
            commits.insert(rng.randint(0, position), revert)  # the revert is newer (listed above)

        if breaking:
            new = (major + 1, 0, 0)
            bump = "major"
        elif any(c.group == "Features" for c in commits):
            new = (major, minor + 1, 0)
            bump = "minor"
        else:
            new = (major, minor, patch + 1)
            bump = "patch"
        old_version = ".".join(map(str, current))
        new_version = ".".join(map(str, new))
        if patch > 0:
            previous = (major, minor, patch - 1)
        elif minor > 0:
            previous = (major, minor - 1, rng.randint(1, 4))
        else:
            previous = (major - 1, rng.randint(2, 9), rng.randint(0, 4))
        prev_version = ".".join(map(str, previous))

        # Workspace.
        log_path = rng.choice(("release/git_log.txt", f"git_log_since_v{old_version}.txt", "notes/commits.txt"))
        log_lines = [f"{c.sha} {c.subject}" for c in commits]
        old_entries = [
            ("Features", _subject("feat", scope, fill(subject)), fill(entry), _sha(rng, used))
            for scope, subject, entry in old_features
        ]
        old_entries += [
            ("Fixes", _subject("fix", scope, fill(subject)), fill(entry), _sha(rng, used))
            for scope, subject, entry in old_fixes[:1]
        ]
        old_entries += [
            ("Other", _subject(kind, scope, fill(subject)), fill(entry), _sha(rng, used))
            for kind, scope, subject, entry in old_other
        ]
        older_shas = []
        if hard:
            tag_sha = _sha(rng, used)
            log_lines.append(f"{tag_sha} (tag: v{old_version}) chore(release): {old_version}")
            older_shas.append(tag_sha)
            for _, subject, _, sha in rng.shuffled(old_entries):
                log_lines.append(f"{sha} {subject}")
            chore = _sha(rng, used)
            log_lines.append(f"{chore} {fill(rng.choice(EXCLUDED))}")
            older_shas.append(chore)
        log = "\n".join(log_lines) + "\n"
        if hard:
            log_intro = f"$ git log --oneline --decorate -n {len(log_lines)}\n"
        else:
            log_intro = f"$ git log --oneline v{old_version}..HEAD\n"
        log_text = log_intro + log

        def section(version: str, day: dt.date, grouped: dict[str, list[str]]) -> str:
            parts = [f"## [{version}] - {iso(day)}", ""]
            for group in GROUPS:
                if grouped.get(group):
                    parts += [f"### {group}", "", *(f"- {line}" for line in grouped[group]), ""]
            return "\n".join(parts)

        old_grouped = {group: [f"{e} ({sha})" for g, _, e, sha in old_entries if g == group] for group in GROUPS}
        older_grouped = {"Fixes": [f"{fill(e)} ({_sha(rng, used)})" for _, _, e in old_fixes[1:]]}
        preamble = (
            f"# Changelog\n\nAll notable changes to {project} are documented here. Versions follow semantic "
            "versioning.\n\n"
        )
        old_body = section(old_version, last_day, old_grouped) + "\n" + section(prev_version, older_day, older_grouped)
        changelog = preamble + old_body
        releasing = (
            f"# Releasing {project}\n\n"
            "## Version number\n\nSemantic versioning, decided by the commits since the last tag:\n\n"
            "- any breaking change (a `!` after the type or scope, e.g. `feat(api)!:`) -> bump MAJOR, reset "
            "minor and patch to 0;\n"
            "- otherwise any `feat` -> bump MINOR, reset patch to 0;\n"
            "- otherwise -> bump PATCH.\n\n"
            "## Changelog\n\n"
            "New section at the top of CHANGELOG.md (above the previous release): `## [X.Y.Z] - YYYY-MM-DD`, "
            "then these groups, in this order, leaving out empty ones:\n\n"
            "- `### Features`: `feat` commits\n- `### Fixes`: `fix` commits\n"
            "- `### Other`: `perf`, `refactor` and `docs` commits\n\n"
            "Leave out `chore`, `ci`, `test`, `build` and `style` commits and merge commits.\n"
            + ("A commit that was reverted before the release is left out, and so is its revert.\n" if hard else "")
            + "\nOne bullet per commit, newest first within a group (the order of `git log`), written for users "
            "(no `feat:`/`fix:` prefixes, start with a capital letter), ending with the short hash in brackets, "
            "e.g. `- Reports load faster (1a2b3c4)`. Breaking changes start with `**BREAKING:**`.\n"
        )
        version_file, version_content, version_check = self._version_file(rng, project, old_version, new_version)
        b.file(log_path, log_text)
        b.file("CHANGELOG.md", changelog)
        b.file("RELEASING.md", releasing)
        b.file(version_file, version_content)
        init_path = None
        init_content = ""
        if hard:
            package = project.replace("-", "_")
            init_path = f"src/{package}/__init__.py"
            init_content = f'"""{project}."""\n\n__version__ = "{old_version}"\n'
            b.file(init_path, init_content)
            cli = (
                f'"""Command-line entry point."""\n\nfrom {package} import __version__\n\n\n'
                f'def main():\n    print(f"{project} {{__version__}}")\n'
            )
            b.file(f"src/{package}/cli.py", cli)
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["release/", "notes/", "src/", log_path]
        )

        pretty_day = f"{release_day.day} {MONTHS[release_day.month - 1]} {release_day.year}"
        where_version = f"{version_file}" + (f" and {init_path}" if init_path else "")
        body = b.pick(
            [
                f"We're cutting the next {project} release today ({pretty_day}). The commits since "
                f"v{old_version} are exported in {log_path}. Could you add the new section to the top of "
                f"CHANGELOG.md, following RELEASING.md and the style of the existing entries, and bump the "
                f"version in {where_version} according to the rules there? Date the section {iso(release_day)}.",
                f"Release prep for {project}, please:\n"
                f"1. Work out the new version from the commits in {log_path} (rules in RELEASING.md).\n"
                f"2. Add its section at the top of CHANGELOG.md, dated {iso(release_day)}, grouped and worded "
                "like the earlier releases.\n"
                f"3. Update the version in {where_version}.\n"
                "Don't touch the older changelog entries.",
                f"can you do the changelog + version bump for {project}? commit export is in {log_path}, "
                f"RELEASING.md has the rules (which commits count, semver, format). release date is "
                f"{iso(release_day)}. new section goes on top of CHANGELOG.md, version in {where_version}.",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: the export runs past the last tag, so only take what's newer than "
                f"v{old_version}; something got reverted along the way; and the version lives in two places now."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(7 if hard else 6)

        # Ground truth.
        grouped: dict[str, list[_Commit]] = {group: [] for group in GROUPS}
        for commit in commits:
            if commit.group:
                grouped[commit.group].append(commit)
        new_section = section(
            new_version, release_day, {g: [f"{c.entry} ({c.sha})" for c in grouped[g]] for g in GROUPS}
        )
        excluded = [c.sha for c in commits if c.group is None] + older_shas

        c = b.checks
        version_check(c)
        if init_path:
            c.text_regex(
                "init_version_bumped", init_path, rf'^__version__\s*=\s*["\']{re.escape(new_version)}["\']', flags="m"
            )
        heading = c.text_regex(
            "new_section_on_top",
            "CHANGELOG.md",
            rf"\A(?:(?!^## ).)*^## \[\d+\.\d+\.\d+\] - {iso(release_day)}\s*$",
            flags="ms",
        )
        c.text_regex(
            "new_section_version",
            "CHANGELOG.md",
            rf"\A(?:(?!^## ).)*^## \[{re.escape(new_version)}\] - {iso(release_day)}\s*$",
            flags="ms",
        )
        for group in GROUPS:
            if grouped[group]:
                c.md_items(
                    f"{group.lower()}_entries",
                    "CHANGELOG.md",
                    group,
                    [f"({commit.sha})" for commit in grouped[group]],
                    match="contains",
                    requires=[heading],
                )
        c.text_absent("excluded_commits_left_out", "CHANGELOG.md", excluded, requires=[heading])
        c.text_regex(
            "entries_without_commit_prefixes",
            "CHANGELOG.md",
            r"^\s*[-*]\s+(feat|fix|docs|perf|refactor|chore|ci|test|build|style)(\([^)]*\))?!?:",
            flags="mi",
            min_count=0,
            max_count=0,
            requires=[heading],
        )
        if breaking:
            sha = next(commit.sha for commit in commits if commit.breaking)
            c.text_regex(
                "breaking_change_marked",
                "CHANGELOG.md",
                rf"^\s*[-*]\s+\*\*BREAKING:\*\*.*\({sha}\)",
                flags="m",
                requires=[heading],
            )
        c.text_contains("earlier_releases_intact", "CHANGELOG.md", [old_body.strip()], requires=[heading])
        c.text_regex("groups_in_order", "CHANGELOG.md", self._order_pattern(grouped), flags="ms", requires=[heading])

        # Reference solution.
        s = b.solution
        s.exec(f"cat RELEASING.md {log_path} && head -30 CHANGELOG.md && cat {version_file}")
        s.edit(
            "CHANGELOG.md",
            f"## [{old_version}] - {iso(last_day)}",
            new_section + "\n" + f"## [{old_version}] - {iso(last_day)}",
        )
        s.write(version_file, version_content.replace(old_version, new_version))
        if init_path:
            s.edit(init_path, f'__version__ = "{old_version}"', f'__version__ = "{new_version}"')
        s.exec("head -40 CHANGELOG.md")

        # Near miss: the wrong bump (e.g. patch where a feature needs minor), section otherwise right.
        wrong = {"major": (major, minor + 1, 0), "minor": (major, minor, patch + 1), "patch": (major, minor + 1, 0)}
        wrong_version = ".".join(map(str, wrong[bump]))
        wrong_section = new_section.replace(f"## [{new_version}]", f"## [{wrong_version}]", 1)
        miss = [
            s.steps[0],
            {
                "name": "edit",
                "arguments": {
                    "path": "CHANGELOG.md",
                    "oldText": f"## [{old_version}] - {iso(last_day)}",
                    "newText": wrong_section + "\n" + f"## [{old_version}] - {iso(last_day)}",
                },
            },
            {
                "name": "write",
                "arguments": {"path": version_file, "content": version_content.replace(old_version, wrong_version)},
            },
        ]
        b.near_miss(miss)
        # Near miss: every commit copied in, chores and merges included.
        sloppy = dict(grouped)
        sloppy["Other"] = [*grouped["Other"], *(c_ for c_ in commits if c_.group is None)]
        sloppy_section = section(
            new_version,
            release_day,
            {
                g: [f"{c_.entry or c_.subject[0].upper() + c_.subject[1:]} ({c_.sha})" for c_ in sloppy[g]]
                for g in GROUPS
            },
        )
        b.near_miss(
            [
                s.steps[0],
                {
                    "name": "edit",
                    "arguments": {
                        "path": "CHANGELOG.md",
                        "oldText": f"## [{old_version}] - {iso(last_day)}",
                        "newText": sloppy_section + "\n" + f"## [{old_version}] - {iso(last_day)}",
                    },
                },
                s.steps[2],
            ]
        )

        if b.hybrid:
            b.rubric(
                "entries_written_for_users",
                "Each new changelog entry tells a user what changed for them, in plain language (e.g. 'Invoices "
                "can now be exported as CSV'), rather than repeating the developer's commit subject ('add csv "
                "export for invoices') or internal jargon.",
                {
                    "0": "Entries are raw commit subjects or missing.",
                    "0.25": "Mostly commit-speak with prefixes removed.",
                    "0.5": "A mix of rewritten and raw entries.",
                    "0.75": "Nearly all entries are user-facing, a few stiff or vague.",
                    "1.0": "Every entry is clear, user-facing and specific.",
                },
                weight=2.0,
            )
            b.rubric(
                "matches_house_style",
                "The new section reads like the earlier releases in CHANGELOG.md: same heading and bullet "
                "format, similar length and tone of entries, capitalised, no trailing noise.",
                {
                    "0": "Ignores the existing style.",
                    "0.25": "Several clear inconsistencies.",
                    "0.5": "Broadly similar, with noticeable differences.",
                    "0.75": "Consistent apart from small details.",
                    "1.0": "Indistinguishable in style from the earlier sections.",
                },
            )

    @staticmethod
    def _order_pattern(grouped: dict[str, list[_Commit]]) -> str:
        """The non-empty groups appear in order inside the new section (before the next release heading)."""
        present = [group for group in GROUPS if grouped[group]]
        inner = r"(?:(?!^## ).)*?".join(rf"^###\s+{group}\s*$" for group in present)
        return r"\A(?:(?!^## ).)*^## [^\n]*$(?:(?!^## ).)*?" + inner

    @staticmethod
    def _version_file(
        rng: StableRandom, project: str, old: str, new: str
    ) -> tuple[str, str, Callable[[CheckList], str]]:
        kind = rng.choice(("VERSION", "pyproject.toml", "package.json"))
        if kind == "VERSION":
            content = f"{old}\n"

            def check(c: CheckList) -> str:
                return c.text_regex("version_bumped", "VERSION", rf"\A\s*{re.escape(new)}\s*\Z")

        elif kind == "pyproject.toml":
            content = (
                f'[project]\nname = "{project}"\nversion = "{old}"\ndescription = "Internal tool"\n'
                'requires-python = ">=3.9"\n\n[project.scripts]\n'
                f'{project} = "{project.replace("-", "_")}.cli:main"\n'
            )

            def check(c: CheckList) -> str:
                return c.text_regex(
                    "version_bumped", "pyproject.toml", rf'^version\s*=\s*"{re.escape(new)}"\s*$', flags="m"
                )

        else:
            content = (
                f'{{\n  "name": "{project}",\n  "version": "{old}",\n  "private": true,\n  "scripts": {{\n'
                '    "test": "node --test"\n  }\n}\n'
            )

            def check(c: CheckList) -> str:
                return c.json_equals("version_bumped", "package.json", "/version", new)

        return kind, content, check
