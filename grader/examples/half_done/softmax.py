"""Softmax and cross-entropy: turning the network's scores into a loss.

softmax(z)_i = exp(z_i) / sum_j exp(z_j)

exp(1000) overflows float64 to inf, and inf / inf is nan. Softmax does not change when
the same constant is subtracted from every logit, so subtract the largest one first:
every exponent is then <= 0 and the largest term is exactly exp(0) = 1.

cross_entropy(z, y) = -log softmax(z)[y] = log(sum_j exp(z_j)) - z_y
computed with the same trick (log-sum-exp), so the loss stays finite and exact even when
softmax(z)[y] underflows to 0. Its gradient is d_logits = softmax(z) - onehot(y).
"""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities from raw scores.

    Args:
        logits: shape (K,), any real values (logits of +-1000 must work).

    Returns:
        probabilities: shape (K,), float64, each in [0, 1], summing to 1.
        The input is not modified.
    """
    # TODO 1. Shift the logits so that the largest becomes 0 (logits - logits.max()).
    # TODO 2. Exponentiate the shifted logits.
    # TODO 3. Divide by their sum.
    # BEGIN SOLUTION
    shifted = logits - np.max(logits)
    exps = np.exp(shifted)
    return exps / np.sum(exps)
    # END SOLUTION


def cross_entropy(logits: np.ndarray, label: int) -> tuple[float, np.ndarray]:
    """Cross-entropy loss of one example and its gradient with respect to the logits.

    Args:
        logits: shape (K,), raw scores.
        label: the correct class, an int in [0, K).

    Returns:
        (loss, d_logits):
        loss: float, -log softmax(logits)[label], computed stably with log-sum-exp.
        d_logits: shape (K,), dloss/dlogits = softmax(logits) - onehot(label).
    """
    # TODO 1. Shift the logits by their maximum, as in softmax.
    # TODO 2. loss = log(sum(exp(shifted))) - shifted[label]   (log-sum-exp; never log(0)).
    # TODO 3. d_logits = softmax(logits), then subtract 1 at the label.
    # BEGIN SOLUTION
    shifted = logits - np.max(logits)
    log_sum_exp = np.log(np.sum(np.exp(shifted)))
    loss = float(log_sum_exp - shifted[label])
    d_logits = np.exp(shifted - log_sum_exp)
    d_logits[label] -= 1.0
    return loss, d_logits
    # END SOLUTION
