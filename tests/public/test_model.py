"""The batched CNN: a short training run on 200 digits must lower the loss."""

import numpy as np
import pytest

from kata.judge.checks import expect_number
from kata.kit.data import load_digits


def epoch_losses(student, images, labels, epochs, **options):
    """Train one epoch per call (each call stays short under the grader's per-call timeout)."""
    classifier = student.module("model").DigitsClassifier(seed=0)
    losses = []
    for epoch in range(epochs):
        history = classifier.fit(images, labels, epochs=1, **options)
        assert isinstance(history, list) and len(history) == 1, (
            f"DigitsClassifier.fit(..., epochs=1) returned {history!r}, expected a list of one mean loss"
        )
        losses.append(expect_number(history[0], f"DigitsClassifier.fit, epoch {epoch + 1} (the mean loss)"))
    return classifier, losses


def check_predictions(predicted, n):
    assert isinstance(predicted, np.ndarray) and predicted.shape == (n,), (
        f"DigitsClassifier.predict(images of shape ({n}, 8, 8)) returned "
        f"{getattr(predicted, 'shape', type(predicted).__name__)}, expected labels of shape ({n},)"
    )
    assert predicted.dtype.kind in "iu" and predicted.min() >= 0 and predicted.max() < 10, (
        "DigitsClassifier.predict must return integer labels in [0, 10) (argmax of the logits)"
    )


@pytest.mark.exercise("model.train")
def test_model_loss_falls_on_200_digits(student):
    data = load_digits(seed=0)
    images, labels = data.train_images[:200], data.train_labels[:200]
    classifier, losses = epoch_losses(student, images, labels, 3, batch_size=32, learn_rate=0.5)
    assert losses[0] < np.log(10) + 0.5 and losses[-1] < 0.7 * losses[0], (
        f"mean training loss per epoch {[round(x, 3) for x in losses]}: it should start near log(10) = 2.30 "
        "and fall by at least 30% in 3 epochs. Check Sequential.backward (layers in reverse order, each "
        "layer's d_x feeding the one before) and that fit calls backward on every batch."
    )
    check_predictions(classifier.predict(images), len(labels))
