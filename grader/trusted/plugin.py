"""The pytest plugin of a grading run: the sandboxed `student` and an outcome record per test.

Loaded with `-p grader.trusted.plugin` by grader/trusted/run.py, in a trusted pytest process
that never imports student code:

    --grader-collect FILE      write the collected tests (nodeid, exercise, weight) as JSON
    --grader-submission DIR    the staged submission: tests reach it through SandboxStudent
    --grader-outcomes FILE     append one JSON line per finished test: nodeid, passed, message
                               (and {"banned": file, "module": name} for refused imports, and
                               {"leaderboard": name, "value": x, "order": o} for a figure a
                               passing test recorded with record_property("leaderboard", ...))
    --grader-limits JSON       seconds per call into the student's code (policy.TimeLimits)

An outcome line says "passed" only when setup, call and teardown all passed; the grader
scores a test only from such a line, so a test that never finishes scores 0. Messages are
the failure's own text (the checks word them for students), never the test's source: the
run uses --assert=plain so no assertion is rewritten to show its expression.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kata.judge.student import STUDENT_FACTORY, ImplementationError

from grader.trusted import policy
from grader.trusted.protocol import StudentError
from grader.trusted.proxy import SandboxStudent

MAX_MESSAGE = 1500
TIMING = "timing.json"  # next to the outcomes: the slowest call into each of the student's functions
FAILED = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader")
    group.addoption("--grader-collect", type=Path, help="write the collected tests here (JSON)")
    group.addoption("--grader-submission", type=Path, help="the staged submission folder to grade")
    group.addoption("--grader-outcomes", type=Path, help="append per-test outcomes here (JSON lines)")
    group.addoption("--grader-limits", type=policy.TimeLimits.from_json,
                    default=policy.TimeLimits(policy.DEFAULT_TIMEOUT), help="seconds per call, as JSON")


def exercise_of(item: pytest.Item) -> tuple[str, float]:
    """The test's exercise id and weight, from @pytest.mark.exercise(id, weight=1)."""
    marker = item.get_closest_marker("exercise")
    weight = marker.kwargs.get("weight", marker.args[1] if len(marker.args) > 1 else 1)
    return marker.args[0], float(weight)


class Recorder:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.students: list[SandboxStudent] = []
        folder = config.getoption("--grader-submission")
        if folder is not None:
            self.files = {path.name: path.read_bytes() for path in sorted(folder.glob("*.py"))}
            config.stash[STUDENT_FACTORY] = self.make_student
            signal.signal(signal.SIGTERM, lambda signum, frame: self.stop(128 + signum))
            threading.Thread(target=self.watch_parent, args=(os.getppid(),), daemon=True).start()

    def stop(self, code: int) -> None:
        """Stopped by the grader (its time budget ran out, or it died): take the workers down too."""
        for student in self.students:
            student.close()
        os._exit(code)

    def watch_parent(self, parent: int) -> None:
        """A grading run killed outright (SIGKILL) must not leave this run, its worker or its
        scratch folder (which only the dead grader would have removed) behind."""
        while os.getppid() == parent:
            time.sleep(0.5)
        shutil.rmtree(Path(self.config.getoption("--grader-outcomes")).parent, ignore_errors=True)
        self.stop(1)

    def make_student(self, config: pytest.Config) -> SandboxStudent:
        scratch = Path(config.getoption("--grader-outcomes")).parent
        student = SandboxStudent(self.files, scratch, config.getoption("--grader-limits"))
        self.students.append(student)
        return student

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        target = self.config.getoption("--grader-collect")
        if target is None:
            return
        tests = [dict(zip(("exercise", "weight"), exercise_of(item)), nodeid=item.nodeid) for item in session.items]
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(json.dumps(tests, indent=1))
        os.replace(temporary, target)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        report = yield
        if (report.failed or report.skipped) and FAILED not in item.stash:
            item.stash[FAILED] = message_of(call, case_name(item)) if report.failed else "skipped"
        if call.when == "teardown":
            failure = item.stash.get(FAILED, None)
            records = [{"nodeid": item.nodeid, "passed": failure is None, "message": failure or ""}]
            if failure is None:
                records += leaderboard_records(item)
            for student in self.students:  # banned imports the worker refused: the file scores 0
                records += [{"banned": file, "module": module} for file, module in student.violations.items()]
            self.write(records)
        return report

    def write(self, records: list[dict]) -> None:
        target = self.config.getoption("--grader-outcomes")
        if target is not None:
            with open(target, "a") as out:
                out.write("".join(json.dumps(record) + "\n" for record in records))

    def pytest_unconfigure(self) -> None:
        for student in self.students:
            student.close()
        target = self.config.getoption("--grader-outcomes")
        if target is not None and self.students:  # the time-limit calibration reads it (run.call_seconds)
            slowest: dict[str, float] = {}
            for student in self.students:
                for function, seconds in student.call_seconds.items():
                    slowest[function] = max(slowest.get(function, 0.0), seconds)
            (Path(target).parent / TIMING).write_text(json.dumps(slowest))


def leaderboard_records(item: pytest.Item) -> list[dict]:
    """Figures a test computed on the trusted side for Gradescope's leaderboard, e.g.
    record_property("leaderboard", {"name": "Conv time (x NumPy)", "value": 1.4, "order": "asc"})."""
    records = []
    for key, entry in item.user_properties:
        if key == "leaderboard" and type(entry) is dict and isinstance(entry.get("value"), (int, float)):
            records.append({"leaderboard": str(entry["name"]), "value": float(entry["value"]),
                            "order": "asc" if entry.get("order") == "asc" else "desc"})
    return records


def case_name(item: pytest.Item) -> str:
    """The test's function and, when parametrized, the case's number: never its parameter ids,
    which could name a hidden case's shapes or values."""
    name = getattr(item, "originalname", None) or item.name.partition("[")[0]
    callspec = getattr(item, "callspec", None)
    if callspec is None or not callspec.indices:
        return name
    return f"{name}, case {1 + sum(callspec.indices.values())}" if len(callspec.indices) == 1 else \
        f"{name}, case {'-'.join(str(1 + i) for i in callspec.indices.values())}"


def message_of(call: pytest.CallInfo, case: str) -> str:
    """A failure in a student's words: the check's message, or the error's type and text.

    An error (the student's code raised, or returned something the test could not use)
    says which test case it came from: a check's message names its inputs, an error's does
    not, and the grader lists each distinct message of an exercise once.
    """
    if call.excinfo is None:
        return "the test failed"
    error = call.excinfo.value
    if isinstance(error, StudentError):
        text = f"In test case {case}: {error}"
    elif isinstance(error, AssertionError):
        text = str(error).strip() or "a check failed"
    elif isinstance(error, ImplementationError):
        text = str(error)
    else:
        text = f"In test case {case}: {type(error).__name__}: {error}"
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "..."


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
    """In a grading run, a failure's report holds its message alone.

    pytest's own report renders the failing test's traceback with source (it parses the
    test files' syntax trees), which costs more than running the tests when a submission
    fails them all, and no one reads it: the outcomes file is the record. Skips and passes
    keep pytest's report.
    """
    if (item.config.getoption("--grader-submission") is None or call.excinfo is None
            or call.excinfo.errisinstance(pytest.skip.Exception)):
        return None
    return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed",
                             message_of(call, case_name(item)), call.when, duration=call.duration, start=call.start, stop=call.stop)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Recorder(config), "grader-recorder")
