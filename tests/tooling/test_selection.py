"""Which tests run is chosen on the command line only (--ex), never by the environment."""

from __future__ import annotations

from typing import Callable

import pytest


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


def test_tracks_split_the_registry_in_teaching_order():
    from kata.exercises import EXERCISES, in_track, modules, select

    seed, advanced = in_track("seed"), in_track("advanced")
    assert seed + advanced == list(EXERCISES) == in_track("all")
    assert sum(e.points for e in seed) == 110 and modules("seed") == ["softmax", "dense", "maxpool", "conv", "network"]
    assert select("conv", "seed") == [e for e in seed if e.module == "conv"]
    with pytest.raises(ValueError, match="unknown exercise 'conv2d'"):
        select("conv2d", "seed")
    with pytest.raises(ValueError, match="unknown track"):
        in_track("expert")


def test_the_track_option_narrows_the_run(forked):
    seed = collected(forked, "--track", "seed", env={})
    assert "test_conv.py" in seed and "test_conv2d.py" not in seed
