"""Softmax and cross-entropy, against np.logaddexp and finite differences.

The checks themselves live in kata/judge/layer_checks.py (shared with the graded suites);
each test here names one property on one case.
"""

import numpy as np
import pytest

from kata.judge.layer_checks import check_cross_entropy, check_softmax


@pytest.mark.exercise("softmax.softmax")
def test_softmax_of_small_logits(student):
    check_softmax(student, np.array([1.0, 2.0, 0.5, -1.0]))


@pytest.mark.exercise("softmax.softmax")
def test_softmax_survives_large_logits(student):
    check_softmax(student, np.array([1000.0, 999.0, -1000.0]))


@pytest.mark.exercise("softmax.cross_entropy")
def test_cross_entropy_loss_and_gradient(student, rng):
    check_cross_entropy(student, rng.standard_normal(10), label=3)


@pytest.mark.exercise("softmax.cross_entropy")
def test_cross_entropy_survives_large_logits(student):
    check_cross_entropy(student, np.array([1000.0, -1000.0, 0.0]), label=1)
