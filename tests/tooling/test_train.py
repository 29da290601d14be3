"""The training command, end to end as a student runs it, kept quick with --limit: typed once
in a new interpreter, otherwise forked from the warm process of conftest.py (the same command,
without starting Python and importing NumPy, scikit-learn and matplotlib each time)."""

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from kata.kit.train import main

ROOT = Path(__file__).resolve().parent.parent.parent
PLOTS = ("loss.png", "accuracy.png", "filters.png", "feature_maps.png", "confusion.png", "mistakes.png")


def test_reference_trains_writes_plots_and_repeats_itself(tmp_path, forked):
    names = ("first", "again")
    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: both runs at once
        done = pool.map(lambda name: forked("kata.kit.train", "--impl", "solutions", "--limit", "80", "--epochs", "1",
                                            "--seed", "3", "--out", str(tmp_path / name)), names)
    runs = []
    for name, run in zip(names, done):
        assert run.returncode == 0, run.stderr
        assert "epoch 1/1" in run.stdout and "test accuracy" in run.stdout
        for plot in PLOTS:
            assert (tmp_path / name / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", plot
        summary = json.loads((tmp_path / name / "training.json").read_text())
        assert summary["train_images"] == 80 and len(summary["test_accuracy"]) == 1
        counts = np.array(summary["confusion"])
        assert counts.shape == (10, 10) and counts.sum() == summary["test_images"] == 80
        assert np.trace(counts) / 80 == pytest.approx(summary["test_accuracy"][-1])
        assert len(summary["misclassified"]) == 80 - np.trace(counts)
        runs.append({key: summary[key] for key in ("loss", "train_accuracy", "test_accuracy")})
    assert runs[0] == runs[1], "the same --seed must give the same run"
    assert not list((tmp_path / "first").glob("*.tmp")), "a temporary file was left behind"


def test_stubs_name_the_first_exercise_to_finish():
    run = subprocess.run([sys.executable, "-m", "kata.kit.train", "--impl", "exercises", "--limit", "10"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "softmax.softmax (Softmax, stable for large logits) is not written yet" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_the_first_unfinished_exercise_in_teaching_order_is_named(tmp_path, forked):
    impl = shutil.copytree(ROOT / "solutions", tmp_path / "impl")
    shutil.copy(ROOT / "exercises" / "maxpool.py", impl / "maxpool.py")  # the stub
    shutil.copy(ROOT / "exercises" / "network.py", impl / "network.py")
    run = forked("kata.kit.train", "--impl", str(impl), "--limit", "10")
    assert run.returncode == 1 and "maxpool.forward (2x2 max pooling, forward) is not written yet" in run.stderr


def test_an_error_in_the_network_shows_only_the_students_frames(tmp_path, forked):
    impl = shutil.copytree(ROOT / "solutions", tmp_path / "impl")
    network = impl / "network.py"
    network.write_text(network.read_text().replace("        logits = self.logits(image)\n",
                                                   "        logits = self.logits(image.ravel())\n"))
    run = forked("kata.kit.train", "--impl", str(impl), "--limit", "10", "--out", str(tmp_path / "out"))
    assert run.returncode == 1 and "your network raised" in run.stderr
    assert str(network) in run.stderr and "kata/kit/train.py" not in run.stderr


def run_in_process(capsys, *args: str) -> tuple[int, str]:
    """main() here: these runs stop before any implementation is loaded, so nothing leaks."""
    try:
        status = main(list(args))
    except SystemExit as exit:  # argparse's usage errors
        status = exit.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, err


@pytest.mark.parametrize("args, message", [
    (["--data", "mnist"], "--data mnist needs --data-path"),
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--lr", "-1"], "--lr must be a positive number"),
    (["--impl", "no/such/folder"], "--impl no/such/folder: no such folder"),
    (["--data", "mnist", "--data-path", "no/such/mnist"], "no/such/mnist: no such file or folder"),
], ids=["no-path", "epochs", "lr", "impl", "data-path"])
def test_bad_arguments_and_data_exit_with_a_message(capsys, args, message):
    status, err = run_in_process(capsys, "--impl", str(ROOT / "solutions"), *args)
    assert status != 0 and message in err


def test_a_corrupt_mnist_file_is_refused_by_name(capsys, tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not an archive")
    status, err = run_in_process(capsys, "--impl", str(ROOT / "solutions"), "--data", "mnist",
                                 "--data-path", str(tmp_path / "mnist.npz"))
    assert status == 1 and "mnist.npz: not a readable .npz archive" in err


def test_mnist_from_a_local_npz_trains_at_28x28(tmp_path, forked):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "mnist.npz", x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, 6, dtype=np.uint8), x_test=rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 10, 3, dtype=np.uint8))
    run = forked("kata.kit.train", "--impl", "solutions", "--data", "mnist", "--data-path", str(tmp_path), "--limit", "4",
                "--epochs", "1", "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert "on mnist: 4 training and 3 test images of 28x28" in run.stdout
    assert (tmp_path / "out" / "feature_maps.png").is_file()


# ----------------------------------------------------------------- what the figures show (#15)

@pytest.fixture
def figures(monkeypatch) -> list:
    """The figures the plot functions draw, kept open instead of written."""
    from kata.kit import plots

    drawn: list = []
    monkeypatch.setattr(plots, "_save", lambda figure, path: drawn.append(figure) or path)
    yield drawn
    plots.plt.close("all")


def test_the_confusion_matrix_has_its_axes_counts_and_accuracy(figures, tmp_path):
    from kata.kit import plots
    from kata.kit.train import confusion

    true, predicted = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 2, 0])
    counts = confusion(true, predicted, classes=3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]] and counts.sum() == len(true)
    plots.confusion_matrix(counts, tmp_path / "confusion.png")
    axes = figures[0].axes[0]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("predicted digit", "true digit")
    assert axes.get_title() == "Confusion matrix: 6 test images, 66.7% right"
    assert sorted(text.get_text() for text in axes.texts) == ["1", "1", "1", "1", "2"]  # no "0" cells
    assert len(figures[0].axes) == 2  # the colorbar


def test_the_mistakes_grid_names_true_and_predicted_labels(figures, tmp_path):
    from kata.kit import plots

    images = np.zeros((3, 8, 8))
    plots.mistakes(images, np.array([4, 7, 9]), np.array([9, 1, 4]), np.array([0.5, 0.9, 0.61]), 5, 100,
                   tmp_path / "mistakes.png")
    titles = [axis.get_title() for axis in figures[0].axes if axis.get_title()]
    assert titles == ["true 4\nsaid 9 (50%)", "true 7\nsaid 1 (90%)", "true 9\nsaid 4 (61%)"]
    assert figures[0].texts[0].get_text().startswith("5 of 100 test images misclassified (the first 3 shown)")
    plots.mistakes(images[:0], *(np.array([], dtype=int),) * 2, np.array([]), 0, 100, tmp_path / "none.png")
    assert figures[1].texts[0].get_text() == "None of the 100 test images is misclassified"


def test_the_filters_before_and_after_share_one_scale_and_a_colorbar(figures, tmp_path):
    from kata.kit import plots

    rng = np.random.default_rng(0)
    initial, learned = 0.1 * rng.standard_normal((4, 3, 3)), rng.standard_normal((4, 3, 3))
    plots.filter_grid(learned, initial, tmp_path / "filters.png")
    tiles = [image for axis in figures[0].axes for image in axis.images]
    assert len(tiles) == 8 and {image.get_clim() for image in tiles} == {(-np.abs(learned).max(), np.abs(learned).max())}
    titles = [axis.get_title() for axis in figures[0].axes]
    assert "0 before" in titles and "3 after" in titles
    assert any(axis.get_ylabel().startswith("weight") for axis in figures[0].axes)  # the colorbar
