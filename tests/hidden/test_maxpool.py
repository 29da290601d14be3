"""Graded: max pooling on odd sizes, 1x1 outputs, other window sizes, ties."""

import pytest

from grader.judge import repeated
from kata.judge.layer_checks import check_pool_backward, check_pool_forward, check_pool_ties

# (x's shape, size): square, odd in one or both directions, a single window, a 3x3 window.
CASES = [((2, 2, 1), 2), ((3, 3, 1), 2), ((8, 8, 4), 2), ((7, 5, 3), 2), ((6, 9, 2), 2),
         ((9, 7, 2), 3), ((4, 5, 1), 1)]


@pytest.mark.exercise("maxpool.forward")
@pytest.mark.parametrize("x_shape, size", CASES)
def test_forward(student, rng, x_shape, size):
    check_pool_forward(student, rng, x_shape, size)


@pytest.mark.exercise("maxpool.backward")
@pytest.mark.parametrize("x_shape, size", CASES)
def test_backward(student, rng, x_shape, size):
    check_pool_backward(student, rng, x_shape, size)


@pytest.mark.exercise("maxpool.backward")
@pytest.mark.parametrize("x_shape, size", [((2, 2, 1), 2), ((5, 7, 3), 2), ((6, 6, 2), 3)])
def test_ties(student, rng, x_shape, size):
    check_pool_ties(student, rng, x_shape, size)


# State across calls: one layer, three calls, a new input each.
@pytest.mark.parametrize("backward", repeated.forward_and_backward("maxpool"))
def test_one_layer_called_again(student, rng, backward):
    layer = student.module("maxpool").MaxPool(size=2)
    repeated.check_rounds(layer, repeated.seed_pool(2), rng, (5, 6, 2), backward)
