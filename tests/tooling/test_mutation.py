"""authoring/mutation.py (`make mutation`): what it mutates, and an allow-list that names
only mutants that exist. The run itself is slow and not part of `make check`."""

from __future__ import annotations

import pytest

pytest.importorskip("mutmut", reason="mutmut is a dev dependency (pyproject.toml): `make mutation` installs it")

from authoring.mutation import allowed, mutants, solution_lines  # noqa: E402


def test_only_the_solution_blocks_are_mutated_by_default():
    code = "def f():\n    x = 1\n    # BEGIN SOLUTION\n    y = 2\n    # END SOLUTION\n    return 3\n"
    assert solution_lines(code) == {3, 4}
    written = {mutant.line for mutant in mutants("dense")}
    given = {mutant.line for mutant in mutants("dense", given_code=True)} - written
    assert written and given  # dense.py's constructor ships in the stub, its forward does not
    assert all(mutant.function == "__init__" for mutant in mutants("dense", True) if mutant.line in given)


def test_every_allowed_mutant_exists_and_says_why():
    for file, entries in allowed().items():
        keys = {mutant.key for mutant in mutants(file)}
        for key, reason in entries.items():
            assert key in keys, f"{file}: the allow-list names a mutant that no longer exists: {key}"
            assert len(reason) > 20, f"{file}: {key}: say why it is equivalent"
