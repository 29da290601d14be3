"""Grading one track: the gradebook, results.json and feedback hold that track's exercises only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.report import submission_folder
from kata.exercises import in_track, modules
from tests.grading.corpus import SOLUTIONS
from tests.grading.harness import BATCH_TIMEOUT, finish, read_gradebook, start_grader

pytestmark = pytest.mark.timeout(BATCH_TIMEOUT + 60)


def test_a_seed_track_grading_is_out_of_110_and_names_only_seed_exercises(tmp_path: Path):
    # A seed-track student hands in the seed files only: nothing is "missing" for them.
    submission = tmp_path / "seed_student"
    submission.mkdir()
    for module in modules("seed"):
        shutil.copy(SOLUTIONS / f"{module}.py", submission)
    done = finish(start_grader([submission], tmp_path / "out", "--track", "seed"))
    assert done.returncode == 0, done.stdout + done.stderr
    seed_ids = [e.id for e in in_track("seed")]
    [row] = read_gradebook(tmp_path / "out")
    assert list(row) == ["submission", "score", "max_score", *seed_ids, "status"]
    assert (row["score"], row["max_score"], row["status"]) == ("110", "110", "graded")
    results = json.loads((submission_folder(tmp_path / "out", "seed_student") / "results.json").read_text())
    assert [t["name"].split(":")[0] for t in results["tests"]] == seed_ids
    feedback = (submission_folder(tmp_path / "out", "seed_student") / "feedback.md").read_text()
    assert "**Score: 110 / 110**" in feedback
    assert not [e.id for e in in_track("advanced") if e.id in feedback] and "missing" not in feedback


def test_the_configuration_chooses_the_suite_and_the_track(tmp_path: Path):
    from grader.trusted.run import GradingConfig, Runner, collect
    from tests.grading.corpus import REPO

    try:
        public_seed = collect(tmp_path, GradingConfig(suite=REPO / "tests" / "public", track="seed"))
    finally:
        Runner.close_all()
    assert public_seed and all(t.nodeid.startswith("tests/public/") for t in public_seed)
    assert {t.exercise for t in public_seed} == {e.id for e in in_track("seed")}
