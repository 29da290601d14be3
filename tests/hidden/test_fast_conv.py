"""The vectorized Conv2D, graded on the same hard shapes as conv2d, and on speed."""

import pytest

from grader.judge import repeated
from grader.judge.cases import HARD_CASES, SPEED_CASE, SPEED_LIMIT
from grader.judge.speed import baseline_conv_step
from kata.judge.nchw import check_conv_backward, check_conv_forward
from kata.judge.speed import check_conv_speed


@pytest.mark.exercise("fast_conv.forward")
@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_fast_conv_forward(student, rng, case):
    check_conv_forward(student, "fast_conv", case, rng)


@pytest.mark.exercise("fast_conv.backward")
@pytest.mark.parametrize("case", HARD_CASES, ids=str)
def test_fast_conv_backward(student, rng, case):
    check_conv_backward(student, "fast_conv", case, rng, learn_rate=0.05)


# State across calls: one layer, three calls, a new input and learning rate each.
@pytest.mark.parametrize("backward", repeated.forward_and_backward("fast_conv"))
def test_one_layer_called_again(student, rng, backward):
    repeated.check_conv2d_rounds(student, "fast_conv", rng, backward)


@pytest.mark.exercise("fast_conv.speed")
def test_fast_conv_speed_within_ten_times_a_numpy_baseline(student, rng, record_property):
    ratio = check_conv_speed(student, rng, SPEED_CASE, SPEED_LIMIT, baseline_conv_step,
                             "a vectorized NumPy baseline (grader/judge/speed.py)")
    # Gradescope's leaderboard (make gradescope LEADERBOARD=1): lower is faster.
    record_property("leaderboard", {"name": "Conv2D time (x a NumPy baseline)", "value": ratio, "order": "asc"})
