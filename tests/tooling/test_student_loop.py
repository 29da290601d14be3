"""The student's loop (issue #15): what `make test`, `make hint`, `make reset` and `make train`
say next, and what the grader's feedback.md and the training plots show."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kata.exercises import BY_ID, EXERCISES, normalize, select
from kata.kit import hints, progress
from kata.kit.progress import ExerciseResult, Outcome

ROOT = Path(__file__).resolve().parents[2]


def _results(ids: list[str], done: set[str]) -> list[ExerciseResult]:
    return [ExerciseResult(BY_ID[i], [Outcome("t", passed=i in done, not_started=i not in done)]) for i in ids]


# --------------------------------------------------------------------- 2. "Next:"

def test_next_after_finishing_softmax_is_dense_not_submission():
    ids = ["softmax.softmax", "softmax.cross_entropy"]
    line = progress.summary(_results(ids, set(ids)))
    assert "Next: dense.forward in exercises/dense.py" in line
    assert "submission" not in line


def test_next_is_the_first_unfinished_in_teaching_order():
    ids = [e.id for e in EXERCISES]
    line = progress.summary(_results(ids, {"softmax.softmax", "softmax.cross_entropy"}))
    assert "Next: dense.forward" in line


def test_submission_only_when_everything_is_done():
    ids = [e.id for e in EXERCISES]
    results = _results(ids, set(ids))
    assert "Next:" not in progress.summary(results) and "hand it in" in progress.summary(results)
    assert progress.commands(results) == ["make submission"]
    unfinished = _results(ids, set(ids[:-1]))
    assert "hand it in" not in progress.summary(unfinished) and "make submission" not in progress.commands(unfinished)


def test_next_points_at_the_files_first_stub_when_helpers_come_first(tmp_path, monkeypatch):
    # fast_conv's forward raises first, but the helpers above it (flatten, im2col) are written first.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exercises").mkdir()
    shutil.copy(ROOT / "exercises" / "fast_conv.py", tmp_path / "exercises")
    lines = (tmp_path / "exercises" / "fast_conv.py").read_text().splitlines()
    stubs = [n for n, text in enumerate(lines, 1) if "raise NotImplementedError(" in text]
    assert len(stubs) >= 3, "fast_conv.py's helpers are stubs above forward"
    where = ["tests/public/test_fast_conv.py:10 in test_forward", f"exercises/fast_conv.py:{stubs[-2]} in forward"]
    results = [ExerciseResult(BY_ID["fast_conv.forward"], [Outcome("t", passed=False, not_started=True, where=where)])]
    assert progress.summary(results).endswith(f"Next: fast_conv.forward in exercises/fast_conv.py:{stubs[0]}")
    # Once the helpers are written, the exercise's own stub.
    for n in stubs[:-2]:
        lines[n - 1] = lines[n - 1].replace("raise NotImplementedError(", "return (")
    (tmp_path / "exercises" / "fast_conv.py").write_text("\n".join(lines))
    assert progress.summary(results).endswith(f"Next: fast_conv.forward in exercises/fast_conv.py:{stubs[-2]}")


# --------------------------------------------------------------------- 3. hints and EX names

@pytest.fixture
def hint_dir(tmp_path):
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "conv.hints.toml").write_text('["conv.backward"]\nhints = ["idea", "shapes", "formula"]\n')
    return folder


def _hint(capsys, folder, *args) -> tuple[int, str]:
    code = hints.main(["--exercises", str(folder), *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("level", [1, 2, 3])
def test_hint_level_counts_right_even_after_seeing_all(capsys, hint_dir, level):
    _hint(capsys, hint_dir, "conv.backward", "--level", "3")  # everything seen once
    code, out = _hint(capsys, hint_dir, "conv.backward", "--level", str(level))
    assert code == 0
    assert out.count("hint ") >= level and f"hint {level}/3" in out and f"hint {level + 1}/3 (" not in out
    if level < 3:
        assert "That was the last hint" not in out
        assert f"Shown {level} of 3 hints" in out and f"LEVEL={level + 1}" in out
    else:
        assert "That was the last hint" in out


def test_hint_without_level_shows_one_more_each_time(capsys, hint_dir):
    for level in (1, 2, 3):
        _, out = _hint(capsys, hint_dir, "conv.backward")
        assert f"hint {level}/3" in out
    assert "That was the last hint" in out


def test_unknown_name_suggests_close_ones_not_all(capsys, hint_dir):
    code, out = _hint(capsys, hint_dir, "conv.backwrd")
    assert code == 2 and "did you mean conv.backward" in out
    assert "fast_conv.speed" not in out  # not a list of every name
    with pytest.raises(ValueError, match="did you mean"):
        select("maxpol")


@pytest.mark.parametrize("name", ["conv.py", "exercises/conv.py", "conv"])
def test_a_file_name_means_its_module(name):
    assert normalize(name) == "conv"
    assert [e.module for e in select(name)] == ["conv", "conv"]


def test_hint_takes_a_file_name(capsys, hint_dir):
    code, out = _hint(capsys, hint_dir, "conv.py")
    assert code == 2 and "EX=conv.backward" in out  # conv.py holds two exercises: ask for one


def test_reset_takes_a_file_name(tmp_path, monkeypatch, capsys):
    from kata.kit import reset
    seen = []
    monkeypatch.setattr(reset, "reset", lambda module: seen.append(module) or "ok")
    assert reset.main(["conv.py"]) == 0 and seen == ["conv"]


# --------------------------------------------------------------------- 5. feedback.md

def test_feedback_says_each_likely_bug_once_per_exercise():
    from types import SimpleNamespace
    from grader.report import feedback_md

    bug = "\n  Likely bug: the sum runs over the wrong axis"
    result = SimpleNamespace(exercise=BY_ID["dense.backward"], total=4, passed=1, score=2, max_score=15,
                             failures=[f"check {n} is wrong{bug}" for n in range(3)] + ["other\n  Likely bug: x"])
    graded = SimpleNamespace(name="s", score=2, max_score=15, status="graded", exercises=[result])
    text = feedback_md(graded)
    assert text.count("Likely bug: the sum runs over the wrong axis") == 1
    assert text.count("Likely bug: x") == 1 and text.count("check 2 is wrong") == 1


def test_messages_never_print_minus_zero():
    import numpy as np
    from kata.judge import checks

    with pytest.raises(AssertionError) as error:
        checks.assert_close(np.array([1.0]), np.array([-0.0]), "f(x)", oracle="the oracle")
    assert "-0 " not in str(error.value) and "-0," not in str(error.value)


# --------------------------------------------------------------------- 6. make train

def test_train_names_a_missing_file_and_its_exercise(tmp_path, capsys):
    from kata.kit import train

    impl = tmp_path / "impl"
    shutil.copytree(ROOT / "solutions", impl, ignore=shutil.ignore_patterns("__pycache__"))
    (impl / "maxpool.py").unlink()
    assert train.main(["--impl", str(impl), "--limit", "5", "--epochs", "1", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "maxpool.py is missing" in err and "maxpool.forward" in err and "make reset EX=maxpool" in err
    assert "ModuleNotFoundError" not in err


def test_next_stays_within_the_chosen_track():
    seed = [e.id for e in EXERCISES if e.track == "seed"]
    line = progress.summary(_results(seed, set(seed)), "seed")
    assert "Next:" not in line and progress.commands(_results(seed, set(seed)), "seed") == ["make submission"]


@pytest.mark.parametrize("content, said", [
    (b"hello, these are digits\n", "a text file"),
    (b"<!DOCTYPE html><html>404</html>", "HTML page"),
    (b"\x00\x00\x08\x03" + b"\x00" * 12, "an IDX file"),
    (b"\x1f\x8b\x08\x00", "gzip"),
    (b"", "empty file"),
])
def test_mnist_npz_is_recognised_by_content(tmp_path, content, said):
    from kata.kit.data import DataError, load_mnist

    path = tmp_path / "mnist.npz"
    path.write_bytes(content)
    with pytest.raises(DataError, match=said) as error:
        load_mnist(path)
    assert "pickled" not in str(error.value)


# --------------------------------------------------------------------- 1. the layout

def test_done_and_untouched_files_collapse_to_one_row_each_run():
    ids = [e.id for e in EXERCISES if e.track == "seed"]
    results = _results(ids, set(ids[:5]))  # softmax, dense done, maxpool half done, the rest untouched
    rows = progress.table_rows(results)
    assert [(row.status, row.collapsed, [r.exercise.id for r in row.results]) for row in rows] == [
        ("done", True, ids[:4]),
        ("done", False, ["maxpool.forward"]), ("not started", False, ["maxpool.backward"]),
        ("not started", True, ["conv.forward", "conv.backward", "network.train"]),
    ]
    one_file = progress.table_rows(_results(ids[:2], set(ids[:2])))
    assert [row.collapsed for row in one_file] == [False, False]  # EX=softmax: each exercise


@pytest.mark.parametrize("width", [80, 120])
def test_commands_are_never_broken_across_lines(width):
    for exercise in EXERCISES:
        commands = [f"make test EX={exercise.id}", f"make hint EX={exercise.id}"]
        lines = progress.command_lines(commands, width)
        assert all(command in "\n".join(lines) for command in commands)
        assert all(len(line) <= width for line in lines)
        assert width < 120 or len(lines) == 1  # side by side when there is room


def test_a_test_file_named_after_an_exercise_file_holds_only_its_exercises():
    # progress.test_files relies on it to collect only the suites of the chosen files.
    import re

    for path in (ROOT / "tests" / "public").glob("test_*.py"):
        module = path.stem.removeprefix("test_")
        marked = set(re.findall(r'exercise\("([^"]+)"', path.read_text()))
        assert marked and all(BY_ID[name].module == module for name in marked), path.name
    chosen = select("softmax")
    assert [p.name for p in progress.test_files(ROOT / "tests" / "public", chosen)] == ["test_softmax.py"]
