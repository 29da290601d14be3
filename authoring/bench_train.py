"""How fast the reference CNN learns the digits, and against PyTorch when it is installed.

    python -m authoring.bench_train [--epochs 5] [--lr 0.03] [--seed 0]     (make bench-train)

Trains solutions/network.py exactly as `make train IMPL=solutions` does (one SGD step per
image, the same order for a seed) and prints seconds per epoch, the test accuracy after
each epoch and the time until it first reached the goal (97%). When PyTorch is importable
(optional, never required), the same model with the same initial parameters, image order
and learning rate runs on the CPU in the same process, and the ratio of the two speeds is
printed: a ratio measured in one run means something on any machine, a time alone does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from rich.console import Console
from rich.table import Table

from kata.kit.data import Dataset, load_digits
from kata.judge.student import load_module
from kata.kit.train import DEFAULT_LEARN_RATE, DIGITS_SPLIT_SEED

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.97


def run(step: Callable[[np.ndarray, int], Any], predict: Callable[[np.ndarray], np.ndarray], data: Dataset,
        epochs: int, seed: int) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU seconds and test accuracy of each epoch; the image order depends only on seed.

    CPU time is printed beside wall time: on a busy machine the wall clock also counts the
    time other processes held the CPU.
    """
    order_rng = np.random.default_rng(seed)
    wall, cpu, accuracy = [], [], []
    for _ in range(epochs):
        started, started_cpu = time.perf_counter(), time.process_time()
        for index in order_rng.permutation(len(data.train_labels)):
            step(data.train_images[index], int(data.train_labels[index]))
        wall.append(time.perf_counter() - started)  # training only: the test pass is not a step
        cpu.append(time.process_time() - started_cpu)
        accuracy.append(float(np.mean(predict(data.test_images) == data.test_labels)))
    return wall, cpu, accuracy


def torch_twin(cnn: Any, learn_rate: float) -> tuple[Callable, Callable] | None:
    """The same network in PyTorch (float64, CPU), starting from cnn's parameters; None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # batch size 1: threads only add overhead
    filters = torch.tensor(cnn.conv.filters)[:, None]  # (F, 1, k, k)
    weights = torch.tensor(cnn.dense.weights.T.copy())  # nn.Linear keeps (out, in)
    num_filters = filters.shape[0]
    conv = torch.nn.Conv2d(1, num_filters, filters.shape[-1], bias=False, dtype=torch.float64)
    dense = torch.nn.Linear(weights.shape[1], weights.shape[0], dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(filters)
        dense.weight.copy_(weights)
        dense.bias.copy_(torch.tensor(cnn.dense.biases))
    model = torch.nn.Sequential(conv, torch.nn.MaxPool2d(2))
    optimizer = torch.optim.SGD([conv.weight, dense.weight, dense.bias], lr=learn_rate)

    def logits(images: np.ndarray) -> Any:
        maps = model(torch.from_numpy(images)[:, None])  # (N, F, H', W')
        return dense(maps.permute(0, 2, 3, 1).flatten(1))  # flattened (H', W', F), as the NumPy CNN

    def step(image: np.ndarray, label: int) -> None:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits(image[None]), torch.tensor([label]))
        loss.backward()
        optimizer.step()

    def predict(images: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return logits(images).argmax(dim=1).numpy()

    return step, predict


def goal_time(seconds: list[float], accuracy: list[float]) -> str:
    for epoch, reached in enumerate(accuracy):
        if reached >= GOAL:
            return f"{sum(seconds[:epoch + 1]):.2f} s (epoch {epoch + 1})"
    return "not reached"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.bench_train", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=DEFAULT_LEARN_RATE["digits"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.epochs < 1 or not args.lr > 0:
        parser.error("--epochs must be at least 1 and --lr positive")
    console = Console(highlight=False, width=140)
    data = load_digits(DIGITS_SPLIT_SEED)
    network = load_module(ROOT / "solutions", "network")
    cnn = network.CNN(image_shape=data.train_images.shape[1:], rng=args.seed)
    twin = torch_twin(cnn, args.lr)  # built first: it copies the initial parameters
    results = {"NumPy reference (solutions/)": run(lambda x, y: cnn.train_step(x, y, args.lr), cnn.predict,
                                                   data, args.epochs, args.seed)}
    if twin is not None:
        results["PyTorch CPU, same model"] = run(*twin, data, args.epochs, args.seed)

    table = Table(title=f"{data.name}: {len(data.train_labels)} training images, batch 1, "
                        f"learning rate {args.lr}, seed {args.seed}")
    for column in ("", "s / epoch (wall)", "s / epoch (CPU)", "test accuracy per epoch", f"wall time to {GOAL:.0%}"):
        table.add_column(column)
    for name, (wall, cpu, accuracy) in results.items():
        table.add_row(name, f"{np.median(wall):.2f}", f"{np.median(cpu):.2f}",
                      " ".join(f"{a:.1%}" for a in accuracy), goal_time(wall, accuracy))
    console.print(table)
    if twin is None:
        console.print("PyTorch: not installed (optional; `pip install torch` in .venv to compare)")
    else:
        numpy_cpu, torch_cpu = (np.median(results[name][1]) for name in results)
        console.print(f"NumPy reference / PyTorch CPU seconds per epoch: {numpy_cpu / torch_cpu:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
