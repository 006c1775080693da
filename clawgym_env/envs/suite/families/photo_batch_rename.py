"""Photo batch rename: rename a folder of photos by when and where they were taken, from a metadata export."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, json_text, slug

__all__ = ["PhotoBatchRename"]

SPOTS = (
    "Old Town Square", "Harbour Wall", "Botanical Garden", "Cathedral Steps", "Riverside Market", "Hilltop Viewpoint",
    "Central Station", "Lighthouse Point", "Fish Market", "Castle Gardens", "Sculpture Park", "North Beach",
    "Flower Market", "Museum Courtyard", "Night Market", "Bridge Tower", "Lakeside Path", "Café Terrace",
    "Jardín Central", "Plaza Mayor", "Promenade", "Rooftop Bar", "Bookshop Corner", "Street Food Hall",
)  # fmt: skip
CAMERAS = ("iPhone 15", "Pixel 8", "Galaxy S24", "Fujifilm X100V", "Sony RX100 VII", "Canon EOS R6")
OCCASIONS = ("trip", "weekend away", "long weekend", "holiday")


def _plain(text: str) -> bool:
    """Every non-ASCII letter decomposes to an ASCII base letter (so "accents dropped" is unambiguous)."""
    return all(ord(ch) < 128 or unicodedata.normalize("NFKD", ch)[0].isascii() for ch in text)


def _jpeg(seed: int, size: int) -> bytes:
    """Placeholder JPEG bytes: SOI/APP0 header, deterministic filler, EOI."""
    filler = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(size // 32 + 1))[:size]
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00" + filler + b"\xff\xd9"


class PhotoBatchRename(TaskFamily):
    """Rename a folder of photos to ``YYYY-MM-DD_HHMM_<place>.jpg`` from a metadata export, with a rename map.

    **Request**: the user's photos from a trip are in ``photos/`` with camera
    names (IMG_4312.JPG, PXL_..., DSC...); the photo app's export
    ``photo_metadata.json`` has when and where each was taken. They want
    each photo renamed in place to ``YYYY-MM-DD_HHMM_<place-slug>.jpg``
    (clashes get ``_2``, ``_3`` in the order taken), non-photos left alone,
    and ``rename_map.csv`` (old_name, new_name) in the order the photos were
    taken.

    **Workspace**: 7-10 placeholder JPEGs, a notes file inside ``photos/``,
    the metadata export (file, taken_at, camera, place), unrelated files.

    **Checks**: the final listing of ``photos/``; one check per photo that
    its new name holds its original bytes; non-photos untouched; the map's
    header and rows; the export unchanged.

    **Hard**: 14-20 photos, two or three clashing bursts (one of three
    shots), timestamps in mixed formats (ISO, EXIF-style ``2025:06:12
    14:22:33``, without seconds), a video listed in the export, an export
    entry for a photo that was deleted, upper/lower-case extensions, more
    distractors.
    """

    name = "photo_batch_rename"
    scenario = Scenario.AUTOMATION_WORKFLOWS
    operations = (Operation.SYSTEM_ENVIRONMENT, Operation.FILE_CONTENT)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        city_full = next(c for c in (b.pools.city(rng) for _ in range(50)) if _plain(c))
        city = city_full.split(",")[0]
        spots = [spot for spot in rng.sample(SPOTS, 7) if _plain(spot)]
        places = [f"{spot}, {city}" if rng.chance(0.6) else spot for spot in spots[:5]]
        places.append(city)
        occasion = rng.choice(OCCASIONS)
        start = dt.datetime(rng.choice((2025, 2026)), rng.randint(1, 12), rng.randint(1, 25), 8, 0)
        camera = rng.choice(CAMERAS[:3])
        second_camera = rng.choice(CAMERAS[3:])

        count = rng.randint(14, 20) if hard else rng.randint(7, 10)
        bursts = [3, 2] + ([2] if rng.chance(0.5) else []) if hard else [2]
        singles = count - sum(bursts)
        used_minutes: set[dt.datetime] = set()
        shots: list[dict] = []

        def moment() -> dt.datetime:
            """A time in daylight hours whose minute no other shot uses (only a burst shares a minute)."""
            while True:
                value = start + dt.timedelta(minutes=rng.randint(0, 3 * 24 * 60 - 1), seconds=rng.randint(0, 59))
                if 7 <= value.hour <= 22 and value.replace(second=0) not in used_minutes:
                    used_minutes.add(value.replace(second=0))
                    return value

        for _ in range(singles):
            shots.append({"when": moment(), "place": rng.choice(places), "burst": False})
        for size in bursts:
            minute, place = moment().replace(second=0), rng.choice(places)
            for second in sorted(rng.sample(range(60), size)):
                shots.append({"when": minute.replace(second=second), "place": place, "burst": True})
        shots.sort(key=lambda shot: shot["when"])

        # Camera file names, in shooting order per camera.
        counters = {camera: rng.randint(1200, 8800), second_camera: rng.randint(100, 9000)}
        for shot in shots:
            device = second_camera if rng.chance(0.3) else camera
            shot["camera"] = device
            counters[device] += rng.randint(1, 4)
            number = counters[device]
            if device.startswith("iPhone"):
                name = f"IMG_{number:04d}.{'JPG' if not hard or rng.chance(0.7) else 'jpeg'}"
            elif device.startswith("Pixel"):
                name = f"PXL_{shot['when']:%Y%m%d_%H%M%S}{number % 1000:03d}.jpg"
            elif device.startswith("Galaxy"):
                name = f"{shot['when']:%Y%m%d_%H%M%S}.jpg"
            elif device.startswith("Fujifilm"):
                name = f"DSCF{number:04d}.JPG"
            elif device.startswith("Sony"):
                name = f"DSC{number:05d}.JPG"
            else:
                name = f"_MG_{number:04d}.JPG"
            shot["file"] = name
            shot["bytes"] = _jpeg(rng.child("jpeg", name).seed, rng.randint(300, 900))
            shot["format"] = "iso"
            if hard and not shot["burst"]:
                shot["format"] = rng.choice(("iso", "exif", "exif", "minute"))
            elif hard:
                shot["format"] = rng.choice(("iso", "exif"))
        names = [shot["file"] for shot in shots]
        if len(set(names)) != len(names):
            for index, shot in enumerate(shots):
                shot["file"] = f"IMG_{5000 + index:04d}.JPG"

        # Ground truth: new names with clash suffixes in the order taken.
        seen: dict[str, int] = {}
        for shot in shots:
            base = f"{shot['when']:%Y-%m-%d_%H%M}_{slug(shot['place'], separator='-')}"
            seen[base] = seen.get(base, 0) + 1
            shot["new"] = base + (f"_{seen[base]}" if seen[base] > 1 else "") + ".jpg"

        # Files.
        for shot in rng.shuffled(shots):
            b.file(f"photos/{shot['file']}", shot["bytes"])
        others: dict[str, str | bytes] = {}
        note = (
            f"photos for the {occasion} album\n\n"
            f"- ask {b.persona.team[0].split()[0]} for the ones from the second day\n"
            "- print the best 10 for the fridge\n"
            "- check which ones are blurry before sharing\n"
        )
        others["photos/notes.txt"] = note
        entries = []
        for shot in shots:
            entries.append(
                {
                    "file": shot["file"],
                    "type": "photo",
                    "taken_at": _stamp(shot["when"], shot["format"]),
                    "camera": shot["camera"],
                    "place": shot["place"],
                }
            )
        if hard:
            clip_time = start + dt.timedelta(hours=rng.randint(30, 50), seconds=rng.randint(0, 3599))
            clip = f"IMG_{counters[camera] + 2:04d}.MOV"
            others[f"photos/{clip}"] = b"\x00\x00\x00\x18ftypqt  " + _jpeg(rng.child("clip").seed, 700)[20:]
            entries.append({"file": clip, "type": "video", "taken_at": _stamp(clip_time, "iso"), "camera": camera,
                            "place": rng.choice(places)})  # fmt: skip
            deleted_time = start + dt.timedelta(hours=rng.randint(10, 60), seconds=rng.randint(0, 3599))
            entries.append({"file": f"IMG_{counters[camera] + 7:04d}.JPG", "type": "photo",
                            "taken_at": _stamp(deleted_time, "iso"), "camera": camera, "place": rng.choice(places),
                            "note": "deleted from device"})  # fmt: skip
            others["photos/.picasa.ini"] = "[Picasa]\nname=" + occasion + "\n"
        entries = rng.shuffled(entries)
        export = json_text({"exported_by": f"{camera} Photos", "album": f"{city} {occasion}", "items": entries})
        for path, content in others.items():
            b.file(path, content)
        b.file("photo_metadata.json", export)
        b.add_distractors(rng.randint(3, 6) if hard else rng.randint(1, 3), avoid=["photos/"])

        body = b.pick(
            [
                f"My photos from the {city} {occasion} are sitting in photos/ with useless camera names. The photo "
                "app exported when and where each one was taken to photo_metadata.json. Could you rename every "
                "photo in place to YYYY-MM-DD_HHMM_<place>.jpg (date and time it was taken, then the place as a "
                "slug)? Leave anything that isn't a photo alone, and write rename_map.csv with columns old_name, "
                "new_name so I can undo it if I have to.",
                f"Photo admin from the {occasion}:\n"
                "1. Rename each photo in photos/ to YYYY-MM-DD_HHMM_<place>.jpg using photo_metadata.json "
                "(taken_at and place).\n"
                "2. Don't touch files that aren't photos.\n"
                "3. Save rename_map.csv with columns old_name, new_name.",
                f"can you give the {city} photos in photos/ proper names? the info is in photo_metadata.json. "
                "pattern: YYYY-MM-DD_HHMM_<place>.jpg. anything that's not a photo stays as it is, and i'd like "
                "a rename_map.csv (old_name,new_name) too.",
            ]
        )
        body += (
            "\n\nDetails: the place part is the place name in lowercase ASCII with accents dropped and every run "
            "of other characters turned into a single hyphen (so 'Café Terrace, Porto' becomes cafe-terrace-porto). "
            "The extension is always lowercase .jpg. If two photos would get the same name, the one taken first "
            "keeps the plain name and the later ones get _2, _3 before the extension, in the order they were "
            "taken. In rename_map.csv use bare file names (no folder), one row per photo, in the order the photos "
            "were taken. The renamed files must keep their exact bytes."
        )
        if hard:
            body += (
                "\n\nA few things to watch: the export's timestamps come in more than one format (some EXIF-style "
                "like 2025:06:12 14:22:33, some without seconds), it also lists a video that should stay as it "
                "is, and one entry is for a photo I already deleted — only rename what is actually in the folder."
            )
        b.instruct(body)
        b.steps(4 if hard else 3)
        b.constraints(7 if hard else 5)

        # Checks.
        c = b.checks
        final = [shot["new"] for shot in shots] + [path.split("/", 1)[1] for path in others]
        listing = c.dir_files("photos_folder_listing", "photos", final)
        for shot in shots:
            c.file_sha256(f"photo_{slug(shot['file'])}_renamed", f"photos/{shot['new']}", shot["bytes"])
        c.files_unchanged("non_photos_untouched", others, requires=[listing])
        header = c.csv_header("map_header", "rename_map.csv", ["old_name", "new_name"], ignore_case=True)
        rows = [[shot["file"], shot["new"]] for shot in shots]
        c.csv_rows("map_rows", "rename_map.csv", rows, requires=[header])
        c.files_unchanged("export_unchanged", {"photo_metadata.json": export}, requires=[header])

        s = b.solution
        s.exec("ls -la photos")
        s.read("photo_metadata.json")
        moves = " && ".join(f"mv -n -- '{shot['file']}' '{shot['new']}'" for shot in shots)
        s.exec(f"cd photos && {moves} && ls")
        s.write("rename_map.csv", csv_text([["old_name", "new_name"], *rows]))

        # Near miss: the first clashing pair gets its suffixes the wrong way round.
        group = [shot for shot in shots if shot["burst"]]
        first, second = group[0], group[1]
        swapped = {first["file"]: second["new"], second["file"]: first["new"]}
        wrong_moves = " && ".join(f"mv -n -- '{shot['file']}' '{swapped.get(shot['file'], shot['new'])}'"
                                  for shot in shots)  # fmt: skip
        wrong_rows = [[shot["file"], swapped.get(shot["file"], shot["new"])] for shot in shots]
        wrong_map = csv_text([["old_name", "new_name"], *wrong_rows])
        b.near_miss(
            [
                s.steps[0],
                s.steps[1],
                {"name": "exec", "arguments": {"command": f"cd photos && {wrong_moves}"}},
                {"name": "write", "arguments": {"path": "rename_map.csv", "content": wrong_map}},
            ]
        )


def _stamp(when: dt.datetime, style: str) -> str:
    if style == "exif":
        return f"{when:%Y:%m:%d %H:%M:%S}"
    if style == "minute":
        return f"{when:%Y-%m-%d %H:%M}"
    return f"{when:%Y-%m-%dT%H:%M:%S}"
