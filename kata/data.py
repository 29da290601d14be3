"""Data sets for training, all offline: nothing is ever downloaded.

The default is scikit-learn's bundled handwritten digits: 1,797 real 8x8 grayscale images
of 0-9, shipped inside the package. Pixels are 0..16; they are scaled to [-0.5, 0.5]
(x / 16 - 0.5), the centring the classic from-scratch CNN uses for MNIST (x / 255 - 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    train_images: np.ndarray  # (N, H, W) float64 in [-0.5, 0.5]
    train_labels: np.ndarray  # (N,) int64 in [0, 10)
    test_images: np.ndarray  # (M, H, W)
    test_labels: np.ndarray  # (M,)
    name: str


def load_digits(seed: int = 0, test_fraction: float = 1 / 6) -> Dataset:
    """scikit-learn's 1,797 digits, shuffled with `seed` and split train/test (~1,500/~300)."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = bunch.images.astype(np.float64) / 16.0 - 0.5
    labels = bunch.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(round(len(labels) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return Dataset(images[train], labels[train], images[test], labels[test], "digits")
