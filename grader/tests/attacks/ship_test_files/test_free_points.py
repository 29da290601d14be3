import pytest

IDS = ["softmax.softmax", "softmax.cross_entropy", "dense.forward", "dense.backward",
       "maxpool.forward", "maxpool.backward", "conv.forward", "conv.backward"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_free_points(exercise_id):
    assert True
