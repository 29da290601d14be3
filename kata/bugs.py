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
    # conv.py
    Bug("flipped kernel", "conv", "conv.forward",
        "np.sum(window * self.filters, axis=(1, 2))",
        "np.sum(window * self.filters[:, ::-1, ::-1], axis=(1, 2))",
        "kernel is flipped"),
    Bug("off-by-one conv output", "conv", "conv.forward",
        "image.shape[0] - k + 1, image.shape[1] - k + 1",
        "image.shape[0] - k, image.shape[1] - k",
        "off by one"),
    Bug("= instead of += in conv backward", "conv", "conv.backward",
        "d_image[i:i + k, j:j + k] += np.tensordot",
        "d_image[i:i + k, j:j + k] = np.tensordot",
        "not accumulated"),
    Bug("= instead of += for d_filters", "conv", "conv.backward",
        "d_filters += d_out[i, j][:, None, None] * window",
        "d_filters = d_out[i, j][:, None, None] * window",
        "not accumulated"),
    Bug("d_image from the updated filters", "conv", "conv.backward",
        "                d_image[i:i + k, j:j + k] += np.tensordot(d_out[i, j], self.filters, axes=1)\n"
        "        self.d_filters = d_filters\n"
        "        self.filters = self.filters - learn_rate * d_filters\n",
        "        self.d_filters = d_filters\n"
        "        self.filters = self.filters - learn_rate * d_filters\n"
        "        for i in range(d_out.shape[0]):\n"
        "            for j in range(d_out.shape[1]):\n"
        "                d_image[i:i + k, j:j + k] += np.tensordot(d_out[i, j], self.filters, axes=1)\n",
        "updated filters"),
    Bug("gradient ascent on the filters", "conv", "conv.backward",
        "self.filters = self.filters - learn_rate * d_filters",
        "self.filters = self.filters + learn_rate * d_filters",
        "gradient ascent"),
    Bug("filters never updated", "conv", "conv.backward",
        "        self.filters = self.filters - learn_rate * d_filters\n",
        "",
        "did not change"),
    # maxpool.py
    Bug("off-by-one pooling output for odd sizes", "maxpool", "maxpool.forward",
        "out_h, out_w = x.shape[0] // s, x.shape[1] // s",
        "out_h, out_w = int(np.ceil(x.shape[0] / s)), int(np.ceil(x.shape[1] / s))",
        "off by one"),
    Bug("pooling max across channels", "maxpool", "maxpool.forward",
        "out[i, j] = window.max(axis=(0, 1))",
        "out[i, j] = window.max()",
        "over the channels"),
    Bug("ties double-counted in max pooling", "maxpool", "maxpool.backward",
        "                    p, q = np.unravel_index(np.argmax(window), window.shape)\n"
        "                    d_x[i * s + p, j * s + q, c] = d_out[i, j, c]\n",
        "                    d_x[i * s:(i + 1) * s, j * s:(j + 1) * s, c] = (window == window.max()) * d_out[i, j, c]\n",
        "ties double-counted"),
    Bug("gradient to the last tied maximum", "maxpool", "maxpool.backward",
        "p, q = np.unravel_index(np.argmax(window), window.shape)",
        "p, q = np.argwhere(window == window.max())[-1]",
        "last maximum"),
    # dense.py
    Bug("biases not added", "dense", "dense.forward",
        "return self.last_input @ self.weights + self.biases",
        "return self.last_input @ self.weights",
        "biases are not added"),
    Bug("d_x from the updated weights", "dense", "dense.backward",
        "        d_x = self.weights @ d_out\n"
        "        self.weights = self.weights - learn_rate * self.d_weights\n",
        "        self.weights = self.weights - learn_rate * self.d_weights\n"
        "        d_x = self.weights @ d_out\n",
        "updated weights"),
    Bug("gradient ascent in dense", "dense", "dense.backward",
        "self.weights = self.weights - learn_rate * self.d_weights",
        "self.weights = self.weights + learn_rate * self.d_weights",
        "gradient ascent"),
    Bug("d_x not reshaped", "dense", "dense.backward",
        "return d_x.reshape(self.last_input_shape)",
        "return d_x",
        "reshape"),
    # softmax.py
    Bug("softmax without subtracting the max", "softmax", "softmax.softmax",
        "    shifted = logits - np.max(logits)\n    exps",
        "    shifted = logits\n    exps",
        "overflow"),
    Bug("softmax shifts the logits in place", "softmax", "softmax.softmax",
        "    shifted = logits - np.max(logits)\n    exps",
        "    logits -= np.max(logits)\n    shifted = logits\n    exps",
        "in place"),
    Bug("unstable cross_entropy", "softmax", "softmax.cross_entropy",
        "loss = float(log_sum_exp - shifted[label])",
        "loss = float(-np.log(softmax(logits)[label]))",
        "underflow"),
    Bug("d_logits without the one-hot", "softmax", "softmax.cross_entropy",
        "    d_logits[label] -= 1.0\n",
        "",
        "subtract 1 at the label"),
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
