"""The trusted plain-NumPy references: what each layer must return, and what its classic bugs return.

They are working NumPy implementations of graded exercises, so they never ship (issue #11):
the public suites use the scipy oracles of kata/judge/oracles.py, which submissions cannot
run, and tests/tooling/test_checks.py proves both agree. tests/hidden uses these where a
second machinery helps (pool_first_max_gradient for the NCHW tie rule), and the tooling
tests use them as the independent reference. The forward passes use different machinery
from the reference solutions (reshape/max instead of window loops, np.logaddexp instead of
max-shifting), so a bug shared by a solution and its oracle is unlikely.

The `*_bug` functions compute what a known mistake would return for the same inputs; the
tests pass them to assert_close as `likely_bugs`, so a failure can name the mistake.
"""

from __future__ import annotations

import numpy as np

# The scipy computations are the same on both sides: one definition, the shipped one.
# So are the inputs without ties that the pooling checks draw.
from kata.judge.oracles import (conv_d_filters, conv_d_image, conv_forward, conv_forward_flipped_bug,  # noqa: F401
                                distinct_values)

# ----------------------------------------------------------------------------- convolution


def conv_forward_stacked(images: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """conv_forward on stacks, for finite differences in one NumPy call: images (..., H, W)
    and filters (..., F, k, k), whose leading stack axes broadcast -> (..., H', W', F).

    The same valid cross-correlation as scipy's, as sums over sliding windows; that the two
    agree is tested (tests/tooling/test_checks.py).
    """
    k = filters.shape[-1]
    windows = np.lib.stride_tricks.sliding_window_view(images, (k, k), axis=(-2, -1))  # (..., H', W', k, k)
    return np.einsum("...ijab,...fab->...ijf", windows, filters, optimize=True)


def conv_d_image_overwrite_bug(d_out: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """d_image with `=` instead of `+=`: each pixel keeps only the last window (row-major) that covers it."""
    k = filters.shape[1]
    d_image = np.zeros((d_out.shape[0] + k - 1, d_out.shape[1] + k - 1))
    for i in range(d_out.shape[0]):
        for j in range(d_out.shape[1]):
            d_image[i:i + k, j:j + k] = np.tensordot(d_out[i, j], filters, axes=1)
    return d_image


# ----------------------------------------------------------------------------- max pooling


def _windows(x: np.ndarray, size: int) -> np.ndarray:
    """(H, W, C) -> (H // size, W // size, C, size * size): each window's values in row-major order."""
    out_h, out_w, channels = x.shape[0] // size, x.shape[1] // size, x.shape[2]
    cropped = x[:out_h * size, :out_w * size]
    return cropped.reshape(out_h, size, out_w, size, channels).transpose(0, 2, 4, 1, 3).reshape(
        out_h, out_w, channels, size * size)


def _unwindow(windows: np.ndarray, input_shape: tuple[int, ...], size: int) -> np.ndarray:
    """Inverse of _windows; rows and columns the windows do not cover are zero."""
    out_h, out_w, channels = windows.shape[:3]
    full = np.zeros(input_shape)
    full[:out_h * size, :out_w * size] = windows.reshape(out_h, out_w, channels, size, size).transpose(
        0, 3, 1, 4, 2).reshape(out_h * size, out_w * size, channels)
    return full


def pool_forward(x: np.ndarray, size: int) -> np.ndarray:
    """(H, W, C) -> (H // size, W // size, C): NumPy's reshape/max over each window."""
    return _windows(x, size).max(axis=-1)


def pool_forward_across_channels_bug(x: np.ndarray, size: int) -> np.ndarray:
    """window.max() without axes: one max over the window of every channel, copied to all channels."""
    return np.broadcast_to(pool_forward(x, size).max(axis=-1, keepdims=True),
                           (x.shape[0] // size, x.shape[1] // size, x.shape[2])).copy()


def pool_backward(x: np.ndarray, d_out: np.ndarray, size: int, ties: str = "first") -> np.ndarray:
    """dL/dx for max pooling: each window's d_out goes to its maximum.

    ties="first": to the first maximum in row-major order (the rule; np.argmax's choice).
    ties="last": to the last one (a bug). ties="all": to every tied maximum, the
    `(window == window.max()) * d_out` bug, which counts the gradient several times.
    """
    windows = _windows(x, size)
    if ties == "all":
        chosen = windows == windows.max(axis=-1, keepdims=True)
    else:
        n = windows.shape[-1]
        index = windows.argmax(axis=-1) if ties == "first" else n - 1 - windows[..., ::-1].argmax(axis=-1)
        chosen = np.arange(n) == index[..., None]
    return _unwindow(chosen * d_out[..., None], x.shape, size)


# ----------------------------------------------------------------------------- dense


def dense_forward(x: np.ndarray, weights: np.ndarray, biases: np.ndarray) -> np.ndarray:
    """x of any shape, flattened: x.ravel() @ weights + biases.

    weights (..., input_len, nodes) and biases (..., nodes) may carry leading stack axes,
    which np.matmul and + broadcast: one call for a stack of perturbed copies of either.
    """
    return np.matmul(x.ravel(), weights) + biases


# ----------------------------------------------------------------------------- softmax


def log_sum_exp(logits: np.ndarray) -> float:
    """log(sum(exp(logits))) by np.logaddexp.reduce, pairwise, never overflowing."""
    return float(np.logaddexp.reduce(logits))


def softmax(logits: np.ndarray) -> np.ndarray:
    """exp(z - logsumexp(z)): finite and exact for any float64 logits."""
    return np.exp(logits - log_sum_exp(logits))


def softmax_overflow_bug(logits: np.ndarray) -> np.ndarray:
    """exp(z) / sum(exp(z)) without subtracting the max: inf / inf = nan for large logits."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(logits) / np.sum(np.exp(logits))


def cross_entropy_loss(logits: np.ndarray, label: int) -> float:
    """-log softmax(logits)[label] = logsumexp(logits) - logits[label]."""
    return log_sum_exp(logits) - float(logits[label])


def cross_entropy_gradient(logits: np.ndarray, label: int) -> np.ndarray:
    """d(loss)/d(logits) = softmax(logits) - onehot(label), the closed form."""
    return softmax(logits) - np.eye(logits.size)[label]


def cross_entropy_underflow_bug(logits: np.ndarray, label: int) -> float:
    """-log(softmax(logits)[label]): the probability underflows to 0 and -log(0) is inf."""
    with np.errstate(divide="ignore"):
        return float(-np.log(softmax(logits)[label]))


# ----------------------------------------------------------------------------- NCHW (advanced track)


def conv_einsum(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """NCHW convolution as one einsum over sliding-window views, the plain-NumPy twin of
    kata.judge.nchw.conv_stacked (scipy); their agreement is tested (tests/tooling/test_nchw_oracles.py).

    x (..., N, C, H, W), weights (..., F, C, k, k) and bias (..., F) may carry leading stack
    axes, which broadcast.
    """
    from kata.judge.nchw import pad

    k = weights.shape[-1]
    windows = np.lib.stride_tricks.sliding_window_view(pad(x, padding), (k, k), axis=(-2, -1))[
        ..., ::stride, ::stride, :, :]
    return np.einsum("...ncijab,...fcab->...nfij", windows, weights, optimize=True) + bias[..., None, :, None, None]


def pool_first_max_gradient(x: np.ndarray, d_out: np.ndarray, k: int, s: int, accumulate: bool = True,
                            every_tie: bool = False) -> np.ndarray:
    """d_x of NCHW max pooling from plain NumPy: each window's d_out goes to its first maximum.

    accumulate=False and every_tie=True build what two classic bugs return (a window's
    gradient overwriting its overlapping neighbour's, and a gradient copied to every tie),
    so a failing test can name them.
    """
    views = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    n, c, rows, cols = views.shape[:4]
    gradient = np.zeros(x.shape)
    first = np.argmax(views.reshape(n, c, rows, cols, k * k), axis=-1)
    for row in range(rows):
        for col in range(cols):
            region = gradient[:, :, row * s:row * s + k, col * s:col * s + k]
            if every_tie:
                mask = views[:, :, row, col] == views[:, :, row, col].max(axis=(2, 3), keepdims=True)
            else:
                mask = (np.arange(k * k) == first[:, :, row, col, None]).reshape(n, c, k, k)
            contribution = mask * d_out[:, :, row, col, None, None]
            region[...] = region + contribution if accumulate else np.where(mask, contribution, region)
    return gradient
