"""The per-call time limits: calibrated per function, bounded, and carried to the trusted run intact."""

import pytest

from grader.trusted import policy


def test_each_function_gets_its_own_calibrated_limit_within_the_bounds():
    reference = {"softmax.py: softmax": 0.001, "model.py: fit": 0.2, "model.py: predict": 5.0}
    limits = policy.TimeLimits.calibrated(reference)
    assert limits.of("softmax.py: softmax") == policy.TIMEOUT_FLOOR  # an endless loop is stopped in seconds
    assert limits.of("model.py: fit") == pytest.approx(policy.TIMEOUT_FACTOR * 0.2)
    assert limits.of("model.py: predict") == policy.TIMEOUT_CEILING
    assert limits.of("network.py: train") == limits.of("model.py: predict"), \
        "a call the reference never made gets the slowest call's limit"


def test_limits_cross_to_the_trusted_run_unchanged():
    limits = policy.TimeLimits.calibrated({"conv.py: forward": 0.01, "conv.py: backward": 0.3})
    assert policy.TimeLimits.from_json(limits.to_json()) == limits
    assert policy.TimeLimits(5.0).describe() == "5 s"
    assert limits.describe() == f"{policy.TIMEOUT_FLOOR:g} to {policy.TIMEOUT_FACTOR * 0.3:g} s, by function"
