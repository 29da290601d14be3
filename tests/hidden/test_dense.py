"""Graded: the fully connected layer on many input shapes and sizes."""

import pytest

from grader.judge import repeated
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


# State across calls: one layer, three calls, a new input and learning rate each.
@pytest.mark.parametrize("backward", repeated.forward_and_backward("dense"))
def test_one_layer_called_again(student, rng, backward):
    layer = student.module("dense").Dense(12, 4, rng=0)
    repeated.check_rounds(layer, repeated.dense(12, 4), rng, (2, 3, 2), backward)
