"""The trusted side of the wire to the sandboxed worker (mirror of grader/sandbox/worker.py).

Frames: uint32 big-endian header length, a UTF-8 JSON header, then the blobs it lists
(each one .npy file). Everything read from the worker is untrusted: every read is bounded
(header size, blob count and size, total bytes: the header is checked before any blob is
read), .npy blobs load with allow_pickle=False, each blob is rebuilt at most once (a reply
that references one blob many times is refused, so decoding never amplifies what was sent),
the arrays rebuilt from one reply total at most policy.REPLY_BYTES, and every value is
re-validated here (exact np.ndarray of a numeric dtype and bounded
size, exact int/float/bool/None, lists and tuples of those), whatever the worker claims.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import select
import struct
import time
from typing import Any

import numpy as np

from grader.trusted import policy
from grader.trusted.policy import MAX_BLOB, MAX_BLOBS, MAX_DEPTH, MAX_ELEMENTS, MAX_HEADER, MAX_ITEMS
ALLOWED_KINDS = "biuf"  # bool, int, unsigned, float: what numeric code returns


class StudentError(AssertionError):
    """The student's code failed (raised, returned a refused value, changed its input).

    An AssertionError, so a test reports it as a failed check with this message.
    """


class WorkerGone(Exception):
    """The worker stopped answering: it died, closed its pipe or sent garbage."""


class WorkerTimeout(Exception):
    """The worker did not answer within the per-call timeout."""


# ---------------------------------------------------------------- framing


class FrameReader:
    """Frames from the worker's pipe. It reads whatever is ready, up to 1 MB at a time, so a
    small frame costs one wait and one read, not one of each per field."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = bytearray()

    def _take(self, n: int, deadline: float) -> bytes:
        while len(self.buffer) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                raise WorkerTimeout()
            chunk = os.read(self.fd, max(n - len(self.buffer), 1 << 20))
            if not chunk:
                raise WorkerGone("the worker closed its pipe")
            self.buffer += chunk
        taken = bytes(self.buffer[:n])
        del self.buffer[:n]
        return taken

    def frame(self, deadline: float) -> tuple[dict, list[bytes]]:
        """One frame from the worker, within the deadline and the size limits."""
        (size,) = struct.unpack(">I", self._take(4, deadline))
        if size > MAX_HEADER:
            raise WorkerGone(f"the worker sent a {size}-byte header")
        try:
            header = json.loads(self._take(size, deadline))
        except (ValueError, RecursionError) as error:
            raise WorkerGone(f"the worker sent an unreadable header ({error})") from None
        sizes = header.get("blobs", []) if type(header) is dict else None
        if type(sizes) is not list or len(sizes) > MAX_BLOBS or any(type(n) is not int or not 0 <= n <= MAX_BLOB for n in sizes):
            raise WorkerGone("the worker sent an invalid blob list")
        if sum(sizes) > policy.REPLY_BYTES:  # checked before a byte of them is buffered
            raise WorkerGone(f"the worker announced {sum(sizes)} bytes of arrays in one reply "
                             f"(more than the {policy.REPLY_BYTES >> 20} MB allowed)")
        return header, [self._take(n, deadline) for n in sizes]


def write_frame(fd: int, header: dict, blobs: list[bytes], deadline: float) -> None:
    """Send one frame on a non-blocking fd: a worker that stops reading cannot block us."""
    data = json.dumps(dict(header, blobs=[len(b) for b in blobs]), allow_nan=True).encode()
    view = memoryview(struct.pack(">I", len(data)) + data + b"".join(blobs))
    try:
        while view:
            try:
                view = view[os.write(fd, view):]  # fd is non-blocking: writes what fits
                continue
            except BlockingIOError:  # the pipe is full: wait until the worker reads, or the deadline
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
                raise WorkerTimeout()
    except OSError as error:  # BrokenPipeError: the worker has exited
        raise WorkerGone(f"the worker is gone ({error})") from None


# ---------------------------------------------------------------- values


def encode(value: Any, blobs: list[bytes]) -> Any:
    """Test-side arguments as a JSON tree plus .npy blobs (see worker.py for the format)."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.ndarray):
        blobs.append(_npy(np.asarray(value)))
        return {"array": len(blobs) - 1}
    if isinstance(value, np.generic):
        blobs.append(_npy(np.asarray(value)))
        return {"scalar": len(blobs) - 1}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__ if type(value) in (list, tuple) else "list": [encode(v, blobs) for v in value]}
    if type(value) is np.random.Generator and type(value.bit_generator) is np.random.PCG64:
        # A seeded generator crosses as its state: the worker draws the same numbers.
        return {"generator": value.bit_generator.state}
    if hasattr(value, "_sandbox_handle"):  # an object of the student's living in the worker
        return {"handle": value._sandbox_handle}
    raise TypeError(
        f"cannot send a {type(value).__name__} to the sandboxed worker: tests may pass arrays, "
        "numbers, strings, None, np.random.default_rng() generators, lists and tuples of these"
    )


def _npy(array: np.ndarray) -> bytes:
    """np.save(allow_pickle=False) of one array, its header made once per dtype and shape."""
    if array.dtype.hasobject:
        raise TypeError("cannot send an array of Python objects to the sandboxed worker")
    return _npy_header_bytes(np.lib.format.dtype_to_descr(array.dtype), array.shape) + array.tobytes()  # C order


@functools.lru_cache(maxsize=256)
def _npy_header_bytes(descr: str, shape: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def load_array(blob: bytes, what: str) -> np.ndarray:
    """A .npy blob as an exact ndarray of an allowed dtype and size, or StudentError."""
    try:
        array = _read_npy(blob)
    except Exception as error:  # ValueError for pickled (object) arrays, others for garbage
        raise StudentError(f"{what} returned data that is not a plain numeric array ({error})") from None
    return validate_array(array, what)


NPY_MAGIC = b"\x93NUMPY"


@functools.lru_cache(maxsize=256)
def _npy_header(header: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) of a .npy header, by numpy's own parser.

    Cached: the same few shapes cross thousands of times per submission, and numpy parses
    every header with ast.literal_eval (as costly as the rest of a small call's round trip).
    """
    stream = io.BytesIO(header)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    return np.lib.format.read_array_header_2_0(stream)


def _read_npy(blob: bytes) -> np.ndarray:
    """np.load(allow_pickle=False) of one .npy blob, header parsing cached (see _npy_header)."""
    if blob[:6] != NPY_MAGIC or len(blob) < 10:
        raise ValueError("not a .npy file")
    size_bytes = 2 if blob[6] == 1 else 4  # version 1 stores the header's length in 2 bytes, later ones in 4
    start = 8 + size_bytes + int.from_bytes(blob[8:8 + size_bytes], "little")
    shape, fortran_order, dtype = _npy_header(bytes(blob[:start]))
    if dtype.hasobject:
        raise ValueError("an object array cannot be loaded without pickles")
    count = math.prod(shape)
    if len(blob) - start != count * dtype.itemsize:
        raise ValueError(f"{len(blob) - start} data bytes for shape {shape} of {dtype}")
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=start)
    return flat.reshape(shape, order="F" if fortran_order else "C").copy()  # writable, C order


def validate_array(array: Any, what: str) -> np.ndarray:
    if type(array) is not np.ndarray:
        raise StudentError(f"{what} returned {type(array).__name__}, expected numpy.ndarray")
    if array.dtype.kind not in ALLOWED_KINDS or array.dtype.fields is not None:
        raise StudentError(f"{what} returned an array of dtype {array.dtype}, expected a numeric dtype (float64)")
    if array.size > MAX_ELEMENTS:
        raise StudentError(f"{what} returned an array of {array.size} values, more than the {MAX_ELEMENTS} allowed")
    return array


def decode(tree: Any, blobs: list[bytes], what: str) -> Any:
    """Rebuild a returned value from the worker, refusing anything but plain values.

    Each blob is rebuilt at most once and the rebuilt arrays total at most
    policy.REPLY_BYTES: a forged tree cannot turn one blob into many copies.
    """
    return _decode(tree, blobs, what, 0, _Budget())


class _Budget:
    """What one reply's decoding has used: the blobs already rebuilt, the bytes allocated."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.bytes = 0

    def take(self, index: int, blob: bytes, what: str) -> None:
        if index in self.used:
            raise StudentError(f"{what}: the process running your code sent a reply that references one array "
                               "more than once (an invalid reply)")
        self.used.add(index)
        self.bytes += len(blob)
        if self.bytes > policy.REPLY_BYTES:
            raise StudentError(f"{what} returned more than {policy.REPLY_BYTES >> 20} MB of arrays")


def _decode(tree: Any, blobs: list[bytes], what: str, depth: int, budget: _Budget) -> Any:
    if depth > MAX_DEPTH:
        raise StudentError(f"{what} returned a value nested more than {MAX_DEPTH} levels deep")
    if tree is None or type(tree) in (bool, int, float):
        return tree
    if type(tree) is dict and len(tree) == 1:
        (key, item), = tree.items()
        if key in ("array", "scalar") and type(item) is int and 0 <= item < len(blobs):
            budget.take(item, blobs[item], what)  # before the copy is made
            array = load_array(blobs[item], what)
            if key == "array":
                return array
            if array.shape != ():
                raise StudentError(f"{what} returned a malformed scalar")
            return array[()]
        if key in ("list", "tuple") and type(item) is list and len(item) <= MAX_ITEMS:
            items = [_decode(v, blobs, what, depth + 1, budget) for v in item]
            return items if key == "list" else tuple(items)
    raise StudentError(f"{what} returned {_describe(tree)}, expected numpy.ndarray or a number")


def _describe(tree: Any) -> str:
    return "a string" if type(tree) is str else f"an unsupported value ({type(tree).__name__})"
