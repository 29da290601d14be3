"""authoring/stubgen.py: exercises/ is generated from solutions/, and a student's edits are never lost."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from kata.exercises import modules
from authoring.stubgen import ROOT, main
from kata.kit.stubs import StubError, is_pristine, make_stub

SOLUTION = '''"""A tiny module."""


def double(x):
    """Twice x."""
    # TODO 1. Multiply by two.
    # BEGIN SOLUTION
    return 2 * x
    # END SOLUTION
'''


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of solutions/ and of the committed exercises/, to generate into."""
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", solutions)
    shutil.copytree(ROOT / "exercises", exercises)
    return solutions, exercises


def run(repo: tuple[Path, Path], *args: str) -> int:
    solutions, exercises = repo
    return main([*args, "--solutions", str(solutions), "--exercises", str(exercises)])


def test_committed_exercises_are_the_generation():
    assert main(["--check"]) == 0, "exercises/ is out of date: run `make exercises` and commit"


def test_check_fails_when_a_stub_differs(repo, capsys):
    stub = repo[1] / "conv.py"
    stub.write_text(stub.read_text() + "\n# an edit\n")
    assert run(repo, "--check") == 1
    assert "conv.py differs" in capsys.readouterr().out


def test_check_fails_when_a_stub_is_missing(repo, capsys):
    (repo[1] / "dense.py").unlink()
    assert run(repo, "--check") == 1
    assert "dense.py differs" in capsys.readouterr().out


def test_check_fails_when_a_solution_changes(repo):
    solution = repo[0] / "maxpool.py"
    solution.write_text(solution.read_text().replace("Max pooling:", "Max pooling (edited):"))
    assert run(repo, "--check") == 1


def test_check_never_writes(repo):
    stub = repo[1] / "conv.py"
    stub.write_text("edited\n")
    run(repo, "--check")
    assert stub.read_text() == "edited\n"


def test_generation_writes_missing_and_outdated_pristine_stubs(repo):
    (repo[1] / "dense.py").unlink()
    solution = repo[0] / "maxpool.py"
    solution.write_text(solution.read_text().replace("Max pooling:", "Max pooling (edited):"))
    assert run(repo) == 0
    assert run(repo, "--check") == 0
    assert "Max pooling (edited):" in (repo[1] / "maxpool.py").read_text()


def test_an_edited_stub_is_never_overwritten_without_force(repo, capsys):
    stub = repo[1] / "conv.py"
    edited = stub.read_text().replace("# TODO 1. Remember the image", "self.mine = True  # my work\n        # TODO 1. Remember the image")
    stub.write_text(edited)
    solution = repo[0] / "conv.py"
    solution.write_text(solution.read_text().replace("A convolution layer", "A convolution layer (v2)"))
    assert run(repo) == 0
    assert stub.read_text() == edited
    assert "has your edits" in capsys.readouterr().out
    assert not list(repo[1].glob("conv.py.bak-*"))


def test_force_restores_the_stub_and_keeps_a_timestamped_backup(repo, capsys):
    stub = repo[1] / "conv.py"
    pristine = stub.read_text()
    stub.write_text("my work\n")
    assert run(repo, "--force", "conv") == 0
    assert stub.read_text() == pristine
    backups = list(repo[1].glob("conv.py.bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == "my work\n"
    assert re.fullmatch(r"conv\.py\.bak-\d{8}-\d{6}", backups[0].name)
    assert str(backups[0]) in capsys.readouterr().out


def test_force_never_overwrites_an_older_backup(repo):
    stub = repo[1] / "conv.py"
    for work in ("first\n", "second\n"):
        stub.write_text(work)
        assert run(repo, "--force", "conv") == 0
    assert sorted(path.read_text() for path in repo[1].glob("conv.py.bak-*")) == ["first\n", "second\n"]


def test_force_on_a_pristine_stub_makes_no_backup(repo):
    assert run(repo, "--force") == 0
    assert not list(repo[1].glob("*.bak-*"))


def test_unknown_module_is_a_usage_error(repo, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(repo, "convolution")
    assert exit_info.value.code == 2
    assert "unknown exercise file" in capsys.readouterr().err


def test_stub_replaces_the_solution_and_keeps_the_rest():
    stub = make_stub(SOLUTION, "tiny")
    assert "2 * x" not in stub and "SOLUTION" not in stub.split("\n", 4)[4]
    assert '"""Twice x."""' in stub and "# TODO 1. Multiply by two." in stub
    assert 'raise NotImplementedError("tiny.double is not written yet' in stub
    ast.parse(stub)


@pytest.mark.parametrize("module", modules())
def test_every_stub_names_its_functions(module):
    stub = (ROOT / "exercises" / f"{module}.py").read_text()
    ast.parse(stub)
    assert "# BEGIN SOLUTION" not in stub and "# END SOLUTION" not in stub
    assert re.search(rf'NotImplementedError\("{module}\.\w', stub)


def test_pristine_detection():
    stub = make_stub(SOLUTION, "tiny")
    assert is_pristine(stub)
    assert not is_pristine(stub.replace("Twice x.", "Twice x!"))
    assert not is_pristine(stub + " ")
    assert not is_pristine("\n".join(stub.splitlines()[1:]))  # header damaged
    assert not is_pristine("")


@pytest.mark.parametrize("source, problem", [
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "inside a function"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "never closed"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "without # BEGIN SOLUTION"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", "inside a function"),
])
def test_malformed_markers_are_errors(source, problem):
    with pytest.raises(StubError, match=problem):
        make_stub(source, "bad")


def test_malformed_markers_exit_with_a_message(repo, capsys):
    (repo[0] / "softmax.py").write_text("# BEGIN SOLUTION\n")
    assert run(repo, "softmax") == 2
    assert "error: softmax.py:1" in capsys.readouterr().err


def test_stub_of_chosen_functions_keeps_the_others_solution():
    kept = make_stub(SOLUTION, "tiny", functions={"other"}).split("\n", 4)[4]  # without the header
    assert "return 2 * x" in kept and "NotImplementedError" not in kept and "SOLUTION" not in kept
    assert make_stub(SOLUTION, "tiny", functions={"double"}) == make_stub(SOLUTION, "tiny")
