"""`make reset EX=conv`: put one exercise file back to its stub, keeping yours as a backup.

    python -m kata.kit.reset conv            (or an exercise id: conv.backward resets conv.py)

The pristine stub comes from solutions/ through the stub generator in the instructor's
repository, and from kata/pristine/ in the students' handout (which has no solutions/).
An edited file is first copied to conv.py.bak-YYYYmmdd-HHMMSS beside it; the hints file
(conv.hints.toml) is never touched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kata.kit import atomic
from kata.exercises import modules, select
from kata.kit.stubs import backup, is_pristine, make_stub

ROOT = Path(__file__).resolve().parents[2]


def pristine_stub(module: str, root: Path = ROOT) -> str:
    """The stub as shipped: generated from solutions/ when present, else the handout's copy."""
    solution = root / "solutions" / f"{module}.py"
    if solution.is_file():
        return make_stub(solution.read_text(), module)
    shipped = root / "kata" / "pristine" / f"{module}.py"
    if shipped.is_file():
        return shipped.read_text()
    raise FileNotFoundError(f"no pristine copy of {module}.py (looked for {solution} and {shipped})")


def reset(module: str, root: Path = ROOT) -> str:
    """Restore exercises/<module>.py; returns what was done, in a sentence."""
    path = root / "exercises" / f"{module}.py"
    stub = pristine_stub(module, root)
    current = path.read_text() if path.exists() else None
    if current == stub:
        return f"{path.relative_to(root)} is already the untouched stub: nothing to do"
    saved = ""
    if current is not None and not is_pristine(current):
        saved = f"; your version is saved as {backup(path).relative_to(root)}"
    atomic.write_text(path, stub)
    return f"restored {path.relative_to(root)} to its stub{saved}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make reset EX=<file>", description=__doc__.splitlines()[0])
    parser.add_argument("exercise", nargs="?", help=f"an exercise file ({', '.join(modules())}) or id")
    args = parser.parse_args(argv)
    if not args.exercise:
        print(f"error: which file? e.g. make reset EX=conv (one of: {', '.join(modules())})", file=sys.stderr)
        return 2
    try:
        module = select(args.exercise)[0].module
        print(reset(module))
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
