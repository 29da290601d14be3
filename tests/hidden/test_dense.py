"""Graded: the fully connected layer on many input shapes and sizes."""

import pytest

from kata.judge.layer_checks import (check_dense_d_x, check_dense_forward, check_dense_parameter_gradients,
                               check_dense_update)

# (x's shape, nodes): a single input and output, flat inputs, the seed network's pooled maps.
CASES = [((1,), 1), ((7,), 3), ((2, 3, 4), 10), ((3, 3, 16), 10), ((5, 1, 2), 1)]


@pytest.mark.exercise("dense.forward")
@pytest.mark.parametrize("x_shape, nodes", CASES)
def test_forward(student, rng, x_shape, nodes):
    check_dense_forward(student, rng, x_shape, nodes)


@pytest.mark.exercise("dense.backward")
@pytest.mark.parametrize("x_shape, nodes", CASES)
def test_d_x(student, rng, x_shape, nodes):
    check_dense_d_x(student, rng, x_shape, nodes)


@pytest.mark.exercise("dense.backward")
@pytest.mark.parametrize("x_shape, nodes", CASES)
def test_d_weights_and_d_biases(student, rng, x_shape, nodes):
    check_dense_parameter_gradients(student, rng, x_shape, nodes)


@pytest.mark.exercise("dense.backward")
@pytest.mark.parametrize("x_shape, nodes", CASES)
def test_update(student, rng, x_shape, nodes):
    check_dense_update(student, rng, x_shape, nodes)
