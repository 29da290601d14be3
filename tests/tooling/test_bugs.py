"""Every classic bug of authoring/bugs.py, written into a copy of solutions/, fails the suites
with a message that points at it: the public suite (what `make test IMPL=<copy>` runs, so a
student sees it) and the hidden one (so the grader does) each, unless the bug says that
only the hidden suite's broader cases can show it (Bug.caught_by).

Each bug's copy runs in its own pytest process (the `suites` fixture of conftest.py),
restricted to the bug's file and to the exercise whose tests must catch it, two at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from authoring.bugs import BUGS, Bug, apply

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, suites, selected: Callable[[str], list]) -> dict:
    """The run of every bug a selected test asks about, all started at once."""
    started = {}
    for bug in selected("bug"):
        workdir = tmp_path_factory.mktemp("bug")
        apply([bug], ROOT / "solutions", workdir / "impl")
        started[bug.name] = suites(workdir / "impl", bug.module, workdir / "report.xml", "--ex", bug.exercise)
    return {name: run.result() for name, run in started.items()}


def test_every_bug_still_applies_to_the_solutions(tmp_path):
    for bug in BUGS:
        apply([bug], ROOT / "solutions", tmp_path / bug.name.replace(" ", "_"))


def test_bug_names_are_unique_and_exercises_exist():
    from kata.exercises import BY_ID

    assert len({bug.name for bug in BUGS}) == len(BUGS)
    for bug in BUGS:
        assert bug.exercise in BY_ID and BY_ID[bug.exercise].module == bug.module, bug


def test_apply_refuses_a_bug_whose_text_is_gone(tmp_path):
    stale = Bug("stale", "conv", "conv.forward", "this text is not in conv.py", "", "x")
    with pytest.raises(ValueError, match="no longer in solutions/conv.py"):
        apply([stale], ROOT / "solutions", tmp_path)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("bug", "suite"), [(bug, suite) for bug in BUGS for suite in bug.caught_by],
                         ids=lambda value: value.name if isinstance(value, Bug) else value)
def test_bug_fails_with_its_symptom(bug: Bug, suite: str, runs: dict):
    run = runs[bug.name]
    assert run.returncode == 1, f"{bug.name}: the suites did not fail (exit {run.returncode}):\n{run.output[-3000:]}"
    messages = run.messages(suite)
    assert any(bug.symptom.lower() in message.lower() for message in messages), (
        f"{bug.name}: no failure message of tests/{suite} mentions {bug.symptom!r}; the messages were:\n"
        + "\n---\n".join(messages)
    )
