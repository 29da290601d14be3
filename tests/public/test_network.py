"""The network: your layers stacked, against an independent plain-NumPy model of the whole CNN.

The expected values come from kata/judge/network_oracle.py (scipy.signal.correlate2d, NumPy max
pooling and softmax), given the parameters read back from your own layers.
"""

import numpy as np
import pytest

from kata.judge.checks import assert_close, expect_labels
from kata.judge.network_oracle import ORACLE, assert_train_step, parameters_of, probabilities

# Small on purpose: an 8x8 image (the digits' size), 4 filters -> 6x6x4 -> 3x3x4 -> 10.
SHAPE = dict(image_shape=(8, 8), num_filters=4, filter_size=3, num_classes=10)


def small_cnn(student, seed: int = 0):
    return student.module("network").CNN(**SHAPE, rng=seed)


@pytest.mark.exercise("network.train")
def test_forward_is_softmax_of_conv_pool_dense(student, rng):
    cnn = small_cnn(student)
    params = parameters_of(cnn, **SHAPE)
    image = rng.standard_normal((8, 8))
    got = cnn.forward(image)
    assert_close(got, probabilities(image, params), "CNN.forward(8x8 image)", ORACLE)


@pytest.mark.exercise("network.train")
def test_train_step_is_one_sgd_step_through_every_layer(student, rng):
    cnn = small_cnn(student)
    assert_train_step(cnn, rng.standard_normal((8, 8)), 7, 0.1, SHAPE)


@pytest.mark.exercise("network.train")
def test_predict_gives_the_most_probable_class_of_each_image(student, rng):
    cnn = small_cnn(student, seed=3)
    params = parameters_of(cnn, **SHAPE)
    images = rng.standard_normal((6, 8, 8))
    expected = np.array([np.argmax(probabilities(image, params)) for image in images])
    got = expect_labels(cnn.predict(images), 6, "CNN.predict(6 images)")
    assert np.array_equal(got, expected), f"CNN.predict returned {got.tolist()}, expected {expected.tolist()}"
