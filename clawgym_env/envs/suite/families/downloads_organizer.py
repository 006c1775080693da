"""Downloads organizer: file a messy Downloads folder by the user's own rules and log every move."""

from __future__ import annotations

import datetime as dt
import hashlib

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, slug

__all__ = ["DownloadsOrganizer"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
APPS = ("Slatepad", "Driftnote", "Tallyboard", "Cloudmeet", "Pixelforge", "Quietmail", "Hushcast", "Gridline",
        "Ferrymap", "Inkwell")  # fmt: skip
PHOTO_EXT = ("jpg", "jpeg", "png", "heic")
INSTALLER_EXT = ("dmg", "pkg", "exe", "msi", "deb")
DOC_EXT = ("pdf", "docx", "xlsx", "pptx", "txt", "csv", "odt")
HEADERS = {
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01",
    "jpeg": b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "heic": b"\x00\x00\x00\x18ftypheic",
    "dmg": b"\x78\x01\x73\x0d\x62\x62\x60",
    "pkg": b"xar!\x00\x1c\x00\x01",
    "exe": b"MZ\x90\x00\x03\x00\x00\x00",
    "msi": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "deb": b"!<arch>\ndebian-binary   ",
    "docx": b"PK\x03\x04\x14\x00\x06\x00",
    "xlsx": b"PK\x03\x04\x14\x00\x06\x00",
    "pptx": b"PK\x03\x04\x14\x00\x06\x00",
    "odt": b"PK\x03\x04\x14\x00\x00\x08",
    "zip": b"PK\x03\x04\x0a\x00\x00\x00",
    "mp3": b"ID3\x04\x00\x00\x00\x00",
    "crdownload": b"PK\x03\x04\x14\x00",
    "part": b"\x00\x00\x00\x18ftypmp42",
}


def _blob(ext: str, key: int, size: int) -> bytes:
    """Deterministic binary-looking content for a file of type ``ext``."""
    chunks = []
    counter = 0
    while sum(len(chunk) for chunk in chunks) < size:
        chunks.append(hashlib.sha256(f"{key}:{counter}".encode()).digest())
        counter += 1
    return HEADERS.get(ext, b"") + b"".join(chunks)[:size]


class DownloadsOrganizer(TaskFamily):
    """Sort a cluttered Downloads folder into folders by the user's written rules, drop exact duplicates, log it.

    **Request**: the user points at their filing rules (a Markdown note)
    and asks to move every file in ``Downloads/`` to where the rules say
    (first matching rule wins), delete ``name (1).ext`` copies that are
    byte-identical to ``name.ext``, leave everything else in place, and
    write ``downloads_manifest.csv`` (``original,destination``, workspace
    paths, ``DELETED`` for removed copies).

    **Workspace**: ``Downloads/`` with 14-28 files: invoices and receipts
    (PDF), phone photos and screenshots, installers, office documents,
    archives and other odds and ends, some with spaces in their names, plus
    exact ``(1)`` copies; the rules note; unrelated files elsewhere.

    **Checks**: each target folder holds exactly the right files (moved,
    not copied: ``Downloads/`` holds only what stays); moved files are
    byte-identical; the duplicate copies are gone everywhere; the manifest
    header and its rows (any order).

    **Hard**: photos go into per-year subfolders (year from the file name),
    extensions in mixed case, a ``(1)`` copy whose content differs (it must
    be kept and filed), a ``(2)`` copy, unfinished ``.crdownload``/``.part``
    downloads to delete, a hidden ``.DS_Store`` to leave alone, more files.
    """

    name = "downloads_organizer"
    scenario = Scenario.OFFICE_DAILY
    operations = (Operation.SYSTEM_ENVIRONMENT, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        domain = DOMAINS[b.persona.domain]
        finance_dir = rng.choice(("Documents/Finance", "Documents/Invoices", "Finance/Invoices"))
        pictures_dir = rng.choice(("Pictures", "Photos"))
        installers_dir = rng.choice(("Installers", "Software/Installers", "Apps/Installers"))
        docs_dir = "Documents"
        rules_path = rng.choice(("sorting_rules.md", "notes/how_i_file_things.md", "notes/downloads_rules.md"))

        def upper_ext(ext: str) -> str:
            return ext.upper() if hard and rng.chance(0.25) else ext

        def some_day() -> dt.date:
            return dt.date(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))

        files: list[dict] = []  # name, content, kind

        def add(name: str, content: bytes, kind: str) -> None:
            if any(f["name"].lower() == name.lower() for f in files):
                return
            files.append({"name": name, "content": content, "kind": kind})

        # Invoices and receipts.
        vendors = rng.sample(domain.vendors, 3)
        for _ in range(rng.randint(3, 4) if hard else rng.randint(2, 3)):
            vendor = rng.choice(vendors)
            day = some_day()
            number = rng.randint(1000, 9999)
            name = rng.choice(
                (
                    f"Invoice_{slug(vendor, separator='')}_{number}.{upper_ext('pdf')}",
                    f"invoice-{number}.pdf",
                    f"{vendor.split()[0]} Invoice {MONTHS[day.month - 1]} {day.year}.{upper_ext('pdf')}",
                    f"Receipt-{day.isoformat()}.pdf",
                    f"{slug(vendor, separator='-')}-receipt-{number}.pdf",
                )
            )
            text = f"1 0 obj << /Title (Invoice {number} {vendor}) /Author ({vendor}) >> endobj\n".encode()
            add(name, HEADERS["pdf"] + text + _blob("", rng.below(10**9), rng.randint(300, 900)), "finance")
        # Photos and screenshots.
        for _ in range(rng.randint(4, 6) if hard else rng.randint(3, 5)):
            day = some_day()
            hms = f"{rng.randint(7, 22):02d}{rng.below(60):02d}{rng.below(60):02d}"
            stamp = day.strftime("%Y%m%d")
            style = rng.below(4)
            if style == 0:
                name, ext = f"IMG_{stamp}_{hms}", upper_ext("jpg")
            elif style == 1:
                name, ext = f"PXL_{stamp}_{hms}{rng.randint(100, 999)}", "jpg"
            elif style == 2:
                name, ext = f"Screenshot {day.isoformat()} at {hms[:2]}.{hms[2:4]}.{hms[4:]}", "png"
            else:
                name, ext = f"IMG-{stamp}-WA{rng.randint(1, 40):04d}", rng.choice(("jpeg", "heic"))
            add(f"{name}.{ext}", _blob(ext.lower(), rng.below(10**9), rng.randint(600, 1600)), f"photo:{day.year}")
        # Installers.
        for app in rng.sample(APPS, rng.randint(2, 3) if hard else rng.randint(1, 2)):
            version = f"{rng.randint(1, 9)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
            ext = rng.choice(INSTALLER_EXT)
            name = {
                "dmg": f"{app}-{version}.dmg",
                "pkg": f"{app}.pkg",
                "exe": f"{app}Setup-{version}.exe",
                "msi": f"{app}-{version}-x64.msi",
                "deb": f"{app.lower()}_{version}_amd64.deb",
            }[ext]
            if hard and rng.chance(0.3):
                base, _, extension = name.rpartition(".")
                name = f"{base}.{extension.upper()}"
            add(name, _blob(ext, rng.below(10**9), rng.randint(900, 2000)), "installer")
        # Documents.
        project = rng.choice(domain.projects)
        doc_names = [
            (f"{slug(project)}_brief.pdf", "pdf"),
            ("meeting notes.docx", "docx"),
            (f"budget_{rng.choice((2025, 2026))}_v{rng.randint(2, 5)}.xlsx", "xlsx"),
            (f"export_{some_day().isoformat()}.csv", "csv"),
            ("lease_agreement_signed.pdf", "pdf"),
            (f"{slug(project, separator='-')}-kickoff.pptx", "pptx"),
            ("boarding_pass.pdf", "pdf"),
            (f"{slug(b.persona.team[0], separator='_')}_references.odt", "odt"),
            ("packing list.txt", "txt"),
            (f"{slug(rng.choice(domain.departments))}_rota.xlsx", "xlsx"),
        ]
        for name, ext in rng.sample(doc_names, rng.randint(4, 6) if hard else rng.randint(3, 4)):
            if ext == "csv":
                rows = [["date", "item", "amount"]] + [
                    [some_day().isoformat(), rng.choice(domain.products), f"{rng.money(5, 400):.2f}"] for _ in range(6)
                ]
                content = csv_text(rows).encode()
            elif ext == "txt":
                content = ("\n".join(f"- {item}" for item in rng.sample(
                    ["passport", "chargers", "adapter plug", "rain jacket", "sunglasses", "meds", "headphones",
                     "snacks", "notebook", "spare socks"], 6)) + "\n").encode()  # fmt: skip
            else:
                content = _blob(ext, rng.below(10**9), rng.randint(500, 1400))
            if hard and ext in ("pdf", "docx") and rng.chance(0.4):
                base, _, extension = name.rpartition(".")
                name = f"{base}.{extension.upper()}"
            add(name, content, "doc")
        # Things no rule covers.
        others = [
            (f"{slug(project)}_assets.zip", "zip"),
            ("invite.ics", "ics"),
            (f"podcast_ep{rng.randint(10, 140)}.mp3", "mp3"),
            ("fonts.zip", "zip"),
            (f"{slug(rng.choice(domain.vendors))}_price_list.zip", "zip"),
        ]
        for name, ext in rng.sample(others, rng.randint(2, 3) if hard else rng.randint(1, 2)):
            if ext == "ics":
                day = some_day()
                content = (
                    "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\n"
                    f"DTSTART:{day.strftime('%Y%m%d')}T140000Z\nSUMMARY:{project} review\nEND:VEVENT\nEND:VCALENDAR\n"
                ).encode()
            else:
                content = _blob(ext, rng.below(10**9), rng.randint(400, 1500))
            add(name, content, "other")

        # Duplicates: exact "(1)" copies of some files.
        originals = rng.sample([f for f in files if f["kind"] != "other"], 3 if hard else 2)
        duplicates: list[dict] = []
        for original in originals:
            base, _, ext = original["name"].rpartition(".")
            duplicates.append({"name": f"{base} (1).{ext}", "content": original["content"], "of": original["name"]})
        if hard:
            base, _, ext = originals[0]["name"].rpartition(".")
            duplicates.append({"name": f"{base} (2).{ext}", "content": originals[0]["content"],
                               "of": originals[0]["name"]})  # fmt: skip
        differing = None
        if hard:
            pool = [f for f in files if f["kind"] == "doc" and f not in originals]
            if not pool:
                pool = [f for f in files if f["kind"] == "finance" and f not in originals]
            target = rng.choice(pool)
            base, _, ext = target["name"].rpartition(".")
            differing = {"name": f"{base} (1).{ext}", "content": target["content"][:-40] + _blob("", rng.below(10**9),
                         60), "kind": target["kind"]}  # fmt: skip
            files.append(differing)
        unfinished: list[dict] = []
        if hard:
            unfinished.append({"name": f"Unconfirmed {rng.randint(100000, 999999)}.crdownload",
                               "content": _blob("crdownload", rng.below(10**9), 700)})  # fmt: skip
            unfinished.append({"name": f"{slug(project)}_walkthrough.mp4.part",
                               "content": _blob("part", rng.below(10**9), 900)})  # fmt: skip

        # Where each file belongs.
        def destination(entry: dict) -> str | None:
            kind = entry["kind"]
            if kind == "finance":
                return f"{finance_dir}/{entry['name']}"
            if kind.startswith("photo"):
                year = kind.split(":")[1]
                return f"{pictures_dir}/{year}/{entry['name']}" if hard else f"{pictures_dir}/{entry['name']}"
            if kind == "installer":
                return f"{installers_dir}/{entry['name']}"
            if kind == "doc":
                return f"{docs_dir}/{entry['name']}"
            return None

        workspace_files: dict[str, bytes] = {}
        for entry in files + duplicates + unfinished:
            workspace_files[f"Downloads/{entry['name']}"] = entry["content"]
        if hard:
            workspace_files["Downloads/.DS_Store"] = b"\x00\x00\x00\x01Bud1" + _blob("", rng.below(10**9), 120)
        for path in sorted(workspace_files):
            b.file(path, workspace_files[path])

        photo_rule = f"Photos and screenshots (.jpg, .jpeg, .png, .heic) -> `{pictures_dir}/`"
        if hard:
            photo_rule += (
                f" in a subfolder per year, e.g. `{pictures_dir}/2025/` (the year from the date in the file name)"
            )
        rules = [
            f'Anything with "invoice" or "receipt" in the name -> `{finance_dir}/`',
            photo_rule,
            f"Installers (.dmg, .pkg, .exe, .msi, .deb) -> `{installers_dir}/`",
            f"Documents (.pdf, .docx, .xlsx, .pptx, .odt, .txt, .csv) -> `{docs_dir}/`",
            "Everything else stays in Downloads/ until I decide.",
        ]
        rules_text = (
            "# How I file things\n\n"
            "Downloads is an inbox, not a storage place. When I clean it up:\n\n"
            + "\n".join(f"{index + 1}. {rule}" for index, rule in enumerate(rules))
            + "\n\nRules are checked top to bottom; the first one that matches wins (so an invoice PDF goes to "
            f"`{finance_dir}/`, not `{docs_dir}/`). Name matching ignores upper/lower case, extensions too.\n"
            "Keep file names as they are.\n\n"
            "Browsers add ` (1)`, ` (2)` before the extension when I download something twice. If such a copy is "
            "byte-for-byte identical to the file without the suffix, the copy can go. If it differs, it's a "
            "different version: keep it and file it like any other file.\n"
        )
        if hard:
            rules_text += "\nUnfinished downloads (.crdownload, .part) are junk: delete them.\n"
        b.file(rules_path, rules_text)
        avoid = ["Downloads/", "Documents/", "Pictures/", "Photos/", "Installers/", "Software/", "Apps/", "Finance/",
                 "downloads_manifest.csv"]  # fmt: skip
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=avoid)

        # Ground truth.
        moves: list[tuple[str, str]] = []
        for entry in files:
            target = destination(entry)
            if target is not None:
                moves.append((f"Downloads/{entry['name']}", target))
        deleted = [f"Downloads/{entry['name']}" for entry in duplicates + unfinished]
        manifest_rows = [[src, dst] for src, dst in moves] + [[path, "DELETED"] for path in deleted]
        manifest_rows.sort()
        stays = sorted(entry["name"] for entry in files if destination(entry) is None)
        if hard:
            stays = sorted([*stays, ".DS_Store"])
        folders: dict[str, list[str]] = {}
        for _, dst in moves:
            folder, _, name = dst.rpartition("/")
            folders.setdefault(folder, []).append(name)
        # Parent folders list their subfolders too.
        for folder in list(folders):
            parts = folder.split("/")
            for depth in range(1, len(parts)):
                parent = "/".join(parts[:depth])
                folders.setdefault(parent, [])
                if parts[depth] not in folders[parent]:
                    folders[parent].append(parts[depth])

        manifest = "downloads_manifest.csv"
        body = b.pick(
            [
                f"My Downloads folder is a disaster again. My filing rules are written down in {rules_path}; can you "
                "apply them to everything in Downloads/? Move the files (don't copy them), get rid of the duplicate "
                "copies the rules talk about, and leave anything the rules don't cover where it is. Then write "
                f"{manifest} with the columns original,destination: one row per file you moved or deleted, paths "
                "relative to my home folder (like Downloads/x.pdf), and DELETED as the destination for anything "
                "you removed.",
                f"Cleanup time for Downloads/. Please:\n1. Read my rules in {rules_path}.\n"
                "2. Move each file in Downloads/ to the folder its rule says (create folders as needed, keep the "
                "file names).\n3. Delete the exact duplicate copies the rules describe; files no rule covers stay "
                f"put.\n4. Log it all in {manifest} (header original,destination; one row per moved or deleted "
                "file; paths like Downloads/x.pdf; destination DELETED for deletions). Row order doesn't matter.",
                f"could you tidy up Downloads/ for me using the rules in {rules_path}? Moves, not copies. Duplicate "
                "copies go, as the rules say, and stuff without a rule just stays in Downloads. I'd like a record "
                f"too: {manifest}, columns original,destination, a row per file you moved or deleted (paths from my "
                "home folder, e.g. Downloads/x.pdf -> Documents/x.pdf, and DELETED for removed ones).",
            ]
        )
        if hard:
            body += (
                "\n\nA few things to watch: some names have spaces and odd capitalisation, and not every "
                "'(1)' file is really a duplicate, so compare the contents before deleting anything."
            )
        b.instruct(body[:1].upper() + body[1:])
        b.steps(5 if hard else 4)
        b.constraints(6 if hard else 4)

        # Checks.
        c = b.checks
        c.dir_files("downloads_holds_only_leftovers", "Downloads", stays)
        for folder in sorted(folders):
            c.dir_files(f"folder_{slug(folder)}_exact", folder, folders[folder])
        moved_contents = {}
        for entry in files:
            target = destination(entry)
            if target is not None:
                moved_contents[target] = entry["content"]
        has_moves = c.files_unchanged("moved_files_intact", moved_contents)
        patterns = " -o ".join(f"-name '{entry['name']}'" for entry in duplicates + unfinished)
        c.command("duplicates_removed", f'test -z "$(find . \\( {patterns} \\) -print)"', requires=[has_moves])
        if differing is not None:
            c.file_sha256("differing_copy_kept", destination(differing) or "", differing["content"])
        has_manifest = c.csv_header("manifest_header", manifest, ["original", "destination"], ignore_case=True)
        c.csv_rows("manifest_rows", manifest, manifest_rows, ordered=False, ignore_case=True, requires=[has_manifest])
        c.csv_column("manifest_lists_every_file", manifest, "original", [row[0] for row in manifest_rows],
                     ordered=False, requires=[has_manifest])  # fmt: skip
        c.files_unchanged("rules_unchanged", {rules_path: rules_text}, requires=[has_manifest])

        # Reference solution.
        s = b.solution
        s.exec(f"cat {rules_path}; ls -la Downloads")
        s.exec("cd Downloads && sha256sum -- * .[!.]* 2>/dev/null | sort")
        commands = []
        for path in deleted:
            commands.append(f"rm -- '{path}'")
        for folder in sorted({dst.rpartition("/")[0] for _, dst in moves}):
            commands.append(f"mkdir -p '{folder}'")
        for src, dst in moves:
            commands.append(f"mv -n -- '{src}' '{dst}'")
        s.exec(" && ".join(commands))
        s.exec("ls -laR Downloads " + " ".join(sorted({f"'{dst.split('/')[0]}'" for _, dst in moves})))
        s.write(manifest, csv_text([["original", "destination"], *manifest_rows]))

        # Near miss: the duplicate copies were filed like normal files instead of being deleted.
        wrong_commands = []
        wrong_rows = []
        for folder in sorted({dst.rpartition("/")[0] for _, dst in moves}):
            wrong_commands.append(f"mkdir -p '{folder}'")
        for src, dst in moves:
            wrong_commands.append(f"mv -n -- '{src}' '{dst}'")
            wrong_rows.append([src, dst])
        for entry in duplicates:
            original_target = next(dst for src, dst in moves if src == f"Downloads/{entry['of']}")
            folder = original_target.rpartition("/")[0]
            wrong_commands.append(f"mv -n -- 'Downloads/{entry['name']}' '{folder}/{entry['name']}'")
            wrong_rows.append([f"Downloads/{entry['name']}", f"{folder}/{entry['name']}"])
        for entry in unfinished:
            wrong_commands.append(f"rm -- 'Downloads/{entry['name']}'")
            wrong_rows.append([f"Downloads/{entry['name']}", "DELETED"])
        b.near_miss(
            [
                s.steps[0],
                {"name": "exec", "arguments": {"command": " && ".join(wrong_commands)}},
                {"name": "write", "arguments": {"path": manifest,
                                                "content": csv_text([["original", "destination"], *wrong_rows])}},
            ]
        )  # fmt: skip
