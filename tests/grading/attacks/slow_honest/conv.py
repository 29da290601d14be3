def _forward(self, image):
    self.last_input = image.copy()
    k = self.filter_size
    out_h, out_w = image.shape[0] - k + 1, image.shape[1] - k + 1
    out = np.zeros((out_h, out_w, self.num_filters))
    for i in range(out_h):
        for j in range(out_w):
            for f in range(self.num_filters):
                total = 0.0
                for a in range(k):
                    for b in range(k):
                        total += image[i + a, j + b] * self.filters[f, a, b]
                out[i, j, f] = total
    return out


def _backward(self, d_out, learn_rate):
    k = self.filter_size
    image = self.last_input
    d_filters = np.zeros(self.filters.shape)
    d_image = np.zeros(image.shape)
    for i in range(d_out.shape[0]):
        for j in range(d_out.shape[1]):
            for f in range(self.num_filters):
                for a in range(k):
                    for b in range(k):
                        d_filters[f, a, b] += d_out[i, j, f] * image[i + a, j + b]
                        d_image[i + a, j + b] += d_out[i, j, f] * self.filters[f, a, b]
    self.d_filters = d_filters
    self.filters = self.filters - learn_rate * d_filters
    return d_image


Conv.forward, Conv.backward = _forward, _backward
