"""Softmax cross-entropy over a batch, the loss of a classifier (PyTorch's F.cross_entropy).

For logits z of shape (N, K) and integer labels y of shape (N,):

    p[n]  = softmax(z[n]) = exp(z[n] - max z[n]) / sum(exp(z[n] - max z[n]))
    loss  = mean over n of -log p[n, y[n]]

and its gradient, one row per example, divided by N because the loss is a mean:

    d_logits[n] = (p[n] - onehot(y[n])) / N

Subtracting each row's max changes nothing mathematically and keeps exp from overflowing;
computing log p as (z - max) - log(sum(exp(z - max))) keeps it finite when p underflows.
"""

from __future__ import annotations

import numpy as np


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of a batch and its gradient with respect to the logits.

    Args:
        logits: shape (N, K), unnormalised class scores.
        labels: shape (N,), integers in [0, K).

    Returns:
        loss: a float, the mean of -log softmax(logits[n])[labels[n]] over the batch.
        d_logits: shape (N, K), (softmax(logits) - onehot(labels)) / N.
    """
    # TODO 1. Shift each row by its max (keepdims=True) so exp cannot overflow.
    # TODO 2. log_probs = shifted - log(sum(exp(shifted))) per row.
    # TODO 3. loss = -mean of log_probs[n, labels[n]] (index with np.arange(N), labels).
    # TODO 4. d_logits = exp(log_probs), minus 1 at each row's label, divided by N.
    # BEGIN SOLUTION
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_probs[rows, labels].mean()
    d_logits = np.exp(log_probs)
    d_logits[rows, labels] -= 1.0
    return float(loss), d_logits / n
    # END SOLUTION
