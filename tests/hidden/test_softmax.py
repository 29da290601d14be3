"""Graded: softmax and cross-entropy on many sizes, scales and labels."""

import numpy as np
import pytest

from kata.judge import oracles
from kata.judge.checks import assert_close
from kata.judge.layer_checks import check_cross_entropy, check_softmax

LOGITS = {
    "one class": np.array([3.0]),
    "all equal": np.full(5, 7.0),
    "all -1000": np.full(4, -1000.0),
    "+-1000": np.array([1000.0, -1000.0, 999.5, 0.0]),
    "huge spread": np.array([-1e4, 1e4, 0.5]),
}


@pytest.mark.exercise("softmax.softmax")
@pytest.mark.parametrize("name", LOGITS)
def test_softmax_edge_cases(student, name):
    check_softmax(student, LOGITS[name])


@pytest.mark.exercise("softmax.softmax")
@pytest.mark.parametrize("size, scale", [(2, 1.0), (10, 1.0), (10, 30.0), (37, 1000.0)])
def test_softmax_random(student, rng, size, scale):
    check_softmax(student, rng.standard_normal(size) * scale)


@pytest.mark.exercise("softmax.softmax")
def test_softmax_returns_float64(student, rng):
    # float32 is within the tolerance of most comparisons (7 digits), but the API promises
    # float64, and float32 probabilities lose the loss's precision downstream.
    logits = rng.standard_normal(6)
    got = student.module("softmax").softmax(logits)
    assert_close(got, oracles.softmax(logits), "softmax(6 float64 logits)", "scipy.special.softmax")  # right first
    assert got.dtype == np.float64, (
        f"softmax(6 float64 logits) returned dtype {got.dtype}, expected float64 as the docstring promises: "
        "no astype(np.float32) or dtype=np.float32 anywhere on the way")


@pytest.mark.exercise("softmax.cross_entropy")
@pytest.mark.parametrize("size, label", [(2, 0), (2, 1), (10, 0), (10, 9), (25, 12)])
def test_cross_entropy_random(student, rng, size, label):
    check_cross_entropy(student, rng.standard_normal(size) * 3, label)


@pytest.mark.exercise("softmax.cross_entropy")
@pytest.mark.parametrize("name, label", [("one class", 0), ("all equal", 2), ("all -1000", 3),
                                         ("+-1000", 1), ("+-1000", 0), ("huge spread", 0)])
def test_cross_entropy_edge_cases(student, name, label):
    check_cross_entropy(student, LOGITS[name], label)
