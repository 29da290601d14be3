"""Every classic bug of kata/bugs.py, written into a copy of solutions/, fails the suites
with a message that points at it.

Each bug's copy runs in its own pytest subprocess (the command a student would type,
`pytest tests/public tests/hidden --impl <copy>`, restricted to the bug's file and to the
exercise whose tests must catch it), two at a time. Failure messages are read from JUnit XML, which holds each failure's exception
message alone: the printed traceback would also show the checks' source code, where every
symptom phrase is written, and so could not prove anything.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from kata.bugs import BUGS, Bug, apply

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    returncode: int
    output: str
    messages: list[str]  # the exception message of every failed or erroring test


def run_suites(bug: Bug, workdir: Path) -> Run:
    impl, report = workdir / "impl", workdir / "report.xml"
    apply([bug], ROOT / "solutions", impl)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"tests/public/test_{bug.module}.py", f"tests/hidden/test_{bug.module}.py",
               "--impl", str(impl), "--ex", bug.exercise, f"--junitxml={report}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    tree = ElementTree.parse(report)
    messages = [node.get("message", "") for tag in ("failure", "error") for node in tree.iter(tag)]
    return Run(done.returncode, done.stdout + done.stderr, messages)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every bug's run, two at a time (the machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {bug.name: pool.submit(run_suites, bug, tmp_path_factory.mktemp("bug")) for bug in BUGS}
        return {name: future.result() for name, future in futures.items()}


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
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_bug_fails_with_its_symptom(bug: Bug, runs: dict[str, Run]):
    run = runs[bug.name]
    assert run.returncode == 1, f"{bug.name}: the suites did not fail (exit {run.returncode}):\n{run.output[-3000:]}"
    assert any(bug.symptom.lower() in message.lower() for message in run.messages), (
        f"{bug.name}: no failure message mentions {bug.symptom!r}; the messages were:\n"
        + "\n---\n".join(run.messages)
    )
