"""A batched 2-D convolution layer, NCHW, laid out like PyTorch's nn.Conv2d.

Deep-learning "convolution" is cross-correlation (the kernel is not flipped). With the
input zero-padded by p on each side of H and W (x_pad), stride s and k x k kernels:

    out[n, f, i, j] = bias[f] + sum_{c, a, b} x_pad[n, c, i*s + a, j*s + b] * weights[f, c, a, b]

    x: (N, C, H, W)   weights: (F, C, k, k)   bias: (F,)   out: (N, F, H', W')
    H' = (H + 2p - k) // s + 1,   W' = (W + 2p - k) // s + 1

Backward, for d_out = dL/dout of shape (N, F, H', W'): output (n, f, i, j) was made from
the window x_pad[n, :, i*s:i*s+k, j*s:j*s+k] and weights[f], so, summed over every
(n, f, i, j),

    d_weights[f]                            += d_out[n, f, i, j] * window
    d_bias[f]                               += d_out[n, f, i, j]
    d_x_pad[n, :, i*s:i*s+k, j*s:j*s+k]     += d_out[n, f, i, j] * weights[f]

Windows overlap, so gradients accumulate. d_x is d_x_pad without its padding (the padded
border is not part of the input). d_x uses the weights of the forward pass: compute it
before the update.

This file loops over output pixels on purpose: it is the readable reference. fast_conv.py
is the same layer without that loop.
"""

from __future__ import annotations

import numpy as np


def pad_images(x: np.ndarray, padding: int) -> np.ndarray:
    """x (N, C, H, W) with `padding` zero rows and columns added on each side of H and W."""
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


class Conv2D:
    """Batched cross-correlation with bias, stride and zero padding.

    Attributes:
        weights: shape (out_channels, in_channels, k, k), He-initialised:
            normal * sqrt(2 / (in_channels * k * k)).
        bias: shape (out_channels,), zeros.
        d_weights, d_bias: the gradients from the last backward, same shapes.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, padding: int = 0,
                 rng: int | np.random.Generator | None = None):
        rng = np.random.default_rng(rng)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        fan_in = in_channels * kernel_size * kernel_size
        self.weights = rng.standard_normal((out_channels, in_channels, kernel_size, kernel_size)) * np.sqrt(2.0 / fan_in)
        self.bias = np.zeros(out_channels)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Cross-correlate every filter with every example.

        Args:
            x: shape (N, C, H, W) with C == in_channels and H + 2p, W + 2p >= k.

        Returns:
            shape (N, F, H', W'), H' = (H + 2p - k) // s + 1, W' = (W + 2p - k) // s + 1.
        """
        # TODO 1. Remember x: backward needs it.
        # TODO 2. Zero-pad H and W by `padding` on each side (pad_images).
        # TODO 3. Output size: H' = (H + 2p - k) // s + 1, and the same for W'.
        # TODO 4. Flatten the weights once to (F, C*k*k): one row per filter.
        # TODO 5. For each output position (i, j), the window starts at row i*s, column j*s.
        #         Flatten the window (N, C, k, k) to (N, C*k*k): every output channel at
        #         once is one matrix product, out[:, :, i, j] = window @ weights_2d.T, (N, F).
        # TODO 6. Add the bias of each output channel (broadcast it as (1, F, 1, 1)).
        # BEGIN SOLUTION
        self.last_input = x.copy()
        k, s = self.kernel_size, self.stride
        x_pad = pad_images(x, self.padding)
        n, _, h_pad, w_pad = x_pad.shape
        out_h, out_w = (h_pad - k) // s + 1, (w_pad - k) // s + 1
        # A flattened window lists its values channel by channel, row by row: so does a
        # filter flattened the same way, and their dot product is the window's sum of products.
        weights_2d = self.weights.reshape(self.out_channels, -1)
        out = np.zeros((n, self.out_channels, out_h, out_w))
        for i in range(out_h):
            for j in range(out_w):
                window = x_pad[:, :, i * s:i * s + k, j * s:j * s + k].reshape(n, -1)
                out[:, :, i, j] = window @ weights_2d.T
        return out + self.bias[None, :, None, None]
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Gradients for weights, bias and input, then one SGD step.

        Args:
            d_out: shape (N, F, H', W'), dL/d(output).
            learn_rate: the SGD step size.

        Returns:
            d_x: shape (N, C, H, W), computed with the weights used in forward.
        Sets self.d_weights (F, C, k, k) and self.d_bias (F,), then
        weights -= learn_rate * d_weights and bias -= learn_rate * d_bias.
        """
        # TODO 1. Pad the saved input again; flatten the weights to (F, C*k*k) as in forward;
        #         start d_weights_2d (F, C*k*k) and d_x_pad (padded shape) at zeros.
        # TODO 2. d_bias = d_out summed over N, H' and W'.
        # TODO 3. For each output position (i, j), with g = d_out[:, :, i, j] of shape (N, F)
        #         and the window flattened to (N, C*k*k) as in forward:
        #         d_weights_2d += g.T @ window                       -> (F, C*k*k)
        #         d_x_pad[window's place] += g @ weights_2d          -> (N, C*k*k), as (N, C, k, k)
        #         ACCUMULATE (+=): windows overlap.
        # TODO 4. d_weights = d_weights_2d reshaped to (F, C, k, k); d_x = d_x_pad without
        #         the padding: drop p rows/columns on EACH side.
        # TODO 5. Only then update weights and bias; return d_x.
        # BEGIN SOLUTION
        k, s, p = self.kernel_size, self.stride, self.padding
        x_pad = pad_images(self.last_input, p)
        n, c, h, w = self.last_input.shape
        weights_2d = self.weights.reshape(self.out_channels, -1)
        d_weights_2d = np.zeros(weights_2d.shape)
        d_x_pad = np.zeros(x_pad.shape)
        for i in range(d_out.shape[2]):
            for j in range(d_out.shape[3]):
                window = x_pad[:, :, i * s:i * s + k, j * s:j * s + k].reshape(n, -1)
                g = d_out[:, :, i, j]
                d_weights_2d += g.T @ window
                d_x_pad[:, :, i * s:i * s + k, j * s:j * s + k] += (g @ weights_2d).reshape(n, c, k, k)
        self.d_weights = d_weights_2d.reshape(self.weights.shape)
        self.d_bias = d_out.sum(axis=(0, 2, 3))
        d_x = d_x_pad[:, :, p:p + h, p:p + w]
        self.weights = self.weights - learn_rate * self.d_weights
        self.bias = self.bias - learn_rate * self.d_bias
        return d_x
        # END SOLUTION
