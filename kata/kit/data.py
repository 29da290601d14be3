"""Data sets for training, all offline: nothing is ever downloaded.

The default is scikit-learn's bundled handwritten digits: 1,797 real 8x8 grayscale images
of 0-9, shipped inside the package. Pixels are 0..16; they are scaled to [-0.5, 0.5]
(x / 16 - 0.5), the centring the classic from-scratch CNN uses for MNIST (x / 255 - 0.5).

MNIST (70,000 28x28 images) is read from a path the user gives, never fetched: the four
original IDX files (gzipped or not) or Keras' mnist.npz. Pixels 0..255 become x / 255 - 0.5.
Every file is validated (magic number, sizes, counts, label range) and a bad one raises
DataError naming the file and the problem.
"""

from __future__ import annotations

import functools
import gzip
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Dataset:
    train_images: np.ndarray  # (N, H, W) float64 in [-0.5, 0.5]
    train_labels: np.ndarray  # (N,) int64 in [0, 10)
    test_images: np.ndarray  # (M, H, W)
    test_labels: np.ndarray  # (M,)
    name: str


@functools.cache
def _bundled_digits() -> tuple[np.ndarray, np.ndarray]:
    """The scaled images and labels, read once per process (a grading run splits them three
    times); read-only, since every split hands out copies."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = bunch.images.astype(np.float64) / 16.0 - 0.5
    labels = bunch.target.astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def load_digits(seed: int = 0, test_fraction: float = 1 / 6) -> Dataset:
    """scikit-learn's 1,797 digits, shuffled with `seed` and split train/test (~1,500/~300)."""
    images, labels = _bundled_digits()
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(round(len(labels) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return Dataset(images[train], labels[train], images[test], labels[test], "digits")


# ------------------------------------------------------------------------------ MNIST

MNIST_FILES = {  # role -> the original file name, without .gz
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_UBYTE = 0x08  # the IDX data-type code of unsigned bytes, the only one MNIST uses
NUM_CLASSES = 10


class DataError(Exception):
    """A data set that is missing or malformed; the message says which file and what is wrong."""


def _read_bytes(path: Path) -> bytes:
    try:
        with (gzip.open(path) if path.suffix == ".gz" else open(path, "rb")) as file:
            return file.read()
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise DataError(f"{path}: cannot be read ({error})") from None


def read_idx(path: Path, dimensions: int) -> np.ndarray:
    """An IDX file of unsigned bytes (gzipped or not) as a uint8 array of `dimensions` axes.

    The format: two zero bytes, the type code 0x08, the number of dimensions, then each size
    as a big-endian uint32, then the values row-major. A labels file has 1 dimension, an
    images file 3 (count, rows, columns).
    """
    data = _read_bytes(path)
    expected_magic = IDX_UBYTE << 8 | dimensions  # 2049 for labels, 2051 for images
    if len(data) < 4:
        raise DataError(f"{path}: {len(data)} bytes, too short for an IDX file")
    magic = int.from_bytes(data[:4], "big")
    if magic != expected_magic:
        raise DataError(
            f"{path}: magic number {magic} (0x{magic:08x}), expected {expected_magic} (0x{expected_magic:08x}): "
            f"not an IDX file of unsigned bytes with {dimensions} dimension(s)"
        )
    header = 4 + 4 * dimensions
    if len(data) < header:
        raise DataError(f"{path}: {len(data)} bytes, the header alone needs {header}")
    shape = tuple(int.from_bytes(data[4 + 4 * n:8 + 4 * n], "big") for n in range(dimensions))
    size = int(np.prod(shape))
    if len(data) - header != size:
        raise DataError(
            f"{path}: the header promises {size} values ({' x '.join(map(str, shape))}) but the file "
            f"holds {len(data) - header} after its {header}-byte header (truncated or not MNIST?)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _find(folder: Path, name: str) -> Path:
    for candidate in (name, name + ".gz", name.replace("-idx", ".idx"), name.replace("-idx", ".idx") + ".gz"):
        if (folder / candidate).is_file():
            return folder / candidate
    raise DataError(f"{folder}: no {name} (or {name}.gz): expected the four original MNIST files or mnist.npz")


def _kind(head: bytes) -> str:
    """What a file is, from its first bytes (names lie: a failed download saved as mnist.npz)."""
    if head.startswith(b"PK\x03\x04"):
        return "npz"
    if head.startswith(b"\x1f\x8b"):
        return "a gzip file (a gzipped IDX file belongs in a folder with the other three, under its original name)"
    if head[:3] == b"\x00\x00\x08" and head[3:4] in (b"\x01", b"\x03"):
        return "an IDX file (give the folder that holds all four IDX files, not one of them)"
    if head.startswith(b"\x93NUMPY"):
        return "a single .npy array (expected an .npz archive with x_train, y_train, x_test, y_test)"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown binary content"
    if "<html" in text.lower() or "<!doctype" in text.lower():
        return "an HTML page, not data (a download that went wrong?)"
    return "a text file" if text.strip() else "an empty file"


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with open(path, "rb") as file:
            kind = _kind(file.read(512))
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error})") from None
    if kind != "npz":
        raise DataError(f"{path}: not a readable .npz archive: it is {kind}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in NPZ_KEYS if key not in archive.files]
            if missing:
                raise DataError(f"{path}: no array named {', '.join(missing)} (it has: {', '.join(archive.files)})")
            return {key: archive[key] for key in NPZ_KEYS}
    except DataError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path}: not a readable .npz archive ({error})") from None


def _check_split(images: np.ndarray, labels: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Shapes, count agreement, pixel and label ranges; returns (scaled images, int64 labels)."""
    if images.ndim != 3:
        raise DataError(f"{what}: images of shape {images.shape}, expected (count, rows, columns)")
    if labels.ndim != 1:
        raise DataError(f"{what}: labels of shape {labels.shape}, expected (count,)")
    if len(images) != len(labels):
        raise DataError(f"{what}: {len(images)} images but {len(labels)} labels")
    if len(images) == 0:
        raise DataError(f"{what}: no images")
    if images.dtype != np.uint8 and (images.dtype.kind not in "iuf" or images.min() < 0 or images.max() > 255):
        raise DataError(f"{what}: pixels must be 0..255 (uint8); got dtype {images.dtype}")
    if labels.dtype.kind not in "iu":
        raise DataError(f"{what}: labels of dtype {labels.dtype}, expected integers")
    outside = np.flatnonzero((labels < 0) | (labels >= NUM_CLASSES))
    if outside.size:
        raise DataError(f"{what}: label {labels[outside[0]]} at index {outside[0]} is outside 0..{NUM_CLASSES - 1}")
    return images.astype(np.float64) / 255.0 - 0.5, labels.astype(np.int64)


def load_mnist(path: str | Path) -> Dataset:
    """MNIST from a local path: nothing is downloaded.

    Args:
        path: a folder holding the four original IDX files (train-images-idx3-ubyte,
            train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each
            optionally .gz), or a folder holding mnist.npz, or the .npz file itself (Keras'
            layout: x_train, y_train, x_test, y_test).

    Returns:
        The 60,000/10,000 split as published, pixels 0..255 scaled to x / 255 - 0.5.

    Raises:
        DataError: with the file and what is wrong (missing, bad magic number, truncated,
            image and label counts that differ, labels outside 0..9).
    """
    path = Path(path)
    if path.is_dir() and (path / "mnist.npz").is_file() and not any(
            (path / name).exists() or (path / f"{name}.gz").exists() for name in MNIST_FILES.values()):
        path = path / "mnist.npz"
    if path.is_file():
        arrays = _read_npz(path)
        train = _check_split(arrays["x_train"], arrays["y_train"], f"{path} (x_train, y_train)")
        test = _check_split(arrays["x_test"], arrays["y_test"], f"{path} (x_test, y_test)")
    elif path.is_dir():
        files = {role: _find(path, name) for role, name in MNIST_FILES.items()}
        arrays = {role: read_idx(file, 3 if role.endswith("images") else 1) for role, file in files.items()}
        train = _check_split(arrays["train_images"], arrays["train_labels"],
                             f"{files['train_images'].name} + {files['train_labels'].name}")
        test = _check_split(arrays["test_images"], arrays["test_labels"],
                            f"{files['test_images'].name} + {files['test_labels'].name}")
    else:
        raise DataError(f"{path}: no such file or folder (give the folder of the MNIST files or mnist.npz)")
    if train[0].shape[1:] != test[0].shape[1:]:
        raise DataError(f"{path}: training images are {train[0].shape[1:]} but test images {test[0].shape[1:]}")
    return Dataset(train[0], train[1], test[0], test[1], "mnist")
