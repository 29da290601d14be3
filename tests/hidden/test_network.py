"""The network, graded: one SGD step through the student's own layers, and real learning.

Expected values come from kata/judge/network_oracle.py (proven against finite differences in
tests/tooling), given the parameters read back from the student's layers. What predicts must
be the network those parameters make: predictions are the argmax of the logits the oracle
computes from them, even after a whole epoch of training.
"""

import numpy as np
import pytest

from grader.judge.cases import tied_digit
from kata.judge.checks import assert_close, expect_labels
from kata.kit.data import load_digits
from kata.judge.network_oracle import (ORACLE, Parameters, assert_train_step, logits, logits_of_images,
                                       parameters_of, probabilities, sgd_step)

MNIST_SHAPE = dict(image_shape=(28, 28), num_filters=16, filter_size=3, num_classes=10)
DIGITS_SHAPE = dict(image_shape=(8, 8), num_filters=16, filter_size=3, num_classes=10)
# Nothing a network may hard-code: not square, 5 filters of 4x4, 3 classes, a dropped row.
OTHER_SHAPE = dict(image_shape=(11, 8), num_filters=5, filter_size=4, num_classes=3)

# The learning budget: one epoch over the fixed digits split (1,497 images) at this step
# size. The reference solutions reach about 95% test accuracy with it, for any seed tried;
# a network that learns nothing stays near 10%.
LEARN_RATE = 0.05
ACCURACY_FLOOR = 0.85
# Steps of the epoch judged as exact SGD steps, so a network cannot learn in the steps a test
# watches and do something else in the others.
WATCHED_STEPS = (3, 611, 1202)

TIES_DOUBLE_COUNTED = ("ties double-counted in MaxPool.backward: the gradient went to every tied maximum of "
                       "a window (real digits tie: their flat background gives equal conv outputs). Send it "
                       "to the first maximum only (np.argmax)")


def assert_predicts_with_its_parameters(cnn, images: np.ndarray, params: Parameters, what: str) -> np.ndarray:
    """cnn.predict(images) must be the argmax of the logits the oracle computes from the
    network's own parameters. Images whose two best logits nearly tie (rounding could flip
    them) are not judged. Returns the oracle's labels."""
    scores = logits_of_images(images, params)
    expected = np.argmax(scores, axis=1)
    best_two = np.sort(scores, axis=1)[:, -2:]
    clear = best_two[:, 1] - best_two[:, 0] > 1e-9 * np.maximum(1.0, np.abs(best_two[:, 1]))
    got = expect_labels(cnn.predict(images), len(images), f"CNN.predict({what})")
    wrong = np.flatnonzero((got != expected) & clear)
    assert wrong.size == 0, (
        f"CNN.predict({what}) disagrees with the argmax of the logits of the network's own filters, weights "
        f"and biases on {wrong.size} of {len(images)} images (first: image {wrong[0]}, got {got[wrong[0]]}, "
        f"expected {expected[wrong[0]]}): predict must run the network (conv -> pool -> dense), nothing else"
    )
    return expected


def expect_shape_arguments_used(cnn, shape: dict) -> None:
    """Name the constructor argument a network ignores (16 filters 3x3, 28x28 and 10 classes
    hard-coded), before the step check fails on a bare shape."""
    filters, weights, biases = (np.shape(value) for value in (cnn.filters, cnn.weights, cnn.biases))
    (h, w), f, k, classes = shape["image_shape"], shape["num_filters"], shape["filter_size"], shape["num_classes"]
    ignored = []
    if filters[:1] != (f,):
        ignored.append(f"num_filters={f} (filters have shape {filters})")
    if filters[1:] != (k, k):
        ignored.append(f"filter_size={k} (filters have shape {filters})")
    if weights[1:] != (classes,) or biases != (classes,):
        ignored.append(f"num_classes={classes} (weights have shape {weights}, biases {biases})")
    count = filters[0] if filters else f
    if not ignored and weights[:1] != (((h - k + 1) // 2) * ((w - k + 1) // 2) * count,):
        ignored.append(f"image_shape={shape['image_shape']} (weights have shape {weights})")
    arguments = ", ".join(f"{name}={value}" for name, value in shape.items())
    assert not ignored, (f"CNN({arguments}) ignores " + "; ".join(ignored) +
                         ": build the layers from the constructor's arguments")


@pytest.mark.exercise("network.train")
def test_two_train_steps_at_the_default_mnist_size(student, rng):
    cnn = student.module("network").CNN(rng=7)  # the defaults: 28x28, 16 filters 3x3, 10 classes
    assert_train_step(cnn, rng.standard_normal((28, 28)), 4, 0.01, MNIST_SHAPE)
    # The second step must start from the first one's updates, with fresh forward caches.
    assert_train_step(cnn, rng.standard_normal((28, 28)), 9, 0.03, MNIST_SHAPE)


@pytest.mark.exercise("network.train")
def test_forward_uses_the_parameters_the_layers_hold_now(student, rng):
    cnn = student.module("network").CNN(**DIGITS_SHAPE, rng=1)
    cnn.filters = rng.standard_normal((16, 3, 3))
    cnn.weights = rng.standard_normal((3 * 3 * 16, 10)) / 10
    cnn.biases = rng.standard_normal(10)
    params = parameters_of(cnn, **DIGITS_SHAPE)
    image = rng.standard_normal((8, 8))
    assert_close(cnn.forward(image), probabilities(image, params),
                 "CNN.forward(image) after setting new filters, weights and biases", ORACLE)


@pytest.mark.exercise("network.train")
def test_predict_matches_forward_on_real_digits(student):
    data = load_digits(seed=1)
    cnn = student.module("network").CNN(**DIGITS_SHAPE, rng=2)
    params = parameters_of(cnn, **DIGITS_SHAPE)
    assert_predicts_with_its_parameters(cnn, data.test_images[:40], params, "40 digit images")


@pytest.mark.exercise("network.train")
def test_correct_is_true_when_the_argmax_is_the_label(student, rng):
    cnn = student.module("network").CNN(**DIGITS_SHAPE, rng=3)
    for learn_rate in (0.02, 0.07):
        image = rng.standard_normal((8, 8))
        label = int(np.argmax(logits(image, parameters_of(cnn, **DIGITS_SHAPE))))
        assert_train_step(cnn, image, label, learn_rate, DIGITS_SHAPE)  # correct must be True
        assert_train_step(cnn, image, (label + 1) % 10, learn_rate, DIGITS_SHAPE)  # another label: False


@pytest.mark.exercise("network.train")
def test_other_sizes_of_image_filters_and_classes(student, rng):
    cnn = student.module("network").CNN(**OTHER_SHAPE, rng=4)
    expect_shape_arguments_used(cnn, OTHER_SHAPE)
    assert_train_step(cnn, rng.standard_normal((11, 8)), 2, 0.02, OTHER_SHAPE)
    assert_train_step(cnn, rng.standard_normal((11, 8)), 0, 0.07, OTHER_SHAPE)
    params = parameters_of(cnn, **OTHER_SHAPE)
    images = rng.standard_normal((6, 11, 8))
    assert_close(cnn.forward(images[0]), probabilities(images[0], params),
                 f"CNN({OTHER_SHAPE}).forward(image of shape (11, 8))", ORACLE)
    assert_predicts_with_its_parameters(cnn, images, params, "6 images of shape (11, 8)")


@pytest.mark.exercise("network.train")
def test_train_steps_on_real_digits_with_tied_pooling_windows(student):
    data = load_digits(seed=0)
    cnn = student.module("network").CNN(**DIGITS_SHAPE, rng=5)
    index = -1
    for _ in range(2):
        params = parameters_of(cnn, **DIGITS_SHAPE)
        index = tied_digit(data.train_images, data.train_labels, params, LEARN_RATE, start=index + 1)
        image, label = data.train_images[index], int(data.train_labels[index])
        double_counted = sgd_step(image, label, params, LEARN_RATE, ties="all").after.filters
        try:
            assert_train_step(cnn, image, label, LEARN_RATE, DIGITS_SHAPE)
        except AssertionError as failure:
            if np.allclose(cnn.filters, double_counted, rtol=1e-7, atol=0.0):
                raise AssertionError(f"{failure}\n  Likely bug: {TIES_DOUBLE_COUNTED}") from None
            raise


@pytest.mark.exercise("network.train", weight=2)
@pytest.mark.timeout(240)  # seed-style loops take seconds per epoch, more through the grader's worker
def test_one_epoch_on_digits_reaches_the_accuracy_floor(student):
    data = load_digits(seed=0)
    cnn = student.module("network").CNN(**DIGITS_SHAPE, rng=0)
    order = np.random.default_rng(0).permutation(len(data.train_labels))
    losses = []
    for step, index in enumerate(order):
        image, label = data.train_images[index], int(data.train_labels[index])
        if step in WATCHED_STEPS:  # the same step, judged exactly
            assert_train_step(cnn, image, label, LEARN_RATE, DIGITS_SHAPE)
        else:
            loss, _ = cnn.train_step(image, label, LEARN_RATE)
            losses.append(float(loss))
    # Judged by the trained network's own parameters: predict must agree with them, and they
    # must reach the floor (a classifier beside the network cannot).
    predicted = assert_predicts_with_its_parameters(cnn, data.test_images, parameters_of(cnn, **DIGITS_SHAPE),
                                                    f"{len(data.test_labels)} test images after one epoch")
    accuracy = float(np.mean(predicted == data.test_labels))
    assert accuracy >= ACCURACY_FLOOR, (
        f"after one epoch on the digits (learn_rate={LEARN_RATE}) the test accuracy is {accuracy:.1%}, "
        f"below the floor {ACCURACY_FLOOR:.0%}; the mean loss went from {np.mean(losses[:100]):.3f} "
        f"(first 100 steps) to {np.mean(losses[-100:]):.3f} (last 100). A correct network passes with "
        "a wide margin: check that train_step updates every layer."
    )
