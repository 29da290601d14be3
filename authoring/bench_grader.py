"""make bench-grader: how fast the grader is, and what the sandbox costs, in one run.

Grades N copies of the reference solution with `python -m grader grade --jobs J`
(submissions per minute), then runs the same hidden suite on the same N copies in-process
(`pytest tests/hidden --impl COPY`, J at a time) and prints the ratio of the two wall
times: the sandbox's overhead (worker processes, pipes, re-validation, reports). The grader
forks each grading run from a warm process that has imported pytest and SciPy once
(grader/trusted/forkserver.py), which the in-process baseline, one pytest per copy, cannot:
that saving is part of the ratio.

    python -m authoring.bench_grader [-n 12] [--jobs CORES]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def in_process(copy: Path) -> None:
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/hidden", "--impl", str(copy)],
                   cwd=ROOT, capture_output=True, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring.bench_grader", description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=12, help="copies of the reference to grade (default: 12)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel gradings (default: cores)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.jobs < 1:
        parser.error("-n and --jobs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as scratch:
        copies = []
        for number in range(args.n):
            copy = Path(scratch) / f"reference_{number:03d}"
            shutil.copytree(ROOT / "solutions", copy)
            copies.append(copy)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "grade", *map(str, copies), "--out", f"{scratch}/out",
                        "--jobs", str(args.jobs)], cwd=ROOT, capture_output=True, check=True)
        sandboxed = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(in_process, copies))
        direct = time.perf_counter() - started
    print(f"{args.n} copies of the reference, {args.jobs} at a time:")
    print(f"  sandboxed grading (python -m grader grade): {sandboxed:.1f} s, {60 * args.n / sandboxed:.1f} submissions per minute")
    print(f"  same hidden suite in-process (pytest --impl): {direct:.1f} s")
    print(f"  sandbox overhead: {sandboxed / direct:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
