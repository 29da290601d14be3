"""`make bench`: how fast the reference layers are, as ratios measured in one run.

    python -m authoring.bench              the full table (about a minute)
    python -m authoring.bench --quick      fewer repeats, for a first look
    python -m authoring.bench --threads 2  NumPy's BLAS and PyTorch on 2 threads (default 1)

One table, every figure measured now, on this machine:

- rows: the seed layers (one 28x28 image, 16 3x3 filters; 2x2 pooling of its 26x26x16
  maps) and the advanced ones (a batch of 64x8x32x32, 16 3x3 filters, padding 1; 2x2
  pooling of the 64x16x32x32 result);
- implementations: the seed references (solutions/conv.py, maxpool.py), the reference naive
  loops (solutions/conv2d.py), the reference vectorized ones (solutions/fast_conv.py,
  pool2d.py), scipy.signal.correlate (forward only:
  it has no backward) and PyTorch on the CPU with the same dtype (float64) and the same
  thread count as NumPy's BLAS, when PyTorch is installed ("not installed" otherwise: it
  is never a dependency of this project);
- each time is forward + backward (forward only for scipy), the best of several runs, and
  is given as a ratio to the reference vectorized time of its row group, and as GFLOP/s,
  also as a share of NumPy's own float64 matmul peak (1024x1024 @ 1024x1024) measured in
  this run.

Progress shows as a bar on stderr; at the end, one line per goal of issue #14 (ratios to
PyTorch when it is installed, and Conv2D's share of the matmul peak).

A benchmark is not a test: nothing here passes or fails. On a machine whose environment
sets OPENBLAS_CORETYPE, NumPy's BLAS runs an older kernel; the table's caption says which
kernel ran (threadpoolctl), so figures from different machines can be compared honestly.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import scipy.signal
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from threadpoolctl import threadpool_info, threadpool_limits

from kata.judge.student import load_module

ROOT = Path(__file__).resolve().parent.parent
NOT_INSTALLED = "not installed"


@dataclass
class Entry:
    group: str  # e.g. "Conv2D fwd+bwd, batch 64x8x32x32, 16 3x3 filters, padding 1"
    implementation: str
    seconds: float | None  # None: not available
    flops: float  # floating-point operations of one timed call
    note: str = ""


def best_seconds(step: Callable[[], object], budget: float, most: int) -> float:
    """The fastest run of step(): at least 3 runs, more while within `budget` seconds."""
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < 3 or (len(times) < most and time.perf_counter() - started < budget):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_peak(budget: float) -> float:
    """NumPy's float64 matmul speed on 1024x1024 matrices, in FLOP/s."""
    a = np.random.default_rng(0).standard_normal((1024, 1024))
    return 2 * 1024**3 / best_seconds(lambda: a @ a, budget, 20)


def blas_description() -> tuple[str, int]:
    """("openblas 0.3.x, kernel Haswell, 2 threads", threads) from threadpoolctl."""
    # PyTorch bundles a BLAS of its own: describe NumPy's (in numpy.libs/ on PyPI's wheels).
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    for pool in sorted(pools, key=lambda pool: "numpy" not in pool["filepath"]):
            text = f"{pool['internal_api']} {pool['version']}, kernel {pool.get('architecture')}, {pool['num_threads']} threads"
            return text, int(pool["num_threads"])
    return "no BLAS found", 1


def load_torch(threads: int):
    """torch with `threads` intra-op threads, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


def conv_flops(n: int, c: int, f: int, out_h: int, out_w: int, k: int) -> float:
    """One forward: a multiply and an add per weight per output value."""
    return 2.0 * n * f * out_h * out_w * c * k * k


def scipy_conv_forward(x: np.ndarray, weights: np.ndarray, padding: int) -> np.ndarray:
    """out[n, f] = sum_c correlate(x_pad[n, c], weights[f, c], "valid"): scipy's best here."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return np.array([[sum(scipy.signal.correlate(example[c], weights[f, c], mode="valid")
                          for c in range(x.shape[1])) for f in range(weights.shape[0])] for example in x_pad])


def torch_step(torch, op: Callable, inputs: list[np.ndarray], d_out: np.ndarray) -> Callable[[], None]:
    """A forward + backward of op on float64 tensors that require gradients."""
    tensors = [torch.from_numpy(a).requires_grad_() for a in inputs]
    gradient = torch.from_numpy(d_out)

    def step() -> None:
        for t in tensors:
            t.grad = None
        op(*tensors).backward(gradient)

    return step


def layer_step(layer, x: np.ndarray, d_out: np.ndarray) -> Callable[[], None]:
    """forward then backward with learn_rate 0 (the parameters stay as they are)."""
    def step() -> None:
        layer.forward(x)
        layer.backward(d_out, 0.0)
    return step


STEPS = 15  # the add() calls in measure(), and the matmul peak: the progress bar's length


def measure(budget: float, most: int, progress: Progress) -> tuple[list[Entry], float, str]:
    solutions = ROOT / "solutions"
    conv, maxpool = load_module(solutions, "conv"), load_module(solutions, "maxpool")
    conv2d, pool2d, fast_conv = (load_module(solutions, m) for m in ("conv2d", "pool2d", "fast_conv"))
    blas, threads = blas_description()
    torch = load_torch(threads)
    rng = np.random.default_rng(0)
    entries: list[Entry] = []
    task = progress.add_task("starting", total=STEPS)

    def add(group: str, name: str, step: Callable[[], object] | None, flops: float, note: str = "") -> None:
        progress.update(task, description=f"{group.split(',')[0]}: {name}")
        entries.append(Entry(group, name, None if step is None else best_seconds(step, budget, most), flops, note))
        progress.advance(task)

    # The seed's convolution: one 28x28 image, 16 3x3 filters, valid, stride 1.
    image = rng.standard_normal((28, 28))
    weights = rng.standard_normal((16, 1, 3, 3))
    fwd = conv_flops(1, 1, 16, 26, 26, 3)
    group = "conv fwd+bwd, one 28x28 image, 16 3x3 filters"
    seed = conv.Conv(16, 3, rng=0)
    add(group, "seed reference, vectorized (conv.py)", layer_step(seed, image, rng.standard_normal((26, 26, 16))), 3 * fwd)
    x, d_out = image[None, None], rng.standard_normal((1, 16, 26, 26))
    naive = conv2d.Conv2D(1, 16, 3, rng=0)
    add(group, "reference naive loops (conv2d.py)", layer_step(naive, x, d_out), 3 * fwd)
    vectorized = fast_conv.Conv2D(1, 16, 3, rng=0)
    add(group, "reference vectorized (fast_conv.py)", layer_step(vectorized, x, d_out), 3 * fwd)
    add(group, "scipy.signal.correlate", lambda: scipy_conv_forward(x, weights, 0), fwd, "forward only")
    add(group, "PyTorch CPU", torch and torch_step(torch, torch.nn.functional.conv2d, [x, weights], d_out), 3 * fwd)

    # The advanced batch: 64x8x32x32, 16 3x3 filters, padding 1 (same size out).
    x = rng.standard_normal((64, 8, 32, 32))
    weights = rng.standard_normal((16, 8, 3, 3))
    d_out = rng.standard_normal((64, 16, 32, 32))
    fwd = conv_flops(64, 8, 16, 32, 32, 3)
    group = "Conv2D fwd+bwd, batch 64x8x32x32, 16 3x3 filters, padding 1"
    naive = conv2d.Conv2D(8, 16, 3, padding=1, rng=0)
    add(group, "reference naive loops (conv2d.py)", layer_step(naive, x, d_out), 3 * fwd)
    vectorized = fast_conv.Conv2D(8, 16, 3, padding=1, rng=0)
    add(group, "reference vectorized (fast_conv.py)", layer_step(vectorized, x, d_out), 3 * fwd)
    add(group, "scipy.signal.correlate", lambda: scipy_conv_forward(x, weights, 1), fwd, "forward only")
    add(group, "PyTorch CPU", torch and torch_step(
        torch, lambda a, w: torch.nn.functional.conv2d(a, w, padding=1), [x, weights], d_out), 3 * fwd)

    # Pooling: the seed's 26x26x16 maps (HWC), and the advanced batch's (NCHW).
    maps = rng.standard_normal((26, 26, 16))
    group = "max pool 2x2 fwd+bwd, 26x26x16 maps (one image)"
    add(group, "seed reference, vectorized (maxpool.py)", layer_step(maxpool.MaxPool(2), maps, rng.standard_normal((13, 13, 16))), 0)
    maps = maps.transpose(2, 0, 1)[None].copy()
    d_out = rng.standard_normal((1, 16, 13, 13))
    add(group, "reference vectorized (pool2d.py)", layer_step(pool2d.MaxPool2D(2), maps, d_out), 0)
    add(group, "PyTorch CPU", torch and torch_step(torch, lambda a: torch.nn.functional.max_pool2d(a, 2), [maps], d_out), 0)
    maps = rng.standard_normal((64, 16, 32, 32))
    d_out = rng.standard_normal((64, 16, 16, 16))
    group = "MaxPool2D 2x2 fwd+bwd, batch 64x16x32x32"
    add(group, "reference vectorized (pool2d.py)", layer_step(pool2d.MaxPool2D(2), maps, d_out), 0)
    add(group, "PyTorch CPU", torch and torch_step(torch, lambda a: torch.nn.functional.max_pool2d(a, 2), [maps], d_out), 0)

    progress.update(task, description="float64 matmul peak")
    peak = matmul_peak(budget)
    progress.advance(task)
    torch_text = f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads" if torch else f"PyTorch {NOT_INSTALLED}"
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    caption = (f"NumPy {np.__version__} ({blas}{f', OPENBLAS_CORETYPE={coretype}' if coretype else ''}); "
               f"{torch_text}; float64; matmul peak {peak / 1e9:.1f} GFLOP/s")
    return entries, peak, caption


def render(entries: list[Entry], peak: float, caption: str) -> Table:
    table = Table(title="Forward + backward, best of several runs, measured in this run", caption=caption)
    for column, justify in (("layer and shape", "left"), ("implementation", "left"), ("time", "right"),
                            ("x reference vectorized", "right"), ("GFLOP/s", "right"), ("% matmul peak", "right")):
        table.add_column(column, justify=justify)
    groups = list(dict.fromkeys(e.group for e in entries))
    for group in groups:
        rows = [e for e in entries if e.group == group]
        base = next((e.seconds for e in rows if e.implementation.startswith("reference vectorized")), None)
        if base is None:  # no vectorized reference: ratios against the reference loops
            base = next(e.seconds for e in rows if e.implementation.startswith("reference"))
        for n, e in enumerate(rows):
            if e.seconds is None:
                cells = [NOT_INSTALLED, "", "", ""]
            else:
                rate = e.flops / e.seconds if e.flops else 0.0
                cells = [f"{e.seconds * 1e3:.3g} ms" + (f" ({e.note})" if e.note else ""), f"{e.seconds / base:.3g}x",
                         f"{rate / 1e9:.3g}" if rate else "-", f"{100 * rate / peak:.2g}%" if rate else "-"]
            table.add_row(group if n == 0 else "", e.implementation, *cells, end_section=n == len(rows) - 1)
    return table


def goal_lines(entries: list[Entry], peak: float) -> list[str]:
    """One line per goal of issue #14, from the batch groups (none for PyTorch when absent)."""
    def row(prefix: str, implementation: str) -> Entry:
        return next(e for e in entries if e.group.startswith(prefix) and e.implementation.startswith(implementation))

    lines = []
    for prefix, goal in (("Conv2D", 2), ("MaxPool2D", 1)):
        vectorized, reference_torch = row(prefix, "reference vectorized"), row(prefix, "PyTorch CPU")
        if reference_torch.seconds is not None:
            lines.append(f"{prefix} batch: reference vectorized / PyTorch CPU = "
                         f"{vectorized.seconds / reference_torch.seconds:.2f} (goal: at most {goal})")
    conv = row("Conv2D", "reference vectorized")
    lines.append(f"Conv2D batch: % of matmul peak = {100 * conv.flops / conv.seconds / peak:.0f} (goal: at least 35)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs per figure instead of up to 20")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for NumPy, and intra-op threads for PyTorch (default 1: on a "
                             "machine that runs other work, multithreaded BLAS times swing by 10x)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    console = Console(stderr=True)
    budget, most = (0.0, 3) if args.quick else (1.0, 20)
    try:
        with threadpool_limits(limits=args.threads, user_api="blas"):
            # On stderr, and gone once done: stdout keeps only the table and the goal lines.
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True) as progress:
                entries, peak, caption = measure(budget, most, progress)
    except Exception as error:  # a broken solutions/ file: say which, do not dump a traceback
        print(f"error: the benchmark could not run: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    Console(width=max(160, Console().width)).print(render(entries, peak, caption))
    for line in goal_lines(entries, peak):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
