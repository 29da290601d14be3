"""The example class and the layout cases, graded in the shared batch (conftest.py) next to
the attack corpus; and the command line's own errors.

Expected scores are stated per exercise and derived from the registry and authoring/bugs.py, so
they hold for any correct hidden suite: the reference earns everything; an exercise whose
code is wrong, missing, banned or cheating earns less (0 where the whole file is out).
"""

from __future__ import annotations

import pytest

from grader.report import submission_folder
from kata.exercises import EXERCISES, exercises_in, importers_of, modules

from authoring.example_class import classic, crashing_module, solved_half
from tests.grading.corpus import REPO as ROOT
from tests.grading.harness import BATCH_TIMEOUT, FULL, Batch, read_results

pytestmark = pytest.mark.timeout(BATCH_TIMEOUT + 60)  # pytest-timeout: the shared batch may run in this module


@pytest.fixture(scope="module")
def graded(batch: Batch) -> dict[str, dict]:
    """The shared batch's rows (conftest.py), with each submission's results.json and feedback."""
    return {row["submission"]: {"row": row, "results": read_results(batch.out, row["submission"]),
                                "feedback": (submission_folder(batch.out, row["submission"]) / "feedback.md").read_text()}
            for row in batch.rows}


def ids(*module_names: str) -> set[str]:
    return {e.id for m in module_names for e in exercises_in(m)}


def scores(graded: dict, name: str) -> dict[str, float]:
    return {e.id: float(graded[name]["row"][e.id]) for e in EXERCISES}


def test_gradebook_columns_follow_the_registry(graded):
    row = graded["reference"]["row"]
    assert list(row) == ["submission", "score", "max_score", *(e.id for e in EXERCISES), "status"]
    assert float(row["score"]) == float(row["max_score"]) == sum(FULL.values())
    assert row["status"] == "graded"


def test_reference_keeps_full_marks(graded):
    assert scores(graded, "reference") == FULL


def test_half_done_scores_its_finished_files_only(graded):
    done = ids(*solved_half())
    assert scores(graded, "half_done") == {e: (FULL[e] if e in done else 0.0) for e in FULL}


def test_classic_bugs_lose_points_exactly_where_they_are(graded):
    got = scores(graded, "classic_bugs")
    buggy, touched = {bug.exercise for bug in classic()}, {bug.module for bug in classic()}
    # An exercise whose file imports a buggy one may lose points too: network.train runs the
    # tie double-count on real digits, which tie.
    importing = set().union(*(importers_of(module) for module in touched))
    for exercise in FULL:
        if exercise in buggy:
            assert got[exercise] < FULL[exercise], exercise
        elif exercise.split(".")[0] not in touched and exercise not in importing:
            assert got[exercise] == FULL[exercise], exercise


def test_crash_at_import_costs_that_file_only(graded):
    got = scores(graded, "crashes_at_import")
    crashed = ids(crashing_module())
    assert got == {e: (0.0 if e in crashed else FULL[e]) for e in FULL}
    assert "NameError" in graded["crashes_at_import"]["feedback"]


def test_banned_import_zeroes_the_file_with_a_reason(graded):
    """The corpus pins banned_scipy's scores; the student must also be told why."""
    feedback = graded["banned_scipy"]["feedback"]
    assert "scipy" in feedback and "not allowed" in feedback


def test_missing_file_zeroes_its_exercises_with_a_message(graded):
    got = scores(graded, "no_dense")
    dependent = {m for m in modules() if m != "dense"}
    assert all(got[e] == 0 for e in ids("dense"))
    assert all(got[e] == FULL[e] for e in ids(*dependent) if e not in importers_of("dense"))
    assert "dense.py is missing" in graded["no_dense"]["feedback"]


def test_results_json_follows_gradescope_schema(graded):
    results = graded["classic_bugs"]["results"]
    assert set(results) >= {"score", "execution_time", "output", "tests"}
    assert results["score"] == pytest.approx(float(graded["classic_bugs"]["row"]["score"]))
    for test in results["tests"]:
        assert set(test) == {"name", "number", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] == "after_published"
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"])


def test_feedback_never_shows_test_source(graded):
    for entry in graded.values():
        assert "def test_" not in entry["feedback"] and "student.module(" not in entry["feedback"]


def test_the_grading_guide_points_table_matches_the_registry():
    from grader.cli import points_table

    guide = (ROOT / "docs" / "grading.md").read_text()
    table = guide.split("<!-- points:begin -->\n", 1)[1].split("<!-- points:end -->", 1)[0]
    assert table == points_table(), "docs/grading.md's points table is stale: paste `python -m grader points` into it"


@pytest.mark.parametrize("arguments, message", [
    (["grade", "no/such/folder"], "no such readable folder or file"),
    (["grade", "--jobs", "0"], "--jobs must be at least 1"),
    (["grade", "--timeout", "-1"], "argument --timeout: must be more than 0 and at most 3600 seconds"),
    (["grade", "exercises", "solutions", "solutions/"], "would both be graded as"),
    (["grade"], "name the submissions to grade"),
    (["grade", "solutions", "--out", "README.md"], "cannot create the output folder"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_a_message(arguments, message, capsys, monkeypatch):
    from grader.cli import main

    monkeypatch.chdir(ROOT)
    try:
        code = main(arguments)
    except SystemExit as exit:  # argparse's own errors
        code = exit.code
    assert code == 2 and message in capsys.readouterr().err
