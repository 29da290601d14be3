"""Gradescope: build the autograder zip, and grade one submission inside Gradescope's container.

    python -m grader.gradescope build [--out dist/autograder.zip] [--hidden-visibility V] [--deadline S] [--timeout S]
    python -m grader.gradescope run [--root /autograder]

build writes a zip whose root holds setup.sh and run_autograder (from gradescope/) and the
grading code: kata/, grader/ (without its examples and tests), tests/ (conftest, public,
hidden), mk/venv.mk, pyproject.toml and gradescope.json (the settings below). Never
solutions/ or exercises/: the hidden suites need only their oracles.

run is what run_autograder starts. It grades /autograder/submission twice with the
grader's sandbox (grader.trusted.run.grade), each pass in its own process group:

    1. the hidden tests, whose points are the score, shown per the hidden_visibility
       setting (default "after_published"); first, so they have first claim on the time;
    2. the public tests, shown at once ("visible"), worth 0 points: the student sees
       what `make test` showed.

Gradescope scores a run that outlives its limit (10 minutes by default) 0 and shows
nothing, so run keeps its own deadline below that limit (deadline_seconds, default 540).
Each pass is given the time left: it stops its tests in time to score those that have a
result (the rest score 0, as for any timeout), and if it still overruns it is stopped
and its exercises are listed as not graded. results.json is written before grading
starts and again after each pass (atomically), so the student always gets a valid file
with everything finished so far.
The root is /autograder unless --root or $KATA_AUTOGRADER_ROOT says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.trusted import policy
from grader.trusted.policy import MARGIN_SECONDS, STOP_SECONDS, WRAP_UP_SECONDS
from kata.kit.atomic import atomic_path, write_text
from kata.exercises import TRACKS, in_track

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent  # setup.sh and run_autograder
SETTINGS = "gradescope.json"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULTS = {"hidden_visibility": "after_published", "deadline_seconds": 540, "track": "all", "leaderboard": False,
            "timeout_seconds": policy.DEFAULT_TIMEOUT}
# What goes into the zip besides setup.sh and run_autograder (folders are taken whole,
# minus caches): the trusted side and the suites, never solutions/, exercises/ or authoring/.
SHIPPED = ("kata", "grader", "tests/conftest.py", "tests/public", "tests/hidden", "mk/venv.mk", "pyproject.toml")
LEFT_OUT = ("__pycache__",)


# ---------------------------------------------------------------- build (the instructor's side)

def shipped_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for entry in SHIPPED:
        path = root / entry
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: the autograder needs it")
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in candidates:
            relative = file.relative_to(root).as_posix()
            if not any(relative.startswith(left + "/") or f"/{left}/" in f"/{relative}" for left in LEFT_OUT) \
                    and not relative.endswith(".pyc"):
                files.append(file)
    return files


def build(out: Path, hidden_visibility: str, deadline: float, root: Path = ROOT, track: str = "all",
          leaderboard: bool = False, timeout: float = policy.DEFAULT_TIMEOUT) -> Path:
    """Write the autograder zip atomically (grading one track's exercises, or all); returns its path."""
    settings = {"hidden_visibility": hidden_visibility, "deadline_seconds": deadline, "track": track,
                "leaderboard": leaderboard, "timeout_seconds": timeout}
    with atomic_path(out) as temp, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for script in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o755 << 16  # executable when Gradescope unzips it
            archive.writestr(info, (TEMPLATES / script).read_bytes(), zipfile.ZIP_DEFLATED)
        for file in shipped_files(root):
            archive.write(file, file.relative_to(root).as_posix())
        info = zipfile.ZipInfo(SETTINGS)
        info.external_attr = 0o644 << 16
        archive.writestr(info, json.dumps(settings, indent=2) + "\n")
    return out


# ---------------------------------------------------------------- run (inside the container)

@dataclass
class Pass:
    suite: str  # "public" or "hidden"
    visibility: str
    counts: bool  # whether its points are the score
    number: int  # results.json test numbers "1.x", "2.x" keep the passes in order
    track: str = "all"  # the exercises graded: one track's, or all
    timeout: float = policy.DEFAULT_TIMEOUT  # seconds per call into the student's code


def not_graded(grading: Pass, reason: str) -> list[dict]:
    """An entry per exercise of a pass that did not finish: 0 points, and why."""
    return [{"name": f"{grading.suite}: {e.id}: {e.title}", "number": f"{grading.number}.{n}",
             "score": 0, "max_score": e.points if grading.counts else 0, "status": "failed",
             "output": f"Not graded: {reason}", "visibility": grading.visibility}
            for n, e in enumerate(in_track(grading.track), start=1)]


def results(tests: list[dict], notes: list[str], started: float) -> dict:
    in_order = sorted(tests, key=lambda t: tuple(int(n) for n in t["number"].split(".")))  # public first
    return {"score": round(sum(t["score"] for t in tests), 2), "execution_time": round(time.monotonic() - started, 2),
            "output": "\n".join(notes), "tests": in_order}


def stop(process: subprocess.Popen) -> None:
    """SIGTERM first, so the grader's own cleanup kills the pytest process and worker it
    started in their own sessions (see grade_pass); SIGKILL the group if that hangs."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.communicate(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def run_pass(grading: Pass, submission: Path, seconds: float) -> tuple[list[dict], str, list[dict]]:
    """One pass in a child process (its own session, killed at the deadline): entries, note,
    and the leaderboard figures its tests recorded."""
    if seconds <= 0:
        return not_graded(grading, "the autograder ran out of time"), f"{grading.suite} tests: not run, no time left", []
    with tempfile.TemporaryDirectory(prefix="kata-gradescope-") as scratch:
        out = Path(scratch) / "pass.json"
        command = [sys.executable, "-m", "grader.gradescope", "pass", grading.suite, str(submission), str(out),
                   "--seconds", f"{seconds:.1f}", "--track", grading.track, "--timeout", str(grading.timeout)]
        process = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            log, _ = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            stop(process)
            return not_graded(grading, "the autograder's time limit was reached"), \
                f"{grading.suite} tests: stopped at the autograder's deadline ({seconds:.0f} s left for them)", []
        try:
            graded = json.loads(out.read_text())
        except (OSError, ValueError):
            tail = log.decode(errors="replace")[-1500:]
            return not_graded(grading, "the grader failed"), f"{grading.suite} tests: the grader failed:\n{tail}", []
    entries = []
    for n, test in enumerate(graded["tests"], start=1):
        entry = {**test, "name": f"{grading.suite}: {test['name']}", "number": f"{grading.number}.{n}",
                 "visibility": grading.visibility}
        if not grading.counts:  # public results inform; the hidden tests' points are the score
            entry.update(score=0, max_score=0)
        entries.append(entry)
    return entries, f"{grading.suite} tests: {graded['output'].strip()}", graded.get("leaderboard", [])


def timeout_setting(settings: dict) -> float:
    """The settings' per-call limit, or the default when it is not a number of seconds in range."""
    try:
        return policy.per_call_timeout(str(settings["timeout_seconds"]))
    except (KeyError, argparse.ArgumentTypeError):
        return policy.DEFAULT_TIMEOUT


def run(root: Path) -> int:
    started = time.monotonic()
    results_path = root / "results" / "results.json"
    write_text(results_path, json.dumps(results([], ["Grading started but did not finish."], started)))
    settings = dict(DEFAULTS)
    try:
        settings.update(json.loads((root / "source" / SETTINGS).read_text()))
    except (OSError, ValueError):
        pass  # the defaults
    visibility = settings["hidden_visibility"] if settings["hidden_visibility"] in VISIBILITIES else "after_published"
    deadline = started + float(settings["deadline_seconds"]) - MARGIN_SECONDS
    track = settings["track"] if settings["track"] in TRACKS else "all"
    timeout = timeout_setting(settings)
    tests: list[dict] = []
    notes: list[str] = []
    submission = root / "submission"
    zips = sorted(submission.glob("*.zip"))
    if len(zips) == 1 and not any(submission.rglob("*.py")):  # a zip uploaded as it is
        submission = zips[0]
    # The hidden tests first: they are the score, so they have first claim on the time.
    board: list[dict] = []
    passes = (Pass("hidden", visibility, True, 2, track, timeout), Pass("public", "visible", False, 1, track, timeout))
    for grading in passes:
        entries, note, figures = run_pass(grading, submission, deadline - time.monotonic())
        tests += entries
        notes.append(note)
        if grading.counts and settings["leaderboard"] is True:  # the graded run's figures, when asked for
            board = figures
        write_text(results_path, json.dumps(results(tests, notes, started) | ({"leaderboard": board} if board else {}),
                                            indent=2))
    return 0


def grade_pass(suite: str, submission: Path, out: Path, seconds: float, track: str = "all",
               timeout: float = policy.DEFAULT_TIMEOUT) -> int:
    """The child of run_pass: the grader's sandboxed grading of one suite, as results.json.

    Exactly what `python -m grader grade` does for one submission, with the suite swapped
    and the suite's run cut short, if need be, to end within `seconds`: the tests with a
    result keep their points, the others score 0 (the grader's own rule for a timeout).
    """
    from grader import cli, report  # here, not at the top: `build` needs none of the grader
    from grader.trusted import run as grading
    from grader.trusted.submission import read_submission

    ends = time.monotonic() + seconds - WRAP_UP_SECONDS
    # SIGTERM (from stop) becomes SystemExit, so the grader's `finally` blocks kill its
    # trusted pytest process and the worker, which live in sessions of their own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    config = grading.GradingConfig(suite=ROOT / "tests" / suite, track=track, deadline=ends,
                                   limits=policy.TimeLimits(timeout))
    cli.lock_down([*cli.PROTECTED, submission])
    with tempfile.TemporaryDirectory(prefix="kata-collect-") as scratch:
        collected = grading.collect(Path(scratch), config)
    graded = grading.grade(read_submission(submission), "submission", collected, config)
    if time.monotonic() >= ends:
        graded.notes.append("The autograder's time ran out during these tests: those without a result score 0.")
    write_text(out, report.results_json(graded))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="write the autograder zip (make gradescope)")
    build_parser.add_argument("--out", type=Path, default=ROOT / "dist" / "autograder.zip")
    build_parser.add_argument("--track", choices=TRACKS, default="all", help="grade only one track (default: all)")
    build_parser.add_argument("--hidden-visibility", choices=VISIBILITIES, default=DEFAULTS["hidden_visibility"])
    build_parser.add_argument("--leaderboard", action="store_true",
                              help="show Gradescope's leaderboard: fast_conv's speed and model.train's accuracy")
    build_parser.add_argument("--deadline", type=policy.autograder_deadline, default=DEFAULTS["deadline_seconds"],
                              help="seconds; keep it below the assignment's Gradescope limit (default 540)")
    build_parser.add_argument("--timeout", type=policy.per_call_timeout, default=policy.DEFAULT_TIMEOUT,
                              help=f"seconds per call into a student's code (default {policy.DEFAULT_TIMEOUT:g}: "
                                   "there is no reference to calibrate against on Gradescope)")
    run_parser = commands.add_parser("run", help="grade /autograder/submission (run_autograder)")
    run_parser.add_argument("--root", type=Path, default=Path(os.environ.get("KATA_AUTOGRADER_ROOT", "/autograder")))
    pass_parser = commands.add_parser("pass", help=argparse.SUPPRESS)
    pass_parser.add_argument("suite", choices=("public", "hidden"))
    pass_parser.add_argument("submission", type=Path)
    pass_parser.add_argument("out", type=Path)
    pass_parser.add_argument("--seconds", type=float, required=True)
    pass_parser.add_argument("--track", choices=TRACKS, default="all")
    pass_parser.add_argument("--timeout", type=policy.per_call_timeout, default=policy.DEFAULT_TIMEOUT)
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            zip_path = build(args.out, args.hidden_visibility, args.deadline, track=args.track,
                             leaderboard=args.leaderboard, timeout=args.timeout)
            print(f"wrote {zip_path}")
        except OSError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    if args.command == "run":
        return run(args.root)
    return grade_pass(args.suite, args.submission, args.out, args.seconds, args.track, args.timeout)

