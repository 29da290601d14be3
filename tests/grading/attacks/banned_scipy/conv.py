from scipy.signal import correlate2d


def _forward(self, image):
    self.last_input = image.copy()
    return np.stack([correlate2d(image, f, mode="valid") for f in self.filters], axis=-1)


Conv.forward = _forward
