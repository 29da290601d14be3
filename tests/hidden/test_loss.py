"""Batched softmax cross-entropy, graded: a batch of one, large logits, many classes."""

import numpy as np
import pytest

from kata.judge.checks import assert_close, expect_number
from kata.judge.nchw import check_loss_and_gradient


@pytest.mark.exercise("loss.softmax_cross_entropy")
@pytest.mark.parametrize("n, k", [(1, 3), (8, 10)])
def test_loss_and_gradient_shapes(student, rng, n, k):
    check_loss_and_gradient(student, rng.standard_normal((n, k)), rng.integers(0, k, n))


@pytest.mark.exercise("loss.softmax_cross_entropy")
def test_loss_survives_large_logits(student):
    # exp(1000) overflows: without subtracting each row's max the loss is inf or nan.
    logits = np.array([[1000.0, 999.0, -1000.0], [-1000.0, 0.0, 1000.0]])
    labels = np.array([1, 0])
    loss, d_logits = student.module("loss").softmax_cross_entropy(logits, labels)
    p0 = np.exp(-1.0) / (1 + np.exp(-1.0))
    expected_grad = np.array([[1 - p0, p0 - 1, 0.0], [-1.0, 0.0, 1.0]]) / 2
    # Both mistakes make the loss inf or nan; only the shifted softmax gets d_logits right.
    shifted = isinstance(d_logits, np.ndarray) and d_logits.shape == expected_grad.shape and bool(
        np.allclose(d_logits, expected_grad, rtol=1e-7, atol=1e-12))
    cause = ("\n  Likely bug: the logits are shifted, but -log(p) underflows: p = e^-2000 rounds to 0 and "
             "-log(0) is inf. Take the log-probabilities as (z - max) - log(sum(exp(z - max)))" if shifted
             else "\n  Hint: overflow without the max shift? exp(1000) is inf: subtract each row's max first")
    loss = expect_number(loss, "softmax_cross_entropy(logits of +-1000)[0] (the loss)", cause)
    # Row 0: -log(e^-1 / (1 + e^-1)) = 1 + log(1 + e^-1); row 1: -log(e^-2000 / ...) ~ 2000.
    expected = (1 + np.log1p(np.exp(-1.0)) + 2000.0) / 2
    assert abs(loss - expected) <= 1e-9 * expected, (
        f"loss is {loss:.10g}, expected {expected:.10g}: with logits of +-1000 compute log-probabilities "
        "as (z - max) - log(sum(exp(z - max))), never log(softmax) (underflow) or exp(z) (overflow)"
    )
    assert_close(d_logits, expected_grad, "softmax_cross_entropy(logits of +-1000)[1] (d_logits)",
                 "the exact softmax of these logits, minus the one-hot labels, over N")
