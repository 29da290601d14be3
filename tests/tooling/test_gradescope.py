"""The Gradescope autograder: built zip, run_autograder on a simulated /autograder root."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pytest

from grader.gradescope import autograder as gradescope
from authoring.example_class import crashing_module
from authoring import example_class
from grader.trusted.policy import DEFAULT_TIMEOUT
from kata.exercises import EXERCISES, in_track

ROOT = Path(__file__).resolve().parent.parent.parent
MAX_POINTS = sum(e.points for e in EXERCISES)
# The module's simulations all run in its first test that needs one (seconds each, more on a
# loaded machine): above pytest-timeout's 60 s default, below the autograder's own deadline.
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gradescope.build(tmp_path_factory.mktemp("dist") / "autograder.zip", "after_published", 540)


def simulate(autograder_zip: Path, root: Path, submission: Path | None, settings: dict | None = None) -> dict:
    """Lay out /autograder as Gradescope does, under root, run run_autograder, read results.json."""
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for script in ("run_autograder", "setup.sh"):  # zipfile drops the mode bits Gradescope keeps
        (root / "source" / script).chmod(0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    if submission is not None:
        shutil.copytree(submission, root / "submission", dirs_exist_ok=True)
    if settings:
        (root / "source" / "gradescope.json").write_text(json.dumps(settings))
    env = {"PATH": os.environ["PATH"], "KATA_AUTOGRADER_ROOT": str(root), "KATA_PYTHON": sys.executable}
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def validate(results: dict, hidden_visibility: str = "after_published") -> None:
    """Gradescope's results.json schema, the parts we use."""
    assert isinstance(results["score"], (int, float)) and isinstance(results["output"], str)
    assert isinstance(results["execution_time"], (int, float))
    for test in results["tests"]:
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0 == test["score"]
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] == ("visible" if test["name"].startswith("public:") else hidden_visibility)
        assert isinstance(test["number"], str)
    hidden = [t for t in results["tests"] if t["name"].startswith("hidden:")]
    assert sum(t["max_score"] for t in hidden) == MAX_POINTS
    assert results["score"] == pytest.approx(sum(t["score"] for t in hidden))


def test_the_zip_has_the_scripts_at_its_root_and_no_solutions(autograder_zip):
    archive = zipfile.ZipFile(autograder_zip)
    names = set(archive.namelist())
    assert {"setup.sh", "run_autograder", "gradescope.json", "pyproject.toml", "mk/venv.mk"} <= names
    assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
    assert not [n for n in names if n.startswith(("solutions/", "exercises/", "authoring/", "build/"))]
    assert any(n.startswith("tests/hidden/") for n in names) and "grader/trusted/run.py" in names
    subprocess.run(["bash", "-n", str(ROOT / "grader" / "gradescope" / "setup.sh")], check=True)


def crashing_upload(into: Path, examples: Path) -> Path:
    """The example class's crashes_at_import, uploaded as the zip `make submission` builds
    (Gradescope may keep an uploaded zip as it is)."""
    upload = into / "upload"
    upload.mkdir()
    with zipfile.ZipFile(upload / "submission.zip", "w") as archive:
        for path in sorted((examples / "crashes_at_import").glob("*.py")):
            archive.write(path, path.name)
    return upload


def endless_softmax(into: Path, examples: Path) -> Path:
    """The reference, except that softmax() never returns."""
    submission = into / "loops"
    shutil.copytree(examples / "reference", submission)
    source = (submission / "softmax.py").read_text()
    (submission / "softmax.py").write_text(source.replace('    """\n', '    """\n    while True:\n        pass\n', 1))
    assert "while True" in (submission / "softmax.py").read_text()
    return submission


def instructors_grade(submission: Path, out: Path) -> dict[str, str]:
    """The instructor's grader on the same upload: its gradebook row. The autograder has no
    reference to calibrate against and uses the default per-call limit, and so does this run."""
    subprocess.run([sys.executable, "-m", "grader", "grade", str(submission), "--out", str(out),
                    "--timeout", str(DEFAULT_TIMEOUT)], cwd=ROOT, check=True, capture_output=True)
    with open(out / "gradebook.csv", newline="") as file:
        return next(csv.DictReader(file))


@pytest.fixture(scope="module")
def runs(autograder_zip: Path, tmp_path_factory: pytest.TempPathFactory):
    """Every simulated submission, two at a time (each is one chain of processes, mostly one
    core), the longest first: name -> Future of its results.json (or gradebook row)."""
    work = tmp_path_factory.mktemp("gradescope")
    examples = work / "examples"
    example_class.build(examples)
    upload = crashing_upload(work, examples)
    jobs: dict[str, Callable[[], dict]] = {
        "endless loop": lambda: simulate(autograder_zip, work / "loop", endless_softmax(work, examples), {"deadline_seconds": 40}),
        "crashing": lambda: simulate(autograder_zip, work / "crashing", upload),
        "crashing, instructor's grader": lambda: instructors_grade(upload / "submission.zip", work / "out"),
        "reference": lambda: simulate(autograder_zip, work / "reference", examples / "reference", {"leaderboard": True}),
        "empty": lambda: simulate(autograder_zip, work / "empty", None),
        "empty, seed track": lambda: simulate(autograder_zip, work / "empty-seed", None, {"track": "seed"}),
        "deadline": lambda: simulate(autograder_zip, work / "deadline", examples / "reference",
                                     {"hidden_visibility": "hidden", "deadline_seconds": gradescope.MARGIN_SECONDS + 1}),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {name: pool.submit(job) for name, job in jobs.items()}


def result(runs: dict[str, Future], name: str) -> dict:
    return runs[name].result()


def test_reference_scores_full_marks(runs):
    results = result(runs, "reference")
    validate(results)
    assert results["score"] == MAX_POINTS
    public = [t for t in results["tests"] if t["name"].startswith("public:")]
    assert public and all(t["status"] == "passed" and t["max_score"] == 0 for t in public)


def test_the_leaderboard_shows_the_speed_and_accuracy_when_asked_for(runs):
    board = {entry["name"]: entry for entry in result(runs, "reference")["leaderboard"]}
    assert set(board) == {"Conv2D time (x a NumPy baseline)", "Test accuracy (digits)"}
    assert board["Conv2D time (x a NumPy baseline)"]["order"] == "asc" and 0 < board["Conv2D time (x a NumPy baseline)"]["value"] < 10
    assert board["Test accuracy (digits)"]["order"] == "desc" and 0.9 <= board["Test accuracy (digits)"]["value"] <= 1
    assert "leaderboard" not in result(runs, "empty"), "a leaderboard only when the instructor asks for one"


def test_empty_submission_scores_zero_with_reasons(runs):
    results = result(runs, "empty")
    validate(results)
    assert results["score"] == 0
    assert all(t["status"] == "failed" for t in results["tests"])


def test_a_seed_track_autograder_grades_the_seed_exercises_out_of_110(runs):
    results = result(runs, "empty, seed track")
    hidden = [t for t in results["tests"] if t["name"].startswith("hidden:")]
    assert [t["name"].split(": ")[1] for t in hidden] == [e.id for e in in_track("seed")]
    assert sum(t["max_score"] for t in hidden) == 110 and results["score"] == 0


def test_crashing_file_scores_zero_and_the_same_as_the_instructors_grader(runs):
    """One file crashes at import: its exercises score 0, the others keep their points."""
    results = result(runs, "crashing")
    validate(results)
    crashed = crashing_module()
    broken = [t for t in results["tests"] if t["name"].startswith(f"hidden: {crashed}.")]
    assert broken and all(t["score"] == 0 and f"{crashed}.py" in t["output"] for t in broken)
    assert 0 < results["score"] < MAX_POINTS
    assert float(result(runs, "crashing, instructor's grader")["score"]) == pytest.approx(results["score"])


def test_the_autograder_deadline_still_writes_results(runs):
    """With no time left every exercise is listed as not graded, and results.json is valid."""
    results = result(runs, "deadline")
    validate(results, hidden_visibility="hidden")
    assert results["score"] == 0
    assert all("Not graded" in t["output"] for t in results["tests"])


def test_an_endless_loop_cannot_cost_the_points_already_earned(runs):
    """softmax() never returns: at the deadline the hidden tests with a result keep their points."""
    results = result(runs, "endless loop")
    validate(results)
    by_name = {t["name"].split(":")[1].strip(): t for t in results["tests"] if t["name"].startswith("hidden:")}
    assert by_name["softmax.softmax"]["score"] == 0
    assert results["score"] > 0, results["output"]  # dense, maxpool, conv ran before the cut
    assert "time ran out" in results["output"]


@pytest.mark.parametrize("builder", ["grader.gradescope", "grader.prairielearn"])
@pytest.mark.parametrize(("option", "value"), [("--deadline", "30"), ("--deadline", "2401"), ("--deadline", "ten"),
                                               ("--timeout", "0"), ("--timeout", "3601"), ("--timeout", "ten")])
def test_a_setting_out_of_bounds_is_refused_before_anything_is_built(builder, option, value, tmp_path):
    done = subprocess.run([sys.executable, "-m", builder, "build", option, value, "--out", str(tmp_path / "x")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and option in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists()


def test_the_per_call_timeout_goes_into_the_autograders_settings(tmp_path):
    built = gradescope.build(tmp_path / "autograder.zip", "hidden", 540, timeout=3)
    with zipfile.ZipFile(built) as archive:
        assert json.loads(archive.read(gradescope.SETTINGS))["timeout_seconds"] == 3
    assert gradescope.timeout_setting({"timeout_seconds": 3}) == 3
    for unusable in ({}, {"timeout_seconds": "x"}, {"timeout_seconds": -1}):
        assert gradescope.timeout_setting(unusable) == DEFAULT_TIMEOUT
