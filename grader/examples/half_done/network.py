"""The whole network: your layers, stacked, learning together.

    image (H, W)
      -> Conv(num_filters, k)   (H - k + 1, W - k + 1, F)
      -> MaxPool(2)             ((H - k + 1) // 2, (W - k + 1) // 2, F)
      -> Dense(-> num_classes)  (num_classes,)   the logits
      -> softmax                (num_classes,)   the class probabilities

For the default 28x28 MNIST image, 16 filters of 3x3: 28x28 -> 26x26x16 -> 13x13x16 -> 10.

One training step on one image (stochastic gradient descent) runs the layers forward, the
cross-entropy loss, then every layer's backward in reverse order: each backward takes the
gradient of the loss with respect to its output and returns it with respect to its input,
and updates its own parameters on the way.
"""

from __future__ import annotations

import numpy as np

from conv import Conv
from dense import Dense
from maxpool import MaxPool
from softmax import cross_entropy, softmax


class CNN:
    """Conv -> MaxPool(2) -> Dense -> softmax, for one (H, W) grayscale image at a time.

    Attributes:
        conv, pool, dense: the layers (your classes from conv.py, maxpool.py, dense.py).
        filters, weights, biases: shortcuts to conv.filters, dense.weights and dense.biases
            (read and write); the tests reach the parameters through them.
    """

    def __init__(self, image_shape: tuple[int, int] = (28, 28), num_filters: int = 16,
                 filter_size: int = 3, num_classes: int = 10,
                 rng: int | np.random.Generator | None = None):
        # One generator for both layers: the same seed gives the same network.
        rng = np.random.default_rng(rng)
        pooled_h = (image_shape[0] - filter_size + 1) // 2
        pooled_w = (image_shape[1] - filter_size + 1) // 2
        self.conv = Conv(num_filters, filter_size, rng)
        self.pool = MaxPool(2)
        self.dense = Dense(pooled_h * pooled_w * num_filters, num_classes, rng)

    @property
    def filters(self) -> np.ndarray:
        return self.conv.filters

    @filters.setter
    def filters(self, value: np.ndarray) -> None:
        self.conv.filters = value

    @property
    def weights(self) -> np.ndarray:
        return self.dense.weights

    @weights.setter
    def weights(self, value: np.ndarray) -> None:
        self.dense.weights = value

    @property
    def biases(self) -> np.ndarray:
        return self.dense.biases

    @biases.setter
    def biases(self, value: np.ndarray) -> None:
        self.dense.biases = value

    def logits(self, image: np.ndarray) -> np.ndarray:
        """The raw class scores: the image through conv, pool and dense.

        Args:
            image: shape (H, W), the image_shape given to the constructor.

        Returns:
            logits: shape (num_classes,).
        """
        # TODO 1. Pass the image through self.conv, then self.pool, then self.dense
        #         (each layer's forward; each remembers what its backward needs).
        # BEGIN SOLUTION
        return self.dense.forward(self.pool.forward(self.conv.forward(image)))
        # END SOLUTION

    def forward(self, image: np.ndarray) -> np.ndarray:
        """Class probabilities for one image.

        Args:
            image: shape (H, W).

        Returns:
            probabilities: shape (num_classes,), summing to 1.
        """
        # TODO 1. softmax of the logits.
        # BEGIN SOLUTION
        return softmax(self.logits(image))
        # END SOLUTION

    def train_step(self, image: np.ndarray, label: int, learn_rate: float) -> tuple[float, bool]:
        """One step of stochastic gradient descent on one labelled image.

        Args:
            image: shape (H, W).
            label: the correct class, an int in [0, num_classes).
            learn_rate: the SGD step size every layer's backward uses.

        Returns:
            (loss, correct): the cross-entropy loss of this image BEFORE the update, and
            whether the network's most probable class (argmax of the logits) was the label.
        """
        # TODO 1. Forward: the logits of the image.
        # TODO 2. loss and d_logits from cross_entropy(logits, label);
        #         correct = the argmax of the logits is the label.
        # TODO 3. Backward in reverse order, each layer's output gradient feeding the next:
        #         dense.backward(d_logits) -> pool.backward(...) -> conv.backward(...),
        #         all with learn_rate (each layer updates its own parameters).
        # TODO 4. Return (loss, correct).
        # BEGIN SOLUTION
        logits = self.logits(image)
        loss, d_logits = cross_entropy(logits, label)
        correct = bool(np.argmax(logits) == label)
        d_pooled = self.dense.backward(d_logits, learn_rate)
        d_maps = self.pool.backward(d_pooled, learn_rate)
        self.conv.backward(d_maps, learn_rate)
        return loss, correct
        # END SOLUTION

    def predict(self, images: np.ndarray) -> np.ndarray:
        """The most probable class of each image.

        Args:
            images: shape (N, H, W).

        Returns:
            labels: shape (N,), integers in [0, num_classes).
        """
        # TODO 1. For each image, the argmax of its logits (the same as of its probabilities).
        # TODO 2. Return them as one integer array.
        # BEGIN SOLUTION
        return np.array([np.argmax(self.logits(image)) for image in images], dtype=np.int64)
        # END SOLUTION
