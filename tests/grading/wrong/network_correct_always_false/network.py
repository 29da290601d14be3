# The correct flag is always False: right on every step where the network is wrong.
_reference_train_step = CNN.train_step


def _train_step(self, image, label, learn_rate):
    loss, _ = _reference_train_step(self, image, label, learn_rate)
    return loss, False


CNN.train_step = _train_step
