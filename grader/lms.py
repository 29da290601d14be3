"""The class roster, and the gradebook in the formats learning-management systems import.

    python -m grader grade SUB... --roster roster.csv      gradebook.csv gains the students
    python -m grader export OUT --format canvas|moodle|csv --roster roster.csv [--assignment NAME]

The roster is a CSV with the columns `submission` (the name the grader gives a submission:
its folder's name, or its zip's name without .zip), `student_id`, `name`, `email`, and
optionally `section`. It joins students to gradebook rows; a roster student without a
submission gets a row with the status `missing`, and a submission no student claims is
listed as unmatched.

Each export writes OUT/<format>.csv, one row per roster student:
- canvas: `Student, ID, SIS User ID, SIS Login ID, Section, <assignment>`, then a
  `Points Possible` row, as Canvas's gradebook import reads it. Canvas matches rows by
  its own ID or by SIS User ID: ID is left empty and SIS User ID is the roster's
  student_id (SIS Login ID its email), so the roster's ids must be the SIS ids.
- moodle: `ID number, Email address, Full name, <assignment>`; Moodle's import maps rows
  by the identifier column chosen at import time (ID number or email address).
- csv: every roster column, the submission's score, max_score, status and per-exercise points.
A student without a submission has an empty grade in canvas and moodle (not a 0: the
instructor decides), and the status `missing` in csv.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("submission", "student_id", "name", "email")
FORMATS = ("canvas", "moodle", "csv")
GRADEBOOK_KEY = "submission"  # gradebook.csv's first column: the rows' join key


class RosterError(Exception):
    """A roster or gradebook that cannot be used: the message says what to fix."""


@dataclass(frozen=True)
class Student:
    submission: str
    student_id: str
    name: str
    email: str
    section: str = ""


def read_roster(path: Path) -> list[Student]:
    """The roster's students, in file order. Raises RosterError for a bad file."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:  # utf-8-sig: spreadsheets' BOM
            reader = csv.DictReader(file)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                raise RosterError(f"{path}: the roster needs the columns {', '.join(REQUIRED)} "
                                  f"(and optionally section); missing: {', '.join(missing)}")
            rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"{path}: cannot read the roster ({error})") from None
    students = [Student(r["submission"], r["student_id"], r["name"], r["email"], r.get("section", ""))
                for r in rows if any(r.values())]
    if not students:
        raise RosterError(f"{path}: the roster has no students")
    for field in ("student_id", "submission"):
        seen: set[str] = set()
        for student in students:
            value = getattr(student, field)
            if not value:
                raise RosterError(f"{path}: {student.name or student.email or 'a student'} has no {field}")
            if value in seen:
                raise RosterError(f"{path}: the {field} {value!r} appears twice")
            seen.add(value)
    return students


def read_gradebook(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="") as file:
            rows = list(csv.DictReader(file))
    except OSError as error:
        raise RosterError(f"{path}: cannot read the gradebook ({error.strerror}); run `grade` first") from None
    if rows and GRADEBOOK_KEY not in rows[0]:
        raise RosterError(f"{path}: not a gradebook written by `python -m grader grade`")
    return rows


def join(gradebook: list[dict[str, str]], roster: list[Student]) -> tuple[
        list[tuple[Student, dict[str, str] | None]], list[str]]:
    """Each roster student with their gradebook row (None: no submission), and the
    submissions no student claims."""
    by_name = {row[GRADEBOOK_KEY]: row for row in gradebook}
    claimed = {student.submission for student in roster}
    return ([(student, by_name.get(student.submission)) for student in roster],
            [name for name in by_name if name not in claimed])


def with_roster(gradebook: list[dict[str, str]], roster: list[Student]) -> str:
    """gradebook.csv with the students' columns first: every roster student (status
    `missing` without a submission), then the unmatched submissions with empty student columns."""
    joined, unmatched = join(gradebook, roster)
    grade_columns = list(gradebook[0]) if gradebook else [GRADEBOOK_KEY, "score", "max_score", "status"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "email", "section", *grade_columns])
    for student, row in joined:
        if row is None:
            row = {column: "" for column in grade_columns} | {GRADEBOOK_KEY: student.submission, "status": "missing"}
        writer.writerow([student.student_id, student.name, student.email, student.section,
                         *(row.get(c, "") for c in grade_columns)])
    by_name = {row[GRADEBOOK_KEY]: row for row in gradebook}
    for name in unmatched:
        writer.writerow(["", "", "", "", *(by_name[name].get(c, "") for c in grade_columns)])
    return buffer.getvalue()


def export(gradebook: list[dict[str, str]], roster: list[Student], form: str, assignment: str) -> str:
    """The CSV text an LMS imports (see the module docstring for each format)."""
    joined, _ = join(gradebook, roster)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    max_score = next((row["max_score"] for row in gradebook if row.get("max_score")), "")

    def grade_of(row: dict[str, str] | None) -> str:
        return "" if row is None else row.get("score", "")

    if form == "canvas":
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
        writer.writerow(["Points Possible", "", "", "", "", max_score])
        for student, row in joined:
            writer.writerow([student.name, "", student.student_id, student.email, student.section, grade_of(row)])
    elif form == "moodle":
        writer.writerow(["ID number", "Email address", "Full name", assignment])
        for student, row in joined:
            writer.writerow([student.student_id, student.email, student.name, grade_of(row)])
    elif form == "csv":
        grade_columns = [c for c in (gradebook[0] if gradebook else {}) if c != GRADEBOOK_KEY]
        grade_columns = grade_columns or ["score", "max_score", "status"]
        writer.writerow(["student_id", "name", "email", "section", "submission", *grade_columns])
        for student, row in joined:
            values = [(row or {}).get(c, "") for c in grade_columns] if row else \
                ["" if c != "status" else "missing" for c in grade_columns]
            writer.writerow([student.student_id, student.name, student.email, student.section,
                             student.submission, *values])
    else:
        raise RosterError(f"unknown format {form!r}; choose one of: {', '.join(FORMATS)}")
    return buffer.getvalue()
