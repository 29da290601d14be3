"""A convolution layer: num_filters small filters slid over a grayscale image.

Deep-learning "convolution" is cross-correlation: the filter is NOT flipped.

    out[i, j, f] = sum_{a, b} image[i + a, j + b] * filters[f, a, b]

for a k x k filter, no padding ("valid"), stride 1, so an (H, W) image gives
(H - k + 1, W - k + 1, num_filters) maps.

Backward, for d_out = dL/dout of shape (H - k + 1, W - k + 1, num_filters): every output
pixel (i, j, f) was made from the window image[i:i+k, j:j+k] and filters[f], so

    d_filters[f]          += d_out[i, j, f] * image[i:i+k, j:j+k]
    d_image[i:i+k, j:j+k] += d_out[i, j, f] * filters[f]

summed over every (i, j, f): windows overlap, so gradients accumulate (+=, never =).
d_image must use the filters that made the output: compute it before the update.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view  # optional: every k x k window at once, as a view


class Conv:
    """Valid cross-correlation of one (H, W) image with num_filters k x k filters.

    Attributes:
        filters: shape (num_filters, k, k), drawn from a normal distribution / (k * k).
        d_filters: shape (num_filters, k, k), dL/dfilters from the last backward.
    """

    def __init__(self, num_filters: int = 16, filter_size: int = 3,
                 rng: int | np.random.Generator | None = None):
        rng = np.random.default_rng(rng)
        self.num_filters = num_filters
        self.filter_size = filter_size
        self.filters = rng.standard_normal((num_filters, filter_size, filter_size)) / (filter_size * filter_size)

    def forward(self, image: np.ndarray) -> np.ndarray:
        """Slide every filter over the image.

        Args:
            image: shape (H, W), H and W >= k.

        Returns:
            shape (H - k + 1, W - k + 1, num_filters), with
            out[i, j, f] = sum(image[i:i+k, j:j+k] * filters[f]).
        """
        # TODO 1. Remember the image: backward needs it.
        # TODO 2. Output size: (H - k + 1) by (W - k + 1), one map per filter.
        # TODO 3. For each position (i, j): out[i, j] = sum over the window of window * filters
        #         (one value per filter; do not flip the filters). Loops are fine; faster:
        #         sliding_window_view(image, (k, k)) holds every window, np.einsum sums them.
        # BEGIN SOLUTION
        self.last_input = image.copy()
        k = self.filter_size
        # windows[i, j] is the window image[i:i+k, j:j+k], a view (nothing is copied), so
        # windows has the output's size: (H - k + 1, W - k + 1, k, k). Backward needs it too.
        self.last_windows = windows = sliding_window_view(self.last_input, (k, k))
        # out[i, j, f] = sum over a, b of windows[i, j, a, b] * filters[f, a, b]: the loop over
        # (i, j) of the TODO steps, every position and filter in one einsum.
        return np.einsum("ijab,fab->ijf", windows, self.filters)
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Gradients for the filters and the image, then one SGD step on the filters.

        Args:
            d_out: shape (H - k + 1, W - k + 1, num_filters), dL/d(output).
            learn_rate: the SGD step size.

        Returns:
            d_image: shape (H, W), dL/dimage, computed with the filters used in forward.
        Sets self.d_filters, then filters -= learn_rate * d_filters.
        """
        # TODO 1. Start d_filters and d_image at zeros.
        # TODO 2. For every output position (i, j) and filter f, ACCUMULATE (+=):
        #         d_filters[f] += d_out[i, j, f] * window, and
        #         d_image[i:i+k, j:j+k] += d_out[i, j, f] * filters[f]
        #         (loops are fine; the sums over (i, j) or over f can also be one np.einsum).
        # TODO 3. Only then update the filters: filters -= learn_rate * d_filters.
        # TODO 4. Return d_image.
        # BEGIN SOLUTION
        k = self.filter_size
        windows = self.last_windows  # windows[i, j] = image[i:i+k, j:j+k]
        out_h, out_w = d_out.shape[:2]
        # d_filters[f] = sum over (i, j) of d_out[i, j, f] * windows[i, j], every f at once.
        d_filters = np.einsum("ijf,ijab->fab", d_out, windows)
        # d_windows[i, j] = sum over f of d_out[i, j, f] * filters[f]: what window (i, j) sends
        # back to its pixels, from the filters forward used (so before the update).
        d_windows = np.einsum("ijf,fab->ijab", d_out, self.filters)
        self.d_filters = d_filters
        self.filters = self.filters - learn_rate * d_filters
        # Windows overlap, so what they send ACCUMULATES (+=): pixel (i + a, j + b) gets
        # d_windows[i, j, a, b] from every window (i, j) covering it. The loop runs over the
        # k * k offsets (a, b) inside a window, each one for all windows at once.
        d_image = np.zeros(self.last_input.shape)
        for a in range(k):
            for b in range(k):
                d_image[a:a + out_h, b:b + out_w] += d_windows[:, :, a, b]
        return d_image
        # END SOLUTION
