"""Mistakes in network.py, written into a copy of solutions/, fail the network suites with a
message that points at them (without the one-epoch training test: these are about wiring).

Messages are read from JUnit XML, which holds each failure's exception message alone: a
printed traceback would also show the checks' source, where every phrase is written.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from kata.bugs import Bug, apply

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


@pytest.mark.parametrize("bugs", NETWORK_BUGS, ids=lambda bugs: bugs[0].name)
def test_network_bug_is_caught_with_a_pointed_message(bugs, tmp_path):
    impl, report = tmp_path / "impl", tmp_path / "report.xml"
    apply(bugs, ROOT / "solutions", impl)
    bug = bugs[-1]
    command = [sys.executable, "-m", "pytest", "-q", "tests/public/test_network.py", "tests/hidden/test_network.py",
               "--impl", str(impl), "-k", "not epoch", f"--junitxml={report}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout[-2000:]
    messages = [failure.get("message", "") for failure in ElementTree.parse(report).iter("failure")]
    assert any(bug.symptom.lower() in message.lower() for message in messages), messages
