"""The batched CNN, graded: DigitsClassifier.fit must train the network it holds, and
predict must be that network's argmax.

Accuracy alone does not prove a CNN: fit could memorise the training set and predict by
nearest neighbour (99% on this split). So the test builds the network from the student's
own layers (conv2d, relu, pool2d, linear, and model's Flatten and Sequential), gives it to
a DigitsClassifier, and after each epoch reads the layers' parameters back as arrays. Our
plain-NumPy forward pass of those parameters then judges three things: the training loss
falls as WE compute it, predict returns exactly our argmax of the logits, and our argmax
reaches the target accuracy on the ~300 held-out digits.

3 epochs: every one of 30 seeds of the reference reaches at least 94% (the target is 90%),
while a classifier that does not learn stays near 10%, and forward or backward bugs in any
layer show in the argmax or in the loss.
"""

import numpy as np
import pytest

from grader.judge.oracles import conv_einsum
from kata.judge.nchw import mean_cross_entropy
from kata.kit.data import load_digits

EPOCHS, BATCH_SIZE, LEARN_RATE, TARGET = 3, 32, 0.5, 0.90
LOSS_FALL = 0.25  # the last epoch's loss at most this fraction of the untrained one (reference: < 0.08)
LOSS_IMAGES = 500  # the training loss is computed on the first 500 training digits: a third of the cost
FILTERS, CLASSES = 16, 10


def network_logits(parameters: dict[str, np.ndarray], images: np.ndarray) -> np.ndarray:
    """images (N, 8, 8) -> logits (N, 10) of Conv2D(1 -> 16, 3x3, padding 1), ReLU,
    MaxPool2D(2), Flatten (C order) and Linear(256 -> 10), in plain NumPy."""
    maps = np.maximum(conv_einsum(images[:, None], parameters["conv_weights"], parameters["conv_bias"], 1, 1), 0)
    n, c, h, w = maps.shape
    pooled = maps.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))
    return pooled.reshape(n, -1) @ parameters["linear_weights"].T + parameters["linear_bias"]


def parameters_of(conv, linear) -> dict[str, np.ndarray]:
    """The student's layers' current parameters, read back as float64 arrays."""
    values = {"conv_weights": conv.weights, "conv_bias": conv.bias,
              "linear_weights": linear.weights, "linear_bias": linear.bias}
    shapes = {"conv_weights": (FILTERS, 1, 3, 3), "conv_bias": (FILTERS,),
              "linear_weights": (CLASSES, FILTERS * 16), "linear_bias": (CLASSES,)}
    for name, value in values.items():
        assert isinstance(value, np.ndarray) and value.shape == shapes[name], (
            f"{name.replace('_', '.', 1)} is {getattr(value, 'shape', type(value).__name__)}, expected shape {shapes[name]}")
    return {name: value.astype(np.float64) for name, value in values.items()}


@pytest.mark.exercise("model.train")
def test_model_trains_its_cnn_to_90_percent_on_held_out_digits(student, record_property):
    data = load_digits(seed=0)
    model = student.module("model")
    rng = np.random.default_rng(0)
    conv = student.module("conv2d").Conv2D(1, FILTERS, 3, padding=1, rng=rng)
    linear = student.module("linear").Linear(FILTERS * 16, CLASSES, rng=rng)
    classifier = model.DigitsClassifier(seed=0)
    classifier.network = model.Sequential(
        [conv, student.module("relu").ReLU(), student.module("pool2d").MaxPool2D(2), model.Flatten(), linear])

    def trusted_loss() -> float:
        logits = network_logits(parameters_of(conv, linear), data.train_images[:LOSS_IMAGES])
        return float(mean_cross_entropy(logits, data.train_labels[:LOSS_IMAGES]))

    losses, reported = [trusted_loss()], []
    for _ in range(EPOCHS):  # one call per epoch: each stays well under the per-call timeout
        reported += classifier.fit(data.train_images, data.train_labels, epochs=1,
                                   batch_size=BATCH_SIZE, learn_rate=LEARN_RATE)
        losses.append(trusted_loss())
    history = (f"mean training loss per epoch on {LOSS_IMAGES} training digits, computed from your layers' parameters: "
               f"{[round(x, 3) for x in losses]} (untrained first); fit reported {[round(x, 3) for x in reported]}")
    assert losses[-1] <= LOSS_FALL * losses[0], (
        f"after {EPOCHS} epochs (batch {BATCH_SIZE}, learn_rate {LEARN_RATE}) the training loss should fall to at "
        f"most {LOSS_FALL:g} of the untrained one; {history}. Does fit run backward on every batch of "
        "self.network, and does every layer update its parameters?"
    )
    logits = network_logits(parameters_of(conv, linear), data.test_images)
    predicted = np.asarray(classifier.predict(data.test_images))
    assert predicted.shape == data.test_labels.shape, (
        f"DigitsClassifier.predict returned shape {predicted.shape}, expected {data.test_labels.shape}"
    )
    top_two = np.sort(logits, axis=1)[:, -2:]
    decided = top_two[:, 1] - top_two[:, 0] > 1e-9 * np.maximum(1.0, np.abs(top_two[:, 1]))  # rounding could swap a tie
    differ = decided & (predicted != logits.argmax(axis=1))
    assert not differ.any(), (
        f"DigitsClassifier.predict differs on {differ.sum()} of {len(predicted)} images from the argmax of the "
        "logits of self.network, computed from its layers' parameters: predict must be "
        "self.logits(images).argmax(axis=1), the trained network's own answer"
    )
    accuracy = float(np.mean(logits.argmax(axis=1) == data.test_labels))
    assert accuracy >= TARGET, (
        f"test accuracy {accuracy:.1%} after {EPOCHS} epochs (batch {BATCH_SIZE}, learn_rate {LEARN_RATE}), "
        f"expected at least {TARGET:.0%}; {history}"
    )
    record_property("leaderboard", {"name": "Test accuracy (digits)", "value": accuracy, "order": "desc"})
