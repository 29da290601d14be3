"""The batched CNN, graded: trained on the 1,500 training digits, it must classify the
~300 held-out ones at least 97% right, in a fixed budget of 8 epochs."""

import numpy as np
import pytest

from kata.kit.data import load_digits

EPOCHS, BATCH_SIZE, LEARN_RATE, TARGET = 8, 32, 0.5, 0.97


@pytest.mark.exercise("model.train")
def test_model_reaches_97_percent_on_held_out_digits(student):
    data = load_digits(seed=0)
    classifier = student.module("model").DigitsClassifier(seed=0)
    losses = []
    for _ in range(EPOCHS):  # one call per epoch: each stays well under the per-call timeout
        losses += classifier.fit(data.train_images, data.train_labels, epochs=1,
                                 batch_size=BATCH_SIZE, learn_rate=LEARN_RATE)
    predicted = np.asarray(classifier.predict(data.test_images))
    assert predicted.shape == data.test_labels.shape, (
        f"DigitsClassifier.predict returned shape {predicted.shape}, expected {data.test_labels.shape}"
    )
    accuracy = float(np.mean(predicted == data.test_labels))
    assert accuracy >= TARGET, (
        f"test accuracy {accuracy:.1%} after {EPOCHS} epochs (batch {BATCH_SIZE}, learn_rate {LEARN_RATE}), "
        f"expected at least {TARGET:.0%}; mean training loss per epoch: {[round(x, 3) for x in losses]}"
    )
