"""The shared oracles and comparisons of every test suite.

Relative error, element by element (cs231n's convention):

    rel_error(got, expected) = |got - expected| / max(floor, |got| + |expected|)

It is ~1e-16 for equal float64 values, ~1e-10 for a correct gradient against central
finite differences, and ~1 for a wrong one; the default tolerance 1e-7 sits between with
a wide margin either side. The default floor 1e-8 keeps two zeros (or two tiny values)
from dividing by zero.

Gradients are checked against central finite differences in float64:

    dL/dx[i] ~ (L(x + h e_i) - L(x - h e_i)) / (2h),   h = 1e-5

of a scalar L = sum(forward(x) * G) with a fixed random G, whose exact gradient is what
backward(G) must return. Their rounding noise is about 1e-16 * |L| / h, a fixed absolute
amount (measured: below 1e-10 of the largest gradient element on these layers). So an
element 1000 times smaller than the largest would show a relative error of ~1e-7 from
noise alone: comparisons against finite differences use floor = fd_floor(expected) = 1% of
the largest |expected|, which keeps correct code below ~1e-8 and real bugs at ~1.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

# pytest leaves this module's frames out of tracebacks: a failure shows the test and the
# message, not the helpers that built it (frames of the student's code stay visible).
__tracebackhide__ = True

TOLERANCE = 1e-7
FLOOR = 1e-8


def rel_error(got: np.ndarray, expected: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    """Element-wise relative error, see the module docstring."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return np.abs(got - expected) / np.maximum(floor, np.abs(got) + np.abs(expected))


def fd_floor(expected: np.ndarray) -> float:
    """The rel_error floor for a comparison against finite differences (module docstring)."""
    return max(FLOOR, 1e-2 * float(np.max(np.abs(expected), initial=0.0)))


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


def stacked_numerical_gradient(losses: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-5,
                               max_values: int = 2 ** 19) -> np.ndarray:
    """numerical_gradient for a loss that NumPy evaluates on many inputs in one call.

    losses(stack) takes a stack of inputs, shape (B, *x.shape), and returns their B losses.
    The same perturbed copies x +- h e_i and the same central differences as
    numerical_gradient, so the same gradient (the loss's sums may round in another order,
    well inside the noise the module docstring describes), without a Python call per copy:
    on the advanced suites' convolutions 30-100x faster. A stack holds at most max_values
    numbers (4 MB), so a large x takes several calls. x is not modified.
    """
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty(x.size)
    per_call = max(1, max_values // (2 * x.size))  # elements i per call: two copies each
    for start in range(0, x.size, per_call):
        elements = np.arange(start, min(start + per_call, x.size))
        count = len(elements)
        copies = np.tile(x.reshape(1, -1), (2 * count, 1))  # rows: x + h e_i, then x - h e_i
        copies[np.arange(count), elements] += h
        copies[np.arange(count, 2 * count), elements] -= h
        values = np.asarray(losses(copies.reshape((2 * count,) + x.shape)), dtype=np.float64)
        grad[elements] = (values[:count] - values[count:]) / (2 * h)
    return grad.reshape(x.shape)


def weighted_sum_gradient(forward: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                          upstream: np.ndarray) -> np.ndarray:
    """dL/dx of L(x) = sum(forward(x) * upstream) by central differences.

    This is exactly what a layer's backward(upstream) must return for its input (or, with
    forward a function of a parameter, for that parameter).
    """
    return numerical_gradient(lambda value: float(np.sum(forward(value) * upstream)), x)


def stacked_weighted_sum_gradient(forward: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                                  upstream: np.ndarray) -> np.ndarray:
    """weighted_sum_gradient for a forward that maps a stack of inputs (B, *x.shape) to
    the stack of their outputs (B, *upstream.shape), by stacked_numerical_gradient."""
    output_axes = tuple(range(1, upstream.ndim + 1))
    return stacked_numerical_gradient(lambda stack: np.sum(forward(stack) * upstream, axis=output_axes), x)


def expect_array(value: Any, shape: tuple[int, ...], what: str, finite: bool = True) -> np.ndarray:
    """The value as a float ndarray of exactly this shape, or a failure that says why.

    Exact shapes only: np.allclose would let a (1,) result broadcast against (3,).
    finite=False leaves inf/nan to the caller (assert_close names the bug that makes them).
    """
    shape = tuple(shape)
    if value is None:
        raise AssertionError(
            f"{what} returned None, expected a numpy.ndarray of shape {shape} (is a `return` missing?)")
    if type(value) is not np.ndarray:
        raise AssertionError(f"{what} returned {type(value).__name__}, expected a numpy.ndarray of shape {shape}")
    if value.dtype.kind != "f":
        raise AssertionError(
            f"{what} returned an array of dtype {value.dtype}, expected floats (float64); "
            "np.zeros(shape) gives float64, np.zeros(shape, dtype=int) would not"
        )
    if value.shape != shape:
        raise AssertionError(f"{what} returned shape {value.shape}, expected {shape}{_shape_hint(value.shape, shape)}")
    if finite and not np.all(np.isfinite(value)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
        raise AssertionError(f"{what} returned a non-finite value ({value[bad]}) at index {bad}")
    return value


def _shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """Why a shape is wrong, when the difference has a classic cause."""
    if 0 in got and 0 not in expected:
        return (": an axis of length 0. A slice x[p:-p] is empty when p = 0 (-0 is 0, so it is x[0:0]): "
                "write x[p:p + h] with h the length to keep")
    if len(got) == len(expected):
        axes = [axis for axis, (g, e) in enumerate(zip(got, expected)) if g != e]
        if all(abs(got[axis] - expected[axis]) == 1 for axis in axes):
            listed = " and ".join(str(axis) for axis in axes)
            return f": off by one along axis {listed} (check the output-size formula in the docstring)"
        if got == expected[::-1]:
            return ": the axes are swapped (transposed)"
    if int(np.prod(got)) == int(np.prod(expected)):
        return ": the right number of values in the wrong shape (reshape it)"
    return ""


def expect_number(value: Any, what: str, cause: str = "") -> float:
    """A finite real number (Python or NumPy scalar, or a 0-d array), as a float.

    cause: appended to the failure when the number is inf or nan (what the test knows of why).
    """
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AssertionError(f"{what} returned {type(value).__name__}, expected a number")
    if not np.isfinite(value):
        raise AssertionError(f"{what} returned {value}, expected a finite number{cause}{_non_finite_hint(value)}")
    return float(value)


NAN_HINT = ("nan comes from inf - inf, inf / inf, 0 * inf or the log of a negative number: look for an "
            "np.exp that overflows to inf (subtract the max first) or a value that is inf or nan already")


def _non_finite_hint(value: float) -> str:
    """Why a number is nan (inf is named by the bugs that make it: overflow, log(0))."""
    return f"\n  Hint: {NAN_HINT}" if np.isnan(value) else ""


def _dtype_hint(got: np.ndarray, worst_error: float) -> str:
    """A result in float32 (or float16) whose only fault is its rounding: say that the dtype is the cause.

    float32 keeps ~7 digits, so a sum of products computed in it is off by ~1e-7 to 1e-5
    relative, above TOLERANCE, while a real bug is off by far more.
    """
    if got.dtype.kind != "f" or got.dtype.itemsize >= 8 or not worst_error <= 1e-3:
        return ""
    return (f"\n  Likely bug: the result is {got.dtype}, not float64. Its rounding error (~1e-7 per operation) "
            f"is above the tolerance {TOLERANCE:g}: compute in float64 (look for dtype=np.{got.dtype} or "
            f".astype(np.{got.dtype}); np.zeros(shape) is float64)")


def expect_labels(value: Any, count: int, what: str) -> np.ndarray:
    """An integer ndarray of shape (count,) (class labels), or a failure that says what came back."""
    if type(value) is not np.ndarray or value.dtype.kind not in "iu" or value.shape != (count,):
        raise AssertionError(
            f"{what} returned {type(value).__name__} {getattr(value, 'dtype', '')} {getattr(value, 'shape', '')}, "
            f"expected an integer array of shape ({count},)"
        )
    return value


def _matches(got: np.ndarray, value: np.ndarray, tol: float) -> bool:
    """got equals value: the same inf/nan in the same places, finite values within tol."""
    value = np.asarray(value, dtype=np.float64)
    if value.shape != got.shape:
        return False
    finite = np.isfinite(value)
    if not np.array_equal(np.isfinite(got), finite) or not np.array_equal(got[~finite], value[~finite], equal_nan=True):
        return False
    return bool(np.max(rel_error(got[finite], value[finite]), initial=0.0) <= tol)


def _likely_bug(got: np.ndarray, likely_bugs: dict[str, np.ndarray] | None, tol: float) -> str:
    for bug, bug_value in (likely_bugs or {}).items():
        if bug_value is not None and _matches(got, bug_value, tol):
            return f"\n  Likely bug: {bug}"
    return ""


def assert_close(
    got: Any,
    expected: np.ndarray,
    what: str,
    oracle: str,
    tol: float = TOLERANCE,
    likely_bugs: dict[str, np.ndarray] | None = None,
    floor: float = FLOOR,
) -> None:
    """Fail unless got matches expected element-wise within tol relative error.

    what: the call being judged, e.g. "Conv.forward(image of shape (5, 6))".
    oracle: where expected came from, e.g. "scipy.signal.correlate2d".
    likely_bugs: {description: what that bug would return}, computed by the test from the
        same inputs; when got matches one of them (inf and nan included), the message
        names the bug. A value of None: that bug cannot show on these inputs (the bug
        functions return None rather than the right answer, so none of them is an oracle).
    floor: rel_error's floor; fd_floor(expected) when expected comes from finite differences.
    """
    expected = np.asarray(expected, dtype=np.float64)
    got = expect_array(got, expected.shape, what, finite=False)
    errors = rel_error(got, expected, floor)
    errors[~np.isfinite(errors)] = np.inf  # nan compares false: make it the worst instead
    worst = np.unravel_index(np.argmax(errors), errors.shape) if errors.size else ()
    if errors.size == 0 or errors[worst] <= tol:
        return
    worst = tuple(int(i) for i in worst)
    message = (
        f"{what} is wrong: worst relative error {errors[worst]:.2e} at index {worst}: "
        f"got {got[worst] + 0.0:.6g}, expected {expected[worst] + 0.0:.6g} (expected values from {oracle}; "
        f"{int(np.sum(errors > tol))} of {errors.size} values off)"
    )
    raise AssertionError(message + (_likely_bug(got, likely_bugs, tol) or _dtype_hint(got, errors[worst])))


def assert_number_close(
    got: Any,
    expected: float,
    what: str,
    oracle: str,
    tol: float = TOLERANCE,
    likely_bugs: dict[str, float] | None = None,
) -> float:
    """assert_close for one number (a loss): finite, and within tol relative error.

    Returns got as a float. A non-finite got is judged against likely_bugs first, so
    "returned inf" comes with the bug that makes an inf.
    """
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got[()]
    if isinstance(got, (float, np.floating)) and not np.isfinite(got):
        message = f"{what} returned {got}, expected the finite {expected:.10g} (from {oracle})"
    else:
        value = expect_number(got, what)
        error = float(rel_error(value, expected))
        if error <= tol:
            return value
        message = (
            f"{what} is wrong: got {value + 0.0:.10g}, expected {expected + 0.0:.10g} (relative error {error:.2e}; "
            f"expected value from {oracle})"
        )
    bugs = {bug: None if bug_value is None else np.array(bug_value, dtype=np.float64)
            for bug, bug_value in (likely_bugs or {}).items()}
    bug = _likely_bug(np.array(float(got)), bugs, tol)
    raise AssertionError(message + (bug or _non_finite_hint(float(got))))
