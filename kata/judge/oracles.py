"""The public oracles: what each layer must return, and what its classic bugs return.

Every one of them computes with scipy (scipy.signal, scipy.ndimage, scipy.special,
scipy.sparse), which submissions may not import (grader/trusted/policy.py): this file
ships to students, so nothing in it may be pasteable as an answer (issue #11). The
plain-NumPy references live on the trusted side (grader/judge/oracles.py), and
tests/tooling/test_checks.py proves that both agree; tests/tooling/test_leaks.py proves
that nothing here computes a graded answer once scipy is gone.

The `*_bug` functions compute what a known mistake would return for the same inputs; the
tests pass them to assert_close as `likely_bugs`, so a failure can name the mistake. Where
the mistake cannot show on the inputs (no overflow, no overlapping windows) they return
None, never the right answer.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np


def _signal() -> ModuleType:
    """scipy.signal, imported on first use: it takes about a second to import and only the
    convolution checks need it, so `make test EX=softmax` does not wait for it."""
    import scipy.signal

    return scipy.signal


def _ndimage() -> ModuleType:
    import scipy.ndimage

    return scipy.ndimage


def _special() -> ModuleType:
    import scipy.special

    return scipy.special


def leading_axes(array: np.ndarray, ndim: int) -> np.ndarray:
    """array with new length-1 axes in front up to ndim dimensions: scipy.signal.fftconvolve
    broadcasts axes of length 1 but wants both inputs of the same dimensionality."""
    return array.reshape((1,) * (ndim - array.ndim) + array.shape)


def correlate_valid(images: np.ndarray, kernels: np.ndarray) -> np.ndarray:
    """Valid cross-correlation over the last two axes by scipy.signal.fftconvolve of the
    flipped kernels; every other axis broadcasts. FFT rounding is ~1e-16 of the largest
    value, far below what finite differences resolve (kata/judge/checks.py)."""
    ndim = max(images.ndim, kernels.ndim)
    return _signal().fftconvolve(leading_axes(images, ndim), leading_axes(kernels[..., ::-1, ::-1], ndim),
                                 mode="valid", axes=(-2, -1))


def last_covering_window(length: int, k: int, stride: int, windows: int, first: bool = False):
    """For each position p < length of one axis: which window (i) an overwriting loop left
    there, the offset p - i * stride inside it, and whether any window covers p at all.
    first=False: the last window in loop order (a loop over windows); first=True: the
    first window (a loop over kernel offsets, whose last offset belongs to the first window)."""
    p = np.arange(length)
    i = -(-(p - k + 1) // stride) if first else p // stride
    i = np.clip(i, 0, windows - 1)
    offset = p - i * stride
    return i, np.clip(offset, 0, k - 1), (offset >= 0) & (offset < k)


def windows_overlap(k: int, stride: int, rows: int, cols: int) -> bool:
    """Whether some input position lies in two windows: only then can `=` differ from `+=`."""
    return k > stride and (rows > 1 or cols > 1)


# ----------------------------------------------------------------------------- convolution


def conv_forward(image: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """(H, W) image, (F, k, k) filters -> (H - k + 1, W - k + 1, F): scipy's valid cross-correlation."""
    return np.stack([_signal().correlate2d(image, f, mode="valid") for f in filters], axis=-1)


def conv_forward_stacked(images: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """conv_forward on stacks, for finite differences in one call: images (..., H, W) and
    filters (..., F, k, k), whose leading stack axes broadcast -> (..., H', W', F).

    scipy.signal.fftconvolve; that it agrees with correlate2d is tested (tests/tooling/test_checks.py).
    """
    return np.moveaxis(correlate_valid(images[..., None, :, :], filters), -3, -1)


def conv_forward_flipped_bug(image: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """The true (flipped-kernel) convolution: what a student who flips the filters returns."""
    return np.stack([_signal().convolve2d(image, f, mode="valid") for f in filters], axis=-1)


def conv_d_filters(image: np.ndarray, d_out: np.ndarray) -> np.ndarray:
    """dL/dfilters, (F, k, k): each filter's gradient is the image correlated with its d_out map."""
    return np.stack([_signal().correlate2d(image, d_out[:, :, f], mode="valid")
                     for f in range(d_out.shape[2])])


def conv_d_image(d_out: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """dL/dimage, (H, W): the full convolution of each d_out map with its filter, summed."""
    return sum(_signal().convolve2d(d_out[:, :, f], filters[f], mode="full") for f in range(len(filters)))


def conv_d_image_overwrite_bug(d_out: np.ndarray, filters: np.ndarray) -> np.ndarray | None:
    """d_image with `=` instead of `+=`: each pixel keeps only the last window (row-major)
    that covers it. None when no two windows overlap (then `=` is not a bug)."""
    rows, cols, _ = d_out.shape
    k = filters.shape[1]
    if not windows_overlap(k, 1, rows, cols):
        return None
    i, a, _ = last_covering_window(rows + k - 1, k, 1, rows)
    j, b, _ = last_covering_window(cols + k - 1, k, 1, cols)
    return np.sum(d_out[i][:, j] * np.moveaxis(filters[:, a][:, :, b], 0, -1), axis=-1)


# ----------------------------------------------------------------------------- max pooling


def window_labels(shape: tuple[int, ...], size: int) -> np.ndarray:
    """(H, W, C) -> labels for scipy.ndimage: 1 + the index of (window row, window column,
    channel) for every covered value, 0 for the rows and columns no window covers."""
    out_h, out_w, channels = shape[0] // size, shape[1] // size, shape[2]
    labels = np.zeros(shape, dtype=np.int64)
    rows, cols = np.arange(out_h * size) // size, np.arange(out_w * size) // size
    labels[:out_h * size, :out_w * size] = 1 + ((rows[:, None, None] * out_w + cols[None, :, None]) * channels
                                                + np.arange(channels))
    return labels


def pool_forward(x: np.ndarray, size: int) -> np.ndarray:
    """(H, W, C) -> (H // size, W // size, C): scipy.ndimage.maximum per window label."""
    labels = window_labels(x.shape, size)
    count = int(labels.max())
    out_shape = (x.shape[0] // size, x.shape[1] // size, x.shape[2])
    return np.asarray(_ndimage().maximum(x, labels, np.arange(1, count + 1)), dtype=np.float64).reshape(out_shape)


def pool_forward_across_channels_bug(x: np.ndarray, size: int) -> np.ndarray:
    """window.max() without axes: one max over the window of every channel, copied to all channels."""
    return np.broadcast_to(pool_forward(x, size).max(axis=-1, keepdims=True),
                           (x.shape[0] // size, x.shape[1] // size, x.shape[2])).copy()


def pool_backward(x: np.ndarray, d_out: np.ndarray, size: int, ties: str = "first") -> np.ndarray:
    """dL/dx for max pooling: each window's d_out goes to its maximum.

    ties="first": to the first maximum in row-major order (the rule), by
    scipy.ndimage.minimum of the flat indices of each window's tied maxima.
    ties="last": to the last one (a bug). ties="all": to every tied maximum, the
    `(window == window.max()) * d_out` bug, which counts the gradient several times.
    ties="split": an equal share to each tied maximum (a valid subgradient, but not the rule).
    """
    labels = window_labels(x.shape, size)
    index = np.arange(1, int(labels.max()) + 1)
    maxima = np.concatenate([[np.nan], _ndimage().maximum(x, labels, index)])
    tied = (labels > 0) & (x == maxima[labels])  # every maximum of its window
    d_flat = np.concatenate([[0.0], d_out.reshape(-1)])
    if ties == "all":
        return np.where(tied, d_flat[labels], 0.0)
    if ties == "split":
        shares = np.bincount(labels[tied], minlength=len(index) + 1)  # tied maxima per window, >= 1
        return np.where(tied, d_flat[labels] / np.maximum(shares[labels], 1), 0.0)
    # A window's values in row-major order are in C order of x, so the first (last) tied
    # maximum is the one with the smallest (largest) flat index.
    order = np.arange(x.size).reshape(x.shape)
    if ties == "last":
        chosen = _ndimage().maximum(np.where(tied, order, -1), labels, index)
    else:
        chosen = _ndimage().minimum(np.where(tied, order, x.size), labels, index)
    d_x = np.zeros(x.size)
    d_x[np.asarray(chosen, dtype=np.int64)] = d_flat[1:]
    return d_x.reshape(x.shape)


def distinct_values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values at least 1/size apart (no ties, no near-ties), so finite differences never
    step over a window's maximum: h = 1e-5 is far below the gap."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) - n / 2) / n


# ----------------------------------------------------------------------------- dense


def dense_forward(x: np.ndarray, weights: np.ndarray, biases: np.ndarray) -> np.ndarray:
    """x of any shape, flattened: x.ravel() @ weights + biases, by scipy.sparse.

    weights (..., input_len, nodes) and biases (..., nodes) may carry leading stack axes,
    which broadcast: one call for a stack of perturbed copies of either.
    """
    import scipy.sparse

    input_len, nodes = weights.shape[-2:]
    columns = np.moveaxis(weights, -2, 0).reshape(input_len, -1)  # (input_len, stack * nodes)
    product = scipy.sparse.csr_array(x.reshape(1, -1)) @ columns
    return np.asarray(product).reshape(weights.shape[:-2] + (nodes,)) + biases


# ----------------------------------------------------------------------------- softmax

# exp(z) overflows to inf above this: log of the largest float64.
EXP_OVERFLOW = float(np.log(np.finfo(np.float64).max))
# exp(z) underflows to exactly 0 below this (past the smallest subnormal).
EXP_UNDERFLOW = -745.2


def log_sum_exp(logits: np.ndarray) -> float:
    """log(sum(exp(logits))) by scipy.special.logsumexp, never overflowing."""
    return float(_special().logsumexp(logits))


def softmax(logits: np.ndarray) -> np.ndarray:
    """scipy.special.softmax: finite and exact for any float64 logits."""
    return _special().softmax(logits)


def softmax_overflow_bug(logits: np.ndarray) -> np.ndarray | None:
    """exp(z) / sum(exp(z)) without subtracting the max, where it goes wrong: the sum
    overflows to inf, so an overflowing exp(z) gives inf / inf = nan and the rest 0.
    None where nothing overflows (then the naive formula is right)."""
    if log_sum_exp(logits) <= EXP_OVERFLOW:
        return None
    return np.where(logits > EXP_OVERFLOW, np.nan, 0.0)


def cross_entropy_loss(logits: np.ndarray, label: int) -> float:
    """-log softmax(logits)[label] = logsumexp(logits) - logits[label]."""
    return log_sum_exp(logits) - float(logits[label])


def cross_entropy_gradient(logits: np.ndarray, label: int) -> np.ndarray:
    """d(loss)/d(logits) = softmax(logits) - onehot(label), the closed form."""
    return softmax(logits) - np.eye(logits.size)[label]


def cross_entropy_underflow_bug(logits: np.ndarray, label: int) -> float | None:
    """-log(softmax(logits)[label]) where it goes wrong: the probability underflows to 0
    and -log(0) is inf. None where it does not underflow."""
    if float(_special().log_softmax(logits)[label]) >= EXP_UNDERFLOW:
        return None
    return float("inf")
