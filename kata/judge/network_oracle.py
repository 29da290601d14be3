"""The whole seed CNN as a chain of the layer oracles of kata/judge/oracles.py: the network tests' oracle.

Parameters travel as plain arrays, never as layer objects, so the tests can compute what a
network with given filters, weights and biases must return, and what its parameters must
be after one SGD step, without running any implementation under test:

    maps   = correlate2d(image, filters[f], "valid") for each f     (H-k+1, W-k+1, F)
    pooled = max over each 2x2 window (leftover row/column dropped)  (H', W', F)   scipy.ndimage
    logits = pooled.ravel() @ weights + biases                        (classes,)   scipy.sparse
    loss   = log(sum(exp(logits))) - logits[label]                                 scipy.special

The gradients below are checked against central finite differences of `loss` in
tests/tooling/test_network_oracle.py, so the oracle is itself proven, not asserted.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from kata.judge import oracles
from kata.judge.checks import assert_close, assert_number_close, expect_array

POOL = 2


class Parameters(NamedTuple):
    filters: np.ndarray  # (F, k, k)
    weights: np.ndarray  # (H' * W' * F, classes)
    biases: np.ndarray  # (classes,)


class Step(NamedTuple):
    loss: float
    correct: bool
    after: Parameters  # the parameters after one SGD step


def logits(image: np.ndarray, params: Parameters) -> np.ndarray:
    pooled = oracles.pool_forward(oracles.conv_forward(image, params.filters), POOL)
    return oracles.dense_forward(pooled, params.weights, params.biases)


def logits_of_images(images: np.ndarray, params: Parameters) -> np.ndarray:
    """logits of every image of a stack (N, H, W) -> (N, classes), in a few scipy calls
    instead of a Python loop: fftconvolve for the convolution (its agreement with
    correlate2d is tested), the images' maps side by side as channels of one pooling."""
    maps = oracles.conv_forward_stacked(images, params.filters)  # (N, H', W', F)
    n, h, w, f = maps.shape
    pooled = oracles.pool_forward(maps.transpose(1, 2, 0, 3).reshape(h, w, n * f), POOL)
    pooled = pooled.reshape(h // POOL, w // POOL, n, f).transpose(2, 0, 1, 3).reshape(n, -1)
    return pooled @ params.weights + params.biases


def probabilities(image: np.ndarray, params: Parameters) -> np.ndarray:
    return oracles.softmax(logits(image, params))


def loss(image: np.ndarray, label: int, params: Parameters) -> float:
    return oracles.cross_entropy_loss(logits(image, params), label)


def gradients(image: np.ndarray, label: int, params: Parameters, ties: str = "first") -> Parameters:
    """dloss/d(filters, weights, biases), by the chain rule written out.

    ties: the pooling's tie rule, oracles.pool_backward's argument; "all" gives what the
    tie double-count bug computes, so a test can name it.
    """
    maps = oracles.conv_forward(image, params.filters)
    pooled = oracles.pool_forward(maps, POOL)
    z = oracles.dense_forward(pooled, params.weights, params.biases)
    d_logits = oracles.cross_entropy_gradient(z, label)
    d_pooled = (params.weights @ d_logits).reshape(pooled.shape)
    d_maps = oracles.pool_backward(maps, d_pooled, POOL, ties)
    return Parameters(oracles.conv_d_filters(image, d_maps), np.outer(pooled.ravel(), d_logits), d_logits)


def sgd_step(image: np.ndarray, label: int, params: Parameters, learn_rate: float, ties: str = "first") -> Step:
    """What one train_step must report and leave behind (ties: as in gradients)."""
    grads = gradients(image, label, params, ties)
    after = Parameters(*(p - learn_rate * g for p, g in zip(params, grads)))
    return Step(loss(image, label, params), bool(np.argmax(logits(image, params)) == label), after)


# ------------------------------------------------------------ judging a student's CNN
# `cnn` is the student fixture's object: only its top-level attributes and methods are used.

ORACLE = ("kata/judge/network_oracle.py (the layer oracles of kata/judge/oracles.py chained: scipy.signal.correlate2d, "
          "scipy.ndimage max pooling, scipy.special log-sum-exp)")


def parameters_of(cnn, image_shape: tuple[int, int], num_filters: int, filter_size: int,
                  num_classes: int) -> Parameters:
    """A student CNN's current parameters, read through its top-level attributes, shapes checked."""
    pooled = ((image_shape[0] - filter_size + 1) // POOL) * ((image_shape[1] - filter_size + 1) // POOL)
    return Parameters(
        expect_array(cnn.filters, (num_filters, filter_size, filter_size), "CNN.filters (conv.filters)"),
        expect_array(cnn.weights, (pooled * num_filters, num_classes), "CNN.weights (dense.weights)"),
        expect_array(cnn.biases, (num_classes,), "CNN.biases (dense.biases)"),
    )


def assert_train_step(cnn, image: np.ndarray, label: int, learn_rate: float, shape: dict) -> None:
    """One cnn.train_step must equal one SGD step through conv, pool, dense and cross-entropy.

    shape: the CNN's constructor arguments (image_shape, num_filters, filter_size, num_classes).
    The parameters are read back from the student's layers first, so the expectation is
    about this network's own starting point.
    """
    before = parameters_of(cnn, **shape)
    expected = sgd_step(image, label, before, learn_rate)
    what = f"CNN.train_step(image, label={label}, learn_rate={learn_rate})"
    result = cnn.train_step(image, label, learn_rate)
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError(f"{what} returned {type(result).__name__}, expected a tuple (loss, correct)")
    assert_number_close(result[0], expected.loss, f"{what}[0] (the loss)", ORACLE, likely_bugs={
        "the loss was computed after the update: return the cross-entropy of the logits BEFORE "
        "the update (conv -> pool -> dense, then cross_entropy)": loss(image, label, expected.after),
    })
    if type(result[1]) not in (bool, np.bool_) and result[1] not in (0, 1):
        raise AssertionError(f"{what}[1] (correct) is {result[1]!r}, expected True or False")
    if bool(result[1]) != expected.correct:
        raise AssertionError(f"{what}[1] (correct) is {bool(result[1])}, expected {expected.correct}: "
                             "is the argmax of the logits the label?")
    after = parameters_of(cnn, **shape)
    for name, got, want, old in zip(Parameters._fields, after, expected.after, before):
        assert_close(got, want, f"CNN.{name} after {what}", ORACLE, likely_bugs={
            "this parameter did not change: does train_step call every layer's backward "
            "(dense, then pool, then conv) with learn_rate?": old,
            "the update went uphill: parameters -= learn_rate * gradient": 2 * old - want,
        })
