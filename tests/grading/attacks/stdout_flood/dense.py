import sys

for _ in range(32):
    print("flood " * (2**20 // 6))
    sys.stderr.write("flood " * (2**20 // 6) + "\n")
