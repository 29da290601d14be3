"""The Conv2D layer of conv2d.py, vectorized: no Python loop over pixels.

Same contract, same formulas (see conv2d.py). The loop over output pixels becomes one
matrix product per example by laying every window of it out as a column ("im2col"):

    cols[n]:  (C*k*k, H'*W')   column (i, j) = x_pad[n, :, i*s:i*s+k, j*s:j*s+k] flattened
    out[n]  = weights.reshape(F, C*k*k) @ cols[n] + bias[:, None]     (F, H'*W') -> (F, H', W')

np.lib.stride_tricks.sliding_window_view gives every window at stride 1 as a view of x_pad,
shape (N, C, H + 2p - k + 1, W + 2p - k + 1, k, k); slicing [:, :, ::s, ::s] applies the
stride, still without copying. Reshaping into cols copies. Rows (c, a, b) and columns
(i, j), in that order, make each row a shifted copy of a whole image: the copy reads
memory in long runs (the transposed layout, one window per row, is 2x slower), and the
product comes out as (F, H'*W'), already NCHW's layout: no transpose afterwards.

cols holds every input value k*k times: for a batch of 64x8x32x32 and 3x3 filters, 37 MB.
Built for the whole batch at once, that is fresh memory on every call (the operating
system hands it out page by page) and far larger than the CPU's cache, so every product
waits for main memory: on that batch, forward + backward takes 1.3-1.5x as long as when
cols is built a few examples at a time (chunks), staying in the cache from the copy
through the products. np.matmul does a chunk's stack of examples in one call:
W (F, C*k*k) @ cols (n, C*k*k, H'*W') -> (n, F, H'*W'). Backward builds each chunk's
cols again (cheaper than keeping 37 MB) and reuses it:

    g[n]      = d_out[n] as (F, H'*W')                (a reshape, nothing copied)
    d_weights = sum over n of g[n] @ cols[n].T         (F, C*k*k) -> (F, C, k, k)
    d_bias    = d_out summed over n, i, j
    d_cols[n] = weights.reshape(F, C*k*k).T @ g[n]     (C*k*k, H'*W')

and d_cols goes back onto d_x_pad ("col2im"): for each of the k*k kernel offsets (a, b),
the values of every window at that offset land on a strided grid of d_x_pad, which one
slice assignment covers. Grids of different offsets overlap: accumulate (+=).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import conv2d
from conv2d import pad_images

# A chunk's cols stay within this (most CPUs' per-core cache holds 1 MB or more); on the
# benchmark's batch one example's cols take 0.6 MB, on 8x8 digits a batch of 200 fits.
CACHE_BYTES = 2**20


def windows_of(x_pad: np.ndarray, k: int, s: int) -> np.ndarray:
    """Every k x k window of x_pad at stride s, as a view: shape (N, C, H', W', k, k)."""
    # TODO sliding_window_view(x_pad, (k, k), axis=(2, 3)) gives every window at stride 1,
    #      shape (N, C, H + 2p - k + 1, W + 2p - k + 1, k, k); keep every s-th along H and W.
    # BEGIN SOLUTION
    return sliding_window_view(x_pad, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    # END SOLUTION


def chunks(windows: np.ndarray) -> list[slice]:
    """The examples in chunks whose cols fit in CACHE_BYTES (at least one example each)."""
    n, c, out_h, out_w, k = windows.shape[:5]
    per_chunk = max(1, CACHE_BYTES // (windows.itemsize * c * k * k * out_h * out_w))
    return [slice(start, start + per_chunk) for start in range(0, n, per_chunk)]


def im2col(windows: np.ndarray) -> np.ndarray:
    """windows (n, C, H', W', k, k) laid out as cols (n, C*k*k, H'*W'): one copy."""
    # TODO Transpose to (n, C, k, k, H', W'), so that rows are (c, a, b) and columns (i, j),
    #      then reshape to (n, C*k*k, H'*W') (this reshape is the one copy).
    # BEGIN SOLUTION
    n, c, out_h, out_w, k, _ = windows.shape
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k * k, out_h * out_w)
    # END SOLUTION


class Conv2D(conv2d.Conv2D):
    """conv2d.Conv2D with the same constructor, attributes and contract (weights
    (out_channels, in_channels, k, k), bias (out_channels,), d_weights, d_bias), and a
    forward and backward without a Python loop over pixels.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Cross-correlate every filter with every example, as matrix products.

        Args:
            x: shape (N, C, H, W) with C == in_channels and H + 2p, W + 2p >= k.

        Returns:
            shape (N, F, H', W'), H' = (H + 2p - k) // s + 1, W' = (W + 2p - k) // s + 1.
        """
        # TODO 1. Zero-pad x (pad_images) and keep x_pad: backward needs it (a new array,
        #         so the caller changing x later changes nothing here).
        # TODO 2. windows = windows_of(x_pad, k, s): shape (N, C, H', W', k, k), a view.
        # TODO 3. out = empty (N, F, H'*W'). For each chunk of examples in chunks(windows):
        #         out[chunk] = weights.reshape(F, -1) @ im2col(windows[chunk]), (n, F, H'*W').
        # TODO 4. Add bias[:, None] and reshape out to (N, F, H', W').
        # BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        self.x_pad = pad_images(x, self.padding)
        windows = windows_of(self.x_pad, k, s)
        n, out_h, out_w = windows.shape[0], windows.shape[2], windows.shape[3]
        weights_2d = self.weights.reshape(self.out_channels, -1)
        out = np.empty((n, self.out_channels, out_h * out_w))
        for chunk in chunks(windows):
            np.matmul(weights_2d, im2col(windows[chunk]), out=out[chunk])
        out += self.bias[:, None]
        return out.reshape(n, self.out_channels, out_h, out_w)
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Gradients for weights, bias and input as matrix products, then one SGD step.

        Args:
            d_out: shape (N, F, H', W'), dL/d(output).
            learn_rate: the SGD step size.

        Returns:
            d_x: shape (N, C, H, W), computed with the weights used in forward.
        Sets self.d_weights (F, C, k, k) and self.d_bias (F,), then
        weights -= learn_rate * d_weights and bias -= learn_rate * d_bias.
        """
        # TODO 1. g = d_out reshaped to (N, F, H'*W'); d_bias = d_out summed over N, H', W'.
        # TODO 2. d_x_pad = zeros shaped like x_pad; d_weights_2d = zeros (F, C*k*k).
        # TODO 3. For each chunk of examples in chunks(windows): cols = im2col(windows[chunk]);
        #         d_weights_2d += (g[chunk] @ cols.transpose(0, 2, 1)).sum(axis=0);
        #         d_cols = weights.reshape(F, -1).T @ g[chunk], reshaped to (n, C, k, k, H', W').
        # TODO 4. col2im: for each kernel offset (a, b),
        #         d_x_pad[chunk, :, a:a + s*H':s, b:b + s*W':s] += d_cols[:, :, a, b].
        #         Only k*k iterations per chunk: never loop over pixels.
        # TODO 5. Crop p rows/columns from each side of d_x_pad, then update weights and bias
        #         (with d_weights_2d reshaped to (F, C, k, k)); return d_x.
        # BEGIN SOLUTION
        k, s, p = self.kernel_size, self.stride, self.padding
        windows = windows_of(self.x_pad, k, s)
        n, c, out_h, out_w = windows.shape[:4]
        g = d_out.reshape(n, self.out_channels, out_h * out_w)
        self.d_bias = d_out.sum(axis=(0, 2, 3))
        weights_2d = self.weights.reshape(self.out_channels, -1)
        d_weights_2d = np.zeros(weights_2d.shape)
        d_x_pad = np.zeros(self.x_pad.shape)
        for chunk in chunks(windows):
            cols = im2col(windows[chunk])
            d_weights_2d += (g[chunk] @ cols.transpose(0, 2, 1)).sum(axis=0)
            # (n, C, k, k, H', W'): the slice of one offset (a, b) is (n, C, H', W'), like its grid.
            d_cols = (weights_2d.T @ g[chunk]).reshape(-1, c, k, k, out_h, out_w)
            for a in range(k):
                for b in range(k):
                    d_x_pad[chunk, :, a:a + s * out_h:s, b:b + s * out_w:s] += d_cols[:, :, a, b]
        self.d_weights = d_weights_2d.reshape(self.weights.shape)
        self.weights = self.weights - learn_rate * self.d_weights
        self.bias = self.bias - learn_rate * self.d_bias
        h, w = d_x_pad.shape[2] - 2 * p, d_x_pad.shape[3] - 2 * p
        return d_x_pad[:, :, p:p + h, p:p + w]
        # END SOLUTION
