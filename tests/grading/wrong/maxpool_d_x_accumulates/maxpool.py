# d_x is kept on the layer from the first backward on and each call adds to it: right on
# one call, wrong on every later one.
_reference_backward = MaxPool.backward


def _backward(self, d_out, learn_rate):
    self.d_x = self.__dict__.get("d_x", 0.0) + _reference_backward(self, d_out, learn_rate)
    return self.d_x


MaxPool.backward = _backward
