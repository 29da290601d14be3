"""The graded speed baseline (tests/hidden only, never shipped: it is a working vectorized
Conv2D in NumPy; the public suite times a scipy one, kata/judge/speed.py).

Speed as a ratio, measured in one run: the student's fast_conv against a NumPy baseline.

The baseline is a vectorized Conv2D step (forward, then backward) written here, apart
from solutions/: einsum over sliding-window views for out and d_weights, and one strided
slice per kernel offset for d_x. On the graded shape (grader.judge.cases.SPEED_CASE) a correct loop
over pixels is 23x (one small matrix product per pixel, as conv2d.py) or more slower than
it, a plain im2col 0.4-1.8x, so the test's limit (10x) separates them with a margin of 2x
or more either side and does not depend on how fast, or how busy, this machine is.

In the grader, each call to the student's layer crosses a process boundary with its arrays
serialized as .npy, so the baseline pays the same serialization (a round trip through
np.save/np.load for every array in and out), and the graded shape keeps compute well above
transfer: a small batch of large images, whose pixel count is what a pixel loop pays for.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kata.judge.speed import npy_round_trip


def baseline_conv_step(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, d_out: np.ndarray,
                       stride: int, padding: int) -> tuple[np.ndarray, ...]:
    """(out, d_x, d_weights, d_bias) of one Conv2D forward and backward, vectorized."""
    x, weights, bias, d_out = (npy_round_trip(a) for a in (x, weights, bias, d_out))
    size, step, border = weights.shape[2], stride, padding
    padded = np.pad(x, ((0, 0), (0, 0), (border, border), (border, border)))
    views = sliding_window_view(padded, (size, size), axis=(2, 3))[:, :, ::step, ::step]
    out = np.einsum("ncijab,fcab->nfij", views, weights, optimize=True) + bias[None, :, None, None]
    out = npy_round_trip(out)
    d_weights = np.einsum("nfij,ncijab->fcab", d_out, views, optimize=True)
    d_bias = d_out.sum(axis=(0, 2, 3))
    rows, cols = d_out.shape[2:]
    d_padded = np.zeros(padded.shape)
    for row in range(size):
        for col in range(size):
            d_padded[:, :, row:row + step * rows:step, col:col + step * cols:step] += np.einsum(
                "nfij,fc->ncij", d_out, weights[:, :, row, col], optimize=True)
    d_x = d_padded[:, :, border:border + x.shape[2], border:border + x.shape[3]]
    return out, npy_round_trip(d_x), d_weights, d_bias
