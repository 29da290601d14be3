"""Softmax and cross-entropy (hidden suite placeholder until the core suites land)."""

import numpy as np
import pytest

from kata.checks import assert_close, expect_number, numerical_gradient


def reference_softmax(logits):
    """Plain exp/sum in float64 on shifted logits: the oracle, written independently."""
    e = np.exp(logits - logits.max())
    return e / e.sum()


@pytest.mark.exercise("softmax.softmax")
def test_softmax_matches_exp_over_sum(student):
    logits = np.array([1.0, 2.0, 0.5, -1.0])
    expected = np.exp(logits) / np.sum(np.exp(logits))
    got = student.module("softmax").softmax(logits)
    assert_close(got, expected, "softmax([1, 2, 0.5, -1])", "np.exp(z) / np.sum(np.exp(z))")


@pytest.mark.exercise("softmax.softmax")
def test_softmax_survives_large_logits(student):
    logits = np.array([1000.0, 999.0, -1000.0])
    expected = np.array([1.0, np.exp(-1.0), 0.0]) / (1.0 + np.exp(-1.0))
    got = student.module("softmax").softmax(logits)
    assert_close(got, expected, "softmax([1000, 999, -1000])", "exact values e^0, e^-1, 0 over their sum")


@pytest.mark.exercise("softmax.cross_entropy")
def test_cross_entropy_loss_and_gradient(student, rng):
    logits = rng.standard_normal(10)
    label = 3
    loss, d_logits = student.module("softmax").cross_entropy(logits, label)
    loss = expect_number(loss, "cross_entropy(logits, 3)[0] (the loss)")
    expected_loss = -np.log(reference_softmax(logits)[label])
    assert abs(loss - expected_loss) <= 1e-7 * max(1.0, abs(expected_loss)), (
        f"cross_entropy loss is {loss:.6g}, expected -log(softmax(logits)[label]) = {expected_loss:.6g}"
    )
    numeric = numerical_gradient(lambda z: -np.log(reference_softmax(z)[label]), logits)
    assert_close(d_logits, numeric, "cross_entropy(logits, 3)[1] (d_logits)", "central finite differences")
