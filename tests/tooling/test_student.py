"""kata/judge/student.py: the in-process transport has the value semantics of the grader's worker."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from kata.judge.student import ImplementationError, InProcessStudent

LAYER = '''
import numpy as np


class Layer:
    def __init__(self, size):
        self.weights = np.zeros(size)
        self.history = []

    def forward(self, x):
        self.history.append(x)
        return self.weights            # its own array: the caller must get a copy

    def scale_in_place(self, x, factor=1.0):
        x *= factor                    # a layer that changes its input
        return x

    def as_list(self):
        return [1.0, 2.0]


def add_one(x, out=None):
    if out is not None:
        out += 1                       # changes a keyword argument
    return x + 1


def broken():
    raise NotImplementedError("mod.broken is not written yet")
'''


def folder(tmp_path: Path, name: str = "impl", **files: str) -> InProcessStudent:
    impl = tmp_path / name
    impl.mkdir()
    for module, source in files.items():
        (impl / f"{module}.py").write_text(textwrap.dedent(source))
    return InProcessStudent(impl)


@pytest.fixture
def mod(tmp_path: Path):
    return folder(tmp_path, mod_transport=LAYER).module("mod_transport")


def test_attribute_writes_send_a_copy(mod):
    layer = mod.Layer(3)
    weights = np.ones(3)
    layer.weights = weights
    weights[0] = 99.0
    assert layer.weights.tolist() == [1.0, 1.0, 1.0]


def test_attribute_reads_and_results_are_copies(mod):
    layer = mod.Layer(3)
    layer.weights[0] = 5.0          # changes a copy only
    out = layer.forward(np.ones(3))
    out[1] = 7.0                    # changes a copy only
    assert layer.weights.tolist() == [0.0, 0.0, 0.0]


def test_arguments_are_copies(mod):
    layer = mod.Layer(2)
    x = np.ones(2)
    layer.forward(x)
    x[0] = 3.0                      # the layer kept its own copy
    assert layer.history[0].tolist() == [1.0, 1.0]


def test_in_place_change_of_an_argument_fails_clearly(mod):
    layer = mod.Layer(2)
    x = np.ones(2)
    with pytest.raises(AssertionError, match=r"Layer object.scale_in_place modified its argument 1 in place"):
        layer.scale_in_place(x, factor=2.0)
    assert x.tolist() == [1.0, 1.0], "the test's own array is untouched"
    layer.scale_in_place(x, factor=1.0)  # no change, no failure


def test_in_place_change_of_a_keyword_argument_fails_clearly(mod):
    with pytest.raises(AssertionError, match=r"add_one\(\) modified its argument out= in place.*x.copy\(\)"):
        mod.add_one(np.zeros(2), out=np.zeros(2))


def test_results_keep_their_type(mod):
    assert mod.Layer(1).as_list() == [1.0, 2.0]
    assert isinstance(mod.Layer(1).as_list(), list)


def test_student_exceptions_propagate_unchanged(mod):
    with pytest.raises(NotImplementedError, match="mod.broken is not written yet"):
        mod.broken()


def test_missing_file(tmp_path):
    student = folder(tmp_path)
    with pytest.raises(ImplementationError, match=r"impl/conv_missing\.py not found: the implementation folder "
                                                   r"has no conv_missing\.py"):
        student.module("conv_missing")


def test_missing_name(tmp_path):
    module = folder(tmp_path, conv_empty="X = 1\n").module("conv_empty")
    with pytest.raises(ImplementationError, match=r"conv_empty\.py has no Conv: define it"):
        module.Conv(3)


def test_missing_attribute(mod):
    with pytest.raises(ImplementationError, match="Layer object has no attribute 'd_filters'"):
        mod.Layer(1).d_filters


@pytest.mark.parametrize("source, error", [
    ("def broken(:\n", "SyntaxError"),
    ("import numpy_that_does_not_exist\n", "ModuleNotFoundError: No module named 'numpy_that_does_not_exist'"),
    ("x = 1 / 0\n", "ZeroDivisionError: division by zero"),
])
def test_import_errors_are_clear(tmp_path, source, error):
    student = folder(tmp_path, bad_import=source)
    with pytest.raises(ImplementationError, match=r"bad_import\.py failed to import: " + error):
        student.module("bad_import")


def test_two_folders_with_the_same_file_names_stay_apart(tmp_path):
    first = folder(tmp_path, "first", same_name="VALUE = 1\n").module("same_name")
    second = folder(tmp_path, "second", same_name="VALUE = 2\n").module("same_name")
    assert (first._module.VALUE, second._module.VALUE) == (1, 2)


def test_private_names_are_not_reachable(mod):
    with pytest.raises(AttributeError):
        mod._helper


def test_both_transports_implement_the_student_protocol(tmp_path):
    from grader.trusted.proxy import SandboxModule, SandboxStudent
    from kata.judge.student import InProcessModule, Student, StudentModule

    assert isinstance(InProcessStudent(tmp_path), Student)
    assert all(callable(getattr(cls, "module", None)) for cls in (InProcessStudent, SandboxStudent))
    assert all(hasattr(cls, "__getattr__") for cls in (InProcessModule, SandboxModule))
    assert issubclass(InProcessStudent, Student) and issubclass(SandboxStudent, Student)
    assert issubclass(InProcessModule, StudentModule) and issubclass(SandboxModule, StudentModule)
