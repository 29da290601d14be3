"""The network oracle is itself proven: its gradients against central finite differences."""

import numpy as np

from kata.judge.checks import assert_close, numerical_gradient
from kata.judge import network_oracle as oracle
from kata.judge import oracles


def test_oracle_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    image = rng.standard_normal((7, 8))  # odd height: the pooling drops a row
    params = oracle.Parameters(rng.standard_normal((3, 3, 3)), rng.standard_normal((2 * 3 * 3, 4)),
                               rng.standard_normal(4))
    grads = oracle.gradients(image, 2, params)
    for index, name in enumerate(oracle.Parameters._fields):
        def loss_of(value, index=index):
            return oracle.loss(image, 2, params._replace(**{oracle.Parameters._fields[index]: value}))
        assert_close(grads[index], numerical_gradient(loss_of, params[index]), f"oracle d_{name}",
                     "central finite differences", tol=1e-6)


def test_oracle_pooling_keeps_each_windows_maximum():
    maps = np.arange(5 * 4 * 2, dtype=float).reshape(5, 4, 2) % 7
    pooled = oracles.pool_forward(maps, oracle.POOL)
    expected = np.array([[[maps[2 * i:2 * i + 2, 2 * j:2 * j + 2, c].max() for c in range(2)]
                          for j in range(2)] for i in range(2)])
    assert np.array_equal(pooled, expected)


def test_oracle_logits_of_many_images_are_each_images_logits():
    rng = np.random.default_rng(1)
    images = rng.standard_normal((4, 9, 8))
    params = oracle.Parameters(rng.standard_normal((3, 4, 4)), rng.standard_normal((3 * 2 * 3, 5)),
                               rng.standard_normal(5))
    expected = np.array([oracle.logits(image, params) for image in images])
    assert_close(oracle.logits_of_images(images, params), expected, "logits_of_images", "logits per image")
