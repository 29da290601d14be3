import sys

_honest_forward, _honest_backward = Conv.forward, Conv.backward


def _forward(self, image):
    print(f"conv forward {image.shape}", flush=True)
    np.log(np.array([0.0, -1.0]))  # RuntimeWarning: divide by zero, invalid value
    return _honest_forward(self, image)


def _backward(self, d_out, learn_rate):
    print(f"conv backward {d_out.shape}", file=sys.stderr, flush=True)
    return _honest_backward(self, d_out, learn_rate)


Conv.forward, Conv.backward = _forward, _backward
