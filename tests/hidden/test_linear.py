"""Batched Linear, graded: batches of one, the update, d_x from the forward's weights."""

import numpy as np
import pytest

from kata.judge.checks import assert_close, numerical_gradient


@pytest.mark.exercise("linear.forward")
@pytest.mark.parametrize("n, n_in, n_out", [(1, 7, 2), (6, 3, 4)])
def test_linear_forward_shapes(student, rng, n, n_in, n_out):
    layer = student.module("linear").Linear(n_in, n_out, rng=0)
    weights, bias = rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)
    layer.weights, layer.bias = weights, bias
    x = rng.standard_normal((n, n_in))
    assert_close(layer.forward(x), x @ weights.T + bias, f"Linear({n_in}, {n_out}).forward(x of shape {x.shape})",
                 "x @ weights.T + bias",
                 likely_bugs={"the bias is missing": x @ weights.T})


@pytest.mark.exercise("linear.backward")
@pytest.mark.parametrize("n", [1, 5])
def test_linear_backward_and_update(student, rng, n):
    learn_rate = 0.5
    layer = student.module("linear").Linear(4, 3, rng=0)
    weights, bias = rng.standard_normal((3, 4)), rng.standard_normal(3)
    layer.weights, layer.bias = weights, bias
    x, d_out = rng.standard_normal((n, 4)), rng.standard_normal((n, 3))
    layer.forward(x)
    d_x = layer.backward(d_out, learn_rate)

    def loss(x=x, weights=weights, bias=bias):
        return float(np.sum((x @ weights.T + bias) * d_out))

    num_d_weights = numerical_gradient(lambda v: loss(weights=v), weights)
    num_d_bias = numerical_gradient(lambda v: loss(bias=v), bias)
    updated = weights - learn_rate * num_d_weights
    what = f"Linear(4, 3).backward(d_out of shape ({n}, 3), learn_rate={learn_rate})"
    assert_close(d_x, numerical_gradient(lambda v: loss(x=v), x), f"{what}: d_x", "central finite differences",
                 likely_bugs={"d_x was computed with the updated weights: compute d_x before the update":
                              d_out @ updated})
    assert_close(layer.d_weights, num_d_weights, f"{what}: d_weights", "central finite differences")
    assert_close(layer.d_bias, num_d_bias, f"{what}: d_bias", "central finite differences",
                 likely_bugs={"d_bias is averaged over the batch: sum it (the mean is already in d_out)":
                              d_out.mean(axis=0)})
    assert_close(layer.weights, updated, f"{what}: the weights after the update",
                 "weights - learn_rate * d_weights (finite differences)",
                 likely_bugs={"the update adds the gradient: subtract it (gradient descent)":
                              weights + learn_rate * num_d_weights})
    assert_close(layer.bias, bias - learn_rate * num_d_bias, f"{what}: the bias after the update",
                 "bias - learn_rate * d_bias (finite differences)")
