"""Intake beyond one batch: a regrade into the same --out keeps the class's other rows, and
each submission is read exactly once. (The archives and layouts themselves, with their exact
scores and statuses, are in archives.py and graded in the shared batch of test_attacks.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import cli
from grader.report import submission_folder
from grader.trusted.run import Graded, GradingConfig
from tests.grading.corpus import SOLUTIONS
from tests.grading.harness import BATCH_TIMEOUT, finish, read_gradebook, start_grader

pytestmark = pytest.mark.timeout(BATCH_TIMEOUT + 60)

# A fixed limit skips the calibration run: these gradings are about rows, not time.
FAST = ("--track", "seed", "--timeout", "10", "--jobs", "2")


def _student(folder: Path, *modules: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for module in modules:
        shutil.copy(SOLUTIONS / f"{module}.py", folder)
    return folder


def test_regrading_one_student_updates_their_row_and_keeps_the_others(tmp_path: Path):
    out = tmp_path / "out"
    alice = _student(tmp_path / "alice", "softmax")
    bob = _student(tmp_path / "bob")  # handed in nothing yet
    first = finish(start_grader([alice, bob], out, *FAST))
    assert first.returncode == 0, first.stderr
    assert "Sandbox: " in first.stdout, "the run must say which isolation its workers get"
    before = {row["submission"]: row for row in read_gradebook(out)}
    assert before["bob"]["status"] == "no exercise files" and before["bob"]["score"] == "0"

    _student(bob, "softmax", "dense")  # a late submission: only bob is graded again
    second = finish(start_grader([bob], out, *FAST))
    assert second.returncode == 0, second.stderr
    after = read_gradebook(out)
    assert [row["submission"] for row in after] == ["alice", "bob"], "the gradebook lost or reordered rows"
    assert after[0] == before["alice"], "alice's row changed though she was not regraded"
    assert after[1]["status"] == "graded" and after[1]["softmax.softmax"] == "5" and after[1]["dense.forward"] == "5"
    assert "Kept the rows of 1 submission" in second.stdout
    assert (submission_folder(out, "alice") / "feedback.md").is_file()


def test_a_submission_is_read_once_and_graded_from_those_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    reads: list[Path] = []
    graded_files: list[dict[str, bytes]] = []
    real_read = cli.read_submission

    def counting_read(path: Path):
        reads.append(path)
        return real_read(path)

    def fake_grade(submission, name, collected, config):
        graded_files.append(dict(submission.files))
        return Graded(name, [])

    monkeypatch.setattr(cli, "read_submission", counting_read)
    monkeypatch.setattr(cli, "grade", fake_grade)
    student = _student(tmp_path / "carol", "softmax")
    cli.grade_one(student, [], GradingConfig(), tmp_path / "out", "judge")
    assert reads == [student]
    assert graded_files == [{"softmax.py": (SOLUTIONS / "softmax.py").read_bytes()}]


def test_regrading_one_exercise_updates_that_column_and_keeps_the_others(tmp_path: Path):
    out = tmp_path / "out"
    alice = _student(tmp_path / "alice", "softmax", "dense")
    assert finish(start_grader([alice], out, *FAST)).returncode == 0
    [before] = read_gradebook(out)
    assert (before["dense.forward"], before["dense.backward"], before["softmax.softmax"]) == ("5", "15", "5")

    broken = (SOLUTIONS / "dense.py").read_text() + "\n\ndef _zeros(self, x):\n    return np.zeros(self.biases.shape)\n" \
                                                    "\n\nDense.forward = _zeros\n"
    (alice / "dense.py").write_text(broken)  # the instructor regrades dense.forward only (a fixed test, say)
    again = finish(start_grader([alice], out, *FAST, "--ex", "dense.forward"))
    assert again.returncode == 0, again.stderr
    [after] = read_gradebook(out)
    assert after["dense.forward"] == "0", "the regraded exercise was not graded again"
    assert {k: v for k, v in after.items() if k not in ("dense.forward", "score")} == \
           {k: v for k, v in before.items() if k not in ("dense.forward", "score")}
    assert float(after["score"]) == float(before["score"]) - 5


def test_an_unknown_exercise_is_refused_with_the_closest_names(tmp_path: Path):
    done = finish(start_grader([_student(tmp_path / "alice", "softmax")], tmp_path / "out", "--ex", "dense.forwrd"))
    assert done.returncode == 2 and "did you mean dense.forward" in done.stderr
    assert not (tmp_path / "out").exists()
