"""NCHW Conv2D, graded on the shapes that break loops: strides that do not tile the input,
padding wider than 1, 1x1 kernels, a batch of one, non-square inputs."""

import pytest

from grader.judge import repeated
from grader.judge.cases import HARD_CASES
from kata.judge.nchw import check_conv_backward, check_conv_forward


@pytest.mark.exercise("conv2d.forward")
@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_conv2d_forward(student, rng, case):
    check_conv_forward(student, "conv2d", case, rng)


@pytest.mark.exercise("conv2d.backward")
@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_conv2d_backward(student, rng, case):
    check_conv_backward(student, "conv2d", case, rng, learn_rate=0.05)


# State across calls: one layer, three calls, a new input and learning rate each.
@pytest.mark.parametrize("backward", repeated.forward_and_backward("conv2d"))
def test_one_layer_called_again(student, rng, backward):
    repeated.check_conv2d_rounds(student, "conv2d", rng, backward)
