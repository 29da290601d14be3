"""ReLU, the rectified linear unit, element-wise on any shape:

    out = max(x, 0)

Backward: the slope is 1 where x > 0 and 0 where x < 0, so

    d_x = d_out * (x > 0)

(at x == 0 exactly the slope is undefined; like PyTorch we pass no gradient there).
"""

from __future__ import annotations

import numpy as np


class ReLU:
    """Element-wise max(x, 0); no parameters."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Clip negatives to zero.

        Args:
            x: any shape, e.g. (N, C, H, W) or (N, D).

        Returns:
            same shape as x: max(x, 0).
        """
        # TODO 1. Remember where x is positive: backward needs that mask.
        # TODO 2. Return max(x, 0) as a new array (np.maximum), leaving x unchanged.
        # BEGIN SOLUTION
        self.positive = x > 0
        return np.maximum(x, 0.0)
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Let the gradient through where the input was positive.

        Args:
            d_out: same shape as the forward input, dL/d(output).
            learn_rate: ignored (no parameters); accepted so every layer has the same
                backward signature.

        Returns:
            d_x: same shape, d_out where x > 0, else 0.
        """
        # TODO 1. Multiply d_out by the mask saved in forward.
        # BEGIN SOLUTION
        return d_out * self.positive
        # END SOLUTION
