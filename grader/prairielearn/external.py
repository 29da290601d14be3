"""PrairieLearn: build the external grader, and grade one submission inside its container.

    python -m grader.prairielearn build [--out dist/prairielearn] [--track T] [--deadline S] [--timeout S]
                                        [--image NAME]
    python -m grader.prairielearn run [--root /grade]

build writes dist/prairielearn/:
    Dockerfile, grade.sh          the image (an official Python image, the pinned packages)
                                  and its entrypoint
    kata/, grader/, tests/, mk/venv.mk, pyproject.toml, prairielearn.json
                                  the grading code and suites, as in the Gradescope zip
    question/info.json            the question's externalGradingOptions (image, entrypoint,
                                  timeout), to merge into the course's question
    question/tests/README.md      why the question's own tests/ folder stays empty

PrairieLearn runs grade.sh for each submission with the job under /grade: the submitted
files in /grade/student/, the result expected in /grade/results/results.json. run grades
them exactly as Gradescope's run does (grader/gradescope/autograder.py: the sandboxed
grader, never in-process; the hidden suite only, within the deadline) and writes
PrairieLearn's schema: gradable, score in 0..1, message, output, and tests[] with name,
description, points, max_points, message, output.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from grader.gradescope.autograder import Pass, run_pass, shipped_files, timeout_setting
from grader.trusted import policy
from grader.trusted.policy import MARGIN_SECONDS
from kata.exercises import TRACKS
from kata.kit.atomic import write_text

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SETTINGS = "prairielearn.json"
DEFAULTS = {"deadline_seconds": 540, "track": "all", "timeout_seconds": policy.DEFAULT_TIMEOUT}


# ---------------------------------------------------------------- build (the instructor's side)

def build(out: Path, track: str = "all", deadline: float = DEFAULTS["deadline_seconds"],
          image: str = "cnn-kata-grader", root: Path = ROOT, timeout: float = policy.DEFAULT_TIMEOUT) -> Path:
    """Write the external grader's folder (replacing an older one); returns it."""
    shutil.rmtree(out, ignore_errors=True)
    for file in shipped_files(root):
        target = out / file.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    for name in ("Dockerfile", "grade.sh"):
        shutil.copy2(HERE / name, out / name)
    (out / "grade.sh").chmod(0o755)
    settings = {"deadline_seconds": deadline, "track": track, "timeout_seconds": timeout}
    write_text(out / SETTINGS, json.dumps(settings, indent=2) + "\n")
    info = {"externalGradingOptions": {"enabled": True, "image": image, "entrypoint": "/kata/grade.sh",
                                       "timeout": int(deadline + 60)}}
    write_text(out / "question" / "info.json", json.dumps(info, indent=2) + "\n")
    write_text(out / "question" / "tests" / "README.md",
               "The hidden tests live in the grader image (/kata/tests/hidden), never in the course's\n"
               "files, which PrairieLearn copies into every job and students' code could read.\n")
    return out


# ---------------------------------------------------------------- run (inside the container)

def results(tests: list[dict], notes: list[str], gradable: bool = True) -> dict:
    """PrairieLearn's results.json from the grader's per-exercise entries (Gradescope's shape)."""
    points = sum(t["score"] for t in tests)
    max_points = sum(t["max_score"] for t in tests)
    return {"gradable": gradable, "score": round(points / max_points, 4) if max_points else 0.0,
            "message": f"{points:g} / {max_points:g} points" if gradable else "\n".join(notes),
            "output": "\n".join(notes),
            "tests": [test_entry(t) for t in tests]}


def test_entry(entry: dict) -> dict:
    """One exercise: the grader names it "hidden: conv.forward: <title>"."""
    _, exercise, title = (entry["name"].split(": ", 2) + ["", ""])[:3]
    return {"name": exercise, "description": title, "points": entry["score"], "max_points": entry["max_score"],
            "message": "passed" if entry["status"] == "passed" else "failed", "output": entry["output"]}


def run(root: Path) -> int:
    started = time.monotonic()
    results_path = root / "results" / "results.json"
    write_text(results_path, json.dumps(results([], ["Grading started but did not finish."], gradable=False)))
    settings = dict(DEFAULTS)
    try:
        settings.update(json.loads((HERE.parents[1] / SETTINGS).read_text()))
    except (OSError, ValueError):
        pass  # the defaults
    track = settings["track"] if settings["track"] in TRACKS else "all"
    deadline = started + float(settings["deadline_seconds"]) - MARGIN_SECONDS
    submission = root / "student"
    if not submission.is_dir():
        write_text(results_path, json.dumps(results([], [f"No submitted files in {submission}."], gradable=False)))
        return 0
    grading = Pass("hidden", "visible", True, 1, track, timeout_setting(settings))
    entries, note, _ = run_pass(grading, submission, deadline - time.monotonic())
    failed = note.startswith("hidden tests: the grader failed")
    write_text(results_path, json.dumps(results(entries, [note], gradable=not failed), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.prairielearn", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="write dist/prairielearn/ (make prairielearn)")
    build_parser.add_argument("--out", type=Path, default=ROOT / "dist" / "prairielearn")
    build_parser.add_argument("--track", choices=TRACKS, default="all", help="grade only one track (default: all)")
    build_parser.add_argument("--deadline", type=policy.autograder_deadline, default=DEFAULTS["deadline_seconds"],
                              help="seconds the grading of one submission may take (default 540)")
    build_parser.add_argument("--timeout", type=policy.per_call_timeout, default=policy.DEFAULT_TIMEOUT,
                              help=f"seconds per call into a student's code (default {policy.DEFAULT_TIMEOUT:g}: "
                                   "there is no reference to calibrate against in the container)")
    build_parser.add_argument("--image", default="cnn-kata-grader", help="the image name info.json names")
    run_parser = commands.add_parser("run", help="grade /grade/student (grade.sh)")
    run_parser.add_argument("--root", type=Path, default=Path(os.environ.get("KATA_GRADE_ROOT", "/grade")))
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            print(f"wrote {build(args.out, args.track, args.deadline, args.image, timeout=args.timeout)}/")
        except OSError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    return run(args.root)

