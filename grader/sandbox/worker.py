"""The sandboxed worker: runs one student's code on behalf of the trusted test process.

UNTRUSTED SIDE. This file is copied, alone, next to the student's files into a fresh
temporary folder and started as

    python -I worker.py REQUEST_FD RESPONSE_FD CONFIG_JSON   ({"banned": [...], "limits": {...}})

with a scrubbed environment, in its own session, as an unprivileged user when the grader
runs as root. It imports only the standard library and numpy (never kata/ or grader/):
whatever the student's code does here, it can only change what this process answers, and
the trusted side checks every answer.

Wire format (mirrored by grader/trusted/protocol.py), on two dedicated pipes, never on
stdout/stderr (those are the student's, captured to files and never parsed):

    frame   = uint32 big-endian header length | header (UTF-8 JSON) | blob bytes...
    header  = {..., "blobs": [n_bytes, ...]}   each blob is one .npy file (no pickles)
    value   = null | bool | int | float | str
            | {"list": [value, ...]} | {"tuple": [value, ...]}
            | {"array": blob_index} | {"scalar": blob_index}   (a 0-d .npy: a NumPy scalar)
            | {"handle": n, "class": "Conv"}                   (an object living here)
            | {"generator": PCG64 state}                       (an argument: np.random.default_rng)

Once started (numpy imported, limits applied, no student code run yet) the worker sends
{"ready": true}. Requests: {"op": "import" | "lookup" | "construct" | "call" | "getattr" |
"call_method" | "setattr", ...}. Responses: {"ok": true, "value": value} or {"ok": false,
"kind": "missing" | "student" | "rejected" | "mutated", "message": str, ...}.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import io
import json
import os
import resource
import signal
import struct
import sys
import traceback

np = None  # numpy, imported by main() from the folder the trusted side names

# Filled from the trusted side's policy at start (argv): packages a student may not import.
BANNED: frozenset[str] = frozenset()
# Results cross as exact ndarrays of these kinds: bool, signed, unsigned, float.
ARRAY_KINDS = "biuf"
MAX_HEADER = 0  # bytes of a request's JSON header and of one .npy blob: from the policy at start
MAX_BLOB = 0
SCALAR_TYPES: tuple[type, ...] = ()


def scalar_types() -> tuple[type, ...]:
    """NumPy's scalar types that cross as 0-d .npy (exact types only, no subclasses)."""
    return (np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
            np.uint64, np.uint32, np.uint16, np.uint8, np.bool_)


class Rejected(Exception):
    """A result the trusted side must never see: not a plain number or an exact ndarray."""


class BannedImport(ImportError):
    pass


class ImportBlocker(importlib.abc.MetaPathFinder):
    """Refuses banned top-level packages however they are imported (importlib, __import__).

    Each attempt is also reported to the trusted side with the student's file that made it
    (`violations`), which scores that file 0 as the static scan would have.
    """

    def __init__(self, folder: str):
        self.folder = folder
        self.violations: list[list[str]] = []  # [file name, module], sent with the next reply

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] not in BANNED:
            return None
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if os.path.dirname(filename) == self.folder and not filename.endswith("worker.py"):
                self.violations.append([os.path.basename(filename), fullname])
                break
            frame = frame.f_back
        raise BannedImport(f"import of {fullname!r} is not allowed in a submission")


# ---------------------------------------------------------------- framing


def read_exact(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the grader closed the request pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> tuple[dict, list[bytes]]:
    (size,) = struct.unpack(">I", read_exact(fd, 4))
    if size > MAX_HEADER:
        raise ValueError("request header too large")
    header = json.loads(read_exact(fd, size))
    blobs = [read_exact(fd, int(n)) for n in header.get("blobs", [])]
    return header, blobs


def write_frame(fd: int, header: dict, blobs: list[bytes]) -> None:
    header = dict(header, blobs=[len(b) for b in blobs])
    data = json.dumps(header).encode()
    payload = struct.pack(">I", len(data)) + data + b"".join(blobs)
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def npy_bytes(array) -> bytes:
    if array.nbytes > MAX_BLOB - 4096:  # room for the .npy header
        raise Rejected(f"an array of {array.nbytes} bytes (more than the {MAX_BLOB >> 20} MB allowed)")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def encode(value, blobs: list[bytes], depth: int = 0):
    """A JSON tree for a student's result; Rejected for anything but plain values."""
    kind = type(value)  # exact types only: subclasses may lie in __eq__ and friends
    if depth > 4:
        raise Rejected("a result nested more than 4 levels deep")
    if value is None or kind in (bool, int, float, str):
        return value
    if kind in SCALAR_TYPES:
        blobs.append(npy_bytes(np.asarray(value)))
        return {"scalar": len(blobs) - 1}
    if kind is np.ndarray:
        if value.dtype.kind not in ARRAY_KINDS or value.dtype.fields is not None:
            raise Rejected(f"an array of dtype {value.dtype}")
        blobs.append(npy_bytes(value))
        return {"array": len(blobs) - 1}
    if kind in (list, tuple):
        if len(value) > 1000:
            raise Rejected(f"a {kind.__name__} of {len(value)} items")
        return {kind.__name__: [encode(item, blobs, depth + 1) for item in value]}
    raise Rejected(kind.__name__)


@functools.lru_cache(maxsize=256)
def npy_layout(header: bytes):
    """(shape, fortran_order, dtype) of a .npy header, by numpy's parser, cached: the same
    few shapes arrive thousands of times, and numpy parses each header with literal_eval."""
    stream = io.BytesIO(header)
    np.lib.format.read_magic(stream)
    return np.lib.format.read_array_header_1_0(stream)


def load_npy(blob: bytes):
    """np.load(allow_pickle=False) of one of the trusted side's .npy blobs."""
    if blob[6:7] != b"\x01":  # not version 1.0 (a header too long for it): numpy's own reader
        return np.load(io.BytesIO(blob), allow_pickle=False)
    start = 10 + int.from_bytes(blob[8:10], "little")
    shape, fortran_order, dtype = npy_layout(bytes(blob[:start]))
    flat = np.frombuffer(blob, dtype=dtype, offset=start)
    return flat.reshape(shape, order="F" if fortran_order else "C").copy()  # writable, as np.load's


def decode(tree, blobs: list[bytes], objects: dict[int, object]):
    """Arguments from the trusted side (trusted: no validation needed here)."""
    if isinstance(tree, dict):
        if "array" in tree:
            return load_npy(blobs[tree["array"]])
        if "scalar" in tree:
            return load_npy(blobs[tree["scalar"]])[()]
        if "generator" in tree:
            bit_generator = np.random.PCG64()
            bit_generator.state = tree["generator"]
            return np.random.Generator(bit_generator)
        if "handle" in tree:
            return objects[tree["handle"]]
        if "list" in tree:
            return [decode(item, blobs, objects) for item in tree["list"]]
        return tuple(decode(item, blobs, objects) for item in tree["tuple"])
    return tree


# ---------------------------------------------------------------- the student's code


class Missing(Exception):
    """A file or a name the tests need is not there."""


class Mutated(Exception):
    """The student's call changed one of its array arguments in place."""


class Raw:
    """A reply tree made here (a handle, a method marker), not a student's value to encode."""

    def __init__(self, tree: dict):
        self.tree = tree


def student_trace(error: BaseException, folder: str) -> list[str]:
    """The traceback lines that point into the student's own files (nothing of ours)."""
    lines = []
    for frame in traceback.extract_tb(error.__traceback__):
        filename = frame.filename
        if os.path.isabs(filename) and os.path.dirname(filename) == folder and not filename.endswith("worker.py"):
            lines.append(f'{os.path.basename(filename)}, line {frame.lineno}, in {frame.name}: {frame.line}')
    return lines[-5:]


class Worker:
    def __init__(self, folder: str):
        self.folder = folder
        self.modules: dict[str, object] = {}
        self.objects: dict[int, object] = {}

    def module(self, name: str):
        if name in self.modules:
            return self.modules[name]
        path = os.path.join(self.folder, f"{name}.py")
        if not name.isidentifier() or not os.path.isfile(path):
            raise Missing(f"{name}.py not found: the submission has no {name}.py")
        if name in sys.modules:  # imported already by another of the student's files
            module = sys.modules[name]
        else:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
        self.modules[name] = module
        return module

    def attribute(self, owner, name: str, label: str):
        try:
            return getattr(owner, name)
        except AttributeError:
            raise Missing(f"{label} has no attribute {name!r}") from None

    def call(self, function, args: list, kwargs: dict):
        """Call, then refuse the result if the call changed an array argument in place."""
        originals = [a.copy() if type(a) is np.ndarray else None for a in args]
        original_kwargs = {k: v.copy() for k, v in kwargs.items() if type(v) is np.ndarray}
        result = function(*args, **kwargs)
        pairs = [(f"argument {n + 1}", a, b) for n, (a, b) in enumerate(zip(args, originals))]
        pairs += [(f"argument {k}=", kwargs[k], v) for k, v in original_kwargs.items()]
        for what, after, before in pairs:
            if before is not None and not np.array_equal(after, before, equal_nan=True):
                raise Mutated(what)  # the trusted side words it (kata.judge.student.mutation_message)
        return result

    def handle(self, request: dict, blobs: list[bytes]):
        op = request["op"]
        args = [decode(a, blobs, self.objects) for a in request.get("args", [])]
        kwargs = {k: decode(v, blobs, self.objects) for k, v in request.get("kwargs", {}).items()}
        if op == "import":
            self.module(request["module"])
            return None
        if op in ("lookup", "construct", "call"):
            module = self.module(request["module"])
            label = f"{request['module']}.py"
            target = self.attribute(module, request["name"], label)
            if op == "lookup":
                return Raw({"kind": "class" if isinstance(target, type) else "function" if callable(target) else "value"})
            result = self.call(target, args, kwargs)
            if op == "construct":
                number = len(self.objects) + 1
                self.objects[number] = result
                return Raw({"handle": number, "class": type(result).__name__})
            return result
        instance = self.objects[request["handle"]]
        label = f"{type(instance).__name__}"
        if op == "getattr":
            value = self.attribute(instance, request["name"], f"{label} object")
            return Raw({"method": True}) if callable(value) and type(value) is not np.ndarray else value
        if op == "call_method":
            method = self.attribute(instance, request["name"], f"{label} object")
            return self.call(method, args, kwargs)
        if op == "setattr":
            setattr(instance, request["name"], args[0])
            return None
        raise ValueError(f"unknown op {op!r}")


def serve(worker: Worker, blocker: ImportBlocker, request_fd: int, response_fd: int) -> None:
    while True:
        try:
            request, blobs = read_frame(request_fd)
        except EOFError:
            return
        out: list[bytes] = []
        try:
            result = worker.handle(request, blobs)
            tree = result.tree if type(result) is Raw else encode(result, out)
            response = {"ok": True, "value": tree}
        except Missing as error:
            response, out = {"ok": False, "kind": "missing", "message": str(error)}, []
        except Mutated as error:
            response, out = {"ok": False, "kind": "mutated", "argument": str(error)}, []
        except Rejected as error:
            response, out = {"ok": False, "kind": "rejected", "type": str(error)}, []
        except BaseException as error:  # the student's code raised (SystemExit included)
            response, out = {"ok": False, "kind": "student", "type": type(error).__name__,
                             "message": safe_str(error)[:2000],
                             "trace": student_trace(error, worker.folder)}, []
        if blocker.violations:
            response["banned"], blocker.violations = blocker.violations[:20], []
        write_frame(response_fd, response, out)


def safe_str(error: BaseException) -> str:
    try:
        text = str(error)
        return text if type(text) is str else ""
    except BaseException:
        return "(the exception's message could not be shown)"


class BoundedOutput(io.TextIOBase):
    """sys.stdout/stderr for the student: the first `budget` characters reach the capture
    file, the rest is dropped (stray prints must never cost points, nor fill a disk)."""

    def __init__(self, stream, budget: int):
        self.stream, self.budget = stream, budget

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.budget > 0:
            kept = str(text)[: self.budget]
            self.budget -= len(kept)
            try:
                self.stream.write(kept)
            except (OSError, ValueError):
                self.budget = 0
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except (OSError, ValueError):
            pass


def bound_output(budget: int) -> None:
    """Bound print() output; direct writes to fd 1/2 past RLIMIT_FSIZE fail (EFBIG), not kill."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sys.stdout = sys.__stdout__ = BoundedOutput(sys.stdout, budget)
    sys.stderr = sys.__stderr__ = BoundedOutput(sys.stderr, budget)


def apply_limits(limits: dict) -> None:
    """Resource limits for everything the student's code does from now on (Linux, macOS)."""
    for name, value in limits.items():
        number = getattr(resource, name, None)
        if number is None:
            continue  # e.g. RLIMIT_AS does not exist everywhere
        try:
            _, hard = resource.getrlimit(number)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(number, (value, value))
        except (ValueError, OSError):
            pass  # a platform that refuses the limit (macOS and RLIMIT_AS): the README says so


def main() -> None:
    global BANNED, MAX_BLOB, MAX_HEADER, SCALAR_TYPES, np
    request_fd, response_fd = int(sys.argv[1]), int(sys.argv[2])
    config = json.loads(sys.argv[3])
    BANNED = frozenset(config["banned"])
    MAX_HEADER, MAX_BLOB = int(config["max_header"]), int(config["max_blob"])
    # The interpreter may be a system Python of the same version as the grader's (one the
    # unprivileged user can run), so numpy comes from the folder the trusted side names.
    sys.path.insert(0, config["numpy_path"])
    import numpy as np
    SCALAR_TYPES = scalar_types()
    folder = os.path.dirname(os.path.abspath(__file__))
    # Only the standard library and this folder: site-packages (numpy is loaded already)
    # leaves sys.path, and the blocker refuses banned packages even by computed names.
    sys.path[:] = [folder] + [p for p in sys.path if "site-packages" not in p and "dist-packages" not in p]
    for name in list(sys.modules):
        if name.partition(".")[0] in BANNED:  # nothing banned stays reachable through sys.modules
            del sys.modules[name]
    blocker = ImportBlocker(folder)
    sys.meta_path.insert(0, blocker)
    sys.dont_write_bytecode = True
    bound_output(config["output_bytes"])
    apply_limits(config["limits"])
    write_frame(response_fd, {"ready": True}, [])  # the per-call clock starts after this
    serve(Worker(folder), blocker, request_fd, response_fd)
    os._exit(0)


if __name__ == "__main__":
    main()
