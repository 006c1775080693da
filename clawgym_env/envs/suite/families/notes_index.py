"""Notes index: index a folder of Markdown notes by tag, find orphans and compute backlinks."""

from __future__ import annotations

import datetime as dt

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.rng import StableRandom
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import iso, json_text, slug

__all__ = ["NotesIndex"]

TAGS = ("projects", "vendors", "people", "process", "meetings", "ideas", "reference", "planning", "howto", "finance")
TITLES = (
    ("{project} kickoff notes", ("projects", "meetings")),
    ("{project} retro", ("projects", "meetings")),
    ("{project} risks", ("projects", "planning")),
    ("{vendor} contract summary", ("vendors", "finance")),
    ("{vendor} contacts", ("vendors", "people")),
    ("{department} team directory", ("people", "reference")),
    ("Onboarding checklist", ("process", "howto")),
    ("Weekly review template", ("process", "planning")),
    ("{product} pricing ideas", ("ideas", "finance")),
    ("What {jargon} means here", ("reference", "howto")),
    ("Quarterly goals", ("planning",)),
    ("Budget assumptions", ("finance", "planning")),
    ("Tools we use", ("reference", "howto")),
    ("Hiring process", ("process", "people")),
    ("Ideas backlog", ("ideas",)),
    ("1-1 notes with {person}", ("people", "meetings")),
    ("Incident log", ("reference", "process")),
    ("{department} handover", ("process", "people")),
)
SENTENCES = (
    "Start with [[{a}]] before anything else.",
    "Background is in [[{a}]].",
    "{person} wants this aligned with [[{a}]] and [[{b}]].",
    "See [[{a}]] for the numbers.",
    "Open question: does [[{a}]] still apply?",
    "Linked from the review; details in [[{a}]].",
)
FILLER = (
    "Draft, still rough.",
    "Last touched after the {project} check-in.",
    "Keep this short; the details live elsewhere.",
    "{person} owns the next update.",
    "Mostly about {jargon}.",
    "Needs a pass before the next review.",
)


class NotesIndex(TaskFamily):
    """Index a folder of Markdown notes by tag, list the orphan notes and write a backlinks map.

    **Request**: the user wants ``index.md`` with a ``## <tag>`` section per
    tag (tags alphabetical, note titles alphabetical under each) and a
    ``## Orphans`` section (notes no other note links to), plus
    ``backlinks.json`` mapping every note's file name (without ``.md``) to
    the sorted list of notes linking to it.

    **Workspace**: ``notes/`` with 8-12 notes, each with YAML front matter
    (title, tags, created) and ``[[wiki links]]`` in the body to other
    notes by file name; a README about the vault; distractors elsewhere.

    **Checks**: the index exists; one check per tag section (exact titles
    in order); the orphans list; ``backlinks.json`` parses, has exactly one
    key per note, the most-linked note's backlinks, the exact map; the
    notes unchanged.

    **Hard**: more notes in nested folders (links still resolve by file
    name); tags in block-list form and mixed case; links with aliases
    (``[[name|text]]``) and heading anchors (``[[name#Heading]]``);
    self-links and repeated links; links to notes that do not exist,
    reported in a ``## Broken links`` section; a ``.obsidian`` settings
    folder that is not a note.
    """

    name = "notes_index"
    scenario = Scenario.PLANNING_KNOWLEDGE
    operations = (Operation.SYSTEM_ENVIRONMENT, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        team = list(b.persona.team)
        fill = {
            "project": rng.choice(domain.projects),
            "vendor": rng.choice(domain.vendors),
            "department": rng.choice(domain.departments),
            "product": rng.choice(domain.products),
            "jargon": rng.choice(domain.jargon),
            "person": rng.choice(team),
        }

        count = rng.randint(12, 15) if hard else rng.randint(8, 11)
        templates = rng.sample(TITLES, count)
        notes = []
        for template, tags in templates:
            if "{project}" in template:
                fill["project"] = rng.choice(domain.projects)
            title = template.format(**fill)
            title = title[:1].upper() + title[1:]
            stem = slug(title, separator="-")
            if any(note["stem"] == stem for note in notes):
                continue
            chosen = list(tags) if rng.chance(0.7) else [tags[0]]
            notes.append({"title": title, "stem": stem, "tags": chosen})
        used_tags = sorted({tag for note in notes for tag in note["tags"]})

        # Links: a few notes nobody links to (orphans), the rest get at least one inbound link.
        stems = [note["stem"] for note in notes]
        orphan_count = rng.randint(2, 3)
        orphans = set(rng.sample(stems, orphan_count))
        targets = [s for s in stems if s not in orphans]
        links: dict[str, list[str]] = {s: [] for s in stems}
        for target in targets:
            source = rng.choice([s for s in stems if s != target])
            links[source].append(target)
        for source in stems:
            for _ in range(rng.randint(0, 2)):
                target = rng.choice(targets)
                if target != source and target not in links[source]:
                    links[source].append(target)
        broken: list[tuple[str, str]] = []
        if hard:
            ghosts = [
                "meeting-notes-old",
                f"{slug(fill['vendor'], separator='-')}-invoice-2024",
                "draft-ideas-v2",
                "budget-v1",
            ]
            for ghost in rng.sample(ghosts, 2):
                source = rng.choice(stems)
                broken.append((source, ghost))

        # Folders (hard: nested) and rendering.
        folders = {s: "" for s in stems}
        if hard:
            for note in notes:
                if "projects" in note["tags"]:
                    folders[note["stem"]] = "projects/"
                elif "people" in note["tags"]:
                    folders[note["stem"]] = "people/"
                elif rng.chance(0.3):
                    folders[note["stem"]] = "archive/"
        files: dict[str, str] = {}
        year = rng.choice((2025, 2026))
        for note in notes:
            stem = note["stem"]
            created = iso(dt.date(year, rng.randint(1, 12), rng.randint(1, 28)))
            tags = note["tags"]
            if hard and rng.chance(0.4):
                tag_lines = ["tags:"] + [f"  - {t.capitalize() if rng.chance(0.5) else t}" for t in tags]
            elif hard and rng.chance(0.3):
                tag_lines = [f"tags: [{', '.join(t.capitalize() for t in tags)}]"]
            else:
                tag_lines = [f"tags: [{', '.join(tags)}]"]
            body = [f"# {note['title']}", ""]
            fill["person"] = rng.choice(team)
            outgoing = list(links[stem])
            refs = [_link(rng, target, hard) for target in outgoing]
            if hard and rng.chance(0.3):
                refs.append(f"[[{stem}]]")  # a self-link does not count
            if hard and outgoing and rng.chance(0.3):
                refs.append(f"[[{outgoing[0]}]]")  # a repeated link counts once
            for ghost_source, ghost in broken:
                if ghost_source == stem:
                    refs.append(f"[[{ghost}]]")
            refs = rng.shuffled(refs)
            body.append(rng.choice(FILLER).format(**fill))
            while refs:
                template = rng.choice(SENTENCES)
                if "{b}" in template and len(refs) >= 2:
                    body.append(template.replace("[[{a}]]", refs[0]).replace("[[{b}]]", refs[1]).format(**fill))
                    refs = refs[2:]
                else:
                    template = template if "{b}" not in template else SENTENCES[0]
                    body.append(template.replace("[[{a}]]", refs[0]).format(**fill))
                    refs = refs[1:]
            text = "\n".join(["---", f"title: {note['title']}", *tag_lines, f"created: {created}", "---", "", *body])
            path = f"notes/{folders[stem]}{stem}.md"
            files[path] = text + "\n"
            b.file(path, files[path])
        readme = (
            "# Vault\n\n"
            f"{b.persona.name}'s notes. Every note starts with front matter (title, tags, created).\n"
            "Links are wiki-style: [[file-name]] points to file-name.md, wherever it sits under notes/.\n"
        )
        b.file("VAULT_README.md", readme)
        if hard:
            b.file("notes/.obsidian/app.json", json_text({"alwaysUpdateLinks": True, "newFileLocation": "root"}))
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["notes/", "index.md", "backlinks.json"]
        )

        # Ground truth.
        title_of = {note["stem"]: note["title"] for note in notes}
        inbound: dict[str, list[str]] = {s: [] for s in stems}
        for source, outgoing in links.items():
            for target in outgoing:
                if source not in inbound[target]:
                    inbound[target].append(source)
        backlinks = {s: sorted(inbound[s]) for s in sorted(stems)}
        orphan_titles = sorted((title_of[s] for s in stems if not inbound[s]), key=str.lower)
        sections = {tag: sorted((n["title"] for n in notes if tag in n["tags"]), key=str.lower) for tag in used_tags}
        broken_items = sorted(f"{source} -> {ghost}" for source, ghost in broken)

        # Request.
        body = b.pick(
            [
                "My notes/ folder has become a maze. Could you build index.md: one '## tag' section per tag (tags "
                "in alphabetical order), each listing as bullets the titles (from the front matter) of the notes "
                "with that tag, alphabetically ignoring case; then an '## Orphans' section listing, the same way, "
                "the notes that no other note links to. Also write backlinks.json: an object with one key per note "
                "(its file name without .md) whose value is the alphabetically sorted list of the file names "
                "(without .md) of the notes that link to it, [] if none.",
                "Please index my notes in notes/:\n"
                "- index.md with a '## <tag>' section for every tag, tags sorted alphabetically, and under each a "
                "bullet list of the note titles (the title in the front matter), sorted alphabetically ignoring "
                "case.\n"
                "- In the same file, '## Orphans': titles of notes with no incoming links from other notes, same "
                "sorting.\n"
                "- backlinks.json: {note file name without .md: sorted list of file names (without .md) of notes "
                "linking to it}, every note included, empty list when nothing links to it.",
                "Can you make sense of notes/ for me? I want index.md grouped by tag (## tagname headings in "
                "alphabetical order, note titles from the front matter as bullets, alphabetical ignoring case), an "
                "## Orphans section with the notes nothing else links to, and backlinks.json mapping each note's "
                "file name (no .md) to a sorted list of the file names (no .md) that link to it, [] for none.",
            ]
        )
        body += " Links are the [[...]] kind and point to a note by its file name. Don't edit the notes."
        if hard:
            body += (
                "\n\nA few things to watch: notes sit in subfolders too; a link still means the note with that "
                "file name wherever it is. Tags are case-insensitive (use them in lowercase) and some notes list "
                "them one per line. Links can look like [[name|shown text]] or [[name#Some heading]]: both point "
                "to name. A note linking to itself doesn't count, and several links from the same note count "
                "once. Some links point to notes that don't exist: list those in index.md under '## Broken "
                "links', one bullet per link written 'source -> target' with file names without .md, sorted. "
                "The .obsidian folder is app settings, not notes."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        has_index = c.file_exists("index_written", "index.md")
        for tag in used_tags:
            c.md_items(f"tag_{tag}_section", "index.md", tag, sections[tag], requires=[has_index])
        c.md_items("orphans_listed", "index.md", "Orphans", orphan_titles, requires=[has_index])
        if hard:
            c.md_items("broken_links_listed", "index.md", "Broken links", broken_items, requires=[has_index])
        has_json = c.json_valid("backlinks_written", "backlinks.json")
        c.json_keys("backlinks_one_key_per_note", "backlinks.json", "", sorted(stems), exact=True, requires=[has_json])
        top = max(sorted(stems), key=lambda s: len(inbound[s]))
        c.json_equals("most_linked_note_backlinks", "backlinks.json", f"/{top}", backlinks[top], requires=[has_json])
        c.json_equals("backlinks_exact", "backlinks.json", "", backlinks, requires=[has_json])
        c.files_unchanged("notes_unchanged", files, requires=[has_index])

        # Reference solution.
        index = ["# Notes index", ""]
        for tag in used_tags:
            index += [f"## {tag}", "", *(f"- {t}" for t in sections[tag]), ""]
        index += ["## Orphans", "", *(f"- {t}" for t in orphan_titles), ""]
        if hard:
            index += ["## Broken links", "", *(f"- {item}" for item in broken_items), ""]
        s = b.solution
        s.exec("find notes -type f | sort")
        s.exec('for f in $(find notes -name \'*.md\' | sort); do echo "== $f"; cat "$f"; done')
        s.exec("grep -rho '\\[\\[[^]]*\\]\\]' notes | sort | uniq -c | sort -rn")
        s.write("index.md", "\n".join(index))
        s.write("backlinks.json", json_text(backlinks))

        # Near miss: one backlink forgotten (the most-linked note loses its last source).
        wrong = {k: list(v) for k, v in backlinks.items()}
        wrong[top] = wrong[top][:-1]
        b.near_miss(
            [*s.steps[:4], {"name": "write", "arguments": {"path": "backlinks.json", "content": json_text(wrong)}}]
        )


def _link(rng: StableRandom, target: str, hard: bool) -> str:
    if hard:
        roll = rng.below(4)
        if roll == 0:
            return f"[[{target}|{target.replace('-', ' ')}]]"
        if roll == 1:
            return f"[[{target}#Next steps]]"
    return f"[[{target}]]"
