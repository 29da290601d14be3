"""The vectorized Conv2D: the same checks as conv2d's, plus its speed against a NumPy baseline."""

import pytest

from kata.judge.nchw import ConvCase, check_conv_backward, check_conv_forward, check_conv_speed

CASE = ConvCase(n=2, c=3, h=7, w=9, f=4, k=3, stride=2, padding=1)


@pytest.mark.exercise("fast_conv.forward")
def test_fast_conv_forward(student, rng):
    check_conv_forward(student, "fast_conv", CASE, rng)


@pytest.mark.exercise("fast_conv.backward")
def test_fast_conv_backward(student, rng):
    check_conv_backward(student, "fast_conv", CASE, rng, learn_rate=0.1)


@pytest.mark.exercise("fast_conv.speed")
def test_fast_conv_is_vectorized(student, rng):
    check_conv_speed(student, rng)
