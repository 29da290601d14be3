"""Max pooling: keep the largest value of each size x size window, per channel.

Forward: (H, W, C) -> (H // size, W // size, C). Rows and columns that do not fill a
whole window are dropped (floor division, as PyTorch does).

Backward: only the window's maximum influenced the output, so each window's gradient goes
to exactly one position, its maximum; every other position gets 0. When several positions
tie for the maximum, the gradient goes to the first of them in row-major order (as
np.argmax picks). The popular `(window == window.max()) * d_out` sends it to every tied
position, so a window of equal values passes on its gradient several times over: the
finite-difference gradient of a max cannot do that.

A loop over the windows (i, j) is the natural first version, and graded the same. Every
window at once: windows do not overlap, so x cropped to whole windows and reshaped to
(H', size, W', size, C) holds window (i, j) at [i, :, j, :] (rows split into (i, a),
columns into (j, b)); a max over axes 1 and 3 pools them all.
"""

from __future__ import annotations

import numpy as np


class MaxPool:
    """Non-overlapping max pooling over size x size windows, stride size."""

    def __init__(self, size: int = 2):
        self.size = size

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Max over each window.

        Args:
            x: shape (H, W, C).

        Returns:
            shape (H // size, W // size, C); out[i, j, c] is the max of
            x[i*size:(i+1)*size, j*size:(j+1)*size, c].
        """
        # TODO 1. Remember x: backward needs to find each window's maximum.
        # TODO 2. Output size: H // size by W // size (leftover rows/columns are dropped).
        # TODO 3. For each window (i, j), take the max over its rows and columns, per channel.
        #         (A loop over (i, j) is fine; the docstring shows every window at once.)
        # BEGIN SOLUTION
        self.last_input = x.copy()
        s = self.size
        out_h, out_w = x.shape[0] // s, x.shape[1] // s
        # Rows split into (i, a) and columns into (j, b): window (i, j) is windows[i, :, j, :].
        windows = x[:out_h * s, :out_w * s].reshape(out_h, s, out_w, s, x.shape[2])
        return windows.max(axis=(1, 3))
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Route each window's gradient to its maximum.

        Args:
            d_out: shape (H // size, W // size, C), dL/d(output).
            learn_rate: ignored (pooling has no parameters); accepted so every layer
                has the same backward signature.

        Returns:
            d_x: shape (H, W, C) of the forward input. d_x[p, q, c] = d_out[i, j, c] at
            the first (row-major) maximum of window (i, j) in channel c, else 0.
        """
        # TODO 1. Start from zeros shaped like the forward input (dropped rows stay 0).
        # TODO 2. For each window and channel, find the FIRST position of its maximum
        #         (np.argmax over the flattened window, then np.unravel_index; with
        #         axis=0 on window.reshape(size * size, C), every channel at once).
        # TODO 3. Put d_out[i, j, c] there, and only there.
        # BEGIN SOLUTION
        s, x = self.size, self.last_input
        out_h, out_w = d_out.shape[:2]
        windows = x[:out_h * s, :out_w * s].reshape(out_h, s, out_w, s, x.shape[2])
        out = windows.max(axis=(1, 3))
        # One pass per position (a, b) inside a window, in row-major order, each for every
        # window at once: windows[:, a, :, b] is x[i*s + a, j*s + b] for all (i, j).
        # `taken` marks the windows whose maximum an earlier position already holds, so on a
        # tie only the FIRST maximum gets the gradient.
        d_windows = np.zeros(windows.shape)
        taken = np.zeros(out.shape, dtype=bool)
        for a in range(s):
            for b in range(s):
                first = (windows[:, a, :, b] == out) & ~taken
                taken |= first
                d_windows[:, a, :, b] = first * d_out
        d_x = np.zeros(x.shape)
        d_x[:out_h * s, :out_w * s] = d_windows.reshape(out_h * s, out_w * s, x.shape[2])
        return d_x
        # END SOLUTION
