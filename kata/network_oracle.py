"""The whole seed CNN written independently in plain NumPy and scipy.signal: the network tests' oracle.

Parameters travel as plain arrays, never as layer objects, so the tests can compute what a
network with given filters, weights and biases must return, and what its parameters must
be after one SGD step, without running any implementation under test:

    maps   = correlate2d(image, filters[f], "valid") for each f     (H-k+1, W-k+1, F)
    pooled = max over each 2x2 window (leftover row/column dropped)  (H', W', F)
    logits = pooled.ravel() @ weights + biases                        (classes,)
    loss   = log(sum(exp(logits))) - logits[label]

The gradients below are checked against central finite differences of `loss` in
tests/tooling/test_network_oracle.py, so the oracle is itself proven, not asserted.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.signal import correlate2d
from scipy.special import logsumexp

from kata.checks import assert_close, expect_array, expect_number

POOL = 2


class Parameters(NamedTuple):
    filters: np.ndarray  # (F, k, k)
    weights: np.ndarray  # (H' * W' * F, classes)
    biases: np.ndarray  # (classes,)


class Step(NamedTuple):
    loss: float
    correct: bool
    after: Parameters  # the parameters after one SGD step


def _conv(image: np.ndarray, filters: np.ndarray) -> np.ndarray:
    return np.stack([correlate2d(image, f, mode="valid") for f in filters], axis=-1)


def _windows(maps: np.ndarray) -> np.ndarray:
    """(H, W, C) -> (H // 2, W // 2, C, 4): each 2x2 window's values in row-major order."""
    h, w, c = maps.shape[0] // POOL, maps.shape[1] // POOL, maps.shape[2]
    cropped = maps[: h * POOL, : w * POOL]
    return cropped.reshape(h, POOL, w, POOL, c).transpose(0, 2, 4, 1, 3).reshape(h, w, c, POOL * POOL)


def _pool_backward(maps: np.ndarray, d_pooled: np.ndarray) -> np.ndarray:
    """Each window's gradient to its first (row-major) maximum, zeros elsewhere."""
    windows = _windows(maps)
    winners = np.argmax(windows, axis=-1)[..., None]
    d_windows = np.zeros(windows.shape)
    np.put_along_axis(d_windows, winners, d_pooled[..., None], axis=-1)
    h, w, c = d_pooled.shape
    d_maps = np.zeros(maps.shape)
    d_maps[: h * POOL, : w * POOL] = (
        d_windows.reshape(h, w, c, POOL, POOL).transpose(0, 3, 1, 4, 2).reshape(h * POOL, w * POOL, c)
    )
    return d_maps


def logits(image: np.ndarray, params: Parameters) -> np.ndarray:
    pooled = _windows(_conv(image, params.filters)).max(axis=-1)
    return pooled.ravel() @ params.weights + params.biases


def probabilities(image: np.ndarray, params: Parameters) -> np.ndarray:
    z = logits(image, params)
    return np.exp(z - logsumexp(z))


def loss(image: np.ndarray, label: int, params: Parameters) -> float:
    z = logits(image, params)
    return float(logsumexp(z) - z[label])


def gradients(image: np.ndarray, label: int, params: Parameters) -> Parameters:
    """dloss/d(filters, weights, biases), by the chain rule written out."""
    maps = _conv(image, params.filters)
    pooled = _windows(maps).max(axis=-1)
    z = pooled.ravel() @ params.weights + params.biases
    d_logits = np.exp(z - logsumexp(z))
    d_logits[label] -= 1.0
    d_pooled = (params.weights @ d_logits).reshape(pooled.shape)
    d_maps = _pool_backward(maps, d_pooled)
    d_filters = np.stack([correlate2d(image, d_maps[..., f], mode="valid") for f in range(maps.shape[-1])])
    return Parameters(d_filters, np.outer(pooled.ravel(), d_logits), d_logits)


def sgd_step(image: np.ndarray, label: int, params: Parameters, learn_rate: float) -> Step:
    """What one train_step must report and leave behind."""
    grads = gradients(image, label, params)
    after = Parameters(*(p - learn_rate * g for p, g in zip(params, grads)))
    return Step(loss(image, label, params), bool(np.argmax(logits(image, params)) == label), after)


# ------------------------------------------------------------ judging a student's CNN
# `cnn` is the student fixture's object: only its top-level attributes and methods are used.

ORACLE = "kata/network_oracle.py (scipy.signal.correlate2d, NumPy max pooling and softmax)"


def parameters_of(cnn, image_shape: tuple[int, int], num_filters: int, filter_size: int,
                  num_classes: int) -> Parameters:
    """A student CNN's current parameters, read through its top-level attributes, shapes checked."""
    pooled = ((image_shape[0] - filter_size + 1) // POOL) * ((image_shape[1] - filter_size + 1) // POOL)
    return Parameters(
        expect_array(cnn.filters, (num_filters, filter_size, filter_size), "CNN.filters (conv.filters)"),
        expect_array(cnn.weights, (pooled * num_filters, num_classes), "CNN.weights (dense.weights)"),
        expect_array(cnn.biases, (num_classes,), "CNN.biases (dense.biases)"),
    )


def expect_labels(got, count: int, what: str) -> np.ndarray:
    """An integer array of shape (count,), or a failure that says what came back instead."""
    if type(got) is not np.ndarray or got.dtype.kind not in "iu" or got.shape != (count,):
        raise AssertionError(
            f"{what} returned {type(got).__name__} {getattr(got, 'dtype', '')} {getattr(got, 'shape', '')}, "
            f"expected an integer array of shape ({count},)"
        )
    return got


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
    got_loss = expect_number(result[0], f"{what}[0] (the loss)")
    if abs(got_loss - expected.loss) > 1e-7 * max(1.0, abs(expected.loss)):
        raise AssertionError(
            f"{what} returned loss {got_loss:.6g}, expected {expected.loss:.6g}: the cross-entropy of "
            "the logits BEFORE the update (conv -> pool -> dense, then cross_entropy)"
        )
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
