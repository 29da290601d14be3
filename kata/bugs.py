"""The classic student bugs, as small edits to the reference solutions.

Each Bug is a text substitution on solutions/<module>.py that reproduces a mistake students
really make. The tooling tests apply each one to a copy of solutions/ and require that the
suites fail with a message containing `symptom` (the message must point at the bug); the
grader's example class uses them to build a realistic buggy submission. One catalogue, so
the tests and the example class cannot drift apart.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Bug:
    name: str
    module: str  # the file it edits: solutions/<module>.py
    exercise: str  # the exercise id whose tests must catch it
    old: str  # exact text in the solution (must occur)
    new: str
    symptom: str  # a phrase the failing test's message must contain (case-insensitive)


BUGS: tuple[Bug, ...] = (
    Bug("flipped kernel", "conv", "conv.forward",
        "np.sum(window * self.filters, axis=(1, 2))",
        "np.sum(window * self.filters[:, ::-1, ::-1], axis=(1, 2))",
        "flipped"),
    Bug("off-by-one conv output", "conv", "conv.forward",
        "image.shape[0] - k + 1, image.shape[1] - k + 1",
        "image.shape[0] - k, image.shape[1] - k",
        "shape"),
    Bug("= instead of += in conv backward", "conv", "conv.backward",
        "d_image[i:i + k, j:j + k] += np.tensordot",
        "d_image[i:i + k, j:j + k] = np.tensordot",
        "accumulate"),
    Bug("gradient ascent on the filters", "conv", "conv.backward",
        "self.filters = self.filters - learn_rate * d_filters",
        "self.filters = self.filters + learn_rate * d_filters",
        "update"),
    Bug("ties double-counted in max pooling", "maxpool", "maxpool.backward",
        "                    p, q = np.unravel_index(np.argmax(window), window.shape)\n"
        "                    d_x[i * s + p, j * s + q, c] = d_out[i, j, c]\n",
        "                    d_x[i * s:(i + 1) * s, j * s:(j + 1) * s, c] = (window == window.max()) * d_out[i, j, c]\n",
        "tie"),
    Bug("d_x from the updated weights", "dense", "dense.backward",
        "        d_x = self.weights @ d_out\n"
        "        self.weights = self.weights - learn_rate * self.d_weights\n",
        "        self.weights = self.weights - learn_rate * self.d_weights\n"
        "        d_x = self.weights @ d_out\n",
        "updated weights"),
    Bug("softmax without subtracting the max", "softmax", "softmax.softmax",
        "    shifted = logits - np.max(logits)\n    exps",
        "    shifted = logits\n    exps",
        "overflow"),
)

BY_NAME: dict[str, Bug] = {bug.name: bug for bug in BUGS}


def apply(bugs: list[Bug], solutions: Path, dest: Path) -> None:
    """Copy the *.py files of solutions/ into dest, then apply each bug's edit once.

    Raises ValueError when a bug's `old` text is no longer in the solution, so a change to
    solutions/ that breaks the catalogue is noticed, not silently skipped.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for source in solutions.glob("*.py"):
        shutil.copyfile(source, dest / source.name)
    for bug in bugs:
        path = dest / f"{bug.module}.py"
        text = path.read_text()
        if bug.old not in text:
            raise ValueError(f"bug {bug.name!r}: its text is no longer in solutions/{bug.module}.py")
        path.write_text(text.replace(bug.old, bug.new, 1))
