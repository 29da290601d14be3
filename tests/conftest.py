"""Shared fixtures of the public and hidden suites.

    --impl DIR        the implementation under test (default: $KATA_IMPL or exercises/)
    --ex NAME         only one exercise: a file (conv) or an id (conv.backward). Only the
                      option selects: an EX left in the environment must not quietly
                      shrink `make check` (the Makefile passes --ex for `make test EX=...`)
    --track NAME      only one track's exercises: seed, advanced or all (the default)
    --expect-stubs    invert the verdict: every test must fail with the stubs'
                      NotImplementedError (make check runs this on exercises/, proving
                      that no test can pass without the student's code)

Every test carries @pytest.mark.exercise("<id>") naming an exercise of kata/exercises.py:
that is how the grader turns test results into gradebook columns.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
import pytest

from kata.exercises import BY_ID, select
from kata.judge.student import STUDENT_FACTORY, InProcessStudent

ROOT = Path(__file__).resolve().parent.parent
# The repository's own tests: not graded, no exercise.
OWN_TESTS = (ROOT / "tests" / "tooling", ROOT / "tests" / "grading")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kata")
    group.addoption("--impl", default=os.environ.get("KATA_IMPL", "exercises"),
                    help="folder holding the implementation under test (default: exercises)")
    group.addoption("--ex", default=None,
                    help="only one exercise: a file (conv) or an id (conv.backward)")
    group.addoption("--track", default="all", help="only one track: seed, advanced or all (default)")
    group.addoption("--expect-stubs", action="store_true",
                    help="every test must fail with NotImplementedError (run on the stubs)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        chosen = {exercise.id for exercise in select(config.getoption("--ex"), config.getoption("--track"))}
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    deselected = []
    for item in items:
        if any(folder in item.path.parents for folder in OWN_TESTS):
            continue
        marker = item.get_closest_marker("exercise")
        if marker is None or marker.args[0] not in BY_ID:
            raise pytest.UsageError(
                f"{item.nodeid}: every test needs @pytest.mark.exercise(<id>) with an id from kata/exercises.py"
            )
        item.user_properties.append(("exercise", marker.args[0]))  # JUnit XML reports name it
        if marker.args[0] not in chosen:
            deselected.append(item)
        if config.getoption("--expect-stubs"):
            item.add_marker(pytest.mark.xfail(raises=NotImplementedError, strict=True,
                                              reason="must fail on the stubs"))
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest):
    """The implementation under test; see kata/judge/student.py for what tests may do with it."""
    factory = request.config.stash.get(STUDENT_FACTORY, None)
    if factory is not None:
        return factory(request.config)
    impl = Path(request.config.getoption("--impl"))
    impl = impl if impl.is_absolute() else Path(request.config.invocation_params.dir) / impl
    if not impl.is_dir():
        raise pytest.UsageError(f"--impl {impl}: no such folder")
    return InProcessStudent(impl)


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from the test's own id: every run draws the same cases."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
