"""Fixtures of the tooling tests: running the layer suites on a modified copy of solutions/."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Case:
    suite: str  # "public" or "hidden"
    name: str  # "test_forward[image_shape0-3-16]"
    exercise: str  # its @pytest.mark.exercise id (conftest records it in the JUnit report)
    failed: bool  # failed or errored
    message: str  # the exception message alone ("" when it passed)


@dataclass
class SuiteRun:
    returncode: int
    output: str
    cases: list[Case]

    def messages(self, suite: str) -> list[str]:
        return [case.message for case in self.cases if case.failed and case.suite == suite]


def run_suites(impl: Path, module: str, report: Path, *options: str) -> SuiteRun:
    """pytest tests/public/test_<module>.py tests/hidden/test_<module>.py --impl <impl>, in a
    subprocess (the command a student or CI would type), read back from its JUnit XML.

    The XML holds each failure's exception message alone: a printed traceback may also
    show source code that contains the very phrase a test looks for.
    """
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"tests/public/test_{module}.py", f"tests/hidden/test_{module}.py",
               "--impl", str(impl), f"--junitxml={report}", *options]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    cases = []
    for node in ElementTree.parse(report).iter("testcase"):
        problems = [child for child in node if child.tag in ("failure", "error")]
        properties = {prop.get("name"): prop.get("value") for prop in node.iter("property")}
        cases.append(Case(suite=node.get("classname", "").split(".")[1], name=node.get("name", ""),
                          exercise=properties.get("exercise", ""), failed=bool(problems),
                          message=problems[0].get("message", "") if problems else ""))
    return SuiteRun(done.returncode, done.stdout + done.stderr, cases)


@pytest.fixture(scope="session")
def suites() -> Callable[..., SuiteRun]:
    """run_suites, for tests that need the layer suites' verdict on a copy of solutions/."""
    return run_suites
