"""Issue #16.5: a forged reply cannot make the trusted side decode more than it was sent.

The frames are forged here and fed to the trusted side's reader and decoder directly (no
worker), and the memory they cost is measured with tracemalloc.
"""

from __future__ import annotations

import json
import os
import struct
import time
import tracemalloc

import numpy as np
import pytest

from grader.trusted import policy, protocol
from grader.trusted.protocol import FrameReader, StudentError, WorkerGone, decode

MB = 1 << 20


def npy(array: np.ndarray) -> bytes:
    return protocol._npy(array)


def forged(header: dict, body: bytes = b"") -> bytes:
    data = json.dumps(header).encode()
    return struct.pack(">I", len(data)) + data + body


def read_one(frame: bytes) -> tuple[dict, list[bytes]]:
    """The trusted reader's view of these bytes, written to a pipe then closed."""
    read_fd, write_fd = os.pipe()
    try:
        os.set_blocking(write_fd, False)
        written = 0
        try:
            written = os.write(write_fd, frame)
        except BlockingIOError:
            pass
        assert written == len(frame), "the forged frame must fit in the pipe"
        os.close(write_fd)
        write_fd = -1
        return FrameReader(read_fd).frame(time.monotonic() + 5)
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)


def test_one_blob_referenced_many_times_is_refused_after_one_copy():
    blob = npy(np.zeros(4 * MB // 8))  # 4 MB of float64
    tree = {"tuple": [{"array": 0}] * 56}
    tracemalloc.start()
    try:
        with pytest.raises(StudentError, match="references one array more than once"):
            decode(tree, [blob], "forged()")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(blob), f"decoding peaked at {peak} bytes for a {len(blob)}-byte blob"


def test_eighty_thousand_references_in_a_header_are_refused_at_once():
    blob = npy(np.zeros(1000))
    tree = {"list": [{"list": [{"array": 0}] * 1000}] * 80}
    started = time.monotonic()
    with pytest.raises(StudentError, match="more than once"):
        decode(tree, [blob], "forged()")
    assert time.monotonic() - started < 1.0


def test_decoded_bytes_per_reply_are_bounded(monkeypatch):
    monkeypatch.setattr(policy, "REPLY_BYTES", 3000)
    blobs = [npy(np.zeros(100)) for _ in range(5)]  # 928 bytes each
    assert len(decode({"list": [{"array": i} for i in range(3)]}, blobs, "f()")) == 3
    with pytest.raises(StudentError, match="more than 0 MB of arrays"):
        decode({"list": [{"array": i} for i in range(5)]}, blobs, "f()")


def test_honest_replies_still_decode():
    a, b = np.arange(6.0).reshape(2, 3), np.float64(2.5)
    blobs: list[bytes] = []
    tree = protocol.encode((a, [b, 3, None]), blobs)
    got = decode(tree, blobs, "f()")
    assert type(got) is tuple and np.array_equal(got[0], a) and got[1][0] == 2.5 and got[1][1:] == [3, None]
    header, read = read_one(forged({"value": tree, "blobs": [len(x) for x in blobs]}, b"".join(blobs)))
    assert read == blobs and header["value"] == json.loads(json.dumps(tree))


def test_a_frame_announcing_more_than_the_reply_budget_is_refused_before_any_blob_is_read():
    """64 blobs of 64 MB announced, none sent: the reader refuses the header at once
    (it neither waits for the blobs nor buffers them)."""
    sizes = [protocol.MAX_BLOB] * protocol.MAX_BLOBS
    assert sum(sizes) > policy.REPLY_BYTES
    started = time.monotonic()
    with pytest.raises(WorkerGone, match="more than the 256 MB allowed"):
        read_one(forged({"value": None, "blobs": sizes}))
    assert time.monotonic() - started < 1.0


def test_the_reply_budget_lives_in_the_policy():
    assert policy.REPLY_BYTES <= policy.WORKER_LIMITS["RLIMIT_AS"]
    assert policy.REPLY_BYTES >= protocol.MAX_BLOB  # one array of the largest allowed size still crosses
