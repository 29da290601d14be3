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
    # The suites whose messages must show it; some bugs only show on the hidden suite's
    # broader cases (e.g. overlapping pooling windows).
    caught_by: tuple[str, ...] = ("public", "hidden")


# loss.py's log-softmax, the line its numerically unstable versions replace.
LOG_PROBABILITIES = "    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"


# The first lines of maxpool.py's forward and backward: each pooling bug puts there the loop
# over windows (i, j) a student writes, which returns before the reference's code.
MAXPOOL_FORWARD = "        out_h, out_w = x.shape[0] // s, x.shape[1] // s\n"
MAXPOOL_BACKWARD = "        s, x = self.size, self.last_input\n        out_h, out_w = d_out.shape[:2]\n"


def pool_loop_forward(sizes: str, window_max: str) -> str:
    """The loop over windows a student writes for MaxPool.forward: out_h, out_w = sizes."""
    return (f"        out_h, out_w = {sizes}\n"
            "        out = np.zeros((out_h, out_w, x.shape[2]))\n"
            "        for i in range(out_h):\n"
            "            for j in range(out_w):\n"
            "                window = x[i * s:(i + 1) * s, j * s:(j + 1) * s]\n"
            f"                out[i, j] = {window_max}\n"
            "        return out\n")


def pool_loop_backward(route: str) -> str:
    """The loop over windows for MaxPool.backward, `route` sending window (i, j)'s d_out[i, j] into d_x."""
    return (MAXPOOL_BACKWARD + "        d_x = np.zeros(x.shape)\n"
            "        for i in range(out_h):\n"
            "            for j in range(out_w):\n"
            "                window = x[i * s:(i + 1) * s, j * s:(j + 1) * s]\n"
            + route + "        return d_x\n")


BUGS: tuple[Bug, ...] = (
    # conv.py (the reference is vectorized; where a mistake only exists in loop code, the
    # edit writes the loop a student writes, mistake included)
    Bug("flipped kernel", "conv", "conv.forward",
        'np.einsum("ijab,fab->ijf", windows, self.filters)',
        'np.einsum("ijab,fab->ijf", windows, self.filters[:, ::-1, ::-1])',
        "kernel is flipped"),
    Bug("off-by-one conv output", "conv", "conv.forward",
        '        return np.einsum("ijab,fab->ijf", windows, self.filters)\n',
        "        out_h, out_w = image.shape[0] - k, image.shape[1] - k\n"
        "        out = np.zeros((out_h, out_w, self.num_filters))\n"
        "        for i in range(out_h):\n"
        "            for j in range(out_w):\n"
        "                out[i, j] = np.sum(image[i:i + k, j:j + k] * self.filters, axis=(1, 2))\n"
        "        return out\n",
        "off by one"),
    Bug("= instead of += in conv backward", "conv", "conv.backward",
        "        for a in range(k):\n"
        "            for b in range(k):\n"
        "                d_image[a:a + out_h, b:b + out_w] += d_windows[:, :, a, b]\n",
        "        for i in range(out_h):\n"
        "            for j in range(out_w):\n"
        "                d_image[i:i + k, j:j + k] = d_windows[i, j]\n",
        "not accumulated"),
    Bug("= instead of += in conv backward's loop over filters", "conv", "conv.backward",
        # TODO 2's loops over (i, j) and f, with `=`; the filters are updated after the loop.
        "        self.filters = self.filters - learn_rate * d_filters\n"
        "        # Windows overlap, so what they send ACCUMULATES (+=): pixel (i + a, j + b) gets\n"
        "        # d_windows[i, j, a, b] from every window (i, j) covering it. The loop runs over the\n"
        "        # k * k offsets (a, b) inside a window, each one for all windows at once.\n"
        "        d_image = np.zeros(self.last_input.shape)\n"
        "        for a in range(k):\n"
        "            for b in range(k):\n"
        "                d_image[a:a + out_h, b:b + out_w] += d_windows[:, :, a, b]\n",
        "        d_image = np.zeros(self.last_input.shape)\n"
        "        for i in range(out_h):\n"
        "            for j in range(out_w):\n"
        "                for f in range(self.num_filters):\n"
        "                    d_image[i:i + k, j:j + k] = d_out[i, j, f] * self.filters[f]\n"
        "        self.filters = self.filters - learn_rate * d_filters\n",
        "in the loop over filters"),
    Bug("conv computed in float32", "conv", "conv.forward",
        'return np.einsum("ijab,fab->ijf", windows, self.filters)',
        'return np.einsum("ijab,fab->ijf", windows.astype(np.float32), self.filters.astype(np.float32))',
        "not float64"),
    Bug("= instead of += for d_filters", "conv", "conv.backward",
        '        d_filters = np.einsum("ijf,ijab->fab", d_out, windows)\n',
        "        for i in range(d_out.shape[0]):\n"
        "            for j in range(d_out.shape[1]):\n"
        "                d_filters = d_out[i, j][:, None, None] * windows[i, j]\n",
        "not accumulated"),
    Bug("d_image from the updated filters", "conv", "conv.backward",
        '        d_windows = np.einsum("ijf,fab->ijab", d_out, self.filters)\n'
        "        self.d_filters = d_filters\n"
        "        self.filters = self.filters - learn_rate * d_filters\n",
        "        self.d_filters = d_filters\n"
        "        self.filters = self.filters - learn_rate * d_filters\n"
        '        d_windows = np.einsum("ijf,fab->ijab", d_out, self.filters)\n',
        "updated filters"),
    Bug("gradient ascent on the filters", "conv", "conv.backward",
        "self.filters = self.filters - learn_rate * d_filters",
        "self.filters = self.filters + learn_rate * d_filters",
        "gradient ascent"),
    Bug("filters never updated", "conv", "conv.backward",
        "        self.filters = self.filters - learn_rate * d_filters\n",
        "",
        "did not change"),
    # maxpool.py (the reference does every window at once; each bug is the loop over
    # windows a student writes, mistake included)
    Bug("off-by-one pooling output for odd sizes", "maxpool", "maxpool.forward",
        MAXPOOL_FORWARD, pool_loop_forward("int(np.ceil(x.shape[0] / s)), int(np.ceil(x.shape[1] / s))",
                                           "window.max(axis=(0, 1))"),
        "off by one"),
    Bug("pooling max across channels", "maxpool", "maxpool.forward",
        MAXPOOL_FORWARD, pool_loop_forward("x.shape[0] // s, x.shape[1] // s", "window.max()"),
        "over the channels"),
    Bug("ties double-counted in max pooling", "maxpool", "maxpool.backward",
        MAXPOOL_BACKWARD, pool_loop_backward(
            "                d_x[i * s:(i + 1) * s, j * s:(j + 1) * s] = "
            "(window == window.max(axis=(0, 1))) * d_out[i, j]\n"),
        "ties double-counted"),
    Bug("gradient to the last tied maximum", "maxpool", "maxpool.backward",
        MAXPOOL_BACKWARD, pool_loop_backward(
            "                for c in range(x.shape[2]):\n"
            "                    p, q = np.argwhere(window[:, :, c] == window[:, :, c].max())[-1]\n"
            "                    d_x[i * s + p, j * s + q, c] = d_out[i, j, c]\n"),
        "last maximum"),
    Bug("tied gradient split equally in max pooling", "maxpool", "maxpool.backward",
        # A valid subgradient, but not the rule: all of it to the first maximum.
        MAXPOOL_BACKWARD, pool_loop_backward(
            "                tied = window == window.max(axis=(0, 1))\n"
            "                d_x[i * s:(i + 1) * s, j * s:(j + 1) * s] = tied * d_out[i, j] / tied.sum(axis=(0, 1))\n"),
        "split equally"),
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
    # The advanced track (batched NCHW layers).
    Bug("mask from d_out in ReLU backward", "relu", "relu.backward",
        "return d_out * self.positive",
        "return d_out * (d_out > 0)",
        "mask was taken from d_out"),
    Bug("d_bias averaged over the batch", "linear", "linear.backward",
        "self.d_bias = d_out.sum(axis=0)",
        "self.d_bias = d_out.mean(axis=0)",
        "averaged over the batch"),
    Bug("batch loss gradient not divided by N", "loss", "loss.softmax_cross_entropy",
        "return float(loss), d_logits / n",
        "return float(loss), d_logits",
        "not divided by N"),
    # The max shift done, then log(softmax): p = e^-2000 underflows to 0 and -log(0) is inf.
    Bug("batch loss takes -log(p) after the shift", "loss", "loss.softmax_cross_entropy",
        LOG_PROBABILITIES,
        "    log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))\n",
        "-log(p) underflows", caught_by=("hidden",)),
    # No shift at all: exp(1000) is inf, inf / inf is nan, and so is the loss.
    Bug("batch loss without the max shift", "loss", "loss.softmax_cross_entropy",
        LOG_PROBABILITIES,
        "    log_probs = np.log(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))\n",
        "nan comes from", caught_by=("hidden",)),
    # pool2d.py (the reference loops over the k*k window offsets, not over output pixels)
    Bug("= instead of += with overlapping pooling windows", "pool2d", "pool2d.backward",
        # The loop over windows a student writes, mistake included.
        "        d_x = np.zeros(self.last_input_shape)\n",
        "        d_x = np.zeros(self.last_input_shape)\n"
        "        n, c = d_out.shape[:2]\n"
        "        examples, channels = np.indices((n, c))\n"
        "        offsets = self.first_max.argmax(axis=0)  # each window's first maximum, 0..k*k-1\n"
        "        for i in range(d_out.shape[2]):\n"
        "            for j in range(d_out.shape[3]):\n"
        "                rows, cols = np.divmod(offsets[:, :, i, j], k)\n"
        "                d_x[examples, channels, i * s + rows, j * s + cols] = d_out[:, :, i, j]\n"
        "        return d_x\n",
        "windows overlap",
        caught_by=("hidden",)),
    Bug("ties double-counted in overlapping max pooling", "pool2d", "pool2d.backward",
        # Every tied position of a window gets the gradient, not only the first one.
        "            first &= ~taken\n",
        "",
        "ties double-counted",
        caught_by=("hidden",)),
    Bug("conv2d forward without the bias", "conv2d", "conv2d.forward",
        "return out + self.bias[None, :, None, None]",
        "return out",
        "bias is missing"),
    Bug("flipped kernel in conv2d", "conv2d", "conv2d.forward",
        "        weights_2d = self.weights.reshape(self.out_channels, -1)\n"
        "        out = np.zeros(",
        "        weights_2d = self.weights[:, :, ::-1, ::-1].reshape(self.out_channels, -1)\n"
        "        out = np.zeros(",
        "flipped"),
    Bug("padding not cropped symmetrically from d_x", "conv2d", "conv2d.backward",
        "d_x = d_x_pad[:, :, p:p + h, p:p + w]",
        "d_x = d_x_pad[:, :, :h, :w]",
        "forgot the padding"),
    Bug("padding cropped with p:-p", "conv2d", "conv2d.backward",
        # Right for p >= 1, empty for p = 0 (-0 is 0): only the hidden suite has unpadded cases.
        "d_x = d_x_pad[:, :, p:p + h, p:p + w]",
        "d_x = d_x_pad[:, :, p:-p, p:-p]",
        "empty when p = 0",
        caught_by=("hidden",)),
    Bug("= instead of += in conv2d backward", "conv2d", "conv2d.backward",
        "d_x_pad[:, :, i * s:i * s + k, j * s:j * s + k] += (g @ weights_2d)",
        "d_x_pad[:, :, i * s:i * s + k, j * s:j * s + k] = (g @ weights_2d)",
        "must accumulate"),
    Bug("= instead of += in fast_conv's col2im", "fast_conv", "fast_conv.backward",
        "d_row[o:o + span:layout.s] += per_offset[ab]",
        "d_row[o:o + span:layout.s] = per_offset[ab]",
        "slices must accumulate"),
    Bug("fast_conv d_x from the updated weights", "fast_conv", "fast_conv.backward",
        # Two passes over the chunks, the weights updated in between.
        "                np.matmul(weights_2d.T, g_t[q].T, out=d_cols[:, q])\n"
        "            d_row = np.zeros(row.shape)\n",
        "        weights_2d = weights_2d - learn_rate * d_ext[:-1].T\n"
        "        for chunk, row in zip(self.chunks, self.flat_rows):\n"
        "            n = chunk.stop - chunk.start\n"
        "            g_t, d_cols = all_g_t[:n * layout.columns], all_d_cols[:, :n * layout.columns]\n"
        "            layout.valid(g_t.T.reshape(f, n, layout.columns))[...] = d_out[chunk].transpose(1, 0, 2, 3)\n"
        "            for q in column_blocks(n * layout.columns, d_ext.size):\n"
        "                np.matmul(weights_2d.T, g_t[q].T, out=d_cols[:, q])\n"
        "            d_row = np.zeros(row.shape)\n",
        "updated weights"),
    Bug("minibatch loop without the backward pass", "model", "model.train",
        "                self.network.backward(d_logits, learn_rate)\n",
        "",
        "mean training loss per epoch"),
    # State across calls and arguments ignored: only the graded suite calls one layer again
    # with a new rate, or builds the network at other sizes (issue #12).
    Bug("conv gradient accumulates across backward calls", "conv", "conv.backward",
        "        self.d_filters = d_filters\n        self.filters = self.filters - learn_rate * d_filters\n",
        "        self.d_filters = getattr(self, 'd_filters', 0) + d_filters\n"
        "        self.filters = self.filters - learn_rate * self.d_filters\n",
        "gradient accumulates across backward calls", caught_by=("hidden",)),
    Bug("dense update with a hard-coded rate", "dense", "dense.backward",
        "        self.weights = self.weights - learn_rate * self.d_weights\n",
        "        self.weights = self.weights - 0.5 * self.d_weights\n",
        "update ignores learn_rate", caught_by=("hidden",)),
    Bug("train_step's correct flag always False", "network", "network.train",
        "        correct = bool(np.argmax(logits) == label)\n",
        "        correct = False\n",
        "(correct) is False, expected True", caught_by=("hidden",)),
    Bug("network hard-codes 16 filters", "network", "network.train",
        "        self.conv = Conv(num_filters, filter_size, rng)\n"
        "        self.pool = MaxPool(2)\n"
        "        self.dense = Dense(pooled_h * pooled_w * num_filters, num_classes, rng)\n",
        "        self.conv = Conv(16, filter_size, rng)\n"
        "        self.pool = MaxPool(2)\n"
        "        self.dense = Dense(pooled_h * pooled_w * 16, num_classes, rng)\n",
        "num_filters=5", caught_by=("hidden",)),
    Bug("softmax returns float32", "softmax", "softmax.softmax",
        "    return exps / np.sum(exps)\n",
        "    return (exps / np.sum(exps)).astype(np.float32)\n",
        "expected float64", caught_by=("hidden",)),

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
