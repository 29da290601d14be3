"""Which tests run is chosen on the command line only (--ex), never by the environment."""

from __future__ import annotations

from typing import Callable


def collected(forked: Callable, *options: str, env: dict[str, str | None]) -> str:
    done = forked("pytest", "--collect-only", "-q", "tests/public", "--impl", "solutions", *options, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_an_ex_in_the_environment_does_not_narrow_the_run(forked):
    everything = collected(forked, env={"EX": "conv"})  # as `EX=conv make check` would leave it
    assert "test_softmax.py" in everything and "test_conv.py" in everything


def test_the_option_narrows_the_run(forked):
    only_conv = collected(forked, "--ex", "conv", env={"EX": None})
    assert "test_conv.py" in only_conv and "test_softmax.py" not in only_conv
