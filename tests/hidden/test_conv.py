"""Graded: the convolution layer on non-square images, k = 1, 2, 3, 5, 1x1 outputs."""

import pytest

from grader.judge import repeated
from kata.judge.layer_checks import check_conv_d_filters, check_conv_d_image, check_conv_forward, check_conv_update

# (image shape, k, number of filters): the seed network's 16 3x3 filters on an 8x8 digit,
# non-square images, 1x1 filters, even filters, 1x1 outputs (image as large as the filter).
CASES = [((8, 8), 3, 16), ((7, 4), 1, 3), ((6, 9), 2, 2), ((9, 6), 5, 4), ((5, 5), 5, 2),
         ((3, 3), 3, 1), ((4, 10), 3, 3)]


@pytest.mark.exercise("conv.forward")
@pytest.mark.parametrize("image_shape, k, num_filters", CASES)
def test_forward(student, rng, image_shape, k, num_filters):
    check_conv_forward(student, rng, image_shape, k, num_filters)


@pytest.mark.exercise("conv.backward")
@pytest.mark.parametrize("image_shape, k, num_filters", CASES)
def test_d_image(student, rng, image_shape, k, num_filters):
    check_conv_d_image(student, rng, image_shape, k, num_filters)


@pytest.mark.exercise("conv.backward")
@pytest.mark.parametrize("image_shape, k, num_filters", CASES)
def test_d_filters(student, rng, image_shape, k, num_filters):
    check_conv_d_filters(student, rng, image_shape, k, num_filters)


@pytest.mark.exercise("conv.backward")
@pytest.mark.parametrize("image_shape, k, num_filters", CASES)
def test_update(student, rng, image_shape, k, num_filters):
    check_conv_update(student, rng, image_shape, k, num_filters)


# State across calls: one layer, three calls, a new image and learning rate each.
@pytest.mark.parametrize("backward", repeated.forward_and_backward("conv"))
def test_one_layer_called_again(student, rng, backward):
    layer = student.module("conv").Conv(num_filters=3, filter_size=3, rng=0)
    repeated.check_rounds(layer, repeated.seed_conv(3, 3), rng, (6, 5), backward)
