"""Same submission, same score, however busy the machine (issue #12.8).

Two right programs that once lost points only when the machine was busy are graded by the
grader itself, several times, while busy-looping processes load every core. As in a batch,
the per-call limits are calibrated first, without that load (the batch's own parallel
gradings come after the calibration): the limits must leave room for it
(policy.LOAD_ALLOWANCE), and the speed check must not see it (CPU time). Each program must
keep every point every time:

- wrong/network_loop_predict: CNN.predict one window and one filter at a time, ~28x the
  reference (the documented bound is 50x); it timed out at a fixed 2 s floor under load.
- wrong/fast_conv_add_at: an im2col by fancy indexing and np.add.at, 1.6-1.8x the speed
  baseline; it once measured over the 10x bound under load.

Each program runs only the suite it lost points on (test_network.py, test_fast_conv.py),
calibrated on that suite, so a loaded grading costs seconds, not the whole hidden suite.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from grader.trusted.run import HIDDEN, GradingConfig, Runner, calibrated_limits, collect, grade
from grader.trusted.submission import read_submission
from tests.grading.corpus import WRONG_PROGRAMS, folder_builder

# Each program on the suite whose exercise it once lost points on.
PROGRAMS = {"network_loop_predict": "test_network.py", "fast_conv_add_at": "test_fast_conv.py"}
GRADINGS = 2  # of each, under load
# Two per core: the worker then gets well under half a core, a slowdown (2.5x or more) that
# a limit without room for load (LOAD_ALLOWANCE = 1) fails on network_loop_predict.
LOOPS_PER_CORE = 2


@contextlib.contextmanager
def every_core_busy():
    """LOOPS_PER_CORE busy-looping Pythons per core while the block runs; each is stopped by its own handle."""
    count = LOOPS_PER_CORE * (os.cpu_count() or 1)
    # Each in a session of its own, as the grader's workers are: with autogroup scheduling, loops
    # sharing one session would share one slice of the machine.
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True) for _ in range(count)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


@pytest.mark.timeout(600)
def test_right_programs_keep_every_point_while_every_core_is_busy(tmp_path: Path):
    lost: dict[str, list[str]] = {}
    try:
        for name, suite in PROGRAMS.items():
            submission = read_submission(folder_builder(WRONG_PROGRAMS / name)(tmp_path / name, {}))
            config = GradingConfig(suite=HIDDEN / suite)
            collected = collect(tmp_path, config)
            # As in a batch: the reference is timed first, alone; the gradings then share the cores.
            config = replace(config, limits=calibrated_limits(collected, config))
            with every_core_busy():
                for _ in range(GRADINGS):
                    for exercise in grade(submission, name, collected, config).exercises:
                        if exercise.score != exercise.max_score:
                            lost.setdefault(name, []).append(
                                f"{exercise.exercise.id} {float(exercise.score):g}/{float(exercise.max_score):g} "
                                f"(limits {config.limits.describe()}): {'; '.join(exercise.failures)[:600]}")
    finally:
        Runner.close_all()
    assert not lost, f"right programs lost points under load: {lost}"
