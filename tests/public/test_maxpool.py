"""Max pooling, against a NumPy reshape/max and finite differences (checks: kata/judge/layer_checks.py)."""

import pytest

from kata.judge.layer_checks import check_pool_backward, check_pool_forward, check_pool_ties


@pytest.mark.exercise("maxpool.forward")
def test_forward_matches_reshape_max(student, rng):
    check_pool_forward(student, rng, x_shape=(4, 6, 2), size=2)


@pytest.mark.exercise("maxpool.forward")
def test_forward_drops_the_odd_row_and_column(student, rng):
    check_pool_forward(student, rng, x_shape=(5, 7, 3), size=2)


@pytest.mark.exercise("maxpool.backward")
def test_backward_matches_finite_differences(student, rng):
    check_pool_backward(student, rng, x_shape=(6, 4, 2), size=2)


@pytest.mark.exercise("maxpool.backward")
def test_backward_sends_each_window_gradient_to_one_tied_maximum(student, rng):
    check_pool_ties(student, rng, x_shape=(4, 4, 2), size=2)
