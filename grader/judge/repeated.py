"""Graded checks of state across calls: ONE layer, called several times (issue #12).

Every other layer check builds a fresh layer and calls it once, so it cannot see a layer that
- caches the first input of a shape and reuses it (forward returns an earlier call's output),
- accumulates its gradient over backward calls (d_filters += ..., never reset),
- ignores learn_rate (hard-codes the rate the single-call tests use).
These checks run several rounds on one layer, each with a new input of the same shape, a new
upstream gradient and a new learning rate, and judge every round from the parameters read
back from the layer at its start, against the same independent oracles as the single-call
checks (scipy, plain NumPy closed forms, central finite differences).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

from kata.judge import oracles
from kata.judge.checks import FLOOR, assert_close, fd_floor, stacked_weighted_sum_gradient
from kata.judge.nchw import conv_oracle, conv_stacked, pool_oracle

# pytest leaves this module's frames out of tracebacks (as kata/judge/checks.py does).
__tracebackhide__ = True

# One learning rate per round; none of them is a rate another test uses.
ROUND_RATES = (0.3, 0.07, 0.2)
# The rates the single-call tests use: what a hard-coded rate would be.
OTHER_TESTS_RATES = (0.5, 0.1, 0.05, 0.01)

CACHED_FORWARD = ("forward returned the output of the FIRST input of this shape, not of this call's "
                  "input: compute from each call's own input (no cache across calls)")
STALE_INPUT = ("backward used the input of an earlier call: forward must save each call's own input "
               "(a copy), replacing the last one")
ACCUMULATES = ("gradient accumulates across backward calls: {name} holds this call's gradient plus the "
               "earlier calls'. Reset {name} each call (start at zeros inside backward)")
IGNORES_RATE = ("update ignores learn_rate: {name} moved by {rate:g} * d_{name}, but this call's "
                "learn_rate was {learn_rate:g}")


@dataclass(frozen=True)
class Layer:
    """One layer class as plain-array oracles of its forward and backward maps."""

    name: str  # "Conv(num_filters=3, filter_size=3)": how messages name the layer
    input_name: str  # "image" or "x"
    params: tuple[str, ...]  # parameter attributes; their gradients are "d_" + each name
    forward: Callable[..., np.ndarray]  # forward(x, *params) -> out
    backward: Callable[..., tuple[np.ndarray, ...]]  # backward(x, d_out, *params) -> (d_x, *d_params)
    oracle: str  # where the expected values come from
    finite_differences: bool = False  # backward's values are finite differences: compare with fd_floor


def check_forward_rounds(layer: Any, spec: Layer, inputs: list[np.ndarray]) -> None:
    """forward on each input in turn, on one layer: each output is that input's."""
    for number, x in enumerate(inputs, 1):
        params = [getattr(layer, name) for name in spec.params]
        assert_close(layer.forward(x), spec.forward(x, *params),
                     f"{spec.name}.forward({spec.input_name} #{number} of {len(inputs)}, each of shape {x.shape}, "
                     "on the same layer)", spec.oracle,
                     likely_bugs={CACHED_FORWARD: spec.forward(inputs[0], *params) if number > 1 else None})


def check_backward_rounds(layer: Any, spec: Layer, inputs: list[np.ndarray], d_outs: list[np.ndarray]) -> None:
    """forward then backward(d_out, learn_rate) for each round on one layer, a new learning rate
    each round: d_x, every gradient and every updated parameter are this round's."""
    gradient_names = (f"d_{spec.input_name}",) + tuple(f"d_{name}" for name in spec.params)
    earlier = None  # the sums of the earlier rounds' expected gradients
    for number, (x, d_out, learn_rate) in enumerate(zip(inputs, d_outs, ROUND_RATES), 1):
        params = [getattr(layer, name) for name in spec.params]
        layer.forward(x)
        got = [layer.backward(d_out, learn_rate)] + [getattr(layer, name) for name in gradient_names[1:]]
        expected = spec.backward(x, d_out, *params)
        stale = spec.backward(inputs[0], d_out, *params) if number > 1 else [None] * len(expected)
        what = (f"{spec.name}, call {number} of {len(inputs)} on the same layer: backward(d_out, "
                f"learn_rate={learn_rate}) after forward({spec.input_name} of shape {x.shape})")
        for index, (name, value, want) in enumerate(zip(gradient_names, got, expected)):
            label = f"{what} -> {name} (returned)" if index == 0 else f"{what} -> self.{name}"
            assert_close(value, want, label, spec.oracle,
                         floor=fd_floor(want) if spec.finite_differences else FLOOR,
                         likely_bugs={ACCUMULATES.format(name=name): None if earlier is None else earlier[index] + want,
                                      STALE_INPUT: stale[index]})
        for name, old, gradient in zip(spec.params, params, expected[1:]):
            # A finite-difference gradient's noise is absolute: near-zero updated values need its floor.
            assert_close(getattr(layer, name), old - learn_rate * gradient, f"{what} -> new self.{name}",
                         f"old {name} - learn_rate * d_{name}",
                         floor=fd_floor(learn_rate * gradient) if spec.finite_differences else FLOOR,
                         likely_bugs={IGNORES_RATE.format(name=name, rate=rate, learn_rate=learn_rate):
                                      old - rate * gradient for rate in OTHER_TESTS_RATES})
        earlier = expected if earlier is None else [total + want for total, want in zip(earlier, expected)]


def forward_and_backward(module: str) -> list:
    """The parameters of one test that runs the rounds for both exercises of a file: its
    `backward` argument is False for "<module>.forward", True for "<module>.backward"."""
    return [pytest.param(backward, id=part, marks=pytest.mark.exercise(f"{module}.{part}"))
            for backward, part in ((False, "forward"), (True, "backward"))]


def check_rounds(layer: Any, spec: Layer, rng: np.random.Generator, x_shape: tuple[int, ...],
                 backward: bool) -> None:
    """The forward rounds, or (backward=True) the backward rounds with random upstream
    gradients, on inputs of one shape. The inputs have distinct values (no ties, no
    near-ties), so a max pooling has one maximum per window and finite differences apply."""
    inputs = [oracles.distinct_values(rng, x_shape) * 4 for _ in ROUND_RATES]
    if not backward:
        check_forward_rounds(layer, spec, inputs)
        return
    params = [getattr(layer, name) for name in spec.params]
    out_shape = spec.forward(inputs[0], *params).shape
    check_backward_rounds(layer, spec, inputs, [rng.standard_normal(out_shape) for _ in inputs])


# ----------------------------------------------------------------------------- the layers

def seed_conv(num_filters: int, k: int) -> Layer:
    return Layer(f"Conv(num_filters={num_filters}, filter_size={k})", "image", ("filters",),
                 oracles.conv_forward,
                 lambda image, d_out, filters: (oracles.conv_d_image(d_out, filters),
                                                oracles.conv_d_filters(image, d_out)),
                 "scipy.signal.correlate2d per filter, and its closed-form gradients")


def dense(input_len: int, nodes: int) -> Layer:
    return Layer(f"Dense({input_len}, {nodes})", "x", ("weights", "biases"), oracles.dense_forward,
                 lambda x, d_out, weights, biases: ((weights @ d_out).reshape(x.shape),
                                                    np.outer(x.ravel(), d_out), d_out),
                 "x.ravel() @ weights + biases (scipy.sparse), and its closed-form gradients")


def seed_pool(size: int) -> Layer:
    return Layer(f"MaxPool(size={size})", "x", (), lambda x: oracles.pool_forward(x, size),
                 lambda x, d_out: (oracles.pool_backward(x, d_out, size),),
                 "scipy.ndimage.maximum per window; d_x to each window's maximum (distinct values, no ties)")


def conv2d(module: str, c: int, f: int, k: int, stride: int, padding: int) -> Layer:
    def backward(x, d_out, weights, bias):
        return tuple(stacked_weighted_sum_gradient(forward, value, d_out) for forward, value in (
            (lambda v: conv_stacked(v, weights, bias, stride, padding), x),
            (lambda v: conv_stacked(x, v, bias, stride, padding), weights),
            (lambda v: conv_stacked(x, weights, v, stride, padding), bias)))

    return Layer(f"{module}.Conv2D({c}, {f}, {k}, stride={stride}, padding={padding})", "x", ("weights", "bias"),
                 lambda x, weights, bias: conv_oracle(x, weights, bias, stride, padding), backward,
                 "scipy.signal.correlate per channel plus bias; central finite differences of it",
                 finite_differences=True)


def pool2d(k: int, stride: int) -> Layer:
    return Layer(f"MaxPool2D({k}, stride={stride})", "x", (), lambda x: pool_oracle(x, k, stride),
                 lambda x, d_out: (stacked_weighted_sum_gradient(lambda v: pool_oracle(v, k, stride), x, d_out),),
                 "scipy.ndimage.maximum_filter; central finite differences of it (distinct values, no ties)",
                 finite_differences=True)


def check_conv2d_rounds(student: Any, module: str, rng: np.random.Generator, backward: bool) -> None:
    """conv2d.py's and fast_conv.py's Conv2D (one contract) over several calls, with stride and
    padding so that the crop and the stride matter."""
    layer = student.module(module).Conv2D(2, 3, 3, stride=2, padding=1, rng=0)
    check_rounds(layer, conv2d(module, c=2, f=3, k=3, stride=2, padding=1), rng, (2, 2, 5, 6), backward)
