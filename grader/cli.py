"""python -m grader grade SUB [SUB ...] [--out DIR] [--jobs N] [--timeout SECONDS]

    python -m grader grade SUB ... --out DIR --ex conv.backward   (regrade one exercise)

Grades each submission (a folder or a .zip of the student's exercise files) against the
hidden suites, in parallel, and writes DIR/gradebook.csv, DIR/report.html, and per
submission DIR/submissions/<name>/results.json (Gradescope's schema) and feedback.md.
The gradebook keeps the rows of submissions graded into DIR earlier and not named this
time: regrading one student updates their row only, and regrading some exercises (--ex,
or another --track) updates those columns only. Exits 0 whenever grading ran,
whatever the scores; 2 with a message when it could not (bad arguments, unreadable paths).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import stat
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kata.kit import atomic
from kata.exercises import EXERCISES, TRACKS, modules, select

from grader import lms, report
from grader.trusted import policy, resume
from grader.trusted.proxy import sandbox_mode, worker_python
from grader.trusted.run import (NO_FILES, ROOT, Graded, GraderError, GradingConfig, Runner, calibrated_limits,
                                collect, grade)
from grader.trusted.scoring import TestCase, score
from grader.trusted.submission import read_submission, submission_name

# As root, the worker runs as another user: these must not be readable by "others".
PROTECTED = [ROOT / "tests", ROOT / "solutions", ROOT / "grader", ROOT / "kata", ROOT / "authoring"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m grader", description="Grade kata submissions.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade_parser = commands.add_parser("grade", help="grade submissions into a gradebook")
    grade_parser.add_argument("submissions", nargs="*", type=Path, metavar="SUB",
                              help="a folder or .zip of exercise files (default: the example class)")
    grade_parser.add_argument("--out", type=Path, default=Path("results"), help="output folder (default: results)")
    grade_parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                              help="submissions graded at once (default: the number of cores)")
    grade_parser.add_argument("--timeout", type=policy.per_call_timeout, default=None,
                              help=f"seconds per call into a student's code (default, per function: "
                                   f"{policy.TIMEOUT_FACTOR * policy.LOAD_ALLOWANCE} times the reference solution's slowest call of it, "
                                   f"timed at the start of the run, at least {policy.TIMEOUT_FLOOR:g} s)")
    grade_parser.add_argument("--track", choices=TRACKS, default="all",
                              help="grade only one track's exercises: seed, advanced or all (default)")
    grade_parser.add_argument("--ex", action="append", default=[], metavar="NAME",
                              help="grade only this exercise (an id such as conv.backward, or a file such as conv.py; "
                                   "repeatable); a submission graded into --out before keeps its other exercises' points")
    grade_parser.add_argument("--visibility", choices=report.VISIBILITIES, default="after_published",
                              help="results.json visibility of the hidden tests (default: after_published)")
    grade_parser.add_argument("--roster", type=Path, help="CSV of submission, student_id, name, email[, section]: "
                              "joins students to rows; students without a submission get the status missing")
    grade_parser.add_argument("--similarity", action="store_true",
                              help="also compare the submissions' code (similarity.html and .csv in --out)")
    commands.add_parser("points", help="print the points table (Markdown) from kata/exercises.py")
    similar_parser = commands.add_parser("similarity", help="which submissions share code, with each other or "
                                         "with the files students receive")
    similar_parser.add_argument("submissions", nargs="+", type=Path, metavar="SUB")
    similar_parser.add_argument("--out", type=Path, required=True, help="where similarity.html and .csv go")
    similar_parser.add_argument("--threshold", type=float, default=0.5,
                                help="flag a pair when this share of a file's fingerprints is shared (default 0.5)")
    export_parser = commands.add_parser("export", help="the gradebook in an LMS's import format: OUT/<format>.csv")
    export_parser.add_argument("out", type=Path, metavar="OUT", help="the folder `grade --out` wrote")
    export_parser.add_argument("--format", choices=lms.FORMATS, required=True)
    export_parser.add_argument("--roster", type=Path, required=True)
    export_parser.add_argument("--assignment", default="CNN kata", help="the LMS column's name (default: CNN kata)")
    args = parser.parse_args(argv)
    if args.command == "points":
        return args
    try:
        args.students = lms.read_roster(args.roster) if getattr(args, "roster", None) else None
    except lms.RosterError as error:
        parser.error(str(error))  # before anything is written
    if args.command == "export":
        return args
    if (args.command == "similarity" or args.similarity) and importlib.util.find_spec("copydetect") is None:
        parser.error("comparing code needs copydetect, the grader's extra package (pyproject.toml): "
                     "`make grade` installs it")
    if args.command == "similarity":
        if not 0 < args.threshold <= 1:
            parser.error("--threshold must be above 0 and at most 1")
        for path in args.submissions:
            if not (path.is_dir() or path.is_file()):
                parser.error(f"{path}: no such folder or file")
        return args
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        args.exercises = sorted({e.id for name in args.ex for e in select(name, args.track)})
    except ValueError as error:
        parser.error(f"--ex: {error}")
    if not args.submissions:
        parser.error("name the submissions to grade (folders or .zip files); "
                     "`make grade` with no SUBS builds and grades the example class")
    names: dict[str, Path] = {}
    for path in args.submissions:
        if not (path.is_dir() or path.is_file()) or not os.access(path, os.R_OK):
            parser.error(f"{path}: no such readable folder or file")
        name = submission_name(path.resolve())
        if not name or name.startswith("."):
            parser.error(f"{path}: cannot name a submission after it")
        if name in names:
            parser.error(f"{path} and {names[name]} would both be graded as {name!r}: rename one")
        names[name] = path
    return args


def export(args: argparse.Namespace) -> int:
    """`python -m grader export`: OUT/<format>.csv from OUT/gradebook.csv and the roster."""
    try:
        gradebook = lms.read_gradebook(args.out / "gradebook.csv")
        text = lms.export(gradebook, args.students, args.format, args.assignment)
    except lms.RosterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    target = args.out / f"{args.format}.csv"
    atomic.write_text(target, text)
    print(f"wrote {target} ({len(args.students)} students)")
    return 0


def similar(submissions: list[Path], out: Path, threshold: float = 0.5) -> int:
    """`python -m grader similarity` (and grade --similarity): the flagged pairs, in out/."""
    from grader import similarity  # copydetect: only when asked (parse_args checked it is there)

    pairs = similarity.write(out, submissions, threshold)
    print(f"wrote {out / 'similarity.html'} and similarity.csv: {len(pairs)} pair(s) above {threshold:.0%}")
    return 0


def points_table() -> str:
    """The README's points table, from the registry: what each exercise is worth."""
    lines = ["| exercise | file | track | points |", "| --- | --- | --- | ---: |"]
    lines += [f"| `{e.id}` | `{e.module}.py` | {e.track} | {e.points} |" for e in EXERCISES]
    by_track: dict[str, int] = {}
    for exercise in EXERCISES:
        by_track[exercise.track] = by_track.get(exercise.track, 0) + exercise.points
    lines += [f"| **total, {track} track** | | | **{total}** |" for track, total in by_track.items()]
    return "\n".join(lines) + "\n"


def lock_down(paths: list[Path]) -> None:
    """As root, remove "others" access so the worker's user cannot read these."""
    if os.geteuid() != 0:
        return
    for path in paths:
        if path.exists():
            path.chmod(stat.S_IMODE(path.lstat().st_mode) & ~0o007)


def summary(rows: list[Graded], console: Console) -> None:
    """The gradebook as a table that fits a terminal: one row per submission, its score per
    track and the exercises where it lost points (every exercise's points are in the CSV)."""
    graded_ids = {r.exercise.id for graded in rows for r in graded.exercises}
    exercises = [e for e in EXERCISES if e.id in graded_ids]
    tracks = list(dict.fromkeys(exercise.track for exercise in exercises))
    table = Table(title="Gradebook (per exercise: gradebook.csv)")
    table.add_column("submission")
    for track in tracks:
        track_max = sum(e.points for e in exercises if e.track == track)
        table.add_column(f"{track}\n/{track_max}", justify="right")
    table.add_column("score", justify="right")
    table.add_column("lost points on")
    table.add_column("status")
    for graded in rows:
        by_id = {r.exercise.id: r.score for r in graded.exercises}
        per_track = [sum(by_id.get(e.id, 0) for e in exercises if e.track == track) for track in tracks]
        lost = [f"{e.id} {report.points(by_id.get(e.id, 0))}/{e.points}"
                for e in exercises if by_id.get(e.id, 0) < e.points]
        table.add_row(graded.name, *(str(report.points(points)) for points in per_track),
                      f"{report.points(graded.score)}/{report.points(graded.max_score)}",
                      ", ".join(lost[:4]) + (f" (+{len(lost) - 4} more)" if len(lost) > 4 else ""),
                      graded.status if graded.status in ("graded", NO_FILES) else "error")
    console.print(table)


def grade_one(path: Path, collected: list[TestCase], config: GradingConfig, out: Path, judge: str) -> Graded:
    """Grade one submission into out/submissions/<name>/, unless it holds a finished grading
    of the same content. The submission is read once: its hash, its scan, the worker's copy
    and its feedback all come from those bytes."""
    name = submission_name(path.resolve())
    folder = report.submission_folder(out, name)
    try:
        submission = read_submission(path)
        key = resume.content_hash(submission, judge)
        earlier = resume.load(folder, key)
        if earlier is not None:
            return earlier
        previous = resume.load(folder)  # graded before under other options: its other exercises are kept
        (folder / resume.RECORD).unlink(missing_ok=True)
        atomic.write_text(folder / "results.json",
                          report.fallback_results_json("The grader did not finish this submission."))
        graded = resume.merge(grade(submission, name, collected, config), previous)
    except Exception as error:  # a grader bug must not lose the rest of the batch
        reason = f"error: the grader failed ({type(error).__name__}: {error})"
        graded = Graded(name, score(collected, {}, {m: reason for m in modules(config.track)}), status=reason)
    atomic.write_text(folder / "results.json", report.results_json(graded, config.visibility))
    atomic.write_text(folder / "feedback.md", report.feedback_md(graded))
    atomic.write_text(folder / resume.RECORD, resume.record(key, graded))  # last: the grading is complete
    return graded


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "points":
        print(points_table(), end="")
        return 0
    if args.command == "export":
        return export(args)
    if args.command == "similarity":
        return similar(args.submissions, args.out, args.threshold)
    console = Console(width=None if sys.stdout.isatty() else 200)  # a log keeps whole rows
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: cannot create the output folder {args.out}: {error.strerror}", file=sys.stderr)
        return 2
    lock_down([*PROTECTED, args.out, *args.submissions])
    note = worker_python()[1]
    if note:
        console.print(f"[yellow]warning:[/] {note}")
    mode = sandbox_mode()
    console.print(f"{mode[0].upper()}{mode[1:]} (docs/security.md)")
    scratch = Path(tempfile.mkdtemp(prefix="kata-collect-"))
    try:
        config = GradingConfig(track=args.track, visibility=args.visibility)
        collected = [test for test in collect(scratch, config) if test.exercise in args.exercises or not args.exercises]
        judge = resume.judge_fingerprint(args.timeout, args.visibility, args.track, args.exercises)
        if args.timeout is None:
            config = replace(config, limits=calibrated_limits(collected, config))
            console.print(f"Time limit per call: {config.limits.describe()} (calibrated against the reference solution)")
        else:
            config = replace(config, limits=policy.TimeLimits(args.timeout))
    except GraderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    names = {submission_name(path.resolve()) for path in args.submissions}
    kept = resume.earlier_rows(args.out, names)
    rows: dict[Path, Graded] = {}
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=len(args.submissions))
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(grade_one, path, collected, config, args.out, judge): path for path in args.submissions}
            for future in as_completed(futures):
                graded = future.result()
                rows[futures[future]] = graded
                progress.update(task, advance=1, description=graded.name)
                # The gradebook so far, in the given order: a run killed now still leaves one.
                so_far = kept + [rows[path] for path in args.submissions if path in rows]
                atomic.write_text(args.out / "gradebook.csv", report.gradebook_csv(so_far))
        Runner.close_all()
    ordered = kept + [rows[path] for path in args.submissions]
    if kept:
        console.print(f"Kept the rows of {len(kept)} submission(s) graded into {args.out} earlier and not named now")
    summary(ordered, console)
    if args.students is not None:
        gradebook = lms.read_gradebook(args.out / "gradebook.csv")
        joined, unmatched = lms.join(gradebook, args.students)
        atomic.write_text(args.out / "gradebook.csv", lms.with_roster(gradebook, args.students))
        missing = [student.name for student, row in joined if row is None]
        if missing:
            console.print(f"No submission from {len(missing)} student(s) of the roster: {', '.join(missing)}")
        if unmatched:
            console.print(f"[yellow]Submissions no roster student claims:[/] {', '.join(unmatched)}")
    from grader import class_report  # matplotlib: imported only once there is a class to draw

    class_report.write(args.out, ordered)
    if args.similarity:
        similar(args.submissions, args.out)
    console.print(f"Wrote {args.out / 'gradebook.csv'}, {args.out / 'report.html'} (what the class got wrong) "
                  f"and results.json + feedback.md per submission in {args.out / report.SUBMISSIONS}/")
    return 0
