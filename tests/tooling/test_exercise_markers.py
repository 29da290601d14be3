"""Each exercise's tests really call that exercise's code, and their marker says so.

For every exercise, a copy of solutions/ in which only that exercise's function is a stub
runs the suites of its file. Every test marked with the exercise must fail with that
function's NotImplementedError (so no test of it can pass without it, and the grader's
column for it counts the right tests); every other failure must be the same error, from a
later exercise that calls it (a backward test runs forward first); everything else passes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from kata.exercises import BY_ID, EXERCISES, Exercise
from kata.kit.stubs import make_stub

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, suites, selected: Callable[[str], list]) -> dict:
    """For each selected exercise, the suites of its file on solutions/ with only it stubbed,
    all started at once."""
    started = {}
    for exercise in selected("exercise"):
        workdir = tmp_path_factory.mktemp("stubbed")
        shutil.copytree(ROOT / "solutions", workdir / "impl")
        source = (ROOT / "solutions" / f"{exercise.module}.py").read_text()
        stub = make_stub(source, exercise.module, functions=set(exercise.written_in))
        (workdir / "impl" / f"{exercise.module}.py").write_text(stub)
        started[exercise.id] = suites(workdir / "impl", exercise.module, workdir / "report.xml")
    return {name: run.result() for name, run in started.items()}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
def test_only_this_exercise_stubbed_fails_exactly_its_tests(exercise: Exercise, runs: dict):
    functions = set(exercise.written_in)  # "conv.backward" -> the method backward of conv.py
    run = runs[exercise.id]
    own = [case for case in run.cases if case.exercise == exercise.id]
    assert own, f"no test is marked @pytest.mark.exercise({exercise.id!r})"
    for case in run.cases:
        from_this_stub = (case.message.startswith("NotImplementedError: ")
                          and any(f".{function} is not written" in case.message for function in functions))
        if case.exercise == exercise.id:
            assert case.failed and from_this_stub, (
                f"tests/{case.suite} {case.name} is marked {exercise.id} but does not need it: "
                f"with only {exercise.id} stubbed it {'failed with ' + case.message if case.failed else 'passed'}")
        elif case.failed:
            other = BY_ID[case.exercise]
            later = EXERCISES.index(other) > EXERCISES.index(exercise)
            shares_code = other.module == exercise.module and set(other.written_in) & functions
            assert from_this_stub and (later or shares_code), (
                f"tests/{case.suite} {case.name} ({case.exercise}) failed: {case.message}")
