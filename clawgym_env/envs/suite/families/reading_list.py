"""Reading list: collect the books scattered over journal notes, a chat export and a spreadsheet."""

from __future__ import annotations

import datetime as dt
import re

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, iso

__all__ = ["ReadingList"]

NOUNS = (
    "Orchard",
    "Lantern",
    "Harbor",
    "Cartographer",
    "Winter",
    "Tide",
    "Archive",
    "Glasshouse",
    "Signal",
    "Lighthouse",
    "Saltmarsh",
    "Meridian",
    "Ember",
    "Atlas",
    "Quarry",
    "Heron",
    "Compass",
    "Tinsmith",
    "Ferryman",
    "Orchid",
    "Beekeeper",
    "Cellar",
    "Monsoon",
    "Weaver",
)
ADJECTIVES = (
    "Quiet",
    "Borrowed",
    "Hollow",
    "Northern",
    "Unfinished",
    "Patient",
    "Copper",
    "Distant",
    "Small",
    "Restless",
    "Forgotten",
    "Bright",
    "Salt-Stained",
    "Careful",
)
PLACES = (
    "Low Tide",
    "the Marsh",
    "the Eastern Hills",
    "the Rainy Season",
    "Lost Rivers",
    "the Long Summer",
    "Small Hours",
    "the Old Road",
)
TEMPLATES = (
    "The {noun} of {place}",
    "A {adj} {noun}",
    "The {adj} {noun}",
    "The Last {noun}",
    "Notes on the {noun}",
    "{noun} and {noun2}",
    "Before the {noun}",
    "Where the {noun} Sleeps",
)

STATUSES = ("to read", "reading", "finished")
SECTIONS = {"to read": "To read", "reading": "Reading", "finished": "Finished"}
PHRASES = {
    "finished": (
        "Finished {book} last night. {opinion}",
        "Done with {book}! {opinion}",
        "Read the last page of {book} on the bus. {opinion}",
    ),
    "reading": (
        "Started {book} on the train this morning.",
        "Halfway through {book}, {opinion_lower}",
        "Currently reading {book} before bed.",
    ),
    "to read": (
        "{friend} recommended {book}; it's on my want-to-read list now.",
        "Want to read: {book}.",
        "Adding {book} to my to-read pile.",
    ),
    "dropped": ("Gave up on {book}. Life's too short.", "DNF: {book}. Couldn't get into it."),
}
OPINIONS = (
    "Loved the ending.",
    "Slow start but worth it.",
    "Not sure how I feel about it.",
    "Going to think about this one for a while.",
    "Five stars, no notes.",
    "The middle dragged a bit.",
)
CHATTER = (
    "Are we still on for Thursday?",
    "I can bring snacks this time.",
    "Running late, start without me!",
    "Who has my umbrella from last time?",
    "Next meeting at the cafe on the corner?",
    "Sorry, work is chaos this week.",
)
JOURNAL_FILLER = (
    "Long day. Rain all afternoon.",
    "Cooked the lentil thing again.",
    "Slept badly, too much coffee.",
    "Walked to the market and back.",
    "Called Mum. She's fine.",
    "Work was fine. Mostly meetings.",
)


class ReadingList(TaskFamily):
    """Build a deduplicated reading list (To read / Reading / Finished) from scattered notes and a spreadsheet.

    **Request**: the user wants ``reading_list.md`` with the sections "To
    read", "Reading" and "Finished", one ``Title by Author`` bullet per
    book, each section sorted by the author's surname, every book once with
    its latest status, plus ``reading_list.csv`` (title, author, status) in
    the same order.

    **Workspace**: dated journal entries (``journal/YYYY-MM-DD.md``) that
    mention books as "Title by Author" or "Author — Title" with words such
    as finished, started, halfway through, want to read; a book-club chat
    export with timestamps; a half-filled ``books.csv`` (some statuses
    blank); distractors.

    **Checks**: each section's items exactly and in order; the CSV header,
    its rows as a set and in order; the books whose status changed over
    time carry the latest one; the sources unchanged.

    **Hard**: more books; friends' messages in the chat that do not count;
    spreadsheet authors written "Surname, First" and titles in odd case;
    an author with two books (ties broken by title); a book the user gave
    up on (DNF), which leaves the list.
    """

    name = "reading_list"
    scenario = Scenario.PLANNING_KNOWLEDGE
    operations = (Operation.FILE_CONTENT, Operation.DATA_ANALYSIS)

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        hard = b.hard
        me = b.persona.name
        friends = list(b.persona.team[:3])
        start = dt.date(rng.choice((2025, 2026)), rng.randint(1, 5), 1)
        span = 150

        # Books: unique titles, authors with distinct ASCII surnames.
        count = rng.randint(13, 16) if hard else rng.randint(8, 11)
        titles: list[str] = []
        while len(titles) < count:
            noun, noun2 = rng.sample(NOUNS, 2)
            title = rng.choice(TEMPLATES).format(
                noun=noun, noun2=noun2, adj=rng.choice(ADJECTIVES), place=rng.choice(PLACES)
            )
            if title.lower() not in [t.lower() for t in titles]:
                titles.append(title)
        firsts = [n for n in b.pools.first_names if n.isascii() and n.isalpha()]
        lasts = [n for n in b.pools.last_names if n.isascii() and n.isalpha()]
        surnames = rng.sample(lasts, count)
        books = []
        for index, title in enumerate(titles):
            books.append({"title": title, "first": rng.choice(firsts), "last": surnames[index], "mentions": []})
        if hard:  # one author with two books
            books[1]["first"], books[1]["last"] = books[0]["first"], books[0]["last"]

        # Status history per book: a forward progression on distinct days.
        dropped = rng.choice(books[2:]) if hard else None
        final_counts = {status: 0 for status in STATUSES}
        for book in books:
            n = rng.randint(1, 3) if hard else rng.randint(1, 2)
            first_state = rng.randint(0, 2)
            states = [STATUSES[min(first_state + k, 2)] for k in range(n)]
            if book is dropped:
                states = ["reading", "dropped"]
            days = sorted(rng.sample(range(span), len(states)))
            book["history"] = [(start + dt.timedelta(days=d), state) for d, state in zip(days, states, strict=True)]
            final_counts.setdefault(book["history"][-1][1], 0)
            final_counts[book["history"][-1][1]] += 1
        # Every section gets at least one book.
        for status in STATUSES:
            if final_counts[status] == 0:
                book = next(bk for bk in books if bk is not dropped and final_counts[bk["history"][-1][1]] > 1)
                final_counts[book["history"][-1][1]] -= 1
                book["history"] = [(book["history"][-1][0], status)]
                final_counts[status] += 1

        # Distribute mentions over sources: at most one spreadsheet status per book.
        journal: dict[dt.date, list[str]] = {}
        chat: list[tuple[dt.datetime, str, str]] = []
        sheet_rows: list[list[str]] = []
        for book in books:
            author = f"{book['first']} {book['last']}"
            in_sheet = False
            for day, state in book["history"]:
                source = rng.weighted(("journal", "chat", "sheet"), (4, 3, 0 if in_sheet or state == "dropped" else 3))
                if source == "sheet":
                    in_sheet = True
                    sheet_author = f"{book['last']}, {book['first']}" if hard and rng.chance(0.5) else author
                    sheet_title = book["title"].lower() if hard and rng.chance(0.3) else book["title"]
                    sheet_rows.append([sheet_title, sheet_author, state, iso(day)])
                    continue
                mention = rng.choice((f"{book['title']} by {author}", f"{author} — {book['title']}"))
                opinion = rng.choice(OPINIONS)
                sentence = rng.choice(PHRASES[state]).format(
                    book=mention,
                    opinion=opinion,
                    friend=rng.choice(friends),
                    opinion_lower=opinion[:1].lower() + opinion[1:],
                )
                if source == "journal":
                    journal.setdefault(day, []).append(sentence)
                else:
                    moment = dt.datetime(day.year, day.month, day.day, rng.randint(7, 22), rng.randint(0, 59))
                    chat.append((moment, me, sentence))
            if not in_sheet and rng.chance(0.4):
                sheet_rows.append([book["title"], author, "", ""])  # half-filled: nobody wrote the status
        rng_rows = rng.shuffled(sheet_rows)

        # Chatter and (hard) friends' own reading, which does not count.
        for _ in range(rng.randint(4, 7)):
            day = start + dt.timedelta(days=rng.below(span))
            chat.append(
                (
                    dt.datetime(day.year, day.month, day.day, rng.randint(7, 22), rng.randint(0, 59)),
                    rng.choice(friends),
                    rng.choice(CHATTER),
                )
            )
        decoys = []
        if hard:
            for _ in range(2):
                noun = rng.choice(NOUNS)
                decoy = f"The {noun} Sessions"
                author = f"{rng.choice(firsts)} {rng.choice([n for n in lasts if n not in surnames])}"
                decoys.append(decoy)
                day = start + dt.timedelta(days=rng.below(span))
                chat.append(
                    (
                        dt.datetime(day.year, day.month, day.day, rng.randint(7, 22), rng.randint(0, 59)),
                        rng.choice(friends),
                        f"I just finished {decoy} by {author}, so good",
                    )
                )
            # A friend talking about one of the user's books with a different status: also does not count.
            book = rng.choice(books)
            day = book["history"][-1][0] + dt.timedelta(days=1)
            chat.append(
                (
                    dt.datetime(day.year, day.month, day.day, 21, 5),
                    rng.choice(friends),
                    f"Started {book['title']} by {book['first']} {book['last']} on your advice!",
                )
            )
        chat.sort()

        journal_files: dict[str, str] = {}
        for day, sentences in sorted(journal.items()):
            lines = [f"# {day.strftime('%A')} {iso(day)}", "", rng.choice(JOURNAL_FILLER)]
            lines += sentences
            if rng.chance(0.5):
                lines.append(rng.choice(JOURNAL_FILLER))
            journal_files[f"journal/{iso(day)}.md"] = "\n".join(lines) + "\n"
            b.file(f"journal/{iso(day)}.md", journal_files[f"journal/{iso(day)}.md"])
        chat_text = f"Book club chat export ({len(chat)} messages)\n" + "".join(
            f"[{moment.strftime('%Y-%m-%d %H:%M')}] {who}: {text}\n" for moment, who, text in chat
        )
        b.file("chats/book_club.txt", chat_text)
        sheet_text = csv_text([["title", "author", "status", "updated"], *rng_rows])
        b.file("books.csv", sheet_text)
        if hard:
            stale = rng.sample(books, 3)
            b.file(
                "reading_list_OLD.md",
                "# Reading list (last year)\n\n"
                + "".join(f"- {bk['title']} by {bk['first']} {bk['last']}\n" for bk in stale),
            )
        # Other reading lists or diaries elsewhere would be a second, conflicting source: keep them out.
        b.add_distractors(
            rng.randint(3, 6) if hard else rng.randint(1, 3),
            avoid=[
                "journal/",
                "chats/",
                "personal/",
                "notes/",
                "misc/reading_2025.md",
                "misc/reading_2026.md",
                "books.csv",
                "reading_list.md",
                "reading_list.csv",
            ],
            exclude_kinds=("reading_list",),
        )

        # Ground truth.
        final = []
        for book in books:
            status = book["history"][-1][1]
            if status == "dropped":
                continue
            final.append((status, book))
        ordered = []
        for status in STATUSES:
            group = [bk for st, bk in final if st == status]
            group.sort(key=lambda bk: (bk["last"], bk["first"], bk["title"]))
            ordered += [(status, bk) for bk in group]
        rows = [[bk["title"], f"{bk['first']} {bk['last']}", status] for status, bk in ordered]

        # Request.
        sort_rule = "sorted by the author's surname (last word of the name)"
        if hard:
            sort_rule += ", and by title when it's the same author"
        body = b.pick(
            [
                "My reading life is spread over journal/, the book club chat export in chats/ and a half-finished "
                "books.csv. Could you turn it into one list? reading_list.md should have three sections, '## To "
                "read', '## Reading' and '## Finished', with one bullet per book written 'Title by Author' "
                f"(author as First Last), {sort_rule}. Each book only once: if it shows up several times, the most "
                "recent mention (by date) decides where it goes. Also save the same list as reading_list.csv with "
                "columns title, author, status (status is to read, reading or finished), rows in the same order "
                "as the Markdown file.",
                "I want a proper reading list. Sources: my journal entries (journal/, one file per day), the book "
                "club chat (chats/book_club.txt) and books.csv, where I often left the status blank.\n\n"
                "- reading_list.md: sections '## To read', '## Reading', '## Finished'; bullets 'Title by Author' "
                f"with the author as First Last, {sort_rule}.\n"
                "- reading_list.csv: title, author, status (to read / reading / finished), same order as the "
                "Markdown.\n"
                "- Every book exactly once, in the section of its latest dated status.",
                "Ok so I keep mentioning books everywhere (journal/, chats/book_club.txt, books.csv) and never "
                "know what I'm actually reading. can you make reading_list.md with ## To read, ## Reading and "
                f"## Finished, each book once as a bullet 'Title by Author' (First Last), {sort_rule}? whatever "
                "I said most recently about a book wins. and reading_list.csv too: title,author,status with status "
                "to read/reading/finished, same order as the md.",
            ]
        )
        body += (
            " In my notes 'finished', 'done with' or 'read the last page' mean Finished; 'started', 'halfway "
            "through' or 'currently reading' mean Reading; 'want to read', 'recommended' or 'to-read pile' mean "
            "To read. Please leave my notes and books.csv as they are."
        )
        if hard:
            body += (
                f"\n\nA few things to watch: only my own messages in the chat count (I'm {me} there); my friends "
                "talking about their reading doesn't put anything on my list. books.csv sometimes has the author "
                "as 'Surname, First' and the title in the wrong case; it's still the same book. If my latest note "
                "about a book says I gave up on it (or DNF), leave it off the list entirely. reading_list_OLD.md "
                "is last year's and out of date."
            )
        b.instruct(body)
        b.steps(5 if hard else 4)
        b.constraints(8 if hard else 6)

        # Checks.
        c = b.checks
        has_md = c.file_exists("reading_list_md_written", "reading_list.md")
        for status in STATUSES:
            items = [f"{bk['title']} by {bk['first']} {bk['last']}" for st, bk in ordered if st == status]
            c.md_items(
                f"section_{status.replace(' ', '_')}_exact",
                "reading_list.md",
                SECTIONS[status],
                items,
                requires=[has_md],
            )
        header = c.csv_header("csv_header", "reading_list.csv", ["title", "author", "status"], ignore_case=True)
        c.csv_rows(
            "csv_books_and_statuses", "reading_list.csv", rows, ordered=False, ignore_case=True, requires=[header]
        )
        c.csv_rows("csv_order_matches", "reading_list.csv", rows, ignore_case=True, requires=[header])
        changed = [bk for bk in books if len(bk["history"]) > 1 and bk is not dropped]
        if changed:
            latest = [(bk["title"], f"{bk['first']} {bk['last']}", bk["history"][-1][1]) for bk in changed]
            c.text_regex("latest_status_wins", "reading_list.csv", _rows_pattern(latest), requires=[header])
        sources = {"books.csv": sheet_text, "chats/book_club.txt": chat_text, **journal_files}
        c.files_unchanged("sources_unchanged", sources, requires=[has_md])

        # Reference solution.
        md = ["# Reading list", ""]
        for status in STATUSES:
            md += [f"## {SECTIONS[status]}", ""]
            md += [f"- {bk['title']} by {bk['first']} {bk['last']}" for st, bk in ordered if st == status]
            md.append("")
        s = b.solution
        s.exec("ls journal chats && cat books.csv")
        s.exec('for f in journal/*.md; do echo "== $f"; cat "$f"; done; cat chats/book_club.txt')
        s.write("reading_list.md", "\n".join(md))
        s.write("reading_list.csv", csv_text([["title", "author", "status"], *rows]))

        # Near miss: one book that changed status is filed under its earlier status (in both files).
        victim = changed[0] if changed else books[0]
        old_state = victim["history"][-2][1] if len(victim["history"]) > 1 else "to read"
        new_state = victim["history"][-1][1]
        if old_state == new_state:
            old_state = "reading" if new_state != "reading" else "finished"
        wrong_rows = [[t, a, old_state if t == victim["title"] else st] for t, a, st in rows]
        wrong_md = "\n".join(md)
        line = f"- {victim['title']} by {victim['first']} {victim['last']}\n"
        wrong_md = wrong_md.replace(line, "").replace(
            f"## {SECTIONS[old_state]}\n\n", f"## {SECTIONS[old_state]}\n\n" + line
        )
        b.near_miss(
            [
                *s.steps[:2],
                {"name": "write", "arguments": {"path": "reading_list.md", "content": wrong_md}},
                {
                    "name": "write",
                    "arguments": {
                        "path": "reading_list.csv",
                        "content": csv_text([["title", "author", "status"], *wrong_rows]),
                    },
                },
            ]
        )


def _rows_pattern(rows: list[tuple[str, ...]]) -> str:
    """A regex that matches once when every row is a whole line of the CSV (cells optionally quoted)."""
    looks = []
    for row in rows:
        cells = ",".join(r"[ \t]*\"?" + re.escape(cell) + r"\"?[ \t]*" for cell in row)
        looks.append(rf"(?=[\s\S]*^{cells}$)")
    return r"(?mi)\A" + "".join(looks)
