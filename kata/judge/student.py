"""How the tests reach a student's code: the `student` fixture's in-process transport.

Tests never import an exercise module. They ask the fixture for one:

    conv = student.module("conv")
    layer = conv.Conv(num_filters=4, filter_size=3, rng=0)
    layer.filters = filters          # sends a copy
    out = layer.forward(image)       # returns a copy
    d_filters = layer.d_filters

and only construct classes, call functions and methods, and get or set attributes. The
grader swaps this transport for a proxy to a sandboxed worker process (grader/trusted)
by putting a factory into `STUDENT_FACTORY`; the tests cannot tell the difference because
both transports have the same value semantics:

- arrays cross the boundary as copies, both ways (so a layer's in-place update never
  reaches the test's own arrays, exactly as when they travel as bytes to a worker);
- a call that modifies one of its array arguments in place fails with a clear message;
- what comes back is left as it is (a list stays a list), for the checks to judge.

Here, in-process, the student's exceptions propagate unchanged: real tracebacks, pdb works.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np
import pytest

# pytest leaves this module's frames out of tracebacks: a failure shows the test, then the
# student's own code, not the transport in between.
__tracebackhide__ = True



@runtime_checkable
class StudentModule(Protocol):
    """One exercise file as the tests see it: attributes are its functions and classes,
    which return arrays (copies) or objects whose attributes and methods work the same way."""

    def __getattr__(self, name: str) -> Any: ...


@runtime_checkable
class Student(Protocol):
    """The `student` fixture: what every check takes. InProcessStudent (here) and the
    grader's SandboxStudent (grader/trusted/proxy.py) both implement it, so a check cannot
    tell whether the code it judges runs in this process or in a sandboxed worker."""

    def module(self, name: str) -> StudentModule: ...

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by the process that runs the student's code, as the kernel
        counts them (None where it cannot tell): speed checks time with it, since other
        processes' load on the machine barely moves it, unlike the wall clock."""
        ...


# The grader sets config.stash[STUDENT_FACTORY] = factory(config) -> a Student.
STUDENT_FACTORY = pytest.StashKey[Callable[[pytest.Config], Student]]()


class ImplementationError(Exception):
    """The implementation folder is missing a file or a name, or a file fails to import."""


def copy_value(value: Any) -> Any:
    """A copy that keeps types: arrays (subclasses too), and lists/tuples/dicts of them."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(copy_value(item) for item in value)
    if isinstance(value, dict):
        return {key: copy_value(item) for key, item in value.items()}
    return value


def mutation_message(what: str, label: str) -> str:
    """The failure for a call that changed an argument in place (both transports use it)."""
    return (f"{what} modified its {label} in place. Layers must not change their inputs: "
            "work on a copy (x.copy()) or build a new array.")


def check_not_mutated(what: str, sent: tuple, kwargs: dict, originals: tuple, original_kwargs: dict) -> None:
    """Fail when a call changed one of its array arguments in place."""
    pairs = [(f"argument {n + 1}", a, b) for n, (a, b) in enumerate(zip(sent, originals))]
    pairs += [(f"argument {name}=", kwargs[name], original_kwargs[name]) for name in kwargs]
    for label, after, before in pairs:
        if isinstance(before, np.ndarray) and not np.array_equal(after, before, equal_nan=True):
            raise AssertionError(mutation_message(what, label))


def load_module(impl_dir: Path, name: str) -> ModuleType:
    """Import impl_dir/<name>.py by its path, with messages that say what is missing.

    The folder goes on sys.path so exercise files can import each other
    (network.py does `from conv import Conv`).
    """
    path = impl_dir / f"{name}.py"
    if not path.is_file():
        raise ImplementationError(f"{path} not found: the implementation folder has no {name}.py")
    if str(impl_dir) not in sys.path:
        sys.path.insert(0, str(impl_dir))
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise ImplementationError(f"{path} failed to import: {type(error).__name__}: {error}") from error
    return module


class _Remote:
    """Base of the value-semantics wrappers: a label for messages and one call helper."""

    _label: str

    def _call(self, function: Callable, label: str, args: tuple, kwargs: dict) -> Any:
        sent, sent_kwargs = copy_value(args), copy_value(kwargs)
        result = function(*sent, **sent_kwargs)
        check_not_mutated(label, sent, sent_kwargs, args, kwargs)
        return copy_value(result)


class InProcessObject(_Remote):
    """An instance of a student's class; attribute reads and writes copy arrays."""

    def __init__(self, instance: Any, label: str):
        object.__setattr__(self, "_instance", instance)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name: str) -> Any:
        try:
            value = getattr(self._instance, name)
        except AttributeError:
            raise ImplementationError(f"{self._label} has no attribute {name!r}") from None
        if callable(value):
            return lambda *args, **kwargs: self._call(value, f"{self._label}.{name}", args, kwargs)
        return copy_value(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._instance, name, copy_value(value))


class InProcessModule(_Remote):
    """A student's module: calling a class gives an InProcessObject, a function its result."""

    def __init__(self, module: ModuleType, filename: str):
        self._module = module
        self._label = filename

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)
        if not hasattr(self._module, name):
            raise ImplementationError(f"{self._label} has no {name}: define it (see the exercise's docstring)")
        target = getattr(self._module, name)
        if isinstance(target, type):
            return lambda *args, **kwargs: InProcessObject(
                self._call(target, f"{name}(...)", args, kwargs), f"{name} object"
            )
        return lambda *args, **kwargs: self._call(target, f"{name}()", args, kwargs)


class InProcessStudent:
    """The student's implementation folder, imported into this process."""

    def __init__(self, impl_dir: Path):
        self.impl_dir = Path(impl_dir).resolve()

    def module(self, name: str) -> InProcessModule:
        return InProcessModule(load_module(self.impl_dir, name), f"{name}.py")

    def cpu_seconds(self) -> float:
        return time.process_time()  # the student's code runs in this process
