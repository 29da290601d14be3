"""What a submission may use and how much: the one place for the grader's limits.

The worker receives these values at start (it imports nothing of ours), and the static
scan (grader/trusted/scan.py) uses the same list of banned packages.
"""

from __future__ import annotations

# Packages a submission may not import: libraries that compute the answer (the oracles
# themselves, autodiff) and the repository's own code. Ways out of the worker (fork,
# exec) are closed by its resource limits instead, so they need no entry here.
BANNED_MODULES: frozenset[str] = frozenset({
    "scipy", "torch", "torchvision", "tensorflow", "jax", "jaxlib", "sklearn", "keras", "cupy",
    "numba", "autograd", "mxnet", "paddle", "theano", "chainer", "skimage", "cv2",
    "kata", "grader", "tests", "solutions",
})

DEFAULT_TIMEOUT = 10.0  # seconds per call into the student's code, when grade() is given none

# The command line's per-call limit unless --timeout is given: TIMEOUT_FACTOR times the
# reference solution's slowest call, measured at the start of the same run (so slow but
# correct plain loops pass on a slow or busy machine too), within these bounds (seconds).
TIMEOUT_FACTOR = 50
TIMEOUT_FLOOR = 2.0
TIMEOUT_CEILING = 60.0
CALIBRATION_TIMEOUT = 60.0  # per call while the reference is being timed
# After this many timed-out calls of one function or method, its remaining calls fail at
# once: correct code never times out, and an endless loop must not cost the batch one
# timeout per test (nor the submission's other functions their points).
MAX_TIMEOUTS = 3
MAX_FILE_BYTES = 1 << 20  # an exercise file larger than this is refused
OUTPUT_BYTES = 1 << 20  # characters of print() output kept per stream; the rest is dropped

# resource.setrlimit names -> values, applied by the worker before any student code runs.
WORKER_LIMITS: dict[str, int] = {
    "RLIMIT_CPU": 600,  # seconds of CPU for the worker's whole life: a backstop behind the per-call timeout
    "RLIMIT_AS": 1 << 30,  # bytes of address space (not enforced on macOS)
    "RLIMIT_FSIZE": 16 << 20,  # bytes per written file, stdout/stderr captures included
    "RLIMIT_NOFILE": 32,
    "RLIMIT_NPROC": 0,  # no fork at all (counts per user; root is exempt, hence the user switch)
    "RLIMIT_CORE": 0,
}
