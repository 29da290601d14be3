"""The checks behind the layer tests: one function per property of one exercise.

tests/public calls them with a few cases, tests/hidden with many more (shapes, seeds, edge
cases), so both suites judge exactly the same properties. Each check reaches the student's
code only through the `student` fixture, takes its expected values from kata.judge.oracles or
from finite differences, and fails through kata.judge.checks with a message that names the call,
the oracle, the worst element and, when it recognises one, the bug.

Gradients are checked against finite differences of the ORACLE's forward pass, so a
backward test judges backward alone: a wrong forward cannot make a wrong backward look right.
Backward always runs with a nonzero learning rate, so a gradient computed from the
already-updated parameters differs from the right one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kata.judge import oracles
from kata.judge.student import Student
from kata.judge.checks import (FLOOR, assert_close, assert_number_close, fd_floor, numerical_gradient,
                         stacked_weighted_sum_gradient, weighted_sum_gradient)

# pytest leaves this module's frames out of tracebacks: a failure shows the test and the
# message, not the helpers that built it (frames of the student's code stay visible).
__tracebackhide__ = True

LEARN_RATE = 0.5
FINITE_DIFFERENCES = "central finite differences of sum(forward(x) * d_out)"
STACKED_CONV = " (conv = scipy.signal.fftconvolve of the flipped filters, as scipy's correlate2d)"

ASCENT = ("gradient ascent: the update added the gradient. Descend: subtract it "
          "({name} -= learn_rate * d_{name})")
NOT_UPDATED = "{name} did not change: backward must finish with {name} -= learn_rate * d_{name}"


def _show(values: np.ndarray) -> str:
    """A short label for an argument: its values when few, else its shape."""
    if values.size <= 4:
        return np.array2string(values, separator=", ")
    return f"array of shape {values.shape}"


def _update_bugs(old: np.ndarray, gradient: np.ndarray, name: str) -> dict[str, np.ndarray]:
    """What a parameter holds after a wrong SGD step: ascent, or no step at all."""
    return {
        ASCENT.format(name=name): old + LEARN_RATE * gradient,
        NOT_UPDATED.format(name=name): old,
    }


# ----------------------------------------------------------------------------- softmax

OVERFLOW = ("np.exp overflows: exp(1000) is inf and inf / inf is nan. Subtract the largest "
            "logit before exponentiating (softmax does not change)")


def check_softmax(student: Student, logits: np.ndarray) -> None:
    """softmax(logits) against exp(z - logsumexp(z)): exact even for logits of +-1000."""
    got = student.module("softmax").softmax(logits)
    assert_close(got, oracles.softmax(logits), f"softmax({_show(logits)})",
                 "scipy.special.softmax",
                 likely_bugs={OVERFLOW: oracles.softmax_overflow_bug(logits)})


def check_cross_entropy(student: Student, logits: np.ndarray, label: int) -> None:
    """Loss against log-sum-exp; d_logits against finite differences of that loss.

    For logits far from 0 (|z| ~ 1000) finite differences lose their precision, so there
    d_logits is checked against its closed form softmax(z) - onehot(label) instead.
    """
    what = f"cross_entropy({_show(logits)}, label={label})"
    result = student.module("softmax").cross_entropy(logits, label)
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError(f"{what} returned {type(result).__name__}, expected a pair (loss, d_logits)")
    loss, d_logits = result
    assert_number_close(
        loss, oracles.cross_entropy_loss(logits, label), f"{what}[0] (the loss)",
        "scipy.special.logsumexp(logits) - logits[label]",
        likely_bugs={
            "-log(softmax(logits)[label]) underflows: the probability rounds to 0 and -log(0) is inf. "
            "Use log-sum-exp: loss = log(sum(exp(z - max))) + max - z[label]":
                oracles.cross_entropy_underflow_bug(logits, label),
        })
    if np.max(np.abs(logits)) < 50:
        expected = numerical_gradient(lambda z: oracles.cross_entropy_loss(z, label), logits)
        oracle, floor = "central finite differences of logsumexp(z) - z[label]", fd_floor(expected)
    else:
        expected = oracles.cross_entropy_gradient(logits, label)
        oracle, floor = "softmax(logits) - onehot(label), softmax by scipy.special.softmax", FLOOR
    assert_close(d_logits, expected, f"{what}[1] (d_logits)", oracle, floor=floor, likely_bugs={
        "d_logits is softmax(logits): subtract 1 at the label (the derivative of -logits[label])":
            oracles.softmax(logits),
    })


# ----------------------------------------------------------------------------- dense


class _Case:
    """A layer under test with its input and an upstream gradient d_out for backward."""

    layer: Any
    name: str  # "Dense(24, 5)": how messages name the layer
    input_name: str  # "x" or "image"
    input: np.ndarray
    d_out: np.ndarray

    def backward(self) -> Any:
        """forward(input), then backward(d_out, LEARN_RATE): what backward returns."""
        self.layer.forward(self.input)
        return self.layer.backward(self.d_out, LEARN_RATE)

    def label(self, returned: str) -> str:
        return (f"{self.name}.backward(d_out, learn_rate={LEARN_RATE}) {returned}, "
                f"after forward({self.input_name} of shape {self.input.shape})")


class _DenseCase(_Case):
    """A Dense layer with random weights and NONZERO biases (so forgetting them shows)."""

    def __init__(self, student: Student, rng: np.random.Generator, x_shape: tuple[int, ...], nodes: int):
        input_len = int(np.prod(x_shape))
        self.layer = student.module("dense").Dense(input_len, nodes, rng=0)
        self.weights = rng.standard_normal((input_len, nodes))
        self.biases = rng.standard_normal(nodes)
        self.layer.weights, self.layer.biases = self.weights, self.biases
        self.x = self.input = rng.standard_normal(x_shape)
        self.d_out = rng.standard_normal(nodes)
        self.name, self.input_name = f"Dense({input_len}, {nodes})", "x"


def check_dense_forward(student: Student, rng: np.random.Generator, x_shape: tuple[int, ...], nodes: int) -> None:
    """forward(x) against x.ravel() @ weights + biases."""
    case = _DenseCase(student, rng, x_shape, nodes)
    assert_close(case.layer.forward(case.x), oracles.dense_forward(case.x, case.weights, case.biases),
                 f"{case.name}.forward(x of shape {x_shape})", "x.ravel() @ weights + biases (scipy.sparse)",
                 likely_bugs={"the biases are not added: logits = x_flat @ weights + biases":
                              case.x.ravel() @ case.weights})


def check_dense_d_x(student: Student, rng: np.random.Generator, x_shape: tuple[int, ...], nodes: int) -> None:
    """The d_x that backward returns, in x's shape, from the weights used in forward."""
    case = _DenseCase(student, rng, x_shape, nodes)
    d_x = case.backward()
    expected = weighted_sum_gradient(lambda x: oracles.dense_forward(x, case.weights, case.biases),
                                     case.x, case.d_out)
    updated = case.weights - LEARN_RATE * np.outer(case.x.ravel(), case.d_out)
    assert_close(d_x, expected, case.label("-> d_x"), FINITE_DIFFERENCES, floor=fd_floor(expected), likely_bugs={
        "d_x was computed from the updated weights: compute d_x = weights @ d_out BEFORE the update":
            (updated @ case.d_out).reshape(x_shape),
    })


def check_dense_parameter_gradients(student: Student, rng: np.random.Generator,
                                    x_shape: tuple[int, ...], nodes: int) -> None:
    """self.d_weights and self.d_biases after backward."""
    case = _DenseCase(student, rng, x_shape, nodes)
    case.backward()
    # One weight per input value and node: hundreds of them, so a stack of copies per call.
    expected = stacked_weighted_sum_gradient(lambda w: oracles.dense_forward(case.x, w, case.biases),
                                             case.weights, case.d_out)
    assert_close(case.layer.d_weights, expected, case.label("-> self.d_weights"), FINITE_DIFFERENCES,
                 floor=fd_floor(expected))
    expected = stacked_weighted_sum_gradient(lambda b: oracles.dense_forward(case.x, case.weights, b),
                                             case.biases, case.d_out)
    assert_close(case.layer.d_biases, expected, case.label("-> self.d_biases"), FINITE_DIFFERENCES,
                 floor=fd_floor(expected))


def check_dense_update(student: Student, rng: np.random.Generator, x_shape: tuple[int, ...], nodes: int) -> None:
    """weights and biases after backward: one SGD step, old - learn_rate * gradient."""
    case = _DenseCase(student, rng, x_shape, nodes)
    case.backward()
    d_weights = np.outer(case.x.ravel(), case.d_out)  # closed form, checked against finite differences above
    assert_close(case.layer.weights, case.weights - LEARN_RATE * d_weights, case.label("-> new self.weights"),
                 "old weights - learn_rate * outer(x_flat, d_out)", likely_bugs=_update_bugs(
                     case.weights, d_weights, "weights"))
    assert_close(case.layer.biases, case.biases - LEARN_RATE * case.d_out, case.label("-> new self.biases"),
                 "old biases - learn_rate * d_out", likely_bugs=_update_bugs(case.biases, case.d_out, "biases"))


# ----------------------------------------------------------------------------- max pooling

TIES_DOUBLE_COUNTED = (
    "ties double-counted: `(window == window.max()) * d_out` gives the gradient to every tied "
    "maximum, so the window passes it on several times. Give it to the first maximum only "
    "(np.argmax of the flattened window, then np.unravel_index)")
TIES_SPLIT = ("the gradient was split equally between tied maxima: a valid subgradient, but not this "
              "kata's rule, which gives ALL of d_out to the first maximum in row-major order (np.argmax)")
TIES_LAST = ("on a tie the gradient went to the LAST maximum; the rule is the first in row-major "
             "order (what np.argmax returns)")


def _pool_name(size: int, x: np.ndarray) -> str:
    return f"MaxPool(size={size}) on x of shape {x.shape}"


def check_pool_forward(student: Student, rng: np.random.Generator, x_shape: tuple[int, ...], size: int) -> None:
    """forward(x) against a reshape/max, leftover rows and columns dropped."""
    x = rng.standard_normal(x_shape)
    got = student.module("maxpool").MaxPool(size=size).forward(x)
    assert_close(got, oracles.pool_forward(x, size), f"{_pool_name(size, x)}: forward",
                 "scipy.ndimage.maximum over each window",
                 likely_bugs={"the max was taken over the channels too: use window.max(axis=(0, 1)), "
                              "one max per channel": oracles.pool_forward_across_channels_bug(x, size)})


def check_pool_backward(student: Student, rng: np.random.Generator, x_shape: tuple[int, ...], size: int) -> None:
    """Distinct input values, so the max is differentiable and finite differences apply."""
    x = oracles.distinct_values(rng, x_shape)
    layer = student.module("maxpool").MaxPool(size=size)
    d_out = rng.standard_normal((x_shape[0] // size, x_shape[1] // size, x_shape[2]))
    layer.forward(x)
    d_x = layer.backward(d_out, LEARN_RATE)
    expected = weighted_sum_gradient(lambda v: oracles.pool_forward(v, size), x, d_out)
    assert_close(d_x, expected, f"{_pool_name(size, x)}: backward(d_out) -> d_x (distinct values, no ties)",
                 FINITE_DIFFERENCES + " (pool = scipy.ndimage.maximum per window)", floor=fd_floor(expected))


def check_pool_ties(student: Student, rng: np.random.Generator, x_shape: tuple[int, ...], size: int) -> None:
    """Inputs full of ties (and one window of equal values): one winner per window, the first."""
    x = rng.integers(0, 2, x_shape).astype(np.float64)
    x[:size, :size, 0] = 1.0
    layer = student.module("maxpool").MaxPool(size=size)
    d_out = rng.standard_normal((x_shape[0] // size, x_shape[1] // size, x_shape[2]))
    layer.forward(x)
    d_x = layer.backward(d_out, LEARN_RATE)
    assert_close(d_x, oracles.pool_backward(x, d_out, size, ties="first"),
                 f"{_pool_name(size, x)} with tied maxima: backward(d_out) -> d_x",
                 "the tie rule: all of d_out[i, j, c] to the first maximum of window (i, j) in row-major "
                 "order, via scipy.ndimage (the smallest flat index among each window's maxima)",
                 likely_bugs={TIES_DOUBLE_COUNTED: oracles.pool_backward(x, d_out, size, ties="all"),
                              TIES_LAST: oracles.pool_backward(x, d_out, size, ties="last"),
                              TIES_SPLIT: oracles.pool_backward(x, d_out, size, ties="split")})


# ----------------------------------------------------------------------------- convolution


class _ConvCase(_Case):
    """A Conv layer with random filters, a random image and a random upstream gradient."""

    def __init__(self, student: Student, rng: np.random.Generator, image_shape: tuple[int, int], k: int,
                 num_filters: int):
        self.layer = student.module("conv").Conv(num_filters=num_filters, filter_size=k, rng=0)
        self.filters = rng.standard_normal((num_filters, k, k))
        self.layer.filters = self.filters
        self.image = self.input = rng.standard_normal(image_shape)
        self.d_out = rng.standard_normal((image_shape[0] - k + 1, image_shape[1] - k + 1, num_filters))
        self.name, self.input_name = f"Conv(num_filters={num_filters}, filter_size={k})", "image"


def check_conv_forward(student: Student, rng: np.random.Generator, image_shape: tuple[int, int], k: int,
                       num_filters: int) -> None:
    """forward(image) against scipy.signal.correlate2d, one filter at a time."""
    case = _ConvCase(student, rng, image_shape, k, num_filters)
    assert_close(case.layer.forward(case.image), oracles.conv_forward(case.image, case.filters),
                 f"{case.name}.forward(image of shape {image_shape})",
                 "scipy.signal.correlate2d(image, filters[f], mode='valid') for each f",
                 likely_bugs={"the kernel is flipped: that is scipy.signal.convolve2d. A CNN's 'convolution' "
                              "is cross-correlation: out[i, j, f] = sum(image[i:i+k, j:j+k] * filters[f])":
                              oracles.conv_forward_flipped_bug(case.image, case.filters)})


def check_conv_d_image(student: Student, rng: np.random.Generator, image_shape: tuple[int, int], k: int,
                       num_filters: int) -> None:
    """The d_image that backward returns, accumulated, from the filters used in forward."""
    case = _ConvCase(student, rng, image_shape, k, num_filters)
    d_image = case.backward()
    expected = stacked_weighted_sum_gradient(lambda images: oracles.conv_forward_stacked(images, case.filters),
                                             case.image, case.d_out)
    updated = case.filters - LEARN_RATE * oracles.conv_d_filters(case.image, case.d_out)
    assert_close(d_image, expected, case.label("-> d_image"), FINITE_DIFFERENCES + STACKED_CONV,
                 floor=fd_floor(expected),
                 likely_bugs={
                     "d_image was assigned (=), not accumulated (+=): overlapping windows must accumulate "
                     "their contributions": oracles.conv_d_image_overwrite_bug(case.d_out, case.filters),
                     # The same `=` inside a loop over the filters too (TODO 2's loops): each pixel
                     # keeps the last filter's term of the last window covering it.
                     "d_image was assigned (=), not accumulated (+=), in the loop over filters: each pixel "
                     "kept only the last filter's contribution from the last window covering it. Every "
                     "window and every filter adds to d_image[i:i+k, j:j+k]":
                         oracles.conv_d_image_overwrite_bug(case.d_out[:, :, -1:], case.filters[-1:]),
                     "d_image was computed from the updated filters: compute it BEFORE "
                     "filters -= learn_rate * d_filters": oracles.conv_d_image(case.d_out, updated),
                 })


def check_conv_d_filters(student: Student, rng: np.random.Generator, image_shape: tuple[int, int], k: int,
                         num_filters: int) -> None:
    """self.d_filters after backward."""
    case = _ConvCase(student, rng, image_shape, k, num_filters)
    case.backward()
    expected = stacked_weighted_sum_gradient(lambda filters: oracles.conv_forward_stacked(case.image, filters),
                                             case.filters, case.d_out)
    k = case.filters.shape[1]
    last_window_only = case.d_out[-1, -1][:, None, None] * case.image[-k:, -k:]
    assert_close(case.layer.d_filters, expected, case.label("-> self.d_filters"),
                 FINITE_DIFFERENCES + STACKED_CONV, floor=fd_floor(expected),
                 likely_bugs={"d_filters was assigned (=), not accumulated (+=): every window adds its "
                              "contribution to every filter's gradient": last_window_only})


def check_conv_update(student: Student, rng: np.random.Generator, image_shape: tuple[int, int], k: int,
                      num_filters: int) -> None:
    """filters after backward: one SGD step, old - learn_rate * d_filters."""
    case = _ConvCase(student, rng, image_shape, k, num_filters)
    case.backward()
    d_filters = oracles.conv_d_filters(case.image, case.d_out)
    assert_close(case.layer.filters, case.filters - LEARN_RATE * d_filters, case.label("-> new self.filters"),
                 "old filters - learn_rate * d_filters, d_filters[f] = correlate2d(image, d_out[:, :, f], 'valid')",
                 likely_bugs=_update_bugs(case.filters, d_filters, "filters"))
