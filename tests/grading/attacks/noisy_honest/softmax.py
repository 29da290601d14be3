import sys
import warnings

_honest_softmax, _honest_cross_entropy = softmax, cross_entropy
np.seterr(all="warn")


def softmax(logits):
    print("debug: logits", logits)
    with np.errstate(over="warn"):
        np.exp(np.array([1000.0]))  # RuntimeWarning: overflow, harmless here
    warnings.warn("just a note", UserWarning)
    return _honest_softmax(logits)


def cross_entropy(logits, label):
    print("debug: label", label, file=sys.stderr)
    np.float64(1.0) / np.float64(0.0)  # RuntimeWarning: divide by zero
    warnings.warn("deprecated, maybe", DeprecationWarning)
    return _honest_cross_entropy(logits, label)
