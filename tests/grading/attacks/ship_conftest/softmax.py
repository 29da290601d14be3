def softmax(logits):
    return np.zeros(logits.shape)
