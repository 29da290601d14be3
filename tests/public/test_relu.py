"""ReLU (batched, any shape), against np.maximum and finite differences."""

import numpy as np
import pytest

from kata.judge.checks import assert_close, numerical_gradient


def away_from_zero(rng, shape):
    """Normal values with |x| >= 0.1: the kink at 0 stays out of the finite differences."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.1, np.sign(x) * 0.1 + x, x)


@pytest.mark.exercise("relu.forward")
def test_relu_forward_clips_negatives(student, rng):
    x = away_from_zero(rng, (2, 3, 4, 5))
    got = student.module("relu").ReLU().forward(x)
    assert_close(got, np.maximum(x, 0.0), "ReLU.forward(x of shape (2, 3, 4, 5))", "np.maximum(x, 0)")


@pytest.mark.exercise("relu.backward")
def test_relu_backward_matches_finite_differences(student, rng):
    x = away_from_zero(rng, (4, 6))
    d_out = rng.standard_normal(x.shape)
    layer = student.module("relu").ReLU()
    layer.forward(x)
    numeric = numerical_gradient(lambda v: float(np.sum(np.maximum(v, 0.0) * d_out)), x)
    assert_close(layer.backward(d_out, 0.1), numeric, "ReLU.backward(d_out of shape (4, 6))",
                 "central finite differences",
                 likely_bugs={"the gradient passed through everywhere: zero it where x < 0": d_out,
                              "the mask was taken from d_out: use the forward input x > 0": d_out * (d_out > 0)})
