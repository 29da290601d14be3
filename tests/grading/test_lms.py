"""The roster joined to the gradebook, and the exports each LMS imports."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from kata.exercises import modules
from tests.grading.corpus import SOLUTIONS
from tests.grading.harness import BATCH_TIMEOUT, finish, start_grader

pytestmark = pytest.mark.timeout(BATCH_TIMEOUT + 60)

ROSTER = ("submission,student_id,name,email,section\n"
          "alice,1001,Alice Liddell,alice@example.edu,A\n"
          "bob,1002,Bob Dobbs,bob@example.edu,B\n")
GRADEBOOK = ("submission,score,max_score,softmax.softmax,status\n"
             "alice,110,110,5,graded\n"
             "stray,3,110,3,graded\n")


def rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as file:
        return list(csv.reader(file))


@pytest.fixture
def graded_out(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "gradebook.csv").write_text(GRADEBOOK)
    (tmp_path / "roster.csv").write_text(ROSTER)
    return tmp_path / "out", tmp_path / "roster.csv"


def test_canvas_export_has_canvas_columns_a_points_row_and_blank_for_no_submission(graded_out):
    out, roster = graded_out
    assert main(["export", str(out), "--format", "canvas", "--roster", str(roster), "--assignment", "HW1"]) == 0
    assert rows(out / "canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW1"],
        ["Points Possible", "", "", "", "", "110"],
        ["Alice Liddell", "", "1001", "alice@example.edu", "A", "110"],
        ["Bob Dobbs", "", "1002", "bob@example.edu", "B", ""],
    ]


def test_moodle_and_plain_exports(graded_out):
    out, roster = graded_out
    assert main(["export", str(out), "--format", "moodle", "--roster", str(roster)]) == 0
    assert rows(out / "moodle.csv") == [["ID number", "Email address", "Full name", "CNN kata"],
                                       ["1001", "alice@example.edu", "Alice Liddell", "110"],
                                       ["1002", "bob@example.edu", "Bob Dobbs", ""]]
    assert main(["export", str(out), "--format", "csv", "--roster", str(roster)]) == 0
    table = rows(out / "csv.csv")
    assert table[0] == ["student_id", "name", "email", "section", "submission", "score", "max_score",
                        "softmax.softmax", "status"]
    assert table[2] == ["1002", "Bob Dobbs", "bob@example.edu", "B", "bob", "", "", "", "missing"]


@pytest.mark.parametrize("roster, message", [
    ("submission,student_id,name\nalice,1,A\n", "missing: email"),
    (ROSTER + "carol,1001,Carol,c@example.edu,A\n", "the student_id '1001' appears twice"),
    (ROSTER + "alice,1003,Alice Two,a2@example.edu,A\n", "the submission 'alice' appears twice"),
    ("submission,student_id,name,email\n", "the roster has no students"),
])
def test_a_bad_roster_exits_2_and_writes_nothing(tmp_path, capsys, roster, message):
    (tmp_path / "roster.csv").write_text(roster)
    with pytest.raises(SystemExit) as exit:
        main(["grade", str(SOLUTIONS), "--out", str(tmp_path / "out"), "--roster", str(tmp_path / "roster.csv")])
    assert exit.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_grading_with_a_roster_lists_missing_students_and_unmatched_submissions(tmp_path):
    alice = tmp_path / "alice"
    alice.mkdir()
    for module in modules("seed"):
        shutil.copy(SOLUTIONS / f"{module}.py", alice)
    stray = tmp_path / "stray"
    stray.mkdir()
    (tmp_path / "roster.csv").write_text(ROSTER)
    done = finish(start_grader([alice, stray], tmp_path / "out", "--track", "seed",
                               "--roster", str(tmp_path / "roster.csv")))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No submission from 1 student(s) of the roster: Bob Dobbs" in done.stdout
    assert "Submissions no roster student claims: stray" in done.stdout
    table = {row[0] + "/" + row[4]: row for row in rows(tmp_path / "out" / "gradebook.csv")[1:]}
    assert table["1001/alice"][5:7] == ["110", "110"] and table["1001/alice"][-1] == "graded"
    assert table["1002/bob"][-1] == "missing"
    assert table["/stray"][5] == "0"
