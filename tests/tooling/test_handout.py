"""The students' handout: nothing secret inside, and it works on its own.

The handout's commands run with this repository's interpreter (same pinned packages) but
from inside the unpacked handout, so they import the handout's own kata/ and tests/, not
ours: a missing helper fails here. Building a fresh .venv is left to a manual check.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from authoring import handout
from kata.exercises import EXERCISES, modules

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return handout.build(ROOT, tmp_path_factory.mktemp("dist"))


@pytest.fixture
def unpacked(built: tuple[Path, Path], tmp_path: Path) -> Path:
    """A fresh copy of the handout, unpacked from the zip as a student would."""
    with zipfile.ZipFile(built[1]) as archive:
        archive.extractall(tmp_path)
    return tmp_path / handout.ZIP_FOLDER


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=folder, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "300"})


def run_side_by_side(folder: Path, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    """Independent commands at once (two cores), each as run() runs it."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda args: run(folder, *args), commands))


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_zip_and_folder_hold_the_same_files(built):
    folder, archive = built
    names = {n.removeprefix(handout.ZIP_FOLDER + "/") for n in zipfile.ZipFile(archive).namelist()}
    assert names == files(folder)


def test_no_solutions_hidden_tests_grader_or_bug_catalogue_inside(built):
    shipped = files(built[0])
    assert not [f for f in shipped if f.startswith(("solutions/", "tests/hidden/", "grader/"))]
    assert not [f for f in shipped if f.startswith(("authoring/", "build/"))]
    secrets = set().union(*(handout.reference_lines((ROOT / "solutions" / f"{m}.py").read_text()) for m in modules()))
    for name in shipped:
        text = (built[0] / name).read_text()
        assert "# BEGIN SOLUTION" not in text or name == "kata/kit/stubs.py", name
        assert not secrets & {"".join(line.split()) for line in text.splitlines()}, f"{name} holds reference code"


def test_the_handout_has_what_a_student_needs(built):
    shipped = files(built[0])
    for module in modules():
        assert {f"exercises/{module}.py", f"exercises/{module}.hints.toml", f"kata/pristine/{module}.py"} <= shipped
    assert {"Makefile", "mk/venv.mk", "mk/student.mk", "pyproject.toml", "README.md", "tests/conftest.py"} <= shipped
    readme = (built[0] / "README.md").read_text()
    assert "{{" not in readme and all(e.id in readme for e in EXERCISES)


def test_on_the_stubs_every_test_fails_with_not_implemented(unpacked):
    strict, table = run_side_by_side(unpacked, ["-m", "pytest", "-q", "tests/public", "--expect-stubs"],
                                     ["-m", "kata.kit.progress"])
    assert strict.returncode == 0, strict.stdout + strict.stderr
    assert table.returncode == 1 and "failing" not in table.stdout and "not started" in table.stdout, table.stdout


def test_with_the_reference_copied_over_every_test_passes(unpacked):
    for module in modules():
        shutil.copy(ROOT / "solutions" / f"{module}.py", unpacked / "exercises" / f"{module}.py")
    plain, table = run_side_by_side(unpacked, ["-m", "pytest", "-q", "tests/public"], ["-m", "kata.kit.progress"])
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert table.returncode == 0 and "failing" not in table.stdout, table.stdout


def test_submission_and_reset_work_inside_the_handout(unpacked):
    (unpacked / "exercises" / "conv.py").write_text("# my work\n")
    made = run(unpacked, "-m", "kata.kit.submission")
    assert made.returncode == 0, made.stderr
    archive = zipfile.ZipFile(unpacked / "submission.zip")
    assert sorted(archive.namelist()) == sorted(f"{m}.py" for m in modules())
    assert archive.read("conv.py") == b"# my work\n"
    restored = run(unpacked, "-m", "kata.kit.reset", "conv")
    assert restored.returncode == 0, restored.stderr
    assert (unpacked / "exercises" / "conv.py").read_text() == (unpacked / "kata" / "pristine" / "conv.py").read_text()
    assert [p.read_text() for p in (unpacked / "exercises").glob("conv.py.bak-*")] == ["# my work\n"]





def test_make_train_works_inside_the_handout_and_writes_its_plots(unpacked):
    # The capstone: a student with every seed file done runs `make train` and sees the plots.
    # READY= and PY= skip the venv set-up (tested by CI's fresh clone), not the target.
    for module in ("softmax", "dense", "maxpool", "conv", "network"):
        shutil.copy(ROOT / "solutions" / f"{module}.py", unpacked / "exercises" / f"{module}.py")
    trained = subprocess.run(["make", "train", "READY=", f"PY={sys.executable}", "ARGS=--epochs 1 --limit 200"],
                             cwd=unpacked, capture_output=True, text=True, timeout=120)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert {p.name for p in (unpacked / "results").glob("*.png")} >= {"loss.png", "accuracy.png", "filters.png"}


@pytest.fixture(scope="module")
def seed_handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, archive = handout.build(ROOT, tmp_path_factory.mktemp("dist-seed"), track="seed")
    assert archive.name == "handout-seed.zip"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder.parent / "unzipped")
    return folder.parent / "unzipped" / handout.ZIP_FOLDER


def test_a_seed_handout_holds_only_the_seed_track(seed_handout):
    seed, advanced = modules("seed"), set(modules()) - set(modules("seed"))
    shipped = files(seed_handout)
    assert {f"exercises/{m}.py" for m in seed} | {f"tests/public/test_{m}.py" for m in seed} <= shipped
    assert not [f for f in shipped if Path(f).stem.removeprefix("test_").split(".")[0] in advanced
                and f.startswith(("exercises/", "tests/public/", "kata/pristine/"))]
    assert "TRACK ?= seed" in (seed_handout / "Makefile").read_text()
    readme = (seed_handout / "README.md").read_text()
    assert "conv.backward" in readme and "conv2d.backward" not in readme


def test_the_seed_handout_passes_its_own_make_test_once_the_seed_track_is_done(seed_handout):
    # What the Makefile runs (`make test` with its TRACK); READY= and PY= skip the venv set-up.
    def make(*goal: str) -> subprocess.CompletedProcess:
        return subprocess.run(["make", *goal, "READY=", f"PY={sys.executable}"], cwd=seed_handout,
                              capture_output=True, text=True, timeout=300)

    assert make("test").returncode != 0  # not done yet
    for module in modules("seed"):
        shutil.copy(ROOT / "solutions" / f"{module}.py", seed_handout / "exercises" / f"{module}.py")
    done = make("test")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "9 of 9 exercises done" in done.stdout
    made = make("submission")
    assert made.returncode == 0, made.stdout + made.stderr
    assert sorted(zipfile.ZipFile(seed_handout / "submission.zip").namelist()) == sorted(f"{m}.py" for m in modules("seed"))
