"""What the grader writes: gradebook.csv, and per submission results.json and feedback.md.

The command line writes each of them atomically with kata/kit/atomic.py, so a reader sees
either the old complete file or the new complete one, never half of one.
results.json follows Gradescope's schema: one test entry per exercise.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from kata.exercises import EXERCISES

from grader.trusted.run import Graded

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


SUBMISSIONS = "submissions"  # OUT/submissions/<name>/: no submission's name can collide with OUT's own files


def submission_folder(out: Path, name: str) -> Path:
    """Where one submission's results.json, feedback.md and graded.json go."""
    return out / SUBMISSIONS / name


def points(value: float) -> float:
    """Points as shown: two decimals, integers without a fraction."""
    value = round(float(value), 2)
    return int(value) if value == int(value) else value


def leaderboard(graded: Graded) -> list[dict]:
    """Gradescope's leaderboard entries: {"name", "value", "order"} per figure the tests recorded."""
    return [{"name": name, "value": round(value, 4), "order": order} for name, (value, order) in graded.leaderboard.items()]


def results_json(graded: Graded, visibility: str = "after_published") -> str:
    tests = []
    for number, result in enumerate(graded.exercises, start=1):
        if not result.total:
            continue
        lines = [f"{result.passed} of {result.total} checks passed."] + [f"- {f}" for f in result.failures]
        tests.append({
            "name": f"{result.exercise.id}: {result.exercise.title}",
            "number": str(number),
            "score": points(result.score),
            "max_score": points(result.max_score),
            "status": "passed" if result.score == result.max_score else "failed",
            "output": "\n".join(lines),
            "visibility": visibility,
        })
    output = "\n".join([f"Status: {graded.status}"] + graded.notes)
    results = {"score": points(graded.score), "execution_time": round(graded.seconds, 2), "output": output,
               "tests": tests}
    if graded.leaderboard:
        results["leaderboard"] = leaderboard(graded)
    return json.dumps(results, indent=2)


def fallback_results_json(reason: str) -> str:
    """Written before grading starts, replaced at the end: a crash never leaves no results."""
    return json.dumps({"score": 0, "execution_time": 0, "output": reason, "tests": []}, indent=2)


def feedback_md(graded: Graded) -> str:
    lines = [f"# Feedback for {graded.name}", "",
             f"**Score: {points(graded.score)} / {points(graded.max_score)}**", ""]
    if graded.status != "graded":
        lines += [f"Could not grade this submission: {graded.status}", ""]
    for result in graded.exercises:
        if not result.total:
            continue
        lines.append(f"## {result.exercise.id} ({result.exercise.title}): "
                     f"{points(result.score)} / {points(result.max_score)}")
        lines.append("")
        if not result.failures:
            lines.append("All checks passed.")
        said: set[str] = set()  # each "Likely bug" once per exercise: several checks share one cause
        for failure in result.failures:
            lines.append("- " + _without_repeated_bugs(failure, said).replace("\n", "\n  "))
        lines.append("")
    return "\n".join(lines)


def _without_repeated_bugs(failure: str, said: set[str]) -> str:
    """The failure without its "Likely bug: ..." lines already in `said` (which it extends)."""
    kept = []
    for line in failure.split("\n"):
        cause = line.strip()
        if cause.startswith("Likely bug:"):
            if cause in said:
                continue
            said.add(cause)
        kept.append(line)
    return "\n".join(kept)


def gradebook_csv(rows: list[Graded]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    graded_ids = {r.exercise.id for graded in rows for r in graded.exercises}
    columns = [e for e in EXERCISES if e.id in graded_ids]  # one track's exercises, or all
    writer.writerow(["submission", "score", "max_score", *(e.id for e in columns), "status"])
    for graded in rows:
        by_id = {r.exercise.id: points(r.score) for r in graded.exercises}
        writer.writerow([graded.name, points(graded.score), points(graded.max_score),
                         *(by_id.get(e.id, "") for e in columns), graded.status])  # "": never graded
    return buffer.getvalue()
