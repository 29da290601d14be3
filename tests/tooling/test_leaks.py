"""Nothing pasteable ships (issue #11): the handout holds no answer and no graded case.

1. The attacker's test. A student may copy any function of the handout into a submission,
   whose sandbox refuses scipy and every other banned package (grader/trusted/policy.py).
   So the built handout is imported in a subprocess where every banned package is poison
   (it imports, but any use raises ImportError), and every public function and method of
   every module outside exercises/ and tests/ is called with the inputs of each graded
   computation, in every argument order. None may return the right answer.
2. The hidden cases. No shipped file may spell a parametrization of tests/hidden (its
   case ids, the graded conv shapes).
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from authoring import handout
from grader.judge import oracles
from grader.judge.cases import HARD_CASES, SPEED_CASE
from grader.judge.oracles import pool_first_max_gradient
from kata.judge.nchw import pool_oracle
from grader.judge.speed import baseline_conv_step
from grader.trusted.policy import BANNED_MODULES

ROOT = Path(__file__).resolve().parent.parent.parent

# The packages the attacker's copy may not use: the banned list minus the handout's own
# top-level packages (kata/ and tests/ ARE what is being examined).
POISONED = sorted(BANNED_MODULES - {"kata", "tests"})

ATTACKER = r'''
import importlib, importlib.abc, importlib.machinery, inspect, itertools, pickle, signal, sys, types
from pathlib import Path

POISONED = set(sys.argv[3].split(","))


class Poison:
    """What any attribute of a banned package is: using it (calling) raises ImportError."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        return Poison(f"{self._name}.{attribute}")

    def __call__(self, *args, **kwargs):
        raise ImportError(f"{self._name} is banned in submissions")


class PoisonModule(types.ModuleType):
    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return Poison(f"{self.__name__}.{attribute}")


class Banned(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in POISONED:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = PoisonModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, Banned())
root = Path(sys.argv[1])
sys.path.insert(0, str(root))  # -I: no script folder, no cwd, no PYTHONPATH; the repository is not on it
assert importlib.import_module("kata").__file__.startswith(str(root)), "the handout's kata/ must be the one examined"
import numpy as np

with open(sys.argv[2], "rb") as file:
    computations = pickle.load(file)


def candidates(value, depth=0):
    if isinstance(value, (np.ndarray, float, np.floating)):
        yield np.asarray(value, dtype=np.float64)
    elif isinstance(value, (tuple, list)) and depth < 2 and len(value) < 10:
        for item in value:
            yield from candidates(item, depth + 1)


def matches(value, answer):
    return (value.shape == answer.shape and np.all(np.isfinite(value))
            and np.allclose(value, answer, rtol=1e-6, atol=1e-9))


def timeout(*_):
    raise TimeoutError


signal.signal(signal.SIGALRM, timeout)
callables = []
for path in sorted(root.rglob("*.py")):
    relative = path.relative_to(root)
    if relative.parts[0] in ("exercises", "tests", "pristine") or "pristine" in relative.parts:
        continue
    name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
    try:
        module = importlib.import_module(name)
    except Exception as error:
        print(f"IMPORT-FAILED {name}: {type(error).__name__}: {error}", file=sys.stderr)
        continue
    for attribute, value in vars(module).items():
        if getattr(value, "__module__", None) != name:
            continue
        if inspect.isfunction(value):
            callables.append((f"{name}.{attribute}", value))
        elif inspect.isclass(value):
            for method_name, method in vars(value).items():
                if isinstance(method, (staticmethod, classmethod)):
                    method = getattr(value, method_name)
                if inspect.isfunction(method) or inspect.ismethod(method):
                    callables.append((f"{name}.{attribute}.{method_name}", method))

hits = set()
for label, function in callables:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        continue
    for computation, args, answers in computations:
        try:
            signature.bind(*args)
        except TypeError:
            continue
        for order in set(itertools.permutations(range(len(args)))):
            signal.setitimer(signal.ITIMER_REAL, 2.0)
            try:
                result = function(*(args[i] for i in order))
            except BaseException:
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            for value in candidates(result):
                for what, answer in answers:
                    if matches(value, answer):
                        hits.add(f"{label} computes {computation}: {what}")
print("\n".join(sorted(hits)))
'''


def graded_computations() -> list[tuple[str, tuple, list[tuple[str, np.ndarray]]]]:
    """(name, inputs, [(what, the right answer)]) for every graded forward and backward,
    answers from the trusted oracles (grader/judge)."""
    rng = np.random.default_rng(11)
    logits, label = rng.standard_normal(6), 2
    image, filters = rng.standard_normal((7, 8)), rng.standard_normal((3, 3, 3))
    conv_d_out = rng.standard_normal((5, 6, 3))
    pool_x, pool_d_out = oracles.distinct_values(rng, (6, 4, 3)), rng.standard_normal((3, 2, 3))
    dense_x, dense_w, dense_b = rng.standard_normal((3, 2, 2)), rng.standard_normal((12, 5)), rng.standard_normal(5)
    case = HARD_CASES[-1]
    x = rng.standard_normal((case.n, case.c, case.h, case.w))
    weight, bias = rng.standard_normal((case.f, case.c, case.k, case.k)), rng.standard_normal(case.f)
    d_out = rng.standard_normal(case.out_shape)
    s, p = case.stride, case.padding
    out, d_x, d_weight, d_bias = baseline_conv_step(x, weight, bias, d_out, s, p)
    nchw_x, k, ps = rng.standard_normal((2, 3, 7, 8)), 3, 2
    nchw_pooled = pool_oracle(nchw_x, k, ps)
    nchw_pool_d_out = rng.standard_normal(nchw_pooled.shape)
    batch_logits, labels = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    shifted = batch_logits - batch_logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    d_logits = (np.exp(log_p) - np.eye(4)[labels]) / len(labels)
    return [
        ("softmax", (logits,), [("softmax", oracles.softmax(logits))]),
        ("cross_entropy", (logits, label), [("loss", np.float64(oracles.cross_entropy_loss(logits, label))),
                                            ("d_logits", oracles.cross_entropy_gradient(logits, label))]),
        ("conv forward", (image, filters), [("out", oracles.conv_forward(image, filters))]),
        ("conv d_image", (conv_d_out, filters), [("d_image", oracles.conv_d_image(conv_d_out, filters))]),
        ("conv d_filters", (image, conv_d_out), [("d_filters", oracles.conv_d_filters(image, conv_d_out))]),
        ("maxpool forward", (pool_x, 2), [("out", oracles.pool_forward(pool_x, 2))]),
        ("maxpool backward", (pool_x, pool_d_out, 2), [("d_x", oracles.pool_backward(pool_x, pool_d_out, 2))]),
        ("dense forward", (dense_x, dense_w, dense_b), [("out", oracles.dense_forward(dense_x, dense_w, dense_b))]),
        ("conv2d forward", (x, weight, bias, s, p), [("out", out)]),
        ("conv2d step", (x, weight, bias, d_out, s, p),
         [("out", out), ("d_x", d_x), ("d_weights", d_weight), ("d_bias", d_bias)]),
        ("pool2d forward", (nchw_x, k, ps), [("out", nchw_pooled)]),
        ("pool2d backward", (nchw_x, nchw_pool_d_out, k, ps),
         [("d_x", pool_first_max_gradient(nchw_x, nchw_pool_d_out, k, ps))]),
        ("loss", (batch_logits, labels), [("loss", np.float64(-np.mean(log_p[np.arange(5), labels]))),
                                          ("d_logits", d_logits)]),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, _ = handout.build(ROOT, tmp_path_factory.mktemp("dist"))
    return folder


def attack(handout_folder: Path, work: Path) -> tuple[str, str]:
    """Run the attacker on a handout folder: (its hits, one a line; its stderr)."""
    inputs = work / "computations.pickle"
    inputs.write_bytes(pickle.dumps(graded_computations()))
    script = work / "attacker.py"
    script.write_text(ATTACKER)
    result = subprocess.run([sys.executable, "-I", str(script), str(handout_folder), str(inputs), ",".join(POISONED)],
                            cwd=work, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip(), result.stderr


def test_no_shipped_function_computes_a_graded_answer_without_banned_packages(built, tmp_path):
    hits, stderr = attack(built, tmp_path)
    assert "IMPORT-FAILED" not in stderr, stderr  # a module that fails to import would hide its functions
    assert not hits, "shipped code a student could paste computes graded answers:\n" + hits


def test_the_attacker_finds_a_planted_numpy_answer(built, tmp_path):
    # The proof is not vacuous: one pure-NumPy softmax and one pooling backward slipped into
    # the judge are caught, in whatever argument order they take their inputs.
    planted = tmp_path / "handout"
    shutil.copytree(built, planted)
    (planted / "kata" / "judge" / "planted.py").write_text(
        "import numpy as np\n\n"
        "def stable(z):\n    e = np.exp(z - z.max())\n    return e / e.sum()\n\n"
        "def backward(size, d_out, x):\n"
        "    h, w, c = d_out.shape\n"
        "    win = x[:h * size, :w * size].reshape(h, size, w, size, c).transpose(0, 2, 4, 1, 3).reshape(h, w, c, -1)\n"
        "    mask = np.arange(size * size) == win.argmax(-1)[..., None]\n"
        "    d = np.zeros(x.shape)\n"
        "    d[:h * size, :w * size] = (mask * d_out[..., None]).reshape(h, w, c, size, size).transpose(\n"
        "        0, 3, 1, 4, 2).reshape(h * size, w * size, c)\n"
        "    return d\n")
    hits, _ = attack(planted, tmp_path)
    assert "kata.judge.planted.stable computes softmax: softmax" in hits
    assert "kata.judge.planted.backward computes maxpool backward: d_x" in hits


COLLECT = r"""
import json, sys
import pytest


class Record:
    def pytest_collection_modifyitems(self, items):
        found = set()
        for item in items:
            callspec = getattr(item, "callspec", None)
            if callspec is None:
                continue
            found.add(callspec.id)
            values = tuple(callspec.params.values())
            found |= {repr(value) for value in values} | {repr(values), str(values)}
        print("PARAMETRIZATIONS " + json.dumps(sorted(found)))


sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "tests/hidden", "--impl", "solutions"],
                     plugins=[Record()]))
"""


def hidden_parametrizations() -> set[str]:
    """What the hidden suite is parametrized with: each case's id (the bracket part of its
    node id), the repr of each value and of each case's tuple of values, and the graded
    conv shapes as pytest, Python and their source spell them."""
    collected = subprocess.run([sys.executable, "-c", COLLECT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    line = next(line for line in collected.stdout.splitlines() if line.startswith("PARAMETRIZATIONS "))
    found = set(json.loads(line.removeprefix("PARAMETRIZATIONS ")))
    for case in (*HARD_CASES, SPEED_CASE):
        fields = {name: getattr(case, name) for name in case.__dataclass_fields__}
        found |= {str(case), repr(case),
                  ", ".join(f"{name}={value}" for name, value in fields.items()
                            if value != case.__dataclass_fields__[name].default)}
    # Short ones ("(2, 2)", "True", "3-1") appear by chance in any text: only specific ones count.
    return {text for text in found if len(text) >= 12}


def test_no_shipped_file_names_a_hidden_case(built):
    secrets = hidden_parametrizations()
    assert len(secrets) >= len(HARD_CASES)
    found = []
    for path in sorted(p for p in built.rglob("*") if p.is_file()):
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(built)}: {secret}" for secret in secrets if secret in text]
    assert not found, "the handout spells hidden cases:\n" + "\n".join(found)
