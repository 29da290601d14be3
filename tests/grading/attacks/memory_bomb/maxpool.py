def _backward(self, d_out, learn_rate):
    hoard = []
    for _ in range(24):
        hoard.append(np.ones(2**25))  # 256 MB, written to, so really resident
    return np.ones(self.last_input.shape)


MaxPool.backward = _backward
