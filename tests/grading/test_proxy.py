"""The sandboxed transport refuses every value that is not plain data, whatever the worker says."""

from __future__ import annotations

import io
import pickle
import time

import numpy as np
import pytest

from kata.judge.checks import assert_close
from kata.judge.student import ImplementationError

from grader.trusted import policy, protocol
from grader.trusted.protocol import StudentError, decode
from grader.trusted.policy import STARTUP_ALLOWANCE
from grader.trusted.proxy import SandboxStudent

TRICKS = b'''
import importlib
import os
import numpy as np


class MyArray(np.ndarray):
    def __eq__(self, other):
        return True


class MyFloat(np.float64):
    pass


class Thing:
    def __init__(self, size):
        self.size = size
        self.values = np.arange(size, dtype=float)

    def double(self, x):
        return 2 * x


def identity(x):
    return x


def draw(rng):
    return rng.standard_normal(3)


def subclass(n):
    return np.zeros(n).view(MyArray)


def scalar_subclass():
    return MyFloat(1.0)


def an_object():
    return Thing(3)


def typed(dtype):
    return np.zeros(3, dtype=dtype)


def structured():
    return np.zeros(3, dtype=[("a", float), ("b", int)])


def mutate(x):
    x[0] = 99.0
    return x


def too_short(x):
    return x[:1]


def loop_forever():
    while True:
        pass


def leave():
    os._exit(0)


def fail():
    return helper()


def helper():
    raise ValueError("bad shape (3, 4)")


def banned(name):
    return importlib.import_module(name)


def chatty(x):
    print("x" * (8 << 20))
    return x


def bad_pickle():
    return pickle_me


class Payload:
    def __reduce__(self):
        return (os.system, ("true",))


pickle_me = np.array([Payload()], dtype=object)
'''


@pytest.fixture(scope="module")
def tricks(tmp_path_factory):
    student = SandboxStudent({"tricks.py": TRICKS}, tmp_path_factory.mktemp("scratch"), policy.TimeLimits(2))
    yield student
    student.close()


@pytest.fixture
def module(tricks):
    return tricks.module("tricks")


def test_plain_values_cross_unchanged(module):
    x = np.arange(6.0).reshape(2, 3)
    got = module.identity(x)
    assert type(got) is np.ndarray and got.dtype == np.float64 and np.array_equal(got, x)
    assert module.identity((1, 2.5, None, [True])) == (1, 2.5, None, [True])
    assert type(module.identity(np.float64(2.0))) is np.float64
    for view in (x.T, x[:, ::2], np.asfortranarray(x), x.astype(">f8")):  # layouts and byte orders
        assert np.array_equal(module.identity(view), view)


def test_objects_live_in_the_worker(module):
    thing = module.Thing(4)
    assert thing.size == 4 and np.array_equal(thing.values, np.arange(4.0))
    thing.values = np.ones(2)
    assert np.array_equal(thing.double(thing.values), [2.0, 2.0])


def test_an_object_of_a_restarted_worker_is_lost_even_when_its_method_is_known(module):
    old = module.Thing(2)
    assert np.array_equal(old.double(np.ones(1)), [2.0])  # from now on `double` is known to be a method
    with pytest.raises(StudentError, match="ended the process"):
        module.leave()
    with pytest.raises(StudentError, match="this Thing object was lost"):
        old.double(np.ones(1))
    new = module.Thing(2)  # the new worker numbers its objects from 1 again
    assert np.array_equal(new.double(np.ones(1)), [2.0])


@pytest.mark.parametrize("call, refused", [
    (lambda m: m.subclass(3), "returned MyArray, expected numpy.ndarray"),
    (lambda m: m.scalar_subclass(), "returned MyFloat, expected numpy.ndarray"),
    (lambda m: m.an_object(), "returned Thing, expected numpy.ndarray"),
    (lambda m: m.typed("complex128"), "dtype complex128"),
    (lambda m: m.typed("U3"), "dtype <U3"),
    (lambda m: m.typed("object"), "dtype object"),
    (lambda m: m.structured(), "dtype"),
    (lambda m: m.bad_pickle(), "dtype object"),
])
def test_refuses_what_is_not_plain_data(module, call, refused):
    with pytest.raises(StudentError, match=refused.replace("(", r"\(").replace(")", r"\)")):
        call(module)


def test_wrong_shape_never_passes_by_broadcasting(module):
    got = module.too_short(np.ones(3))
    with pytest.raises(AssertionError, match=r"shape \(1,\), expected \(3,\)"):
        assert_close(got, np.ones(3), "too_short(x)", "np.ones")


def test_oversized_arrays_are_refused(module, monkeypatch):
    monkeypatch.setattr(protocol, "MAX_ELEMENTS", 10)
    with pytest.raises(StudentError, match="more than the 10 allowed"):
        module.identity(np.zeros(11))


def test_in_place_changes_are_reported(module):
    with pytest.raises(StudentError, match=r"mutate\(\) modified its argument 1 in place"):
        module.mutate(np.zeros(3))


def test_student_errors_show_only_the_students_lines(module):
    with pytest.raises(StudentError) as failure:
        module.fail()
    message = str(failure.value)
    assert "fail() raised ValueError: bad shape (3, 4)" in message
    assert "tricks.py, line" in message and "worker.py" not in message


@pytest.mark.parametrize("name", ["scipy", "sci" + "py.signal", "kata", "grader.trusted"])
def test_banned_packages_cannot_be_imported(tricks, module, name):
    with pytest.raises(StudentError, match="not allowed"):
        module.banned(name)
    assert "tricks.py" in tricks.violations  # the grader scores the file 0 for trying


def test_floods_of_prints_cost_nothing(module):
    assert module.chatty(3) == 3


def test_missing_names_are_implementation_errors(tricks, module):
    with pytest.raises(ImplementationError, match="no nope"):
        module.nope()
    with pytest.raises(ImplementationError, match="no absent.py"):
        tricks.module("absent")


def test_timeout_kills_the_worker_and_the_next_call_works(module):
    with pytest.raises(StudentError, match="timed out after 2 s"):
        module.loop_forever()
    assert module.identity(1) == 1


def test_a_function_is_skipped_after_too_many_timeouts(tmp_path):
    student = SandboxStudent({"tricks.py": TRICKS}, tmp_path, policy.TimeLimits(0.5))
    try:
        module = student.module("tricks")
        began = time.monotonic()
        for _ in range(policy.MAX_TIMEOUTS):
            with pytest.raises(StudentError, match="timed out"):
                module.loop_forever()
        # Each call after a restart had the worker's start-up allowance added to its limit, once.
        assert time.monotonic() - began < STARTUP_ALLOWANCE, "a restarted worker's first call got more than its limit"
        with pytest.raises(StudentError, match=r"was not run: earlier calls \(tricks.py: loop_forever\) timed out"):
            module.loop_forever()
        assert module.identity(1) == 1  # counted per function: the others still run
    finally:
        student.close()


def test_exit_is_a_failure_not_a_pass(module):
    with pytest.raises(StudentError, match=r"ended the process running your code \(exit code 0\)"):
        module.leave()
    assert module.identity(2) == 2


def pickled_npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


@pytest.mark.parametrize("array", [np.arange(12.0).reshape(3, 4), np.asfortranarray(np.arange(12).reshape(3, 4)),
                                   np.float64(2.5), np.zeros((0, 3)), np.array([True, False])],
                         ids=["C order", "Fortran order", "0-d", "empty", "bool"])
def test_returned_arrays_read_back_exactly_and_writable(array):
    got = decode({"array": 0}, [npy(np.asarray(array))], "f()")
    assert type(got) is np.ndarray and got.dtype == np.asarray(array).dtype and got.flags.writeable
    assert np.array_equal(got, array) and got.shape == np.shape(array)


@pytest.mark.parametrize("tree, blobs", [
    ({"array": 0}, [pickled_npy()]),
    ({"array": 0}, [pickle.dumps(np.zeros(3))]),
    ({"array": 0}, [npy(np.zeros(4))[:-8]]),  # fewer data bytes than the header's shape needs
    ({"array": 0}, [npy(np.zeros(4)) + b"\0" * 8]),  # more
    ({"array": 3}, []),
    ({"scalar": 0}, [np.lib.format.magic(1, 0) + b"garbage"]),
    ("a string", []),
    ({"dict": {"a": 1}}, []),
    ({"list": [[[[[[1]]]]]]}, []),
])
def test_forged_replies_are_refused(tree, blobs):
    """A worker that lies about the format gains nothing: the trusted side re-validates."""
    with pytest.raises(StudentError):
        decode(tree, blobs, "forged()")


def test_seeded_generators_cross_as_their_state(module):
    rng = np.random.default_rng(7)
    assert np.array_equal(module.draw(rng), np.random.default_rng(7).standard_normal(3))
