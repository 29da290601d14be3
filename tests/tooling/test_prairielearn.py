"""The PrairieLearn external grader, run as PrairieLearn runs it, on a simulated /grade."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.prairielearn import external
from kata.exercises import EXERCISES, in_track

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return external.build(tmp_path_factory.mktemp("dist") / "prairielearn")


def simulate(built: Path, root: Path, files: dict[str, str] | None, settings: dict | None = None) -> dict:
    """A job as PrairieLearn lays it out under root; grade.sh, then results/results.json."""
    (root / "student").mkdir(parents=True)
    for name, text in (files or {}).items():
        (root / "student" / name).write_text(text)
    if settings:
        (built / external.SETTINGS).write_text(json.dumps(settings))
    env = {"PATH": os.environ["PATH"], "KATA_GRADE_ROOT": str(root), "KATA_PYTHON": sys.executable}
    done = subprocess.run([str(built / "grade.sh")], env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def validate(results: dict) -> None:
    """PrairieLearn's external-grading results schema, the fields we write."""
    assert isinstance(results["gradable"], bool) and isinstance(results["message"], str)
    assert isinstance(results["score"], (int, float)) and 0 <= results["score"] <= 1
    for test in results["tests"]:
        assert {"name", "description", "points", "max_points", "message", "output"} <= set(test)
        assert 0 <= test["points"] <= test["max_points"]


def reference(*edits: tuple[str, str, str]) -> dict[str, str]:
    files = {p.name: p.read_text() for p in (ROOT / "solutions").glob("*.py")}
    for module, old, new in edits:
        assert old in files[module]
        files[module] = files[module].replace(old, new, 1)
    return files


@pytest.fixture(scope="module")
def runs(built: Path, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("grade")
    endless = reference(("softmax.py", '    """\n', '    """\n    while True:\n        pass\n'))
    crashing = reference(("conv.py", "\nclass Conv", "\nprint(image.shape)\n\nclass Conv"))
    # The endless job's own build allows 2 s per call instead of the default 10: its five
    # timeouts (softmax's three, then CNN.forward's two) take 10 s, not 50.
    quick = external.build(work / "quick", timeout=2)
    jobs = {"endless": lambda: simulate(quick, work / "endless", endless),
            "correct": lambda: simulate(built, work / "correct", reference()),
            "empty": lambda: simulate(built, work / "empty", None),
            "crashing": lambda: simulate(built, work / "crashing", crashing)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        yield {name: future.result() for name, future in futures.items()}


def test_the_build_has_the_image_the_entrypoint_and_the_question_settings(built: Path):
    info = json.loads((built / "question" / "info.json").read_text())["externalGradingOptions"]
    assert info["enabled"] is True and info["entrypoint"] == "/kata/grade.sh" and info["timeout"] > 540
    assert (built / "Dockerfile").read_text().startswith("#") and "FROM python:3.11" in (built / "Dockerfile").read_text()
    assert os.access(built / "grade.sh", os.X_OK) and (built / "tests" / "hidden").is_dir()
    assert not (built / "solutions").exists() and not (built / "authoring").exists()
    subprocess.run(["bash", "-n", str(built / "grade.sh")], check=True)


def test_a_correct_submission_scores_1(runs):
    validate(runs["correct"])
    assert runs["correct"]["gradable"] and runs["correct"]["score"] == 1
    assert [t["name"] for t in runs["correct"]["tests"]] == [e.id for e in EXERCISES]


def test_an_empty_submission_scores_0_with_reasons(runs):
    validate(runs["empty"])
    assert runs["empty"]["score"] == 0 and all("no exercise file" in t["output"] for t in runs["empty"]["tests"])


def test_a_crashing_file_costs_its_own_exercises_only(runs):
    validate(runs["crashing"])
    lost = {t["name"] for t in runs["crashing"]["tests"] if t["points"] < t["max_points"]}
    assert lost == {"conv.forward", "conv.backward", "network.train"}


def test_an_endless_loop_costs_its_own_exercises_and_the_job_finishes(runs):
    validate(runs["endless"])
    lost = {t["name"] for t in runs["endless"]["tests"] if t["points"] < t["max_points"]}
    assert {"softmax.softmax"} <= lost <= {"softmax.softmax", "softmax.cross_entropy", "network.train"}
    softmax = next(t for t in runs["endless"]["tests"] if t["name"] == "softmax.softmax")
    assert "timed out after 2 s" in softmax["output"], softmax["output"]  # the build's --timeout


def test_a_seed_track_build_grades_the_seed_exercises(built: Path, tmp_path: Path):
    seed = external.build(tmp_path / "seed", track="seed")
    results = simulate(seed, tmp_path / "job", None)
    assert [t["name"] for t in results["tests"]] == [e.id for e in in_track("seed")]
    assert sum(t["max_points"] for t in results["tests"]) == 110
