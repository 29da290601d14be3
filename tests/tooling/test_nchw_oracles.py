"""The advanced suites' oracles agree with each other and with the formulas they implement."""

import numpy as np
import pytest

from kata.judge.nchw import HARD_CASES, conv_einsum, conv_input_gradient_padded, conv_oracle, pad, random_conv


@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_einsum_convolution_matches_scipy(case):
    x, weights, bias, _ = random_conv(case, np.random.default_rng(0))
    expected = conv_oracle(x, weights, bias, case.stride, case.padding)
    assert expected.shape == case.out_shape
    np.testing.assert_allclose(conv_einsum(x, weights, bias, case.stride, case.padding), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_padded_input_gradient_is_the_adjoint_of_the_convolution(case):
    # <conv(x_pad), d_out> == <x_pad, dL/dx_pad> for every x_pad: the defining property.
    x, weights, _, d_out = random_conv(case, np.random.default_rng(1))
    x_pad = pad(x, case.padding)
    d_x_pad = conv_input_gradient_padded(d_out, weights, case.stride, x_pad.shape[2:])
    lhs = np.sum(conv_einsum(x_pad, weights, np.zeros(case.f), case.stride, 0) * d_out)
    assert np.isclose(lhs, np.sum(x_pad * d_x_pad), rtol=1e-12)
