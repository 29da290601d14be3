"""`make test`: run the public tests and show, per exercise, where the student stands.

    python -m kata.kit.progress                      every exercise, in teaching order
    python -m kata.kit.progress --ex maxpool         one file's exercises (or --ex conv.backward)
    python -m kata.kit.progress --impl solutions     another folder with the same files

pytest runs in this process with its own terminal output switched off; a small plugin
(ProgressCollector) records each test's outcome under its @pytest.mark.exercise id, and
the table below replaces pytest's report. An exercise is

    done          every one of its tests passed,
    not started   every one of its tests failed with the stub's NotImplementedError,
    failing       anything else; its first failure is shown under it: the check's own
                  message (kata/judge/checks.py says the call, the shapes, expected vs got, the
                  worst index and its relative error) and the last lines of the traceback
                  that lie in the student's file and the test that made the call.

Exit status: 0 when every exercise with tests is done, 1 while any is not, 2 on bad
arguments. For pytest's full report: .venv/bin/python -m pytest tests/public --ex conv
"""

from __future__ import annotations

import argparse
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.console import Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kata.exercises import TRACKS, Exercise, in_track, normalize, select

ROOT = Path(__file__).resolve().parents[2]
MAX_MESSAGE_LINES = 8
MAX_FRAMES = 3


@dataclass
class Outcome:
    """One test's result, reduced to what a student needs."""

    test: str
    passed: bool
    not_started: bool = False  # failed with the stub's NotImplementedError
    message: str = ""


@dataclass
class ExerciseResult:
    exercise: Exercise
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.outcomes:
            return "no tests"
        if all(o.passed for o in self.outcomes):
            return "done"
        if all(o.not_started for o in self.outcomes):
            return "not started"
        return "failing"

    @property
    def first_failure(self) -> Outcome | None:
        """The first real failure (a stub's NotImplementedError only when nothing else failed)."""
        failed = [o for o in self.outcomes if not o.passed]
        return next((o for o in failed if not o.not_started), failed[0] if failed else None)


def _frames(error: BaseException, impl_dir: Path, tests_dir: Path) -> list[str]:
    """The traceback lines worth reading: the test's call, then the student's own frames.

    Follows the chain (an ImportError's cause holds the student's line) and drops every
    frame of pytest, NumPy, or the kata's transport.
    """
    test_lines: list[str] = []
    student_lines: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        for frame in traceback.extract_tb(error.__traceback__):
            path = Path(frame.filename).resolve()
            code = (frame.line or "").strip()
            if path.is_relative_to(impl_dir):
                student_lines.append(f"{_relative(path)}:{frame.lineno} in {frame.name}: {code}")
            elif path.is_relative_to(tests_dir):
                test_lines.append(f"{_relative(path)}:{frame.lineno}: {code}")
        if isinstance(error, SyntaxError) and error.filename and Path(error.filename).resolve().is_relative_to(impl_dir):
            student_lines.append(f"{_relative(Path(error.filename).resolve())}:{error.lineno}: {(error.text or '').strip()}")
        error = error.__cause__ or error.__context__
    return test_lines[-1:] + student_lines[-MAX_FRAMES:]


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _shorten(text: str) -> str:
    lines = text.strip().splitlines()
    if len(lines) > MAX_MESSAGE_LINES:
        lines = lines[:MAX_MESSAGE_LINES] + [f"... ({len(lines) - MAX_MESSAGE_LINES} more lines)"]
    return "\n".join(lines)


def describe(error: BaseException, impl_dir: Path, tests_dir: Path) -> str:
    """A failure in a student's words: the message, then where it happened."""
    message = str(error) if isinstance(error, AssertionError) else f"{type(error).__name__}: {error}"
    where = _frames(error, impl_dir, tests_dir)
    return _shorten(message) + "".join(f"\n  at {line}" for line in where)


class ProgressCollector:
    """pytest plugin: outcomes per exercise id, and a progress bar while tests run."""

    def __init__(self, chosen: list[Exercise], impl_dir: Path, tests_dir: Path, progress: Progress):
        self.results = {exercise.id: ExerciseResult(exercise) for exercise in chosen}
        self.impl_dir, self.tests_dir = impl_dir, tests_dir
        self.progress = progress
        self.collect_errors: list[str] = []
        self.task = progress.add_task("running the public tests", total=None)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:  # a broken test file: no table can be right without it
            last_lines = report.longreprtext.strip().splitlines()[-MAX_MESSAGE_LINES:]  # the error itself
            self.collect_errors.append(f"{report.nodeid}:\n" + "\n".join(last_lines))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.progress.update(self.task, total=len(session.items))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = (yield).get_result()
        marker = item.get_closest_marker("exercise")
        result = self.results.get(marker.args[0]) if marker else None
        if result is None or not (report.failed or report.when == "call"):
            return
        if report.failed:
            error = call.excinfo.value
            outcome = Outcome(item.name, passed=False, not_started=isinstance(error, NotImplementedError),
                              message=describe(error, self.impl_dir, self.tests_dir))
            printed = _shorten(report.capstdout)
            if printed:
                outcome.message += "\n  your code printed:\n" + "\n".join(f"    {l}" for l in printed.splitlines())
        else:
            outcome = Outcome(item.name, passed=True)
        result.outcomes.append(outcome)

    def pytest_runtest_logfinish(self) -> None:
        self.progress.advance(self.task)


STYLES = {"done": ("green", "✔"), "failing": ("red", "✘"), "not started": ("yellow", "·"), "no tests": ("dim", "-")}


def render(results: list[ExerciseResult]) -> Panel:
    """The progress table: one aligned line per exercise, its first failure indented under it.

    (Not a rich Table: a table cell cannot span the row, and a failure needs the full width.)
    """
    id_width = max(len(r.exercise.id) for r in results)
    lines: list = []
    for result in results:
        style, mark = STYLES[result.status]
        row = Table.grid(padding=(0, 2))
        row.add_column(width=13, no_wrap=True)
        row.add_column(width=id_width, no_wrap=True)
        row.add_column(width=5, justify="right", no_wrap=True)
        row.add_column(ratio=1)
        passed = sum(o.passed for o in result.outcomes)
        row.add_row(Text(f"{mark} {result.status}", style=style), Text(result.exercise.id, style="bold"),
                    f"{passed}/{len(result.outcomes)}", result.exercise.title)
        lines.append(row)
        failure = result.first_failure
        if result.status == "failing" and failure:
            lines.append(Padding(Text(f"{failure.test}: {failure.message}", style="red"), (0, 0, 1, 4)))
    return Panel(Group(*lines), title="Your progress (public tests)", title_align="left")


def next_exercise(results: list[ExerciseResult], track: str = "all") -> Exercise | None:
    """The exercise of the track to work on next, in teaching order.

    The first shown one that is not done; when every shown one is done (EX=softmax, all
    green), the first exercise after them in teaching order: the run did not test the others,
    so it cannot claim they are finished. None only when the run covered every exercise.
    """
    graded = [r for r in results if r.status != "no tests"]
    todo = next((r for r in graded if r.status != "done"), None)
    if todo is not None:
        return todo.exercise
    exercises = in_track(track)
    shown = {r.exercise.id for r in results}
    if shown >= {e.id for e in exercises}:
        return None
    last = max(exercises.index(r.exercise) for r in results)
    return next((e for e in exercises[last + 1:] if e.id not in shown),
                next((e for e in exercises if e.id not in shown), None))


def summary(results: list[ExerciseResult], track: str = "all") -> str:
    """The last line: how far along, and the one command to run next (within the track)."""
    done = sum(r.status == "done" for r in results)
    graded = [r for r in results if r.status != "no tests"]
    line = f"{done} of {len(graded)} exercises done."
    todo = next_exercise(results, track)
    if todo is not None:
        line += (f" Next: {todo.id} in exercises/{todo.module}.py"
                 f" (`make test EX={todo.id}`, `make hint EX={todo.id}`).")
    elif graded:
        line += " Every exercise passes its public tests; `make submission` builds the zip to hand in."
    return line


def run(ex: str | None, impl_dir: Path, tests_dir: Path, console: Console, track: str = "all") -> list[ExerciseResult]:
    """Run the public tests of select(ex, track); raises RuntimeError if pytest itself fails."""
    chosen = select(ex, track)
    args = [_relative(tests_dir), "--impl", _relative(impl_dir), "--track", track] + (["--ex", ex] if ex else [])
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as progress:
        collector = ProgressCollector(chosen, impl_dir, tests_dir, progress)
        code = pytest.main(args + ["-p", "no:terminal"], plugins=[collector])
    if collector.collect_errors or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED,
                                                pytest.ExitCode.NO_TESTS_COLLECTED):
        details = "\n".join(collector.collect_errors) or f"exit code {int(code)}"
        raise RuntimeError(f"pytest could not run the tests:\n{details}\n"
                           f"(pytest's own report: python -m pytest {' '.join(args)})")
    return list(collector.results.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make test", description="Run the public tests and show your progress.")
    parser.add_argument("--ex", default=None, help="one exercise file (conv) or exercise id (conv.backward)")
    parser.add_argument("--impl", type=Path, default=Path("exercises"), help="the folder under test (default: exercises)")
    parser.add_argument("--track", choices=TRACKS, default="all", help="only one track's exercises (default: all)")
    parser.add_argument("--tests", type=Path, default=ROOT / "tests" / "public", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.ex = normalize(args.ex)  # EX=conv.py means conv
    console = Console()
    try:
        select(args.ex, args.track)
    except ValueError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        return 2
    impl_dir = args.impl.resolve()
    if not impl_dir.is_dir():
        console.print(f"[red]error:[/red] IMPL={args.impl}: no such folder", highlight=False)
        return 2
    try:
        results = run(args.ex, impl_dir, args.tests.resolve(), console, args.track)
    except RuntimeError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        return 2
    console.print(render(results))
    console.print(summary(results, args.track), highlight=False)
    return 0 if all(r.status in ("done", "no tests") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
