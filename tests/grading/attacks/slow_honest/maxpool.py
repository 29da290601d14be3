def _forward(self, x):
    self.last_input = x.copy()
    s = self.size
    out = np.zeros((x.shape[0] // s, x.shape[1] // s, x.shape[2]))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for c in range(x.shape[2]):
                best = x[i * s, j * s, c]
                for a in range(s):
                    for b in range(s):
                        best = max(best, x[i * s + a, j * s + b, c])
                out[i, j, c] = best
    return out


MaxPool.forward = _forward
