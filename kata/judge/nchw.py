"""Independent oracles for the advanced (batched NCHW) suites, and the checks they share.

Nothing here comes from solutions/, and everything computes with scipy, which submissions
may not import (this file ships; issue #11): forward passes are scipy.signal.correlate
summed over input channels (convolution), scipy.ndimage.maximum_filter (pooling) or
scipy.special.log_softmax (the loss), and every gradient is central finite
differences (kata.judge.checks) of a scalar

    L = sum(oracle_forward(...) * d_out)

so backward(d_out) must return exactly dL/d(input), dL/d(weights), dL/d(bias). The finite
differences run on the oracle, not on the student's forward: the oracle cannot be wrong in
the same way as the code under test, and in the grader a student call is a process hop.
The fftconvolve twin of the convolution and the pooling oracle accept leading stack axes, so
all perturbed copies of an input go through one scipy call
(kata.judge.checks.stacked_weighted_sum_gradient) instead of a Python call each.

conv2d.py and fast_conv.py share one contract, so their suites share check_conv_forward
and check_conv_backward, called with the module's name and its exercise ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.ndimage
import scipy.signal
import scipy.special

from kata.judge.checks import assert_close, expect_number, fd_floor, stacked_numerical_gradient, stacked_weighted_sum_gradient
from kata.judge.oracles import correlate_valid, last_covering_window, windows_overlap
from kata.judge.student import Student


@dataclass(frozen=True)
class ConvCase:
    """One convolution shape: x (n, c, h, w), f filters k x k, stride, padding."""

    n: int
    c: int
    h: int
    w: int
    f: int
    k: int
    stride: int = 1
    padding: int = 0

    def __str__(self) -> str:
        return (f"x ({self.n}, {self.c}, {self.h}, {self.w}), {self.f} filters {self.k}x{self.k}, "
                f"stride {self.stride}, padding {self.padding}")

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        out_h = (self.h + 2 * self.padding - self.k) // self.stride + 1
        out_w = (self.w + 2 * self.padding - self.k) // self.stride + 1
        return (self.n, self.f, out_h, out_w)


def pad(x: np.ndarray, padding: int) -> np.ndarray:
    """x (..., H, W) zero-padded by `padding` on each side of its last two axes."""
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(padding, padding)] * 2)


def conv_oracle(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """out[n, f] = bias[f] + sum_c scipy.signal.correlate(x_pad[n, c], weights[f, c], "valid")[::s, ::s]."""
    x_pad = pad(x, padding)
    rows = []
    for example in x_pad:
        maps = []
        for f in range(weights.shape[0]):
            total = sum(scipy.signal.correlate(example[c], weights[f, c], mode="valid")
                        for c in range(x.shape[1]))
            maps.append(total[::stride, ::stride] + bias[f])
        rows.append(maps)
    return np.array(rows)


def conv_stacked(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """The same map as conv_oracle in one scipy.signal.fftconvolve call, so finite
    differences (two evaluations per input value) stay quick. Its agreement with
    conv_oracle is itself tested (tests/tooling/test_nchw_oracles.py).

    x (..., N, C, H, W), weights (..., F, C, k, k) and bias (..., F) may carry leading stack
    axes, which broadcast: one call convolves a whole stack of perturbed copies of one of them.
    """
    full = correlate_valid(pad(x, padding)[..., :, None, :, :, :], weights[..., None, :, :, :, :])  # (..., N, F, C, H', W')
    return full.sum(axis=-3)[..., ::stride, ::stride] + bias[..., None, :, None, None]


def conv_input_gradient_padded(d_out: np.ndarray, weights: np.ndarray, stride: int, padded_hw: tuple[int, int]) -> np.ndarray:
    """dL/dx_pad (the gradient on the PADDED input), by scipy.signal.convolve of the
    stride-dilated d_out with each kernel: used to name the 'forgot to crop the padding' bug."""
    n, f, out_h, out_w = d_out.shape
    dilated = np.zeros((n, f, (out_h - 1) * stride + 1, (out_w - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = d_out
    d_x_pad = np.zeros((n, weights.shape[1]) + tuple(padded_hw))
    for e in range(n):
        for c in range(weights.shape[1]):
            full = sum(scipy.signal.convolve(dilated[e, g], weights[g, c], mode="full") for g in range(f))
            d_x_pad[e, c, :full.shape[0], :full.shape[1]] = full
    return d_x_pad


def overwritten_input_gradient(d_out: np.ndarray, weights: np.ndarray, stride: int, padding: int,
                               input_hw: tuple[int, int], per_offset: bool) -> np.ndarray | None:
    """What d_x becomes when gradients are assigned (=) instead of accumulated (+=):
    window after window (the loop over pixels of conv2d.py: each padded pixel keeps the
    last window over it) or kernel offset after kernel offset (the col2im loop of
    fast_conv.py: the last offset, i.e. the first window). None when no two windows
    overlap, where `=` is no bug."""
    n, f, rows, cols = d_out.shape
    k = weights.shape[2]
    if not windows_overlap(k, stride, rows, cols):
        return None
    i, a, row_covered = last_covering_window(input_hw[0] + 2 * padding, k, stride, rows, first=per_offset)
    j, b, col_covered = last_covering_window(input_hw[1] + 2 * padding, k, stride, cols, first=per_offset)
    kept = d_out[:, :, i][:, :, :, j]  # (N, F, H_pad, W_pad): the window each pixel kept
    kernel = weights[:, :, a][:, :, :, b]  # (F, C, H_pad, W_pad): its offset inside that window
    d_x_pad = np.sum(kept[:, :, None] * kernel[None], axis=1) * (row_covered[:, None] & col_covered[None, :])
    return d_x_pad[:, :, padding:padding + input_hw[0], padding:padding + input_hw[1]]


def slice_overwritten_input_gradient(d_out: np.ndarray, weights: np.ndarray, stride: int, padding: int,
                                     input_hw: tuple[int, int]) -> np.ndarray | None:
    """What fast_conv.py's d_x becomes when its col2im assigns (=) each kernel offset's slice
    of the flat row instead of adding it (+=): every position keeps what the LAST offset
    whose slice covers it sends. The flat layout's sizes are the formulas of its given
    Layout (fast_conv.py's docstring), for one chunk (every example: the checks' batches are
    small). None when no two windows overlap, where `=` is no bug."""
    n, f, out_h, out_w = d_out.shape
    c, k = weights.shape[1], weights.shape[2]
    if not windows_overlap(k, stride, out_h, out_w):
        return None
    (h, w), s, p = input_hw, stride, padding
    rows, width = max(h + p, s * out_h), -(-(w + p) // s) * s
    columns, head = rows * width // s, p * width + p
    offsets = [a * width + b for a in range(k) for b in range(k)]
    g = np.zeros((f, n, columns))  # d_out on the flat columns: window (i, j) is column i*width + j
    g[:, :, :out_h * width].reshape(f, n, out_h, width)[..., :out_w] = d_out.transpose(1, 0, 2, 3)
    d_cols = np.einsum("fcab,fm->abcm", weights, g.reshape(f, -1)).reshape(k * k, -1)  # rows (a, b), then c
    d_row = np.zeros(head + c * n * rows * width + offsets[-1])
    for ab, o in enumerate(offsets):
        d_row[o:o + s * d_cols.shape[1]:s] = d_cols[ab]  # the bug: =, not +=
    blocks = d_row[head:head + c * n * rows * width].reshape(c, n, rows, width).transpose(1, 0, 2, 3)
    return blocks[:, :, :h, :w]


def make_layer(student: Student, module: str, case: ConvCase, weights: np.ndarray, bias: np.ndarray):
    """The student's Conv2D for this case, with our weights and bias set."""
    layer = student.module(module).Conv2D(case.c, case.f, case.k, stride=case.stride, padding=case.padding, rng=0)
    layer.weights = weights
    layer.bias = bias
    return layer


def random_conv(case: ConvCase, rng: np.random.Generator):
    """x, weights, bias and d_out for a case, all standard normal."""
    return (rng.standard_normal((case.n, case.c, case.h, case.w)),
            rng.standard_normal((case.f, case.c, case.k, case.k)),
            rng.standard_normal(case.f),
            rng.standard_normal(case.out_shape))


def torch_conv(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, stride: int, padding: int) -> np.ndarray | None:
    """PyTorch's conv2d in float64 when PyTorch is installed (never required), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(weights), torch.from_numpy(bias),
                                      stride=stride, padding=padding).numpy()


def check_conv_forward(student: Student, module: str, case: ConvCase, rng: np.random.Generator) -> None:
    """The forward pass against scipy, and also against PyTorch where it is installed: an
    extra oracle inside a test that always runs, so its absence skips nothing."""
    x, weights, bias, _ = random_conv(case, rng)
    layer = make_layer(student, module, case, weights, bias)
    expected = conv_oracle(x, weights, bias, case.stride, case.padding)
    got = layer.forward(x)
    assert_close(
        got, expected, f"{module}.Conv2D.forward, {case}",
        "scipy.signal.correlate per channel, summed over channels, plus bias",
        likely_bugs={
            "the bias is missing: add bias[f] to every value of output channel f": expected - bias[None, :, None, None],
            "the kernel is flipped: deep-learning convolution is cross-correlation": conv_stacked(
                x, weights[:, :, ::-1, ::-1], bias, case.stride, case.padding),
        },
    )
    framework = torch_conv(x, weights, bias, case.stride, case.padding)
    if framework is not None:
        assert_close(got, framework, f"{module}.Conv2D.forward, {case}", "torch.nn.functional.conv2d (float64)")


def check_conv_backward(student: Student, module: str, case: ConvCase, rng: np.random.Generator,
                        learn_rate: float = 0.0) -> None:
    """d_x, d_weights, d_bias against finite differences; then the SGD update itself."""
    x, weights, bias, d_out = random_conv(case, rng)
    s, p = case.stride, case.padding
    layer = make_layer(student, module, case, weights, bias)
    layer.forward(x)
    d_x = layer.backward(d_out, learn_rate)
    what = f"{module}.Conv2D.backward, {case}"

    def conv(x=x, weights=weights, bias=bias):
        return conv_stacked(x, weights, bias, s, p)

    num_d_weights = stacked_weighted_sum_gradient(lambda v: conv(weights=v), weights, d_out)
    num_d_bias = stacked_weighted_sum_gradient(lambda v: conv(bias=v), bias, d_out)
    num_d_x = stacked_weighted_sum_gradient(lambda v: conv(x=v), x, d_out)
    padded = conv_input_gradient_padded(d_out, weights, s, (case.h + 2 * p, case.w + 2 * p))
    updated = weights - learn_rate * num_d_weights
    likely = {
        "d_x was cut from the padded gradient's top-left corner: drop `padding` rows and "
        "columns on EACH side of d_x_pad (forgot the padding's offset)": padded[:, :, :case.h, :case.w],
    }
    for per_offset, loop in ((False, "window by window"), (True, "kernel offset by kernel offset")):  # None: no overlap
        likely[f"d_x_pad was assigned (=) {loop}; overlapping contributions must accumulate (+=)"] = (
            overwritten_input_gradient(d_out, weights, s, p, (case.h, case.w), per_offset))
    if module == "fast_conv":  # its col2im's own way of getting it wrong
        likely["col2im assigned (=) each kernel offset's slice of the flat row; windows overlap, so the slices "
               "must accumulate (+=)"] = slice_overwritten_input_gradient(d_out, weights, s, p, (case.h, case.w))
    if learn_rate:
        likely["d_x was computed with the updated weights: compute d_x before the update"] = (
            stacked_weighted_sum_gradient(lambda v: conv(v, updated), x, d_out))
    # fd_floor: the FFT's rounding (~1e-16 of the largest value) makes finite differences
    # of exact zeros (rows a stride skips) ~1e-10 instead of 0, noise kata/judge/checks.py describes.
    assert_close(layer.d_weights, num_d_weights, f"{what}: d_weights", "central finite differences",
                 floor=fd_floor(num_d_weights))
    assert_close(layer.d_bias, num_d_bias, f"{what}: d_bias", "central finite differences", floor=fd_floor(num_d_bias))
    assert_close(d_x, num_d_x, f"{what}: the returned d_x", "central finite differences", likely_bugs=likely,
                 floor=fd_floor(num_d_x))
    if learn_rate:
        assert_close(layer.weights, updated, f"{what}: the weights after the update",
                     f"weights - {learn_rate} * d_weights (finite differences)",
                     likely_bugs={"the update adds the gradient: subtract it (gradient descent)":
                                  weights + learn_rate * num_d_weights})
        assert_close(layer.bias, bias - learn_rate * num_d_bias, f"{what}: the bias after the update",
                     f"bias - {learn_rate} * d_bias (finite differences)")


def pool_oracle(x: np.ndarray, k: int, s: int) -> np.ndarray:
    """Max over every k x k window at stride s of x (..., H, W), by scipy.ndimage.maximum_filter
    over the last two axes, then one value per window: any leading axes (N, C, and a stack
    of copies for finite differences) pass through."""
    rows, cols = (x.shape[-2] - k) // s + 1, (x.shape[-1] - k) // s + 1
    filtered = scipy.ndimage.maximum_filter(x, size=(1,) * (x.ndim - 2) + (k, k))
    start = k // 2  # the filter's window around index i starts at i - k // 2
    return filtered[..., start:start + s * (rows - 1) + 1:s, start:start + s * (cols - 1) + 1:s]


def mean_cross_entropy(logits, labels):
    """The oracle: scipy's log_softmax, picked at each row's label, averaged. Logits (N, K)
    give one loss; a stack of them (B, N, K), as finite differences use, gives B losses."""
    log_probabilities = scipy.special.log_softmax(logits, axis=-1)
    return -np.mean(log_probabilities[..., np.arange(len(labels)), labels], axis=-1)


def check_loss_and_gradient(student: Student, logits: np.ndarray, labels: np.ndarray) -> None:
    """The loss against the scipy oracle, d_logits against finite differences of the oracle."""
    what = f"softmax_cross_entropy(logits of shape {logits.shape}, labels)"
    loss, d_logits = student.module("loss").softmax_cross_entropy(logits, labels)
    loss = expect_number(loss, f"{what}[0] (the loss)")
    expected = mean_cross_entropy(logits, labels)
    n = len(labels)
    hint = " (summed over the batch? the loss is the MEAN)" if n > 1 and abs(loss - n * expected) < 1e-6 * n else ""
    assert abs(loss - expected) <= 1e-7 * max(1.0, abs(expected)), (
        f"{what}: loss is {loss:.8g}, expected {expected:.8g} from scipy.special.log_softmax{hint}"
    )
    numeric = stacked_numerical_gradient(lambda stack: mean_cross_entropy(stack, labels), logits)
    assert_close(d_logits, numeric, f"{what}[1] (d_logits)", "central finite differences",
                 likely_bugs={"d_logits is not divided by N: the loss is a mean over the batch": numeric * n})
