"""kata/judge/checks.py: the comparisons every suite relies on, and the messages they give."""

from __future__ import annotations

import numpy as np
import pytest

from kata.judge.checks import (NAN_HINT, assert_close, assert_number_close, expect_array, expect_number, fd_floor,
                         numerical_gradient, rel_error, stacked_numerical_gradient, stacked_weighted_sum_gradient,
                         weighted_sum_gradient)
from kata.judge import oracles
from grader.judge import oracles as trusted
from grader.judge.cases import HARD_CASES
from grader.judge.oracles import conv_einsum
from kata.judge.nchw import random_conv


def test_rel_error_of_two_zeros_is_zero():
    assert rel_error(np.zeros(3), np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_rel_error_values():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(1.0, -1.0) == 1.0
    assert rel_error(2.0, 1.0) == pytest.approx(1 / 3)
    assert rel_error(1e-9, 0.0) == pytest.approx(0.1)  # the 1e-8 floor
    assert rel_error(1e-9, 0.0, floor=1.0) == pytest.approx(1e-9)


def test_fd_floor_is_a_percent_of_the_largest_value():
    assert fd_floor(np.array([-300.0, 2.0])) == pytest.approx(3.0)
    assert fd_floor(np.zeros(2)) == 1e-8
    assert fd_floor(np.zeros(0)) == 1e-8


def test_numerical_gradient_is_accurate_and_leaves_x_alone():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    assert np.max(rel_error(grad, 3 * before ** 2)) < 1e-8
    assert np.array_equal(x, before)


def test_weighted_sum_gradient_of_a_linear_map():
    rng = np.random.default_rng(0)
    matrix, x, upstream = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(4)
    grad = weighted_sum_gradient(lambda v: matrix @ v, x, upstream)
    assert np.max(rel_error(grad, matrix.T @ upstream)) < 1e-8


# 12 elements: 24 copies in one call, or 5 elements (10 copies) per call, the last call short.
@pytest.mark.parametrize("max_values", [2 ** 19, 10 * 12])
def test_stacked_numerical_gradient_agrees_with_numerical_gradient(max_values):
    # Nonlinear, and every element's derivative depends on all the others.
    rng = np.random.default_rng(0)
    x, weights = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    before = x.copy()

    def loss(v):
        return float(np.sum(np.sin(v) * weights) * np.sum(v ** 2))

    def losses(stack):
        return np.sum(np.sin(stack) * weights, axis=(1, 2)) * np.sum(stack ** 2, axis=(1, 2))

    grad = stacked_numerical_gradient(losses, x, max_values=max_values)
    assert np.max(rel_error(grad, numerical_gradient(loss, x))) < 1e-9
    assert np.array_equal(x, before)


@pytest.mark.parametrize("argument", ["x", "weights", "bias"])
def test_stacked_weighted_sum_gradient_agrees_on_the_convolution_oracle(argument):
    # What the advanced conv suites compute: conv_einsum on a stack of copies of one argument.
    case = HARD_CASES[-1]  # even kernel, stride and padding
    x, weights, bias, d_out = random_conv(case, np.random.default_rng(0))
    values = {"x": x, "weights": weights, "bias": bias}

    def conv(value):
        return conv_einsum(**{**values, argument: value}, stride=case.stride, padding=case.padding)

    grad = stacked_weighted_sum_gradient(conv, values[argument], d_out)
    expected = weighted_sum_gradient(conv, values[argument], d_out)
    # Both are the same central differences, but the stack's sums round in another order
    # (BLAS-dependent), so they agree to the rounding noise of L, not exactly: each of the
    # two L values of a difference is off by at most ~eps * log2(terms) * sum|terms| (pairwise
    # summation), divided by 2h, for each of the two gradients. A fixed 1e-9 relative bound
    # held on some machines only (1.25e-9 seen on the weights).
    terms = conv(values[argument]) * d_out
    noise = 2 * (2 * np.finfo(float).eps * np.log2(terms.size) * np.sum(np.abs(terms)) / (2 * 1e-5))
    assert np.max(np.abs(grad - expected)) <= noise
    assert noise < 1e-8 * np.max(np.abs(expected))  # still far below what a bug changes (~1)


class Subclass(np.ndarray):
    pass


@pytest.mark.parametrize("value, message", [
    ([1.0, 2.0, 3.0], "returned list, expected a numpy.ndarray of shape (3,)"),
    ((1.0, 2.0, 3.0), "returned tuple"),
    (np.zeros(3).view(Subclass), "returned Subclass"),
    (np.ma.masked_array(np.zeros(3)), "returned MaskedArray"),
    (None, "returned None, expected a numpy.ndarray of shape (3,) (is a `return` missing?)"),
    (np.zeros(3, dtype=int), "dtype int64, expected floats"),
    (np.zeros(3, dtype=bool), "dtype bool"),
    (np.zeros(1), "returned shape (1,), expected (3,)"),  # would broadcast
    (np.zeros((3, 1)), "returned shape (3, 1), expected (3,)"),  # would broadcast too
    (np.array(1.0), "returned shape (), expected (3,)"),
    (np.array([1.0, np.nan, 0.0]), "non-finite value (nan) at index (1,)"),
    (np.array([1.0, 0.0, -np.inf]), "non-finite value (-inf) at index (2,)"),
])
def test_expect_array_rejects(value, message):
    with pytest.raises(AssertionError) as failure:
        expect_array(value, (3,), "f(x)")
    assert message in str(failure.value)
    assert str(failure.value).startswith("f(x) returned")


@pytest.mark.parametrize("got, expected, hint", [
    ((4, 5, 2), (5, 6, 2), "off by one along axis 0 and 1"),
    ((2, 4, 3), (2, 3, 3), "off by one along axis 1"),
    ((24,), (3, 4, 2), "the right number of values in the wrong shape (reshape it)"),
    ((5, 3), (3, 5), "the axes are swapped (transposed)"),
    # d_x_pad[..., p:-p, p:-p] with p = 0: -0 is 0, so the slice is empty.
    ((2, 3, 0, 0), (2, 3, 5, 5), "A slice x[p:-p] is empty when p = 0 (-0 is 0"),
])
def test_expect_array_explains_classic_shape_mistakes(got, expected, hint):
    with pytest.raises(AssertionError, match=r"\(") as failure:
        expect_array(np.zeros(got), expected, "f(x)")
    assert hint in str(failure.value)


def test_expect_array_accepts_float_arrays_and_may_allow_non_finite():
    value = np.array([1.0, np.inf], dtype=np.float32)
    assert expect_array(value, (2,), "f", finite=False) is value
    assert expect_array(np.zeros((2, 3)), [2, 3], "f").shape == (2, 3)


@pytest.mark.parametrize("value", [1, 2.5, np.float64(3.0), np.int64(2), np.array(4.0)])
def test_expect_number_accepts(value):
    assert expect_number(value, "f") == float(value)


@pytest.mark.parametrize("value, message", [
    (True, "returned bool, expected a number"),
    ("1.0", "returned str"),
    (np.array([1.0]), "returned ndarray"),
    (None, "returned NoneType"),
    (float("nan"), "returned nan, expected a finite number"),
    (np.inf, "returned inf"),
])
def test_expect_number_rejects(value, message):
    with pytest.raises(AssertionError, match=message):
        expect_number(value, "f")


def test_a_nan_number_comes_with_where_nan_comes_from_and_the_tests_cause():
    with pytest.raises(AssertionError) as failure:
        expect_number(float("nan"), "loss", "\n  Hint: overflow?")
    assert str(failure.value) == f"loss returned nan, expected a finite number\n  Hint: overflow?\n  Hint: {NAN_HINT}"
    with pytest.raises(AssertionError) as failure:  # inf: its bugs name it (overflow, log(0)), not this hint
        expect_number(np.inf, "loss")
    assert "Hint" not in str(failure.value)
    with pytest.raises(AssertionError, match="loss returned nan, expected the finite 2 .*\n  Hint: nan comes from"):
        assert_number_close(float("nan"), 2.0, "loss", "logsumexp")
    with pytest.raises(AssertionError) as failure:  # a bug that explains the nan comes instead
        assert_number_close(float("nan"), 2.0, "loss", "logsumexp", likely_bugs={"overflow": float("nan")})
    assert "Likely bug: overflow" in str(failure.value) and "Hint" not in str(failure.value)


def test_assert_close_passes_within_tolerance():
    expected = np.array([1.0, 0.0, -2.0])
    assert_close(expected * (1 + 1e-9), expected, "f", "oracle")
    assert_close(np.zeros((0, 2)), np.zeros((0, 2)), "f", "oracle")


def test_assert_close_message_shows_the_worst_element_and_the_oracle():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = expected.copy()
    got[1, 0] = 3.3
    got[0, 1] = 2.0001
    with pytest.raises(AssertionError) as failure:
        assert_close(got, expected, "layer.forward(x)", "scipy.signal.correlate2d")
    message = str(failure.value)
    assert message.startswith("layer.forward(x) is wrong: worst relative error 4.76e-02 at index (1, 0)")
    assert "got 3.3, expected 3" in message
    assert "expected values from scipy.signal.correlate2d" in message
    assert "2 of 4 values off" in message
    assert "Likely bug" not in message


def test_assert_close_names_a_likely_bug():
    expected = np.array([1.0, 2.0])
    with pytest.raises(AssertionError, match="\n  Likely bug: doubled") as failure:
        assert_close(2 * expected, expected, "f", "oracle",
                     likely_bugs={"halved": expected / 2, "doubled": 2 * expected})
    assert "halved" not in str(failure.value)


def test_assert_close_names_a_bug_that_returns_nan():
    expected = np.array([0.5, 0.5, 0.0])
    bug_value = np.array([np.nan, np.nan, 0.0])
    with pytest.raises(AssertionError) as failure:
        assert_close(bug_value.copy(), expected, "softmax", "scipy", likely_bugs={"overflow": bug_value})
    assert "got nan" in str(failure.value) and "Likely bug: overflow" in str(failure.value)
    with pytest.raises(AssertionError) as failure:  # nan elsewhere: not that bug
        assert_close(np.array([0.5, np.nan, np.nan]), expected, "softmax", "scipy",
                     likely_bugs={"overflow": bug_value})
    assert "Likely bug" not in str(failure.value)


def test_assert_close_says_when_float32_rounding_is_the_only_fault():
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((8, 8)), rng.standard_normal((3, 3))
    expected = oracles.conv_forward(image, kernel[None])
    in_float32 = oracles.conv_forward(image.astype(np.float32), kernel[None].astype(np.float32)).astype(np.float32)
    with pytest.raises(AssertionError) as failure:
        assert_close(in_float32, expected, "conv", "scipy")
    assert "\n  Likely bug: the result is float32, not float64" in str(failure.value)
    with pytest.raises(AssertionError) as failure:  # far off: float32 is not why
        assert_close((2 * expected).astype(np.float32), expected, "conv", "scipy")
    assert "Likely bug" not in str(failure.value)
    with pytest.raises(AssertionError) as failure:  # the same error in float64: not the dtype
        assert_close(in_float32.astype(np.float64), expected, "conv", "scipy")
    assert "Likely bug" not in str(failure.value)


def test_assert_close_checks_the_shape_exactly():
    with pytest.raises(AssertionError, match=r"returned shape \(1,\), expected \(3,\)"):
        assert_close(np.ones(1), np.ones(3), "f", "oracle")


def test_assert_close_floor_forgives_noise_on_tiny_elements_only():
    expected = np.array([100.0, 1e-6])
    noisy = expected + np.array([0.0, 1e-10])
    with pytest.raises(AssertionError):
        assert_close(noisy, expected, "f", "finite differences")
    assert_close(noisy, expected, "f", "finite differences", floor=fd_floor(expected))
    with pytest.raises(AssertionError):
        assert_close(expected + np.array([0.0, 1e-3]), expected, "f", "fd", floor=fd_floor(expected))


def test_assert_number_close():
    assert assert_number_close(np.float64(2.0), 2.0, "loss", "oracle") == 2.0
    with pytest.raises(AssertionError, match="loss is wrong: got 2.1, expected 2 .*from logsumexp"):
        assert_number_close(2.1, 2.0, "loss", "logsumexp")
    with pytest.raises(AssertionError, match="loss returned inf, expected the finite 2000 .*\n  Likely bug: log0"):
        assert_number_close(float("inf"), 2000.0, "loss", "logsumexp", likely_bugs={"log0": float("inf")})
    with pytest.raises(AssertionError, match="Likely bug: off by one"):
        assert_number_close(3.0, 2.0, "loss", "oracle", likely_bugs={"nan": float("nan"), "off by one": 3.0})
    with pytest.raises(AssertionError, match="returned list"):
        assert_number_close([2.0], 2.0, "loss", "oracle")


def test_stacked_conv_oracle_is_scipys_correlation_on_every_stack():
    rng = np.random.default_rng(3)
    images, filters = rng.standard_normal((4, 9, 7)), rng.standard_normal((5, 6, 3, 3))
    for b in range(4):  # a stack of images, one set of filters
        np.testing.assert_allclose(oracles.conv_forward_stacked(images, filters[0])[b],
                                   oracles.conv_forward(images[b], filters[0]), rtol=1e-12, atol=1e-12)
    for b in range(5):  # one image, a stack of filter sets
        np.testing.assert_allclose(oracles.conv_forward_stacked(images[0], filters)[b],
                                   oracles.conv_forward(images[0], filters[b]), rtol=1e-12, atol=1e-12)


def test_public_oracles_agree_with_the_trusted_numpy_references():
    # kata/judge/oracles.py (scipy, shipped) against grader/judge/oracles.py (plain NumPy,
    # never shipped): two machineries, one answer, on ties and leftover rows too.
    rng = np.random.default_rng(5)
    logits, large = rng.standard_normal(7), np.array([1000.0, 999.0, -1000.0])
    for z in (logits, large):
        np.testing.assert_allclose(oracles.softmax(z), trusted.softmax(z), rtol=1e-12, atol=1e-300)
        assert np.isclose(oracles.cross_entropy_loss(z, 1), trusted.cross_entropy_loss(z, 1), rtol=1e-12)
    x, weights, biases = rng.standard_normal((3, 2, 2)), rng.standard_normal((6, 12, 5)), rng.standard_normal(5)
    np.testing.assert_allclose(oracles.dense_forward(x, weights, biases), trusted.dense_forward(x, weights, biases),
                               rtol=1e-13)
    for shape in ((5, 7, 3), (4, 4, 2)):
        for values in (rng.standard_normal(shape), rng.integers(0, 2, shape).astype(float)):
            d_out = rng.standard_normal((shape[0] // 2, shape[1] // 2, shape[2]))
            assert np.array_equal(oracles.pool_forward(values, 2), trusted.pool_forward(values, 2))
            for ties in ("first", "last", "all"):
                assert np.array_equal(oracles.pool_backward(values, d_out, 2, ties),
                                      trusted.pool_backward(values, d_out, 2, ties)), ties
    for image_shape, k in (((6, 7), 3), ((5, 5), 2)):
        filters = rng.standard_normal((3, k, k))
        d_out = rng.standard_normal((image_shape[0] - k + 1, image_shape[1] - k + 1, 3))
        np.testing.assert_allclose(oracles.conv_d_image_overwrite_bug(d_out, filters),
                                   trusted.conv_d_image_overwrite_bug(d_out, filters), rtol=1e-13)


def test_split_ties_give_each_tied_maximum_an_equal_share():
    x = np.array([[1.0, 1.0, 0.0, 2.0], [0.0, 0.0, 1.0, 1.0]])[:, :, None]  # windows: 2 tied, 1 maximum
    d_out = np.array([[[4.0], [3.0]]])
    split = oracles.pool_backward(x, d_out, 2, ties="split")[:, :, 0]
    assert split.tolist() == [[2.0, 2.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0]]


def test_bug_signatures_are_never_the_right_answer():
    # Where a bug cannot show, its function says None instead of returning the answer.
    assert oracles.softmax_overflow_bug(np.array([1.0, 2.0])) is None
    assert np.isnan(oracles.softmax_overflow_bug(np.array([1000.0, 0.0]))[0])
    assert oracles.cross_entropy_underflow_bug(np.array([1.0, 2.0]), 0) is None
    assert oracles.cross_entropy_underflow_bug(np.array([1000.0, -1000.0]), 1) == np.inf
    assert oracles.conv_d_image_overwrite_bug(np.ones((1, 1, 2)), np.ones((2, 3, 3))) is None
