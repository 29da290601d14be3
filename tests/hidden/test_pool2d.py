"""NCHW max pooling, graded: overlapping windows (stride < kernel), ties, leftover rows."""

import numpy as np
import pytest

from grader.judge import repeated
from kata.judge.checks import assert_close, stacked_weighted_sum_gradient
from grader.judge.oracles import pool_first_max_gradient
from kata.judge.nchw import pool_oracle

CASES = [  # (x shape, kernel, stride)
    ((1, 1, 5, 5), 2, None),  # a batch of one; the last row and column fit no window
    ((2, 3, 7, 9), 3, 2),  # overlapping windows, stride that does not tile the input
    ((2, 2, 6, 6), 3, 1),  # heavy overlap: most inputs belong to several windows
    ((3, 2, 4, 4), 4, None),  # one window covering everything
]


@pytest.mark.exercise("pool2d.forward")
@pytest.mark.parametrize("shape, k, s", CASES)
def test_pool2d_forward_shapes(student, rng, shape, k, s):
    x = rng.standard_normal(shape)
    got = student.module("pool2d").MaxPool2D(k, s).forward(x)
    assert_close(got, pool_oracle(x, k, s or k), f"MaxPool2D({k}, stride={s}).forward(x of shape {shape})",
                 "scipy.ndimage.maximum_filter, one value per window")


@pytest.mark.exercise("pool2d.backward")
@pytest.mark.parametrize("shape, k, s", CASES)
def test_pool2d_backward_overlapping_windows_accumulate(student, rng, shape, k, s):
    s = s or k
    x = rng.standard_normal(shape)
    layer = student.module("pool2d").MaxPool2D(k, s)
    out = layer.forward(x)
    d_out = rng.standard_normal(out.shape)
    numeric = stacked_weighted_sum_gradient(lambda v: pool_oracle(v, k, s), x, d_out)
    assert_close(
        layer.backward(d_out, 0.1), numeric,
        f"MaxPool2D({k}, stride={s}).backward(d_out of shape {d_out.shape})", "central finite differences",
        likely_bugs={"gradients were assigned (=) where windows overlap: an input that is the maximum of "
                     "several overlapping windows gets the SUM of their gradients (+=)":
                     pool_first_max_gradient(x, d_out, k, s, accumulate=False)},
    )


@pytest.mark.exercise("pool2d.backward")
@pytest.mark.parametrize("k, s", [(2, 2), (3, 1)])
def test_pool2d_backward_ties_go_to_the_first_maximum(student, rng, k, s):
    # Few distinct values: most windows hold several equal maxima. The max of a tie has no
    # derivative, so the oracle is the documented rule instead: the first maximum in
    # row-major order (np.argmax) receives the window's gradient, once.
    x = rng.integers(0, 2, (2, 2, 6, 6)).astype(np.float64)
    layer = student.module("pool2d").MaxPool2D(k, s)
    out = layer.forward(x)
    d_out = rng.standard_normal(out.shape)
    got = layer.backward(d_out, 0.1)
    assert_close(
        got, pool_first_max_gradient(x, d_out, k, s),
        f"MaxPool2D({k}, stride={s}).backward on inputs of 0s and 1s (tied maxima)",
        "each window's d_out at its first maximum (np.argmax), in plain NumPy",
        likely_bugs={"ties double-counted: the gradient went to EVERY tied maximum; send it to the first "
                     "one only (np.argmax)": pool_first_max_gradient(x, d_out, k, s, every_tie=True),
                     "ties double-counted and windows overwriting each other (=): send each window's "
                     "gradient to its first maximum only, and accumulate (+=)":
                     pool_first_max_gradient(x, d_out, k, s, accumulate=False, every_tie=True)},
    )


# State across calls: one layer, three calls, a new input each; overlapping windows.
@pytest.mark.parametrize("backward", repeated.forward_and_backward("pool2d"))
def test_one_layer_called_again(student, rng, backward):
    layer = student.module("pool2d").MaxPool2D(3, 2)
    repeated.check_rounds(layer, repeated.pool2d(3, 2), rng, (2, 2, 7, 6), backward)
