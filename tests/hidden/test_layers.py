"""Hidden-suite placeholder for the layers (until the core suites land): one test per exercise."""

import numpy as np
import pytest
from scipy.signal import correlate2d

from kata.checks import assert_close, numerical_gradient


def correlate(image, filters):
    return np.stack([correlate2d(image, f, mode="valid") for f in filters], axis=-1)


def pool(x):
    h, w, c = x.shape[0] // 2, x.shape[1] // 2, x.shape[2]
    return x[:2 * h, :2 * w].reshape(h, 2, w, 2, c).max(axis=(1, 3))


@pytest.mark.exercise("conv.forward")
def test_conv_forward_matches_correlate2d(student, rng):
    image, filters = rng.standard_normal((7, 6)), rng.standard_normal((3, 3, 3))
    layer = student.module("conv").Conv(num_filters=3, filter_size=3, rng=0)
    layer.filters = filters
    assert_close(layer.forward(image), correlate(image, filters), "Conv.forward", "scipy.signal.correlate2d")


@pytest.mark.exercise("conv.backward")
def test_conv_backward_matches_finite_differences(student, rng):
    image, filters = rng.standard_normal((6, 5)), rng.standard_normal((2, 3, 3))
    d_out = rng.standard_normal((4, 3, 2))
    layer = student.module("conv").Conv(num_filters=2, filter_size=3, rng=0)
    layer.filters = filters
    layer.forward(image)
    d_image = layer.backward(d_out, 0.1)
    assert_close(d_image, numerical_gradient(lambda x: np.sum(correlate(x, filters) * d_out), image),
                 "Conv.backward d_image", "central finite differences")
    d_filters = numerical_gradient(lambda f: np.sum(correlate(image, f) * d_out), filters)
    assert_close(layer.d_filters, d_filters, "Conv.backward d_filters", "central finite differences")
    assert_close(layer.filters, filters - 0.1 * d_filters, "the filters after the update", "filters - learn_rate * d_filters")


@pytest.mark.exercise("maxpool.forward")
def test_maxpool_forward(student, rng):
    x = rng.standard_normal((5, 6, 2))
    assert_close(student.module("maxpool").MaxPool().forward(x), pool(x), "MaxPool.forward", "reshape + max")


@pytest.mark.exercise("maxpool.backward")
def test_maxpool_backward_with_ties(student, rng):
    x = rng.integers(0, 2, (4, 4, 2)).astype(float)
    d_out = rng.standard_normal((2, 2, 2))
    layer = student.module("maxpool").MaxPool()
    layer.forward(x)
    got = layer.backward(d_out, 0.1)
    expected = np.zeros_like(x)
    for i, j, c in np.ndindex(d_out.shape):
        window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2, c]
        p, q = np.unravel_index(np.argmax(window), (2, 2))
        expected[2 * i + p, 2 * j + q, c] = d_out[i, j, c]
    assert_close(got, expected, "MaxPool.backward (tied windows)", "first argmax per window")


@pytest.mark.exercise("dense.forward")
def test_dense_forward(student, rng):
    x, weights, biases = rng.standard_normal((2, 3)), rng.standard_normal((6, 4)), rng.standard_normal(4)
    layer = student.module("dense").Dense(6, 4, rng=0)
    layer.weights, layer.biases = weights, biases
    assert_close(layer.forward(x), x.reshape(-1) @ weights + biases, "Dense.forward", "x.reshape(-1) @ W + b")


@pytest.mark.exercise("dense.backward")
def test_dense_backward(student, rng):
    x, weights, d_out = rng.standard_normal((2, 3)), rng.standard_normal((6, 4)), rng.standard_normal(4)
    layer = student.module("dense").Dense(6, 4, rng=0)
    layer.weights, layer.biases = weights, np.zeros(4)
    layer.forward(x)
    d_x = layer.backward(d_out, 0.5)
    assert_close(d_x, numerical_gradient(lambda v: np.sum((v.reshape(-1) @ weights) * d_out), x),
                 "Dense.backward d_x", "central finite differences")
