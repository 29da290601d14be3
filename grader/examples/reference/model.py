"""A small batched CNN built from the advanced layers, trained with minibatch SGD.

Sequential chains layers that share one interface, forward(x) and
backward(d_out, learn_rate) -> d_x: forward runs them in order, backward in reverse, each
layer's d_x being the d_out of the layer before it.

DigitsClassifier is the network for 8x8 digits (N, 1, 8, 8):

    Conv2D(1 -> 16, 3x3, padding 1)  (N, 16, 8, 8)
    ReLU
    MaxPool2D(2)                     (N, 16, 4, 4)
    Flatten                          (N, 256)
    Linear(256 -> 10)                (N, 10) logits

trained by minibatch SGD on softmax_cross_entropy: each epoch shuffles the training set,
then for every batch of batch_size examples runs forward, the loss and its gradient, and
backward (which updates every layer's parameters).
"""

from __future__ import annotations

import numpy as np

from conv2d import Conv2D
from linear import Linear
from loss import softmax_cross_entropy
from pool2d import MaxPool2D
from relu import ReLU


class Flatten:
    """(N, ...) -> (N, D): the bridge from feature maps to a Linear layer."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        return d_out.reshape(self.input_shape)


class Sequential:
    """Layers applied in order; backward in reverse order."""

    def __init__(self, layers: list):
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x through every layer, first to last; returns the last layer's output."""
        # TODO 1. Feed each layer's output to the next one.
        # BEGIN SOLUTION
        for layer in self.layers:
            x = layer.forward(x)
        return x
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """d_out through every layer, last to first (each one updates its parameters)."""
        # TODO 1. Go through the layers in REVERSE order: each layer's returned d_x is the
        #         d_out of the layer before it. Return the first layer's d_x.
        # BEGIN SOLUTION
        for layer in reversed(self.layers):
            d_out = layer.backward(d_out, learn_rate)
        return d_out
        # END SOLUTION


class DigitsClassifier:
    """Conv -> ReLU -> MaxPool -> Flatten -> Linear on (N, 8, 8) digit images."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.network = Sequential([
            Conv2D(1, 16, 3, padding=1, rng=self.rng),
            ReLU(),
            MaxPool2D(2),
            Flatten(),
            Linear(16 * 4 * 4, 10, rng=self.rng),
        ])

    def logits(self, images: np.ndarray) -> np.ndarray:
        """images (N, 8, 8) -> class scores (N, 10)."""
        return self.network.forward(images[:, None, :, :])

    def predict(self, images: np.ndarray) -> np.ndarray:
        """images (N, 8, 8) -> predicted labels (N,), integers in [0, 10)."""
        return self.logits(images).argmax(axis=1)

    def fit(self, images: np.ndarray, labels: np.ndarray, epochs: int = 8,
            batch_size: int = 32, learn_rate: float = 0.5) -> list[float]:
        """Minibatch SGD on the mean softmax cross-entropy.

        Args:
            images: shape (N, 8, 8); labels: shape (N,), integers in [0, 10).
            epochs: passes over the training set; batch_size: examples per step;
            learn_rate: the SGD step size.

        Returns:
            the mean training loss of each epoch (a list of `epochs` floats).
        """
        # TODO 1. For each epoch, shuffle the example order (self.rng.permutation).
        # TODO 2. For each batch of batch_size indices: logits of those images, then
        #         loss, d_logits = softmax_cross_entropy(logits, their labels).
        # TODO 3. self.network.backward(d_logits, learn_rate): every layer takes its step.
        # TODO 4. Record each epoch's mean batch loss; return the list.
        # BEGIN SOLUTION
        history = []
        for _ in range(epochs):
            order = self.rng.permutation(len(labels))
            losses = []
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                loss, d_logits = softmax_cross_entropy(self.logits(images[batch]), labels[batch])
                self.network.backward(d_logits, learn_rate)
                losses.append(loss)
            history.append(float(np.mean(losses)))
        return history
        # END SOLUTION
