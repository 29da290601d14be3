def _loop_predict(self, images):
    """predict as a beginner writes it, one window and one filter at a time: about 28x the
    reference's time for the test set, inside the documented 50x (issue #12.8)."""
    filters = self.conv.filters
    count, k = filters.shape[0], filters.shape[1]
    labels = []
    for image in images:
        maps = np.zeros((image.shape[0] - k + 1, image.shape[1] - k + 1, count))
        for f in range(count):
            for i in range(maps.shape[0]):
                for j in range(maps.shape[1]):
                    maps[i, j, f] = np.sum(image[i:i + k, j:j + k] * filters[f])
        labels.append(int(np.argmax(self.dense.forward(self.pool.forward(maps)))))
    return np.array(labels, dtype=np.int64)


CNN.predict = _loop_predict
