# correct compares the largest logit (a float) with the label, not its index.
_reference_train_step = CNN.train_step


def _train_step(self, image, label, learn_rate):
    logits = self.logits(image)
    loss, _ = _reference_train_step(self, image, label, learn_rate)
    return loss, bool(np.max(logits) == label)


CNN.train_step = _train_step
