# The seed tutorial's backward: `(window == window.max()) * d_out` sends a window's gradient to
# every tied maximum. Gaussian images never tie; real digits do (a flat background).
def _backward(self, d_out, learn_rate):
    s, x = self.size, self.last_input
    d_x = np.zeros(x.shape)
    for i in range(d_out.shape[0]):
        for j in range(d_out.shape[1]):
            window = x[i * s:(i + 1) * s, j * s:(j + 1) * s]
            d_x[i * s:(i + 1) * s, j * s:(j + 1) * s] = (window == window.max(axis=(0, 1))) * d_out[i, j]
    return d_x


MaxPool.backward = _backward
