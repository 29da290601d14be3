"""The offline data loaders, on small MNIST-format files the tests write themselves."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from kata.kit.data import MNIST_FILES, DataError, load_digits, load_mnist


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes, as the MNIST distribution has them."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def small_mnist(rng: np.random.Generator, train: int = 12, test: int = 5):
    return {
        "train_images": rng.integers(0, 256, (train, 28, 28)), "train_labels": rng.integers(0, 10, train),
        "test_images": rng.integers(0, 256, (test, 28, 28)), "test_labels": rng.integers(0, 10, test),
    }


def write_idx(folder: Path, arrays: dict, gzipped: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for role, name in MNIST_FILES.items():
        data = idx_bytes(arrays[role])
        if gzipped:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return folder


def write_npz(path: Path, arrays: dict) -> Path:
    np.savez(path, x_train=arrays["train_images"].astype(np.uint8), y_train=arrays["train_labels"].astype(np.uint8),
             x_test=arrays["test_images"].astype(np.uint8), y_test=arrays["test_labels"].astype(np.uint8))
    return path


def assert_same(dataset, arrays):
    assert dataset.train_images.shape == (12, 28, 28) and dataset.test_images.shape == (5, 28, 28)
    np.testing.assert_array_equal(dataset.train_images, arrays["train_images"] / 255.0 - 0.5)
    np.testing.assert_array_equal(dataset.test_images, arrays["test_images"] / 255.0 - 0.5)
    np.testing.assert_array_equal(dataset.train_labels, arrays["train_labels"])
    np.testing.assert_array_equal(dataset.test_labels, arrays["test_labels"])
    assert dataset.train_labels.dtype == np.int64 and dataset.name == "mnist"


@pytest.mark.parametrize("gzipped", [False, True], ids=["raw", "gz"])
def test_idx_files_load_and_scale(tmp_path, gzipped):
    arrays = small_mnist(np.random.default_rng(0))
    assert_same(load_mnist(write_idx(tmp_path / "mnist", arrays, gzipped)), arrays)


def test_npz_loads_as_a_file_or_from_its_folder(tmp_path):
    arrays = small_mnist(np.random.default_rng(1))
    path = write_npz(tmp_path / "mnist.npz", arrays)
    assert_same(load_mnist(path), arrays)
    assert_same(load_mnist(tmp_path), arrays)


def corrupt(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


@pytest.mark.parametrize("damage, message", [
    # labels where the images should be: the magic number says so
    (lambda f, a: corrupt(f, MNIST_FILES["train_images"], idx_bytes(a["train_labels"])),
     "train-images-idx3-ubyte: magic number 2049 (0x00000801), expected 2051 (0x00000803)"),
    (lambda f, a: corrupt(f, MNIST_FILES["test_labels"], idx_bytes(a["test_labels"])[:-2]),
     "t10k-labels-idx1-ubyte: the header promises 5 values (5) but the file holds 3"),
    (lambda f, a: corrupt(f, MNIST_FILES["train_labels"], idx_bytes(a["train_labels"][:11])),
     "train-images-idx3-ubyte + train-labels-idx1-ubyte: 12 images but 11 labels"),
    (lambda f, a: corrupt(f, MNIST_FILES["test_labels"], idx_bytes(np.array([1, 2, 12, 3, 4]))),
     "label 12 at index 2 is outside 0..9"),
    (lambda f, a: (f / MNIST_FILES["test_images"]).unlink(),
     "no t10k-images-idx3-ubyte (or t10k-images-idx3-ubyte.gz)"),
    (lambda f, a: corrupt(f, MNIST_FILES["train_labels"], b"\x00\x00"),
     "train-labels-idx1-ubyte: 2 bytes, too short for an IDX file"),
], ids=["wrong-magic", "truncated", "count-mismatch", "label-range", "missing", "tiny"])
def test_bad_idx_files_say_exactly_what_is_wrong(tmp_path, damage, message):
    arrays = small_mnist(np.random.default_rng(2))
    folder = write_idx(tmp_path / "mnist", arrays, gzipped=False)
    damage(folder, arrays)
    with pytest.raises(DataError) as error:
        load_mnist(folder)
    assert message in str(error.value)


def test_bad_gzip_and_bad_npz(tmp_path):
    arrays = small_mnist(np.random.default_rng(3))
    folder = write_idx(tmp_path / "gz", arrays, gzipped=True)
    (folder / (MNIST_FILES["train_images"] + ".gz")).write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz: cannot be read"):
        load_mnist(folder)
    (tmp_path / "broken.npz").write_bytes(b"PK garbage")
    with pytest.raises(DataError, match="broken.npz: not a readable .npz archive"):
        load_mnist(tmp_path / "broken.npz")
    np.savez(tmp_path / "partial.npz", x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DataError, match="no array named y_train, x_test, y_test"):
        load_mnist(tmp_path / "partial.npz")
    with pytest.raises(DataError, match="no such file or folder"):
        load_mnist(tmp_path / "nowhere")


def test_digits_split_is_fixed_by_its_seed_and_scaled():
    first, again, other = load_digits(seed=0), load_digits(seed=0), load_digits(seed=1)
    np.testing.assert_array_equal(first.test_labels, again.test_labels)
    assert not np.array_equal(first.test_labels, other.test_labels)
    assert len(first.train_labels) + len(first.test_labels) == 1797 and len(first.test_labels) == 300
    assert first.train_images.min() == -0.5 and first.train_images.max() == 0.5
