"""A fully connected (dense) layer: every input feeds every output.

    logits = x_flat @ weights + biases

Backward, for an upstream gradient d_out = dL/dlogits of shape (nodes,):

    d_weights = outer(x_flat, d_out)      (input_len, nodes)
    d_biases  = d_out                     (nodes,)
    d_x       = weights @ d_out           (input_len,), reshaped to x's shape

d_x must use the weights that produced the output, so compute it before the update.
"""

from __future__ import annotations

import numpy as np


class Dense:
    """Fully connected layer.

    Attributes:
        weights: shape (input_len, nodes), drawn from a normal distribution / input_len.
        biases: shape (nodes,), zeros.
        d_weights, d_biases: the gradients from the last backward, same shapes.
    """

    def __init__(self, input_len: int, nodes: int, rng: int | np.random.Generator | None = None):
        rng = np.random.default_rng(rng)
        self.weights = rng.standard_normal((input_len, nodes)) / input_len
        self.biases = np.zeros(nodes)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Flatten x and apply the affine map.

        Args:
            x: any shape whose size is input_len (e.g. the pooled (H, W, C) maps).

        Returns:
            logits: shape (nodes,).
        """
        # TODO 1. Remember x's shape and a flat copy of x: backward needs both.
        # TODO 2. Return flat_x @ weights + biases.
        # BEGIN SOLUTION
        self.last_input_shape = x.shape
        self.last_input = x.reshape(-1).copy()
        return self.last_input @ self.weights + self.biases
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Gradients of the loss, then one SGD step on weights and biases.

        Args:
            d_out: shape (nodes,), dL/dlogits.
            learn_rate: the SGD step size.

        Returns:
            d_x: dL/dx in x's original shape, computed with the weights used in forward.
        Sets self.d_weights (input_len, nodes) and self.d_biases (nodes,), then
        weights -= learn_rate * d_weights and biases -= learn_rate * d_biases.
        """
        # TODO 1. d_weights = outer product of the flat input and d_out.
        # TODO 2. d_biases = d_out.
        # TODO 3. d_x = weights @ d_out, BEFORE the weights change.
        # TODO 4. Update weights and biases (subtract: gradient descent).
        # TODO 5. Return d_x reshaped to the input's shape.
        # BEGIN SOLUTION
        self.d_weights = np.outer(self.last_input, d_out)
        self.d_biases = d_out.copy()
        d_x = self.weights @ d_out
        self.weights = self.weights - learn_rate * self.d_weights
        self.biases = self.biases - learn_rate * self.d_biases
        return d_x.reshape(self.last_input_shape)
        # END SOLUTION
