"""`make test`: run the public tests and show, per exercise, where the student stands.

    python -m kata.kit.progress                      every exercise, in teaching order
    python -m kata.kit.progress --ex maxpool         one file's exercises (or --ex conv.backward)
    python -m kata.kit.progress --impl solutions     another folder with the same files

pytest runs in this process with its own terminal output switched off; a small plugin
(ProgressCollector) records each test's outcome under its @pytest.mark.exercise id, and
the report below replaces pytest's. An exercise is

    done          every one of its tests passed,
    not started   every one of its tests failed with the stub's NotImplementedError,
    failing       anything else.

The report fits a 80x24 terminal and ends with what matters now: the table (a file whose
exercises are all done, or all not started, is one line, and so are several such files in
a row), then the first failure (the check's own message: kata/judge/checks.py says the call,
the shapes, expected vs got, the worst index and the likely bug; then the test's call and the
line of the student's file), then how far along and the commands to run next, each on one
line. In a terminal the failure's message is cut to what fits the window.

Exit status: 0 when every exercise with tests is done, 1 while any is not, 2 on bad
arguments. For pytest's full report: .venv/bin/python -m pytest tests/public --ex conv
"""

from __future__ import annotations

import argparse
import ast
import sys
import traceback
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

import pytest
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from kata.exercises import TRACKS, Exercise, in_track, modules, normalize, select

ROOT = Path(__file__).resolve().parents[2]
MAX_MESSAGE_LINES = 8
MAX_FRAMES = 3
MIN_MESSAGE_ROWS = 3  # a failure's message is never cut shorter than this to fit the window


@dataclass
class Outcome:
    """One test's result, reduced to what a student needs."""

    test: str
    passed: bool
    not_started: bool = False  # failed with the stub's NotImplementedError
    message: str = ""  # the check's message, or the exception's type and message
    where: list[str] = field(default_factory=list)  # the test's call, then the student's lines
    printed: str = ""  # what the student's code printed during the test


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


def _frames(error: BaseException, impl_dir: Path, tests_dir: Path) -> tuple[list[str], list[str]]:
    """The traceback lines worth reading: the test's call, and the student's own frames.

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
    return test_lines[-1:], student_lines[-MAX_FRAMES:]


def definition_line(impl_dir: Path, exercise: Exercise, message: str) -> str | None:
    """Where the exercise's code starts in the student's file ("exercises/conv.py:57 in backward").

    A wrong value raises in the check, not in the student's code, so no traceback frame
    points there: the function the message names (`.backward(`) is the place to look, else
    the exercise's first function. None when the file cannot be parsed (its SyntaxError says where).
    """
    path = impl_dir / f"{exercise.module}.py"
    try:
        tree = ast.parse(path.read_text(), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    found = {node.name: node.lineno for node in ast.walk(tree)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in exercise.written_in}
    named = [name for name in exercise.written_in if name in found and f"{name}(" in message]
    name = (named or [name for name in exercise.written_in if name in found] or [None])[0]
    return None if name is None else f"{_relative(path)}:{found[name]} in {name}"


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


def describe(error: BaseException, exercise: Exercise, impl_dir: Path, tests_dir: Path) -> tuple[str, list[str]]:
    """A failure in a student's words: the message, and where it happened (the test's call,
    then the student's lines, or where the exercise's function starts when none raised)."""
    message = str(error) if isinstance(error, AssertionError) else f"{type(error).__name__}: {error}"
    test_lines, student_lines = _frames(error, impl_dir, tests_dir)
    if not student_lines and not isinstance(error, SyntaxError):
        student_lines = [line for line in [definition_line(impl_dir, exercise, message)] if line]
    return _shorten(message), test_lines + student_lines


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
            message, where = describe(error, result.exercise, self.impl_dir, self.tests_dir)
            outcome = Outcome(item.name, passed=False, not_started=isinstance(error, NotImplementedError),
                              message=message, where=where, printed=_shorten(report.capstdout))
        else:
            outcome = Outcome(item.name, passed=True)
        result.outcomes.append(outcome)

    def pytest_runtest_logfinish(self) -> None:
        self.progress.advance(self.task)


STYLES = {"done": ("green", "✔"), "failing": ("red", "✘"), "not started": ("yellow", "·"), "no tests": ("dim", "-")}


@dataclass
class Row:
    """One line of the table: one exercise, or (collapsed) whole files that share a status."""

    status: str
    results: list[ExerciseResult]
    collapsed: bool = False


def table_rows(results: list[ExerciseResult]) -> list[Row]:
    """A file whose exercises are all done, or all not started, is one row, and so are
    consecutive such files with the same status; any other file shows each exercise. With one
    file shown (EX=conv) every exercise has its row: there is room, and nothing to summarise."""
    files = [list(group) for _, group in groupby(results, key=lambda r: r.exercise.module)]
    if len(files) == 1:
        return [Row(r.status, [r]) for r in results]
    rows: list[Row] = []
    for group in files:
        statuses = {r.status for r in group}
        status = statuses.pop() if len(statuses) == 1 else None
        if status not in ("done", "not started"):
            rows.extend(Row(r.status, [r]) for r in group)
        elif rows and rows[-1].collapsed and rows[-1].status == status:
            rows[-1].results.extend(group)
        else:
            rows.append(Row(status, list(group), collapsed=True))
    return rows


def _row(row: Row, id_width: int, width: int) -> RenderableType:
    style, mark = STYLES[row.status]
    status = Text(f"{mark} {row.status:<11}  ", style=style)
    if row.collapsed:  # the files alone: the summary line counts the exercises
        grid = Table.grid()
        grid.add_column(width=len(status), no_wrap=True)
        grid.add_column(ratio=1)  # file names never contain a space: a wrap falls between them
        grid.add_row(status, Text(" ".join(dict.fromkeys(r.exercise.module for r in row.results)), style="bold"))
        return grid
    result = row.results[0]
    passed = sum(o.passed for o in result.outcomes)
    line = status + Text.assemble((f"{result.exercise.id:<{id_width}}", "bold"),
                                  f"  {passed:>2}/{len(result.outcomes):<2}  {result.exercise.title}")
    line.truncate(width, overflow="ellipsis")  # a title never takes a second line
    return line


def render(results: list[ExerciseResult], width: int, track: str = "all") -> Group:
    """The progress table: a title, then one aligned line per row of table_rows."""
    rows = table_rows(results)
    id_width = max([len(r.results[0].exercise.id) for r in rows if not r.collapsed] or [0])
    title = Text(f"Your progress (public tests{'' if track == 'all' else ', track ' + track})", style="bold")
    return Group(title, *(_row(row, id_width, width) for row in rows))


def shown_failure(results: list[ExerciseResult]) -> ExerciseResult | None:
    """The exercise whose failure the report ends with: the first one failing in teaching
    order (a real failure says most), else none (a stub's NotImplementedError says nothing
    the Next: line does not)."""
    return next((r for r in results if r.status == "failing"), None)


def _rows_of(text: Text, console: Console, width: int) -> int:
    return len(text.wrap(console, width))


def failure_block(result: ExerciseResult, console: Console, max_rows: int | None = None) -> Group:
    """The first failure of `result`: which test, the check's message, where, what it printed.

    With max_rows (a terminal's height left over), the message's first line (the call, the
    shapes, the worst element, then the oracle's long explanation) is cut, never below
    MIN_MESSAGE_ROWS rows, so that the likely bug and the student's line stay on the screen.
    """
    failure = result.first_failure
    assert failure is not None
    width = max(20, console.width - 2)
    header = Text.assemble(("✘ ", "red"), (result.exercise.id, "bold red"), f", {failure.test}:")
    first, _, rest = failure.message.partition("\n")
    main, details = Text(first, style="red"), Text(rest, style="red")
    where = Text("\n".join(f"at {line}" for line in failure.where), style="dim")
    printed = Text("your code printed:\n" + "\n".join(f"  {line}" for line in failure.printed.splitlines())
                   if failure.printed else "")
    parts = [part for part in (details, where, printed) if part.plain]
    if max_rows is not None:
        others = 1 + sum(_rows_of(part, console, width) for part in parts)
        lines = main.wrap(console, width)
        keep = max(MIN_MESSAGE_ROWS, max_rows - others - 1)  # - 1: the line that says it was cut
        if len(lines) > keep:
            main = Text("\n").join([*list(lines)[:keep], Text(f"… (all of it: make test EX={result.exercise.id})",
                                                                 style="dim")])
    return Group(header, *(Padding(part, (0, 0, 0, 2)) for part in [main, *parts]))


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


def _stub_line(results: list[ExerciseResult], exercise: Exercise) -> str | None:
    """"exercises/softmax.py:36" for a not-started exercise: where its NotImplementedError is
    raised, or the file's first stub above it (fast_conv's forward calls flatten and im2col,
    which come first in the file and are written first)."""
    result = next((r for r in results if r.exercise == exercise), None)
    failure = result.first_failure if result else None
    if failure is None or not failure.not_started or not failure.where:
        return None
    place = failure.where[-1].split(" in ", 1)[0]  # the student's frames come last
    path, _, line = place.rpartition(":")
    if not path.endswith(f"{exercise.module}.py") or not line.isdigit():
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return place
    first = next((n for n, text in enumerate(lines, 1) if "raise NotImplementedError(" in text), int(line))
    return f"{path}:{min(first, int(line))}"


def summary(results: list[ExerciseResult], track: str = "all") -> str:
    """The sentence before the commands: how far along, and what to work on next (within the track)."""
    done = sum(r.status == "done" for r in results)
    graded = [r for r in results if r.status != "no tests"]
    line = f"{done} of {len(graded)} exercises done."
    todo = next_exercise(results, track)
    if todo is not None:
        return line + f" Next: {todo.id} in {_stub_line(results, todo) or f'exercises/{todo.module}.py'}"
    if graded:
        return line + " Every exercise passes its public tests: hand it in."
    return line


def commands(results: list[ExerciseResult], track: str = "all") -> list[str]:
    """The commands to run next: the next exercise's test and hint, or the submission."""
    todo = next_exercise(results, track)
    if todo is not None:
        return [f"make test EX={todo.id}", f"make hint EX={todo.id}"]
    return ["make submission"] if any(r.status != "no tests" for r in results) else []


def command_lines(commands: list[str], width: int) -> list[str]:
    """The commands indented, side by side when they fit the width, else one per line: a
    command is never broken, so it can be copied whole."""
    side_by_side = "  " + "    ".join(commands)
    return [side_by_side] if len(side_by_side) <= width else [f"  {command}" for command in commands]


def report(results: list[ExerciseResult], console: Console, track: str = "all") -> Group:
    """The whole report: the table, the first failure, the summary and the commands."""
    table = render(results, console.width, track)
    closing = [Text(summary(results, track))] + [Text(line, style="bold") for line in
                                                    command_lines(commands(results, track), console.width)]
    failing = shown_failure(results)
    if failing is None:
        return Group(table, Text(""), *closing)
    max_rows = None
    if console.is_terminal:  # the screen's rows left once the table and the closing lines are shown
        used = len(console.render_lines(table, pad=False)) + sum(
            _rows_of(line, console, console.width) for line in closing)
        max_rows = console.height - 1 - used - 2  # the shell's prompt, two blank lines
    return Group(table, Text(""), failure_block(failing, console, max_rows), Text(""), *closing)


def test_files(tests_dir: Path, chosen: list[Exercise]) -> list[Path]:
    """The test files to collect: test_<file>.py holds the tests of <file>.py's exercises only
    (the public suites' convention), so another exercise file's suite is left out (importing
    it costs time: scipy.signal alone about a second); a file of any other name is kept."""
    wanted = {exercise.module for exercise in chosen}
    others = set(modules()) - wanted
    return sorted(path for path in tests_dir.glob("test_*.py") if path.stem.removeprefix("test_") not in others)


def run(ex: str | None, impl_dir: Path, tests_dir: Path, console: Console, track: str = "all") -> list[ExerciseResult]:
    """Run the public tests of select(ex, track); raises RuntimeError if pytest itself fails."""
    chosen = select(ex, track)
    paths = [_relative(path) for path in test_files(tests_dir, chosen)] or [_relative(tests_dir)]
    args = [*paths, "--impl", _relative(impl_dir), "--track", track] + (["--ex", ex] if ex else [])
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
    console = Console(highlight=False)
    try:
        select(args.ex, args.track)
    except ValueError as error:
        console.print(Text.assemble(("error:", "red"), f" {error}"))
        return 2
    impl_dir = args.impl.resolve()
    if not impl_dir.is_dir():
        console.print(Text.assemble(("error:", "red"), f" IMPL={args.impl}: no such folder"))
        return 2
    try:
        results = run(args.ex, impl_dir, args.tests.resolve(), console, args.track)
    except RuntimeError as error:
        console.print(Text.assemble(("error:", "red"), f" {error}"))
        return 2
    console.print(report(results, console, args.track))
    return 0 if all(r.status in ("done", "no tests") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
