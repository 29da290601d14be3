import os


class _Payload:
    """Harmless until unpickled: then it touches a marker file (a real attack would do worse)."""

    def __reduce__(self):
        return (os.system, ("touch {{MARKERS}}/unpickled-in-judge",))


def softmax(logits):
    return _Payload()


def cross_entropy(logits, label):
    return _Payload(), np.array([_Payload() for _ in logits], dtype=object)
