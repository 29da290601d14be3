def _backward(self, d_out, learn_rate):
    self.d_weights = np.ones(self.weights.shape)
    self.d_biases = np.ones(self.biases.shape)
    return np.ones(self.last_input_shape)


Dense.backward = _backward
