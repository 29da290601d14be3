"""The adversarial suite: every attack of the corpus, graded in ONE batch next to the reference.

The grader's promise, per submission: it cannot raise its own score above what its correct
code earns, nor change, delay or break anyone else's; the batch completes with a row for
every submission; the machine is left clean. Each attack states its exact expected scores
(corpus.py): 0 where it cheats, full points where the rest of its code is honest. The batch
(conftest.py) also holds the example class and the layout cases of test_grading.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.report import submission_folder
from tests.grading.corpus import REPO, Attack
from tests.grading.harness import (ATTACKS, BATCH_TIMEOUT, FULL, WORLD_WRITABLE, Batch, git_status,
                                  grader_processes_since, live_processes, read_results, row_of, scores_of,
                                  tree_digest)

pytestmark = pytest.mark.timeout(BATCH_TIMEOUT + 60)  # pytest-timeout: a whole batch runs in one test

MAX_OUTPUT_BYTES = 1_000_000  # a results.json or feedback.md larger than this means unbounded student output


def test_the_grader_ran_and_wrote_one_row_per_submission(batch: Batch):
    assert batch.completed.returncode == 0, f"grader exited {batch.completed.returncode}:\n{batch.completed.stderr[-3000:]}"
    names = [row["submission"] for row in batch.rows]
    assert sorted(names) == sorted(batch.submissions), "gradebook rows do not match the submissions"
    assert list(batch.rows[0]) == ["submission", "score", "max_score", *FULL, "status"]


def test_the_reference_keeps_full_marks(batch: Batch):
    assert scores_of(row_of(batch, "reference")) == FULL


@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.name for attack in ATTACKS])
def test_attack_scores_exactly_as_expected(batch: Batch, attack: Attack):
    if attack.skip_reason():
        pytest.skip(attack.skip_reason())
    row = row_of(batch, attack.name)
    expected, got = attack.expected_scores(), scores_of(row)
    wrong = {exercise_id: f"got {got[exercise_id]:g}, expected {expected[exercise_id]:g}"
             for exercise_id in FULL
             if expected[exercise_id] is not None and abs(got[exercise_id] - expected[exercise_id]) > 1e-9}
    wrong |= {exercise_id: f"got {got[exercise_id]:g}, more than its {FULL[exercise_id]:g} points"
              for exercise_id in FULL if expected[exercise_id] is None and got[exercise_id] > FULL[exercise_id]}
    feedback = submission_folder(batch.out, attack.name) / "feedback.md"
    assert not wrong, (f"{attack.name} ({attack.trick}): {wrong}\nstatus: {row['status']}\n"
                       f"feedback:\n{feedback.read_text()[:3000] if feedback.exists() else '(none)'}")
    assert abs(float(row["score"]) - sum(got.values())) < 1e-9
    assert row["status"].startswith(attack.status), f"{attack.name}: status {row['status']!r}, expected {attack.status!r}"


def test_every_results_json_is_complete_and_agrees_with_the_gradebook(batch: Batch):
    for row in batch.rows:
        results = read_results(batch.out, row["submission"])
        assert {"score", "execution_time", "output", "tests"} <= set(results), row["submission"]
        for test in results["tests"]:
            assert {"name", "number", "score", "max_score", "status", "output", "visibility"} <= set(test)
            assert 0 <= test["score"] <= test["max_score"], (row["submission"], test["name"])
        assert abs(results["score"] - float(row["score"])) < 1e-9, row["submission"]
        assert abs(sum(test["score"] for test in results["tests"]) - results["score"]) < 1e-6, row["submission"]


def test_student_output_is_bounded_in_what_the_grader_writes(batch: Batch):
    for path in batch.out.rglob("*"):
        if path.is_file():
            assert path.stat().st_size < MAX_OUTPUT_BYTES, f"{path} is {path.stat().st_size} bytes"


def test_no_forged_results_anywhere_in_the_output(batch: Batch):
    for path in batch.out.rglob("*"):
        if path.is_file():
            assert b"FORGED" not in path.read_bytes(), f"{path} holds a forged result"


def test_nothing_ran_in_the_judge_or_escaped(batch: Batch):
    """Markers an attack can only leave by succeeding (see the attacks' code)."""
    for marker in ("unpickled-in-judge", "zip-slip-relative.py", "zip-slip-absolute.py",
                   "zip-symlink-through.py", "daemon-outlived-worker", "read-hidden", "read-git", "read-venv",
                   "scipy-by-path", "scipy-finder"):
        assert not (batch.markers / marker).exists(), f"{marker}: an attack succeeded"


def test_the_environment_does_not_leak_the_graders_secrets(batch: Batch):
    own = batch.markers / "own-environment"
    assert own.exists(), "read_environment did not run"
    assert batch.secret not in own.read_text(), "the worker's environment is not scrubbed"
    if os.geteuid() != 0:
        pytest.skip("the grader's own /proc/<pid>/environ is readable by a worker of the same user: needs root")
    assert batch.secret not in (batch.markers / "ancestors-environment").read_text(), \
        "the worker read the grader's environment from /proc"


def test_file_size_limit_holds(batch: Batch):
    junk = batch.markers / "junk.bin"
    size = junk.stat().st_size if junk.exists() else 0
    assert size <= 64 * 2**20, f"disk_fill wrote {size >> 20} MB outside its folder: no file-size limit"


def test_no_process_outlives_the_batch(batch: Batch):
    stray = {}
    for pid_file in (batch.markers / "pids").iterdir():
        pid = int(pid_file.name)
        if pid in live_processes():
            stray[pid] = "an attack's child"
    stray.update(grader_processes_since(batch.processes_before, batch.grader_tmp))
    for pid in stray:  # clean up before failing, so one failure does not leak into the machine
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    assert not stray, f"processes left running after the batch: {stray}"


def test_submissions_and_repository_untouched(batch: Batch):
    for name, path in batch.submissions.items():
        assert tree_digest(path) == batch.digests_before[name], f"the grader changed the submission {name}"
    assert git_status() == batch.git_before, "the grader left files in the repository"


def test_no_leftovers_in_the_temp_folders(batch: Batch):
    """The grader's TMPDIR ends empty; what a worker littered elsewhere (litter_files) is gone."""
    assert not list(batch.grader_tmp.iterdir()), f"left in the grader's TMPDIR: {list(batch.grader_tmp.iterdir())}"
    token = batch.markers.name  # in the litter's names: other runs on a shared machine do not count
    litter = [str(p) for folder in [*WORLD_WRITABLE, REPO] if folder.is_dir() for p in folder.glob(f"kata-litter-{token}")]
    assert not litter, f"files a worker left behind: {litter}"
