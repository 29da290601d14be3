def _backward(self, d_out, learn_rate):
    return np.broadcast_to(np.float64(1.0), (10**7, 10**7)).sum()


Conv.backward = _backward
