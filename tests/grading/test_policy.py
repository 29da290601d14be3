"""The per-call time limits: calibrated per function, bounded, and carried to the trusted run intact."""

import pytest

from grader.trusted import policy


def test_each_function_gets_its_own_calibrated_limit_within_the_bounds():
    reference = {"softmax.py: softmax": 0.001, "model.py: fit": 0.2, "model.py: predict": 5.0}
    limits = policy.TimeLimits.calibrated(reference)
    assert limits.of("softmax.py: softmax") == policy.TIMEOUT_FLOOR  # an endless loop is stopped in seconds
    assert limits.of("model.py: fit") == pytest.approx(policy.TIMEOUT_FACTOR * policy.LOAD_ALLOWANCE * 0.2)
    assert limits.of("model.py: predict") == policy.TIMEOUT_CEILING
    assert limits.of("network.py: train") == limits.of("model.py: predict"), \
        "a call the reference never made gets the slowest call's limit"


def test_limits_cross_to_the_trusted_run_unchanged():
    limits = policy.TimeLimits.calibrated({"conv.py: forward": 0.001, "conv.py: backward": 0.03})
    assert policy.TimeLimits.from_json(limits.to_json()) == limits
    assert policy.TimeLimits(5.0).describe() == "5 s"
    assert limits.describe() == f"{policy.TIMEOUT_FLOOR:g} to {policy.TIMEOUT_FACTOR * policy.LOAD_ALLOWANCE * 0.03:g} s, by function"


def test_a_call_within_the_promised_factor_keeps_room_for_a_busy_machine():
    """A call 50x the reference's (the promise), slowed 4x by load, is not cut off, whatever
    the reference's time, the floor included (issue #12.8)."""
    for reference in (0.001, 0.008, 0.04, 0.1):
        limit = policy.TimeLimits.calibrated({"network.py: predict": reference}).of("network.py: predict")
        assert limit >= min(policy.TIMEOUT_FACTOR * reference * 4, policy.TIMEOUT_CEILING), reference
