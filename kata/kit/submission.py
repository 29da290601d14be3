"""`make submission`: the zip to hand in, holding only your exercise files.

    python -m kata.kit.submission [--out submission.zip]

The zip holds exercises/<file>.py for every exercise file, at its top level (conv.py,
dense.py, ...), exactly what `python -m grader grade` and the Gradescope autograder take.
Nothing else goes in: no tests, no hints, no backups.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from kata.kit.atomic import atomic_path
from kata.exercises import TRACKS, modules
from kata.kit.stubs import is_pristine

ROOT = Path(__file__).resolve().parents[2]


def build(exercises_dir: Path, out: Path, track: str = "all") -> list[str]:
    """Write the zip of the track's files atomically; returns those still untouched stubs (worth a warning)."""
    files = [exercises_dir / f"{module}.py" for module in modules(track)]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"missing {', '.join(missing)}: `make reset EX=<file>` restores a stub")
    with atomic_path(out) as temp, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, file.name)
    return [f.name for f in files if is_pristine(f.read_text())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make submission", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "submission.zip")
    parser.add_argument("--track", choices=TRACKS, default="all", help="only one track's files (default: all)")
    parser.add_argument("--exercises", type=Path, default=ROOT / "exercises", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        untouched = build(args.exercises, args.out, args.track)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    names = [f"{module}.py" for module in modules(args.track)]
    print(f"wrote {args.out} ({len(names)} files: {', '.join(names)})")
    if untouched:
        print(f"note: still the untouched stub (scores 0): {', '.join(untouched)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
