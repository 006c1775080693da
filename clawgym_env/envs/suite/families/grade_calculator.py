"""Grade calculator: apply a syllabus grading policy to a gradebook, then run the pre-publish check."""

from __future__ import annotations

import math
from fractions import Fraction

from clawgym_env.envs.suite.builder import TaskBuilder
from clawgym_env.envs.suite.family import TaskFamily
from clawgym_env.envs.suite.pools import DOMAINS
from clawgym_env.envs.suite.taxonomy import Operation, Scenario
from clawgym_env.envs.suite.text import csv_text, json_text

__all__ = ["GradeCalculator"]

LETTERS = ("A", "B", "C", "D", "F")
CUTOFF_SETS = ((90, 80, 70, 60), (93, 85, 77, 70), (88, 78, 68, 58), (90, 82, 74, 65))
WEIGHT_SETS = ((15, 35, 20, 30), (10, 30, 25, 35), (20, 30, 20, 30), (20, 25, 20, 35), (10, 40, 20, 30))


def _round2(value: Fraction) -> Fraction:
    """Round half up to 2 decimals (exact)."""
    return Fraction(math.floor(value * 100 + Fraction(1, 2)), 100)


def _tie(value: Fraction) -> bool:
    """True if ``value`` sits on (or within float noise of) a half-cent, where rounding modes disagree."""
    scaled = value * 100
    return abs(scaled - math.floor(scaled) - Fraction(1, 2)) < Fraction(1, 10**6)


def _blank_quizzes_as_zero(row: dict, quiz_cols: list[str]) -> dict:
    return {k: ("0" if v == "" and k in quiz_cols else v) for k, v in row.items()}


def _fmt(value: Fraction) -> str:
    return f"{float(value):.2f}"


class GradeCalculator(TaskFamily):
    """Compute final course grades from a gradebook and the syllabus policy, with class stats, then run the checker.

    **Request**: the user (a teacher or a trainer) wants ``final_grades.csv``
    (student, numeric, letter; gradebook order; numeric rounded to 2
    decimals, letter from the rounded number) and ``class_stats.json``
    (count, mean, median, highest, lowest, letter_counts), then
    ``tools/publish_check.py`` run on them.

    **Workspace**: ``gradebook.csv`` (quizzes out of 10, homework, midterm
    and final out of 100, blanks for missing work), ``late_log.csv`` (days
    late per homework), ``syllabus.md`` with the weights, the dropped
    lowest quiz, the late penalty per day and the letter cut-offs, the
    stdlib checker, last term's grades, unrelated files.

    **Checks**: the header; the students listed; every numeric grade and
    letter; the stats (count, mean, median, highest, lowest, letter
    counts); the checker passes; the inputs and the checker are unchanged.

    **Hard**: more students, excused quizzes (``EX``: left out, not zero),
    withdrawn students in the roster to leave out, and a cap on the late
    penalty.
    """

    name = "grade_calculator"
    scenario = Scenario.REASONING_TECHNICAL
    operations = (Operation.DATA_ANALYSIS, Operation.DEVELOPMENT)
    domains = ("education", "research", "healthcare", "nonprofit")

    def build(self, b: TaskBuilder) -> None:
        rng = b.rng
        domain = DOMAINS[b.persona.domain]
        if b.persona.domain == "education":
            course = f"{rng.choice(domain.departments)} {rng.choice(('101', '201', 'Year 9', 'Year 11'))}"
        else:
            course = f"{rng.choice(domain.departments)} training course"
        label = course if b.persona.domain == "education" else f"the {course}"
        code = "".join(ch for ch in course.lower().replace(" ", "-") if ch.isalnum() or ch == "-")
        folder = f"courses/{code}"
        quizzes = rng.randint(5, 6) if b.hard else rng.randint(4, 5)
        homeworks = rng.randint(4, 5) if b.hard else rng.randint(3, 4)
        weights = dict(zip(("quizzes", "homework", "midterm", "final"), rng.choice(WEIGHT_SETS), strict=True))
        cutoffs = dict(zip(LETTERS[:4], rng.choice(CUTOFF_SETS), strict=True))
        penalty = rng.choice((5, 10))
        cap = rng.choice((20, 30)) if b.hard else None
        count = rng.randint(14, 20) if b.hard else rng.randint(8, 12)
        names = [n for n in b.pools.people(rng, count + 6) if n[0].isascii()][:count]
        count = len(names)
        quiz_cols = [f"quiz{i + 1}" for i in range(quizzes)]
        hw_cols = [f"hw{i + 1}" for i in range(homeworks)]
        withdrawn = set(rng.sample(names, 2)) if b.hard else set()

        def letter(value: Fraction) -> str:
            for grade in LETTERS[:4]:
                if value >= cutoffs[grade]:
                    return grade
            return "F"

        def final_numeric(row: dict, late: dict[tuple[str, str], int], *, drop: bool = True) -> Fraction:
            marks = [Fraction(row[q]) for q in quiz_cols if row[q] != "EX"]
            if drop:
                marks.remove(min(marks))
            quiz_pct = sum(marks, Fraction(0)) / len(marks) * 10
            hw = []
            for h in hw_cols:
                score = Fraction(row[h] or 0)
                days = late.get((row["student"], h), 0)
                off = penalty * days if cap is None else min(cap, penalty * days)
                hw.append(max(Fraction(0), score - off) if row[h] else Fraction(0))
            hw_pct = sum(hw, Fraction(0)) / len(hw)
            exams = weights["midterm"] * Fraction(row["midterm"]) + weights["final"] * Fraction(row["final"])
            total = weights["quizzes"] * quiz_pct + weights["homework"] * hw_pct + exams
            return total / 100

        # Draw each student until their grade is neither on a rounding tie nor a hair from a cut-off.
        ex_students = set(rng.sample(range(count), 3)) if b.hard else set()
        late_students = set(rng.sample(range(count), rng.randint(3, 6)))

        def draw(index: int) -> tuple[dict, dict[tuple[str, str], int], Fraction]:
            name = names[index]
            while True:
                ability = rng.uniform(52, 97)
                row: dict = {"student": name}
                for q in quiz_cols:
                    row[q] = str(max(0, min(10, round(ability / 10 + rng.uniform(-2.5, 1.5)))))
                for h in hw_cols:
                    row[h] = str(max(0, min(100, round(ability + rng.uniform(-15, 8)))))
                row["midterm"] = str(max(0, min(100, round(ability + rng.uniform(-14, 10)))))
                row["final"] = str(max(0, min(100, round(ability + rng.uniform(-14, 10)))))
                if rng.chance(0.15):
                    row[rng.choice(hw_cols)] = ""  # missing homework counts as zero
                if rng.chance(0.1):
                    row[rng.choice(quiz_cols)] = "" if b.hard else "0"  # a missed quiz
                if index in ex_students:
                    row[rng.choice(quiz_cols)] = "EX"
                mine: dict[tuple[str, str], int] = {}
                if index in late_students:
                    h = rng.choice([h for h in hw_cols if row[h]])
                    mine[(name, h)] = rng.randint(1, 5 if b.hard else 3)
                value = final_numeric(_blank_quizzes_as_zero(row, quiz_cols), mine)
                if not _tie(value) and all(abs(value - c) >= Fraction(1, 50) for c in cutoffs.values()):
                    return row, mine, value

        drawn = [draw(index) for index in range(count)]
        graded_index = [i for i in range(count) if names[i] not in withdrawn]
        while True:
            values = sorted(_round2(drawn[i][2]) for i in graded_index)
            mean = sum(values, Fraction(0)) / len(values)
            middle = len(values) // 2
            median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
            if not _tie(mean) and not _tie(median):
                break
            redo = rng.choice(graded_index)
            drawn[redo] = draw(redo)
        rows = [row for row, _, _ in drawn]
        late = {key: days for _, mine, _ in drawn for key, days in mine.items()}
        numeric = {names[i]: _round2(drawn[i][2]) for i in range(count)}

        # Workspace.
        header = ["student", *quiz_cols, *hw_cols, "midterm", "final"]
        book = csv_text([header, *([r[c] for c in header] for r in rows)])
        book_path = b.file(f"{folder}/gradebook.csv", book)
        late_rows = [["student", "assignment", "days_late"]]
        late_rows += [[s, h, d] for (s, h), d in sorted(late.items(), key=lambda item: (item[0][1], item[0][0]))]
        late_csv = csv_text(late_rows)
        late_path = b.file(f"{folder}/late_log.csv", late_csv)
        inputs = {book_path: book, late_path: late_csv}
        if b.hard:
            roster = csv_text([["student", "status"], *([r["student"], "withdrawn" if r["student"] in withdrawn
                                                         else "enrolled"] for r in rows)])  # fmt: skip
            roster_path = b.file(f"{folder}/roster.csv", roster)
            inputs[roster_path] = roster
        cut_lines = "\n".join(f"| {g} | {cutoffs[g]} or more |" for g in LETTERS[:4])
        syllabus = (
            f"# {course}: grading policy\n\n"
            "| Component | Weight |\n|---|---|\n"
            f"| Quizzes (each out of 10) | {weights['quizzes']}% |\n"
            f"| Homework (each out of 100) | {weights['homework']}% |\n"
            f"| Midterm (out of 100) | {weights['midterm']}% |\n"
            f"| Final exam (out of 100) | {weights['final']}% |\n\n"
            "## Rules\n\n"
            "- Each component counts as a percentage: quizzes and homework are the average of their items as a "
            "percentage of the maximum.\n"
            "- The lowest quiz score is dropped (one quiz per student).\n"
            "- Missing work (a blank cell) counts as zero.\n"
            f"- Late homework loses {penalty} points (out of 100) per day late, never going below zero"
            + (f", and never more than {cap} points in total for one assignment" if cap else "")
            + ". Days late are in late_log.csv.\n"
            + (
                "- `EX` means the quiz was excused: it is left out entirely (not a zero), and the lowest of the "
                "remaining quizzes is dropped as usual.\n- Students who withdrew (roster.csv) get no final grade.\n"
                if b.hard
                else ""
            )
            + "- The final numeric grade is the weighted sum, rounded to 2 decimals; the letter comes from that "
            "rounded number.\n\n"
            "## Letter grades\n\n| Letter | Numeric grade |\n|---|---|\n"
            + cut_lines
            + f"\n| F | below {cutoffs['D']} |\n"
        )
        syllabus_path = b.file(f"{folder}/syllabus.md", syllabus)
        inputs[syllabus_path] = syllabus
        grades_path = f"{folder}/final_grades.csv"
        stats_path = f"{folder}/class_stats.json"
        tool = _publish_check_source(grades_path, stats_path, cutoffs)
        tool_path = b.file("tools/publish_check.py", tool)
        inputs[tool_path] = tool
        old_names = b.pools.people(rng.child("old"), 6)
        old = csv_text([["student", "numeric", "letter"], *([n, f"{v:.2f}", letter(Fraction(v))] for n, v in
                       zip(old_names, (rng.randint(5500, 9800) / 100 for _ in old_names), strict=True))])  # fmt: skip
        b.file(f"{folder}/archive/final_grades_last_term.csv", old)
        b.add_distractors(rng.randint(3, 6) if b.hard else rng.randint(1, 3), avoid=["courses/", "tools/"])

        # Ground truth.
        graded = [r for r in rows if r["student"] not in withdrawn]
        out_rows = [[r["student"], _fmt(numeric[r["student"]]), letter(numeric[r["student"]])] for r in graded]
        counts = {g: sum(1 for row in out_rows if row[2] == g) for g in LETTERS}
        stats = {
            "count": len(graded),
            "mean": float(_round2(mean)),
            "median": float(_round2(median)),
            "highest": float(max(values)),
            "lowest": float(min(values)),
            "letter_counts": counts,
        }

        body = b.pick(
            [
                f"Grades for {label} are due. The scores are in {book_path}, late submissions in {late_path}, "
                f"and the grading policy (weights, dropped quiz, late penalty, letter cut-offs) is in "
                f"{syllabus_path}. Can you write {grades_path} with columns student, numeric, letter (one row per "
                "student, in gradebook order, numeric rounded to 2 decimals) and "
                f"{stats_path} with count, mean, median, highest, lowest (of the numeric grades you wrote, "
                "rounded to 2 decimals) and letter_counts (each of A, B, C, D, F, zeros included)? Then run "
                f"`python3 {tool_path}`; it has to say the grades are ready to publish.",
                f"End of term for {label}. Please:\n\n"
                f"1. Apply the policy in {syllabus_path} to {book_path} (late days in {late_path}).\n"
                f"2. Write {grades_path}: student, numeric, letter; gradebook order; numeric to 2 decimals.\n"
                f"3. Write {stats_path}: count, mean, median, highest, lowest (from the numeric column, 2 "
                "decimals) and letter_counts with all five letters A-F.\n"
                f"4. Run `python3 {tool_path}` and make sure it passes.",
                f"could you do the final grades for {label}? everything's in {folder}/ (gradebook, late log, "
                f"syllabus with the rules). i need {grades_path} (student, numeric, letter; same order as the "
                f"gradebook; 2 decimals) and {stats_path} (count, mean, median, highest, lowest of those numeric "
                "grades to 2 decimals, plus letter_counts for A, B, C, D and F incl. zeros). then run "
                f"`python3 {tool_path}` before i publish anything.",
            ]
        )
        if b.hard:
            body += (
                "\n\nA few things to watch: a few quizzes are marked EX (excused), two students withdrew (see "
                "roster.csv) and shouldn't get a grade or count in the stats, and the late penalty is capped "
                "this term (see the syllabus)."
            )
        # After a list, the closing remark gets its own paragraph.
        body += (
            "\n\n" if body.splitlines()[-1][:2] in ("1.", "2.", "3.", "4.", "- ", "Ou") else " "
        ) + "Don't change the gradebook, the logs, the syllabus or the checker."
        b.instruct(body)
        b.steps(5 if b.hard else 4)
        b.constraints(8 if b.hard else 6)

        # Checks.
        c = b.checks
        has_grades = c.csv_header("grades_header", grades_path, ["student", "numeric", "letter"], ignore_case=True)
        c.csv_column("students_listed", grades_path, "student", [r[0] for r in out_rows], requires=[has_grades])
        c.csv_column("numeric_grades_correct", grades_path, "numeric", [float(numeric[r["student"]]) for r in graded],
                     tolerance=0.004, requires=[has_grades])  # fmt: skip
        c.csv_column("letters_correct", grades_path, "letter", [r[2] for r in out_rows], ignore_case=True,
                     requires=[has_grades])  # fmt: skip
        has_stats = c.json_valid("stats_written", stats_path)
        c.json_equals("stats_count_correct", stats_path, "/count", stats["count"], requires=[has_stats])
        c.json_equals("stats_mean_correct", stats_path, "/mean", stats["mean"], tolerance=0.004, requires=[has_stats])
        c.json_equals("stats_median_correct", stats_path, "/median", stats["median"], tolerance=0.004,
                      requires=[has_stats])  # fmt: skip
        c.json_equals("stats_high_correct", stats_path, "/highest", stats["highest"], tolerance=0.004,
                      requires=[has_stats])  # fmt: skip
        c.json_equals("stats_low_correct", stats_path, "/lowest", stats["lowest"], tolerance=0.004,
                      requires=[has_stats])  # fmt: skip
        c.json_equals("letter_counts_correct", stats_path, "/letter_counts", counts, requires=[has_stats])
        c.command("publish_check_passes", f"python3 {tool_path}", stdout_contains=["READY TO PUBLISH"],
                  requires=[has_grades, has_stats])  # fmt: skip
        c.files_unchanged("inputs_and_checker_unchanged", inputs, requires=[has_grades])

        s = b.solution
        s.exec(f"ls -R {folder} tools && cat {book_path} {late_path}")
        s.read(syllabus_path)
        if b.hard:
            s.read(f"{folder}/roster.csv")
        s.write(grades_path, csv_text([["student", "numeric", "letter"], *out_rows]))
        s.write(stats_path, json_text(stats))
        s.exec(f"python3 {tool_path}")

        # Near miss: the lowest quiz not dropped (self-consistent files that pass the checker, wrong grades).
        undropped = {}
        for row in graded:
            undropped[row["student"]] = _round2(final_numeric(_blank_quizzes_as_zero(row, quiz_cols), late, drop=False))
        wrong_rows = [[r["student"], _fmt(undropped[r["student"]]), letter(undropped[r["student"]])] for r in graded]
        wrong_values = sorted(undropped.values())
        w_mid = len(wrong_values) // 2
        wrong_median = (wrong_values[w_mid] if len(wrong_values) % 2
                        else (wrong_values[w_mid - 1] + wrong_values[w_mid]) / 2)  # fmt: skip
        wrong_stats = {
            "count": len(graded),
            "mean": float(_round2(sum(wrong_values, Fraction(0)) / len(wrong_values))),
            "median": float(_round2(wrong_median)),
            "highest": float(max(wrong_values)),
            "lowest": float(min(wrong_values)),
            "letter_counts": {g: sum(1 for row in wrong_rows if row[2] == g) for g in LETTERS},
        }
        steps = list(s.steps)
        steps[-3] = {"name": "write", "arguments": {"path": grades_path,
                     "content": csv_text([["student", "numeric", "letter"], *wrong_rows])}}  # fmt: skip
        steps[-2] = {"name": "write", "arguments": {"path": stats_path, "content": json_text(wrong_stats)}}
        b.near_miss(steps)


def _publish_check_source(grades_path: str, stats_path: str, cutoffs: dict[str, int]) -> str:
    return (
        '''#!/usr/bin/env python3
"""Sanity checks before grades go to the registry (run from the workspace root)."""
import csv
import json
import sys

GRADES = "'''
        + grades_path
        + '''"
STATS = "'''
        + stats_path
        + """"
CUTOFFS = """
        + json_text(list(cutoffs.items()), indent=None).strip()
        + """


def letter_for(value):
    for letter, floor in CUTOFFS:
        if value >= floor:
            return letter
    return "F"


def main():
    problems = []
    with open(GRADES, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["student", "numeric", "letter"]:
        print("NOT READY: the header must be student,numeric,letter")
        return 1
    values = []
    letters = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            problems.append("line %d: expected 3 columns" % n)
            continue
        try:
            value = float(row[1])
        except ValueError:
            problems.append("line %d: numeric grade %r is not a number" % (n, row[1]))
            continue
        if not 0 <= value <= 100:
            problems.append("line %d: numeric grade out of range" % n)
        if row[2].strip().upper() != letter_for(value):
            problems.append("line %d: %s should be %s for %.2f" % (n, row[2], letter_for(value), value))
        values.append(value)
        letters[row[2].strip().upper()] = letters.get(row[2].strip().upper(), 0) + 1
    try:
        with open(STATS, encoding="utf-8") as handle:
            stats = json.load(handle)
    except (OSError, ValueError):
        print("NOT READY: cannot read " + STATS)
        return 1
    if stats.get("count") != len(values):
        problems.append("stats count does not match the number of grades")
    if values and abs(float(stats.get("mean", -1)) - sum(values) / len(values)) > 0.011:
        problems.append("stats mean does not match the grades")
    if values and (stats.get("highest") != max(values) or stats.get("lowest") != min(values)):
        problems.append("stats highest/lowest do not match the grades")
    counts = stats.get("letter_counts", {})
    for letter in "ABCDF":
        if counts.get(letter, -1) != letters.get(letter, 0):
            problems.append("letter_counts[%s] does not match the grades" % letter)
    if problems:
        print("NOT READY:")
        for problem in problems:
            print("  - " + problem)
        return 1
    print("READY TO PUBLISH: %d grades" % len(values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""
    )
