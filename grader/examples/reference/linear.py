"""A batched fully connected layer, laid out like PyTorch's nn.Linear:

    out = x @ weights.T + bias        x: (N, in_features), out: (N, out_features)

with weights of shape (out_features, in_features) and bias (out_features,).

Backward, for d_out = dL/dout of shape (N, out_features): every example of the batch adds
its own contribution, so the parameter gradients are SUMS over the batch

    d_weights = d_out.T @ x           (out_features, in_features)
    d_bias    = d_out.sum(axis=0)     (out_features,)
    d_x       = d_out @ weights       (N, in_features)

(a mean loss already divides d_out by N, so summing here is right). d_x must use the
weights that produced the output: compute it before the update.
"""

from __future__ import annotations

import numpy as np


class Linear:
    """y = x @ weights.T + bias, for a batch of N rows.

    Attributes:
        weights: shape (out_features, in_features), He-initialised:
            normal * sqrt(2 / in_features).
        bias: shape (out_features,), zeros.
        d_weights, d_bias: the gradients from the last backward, same shapes.
    """

    def __init__(self, in_features: int, out_features: int,
                 rng: int | np.random.Generator | None = None):
        rng = np.random.default_rng(rng)
        self.in_features = in_features
        self.out_features = out_features
        self.weights = rng.standard_normal((out_features, in_features)) * np.sqrt(2.0 / in_features)
        self.bias = np.zeros(out_features)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The affine map, one row per example.

        Args:
            x: shape (N, in_features).

        Returns:
            shape (N, out_features): x @ weights.T + bias.
        """
        # TODO 1. Remember x: backward needs it for d_weights.
        # TODO 2. Return x @ weights.T + bias (the bias broadcasts over the N rows).
        # BEGIN SOLUTION
        self.last_input = x.copy()
        return x @ self.weights.T + self.bias
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Gradients summed over the batch, then one SGD step.

        Args:
            d_out: shape (N, out_features), dL/d(output).
            learn_rate: the SGD step size.

        Returns:
            d_x: shape (N, in_features), computed with the weights used in forward.
        Sets self.d_weights and self.d_bias, then weights -= learn_rate * d_weights and
        bias -= learn_rate * d_bias.
        """
        # TODO 1. d_weights = d_out.T @ x (the matrix product sums over the batch).
        # TODO 2. d_bias = d_out summed over the batch (axis 0).
        # TODO 3. d_x = d_out @ weights, BEFORE the weights change.
        # TODO 4. Update weights and bias (subtract: gradient descent), return d_x.
        # BEGIN SOLUTION
        self.d_weights = d_out.T @ self.last_input
        self.d_bias = d_out.sum(axis=0)
        d_x = d_out @ self.weights
        self.weights = self.weights - learn_rate * self.d_weights
        self.bias = self.bias - learn_rate * self.d_bias
        return d_x
        # END SOLUTION
