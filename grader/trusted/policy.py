"""What a submission may use and how much: the one place for the grader's limits.

Every limit of the grader is here: banned packages, per-call time limits, the clocks of
a suite run and of the Gradescope/PrairieLearn autograder, what intake reads, and what a
frame between the worker and the trusted side may hold. The worker receives the values
it needs at start (it imports nothing of ours), and the static scan
(grader/trusted/scan.py) uses the same list of banned packages.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field

# Packages a submission may not import: libraries that compute the answer (the oracles
# themselves, autodiff) and the repository's own code. Ways out of the worker (fork,
# exec) are closed by its resource limits instead, so they need no entry here.
BANNED_MODULES: frozenset[str] = frozenset({
    "scipy", "torch", "torchvision", "tensorflow", "jax", "jaxlib", "sklearn", "keras", "cupy",
    "numba", "autograd", "mxnet", "paddle", "theano", "chainer", "skimage", "cv2",
    "kata", "grader", "tests", "solutions",
})

DEFAULT_TIMEOUT = 10.0  # seconds per call into the student's code, when grade() is given none

# The command line's per-call limits unless --timeout is given: for each function or method
# the tests call, TIMEOUT_FACTOR x LOAD_ALLOWANCE times the reference solution's slowest call
# of it, measured at the start of the same run (so slow but correct plain loops pass on a
# slow machine too), within these bounds (seconds). A call the reference never made gets the
# limit of the reference's slowest call overall.
#
# TIMEOUT_FACTOR is the promise: code up to 50x the reference's time is never cut off.
# LOAD_ALLOWANCE keeps it under load: the calibration grades the reference alone, then the
# batch grades --jobs submissions at once, maybe next to other work, and the same call takes
# longer (1.4-2.2x measured on a busy 2-core machine, issue #12.8). With it, the floor only
# applies where the reference takes under 10 ms: a 50x call there needs a 4x slowdown to reach it.
TIMEOUT_FACTOR = 50
LOAD_ALLOWANCE = 4
TIMEOUT_FLOOR = 2.0
TIMEOUT_CEILING = 60.0
CALIBRATION_TIMEOUT = 60.0  # per call while the reference is being timed
# After this many timed-out calls of one function or method, its remaining calls fail at
# once: correct code never times out, and an endless loop must not cost the batch one
# timeout per test (nor the submission's other functions their points).
MAX_TIMEOUTS = 3
MAX_FILE_BYTES = 1 << 20  # an exercise file larger than this is refused
OUTPUT_BYTES = 1 << 20  # characters of print() output kept per stream; the rest is dropped
# One reply from the worker (a returned value): at most this many bytes of .npy blobs in the
# frame, read only once its header has been checked, and at most this many bytes of arrays
# rebuilt from it (each blob may be referenced once). A quarter of the worker's own address
# space (RLIMIT_AS below): a forged reply cannot make the trusted side hold more than the
# worker could ever have computed.
REPLY_BYTES = 256 << 20
# Frames between the worker and the trusted side (protocol.py; the worker gets the first two).
MAX_HEADER = 1 << 20  # bytes of JSON per frame
MAX_BLOB = 64 << 20  # bytes per .npy blob
MAX_BLOBS = 64  # blobs per frame
MAX_ELEMENTS = 8 << 20  # elements per returned array
MAX_DEPTH = 4  # nesting of returned lists and tuples
MAX_ITEMS = 1000  # items per returned list or tuple

# Intake (submission.py): exercise files are looked for at most this many folders down
# (cnn-kata/exercises/conv.py is 2), among at most this many entries of a folder or zip.
SUBMISSION_DEPTH = 3
SUBMISSION_ENTRIES = 20_000

# The clocks of a grading run (seconds).
STARTUP_ALLOWANCE = 20.0  # a fresh worker's start (Python, numpy) before the per-call clock runs
COLLECT_BUDGET = 120.0  # collecting the hidden tests (about one second on an idle machine)
SUITE_BASE_SECONDS = 120.0  # one suite run: this, plus SUITE_CALLS_PER_TEST per-call limits per test
SUITE_CALLS_PER_TEST = 3
TEST_BACKSTOP_FACTOR = 6  # pytest-timeout per test: this many default per-call limits,
TEST_BACKSTOP_FLOOR = 60.0  # and at least this: a backstop, the per-call limits act first
# Gradescope and PrairieLearn give the autograder one deadline for everything: the one an
# instructor sets must lie in DEADLINE_BOUNDS (Gradescope allows up to 40 minutes).
DEADLINE_BOUNDS = (60.0, 2400.0)
MARGIN_SECONDS = 15  # kept back from the deadline to stop a pass and write the results
STOP_SECONDS = 10  # a stopped pass's time to clean up before SIGKILL
WRAP_UP_SECONDS = 10  # a pass ends its tests this long before its time is up, to score them

# resource.setrlimit names -> values, applied by the worker before any student code runs.
WORKER_LIMITS: dict[str, int] = {
    "RLIMIT_CPU": 600,  # seconds of CPU for the worker's whole life: a backstop behind the per-call timeout
    "RLIMIT_AS": 1 << 30,  # bytes of address space (not enforced on macOS)
    "RLIMIT_FSIZE": 2 << 20,  # bytes per written file: no layer writes files; the captures keep 1 MB of prints
    "RLIMIT_NOFILE": 32,
    "RLIMIT_NPROC": 0,  # no fork at all (counts per user; root is exempt, hence the user switch)
    "RLIMIT_CORE": 0,
}


def per_call_timeout(text: str) -> float:
    """argparse type of --timeout: seconds per call into a student's code, more than 0, at most an hour."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return seconds


def autograder_deadline(text: str) -> float:
    """argparse type of --deadline: seconds within DEADLINE_BOUNDS."""
    low, high = DEADLINE_BOUNDS
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not low <= seconds <= high:
        raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g} seconds "
                                         "(Gradescope allows up to 40 minutes)")
    return seconds


def suite_budget(tests: int, per_call: float) -> float:
    """Seconds one suite run of this many tests may take, with this default per-call limit."""
    return SUITE_BASE_SECONDS + tests * SUITE_CALLS_PER_TEST * per_call


def test_backstop(per_call: float) -> float:
    """pytest-timeout's limit per test, far behind the per-call limits."""
    return max(TEST_BACKSTOP_FLOOR, TEST_BACKSTOP_FACTOR * per_call)


def bounded(seconds: float) -> float:
    """A calibrated limit within [TIMEOUT_FLOOR, TIMEOUT_CEILING]."""
    return min(max(seconds, TIMEOUT_FLOOR), TIMEOUT_CEILING)


@dataclass(frozen=True)
class TimeLimits:
    """Seconds a call into the student's code may take: its function's own limit, else `default`.

    Functions are named as the proxy counts them: "softmax.py: softmax", "conv.py: backward"
    (the file, then the function or method called).
    """

    default: float
    per_function: dict[str, float] = field(default_factory=dict)

    def of(self, function: str) -> float:
        return self.per_function.get(function, self.default)

    @classmethod
    def calibrated(cls, reference_seconds: dict[str, float]) -> TimeLimits:
        """TIMEOUT_FACTOR x LOAD_ALLOWANCE times the reference's slowest call of each function (see above)."""
        factor = TIMEOUT_FACTOR * LOAD_ALLOWANCE
        slowest = max(reference_seconds.values(), default=0.0)
        return cls(bounded(factor * slowest),
                   {name: bounded(factor * seconds) for name, seconds in sorted(reference_seconds.items())})

    def describe(self) -> str:
        values = [self.default, *self.per_function.values()]
        low, high = min(values), max(values)
        return f"{low:.3g} s" if low == high else f"{low:.3g} to {high:.3g} s, by function"

    def to_json(self) -> str:
        return json.dumps({"default": self.default, "per_function": self.per_function})

    @classmethod
    def from_json(cls, text: str) -> TimeLimits:
        data = json.loads(text)
        return cls(float(data["default"]), {str(k): float(v) for k, v in data["per_function"].items()})
