"""Speed as a ratio, measured in one run: the student's fast_conv against a scipy baseline.

The public baseline is one Conv2D step (forward, then backward) in a few
scipy.signal.fftconvolve calls: out and d_weights as valid correlations, d_x as the full
convolution of the stride-dilated d_out. It is scipy on purpose: this file ships to
students, and nothing here may be pasteable into a submission (which may not import
scipy; issue #11). The graded speed test measures against a NumPy baseline on its own
shape instead (grader/judge/speed.py, never shipped).

In the grader, each call to the student's layer crosses a process boundary with its arrays
serialized as .npy, so a baseline pays the same serialization (a round trip through
np.save/np.load for every array in and out).
"""

from __future__ import annotations

import io
import time
from typing import Callable

import numpy as np


def npy_round_trip(array: np.ndarray) -> np.ndarray:
    """The array after the grader's transport: written as .npy, read back."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    buffer.seek(0)
    return np.load(buffer, allow_pickle=False)


def best_time(step: Callable[[], object], repeats: int) -> float:
    """The fastest of `repeats` runs of step(), in seconds: the least disturbed measurement."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def scipy_conv_step(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, d_out: np.ndarray,
                    stride: int, padding: int) -> tuple[np.ndarray, ...]:
    """(out, d_x, d_weights, d_bias) of one Conv2D forward and backward, by scipy.signal.fftconvolve."""
    import scipy.signal

    from kata.judge.nchw import conv_stacked, pad
    from kata.judge.oracles import correlate_valid

    x, weights, bias, d_out = (npy_round_trip(a) for a in (x, weights, bias, d_out))
    k = weights.shape[2]
    out = npy_round_trip(conv_stacked(x, weights, bias, stride, padding))
    n, f, rows, cols = d_out.shape
    dilated = np.zeros((n, f, (rows - 1) * stride + 1, (cols - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = d_out
    padded = pad(x, padding)
    d_weights = correlate_valid(padded[:, None], dilated[:, :, None]).sum(axis=0)[:, :, :k, :k]
    full = scipy.signal.fftconvolve(dilated[:, :, None], weights[None], mode="full", axes=(-2, -1)).sum(axis=1)
    d_padded = np.zeros(padded.shape)
    d_padded[:, :, :full.shape[2], :full.shape[3]] = full[:, :, :padded.shape[2], :padded.shape[3]]
    d_x = d_padded[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]
    return out, npy_round_trip(d_x), d_weights, d_out.sum(axis=(0, 2, 3))
