"""The student's commands: make test's progress table, hints, reset, submission."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from authoring import stubgen
from kata.kit import reset, submission
from kata.exercises import EXERCISES, modules
from authoring.handout import reference_lines
from kata.kit.hints import load_hints

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def progress(forked: Callable) -> Callable[..., subprocess.CompletedProcess]:
    """make test's table, wide enough that no message wraps (forked: see conftest.py; the
    handout's tests type the command)."""
    return lambda *args: forked("kata.kit.progress", *args, env={"COLUMNS": "300"})


def test_progress_all_done_on_the_reference(progress):
    run = progress("--impl", "solutions", "--ex", "softmax")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "✔ done" in run.stdout and "failing" not in run.stdout


def test_progress_not_started_on_the_stubs(progress):
    run = progress("--ex", "softmax")
    assert run.returncode == 1
    assert run.stdout.count("not started") == 2 and "failing" not in run.stdout


def test_progress_shows_the_first_failure_short_and_in_the_students_file(tmp_path, progress):
    shutil.copytree(ROOT / "solutions", tmp_path, dirs_exist_ok=True)
    broken = (tmp_path / "softmax.py").read_text().replace("d_logits[label] -= 1.0", "d_logits[label] -= 2.0")
    (tmp_path / "softmax.py").write_text(broken)
    run = progress("--impl", str(tmp_path), "--ex", "softmax.cross_entropy")
    assert run.returncode == 1
    text = run.stdout
    assert "✘ failing" in text
    assert "worst relative error" in text and "expected" in text  # kata/judge/checks.py's message
    assert "_pytest" not in run.stdout and "site-packages" not in run.stdout


def test_progress_names_the_students_line_on_an_exception(tmp_path, progress):
    shutil.copytree(ROOT / "solutions", tmp_path, dirs_exist_ok=True)
    source = (tmp_path / "softmax.py").read_text().replace("d_logits[label] -= 1.0", "d_logits[label + 99] -= 1.0")
    (tmp_path / "softmax.py").write_text(source)
    run = progress("--impl", str(tmp_path), "--ex", "softmax.cross_entropy")
    text = run.stdout
    assert "IndexError" in text and re.search(r"softmax\.py:\d+ in cross_entropy", text), run.stdout


@pytest.mark.parametrize("args", [["--ex", "nonsense"], ["--impl", "no/such/folder"]])
def test_progress_bad_arguments_exit_2_with_a_message(args, progress):
    run = progress(*args)
    assert run.returncode == 2 and "error:" in run.stdout and "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_three_hints_and_none_holds_solution_code(exercise):
    hints = load_hints(exercise.module).get(exercise.id, [])
    assert len(hints) >= 3, f"exercises/{exercise.module}.hints.toml needs >= 3 hints for {exercise.id}"
    for hint in hints:
        flat = "".join(hint.split())
        source = (ROOT / "solutions" / f"{exercise.module}.py").read_text()
        leaked = [line for line in reference_lines(source) if line in flat]
        assert not leaked, f"a hint of {exercise.id} quotes the solution: {leaked}"


def test_hint_reveals_one_more_each_time(tmp_path):
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    command = [sys.executable, "-m", "kata.kit.hints", "conv.backward", "--exercises", str(tmp_path / "exercises")]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert "hint 1/3 (" in first.stdout and "hint 2/3 (" not in first.stdout
    assert "hint 2/3 (" in second.stdout and "hint 3/3 (" not in second.stdout
    level = subprocess.run(command + ["--level", "3"], cwd=ROOT, capture_output=True, text=True)
    assert "hint 3/3" in level.stdout


def make_root(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    return tmp_path


def test_reset_backs_up_the_students_file_then_restores_the_stub(tmp_path):
    root = make_root(tmp_path)
    stub = (root / "exercises" / "conv.py").read_text()
    (root / "exercises" / "conv.py").write_text("# my work\n")
    message = reset.reset("conv", root)
    assert "saved" in message
    assert (root / "exercises" / "conv.py").read_text() == stub
    backups = list((root / "exercises").glob("conv.py.bak-*"))
    assert [b.read_text() for b in backups] == ["# my work\n"]


def test_reset_in_the_handout_uses_the_shipped_pristine_stub(tmp_path):
    stub = (ROOT / "exercises" / "dense.py").read_text()
    (tmp_path / "kata" / "pristine").mkdir(parents=True)
    (tmp_path / "kata" / "pristine" / "dense.py").write_text(stub)
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "dense.py").write_text("# edited\n")
    reset.reset("dense", tmp_path)
    assert (tmp_path / "exercises" / "dense.py").read_text() == stub


def test_stubgen_never_touches_the_hints(tmp_path):
    root = make_root(tmp_path)
    before = {p.name: p.read_bytes() for p in (root / "exercises").glob("*.hints.toml")}
    for p in (root / "exercises").glob("*.py"):
        p.write_text("# edited\n")
    assert stubgen.generate(root / "solutions", root / "exercises", [], force=True, check=False) == 0
    assert {p.name: p.read_bytes() for p in (root / "exercises").glob("*.hints.toml")} == before


def test_submission_holds_only_the_exercise_files(tmp_path):
    out = tmp_path / "submission.zip"
    untouched = submission.build(ROOT / "exercises", out)
    assert sorted(zipfile.ZipFile(out).namelist()) == sorted(f"{m}.py" for m in modules())
    assert len(untouched) == len(modules())


def test_progress_reports_a_broken_test_file_instead_of_a_wrong_table(tmp_path, progress):
    (tmp_path / "public").mkdir()
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "public" / "test_broken.py").write_text("def broken(:\n")
    run = progress("--tests", str(tmp_path / "public"))
    assert run.returncode == 2 and "SyntaxError" in run.stdout and "Your progress" not in run.stdout, run.stdout


def test_watch_without_watchdog_says_how_to_install_it():
    code = "import sys; sys.modules['watchdog'] = None; from kata.kit.watch import main; sys.exit(main([]))"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "make watch-deps" in run.stderr and "Traceback" not in run.stderr


def test_watch_reruns_the_tests_when_a_file_is_saved(tmp_path):
    pytest.importorskip("watchdog")
    shutil.copytree(ROOT / "solutions", tmp_path / "impl")
    command = [sys.executable, "-m", "kata.kit.watch", "--impl", str(tmp_path / "impl"), "--ex", "softmax.softmax"]
    watcher = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "COLUMNS": "200"})
    try:
        deadline = time.monotonic() + 60
        saved = False
        output = ""
        for line in watcher.stdout:
            output += line
            if "watching" in line and not saved:  # the first run is over: save a file
                (tmp_path / "impl" / "softmax.py").write_text((tmp_path / "impl" / "softmax.py").read_text() + "\n")
                saved = True
            elif "watching" in line or time.monotonic() > deadline:
                break
    finally:
        watcher.terminate()
        watcher.wait(10)
    assert output.count("Your progress") == 2, output
