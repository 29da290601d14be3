"""Batched softmax cross-entropy, against scipy.special.log_softmax and finite differences."""

import numpy as np
import pytest

from kata.judge.nchw import check_loss_and_gradient


@pytest.mark.exercise("loss.softmax_cross_entropy")
def test_loss_and_gradient_on_a_batch(student, rng):
    check_loss_and_gradient(student, rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2]))
