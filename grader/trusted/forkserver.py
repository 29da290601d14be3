"""A warm trusted process that starts each grading run as a fork of itself.

Importing pytest, NumPy and SciPy (the oracles) costs more CPU than grading a correct
submission, so each grading thread of the CLI keeps one of these servers: it imports them
once, then for each request forks a child that runs pytest.main() over the hidden suite.
The child is exactly the trusted pytest process described in run.py (it never imports
student code: only its worker runs that); the server waits for it within the time budget,
kills its process group when the budget runs out, and answers when it is over.

Protocol (JSON lines on stdin/stdout): {"args": [...], "log": path, "budget": seconds}
-> {"pid": child pid, "code": exit status (informational only, never a result)}.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time

WARM_MODULES = ("numpy", "scipy.signal", "pytest", "kata.judge.checks", "kata.judge.oracles", "kata.judge.layer_checks",
                "grader.judge.oracles", "grader.judge.cases", "grader.judge.speed",
                "kata.judge.nchw", "kata.judge.network_oracle", "kata.kit.data", "grader.trusted.plugin")


def warm_up() -> None:
    """Import what every run imports, and do once what every run would do again."""
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # a module the suites no longer use: it is imported (cold) by the child instead
    from kata.kit.data import load_digits
    from grader.trusted.proxy import worker_python

    load_digits()  # the bundled digits (scikit-learn's reader), kept for every child
    worker_python()  # as root: which interpreter an unprivileged worker can run


def run_child(args: list[str], log_path: str) -> None:
    """In the forked child: its own session, output to the log, then pytest; never returns."""
    code = 3
    try:
        os.setsid()
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        import pytest

        code = int(pytest.main(args))
    finally:
        os._exit(code)


def wait_for(pid: int, budget: float, parent: int) -> int:
    """The child's exit status; kills its group when the budget runs out or the grader died."""
    deadline = time.monotonic() + budget
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline or os.getppid() != parent:
            for signum in (signal.SIGTERM, signal.SIGKILL):  # SIGTERM first: the plugin stops its worker
                try:
                    os.killpg(pid, signum)
                except ProcessLookupError:
                    pass
                time.sleep(0.5 if signum == signal.SIGTERM else 0)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        time.sleep(0.02)


def main() -> None:
    warm_up()
    parent = os.getppid()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            run_child(request["args"], request["log"])
        code = wait_for(pid, float(request["budget"]), parent)
        print(json.dumps({"pid": pid, "code": code}), flush=True)
        if os.getppid() != parent:
            break


if __name__ == "__main__":
    main()
