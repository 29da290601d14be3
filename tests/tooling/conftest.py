"""Fixtures of the tooling tests: commands in a fork of a warm process, and the layer suites
on a modified copy of solutions/.

`forked("kata.kit.train", "--limit", "10")` gives what

    subprocess.run([sys.executable, "-m", "kata.kit.train", "--limit", "10"], cwd=ROOT, capture_output=True, text=True)

gives, without starting an interpreter: starting Python and importing NumPy, SciPy,
scikit-learn, matplotlib and pytest costs 1-3 s, while the command itself often needs a few
tenths. The fork server of the standard library (multiprocessing's "forkserver") is a fresh
single-threaded process that imports them once; each command is a fork of it that runs the
module as __main__ with the same arguments from the same folder. So a run starts with a new
pytest Config and none of the suites' or a student's modules imported: this session's own
state (say, a `conv` module loaded from solutions/) cannot reach it. Starting cold stays
proven by the tests that still type the command (test_handout.py, test_train.py) and by
`make check` itself.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import multiprocessing.forkserver
import os
import runpy
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Imported once by the fork server: what the commands import before doing anything. Never a
# module that a command runs as __main__ (kata.kit.train, kata.kit.progress): runpy must load it fresh.
WARM_MODULES = ["numpy", "scipy.signal", "scipy.special", "sklearn.datasets", "threadpoolctl", "matplotlib.pyplot",
                "rich.console", "rich.progress", "rich.table", "pytest", "kata.judge.student", "kata.judge.layer_checks",
                "kata.judge.nchw", "kata.judge.network_oracle", "kata.kit.data", "kata.kit.plots", __name__]
FORKS = multiprocessing.get_context("forkserver")
RUN_TIMEOUT = 240  # seconds for one command; each test inside a pytest run has pytest-timeout's own limit


def fork_main(module: str, args: list[str], env: dict[str, str | None], stdout: Path, stderr: Path) -> None:
    """In the fork: the rest of `python -m <module> <args>`; its exit status becomes the fork's."""
    gc.freeze()  # the server's heap is no garbage: pytest's gc.collect() calls then skip it
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    os.chdir(ROOT)
    for fd, path in ((1, stdout), (2, stderr)):
        with path.open("w") as file:
            os.dup2(file.fileno(), fd)
    sys.argv = [module, *args]  # runpy puts the module's path first, as `python -m` does
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def run_module(module: str, *args: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """`python -m <module> <args>` in the repository's root, its output captured as text, in a
    fork of the warm server; `env` sets variables (or, with None, removes them) for this run only."""
    with tempfile.TemporaryDirectory() as scratch:
        stdout, stderr = Path(scratch, "stdout"), Path(scratch, "stderr")
        process = FORKS.Process(target=fork_main, args=(module, list(args), env or {}, stdout, stderr))
        process.start()
        process.join(RUN_TIMEOUT)
        if process.exitcode is None:
            process.kill()
            process.join()
            pytest.fail(f"python -m {module} {' '.join(args)} did not finish within {RUN_TIMEOUT} s")
        return subprocess.CompletedProcess([sys.executable, "-m", module, *args], process.exitcode,
                                           stdout.read_text(), stderr.read_text())


@pytest.fixture(scope="session")
def forked() -> Callable[..., subprocess.CompletedProcess]:
    """run_module, once the warm server runs. It starts with single-threaded BLAS (and OpenMP),
    so that no worker threads exist when it forks (forking a threaded process is unsafe) and
    two runs at a time share the two cores."""
    FORKS.set_forkserver_preload(WARM_MODULES)
    with pytest.MonkeyPatch.context() as patch:  # the server keeps the environment it starts with
        patch.setenv("OPENBLAS_NUM_THREADS", "1")
        patch.setenv("OMP_NUM_THREADS", "1")
        multiprocessing.forkserver.ensure_running()
    return run_module


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
    output: str  # pytest's stdout and stderr
    cases: list[Case]

    def messages(self, suite: str) -> list[str]:
        return [case.message for case in self.cases if case.failed and case.suite == suite]


def run_suites(impl: Path, module: str, report: Path, *options: str) -> SuiteRun:
    """pytest tests/public/test_<module>.py tests/hidden/test_<module>.py --impl <impl>, forked,
    read back from its JUnit XML.

    The XML holds each failure's exception message alone: a printed traceback may also
    show source code that contains the very phrase a test looks for.
    """
    done = run_module("pytest", "-q", "-p", "no:cacheprovider", f"tests/public/test_{module}.py",
                      f"tests/hidden/test_{module}.py", "--impl", str(impl), f"--junitxml={report}", *options)
    cases = []
    for node in ElementTree.parse(report).iter("testcase"):
        problems = [child for child in node if child.tag in ("failure", "error")]
        properties = {prop.get("name"): prop.get("value") for prop in node.iter("property")}
        cases.append(Case(suite=node.get("classname", "").split(".")[1], name=node.get("name", ""),
                          exercise=properties.get("exercise", ""), failed=bool(problems),
                          message=problems[0].get("message", "") if problems else ""))
    return SuiteRun(done.returncode, done.stdout + done.stderr, cases)


@pytest.fixture(scope="session")
def suites(forked: Callable) -> Iterator[Callable[..., Future[SuiteRun]]]:
    """suites(impl, module, report, *options) starts run_suites and returns its Future: a
    module starts all of its runs at once, and they run two at a time (two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield functools.partial(pool.submit, run_suites)


@pytest.fixture(scope="module")
def selected(request: pytest.FixtureRequest) -> Callable[[str], list]:
    """selected(name): each value of the parameter `name` among this module's selected tests,
    once, in order; the runs its module fixture must start (-k or --deselect may skip some)."""

    def values(name: str) -> list:
        found = []
        for item in request.session.items:
            params = getattr(getattr(item, "callspec", None), "params", {})
            if item.module is request.module and name in params and params[name] not in found:
                found.append(params[name])
        return found

    return values
