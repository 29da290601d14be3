"""NCHW Conv2D, graded on the shapes that break loops: strides that do not tile the input,
padding wider than 1, 1x1 kernels, a batch of one, non-square inputs; PyTorch as an extra
oracle when it happens to be installed."""

import numpy as np
import pytest

from kata.checks import assert_close
from kata.nchw import HARD_CASES, ConvCase, check_conv_backward, check_conv_forward, make_layer, random_conv


@pytest.mark.exercise("conv2d.forward")
@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_conv2d_forward(student, rng, case):
    check_conv_forward(student, "conv2d", case, rng)


@pytest.mark.exercise("conv2d.backward")
@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_conv2d_backward(student, rng, case):
    check_conv_backward(student, "conv2d", case, rng, learn_rate=0.05)


@pytest.mark.exercise("conv2d.forward")
def test_conv2d_forward_matches_pytorch_when_installed(student, rng):
    # An extra, optional oracle: the student's answer is computed first, so this test
    # fails on a stub like every other one and is skipped only for lack of PyTorch.
    case = ConvCase(n=2, c=3, h=8, w=7, f=5, k=3, stride=2, padding=2)
    x, weights, bias, _ = random_conv(case, rng)
    got = make_layer(student, "conv2d", case, weights, bias).forward(x)
    torch = pytest.importorskip("torch")
    expected = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(weights), torch.from_numpy(bias),
                                          stride=case.stride, padding=case.padding).numpy()
    assert_close(got, expected, f"conv2d.Conv2D.forward, {case}", "torch.nn.functional.conv2d (float64)")
