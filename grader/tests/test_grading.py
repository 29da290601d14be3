"""One CLI run grades the example class, three attacks and the layout cases next to each other.

Expected scores are stated per exercise and derived from the registry and kata/bugs.py, so
they hold for any correct hidden suite: the reference earns everything; an exercise whose
code is wrong, missing, banned or cheating earns less (0 where the whole file is out).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kata.exercises import BY_ID, EXERCISES, affected_by, exercises_in, importers_of, modules

from grader.example_class import EXAMPLES, classic, crashing_module, solved_half

ROOT = Path(__file__).resolve().parents[2]
FULL = {e.id: float(e.points) for e in EXERCISES}
pytestmark = pytest.mark.timeout(600)  # pytest-timeout: the module's one CLI batch runs in its first test

ATTACKS = {
    # An ndarray subclass that says it equals anything, however it is compared.
    "lying_eq": ("conv", "class Conv", '''
class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_function__(self, func, types, args, kwargs):
        return True


class Conv'''),
    # Patching the judge at import: every comparison helper says "close".
    "patches_numpy_testing": ("softmax", "import numpy as np\n", '''import numpy as np
import numpy.testing

numpy.testing.assert_allclose = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
np.testing.assert_array_equal = lambda *args, **kwargs: None
'''),
    # Ending the process with success in the middle of a call.
    "exits_in_forward": ("maxpool", '        self.last_input = x.copy()\n',
                         '        import os\n        os._exit(0)\n'),
}
LIAR_FORWARD = ('        return np.einsum("ijab,fab->ijf", windows, self.filters)\n',
                '        return (np.einsum("ijab,fab->ijf", windows, self.filters) + 1.0).view(Liar)\n')
WRONG_SOFTMAX = ("    return exps / np.sum(exps)\n", "    return np.zeros_like(logits)\n")


def make_attack(name: str, into: Path) -> Path:
    module, old, new = ATTACKS[name]
    folder = into / name
    shutil.copytree(ROOT / "solutions", folder)
    path = folder / f"{module}.py"
    edits = [(old, new)] + {"lying_eq": [LIAR_FORWARD], "patches_numpy_testing": [WRONG_SOFTMAX]}.get(name, [])
    text = path.read_text()
    for before, after in edits:
        # Every edit must land: an attack whose text no longer matches solutions/ would
        # silently become an honest submission and prove nothing.
        assert before in text, f"attack {name}: {before!r} is no longer in solutions/{module}.py"
        text = text.replace(before, after, 1)
    path.write_text(text)
    return folder


def ids(*module_names: str) -> set[str]:
    return {e.id for m in module_names for e in exercises_in(m)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("batch")
    subs = [EXAMPLES / name for name in ("reference", "half_done", "classic_bugs", "crashes_at_import")]
    subs += [make_attack(name, work) for name in ATTACKS]
    banned = work / "imports_scipy"
    shutil.copytree(ROOT / "solutions", banned)
    (banned / "conv.py").write_text("from scipy.signal import correlate2d\n" + (banned / "conv.py").read_text())
    missing = work / "no_dense"
    shutil.copytree(ROOT / "solutions", missing)
    (missing / "dense.py").unlink()
    zipped = work / "zipped_reference.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in (ROOT / "solutions").glob("*.py"):
            archive.write(path, f"my_kata/{path.name}")
        archive.writestr("my_kata/notes.txt", "ignored")
        archive.writestr("../escape.py", "ignored")
    subs += [banned, missing, zipped]
    out = work / "out"
    done = subprocess.run([sys.executable, "-m", "grader", "grade", *map(str, subs), "--out", str(out), "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert list(rows) == [p.name.removesuffix(".zip") for p in subs]
    return {name: {"row": row, "results": json.loads((out / name / "results.json").read_text()),
                   "feedback": (out / name / "feedback.md").read_text()} for name, row in rows.items()}


def scores(graded: dict, name: str) -> dict[str, float]:
    return {e.id: float(graded[name]["row"][e.id]) for e in EXERCISES}


def test_gradebook_columns_follow_the_registry(graded):
    row = graded["reference"]["row"]
    assert list(row) == ["submission", "score", "max_score", *(e.id for e in EXERCISES), "status"]
    assert float(row["score"]) == float(row["max_score"]) == sum(FULL.values())
    assert row["status"] == "graded"


@pytest.mark.parametrize("name", ["reference", "zipped_reference"])
def test_reference_keeps_full_marks(graded, name):
    assert scores(graded, name) == FULL


def test_half_done_scores_its_finished_files_only(graded):
    done = ids(*solved_half())
    assert scores(graded, "half_done") == {e: (FULL[e] if e in done else 0.0) for e in FULL}


def test_classic_bugs_lose_points_exactly_where_they_are(graded):
    got = scores(graded, "classic_bugs")
    buggy, touched = {bug.exercise for bug in classic()}, {bug.module for bug in classic()}
    for exercise in FULL:
        if exercise in buggy:
            assert got[exercise] < FULL[exercise], exercise
        elif exercise.split(".")[0] not in touched:
            assert got[exercise] == FULL[exercise], exercise


def test_crash_at_import_costs_that_file_only(graded):
    got = scores(graded, "crashes_at_import")
    crashed = ids(crashing_module())
    assert got == {e: (0.0 if e in crashed else FULL[e]) for e in FULL}
    assert "NameError" in graded["crashes_at_import"]["feedback"]


@pytest.mark.parametrize("name, cheated", [("lying_eq", "conv.forward"),
                                           ("patches_numpy_testing", "softmax.softmax"),
                                           ("exits_in_forward", "maxpool.forward")])
def test_attacks_score_zero_where_they_cheat(graded, name, cheated):
    got = scores(graded, name)
    assert got[cheated] == 0
    honest = [e for e in FULL if e not in affected_by(BY_ID[cheated].module)]
    assert all(got[e] == FULL[e] for e in honest), got


def test_banned_import_zeroes_the_file_with_a_reason(graded):
    got = scores(graded, "imports_scipy")
    assert all(got[e] == 0 for e in ids("conv"))
    assert all(got[e] == FULL[e] for e in FULL if e not in affected_by("conv")), got
    assert "scipy" in graded["imports_scipy"]["feedback"] and "not allowed" in graded["imports_scipy"]["feedback"]


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


def test_readme_points_table_matches_the_registry():
    from grader.cli import points_table

    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- points:begin -->\n", 1)[1].split("<!-- points:end -->", 1)[0]
    assert table == points_table(), "README's points table is stale: paste `python -m grader points` into it"


@pytest.mark.parametrize("arguments, message", [
    (["grade", "no/such/folder"], "no such readable folder or file"),
    (["grade", "--jobs", "0"], "--jobs must be at least 1"),
    (["grade", "--timeout", "-1"], "--timeout must be between"),
    (["grade", "solutions", "grader/examples/reference", "grader/examples/reference/"], "would both be graded as"),
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
