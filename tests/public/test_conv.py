"""The convolution layer, against scipy.signal.correlate2d and finite differences
(checks: kata/judge/layer_checks.py)."""

import pytest

from kata.judge.layer_checks import check_conv_d_filters, check_conv_d_image, check_conv_forward, check_conv_update

IMAGE, K, FILTERS = (5, 6), 3, 2


@pytest.mark.exercise("conv.forward")
def test_forward_matches_scipy_correlate2d(student, rng):
    check_conv_forward(student, rng, IMAGE, K, FILTERS)


@pytest.mark.exercise("conv.backward")
def test_d_image_matches_finite_differences(student, rng):
    check_conv_d_image(student, rng, IMAGE, K, FILTERS)


@pytest.mark.exercise("conv.backward")
def test_d_filters_match_finite_differences(student, rng):
    check_conv_d_filters(student, rng, IMAGE, K, FILTERS)


@pytest.mark.exercise("conv.backward")
def test_update_is_one_sgd_step(student, rng):
    check_conv_update(student, rng, IMAGE, K, FILTERS)
