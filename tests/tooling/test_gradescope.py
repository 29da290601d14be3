"""The Gradescope autograder: built zip, run_autograder on a simulated /autograder root."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import gradescope
from grader.example_class import crashing_module
from grader.trusted.policy import DEFAULT_TIMEOUT
from kata.exercises import EXERCISES

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "grader" / "examples"
MAX_POINTS = sum(e.points for e in EXERCISES)
# Each test grades a submission twice in the sandbox (seconds, more on a loaded machine):
# above pytest-timeout's 60 s default, below the autograder's own deadline.
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
    assert not [n for n in names if n.startswith(("solutions/", "exercises/", "grader/examples/"))]
    assert any(n.startswith("tests/hidden/") for n in names) and "grader/trusted/run.py" in names
    subprocess.run(["bash", "-n", str(ROOT / "gradescope" / "setup.sh")], check=True)


def test_reference_scores_full_marks(autograder_zip, tmp_path):
    results = simulate(autograder_zip, tmp_path, EXAMPLES / "reference")
    validate(results)
    assert results["score"] == MAX_POINTS
    public = [t for t in results["tests"] if t["name"].startswith("public:")]
    assert public and all(t["status"] == "passed" and t["max_score"] == 0 for t in public)


def test_empty_submission_scores_zero_with_reasons(autograder_zip, tmp_path):
    results = simulate(autograder_zip, tmp_path, None)
    validate(results)
    assert results["score"] == 0
    assert all(t["status"] == "failed" for t in results["tests"])


def test_crashing_file_scores_zero_and_the_same_as_the_instructors_grader(autograder_zip, tmp_path):
    """One file crashes at import: its exercises score 0, the others keep their points.

    Uploaded as the zip `make submission` builds, not unpacked (Gradescope may keep it so).
    """
    upload = tmp_path / "upload"
    upload.mkdir()
    submission = upload / "submission.zip"
    with zipfile.ZipFile(submission, "w") as archive:
        for path in sorted((EXAMPLES / "crashes_at_import").glob("*.py")):
            archive.write(path, path.name)
    results = simulate(autograder_zip, tmp_path / "gradescope", upload)
    validate(results)
    crashed = crashing_module()
    broken = [t for t in results["tests"] if t["name"].startswith(f"hidden: {crashed}.")]
    assert broken and all(t["score"] == 0 and f"{crashed}.py" in t["output"] for t in broken)
    # The autograder has no reference to calibrate against: it uses the default limit, and so does this run.
    subprocess.run([sys.executable, "-m", "grader", "grade", str(submission), "--out", str(tmp_path / "out"),
                    "--timeout", str(DEFAULT_TIMEOUT)], cwd=ROOT, check=True, capture_output=True)
    with open(tmp_path / "out" / "gradebook.csv", newline="") as file:
        row = next(csv.DictReader(file))
    assert 0 < results["score"] < MAX_POINTS
    assert float(row["score"]) == pytest.approx(results["score"])


def test_the_autograder_deadline_still_writes_results(autograder_zip, tmp_path):
    """With no time left every exercise is listed as not graded, and results.json is valid."""
    results = simulate(autograder_zip, tmp_path, EXAMPLES / "reference",
                       {"hidden_visibility": "hidden", "deadline_seconds": gradescope.MARGIN_SECONDS + 1})
    validate(results, hidden_visibility="hidden")
    assert results["score"] == 0
    assert all("Not graded" in t["output"] for t in results["tests"])


def test_an_endless_loop_cannot_cost_the_points_already_earned(autograder_zip, tmp_path):
    """softmax() never returns: at the deadline the hidden tests with a result keep their points."""
    submission = tmp_path / "loops"
    shutil.copytree(EXAMPLES / "reference", submission)
    source = (submission / "softmax.py").read_text()
    (submission / "softmax.py").write_text(source.replace('    """\n', '    """\n    while True:\n        pass\n', 1))
    assert "while True" in (submission / "softmax.py").read_text()
    results = simulate(autograder_zip, tmp_path / "root", submission, {"deadline_seconds": 40})
    validate(results)
    by_name = {t["name"].split(":")[1].strip(): t for t in results["tests"] if t["name"].startswith("hidden:")}
    assert by_name["softmax.softmax"]["score"] == 0
    assert results["score"] > 0, results["output"]  # dense, maxpool, conv ran before the cut
    assert "time ran out" in results["output"]
