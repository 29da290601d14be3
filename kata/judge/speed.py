"""Speed as a ratio, measured in one run: the student's fast_conv against a scipy baseline.

The public baseline is one Conv2D step (forward, then backward) in a few
scipy.signal.fftconvolve calls: out and d_weights as valid correlations, d_x as the full
convolution of the stride-dilated d_out. It is scipy on purpose: this file ships to
students, and nothing here may be pasteable into a submission (which may not import
scipy; issue #11). The graded speed test measures against a NumPy baseline on its own
shape instead (grader/judge/speed.py, never shipped).

In the grader, each call to the student's layer crosses a process boundary with its arrays
serialized as .npy, so a baseline pays the same serialization (a round trip through
np.save/np.load for every array in and out).

check_conv_speed times both on CPU seconds (the student's from the process that runs its
code, Student.cpu_seconds), in repeats that alternate which runs first, each on fresh inputs
whose results are all checked, and judges the median of the per-repeat ratios: the same
submission gets the same verdict on an idle machine and on one whose every core is busy
(tests/grading/test_load.py), and no answer remembered from an earlier call can be fast.
"""

from __future__ import annotations

import io
import statistics
import time
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from kata.judge.student import Student


def npy_round_trip(array: np.ndarray) -> np.ndarray:
    """The array after the grader's transport: written as .npy, read back."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    buffer.seek(0)
    return np.load(buffer, allow_pickle=False)


def scipy_conv_step(x: np.ndarray, weights: np.ndarray, bias: np.ndarray, d_out: np.ndarray,
                    stride: int, padding: int) -> tuple[np.ndarray, ...]:
    """(out, d_x, d_weights, d_bias) of one Conv2D forward and backward, by scipy.signal.fftconvolve."""
    import scipy.signal

    from kata.judge.nchw import conv_stacked, pad
    from kata.judge.oracles import correlate_valid

    x, weights, bias, d_out = (npy_round_trip(a) for a in (x, weights, bias, d_out))
    k = weights.shape[2]
    out = npy_round_trip(conv_stacked(x, weights, bias, stride, padding))
    n, f, rows, cols = d_out.shape
    dilated = np.zeros((n, f, (rows - 1) * stride + 1, (cols - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = d_out
    padded = pad(x, padding)
    d_weights = correlate_valid(padded[:, None], dilated[:, :, None]).sum(axis=0)[:, :, :k, :k]
    full = scipy.signal.fftconvolve(dilated[:, :, None], weights[None], mode="full", axes=(-2, -1)).sum(axis=1)
    d_padded = np.zeros(padded.shape)
    d_padded[:, :, :full.shape[2], :full.shape[3]] = full[:, :, :padded.shape[2], :padded.shape[3]]
    d_x = d_padded[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]
    return out, npy_round_trip(d_x), d_weights, d_out.sum(axis=(0, 2, 3))


def timed(step: Callable[[], object], clock: Callable[[], float]) -> tuple[object, float]:
    """step()'s result and the seconds it took on `clock`."""
    start = clock()
    result = step()
    return result, clock() - start


def check_conv_speed(student: Student, rng: np.random.Generator, case, limit: float,
                     baseline: Callable[..., tuple[np.ndarray, ...]], baseline_name: str, repeats: int = 7) -> float:
    """fast_conv's forward + backward at most `limit` times the baseline's time on `case`
    (a kata.judge.nchw.ConvCase), as the median over `repeats` of the ratio measured in one
    repeat. baseline(x, weights, bias, d_out, stride, padding) -> (out, d_x, d_weights,
    d_bias): the scipy one above in the public suite, a NumPy one in the graded suite.

    Every repeat draws new x and d_out and checks the student's out and d_x against the
    baseline's: a fast wrong answer (or an old one) earns nothing. Both run on one BLAS
    thread, as in the grader's worker: multithreaded BLAS on a busy machine swings by 10x.
    Returns the ratio.
    """
    from kata.judge.checks import assert_close
    from kata.judge.nchw import make_layer, random_conv

    x, weights, bias, d_out = random_conv(case, rng)
    layer = make_layer(student, "fast_conv", case, weights, bias)
    layer.forward(x)  # first-call costs (imports, caches), untimed
    layer.backward(d_out, 0.0)
    # CPU seconds where the student's process can be measured, else the wall clock for both.
    cpu = student.cpu_seconds() is not None
    student_clock, baseline_clock = (student.cpu_seconds, time.process_time) if cpu else (time.perf_counter,) * 2
    source = f"{baseline_name} (itself checked against scipy.signal.correlate)"
    ratios, student_times, baseline_times = [], [], []
    with threadpool_limits(limits=1):
        for repeat in range(repeats):
            x, d_out = rng.standard_normal(x.shape), rng.standard_normal(d_out.shape)
            runs = {
                "student": (lambda: (layer.forward(x), layer.backward(d_out, 0.0)), student_clock),
                "baseline": (lambda: baseline(x, weights, bias, d_out, case.stride, case.padding), baseline_clock),
            }
            order = ("student", "baseline") if repeat % 2 == 0 else ("baseline", "student")  # neither always first
            results = {name: timed(*runs[name]) for name in order}
            (out, d_x), student_seconds = results["student"]
            (expected_out, expected_d_x, *_), baseline_seconds = results["baseline"]
            what = f"fast_conv.Conv2D, {case}, timed call {repeat + 1} (new inputs)"
            assert_close(out, expected_out, f"{what}: forward", source)
            assert_close(d_x, expected_d_x, f"{what}: the d_x backward returned", source)
            student_times.append(student_seconds)
            baseline_times.append(baseline_seconds)
            ratios.append(student_seconds / max(baseline_seconds, 1e-9))
    ratio = statistics.median(ratios)
    clock = "CPU" if cpu else "wall-clock"
    assert ratio <= limit, (
        f"fast_conv.Conv2D forward + backward, {case}, took {statistics.median(student_times) * 1e3:.1f} ms "
        f"({clock} time, median of {repeats}), {ratio:.1f}x {baseline_name} "
        f"({statistics.median(baseline_times) * 1e3:.1f} ms, measured alongside); at most {limit:g}x is expected. "
        "Is there still a Python loop over pixels? Only loops over the k*k kernel offsets are cheap enough."
    )
    return ratio
