"""Train your CNN on real handwritten digits, offline, and plot what it learned.

    python -m kata.kit.train                          your exercises/, scikit-learn's digits
    python -m kata.kit.train --impl solutions         the reference implementation
    python -m kata.kit.train --data mnist --data-path ~/data/mnist --limit 5000

One SGD step per image (CNN.train_step), the images in a new random order each epoch; a
progress bar shows the running loss and accuracy, and the test accuracy is printed after
each epoch. The same --seed gives the same network, order and numbers. Written to --out:

    loss.png          the training loss of every step and its moving average
    accuracy.png      training accuracy per epoch and test accuracy after each
    filters.png       the filters before and after training, on one scale
    feature_maps.png  one test image and the conv layer's output maps for it
    confusion.png     the test set's confusion matrix (true digit x predicted digit)
    mistakes.png      the first misclassified test images, with what the network said
    training.json     the options and every epoch's figures

This is your own tool: your code runs in this process (kata.judge.student.load_module), so an
error in it shows its traceback, cut to the frames in your files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kata.kit.atomic import write_text
from kata.kit.data import Dataset, DataError, load_digits, load_mnist
from kata.exercises import BY_ID, EXERCISES
from kata.judge.student import ImplementationError, load_module

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LEARN_RATE = {"digits": 0.03, "mnist": 0.005}
DIGITS_SPLIT_SEED = 0  # one fixed train/test split, so runs with different --seed compare
CLASSES = 10
MAX_MISTAKES_SHOWN = 32  # four rows of eight in mistakes.png


class TrainingError(Exception):
    """Training cannot go on; the message says why and what to do. Exit status 1."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kata.kit.train", description=__doc__.splitlines()[0])
    parser.add_argument("--impl", type=Path, default=ROOT / "exercises",
                        help="folder with network.py and its layers (default: exercises)")
    parser.add_argument("--data", choices=["digits", "mnist"], default="digits",
                        help="digits: scikit-learn's 1,797 8x8 images (bundled); mnist: 28x28, from --data-path")
    parser.add_argument("--data-path", type=Path, help="MNIST folder (the 4 IDX files, .gz or not) or mnist.npz")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training images (default 5)")
    parser.add_argument("--lr", type=float, help="learning rate (default: 0.03 digits, 0.005 mnist)")
    parser.add_argument("--seed", type=int, default=0, help="initial parameters and image order (default 0)")
    parser.add_argument("--limit", type=int, help="use only the first N training and N test images")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="folder for the plots (default results)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.lr is not None and not (np.isfinite(args.lr) and args.lr > 0):
        parser.error("--lr must be a positive number")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.data == "mnist" and args.data_path is None:
        parser.error("--data mnist needs --data-path: the folder of the MNIST files or mnist.npz "
                     "(nothing is downloaded)")
    if args.data == "digits" and args.data_path is not None:
        parser.error("--data-path is for --data mnist; the digits are bundled with scikit-learn")
    if not args.impl.is_dir():
        parser.error(f"--impl {args.impl}: no such folder")
    if args.lr is None:
        args.lr = DEFAULT_LEARN_RATE[args.data]
    return args


def load_data(args: argparse.Namespace) -> Dataset:
    data = load_mnist(args.data_path) if args.data == "mnist" else load_digits(DIGITS_SPLIT_SEED)
    if args.limit is None:
        return data
    n = args.limit
    return Dataset(data.train_images[:n], data.train_labels[:n], data.test_images[:n], data.test_labels[:n],
                   data.name)


# ----------------------------------------------------------------- which exercise is missing

def _probes(load: Callable[[str], Any]) -> dict[str, Callable[[], Any]]:
    """One tiny call per exercise the network needs: a stub raises NotImplementedError."""
    x = np.linspace(-1.0, 1.0, 36).reshape(6, 6)

    def backward(layer: Any, forward_input: np.ndarray) -> Any:
        return layer.backward(np.ones_like(layer.forward(forward_input)), 0.1)

    return {
        "softmax.softmax": lambda: load("softmax").softmax(np.zeros(3)),
        "softmax.cross_entropy": lambda: load("softmax").cross_entropy(np.zeros(3), 0),
        "dense.forward": lambda: load("dense").Dense(36, 2, 0).forward(x),
        "dense.backward": lambda: backward(load("dense").Dense(36, 2, 0), x),
        "maxpool.forward": lambda: load("maxpool").MaxPool(2).forward(x[..., None]),
        "maxpool.backward": lambda: backward(load("maxpool").MaxPool(2), x[..., None]),
        "conv.forward": lambda: load("conv").Conv(2, 3, 0).forward(x),
        "conv.backward": lambda: backward(load("conv").Conv(2, 3, 0), x),
        "network.train": lambda: load("network").CNN((6, 6), 2, 3, 10, 0).train_step(x, 1, 0.1),
    }


def first_unfinished(impl: Path) -> str | None:
    """The first exercise in teaching order whose code still raises NotImplementedError.

    Raises TrainingError naming the file and the exercise when a file the network needs is missing.
    """
    probes = _probes(lambda name: load_module(impl, name))
    for exercise in EXERCISES:
        if exercise.id not in probes:
            continue  # not part of the network (the advanced track)
        if not (impl / f"{exercise.module}.py").is_file():
            # Without this, network.py's import fails as a bare ModuleNotFoundError.
            raise TrainingError(
                f"{impl / (exercise.module + '.py')} is missing: the network needs it for {exercise.id} "
                f"({exercise.title}). `make reset EX={exercise.module}` puts the stub back; then finish it "
                f"(`make test EX={exercise.id}`).")
        try:
            probes[exercise.id]()
        except NotImplementedError:
            return exercise.id
        except Exception:  # a finished but buggy exercise: the training run will show it
            pass
    return None


def not_ready_message(impl: Path, exercise_id: str) -> str:
    exercise = BY_ID[exercise_id]
    return (f"{impl / (exercise.module + '.py')}: {exercise.id} ({exercise.title}) is not written yet. "
            f"Finish it first: the network needs every layer. `make test EX={exercise.id}` checks it.")


# ----------------------------------------------------------------------------- training

def student_traceback(error: BaseException, impl: Path) -> str:
    """The error with only the frames in the student's files (the tool's own frames are noise)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if Path(frame.filename).resolve().is_relative_to(impl.resolve())]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def train(cnn: Any, data: Dataset, args: argparse.Namespace, console: Console) -> dict[str, list]:
    """args.epochs epochs of one SGD step per image; returns the history for the plots."""
    order_rng = np.random.default_rng(args.seed)
    history: dict[str, list] = {"step_loss": [], "loss": [], "train_accuracy": [], "test_accuracy": [], "seconds": []}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]:.3f}  accuracy {task.fields[accuracy]:6.1%}"),
               TimeElapsedColumn())
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        total_loss, total_correct = 0.0, 0
        # A live bar needs a terminal; in a log (CI, a pipe) the per-epoch line says it all.
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task(f"epoch {epoch}/{args.epochs}", total=len(data.train_labels),
                                     loss=0.0, accuracy=0.0)
            for step, index in enumerate(order_rng.permutation(len(data.train_labels)), start=1):
                loss, correct = cnn.train_step(data.train_images[index], int(data.train_labels[index]), args.lr)
                if not np.isfinite(loss):
                    raise TrainingError(
                        f"the loss became {loss} at epoch {epoch}, step {step}: try a smaller --lr "
                        f"(now {args.lr}), or check your layers with `make test`")
                total_loss += float(loss)
                total_correct += bool(correct)
                history["step_loss"].append(float(loss))
                progress.update(task, advance=1, loss=total_loss / step, accuracy=total_correct / step)
        predicted = np.asarray(cnn.predict(data.test_images))
        test_accuracy = float(np.mean(predicted == data.test_labels))
        seconds = time.perf_counter() - started
        history["loss"].append(total_loss / len(data.train_labels))
        history["train_accuracy"].append(total_correct / len(data.train_labels))
        history["test_accuracy"].append(test_accuracy)
        history["seconds"].append(seconds)
        history["predicted"] = predicted.tolist()  # the last epoch's: confusion.png and mistakes.png
        console.print(f"epoch {epoch}/{args.epochs}: loss {history['loss'][-1]:.3f}, "
                      f"training accuracy {history['train_accuracy'][-1]:.1%}, "
                      f"test accuracy {test_accuracy:.1%} ({seconds:.1f} s)")
    return history


def confusion(true: np.ndarray, predicted: np.ndarray, classes: int = CLASSES) -> np.ndarray:
    """counts[t, p]: how many images of label t were predicted p; it sums to len(true)."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(true), np.asarray(predicted)), 1)
    return counts


def save_results(cnn: Any, data: Dataset, history: dict[str, list], initial_filters: np.ndarray,
                 args: argparse.Namespace) -> list[Path]:
    from kata.kit import plots  # matplotlib is slow to import: only once there is something to draw

    out = args.out
    image, label = data.test_images[0], int(data.test_labels[0])
    predicted = np.asarray(history["predicted"])
    counts = confusion(data.test_labels, predicted)
    wrong = np.flatnonzero(predicted != data.test_labels)
    shown = wrong[:MAX_MISTAKES_SHOWN]
    confidence = np.array([np.max(cnn.forward(data.test_images[i])) for i in shown])
    written = [
        plots.loss_curve(history["step_loss"], len(data.train_labels), out / "loss.png"),
        plots.accuracy_curve(history["train_accuracy"], history["test_accuracy"], out / "accuracy.png"),
        plots.filter_grid(np.asarray(cnn.conv.filters), initial_filters, out / "filters.png"),
        plots.feature_maps(image, np.asarray(cnn.conv.forward(image)),
                           f"Test image 0: label {label}, predicted {predicted[0]}", out / "feature_maps.png"),
        plots.confusion_matrix(counts, out / "confusion.png"),
        plots.mistakes(data.test_images[shown], data.test_labels[shown], predicted[shown], confidence,
                       len(wrong), len(predicted), out / "mistakes.png"),
    ]
    options = {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()}
    summary = {"options": options, "data": data.name, "train_images": len(data.train_labels),
               "test_images": len(data.test_labels),
               **{k: v for k, v in history.items() if k not in ("step_loss", "predicted")},
               "confusion": counts.tolist(), "misclassified": wrong.tolist()}
    write_text(out / "training.json", json.dumps(summary, indent=2) + "\n")
    return written + [out / "training.json"]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(highlight=False)
    error_console = Console(stderr=True, highlight=False)
    for each in (console, error_console):  # a terminal wraps between words; a log keeps whole lines
        each.soft_wrap = not each.is_terminal
    impl = args.impl.resolve()
    try:
        data = load_data(args)
        missing = first_unfinished(impl)
        if missing:
            raise TrainingError(not_ready_message(impl, missing))
        network = load_module(impl, "network")
    except (DataError, ImplementationError, TrainingError) as error:
        error_console.print(f"error: {error}", markup=False)
        return 1
    # Short lines: a wrapped path or figure is hard to read in an 80-column terminal.
    console.print(f"Training {impl / 'network.py'}\n"
                  f"on {data.name}: {len(data.train_labels)} training and {len(data.test_labels)} test images of "
                  f"{data.train_images.shape[1]}x{data.train_images.shape[2]},\n"
                  f"{args.epochs} epoch(s), learning rate {args.lr}, seed {args.seed}", markup=False)
    try:
        cnn = network.CNN(image_shape=data.train_images.shape[1:], rng=args.seed)
        initial_filters = np.array(cnn.conv.filters, dtype=float)  # a copy: training updates them in place
        history = train(cnn, data, args, console)
        written = save_results(cnn, data, history, initial_filters, args)
    except TrainingError as error:
        error_console.print(f"error: {error}", markup=False)
        return 1
    except OSError as error:
        error_console.print(f"error: cannot write the results to {args.out}: {error}", markup=False)
        return 1
    except Exception as error:  # the student's code failed: show where, in their files
        error_console.print(f"error: your network raised {type(error).__name__} while training:\n"
                            f"{student_traceback(error, impl)}", markup=False)
        return 1
    console.print(f"final test accuracy {history['test_accuracy'][-1]:.1%}; in {args.out}:\n  "
                  + " ".join(path.name for path in written), markup=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
