import os
import time


def _linger():
    with open(f"{{MARKERS}}/pids/{os.getpid()}", "w"):
        pass
    time.sleep(60)


def softmax(logits):
    for _ in range(24):
        try:
            if os.fork() == 0:
                try:
                    if os.fork() == 0:
                        _linger()
                        os._exit(0)
                    _linger()
                finally:
                    os._exit(0)
        except OSError:
            break
    return np.zeros(logits.shape)
