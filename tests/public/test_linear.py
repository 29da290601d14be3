"""Batched Linear, against x @ W.T + b and finite differences."""

import numpy as np
import pytest

from kata.judge.checks import assert_close, numerical_gradient


def make_linear(student, rng, n_in, n_out):
    layer = student.module("linear").Linear(n_in, n_out, rng=0)
    weights, bias = rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)
    layer.weights, layer.bias = weights, bias
    return layer, weights, bias


@pytest.mark.exercise("linear.forward")
def test_linear_forward(student, rng):
    layer, weights, bias = make_linear(student, rng, 5, 3)
    x = rng.standard_normal((4, 5))
    assert_close(layer.forward(x), x @ weights.T + bias, "Linear(5, 3).forward(x of shape (4, 5))",
                 "x @ weights.T + bias")


@pytest.mark.exercise("linear.backward")
def test_linear_backward_matches_finite_differences(student, rng):
    layer, weights, bias = make_linear(student, rng, 5, 3)
    x, d_out = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer.forward(x)
    d_x = layer.backward(d_out, 0.0)

    def loss(x=x, weights=weights, bias=bias):
        return float(np.sum((x @ weights.T + bias) * d_out))

    what = "Linear(5, 3).backward(d_out of shape (4, 3))"
    assert_close(d_x, numerical_gradient(lambda v: loss(x=v), x), f"{what}: d_x", "central finite differences")
    assert_close(layer.d_weights, numerical_gradient(lambda v: loss(weights=v), weights), f"{what}: d_weights",
                 "central finite differences")
    assert_close(layer.d_bias, numerical_gradient(lambda v: loss(bias=v), bias), f"{what}: d_bias",
                 "central finite differences",
                 likely_bugs={"d_bias is averaged over the batch: sum it (the mean is already in d_out)":
                              d_out.mean(axis=0)})
