"""The shared oracles and comparisons of every test suite.

Relative error, element by element (cs231n's convention):

    rel_error(got, expected) = |got - expected| / max(1e-8, |got| + |expected|)

It is ~1e-16 for equal float64 values, ~1e-10 for a correct gradient against central
finite differences, and ~1 for a wrong one; the default tolerance 1e-7 sits between with
a wide margin either side. The 1e-8 floor keeps two zeros (or two tiny values) from
dividing by zero.

Gradients are checked against central finite differences in float64:

    dL/dx[i] ~ (L(x + h e_i) - L(x - h e_i)) / (2h),   h = 1e-5

of a scalar L = sum(forward(x) * G) with a fixed random G, whose exact gradient is what
backward(G) must return.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

TOLERANCE = 1e-7


def rel_error(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Element-wise relative error, see the module docstring."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return np.abs(got - expected) / np.maximum(1e-8, np.abs(got) + np.abs(expected))


def numerical_gradient(loss: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """dloss/dx by central differences; x is not modified."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = loss(x)
        x[index] = original - h
        minus = loss(x)
        x[index] = original
        grad[index] = (plus - minus) / (2 * h)
    return grad


def expect_array(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """The value as a float ndarray of exactly this shape, or a failure that says why.

    Exact shapes only: np.allclose would let a (1,) result broadcast against (3,).
    """
    if type(value) is not np.ndarray:
        raise AssertionError(f"{what} returned {type(value).__name__}, expected a numpy.ndarray of shape {shape}")
    if value.dtype.kind != "f":
        raise AssertionError(
            f"{what} returned an array of dtype {value.dtype}, expected floats (float64); "
            "np.zeros(shape) gives float64, np.zeros(shape, dtype=int) would not"
        )
    if value.shape != tuple(shape):
        raise AssertionError(f"{what} returned shape {value.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(value)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
        raise AssertionError(f"{what} returned a non-finite value ({value[bad]}) at index {bad}")
    return value


def expect_number(value: Any, what: str) -> float:
    """A finite real number (Python or NumPy scalar, or a 0-d array), as a float."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AssertionError(f"{what} returned {type(value).__name__}, expected a number")
    if not np.isfinite(value):
        raise AssertionError(f"{what} returned {value}, expected a finite number")
    return float(value)


def assert_close(
    got: Any,
    expected: np.ndarray,
    what: str,
    oracle: str,
    tol: float = TOLERANCE,
    likely_bugs: dict[str, np.ndarray] | None = None,
) -> None:
    """Fail unless got matches expected element-wise within tol relative error.

    what: the call being judged, e.g. "Conv.forward(image of shape (5, 6))".
    oracle: where expected came from, e.g. "scipy.signal.correlate2d".
    likely_bugs: {description: what that bug would return}; when got matches one of them,
        the message names the bug.
    """
    got = expect_array(got, expected.shape, what)
    errors = rel_error(got, expected)
    worst = np.unravel_index(np.argmax(errors), errors.shape) if errors.size else ()
    if errors.size == 0 or errors[worst] <= tol:
        return
    worst = tuple(int(i) for i in worst)
    message = (
        f"{what} is wrong: worst relative error {errors[worst]:.2e} at index {worst}: "
        f"got {got[worst]:.6g}, expected {expected[worst]:.6g} (expected values from {oracle}; "
        f"{int(np.sum(errors > tol))} of {errors.size} values off)"
    )
    for bug, bug_value in (likely_bugs or {}).items():
        if bug_value.shape == got.shape and np.max(rel_error(got, bug_value), initial=0.0) <= tol:
            message += f"\n  Likely bug: {bug}"
            break
    raise AssertionError(message)
