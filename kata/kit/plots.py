"""The training command's pictures (matplotlib, Agg): the curves, the filters before and after
training, the feature maps of one image, the confusion matrix and the misclassified digits.

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


def filter_grid(learned: np.ndarray, initial: np.ndarray, path: Path) -> Path:
    """Each (k, k) filter as a tile, before training (left) and after (right), all on one
    symmetric colour scale with its colorbar: what training changed, and which filters grew
    strong (dark) or stayed weak (pale)."""
    count = len(learned)
    rows, columns = _grid(count)
    limit = float(max(np.max(np.abs(learned)), np.max(np.abs(initial)))) or 1.0
    figure, axes = plt.subplots(rows, 2 * columns + 1, figsize=(1.3 * (2 * columns + 1), 1.4 * rows + 0.8),
                                squeeze=False, gridspec_kw={"width_ratios": [1] * columns + [0.3] + [1] * columns})
    for axis in axes.flat:
        axis.set_axis_off()
    for side, (filters, label) in enumerate(((initial, "before"), (learned, "after"))):
        for index in range(count):
            axis = axes[index // columns, side * (columns + 1) + index % columns]
            image = axis.imshow(filters[index], cmap="RdBu_r", vmin=-limit, vmax=limit)
            axis.set_title(f"{index} {label}", fontsize=8)
    figure.colorbar(image, ax=axes, shrink=0.8, label="weight (one scale for all)")
    figure.suptitle(f"The {count} {learned.shape[1]}x{learned.shape[2]} filters before (left) and after training "
                    f"(right): red +, blue -, white 0")
    return _save(figure, path)


def confusion_matrix(counts: np.ndarray, path: Path) -> Path:
    """counts[t, p]: how many test images of digit t were predicted p. The right answers (the
    diagonal) are blue; the errors red, shaded by their share of the true digit's images on
    a scale of their own, so that even a rare confusion stands out."""
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    classes = len(counts)
    diagonal = np.eye(classes, dtype=bool)
    figure, axes = plt.subplots(figsize=(6.5, 5.5))
    axes.imshow(np.ma.masked_where(~diagonal, shares), cmap="Blues", vmin=0, vmax=1)
    worst = float(np.max(shares[~diagonal])) or 1.0
    errors = axes.imshow(np.ma.masked_where(diagonal | (counts == 0), shares), cmap="Reds", vmin=0, vmax=worst)
    for (true, predicted), count in np.ndenumerate(counts):
        if count:  # an empty cell stays blank: the errors are the few numbers off the diagonal
            dark = shares[true, predicted] > (0.5 if true == predicted else worst / 2)
            axes.text(predicted, true, str(count), ha="center", va="center", fontsize=8,
                      color="white" if dark else "black")
    axes.set(xticks=range(classes), yticks=range(classes), xlabel="predicted digit", ylabel="true digit",
             title=f"Confusion matrix: {counts.sum()} test images, {np.trace(counts) / max(counts.sum(), 1):.1%} right")
    figure.colorbar(errors, ax=axes, label="errors: share of the true digit's images")
    return _save(figure, path)


def mistakes(images: np.ndarray, true: np.ndarray, predicted: np.ndarray, confidence: np.ndarray,
             wrong: int, tested: int, path: Path) -> Path:
    """The misclassified test images (the first ones, up to a grid's worth), each titled with
    its true label, what the network said and the probability it gave that answer."""
    count = len(images)
    rows, columns = (1, 1) if count == 0 else (math.ceil(count / 8), min(count, 8))
    figure, axes = plt.subplots(rows, columns, figsize=(1.3 * columns + 0.4, 1.5 * rows + 0.7), squeeze=False)
    for axis in axes.flat:
        axis.set_axis_off()
    for axis, image, label, said, probability in zip(axes.flat, images, true, predicted, confidence):
        axis.imshow(image, cmap="gray")
        axis.set_title(f"true {label}\nsaid {said} ({probability:.0%})", fontsize=8)
    if count == 0:
        axes[0, 0].text(0.5, 0.5, "none", ha="center", va="center", fontsize=14)
    which = "all shown" if count == wrong else f"the first {count} shown"
    figure.suptitle(f"{wrong} of {tested} test images misclassified ({which}): the true label, "
                    "what the network said and the probability it gave" if wrong
                    else f"None of the {tested} test images is misclassified", fontsize=10)
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
