"""NCHW Conv2D, against scipy.signal.correlate (per channel, summed) and finite differences."""

import pytest

from kata.judge.nchw import ConvCase, check_conv_backward, check_conv_forward

CASE = ConvCase(n=2, c=3, h=7, w=9, f=4, k=3, stride=2, padding=1)


@pytest.mark.exercise("conv2d.forward")
def test_conv2d_forward(student, rng):
    check_conv_forward(student, "conv2d", CASE, rng)


@pytest.mark.exercise("conv2d.backward")
def test_conv2d_backward(student, rng):
    check_conv_backward(student, "conv2d", CASE, rng, learn_rate=0.1)
