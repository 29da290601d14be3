"""The students' handout: nothing secret inside, and it works on its own.

The handout's commands run with this repository's interpreter (same pinned packages) but
from inside the unpacked handout, so they import the handout's own kata/ and tests/, not
ours: a missing helper fails here. Building a fresh .venv is left to a manual check.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from authoring import bugs, handout
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
    pins = (built[0] / "pyproject.toml").read_text()
    assert "copydetect" not in pins and "mutmut" not in pins, "students install the grader's or the authors' tools"
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
    assert {p.name for p in (unpacked / "results").glob("*.png")} >= {"loss.png", "accuracy.png", "filters.png",
                                                                   "confusion.png", "mistakes.png"}


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


# ----------------------------------------------------------- make test on a real terminal (#15)

def buggy_seed_track(folder: Path) -> None:
    """A student half-way: softmax, dense, maxpool and conv.forward done, conv.backward wrong."""
    bugs.apply([bugs.BY_NAME["= instead of += in conv backward"]], ROOT / "solutions", folder / "done")
    for module in ("softmax", "dense", "maxpool", "conv"):
        shutil.copy(folder / "done" / f"{module}.py", folder / "exercises" / f"{module}.py")
    shutil.rmtree(folder / "done")


def typed_env() -> dict[str, str]:
    """The environment of a command a student types: no make above it (`make check` runs these
    tests, and its MAKELEVEL and MAKEFLAGS would make the inner make say "Entering directory")."""
    return {key: value for key, value in os.environ.items() if not key.startswith(("MAKE", "MFLAGS", "TMUX"))}


def screen(folder: Path, command: str, columns: int, rows: int) -> list[str]:
    """The rows of a columns x rows terminal (tmux) once `command` has run in folder, then
    `echo EXIT=$?` as a stand-in for the shell's prompt."""
    tmux = ["tmux", "-L", f"kata-test-{os.getpid()}-{columns}x{rows}", "-f", "/dev/null"]
    subprocess.run(tmux + ["new-session", "-d", "-x", str(columns), "-y", str(rows), "-c", str(folder),
                           f"{command}; echo EXIT=$?; sleep 600"], check=True, env=typed_env() | {"TERM": "xterm-256color"})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            shown = subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True, text=True, check=True).stdout
            if "EXIT=" in shown:
                return shown.rstrip("\n").splitlines()
            time.sleep(0.2)
        pytest.fail(f"{command} did not finish in a {columns}x{rows} terminal:\n{shown}")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (apt-get install tmux)")
@pytest.mark.parametrize("columns, rows", [(80, 24), (120, 30)])
def test_make_test_fits_the_terminal_and_ends_with_the_first_failure(unpacked, columns, rows):
    buggy_seed_track(unpacked)
    lines = screen(unpacked, f"make test PY={sys.executable}", columns, rows)
    text = "\n".join(lines)
    assert lines[-1] == "EXIT=1" and "make: ***" not in text, text  # a failure, without make's trailer
    assert lines[0].startswith("Your progress"), text  # the whole report is on the screen
    assert "✔ done         softmax dense maxpool" in lines  # finished files: one line
    # The end: the first failure (its call, shapes, worst element, likely bug, the student's
    # line), then how far along and the commands, each whole on one line.
    failure = text[text.index("✘ conv.backward, test_"):]
    for said in ("backward(d_out", "shape (5, 6)", "worst relative error", "Likely bug: d_image was assigned",
                 "at exercises/conv.py:"):
        assert said in failure, text
    assert lines[-3] == "7 of 22 exercises done. Next: conv.backward in exercises/conv.py", text
    assert lines[-2].split() == ["make", "test", "EX=conv.backward", "make", "hint", "EX=conv.backward"], text


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (apt-get install tmux)")
def test_make_test_on_the_stubs_fits_and_names_the_first_line_to_write(unpacked):
    lines = screen(unpacked, f"make test PY={sys.executable}", 80, 24)
    text = "\n".join(lines)
    assert lines[0].startswith("Your progress") and len([line for line in lines if line.strip()]) <= 8, text
    assert lines[-1] == "EXIT=1" and "make: ***" not in text, text
    assert re.fullmatch(r"0 of 22 exercises done\. Next: softmax\.softmax in exercises/softmax\.py:\d+", lines[-3]), text
    assert lines[-2].split() == ["make", "test", "EX=softmax.softmax", "make", "hint", "EX=softmax.softmax"], text


def test_a_failing_command_ends_make_without_its_error_trailer(unpacked):
    # make's status stays 1 for scripts; stderr (where make's trailer goes) stays empty. The
    # hint runs are quick: repeated, they would show a race between the recipe and make.
    tested = subprocess.run(["make", "test", "EX=softmax", f"PY={sys.executable}"], cwd=unpacked,
                            capture_output=True, text=True, timeout=120, env=typed_env())
    assert (tested.returncode, tested.stderr) == (1, ""), tested.stdout + tested.stderr
    assert tested.stdout.rstrip().splitlines()[-1].split() == ["make", "test", "EX=softmax.softmax",
                                                                "make", "hint", "EX=softmax.softmax"]
    for _ in range(10):
        hinted = subprocess.run(["make", "hint", "EX=conv.nope", f"PY={sys.executable}"], cwd=unpacked,
                                capture_output=True, text=True, timeout=60, env=typed_env())
        assert (hinted.returncode, hinted.stderr) == (1, "") and "did you mean" in hinted.stdout, hinted


def test_quiet_exit_outside_make_is_a_plain_failure():
    run = subprocess.run([sys.executable, "-m", "kata.kit.quiet_exit"], cwd=ROOT, capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "MAKELEVEL"})
    assert run.returncode == 1 and run.stderr == ""


FAKE_PYTHON = """#!/bin/sh
# python3 as mk/venv.mk calls it: `-m venv DIR` copies this script to DIR/bin/python,
# `-c CODE` runs CODE, `-m pip ...` only says it ran.
case "$1 $2" in
  "-m venv") mkdir -p "$3/bin" && cp "$0" "$3/bin/python" ;;
  "-m pip") echo "pip ran: $*" ;;
  *) exec {python} "$@" ;;
esac
"""


def test_the_first_venv_set_up_says_what_it_does_and_how_long_it_took(unpacked, tmp_path):
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON.format(python=sys.executable))
    fake.chmod(0o755)
    made = subprocess.run(["make", ".venv/.installed", f"PYTHON={fake}"], cwd=unpacked, capture_output=True, text=True,
                          timeout=60, env=typed_env())
    assert made.returncode == 0, made.stdout + made.stderr
    said = made.stdout.splitlines()
    assert said[0].startswith("Setting up .venv/") and "1 to 3 minutes" in said[1], made.stdout
    assert said[2] == f"[1/2] {fake} -m venv .venv" and said[3].startswith("[2/2] pip install numpy==")
    assert said[4].startswith("pip ran: -m pip install") and re.fullmatch(r"\.venv/ is ready after \d+ s; .*", said[5])
    assert (unpacked / ".venv" / ".installed").is_file() and all(len(line) <= 100 for line in said[:3])
