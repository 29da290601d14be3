import signal

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so exceeding the file-size limit raises instead of killing


def _fill(path):
    chunk = b"\0" * 2**20
    try:
        with open(path, "wb") as f:
            for _ in range(1024):
                f.write(chunk)
    except OSError:
        pass


_filled = False


def _backward(self, d_out, learn_rate):
    global _filled
    if not _filled:  # once per worker process proves the point; every call would only slow the suite
        _filled = True
        _fill("junk.bin")
        _fill("{{MARKERS}}/junk.bin")
    self.d_filters = np.ones(self.filters.shape)
    return np.ones(self.last_input.shape)


Conv.backward = _backward
