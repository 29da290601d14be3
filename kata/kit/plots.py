"""The training command's pictures: curves, learned filters, feature maps (matplotlib, Agg).

Each function writes one PNG atomically (kata.kit.atomic): an interrupted run never leaves
half an image behind.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window: works on a server and in CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from kata.kit.atomic import atomic_path  # noqa: E402


def _save(figure: plt.Figure, path: Path) -> Path:
    with atomic_path(path) as temp:
        figure.savefig(temp, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path


def _moving_average(values: np.ndarray, width: int) -> np.ndarray:
    width = max(1, min(width, len(values)))
    return np.convolve(values, np.ones(width) / width, mode="valid")


def loss_curve(step_losses: list[float], steps_per_epoch: int, path: Path) -> Path:
    """Per-step training loss (faint) and its moving average over ~1/10 epoch, against epochs."""
    losses = np.asarray(step_losses)
    epochs = np.arange(1, len(losses) + 1) / steps_per_epoch
    width = max(1, steps_per_epoch // 10)
    smooth = _moving_average(losses, width)
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(epochs, losses, color="tab:blue", alpha=0.15, linewidth=0.5, label="each step")
    axes.plot(epochs[len(losses) - len(smooth):], smooth, color="tab:blue", label=f"mean of {width} steps")
    axes.set(xlabel="epoch", ylabel="cross-entropy loss", title="Training loss", yscale="log")
    axes.legend()
    axes.grid(alpha=0.3)
    return _save(figure, path)


def accuracy_curve(train_accuracy: list[float], test_accuracy: list[float], path: Path) -> Path:
    """Training accuracy (while it learned, over each epoch) and test accuracy after each epoch."""
    epochs = np.arange(1, len(test_accuracy) + 1)
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(epochs, 100 * np.asarray(train_accuracy), "o-", label="training (during the epoch)")
    axes.plot(epochs, 100 * np.asarray(test_accuracy), "s-", label="test (after the epoch)")
    axes.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy", xticks=epochs)
    axes.legend()
    axes.grid(alpha=0.3)
    return _save(figure, path)


def _grid(count: int) -> tuple[int, int]:
    columns = math.ceil(math.sqrt(count))
    return math.ceil(count / columns), columns


def filter_grid(filters: np.ndarray, path: Path) -> Path:
    """Each learned (k, k) filter as a tile; one symmetric colour scale, so tiles compare."""
    rows, columns = _grid(len(filters))
    limit = float(np.max(np.abs(filters))) or 1.0
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.6 * rows + 0.4), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.set_axis_off()
        if index < len(filters):
            image = axis.imshow(filters[index], cmap="RdBu_r", vmin=-limit, vmax=limit)
            axis.set_title(f"filter {index}", fontsize=8)
    figure.colorbar(image, ax=axes, shrink=0.8, label="weight")
    figure.suptitle(f"The {len(filters)} learned {filters.shape[1]}x{filters.shape[2]} filters (red +, blue -)")
    return _save(figure, path)


def feature_maps(image: np.ndarray, maps: np.ndarray, title: str, path: Path) -> Path:
    """One input image and what each filter makes of it (the conv layer's output maps)."""
    count = maps.shape[-1]
    rows, columns = _grid(count)
    figure, axes = plt.subplots(rows, columns + 1, figsize=(1.6 * (columns + 1), 1.6 * rows + 0.4), squeeze=False)
    for axis in axes.flat:
        axis.set_axis_off()
    axes[0, 0].imshow(image, cmap="gray")
    axes[0, 0].set_title("input", fontsize=8)
    # One scale centred on 0 for every map, so their strengths compare (white = 0).
    limit = float(np.max(np.abs(maps))) or 1.0
    for index in range(count):
        axis = axes[index // columns, 1 + index % columns]
        shown = axis.imshow(maps[..., index], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axis.set_title(f"map {index}", fontsize=8)
    figure.colorbar(shown, ax=axes, shrink=0.8, label="activation (one scale for all maps)")
    figure.suptitle(title)
    return _save(figure, path)
