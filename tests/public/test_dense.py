"""The fully connected layer, against np.matmul and finite differences (checks: kata/judge/layer_checks.py)."""

import pytest

from kata.judge.layer_checks import (check_dense_d_x, check_dense_forward, check_dense_parameter_gradients,
                               check_dense_update)


@pytest.mark.exercise("dense.forward")
def test_forward_flattens_and_matches_matmul(student, rng):
    check_dense_forward(student, rng, x_shape=(3, 4, 2), nodes=5)


@pytest.mark.exercise("dense.backward")
def test_d_x_matches_finite_differences(student, rng):
    check_dense_d_x(student, rng, x_shape=(3, 4, 2), nodes=5)


@pytest.mark.exercise("dense.backward")
def test_d_weights_and_d_biases_match_finite_differences(student, rng):
    check_dense_parameter_gradients(student, rng, x_shape=(3, 4, 2), nodes=5)


@pytest.mark.exercise("dense.backward")
def test_update_is_one_sgd_step(student, rng):
    check_dense_update(student, rng, x_shape=(3, 4, 2), nodes=5)
