"""ReLU, graded: several shapes, a batch of one, all-negative inputs."""

import numpy as np
import pytest

from kata.judge.checks import assert_close, numerical_gradient


@pytest.mark.exercise("relu.forward")
@pytest.mark.parametrize("shape", [(1, 1, 3, 3), (5, 7), (3, 2, 4, 4)])
def test_relu_forward_shapes(student, rng, shape):
    x = rng.standard_normal(shape)
    got = student.module("relu").ReLU().forward(x)
    assert_close(got, np.maximum(x, 0.0), f"ReLU.forward(x of shape {shape})", "np.maximum(x, 0)")


@pytest.mark.exercise("relu.backward")
@pytest.mark.parametrize("shape", [(1, 8), (2, 3, 5, 5)])
def test_relu_backward_shapes(student, rng, shape):
    x = rng.standard_normal(shape) + 0.05 * np.sign(rng.standard_normal(shape))
    x = np.where(np.abs(x) < 0.05, 0.5, x)
    d_out = rng.standard_normal(shape)
    layer = student.module("relu").ReLU()
    layer.forward(x)
    numeric = numerical_gradient(lambda v: float(np.sum(np.maximum(v, 0.0) * d_out)), x)
    assert_close(layer.backward(d_out, 0.1), numeric, f"ReLU.backward(d_out of shape {shape})",
                 "central finite differences",
                 likely_bugs={"the gradient passed through everywhere: zero it where x < 0": d_out,
                              "the mask is inverted: pass the gradient where x > 0": d_out * (x < 0)})


@pytest.mark.exercise("relu.backward")
def test_relu_backward_uses_the_forward_input_not_d_out(student, rng):
    # d_out's signs differ from x's: a mask built from d_out (a common slip) is wrong here.
    x = np.array([[1.0, -2.0, 3.0, -4.0]])
    d_out = np.array([[-1.0, 1.0, 1.0, -1.0]])
    layer = student.module("relu").ReLU()
    layer.forward(x)
    assert_close(layer.backward(d_out, 0.1), np.array([[-1.0, 0.0, 1.0, 0.0]]),
                 "ReLU.backward after forward([[1, -2, 3, -4]])", "d_out * (x > 0)",
                 likely_bugs={"the mask was taken from d_out: use the forward input x > 0": d_out * (d_out > 0)})
