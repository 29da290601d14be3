"""The vectorized Conv2D: the same checks as conv2d's, plus its speed against a scipy baseline."""

import pytest

from kata.judge.nchw import ConvCase, check_conv_backward, check_conv_forward
from kata.judge.speed import check_conv_speed, scipy_conv_step

CASE = ConvCase(n=2, c=3, h=7, w=9, f=4, k=3, stride=2, padding=1)
# Many pixels, few channels: what a loop over pixels pays for. The scipy baseline is several
# times slower than the graded NumPy baseline, so the bound is lower. Measured on this shape in
# CPU time, one BLAS thread, idle and with every core busy alike: conv2d.py's pixel loop 4.2-5.1x,
# an im2col by fancy indexing and np.add.at 0.4-0.5x, the reference im2col 0.1-0.2x.
SPEED_CASE = ConvCase(n=1, c=2, h=112, w=120, f=4, k=3, padding=1)
SPEED_LIMIT = 2.0


@pytest.mark.exercise("fast_conv.forward")
def test_fast_conv_forward(student, rng):
    check_conv_forward(student, "fast_conv", CASE, rng)


@pytest.mark.exercise("fast_conv.backward")
def test_fast_conv_backward(student, rng):
    check_conv_backward(student, "fast_conv", CASE, rng, learn_rate=0.1)


@pytest.mark.exercise("fast_conv.speed")
def test_fast_conv_is_vectorized(student, rng):
    check_conv_speed(student, rng, SPEED_CASE, SPEED_LIMIT, scipy_conv_step,
                     "a vectorized scipy baseline (kata/judge/speed.py)")
