"""The advanced suites' oracles agree with each other and with the formulas they implement."""

import numpy as np
import pytest

from grader.judge.cases import HARD_CASES
from grader.judge.oracles import conv_einsum
from kata.judge.nchw import (conv_input_gradient_padded, conv_oracle, conv_stacked, overwritten_input_gradient, pad,
                             pool_oracle, random_conv)


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


@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_shipped_fft_convolution_matches_scipy_correlate(case):
    # kata/judge/nchw.conv_stacked (fftconvolve, shipped) against the loop of correlates.
    x, weights, bias, _ = random_conv(case, np.random.default_rng(2))
    np.testing.assert_allclose(conv_stacked(x, weights, bias, case.stride, case.padding),
                               conv_oracle(x, weights, bias, case.stride, case.padding), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, k, s", [((2, 3, 7, 9), 3, 2), ((1, 1, 5, 5), 2, 2), ((2, 2, 6, 6), 3, 1),
                                         ((3, 2, 4, 4), 4, 4)])
def test_shipped_pool_oracle_is_the_max_of_each_window(shape, k, s):
    x = np.random.default_rng(3).standard_normal(shape)
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(-2, -1))[..., ::s, ::s, :, :]
    assert np.array_equal(pool_oracle(x, k, s), windows.max(axis=(-2, -1)))


@pytest.mark.parametrize("case", HARD_CASES, ids=str)
@pytest.mark.parametrize("per_offset", [False, True])
def test_overwrite_bug_matches_the_loop_that_assigns(case, per_offset):
    # The vectorized bug signature against the loop it describes (written here, not shipped).
    _, weights, _, d_out = random_conv(case, np.random.default_rng(4))
    got = overwritten_input_gradient(d_out, weights, case.stride, case.padding, (case.h, case.w), per_offset)
    rows, cols, size, step, p = d_out.shape[2], d_out.shape[3], case.k, case.stride, case.padding
    if size <= step:
        assert got is None
        return
    d_x_pad = np.zeros((case.n, case.c, case.h + 2 * p, case.w + 2 * p))
    if per_offset:
        for row in range(size):
            for col in range(size):
                d_x_pad[:, :, row:row + step * rows:step, col:col + step * cols:step] = np.einsum(
                    "nfij,fc->ncij", d_out, weights[:, :, row, col])
    else:
        for row in range(rows):
            for col in range(cols):
                d_x_pad[:, :, row * step:row * step + size, col * step:col * step + size] = np.einsum(
                    "nf,fcab->ncab", d_out[:, :, row, col], weights)
    np.testing.assert_allclose(got, d_x_pad[:, :, p:p + case.h, p:p + case.w], rtol=1e-12, atol=1e-12)
