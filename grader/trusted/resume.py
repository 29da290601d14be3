"""Resuming a batch: a submission already graded, with the same content, is not graded again.

After its results.json and feedback.md, each graded submission gets
DIR/submissions/<name>/graded.json
(written last, atomically): the submission's content hash and its scores. A run with the
same --out reuses it when the hash still matches, so a batch killed halfway (SIGKILL, a
reboot) and started again grades only what was left, and loses or duplicates nothing.

The hash covers what would be graded (the allow-listed files as read, or why the
submission could not be read) and what judges it (the hidden tests, kata/, grader/,
solutions/ and the options that change scores): editing a submission or the suite
regrades it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from kata.exercises import BY_ID, EXERCISES

from grader.report import SUBMISSIONS
from grader.trusted.run import ROOT, Graded
from grader.trusted.scoring import ExerciseScore
from grader.trusted.submission import Submission

RECORD = "graded.json"
JUDGE = ("tests/hidden", "kata", "grader", "solutions")


def judge_fingerprint(*options: object) -> str:
    """A hash of every file that decides a score, and of the options that do."""
    digest = hashlib.sha256(repr(options).encode())
    for folder in JUDGE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "tests" in path.relative_to(ROOT).parts[1:]:  # grader/tests: the grader's own tests
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def content_hash(submission: Submission, judge: str) -> str:
    """A hash of what grading this submission reads (the bytes read once), under this judge."""
    digest = hashlib.sha256(judge.encode())
    if submission.unreadable is not None:
        digest.update(b"unreadable\0" + submission.unreadable.encode())
        return digest.hexdigest()
    for name in sorted(submission.files):
        digest.update(b"file\0" + name.encode() + b"\0" + hashlib.sha256(submission.files[name]).digest())
    for name in sorted(submission.problems):
        digest.update(b"problem\0" + name.encode() + b"\0" + submission.problems[name].encode())
    return digest.hexdigest()


def record(key: str, graded: Graded) -> str:
    """The record's text (the caller writes it atomically, after results.json and feedback.md)."""
    return json.dumps({
        "hash": key, "name": graded.name, "status": graded.status, "notes": graded.notes,
        "seconds": graded.seconds,
        "exercises": [{"id": e.exercise.id, "score": str(e.score), "max_score": str(e.max_score),
                       "failures": e.failures, "passed": e.passed, "total": e.total} for e in graded.exercises],
    }, indent=1)


def _read(folder: Path) -> tuple[str, Graded] | None:
    """(hash, grading) of a finished record (all three files are there), or None."""
    try:
        record = json.loads((folder / RECORD).read_text())
        if not (folder / "results.json").is_file() or not (folder / "feedback.md").is_file():
            return None
        exercises = [ExerciseScore(BY_ID[e["id"]], Fraction(e["score"]), Fraction(e["max_score"]), list(e["failures"]),
                                   int(e["passed"]), int(e["total"])) for e in record["exercises"]]
        return record["hash"], Graded(record["name"], exercises, record["status"], list(record["notes"]),
                                      float(record["seconds"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load(folder: Path, key: str | None = None) -> Graded | None:
    """The earlier grading of this content under this judge (any, without a key), if it finished."""
    found = _read(folder)
    return found[1] if found is not None and key in (None, found[0]) else None


def merge(graded: Graded, previous: Graded | None) -> Graded:
    """This grading, plus the exercises an earlier one graded and this one did not (a regrade
    of some exercises, `--ex` or another track, keeps the others' points)."""
    if previous is None or graded.status != "graded" or previous.status != "graded":
        return graded
    regraded = {e.exercise.id for e in graded.exercises}
    kept = {e.exercise.id: e for e in previous.exercises if e.exercise.id not in regraded}
    if not kept:
        return graded
    now = {e.exercise.id: e for e in graded.exercises}
    exercises = [now.get(exercise.id) or kept[exercise.id] for exercise in EXERCISES
                 if exercise.id in now or exercise.id in kept]
    notes = graded.notes + [f"Kept from the earlier grading: {', '.join(kept)}."]
    return replace(graded, exercises=exercises, notes=notes)


def earlier_rows(out: Path, regraded: set[str]) -> list[Graded]:
    """The finished gradings in out/ of submissions not named in this run, in the order of
    out/gradebook.csv: a regrade of one student keeps everyone else's row."""
    found = {}
    for folder in sorted((out / SUBMISSIONS).glob("*/")):
        record = _read(folder)
        if record is not None and record[1].name not in regraded:
            found[record[1].name] = record[1]
    try:
        with open(out / "gradebook.csv", newline="") as f:
            order = [row.get("submission", "") for row in csv.DictReader(f)]
    except (OSError, csv.Error, UnicodeDecodeError):
        order = []
    position = {name: i for i, name in enumerate(order)}
    return sorted(found.values(), key=lambda graded: (position.get(graded.name, len(order)), graded.name))
