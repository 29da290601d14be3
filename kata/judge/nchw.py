"""Independent oracles for the advanced (batched NCHW) suites, and the checks they share.

Nothing here comes from solutions/: forward passes are scipy.signal.correlate summed over
input channels (convolution), a max over np.lib.stride_tricks.sliding_window_view
(pooling) or scipy.special.log_softmax (the loss), and every gradient is central finite
differences (kata.judge.checks) of a scalar

    L = sum(oracle_forward(...) * d_out)

so backward(d_out) must return exactly dL/d(input), dL/d(weights), dL/d(bias). The finite
differences run on the oracle, not on the student's forward: the oracle cannot be wrong in
the same way as the code under test, and in the grader a student call is a process hop.
The einsum twin of the convolution and the pooling oracle accept leading stack axes, so
all perturbed copies of an input go through one NumPy call
(kata.judge.checks.stacked_weighted_sum_gradient) instead of a Python call each.

conv2d.py and fast_conv.py share one contract, so their suites share check_conv_forward
and check_conv_backward, called with the module's name and its exercise ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.signal
import scipy.special
from numpy.lib.stride_tricks import sliding_window_view

from threadpoolctl import threadpool_limits

from kata.judge.checks import assert_close, expect_number, stacked_numerical_gradient, stacked_weighted_sum_gradient
from grader.judge.speed import baseline_conv_step, best_time


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


# The graded shapes: each breaks a different shortcut.
HARD_CASES = (
    ConvCase(n=1, c=2, h=9, w=9, f=3, k=3, stride=2),  # a batch of one; stride 2 tiles 9 exactly
    ConvCase(n=2, c=2, h=8, w=10, f=3, k=3, stride=3),  # stride 3 leaves rows/columns unused
    ConvCase(n=2, c=3, h=5, w=6, f=2, k=3, padding=2),  # padding wider than 1: the crop matters
    ConvCase(n=2, c=4, h=5, w=5, f=3, k=1),  # 1x1 kernels: a per-pixel linear map
    ConvCase(n=2, c=2, h=7, w=6, f=2, k=4, stride=2, padding=1),  # even kernel, stride and padding
)


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


def conv_einsum(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """The same map as conv_oracle, as one einsum over sliding-window views: ~100x faster,
    so finite differences (two evaluations per input value) stay quick. Its agreement with
    conv_oracle is itself tested (tests/tooling/test_nchw_oracles.py).

    x (..., N, C, H, W), weights (..., F, C, k, k) and bias (..., F) may carry leading stack
    axes, which broadcast: one call convolves a whole stack of perturbed copies of one of them.
    """
    k = weights.shape[-1]
    windows = sliding_window_view(pad(x, padding), (k, k), axis=(-2, -1))[..., ::stride, ::stride, :, :]
    return np.einsum("...ncijab,...fcab->...nfij", windows, weights, optimize=True) + bias[..., None, :, None, None]


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
                               input_hw: tuple[int, int], per_offset: bool) -> np.ndarray:
    """What d_x becomes when gradients are assigned (=) instead of accumulated (+=):
    window after window (the loop over pixels of conv2d.py) or kernel offset after kernel
    offset (the col2im loop of fast_conv.py), each overwriting what overlaps it."""
    n, f, rows, cols = d_out.shape
    size, step = weights.shape[2], stride
    d_x_pad = np.zeros((n, weights.shape[1], input_hw[0] + 2 * padding, input_hw[1] + 2 * padding))
    if per_offset:
        for row in range(size):
            for col in range(size):
                d_x_pad[:, :, row:row + step * rows:step, col:col + step * cols:step] = np.einsum(
                    "nfij,fc->ncij", d_out, weights[:, :, row, col])
    else:
        for row in range(rows):
            for col in range(cols):
                d_x_pad[:, :, row * step:row * step + size, col * step:col * step + size] = np.einsum(
                    "nf,fcab->ncab", d_out[:, :, row, col], weights)
    return d_x_pad[:, :, padding:padding + input_hw[0], padding:padding + input_hw[1]]


def make_layer(student, module: str, case: ConvCase, weights: np.ndarray, bias: np.ndarray):
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


def check_conv_forward(student, module: str, case: ConvCase, rng: np.random.Generator) -> None:
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
            "the kernel is flipped: deep-learning convolution is cross-correlation": conv_einsum(
                x, weights[:, :, ::-1, ::-1], bias, case.stride, case.padding),
        },
    )
    framework = torch_conv(x, weights, bias, case.stride, case.padding)
    if framework is not None:
        assert_close(got, framework, f"{module}.Conv2D.forward, {case}", "torch.nn.functional.conv2d (float64)")


def check_conv_backward(student, module: str, case: ConvCase, rng: np.random.Generator,
                        learn_rate: float = 0.0) -> None:
    """d_x, d_weights, d_bias against finite differences; then the SGD update itself."""
    x, weights, bias, d_out = random_conv(case, rng)
    s, p = case.stride, case.padding
    layer = make_layer(student, module, case, weights, bias)
    layer.forward(x)
    d_x = layer.backward(d_out, learn_rate)
    what = f"{module}.Conv2D.backward, {case}"

    def conv(x=x, weights=weights, bias=bias):
        return conv_einsum(x, weights, bias, s, p)

    num_d_weights = stacked_weighted_sum_gradient(lambda v: conv(weights=v), weights, d_out)
    num_d_bias = stacked_weighted_sum_gradient(lambda v: conv(bias=v), bias, d_out)
    num_d_x = stacked_weighted_sum_gradient(lambda v: conv(x=v), x, d_out)
    padded = conv_input_gradient_padded(d_out, weights, s, (case.h + 2 * p, case.w + 2 * p))
    updated = weights - learn_rate * num_d_weights
    likely = {
        "d_x was cut from the padded gradient's top-left corner: drop `padding` rows and "
        "columns on EACH side of d_x_pad (forgot the padding's offset)": padded[:, :, :case.h, :case.w],
    }
    for per_offset, loop in ((False, "window by window"), (True, "kernel offset by kernel offset")):
        likely[f"d_x_pad was assigned (=) {loop}; overlapping contributions must accumulate (+=)"] = (
            overwritten_input_gradient(d_out, weights, s, p, (case.h, case.w), per_offset))
    if learn_rate:
        likely["d_x was computed with the updated weights: compute d_x before the update"] = (
            stacked_weighted_sum_gradient(lambda v: conv(v, updated), x, d_out))
    assert_close(layer.d_weights, num_d_weights, f"{what}: d_weights", "central finite differences")
    assert_close(layer.d_bias, num_d_bias, f"{what}: d_bias", "central finite differences")
    assert_close(d_x, num_d_x, f"{what}: the returned d_x", "central finite differences", likely_bugs=likely)
    if learn_rate:
        assert_close(layer.weights, updated, f"{what}: the weights after the update",
                     f"weights - {learn_rate} * d_weights (finite differences)",
                     likely_bugs={"the update adds the gradient: subtract it (gradient descent)":
                                  weights + learn_rate * num_d_weights})
        assert_close(layer.bias, bias - learn_rate * num_d_bias, f"{what}: the bias after the update",
                     f"bias - {learn_rate} * d_bias (finite differences)")


def pool_oracle(x: np.ndarray, k: int, s: int) -> np.ndarray:
    """Max over every k x k window at stride s of x (..., H, W), via sliding_window_view:
    any leading axes (N, C, and a stack of copies for finite differences) pass through."""
    return sliding_window_view(x, (k, k), axis=(-2, -1))[..., ::s, ::s, :, :].max(axis=(-2, -1))


def pool_first_max_gradient(x: np.ndarray, d_out: np.ndarray, k: int, s: int, accumulate: bool = True,
                            every_tie: bool = False) -> np.ndarray:
    """d_x of max pooling from plain NumPy: each window's d_out goes to its first maximum.

    accumulate=False and every_tie=True build what two classic bugs return (a window's
    gradient overwriting its overlapping neighbour's, and a gradient copied to every tie),
    so a failing test can name them.
    """
    views = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
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


def mean_cross_entropy(logits, labels):
    """The oracle: scipy's log_softmax, picked at each row's label, averaged. Logits (N, K)
    give one loss; a stack of them (B, N, K), as finite differences use, gives B losses."""
    log_probabilities = scipy.special.log_softmax(logits, axis=-1)
    return -np.mean(log_probabilities[..., np.arange(len(labels)), labels], axis=-1)


def check_loss_and_gradient(student, logits, labels):
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


# Many pixels, few channels: what a loop over pixels pays for, while the arrays that cross
# the grader's process boundary stay small (~1.5 MB per forward + backward).
SPEED_CASE = ConvCase(n=1, c=2, h=128, w=128, f=4, k=3, padding=1)
SPEED_LIMIT = 10.0  # measured: the reference im2col runs at ~0.2x the baseline, conv2d.py's pixel loop 25-35x


def check_conv_speed(student, rng: np.random.Generator, repeats: int = 5) -> None:
    """fast_conv's forward + backward at most SPEED_LIMIT times the baseline's time, both
    measured now, interleaved, best of `repeats`; see kata/judge/speed.py. Correctness first:
    a fast wrong answer earns nothing."""
    case = SPEED_CASE
    x, weights, bias, d_out = random_conv(case, rng)
    layer = make_layer(student, "fast_conv", case, weights, bias)
    what = f"fast_conv.Conv2D.forward, {case}"
    out = layer.forward(x)
    expected, *_ = baseline_conv_step(x, weights, bias, d_out, case.stride, case.padding)
    assert_close(out, expected, what, "the NumPy baseline of kata/judge/speed.py (itself checked against scipy)")
    layer.backward(d_out, 0.0)

    def student_step():
        layer.forward(x)
        layer.backward(d_out, 0.0)

    student_times, baseline_times = [], []
    # One BLAS thread for both, as in the grader's worker: multithreaded BLAS on a busy
    # 2-core machine swings by 10x from run to run, a single thread does not.
    with threadpool_limits(limits=1):
        for _ in range(repeats):
            student_times.append(best_time(student_step, 1))
            baseline_times.append(best_time(
                lambda: baseline_conv_step(x, weights, bias, d_out, case.stride, case.padding), 1))
    ratio = min(student_times) / min(baseline_times)
    assert ratio <= SPEED_LIMIT, (
        f"fast_conv.Conv2D forward + backward, {case}, took {min(student_times) * 1e3:.1f} ms, "
        f"{ratio:.1f}x a vectorized NumPy baseline ({min(baseline_times) * 1e3:.1f} ms, measured in this run); "
        f"at most {SPEED_LIMIT:g}x is expected. Is there still a Python loop over pixels? Only loops over the "
        "k*k kernel offsets are cheap enough."
    )
