def cross_entropy(logits, label):
    return -1.0, np.ones(logits.shape)
