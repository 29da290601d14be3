"""Grading one submission: a trusted pytest process over tests/hidden, then the points.

    collect(tmp)                       the hidden tests and their weights, once per batch
    grade(submission, collected, ...)  scan, run the suite against a sandboxed worker, score

The pytest process imports the tests, kata/ and grader/trusted, never the student's code
(which only the worker runs). Its exit code and output are not read: the points come from
the collected list and the plugin's explicit per-test records (grader/trusted/scoring.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from kata.exercises import BY_ID, exercises_in, modules

from grader.trusted import policy
from grader.trusted.plugin import TIMING
from grader.trusted.proxy import UID_BASE
from grader.trusted.scan import banned_imports
from grader.trusted.scoring import ExerciseScore, TestCase, load_collected, load_outcomes, score
from grader.trusted.submission import Submission, read_submission

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = ROOT / "tests" / "hidden"


@dataclass(frozen=True)
class GradingConfig:
    """Everything that decides how a batch is graded, passed to each function that needs it
    (nothing is reconfigured by overwriting module globals)."""

    suite: Path = HIDDEN  # the graded tests; Gradescope's feedback pass uses tests/public
    track: str = "all"  # only this track's exercises ("seed", "advanced"), or all
    limits: policy.TimeLimits = policy.TimeLimits(policy.DEFAULT_TIMEOUT)  # per call into student code
    deadline: float | None = None  # time.monotonic() by which a suite run must end (Gradescope's clock)
    visibility: str = "after_published"  # results.json visibility of the graded tests

    def budget(self, collected: list[TestCase]) -> float:
        """Seconds one suite run may take: room for every test's calls, cut at the deadline."""
        budget = policy.suite_budget(len(collected), self.limits.default)
        return budget if self.deadline is None else max(1.0, min(budget, self.deadline - time.monotonic()))
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", tempfile.gettempdir())
NO_FILES = "no exercise files"  # the status of a readable submission with nothing to grade in it


class GraderError(Exception):
    """The grader itself cannot run (no hidden tests, pytest fails to collect)."""


@dataclass
class Graded:
    name: str
    exercises: list[ExerciseScore]
    status: str = "graded"  # or the reason the submission could not be graded
    notes: list[str] = field(default_factory=list)  # submission-wide messages (missing files...)
    seconds: float = 0.0
    call_seconds: dict[str, float] = field(default_factory=dict)  # "conv.py: forward" -> its slowest call
    leaderboard: dict[str, tuple[float, str]] = field(default_factory=dict)  # figures for Gradescope's leaderboard

    @property
    def score(self) -> float:
        return float(sum(e.score for e in self.exercises))

    @property
    def max_score(self) -> float:
        return float(sum(e.max_score for e in self.exercises))


def pytest_args(suite: Path, *options: str) -> list[str]:
    """The trusted pytest run: plain asserts (messages never show test source), no plugins of
    chance, and none whose work no one reads (the unraisable-exception plugin alone runs five
    full garbage collections at exit)."""
    return [str(suite), "-q", "--assert=plain", "-p", "grader.trusted.plugin", "-p", "no:cacheprovider",
            "-p", "no:unraisableexception", "--rootdir", str(ROOT), *options]


class Runner:
    """Warm fork servers (grader/trusted/forkserver.py): one per run going on at once, started
    when none is idle; an idle one serves whichever thread asks next (the batch's collection
    and calibration included, so neither pays for a cold start)."""

    _lock = threading.Lock()
    _idle: list[subprocess.Popen] = []
    servers: list[subprocess.Popen] = []

    @classmethod
    def run(cls, args: list[str], log: Path, budget: float) -> tuple[int, int]:
        """Run pytest with these args in a fresh fork; (the child's pid, its exit status) once
        it is over. The status says only whether pytest ran: results come from files."""
        server = cls._take()
        server.stdin.write(json.dumps({"args": args, "log": str(log), "budget": budget}) + "\n")
        server.stdin.flush()
        reply = server.stdout.readline()
        if not reply:
            raise GraderError("the grading process stopped unexpectedly")
        with cls._lock:
            cls._idle.append(server)
        answer = json.loads(reply)
        return int(answer["pid"]), int(answer["code"])

    @classmethod
    def _take(cls) -> subprocess.Popen:
        with cls._lock:
            while cls._idle:
                server = cls._idle.pop()
                if server.poll() is None:
                    return server
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")  # fork-safe BLAS
        server = subprocess.Popen([sys.executable, "-m", "grader.trusted.forkserver"], cwd=ROOT, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        with cls._lock:
            cls.servers.append(server)
        return server

    @classmethod
    def close_all(cls) -> None:
        with cls._lock:
            for server in cls.servers:
                server.stdin.close()  # the server exits at the end of its input
                server.wait()
            cls.servers.clear()
            cls._idle.clear()


def collect(scratch: Path, config: GradingConfig = GradingConfig()) -> list[TestCase]:
    """The suite's tests of the track, their exercises and weights, collected by pytest (no student code)."""
    target, log = scratch / "collected.json", scratch / "collect-log.txt"
    _, code = Runner.run(pytest_args(config.suite, "--collect-only", "--grader-collect", str(target)), log,
                         policy.COLLECT_BUDGET)
    if code != 0 or not target.exists():
        output = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        raise GraderError(f"could not collect the tests in {config.suite}:\n{output}")
    collected = in_track(load_collected(target), config.track)
    if not collected:
        raise GraderError(f"no tests of the {config.track} track found in {config.suite}")
    return collected


def _reap_user(uid: int) -> None:
    """As root: kill every process left under a worker's uid (a child that escaped its group).

    kill(-1) as that user reaches exactly the processes that user owns.
    """
    kill = shutil.which("kill", path="/usr/bin:/bin")
    if kill:
        subprocess.run([kill, "-s", "KILL", "--", "-1"], user=uid, group=uid, extra_groups=[], cwd="/",
                       env={}, capture_output=True)


def _remove_files_of(uid: int) -> None:
    """As root: delete what a worker's uid left in the world-writable temp folders.

    Its own folder is removed with the worker; this catches files it wrote elsewhere
    (/tmp/x, /dev/shm/y). Only the top level of these folders is searched.
    """
    for folder in WORLD_WRITABLE:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


def run_suite(files: dict[str, bytes], scratch: Path, config: GradingConfig, budget: float) -> Path:
    """Run the hidden suite against the files in a worker; the outcomes file it wrote."""
    staged = scratch / "submission"
    staged.mkdir()
    for name, data in files.items():
        (staged / name).write_bytes(data)
    outcomes = scratch / "outcomes.jsonl"
    args = pytest_args(config.suite, "--grader-submission", str(staged), "--grader-outcomes", str(outcomes),
                       "--grader-limits", config.limits.to_json(),
                       "--timeout", str(policy.test_backstop(config.limits.default)))
    pid, _ = Runner.run(args, scratch / "pytest-log.txt", budget)  # tests without a record score 0
    if os.geteuid() == 0:
        _reap_user(UID_BASE + pid)
        _remove_files_of(UID_BASE + pid)
    return outcomes


def in_track(collected: list[TestCase], track: str) -> list[TestCase]:
    """The collected tests of one track's exercises ("all": every test)."""
    return [test for test in collected if track in ("all", BY_ID[test.exercise].track)]


def grade(submission: Submission, name: str, collected: list[TestCase],
          config: GradingConfig = GradingConfig()) -> Graded:
    """Grade one submission, as read once by read_submission (never raises for anything it contains)."""
    started = time.monotonic()
    zeroed: dict[str, str] = {}
    notes: list[str] = []
    judged = {BY_ID[test.exercise].module for test in collected}  # one track's files, or every file
    graded_modules = [module for module in modules() if module in judged]
    if submission.unreadable is not None or submission.empty:
        status = f"error: {submission.unreadable}" if submission.unreadable else NO_FILES
        reason = submission.unreadable or (f"no exercise file ({', '.join(f'{m}.py' for m in graded_modules)}) "
                                           "found in the submission, at the top or in one folder")
        return Graded(name, score(collected, {}, {module: reason for module in graded_modules}), status=status,
                      notes=[reason], seconds=time.monotonic() - started)
    files = dict(submission.files)  # what the worker gets: the files that pass the checks below
    for module in graded_modules:
        filename = f"{module}.py"
        ids = ", ".join(e.id for e in exercises_in(module))
        if filename in submission.problems:
            zeroed[module] = submission.problems[filename]
        elif filename not in submission.files:
            zeroed[module] = f"{filename} is missing from the submission: 0 points for {ids}"
        else:
            found = banned_imports(submission.files[filename])
            if found:
                zeroed[module] = banned_reason(filename, "; ".join(found))
        if module in zeroed:
            notes.append(zeroed[module])
            files.pop(filename, None)
    scratch = Path(tempfile.mkdtemp(prefix="kata-grade-"))  # 0700: the worker's user cannot enter
    try:
        outcomes = load_outcomes(run_suite(files, scratch, config, config.budget(collected)))
        seconds = call_seconds(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for filename, banned in outcomes.banned.items():
        module = filename.removesuffix(".py")
        if module in graded_modules and module not in zeroed:
            zeroed[module] = banned_reason(filename, f"{banned}, at run time")
            notes.append(zeroed[module])
    return Graded(name, score(collected, outcomes.tests, zeroed), notes=notes, seconds=time.monotonic() - started,
                  call_seconds=seconds, leaderboard=outcomes.leaderboard)


def banned_reason(filename: str, found: str) -> str:
    ids = ", ".join(e.id for e in exercises_in(filename.removesuffix(".py")))
    return (f"{filename} imports a package that is not allowed ({found}): 0 points for {ids}. "
            "Write the layer with NumPy only.")


def call_seconds(scratch: Path) -> dict[str, float]:
    """The slowest call of each function into the student's code in a grading run (the
    plugin's figures; none when it left none)."""
    try:
        figures = json.loads((scratch / TIMING).read_text())
        return {str(name): float(seconds) for name, seconds in figures.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def calibrated_limits(collected: list[TestCase], config: GradingConfig = GradingConfig()) -> policy.TimeLimits:
    """This run's per-call time limits: policy.TIMEOUT_FACTOR x the reference's slowest call
    of each function (policy.TimeLimits.calibrated).

    Measured now, on this machine and under its current load, by grading solutions/ like any
    submission: slow but correct code (plain loops) is judged against the same clock, and an
    endless loop in a function the reference runs in a millisecond is stopped in seconds.
    """
    reference = grade(read_submission(ROOT / "solutions"), "reference", collected,
                      replace(config, limits=policy.TimeLimits(policy.CALIBRATION_TIMEOUT)))
    if reference.score != reference.max_score:
        failures = "; ".join(f for e in reference.exercises for f in e.failures)[:2000]
        raise GraderError(f"the reference solution fails the hidden tests, so no time limit can be calibrated: {failures}")
    return policy.TimeLimits.calibrated(reference.call_seconds)
