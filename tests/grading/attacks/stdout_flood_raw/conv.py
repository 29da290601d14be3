import os

for _fd in (1, 2):
    for _ in range(32):
        os.write(_fd, b"flood " * (2**20 // 6) + b"\n")
