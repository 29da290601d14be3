"""Faults of the grading run itself: killed halfway, then restarted with the same --out.

Fairness under noise (stray prints, floating-point warnings) and slowness (plain Python
loops) are attacks of the main batch: noisy_honest and slow_honest in attacks/.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from grader.report import submission_folder
from tests.grading.archives import WRONG_SOFTMAX
from tests.grading.corpus import reference_submission
from kata.exercises import EXERCISES
from tests.grading.harness import (BATCH_TIMEOUT, FULL, finish, grader_processes_since, live_processes,
                                  private_tmp, read_gradebook, scores_of, start_grader)

pytestmark = pytest.mark.timeout(BATCH_TIMEOUT + 60)  # pytest-timeout: a whole batch runs in one test


def graded_so_far(out: Path) -> list[str]:
    """The submissions in the gradebook, which is rewritten after each one is finished."""
    try:
        return [row["submission"] for row in read_gradebook(out)]
    except (OSError, KeyError, ValueError):
        return []


# What is resumed is the bookkeeping, not the tests: submissions of the first four layers
# alone grade in about a second each (the rest of their exercises score 0, file missing).
LAYERS = ("conv", "maxpool", "dense", "softmax")
EXPECTED = {e.id: FULL[e.id] if e.module in LAYERS else 0.0 for e in EXERCISES}


def layers_only(folder: Path) -> Path:
    for path in reference_submission(folder).iterdir():
        if path.stem not in LAYERS:
            path.unlink()
    return folder


def test_a_run_killed_halfway_resumes_without_regrading_or_losing_anything(tmp_path: Path):
    names = [f"student{n}" for n in range(4)]
    submissions = [layers_only(tmp_path / name) for name in names]
    out = tmp_path / "out"
    before, grader_tmp = live_processes(), private_tmp()
    env = dict(os.environ, TMPDIR=str(grader_tmp))
    options = ("--jobs", "1", "--timeout", "10")  # a fixed limit: the attack batch tests the calibration

    grading = start_grader(submissions, out, *options, env=env)
    deadline = time.monotonic() + 120
    while len(graded_so_far(out)) < 2 and grading.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(grading.pid, signal.SIGKILL)  # the grader's main process only, as the OOM killer would
    grading.communicate()
    done = graded_so_far(out)
    assert 2 <= len(done) < len(names), f"could not kill the run halfway (graded before the kill: {done})"
    stamps = {name: (submission_folder(out, name) / "results.json").stat() for name in done}

    changed = done[0]  # edited after its grading: the content hash must trigger a regrade
    with open(tmp_path / changed / "softmax.py", "a") as f:
        f.write(WRONG_SOFTMAX)
    completed = finish(start_grader(submissions, out, *options, env=env))
    assert completed.returncode == 0, completed.stderr[-3000:]

    rows = read_gradebook(out)
    assert sorted(row["submission"] for row in rows) == sorted(names), "rows lost or duplicated"
    for row in rows:
        expected = EXPECTED | ({"softmax.softmax": 0.0} if row["submission"] == changed else {})
        assert scores_of(row) == expected, row
    for name in done[1:]:
        now = (submission_folder(out, name) / "results.json").stat()
        assert (now.st_ino, now.st_mtime_ns) == (stamps[name].st_ino, stamps[name].st_mtime_ns), \
            f"{name} was graded before the kill and has not changed, yet it was graded again"

    deadline = time.monotonic() + 10  # the killed run's workers must not linger
    while (stray := grader_processes_since(before, grader_tmp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in stray:
        os.kill(pid, signal.SIGKILL)
    assert not stray, f"processes of the killed run still alive: {stray}"
    shutil.rmtree(grader_tmp, ignore_errors=True)
