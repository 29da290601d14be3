"""The Conv2D layer of conv2d.py, vectorized: no Python loop over pixels.

Same contract, same formulas (see conv2d.py). The loop over output pixels becomes one
matrix product by laying every window out as a column ("im2col"):

    cols:   (C*k*k, N*H'*W')   column (n, i, j) = x_pad[n, :, i*s:i*s+k, j*s:j*s+k] flattened
    out   = weights.reshape(F, C*k*k) @ cols + bias[:, None]     (F, N*H'*W') -> (N, F, H', W')

np.lib.stride_tricks.sliding_window_view gives every window at stride 1 as a view of x_pad,
shape (N, C, H + 2p - k + 1, W + 2p - k + 1, k, k); slicing [:, :, ::s, ::s] applies the
stride, still without copying. Reshaping into cols copies once. Rows (c, a, b) and columns
(n, i, j), in that order, make each row a shifted copy of whole images: the copy reads
memory in long runs (the transposed layout, one window per row, is 2x slower). Backward
reuses those columns:

    g         = d_out as (F, N*H'*W')
    d_weights = g @ cols.T                       (F, C*k*k) -> (F, C, k, k)
    d_bias    = g.sum(axis=1)
    d_cols    = weights.reshape(F, C*k*k).T @ g   (C*k*k, N*H'*W')

and d_cols goes back onto d_x_pad ("col2im"): for each of the k*k kernel offsets (a, b),
the values of every window at that offset land on a strided grid of d_x_pad, which one
slice assignment covers. Grids of different offsets overlap: accumulate (+=).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import conv2d
from conv2d import pad_images


class Conv2D(conv2d.Conv2D):
    """conv2d.Conv2D with the same constructor, attributes and contract (weights
    (out_channels, in_channels, k, k), bias (out_channels,), d_weights, d_bias), and a
    forward and backward without a Python loop over pixels.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Cross-correlate every filter with every example, as one matrix product.

        Args:
            x: shape (N, C, H, W) with C == in_channels and H + 2p, W + 2p >= k.

        Returns:
            shape (N, F, H', W'), H' = (H + 2p - k) // s + 1, W' = (W + 2p - k) // s + 1.
        """
        # TODO 1. Remember x's shape; zero-pad it (pad_images).
        # TODO 2. windows = sliding_window_view(x_pad, (k, k), axis=(2, 3))[:, :, ::s, ::s]:
        #         shape (N, C, H', W', k, k), a view (nothing copied yet).
        # TODO 3. cols: transpose to (C, k, k, N, H', W') and reshape to (C*k*k, N*H'*W').
        #         Keep cols: backward needs it.
        # TODO 4. out = weights.reshape(F, -1) @ cols + bias[:, None], shape (F, N*H'*W');
        #         reshape to (F, N, H', W') and transpose to (N, F, H', W').
        # BEGIN SOLUTION
        k, s = self.kernel_size, self.stride
        self.last_input_shape = x.shape
        x_pad = pad_images(x, self.padding)
        windows = sliding_window_view(x_pad, (k, k), axis=(2, 3))[:, :, ::s, ::s]
        n, c, out_h, out_w = windows.shape[:4]
        self.cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(c * k * k, n * out_h * out_w)
        out = self.weights.reshape(self.out_channels, -1) @ self.cols + self.bias[:, None]
        return out.reshape(self.out_channels, n, out_h, out_w).transpose(1, 0, 2, 3)
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
        # TODO 1. g = d_out transposed to (F, N, H', W') and reshaped to (F, N*H'*W'): its
        #         columns match the columns of cols.
        # TODO 2. d_weights = (g @ cols.T) reshaped to (F, C, k, k); d_bias = g summed over columns.
        # TODO 3. d_cols = weights.reshape(F, -1).T @ g, reshaped to (C, k, k, N, H', W').
        # TODO 4. col2im: d_x_pad = zeros of shape (C, N, H + 2p, W + 2p); for each kernel
        #         offset (a, b), d_x_pad[:, :, a:a + s*H':s, b:b + s*W':s] += d_cols[:, a, b].
        #         Only k*k iterations: never loop over pixels.
        # TODO 5. Crop p rows/columns from each side, transpose back to (N, C, H, W), then
        #         update weights and bias; return d_x.
        # BEGIN SOLUTION
        k, s, p = self.kernel_size, self.stride, self.padding
        n, c, h, w = self.last_input_shape
        out_h, out_w = d_out.shape[2:]
        g = d_out.transpose(1, 0, 2, 3).reshape(self.out_channels, -1)
        weights_2d = self.weights.reshape(self.out_channels, -1)
        self.d_weights = (g @ self.cols.T).reshape(self.weights.shape)
        self.d_bias = g.sum(axis=1)
        # (C, k, k, N, H', W'): the slice of one offset (a, b) is (C, N, H', W'), like its grid.
        d_cols = (weights_2d.T @ g).reshape(c, k, k, n, out_h, out_w)
        d_x_pad = np.zeros((c, n, h + 2 * p, w + 2 * p))
        for a in range(k):
            for b in range(k):
                d_x_pad[:, :, a:a + s * out_h:s, b:b + s * out_w:s] += d_cols[:, a, b]
        self.weights = self.weights - learn_rate * self.d_weights
        self.bias = self.bias - learn_rate * self.d_bias
        return d_x_pad[:, :, p:p + h, p:p + w].transpose(1, 0, 2, 3)
        # END SOLUTION
