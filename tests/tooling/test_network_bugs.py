"""Mistakes in network.py, written into a copy of solutions/, fail the network suites with a
message that points at them (without the one-epoch training test: these are about wiring).

The suites run through the `suites` fixture (tests/tooling/conftest.py), which reads each
failure's exception message alone from JUnit XML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from authoring.bugs import Bug, apply

ROOT = Path(__file__).resolve().parents[2]

NETWORK_BUGS = [[bug] for bug in (
    Bug("conv never trained", "network", "network.train",
        "        self.conv.backward(d_maps, learn_rate)\n", "",
        "this parameter did not change"),
    Bug("the gradient's sign flipped", "network", "network.train",
        "self.dense.backward(d_logits, learn_rate)", "self.dense.backward(-d_logits, learn_rate)",
        "the update went uphill"),
    Bug("loss reported after the update", "network", "network.train",
        "        return loss, correct\n",
        "        return cross_entropy(self.logits(image), label)[0], correct\n",
        "BEFORE the update"),
    Bug("predict returns a list", "network", "network.train",
        "        return np.array([np.argmax(self.logits(image)) for image in images], dtype=np.int64)\n",
        "        return [int(np.argmax(self.logits(image))) for image in images]\n",
        "expected an integer array"),
)]
# A network that ignores its dense layer: it builds, runs and trains a copy of its own.
NETWORK_BUGS.append([
    Bug("its own dense copy", "network", "network.train",
        "        self.dense = Dense(pooled_h * pooled_w * num_filters, num_classes, rng)\n",
        "        self.dense = Dense(pooled_h * pooled_w * num_filters, num_classes, rng)\n"
        "        self.own = Dense(pooled_h * pooled_w * num_filters, num_classes, 0)\n"
        "        self.own.weights = self.dense.weights.copy()\n", ""),
    Bug("forward through the copy", "network", "network.train",
        "return self.dense.forward(", "return self.own.forward(", ""),
    Bug("backward through the copy", "network", "network.train",
        "self.dense.backward(d_logits", "self.own.backward(d_logits", "did not change"),
])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, suites, selected: Callable[[str], list]) -> dict:
    """The network suites on each selected set of bugs, all started at once."""
    started = {}
    for bugs in selected("bugs"):
        workdir = tmp_path_factory.mktemp("network")
        apply(bugs, ROOT / "solutions", workdir / "impl")
        started[bugs[0].name] = suites(workdir / "impl", "network", workdir / "report.xml", "-k", "not epoch")
    return {name: run.result() for name, run in started.items()}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("bugs", NETWORK_BUGS, ids=lambda bugs: bugs[0].name)
def test_network_bug_is_caught_with_a_pointed_message(bugs, runs: dict):
    bug = bugs[-1]
    run = runs[bugs[0].name]
    assert run.returncode == 1, run.output[-2000:]
    messages = run.messages("public") + run.messages("hidden")
    assert any(bug.symptom.lower() in message.lower() for message in messages), messages
