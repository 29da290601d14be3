"""NCHW max pooling, against a sliding-window max and finite differences."""

import pytest

from kata.judge.checks import assert_close, stacked_weighted_sum_gradient
from kata.judge.nchw import pool_oracle


@pytest.mark.exercise("pool2d.forward")
@pytest.mark.parametrize("k, s", [(2, None), (3, 2)])
def test_pool2d_forward(student, rng, k, s):
    x = rng.standard_normal((2, 3, 7, 8))
    got = student.module("pool2d").MaxPool2D(k, s).forward(x)
    assert_close(got, pool_oracle(x, k, s or k), f"MaxPool2D({k}, stride={s}).forward(x of shape (2, 3, 7, 8))",
                 "scipy.ndimage.maximum_filter, one value per window")


@pytest.mark.exercise("pool2d.backward")
def test_pool2d_backward_matches_finite_differences(student, rng):
    # Distinct random values: each window has one clear maximum, so the max is
    # differentiable and finite differences give its exact gradient.
    x = rng.standard_normal((2, 2, 8, 6))
    d_out = rng.standard_normal((2, 2, 4, 3))
    layer = student.module("pool2d").MaxPool2D(2)
    layer.forward(x)
    numeric = stacked_weighted_sum_gradient(lambda v: pool_oracle(v, 2, 2), x, d_out)
    assert_close(layer.backward(d_out, 0.1), numeric, "MaxPool2D(2).backward(d_out of shape (2, 2, 4, 3))",
                 "central finite differences")
