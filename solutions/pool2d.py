"""Batched max pooling, NCHW, like PyTorch's nn.MaxPool2d (no padding, no dilation).

Each kernel_size x kernel_size window, moved by `stride` (default: kernel_size), keeps its
largest value, per example and per channel:

    out[n, c, i, j] = max of x[n, c, i*s : i*s + k, j*s : j*s + k]
    H' = (H - k) // s + 1,   W' = (W - k) // s + 1

Rows and columns that do not fill a last window are dropped, as PyTorch does.

Backward: each window's gradient goes to exactly one position, its maximum (the FIRST
one in row-major order when several tie, as np.argmax picks). With stride < kernel_size
windows overlap, and one input can be the maximum of several windows: its gradient is
the SUM of theirs, so backward must accumulate (+=), never assign (=).
"""

from __future__ import annotations

import numpy as np


def at_offset(x: np.ndarray, k: int, s: int, a: int, b: int) -> np.ndarray:
    """x[n, c, i*s + a, j*s + b] for every window (i, j) of k x k windows at stride s.

    Args:
        x: shape (N, C, H, W); 0 <= a, b < k.

    Returns:
        a strided VIEW of x (nothing copied; writing to it writes x), shape (N, C, H', W').
    """
    out_h, out_w = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    return x[:, :, a:a + s * (out_h - 1) + 1:s, b:b + s * (out_w - 1) + 1:s]


class MaxPool2D:
    """Max pooling over k x k windows, stride s (overlapping when s < k); no parameters."""

    def __init__(self, kernel_size: int, stride: int | None = None):
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Max over each window.

        Args:
            x: shape (N, C, H, W), H and W >= kernel_size.

        Returns:
            shape (N, C, H', W') with H' = (H - k) // s + 1, W' = (W - k) // s + 1.
        """
        # TODO 1. Output size H' = (H - k) // s + 1, W' = (W - k) // s + 1.
        # TODO 2. For each output position (i, j): the window starts at row i*s, column j*s;
        #         take its max over the last two axes (all examples and channels at once).
        #         (A loop over (i, j) is fine; the reference loops over the k*k offsets instead.)
        # TODO 3. Remember what backward needs to find each window's maximum. A copy of x is
        #         fine; x itself is not: the caller may change it before calling backward.
        # BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        # No loop over output pixels: a loop over the k*k offsets (a, b) inside a window,
        # each one for every window at once (at_offset is a strided view, nothing copied).
        out = at_offset(x, k, s, 0, 0).copy()
        for offset in range(1, k * k):
            np.maximum(out, at_offset(x, k, s, *divmod(offset, k)), out=out)
        # What backward needs, found now (x may change after forward returns): for each
        # offset, the windows whose FIRST maximum in row-major order sits there. `taken`
        # marks the windows whose maximum an earlier offset already holds, so on a tie only
        # the first maximum is kept.
        self.first_max = np.empty((k * k, *out.shape), dtype=bool)
        taken = np.zeros(out.shape, dtype=bool)
        for offset, first in enumerate(self.first_max):
            np.equal(at_offset(x, k, s, *divmod(offset, k)), out, out=first)
            first &= ~taken
            taken |= first
        self.last_input_shape = x.shape
        return out
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Route each window's gradient to its first maximum, accumulating over windows.

        Args:
            d_out: shape (N, C, H', W'), dL/d(output).
            learn_rate: ignored (no parameters); accepted so every layer has the same
                backward signature.

        Returns:
            d_x: shape (N, C, H, W). Position (p, q) receives the sum of d_out[n, c, i, j]
            over the windows (i, j) whose first maximum it is; all other positions get 0.
        """
        # TODO 1. Start d_x at zeros shaped like the forward input.
        # TODO 2. For each window (i, j): flatten its k x k values per (n, c), take np.argmax
        #         (the FIRST maximum), and turn it back into a row and column (np.divmod by k).
        # TODO 3. ADD (+=) d_out[:, :, i, j] at that position: overlapping windows can share
        #         a maximum, and then its gradient is the sum of theirs.
        # BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        d_x = np.zeros(self.last_input_shape)
        for offset, first in enumerate(self.first_max):
            # The windows whose first maximum sits at offset (a, b) send their gradient to
            # x[:, :, i*s + a, j*s + b]: one strided slice of d_x covers all of them. With
            # s < k the slices of different offsets overlap: ADD (+=), never assign (=).
            grid = at_offset(d_x, k, s, *divmod(offset, k))
            if s >= k:  # no overlap: each position of d_x is written once, straight from d_out
                np.multiply(first, d_out, out=grid)
            else:
                grid += first * d_out
        return d_x
        # END SOLUTION
